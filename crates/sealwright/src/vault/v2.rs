//! Version 2 vault (spec §4.2): master key, auth hash, wrap key, wrapped vault key, records,
//! master password change, and the encrypted pickle of an unlocked vault.

use aes_gcm::aead::array::Array;
use aes_gcm::{AeadInOut, Aes256Gcm, KeyInit};
use alloc::string::String;
use alloc::vec::Vec;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use core::fmt;
use rand_core::CryptoRng;

use super::kdf::KdfParams;
use crate::crypto::{
    NONCE_LEN, PickleKind, TAG_LEN, ct_eq, hkdf32, open, pickle_open, pickle_seal,
};
use crate::crypto::{sealed, sha256};
use crate::encoding::{
    Reader, b64url_decode, b64url_encode, concat_lp, put_lp, validate_identifier,
};
use crate::error::{Error, Result};
use crate::secret::{SecretKey32, SecretString, SecretVec};

/// Length of the per-user salt `s`.
pub const SALT_LEN: usize = 16;
/// Prefix of a wrapped vault key.
pub const WRAPPED_KEY_PREFIX: &str = "sw2k.";
/// Prefix of a version 2 record.
pub const RECORD_PREFIX: &str = "sw2.";
/// HKDF info of `AH`.
pub const AUTH_INFO: &[u8] = b"sealwright/v2/vault/auth";
/// HKDF info of `WK`.
pub const WRAP_INFO: &[u8] = b"sealwright/v2/vault/wrap";
/// AAD prefix of the wrapped vault key (then `lp(userId)`).
pub const KEY_AAD: &[u8] = b"sealwright/v2/vault/key";
/// AAD prefix of a record (then `lp(userId) || lp(recordId)`).
pub const RECORD_AAD: &[u8] = b"sealwright/v2/vault/record";
/// Format version byte of the pickled vault state.
pub const PICKLE_FORMAT: u8 = 0x01;
/// Decoded length of a wrapped vault key: nonce, 32-byte `VK`, tag.
const WRAPPED_LEN: usize = NONCE_LEN + 32 + TAG_LEN;

/// `AH = HKDF("", MK, "sealwright/v2/vault/auth", 32)`: what a client sends to log in.
pub fn auth_hash(master_key: &SecretKey32) -> Result<SecretKey32> {
    hkdf32(&[], master_key.expose(), AUTH_INFO)
}

/// `WK = HKDF("", MK, "sealwright/v2/vault/wrap", 32)`.
pub fn wrap_key(master_key: &SecretKey32) -> Result<SecretKey32> {
    hkdf32(&[], master_key.expose(), WRAP_INFO)
}

/// The server's stored verifier `SHA-256(AH)`.
pub fn auth_verifier(auth_hash: &SecretKey32) -> [u8; 32] {
    sha256(auth_hash.expose())
}

/// Server side of login: compares `SHA-256(presented)` with the stored `SHA-256(AH)` in
/// constant time. A presented value of another length than 32 bytes is `false`.
pub fn verify_auth_hash(stored_verifier: &[u8; 32], presented_auth_hash: &[u8]) -> bool {
    presented_auth_hash.len() == 32 && ct_eq(&sha256(presented_auth_hash), stored_verifier)
}

/// Strict b64url (no padding, zero trailing bits, URL-safe alphabet only, no whitespace) into
/// `out`, for the record hot path. `URL_SAFE_NO_PAD` decodes exactly that canonical form
/// (`RequireNone` padding, trailing bits refused), so it accepts the same texts as
/// `encoding::b64url_decode` without its re-encoding pass (`tests::record_b64url_is_strict`).
fn b64url_decode_strict_into(text: &str, out: &mut Vec<u8>) -> Result<()> {
    URL_SAFE_NO_PAD
        .decode_vec(text, out)
        .map_err(|_| Error::InvalidInput)
}

fn key_aad(user_id: &str) -> Result<Vec<u8>> {
    concat_lp(KEY_AAD, &[user_id.as_bytes()])
}

fn check_salt(salt: &[u8]) -> Result<[u8; SALT_LEN]> {
    salt.try_into().map_err(|_| Error::InvalidInput)
}

