//! The server's stored records (spec §2.3) and their store keys.
//!
//! Every value is sealed with [`StoreSealer`] under its own store key before it leaves the
//! core; the plaintext serializations below are implementation-defined and each starts with
//! the format version byte [`RECORD_VERSION`]. Opening a value checks, in order: the seal
//! (`DECRYPTION_FAILED`, also for a value moved from another key), the version byte
//! (`UNSUPPORTED_VERSION`), then the exact layout (`INVALID_INPUT`, trailing bytes included).
//!
//! | key | value after the version byte |
//! |---|---|
//! | `sw:v1:hs:session:<deviceId>` | `SS_p(32) \|\| nonce(32) \|\| P_c(33) \|\| u64be(createdMs)` |
//! | `sw:v1:hs:eph:<kid>` | `lp(deviceId) \|\| nonce(32) \|\| 0x00 \|\| e_s(32)` (live) or `... \|\| 0x01 \|\| request_id(32)` (used) |
//! | `sw:v1:hs:last:<deviceId>` | `kid(32 ASCII)` |
//! | `sw:v1:hs:retry:<hex(request_id)>` | the response JSON |
//!
//! An `eph` record names the handshake (`nonce`) it belongs to, so a new handshake ends every
//! kid of the old session at once, and a used record keeps only the `request_id`: the
//! private key `e_s` is erased when its kid rotates (forward secrecy for answered messages).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;

use super::{Kid, NONCE_LEN, PRIMARY_PUBLIC_LEN};
use crate::effect::{Effect, StoreSealer};
use crate::encoding::{Reader, hex_encode, put_lp, validate_identifier};
use crate::error::{Error, Result};
use crate::secret::{SecretKey32, SecretVec};

/// Format version byte that starts every stored value.
pub const RECORD_VERSION: u8 = 0x01;

/// `sw:v1:hs:session:<deviceId>`.
pub fn session_key(device_id: &str) -> String {
    format!("sw:v1:hs:session:{device_id}")
}

/// `sw:v1:hs:eph:<kid>`.
pub fn eph_key(kid: &Kid) -> String {
    format!("sw:v1:hs:eph:{}", kid.as_str())
}

/// `sw:v1:hs:last:<deviceId>`.
pub fn last_key(device_id: &str) -> String {
    format!("sw:v1:hs:last:{device_id}")
}

/// `sw:v1:hs:retry:<hex(request_id)>`.
pub fn retry_key(request_id: &[u8; 32]) -> String {
    format!("sw:v1:hs:retry:{}", hex_encode(request_id))
}

fn open_versioned(sealer: &StoreSealer, key: &str, sealed: &[u8]) -> Result<SecretVec> {
    // The version byte is checked by each `from_bytes`.
    sealer.open(key, sealed)
}

/// Checks the version byte and returns a reader over the rest.
fn versioned(plain: &SecretVec) -> Result<Reader<'_>> {
    match plain.expose().split_first() {
        Some((&RECORD_VERSION, rest)) => Ok(Reader::new(rest)),
        Some(_) => Err(Error::UnsupportedVersion),
        None => Err(Error::InvalidInput),
    }
}

/// `session[deviceId] = {SS_p, nonce, P_c, createdMs}`.
#[derive(Clone)]
pub struct SessionRecord {
    /// `SS_p`.
    pub primary_secret: SecretKey32,
    /// The handshake `nonce` (re-derives `d_s` from `E`; also names the session).
    pub nonce: [u8; NONCE_LEN],
    /// The client's compressed primary public key.
    pub client_primary: [u8; PRIMARY_PUBLIC_LEN],
    /// When the handshake happened (Unix ms).
    pub created_ms: u64,
}

impl fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRecord")
            .field("primary_secret", &"REDACTED")
            .field("created_ms", &self.created_ms)
            .finish_non_exhaustive()
    }
}

