//! Version 2 KDF parameters (spec §4.2): `{"alg":"argon2id","m":..,"t":..,"p":..}` or
//! `{"alg":"pbkdf2-sha256","i":..}`, their enforced minimums and maxima, and `MK = KDF(pw, s)`.

use alloc::format;
use alloc::string::String;
use argon2::{Algorithm, Argon2, Params, Version};
use serde::Deserialize;
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
/// [`KdfParams::parse`] only checks the shape; [`KdfParams::check`] enforces the spec's
/// minimums (`WEAK_KDF`) and maxima (`INVALID_INPUT`), and every derivation runs it first.
///
/// ```
/// use sealwright::vault::KdfParams;
/// let kdf = KdfParams::parse(r#"{"p":1,"alg":"argon2id","m":19456,"t":2}"#)?;
/// assert_eq!(kdf.to_json(), r#"{"alg":"argon2id","m":19456,"t":2,"p":1}"#);
/// assert!(kdf.check().is_ok());
/// let weak = KdfParams::Pbkdf2Sha256 { i: 100_000 };
/// assert_eq!(weak.check(), Err(sealwright::Error::WeakKdf));
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

/// The members a KDF object may carry. Unknown members are ignored (spec §0); a member given
/// twice, a non-string `alg` or a number that is not a non-negative integer is `INVALID_INPUT`.
#[derive(Deserialize)]
struct Wire {
    alg: String,
    m: Option<u64>,
    t: Option<u64>,
    p: Option<u64>,
    i: Option<u64>,
}

fn member(v: Option<u64>) -> Result<u32> {
    // A value above u32::MAX is above every maximum, so INVALID_INPUT either way.
    v.ok_or(Error::InvalidInput)
        .and_then(|n| u32::try_from(n).map_err(|_| Error::InvalidInput))
}

impl KdfParams {
    /// The spec default: Argon2id m=65536 KiB, t=3, p=4.
    pub const DEFAULT: Self = Self::Argon2id {
        m: 65_536,
        t: 3,
        p: 4,
    };

    /// Parses the KDF JSON object.
    ///
    /// * not a JSON object, a missing or mistyped member, a duplicate member, a number that is
    ///   not an integer in `0..=u32::MAX`: `INVALID_INPUT`;
    /// * an `alg` other than `argon2id` or `pbkdf2-sha256`: `UNSUPPORTED_VERSION` (the `alg`
    ///   names the format, so a newer peer's choice reads as "unsupported", not "malformed").
    ///
    /// Members of the other algorithm and unknown members are ignored (spec §0). The limits are
    /// not checked here: see [`Self::check`].
    pub fn parse(json: &str) -> Result<Self> {
        let wire: Wire = super::parse_json_object(json)?;
        match wire.alg.as_str() {
            ALG_ARGON2ID => Ok(Self::Argon2id {
                m: member(wire.m)?,
                t: member(wire.t)?,
                p: member(wire.p)?,
            }),
            ALG_PBKDF2_SHA256 => Ok(Self::Pbkdf2Sha256 { i: member(wire.i)? }),
            _ => Err(Error::UnsupportedVersion),
        }
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