/// The public, server-stored part of a version 2 vault (spec §4.2): the salt, KDF
/// parameters, wrapped vault key and the login verifier `SHA-256(AH)`. Nothing here is secret,
/// but the wrapped key and the verifier are the material of an offline password search, so
/// `Debug` shows the wrapped key's length only and no verifier.
#[derive(Clone, PartialEq, Eq)]
pub struct VaultServerRecord {
    user_id: String,
    salt: [u8; SALT_LEN],
    kdf: KdfParams,
    wrapped_vault_key: String,
    auth_verifier: [u8; 32],
}

impl fmt::Debug for VaultServerRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultServerRecord")
            .field("user_id", &self.user_id)
            .field("kdf", &self.kdf)
            .field("wrapped_vault_key_len", &self.wrapped_vault_key.len())
            .field("auth_verifier", &"REDACTED")
            .finish_non_exhaustive()
    }
}

impl VaultServerRecord {
    /// The user id.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    /// The salt `s` (public).
    pub fn salt(&self) -> &[u8; SALT_LEN] {
        &self.salt
    }
    /// The KDF parameters (public).
    pub fn kdf(&self) -> KdfParams {
        self.kdf
    }
    /// `"sw2k." || b64url(sealed(WK, VK, "sealwright/v2/vault/key" || lp(userId)))`.
    pub fn wrapped_vault_key(&self) -> &str {
        &self.wrapped_vault_key
    }
    /// `SHA-256(AH)`, which the server compares with [`verify_auth_hash`].
    pub fn auth_verifier(&self) -> &[u8; 32] {
        &self.auth_verifier
    }
}

/// The result of [`create_vault`] or [`UnlockedVault::change_master_password`]: what the
/// server stores, and the auth hash `AH` the client sends it (a secret: send it over an
/// authenticated channel, never log it).
#[derive(Debug)]
pub struct Enrollment {
    /// The server-stored part.
    pub server: VaultServerRecord,
    /// `AH`, sent to the server once to enroll (and at every login).
    pub auth_hash: SecretKey32,
}

/// The client-side key material for a (new) master password: `MK` then `AH`, `WK`, and the
/// vault key wrapped under `WK`. Draws `s` (16 bytes) then the wrap nonce (12 bytes).
fn enroll<R: CryptoRng + ?Sized>(
    user_id: &str,
    master_password: &SecretString,
    kdf: KdfParams,
    vault_key: &SecretKey32,
    salt: [u8; SALT_LEN],
    rng: &mut R,
) -> Result<Enrollment> {
    let master_key = kdf.master_key(master_password, &salt)?;
    let auth_hash = auth_hash(&master_key)?;
    let wrap_key = wrap_key(&master_key)?;
    let boxed = sealed(
        wrap_key.expose(),
        vault_key.expose(),
        &key_aad(user_id)?,
        rng,
    )?;
    let mut wrapped_vault_key = String::from(WRAPPED_KEY_PREFIX);
    wrapped_vault_key.push_str(&b64url_encode(&boxed));
    Ok(Enrollment {
        server: VaultServerRecord {
            user_id: String::from(user_id),
            salt,
            kdf,
            wrapped_vault_key,
            auth_verifier: auth_verifier(&auth_hash),
        },
        auth_hash,
    })
}

fn check_new_password(master_password: &SecretString, kdf: &KdfParams) -> Result<()> {
    if master_password.as_bytes().is_empty() {
        return Err(Error::InvalidInput);
    }
    kdf.check()
}

fn draw_salt<R: CryptoRng + ?Sized>(rng: &mut R) -> [u8; SALT_LEN] {
    let mut salt = [0u8; SALT_LEN];
    rng.fill_bytes(&mut salt);
    salt
}

