//! The server side of spec §2: pure functions over the records the caller loads, returning
//! the response and the store [`Effect`]s to apply in order.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;

use super::derive::{
    self, Direction, aad_data, aad_eph, derive_server_primary_key, parse_primary_public, x25519,
    x25519_public,
};
use super::store::{
    EphRecord, EphState, LastRecord, RetryRecord, SessionRecord, eph_key, last_key, retry_key,
    session_key,
};
use super::wire::{HandshakeRequest, HandshakeResponse, ProcessRequest, ProcessResponse};
use super::{GRACE_SECONDS, Kid, MIN_ENTROPY_LEN, NONCE_LEN, SESSION_TTL_MS, SESSION_TTL_SECONDS};
use crate::crypto::{ct_eq, open as gcm_open, sealed};
use crate::effect::{Effect, StoreSealer};
use crate::error::{Error, Result};
use crate::rsa_keys::{HANDSHAKE_BITS, RsaPrivateKey, RsaPublicKey};
use crate::secret::{SecretKey32, SecretVec};

/// The server's long-term material (spec §2): the RSA-4096 identity key, the master entropy
/// `E` and `K_store` derived from the storage secret.
#[derive(Clone)]
pub struct ServerKeys {
    identity: RsaPrivateKey,
    entropy: SecretVec,
    sealer: StoreSealer,
}

impl fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerKeys")
            .field("identity", &self.identity)
            .field("entropy", &self.entropy)
            .field("sealer", &self.sealer)
            .finish()
    }
}

impl ServerKeys {
    /// The server keys: `identity` must be 4096 bits (`KEY_REJECTED`), `entropy` at least
    /// 32 bytes (`INVALID_INPUT`); `storage_secret` gives `K_store` (spec §2.3).
    pub fn new(
        identity: RsaPrivateKey,
        entropy: SecretVec,
        storage_secret: &SecretKey32,
    ) -> Result<Self> {
        if !HANDSHAKE_BITS.contains(&identity.bits()) {
            return Err(Error::KeyRejected);
        }
        if entropy.len() < MIN_ENTROPY_LEN {
            return Err(Error::InvalidInput);
        }
        Ok(Self {
            identity,
            entropy,
            sealer: StoreSealer::new(storage_secret)?,
        })
    }

    /// The identity public key clients pin.
    pub fn public_key(&self) -> RsaPublicKey {
        self.identity.public_key()
    }

    /// The sealer of stored values (`K_store`).
    pub fn sealer(&self) -> &StoreSealer {
        &self.sealer
    }
}

/// The store key a handshake request needs loaded: `sw:v1:hs:last:<deviceId>`
/// (`INVALID_INPUT` / `UNSUPPORTED_VERSION` if the request does not parse).
pub fn handshake_store_key(request: &str) -> Result<String> {
    Ok(last_key(&HandshakeRequest::parse(request)?.device_id))
}

