//! The one error type of every protocol (spec §0.1).
//!
//! Each variant maps to exactly one stable code string ([`Error::code`]); bindings map the code
//! to their own idiom (Python exception classes, JS `Error.code`, Kotlin and Swift errors).
//! Messages are static and never carry secret context. The codes live in one table below
//! (variant, code, message): adding a code is one line.

use core::fmt;

macro_rules! errors {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, $message:literal; )*) => {
        /// A sealwright error: one of the stable codes of spec §0.1.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Error {
            $( $(#[$doc])* $variant, )*
        }

        impl Error {
            /// Every error, in the order of spec §0.1.
            pub const ALL: &'static [Error] = &[ $( Error::$variant, )* ];

            /// The stable code string of spec §0.1, e.g. `"DECRYPTION_FAILED"`.
            ///
            /// ```
            /// assert_eq!(sealwright::Error::KidRotated.code(), "KID_ROTATED");
            /// ```
            pub const fn code(&self) -> &'static str {
                match self { $( Error::$variant => $code, )* }
            }

            /// A short static description; never contains secret or input-derived text.
            pub const fn message(&self) -> &'static str {
                match self { $( Error::$variant => $message, )* }
            }
        }
    };
}

errors! {
    /// `INVALID_INPUT`: malformed identifier, JSON, base64, length or field.
    InvalidInput => "INVALID_INPUT", "malformed identifier, JSON, base64, length or field";
    /// `UNSUPPORTED_VERSION`: a version field or format byte this implementation does not know.
    UnsupportedVersion => "UNSUPPORTED_VERSION", "unknown version field or format byte";
    /// `INVALID_KEY`: a public key not on its curve, the identity, or in the wrong encoding.
    InvalidKey => "INVALID_KEY", "public key not on its curve, the identity, or wrongly encoded";
    /// `LOW_ORDER_POINT`: an X25519 exchange gave the all-zero result.
    LowOrderPoint => "LOW_ORDER_POINT", "X25519 exchange gave the all-zero result";
    /// `DECRYPTION_FAILED`: an AEAD or RSA-OAEP opening failed.
    DecryptionFailed => "DECRYPTION_FAILED", "Invalid password or corrupted data";
    /// `BAD_SIGNATURE`: a signature, or the JWS that carries it, does not verify or is malformed.
    BadSignature => "BAD_SIGNATURE", "signature does not verify or is malformed";
    /// `KEY_REJECTED`: an RSA key outside the allowed size, exponent or encoding.
    KeyRejected => "KEY_REJECTED", "RSA key outside the allowed size, exponent or encoding";
    /// `VALUE_TOO_LARGE`: a relay value over 1 MiB.
    ValueTooLarge => "VALUE_TOO_LARGE", "relay value over 1 MiB";
    /// `INVALID_STATE`: an operation called on a state object in the wrong state (bindings).
    InvalidState => "INVALID_STATE", "operation not allowed in the current state";
    /// `CONFLICT`: a conditional effect did not hold; another writer changed the records first (spec §0.2).
    Conflict => "CONFLICT", "a conditional effect did not hold: another writer came first";
    /// `IN_PROGRESS`: the same request is being processed right now; retry it unchanged later (spec §2.2).
    InProgress => "IN_PROGRESS", "the same request is being processed; retry it unchanged later";
    /// `UNKNOWN_RECIPIENT` (relay, spec §1).
    UnknownRecipient => "UNKNOWN_RECIPIENT", "JWS kid names no registered recipient";
    /// `UNKNOWN_RELAY_KEY` (relay, spec §1).
    UnknownRelayKey => "UNKNOWN_RELAY_KEY", "sealed value names no known relay key";
    /// `SEALED_INVALID` (relay, spec §1).
    SealedInvalid => "SEALED_INVALID", "sealed value is not a valid relay JWE";
    /// `AUDIENCE_MISMATCH` (relay, spec §1).
    AudienceMismatch => "AUDIENCE_MISMATCH", "sealed value is bound to another recipient";
    /// `STALE` (relay, spec §1).
    Stale => "STALE", "request time is outside the allowed window";
    /// `REPLAY` (relay, spec §1).
    Replay => "REPLAY", "request id was already accepted";
    /// `SESSION_EXPIRED` (handshake, spec §2).
    SessionExpired => "SESSION_EXPIRED", "handshake session missing or expired";
    /// `UNKNOWN_KID` (handshake, spec §2).
    UnknownKid => "UNKNOWN_KID", "unknown key id for this device";
    /// `KID_ROTATED` (handshake, spec §2).
    KidRotated => "KID_ROTATED", "key id was already used by another request";
    /// `DEVICE_MISMATCH` (handshake, spec §2.1): the device is bound to another primary key.
    DeviceMismatch => "DEVICE_MISMATCH", "device is bound to another primary key";
    /// `INVALID_SHARE` (shares, spec §3).
    InvalidShare => "INVALID_SHARE", "invalid share";
    /// `GENERATION_MISMATCH` (shares, spec §3).
    GenerationMismatch => "GENERATION_MISMATCH", "shares are of different generations";
    /// `SHARE_MISMATCH` (shares, spec §3).
    ShareMismatch => "SHARE_MISMATCH", "shares do not give the wallet's address";
    /// `WEAK_KDF` (vault, spec §4).
    WeakKdf => "WEAK_KDF", "KDF parameters below the enforced minimum";
    /// `INVALID_VERIFIER` (vault, spec §4).
    InvalidVerifier => "INVALID_VERIFIER", "malformed master password verifier";
    /// `NOT_ENROLLED` (attendance, spec §5).
    NotEnrolled => "NOT_ENROLLED", "no enrollment record for this user";
    /// `SESSION_INVALID` (attendance, spec §5).
    SessionInvalid => "SESSION_INVALID", "attendance session invalid";
    /// `QR_INVALID` (attendance, spec §5).
    QrInvalid => "QR_INVALID", "QR payload invalid";
    /// `QR_EXPIRED` (attendance, spec §5).
    QrExpired => "QR_EXPIRED", "QR payload expired or already used";
    /// `RT_INVALID` (attendance, spec §5).
    RtInvalid => "RT_INVALID", "round trip outside the allowed window";
    /// `SECRET_INVALID` (attendance, spec §5).
    SecretInvalid => "SECRET_INVALID", "round secret does not match";
    /// `MAX_ATTEMPTS` (attendance, spec §5).
    MaxAttempts => "MAX_ATTEMPTS", "maximum attempts reached";
}

