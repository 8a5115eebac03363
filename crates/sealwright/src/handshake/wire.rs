//! The four JSON messages of spec §2, generated in the spec's member order with no whitespace
//! and parsed strictly (spec §0): `v` must be the integer 1 (`UNSUPPORTED_VERSION` for any other
//! number), base64 is canonical, every length is exact (`INVALID_INPUT`), identifiers and kids
//! are well formed (`INVALID_INPUT`). Unknown members are ignored; duplicate members, missing
//! members and wrong types are `INVALID_INPUT`.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{CLIENT_NONCE_LEN, Kid, PRIMARY_PUBLIC_LEN, SEALED_EPHEMERAL_LEN, derive};
use crate::crypto::{NONCE_LEN as GCM_NONCE_LEN, TAG_LEN};
use crate::encoding::{b64_decode, b64_encode, validate_identifier};
use crate::error::{Error, Result};

/// Smallest `data` field: a 12-byte nonce and a 16-byte tag around an empty plaintext.
pub const MIN_SEALED_DATA_LEN: usize = GCM_NONCE_LEN + TAG_LEN;

fn check_version(v: Option<&Value>) -> Result<()> {
    match v {
        Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(()),
        Some(Value::Number(_)) => Err(Error::UnsupportedVersion),
        _ => Err(Error::InvalidInput),
    }
}

fn required<T>(field: Option<T>) -> Result<T> {
    field.ok_or(Error::InvalidInput)
}

fn b64_exact<const N: usize>(text: &str) -> Result<[u8; N]> {
    b64_decode(text)?
        .try_into()
        .map_err(|_| Error::InvalidInput)
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|_| Error::InvalidInput)
}

fn parse_json<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T> {
    serde_json::from_str(text).map_err(|_| Error::InvalidInput)
}

/// Decodes a sealed ephemeral key field: exactly `12 + 32 + 16` bytes.
fn sealed_ephemeral(text: &str) -> Result<Vec<u8>> {
    let bytes = b64_decode(text)?;
    if bytes.len() != SEALED_EPHEMERAL_LEN {
        return Err(Error::InvalidInput);
    }
    Ok(bytes)
}

/// Decodes a sealed data field: at least a nonce and a tag.
fn sealed_data(text: &str) -> Result<Vec<u8>> {
    let bytes = b64_decode(text)?;
    if bytes.len() < MIN_SEALED_DATA_LEN {
        return Err(Error::InvalidInput);
    }
    Ok(bytes)
}

/// The handshake request (spec §2.1):
/// `{"v":1,"deviceId":..,"clientNonce":b64(16 bytes),"publicKeyPrimary":b64(RSA-OAEP ciphertext)}`.
/// `Debug` shows the ciphertext's length only.
#[derive(Clone, PartialEq, Eq)]
pub struct HandshakeRequest {
    /// The device identifier.
    pub device_id: String,
    /// The client's 16 random bytes, bound into the server's signature.
    pub client_nonce: [u8; CLIENT_NONCE_LEN],
    /// RSAES-OAEP-SHA256 ciphertext of the client's compressed primary public key (its length
    /// is checked by the decryption: `DECRYPTION_FAILED`).
    pub public_key_primary: Vec<u8>,
}

impl fmt::Debug for HandshakeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandshakeRequest")
            .field("device_id", &self.device_id)
            .field("client_nonce", &self.client_nonce)
            .field("public_key_primary_len", &self.public_key_primary.len())
            .finish()
    }
}

#[derive(Serialize)]
struct HandshakeRequestOut<'a> {
    v: u8,
    #[serde(rename = "deviceId")]
    device_id: &'a str,
    #[serde(rename = "clientNonce")]
    client_nonce: String,
    #[serde(rename = "publicKeyPrimary")]
    public_key_primary: String,
}

#[derive(Deserialize)]
struct HandshakeRequestIn {
    v: Option<Value>,
    #[serde(rename = "deviceId")]
    device_id: Option<String>,
    #[serde(rename = "clientNonce")]
    client_nonce: Option<String>,
    #[serde(rename = "publicKeyPrimary")]
    public_key_primary: Option<String>,
}

