"""The handshake server against a real Redis (examples/handshake_redis.py's functions):
effects applied with apply_effects, records read back with MGET."""

from __future__ import annotations

import os
import pathlib
import sys
import time

import pytest
import redis

import sealwright
from sealwright import handshake

from helpers import positive_case
from redis_fixture import redis_client

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))
from handshake_redis import serve_handshake, serve_message  # noqa: E402

__all__ = ["redis_client"]

KEYS = handshake.ServerKeys(
    bytes.fromhex(positive_case("handshake")["serverRsaPrivateKeyPkcs8"]), os.urandom(32), os.urandom(32)
)
T0 = 1_767_225_600_000


def echo(pt: bytes) -> bytes:
    return b"re:" + pt


def connect(r: redis.Redis, device: str) -> handshake.HandshakeClient:
    client = handshake.HandshakeClient(device, handshake.PrimaryKey.generate(), KEYS.public_key_der())
    client.finish(serve_handshake(r, KEYS, client.start(), T0))
    return client


def test_rotation_retry_and_ttls_in_redis(redis_client: redis.Redis) -> None:
    r = redis_client
    client = connect(r, "dev-rot")
    assert 86395 <= r.ttl("sw:v1:hs:session:dev-rot") <= 86400
    first_kid = client.kid
    request = client.send(b"a")
    response = serve_message(r, KEYS, request, echo, T0 + 1)
    # Rotation: the used kid is kept 300 s (Redis TTL from the effect), the new kid 86,400 s.
    assert 295 <= r.ttl(f"sw:v1:hs:eph:{first_kid}") <= 300
    assert client.receive(response) == b"re:a"
    assert client.kid != first_kid
    assert 86395 <= r.ttl(f"sw:v1:hs:eph:{client.kid}") <= 86400
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
    # Every stored value is sealed: no plaintext or key material in a dump.
    for key in r.keys("sw:v1:hs:*"):
        assert b"re:a" not in (r.get(key) or b"")


def test_grace_expiry_by_redis_ttl(redis_client: redis.Redis) -> None:
    r = redis_client
    client = connect(r, "dev-grace")
    request = client.send(b"a")
    old_kid = request["kid"]
    client.receive(serve_message(r, KEYS, request, echo, T0))
    # The effect gave eph[old kid] a 300 s TTL; let Redis expire it now instead of waiting.
    assert 295 <= r.ttl(f"sw:v1:hs:eph:{old_kid}") <= 300
    r.pexpire(f"sw:v1:hs:eph:{old_kid}", 1)
    r.pexpire(f"sw:v1:hs:retry:{handshake.request_id(request).hex()}", 1)
    time.sleep(0.05)
    with pytest.raises(sealwright.UnknownKid):
        serve_message(r, KEYS, request, echo, T0 + 1)


def test_session_expiry_by_now_ms_and_new_handshake(redis_client: redis.Redis) -> None:
    r = redis_client
    client = connect(r, "dev-exp")
    request = client.send(b"late")
    with pytest.raises(sealwright.SessionExpired):
        serve_message(r, KEYS, request, echo, T0 + 86_400_000)
    # A new handshake of the same device deletes the old session's kid at once.
    connect(r, "dev-exp")
    with pytest.raises(sealwright.UnknownKid):
        serve_message(r, KEYS, request, echo, T0 + 1000)
