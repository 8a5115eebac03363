//! Password vault, spec §4 (from the "master password" design).
//!
//! Version 2 (§4.2, written by default) keeps the master password and the master key on the
//! client; the server stores only public parameters, a wrapped vault key and `SHA-256(AH)`:
//!
//! ```text
//!  client                                               server
//!  create_vault(userId, pw, kdf, rng)
//!    s = 16 random bytes; MK = KDF(pw, s)
//!    AH = HKDF("", MK, ".../auth")  WK = HKDF("", MK, ".../wrap")
//!    VK = 32 random bytes; wrapped = "sw2k." b64url(sealed(WK, VK, ".../key" lp(userId)))
//!    --- s, kdf, wrapped, SHA-256(AH) ------------------> stores VaultServerRecord
//!  login: --- AH -------------------------------------> verify_auth_hash (constant time)
//!         <-- s, kdf, wrapped ------------------------
//!  unlock(userId, pw, s, kdf, wrapped)   kdf.check() before the KDF runs (WEAK_KDF)
//!    -> UnlockedVault { VK }
//!  encrypt_record(recordId, pt) = "sw2." b64url(sealed(VK, pt, ".../record" lp(userId) lp(recordId)))
//!    --- record -----------------------------------------> stores it under recordId
//!  change_master_password(pw', kdf') : new s', MK', AH', WK', VK re-wrapped; records untouched
//!  pickle / unpickle : the unlocked state under a caller's pickle key (§2.3)
//! ```
//!
//! Legacy (§4.1, read, verify and migrate only): record keys
//! `PBKDF2-HMAC-SHA256(MASTER_KEY or masterPassword, userId, 100000, 32)`
//! ([`legacy_record_key`], [`legacy_master_password_key`]); records
//! `{"encryptedPassword","iv","authTag"}` under AES-256-GCM with a 16-byte IV and no AAD
//! ([`LegacyRecord`]); master password verifiers `$pbkdf2-sha256$i=..,l=32$salt$hash`
//! ([`PasswordVerifier`]). [`migrate_record`] turns a stored legacy record into a version 2
//! record under the same `recordId` and passes version 2 records through unchanged, so a
//! migration is resumable and idempotent. Only tests and vectors write legacy records
//! (`legacy_compat`, feature `test-utils`).
//!
//! Spec rules, where they live:
//! * §4.1 legacy record keys and records: [`legacy_record_key`], [`legacy_master_password_key`],
//!   [`LegacyRecord`] (a wrong key or tampered record is `DECRYPTION_FAILED`).
//! * §4.1 verifiers: exactly `i` then `l`, `100000 <= i <= 10000000`, `l = 32`, a salt of at
//!   least 16 bytes (16 when created), canonical PHC base64; anything else is
//!   `INVALID_VERIFIER` ([`PasswordVerifier::parse`]); verification is constant time.
//! * §4.2 KDF object ([`KdfParams::from_json`], [`KdfParams::check`]): not an object, `alg` or a
//!   member of its algorithm missing, or a non-integer member: `INVALID_INPUT`; an unknown
//!   `alg` string: `UNSUPPORTED_VERSION`; a member below its minimum (0 included):
//!   `WEAK_KDF`; above its maximum: `INVALID_INPUT`.
//! * §4.2 key hierarchy, records, password change: [`create_vault`], [`unlock`],
//!   [`UnlockedVault`]; §4.2 migration: [`migrate_record`], [`RecordFormat`].
//!
//! Decisions where the spec leaves a gap:
//! * `KdfParams` JSON: an `alg` that is not a string (or `null`) is `INVALID_INPUT`, like a
//!   missing one; a duplicate member is `INVALID_INPUT`; "integer" means a JSON number
//!   without fraction or exponent (`1.0`, `1e5`: `INVALID_INPUT`); a negative integer is below
//!   its minimum (`WEAK_KDF`) and one above `u32::MAX` above its maximum; members of the other
//!   algorithm and unknown members are ignored whatever their type (§0). Any parameter below
//!   its minimum is `WEAK_KDF` even when another is above its maximum (weakness first).
//! * The salt `s` is exactly 16 bytes everywhere (`INVALID_INPUT` otherwise). A wrapped key
//!   must decode to exactly 60 bytes (12 + 32 + 16), else `INVALID_INPUT`, checked before the
//!   KDF runs. A record or wrapped key without its `sw2.` / `sw2k.` prefix is `INVALID_INPUT`.
//! * A new master password (create, change) must be non-empty (`INVALID_INPUT`).
//! * Legacy records: exactly the three members (no unknown or duplicate member), strict padded
//!   base64, 16-byte `iv` and `authTag`; an empty ciphertext is allowed. `userId` must be a
//!   spec identifier for legacy keys too.
//! * PHC verifiers: creating one with `i` outside 100,000..=10,000,000 is `INVALID_VERIFIER`
//!   too.
//! * Migration of a version 2 record checks that it opens for this vault and `recordId`
//!   before returning it unchanged.
//! * Pickled state: `0x01 || lp(userId) || VK(32)`.
//!
//! ```
//! use sealwright::vault::{self, KdfParams, RecordFormat, UnlockedVault};
//! use sealwright::secret::SecretKey32;
//! let mut rng = rand::rng();
//! let user = "user-6512bd43d9caa6e02c990b0a82652dca";
//! let password = "correct horse battery staple".into();
//! let kdf = KdfParams::Argon2id { m: 19_456, t: 2, p: 1 };
//! let (enrollment, vault) = vault::create_vault(user, &password, kdf, &mut rng)?;
//!
//! // A legacy record as the old system stored it (this one is from test-vectors/vault.json),
//! // under PBKDF2(MASTER_KEY, userId), migrates to version 2.
//! let legacy_key = vault::legacy_record_key(&"server MASTER_KEY from the environment".into(), user)?;
//! let stored = r#"{"encryptedPassword":"qjxsiIubpg==","iv":"qXUyaUgGHkHoTK7Jin0NKA==","authTag":"SOfds6BJKNmNUg4PkyX7PA=="}"#;
//! assert!(matches!(RecordFormat::detect(stored)?, RecordFormat::Legacy(_)));
//! let migrated = vault::migrate_record(&vault, &legacy_key, "github", stored, &mut rng)?;
//! assert!(migrated.changed);
//! assert_eq!(vault.decrypt_record("github", &migrated.record)?.expose(), b"hunter2");
//! // Running it again is a no-op.
//! let again = vault::migrate_record(&vault, &legacy_key, "github", &migrated.record, &mut rng)?;
//! assert!(!again.changed);
//!
//! // New master password: only the wrapped key and verifier change.
//! let changed = vault.change_master_password(&"new password".into(), KdfParams::Argon2id { m: 19_456, t: 2, p: 1 }, &mut rng)?;
//! let server = &changed.server;
//! let reopened = vault::unlock(user, &"new password".into(), server.salt(), &server.kdf(), server.wrapped_vault_key())?;
//! assert_eq!(reopened.decrypt_record("github", &migrated.record)?.expose(), b"hunter2");
//!
//! // The unlocked state survives a restart as an encrypted pickle.
//! let pickle_key = SecretKey32::random(&mut rng);
//! let pickle = reopened.pickle(&pickle_key, &mut rng)?;
//! let restored = UnlockedVault::unpickle(&pickle_key, &pickle)?;
//! assert_eq!(restored.user_id(), user);
//! # let _ = enrollment;
//! # Ok::<(), sealwright::Error>(())
//! ```

