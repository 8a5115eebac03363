"""The binding's randomness (src/common.rs `os_rng`): every call keys a new generator from the
OS, so no state is shared between calls, threads or a process and its forked child."""

from __future__ import annotations

import os
import threading

import pytest

import sealwright

SEALER = sealwright.StoreSealer(bytes(range(32)))
# A sealed store value: key id (1 byte) || nonce (12 bytes) || ciphertext and tag.
NONCE = slice(1, 13)


def nonce_of_a_new_seal() -> bytes:
    return SEALER.seal("k", b"same value")[NONCE]


def test_every_call_draws_fresh_randomness() -> None:
    nonces = {nonce_of_a_new_seal() for _ in range(2000)}
    assert len(nonces) == 2000


def test_threads_draw_different_bytes() -> None:
    found: list[bytes] = []
    lock = threading.Lock()

    def work() -> None:
        mine = [nonce_of_a_new_seal() for _ in range(200)]
        with lock:
            found.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(found)) == len(found) == 800


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_draws_other_bytes_than_its_parent() -> None:
    # Warm up in the parent first: a generator kept between calls would now hold state that a
    # child copies, and both would then draw the same nonces.
    before = nonce_of_a_new_seal()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send its next nonces, leave at once
        try:
            os.close(read_end)
            os.write(write_end, b"".join(nonce_of_a_new_seal() for _ in range(8)))
        finally:
            os._exit(0)
    os.close(write_end)
    parent = [nonce_of_a_new_seal() for _ in range(8)]
    data = b""
    while len(data) < 96:
        chunk = os.read(read_end, 96 - len(data))
        if not chunk:
            break
        data += chunk
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    child = [data[i : i + 12] for i in range(0, 96, 12)]
    assert len(data) == 96
    assert not set(child) & set(parent)
    assert before not in child


def a_step() -> sealwright.Step:
    from sealwright import shares

    # The shares create step: a real step with several effects (share 2, share 3, pointer).
    return shares.create("a password", SEALER)


def test_step_effects_are_a_new_list_of_the_same_effects() -> None:
    step = a_step()
    first, second = step.effects, step.effects
    assert first == second and first is not second
    assert all(a is b for a, b in zip(first, second))
    first.clear()  # the caller's list only
    assert len(step.effects) == len(second) > 0
    output, effects = step
    assert effects == second and output is step.output
