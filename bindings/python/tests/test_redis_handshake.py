"""The handshake server against a real Redis (examples/handshake_redis.py's functions):
steps committed with run_step / apply_effects, records read with MGET; several processes
delivering one request at once run its business logic once."""

from __future__ import annotations

import multiprocessing
import os
import pathlib
import sys
import time
from typing import Any

import pytest
import redis

import sealwright
from sealwright import handshake

from helpers import positive_case
from redis_fixture import redis_client

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))
from handshake_redis import get, mget, serve_handshake, serve_message  # noqa: E402

__all__ = ["redis_client"]

PKCS8 = bytes.fromhex(positive_case("handshake")["serverRsaPrivateKeyPkcs8"])
ENTROPY = os.urandom(32)
STORAGE = os.urandom(32)
KEYS = handshake.ServerKeys(PKCS8, ENTROPY, STORAGE)
T0 = 1_767_225_600_000


def echo(pt: bytes) -> bytes:
    return b"re:" + pt


def connect(r: redis.Redis, device: str) -> handshake.HandshakeClient:
    client = handshake.HandshakeClient(device, handshake.PrimaryKey.generate(), KEYS.public_key_der())
    client.finish(serve_handshake(r, KEYS, client.start(), T0))
    return client


def names(request: Any) -> handshake.ProcessStoreKeys:
    return handshake.process_store_keys(request)


def eph_key(request: Any, kid: str) -> str:
    """``sw:v1:hs:T:eph:<kid>`` of the device that sent ``request`` (its tagged prefix)."""
    session_key = names(request).session
    return session_key[: -len("session")] + "eph:" + kid


def test_rotation_retry_and_ttls_in_redis(redis_client: redis.Redis) -> None:
    r = redis_client
    client = connect(r, "dev-rot")
    request = client.send(b"a")
    assert 86395 <= r.ttl(names(request).session) <= 86400
    assert r.ttl(names(request).session[: -len("session")] + "device") == -1  # no TTL
    first_kid = client.kid
    response = serve_message(r, KEYS, request, echo, T0 + 1)
    # Rotation: the used kid is kept 300 s (Redis TTL from the effect), the new kid 86,400 s.
    assert 295 <= r.ttl(names(request).eph) <= 300
    assert r.get(names(request).claim) is None  # the claim was released by respond
    assert client.receive(response) == b"re:a"
    assert client.kid is not None and client.kid != first_kid
    assert 86395 <= r.ttl(eph_key(request, client.kid)) <= 86400
    # Retry: the byte-identical request gets the stored response (no business logic re-run).
    calls: list[bytes] = []

    def business(pt: bytes) -> bytes:
        calls.append(pt)
        return b""

    again = serve_message(r, KEYS, request, business, T0 + 2)
    assert again == response and calls == []
    # Other bytes to the rotated kid: KID_ROTATED.
    forged = {**request, "data": client.send(b"b")["data"]}
    with pytest.raises(sealwright.KidRotated):
        serve_message(r, KEYS, forged, echo, T0 + 3)
    # Every key of the device carries its hash tag; every stored value is sealed.
    tag = names(request).session.split(":")[3]
    for key in r.keys("sw:v1:hs:*"):
        text = key.decode() if isinstance(key, bytes) else str(key)
        assert text.split(":")[3] == tag and "dev-rot" not in text
        assert b"re:a" not in (r.get(key) or b"")


def test_grace_expiry_by_redis_ttl(redis_client: redis.Redis) -> None:
    r = redis_client
    client = connect(r, "dev-grace")
    request = client.send(b"a")
    client.receive(serve_message(r, KEYS, request, echo, T0))
    # The effect gave eph[old kid] a 300 s TTL; let Redis expire it now instead of waiting.
    assert 295 <= r.ttl(names(request).eph) <= 300
    r.pexpire(names(request).eph, 1)
    r.pexpire(names(request).retry, 1)
    time.sleep(0.05)
    with pytest.raises(sealwright.UnknownKid):
        serve_message(r, KEYS, request, echo, T0 + 1)


