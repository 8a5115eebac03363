"""Effect objects, the atomic Redis commit (one Lua script), run_step, and the JSON helpers."""

from __future__ import annotations

import multiprocessing
from typing import Callable, Optional

import pytest
import redis

import sealwright
from sealwright import Effect

from redis_fixture import redis_client  # noqa: F401  (pytest fixture)


def test_effect_fields_and_immutability() -> None:
    e = Effect("put", "k", b"\x01\x02", 60)
    assert (e.op, e.key, e.value, e.ttl_seconds) == ("put", "k", b"\x01\x02", 60)
    with pytest.raises(AttributeError):
        e.key = "other"  # type: ignore[misc]
    assert e == Effect("put", "k", b"\x01\x02", 60)
    assert e != Effect("put", "k", b"\x01\x03", 60)
    assert Effect("delete", "k").value is None
    assert Effect("expire", "k", ttl_seconds=5).ttl_seconds == 5
    with pytest.raises(sealwright.InvalidInput):
        Effect("put", "k")
    with pytest.raises(sealwright.InvalidInput):
        Effect("truncate", "k")
    e = Effect("put_if_equal", "k", b"new", 5, expected=b"old")
    assert (e.op, e.expected, e.value, e.ttl_seconds, e.store, e.conditional) == (
        "put_if_equal", b"old", b"new", 5, "main", True
    )
    assert Effect("require_equal", "k", expected=b"x").value is None
    assert not Effect("put", "k", b"v").conditional
    assert Effect("delete", "k", store="cold").store == "cold"
    bads: list[Callable[[], Effect]] = [
        lambda: Effect("put_if_equal", "k", b"v"),  # no expected
        lambda: Effect("delete_if_equal", "k"),
        lambda: Effect("require_equal", "k", b"v", expected=b"x"),
        lambda: Effect("expire", "k"),
        lambda: Effect("put", "k", b"v", store="lukewarm"),
    ]
    for bad in bads:
        with pytest.raises(sealwright.InvalidInput):
            bad()


def test_effect_repr_hides_value() -> None:
    secret = bytes(range(40, 72))
    r = repr(Effect("put", "sw:v1:x", secret, None))
    assert "sw:v1:x" in r and "32 bytes" in r
    assert secret.hex() not in r and repr(secret) not in r


def test_json_helpers() -> None:
    obj = {"v": 1, "kid": "ab", "x": "é"}
    text = sealwright.to_json(obj)
    assert text == '{"v":1,"kid":"ab","x":"é"}'
    assert sealwright.from_json(text) == obj




def test_apply_effects_commits_all_or_nothing(redis_client: redis.Redis) -> None:
    r = redis_client
    r.flushall()
    assert sealwright.apply_effects(r, [Effect("put", "a", b"1", 100), Effect("put", "b", b"2")])
    assert r.get("a") == b"1" and 0 < r.ttl("a") <= 100 and r.ttl("b") == -1
    # A failed condition anywhere: nothing of the step is written, even earlier effects.
    step = [Effect("put", "c", b"3"), Effect("put_if_equal", "a", b"9", expected=b"wrong")]
    assert sealwright.apply_effects(r, step) is False
    assert r.get("c") is None and r.get("a") == b"1"
    assert sealwright.apply_effects(r, [Effect("put_if_absent", "a", b"x")]) is False
    assert sealwright.apply_effects(r, [Effect("require_equal", "a", expected=b"2")]) is False
    assert sealwright.apply_effects(r, [Effect("delete_if_equal", "a", expected=b"2")]) is False
    # Conditions that hold: the writes happen, in order, with binary-safe values.
    blob = bytes(range(256))
    assert sealwright.apply_effects(
        r,
        [
            Effect("require_equal", "b", expected=b"2"),
            Effect("put_if_equal", "a", blob, 50, expected=b"1"),
            Effect("put_if_absent", "n", b"new"),
            Effect("expire", "b", ttl_seconds=30),
            Effect("delete", "zz"),
        ],
    )
    assert r.get("a") == blob and 0 < r.ttl("b") <= 30 and r.get("n") == b"new"
    assert sealwright.apply_effects(r, [Effect("delete_if_equal", "a", expected=blob)])
    assert r.get("a") is None
    # A put without TTL clears an existing one.
    sealwright.apply_effects(r, [Effect("put", "t", b"1", 100)])
    sealwright.apply_effects(r, [Effect("put", "t", b"2")])
    assert r.ttl("t") == -1
    # An empty step commits trivially; an effect for another store is refused.
    assert sealwright.apply_effects(r, [])
    with pytest.raises(sealwright.InvalidInput):
        sealwright.apply_effects(r, [Effect("put", "k", b"v", store="cold")])
    assert sealwright.apply_effects(r, [Effect("put", "k", b"v", store="cold")], store="cold")


def test_apply_effects_reloads_a_flushed_script(redis_client: redis.Redis) -> None:
    redis_client.script_flush()
    assert sealwright.apply_effects(redis_client, [Effect("put", "s", b"1")])
    assert redis_client.get("s") == b"1"


def test_run_step_reruns_then_conflicts(redis_client: redis.Redis) -> None:
    r = redis_client
    r.flushall()
    runs = []

    def never_holds(load: "object") -> tuple[None, list[Effect]]:
        runs.append(1)
        return None, [Effect("require_equal", "missing", expected=b"x")]

    with pytest.raises(sealwright.Conflict) as info:
        sealwright.run_step(r, never_holds)
    assert info.value.code == "CONFLICT" and len(runs) == sealwright.MAX_RUNS

    def errors(load: "object") -> tuple[None, list[Effect]]:
        raise sealwright.InvalidInput("INVALID_INPUT: test")

    with pytest.raises(sealwright.InvalidInput):
        sealwright.run_step(r, errors)


def _increment(port: int, times: int, out: "multiprocessing.Queue[int]") -> None:
    """In a separate process: increment a counter `times` times through run_step, each step a
    put_if_equal to the loaded value (or put_if_absent), counting the runs it needed."""
    client = redis.Redis(host="127.0.0.1", port=port)
    total_runs = 0

    def step(load: "Callable[[str], Optional[bytes]]") -> tuple[int, list[Effect]]:
        nonlocal total_runs
        total_runs += 1
        old = load("counter")
        n = int(old or b"0") + 1
        if old is None:
            return n, [Effect("put_if_absent", "counter", str(n).encode())]
        return n, [Effect("put_if_equal", "counter", str(n).encode(), expected=old)]

    for _ in range(times):
        while True:
            try:
                sealwright.run_step(client, step)
                break
            except sealwright.Conflict:
                continue  # three lost races in a row: try the increment again
    out.put(total_runs)
    client.close()


def test_racing_processes_never_lose_an_increment(redis_client: redis.Redis) -> None:
    redis_client.flushall()
    port = redis_client.connection_pool.connection_kwargs["port"]
    ctx = multiprocessing.get_context("spawn")
    out: "multiprocessing.Queue[int]" = ctx.Queue()
    procs = [ctx.Process(target=_increment, args=(port, 100, out)) for _ in range(4)]
    for p in procs:
        p.start()
    runs = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    # 400 committed increments: none lost, whatever the interleaving (runs >= 400; the excess
    # is the number of failed conditions that were rerun).
    assert int(redis_client.get("counter") or 0) == 400
    assert sum(runs) >= 400