/// Spec §2.1, server. `last` is the value stored at [`handshake_store_key`], if any.
///
/// The random values are drawn first, in this order: the 32-byte `nonce`, the 32-byte X25519
/// private key `e_s`, the 16 bytes of `kid`; then the RSA operations use `rng` (blinding and
/// the PSS salt with the default backend), then the store seals. Checks, in order: the request
/// parses (`UNSUPPORTED_VERSION`, `INVALID_INPUT`); `publicKeyPrimary` decrypts
/// (`DECRYPTION_FAILED`); it is a 33-byte compressed point (`INVALID_KEY`); the `last` value
/// opens (`DECRYPTION_FAILED`, `UNSUPPORTED_VERSION`, `INVALID_INPUT`).
///
/// Returns the response JSON and the effects, in order: `session[deviceId]` (TTL 86,400 s),
/// `eph[kid]` (TTL 86,400 s), `Delete eph[old kid]` when `last` named one, `last[deviceId]`
/// (TTL 86,400 s).
pub fn handshake<R: CryptoRng + ?Sized>(
    keys: &ServerKeys,
    request: &str,
    last: Option<&[u8]>,
    now_ms: u64,
    rng: &mut R,
) -> Result<(String, Vec<Effect>)> {
    let request = HandshakeRequest::parse(request)?;
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let server_ephemeral = SecretKey32::random(rng);
    let kid = Kid::random(rng);

    // RSA private-key operation: AWS-LC natively (see `crate::rsa_keys` on RUSTSEC-2023-0071).
    let client_primary_bytes = keys
        .identity
        .oaep_sha256_decrypt(&request.public_key_primary, rng)?;
    let client_primary = parse_primary_public(client_primary_bytes.expose())?;
    let client_primary_bytes: [u8; 33] = client_primary_bytes
        .expose()
        .try_into()
        .map_err(|_| Error::InvalidKey)?;
    let old_kid = last
        .map(|v| LastRecord::open(&keys.sealer, &request.device_id, v))
        .transpose()?
        .map(|r| r.kid);

    let server_primary = derive_server_primary_key(keys.entropy.expose(), &nonce)?;
    let server_primary_public = server_primary.public_bytes();
    let primary_secret = derive::primary_secret(&server_primary, &client_primary);
    let server_ephemeral_public = x25519_public(&server_ephemeral);
    let transcript = derive::transcript(
        &request.device_id,
        &request.client_nonce,
        &client_primary_bytes,
        &server_primary_public,
        &server_ephemeral_public,
        &kid,
    )?;
    // RSA private-key operation.
    let signature = keys.identity.pss_sha256_sign(&transcript, rng)?;
    let response = HandshakeResponse {
        public_key_primary: server_primary_public,
        public_key_ephemeral: server_ephemeral_public,
        kid: kid.clone(),
        signature,
    }
    .to_json()?;

    let device_id = request.device_id;
    let mut effects = Vec::with_capacity(4);
    effects.push(
        SessionRecord {
            primary_secret,
            nonce,
            client_primary: client_primary_bytes,
            created_ms: now_ms,
        }
        .put(&keys.sealer, &device_id, SESSION_TTL_SECONDS, rng)?,
    );
    effects.push(
        EphRecord {
            device_id: device_id.clone(),
            session_nonce: nonce,
            state: EphState::Live(server_ephemeral),
        }
        .put(&keys.sealer, &kid, SESSION_TTL_SECONDS, rng)?,
    );
    if let Some(old) = old_kid {
        effects.push(Effect::Delete { key: eph_key(&old) });
    }
    effects.push(LastRecord { kid }.put(&keys.sealer, &device_id, SESSION_TTL_SECONDS, rng)?);
    Ok((response, effects))
}

/// The store keys a process request names (load all three, e.g. one Redis `MGET`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessStoreKeys {
    /// `sw:v1:hs:session:<deviceId>`.
    pub session: String,
    /// `sw:v1:hs:eph:<kid>`.
    pub eph: String,
    /// `sw:v1:hs:retry:<hex(request_id)>` (read only for an idempotent retry).
    pub retry: String,
}

/// The store keys to load for a process request (`INVALID_INPUT` / `UNSUPPORTED_VERSION` if
/// the request does not parse). `request_id` depends only on the request bytes, so all three
/// keys are known up front.
pub fn process_store_keys(request: &str) -> Result<ProcessStoreKeys> {
    let request = ProcessRequest::parse(request)?;
    Ok(ProcessStoreKeys {
        session: session_key(&request.device_id),
        eph: eph_key(&request.kid),
        retry: retry_key(&request.request_id()?),
    })
}

/// The values loaded for [`ProcessStoreKeys`] (`None` where the key is absent or expired).
#[derive(Clone, Copy, Debug, Default)]
pub struct Records<'a> {
    /// The value at [`ProcessStoreKeys::session`].
    pub session: Option<&'a [u8]>,
    /// The value at [`ProcessStoreKeys::eph`].
    pub eph: Option<&'a [u8]>,
    /// The value at [`ProcessStoreKeys::retry`].
    pub retry: Option<&'a [u8]>,
}

/// What [`open`] found.
#[derive(Debug)]
pub enum Outcome {
    /// A new message: hand [`Opened::plaintext`] to the business logic, then
    /// [`Opened::respond`].
    Opened(Box<Opened>),
    /// An idempotent retry of an already answered byte-identical request: send this stored
    /// response again unchanged (no effects, no business logic).
    Retry(String),
}