impl HandshakeRequest {
    /// The JSON text, members in spec order.
    pub fn to_json(&self) -> Result<String> {
        to_json(&HandshakeRequestOut {
            v: 1,
            device_id: &self.device_id,
            client_nonce: b64_encode(&self.client_nonce),
            public_key_primary: b64_encode(&self.public_key_primary),
        })
    }

    /// Parses and checks a request (`UNSUPPORTED_VERSION`, `INVALID_INPUT`).
    pub fn from_json(text: &str) -> Result<Self> {
        let raw: HandshakeRequestIn = parse_json(text)?;
        check_version(raw.v.as_ref())?;
        let device_id = required(raw.device_id)?;
        validate_identifier(&device_id)?;
        let client_nonce = b64_exact(&required(raw.client_nonce)?)?;
        let public_key_primary = b64_decode(&required(raw.public_key_primary)?)?;
        if public_key_primary.is_empty() {
            return Err(Error::InvalidInput);
        }
        Ok(Self {
            device_id,
            client_nonce,
            public_key_primary,
        })
    }
}

/// The handshake response (spec §2.1):
/// `{"v":1,"publicKeyPrimary":b64(P_s),"publicKeyEphemeral":b64(E_s),"kid":kid,"signature":b64(sig)}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeResponse {
    /// `P_s`, SEC1-compressed (checked as a point by the client after the signature).
    pub public_key_primary: [u8; PRIMARY_PUBLIC_LEN],
    /// `E_s`, the server's X25519 public key.
    pub public_key_ephemeral: [u8; 32],
    /// The key id naming `e_s`.
    pub kid: Kid,
    /// RSASSA-PSS-SHA256 signature (its length is checked by the verification:
    /// `BAD_SIGNATURE`).
    pub signature: Vec<u8>,
}

#[derive(Serialize)]
struct HandshakeResponseOut<'a> {
    v: u8,
    #[serde(rename = "publicKeyPrimary")]
    public_key_primary: String,
    #[serde(rename = "publicKeyEphemeral")]
    public_key_ephemeral: String,
    kid: &'a str,
    signature: String,
}

#[derive(Deserialize)]
struct HandshakeResponseIn {
    v: Option<Value>,
    #[serde(rename = "publicKeyPrimary")]
    public_key_primary: Option<String>,
    #[serde(rename = "publicKeyEphemeral")]
    public_key_ephemeral: Option<String>,
    kid: Option<String>,
    signature: Option<String>,
}

impl HandshakeResponse {
    /// The JSON text, members in spec order.
    pub fn to_json(&self) -> Result<String> {
        to_json(&HandshakeResponseOut {
            v: 1,
            public_key_primary: b64_encode(&self.public_key_primary),
            public_key_ephemeral: b64_encode(&self.public_key_ephemeral),
            kid: self.kid.as_str(),
            signature: b64_encode(&self.signature),
        })
    }

    /// Parses and checks a response (`UNSUPPORTED_VERSION`, `INVALID_INPUT`).
    pub fn from_json(text: &str) -> Result<Self> {
        let raw: HandshakeResponseIn = parse_json(text)?;
        check_version(raw.v.as_ref())?;
        Ok(Self {
            public_key_primary: b64_exact(&required(raw.public_key_primary)?)?,
            public_key_ephemeral: b64_exact(&required(raw.public_key_ephemeral)?)?,
            kid: Kid::parse(&required(raw.kid)?)?,
            signature: b64_decode(&required(raw.signature)?)?,
        })
    }
}

/// A process request (spec §2.2):
/// `{"v":1,"deviceId":..,"kid":kid,"publicKeyEphemeral":b64(sealed E_c),"data":b64(sealed plaintext)}`.
/// `Debug` shows the sealed fields' lengths only.
#[derive(Clone, PartialEq, Eq)]
pub struct ProcessRequest {
    /// The device identifier.
    pub device_id: String,
    /// The server key id the request is addressed to.
    pub kid: Kid,
    /// `sealed(K_p, E_c, AAD_eph(0x01, kid))`, exactly 60 bytes.
    pub public_key_ephemeral: Vec<u8>,
    /// `sealed(K_m, plaintext, AAD_data(0x01, kid))`, at least 28 bytes.
    pub data: Vec<u8>,
}

impl fmt::Debug for ProcessRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessRequest")
            .field("device_id", &self.device_id)
            .field("kid", &self.kid)
            .field("public_key_ephemeral_len", &self.public_key_ephemeral.len())
            .field("data_len", &self.data.len())
            .finish()
    }
}

