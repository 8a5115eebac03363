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

    def load(self, keys: list[str], now_ms: int) -> list[bytes | None]:
        return [self.store.get(k, now_ms) for k in keys]

    def do_handshake(self, request: Any, now_ms: int) -> Any:
        records = self.load(handshake.handshake_store_keys(request).as_list(), now_ms)
        step = handshake.server_handshake(KEYS, request, records, now_ms)
        assert isinstance(step, sealwright.Step)
        response, effects = step
        assert self.store.apply(effects, now_ms)
        return response

    def open(self, request: Any, now_ms: int) -> handshake.Opened | handshake.Retry:
        """The open step, its claim committed."""
        records = self.load(handshake.process_store_keys(request).as_list(), now_ms)
        outcome, effects = handshake.server_open(KEYS, request, records, now_ms)
        assert self.store.apply(effects, now_ms)
        assert isinstance(outcome, (handshake.Opened, handshake.Retry))
        return outcome

    def serve(self, request: Any, now_ms: int) -> Any:
        outcome = self.open(request, now_ms)
        if isinstance(outcome, handshake.Retry):
            return outcome.response
        response, effects = outcome.respond(b"echo:" + outcome.plaintext)
        if not self.store.apply(effects, now_ms):  # never rerun respond
            retry = self.store.get(outcome.retry_key, now_ms)
            return handshake.after_conflict(KEYS, request, retry)
        return response


