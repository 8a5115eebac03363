//! Key derivations, associated data and transcripts of spec §2, one function per formula.
//!
//! These are public so that a third party (or a test) can check every intermediate value of
//! `test-vectors/handshake.json`; the client and server modules call exactly these.

use alloc::vec::Vec;
use core::fmt;
use k256::elliptic_curve::Generate;
use k256::elliptic_curve::ops::Reduce;
use k256::elliptic_curve::sec1::ToSec1Point;
use k256::{NonZeroScalar, PublicKey, SecretKey, WideBytes};
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use x25519_dalek::{PublicKey as XPublicKey, StaticSecret};

use super::{CLIENT_NONCE_LEN, Kid, NONCE_LEN, PRIMARY_PUBLIC_LEN};
use crate::crypto::{hkdf_sha256, hkdf32, sha256_parts};
use crate::encoding::{lp, put_lp};
use crate::error::{Error, Result};
use crate::secret::{SecretBytes, SecretKey32};

/// HKDF info of the server primary key.
pub const INFO_SERVER_PRIMARY: &[u8] = b"sealwright/v1/server-primary";
/// HKDF info of `K_p`.
pub const INFO_WRAP_KEY: &[u8] = b"HandshakeWrapKey";
/// HKDF info of `K_m`.
pub const INFO_MESSAGE_KEY: &[u8] = b"HandshakeMessageKey";
/// Prefix of the handshake signature transcript.
pub const TRANSCRIPT_PREFIX: &[u8] = b"sealwright/v1/handshake";

/// Direction byte of a message (spec §2, `dir`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `0x01`, client to server.
    ClientToServer = 0x01,
    /// `0x02`, server to client.
    ServerToClient = 0x02,
}

/// A secp256k1 primary key pair `(d, P)`: the client's long-lived `(d_c, P_c)` or the
/// server's per-handshake `(d_s, P_s)`. Zeroized on drop; `Debug` prints only the public key.
#[derive(Clone)]
pub struct PrimaryKey {
    secret: SecretKey,
}

impl fmt::Debug for PrimaryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrimaryKey")
            .field("public", &crate::encoding::hex_encode(&self.public_bytes()))
            .field("private", &"REDACTED")
            .finish()
    }
}

impl PrimaryKey {
    /// A fresh random key pair.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self {
            secret: SecretKey::generate_from_rng(rng),
        }
    }

    /// A key from its 32-byte big-endian scalar (`INVALID_KEY` if zero or not below the
    /// group order).
    pub fn from_bytes(private: &SecretKey32) -> Result<Self> {
        let secret = SecretKey::from_slice(private.expose()).map_err(|_| Error::InvalidKey)?;
        Ok(Self { secret })
    }

    /// The 32-byte big-endian scalar (a secret).
    pub fn to_bytes(&self) -> SecretKey32 {
        let mut out = SecretKey32::zeroed();
        out.expose_mut().copy_from_slice(&self.secret.to_bytes());
        out
    }

    /// The SEC1-compressed public key (33 bytes).
    pub fn public_bytes(&self) -> [u8; PRIMARY_PUBLIC_LEN] {
        compress(&self.secret.public_key())
    }
}

fn compress(p: &PublicKey) -> [u8; PRIMARY_PUBLIC_LEN] {
    let mut out = [0u8; PRIMARY_PUBLIC_LEN];
    let encoded = p.to_sec1_point(true);
    let bytes = encoded.as_bytes();
    if let Some(dst) = out.get_mut(..bytes.len()) {
        dst.copy_from_slice(bytes);
    }
    out
}

/// Parses a primary public key: exactly the 33-byte SEC1-compressed encoding of a point on
/// secp256k1 (`INVALID_KEY` for anything else, including uncompressed encodings).
pub fn parse_primary_public(bytes: &[u8]) -> Result<PublicKey> {
    match bytes.first() {
        Some(0x02 | 0x03) if bytes.len() == PRIMARY_PUBLIC_LEN => {
            PublicKey::from_sec1_bytes(bytes).map_err(|_| Error::InvalidKey)
        }
        _ => Err(Error::InvalidKey),
    }
}

/// The server primary key of one handshake:
/// `okm = HKDF(nonce, E, "sealwright/v1/server-primary", 48)`,
/// `d_s = (OS2IP(okm) mod (n - 1)) + 1`.
pub fn server_primary_key(entropy: &[u8], nonce: &[u8; NONCE_LEN]) -> Result<PrimaryKey> {
    // OS2IP of the 48-byte okm, left-padded with zeros to the 64-byte wide input of k256's
    // reduction; `NonZeroScalar::reduce` computes exactly `(x mod (n - 1)) + 1`.
    let mut wide = SecretBytes::<64>::zeroed();
    let okm = wide.expose_mut().get_mut(16..).ok_or(Error::InvalidInput)?;
    hkdf_sha256(nonce, entropy, INFO_SERVER_PRIMARY, okm)?;
    let wide_bytes = WideBytes::from(*wide.expose());
    let scalar = <NonZeroScalar as Reduce<WideBytes>>::reduce(&wide_bytes);
    Ok(PrimaryKey {
        secret: SecretKey::from(scalar),
    })
}

