"""Ratchet handshake (spec §2) through the Python API (store in memory)."""

from __future__ import annotations

import os
from typing import Any

import pytest

import sealwright
from sealwright import handshake

from helpers import MALFORMED_BYTES, MALFORMED_STR, MemoryStore, assert_parallel, call_must_not_panic, positive_case

CASE = positive_case("handshake")
PKCS8 = bytes.fromhex(CASE["serverRsaPrivateKeyPkcs8"])
ENTROPY = os.urandom(32)
STORAGE = os.urandom(32)
KEYS = handshake.ServerKeys(PKCS8, ENTROPY, STORAGE)
PINNED = KEYS.public_key_der()
T0 = 1_767_225_600_000


class Server:
    def __init__(self) -> None:
        self.store = MemoryStore()

    def do_handshake(self, request: dict[str, Any], now_ms: int) -> dict[str, Any]:
        last = self.store.get(handshake.handshake_store_key(request), now_ms)
        response, effects = handshake.server_handshake(KEYS, request, last, now_ms)
        self.store.apply(effects, now_ms)
        return response

    def open(self, request: dict[str, Any], now_ms: int) -> handshake.Opened | handshake.Retry:
        names = handshake.process_store_keys(request)
        get = self.store.get
        return handshake.server_open(
            KEYS, request, get(names.session, now_ms), get(names.eph, now_ms), get(names.retry, now_ms), now_ms
        )

    def serve(self, request: dict[str, Any], now_ms: int) -> dict[str, Any]:
        outcome = self.open(request, now_ms)
        if isinstance(outcome, handshake.Retry):
            return outcome.response
        response, effects = outcome.respond(b"echo:" + outcome.plaintext)
        self.store.apply(effects, now_ms)
        return response


def connected(server: Server, device: str = "device-1") -> handshake.HandshakeClient:
    client = handshake.HandshakeClient(device, handshake.PrimaryKey.generate(), PINNED)
    assert client.state == "new" and client.kid is None
    request = client.start()
    assert client.state == "awaiting_handshake" and client.pending_request() == request
    client.finish(server.do_handshake(request, T0))
    assert client.state == "established"
    return client


def test_rotation_retry_and_states() -> None:
    server = Server()
    client = connected(server)
    kids = [client.kid]
    for i in range(3):
        request = client.send(b"msg %d" % i)
        assert client.state == "awaiting_response"
        response = server.serve(request, T0 + 1000 * i)
        # An idempotent retry of the same bytes gets the same response, without effects.
        retry = server.open(request, T0 + 1000 * i + 10)
        assert isinstance(retry, handshake.Retry) and retry.response == response
        assert client.receive(response) == b"echo:msg %d" % i
        kids.append(client.kid)
    assert len(set(kids)) == 4
    # Wrong-state calls name the expected step.
    with pytest.raises(sealwright.InvalidState) as info:
        client.receive(response)
    assert "send()" in str(info.value)
    with pytest.raises(sealwright.InvalidState):
        client.start()
    with pytest.raises(sealwright.InvalidState):
        client.finish(response)


def test_old_kid_rotated_then_unknown_after_grace_and_new_handshake() -> None:
    server = Server()
    client = connected(server)
    pickle_key = os.urandom(32)
    before = client.pickle(pickle_key)  # established at kid0
    client.receive(server.serve(client.send(b"one"), T0))
    # Another request to the rotated kid0 (other bytes): KID_ROTATED within the 300 s grace.
    old = handshake.HandshakeClient.unpickle(pickle_key, before)
    forged = old.send(b"two")
    with pytest.raises(sealwright.KidRotated):
        server.open(forged, T0 + 299_000)
    # After the grace the used kid record has expired: UNKNOWN_KID.
    with pytest.raises(sealwright.UnknownKid):
        server.open(forged, T0 + 300_000)
    # The current kid still works; a new handshake of the device ends it at once.
    request = client.send(b"three")
    connected(server)  # same device id, new session
    with pytest.raises(sealwright.UnknownKid):
        server.open(request, T0 + 1000)


def test_session_expiry() -> None:
    server = Server()
    client = connected(server)
    request = client.send(b"late")
    with pytest.raises(sealwright.SessionExpired):
        server.open(request, T0 + 86_400_000)
    assert isinstance(server.open(request, T0 + 86_399_999), handshake.Opened)


