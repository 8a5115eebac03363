"""Attendance rounds (spec §5) through the Python API: every server operation is a step
(spec §0.2) over a store, here the tests' MemoryStore and a real Redis."""

from __future__ import annotations

import multiprocessing
import os
from typing import Any, Callable, Optional

import pytest
import redis

import sealwright
from sealwright import Effect, attendance

from helpers import MALFORMED_BYTES, MALFORMED_STR, MemoryStore, call_must_not_panic, positive_case
from redis_fixture import redis_client  # noqa: F401  (pytest fixture)

CASE = positive_case("attendance")
T0 = 1_767_225_600_000
STORAGE_SECRET = os.urandom(32)
SEALER = sealwright.StoreSealer(STORAGE_SECRET)
SERVER_SECRET = os.urandom(32)

Load = Callable[[str], Optional[bytes]]


def commit(store: MemoryStore, step: sealwright.Step, now: int) -> Any:
    """Commits one step to the in-memory store (all or nothing) and returns its output."""
    output, effects = step
    assert store.apply(effects, now), "a condition failed"
    return output


def loader(store: MemoryStore, now: int) -> Load:
    return lambda key: store.get(key, now)


def login(store: MemoryStore, user_id: str) -> attendance.SessionKeys:
    """Enrollment, login nonce and login, each a step committed to `store`."""
    enrollment = attendance.EnrollmentRecord(user_id, os.urandom(16), b"cose-key", bytes(16))
    assert enrollment.user_id == user_id
    commit(store, enrollment.enroll(SEALER), T0)
    step = attendance.issue_login_nonce(user_id, SEALER, now_ms=T0)
    assert [(e.op, e.ttl_seconds) for e in step.effects] == [("put_if_absent", 300)]
    nonce = commit(store, step, T0)
    client = attendance.ClientLogin(user_id, nonce)
    challenge = client.challenge()
    assert challenge == attendance.login_challenge(nonce, client.client_public, user_id)
    step = attendance.login(user_id, nonce, client.client_public, loader(store, T0), SEALER)
    assert [(e.op, e.ttl_seconds) for e in step.effects] == [("delete_if_equal", None), ("put", 7200)]
    server = commit(store, step, T0)
    student = client.finish(server.server_public)
    assert student.session_key() == server.keys.session_key()
    # The nonce logs in once.
    with pytest.raises(sealwright.SessionInvalid):
        attendance.login(user_id, nonce, client.client_public, loader(store, T0), SEALER)
    with pytest.raises(sealwright.InvalidState):
        client.finish(server.server_public)
    with pytest.raises(sealwright.InvalidState):
        client.challenge()
    return student


def test_class_session_three_rounds_presente() -> None:
    store = MemoryStore()
    student = login(store, "alice")
    session = attendance.ClassSession("cs101", SERVER_SECRET, SEALER)
    with pytest.raises(sealwright.NotEnrolled):
        session.register("nobody", loader(store, T0), T0)
    step = session.register("alice", loader(store, T0), T0)
    assert [e.op for e in step.effects] == ["put_if_absent"]
    inbox = [commit(store, step, T0)]
    with pytest.raises(sealwright.InvalidState):
        session.register("alice", loader(store, T0), T0)
    now = T0
    for r in (1, 2, 3):
        step = session.frame(inbox, loader(store, now), now)
        assert {e.key for e in step.effects} and all(e.op == "put_if_equal" or e.op == "put_if_absent" for e in step.effects)
        projection = commit(store, step, now)
        inbox = []
        frame = projection.frame
        assert frame is not None and (frame.user_id, frame.round) == ("alice", r)
        qr = attendance.try_qr(student, frame.qr_text)
        now += 1200 + 100 * r  # later than 500 ms after the projection: inside the RT window
        response = attendance.respond(student, qr, now)
        v = commit(store, session.validate(response, loader(store, now), now), now)
        assert v.ok and v.code is None and v.error is None and v.round == r
        assert v.rt_ms == 1200 + 100 * r
        v.raise_for_error()
        if v.next is not None:
            inbox.append(v.next)
        # The same response again is a replay of a used round: no effect.
        replay, effects = session.validate(sealwright.to_json(response), loader(store, now + 10), now + 10)
        assert replay.code == "QR_EXPIRED" and isinstance(replay.error, sealwright.QrExpired) and effects == []
        with pytest.raises(sealwright.QrExpired):
            replay.raise_for_error()
    assert v.score is not None and v.score.status == "PRESENTE"
    state = session.state("alice", loader(store, now))
    assert state is not None and state[0] == "finished"


