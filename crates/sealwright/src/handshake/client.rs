//! The client side of spec §2 as a typestate:
//! [`Client`] -> [`AwaitingHandshake`] -> [`Established`] -> [`AwaitingResponse`] ->
//! [`Established`] -> ...

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;

use super::derive::{
    self, Direction, PrimaryKey, aad_data, aad_eph, parse_primary_public, x25519, x25519_public,
};
use super::wire::{HandshakeRequest, HandshakeResponse, ProcessRequest, ProcessResponse};
use super::{CLIENT_NONCE_LEN, Kid, STATE_VERSION};
use crate::crypto::{PickleKind, open, pickle_open, pickle_seal, sealed};
use crate::encoding::{Reader, put_lp, validate_identifier};
use crate::error::{Error, Result};
use crate::rsa_keys::{HANDSHAKE_BITS, RsaPublicKey};
use crate::secret::{SecretKey32, SecretVec};

/// A device before its handshake: its id, its secp256k1 primary key and the pinned server
/// RSA-4096 public key.
#[derive(Clone)]
pub struct Client {
    device_id: String,
    primary: PrimaryKey,
    server_key: RsaPublicKey,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("device_id", &self.device_id)
            .field("primary", &self.primary)
            .field("server_key", &self.server_key)
            .finish()
    }
}

impl Client {
    /// A client for `device_id` (an identifier, else `INVALID_INPUT`) with its primary key
    /// `(d_c, P_c)` and the pinned server identity key (4096 bits, else `KEY_REJECTED`).
    pub fn new(device_id: &str, primary: PrimaryKey, server_key: RsaPublicKey) -> Result<Self> {
        validate_identifier(device_id)?;
        if !HANDSHAKE_BITS.contains(&server_key.bits()) {
            return Err(Error::KeyRejected);
        }
        Ok(Self {
            device_id: String::from(device_id),
            primary,
            server_key,
        })
    }

    /// The device id.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Spec §2.1, client request: draws the 16-byte `clientNonce`, then encrypts the
    /// compressed `P_c` with RSAES-OAEP-SHA256 to the pinned key. Returns the request JSON.
    pub fn start<R: CryptoRng + ?Sized>(self, rng: &mut R) -> Result<(String, AwaitingHandshake)> {
        let mut client_nonce = [0u8; CLIENT_NONCE_LEN];
        rng.fill_bytes(&mut client_nonce);
        let ciphertext = self
            .server_key
            .oaep_sha256_encrypt(&self.primary.public_bytes(), rng)?;
        let request = HandshakeRequest {
            device_id: self.device_id.clone(),
            client_nonce,
            public_key_primary: ciphertext,
        }
        .to_json()?;
        Ok((
            request.clone(),
            AwaitingHandshake {
                client: self,
                client_nonce,
                request,
            },
        ))
    }
}

/// A client that sent its handshake request and waits for the response.
#[derive(Clone)]
pub struct AwaitingHandshake {
    client: Client,
    client_nonce: [u8; CLIENT_NONCE_LEN],
    request: String,
}

impl fmt::Debug for AwaitingHandshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwaitingHandshake")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl AwaitingHandshake {
    /// The request JSON as sent.
    pub fn request(&self) -> &str {
        &self.request
    }

    /// Spec §2.1, client: parses the response (`UNSUPPORTED_VERSION`, `INVALID_INPUT`),
    /// verifies the PSS signature (salt exactly 32) over the transcript with this client's own
    /// `clientNonce` and `P_c` against the pinned key (`BAD_SIGNATURE`), checks `P_s` is a
    /// point (`INVALID_KEY`), computes `SS_p` and keeps `(kid, E_s)`.
    ///
    /// Takes `&self`: after a failure the state is unchanged.
    pub fn finish(&self, response: &str) -> Result<Established> {
        let response = HandshakeResponse::from_json(response)?;
        let c = &self.client;
        let transcript = derive::transcript(
            &c.device_id,
            &self.client_nonce,
            &c.primary.public_bytes(),
            &response.public_key_primary,
            &response.public_key_ephemeral,
            &response.kid,
        )?;
        c.server_key
            .pss_sha256_verify(&transcript, &response.signature)?;
        let server_primary = parse_primary_public(&response.public_key_primary)?;
        let primary_secret = derive::primary_secret(&c.primary, &server_primary);
        Established::new(
            c.device_id.clone(),
            primary_secret,
            response.kid,
            response.public_key_ephemeral,
        )
    }
}

