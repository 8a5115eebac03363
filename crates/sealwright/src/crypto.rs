//! Thin wrappers over RustCrypto for the primitives every protocol shares (spec §0):
//! `AESGCM`, `sealed()`, `HKDF`, SHA-256, HMAC-SHA256, constant-time comparison and pickles.
//!
//! Safe by default: every public encryption here draws its nonce from the RNG you pass
//! ([`sealed`], [`pickle_seal`]). The two functions that take a caller-chosen nonce,
//! `aes_gcm_encrypt` and `sealed_with_nonce`, exist publicly only with the cargo feature
//! `test-utils` (tests and vector generation): a repeated nonce under one key breaks AES-GCM.

use aes::{Aes128, Aes256};
use aes_gcm::AesGcm;
use aes_gcm::aead::array::Array;
use aes_gcm::aead::consts::{U12, U16};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use alloc::string::String;
use alloc::vec::Vec;
use hmac::{Hmac, Mac};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::encoding;
use crate::error::{Error, Result};
use crate::secret::{SecretBytes, SecretKey32, SecretVec};

/// Length of the random nonce `sealed()` puts in front of the ciphertext.
pub const NONCE_LEN: usize = 12;
/// Length of the AES-GCM tag.
pub const TAG_LEN: usize = 16;

type Aes128Gcm16 = AesGcm<Aes128, U16>;
type Aes256Gcm16 = AesGcm<Aes256, U16>;
type Aes128Gcm12 = AesGcm<Aes128, U12>;
type Aes256Gcm12 = AesGcm<Aes256, U12>;

fn encrypt_with<C: KeyInit + Aead + aes_gcm::AeadCore>(
    key: &[u8],
    nonce: &[u8],
    pt: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>> {
    let cipher = C::new_from_slice(key).map_err(|_| Error::InvalidInput)?;
    let nonce = Array::try_from(nonce).map_err(|_| Error::InvalidInput)?;
    cipher
        .encrypt(&nonce, Payload { msg: pt, aad })
        .map_err(|_| Error::InvalidInput)
}

fn decrypt_with<C: KeyInit + Aead + aes_gcm::AeadCore>(
    key: &[u8],
    nonce: &[u8],
    ct: &[u8],
    aad: &[u8],
) -> Result<SecretVec> {
    let cipher = C::new_from_slice(key).map_err(|_| Error::InvalidInput)?;
    let nonce = Array::try_from(nonce).map_err(|_| Error::DecryptionFailed)?;
    cipher
        .decrypt(&nonce, Payload { msg: ct, aad })
        .map(SecretVec::new)
        .map_err(|_| Error::DecryptionFailed)
}

#[cfg(feature = "test-utils")]
pub use caller_nonce::{aes_gcm_encrypt, sealed_with_nonce};
// Some feature subsets (e.g. `vault` alone) never call `aes_gcm_encrypt` directly.
#[cfg(not(feature = "test-utils"))]
#[allow(unused_imports)]
pub(crate) use caller_nonce::{aes_gcm_encrypt, sealed_with_nonce};

/// Encryption under a caller-chosen nonce: public only with `test-utils` (see the module docs).
mod caller_nonce {
    use super::*;

    /// `AESGCM(k, n, pt, aad)`: AES-128/256-GCM by key length (16 or 32 bytes), with a 12-byte
    /// nonce or a 16-byte IV (the legacy vault format). Returns `ciphertext || tag`.
    ///
    /// Feature `test-utils` only (tests, vectors): the caller chooses the nonce, and reusing one
    /// under the same key breaks AES-GCM's confidentiality and authenticity.
    pub fn aes_gcm_encrypt(key: &[u8], nonce: &[u8], pt: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        match (key.len(), nonce.len()) {
            (16, 12) => encrypt_with::<Aes128Gcm12>(key, nonce, pt, aad),
            (32, 12) => encrypt_with::<Aes256Gcm12>(key, nonce, pt, aad),
            (16, 16) => encrypt_with::<Aes128Gcm16>(key, nonce, pt, aad),
            (32, 16) => encrypt_with::<Aes256Gcm16>(key, nonce, pt, aad),
            _ => Err(Error::InvalidInput),
        }
    }

    /// `sealed()` with a given nonce, for test vectors; production code uses [`sealed`].
    ///
    /// Feature `test-utils` only: never reuse a nonce with the same key.
    pub fn sealed_with_nonce(
        key: &[u8],
        nonce: &[u8; NONCE_LEN],
        pt: &[u8],
        aad: &[u8],
    ) -> Result<Vec<u8>> {
        let ct = aes_gcm_encrypt(key, nonce, pt, aad)?;
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }
}

/// Opens `ciphertext || tag` (`DECRYPTION_FAILED` on any failure, including a short input).
pub fn aes_gcm_decrypt(key: &[u8], nonce: &[u8], ct: &[u8], aad: &[u8]) -> Result<SecretVec> {
    if ct.len() < TAG_LEN {
        return Err(Error::DecryptionFailed);
    }
    match (key.len(), nonce.len()) {
        (16, 12) => decrypt_with::<Aes128Gcm12>(key, nonce, ct, aad),
        (32, 12) => decrypt_with::<Aes256Gcm12>(key, nonce, ct, aad),
        (16, 16) => decrypt_with::<Aes128Gcm16>(key, nonce, ct, aad),
        (32, 16) => decrypt_with::<Aes256Gcm16>(key, nonce, ct, aad),
        (16 | 32, _) => Err(Error::DecryptionFailed),
        _ => Err(Error::InvalidInput),
    }
}

/// `sealed(k, pt, aad) = n || AESGCM(k, n, pt, aad)` with 12 fresh random bytes `n`.
///
/// ```
/// use sealwright::crypto::{open, sealed};
/// let mut rng = rand::rng();
/// let key = [1u8; 32];
/// let boxed = sealed(&key, b"hello", b"aad", &mut rng).unwrap();
/// assert_eq!(open(&key, &boxed, b"aad").unwrap().expose(), b"hello");
/// assert!(open(&key, &boxed, b"other").is_err());
/// ```
pub fn sealed<R: CryptoRng + ?Sized>(
    key: &[u8],
    pt: &[u8],
    aad: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    sealed_with_nonce(key, &nonce, pt, aad)
}

/// Opens `n || ciphertext || tag` (`DECRYPTION_FAILED` on a short input or any tag failure).
pub fn open(key: &[u8], sealed: &[u8], aad: &[u8]) -> Result<SecretVec> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return Err(Error::DecryptionFailed);
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    aes_gcm_decrypt(key, nonce, ct, aad)
}

