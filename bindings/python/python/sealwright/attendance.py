"""Attendance rounds (spec §5): WebAuthn-bound X25519 login, TOTP, encrypted rotating QR
rounds shown by a projector, validation steps 1 to 7 on the server's clock, scoring.

Login: the server issues :func:`issue_login_nonce`; the student's :class:`ClientLogin` gives
``client_public`` and the WebAuthn :meth:`~ClientLogin.challenge`; once a WebAuthn library
verified the assertion, :func:`server_login` returns ``S`` and the student's
:class:`SessionKeys`; :meth:`ClientLogin.finish` derives the same keys on the device.

Class: :class:`ClassSession` registers students (:meth:`~ClassSession.register`, needs an
:class:`EnrollmentRecord`), drives the projector (:meth:`~ClassSession.frame`), validates
responses (:meth:`~ClassSession.receive`) and scores them; each step returns sealed
:class:`~sealwright.Effect` lists. Student device: :func:`try_qr` every QR seen, then
:func:`respond`. The pieces (:func:`issue_round`, :func:`open_response` +
:meth:`OpenedResponse.check`, :class:`Projector`, :func:`score`, :class:`Totp`) are usable
alone for servers that keep their own state.
"""

from __future__ import annotations

from . import _native
from ._native import (
    ClassSession,
    ClientLogin,
    Config,
    EnrollmentRecord,
    Frame,
    IssuedRound,
    OpenedResponse,
    Projector,
    QrPayload,
    Received,
    RoundMetadata,
    Score,
    ServerLogin,
    SessionKeys,
    Totp,
    Verdict,
    attendance_issue_login_nonce as issue_login_nonce,
    attendance_issue_round as issue_round,
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
    "IssuedRound",
    "OpenedResponse",
    "Projector",
    "QrPayload",
    "Received",
    "RoundMetadata",
    "Score",
    "ServerLogin",
    "SessionKeys",
    "Totp",
    "Verdict",
    "issue_login_nonce",
    "issue_round",
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