/// Creates a version 2 vault (spec §4.2) for `user_id`.
///
/// Random draws, in order: the salt `s` (16 bytes), the vault key `VK` (32), the wrap nonce
/// (12). Checks: `userId` (`INVALID_INPUT`), a non-empty master password (`INVALID_INPUT`),
/// the KDF limits (`WEAK_KDF` / `INVALID_INPUT`). Returns the server part and `AH` to send,
/// and the unlocked vault.
///
/// ```
/// use sealwright::vault::{create_vault, unlock, verify_auth_hash, KdfParams};
/// let mut rng = rand::rng();
/// let kdf = KdfParams::Argon2id { m: 19_456, t: 2, p: 1 }; // the minimum; default is stronger
/// let password = "correct horse battery staple".into();
/// let (enrollment, vault) = create_vault("alice", &password, kdf, &mut rng)?;
/// let record = vault.encrypt_record("github", b"hunter2", &mut rng)?;
///
/// // Server: stores enrollment.server; checks the AH a client presents.
/// let server = &enrollment.server;
/// assert!(verify_auth_hash(server.auth_verifier(), enrollment.auth_hash.expose()));
///
/// // Later, on another device: unlock with the public parts and open the record.
/// let again = unlock("alice", &password, server.salt(), &server.kdf(), server.wrapped_vault_key())?;
/// assert_eq!(again.decrypt_record("github", &record)?.expose(), b"hunter2");
/// assert!(again.decrypt_record("gitlab", &record).is_err()); // bound to its recordId
/// # Ok::<(), sealwright::Error>(())
/// ```
pub fn create_vault<R: CryptoRng + ?Sized>(
    user_id: &str,
    master_password: &SecretString,
    kdf: KdfParams,
    rng: &mut R,
) -> Result<(Enrollment, UnlockedVault)> {
    validate_identifier(user_id)?;
    check_new_password(master_password, &kdf)?;
    let salt = draw_salt(rng);
    let vault_key = SecretKey32::random(rng);
    let enrollment = enroll(user_id, master_password, kdf, &vault_key, salt, rng)?;
    let vault = UnlockedVault::new(user_id, vault_key)?;
    Ok((enrollment, vault))
}

/// Parses `"sw2k." || b64url(60 bytes)` (`INVALID_INPUT` otherwise).
fn parse_wrapped_key(wrapped_vault_key: &str) -> Result<Vec<u8>> {
    let body = wrapped_vault_key
        .strip_prefix(WRAPPED_KEY_PREFIX)
        .ok_or(Error::InvalidInput)?;
    let boxed = b64url_decode(body)?;
    if boxed.len() != WRAPPED_LEN {
        return Err(Error::InvalidInput);
    }
    Ok(boxed)
}

/// Unlocks a version 2 vault (spec §4.2) from the public server parts and the master password.
///
/// Checks, in order, all before the KDF runs: `userId` (`INVALID_INPUT`); a 16-byte salt
/// (`INVALID_INPUT`); the KDF limits (`WEAK_KDF` below the minimums, `INVALID_INPUT` above the
/// maxima); the wrapped key is `"sw2k."` and strict b64url of 60 bytes (`INVALID_INPUT`).
/// Then the KDF runs once and the vault key is unwrapped (`DECRYPTION_FAILED` for a wrong
/// password, a tampered wrapped key or one wrapped for another user).
pub fn unlock(
    user_id: &str,
    master_password: &SecretString,
    salt: &[u8],
    kdf: &KdfParams,
    wrapped_vault_key: &str,
) -> Result<UnlockedVault> {
    validate_identifier(user_id)?;
    let salt = check_salt(salt)?;
    kdf.check()?;
    parse_wrapped_key(wrapped_vault_key)?;
    let master_key = kdf.master_key(master_password, &salt)?;
    unlock_with_wrap_key(user_id, &wrap_key(&master_key)?, wrapped_vault_key)
}

/// The last step of [`unlock`], for a caller that already holds `WK` (e.g. derived once
/// and kept in secure storage): checks `userId` and the wrapped key shape (`INVALID_INPUT`),
/// then unwraps `VK` (`DECRYPTION_FAILED`).
pub fn unlock_with_wrap_key(
    user_id: &str,
    wrap_key: &SecretKey32,
    wrapped_vault_key: &str,
) -> Result<UnlockedVault> {
    validate_identifier(user_id)?;
    let boxed = parse_wrapped_key(wrapped_vault_key)?;
    let vault_key = open(wrap_key.expose(), &boxed, &key_aad(user_id)?)?;
    UnlockedVault::new(user_id, SecretKey32::from_slice(vault_key.expose())?)
}

