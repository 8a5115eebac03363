//! `TOTP(key, t)` of spec §0 through the `totp-rs` crate: RFC 6238 with HMAC-SHA256, 6 digits,
//! a 30 s step and T0 = 0, at `floor(t_ms / 1000)` seconds.
//!
//! A [`Totp`] is built once per key (the key is copied into `totp-rs` once, never re-parsed
//! per call). [`Totp::verify`] accepts the steps `t`, `t - 30 s`, `t + 30 s` (codes from
//! `totp-rs`, compared in constant time) and returns the matched step, so a caller can refuse
//! a step it already accepted (RFC 6238 §5.2).
//! [`Totp::with_params`] gives the general RFC 6238 generator (SHA-1/256/512, 6 to 8 digits)
//! used by the appendix B vectors.
//!
//! `totp-rs` refuses keys under 16 bytes (RFC 4226 §4) and digit counts outside 6 to 8; both
//! are `INVALID_INPUT` here. Protocol keys are always 32 bytes.

use core::fmt;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Builder};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{Error, Result};
use crate::secret::SecretKey32;

/// Digits of a protocol TOTP code.
pub const DIGITS: u8 = 6;
/// Step of a protocol TOTP, in seconds.
pub const STEP_SECONDS: u64 = 30;
/// Longest code [`Totp::with_params`] allows.
pub const MAX_DIGITS: usize = 8;

/// The HMAC of a TOTP (RFC 6238 appendix A).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TotpAlgorithm {
    /// HMAC-SHA1.
    Sha1,
    /// HMAC-SHA256 (the protocol's).
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl TotpAlgorithm {
    /// The name used in `totp.json`: `SHA1`, `SHA256` or `SHA512`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TotpAlgorithm::Sha1 => "SHA1",
            TotpAlgorithm::Sha256 => "SHA256",
            TotpAlgorithm::Sha512 => "SHA512",
        }
    }

    /// Parses [`Self::as_str`] (`INVALID_INPUT` otherwise).
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "SHA1" => Ok(TotpAlgorithm::Sha1),
            "SHA256" => Ok(TotpAlgorithm::Sha256),
            "SHA512" => Ok(TotpAlgorithm::Sha512),
            _ => Err(Error::InvalidInput),
        }
    }

    const fn inner(self) -> Algorithm {
        match self {
            TotpAlgorithm::Sha1 => Algorithm::SHA1,
            TotpAlgorithm::Sha256 => Algorithm::SHA256,
            TotpAlgorithm::Sha512 => Algorithm::SHA512,
        }
    }
}

/// A TOTP code: 6 (protocol) to 8 ASCII digits. Secret-derived, so it zeroizes, compares in
/// constant time and prints as `REDACTED`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TotpCode {
    buf: [u8; MAX_DIGITS],
    len: u8,
}

impl TotpCode {
    /// A code from its ASCII digits (`INVALID_INPUT` unless 6 to 8 ASCII digits).
    pub fn from_ascii(digits: &[u8]) -> Result<Self> {
        if !(usize::from(DIGITS)..=MAX_DIGITS).contains(&digits.len())
            || !digits.iter().all(u8::is_ascii_digit)
        {
            return Err(Error::InvalidInput);
        }
        let mut code = Self {
            buf: [0; MAX_DIGITS],
            len: 0,
        };
        for (slot, d) in code.buf.iter_mut().zip(digits) {
            *slot = *d;
        }
        code.len = u8::try_from(digits.len()).map_err(|_| Error::InvalidInput)?;
        Ok(code)
    }

    /// The ASCII digits.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The digits as text (always ASCII).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
}

impl fmt::Write for TotpCode {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            let slot = self.buf.get_mut(usize::from(self.len)).ok_or(fmt::Error)?;
            *slot = b;
            self.len = self.len.checked_add(1).ok_or(fmt::Error)?;
        }
        Ok(())
    }
}

impl PartialEq for TotpCode {
    /// Constant-time comparison (the length is not secret).
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.as_bytes().ct_eq(other.as_bytes()))
    }
}

impl Eq for TotpCode {}

impl fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpCode(REDACTED)")
    }
}

/// A TOTP generator and verifier for one key (the key zeroizes on drop, inside `totp-rs`).
#[derive(Clone)]
pub struct Totp {
    inner: totp_rs::Totp,
}

impl fmt::Debug for Totp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Totp")
            .field("algorithm", &self.inner.algorithm().as_str())
            .field("digits", &self.inner.digits())
            .field("step", &self.inner.step())
            .field("key", &"REDACTED")
            .finish()
    }
}

impl Totp {
    /// The protocol TOTP of spec §0 for a 32-byte key: HMAC-SHA256, 6 digits, 30 s.
    ///
    /// ```
    /// use sealwright::attendance::totp::Totp;
    /// use sealwright::SecretKey32;
    /// let totp = Totp::new(&SecretKey32::new([7; 32]));
    /// let code = totp.generate(1_767_225_600_000);
    /// assert_eq!(code.as_str().len(), 6);
    /// // Accepted one step later, and the matched step is returned.
    /// assert_eq!(totp.verify(code.as_str(), 1_767_225_630_000), Some(1_767_225_600 / 30));
    /// assert_eq!(totp.verify(code.as_str(), 1_767_225_660_000), None);
    /// ```
    pub fn new(key: &SecretKey32) -> Self {
        // A 32-byte key, 6 digits and a 30 s step always pass the builder's checks; building
        // unchecked avoids an error path that cannot occur.
        Self {
            inner: Builder::new()
                .with_algorithm(Algorithm::SHA256)
                .with_digits(DIGITS)
                .with_step_duration(STEP_SECONDS)
                .with_skew(1)
                .with_secret(key.expose().as_slice())
                .build_noncompliant(),
        }
    }