impl SessionRecord {
    /// The plaintext serialization (a secret).
    pub fn to_bytes(&self) -> SecretVec {
        let mut out = SecretVec::new(Vec::with_capacity(1 + 32 + NONCE_LEN + 33 + 8));
        let v = out.expose_mut();
        v.push(RECORD_VERSION);
        v.extend_from_slice(self.primary_secret.expose());
        v.extend_from_slice(&self.nonce);
        v.extend_from_slice(&self.client_primary);
        v.extend_from_slice(&self.created_ms.to_be_bytes());
        out
    }

    /// Parses the plaintext serialization (`UNSUPPORTED_VERSION`, `INVALID_INPUT`).
    pub fn from_bytes(plain: &SecretVec) -> Result<Self> {
        let mut r = versioned(plain)?;
        let primary_secret = SecretKey32::from_slice(r.take(32)?)?;
        let nonce = r.array()?;
        let client_primary = r.array()?;
        let created_ms = r.u64be()?;
        r.finish()?;
        Ok(Self {
            primary_secret,
            nonce,
            client_primary,
            created_ms,
        })
    }

    /// Opens the sealed value stored at [`session_key`].
    pub fn open(sealer: &StoreSealer, device_id: &str, sealed: &[u8]) -> Result<Self> {
        Self::from_bytes(&open_versioned(sealer, &session_key(device_id), sealed)?)
    }

    /// The sealed `Put` effect.
    pub fn put<R: CryptoRng + ?Sized>(
        &self,
        sealer: &StoreSealer,
        device_id: &str,
        ttl_seconds: u64,
        rng: &mut R,
    ) -> Result<Effect> {
        sealer.put(
            session_key(device_id),
            self.to_bytes().expose(),
            Some(ttl_seconds),
            rng,
        )
    }
}

/// What an `eph[kid]` record holds.
#[derive(Clone)]
pub enum EphState {
    /// The server's X25519 private key `e_s` for this kid, not yet used.
    Live(SecretKey32),
    /// The kid answered the request with this `request_id` (rotated; grace period).
    Used([u8; 32]),
}

/// `eph[kid] = {e_s, deviceId}` (live) or the marker of a used kid.
#[derive(Clone)]
pub struct EphRecord {
    /// The device the kid belongs to.
    pub device_id: String,
    /// The handshake `nonce` of the session the kid belongs to.
    pub session_nonce: [u8; NONCE_LEN],
    /// Live key or used marker.
    pub state: EphState,
}

impl fmt::Debug for EphRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            EphState::Live(_) => "Live(REDACTED)",
            EphState::Used(_) => "Used",
        };
        f.debug_struct("EphRecord")
            .field("device_id", &self.device_id)
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

impl EphRecord {
    /// The plaintext serialization (a secret when live).
    pub fn to_bytes(&self) -> Result<SecretVec> {
        let mut out = SecretVec::new(Vec::with_capacity(1 + 2 + self.device_id.len() + 65));
        let v = out.expose_mut();
        v.push(RECORD_VERSION);
        put_lp(v, self.device_id.as_bytes())?;
        v.extend_from_slice(&self.session_nonce);
        match &self.state {
            EphState::Live(e) => {
                v.push(0x00);
                v.extend_from_slice(e.expose());
            }
            EphState::Used(id) => {
                v.push(0x01);
                v.extend_from_slice(id);
            }
        }
        Ok(out)
    }

    /// Parses the plaintext serialization (`UNSUPPORTED_VERSION`, `INVALID_INPUT`).
    pub fn from_bytes(plain: &SecretVec) -> Result<Self> {
        let mut r = versioned(plain)?;
        let device_id = String::from(r.lp_str()?);
        validate_identifier(&device_id)?;
        let session_nonce = r.array()?;
        let state = match r.u8()? {
            0x00 => EphState::Live(SecretKey32::from_slice(r.take(32)?)?),
            0x01 => EphState::Used(r.array()?),
            _ => return Err(Error::InvalidInput),
        };
        r.finish()?;
        Ok(Self {
            device_id,
            session_nonce,
            state,
        })
    }