/// Result with the sealwright [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl Error {
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

    #[test]
    fn the_list_is_the_spec_table() {
        // Spec §0.1, in its order.
        let spec = [
            "INVALID_INPUT",
            "UNSUPPORTED_VERSION",
            "INVALID_KEY",
            "LOW_ORDER_POINT",
            "DECRYPTION_FAILED",
            "BAD_SIGNATURE",
            "KEY_REJECTED",
            "VALUE_TOO_LARGE",
            "INVALID_STATE",
            "CONFLICT",
            "IN_PROGRESS",
            "UNKNOWN_RECIPIENT",
            "UNKNOWN_RELAY_KEY",
            "SEALED_INVALID",
            "AUDIENCE_MISMATCH",
            "STALE",
            "REPLAY",
            "SESSION_EXPIRED",
            "UNKNOWN_KID",
            "KID_ROTATED",
            "DEVICE_MISMATCH",
            "INVALID_SHARE",
            "GENERATION_MISMATCH",
            "SHARE_MISMATCH",
            "WEAK_KDF",
            "INVALID_VERIFIER",
            "NOT_ENROLLED",
            "SESSION_INVALID",
            "QR_INVALID",
            "QR_EXPIRED",
            "RT_INVALID",
            "SECRET_INVALID",
            "MAX_ATTEMPTS",
        ];
        let ours: alloc::vec::Vec<&str> = Error::ALL.iter().map(Error::code).collect();
        assert_eq!(ours, spec);
    }
}