/// A client's login keys (spec §4.2), from one KDF run: `AH`, to send to the server, and
/// `WK`, kept to unwrap the vault key the server returns once `AH` is verified. The master key
/// never leaves [`LoginKeys::derive`]. Both keys zeroize on drop; `Debug` prints neither.
///
/// ```
/// use sealwright::vault::{self, KdfParams, LoginKeys};
/// let mut rng = rand::rng();
/// let password = "correct horse battery staple".into();
/// let kdf = KdfParams::Argon2id { m: 19_456, t: 2, p: 1 };
/// let (enrollment, _) = vault::create_vault("alice", &password, kdf, &mut rng)?;
/// let server = &enrollment.server;
///
/// // Login: the client derives AH and WK from the public salt and parameters.
/// let login = LoginKeys::derive(&password, server.salt(), &server.kdf())?;
/// assert!(vault::verify_auth_hash(server.auth_verifier(), login.auth_hash().expose()));
/// // The server answers with the wrapped vault key; the KDF does not run again.
/// let vault = login.unlock("alice", server.wrapped_vault_key())?;
/// assert_eq!(vault.user_id(), "alice");
/// # Ok::<(), sealwright::Error>(())
/// ```
pub struct LoginKeys {
    auth_hash: SecretKey32,
    wrap_key: SecretKey32,
}

impl fmt::Debug for LoginKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LoginKeys(REDACTED)")
    }
}

impl LoginKeys {
    /// `MK = KDF(masterPassword, s)`, then `AH` and `WK`; `MK` is zeroized before returning.
    /// Checks first, before the KDF runs: a 16-byte salt (`INVALID_INPUT`), then the KDF
    /// limits (`WEAK_KDF` below the minimums, `INVALID_INPUT` above the maxima).
    pub fn derive(master_password: &SecretString, salt: &[u8], kdf: &KdfParams) -> Result<Self> {
        let salt = check_salt(salt)?;
        kdf.check()?;
        let master_key = kdf.master_key(master_password, &salt)?;
        Ok(Self {
            auth_hash: auth_hash(&master_key)?,
            wrap_key: wrap_key(&master_key)?,
        })
    }

    /// `AH`, what the client sends to log in.
    pub fn auth_hash(&self) -> &SecretKey32 {
        &self.auth_hash
    }

    /// Unwraps the vault key with the held `WK`, as [`unlock_with_wrap_key`].
    pub fn unlock(&self, user_id: &str, wrapped_vault_key: &str) -> Result<UnlockedVault> {
        unlock_with_wrap_key(user_id, &self.wrap_key, wrapped_vault_key)
    }
}

/// An unlocked vault: the user id and the vault key `VK`, with its AES-256-GCM key schedule
/// expanded once (zeroized on drop, like `VK`), so records cost only the AEAD itself.
///
/// The whole version 2 life cycle with the default parameters (the README example):
///
/// ```
/// use sealwright::vault::{self, KdfParams, UnlockedVault};
/// use sealwright::secret::SecretKey32;
/// let mut rng = rand::rng();
/// let password = "correct horse battery staple".into();
/// let (enrollment, vault) = vault::create_vault("alice", &password, KdfParams::DEFAULT, &mut rng)?;
/// let record = vault.encrypt_record("github", b"hunter2", &mut rng)?;
///
/// // The server stores enrollment.server (salt, kdf, wrapped key, SHA-256(AH)) and checks AH.
/// let server = &enrollment.server;
/// assert!(vault::verify_auth_hash(server.auth_verifier(), enrollment.auth_hash.expose()));
///
/// // Another device unlocks from the public parts; the KDF runs once.
/// let device = vault::unlock("alice", &password, server.salt(), &server.kdf(), server.wrapped_vault_key())?;
/// assert_eq!(device.decrypt_record("github", &record)?.expose(), b"hunter2");
///
/// // New master password: new salt and wrap, no record re-encrypted.
/// let changed = device.change_master_password(&"new password".into(), KdfParams::DEFAULT, &mut rng)?;
///
/// // The unlocked state survives a restart as an encrypted pickle.
/// let pickle_key = SecretKey32::random(&mut rng);
/// let restored = UnlockedVault::unpickle(&pickle_key, &device.pickle(&pickle_key, &mut rng)?)?;
/// # let _ = (changed, restored);
/// # Ok::<(), sealwright::Error>(())
/// ```
#[derive(Clone)]
pub struct UnlockedVault {
    user_id: String,
    vault_key: SecretKey32,
    cipher: Aes256Gcm,
    /// `"sealwright/v2/vault/record" || lp(userId)`: the record AAD before `lp(recordId)`.
    record_aad_prefix: Vec<u8>,
}

