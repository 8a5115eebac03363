//! Legacy records (spec §4.1): PBKDF2 record keys and the
//! `{"encryptedPassword":..,"iv":..,"authTag":..}` AES-256-GCM (16-byte IV) record format.
//! Read, verify and migrate only: production code never writes this format.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::Deserialize;

use super::kdf::pbkdf2_sha256;
use crate::crypto::{TAG_LEN, aes_gcm_decrypt};
use crate::encoding::{b64_decode, b64_encode, validate_identifier};
use crate::error::{Error, Result};
use crate::secret::{SecretKey32, SecretString, SecretVec};

/// PBKDF2 iterations of every legacy record key (spec §4.1).
pub const LEGACY_ITERATIONS: u32 = 100_000;
/// Length of a legacy record IV (GCM with a 128-bit IV, SP 800-38D).
pub const LEGACY_IV_LEN: usize = 16;

fn pbkdf2_user_key(secret: &SecretString, user_id: &str) -> Result<SecretKey32> {
    validate_identifier(user_id)?;
    let mut key = SecretKey32::zeroed();
    pbkdf2_sha256(
        secret.as_bytes(),
        user_id.as_bytes(),
        LEGACY_ITERATIONS,
        key.expose_mut(),
    )?;
    Ok(key)
}

/// Legacy record key without a master password (spec §4.1):
/// `PBKDF2-HMAC-SHA256(MASTER_KEY, userId, 100000, 32)`, `MASTER_KEY` being the UTF-8 bytes
/// of the server's text secret. `INVALID_INPUT` for a malformed `userId`.
///
/// Derive it once per user and reuse it for all of that user's records.
pub fn legacy_record_key(master_key: &SecretString, user_id: &str) -> Result<SecretKey32> {
    pbkdf2_user_key(master_key, user_id)
}

/// Legacy record key with a master password (spec §4.1):
/// `PBKDF2-HMAC-SHA256(masterPassword, userId, 100000, 32)`.
pub fn legacy_master_password_key(
    master_password: &SecretString,
    user_id: &str,
) -> Result<SecretKey32> {
    pbkdf2_user_key(master_password, user_id)
}

/// A parsed legacy record: `{"encryptedPassword": b64(ciphertext), "iv": b64(iv),
/// "authTag": b64(tag)}` (spec §4.1).
///
/// Parsing is strict: a JSON object with exactly these three string members, each strict
/// padded base64, a 16-byte `iv` and a 16-byte `authTag`; anything else is `INVALID_INPUT`.
/// The ciphertext is not secret, so `Debug` shows lengths only to keep logs short.
#[derive(Clone, PartialEq, Eq)]
pub struct LegacyRecord {
    ciphertext: Vec<u8>,
    iv: [u8; LEGACY_IV_LEN],
    tag: [u8; TAG_LEN],
}

impl fmt::Debug for LegacyRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LegacyRecord")
            .field("ciphertext_len", &self.ciphertext.len())
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    #[serde(rename = "encryptedPassword")]
    encrypted_password: String,
    iv: String,
    #[serde(rename = "authTag")]
    auth_tag: String,
}

impl LegacyRecord {
    /// Parses the stored JSON text (`INVALID_INPUT` on any other shape).
    pub fn from_json(json: &str) -> Result<Self> {
        let wire: Wire = super::parse_json_object(json)?;
        let ciphertext = b64_decode(&wire.encrypted_password)?;
        let iv = b64_decode(&wire.iv)?
            .try_into()
            .map_err(|_| Error::InvalidInput)?;
        let tag = b64_decode(&wire.auth_tag)?
            .try_into()
            .map_err(|_| Error::InvalidInput)?;
        Ok(Self {
            ciphertext,
            iv,
            tag,
        })
    }

    /// The record as stored: `{"encryptedPassword":..,"iv":..,"authTag":..}` without
    /// whitespace (spec §0).
    pub fn to_json(&self) -> String {
        format!(
            r#"{{"encryptedPassword":"{}","iv":"{}","authTag":"{}"}}"#,
            b64_encode(&self.ciphertext),
            b64_encode(&self.iv),
            b64_encode(&self.tag)
        )
    }

    /// The 16-byte IV.
    pub fn iv(&self) -> &[u8; LEGACY_IV_LEN] {
        &self.iv
    }

    /// The ciphertext (without the tag).
    pub fn ciphertext(&self) -> &[u8] {
        &self.ciphertext
    }

    /// The 16-byte GCM tag.
    pub fn auth_tag(&self) -> &[u8; TAG_LEN] {
        &self.tag
    }

    /// Opens the record with its legacy key: AES-256-GCM, 16-byte IV, no AAD.
    /// `DECRYPTION_FAILED` for a wrong key or tampered record.
    pub fn open(&self, key: &SecretKey32) -> Result<SecretVec> {
        let mut ct = Vec::with_capacity(self.ciphertext.len() + TAG_LEN);
        ct.extend_from_slice(&self.ciphertext);
        ct.extend_from_slice(&self.tag);
        aes_gcm_decrypt(key.expose(), &self.iv, &ct, b"")
    }
}

/// Writers of the legacy format for tests and vector generation only (feature `test-utils`).
/// Version 2 is the only format sealwright writes in production.
#[cfg(feature = "test-utils")]
pub mod legacy_compat {
    use super::{LEGACY_IV_LEN, LegacyRecord, TAG_LEN};
    use crate::crypto::aes_gcm_encrypt;
    use crate::error::{Error, Result};
    use crate::secret::SecretKey32;

    /// Seals `plaintext` as a legacy record with the given IV (tests and vectors only).
    pub fn seal_legacy_record_for_tests(
        key: &SecretKey32,
        iv: &[u8; LEGACY_IV_LEN],
        plaintext: &[u8],
    ) -> Result<LegacyRecord> {
        let mut out = aes_gcm_encrypt(key.expose(), iv, plaintext, b"")?;
        let split = out.len().checked_sub(TAG_LEN).ok_or(Error::InvalidInput)?;
        let tag = out
            .split_off(split)
            .try_into()
            .map_err(|_| Error::InvalidInput)?;
        Ok(LegacyRecord {
            ciphertext: out,
            iv: *iv,
            tag,
        })
    }
}
