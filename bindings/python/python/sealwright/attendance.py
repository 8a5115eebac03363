"""Attendance rounds (spec §5): WebAuthn-bound X25519 login, TOTP, encrypted rotating QR
rounds shown by a projector, validation steps 1 to 7 on the server's clock, scoring.

Every server operation is a step (spec §0.2): it reads the records it names through a
``load(key) -> bytes | None`` callable and returns a :class:`sealwright.Step` (``output,
effects``) whose effects are one transaction; commit it with :func:`sealwright.apply_effects`,
or run load-step-commit with :func:`sealwright.run_step` (reruns on a failed condition). The
server keeps no attendance state of its own.

Login: :func:`issue_login_nonce` (a single-use nonce record); the student's
:class:`ClientLogin` gives ``client_public`` and the WebAuthn :meth:`~ClientLogin.challenge`;
once a WebAuthn library verified the assertion, :func:`login` consumes the nonce and stores
the session key (output: ``S`` and the student's :class:`SessionKeys`);
:meth:`ClientLogin.finish` derives the same keys on the device.

Class: :class:`ClassSession` holds configuration; its steps register students
(:meth:`~ClassSession.register`, needs the student's :class:`EnrollmentRecord`), drive the
projector (:meth:`~ClassSession.frame`, whose inbox is the :class:`IssuedQr` outputs of the
other steps), validate responses (:meth:`~ClassSession.validate`), re-issue stale rounds
(:meth:`~ClassSession.issue`) and close. Student device: :func:`try_qr` every QR seen, then
:func:`respond`. The pure pieces (:func:`issue_round`, :func:`open_response` +
:meth:`OpenedResponse.check`, :class:`Projector`, :func:`score`, :class:`Totp`) replay the
test vectors.
"""

from __future__ import annotations

from . import _native
from ._native import (
    ClassSession,
    ClientLogin,
    Config,
    EnrollmentRecord,
    Frame,
    IssuedQr,
    IssuedRound,
    OpenedResponse,
    Projection,
    Projector,
    QrPayload,
    RoundMetadata,
    Score,
    ServerLogin,
    SessionKeys,
    Totp,
    Validation,
    Verdict,
    attendance_issue_login_nonce as issue_login_nonce,
    attendance_issue_round as issue_round,
    attendance_login as login,
    attendance_login_challenge as login_challenge,
    attendance_open_response as open_response,
    attendance_respond as respond,
    attendance_score as score,
    attendance_server_login as server_login,
    attendance_totp_s as totp_s,
    attendance_try_qr as try_qr,
)

__all__ = [
    "ClassSession",
    "ClientLogin",
    "Config",
    "EnrollmentRecord",
    "Frame",
    "IssuedQr",
    "IssuedRound",
    "OpenedResponse",
    "Projection",
    "Projector",
    "QrPayload",
    "RoundMetadata",
    "Score",
    "ServerLogin",
    "SessionKeys",
    "Totp",
    "Validation",
    "Verdict",
    "issue_login_nonce",
    "issue_round",
    "login",
    "login_challenge",
    "open_response",
    "respond",
    "score",
    "server_login",
    "totp_s",
    "try_qr",
]

# Test builds only (cargo feature `test-utils`, which bindings/python/run-tests.sh enables):
# functions that take a caller-chosen nonce or hand out raw secrets. A shipped wheel has none
# of them (`sealwright.TEST_UTILS` is False there).
if _native.TEST_UTILS:
    from ._native import attendance_round_secret as round_secret

    __all__ += ["round_secret"]
