//! Version 2 KDF parameters (spec §4.2): `{"alg":"argon2id","m":..,"t":..,"p":..}` or
//! `{"alg":"pbkdf2-sha256","i":..}`, their enforced minimums and maxima, and `MK = KDF(pw, s)`.
//!
//! Spec §4.2 rules and their codes, applied by [`KdfParams::from_json`] and [`KdfParams::check`]:
//!
//! | condition | code |
//! |---|---|
//! | `kdf` not a JSON object; `alg` missing or not a string (decision); a member of its algorithm missing or not a JSON integer | `INVALID_INPUT` |
//! | `alg` a string other than `argon2id` / `pbkdf2-sha256` | `UNSUPPORTED_VERSION` |
//! | a member below its minimum (Argon2id m=19456, t=2, p=1; PBKDF2 i=600000), 0 and negative integers included | `WEAK_KDF` |
//! | otherwise a member above its maximum (Argon2id m=1048576, t=16, p=16; PBKDF2 i=10,000,000) | `INVALID_INPUT` |
//!
//! Weakness is checked before the maxima, so a server that sends both learns `WEAK_KDF`.

use alloc::format;
use alloc::string::String;
use argon2::{Algorithm, Argon2, Params, Version};
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::secret::{SecretKey32, SecretString};

/// Argon2id minimum memory, KiB (spec §4.2): below is `WEAK_KDF`.
pub const ARGON2_MIN_M: u32 = 19_456;
/// Argon2id minimum passes.
pub const ARGON2_MIN_T: u32 = 2;
/// Argon2id minimum lanes.
pub const ARGON2_MIN_P: u32 = 1;
/// Argon2id maximum memory, KiB (spec §4.2): above is `INVALID_INPUT`.
pub const ARGON2_MAX_M: u32 = 1_048_576;
/// Argon2id maximum passes.
pub const ARGON2_MAX_T: u32 = 16;
/// Argon2id maximum lanes.
pub const ARGON2_MAX_P: u32 = 16;
/// PBKDF2-HMAC-SHA256 minimum iterations for version 2 (spec §4.2).
pub const PBKDF2_MIN_I: u32 = 600_000;
/// PBKDF2-HMAC-SHA256 maximum iterations for version 2 (spec §4.2).
pub const PBKDF2_MAX_I: u32 = 10_000_000;

/// The `alg` of Argon2id parameters.
pub const ALG_ARGON2ID: &str = "argon2id";
/// The `alg` of PBKDF2-HMAC-SHA256 parameters.
pub const ALG_PBKDF2_SHA256: &str = "pbkdf2-sha256";

/// Public KDF parameters of a version 2 vault (spec §4.2), stored by the server beside the salt.
///
/// [`KdfParams::from_json`] checks the shape (and refuses integers that do not fit a `u32` with
/// the limit's code); [`KdfParams::check`] enforces the spec's minimums (`WEAK_KDF`) and
/// maxima (`INVALID_INPUT`), and every derivation runs it first.
///
/// ```
/// use sealwright::{Error, vault::KdfParams};
/// let kdf = KdfParams::from_json(r#"{"p":1,"alg":"argon2id","m":19456,"t":2}"#)?;
/// assert_eq!(kdf.to_json(), r#"{"alg":"argon2id","m":19456,"t":2,"p":1}"#);
/// assert!(kdf.check().is_ok());
/// let weak = KdfParams::Pbkdf2Sha256 { i: 100_000 };
/// assert_eq!(weak.check(), Err(Error::WeakKdf));
/// // Spec §4.2 object errors.
/// assert_eq!(KdfParams::from_json(r#""argon2id""#), Err(Error::InvalidInput)); // not an object
/// assert_eq!(KdfParams::from_json(r#"{"alg":"scrypt"}"#), Err(Error::UnsupportedVersion));
/// assert_eq!(KdfParams::from_json(r#"{"alg":"pbkdf2-sha256","i":6e5}"#), Err(Error::InvalidInput));
/// assert_eq!(KdfParams::from_json(r#"{"alg":"pbkdf2-sha256","i":0}"#)?.check(), Err(Error::WeakKdf));
/// # Ok::<(), sealwright::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KdfParams {
    /// Argon2id, version 0x13, 32-byte output.
    Argon2id {
        /// Memory in KiB.
        m: u32,
        /// Passes (time cost).
        t: u32,
        /// Lanes (parallelism).
        p: u32,
    },
    /// PBKDF2-HMAC-SHA256, 32-byte output.
    Pbkdf2Sha256 {
        /// Iterations.
        i: u32,
    },
}