    /// Opens the sealed value stored at [`eph_key`].
    pub fn open(sealer: &StoreSealer, kid: &Kid, sealed: &[u8]) -> Result<Self> {
        Self::from_bytes(&open_versioned(sealer, &eph_key(kid), sealed)?)
    }

    /// The sealed `Put` effect.
    pub fn put<R: CryptoRng + ?Sized>(
        &self,
        sealer: &StoreSealer,
        kid: &Kid,
        ttl_seconds: u64,
        rng: &mut R,
    ) -> Result<Effect> {
        sealer.put(
            eph_key(kid),
            self.to_bytes()?.expose(),
            Some(ttl_seconds),
            rng,
        )
    }
}

/// `last[deviceId] = kid`: the newest kid of the device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastRecord {
    /// The kid.
    pub kid: Kid,
}

impl LastRecord {
    /// The plaintext serialization.
    pub fn to_bytes(&self) -> SecretVec {
        let mut out = SecretVec::new(Vec::with_capacity(33));
        out.expose_mut().push(RECORD_VERSION);
        out.expose_mut()
            .extend_from_slice(self.kid.as_str().as_bytes());
        out
    }

    /// Parses the plaintext serialization (`UNSUPPORTED_VERSION`, `INVALID_INPUT`).
    pub fn from_bytes(plain: &SecretVec) -> Result<Self> {
        let text =
            core::str::from_utf8(versioned(plain)?.rest()).map_err(|_| Error::InvalidInput)?;
        Ok(Self {
            kid: Kid::parse(text)?,
        })
    }

    /// Opens the sealed value stored at [`last_key`].
    pub fn open(sealer: &StoreSealer, device_id: &str, sealed: &[u8]) -> Result<Self> {
        Self::from_bytes(&open_versioned(sealer, &last_key(device_id), sealed)?)
    }

    /// The sealed `Put` effect.
    pub fn put<R: CryptoRng + ?Sized>(
        &self,
        sealer: &StoreSealer,
        device_id: &str,
        ttl_seconds: u64,
        rng: &mut R,
    ) -> Result<Effect> {
        sealer.put(
            last_key(device_id),
            self.to_bytes().expose(),
            Some(ttl_seconds),
            rng,
        )
    }
}

/// `retry[request_id] = response`: the response JSON returned again to an idempotent retry.
/// `Debug` shows its length only (it carries sealed data).
#[derive(Clone, PartialEq, Eq)]
pub struct RetryRecord {
    /// The response JSON, byte for byte as first sent.
    pub response: String,
}

impl fmt::Debug for RetryRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryRecord")
            .field("response_len", &self.response.len())
            .finish()
    }
}

impl RetryRecord {
    /// The plaintext serialization.
    pub fn to_bytes(&self) -> SecretVec {
        let mut out = SecretVec::new(Vec::with_capacity(1 + self.response.len()));
        out.expose_mut().push(RECORD_VERSION);
        out.expose_mut().extend_from_slice(self.response.as_bytes());
        out
    }

    /// Parses the plaintext serialization (`UNSUPPORTED_VERSION`, `INVALID_INPUT`).
    pub fn from_bytes(plain: &SecretVec) -> Result<Self> {
        let text =
            core::str::from_utf8(versioned(plain)?.rest()).map_err(|_| Error::InvalidInput)?;
        if text.is_empty() {
            return Err(Error::InvalidInput);
        }
        Ok(Self {
            response: String::from(text),
        })
    }

    /// Opens the sealed value stored at [`retry_key`].
    pub fn open(sealer: &StoreSealer, request_id: &[u8; 32], sealed: &[u8]) -> Result<Self> {
        Self::from_bytes(&open_versioned(sealer, &retry_key(request_id), sealed)?)
    }

    /// The sealed `Put` effect.
    pub fn put<R: CryptoRng + ?Sized>(
        &self,
        sealer: &StoreSealer,
        request_id: &[u8; 32],
        ttl_seconds: u64,
        rng: &mut R,
    ) -> Result<Effect> {
        sealer.put(
            retry_key(request_id),
            self.to_bytes().expose(),
            Some(ttl_seconds),
            rng,
        )
    }
}
