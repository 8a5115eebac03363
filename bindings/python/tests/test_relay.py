"""Sealed relay through the Python API."""

from __future__ import annotations

import os

import pytest

import sealwright
from sealwright import relay

from helpers import MALFORMED_BYTES, MALFORMED_STR, assert_parallel, call_must_not_panic, positive_case

CASE = positive_case("relay")
RECIPIENT = relay.Recipient.from_pkcs8_der(bytes.fromhex(CASE["recipientPrivateKeyPkcs8"]))


def test_round_trip_with_rotation_and_replay() -> None:
    registered = relay.register(RECIPIENT.jwk())
    assert registered.rid == RECIPIENT.rid
    server = relay.RelayServer(relay.RelayKey.generate("rk-a"))
    sealed = server.seal(b"the secret", aud=registered.rid)
    server.rotate(relay.RelayKey.generate("rk-b"))
    assert server.current_rkid == "rk-b"
    seen: set[str] = set()
    request = RECIPIENT.request(sealed)
    accepted = server.decrypt_request(request, {registered.rid: registered}, seen)
    assert RECIPIENT.open_response(accepted.response) == b"the secret"
    seen.add(accepted.jti)
    with pytest.raises(sealwright.Replay):
        server.decrypt_request(request, lambda rid: registered, seen.__contains__)
    # A stored JWK dict works as the lookup result too; a retired key no longer opens.
    server.retire("rk-a")
    with pytest.raises(sealwright.UnknownRelayKey):
        server.decrypt_request(RECIPIENT.request(sealed), {registered.rid: RECIPIENT.jwk()}, seen)


def test_stale_and_unknown_recipient() -> None:
    server = relay.RelayServer(relay.RelayKey.generate("rk"))
    sealed = server.seal(b"v")
    request = RECIPIENT.request(sealed, now_ms=1_000_000_000_000)
    with pytest.raises(sealwright.Stale):
        server.decrypt_request(request, {RECIPIENT.rid: RECIPIENT.public_key()}, set(), 1_000_000_301_000)
    with pytest.raises(sealwright.UnknownRecipient):
        server.decrypt_request(request, {}, set(), 1_000_000_000_000)


def test_callback_exception_propagates_unchanged() -> None:
    server = relay.RelayServer(relay.RelayKey.generate("rk"))
    request = RECIPIENT.request(server.seal(b"v"))

    def boom(rid: str) -> None:
        raise KeyError("store down")

    with pytest.raises(KeyError):
        server.decrypt_request(request, boom, set())


def test_value_limits() -> None:
    key = relay.RelayKey.generate("rk")
    with pytest.raises(sealwright.ValueTooLarge):
        key.seal(b"x" * (1024 * 1024 + 1))
    with pytest.raises(sealwright.InvalidInput):
        key.seal(b"")
    assert key.seal(b"x" * (1024 * 1024)).count(".") == 4


def test_repr_hides_secrets() -> None:
    raw = os.urandom(32)
    key = relay.RelayKey("rk", raw)
    der = RECIPIENT.to_pkcs8_der()
    for text in (repr(key), repr(RECIPIENT), repr(relay.RelayServer(key)), str(key)):
        assert raw.hex() not in text and repr(raw) not in text
        assert der.hex()[:64] not in text
    assert "redacted" in repr(key) and "redacted" in repr(RECIPIENT)


def test_malformed_inputs_raise_only_sealwright_errors() -> None:
    server = relay.RelayServer(relay.RelayKey.generate("rk"))
    lookup = {RECIPIENT.rid: RECIPIENT.public_key()}
    for s in MALFORMED_STR:
        call_must_not_panic(lambda: relay.register(s))
        call_must_not_panic(lambda: relay.register({"kty": "RSA", "n": s, "e": s}))
        call_must_not_panic(lambda: server.decrypt_request(s, lookup, set(), 0))
        call_must_not_panic(lambda: RECIPIENT.open_response(s))
        call_must_not_panic(lambda: RECIPIENT.request(s, 0))
        call_must_not_panic(lambda: relay.RelayKey(s, b"\x00" * 32))
        call_must_not_panic(lambda: server.seal(b"v", aud=s))
        call_must_not_panic(lambda: server.retire(s))
    for b in MALFORMED_BYTES:
        call_must_not_panic(lambda: relay.Recipient.from_pkcs8_der(b))
        call_must_not_panic(lambda: relay.RelayKey("rk", b))
        call_must_not_panic(lambda: relay.RelayKey("rk", b"\x00" * 32).seal_with_iv(b"v", None, b))
    call_must_not_panic(lambda: relay.Recipient.generate(1024))
    call_must_not_panic(lambda: relay.Recipient.generate(0))


def test_rsa_private_key_work_releases_the_gil() -> None:
    server = relay.RelayServer(relay.RelayKey.generate("rk"))
    response = server.decrypt_request(
        RECIPIENT.request(server.seal(b"v")), {RECIPIENT.rid: RECIPIENT.public_key()}, set()
    ).response
    assert_parallel(lambda: RECIPIENT.open_response(response), repeat=40)