/// A client with a session: `SS_p`, the current server `kid` and `E_s`.
#[derive(Clone)]
pub struct Established {
    device_id: String,
    primary_secret: SecretKey32,
    wrap_key: SecretKey32,
    kid: Kid,
    server_ephemeral: [u8; 32],
}

impl fmt::Debug for Established {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Established")
            .field("device_id", &self.device_id)
            .field("kid", &self.kid)
            .field("primary_secret", &"REDACTED")
            .field("wrap_key", &"REDACTED")
            .finish_non_exhaustive()
    }
}

impl Established {
    fn new(
        device_id: String,
        primary_secret: SecretKey32,
        kid: Kid,
        server_ephemeral: [u8; 32],
    ) -> Result<Self> {
        let wrap_key = derive::wrap_key(&device_id, &primary_secret)?;
        Ok(Self {
            device_id,
            primary_secret,
            wrap_key,
            kid,
            server_ephemeral,
        })
    }

    /// The device id.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The server key id the next request goes to.
    pub fn kid(&self) -> &Kid {
        &self.kid
    }

    /// The server's current X25519 public key `E_s`.
    pub fn server_ephemeral(&self) -> &[u8; 32] {
        &self.server_ephemeral
    }

    /// Spec §2.2, client request: draws `e_c` (32 bytes), computes `SS_e = X25519(e_c, E_s)`
    /// (`LOW_ORDER_POINT`) and `K_m`, then seals `E_c` under `K_p` and the plaintext under
    /// `K_m` (drawing their two 12-byte nonces in that order). Returns the request JSON.
    pub fn send<R: CryptoRng + ?Sized>(
        self,
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<(String, AwaitingResponse)> {
        let client_ephemeral = SecretKey32::random(rng);
        let ephemeral_secret = x25519(&client_ephemeral, &self.server_ephemeral)?;
        let message_key =
            derive::message_key(&self.device_id, &self.primary_secret, &ephemeral_secret)?;
        let public = x25519_public(&client_ephemeral);
        let eph_aad = aad_eph(Direction::ClientToServer, &self.device_id, &self.kid)?;
        let data_aad = aad_data(Direction::ClientToServer, &self.device_id, &self.kid)?;
        let public_key_ephemeral = sealed(self.wrap_key.expose(), &public, &eph_aad, rng)?;
        let data = sealed(message_key.expose(), plaintext, &data_aad, rng)?;
        let request = ProcessRequest {
            device_id: self.device_id.clone(),
            kid: self.kid.clone(),
            public_key_ephemeral,
            data,
        }
        .to_json()?;
        Ok((
            request.clone(),
            AwaitingResponse {
                session: self,
                message_key,
                request,
            },
        ))
    }

    fn state_bytes(&self) -> Result<SecretVec> {
        let mut out = SecretVec::new(Vec::with_capacity(1 + 2 + self.device_id.len() + 96));
        let v = out.expose_mut();
        v.push(STATE_VERSION);
        put_lp(v, self.device_id.as_bytes())?;
        v.extend_from_slice(self.primary_secret.expose());
        v.extend_from_slice(self.kid.as_str().as_bytes());
        v.extend_from_slice(&self.server_ephemeral);
        Ok(out)
    }

    fn from_state_bytes(state: &SecretVec) -> Result<Self> {
        let mut r = Reader::new(state.expose());
        if r.u8()? != STATE_VERSION {
            return Err(Error::UnsupportedVersion);
        }
        let device_id = String::from(r.lp_str()?);
        validate_identifier(&device_id)?;
        let primary_secret = SecretKey32::from_slice(r.take(32)?)?;
        let kid_text = core::str::from_utf8(r.take(32)?).map_err(|_| Error::InvalidInput)?;
        let kid = Kid::parse(kid_text)?;
        let server_ephemeral = r.array()?;
        r.finish()?;
        Self::new(device_id, primary_secret, kid, server_ephemeral)
    }

    /// Exports this state as an encrypted pickle (spec §2.3, kind `handshake-client`):
    /// `b64url(sealed(pickle key, state, "sealwright/v1/pickle/handshake-client"))` where
    /// `state = 0x01 || lp(deviceId) || SS_p(32) || kid(32) || E_s(32)`.
    pub fn pickle<R: CryptoRng + ?Sized>(
        &self,
        pickle_key: &SecretKey32,
        rng: &mut R,
    ) -> Result<String> {
        pickle_seal(
            pickle_key,
            PickleKind::HandshakeClient,
            self.state_bytes()?.expose(),
            rng,
        )
    }

    /// Imports a pickle made by [`Established::pickle`] (`INVALID_INPUT` for bad base64 or
    /// layout, `DECRYPTION_FAILED` for a wrong key or kind or tampered bytes,
    /// `UNSUPPORTED_VERSION` for an unknown state version).
    pub fn unpickle(pickle_key: &SecretKey32, pickle: &str) -> Result<Self> {
        let state = pickle_open(pickle_key, PickleKind::HandshakeClient, pickle)?;
        Self::from_state_bytes(&state)
    }
}

/// A client that sent a message and waits for the response. It keeps the exact request bytes:
/// after a dropped response, send [`AwaitingResponse::request`] again unchanged and the server
/// answers the same response (an idempotent retry, spec §2.2 step 2).
#[derive(Clone)]
pub struct AwaitingResponse {
    session: Established,
    message_key: SecretKey32,
    request: String,
}

impl fmt::Debug for AwaitingResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwaitingResponse")
            .field("session", &self.session)
            .field("message_key", &"REDACTED")
            .finish_non_exhaustive()
    }
}

