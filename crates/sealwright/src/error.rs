//! The one error type of every protocol (spec §0.1).
//!
//! Each variant maps to exactly one stable code string ([`Error::code`]); bindings map the code
//! to their own idiom (Python exception classes, JS `Error.code`, Kotlin and Swift errors).
//! Messages are static and never carry secret context.

use core::fmt;

/// A sealwright error: one of the stable codes of spec §0.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// `INVALID_INPUT`: malformed identifier, JSON, base64, length or field.
    InvalidInput,
    /// `UNSUPPORTED_VERSION`: a version field or format byte this implementation does not know.
    UnsupportedVersion,
    /// `INVALID_KEY`: a public key not on its curve, the identity, or in the wrong encoding.
    InvalidKey,
    /// `LOW_ORDER_POINT`: an X25519 exchange gave the all-zero result.
    LowOrderPoint,
    /// `DECRYPTION_FAILED`: an AEAD or RSA-OAEP opening failed.
    DecryptionFailed,
    /// `BAD_SIGNATURE`: a signature, or the JWS that carries it, does not verify or is malformed.
    BadSignature,
    /// `KEY_REJECTED`: an RSA key outside the allowed size, exponent or encoding.
    KeyRejected,
    /// `VALUE_TOO_LARGE`: a relay value over 1 MiB.
    ValueTooLarge,
    /// `INVALID_STATE`: an operation called on a state object in the wrong state (bindings).
    InvalidState,
    /// `UNKNOWN_RECIPIENT` (relay, spec §1).
    UnknownRecipient,
    /// `UNKNOWN_RELAY_KEY` (relay, spec §1).
    UnknownRelayKey,
    /// `SEALED_INVALID` (relay, spec §1).
    SealedInvalid,
    /// `AUDIENCE_MISMATCH` (relay, spec §1).
    AudienceMismatch,
    /// `STALE` (relay, spec §1).
    Stale,
    /// `REPLAY` (relay, spec §1).
    Replay,
    /// `SESSION_EXPIRED` (handshake, spec §2).
    SessionExpired,
    /// `UNKNOWN_KID` (handshake, spec §2).
    UnknownKid,
    /// `KID_ROTATED` (handshake, spec §2).
    KidRotated,
    /// `INVALID_SHARE` (shares, spec §3).
    InvalidShare,
    /// `GENERATION_MISMATCH` (shares, spec §3).
    GenerationMismatch,
    /// `SHARE_MISMATCH` (shares, spec §3).
    ShareMismatch,
    /// `WEAK_KDF` (vault, spec §4).
    WeakKdf,
    /// `INVALID_VERIFIER` (vault, spec §4).
    InvalidVerifier,
    /// `NOT_ENROLLED` (attendance, spec §5).
    NotEnrolled,
    /// `SESSION_INVALID` (attendance, spec §5).
    SessionInvalid,
    /// `QR_INVALID` (attendance, spec §5).
    QrInvalid,
    /// `QR_EXPIRED` (attendance, spec §5).
    QrExpired,
    /// `RT_INVALID` (attendance, spec §5).
    RtInvalid,
    /// `SECRET_INVALID` (attendance, spec §5).
    SecretInvalid,
    /// `MAX_ATTEMPTS` (attendance, spec §5).
    MaxAttempts,
}

