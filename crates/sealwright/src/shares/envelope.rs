//! Share plaintexts and password envelopes (spec §3).
//!
//! * Share plaintext, 39 bytes: `0x01 (format) || 0x02 (threshold) || x || u32be(generation)
//!   || y (32 bytes big-endian)`.
//! * Envelope: `b64(salt(16) || iv(12) || AESGCM(K, iv, plaintext, ""))` with
//!   `K = Argon2id(password, salt, t=3, m=65536 KiB, p=4, length 16, version 0x13)`.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use k256::Scalar;
use k256::elliptic_curve::ff::PrimeField;
use rand_core::CryptoRng;

use crate::crypto;
use crate::encoding::{self, Reader};
use crate::error::{Error, Result};
use crate::secret::{SecretBytes, SecretKey32, SecretString};

/// The share format byte this implementation writes and reads.
pub const FORMAT: u8 = 0x01;
/// The threshold byte: any 2 of the 3 shares reconstruct the key.
pub const THRESHOLD: u8 = 2;
/// Length of a share plaintext, in bytes.
pub const PLAINTEXT_LEN: usize = 39;
/// Length of an envelope's Argon2id salt, in bytes.
pub const SALT_LEN: usize = 16;
/// Length of an envelope's AES-GCM IV, in bytes.
pub const IV_LEN: usize = 12;
/// Length of the AES-GCM tag, in bytes.
pub const TAG_LEN: usize = 16;
/// Length of a decoded envelope: salt, IV, plaintext and tag (83 bytes).
pub const ENVELOPE_LEN: usize = SALT_LEN + IV_LEN + PLAINTEXT_LEN + TAG_LEN;
/// Length of the envelope key `K` (AES-128), in bytes.
pub const KEY_LEN: usize = 16;
/// Argon2id memory cost, in KiB (64 MiB).
pub const ARGON2_M_KIB: u32 = 65_536;
/// Argon2id passes.
pub const ARGON2_T: u32 = 3;
/// Argon2id lanes.
pub const ARGON2_P: u32 = 4;

/// The envelope key `K` (AES-128).
pub type EnvelopeKey = SecretBytes<KEY_LEN>;

/// A decoded share plaintext: the share `(x, y)` of one generation.
///
/// `y` is secret (it zeroizes on drop and `Debug` prints it as `REDACTED`).
#[derive(Clone, PartialEq, Eq)]
pub struct SharePlaintext {
    x: u8,
    generation: u32,
    y: SecretKey32,
}

// `y` is a `SecretKey32`, which zeroizes itself on drop; `x` and the generation are public.
impl zeroize::ZeroizeOnDrop for SharePlaintext {}

impl fmt::Debug for SharePlaintext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharePlaintext")
            .field("x", &self.x)
            .field("generation", &self.generation)
            .field("y", &"REDACTED")
            .finish()
    }
}

impl SharePlaintext {
    /// A share `(x, y)` of `generation`; `INVALID_SHARE` unless `x` is 1, 2 or 3 and `y < n`.
    pub fn new(x: u8, generation: u32, y: SecretKey32) -> Result<Self> {
        if !(1..=3).contains(&x) {
            return Err(Error::InvalidShare);
        }
        // The parsed scalar is the share's secret `y`: zeroized after the range check.
        let parsed = zeroize::Zeroizing::new(Option::<Scalar>::from(Scalar::from_repr(
            (*y.expose()).into(),
        )));
        if parsed.is_none() {
            return Err(Error::InvalidShare);
        }
        Ok(Self { x, generation, y })
    }

    /// The share index `x` (1 = user, 2 = hot, 3 = cold).
    pub fn x(&self) -> u8 {
        self.x
    }

    /// The generation this share belongs to.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// The share value `y = f(x)`, 32 bytes big-endian.
    pub fn y(&self) -> &SecretKey32 {
        &self.y
    }

