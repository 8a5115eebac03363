"""sealwright: sans-I/O cryptographic protocols (Python binding of the Rust core).

One submodule per protocol: :mod:`sealwright.relay`, :mod:`sealwright.handshake`,
:mod:`sealwright.shares`, :mod:`sealwright.vault`, :mod:`sealwright.attendance`.

Binary values are ``bytes``, identifiers, passwords and wire strings are ``str``, JSON wire
objects are ``dict`` (see :func:`to_json` / :func:`from_json`), times are ``int`` Unix
milliseconds (default: now), randomness comes from the OS RNG. Server operations return
:class:`Effect` lists to apply to a store in one transaction (:func:`apply_effects`); stored
values are sealed by a :class:`StoreSealer` (spec §2.3) made from the server's storage secret.

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
    UnknownRecipient,
    UnknownRelayKey,
    SealedInvalid,
    AudienceMismatch,
    Stale,
    Replay,
    SessionExpired,
    UnknownKid,
    KidRotated,
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
from ._effects import apply_effects, from_json, to_json

__all__ = [
    "ERROR_CODES",
    "TEST_UTILS",
    "Effect",
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
    "UnknownRecipient",
    "UnknownRelayKey",
    "SealedInvalid",
    "AudienceMismatch",
    "Stale",
    "Replay",
    "SessionExpired",
    "UnknownKid",
    "KidRotated",
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
    "apply_effects",
    "from_json",
    "to_json",
]