#[derive(Serialize)]
struct ProcessRequestOut<'a> {
    v: u8,
    #[serde(rename = "deviceId")]
    device_id: &'a str,
    kid: &'a str,
    #[serde(rename = "publicKeyEphemeral")]
    public_key_ephemeral: String,
    data: String,
}

#[derive(Deserialize)]
struct ProcessRequestIn {
    v: Option<Value>,
    #[serde(rename = "deviceId")]
    device_id: Option<String>,
    kid: Option<String>,
    #[serde(rename = "publicKeyEphemeral")]
    public_key_ephemeral: Option<String>,
    data: Option<String>,
}

impl ProcessRequest {
    /// The JSON text, members in spec order.
    pub fn to_json(&self) -> Result<String> {
        to_json(&ProcessRequestOut {
            v: 1,
            device_id: &self.device_id,
            kid: self.kid.as_str(),
            public_key_ephemeral: b64_encode(&self.public_key_ephemeral),
            data: b64_encode(&self.data),
        })
    }

    /// Parses and checks a request (`UNSUPPORTED_VERSION`, `INVALID_INPUT`).
    pub fn from_json(text: &str) -> Result<Self> {
        let raw: ProcessRequestIn = parse_json(text)?;
        check_version(raw.v.as_ref())?;
        let device_id = required(raw.device_id)?;
        validate_identifier(&device_id)?;
        Ok(Self {
            device_id,
            kid: Kid::parse(&required(raw.kid)?)?,
            public_key_ephemeral: sealed_ephemeral(&required(raw.public_key_ephemeral)?)?,
            data: sealed_data(&required(raw.data)?)?,
        })
    }

    /// `request_id = SHA-256(lp(kid) || publicKeyEphemeral bytes || data bytes)`.
    pub fn request_id(&self) -> Result<[u8; 32]> {
        derive::request_id(&self.kid, &self.public_key_ephemeral, &self.data)
    }
}

/// A process response (spec §2.2 step 5):
/// `{"v":1,"kid":kid',"publicKeyEphemeral":b64(sealed E_s'),"data":b64(sealed response)}`.
/// `Debug` shows the sealed fields' lengths only.
#[derive(Clone, PartialEq, Eq)]
pub struct ProcessResponse {
    /// The next key id `kid'`.
    pub kid: Kid,
    /// `sealed(K_p, E_s', AAD_eph(0x02, kid'))`, exactly 60 bytes.
    pub public_key_ephemeral: Vec<u8>,
    /// `sealed(K_m, response, AAD_data(0x02, kid))`, at least 28 bytes.
    pub data: Vec<u8>,
}

impl fmt::Debug for ProcessResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessResponse")
            .field("kid", &self.kid)
            .field("public_key_ephemeral_len", &self.public_key_ephemeral.len())
            .field("data_len", &self.data.len())
            .finish()
    }
}

#[derive(Serialize)]
struct ProcessResponseOut<'a> {
    v: u8,
    kid: &'a str,
    #[serde(rename = "publicKeyEphemeral")]
    public_key_ephemeral: String,
    data: String,
}

#[derive(Deserialize)]
struct ProcessResponseIn {
    v: Option<Value>,
    kid: Option<String>,
    #[serde(rename = "publicKeyEphemeral")]
    public_key_ephemeral: Option<String>,
    data: Option<String>,
}

impl ProcessResponse {
    /// The JSON text, members in spec order.
    pub fn to_json(&self) -> Result<String> {
        to_json(&ProcessResponseOut {
            v: 1,
            kid: self.kid.as_str(),
            public_key_ephemeral: b64_encode(&self.public_key_ephemeral),
            data: b64_encode(&self.data),
        })
    }

    /// Parses and checks a response (`UNSUPPORTED_VERSION`, `INVALID_INPUT`).
    pub fn from_json(text: &str) -> Result<Self> {
        let raw: ProcessResponseIn = parse_json(text)?;
        check_version(raw.v.as_ref())?;
        Ok(Self {
            kid: Kid::parse(&required(raw.kid)?)?,
            public_key_ephemeral: sealed_ephemeral(&required(raw.public_key_ephemeral)?)?,
            data: sealed_data(&required(raw.data)?)?,
        })
    }
}
