"""Attendance rounds (spec §5) through the Python API."""

from __future__ import annotations

import os

import pytest

import sealwright
from sealwright import attendance

from helpers import MALFORMED_BYTES, MALFORMED_STR, call_must_not_panic, positive_case

CASE = positive_case("attendance")
T0 = 1_767_225_600_000
SEALER = sealwright.StoreSealer(os.urandom(32))
SERVER_SECRET = os.urandom(32)
ENROLLMENT = attendance.EnrollmentRecord(os.urandom(16), b"cose-key", bytes(16))


def login(user_id: str) -> tuple[attendance.SessionKeys, attendance.SessionKeys]:
    nonce, effect = attendance.issue_login_nonce()
    assert effect.op == "put" and effect.ttl_seconds == 300
    client = attendance.ClientLogin(user_id, nonce)
    challenge = client.challenge()
    assert challenge == attendance.login_challenge(nonce, client.client_public, user_id)
    server = attendance.server_login(user_id, nonce, client.client_public)
    ops = [(e.op, e.ttl_seconds) for e in server.effects(nonce, SEALER)]
    assert ops == [("delete", None), ("put", 7200)]
    student = client.finish(server.server_public)
    assert student.session_key() == server.keys.session_key()
    with pytest.raises(sealwright.InvalidState):
        client.finish(server.server_public)
    with pytest.raises(sealwright.InvalidState):
        client.challenge()
    return student, server.keys


def test_class_session_three_rounds_presente() -> None:
    student, server_keys = login("alice")
    session = attendance.ClassSession("cs101", SERVER_SECRET, SEALER)
    with pytest.raises(sealwright.NotEnrolled):
        session.register(None, server_keys, T0)
    effects = session.register(ENROLLMENT, server_keys, T0)
    assert [e.op for e in effects] == ["put"]
    with pytest.raises(sealwright.InvalidState):
        session.register(ENROLLMENT, server_keys, T0)
    now = T0
    for r in (1, 2, 3):
        projected = session.frame(now)
        assert projected is not None
        frame, _ = projected
        assert (frame.user_id, frame.round) == ("alice", r)
        qr = attendance.try_qr(student, frame.qr_text)
        now += 1200 + 100 * r
        response = attendance.respond(student, qr, now)
        received = session.receive(response, now)
        assert received.ok and received.code is None and received.error is None
        assert received.rt_ms == 1200 + 100 * r
        received.raise_for_error()
        # The same response again is a replay of a used round.
        replay = session.receive(sealwright.to_json(response), now + 10)
        assert replay.code == "QR_EXPIRED" and isinstance(replay.error, sealwright.QrExpired)
        with pytest.raises(sealwright.QrExpired):
            replay.raise_for_error()
    assert received.score is not None and received.score.status == "PRESENTE"
    state = session.state("alice")
    assert state is not None and state[0] == "finished"
    assert session.rts_ms("alice") == [1300, 1400, 1500]
    session.close()
    for call in (lambda: session.frame(now), lambda: session.receive(response, now), lambda: session.close()):
        with pytest.raises(sealwright.InvalidState):
            call()


def test_rt_from_server_clock_and_max_attempts() -> None:
    student, server_keys = login("bob")
    session = attendance.ClassSession("cs102", SERVER_SECRET, SEALER, attendance.Config(max_attempts=2))
    session.register(ENROLLMENT, server_keys, T0)
    projected = session.frame(T0)
    assert projected is not None
    qr = attendance.try_qr(student, projected[0].qr_text)
    # Answered too fast (100 ms after projection): RT_INVALID, then MAX_ATTEMPTS.
    first = session.receive(attendance.respond(student, qr, T0 + 100), T0 + 100)
    assert first.code == "RT_INVALID"
    second = session.receive(attendance.respond(student, qr, T0 + 200), T0 + 200)
    assert second.code == "MAX_ATTEMPTS"
    state = session.state("bob")
    assert state == ("failed", "MAX_ATTEMPTS")


def test_pieces_projector_totp_score() -> None:
    keys = attendance.SessionKeys.from_session_key("carol", os.urandom(32))
    issued = attendance.issue_round(keys, SERVER_SECRET, "s1", 1, T0)
    projector = attendance.Projector(max_displays=2)
    projector.insert("carol", 1, issued.qr_text)
    assert ("carol", 1) in projector and len(projector) == 1
    frames = [projector.next_frame(T0 + 500 * i) for i in range(3)]
    assert all(f is not None for f in frames)
    assert frames[2] is not None and frames[2].not_captured == ("carol", 1)
    assert projector.shown_at("carol", 1) == [T0, T0 + 500, T0 + 1000]
    qr = attendance.try_qr(keys, issued.qr_text)
    assert qr.matches(issued.metadata)
    opened = attendance.open_response(keys, attendance.respond(keys, qr, T0 + 2000), T0 + 2000)
    verdict = opened.check(SERVER_SECRET, issued.metadata, projector.shown_at("carol", 1))
    assert verdict.ok and verdict.rt_ms == 1000 and verdict.metadata_action == "put"
    assert verdict.metadata is not None and verdict.metadata.used
    meta = attendance.RoundMetadata.from_bytes(issued.metadata.to_bytes())
    assert meta.issued_at_ms == T0 and not meta.used
    other = attendance.SessionKeys.from_session_key("dan", os.urandom(32))
    with pytest.raises(sealwright.DecryptionFailed):
        attendance.try_qr(other, issued.qr_text)
    with pytest.raises(sealwright.SessionInvalid):
        attendance.open_response(None, attendance.respond(keys, qr, T0), T0)
    totp = attendance.Totp(keys.totp_u_key())
    assert totp.verify(totp.generate(T0), T0) == T0 // 30000
    assert attendance.score([1000, 1000, 1000]).certainty == 95
    with pytest.raises(sealwright.InvalidInput):
        attendance.score([])
    stored = keys.store_effect(SEALER)
    assert stored.value is not None
    back = attendance.SessionKeys.open_stored(SEALER, "carol", stored.value)
    assert back.session_key() == keys.session_key()