    /// A general RFC 6238 TOTP (T0 = 0, skew of one step): `INVALID_INPUT` for a key under 16
    /// bytes, digits outside 6 to 8, or a zero step.
    pub fn with_params(
        key: &[u8],
        algorithm: TotpAlgorithm,
        digits: u8,
        step_seconds: u64,
    ) -> Result<Self> {
        let inner = Builder::new()
            .with_algorithm(algorithm.inner())
            .with_digits(digits)
            .with_step_duration(step_seconds)
            .with_skew(1)
            .with_secret(key)
            .build()
            .map_err(|_| Error::InvalidInput)?;
        Ok(Self { inner })
    }

    /// The code at `time_seconds` (RFC 6238 `T = floor(time / step)`).
    pub fn generate_at_seconds(&self, time_seconds: u64) -> TotpCode {
        let mut code = TotpCode {
            buf: [0; MAX_DIGITS],
            len: 0,
        };
        // At most 8 digits are written (checked at construction), so this cannot fail.
        let _ = fmt::write(
            &mut code,
            format_args!("{}", self.inner.generate(time_seconds)),
        );
        code
    }

    /// `TOTP(key, t)` at `floor(t_ms / 1000)` seconds.
    pub fn generate(&self, t_ms: u64) -> TotpCode {
        self.generate_at_seconds(t_ms / 1000)
    }

    /// Checks `code` against the steps of `t_ms`, `t_ms - 30 s` and `t_ms + 30 s` (in that
    /// order: the current step is the common case, so an honest code usually costs one HMAC);
    /// returns the matched step (`floor(seconds / step)`), which the caller may refuse to
    /// accept twice (RFC 6238 §5.2). Each comparison is constant time.
    pub fn verify(&self, code: &str, t_ms: u64) -> Option<u64> {
        let code = TotpCode::from_ascii(code.as_bytes()).ok()?;
        let step = self.inner.step();
        let origin = (t_ms / 1000) / step;
        [Some(origin), origin.checked_sub(1), origin.checked_add(1)]
            .into_iter()
            .flatten()
            .find(|&counter| {
                counter
                    .checked_mul(step)
                    .is_some_and(|at| self.generate_at_seconds(at) == code)
            })
    }

    /// Whether `code` is exactly the code at `t_ms` (no skew), in constant time.
    pub fn matches_at(&self, code: &TotpCode, t_ms: u64) -> bool {
        self.generate(t_ms) == *code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B (8 digits, 30 s).
    #[test]
    fn rfc6238_appendix_b() {
        let sha1 = Totp::with_params(b"12345678901234567890", TotpAlgorithm::Sha1, 8, 30).unwrap();
        let sha256 = Totp::with_params(
            b"12345678901234567890123456789012",
            TotpAlgorithm::Sha256,
            8,
            30,
        )
        .unwrap();
        let sha512 = Totp::with_params(
            b"1234567890123456789012345678901234567890123456789012345678901234",
            TotpAlgorithm::Sha512,
            8,
            30,
        )
        .unwrap();
        for (t, a, b, c) in [
            (59, "94287082", "46119246", "90693936"),
            (1111111109, "07081804", "68084774", "25091201"),
            (1111111111, "14050471", "67062674", "99943326"),
            (1234567890, "89005924", "91819424", "93441116"),
            (2000000000, "69279037", "90698825", "38618901"),
            (20000000000, "65353130", "77737706", "47863826"),
        ] {
            assert_eq!(sha1.generate_at_seconds(t).as_str(), a);
            assert_eq!(sha256.generate_at_seconds(t).as_str(), b);
            assert_eq!(sha512.generate_at_seconds(t).as_str(), c);
        }
    }

    #[test]
    fn params_are_checked() {
        assert!(Totp::with_params(&[1; 15], TotpAlgorithm::Sha256, 6, 30).is_err());
        assert!(Totp::with_params(&[1; 16], TotpAlgorithm::Sha256, 6, 30).is_ok());
        assert!(Totp::with_params(&[1; 32], TotpAlgorithm::Sha256, 9, 30).is_err());
        assert!(Totp::with_params(&[1; 32], TotpAlgorithm::Sha256, 5, 30).is_err());
        assert!(Totp::with_params(&[1; 32], TotpAlgorithm::Sha256, 6, 0).is_err());
    }

    #[test]
    fn code_parsing_and_matching() {
        assert!(TotpCode::from_ascii(b"12345").is_err());
        assert!(TotpCode::from_ascii(b"12345a").is_err());
        assert!(TotpCode::from_ascii(b"+12345").is_err());
        assert!(TotpCode::from_ascii(b"123456789").is_err());
        let totp = Totp::new(&SecretKey32::new([9; 32]));
        let code = totp.generate(90_000);
        assert!(totp.matches_at(&code, 119_999));
        assert!(!totp.matches_at(&code, 120_000));
        assert_eq!(totp.verify(code.as_str(), 60_000), Some(3));
        assert_eq!(totp.verify(code.as_str(), 149_999), Some(3));
        assert_eq!(totp.verify(code.as_str(), 150_000), None);
        assert_eq!(totp.verify("+12345", 90_000), None);
        assert_eq!(format!("{code:?}"), "TotpCode(REDACTED)");
    }
}