/// A request that passed every check of spec §2.2 steps 1 to 3.
pub struct Opened {
    sealer: StoreSealer,
    device_id: String,
    kid: Kid,
    session_nonce: [u8; NONCE_LEN],
    request_id: [u8; 32],
    wrap_key: SecretKey32,
    message_key: SecretKey32,
    plaintext: SecretVec,
}

impl fmt::Debug for Opened {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Opened")
            .field("device_id", &self.device_id)
            .field("kid", &self.kid)
            .field("plaintext", &self.plaintext)
            .finish_non_exhaustive()
    }
}

/// Spec §2.2 steps 1 to 3, server. `records` holds the values loaded for
/// [`process_store_keys`] at `now_ms`.
///
/// Checks, in this order: the request parses (`UNSUPPORTED_VERSION`, `INVALID_INPUT`);
/// `session[deviceId]` present and `now_ms < createdMs + 86,400,000` (`SESSION_EXPIRED`);
/// `eph[kid]` present, of this device and of this session (`UNKNOWN_KID`); if `eph[kid]` is
/// marked used: by another `request_id` (`KID_ROTATED`), by this one: the stored response is
/// returned as [`Outcome::Retry`] (`KID_ROTATED` if it is gone); `E_c` opens under `K_p`
/// (`DECRYPTION_FAILED`); `X25519(e_s, E_c)` is not all zero (`LOW_ORDER_POINT`); `data` opens
/// under `K_m` (`DECRYPTION_FAILED`). A stored value that does not open under its key is
/// `DECRYPTION_FAILED` (a tampered or moved record), one with an unknown version byte
/// `UNSUPPORTED_VERSION`.
pub fn open(
    keys: &ServerKeys,
    request: &str,
    records: Records<'_>,
    now_ms: u64,
) -> Result<Outcome> {
    let request = ProcessRequest::parse(request)?;
    let sealer = &keys.sealer;
    // Step 1.
    let session = records
        .session
        .ok_or(Error::SessionExpired)
        .and_then(|v| SessionRecord::open(sealer, &request.device_id, v))?;
    if now_ms >= session.created_ms.saturating_add(SESSION_TTL_MS) {
        return Err(Error::SessionExpired);
    }
    let eph = records
        .eph
        .ok_or(Error::UnknownKid)
        .and_then(|v| EphRecord::open(sealer, &request.kid, v))?;
    if eph.device_id != request.device_id || eph.session_nonce != session.nonce {
        return Err(Error::UnknownKid);
    }
    // Step 2.
    let request_id = request.request_id()?;
    let server_ephemeral = match eph.state {
        EphState::Used(used_by) if ct_eq(&used_by, &request_id) => {
            let stored = records.retry.ok_or(Error::KidRotated)?;
            let retry = RetryRecord::open(sealer, &request_id, stored)?;
            return Ok(Outcome::Retry(retry.response));
        }
        EphState::Used(_) => return Err(Error::KidRotated),
        EphState::Live(e) => e,
    };
    // Step 3.
    let wrap_key = derive::wrap_key(&request.device_id, &session.primary_secret)?;
    let eph_aad = aad_eph(Direction::ClientToServer, &request.device_id, &request.kid)?;
    let client_ephemeral = gcm_open(wrap_key.expose(), &request.public_key_ephemeral, &eph_aad)?;
    let client_ephemeral: [u8; 32] = client_ephemeral
        .expose()
        .try_into()
        .map_err(|_| Error::InvalidKey)?;
    let ephemeral_secret = x25519(&server_ephemeral, &client_ephemeral)?;
    let message_key = derive::message_key(
        &request.device_id,
        &session.primary_secret,
        &ephemeral_secret,
    )?;
    let data_aad = aad_data(Direction::ClientToServer, &request.device_id, &request.kid)?;
    let plaintext = gcm_open(message_key.expose(), &request.data, &data_aad)?;
    Ok(Outcome::Opened(Box::new(Opened {
        sealer: sealer.clone(),
        device_id: request.device_id,
        kid: request.kid,
        session_nonce: session.nonce,
        request_id,
        wrap_key,
        message_key,
        plaintext,
    })))
}