def test_opened_responds_once_and_rejected_response_keeps_state() -> None:
    server = Server()
    client = connected(server)
    request = client.send(b"x")
    opened = server.open(request, T0)
    assert isinstance(opened, handshake.Opened)
    assert opened.plaintext == b"x" and opened.device_id == "device-1"
    opened.respond(b"y")
    with pytest.raises(sealwright.InvalidState):
        opened.respond(b"y")
    with pytest.raises(sealwright.InvalidState):
        opened.plaintext
    with pytest.raises(sealwright.DecryptionFailed):
        client.receive({**server.serve(client.pending_request() or {}, T0), "data": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="})
    assert client.state == "awaiting_response"


def test_repr_hides_secrets() -> None:
    server = Server()
    client = connected(server)
    primary = handshake.PrimaryKey.generate()
    opened = server.open(client.send(b"secret message"), T0)
    texts = [repr(x) + str(x) for x in (client, primary, KEYS, opened)]
    for text in texts:
        assert "redacted" in text
        assert primary.to_bytes().hex() not in text and "secret message" not in text
        assert ENTROPY.hex() not in text and STORAGE.hex() not in text


def test_malformed_inputs_raise_only_sealwright_errors() -> None:
    server = Server()
    client = connected(server)
    request = client.send(b"m")
    for s in MALFORMED_STR:
        for obj in (s, {"v": 1, "deviceId": s, "kid": s, "publicKeyEphemeral": s, "data": s, "clientNonce": s, "publicKeyPrimary": s}):
            call_must_not_panic(lambda: handshake.handshake_store_key(obj))
            call_must_not_panic(lambda: handshake.server_handshake(KEYS, obj, None, T0))
            call_must_not_panic(lambda: handshake.process_store_keys(obj))
            call_must_not_panic(lambda: handshake.server_open(KEYS, obj, None, None, None, T0))
            call_must_not_panic(lambda: handshake.request_id(obj))
            call_must_not_panic(lambda: client.receive(obj))
            call_must_not_panic(lambda: handshake.HandshakeClient("d", primary_key(), PINNED).finish(obj))
        call_must_not_panic(lambda: handshake.HandshakeClient(s, primary_key(), PINNED))
        call_must_not_panic(lambda: handshake.HandshakeClient.unpickle(bytes(32), s))
        call_must_not_panic(lambda: handshake.wrap_key(s, bytes(32)))
    for b in MALFORMED_BYTES:
        call_must_not_panic(lambda: handshake.server_open(KEYS, request, b, b, b, T0))
        call_must_not_panic(lambda: handshake.server_handshake(KEYS, client.pending_request() or {}, b, T0))
        call_must_not_panic(lambda: handshake.PrimaryKey.from_bytes(b))
        call_must_not_panic(lambda: handshake.ServerKeys(b, ENTROPY, STORAGE))
        call_must_not_panic(lambda: handshake.ServerKeys(PKCS8, b, STORAGE))
        call_must_not_panic(lambda: handshake.ServerKeys(PKCS8, ENTROPY, b))
        call_must_not_panic(lambda: handshake.HandshakeClient("d", primary_key(), b))
        call_must_not_panic(lambda: handshake.server_primary_key(b, b))
        call_must_not_panic(lambda: handshake.primary_secret(primary_key(), b))
        call_must_not_panic(lambda: handshake.x25519(b, b))
        call_must_not_panic(lambda: handshake.x25519(bytes(32), b))
        call_must_not_panic(lambda: handshake.x25519_public(b))
        call_must_not_panic(lambda: handshake.wrap_key("d", b))
        call_must_not_panic(lambda: handshake.message_key("d", b, b))
        call_must_not_panic(lambda: client.pickle(b))
        call_must_not_panic(lambda: handshake.HandshakeClient.unpickle(b, "x"))
    call_must_not_panic(lambda: handshake.x25519(bytes(32), bytes(32)))  # low-order point


def primary_key() -> handshake.PrimaryKey:
    return handshake.PrimaryKey.generate()


def test_rsa_work_releases_the_gil() -> None:
    request = handshake.HandshakeClient("gil", primary_key(), PINNED).start()
    assert_parallel(lambda: handshake.server_handshake(KEYS, request, None, T0), repeat=10)