def connected(
    server: Server, device: str = "device-1", primary: handshake.PrimaryKey | None = None
) -> handshake.HandshakeClient:
    client = handshake.HandshakeClient(device, primary or handshake.PrimaryKey.generate(), PINNED)
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
    primary = handshake.PrimaryKey.generate()
    client = connected(server, primary=primary)
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
    connected(server, primary=primary)  # same device and key, new session
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
    server.store.apply(opened.respond(b"y").effects, T0)
    with pytest.raises(sealwright.InvalidState):
        opened.respond(b"y")
    with pytest.raises(sealwright.InvalidState):
        opened.plaintext
    with pytest.raises(sealwright.DecryptionFailed):
        client.receive({**server.serve(client.pending_request() or {}, T0), "data": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="})
    assert client.state == "awaiting_response"


@pytest.mark.parametrize("form", [str, bytes])
def test_claim_in_progress_and_text_fast_paths(form: type) -> None:
    server = Server()
    client = connected(server)
    request = client.send(b"pay")
    text = sealwright.to_json(request)
    wire = text if form is str else text.encode()
    opened = server.open(wire, T0)  # claim committed
    assert isinstance(opened, handshake.Opened)
    # A second delivery while the first holds the claim: IN_PROGRESS; other bytes: KID_ROTATED.
    with pytest.raises(sealwright.InProgress):
        server.open(wire, T0 + 1)
    step = opened.respond(b"done")
    output = step.output
    assert isinstance(output, (str, bytes)) and type(output) is form  # str in, str out; bytes, bytes
    assert [e.op for e in step.effects] == ["put", "put_if_equal", "put", "put_if_equal", "delete_if_equal"]
    assert server.store.apply(step.effects, T0 + 2)
    # The duplicate, retried, gets the stored response in the same form.
    retry = server.open(wire, T0 + 3)
    assert isinstance(retry, handshake.Retry) and retry.response == output
    assert client.receive(output) == b"done"
    # after_conflict: the stored response, or Conflict when there is none.
    assert handshake.after_conflict(KEYS, wire, server.store.get(opened.retry_key, T0 + 3)) == output
    with pytest.raises(sealwright.Conflict):
        handshake.after_conflict(KEYS, wire, None)


def test_the_handshake_step_answers_bytes_with_bytes() -> None:
    server = Server()
    client = handshake.HandshakeClient("device-b", handshake.PrimaryKey.generate(), KEYS.public_key_der())
    wire = sealwright.to_json(client.start()).encode()
    response = server.do_handshake(wire, T0)
    assert isinstance(response, bytes)
    client.finish(response)  # the client takes bytes too
    assert client.state == "established"
    sent = sealwright.to_json(client.send(b"x")).encode()
    assert handshake.request_id(sent) == handshake.request_id(sent.decode())


def test_bytes_that_are_not_utf8_json_are_invalid_input() -> None:
    server = Server()
    client = connected(server)
    text = sealwright.to_json(client.send(b"pay")).encode()
    for bad in (b"\xff" + text, text[:-1], b""):
        with pytest.raises(sealwright.InvalidInput):
            handshake.process_store_keys(bad)
        with pytest.raises(sealwright.InvalidInput):
            handshake.server_open(KEYS, bad, [None] * 5, T0)


def test_claim_expires_after_a_crash() -> None:
    server = Server()
    client = connected(server)
    request = client.send(b"q")
    assert isinstance(server.open(request, T0), handshake.Opened)  # the server dies here
    with pytest.raises(sealwright.InProgress):
        server.serve(request, T0 + handshake.CLAIM_TTL_SECONDS * 1000 - 1)
    assert client.receive(server.serve(request, T0 + handshake.CLAIM_TTL_SECONDS * 1000)) == b"echo:q"


def test_device_binding_and_reenrolment() -> None:
    server = Server()
    client = connected(server, "dev-bound")
    intruder = handshake.HandshakeClient("dev-bound", handshake.PrimaryKey.generate(), PINNED)
    with pytest.raises(sealwright.DeviceMismatch):
        server.do_handshake(intruder.start(), T0)
    assert client.receive(server.serve(client.send(b"still"), T0 + 1)) == b"echo:still"
    removed, effects = handshake.server_reenroll(KEYS, "dev-bound", lambda k: server.store.get(k, T0 + 2))
    assert removed is True and server.store.apply(effects, T0 + 2)
    assert [e.op for e in effects][-1] == "delete"
    fresh = handshake.HandshakeClient("dev-bound", handshake.PrimaryKey.generate(), PINNED)
    fresh.finish(server.do_handshake(fresh.start(), T0 + 3))
    with pytest.raises(sealwright.UnknownKid):  # re-enrolment ended the old chain
        server.open(client.send(b"old chain"), T0 + 4)
    # bind_device: a known key up front.
    key = handshake.handshake_store_keys(intruder.pending_request() or {}).device
    primary = handshake.PrimaryKey.generate()
    bound, effects = handshake.server_bind_device(KEYS, "dev-pre", primary.public_bytes, None)
    assert bound is True and len(effects) == 1 and effects[0].op == "put_if_absent"
    assert key != effects[0].key and effects[0].key.endswith(":device")


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
            call_must_not_panic(lambda: handshake.handshake_store_keys(obj))
            call_must_not_panic(lambda: handshake.server_handshake(KEYS, obj, [None, None], T0))
            call_must_not_panic(lambda: handshake.process_store_keys(obj))
            call_must_not_panic(lambda: handshake.server_open(KEYS, obj, [None] * 5, T0))
            call_must_not_panic(lambda: handshake.after_conflict(KEYS, obj, None))
            call_must_not_panic(lambda: handshake.request_id(obj))
            call_must_not_panic(lambda: client.receive(obj))
            call_must_not_panic(lambda: handshake.HandshakeClient("d", primary_key(), PINNED).finish(obj))
        call_must_not_panic(lambda: handshake.HandshakeClient(s, primary_key(), PINNED))
        call_must_not_panic(lambda: handshake.HandshakeClient.unpickle(bytes(32), s))
        call_must_not_panic(lambda: handshake.wrap_key(s, bytes(32)))
    for b in MALFORMED_BYTES:
        call_must_not_panic(lambda: handshake.server_open(KEYS, request, [b] * 5, T0))
        call_must_not_panic(lambda: handshake.server_open(KEYS, request, [b], T0))
        call_must_not_panic(lambda: handshake.server_handshake(KEYS, client.pending_request() or {}, [b, b], T0))
        call_must_not_panic(lambda: handshake.server_bind_device(KEYS, "d", b, b))
        call_must_not_panic(lambda: handshake.server_reenroll(KEYS, "d", lambda k: b))
        call_must_not_panic(lambda: handshake.after_conflict(KEYS, request, b))
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
    assert_parallel(lambda: handshake.server_handshake(KEYS, request, [None, None], T0), repeat=10)