impl Default for KdfParams {
    /// The spec default: Argon2id m=65536, t=3, p=4.
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The members a KDF object may carry, each kept as its raw JSON text so that the rules of
/// spec §4.2 can be applied exactly (serde would read a negative or a very large integer as a
/// type error). Unknown members are ignored (spec §0); a known member given twice is a
/// serde error (`INVALID_INPUT`).
#[derive(Deserialize)]
struct Wire {
    alg: Option<Box<RawValue>>,
    m: Option<Box<RawValue>>,
    t: Option<Box<RawValue>>,
    p: Option<Box<RawValue>>,
    i: Option<Box<RawValue>>,
}

/// A member of the KDF object, read as spec §4.2 says.
#[derive(Clone, Copy)]
enum Member {
    /// A JSON integer in `0..=u32::MAX`.
    Value(u32),
    /// A negative integer (`-0` is 0, so it is `Value(0)`): below every minimum.
    Negative,
    /// An integer above `u32::MAX`: above every maximum.
    Huge,
}

impl Member {
    /// Missing, `null`, or not a JSON integer (a string, a boolean, an array, an object, or a
    /// number with a fraction or an exponent, even `1.0` or `1e5`): `INVALID_INPUT`.
    fn read(raw: Option<&RawValue>) -> Result<Self> {
        let text = raw.ok_or(Error::InvalidInput)?.get();
        // RawValue holds one valid JSON value without surrounding whitespace, so an optional
        // '-' followed by ASCII digits only is exactly a JSON integer.
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidInput);
        }
        if digits.bytes().all(|b| b == b'0') {
            return Ok(Self::Value(0));
        }
        if negative {
            return Ok(Self::Negative);
        }
        Ok(digits.parse().map_or(Self::Huge, Self::Value))
    }

    /// The value for [`KdfParams::check`]: out-of-range integers are clamped to 0 or
    /// `u32::MAX`, which fall on the same side of every limit as the integer itself.
    fn clamped(self) -> u32 {
        match self {
            Self::Value(v) => v,
            Self::Negative => 0,
            Self::Huge => u32::MAX,
        }
    }

    fn in_range(self) -> bool {
        matches!(self, Self::Value(_))
    }
}

impl KdfParams {
    /// The spec default: Argon2id m=65536 KiB, t=3, p=4.
    pub const DEFAULT: Self = Self::Argon2id {
        m: 65_536,
        t: 3,
        p: 4,
    };

    /// Parses the KDF JSON object (spec §4.2). In order:
    ///
    /// 1. not a JSON object, malformed JSON, or a known member given twice: `INVALID_INPUT`;
    /// 2. `alg` missing, `null` or not a string: `INVALID_INPUT` (the spec names only an
    ///    unknown `alg` *string*; any other `alg` is a wrong field type, so structural);
    /// 3. an `alg` string other than `argon2id` or `pbkdf2-sha256` (case-sensitive):
    ///    `UNSUPPORTED_VERSION` (the `alg` names the format);
    /// 4. a member of that algorithm (`m`, `t`, `p`, or `i`) missing, `null`, or not a JSON
    ///    integer: `INVALID_INPUT`. "Integer" means a JSON number written without fraction
    ///    or exponent, as every generator writes it (§0): `1.0` and `1e5` are
    ///    `INVALID_INPUT`;
    /// 5. an integer outside `0..=u32::MAX` (negative, or above every maximum): the verdict
    ///    of [`Self::check`] on the parameters, so a negative member is `WEAK_KDF` like 0 and
    ///    a huge one `INVALID_INPUT` unless another member is below its minimum.
    ///
    /// Members of the other algorithm and unknown members are ignored whatever their type
    /// (spec §0). Otherwise the limits are not checked here: see [`Self::check`], which
    /// every derivation runs.
    pub fn from_json(json: &str) -> Result<Self> {
        let wire: Wire = super::parse_json_object(json)?;
        let alg: String = match wire.alg {
            Some(raw) => {
                serde_json::from_str::<String>(raw.get()).map_err(|_| Error::InvalidInput)?
            }
            None => return Err(Error::InvalidInput),
        };
        let (params, in_range) = match alg.as_str() {
            ALG_ARGON2ID => {
                let m = Member::read(wire.m.as_deref())?;
                let t = Member::read(wire.t.as_deref())?;
                let p = Member::read(wire.p.as_deref())?;
                (
                    Self::Argon2id {
                        m: m.clamped(),
                        t: t.clamped(),
                        p: p.clamped(),
                    },
                    [m, t, p].iter().all(|x| x.in_range()),
                )
            }
            ALG_PBKDF2_SHA256 => {
                let i = Member::read(wire.i.as_deref())?;
                (Self::Pbkdf2Sha256 { i: i.clamped() }, i.in_range())
            }
            _ => return Err(Error::UnsupportedVersion),
        };
        if !in_range {
            // Clamped values are below a minimum or above a maximum, so this is an error.
            params.check()?;
            return Err(Error::InvalidInput);
        }
        Ok(params)
    }

