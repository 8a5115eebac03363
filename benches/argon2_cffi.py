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
import resource
import statistics
import sys
import time

from argon2.low_level import Type, hash_secret_raw

T, M, P, LEN = 3, 65536, 4, 16


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    password = b"correct horse battery staple"
    salt = os.urandom(16)
    hash_secret_raw(password, salt, T, M, P, LEN, Type.ID, 0x13)  # warm-up (page faults)
    times = []
    cpu_start = cpu_seconds()
    for _ in range(n):
        start = time.perf_counter()
        hash_secret_raw(password, salt, T, M, P, LEN, Type.ID, 0x13)
        times.append(time.perf_counter() - start)
    cpu = (cpu_seconds() - cpu_start) / n
    median = statistics.median(times)
    # On a shared machine the wall time mostly measures the other tenants; the CPU time per
    # hash (all threads) is the load-independent figure.
    print(
        f"argon2-cffi Argon2id t={T} m={M} p={P} len={LEN}: median {median * 1e3:.1f} ms "
        f"over {n} runs (min {min(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms), "
        f"CPU {cpu * 1e3:.1f} ms per hash"
    )


if __name__ == "__main__":
    main()