/// `HKDF(salt, ikm, info, L)` with SHA-256 into `out` (an empty salt is HashLen zero bytes).
pub fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<()> {
    let hk = hkdf::Hkdf::<Sha256>::new(Some(salt), ikm);
    hk.expand(info, out).map_err(|_| Error::InvalidInput)
}

/// `HKDF(salt, ikm, info, 32)` as a secret key.
pub fn hkdf32(salt: &[u8], ikm: &[u8], info: &[u8]) -> Result<SecretKey32> {
    let mut out = SecretBytes::zeroed();
    hkdf_sha256(salt, ikm, info, out.expose_mut())?;
    Ok(out)
}

/// SHA-256.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SHA-256 over several parts, without concatenating them first.
pub fn sha256_parts(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// HMAC-SHA256.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Result<SecretKey32> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| Error::InvalidInput)?;
    mac.update(data);
    let mut tag = mac.finalize().into_bytes();
    let out = SecretBytes::from_slice(&tag);
    zeroize::Zeroize::zeroize(tag.as_mut_slice());
    out
}

/// Constant-time equality of two byte strings (lengths are not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

/// The kinds of encrypted pickle (spec §2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickleKind {
    /// An established handshake client.
    HandshakeClient,
    /// An unlocked vault.
    Vault,
}

impl PickleKind {
    /// The `kind` string of the pickle AAD.
    pub const fn as_str(self) -> &'static str {
        match self {
            PickleKind::HandshakeClient => "handshake-client",
            PickleKind::Vault => "vault",
        }
    }

    fn aad(self) -> Vec<u8> {
        let mut aad = Vec::from(&b"sealwright/v1/pickle/"[..]);
        aad.extend_from_slice(self.as_str().as_bytes());
        aad
    }
}

/// A pickle: `b64url(sealed(pickle key, state, "sealwright/v1/pickle/" || kind))` (spec §2.3).
pub fn pickle_seal<R: CryptoRng + ?Sized>(
    pickle_key: &SecretKey32,
    kind: PickleKind,
    state: &[u8],
    rng: &mut R,
) -> Result<String> {
    let boxed = sealed(pickle_key.expose(), state, &kind.aad(), rng)?;
    Ok(encoding::b64url_encode(&boxed))
}

/// Opens a pickle of the given kind (`INVALID_INPUT` on bad base64, `DECRYPTION_FAILED` on a
/// wrong key, kind or tampered bytes).
pub fn pickle_open(pickle_key: &SecretKey32, kind: PickleKind, pickle: &str) -> Result<SecretVec> {
    let boxed = encoding::b64url_decode(pickle)?;
    open(pickle_key.expose(), &boxed, &kind.aad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5869_case_1() {
        let ikm = [0x0bu8; 22];
        let salt = encoding::hex_decode("000102030405060708090a0b0c").unwrap();
        let info = encoding::hex_decode("f0f1f2f3f4f5f6f7f8f9").unwrap();
        let mut okm = [0u8; 42];
        hkdf_sha256(&salt, &ikm, &info, &mut okm).unwrap();
        assert_eq!(
            encoding::hex_encode(&okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }

    #[test]
    fn rfc5869_case_3_empty_salt() {
        let ikm = [0x0bu8; 22];
        let mut okm = [0u8; 42];
        hkdf_sha256(&[], &ikm, &[], &mut okm).unwrap();
        assert_eq!(
            encoding::hex_encode(&okm),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
        );
    }

    #[test]
    fn sixteen_byte_iv_and_short_inputs() {
        let key = [3u8; 32];
        let ct = aes_gcm_encrypt(&key, &[9u8; 16], b"x", b"").unwrap();
        assert_eq!(
            aes_gcm_decrypt(&key, &[9u8; 16], &ct, b"")
                .unwrap()
                .expose(),
            b"x"
        );
        assert_eq!(
            open(&key, &[0u8; 27], b"").err(),
            Some(Error::DecryptionFailed)
        );
        assert_eq!(
            aes_gcm_encrypt(&[0u8; 24], &[0u8; 12], b"", b"").err(),
            Some(Error::InvalidInput)
        );
    }
}