impl fmt::Debug for UnlockedVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnlockedVault")
            .field("user_id", &self.user_id)
            .field("vault_key", &"REDACTED")
            .finish_non_exhaustive()
    }
}

impl UnlockedVault {
    fn new(user_id: &str, vault_key: SecretKey32) -> Result<Self> {
        validate_identifier(user_id)?;
        let cipher =
            Aes256Gcm::new_from_slice(vault_key.expose()).map_err(|_| Error::InvalidInput)?;
        let record_aad_prefix = concat_lp(RECORD_AAD, &[user_id.as_bytes()])?;
        Ok(Self {
            user_id: String::from(user_id),
            vault_key,
            cipher,
            record_aad_prefix,
        })
    }

    /// The user id.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The vault key `VK` (for vectors and key escrow; keep the borrow short).
    pub fn vault_key(&self) -> &SecretKey32 {
        &self.vault_key
    }

    fn record_aad(&self, record_id: &str) -> Result<Vec<u8>> {
        validate_identifier(record_id)?;
        let mut aad = Vec::with_capacity(self.record_aad_prefix.len() + 2 + record_id.len());
        aad.extend_from_slice(&self.record_aad_prefix);
        put_lp(&mut aad, record_id.as_bytes())?;
        Ok(aad)
    }

    /// Encrypts one record (spec §4.2):
    /// `"sw2." || b64url(sealed(VK, plaintext, "sealwright/v2/vault/record" || lp(userId) ||
    /// lp(recordId)))`, drawing the 12-byte nonce from `rng`. `INVALID_INPUT` for a malformed
    /// `recordId`.
    pub fn encrypt_record<R: CryptoRng + ?Sized>(
        &self,
        record_id: &str,
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<String> {
        let aad = self.record_aad(record_id)?;
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let mut boxed = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
        boxed.extend_from_slice(&nonce);
        boxed.extend_from_slice(plaintext);
        let body = boxed.get_mut(NONCE_LEN..).ok_or(Error::InvalidInput)?;
        let tag = self
            .cipher
            .encrypt_inout_detached(&Array::from(nonce), &aad, body.into())
            .map_err(|_| Error::InvalidInput)?;
        boxed.extend_from_slice(&tag);
        let mut out = String::with_capacity(RECORD_PREFIX.len() + boxed.len().div_ceil(3) * 4);
        out.push_str(RECORD_PREFIX);
        // Straight into `out`: the same b64url as `encoding::b64url_encode`, one copy fewer.
        URL_SAFE_NO_PAD.encode_string(&boxed, &mut out);
        Ok(out)
    }

    /// Decrypts a record made by [`Self::encrypt_record`] for the same `recordId`.
    ///
    /// Checks, in order: `recordId` (`INVALID_INPUT`); the `"sw2."` prefix and strict b64url
    /// (`INVALID_INPUT`); the AEAD opening (`DECRYPTION_FAILED` for a short, tampered or
    /// foreign record, including one of another `recordId` or user).
    pub fn decrypt_record(&self, record_id: &str, record: &str) -> Result<SecretVec> {
        let aad = self.record_aad(record_id)?;
        let body = record
            .strip_prefix(RECORD_PREFIX)
            .ok_or(Error::InvalidInput)?;
        // The buffer becomes the plaintext in place, so it is a secret from the start.
        let mut buf = SecretVec::new(Vec::with_capacity(body.len() / 4 * 3 + 2));
        let bytes = buf.expose_mut();
        b64url_decode_strict_into(body, bytes)?;
        let ct_len = bytes
            .len()
            .checked_sub(NONCE_LEN + TAG_LEN)
            .ok_or(Error::DecryptionFailed)?;
        let (nonce, rest) = bytes.split_at_mut(NONCE_LEN);
        let (ct, tag) = rest.split_at_mut(ct_len);
        let nonce = Array::try_from(&*nonce).map_err(|_| Error::DecryptionFailed)?;
        let tag = Array::try_from(&*tag).map_err(|_| Error::DecryptionFailed)?;
        self.cipher
            .decrypt_inout_detached(&nonce, &aad, ct.into(), &tag)
            .map_err(|_| Error::DecryptionFailed)?;
        bytes.copy_within(NONCE_LEN..NONCE_LEN + ct_len, 0);
        bytes.truncate(ct_len);
        Ok(buf)
    }

    /// Changes the master password (spec §4.2): a new salt `s'`, new `MK'`, `AH'`, `WK'` under
    /// `new_kdf` (pass the current [`VaultServerRecord::kdf`] to keep the parameters, or new
    /// ones to upgrade them), and `VK` re-wrapped. No record changes.
    ///
    /// Random draws, in order: `s'` (16 bytes), the wrap nonce (12). `INVALID_INPUT` for an
    /// empty password; `WEAK_KDF` / `INVALID_INPUT` for parameters outside the limits.
    pub fn change_master_password<R: CryptoRng + ?Sized>(
        &self,
        new_master_password: &SecretString,
        new_kdf: KdfParams,
        rng: &mut R,
    ) -> Result<Enrollment> {
        check_new_password(new_master_password, &new_kdf)?;
        let salt = draw_salt(rng);
        enroll(
            &self.user_id,
            new_master_password,
            new_kdf,
            &self.vault_key,
            salt,
            rng,
        )
    }

    /// Exports the vault as an encrypted pickle (spec §2.3, kind `vault`):
    /// `b64url(sealed(pickle key, state, "sealwright/v1/pickle/vault"))` with
    /// `state = 0x01 || lp(userId) || VK(32)`.
    pub fn pickle<R: CryptoRng + ?Sized>(
        &self,
        pickle_key: &SecretKey32,
        rng: &mut R,
    ) -> Result<String> {
        let mut state = SecretVec::new(Vec::with_capacity(1 + 2 + self.user_id.len() + 32));
        let bytes = state.expose_mut();
        bytes.push(PICKLE_FORMAT);
        put_lp(bytes, self.user_id.as_bytes())?;
        bytes.extend_from_slice(self.vault_key.expose());
        pickle_seal(pickle_key, PickleKind::Vault, state.expose(), rng)
    }

    /// Imports a pickle made by [`Self::pickle`]: `INVALID_INPUT` on bad base64 or a
    /// malformed state, `DECRYPTION_FAILED` for a wrong key or tampered pickle,
    /// `UNSUPPORTED_VERSION` for an unknown format byte.
    pub fn unpickle(pickle_key: &SecretKey32, pickle: &str) -> Result<Self> {
        let state = pickle_open(pickle_key, PickleKind::Vault, pickle)?;
        let mut reader = Reader::new(state.expose());
        if reader.u8()? != PICKLE_FORMAT {
            return Err(Error::UnsupportedVersion);
        }
        let user_id = reader.lp_str()?;
        let vault_key = SecretKey32::from_slice(reader.take(32)?)?;
        reader.finish()?;
        Self::new(user_id, vault_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::b64url_decode;

    /// The record path's decoder accepts exactly what the shared strict decoder accepts.
    #[test]
    fn record_b64url_is_strict() {
        for text in [
            "", "AA", "AAA", "AAAA", "YWI", "YWJ", "YWI=", "YW I", "YWI\n", "+/", "-_", "A",
            "AAAAA", "_-_-", "__8", "__9", "%%%%",
        ] {
            let mut out = Vec::new();
            let ours = b64url_decode_strict_into(text, &mut out).map(|()| out);
            assert_eq!(ours, b64url_decode(text), "{text:?}");
        }
    }
}
