"""Helpers shared by tests: malformed inputs, panic detection, timing."""

from __future__ import annotations

import hashlib
import json
import statistics
import threading
import time
from typing import Any, Callable

import sealwright

from conftest import VECTORS

MALFORMED_STR = [
    "",
    "a",
    "\x00",
    "\u0085",
    "é" * 200,
    "x" * 70000,
    "..",
    "....",
    "a.b.c",
    "a.b.c.d.e",
    "eyJhbGciOiJub25lIn0.e30.",
    "e30.e30.e30.e30.e30",
    "SW1:",
    "sw2.",
    "sw2k.AAAA",
    "$pbkdf2-sha256$i=1,l=32$AA$AA",
    "{}",
    "[]",
    "null",
    '{"v":1}',
    "=" * 8,
    "\ud7ff",
]
MALFORMED_BYTES = [b"", b"\x00", b"\xff" * 16, b"\x00" * 32, b"\x01" * 33, bytes(range(256)) * 8]


def call_must_not_panic(fn: Callable[[], object]) -> None:
    """Runs ``fn``; only success or a SealwrightError subclass is acceptable."""
    try:
        fn()
    except sealwright.SealwrightError as e:
        assert e.code in {c for _, c, _ in sealwright.ERROR_CODES}
    except BaseException as e:  # noqa: BLE001 - PanicException derives from BaseException
        raise AssertionError(f"{type(e).__module__}.{type(e).__name__}: {e}") from e


def vector_file(stem: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / f"{stem}.json").read_text())
    return data


def positive_case(stem: str) -> dict[str, Any]:
    return next(c for c in vector_file(stem)["cases"] if "operation" not in c)


def parallel_ratio(work: Callable[[], object], repeat: int = 1) -> float:
    """Time of two threads running ``work`` at once, over the time of one run alone."""

    def timed(n: int) -> float:
        def loop() -> None:
            for _ in range(repeat):
                work()

        threads = [threading.Thread(target=loop) for _ in range(n)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - start

    timed(1)  # warm up
    # The machine is shared: each trial brackets the two-thread run between two single runs
    # (so load drifting during the trial cancels out), and the median of five trials is
    # taken (so one burst of load elsewhere, in either direction, does not decide).
    trials = []
    for _ in range(5):
        before = timed(1)
        double = timed(2)
        after = timed(1)
        trials.append(double / ((before + after) / 2))
    return statistics.median(trials)


def reference_work() -> None:
    """Work known to release the GIL (hashlib on a large buffer), to calibrate the machine."""
    hashlib.sha256(_BIG).digest()


_BIG = b"x" * 4_000_000


def gil_free_fraction(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    """How freely another Python thread runs during ``work`` (1.0: all the time, ~0: never).

    A pure-Python side thread records timestamps (each needs the GIL) while this thread
    calls ``work`` ``repeat`` times. During a call that holds the GIL no timestamp can be
    taken, on any number of cores; during a call that releases it the side thread runs
    (time-sliced by the OS even on one core). Returns 1 - the median over calls of the
    longest timestamp-free stretch as a fraction of the call, and the median call time.
    """
    samples: list[float] = []
    done = threading.Event()

    def side() -> None:
        while not done.is_set():
            samples.append(time.perf_counter())

    thread = threading.Thread(target=side)
    thread.start()
    intervals = []
    for _ in range(repeat):
        a = time.perf_counter()
        work()
        intervals.append((a, time.perf_counter()))
    done.set()
    thread.join()
    # Per call: the longest stretch with no side-thread timestamp, as a fraction of the call.
    # A GIL-holding call is one such stretch (less the few ms the GIL may change hands at
    # its edges); a releasing call leaves only OS scheduling gaps.
    gaps = []
    for a, b in intervals:
        inside = [a] + [t for t in samples if a < t < b] + [b]
        gaps.append(max(y - x for x, y in zip(inside, inside[1:])) / (b - a))
    return 1.0 - statistics.median(gaps), statistics.median(b - a for a, b in intervals)


def assert_parallel(work: Callable[[], object], repeat: int = 1, limit: float = 1.6) -> float:
    """Asserts the GIL is released during ``work``, two ways.

    1. Another Python thread runs during the calls (``gil_free_fraction``): whatever the
       load, a GIL-holding call admits no Python code at all. Checked for calls of 20 ms or
       more (a shorter call can end before the OS wakes the other thread).
    2. Two threads running ``work`` take < ``limit`` x one thread. The machine is shared:
       when at this moment a GIL-free reference of the same duration (hashlib on a large
       buffer) cannot run two threads in parallel either (its ratio >= 1.45), two cores are
       not available and the bound becomes the reference's ratio + 0.2.
    """
    fraction, call_time = gil_free_fraction(work, max(repeat, 5))
    if call_time >= 0.02:
        assert fraction >= 0.4, f"another Python thread was blocked during the calls ({fraction:.2f})"
    start = time.perf_counter()
    for _ in range(repeat):
        work()
    one_run = time.perf_counter() - start
    start = time.perf_counter()
    reference_work()
    ref_repeat = max(1, round(one_run / max(time.perf_counter() - start, 1e-6)))
    ratio = float("inf")
    reference = float("inf")
    # Best of up to five tries: a timing on a shared machine is noisy, a held GIL is not
    # (it would fail check 1 above, and every try here).
    for _ in range(5):
        ratio = min(ratio, parallel_ratio(work, repeat))
        if ratio < limit:
            return ratio
        reference = min(reference, parallel_ratio(reference_work, ref_repeat))
        if reference >= 1.45 and ratio < reference + 0.2:
            return ratio
    raise AssertionError(f"two threads took {ratio:.2f}x one (GIL-free reference {reference:.2f}x)")


class MemoryStore:
    """A dict store with expiry, applying Effect lists like Redis would (tests only)."""

    def __init__(self) -> None:
        self.data: dict[str, tuple[bytes, int | None]] = {}

    def apply(self, effects: list[sealwright.Effect], now_ms: int) -> bool:
        """Commits one step atomically: every condition first, then all writes (spec §0.2)."""
        for e in effects:
            current = self.get(e.key, now_ms)
            if e.op == "put_if_absent" and current is not None:
                return False
            if e.op in ("put_if_equal", "delete_if_equal", "require_equal") and current != e.expected:
                return False
        for e in effects:
            if e.op in ("put", "put_if_absent", "put_if_equal"):
                assert e.value is not None
                expiry = None if e.ttl_seconds is None else now_ms + e.ttl_seconds * 1000
                self.data[e.key] = (e.value, expiry)
            elif e.op == "expire":
                assert e.ttl_seconds is not None
                if self.get(e.key, now_ms) is not None:
                    self.data[e.key] = (self.data[e.key][0], now_ms + e.ttl_seconds * 1000)
            elif e.op in ("delete", "delete_if_equal"):
                self.data.pop(e.key, None)
        return True

    def get(self, key: str, now_ms: int) -> bytes | None:
        found = self.data.get(key)
        if found is None or (found[1] is not None and now_ms >= found[1]):
            return None
        return found[0]
