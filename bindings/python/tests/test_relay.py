"""Sealed relay through the Python API."""

from __future__ import annotations

import os
from typing import Any, Union

import pytest

import sealwright
from sealwright import relay

from helpers import MALFORMED_BYTES, MALFORMED_STR, assert_parallel, call_must_not_panic, positive_case

CASE = positive_case("relay")
RECIPIENT = relay.Recipient.from_pkcs8_der(bytes.fromhex(CASE["recipientPrivateKeyPkcs8"]))
SIGNING = relay.RelaySigningKey(CASE["skid"], bytes.fromhex(CASE["signingPrivate"]))


def server(rkid: str = "rk") -> relay.RelayServer:
    return relay.RelayServer(relay.RelayKey.generate(rkid), SIGNING)


def test_round_trip_with_rotation_and_replay() -> None:
    registered = relay.register(RECIPIENT.jwk())
    assert registered.rid == RECIPIENT.rid
    srv = server("rk-a")
    assert srv.signing_skid == CASE["skid"]
    assert srv.signing_jwk() == CASE["signingJwk"] == SIGNING.public_jwk()
    pinned = relay.RelayVerifyingKey(srv.signing_skid, srv.signing_jwk())
    assert pinned == SIGNING.verifying_key() and pinned.skid == CASE["skid"]
    assert pinned.to_jwk() == CASE["signingJwk"]
    # A JWK as JSON text, str or UTF-8 bytes (e.g. read from a store), is the same key.
    jwk_text = sealwright.to_json(srv.signing_jwk())
    assert relay.RelayVerifyingKey(srv.signing_skid, jwk_text.encode()) == pinned
    assert relay.RecipientPublicKey.from_jwk(sealwright.to_json(RECIPIENT.jwk()).encode()).rid == RECIPIENT.rid
    sealed = srv.seal(b"the secret", aud=registered.rid)
    srv.rotate(relay.RelayKey.generate("rk-b"))
    assert srv.current_rkid == "rk-b"
    seen: set[str] = set()
    request = RECIPIENT.request(sealed)
    assert isinstance(request, relay.DecryptionRequest) and len(request.jti) == 22
    accepted = srv.decrypt_request(request.jws, {registered.rid: registered}, seen)
    assert accepted.jti == request.jti
    assert accepted.effect.key == "sw:v1:relay:jti:" + request.jti
    assert accepted.effect.ttl_seconds == 660
    # Every form of the pinned keys opens it.
    for pins in (pinned, [pinned], (SIGNING.verifying_key(),), {CASE["skid"]: CASE["signingJwk"]}):
        assert RECIPIENT.open_response(accepted.response, request, pins) == b"the secret"
    assert RECIPIENT.open_response_for_jti(accepted.response, request.jti, pinned) == b"the secret"
    seen.add(accepted.jti)
    with pytest.raises(sealwright.Replay):
        srv.decrypt_request(request.jws, lambda rid: registered, seen.__contains__)
    # A stored JWK dict works as the lookup result too; a retired key no longer opens.
    srv.retire("rk-a")
    with pytest.raises(sealwright.UnknownRelayKey):
        srv.decrypt_request(RECIPIENT.request(sealed).jws, {registered.rid: RECIPIENT.jwk()}, seen)


def test_response_is_signed_and_bound_to_the_request() -> None:
    srv = server()
    lookup = {RECIPIENT.rid: RECIPIENT.public_key()}
    request = RECIPIENT.request(srv.seal(b"v"))
    response = srv.decrypt_request(request.jws, lookup, set()).response
    # Another key under the same skid, another skid, nothing pinned: BAD_SIGNATURE.
    impostor = relay.RelaySigningKey.generate(CASE["skid"])
    renamed = relay.RelayVerifyingKey("sk-other", SIGNING.public_jwk())
    wrong: list[Union[relay.RelayVerifyingKey, list[relay.RelayVerifyingKey], dict[str, Any]]]
    wrong = [impostor.verifying_key(), renamed, [], {}]
    for pins in wrong:
        with pytest.raises(sealwright.BadSignature):
            RECIPIENT.open_response(response, request, pins)
    # An old response for a new request, or for another jti: REPLAY.
    newer = RECIPIENT.request(srv.seal(b"w"))
    with pytest.raises(sealwright.Replay):
        RECIPIENT.open_response(response, newer, SIGNING.verifying_key())
    with pytest.raises(sealwright.Replay):
        RECIPIENT.open_response_for_jti(response, "A" * 22, SIGNING.verifying_key())
    # The server's new signing key after a rotation needs a new pin.
    old = srv.set_signing_key(relay.RelaySigningKey.generate("sk-2"))
    assert old.skid == CASE["skid"] and srv.signing_skid == "sk-2"
    response = srv.decrypt_request(newer.jws, lookup, set()).response
    with pytest.raises(sealwright.BadSignature):
        RECIPIENT.open_response(response, newer, SIGNING.verifying_key())
    both = {CASE["skid"]: CASE["signingJwk"], "sk-2": srv.signing_jwk()}
    assert RECIPIENT.open_response(response, newer, both) == b"w"