/// `SS_p = ECDH_k1(d, P)`: the 32-byte x-coordinate of `d * P`.
pub fn primary_secret(own: &PrimaryKey, peer: &PublicKey) -> SecretKey32 {
    let shared = own.secret.diffie_hellman(peer);
    let mut out = SecretKey32::zeroed();
    out.expose_mut()
        .copy_from_slice(shared.raw_secret_bytes().as_slice());
    out
}

/// The X25519 public key of a 32-byte private key (clamped inside X25519).
pub fn x25519_public(private: &SecretKey32) -> [u8; 32] {
    let secret = StaticSecret::from(*private.expose());
    XPublicKey::from(&secret).to_bytes()
}

/// `X25519(a, B)`, rejecting the all-zero result (`LOW_ORDER_POINT`), checked in constant time.
pub fn x25519(private: &SecretKey32, public: &[u8; 32]) -> Result<SecretKey32> {
    let secret = StaticSecret::from(*private.expose());
    let shared = secret.diffie_hellman(&XPublicKey::from(*public));
    let out = SecretKey32::new(shared.to_bytes());
    if bool::from(out.expose().ct_eq(&[0u8; 32])) {
        return Err(Error::LowOrderPoint);
    }
    Ok(out)
}

/// `K_p = HKDF(deviceId, SS_p, "HandshakeWrapKey", 32)`.
pub fn wrap_key(device_id: &str, primary_secret: &SecretKey32) -> Result<SecretKey32> {
    hkdf32(device_id.as_bytes(), primary_secret.expose(), INFO_WRAP_KEY)
}

/// `K_m = HKDF(deviceId, SS_p || SS_e, "HandshakeMessageKey", 32)`.
pub fn message_key(
    device_id: &str,
    primary_secret: &SecretKey32,
    ephemeral_secret: &SecretKey32,
) -> Result<SecretKey32> {
    let mut ikm = SecretBytes::<64>::zeroed();
    let (a, b) = ikm.expose_mut().split_at_mut(32);
    a.copy_from_slice(primary_secret.expose());
    b.copy_from_slice(ephemeral_secret.expose());
    hkdf32(device_id.as_bytes(), ikm.expose(), INFO_MESSAGE_KEY)
}

fn aad(label: &[u8], dir: Direction, device_id: &str, kid: &Kid) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(label.len() + 1 + 4 + device_id.len() + kid.as_str().len());
    out.extend_from_slice(label);
    out.push(dir as u8);
    put_lp(&mut out, device_id.as_bytes())?;
    put_lp(&mut out, kid.as_str().as_bytes())?;
    Ok(out)
}

/// `AAD_eph(dir, kid) = "sealwright/v1/eph" || dir || lp(deviceId) || lp(kid)`.
pub fn aad_eph(dir: Direction, device_id: &str, kid: &Kid) -> Result<Vec<u8>> {
    aad(b"sealwright/v1/eph", dir, device_id, kid)
}

/// `AAD_data(dir, kid) = "sealwright/v1/data" || dir || lp(deviceId) || lp(kid)`.
pub fn aad_data(dir: Direction, device_id: &str, kid: &Kid) -> Result<Vec<u8>> {
    aad(b"sealwright/v1/data", dir, device_id, kid)
}

/// The signed handshake transcript (spec §2.1):
/// `"sealwright/v1/handshake" || lp(deviceId) || clientNonce(16) || P_c(33) || P_s(33) ||
/// E_s(32) || lp(kid)`.
pub fn transcript(
    device_id: &str,
    client_nonce: &[u8; CLIENT_NONCE_LEN],
    client_primary: &[u8; PRIMARY_PUBLIC_LEN],
    server_primary: &[u8; PRIMARY_PUBLIC_LEN],
    server_ephemeral: &[u8; 32],
    kid: &Kid,
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(TRANSCRIPT_PREFIX.len() + 2 + device_id.len() + 148);
    out.extend_from_slice(TRANSCRIPT_PREFIX);
    put_lp(&mut out, device_id.as_bytes())?;
    out.extend_from_slice(client_nonce);
    out.extend_from_slice(client_primary);
    out.extend_from_slice(server_primary);
    out.extend_from_slice(server_ephemeral);
    put_lp(&mut out, kid.as_str().as_bytes())?;
    Ok(out)
}

/// `request_id = SHA-256(lp(kid) || publicKeyEphemeral bytes || data bytes)` over the decoded
/// request fields (spec §2.2 step 2).
pub fn request_id(kid: &Kid, public_key_ephemeral: &[u8], data: &[u8]) -> Result<[u8; 32]> {
    Ok(sha256_parts(&[
        &lp(kid.as_str().as_bytes())?,
        public_key_ephemeral,
        data,
    ]))
}
