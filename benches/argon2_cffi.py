#!/usr/bin/env python3
"""Times argon2-cffi's Argon2id (the reference C implementation) with the share envelope
parameters of spec §3: t=3, m=65536 KiB, p=4, 16-byte output, 16-byte salt. Prints the median
of N runs, to compare with the criterion figure `shares/argon2id_m65536_t3_p4_len16` of
`cargo bench -p sealwright-benches --bench vault` (target: ours <= 0.8x this).

Setup (once):
    python3 -m venv /root/.cache/sw-bench-venv
    /root/.cache/sw-bench-venv/bin/pip install argon2-cffi
    /root/.cache/sw-bench-venv/bin/python benches/argon2_cffi.py [N]
"""

import os
import statistics
import sys
import time

from argon2.low_level import Type, hash_secret_raw

T, M, P, LEN = 3, 65536, 4, 16


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    password = b"correct horse battery staple"
    salt = os.urandom(16)
    hash_secret_raw(password, salt, T, M, P, LEN, Type.ID, 0x13)  # warm-up (page faults)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        hash_secret_raw(password, salt, T, M, P, LEN, Type.ID, 0x13)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(
        f"argon2-cffi Argon2id t={T} m={M} p={P} len={LEN}: median {median * 1e3:.1f} ms "
        f"over {n} runs (min {min(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms)"
    )


if __name__ == "__main__":
    main()