    /// The canonical JSON: `{"alg":"argon2id","m":..,"t":..,"p":..}` or
    /// `{"alg":"pbkdf2-sha256","i":..}`, no whitespace, members in that order.
    pub fn to_json(&self) -> String {
        match *self {
            Self::Argon2id { m, t, p } => {
                format!(r#"{{"alg":"{ALG_ARGON2ID}","m":{m},"t":{t},"p":{p}}}"#)
            }
            Self::Pbkdf2Sha256 { i } => format!(r#"{{"alg":"{ALG_PBKDF2_SHA256}","i":{i}}}"#),
        }
    }

    /// Enforces the spec §4.2 limits: any parameter below its minimum is `WEAK_KDF` (so a
    /// server cannot downgrade a client), otherwise any parameter above its maximum is
    /// `INVALID_INPUT` (so a server cannot exhaust it). Weakness is checked first.
    pub fn check(&self) -> Result<()> {
        match *self {
            Self::Argon2id { m, t, p } => {
                if m < ARGON2_MIN_M || t < ARGON2_MIN_T || p < ARGON2_MIN_P {
                    return Err(Error::WeakKdf);
                }
                if m > ARGON2_MAX_M || t > ARGON2_MAX_T || p > ARGON2_MAX_P {
                    return Err(Error::InvalidInput);
                }
            }
            Self::Pbkdf2Sha256 { i } => {
                if i < PBKDF2_MIN_I {
                    return Err(Error::WeakKdf);
                }
                if i > PBKDF2_MAX_I {
                    return Err(Error::InvalidInput);
                }
            }
        }
        Ok(())
    }

    /// `MK = KDF(masterPassword, s)`, 32 bytes (spec §4.2). Runs [`Self::check`] first, so
    /// weak or oversized parameters never reach the KDF.
    pub fn master_key(&self, master_password: &SecretString, salt: &[u8]) -> Result<SecretKey32> {
        self.check()?;
        let mut out = SecretKey32::zeroed();
        match *self {
            Self::Argon2id { m, t, p } => {
                argon2id(m, t, p, master_password.as_bytes(), salt, out.expose_mut())?;
            }
            Self::Pbkdf2Sha256 { i } => {
                pbkdf2::pbkdf2_hmac::<Sha256>(
                    master_password.as_bytes(),
                    salt,
                    i,
                    out.expose_mut(),
                );
            }
        }
        Ok(out)
    }
}

/// `PBKDF2-HMAC-SHA256(password, salt, iterations, out.len())` through the `pbkdf2` crate:
/// the one PBKDF2 path of the vault (legacy record keys, PHC verifiers, version 2 KDF).
/// `INVALID_INPUT` for zero iterations or an empty output.
pub fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) -> Result<()> {
    if iterations == 0 || out.is_empty() {
        return Err(Error::InvalidInput);
    }
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, out);
    Ok(())
}

/// Argon2id v0x13 through the `argon2` crate; with the `parallel` feature (on for native
/// builds) the `p` lanes are filled on rayon threads.
pub(crate) fn argon2id(
    m: u32,
    t: u32,
    p: u32,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<()> {
    let params = Params::new(m, t, p, Some(out.len())).map_err(|_| Error::InvalidInput)?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password, salt, out)
        .map_err(|_| Error::InvalidInput)
}