    /// The 39-byte plaintext `0x01 || 0x02 || x || u32be(generation) || y`.
    pub fn encode(&self) -> SecretBytes<PLAINTEXT_LEN> {
        let mut out = SecretBytes::<PLAINTEXT_LEN>::zeroed();
        let bytes = [FORMAT, THRESHOLD, self.x]
            .into_iter()
            .chain(self.generation.to_be_bytes())
            .chain(self.y.expose().iter().copied());
        out.expose_mut()
            .iter_mut()
            .zip(bytes)
            .for_each(|(o, b)| *o = b);
        out
    }

    /// Checks only the format byte (the second check of spec §3 "opening two shares"):
    /// `INVALID_INPUT` if the length is not 39, `UNSUPPORTED_VERSION` unless it is `0x01`.
    pub fn check_format(bytes: &[u8]) -> Result<()> {
        if bytes.len() != PLAINTEXT_LEN {
            return Err(Error::InvalidInput);
        }
        match bytes.first() {
            Some(&FORMAT) => Ok(()),
            _ => Err(Error::UnsupportedVersion),
        }
    }

    /// Strict decoding: length 39 (`INVALID_INPUT`), format `0x01` (`UNSUPPORTED_VERSION`),
    /// threshold 2, `x` in {1, 2, 3} and `y < n` (`INVALID_SHARE`).
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        Self::check_format(bytes)?;
        let mut r = Reader::new(bytes);
        let _format = r.u8()?;
        let threshold = r.u8()?;
        let x = r.u8()?;
        let generation = r.u32be()?;
        let y = SecretKey32::new(r.array()?);
        r.finish()?;
        if threshold != THRESHOLD {
            return Err(Error::InvalidShare);
        }
        Self::new(x, generation, y)
    }
}

/// The raw parts of a decoded envelope (not secret: salt, IV and ciphertext). `Debug` shows
/// only their lengths: a logged envelope is the material of an offline password search.
#[derive(Clone, PartialEq, Eq)]
pub struct EnvelopeParts {
    /// The Argon2id salt.
    pub salt: [u8; SALT_LEN],
    /// The AES-GCM IV.
    pub iv: [u8; IV_LEN],
    /// `AESGCM(K, iv, plaintext, "")`: ciphertext and tag, 55 bytes.
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for EnvelopeParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvelopeParts")
            .field("salt_len", &self.salt.len())
            .field("iv_len", &self.iv.len())
            .field("ciphertext_len", &self.ciphertext.len())
            .finish()
    }
}

impl EnvelopeParts {
    /// Decodes an envelope: strict base64 of exactly 83 bytes. Every failure is
    /// `DECRYPTION_FAILED` ("Invalid password or corrupted data", spec §3), bad base64
    /// included, so a damaged envelope reads the same however it was damaged.
    pub fn decode(envelope: &str) -> Result<Self> {
        let raw = encoding::b64_decode(envelope).map_err(|_| Error::DecryptionFailed)?;
        if raw.len() != ENVELOPE_LEN {
            return Err(Error::DecryptionFailed);
        }
        let mut r = Reader::new(&raw);
        let salt = r.array().map_err(|_| Error::DecryptionFailed)?;
        let iv = r.array().map_err(|_| Error::DecryptionFailed)?;
        let ciphertext = r.rest().to_vec();
        Ok(Self {
            salt,
            iv,
            ciphertext,
        })
    }

    /// `b64(salt || iv || ciphertext)`.
    pub fn encode(&self) -> String {
        let mut raw = Vec::with_capacity(ENVELOPE_LEN);
        raw.extend_from_slice(&self.salt);
        raw.extend_from_slice(&self.iv);
        raw.extend_from_slice(&self.ciphertext);
        encoding::b64_encode(&raw)
    }

    /// Opens the ciphertext with an already derived key (`DECRYPTION_FAILED` on a bad tag).
    pub fn open_with_key(&self, key: &EnvelopeKey) -> Result<SecretBytes<PLAINTEXT_LEN>> {
        let pt = crypto::aes_gcm_decrypt(key.expose(), &self.iv, &self.ciphertext, b"")?;
        SecretBytes::from_slice(pt.expose()).map_err(|_| Error::DecryptionFailed)
    }
}