def test_repr_hides_secrets() -> None:
    session_key = bytes.fromhex(CASE["sessionKey"])
    keys = attendance.SessionKeys.from_session_key(CASE["userId"], session_key)
    nonce = bytes.fromhex(CASE["rounds"][0]["qrNonce"])
    meta = attendance.RoundMetadata(T0, nonce)
    qr = attendance.try_qr(keys, CASE["rounds"][0]["qrText"])
    client = attendance.ClientLogin("u", os.urandom(32))
    session = attendance.ClassSession("s", SERVER_SECRET, SEALER)
    totp = attendance.Totp(keys.totp_u_key())
    secrets = [session_key.hex(), keys.qr_key().hex(), keys.response_key().hex(), nonce.hex(), SERVER_SECRET.hex()]
    for obj in (keys, meta, qr, client, session, totp, SEALER):
        text = repr(obj) + str(obj)
        assert "redacted" in text
        for s in secrets:
            assert s not in text


def test_malformed_inputs_raise_only_sealwright_errors() -> None:
    keys = attendance.SessionKeys.from_session_key("u", os.urandom(32))
    session = attendance.ClassSession("s", SERVER_SECRET, SEALER)
    meta = attendance.RoundMetadata(T0, bytes(16))
    opened = attendance.open_response(keys, attendance.respond(keys, attendance.try_qr(keys, attendance.issue_round(keys, SERVER_SECRET, "s", 1, T0).qr_text), T0), T0)
    for s in MALFORMED_STR:
        call_must_not_panic(lambda: attendance.try_qr(keys, s))
        call_must_not_panic(lambda: attendance.open_response(keys, s, T0))
        call_must_not_panic(lambda: attendance.open_response(keys, {"userId": s, "sessionId": s, "response": s}, T0))
        call_must_not_panic(lambda: session.receive(s, T0))
        call_must_not_panic(lambda: session.receive({"userId": "u", "sessionId": "s", "response": s}, T0))
        call_must_not_panic(lambda: attendance.ClassSession(s, SERVER_SECRET, SEALER))
        call_must_not_panic(lambda: attendance.ClientLogin(s, bytes(32)))
        call_must_not_panic(lambda: attendance.server_login(s, bytes(32), bytes(32)))
        call_must_not_panic(lambda: attendance.login_challenge(bytes(32), bytes(32), s))
        call_must_not_panic(lambda: attendance.round_secret(SERVER_SECRET, s, s, 1))
        call_must_not_panic(lambda: attendance.issue_round(keys, SERVER_SECRET, s, 1, T0))
        call_must_not_panic(lambda: attendance.SessionKeys.from_session_key(s, bytes(32)))
        call_must_not_panic(lambda: attendance.Totp(bytes(32), s))
        call_must_not_panic(lambda: attendance.Totp(bytes(32)).verify(s, T0))
        call_must_not_panic(lambda: attendance.SessionKeys.open_stored(SEALER, s, b"x"))
        call_must_not_panic(lambda: attendance.EnrollmentRecord.open_stored(SEALER, s, b"x"))
        call_must_not_panic(lambda: session.state(s))
    for b in MALFORMED_BYTES:
        call_must_not_panic(lambda: attendance.ClientLogin("u", b))
        call_must_not_panic(lambda: attendance.ClientLogin("u", bytes(32)).finish(b))
        call_must_not_panic(lambda: attendance.server_login("u", b, b))
        call_must_not_panic(lambda: attendance.server_login("u", bytes(32), b))
        call_must_not_panic(lambda: attendance.login_challenge(b, b, "u"))
        call_must_not_panic(lambda: attendance.SessionKeys.from_session_key("u", b))
        call_must_not_panic(lambda: attendance.SessionKeys.open_stored(SEALER, "u", b))
        call_must_not_panic(lambda: attendance.EnrollmentRecord(b, b, b))
        call_must_not_panic(lambda: attendance.EnrollmentRecord(b, b"k", bytes(16)))
        call_must_not_panic(lambda: attendance.EnrollmentRecord.open_stored(SEALER, "u", b))
        call_must_not_panic(lambda: attendance.RoundMetadata(T0, b))
        call_must_not_panic(lambda: attendance.RoundMetadata.from_bytes(b))
        call_must_not_panic(lambda: attendance.round_secret(b, "s", "u", 1))
        call_must_not_panic(lambda: attendance.totp_s(b, T0))
        call_must_not_panic(lambda: attendance.Totp(b))
        call_must_not_panic(lambda: attendance.ClassSession("s", b, SEALER))
        call_must_not_panic(lambda: opened.check(b, meta, [T0]))
    for shown in ([], [0], [2**64 - 1], [T0 + 10**9]):
        call_must_not_panic(lambda: opened.check(SERVER_SECRET, meta, shown))
    for rts in ([0], [2**64 - 1], [2**64 - 1] * 3):
        call_must_not_panic(lambda: attendance.score(rts))
    for bad_config in ({"rounds": 0}, {"max_attempts": 0}, {"rt_min_ms": 10, "rt_max_ms": 10}):
        call_must_not_panic(lambda: attendance.Config(**bad_config))
    call_must_not_panic(lambda: attendance.Totp(bytes(32), "SHA256", 0, 30))
    call_must_not_panic(lambda: attendance.Totp(bytes(32), "SHA256", 6, 0))