mod kdf;
mod legacy;
mod migrate;
mod phc;
mod v2;

pub use kdf::{
    ALG_ARGON2ID, ALG_PBKDF2_SHA256, ARGON2_MAX_M, ARGON2_MAX_P, ARGON2_MAX_T, ARGON2_MIN_M,
    ARGON2_MIN_P, ARGON2_MIN_T, KdfParams, PBKDF2_MAX_I, PBKDF2_MIN_I, pbkdf2_sha256,
};
#[cfg(feature = "test-utils")]
pub use legacy::legacy_compat;
pub use legacy::{
    LEGACY_ITERATIONS, LEGACY_IV_LEN, LegacyRecord, legacy_master_password_key, legacy_record_key,
};
pub use migrate::{Migrated, RecordFormat, migrate_record};
pub use phc::{
    PHC_HASH_LEN, PHC_ID, PHC_MAX_ITERATIONS, PHC_MIN_ITERATIONS, PHC_SALT_LEN, PasswordVerifier,
    verify_phc,
};
pub use v2::{
    AUTH_INFO, Enrollment, KEY_AAD, LoginKeys, PICKLE_FORMAT, RECORD_AAD, RECORD_PREFIX, SALT_LEN,
    UnlockedVault, VaultServerRecord, WRAP_INFO, WRAPPED_KEY_PREFIX, auth_hash, auth_verifier,
    create_vault, unlock, unlock_with_wrap_key, verify_auth_hash, wrap_key,
};

use crate::error::{Error, Result};

/// Deserializes a JSON object (never an array, which serde would also map onto a struct);
/// any failure is `INVALID_INPUT`.
fn parse_json_object<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
    if !json
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with('{')
    {
        return Err(Error::InvalidInput);
    }
    serde_json::from_str(json).map_err(|_| Error::InvalidInput)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The held cipher (and so its expanded AES key schedule) zeroizes on drop.
    #[test]
    fn record_cipher_zeroizes_on_drop() {
        fn assert_zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        assert_zeroize_on_drop::<aes_gcm::Aes256Gcm>();
    }

    #[test]
    fn json_objects_only() {
        assert_eq!(
            KdfParams::from_json(r#"["argon2id",19456,2,1,null]"#),
            Err(Error::InvalidInput)
        );
        assert_eq!(
            KdfParams::from_json(r#" {"alg":"argon2id","m":19456,"t":2,"p":1}"#),
            Ok(KdfParams::Argon2id {
                m: 19456,
                t: 2,
                p: 1
            })
        );
    }
}