/// Result with the sealwright [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl Error {
    /// Every error, in the order of spec §0.1.
    pub const ALL: [Error; 30] = [
        Error::InvalidInput,
        Error::UnsupportedVersion,
        Error::InvalidKey,
        Error::LowOrderPoint,
        Error::DecryptionFailed,
        Error::BadSignature,
        Error::KeyRejected,
        Error::ValueTooLarge,
        Error::InvalidState,
        Error::UnknownRecipient,
        Error::UnknownRelayKey,
        Error::SealedInvalid,
        Error::AudienceMismatch,
        Error::Stale,
        Error::Replay,
        Error::SessionExpired,
        Error::UnknownKid,
        Error::KidRotated,
        Error::InvalidShare,
        Error::GenerationMismatch,
        Error::ShareMismatch,
        Error::WeakKdf,
        Error::InvalidVerifier,
        Error::NotEnrolled,
        Error::SessionInvalid,
        Error::QrInvalid,
        Error::QrExpired,
        Error::RtInvalid,
        Error::SecretInvalid,
        Error::MaxAttempts,
    ];

    /// The stable code string of spec §0.1, e.g. `"DECRYPTION_FAILED"`.
    ///
    /// ```
    /// assert_eq!(sealwright::Error::KidRotated.code(), "KID_ROTATED");
    /// ```
    pub const fn code(&self) -> &'static str {
        match self {
            Error::InvalidInput => "INVALID_INPUT",
            Error::UnsupportedVersion => "UNSUPPORTED_VERSION",
            Error::InvalidKey => "INVALID_KEY",
            Error::LowOrderPoint => "LOW_ORDER_POINT",
            Error::DecryptionFailed => "DECRYPTION_FAILED",
            Error::BadSignature => "BAD_SIGNATURE",
            Error::KeyRejected => "KEY_REJECTED",
            Error::ValueTooLarge => "VALUE_TOO_LARGE",
            Error::InvalidState => "INVALID_STATE",
            Error::UnknownRecipient => "UNKNOWN_RECIPIENT",
            Error::UnknownRelayKey => "UNKNOWN_RELAY_KEY",
            Error::SealedInvalid => "SEALED_INVALID",
            Error::AudienceMismatch => "AUDIENCE_MISMATCH",
            Error::Stale => "STALE",
            Error::Replay => "REPLAY",
            Error::SessionExpired => "SESSION_EXPIRED",
            Error::UnknownKid => "UNKNOWN_KID",
            Error::KidRotated => "KID_ROTATED",
            Error::InvalidShare => "INVALID_SHARE",
            Error::GenerationMismatch => "GENERATION_MISMATCH",
            Error::ShareMismatch => "SHARE_MISMATCH",
            Error::WeakKdf => "WEAK_KDF",
            Error::InvalidVerifier => "INVALID_VERIFIER",
            Error::NotEnrolled => "NOT_ENROLLED",
            Error::SessionInvalid => "SESSION_INVALID",
            Error::QrInvalid => "QR_INVALID",
            Error::QrExpired => "QR_EXPIRED",
            Error::RtInvalid => "RT_INVALID",
            Error::SecretInvalid => "SECRET_INVALID",
            Error::MaxAttempts => "MAX_ATTEMPTS",
        }
    }

    /// A short static description; never contains secret or input-derived text.
    pub const fn message(&self) -> &'static str {
        match self {
            Error::InvalidInput => "malformed identifier, JSON, base64, length or field",
            Error::UnsupportedVersion => "unknown version field or format byte",
            Error::InvalidKey => "public key not on its curve, the identity, or wrongly encoded",
            Error::LowOrderPoint => "X25519 exchange gave the all-zero result",
            Error::DecryptionFailed => "Invalid password or corrupted data",
            Error::BadSignature => "signature does not verify or is malformed",
            Error::KeyRejected => "RSA key outside the allowed size, exponent or encoding",
            Error::ValueTooLarge => "relay value over 1 MiB",
            Error::InvalidState => "operation not allowed in the current state",
            Error::UnknownRecipient => "JWS kid names no registered recipient",
            Error::UnknownRelayKey => "sealed value names no known relay key",
            Error::SealedInvalid => "sealed value is not a valid relay JWE",
            Error::AudienceMismatch => "sealed value is bound to another recipient",
            Error::Stale => "request time is outside the allowed window",
            Error::Replay => "request id was already accepted",
            Error::SessionExpired => "handshake session missing or expired",
            Error::UnknownKid => "unknown key id for this device",
            Error::KidRotated => "key id was already used by another request",
            Error::InvalidShare => "invalid share",
            Error::GenerationMismatch => "shares are of different generations",
            Error::ShareMismatch => "shares do not give the wallet's address",
            Error::WeakKdf => "KDF parameters below the enforced minimum",
            Error::InvalidVerifier => "malformed master password verifier",
            Error::NotEnrolled => "no enrollment record for this user",
            Error::SessionInvalid => "attendance session invalid",
            Error::QrInvalid => "QR payload invalid",
            Error::QrExpired => "QR payload expired or already used",
            Error::RtInvalid => "round trip outside the allowed window",
            Error::SecretInvalid => "round secret does not match",
            Error::MaxAttempts => "maximum attempts reached",
        }
    }

    /// The error with the given stable code, if any.
    ///
    /// ```
    /// use sealwright::Error;
    /// assert_eq!(Error::from_code("REPLAY"), Some(Error::Replay));
    /// assert_eq!(Error::from_code("nope"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<Error> {
        Error::ALL.iter().copied().find(|e| e.code() == code)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        for (i, a) in Error::ALL.iter().enumerate() {
            assert_eq!(Error::from_code(a.code()), Some(*a));
            for b in Error::ALL.iter().skip(i + 1) {
                assert_ne!(a.code(), b.code());
            }
        }
    }
}