def test_rt_from_server_clock_and_max_attempts() -> None:
    store = MemoryStore()
    student = login(store, "bob")
    session = attendance.ClassSession("cs102", SERVER_SECRET, SEALER, attendance.Config(max_attempts=2))
    inbox = [commit(store, session.register("bob", loader(store, T0), T0), T0)]
    projection = commit(store, session.frame(inbox, loader(store, T0), T0), T0)
    assert projection.frame is not None
    qr = attendance.try_qr(student, projection.frame.qr_text)
    # Answered too fast (100 ms after projection): RT_INVALID, then MAX_ATTEMPTS.
    first = commit(store, session.validate(attendance.respond(student, qr, T0 + 100), loader(store, T0 + 100), T0 + 100), T0 + 100)
    assert first.code == "RT_INVALID"
    step = session.validate(attendance.respond(student, qr, T0 + 200), loader(store, T0 + 200), T0 + 200)
    assert [e.op for e in step.effects] == ["delete_if_equal", "put_if_absent"]
    second = commit(store, step, T0 + 200)
    assert second.code == "MAX_ATTEMPTS"
    assert session.state("bob", loader(store, T0 + 200)) == ("failed", "MAX_ATTEMPTS")


def test_pieces_projector_totp_score() -> None:
    keys = attendance.SessionKeys.from_session_key("carol", os.urandom(32))
    issued = attendance.issue_round(keys, SERVER_SECRET, "s1", 1, T0)
    projector = attendance.Projector(max_displays=2)
    projector.insert("carol", 1, issued.qr_text, T0)
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
    assert verdict.metadata is not None and verdict.metadata.used and verdict.metadata.rts_ms == [1000]
    meta = attendance.RoundMetadata.from_bytes(issued.metadata.to_bytes())
    assert meta.issued_at_ms == T0 and not meta.used and meta.rts_ms == []
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
    # The stored session key opens under its own user id only.
    store = MemoryStore()
    login(store, "erin")
    (skey,) = [k for k in store.data if k.endswith(":skey")]
    value = store.get(skey, T0)
    assert value is not None
    assert attendance.SessionKeys.open_stored(SEALER, "erin", value).user_id == "erin"
    with pytest.raises(sealwright.DecryptionFailed):
        attendance.SessionKeys.open_stored(SEALER, "frank", value)


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
    store = MemoryStore()
    load = loader(store, T0)
    meta = attendance.RoundMetadata(T0, bytes(16))
    opened = attendance.open_response(keys, attendance.respond(keys, attendance.try_qr(keys, attendance.issue_round(keys, SERVER_SECRET, "s", 1, T0).qr_text), T0), T0)
    junk_loads: list[Load] = [lambda k: b"junk", lambda k: bytes(200)]
    for s in MALFORMED_STR:
        call_must_not_panic(lambda: attendance.try_qr(keys, s))
        call_must_not_panic(lambda: attendance.open_response(keys, s, T0))
        call_must_not_panic(lambda: attendance.open_response(keys, {"userId": s, "sessionId": s, "response": s}, T0))
        call_must_not_panic(lambda: session.validate(s, load, T0))
        call_must_not_panic(lambda: session.validate({"userId": "u", "sessionId": "s", "response": s}, load, T0))
        call_must_not_panic(lambda: session.register(s, load, T0))
        call_must_not_panic(lambda: session.issue(s, 1, load, T0))
        call_must_not_panic(lambda: session.state(s, load))
        call_must_not_panic(lambda: attendance.ClassSession(s, SERVER_SECRET, SEALER))
        call_must_not_panic(lambda: attendance.ClientLogin(s, bytes(32)))
        call_must_not_panic(lambda: attendance.server_login(s, bytes(32), bytes(32)))
        call_must_not_panic(lambda: attendance.login(s, bytes(32), bytes(32), load, SEALER))
        call_must_not_panic(lambda: attendance.issue_login_nonce(s, SEALER))
        call_must_not_panic(lambda: attendance.login_challenge(bytes(32), bytes(32), s))
        call_must_not_panic(lambda: attendance.round_secret(SERVER_SECRET, s, s, 1))
        call_must_not_panic(lambda: attendance.issue_round(keys, SERVER_SECRET, s, 1, T0))
        call_must_not_panic(lambda: attendance.SessionKeys.from_session_key(s, bytes(32)))
        call_must_not_panic(lambda: attendance.Totp(bytes(32), s))
        call_must_not_panic(lambda: attendance.Totp(bytes(32)).verify(s, T0))
        call_must_not_panic(lambda: attendance.SessionKeys.open_stored(SEALER, s, b"x"))
        call_must_not_panic(lambda: attendance.EnrollmentRecord.open_stored(SEALER, s, b"x"))
        call_must_not_panic(lambda: attendance.EnrollmentRecord(s, bytes(16), b"k", bytes(16)))
    for junk in junk_loads:
        call_must_not_panic(lambda: session.register("u", junk, T0))
        call_must_not_panic(lambda: session.frame([], junk, T0))
        call_must_not_panic(lambda: session.validate(attendance.respond(keys, attendance.try_qr(keys, attendance.issue_round(keys, SERVER_SECRET, "s", 1, T0).qr_text), T0), junk, T0))
        call_must_not_panic(lambda: attendance.login("u", bytes(32), bytes(32), junk, SEALER))
    # An exception of the caller's own load() propagates unchanged.
    with pytest.raises(ZeroDivisionError):
        session.register("u", lambda k: bytes(1 // 0), T0)
    with pytest.raises(TypeError):
        session.frame([], lambda k: 7, T0)  # type: ignore[arg-type, return-value]
    for b in MALFORMED_BYTES:
        call_must_not_panic(lambda: attendance.ClientLogin("u", b))
        call_must_not_panic(lambda: attendance.ClientLogin("u", bytes(32)).finish(b))
        call_must_not_panic(lambda: attendance.server_login("u", b, b))
        call_must_not_panic(lambda: attendance.server_login("u", bytes(32), b))
        call_must_not_panic(lambda: attendance.login("u", b, b, load, SEALER))
        call_must_not_panic(lambda: attendance.login_challenge(b, b, "u"))
        call_must_not_panic(lambda: attendance.SessionKeys.from_session_key("u", b))
        call_must_not_panic(lambda: attendance.SessionKeys.open_stored(SEALER, "u", b))
        call_must_not_panic(lambda: attendance.EnrollmentRecord("u", b, b, b))
        call_must_not_panic(lambda: attendance.EnrollmentRecord("u", b, b"k", bytes(16)))
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


# --- a real Redis, several processes --------------------------------------------------------


def pair(step: sealwright.Step) -> tuple[Any, list[Effect]]:
    return step.output, step.effects


def _send_failing(port: int, session_id: str, max_attempts: int, responses: list[str], at: int, out: "multiprocessing.Queue[list[str]]") -> None:
    """In a separate process: validate `responses` through run_step against Redis, resending a
    response that lost three races in a row (CONFLICT), and report each verdict's code."""
    client = redis.Redis(host="127.0.0.1", port=port)
    session = attendance.ClassSession(
        session_id, SERVER_SECRET_FOR_RACE, sealwright.StoreSealer(STORAGE_SECRET_FOR_RACE), attendance.Config(max_attempts=max_attempts)
    )
    codes: list[str] = []
    for response in responses:
        while True:
            try:
                v = sealwright.run_step(client, lambda load: pair(session.validate(response, load, at)))
            except sealwright.Conflict:
                continue
            codes.append(v.code or "OK")
            break
    out.put(codes)
    client.close()


SERVER_SECRET_FOR_RACE = bytes(range(32))
STORAGE_SECRET_FOR_RACE = bytes(range(32, 64))


def _prepare_race(r: redis.Redis, session_id: str, max_attempts: int) -> tuple[attendance.SessionKeys, attendance.QrPayload, str]:
    """Alice enrolled, logged in, registered and shown once, all through run_step on Redis."""
    sealer = sealwright.StoreSealer(STORAGE_SECRET_FOR_RACE)
    session = attendance.ClassSession(session_id, SERVER_SECRET_FOR_RACE, sealer, attendance.Config(max_attempts=max_attempts))
    enrollment = attendance.EnrollmentRecord("alice", bytes(16), b"cose", bytes(16))
    assert sealwright.apply_effects(r, enrollment.enroll(sealer).effects)
    nonce = sealwright.run_step(r, lambda load: pair(attendance.issue_login_nonce("alice", sealer, now_ms=T0)))
    client = attendance.ClientLogin("alice", nonce)
    server = sealwright.run_step(r, lambda load: pair(attendance.login("alice", nonce, client.client_public, load, sealer)))
    student = client.finish(server.server_public)
    written: list[str] = []

    def register(load: Load) -> tuple[Any, list[Effect]]:
        step = session.register("alice", load, T0)
        written[:] = [e.key for e in step.effects]
        return pair(step)

    first = sealwright.run_step(r, register)
    (round_key,) = written
    projection = sealwright.run_step(r, lambda load: pair(session.frame([first], load, T0 + 1000)))
    assert projection.frame is not None
    return student, attendance.try_qr(student, projection.frame.qr_text), round_key


def _wrong_totp_response(student: attendance.SessionKeys, qr: attendance.QrPayload, at: int) -> str:
    """An answer that opens and passes TOTPu but carries a wrong TOTPs (and nonce): the answer
    to a QR of the same round sealed for the student under another server secret. Each one is
    QR_INVALID, an attempt."""
    forged = attendance.issue_round(student, os.urandom(32), qr.session_id, qr.round, qr.issued_at_ms)
    return sealwright.to_json(attendance.respond(student, attendance.try_qr(student, forged.qr_text), at))


def _race(redis_client: redis.Redis, session_id: str, max_attempts: int, per_process: list[int]) -> tuple[list[str], int, Optional[bytes]]:
    r = redis_client
    student, qr, round_key = _prepare_race(r, session_id, max_attempts)
    at = T0 + 2500
    port = r.connection_pool.connection_kwargs["port"]
    ctx = multiprocessing.get_context("spawn")
    out: "multiprocessing.Queue[list[str]]" = ctx.Queue()
    procs = [
        ctx.Process(target=_send_failing, args=(port, session_id, max_attempts, [_wrong_totp_response(student, qr, at) for _ in range(n)], at, out))
        for n in per_process
    ]
    for p in procs:
        p.start()
    codes = [c for _ in procs for c in out.get(timeout=120)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    stored = r.get(round_key)
    assert stored is None or isinstance(stored, bytes)
    attempts = -1
    if stored is not None:
        sealer = sealwright.StoreSealer(STORAGE_SECRET_FOR_RACE)
        attempts = attendance.RoundMetadata.from_bytes(sealer.open(round_key, stored)).attempts
    return codes, attempts, stored


def test_racing_processes_count_every_failed_attempt(redis_client: redis.Redis) -> None:
    redis_client.flushall()
    # 4 processes x 5 failing responses for one round, MAX_ATTEMPTS far away: 20 attempts stored.
    codes, attempts, _ = _race(redis_client, "race-count", 100, [5, 5, 5, 5])
    assert codes == ["QR_INVALID"] * 20
    assert attempts == 20, "no lost update"


def test_racing_processes_max_attempts_fires_once(redis_client: redis.Redis) -> None:
    redis_client.flushall()
    # 6 processes x 1 failing response, MAX_ATTEMPTS 3: two counted, one MAX_ATTEMPTS (the
    # round is deleted), the rest QR_EXPIRED.
    codes, attempts, stored = _race(redis_client, "race-max", 3, [1] * 6)
    assert sorted(codes) == sorted(["QR_INVALID"] * 2 + ["MAX_ATTEMPTS"] + ["QR_EXPIRED"] * 3)
    assert stored is None and attempts == -1
