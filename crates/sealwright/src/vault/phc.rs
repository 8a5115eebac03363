//! Legacy master password verifier (spec §4.1): the PHC string
//! `$pbkdf2-sha256$i=<iterations>,l=32$<salt>$<hash>` with `100000 <= i <= 10000000`,
//! `l = 32` and a salt of at least 16 bytes; anything else is `INVALID_VERIFIER`.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;

use super::kdf::{PBKDF2_MAX_I, pbkdf2_sha256};
use super::legacy::LEGACY_ITERATIONS;
use crate::crypto::ct_eq;
use crate::encoding::{phc_b64_decode, phc_b64_encode};
use crate::error::{Error, Result};
use crate::secret::{SecretKey32, SecretString};

/// The PHC algorithm identifier.
pub const PHC_ID: &str = "pbkdf2-sha256";
/// Smallest accepted iteration count.
pub const PHC_MIN_ITERATIONS: u32 = LEGACY_ITERATIONS;
/// Largest accepted iteration count (spec §4.1, version 2: `i <= 10000000`).
pub const PHC_MAX_ITERATIONS: u32 = PBKDF2_MAX_I;
/// Salt length of a created verifier (parsing accepts 16 or more).
pub const PHC_SALT_LEN: usize = 16;
/// The only hash length.
pub const PHC_HASH_LEN: usize = 32;

/// A parsed master password verifier.
///
/// ```
/// use sealwright::vault::PasswordVerifier;
/// let mut rng = rand::rng();
/// let password = "correct horse".into();
/// let phc = PasswordVerifier::create(&password, 100_000, &mut rng)?.to_phc();
/// assert!(phc.starts_with("$pbkdf2-sha256$i=100000,l=32$"));
/// let verifier = PasswordVerifier::parse(&phc)?;
/// assert!(verifier.verify(&password));
/// assert!(!verifier.verify(&"wrong".into()));
/// # Ok::<(), sealwright::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordVerifier {
    iterations: u32,
    salt: Vec<u8>,
    hash: SecretKey32,
}

impl fmt::Debug for PasswordVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordVerifier")
            .field("iterations", &self.iterations)
            .field("salt_len", &self.salt.len())
            .field("hash", &"REDACTED")
            .finish()
    }
}

/// A PHC decimal: ASCII digits only, no sign, no leading zero (except "0" itself), fits u32.
fn decimal(text: &str) -> Option<u32> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && !(text.len() > 1 && text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

fn pbkdf2_hash(password: &SecretString, salt: &[u8], iterations: u32) -> Result<SecretKey32> {
    let mut hash = SecretKey32::zeroed();
    pbkdf2_sha256(password.as_bytes(), salt, iterations, hash.expose_mut())?;
    Ok(hash)
}

fn check_iterations(iterations: u32) -> Result<()> {
    if (PHC_MIN_ITERATIONS..=PHC_MAX_ITERATIONS).contains(&iterations) {
        Ok(())
    } else {
        Err(Error::InvalidVerifier)
    }
}

impl PasswordVerifier {
    /// A new verifier of `password` with a fresh 16-byte salt and `iterations`
    /// (100,000 to 10,000,000, else `INVALID_VERIFIER`).
    pub fn create<R: CryptoRng + ?Sized>(
        password: &SecretString,
        iterations: u32,
        rng: &mut R,
    ) -> Result<Self> {
        check_iterations(iterations)?;
        let mut salt = alloc::vec![0u8; PHC_SALT_LEN];
        rng.fill_bytes(&mut salt);
        let hash = pbkdf2_hash(password, &salt, iterations)?;
        Ok(Self {
            iterations,
            salt,
            hash,
        })
    }

    /// Parses a PHC string (spec §4.1); every defect is `INVALID_VERIFIER`:
    /// another algorithm id; other than exactly the two parameters `i` then `l`; `i` not a
    /// canonical decimal (digits only, no sign, no leading zero) or outside
    /// `100000 <= i <= 10000000` (the upper bound keeps a verifier from making verification
    /// run unbounded); `l` other than `32`; salt or hash not canonical PHC base64 (standard
    /// alphabet, no padding, zero trailing bits); a salt under 16 bytes; a hash other than 32
    /// bytes; any extra field.
    pub fn parse(phc: &str) -> Result<Self> {
        Self::parse_inner(phc).ok_or(Error::InvalidVerifier)
    }

    fn parse_inner(phc: &str) -> Option<Self> {
        let mut fields = phc.split('$');
        let (empty, id, params, salt, hash) = (
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
        );
        if !empty.is_empty() || id != PHC_ID || fields.next().is_some() {
            return None;
        }
        let (i, l) = params.split_once(',')?;
        let iterations = decimal(i.strip_prefix("i=")?)?;
        if decimal(l.strip_prefix("l=")?)? != 32 {
            return None;
        }
        check_iterations(iterations).ok()?;
        let salt = phc_b64_decode(salt).ok()?;
        if salt.len() < PHC_SALT_LEN {
            return None;
        }
        let hash = SecretKey32::from_slice(&phc_b64_decode(hash).ok()?).ok()?;
        Some(Self {
            iterations,
            salt,
            hash,
        })
    }

    /// The PHC string `$pbkdf2-sha256$i=<iterations>,l=32$<salt>$<hash>`.
    pub fn to_phc(&self) -> String {
        format!(
            "${PHC_ID}$i={},l={PHC_HASH_LEN}${}${}",
            self.iterations,
            phc_b64_encode(&self.salt),
            phc_b64_encode(self.hash.expose())
        )
    }

    /// Iterations.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Salt bytes (public).
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// Whether `password` matches: recomputes PBKDF2 and compares in constant time.
    pub fn verify(&self, password: &SecretString) -> bool {
        // Parsing and creation guarantee iterations >= 100,000, so this cannot fail.
        pbkdf2_hash(password, &self.salt, self.iterations)
            .is_ok_and(|candidate| ct_eq(candidate.expose(), self.hash.expose()))
    }
}

/// Parses `phc` and verifies `password` against it: `Ok(true)` or `Ok(false)`, or
/// `INVALID_VERIFIER` for a malformed verifier.
pub fn verify_phc(phc: &str, password: &SecretString) -> Result<bool> {
    Ok(PasswordVerifier::parse(phc)?.verify(password))
}
