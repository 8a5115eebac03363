//! The server's stored records (spec §2.3) and their store keys.
//!
//! Every key of one device carries the hash tag `T = tag(deviceId)` (spec §0.2), so every step
//! of the handshake touches one Redis Cluster slot and commits as one transaction. Every value
//! is a [`StoredRecord`], sealed with the server's [`StoreSealer`](crate::effect::StoreSealer)
//! under its own store key; the plaintext serializations below are implementation-defined and
//! each starts with the format version byte [`RECORD_VERSION`]. Opening a value checks, in
//! order: the seal (`DECRYPTION_FAILED`, also for a value moved from another key or an unknown
//! storage key id), the version byte (`UNSUPPORTED_VERSION`), then the exact layout
//! (`INVALID_INPUT`, trailing bytes included).
//!
//! | key | record | value after the version byte |
//! |---|---|---|
//! | `sw:v1:hs:T:device` | [`DeviceRecord`] | `P_c(33)` |
//! | `sw:v1:hs:T:session` | [`SessionRecord`] | `SS_p(32) \|\| nonce(32) \|\| P_c(33) \|\| u64be(createdMs)` |
//! | `sw:v1:hs:T:eph:<kid>` | [`EphRecord`] | `lp(deviceId) \|\| nonce(32) \|\| 0x00 \|\| e_s(32)` (live) or `... \|\| 0x01 \|\| request_id(32)` (used) |
//! | `sw:v1:hs:T:claim:<kid>` | [`ClaimRecord`] | `request_id(32)` |
//! | `sw:v1:hs:T:last` | [`LastRecord`] | `kid(32 ASCII)` |
//! | `sw:v1:hs:T:retry:<hex(request_id)>` | [`RetryRecord`] | the response JSON |
//!
//! An `eph` record names the handshake (`nonce`) it belongs to, so a new handshake ends every
//! kid of the old session at once, and a used record keeps only the `request_id`: the
//! private key `e_s` is erased when its kid rotates (forward secrecy for answered messages).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::{Kid, NONCE_LEN, PRIMARY_PUBLIC_LEN};
use crate::effect::{StoredRecord, tag};
use crate::encoding::{Reader, hex_encode, put_lp, validate_identifier};
use crate::error::{Error, Result};
use crate::secret::SecretKey32;

/// Format version byte that starts every stored value.
pub const RECORD_VERSION: u8 = 0x01;

/// `sw:v1:hs:T:` with `T = tag(deviceId)`: the prefix of every key of one device.
pub fn device_prefix(device_id: &str) -> String {
    format!("sw:v1:hs:{}:", tag(device_id))
}

/// `sw:v1:hs:T:device`: the primary key bound to the device.
pub fn device_key(device_id: &str) -> String {
    format!("{}device", device_prefix(device_id))
}

/// `sw:v1:hs:T:session`.
pub fn session_key(device_id: &str) -> String {
    format!("{}session", device_prefix(device_id))
}

/// `sw:v1:hs:T:eph:<kid>`.
pub fn eph_key(device_id: &str, kid: &Kid) -> String {
    format!("{}eph:{}", device_prefix(device_id), kid.as_str())
}

/// `sw:v1:hs:T:claim:<kid>`.
pub fn claim_key(device_id: &str, kid: &Kid) -> String {
    format!("{}claim:{}", device_prefix(device_id), kid.as_str())
}

/// `sw:v1:hs:T:last`.
pub fn last_key(device_id: &str) -> String {
    format!("{}last", device_prefix(device_id))
}

/// `sw:v1:hs:T:retry:<hex(request_id)>`.
pub fn retry_key(device_id: &str, request_id: &[u8; 32]) -> String {
    format!(
        "{}retry:{}",
        device_prefix(device_id),
        hex_encode(request_id)
    )
}

/// `device[deviceId] = P_c`: the client primary key bound to the device on its first
/// handshake (trust on first use, spec §2.1). Kept without TTL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRecord {
    /// The bound compressed primary public key.
    pub client_primary: [u8; PRIMARY_PUBLIC_LEN],
}

impl StoredRecord for DeviceRecord {
    const VERSION: u8 = RECORD_VERSION;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&self.client_primary);
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Self {
            client_primary: r.array()?,
        })
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

impl StoredRecord for SessionRecord {
    const VERSION: u8 = RECORD_VERSION;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(self.primary_secret.expose());
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&self.client_primary);
        out.extend_from_slice(&self.created_ms.to_be_bytes());
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Self {
            primary_secret: SecretKey32::from_slice(r.take(32)?)?,
            nonce: r.array()?,
            client_primary: r.array()?,
            created_ms: r.u64be()?,
        })
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

impl StoredRecord for EphRecord {
    const VERSION: u8 = RECORD_VERSION;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        put_lp(out, self.device_id.as_bytes())?;
        out.extend_from_slice(&self.session_nonce);
        match &self.state {
            EphState::Live(e) => {
                out.push(0x00);
                out.extend_from_slice(e.expose());
            }
            EphState::Used(id) => {
                out.push(0x01);
                out.extend_from_slice(id);
            }
        }
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        let device_id = String::from(r.lp_str()?);
        validate_identifier(&device_id)?;
        let session_nonce = r.array()?;
        let state = match r.u8()? {
            0x00 => EphState::Live(SecretKey32::from_slice(r.take(32)?)?),
            0x01 => EphState::Used(r.array()?),
            _ => return Err(Error::InvalidInput),
        };
        Ok(Self {
            device_id,
            session_nonce,
            state,
        })
    }
}

/// `claim[kid] = request_id`: the request being processed on `kid` right now (spec §2.2
/// step 3), kept `T_claim` seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRecord {
    /// The claiming request's `request_id`.
    pub request_id: [u8; 32],
}

impl StoredRecord for ClaimRecord {
    const VERSION: u8 = RECORD_VERSION;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&self.request_id);
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Self {
            request_id: r.array()?,
        })
    }
}

/// `last[deviceId] = kid`: the newest kid of the device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastRecord {
    /// The kid.
    pub kid: Kid,
}

impl StoredRecord for LastRecord {
    const VERSION: u8 = RECORD_VERSION;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(self.kid.as_str().as_bytes());
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        let text = core::str::from_utf8(r.rest()).map_err(|_| Error::InvalidInput)?;
        Ok(Self {
            kid: Kid::parse(text)?,
        })
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

impl StoredRecord for RetryRecord {
    const VERSION: u8 = RECORD_VERSION;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(self.response.as_bytes());
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        let text = core::str::from_utf8(r.rest()).map_err(|_| Error::InvalidInput)?;
        if text.is_empty() {
            return Err(Error::InvalidInput);
        }
        Ok(Self {
            response: String::from(text),
        })
    }
}