impl AwaitingResponse {
    /// The request JSON as sent; resend exactly these bytes after a dropped response.
    pub fn request(&self) -> &str {
        &self.request
    }

    /// The kid the request went to.
    pub fn kid(&self) -> &Kid {
        &self.session.kid
    }

    /// Spec §2.2, client, in the spec's order: parses the response and requires `kid'` well
    /// formed (`UNSUPPORTED_VERSION`; `INVALID_INPUT`, including a malformed `kid'`); opens
    /// both fields, `E_s'` under `K_p` with `AAD_eph(0x02, kid')` and the data under `K_m` with
    /// `AAD_data(0x02, kid)` (`DECRYPTION_FAILED`); then requires `kid' != kid`
    /// (`INVALID_INPUT`). Returns the response plaintext and the session with `(kid', E_s')`.
    ///
    /// Takes `&self`: after a failure the state is unchanged and the request can be resent.
    pub fn receive(&self, response: &str) -> Result<(SecretVec, Established)> {
        let response = ProcessResponse::from_json(response)?;
        let s = &self.session;
        let eph_aad = aad_eph(Direction::ServerToClient, &s.device_id, &response.kid)?;
        let data_aad = aad_data(Direction::ServerToClient, &s.device_id, &s.kid)?;
        let next_ephemeral = open(
            s.wrap_key.expose(),
            &response.public_key_ephemeral,
            &eph_aad,
        )?;
        let plaintext = open(self.message_key.expose(), &response.data, &data_aad)?;
        if response.kid == s.kid {
            return Err(Error::InvalidInput);
        }
        let server_ephemeral: [u8; 32] = next_ephemeral
            .expose()
            .try_into()
            .map_err(|_| Error::InvalidInput)?;
        let mut next = s.clone();
        next.kid = response.kid;
        next.server_ephemeral = server_ephemeral;
        Ok((plaintext, next))
    }
}
