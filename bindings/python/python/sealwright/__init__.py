"""sealwright: sans-I/O cryptographic protocols (Python binding of the Rust core).

One submodule per protocol: :mod:`sealwright.relay`, :mod:`sealwright.handshake`,
:mod:`sealwright.shares`, :mod:`sealwright.vault`, :mod:`sealwright.attendance`.

Binary values are ``bytes``, identifiers, passwords and wire strings are ``str``, JSON wire
objects are ``dict`` (see :func:`to_json` / :func:`from_json`), times are ``int`` Unix
milliseconds (default: now), randomness comes from the OS RNG. Server operations are steps
(spec §0.2): they return their output and a list of :class:`Effect` to commit as one
transaction (:func:`apply_effects` runs one Lua script that checks every condition, then
writes everything or nothing; :func:`run_step` reruns a step whose condition failed, then
raises :class:`Conflict`). Stored values are sealed by a :class:`StoreSealer` (spec §0.2)
made from the server's storage secret.

Every error is a :class:`SealwrightError` with ``.code`` (the stable spec code) and is an
instance of one subclass per code, e.g. :class:`DecryptionFailed`, :class:`KidRotated`.

:data:`TEST_UTILS` is ``True`` only in test builds (cargo feature ``test-utils``), which add
functions taking a caller-chosen nonce, IV or salt and accessors of raw secrets (session,
QR, response and vault keys, ``StoreSealer.open``, MK/WK/AH, ``K_m``, ``SS_p``, Argon2 keys).
A shipped wheel has none of them; ``_native.pyi`` marks each one.
"""

from __future__ import annotations

from ._native import (
    ERROR_CODES,
    TEST_UTILS,
    Effect,
    Step,
    StoreSealer,
    SealwrightError,
    InvalidInput,
    UnsupportedVersion,
    InvalidKey,
    LowOrderPoint,
    DecryptionFailed,
    BadSignature,
    KeyRejected,
    ValueTooLarge,
    InvalidState,
    Conflict,
    InProgress,
    UnknownRecipient,
    UnknownRelayKey,
    SealedInvalid,
    AudienceMismatch,
    Stale,
    Replay,
    SessionExpired,
    UnknownKid,
    KidRotated,
    DeviceMismatch,
    InvalidShare,
    GenerationMismatch,
    ShareMismatch,
    WeakKdf,
    InvalidVerifier,
    NotEnrolled,
    SessionInvalid,
    QrInvalid,
    QrExpired,
    RtInvalid,
    SecretInvalid,
    MaxAttempts,
)
from ._effects import MAX_RUNS, apply_effects, from_json, run_step, to_json

__all__ = [
    "ERROR_CODES",
    "TEST_UTILS",
    "Effect",
    "Step",
    "StoreSealer",
    "SealwrightError",
    "InvalidInput",
    "UnsupportedVersion",
    "InvalidKey",
    "LowOrderPoint",
    "DecryptionFailed",
    "BadSignature",
    "KeyRejected",
    "ValueTooLarge",
    "InvalidState",
    "Conflict",
    "InProgress",
    "UnknownRecipient",
    "UnknownRelayKey",
    "SealedInvalid",
    "AudienceMismatch",
    "Stale",
    "Replay",
    "SessionExpired",
    "UnknownKid",
    "KidRotated",
    "DeviceMismatch",
    "InvalidShare",
    "GenerationMismatch",
    "ShareMismatch",
    "WeakKdf",
    "InvalidVerifier",
    "NotEnrolled",
    "SessionInvalid",
    "QrInvalid",
    "QrExpired",
    "RtInvalid",
    "SecretInvalid",
    "MaxAttempts",
    "MAX_RUNS",
    "apply_effects",
    "run_step",
    "from_json",
    "to_json",
]