fn argon2id() -> Result<argon2::Argon2<'static>> {
    let params = argon2::Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, Some(KEY_LEN))
        .map_err(|_| Error::InvalidInput)?;
    Ok(argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params,
    ))
}

/// `K = Argon2id(password, salt, t=3, m=65536 KiB, p=4, length 16, version 0x13)`.
pub fn derive_key(password: &SecretString, salt: &[u8; SALT_LEN]) -> Result<EnvelopeKey> {
    let mut key = EnvelopeKey::zeroed();
    argon2id()?
        .hash_password_into(password.as_bytes(), salt, key.expose_mut())
        .map_err(|_| Error::InvalidInput)?;
    Ok(key)
}

/// Seals a plaintext with a given salt and IV (the vectors' path; production code uses
/// [`seal`], which draws them from the RNG). Feature `test-utils` only: a repeated salt and IV
/// under one password repeats the AES-GCM key and nonce.
#[cfg(feature = "test-utils")]
pub fn seal_with(
    password: &SecretString,
    share: &SharePlaintext,
    salt: [u8; SALT_LEN],
    iv: [u8; IV_LEN],
) -> Result<String> {
    let key = derive_key(password, &salt)?;
    seal_with_key(&key, share, salt, iv)
}

/// Seals with an already derived key.
pub(crate) fn seal_with_key(
    key: &EnvelopeKey,
    share: &SharePlaintext,
    salt: [u8; SALT_LEN],
    iv: [u8; IV_LEN],
) -> Result<String> {
    let ciphertext = crypto::aes_gcm_encrypt(key.expose(), &iv, share.encode().expose(), b"")?;
    Ok(EnvelopeParts {
        salt,
        iv,
        ciphertext,
    }
    .encode())
}

/// Seals a share under the password with a fresh salt and IV: 16 then 12 bytes from `rng`.
pub fn seal<R: CryptoRng + ?Sized>(
    password: &SecretString,
    share: &SharePlaintext,
    rng: &mut R,
) -> Result<String> {
    let mut salt = [0u8; SALT_LEN];
    let mut iv = [0u8; IV_LEN];
    rng.fill_bytes(&mut salt);
    rng.fill_bytes(&mut iv);
    let key = derive_key(password, &salt)?;
    seal_with_key(&key, share, salt, iv)
}

/// Opens one envelope to its 39-byte plaintext (spec §3; `open` in `shares.json`). Any
/// failure (bad base64, a decoded length other than 83, a wrong password, corrupted data) is
/// `DECRYPTION_FAILED`. The plaintext is not decoded here: see [`SharePlaintext::decode`].
pub fn open_envelope(
    password: &SecretString,
    envelope: &str,
) -> Result<SecretBytes<PLAINTEXT_LEN>> {
    let parts = EnvelopeParts::decode(envelope)?;
    let key = derive_key(password, &parts.salt)?;
    parts.open_with_key(&key)
}

/// Opens two envelopes under the same password: two Argon2id derivations, run on two threads
/// on native targets (sequentially on wasm32). Both envelopes are decoded before any
/// derivation, so a damaged second envelope costs no Argon2 run.
pub(crate) fn open_two(
    password: &SecretString,
    first: &str,
    second: &str,
) -> Result<[SecretBytes<PLAINTEXT_LEN>; 2]> {
    let a = EnvelopeParts::decode(first);
    let b = EnvelopeParts::decode(second);
    let (a, b) = (a?, b?);
    let (ka, kb) = derive_two(password, &a.salt, &b.salt);
    let (pa, pb) = (a.open_with_key(&ka?), b.open_with_key(&kb?));
    Ok([pa?, pb?])
}