def test_signing_keys_and_pins_are_checked() -> None:
    with pytest.raises(sealwright.InvalidKey):
        relay.RelaySigningKey("sk", bytes(32))
    with pytest.raises(sealwright.InvalidKey):
        relay.RelaySigningKey("sk", b"\xff" * 32)
    with pytest.raises(sealwright.InvalidInput):
        relay.RelaySigningKey("sk", bytes(31))
    with pytest.raises(sealwright.InvalidInput):
        relay.RelaySigningKey("", b"\x01" * 32)
    key = relay.RelaySigningKey.generate("sk")
    assert relay.RelaySigningKey("sk", key.scalar_bytes()).public_jwk() == key.public_jwk()
    jwk = key.public_jwk()
    assert set(jwk) == {"kty", "crv", "x", "y"} and jwk["kty"] == "EC" and jwk["crv"] == "P-256"
    with pytest.raises(sealwright.InvalidKey):
        relay.RelayVerifyingKey("sk", {**jwk, "crv": "P-384"})
    with pytest.raises(sealwright.InvalidKey):
        relay.RelayVerifyingKey("sk", {**jwk, "d": "AQ"})
    with pytest.raises(sealwright.InvalidInput):
        relay.RelayVerifyingKey("sk", {**jwk, "x": 1})
    with pytest.raises(sealwright.InvalidInput):
        relay.RelayVerifyingKey("sk", "not json")
    with pytest.raises(sealwright.InvalidInput):
        RECIPIENT.open_response_for_jti("a.b.c.d.e", "j", {"sk": "not json"})
    with pytest.raises(TypeError):
        RECIPIENT.open_response_for_jti("a.b.c.d.e", "j", "sk")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        RECIPIENT.open_response_for_jti("a.b.c.d.e", "j", [jwk])  # type: ignore[list-item]


def test_stale_and_unknown_recipient() -> None:
    srv = server()
    sealed = srv.seal(b"v")
    request = RECIPIENT.request(sealed, now_ms=1_000_000_000_000)
    with pytest.raises(sealwright.Stale):
        srv.decrypt_request(request.jws, {RECIPIENT.rid: RECIPIENT.public_key()}, set(), 1_000_000_301_000)
    with pytest.raises(sealwright.UnknownRecipient):
        srv.decrypt_request(request.jws, {}, set(), 1_000_000_000_000)


def test_callback_exception_propagates_unchanged() -> None:
    srv = server()
    request = RECIPIENT.request(srv.seal(b"v"))

    def boom(rid: str) -> None:
        raise KeyError("store down")

    with pytest.raises(KeyError):
        srv.decrypt_request(request.jws, boom, set())


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
    scalar = SIGNING.scalar_bytes()
    request = RECIPIENT.request("a.b.c.d.e")
    texts = (
        repr(key),
        repr(RECIPIENT),
        repr(relay.RelayServer(key, SIGNING)),
        str(key),
        repr(SIGNING),
        str(SIGNING),
        repr(SIGNING.verifying_key()),
        repr(request),
    )
    for text in texts:
        assert raw.hex() not in text and repr(raw) not in text
        assert der.hex()[:64] not in text
        assert scalar.hex() not in text and repr(scalar) not in text
    assert "redacted" in repr(key) and "redacted" in repr(RECIPIENT) and "redacted" in repr(SIGNING)
    assert request.jti in repr(request)


def test_malformed_inputs_raise_only_sealwright_errors() -> None:
    srv = server()
    lookup = {RECIPIENT.rid: RECIPIENT.public_key()}
    request = RECIPIENT.request("a.b.c.d.e")
    pinned = SIGNING.verifying_key()
    for s in MALFORMED_STR:
        call_must_not_panic(lambda: relay.register(s))
        call_must_not_panic(lambda: relay.register({"kty": "RSA", "n": s, "e": s}))
        call_must_not_panic(lambda: srv.decrypt_request(s, lookup, set(), 0))
        call_must_not_panic(lambda: RECIPIENT.open_response(s, request, pinned))
        call_must_not_panic(lambda: RECIPIENT.open_response_for_jti(s, s, pinned))
        call_must_not_panic(lambda: RECIPIENT.open_response_for_jti(s, s, {s: s}))
        call_must_not_panic(lambda: relay.RelayVerifyingKey(s, s))
        call_must_not_panic(lambda: relay.RelayVerifyingKey("sk", {"kty": "EC", "crv": "P-256", "x": s, "y": s}))
        call_must_not_panic(lambda: relay.RelaySigningKey(s, b"\x01" * 32))
        call_must_not_panic(lambda: RECIPIENT.request(s, 0))
        call_must_not_panic(lambda: relay.RelayKey(s, b"\x00" * 32))
        call_must_not_panic(lambda: srv.seal(b"v", aud=s))
        call_must_not_panic(lambda: srv.retire(s))
    for b in MALFORMED_BYTES:
        call_must_not_panic(lambda: relay.Recipient.from_pkcs8_der(b))
        call_must_not_panic(lambda: relay.RelayKey("rk", b))
        call_must_not_panic(lambda: relay.RelaySigningKey("sk", b))
        call_must_not_panic(lambda: relay.RelayKey("rk", b"\x00" * 32).seal_with_iv(b"v", None, b))
    call_must_not_panic(lambda: relay.Recipient.generate(1024))
    call_must_not_panic(lambda: relay.Recipient.generate(0))


def test_rsa_private_key_work_releases_the_gil() -> None:
    srv = server()
    request = RECIPIENT.request(srv.seal(b"v"))
    response = srv.decrypt_request(request.jws, {RECIPIENT.rid: RECIPIENT.public_key()}, set()).response
    pinned = SIGNING.verifying_key()
    assert_parallel(lambda: RECIPIENT.open_response(response, request, pinned), repeat=40)