/// [`process_store_keys`] then [`open`] in one call, for callers that can read their store
/// synchronously: `load(key)` returns the live value stored at `key` at `now_ms`, if any.
///
/// ```
/// # use sealwright::handshake::server;
/// # fn demo(keys: &server::ServerKeys, store: &sealwright::effect::MemoryStore, request: &str,
/// #         now_ms: u64) -> sealwright::Result<server::Outcome> {
/// server::open_with(keys, request, |key| store.get(key, now_ms).map(<[u8]>::to_vec), now_ms)
/// # }
/// ```
pub fn open_with<F: FnMut(&str) -> Option<Vec<u8>>>(
    keys: &ServerKeys,
    request: &str,
    mut load: F,
    now_ms: u64,
) -> Result<Outcome> {
    let names = process_store_keys(request)?;
    let session = load(&names.session);
    let eph = load(&names.eph);
    let retry = load(&names.retry);
    let records = Records {
        session: session.as_deref(),
        eph: eph.as_deref(),
        retry: retry.as_deref(),
    };
    open(keys, request, records, now_ms)
}

impl Opened {
    /// The request plaintext, for the business logic (spec §2.2 step 4).
    pub fn plaintext(&self) -> &SecretVec {
        &self.plaintext
    }

    /// The device the request came from.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The kid the request used.
    pub fn kid(&self) -> &Kid {
        &self.kid
    }

    /// The request's `request_id`.
    pub fn request_id(&self) -> &[u8; 32] {
        &self.request_id
    }

    /// Spec §2.2 step 5: rotation and the response. Draws, in order, `e_s'` (32 bytes), `kid'`
    /// (16 bytes), the nonce sealing `E_s'` under `K_p` with `AAD_eph(0x02, kid')`, the nonce
    /// sealing `response` under `K_m` with `AAD_data(0x02, kid)`, then the store seals.
    ///
    /// Effects, in order: `eph[kid']` live (TTL 86,400 s); `eph[kid]` marked used by
    /// `request_id` (TTL 300 s; `e_s` is erased); `retry[request_id] = response` (TTL 300 s);
    /// `last[deviceId] = kid'` (TTL 86,400 s). The session TTL is not refreshed.
    pub fn respond<R: CryptoRng + ?Sized>(
        self,
        response: &[u8],
        rng: &mut R,
    ) -> Result<(String, Vec<Effect>)> {
        let next_ephemeral = SecretKey32::random(rng);
        let next_kid = Kid::random(rng);
        let eph_aad = aad_eph(Direction::ServerToClient, &self.device_id, &next_kid)?;
        let data_aad = aad_data(Direction::ServerToClient, &self.device_id, &self.kid)?;
        let public_key_ephemeral = sealed(
            self.wrap_key.expose(),
            &x25519_public(&next_ephemeral),
            &eph_aad,
            rng,
        )?;
        let data = sealed(self.message_key.expose(), response, &data_aad, rng)?;
        let response = ProcessResponse {
            kid: next_kid.clone(),
            public_key_ephemeral,
            data,
        }
        .to_json()?;

        let s = &self.sealer;
        let effects = [
            EphRecord {
                device_id: self.device_id.clone(),
                session_nonce: self.session_nonce,
                state: EphState::Live(next_ephemeral),
            }
            .put(s, &next_kid, SESSION_TTL_SECONDS, rng)?,
            EphRecord {
                device_id: self.device_id.clone(),
                session_nonce: self.session_nonce,
                state: EphState::Used(self.request_id),
            }
            .put(s, &self.kid, GRACE_SECONDS, rng)?,
            RetryRecord {
                response: response.clone(),
            }
            .put(s, &self.request_id, GRACE_SECONDS, rng)?,
            LastRecord { kid: next_kid }.put(s, &self.device_id, SESSION_TTL_SECONDS, rng)?,
        ];
        Ok((response, Vec::from(effects)))
    }
}