def test_session_expiry_by_now_ms_and_new_handshake(redis_client: redis.Redis) -> None:
    r = redis_client
    client = connect(r, "dev-exp")
    request = client.send(b"late")
    with pytest.raises(sealwright.SessionExpired):
        serve_message(r, KEYS, request, echo, T0 + 86_400_000)
    # Another primary key for the device is refused; after re-enrolment it is accepted.
    again = handshake.HandshakeClient("dev-exp", handshake.PrimaryKey.generate(), KEYS.public_key_der())
    with pytest.raises(sealwright.DeviceMismatch):  # another primary key: refused
        serve_handshake(r, KEYS, again.start(), T0 + 500)
    removed, effects = handshake.server_reenroll(KEYS, "dev-exp", lambda k: get(r, k))
    assert removed and sealwright.apply_effects(r, effects)
    again = handshake.HandshakeClient("dev-exp", handshake.PrimaryKey.generate(), KEYS.public_key_der())
    again.finish(serve_handshake(r, KEYS, again.start(), T0 + 600))
    with pytest.raises(sealwright.UnknownKid):  # re-enrolment ended the old chain
        serve_message(r, KEYS, request, echo, T0 + 1000)


def test_a_claim_in_redis_expires_after_a_crash(redis_client: redis.Redis) -> None:
    r = redis_client
    client = connect(r, "dev-crash")
    request = sealwright.to_json(client.send(b"q"))
    outcome, claim = handshake.server_open(KEYS, request, mget(r, names(request).as_list()), T0)
    assert sealwright.apply_effects(r, claim)  # the server dies after this
    assert 25 <= r.ttl(names(request).claim) <= handshake.CLAIM_TTL_SECONDS
    with pytest.raises(sealwright.InProgress):
        serve_message(r, KEYS, request, echo, T0 + 1)
    r.pexpire(names(request).claim, 1)  # let Redis expire the claim instead of waiting 30 s
    time.sleep(0.05)
    response = serve_message(r, KEYS, request, echo, T0 + 2)
    assert isinstance(response, str)
    assert client.receive(response) == b"re:q"


def _deliver(port: int, keys_der: bytes, entropy: bytes, storage: bytes, request: str, out: "multiprocessing.Queue[str]") -> None:
    """In a separate process: deliver `request` once; report the response or the error code.
    The business logic counts its runs with a Redis INCR."""
    keys = handshake.ServerKeys(keys_der, entropy, storage)
    r = redis.Redis(host="127.0.0.1", port=port)

    def business(pt: bytes) -> bytes:
        r.incr("test:business-runs")
        time.sleep(0.05)  # the other deliveries arrive meanwhile
        return b"paid:" + pt

    r.blpop(["test:go"], timeout=30)  # start together
    try:
        out.put("ok " + serve_message(r, keys, request, business, T0 + 5))
    except sealwright.SealwrightError as e:
        out.put(e.code)
    r.close()


def test_racing_processes_deliver_one_request_business_logic_runs_once(redis_client: redis.Redis) -> None:
    r = redis_client
    client = connect(r, "dev-race")
    request = sealwright.to_json(client.send(b"5 EUR"))
    port = r.connection_pool.connection_kwargs["port"]
    ctx = multiprocessing.get_context("spawn")
    out: "multiprocessing.Queue[str]" = ctx.Queue()
    n = 6
    procs = [ctx.Process(target=_deliver, args=(port, PKCS8, ENTROPY, STORAGE, request, out)) for _ in range(n)]
    for p in procs:
        p.start()
    time.sleep(1.0)  # let every process import and block on BLPOP
    r.rpush("test:go", *([b"1"] * n))
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    responses = {x[3:] for x in results if x.startswith("ok ")}
    in_progress = results.count("IN_PROGRESS")
    print(f"{n} processes: business ran {int(r.get('test:business-runs') or 0)}x, "
          f"{len(results) - in_progress} responses, {in_progress} IN_PROGRESS")
    assert int(r.get("test:business-runs") or 0) == 1
    assert len(responses) == 1 and in_progress + sum(x.startswith("ok ") for x in results) == n
    # The IN_PROGRESS deliveries retry unchanged and get the one stored response.
    (response,) = responses
    assert serve_message(r, KEYS, request, echo, T0 + 6) == response
    assert client.receive(response) == b"paid:5 EUR"
    assert int(r.get("test:business-runs") or 0) == 1
