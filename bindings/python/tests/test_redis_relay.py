"""Relay replay protection with a real Redis: the jti effect applied with apply_effects."""

from __future__ import annotations

import pytest
import redis

import sealwright
from sealwright import relay

from helpers import positive_case
from redis_fixture import redis_client

__all__ = ["redis_client"]

CASE = positive_case("relay")
RECIPIENT = relay.Recipient.from_pkcs8_der(bytes.fromhex(CASE["recipientPrivateKeyPkcs8"]))


def test_jti_remembered_in_redis(redis_client: redis.Redis) -> None:
    signing = relay.RelaySigningKey.generate("sk")
    server = relay.RelayServer(relay.RelayKey.generate("rk"), signing)
    jwks = {RECIPIENT.rid: RECIPIENT.jwk()}  # what a server would keep (as JSON) in its store

    def seen(jti: str) -> bool:
        return bool(redis_client.exists(f"sw:v1:relay:jti:{jti}"))

    request = RECIPIENT.request(server.seal(b"value"))
    accepted = server.decrypt_request(request.jws, jwks, seen)
    assert sealwright.apply_effects(redis_client, [accepted.effect])
    # A racing request that passed the check too cannot commit the same jti (put_if_absent).
    assert sealwright.apply_effects(redis_client, [accepted.effect]) is False
    key = accepted.effect.key
    assert redis_client.get(key) == RECIPIENT.rid.encode()
    assert 655 <= redis_client.ttl(key) <= 660
    assert RECIPIENT.open_response(accepted.response, request, signing.verifying_key()) == b"value"
    with pytest.raises(sealwright.Replay):
        server.decrypt_request(request.jws, jwks, seen)
    # After the 660 s window (simulated by expiring the key) the jti is free again.
    redis_client.delete(key)
    assert server.decrypt_request(request.jws, jwks, seen).jti == accepted.jti