#[cfg(not(target_arch = "wasm32"))]
fn derive_two(
    password: &SecretString,
    first: &[u8; SALT_LEN],
    second: &[u8; SALT_LEN],
) -> (Result<EnvelopeKey>, Result<EnvelopeKey>) {
    std::thread::scope(|scope| {
        // Should the OS refuse a thread, derive both here, one after the other.
        let spawned = std::thread::Builder::new()
            .spawn_scoped(scope, || derive_key(password, second))
            .ok();
        let a = derive_key(password, first);
        // A panic inside Argon2 is not expected; should the thread die anyway, derive here
        // rather than propagate it.
        let b = spawned
            .and_then(|h| h.join().ok())
            .unwrap_or_else(|| derive_key(password, second));
        (a, b)
    })
}

#[cfg(target_arch = "wasm32")]
fn derive_two(
    password: &SecretString,
    first: &[u8; SALT_LEN],
    second: &[u8; SALT_LEN],
) -> (Result<EnvelopeKey>, Result<EnvelopeKey>) {
    (derive_key(password, first), derive_key(password, second))
}

/// Opens an envelope with a precomputed key, skipping Argon2 (fuzzing and benches only).
#[doc(hidden)]
pub fn open_envelope_with_key(
    key: &EnvelopeKey,
    envelope: &str,
) -> Result<SecretBytes<PLAINTEXT_LEN>> {
    EnvelopeParts::decode(envelope)?.open_with_key(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share() -> SharePlaintext {
        SharePlaintext::new(2, 0x0102_0304, SecretKey32::new([7; 32])).unwrap()
    }

    #[test]
    fn plaintext_layout_and_strict_decode() {
        let enc = share().encode();
        assert_eq!(&enc.expose()[..7], &[1, 2, 2, 1, 2, 3, 4]);
        assert_eq!(SharePlaintext::decode(enc.expose()).unwrap(), share());
        let mut bad = *enc.expose();
        bad[0] = 2;
        assert_eq!(
            SharePlaintext::decode(&bad).err(),
            Some(Error::UnsupportedVersion)
        );
        let mut bad = *enc.expose();
        bad[1] = 3;
        assert_eq!(
            SharePlaintext::decode(&bad).err(),
            Some(Error::InvalidShare)
        );
        for x in [0u8, 4, 255] {
            let mut bad = *enc.expose();
            bad[2] = x;
            assert_eq!(
                SharePlaintext::decode(&bad).err(),
                Some(Error::InvalidShare)
            );
        }
        let mut bad = *enc.expose();
        bad[7..].copy_from_slice(&[0xff; 32]);
        assert_eq!(
            SharePlaintext::decode(&bad).err(),
            Some(Error::InvalidShare)
        );
        assert_eq!(
            SharePlaintext::decode(&enc.expose()[..38]).err(),
            Some(Error::InvalidInput)
        );
        assert_eq!(SharePlaintext::decode(&[]).err(), Some(Error::InvalidInput));
    }

    #[test]
    fn envelope_with_key_round_trip_and_lengths() {
        let key = EnvelopeKey::new([9; 16]);
        let env = seal_with_key(&key, &share(), [1; 16], [2; 12]).unwrap();
        let raw = encoding::b64_decode(&env).unwrap();
        assert_eq!(raw.len(), ENVELOPE_LEN);
        assert_eq!(&raw[..16], &[1; 16]);
        assert_eq!(
            open_envelope_with_key(&key, &env).unwrap().expose(),
            share().encode().expose()
        );
        for len in [0usize, 82, 84] {
            let e = encoding::b64_encode(&vec![0u8; len]);
            assert_eq!(
                open_envelope_with_key(&key, &e).err(),
                Some(Error::DecryptionFailed)
            );
        }
        assert_eq!(
            open_envelope_with_key(&key, "not base64!").err(),
            Some(Error::DecryptionFailed)
        );
        assert_eq!(
            open_envelope_with_key(&EnvelopeKey::new([8; 16]), &env).err(),
            Some(Error::DecryptionFailed)
        );
    }

    #[test]
    fn debug_redacts_y() {
        let s = format!("{:?}", share());
        assert!(!s.contains("07"), "{s}");
        assert!(s.contains("REDACTED"));
    }
}
