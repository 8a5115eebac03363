//! The server side of spec §2 as steps (spec §0.2): every function takes the records the
//! caller loaded and returns a [`Step`]: its output and the store [`Effect`]s to commit as one
//! transaction.
//!
//! | step | loads | effects (one transaction) |
//! |---|---|---|
//! | [`handshake`] (§2.1) | `device`, `last` | `device` put_if_absent / put_if_equal, `session` put, `eph[kid]` put, delete `eph[old kid]`, `last` put_if_equal / put_if_absent |
//! | [`open`] (§2.2 steps 1–3) | `session`, `eph[kid]`, `claim[kid]`, `last`, `retry[request_id]` | the claim: `require_equal(eph[kid])`, `put_if_absent(claim[kid], request_id, T_claim)` |
//! | [`Opened::respond`] (§2.2 step 5) | (what `open` loaded) | `eph[kid']` put, `eph[kid]` used (put_if_equal), `retry` put, `last` put_if_equal, `delete_if_equal(claim[kid])` |
//! | [`reenroll`] (§2.1) | `device`, `last`, `eph[last]` | `delete_if_equal` of the three, `delete(session)` |
//!
//! `handshake`, `open` and `reenroll` may be rerun on a failed condition ([`run_step`]);
//! `respond` is **never** rerun: on a failed commit, reload `retry[request_id]` and call
//! [`after_conflict`], which returns the stored response of this request if another delivery
//! answered it, else `CONFLICT`. [`serve`] does all of this for a [`StepStore`]:
//!
//! ```text
//!   serve(request, business):
//!     run_step(open)            ── Retry(stored response) ─────────────▶ return it
//!       │ Opened (claim committed)        IN_PROGRESS / KID_ROTATED / ... ▶ error
//!     reply = business(&opened)           (runs once per request: the claim)
//!     commit(respond(reply)) ── Ok ──────────────────────────────────────▶ response
//!       └─ CONFLICT ─▶ reload retry[request_id] ─▶ after_conflict ─▶ stored response | CONFLICT
//! ```

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
    ClaimRecord, DeviceRecord, EphRecord, EphState, LastRecord, RetryRecord, SessionRecord,
    claim_key, device_key, eph_key, last_key, retry_key, session_key,
};
use super::wire::{HandshakeRequest, HandshakeResponse, ProcessRequest, ProcessResponse};
use super::{
    DEFAULT_CLAIM_TTL_SECONDS, GRACE_SECONDS, Kid, MIN_ENTROPY_LEN, NONCE_LEN, PRIMARY_PUBLIC_LEN,
    SESSION_TTL_MS, SESSION_TTL_SECONDS,
};
use crate::crypto::{ct_eq, open as gcm_open, sealed};
use crate::effect::{Effect, Step, StepStore, StoreSealer, StoredRecord, run_step};
use crate::encoding::validate_identifier;
use crate::error::{Error, Result};
use crate::rsa_keys::{HANDSHAKE_BITS, RsaPrivateKey, RsaPublicKey};
use crate::secret::{SecretKey32, SecretVec};

/// The server's long-term material (spec §2): the RSA-4096 identity key, the master entropy
/// `E`, the store sealer from the storage secret, and the claim TTL `T_claim`.
#[derive(Clone)]
pub struct ServerKeys {
    identity: RsaPrivateKey,
    entropy: SecretVec,
    sealer: StoreSealer,
    claim_ttl_seconds: u64,
}

impl fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerKeys")
            .field("identity", &self.identity)
            .field("entropy", &self.entropy)
            .field("sealer", &self.sealer)
            .field("claim_ttl_seconds", &self.claim_ttl_seconds)
            .finish()
    }
}

impl ServerKeys {
    /// The server keys: `identity` must be 4096 bits (`KEY_REJECTED`), `entropy` at least
    /// 32 bytes (`INVALID_INPUT`); `storage_secret` gives `K_store` under key id 0 (spec
    /// §0.2). `T_claim` is [`DEFAULT_CLAIM_TTL_SECONDS`].
    pub fn new(
        identity: RsaPrivateKey,
        entropy: SecretVec,
        storage_secret: &SecretKey32,
    ) -> Result<Self> {
        Self::with_sealer(identity, entropy, StoreSealer::new(storage_secret)?)
    }

    /// The same with a prepared [`StoreSealer`] (another key id, older keys for rotation).
    pub fn with_sealer(
        identity: RsaPrivateKey,
        entropy: SecretVec,
        sealer: StoreSealer,
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
            sealer,
            claim_ttl_seconds: DEFAULT_CLAIM_TTL_SECONDS,
        })
    }

    /// The same keys with another `T_claim` (spec §2.2 step 3): it must exceed the business
    /// logic's timeout. Zero is `INVALID_INPUT`.
    pub fn with_claim_ttl_seconds(mut self, seconds: u64) -> Result<Self> {
        if seconds == 0 {
            return Err(Error::InvalidInput);
        }
        self.claim_ttl_seconds = seconds;
        Ok(self)
    }

    /// `T_claim` in seconds.
    pub fn claim_ttl_seconds(&self) -> u64 {
        self.claim_ttl_seconds
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

fn open_opt<T: StoredRecord>(
    sealer: &StoreSealer,
    key: &str,
    v: Option<&[u8]>,
) -> Result<Option<T>> {
    v.map(|v| T::open(sealer, key, v)).transpose()
}

/// The store keys a handshake step loads (spec §2.1, §2.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeStoreKeys {
    /// `sw:v1:hs:T:device`.
    pub device: String,
    /// `sw:v1:hs:T:last`.
    pub last: String,
}

impl HandshakeStoreKeys {
    /// The keys of `device_id`.
    pub fn for_device(device_id: &str) -> Self {
        Self {
            device: device_key(device_id),
            last: last_key(device_id),
        }
    }
}

/// The values loaded at [`HandshakeStoreKeys`] (`None` where absent or expired).
#[derive(Clone, Debug, Default)]
pub struct HandshakeRecords {
    /// The value at [`HandshakeStoreKeys::device`].
    pub device: Option<Vec<u8>>,
    /// The value at [`HandshakeStoreKeys::last`].
    pub last: Option<Vec<u8>>,
}

/// The store keys a handshake request needs loaded (`INVALID_INPUT` / `UNSUPPORTED_VERSION`
/// if the request does not parse).
pub fn handshake_store_keys(request: &str) -> Result<HandshakeStoreKeys> {
    Ok(HandshakeStoreKeys::for_device(
        &HandshakeRequest::from_json(request)?.device_id,
    ))
}

/// Spec §2.1, server: the handshake step over the values loaded at [`handshake_store_keys`].
///
/// The random values are drawn first, in this order: the 32-byte `nonce`, the 32-byte X25519
/// private key `e_s`, the 16 bytes of `kid`; then the RSA operations use `rng` (blinding and
/// the PSS salt with the default backend), then the store seals. Checks, in order: the request
/// parses (`UNSUPPORTED_VERSION`, `INVALID_INPUT`); `publicKeyPrimary` decrypts
/// (`DECRYPTION_FAILED`); it is a 33-byte compressed point (`INVALID_KEY`); the loaded
/// `device` opens and, if present, holds this `P_c` (`DEVICE_MISMATCH`: no effects, the
/// existing session survives); the loaded `last` opens. A stored value that does not open is
/// `DECRYPTION_FAILED` (`UNSUPPORTED_VERSION` for an unknown version byte).
///
/// Output: the response JSON. Effects, in order: `device = P_c` without TTL (`put_if_absent`
/// on a first handshake, else `put_if_equal` to the loaded value), `session` (TTL 86,400 s),
/// `eph[kid]` (TTL 86,400 s), `delete eph[old kid]` when `last` named one, `last = kid` (TTL
/// 86,400 s, `put_if_equal` to the loaded value or `put_if_absent`). The step may be rerun
/// ([`run_step`]); a rerun draws fresh randomness.
pub fn handshake<R: CryptoRng + ?Sized>(
    keys: &ServerKeys,
    request: &str,
    records: HandshakeRecords,
    now_ms: u64,
    rng: &mut R,
) -> Result<Step<String>> {
    let request = HandshakeRequest::from_json(request)?;
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let server_ephemeral = SecretKey32::random(rng);
    let kid = Kid::random(rng);

    // RSA private-key operation: AWS-LC natively (see `crate::rsa_keys` on RUSTSEC-2023-0071).
    let client_primary_bytes = keys
        .identity
        .oaep_sha256_decrypt(&request.public_key_primary, rng)?;
    let client_primary = parse_primary_public(client_primary_bytes.expose())?;
    let client_primary_bytes: [u8; PRIMARY_PUBLIC_LEN] = client_primary_bytes
        .expose()
        .try_into()
        .map_err(|_| Error::InvalidKey)?;
    let device_id = request.device_id;
    let names = HandshakeStoreKeys::for_device(&device_id);
    let sealer = &keys.sealer;
    let bound: Option<DeviceRecord> = open_opt(sealer, &names.device, records.device.as_deref())?;
    if bound.is_some_and(|d| d.client_primary != client_primary_bytes) {
        return Err(Error::DeviceMismatch);
    }
    let old_kid =
        open_opt::<LastRecord>(sealer, &names.last, records.last.as_deref())?.map(|r| r.kid);

    let server_primary = derive_server_primary_key(keys.entropy.expose(), &nonce)?;
    let server_primary_public = server_primary.public_bytes();
    let primary_secret = derive::primary_secret(&server_primary, &client_primary);
    let server_ephemeral_public = x25519_public(&server_ephemeral);
    let transcript = derive::transcript(
        &device_id,
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

    let mut effects = Vec::with_capacity(5);
    effects.push(
        DeviceRecord {
            client_primary: client_primary_bytes,
        }
        .put_if_equal(sealer, names.device, records.device.as_deref(), None, rng)?,
    );
    effects.push(
        SessionRecord {
            primary_secret,
            nonce,
            client_primary: client_primary_bytes,
            created_ms: now_ms,
        }
        .put(
            sealer,
            session_key(&device_id),
            Some(SESSION_TTL_SECONDS),
            rng,
        )?,
    );
    effects.push(
        EphRecord {
            device_id: device_id.clone(),
            session_nonce: nonce,
            state: EphState::Live(server_ephemeral),
        }
        .put(
            sealer,
            eph_key(&device_id, &kid),
            Some(SESSION_TTL_SECONDS),
            rng,
        )?,
    );
    if let Some(old) = old_kid {
        effects.push(Effect::delete(eph_key(&device_id, &old)));
    }
    effects.push(LastRecord { kid }.put_if_equal(
        sealer,
        names.last,
        records.last.as_deref(),
        Some(SESSION_TTL_SECONDS),
        rng,
    )?);
    Ok(Step::new(response, effects))
}

/// [`handshake_store_keys`] then [`handshake`], loading with `load(key)` (the live value at
/// `key`, if any). Fits [`run_step`]:
///
/// ```
/// use sealwright::handshake::server;
/// use sealwright::effect::{run_step, MemoryStore};
///
/// fn serve(keys: &server::ServerKeys, store: &MemoryStore, request: &str, now_ms: u64,
///          rng: &mut rand::rngs::ThreadRng) -> sealwright::Result<String> {
///     run_step(store, now_ms, |load| server::handshake_with(keys, request, load, now_ms, rng))
/// }
/// ```
pub fn handshake_with<F, R>(
    keys: &ServerKeys,
    request: &str,
    mut load: F,
    now_ms: u64,
    rng: &mut R,
) -> Result<Step<String>>
where
    F: FnMut(&str) -> Option<Vec<u8>>,
    R: CryptoRng + ?Sized,
{
    let names = handshake_store_keys(request)?;
    let records = HandshakeRecords {
        device: load(&names.device),
        last: load(&names.last),
    };
    handshake(keys, request, records, now_ms, rng)
}

/// Binds `device_id` to a known client primary key before its first handshake (an
/// application's pre-enrolment; spec §2.1 binds on first use otherwise). `device` is the
/// value loaded at `sw:v1:hs:T:device`. Checks: an identifier (`INVALID_INPUT`), a 33-byte
/// compressed point (`INVALID_KEY`), the loaded value opens, and holds this key if present
/// (`DEVICE_MISMATCH`). Output: whether a binding was written. Effect: `put_if_absent(device)`
/// (none when the same key is already bound).
pub fn bind_device<R: CryptoRng + ?Sized>(
    keys: &ServerKeys,
    device_id: &str,
    client_primary: &[u8],
    device: Option<&[u8]>,
    rng: &mut R,
) -> Result<Step<bool>> {
    validate_identifier(device_id)?;
    parse_primary_public(client_primary)?;
    let client_primary: [u8; PRIMARY_PUBLIC_LEN] =
        client_primary.try_into().map_err(|_| Error::InvalidKey)?;
    let key = device_key(device_id);
    match open_opt::<DeviceRecord>(&keys.sealer, &key, device)? {
        Some(d) if d.client_primary == client_primary => Ok(Step::pure(false)),
        Some(_) => Err(Error::DeviceMismatch),
        None => {
            let effect =
                DeviceRecord { client_primary }.put_if_absent(&keys.sealer, key, None, rng)?;
            Ok(Step::new(true, alloc::vec![effect]))
        }
    }
}

/// Re-enrolment (spec §2.1): ends the device's binding and its chain so that another primary
/// key can handshake. Loads, with `load(key)`, `device`, `last` and the `eph` that `last`
/// names; removes the three with `delete_if_equal` (those present) and `session` with
/// `delete`. Output: whether a binding was removed. Checks: an identifier (`INVALID_INPUT`),
/// the loaded `last` opens (`DECRYPTION_FAILED`, `UNSUPPORTED_VERSION`, `INVALID_INPUT`).
/// The step may be rerun ([`run_step`]).
pub fn reenroll<F: FnMut(&str) -> Option<Vec<u8>>>(
    keys: &ServerKeys,
    device_id: &str,
    mut load: F,
) -> Result<Step<bool>> {
    validate_identifier(device_id)?;
    let names = HandshakeStoreKeys::for_device(device_id);
    let device = load(&names.device);
    let last = load(&names.last);
    let mut effects = Vec::with_capacity(4);
    if let Some(last) = last {
        let kid = LastRecord::open(&keys.sealer, &names.last, &last)?.kid;
        let eph = eph_key(device_id, &kid);
        if let Some(value) = load(&eph) {
            effects.push(Effect::delete_if_equal(eph, value));
        }
        effects.push(Effect::delete_if_equal(names.last, last));
    }
    let was_bound = device.is_some();
    if let Some(device) = device {
        effects.push(Effect::delete_if_equal(names.device, device));
    }
    effects.push(Effect::delete(session_key(device_id)));
    Ok(Step::new(was_bound, effects))
}

/// The store keys a process request names (load all five, e.g. one Redis `MGET`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessStoreKeys {
    /// `sw:v1:hs:T:session`.
    pub session: String,
    /// `sw:v1:hs:T:eph:<kid>`.
    pub eph: String,
    /// `sw:v1:hs:T:claim:<kid>`.
    pub claim: String,
    /// `sw:v1:hs:T:last` (respond writes it conditionally on the value loaded here).
    pub last: String,
    /// `sw:v1:hs:T:retry:<hex(request_id)>` (read only for an idempotent retry).
    pub retry: String,
}

impl ProcessStoreKeys {
    /// `[session, eph, claim, last, retry]`.
    pub fn as_array(&self) -> [&str; 5] {
        [
            &self.session,
            &self.eph,
            &self.claim,
            &self.last,
            &self.retry,
        ]
    }
}

/// The store keys to load for a process request (`INVALID_INPUT` / `UNSUPPORTED_VERSION` if
/// the request does not parse). `request_id` depends only on the request bytes, so every key
/// is known up front.
pub fn process_store_keys(request: &str) -> Result<ProcessStoreKeys> {
    let request = ProcessRequest::from_json(request)?;
    Ok(keys_of(&request, &request.request_id()?))
}

fn keys_of(request: &ProcessRequest, request_id: &[u8; 32]) -> ProcessStoreKeys {
    let d = &request.device_id;
    ProcessStoreKeys {
        session: session_key(d),
        eph: eph_key(d, &request.kid),
        claim: claim_key(d, &request.kid),
        last: last_key(d),
        retry: retry_key(d, request_id),
    }
}

/// The values loaded for [`ProcessStoreKeys`] (`None` where the key is absent or expired).
#[derive(Clone, Debug, Default)]
pub struct Records {
    /// The value at [`ProcessStoreKeys::session`].
    pub session: Option<Vec<u8>>,
    /// The value at [`ProcessStoreKeys::eph`].
    pub eph: Option<Vec<u8>>,
    /// The value at [`ProcessStoreKeys::claim`].
    pub claim: Option<Vec<u8>>,
    /// The value at [`ProcessStoreKeys::last`].
    pub last: Option<Vec<u8>>,
    /// The value at [`ProcessStoreKeys::retry`].
    pub retry: Option<Vec<u8>>,
}

/// What [`open`] found.
#[derive(Debug)]
pub enum Outcome {
    /// A new message, claimed once the step's effects commit: hand [`Opened::plaintext`] to
    /// the business logic, then [`Opened::respond`].
    Opened(Box<Opened>),
    /// An idempotent retry of an already answered byte-identical request: send this stored
    /// response again unchanged (no effects, no business logic).
    Retry(String),
}

/// A request that passed every check of spec §2.2 steps 1 to 3 and holds its claim.
pub struct Opened {
    sealer: StoreSealer,
    device_id: String,
    kid: Kid,
    session_nonce: [u8; NONCE_LEN],
    request_id: [u8; 32],
    wrap_key: SecretKey32,
    message_key: SecretKey32,
    plaintext: SecretVec,
    eph_loaded: Vec<u8>,
    last_loaded: Option<Vec<u8>>,
    claim: Vec<u8>,
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

/// Spec §2.2 steps 1 to 3, server: the open step over the values loaded at
/// [`process_store_keys`] at `now_ms`.
///
/// Checks, in this order: the request parses (`UNSUPPORTED_VERSION`, `INVALID_INPUT`);
/// 1. `session` present and `now_ms < createdMs + 86,400,000` (`SESSION_EXPIRED`); `eph[kid]`
///    present, of this device and of this session (`UNKNOWN_KID`);
/// 2. `eph[kid]` marked used by another `request_id`, or `claim[kid]` naming another one:
///    `KID_ROTATED`; `eph[kid]` marked used by this one: [`Outcome::Retry`] with the stored
///    response (`KID_ROTATED` if it is gone), no effects; `claim[kid]` naming this one:
///    `IN_PROGRESS`;
/// 3. `E_c` opens under `K_p` (`DECRYPTION_FAILED`); `X25519(e_s, E_c)` is not all zero
///    (`LOW_ORDER_POINT`); `data` opens under `K_m` (`DECRYPTION_FAILED`).
///
/// A stored value that does not open is `DECRYPTION_FAILED` (a tampered or moved record), one
/// with an unknown version byte `UNSUPPORTED_VERSION`.
///
/// [`Outcome::Opened`] comes with the claim: `require_equal(eph[kid], loaded)` and
/// `put_if_absent(claim[kid], request_id, T_claim)`. Commit it before any business logic;
/// on a failed condition rerun the step ([`run_step`]): the rerun sees the other delivery's
/// claim (`IN_PROGRESS`) or its answer ([`Outcome::Retry`]). `rng` draws the claim's seal.
pub fn open<R: CryptoRng + ?Sized>(
    keys: &ServerKeys,
    request: &str,
    records: Records,
    now_ms: u64,
    rng: &mut R,
) -> Result<Step<Outcome>> {
    let request = ProcessRequest::from_json(request)?;
    let request_id = request.request_id()?;
    let names = keys_of(&request, &request_id);
    let sealer = &keys.sealer;
    // Step 1.
    let session = records
        .session
        .as_deref()
        .ok_or(Error::SessionExpired)
        .and_then(|v| SessionRecord::open(sealer, &names.session, v))?;
    if now_ms >= session.created_ms.saturating_add(SESSION_TTL_MS) {
        return Err(Error::SessionExpired);
    }
    let eph_loaded = records.eph.ok_or(Error::UnknownKid)?;
    let eph = EphRecord::open(sealer, &names.eph, &eph_loaded)?;
    if eph.device_id != request.device_id || eph.session_nonce != session.nonce {
        return Err(Error::UnknownKid);
    }
    // Step 2.
    let claim: Option<ClaimRecord> = open_opt(sealer, &names.claim, records.claim.as_deref())?;
    let claimed_by_this = match &claim {
        Some(c) if ct_eq(&c.request_id, &request_id) => true,
        Some(_) => return Err(Error::KidRotated),
        None => false,
    };
    let server_ephemeral = match eph.state {
        EphState::Used(used_by) if ct_eq(&used_by, &request_id) => {
            let stored = records.retry.as_deref().ok_or(Error::KidRotated)?;
            let retry = RetryRecord::open(sealer, &names.retry, stored)?;
            return Ok(Step::pure(Outcome::Retry(retry.response)));
        }
        EphState::Used(_) => return Err(Error::KidRotated),
        EphState::Live(_) if claimed_by_this => return Err(Error::InProgress),
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

    // The claim.
    let claim = ClaimRecord { request_id }.seal(sealer, &names.claim, rng)?;
    let effects = alloc::vec![
        Effect::require_equal(names.eph, eph_loaded.clone()),
        Effect::put_if_absent(names.claim, claim.clone(), Some(keys.claim_ttl_seconds)),
    ];
    let opened = Opened {
        sealer: sealer.clone(),
        device_id: request.device_id,
        kid: request.kid,
        session_nonce: session.nonce,
        request_id,
        wrap_key,
        message_key,
        plaintext,
        eph_loaded,
        last_loaded: records.last,
        claim,
    };
    Ok(Step::new(Outcome::Opened(Box::new(opened)), effects))
}

/// [`process_store_keys`] then [`open`], loading with `load(key)` (the live value at `key` at
/// `now_ms`, if any). Fits [`run_step`]:
///
/// ```
/// use sealwright::handshake::server;
/// use sealwright::effect::{run_step, MemoryStore};
///
/// fn serve(keys: &server::ServerKeys, store: &MemoryStore, request: &str, now_ms: u64,
///          rng: &mut rand::rngs::ThreadRng) -> sealwright::Result<server::Outcome> {
///     run_step(store, now_ms, |load| server::open_with(keys, request, load, now_ms, rng))
/// }
/// ```
pub fn open_with<F, R>(
    keys: &ServerKeys,
    request: &str,
    mut load: F,
    now_ms: u64,
    rng: &mut R,
) -> Result<Step<Outcome>>
where
    F: FnMut(&str) -> Option<Vec<u8>>,
    R: CryptoRng + ?Sized,
{
    let names = process_store_keys(request)?;
    let records = Records {
        session: load(&names.session),
        eph: load(&names.eph),
        claim: load(&names.claim),
        last: load(&names.last),
        retry: load(&names.retry),
    };
    open(keys, request, records, now_ms, rng)
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

    /// The key of this request's stored response, `sw:v1:hs:T:retry:<hex(request_id)>`:
    /// reload it after a failed respond commit and pass it to [`after_conflict`].
    pub fn retry_key(&self) -> String {
        retry_key(&self.device_id, &self.request_id)
    }

    /// Spec §2.2 step 5: rotation and the response. Draws, in order, `e_s'` (32 bytes), `kid'`
    /// (16 bytes), the nonce sealing `E_s'` under `K_p` with `AAD_eph(0x02, kid')`, the nonce
    /// sealing `response` under `K_m` with `AAD_data(0x02, kid)`, then the store seals.
    ///
    /// Output: the response JSON. Effects, in order: `eph[kid']` live (TTL 86,400 s);
    /// `eph[kid]` marked used by `request_id` (TTL 300 s; `e_s` is erased) as `put_if_equal` to
    /// the value loaded at open; `retry[request_id] = response` (TTL 300 s); `last = kid'`
    /// (TTL 86,400 s) as `put_if_equal` to the value loaded at open (`put_if_absent` if
    /// absent); `delete_if_equal(claim[kid], this claim)`. The session TTL is not refreshed.
    ///
    /// Never rerun: if the commit fails a condition the claim was lost (it expired, or a
    /// re-handshake ended the chain); reload [`Opened::retry_key`] and call
    /// [`after_conflict`].
    pub fn respond<R: CryptoRng + ?Sized>(
        self,
        response: &[u8],
        rng: &mut R,
    ) -> Result<Step<String>> {
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
        let d = &self.device_id;
        let effects = alloc::vec![
            EphRecord {
                device_id: d.clone(),
                session_nonce: self.session_nonce,
                state: EphState::Live(next_ephemeral),
            }
            .put(s, eph_key(d, &next_kid), Some(SESSION_TTL_SECONDS), rng)?,
            EphRecord {
                device_id: d.clone(),
                session_nonce: self.session_nonce,
                state: EphState::Used(self.request_id),
            }
            .put_if_equal(
                s,
                eph_key(d, &self.kid),
                Some(&self.eph_loaded),
                Some(GRACE_SECONDS),
                rng,
            )?,
            RetryRecord {
                response: response.clone(),
            }
            .put(s, retry_key(d, &self.request_id), Some(GRACE_SECONDS), rng)?,
            LastRecord { kid: next_kid }.put_if_equal(
                s,
                last_key(d),
                self.last_loaded.as_deref(),
                Some(SESSION_TTL_SECONDS),
                rng,
            )?,
            Effect::delete_if_equal(claim_key(d, &self.kid), self.claim),
        ];
        Ok(Step::new(response, effects))
    }
}

/// After a respond commit that failed a condition (spec §2.2 step 5): `retry` is the value
/// reloaded at `process_store_keys(request).retry` ([`Opened::retry_key`]). Returns the
/// stored response of this `request_id` if another delivery answered it, else `CONFLICT`
/// (the claim was lost: the client retries, or handshakes again). `INVALID_INPUT` /
/// `UNSUPPORTED_VERSION` if the request does not parse; `DECRYPTION_FAILED` for a stored
/// value that does not open.
pub fn after_conflict(keys: &ServerKeys, request: &str, retry: Option<&[u8]>) -> Result<String> {
    let request = ProcessRequest::from_json(request)?;
    let key = retry_key(&request.device_id, &request.request_id()?);
    match retry {
        Some(v) => Ok(RetryRecord::open(&keys.sealer, &key, v)?.response),
        None => Err(Error::Conflict),
    }
}

/// Serves one handshake request against `store`: [`handshake_with`] under [`run_step`]
/// (rerun on a failed condition, at most three runs, then `CONFLICT`). Returns the response.
pub fn serve_handshake<S, R>(
    keys: &ServerKeys,
    store: &S,
    request: &str,
    now_ms: u64,
    rng: &mut R,
) -> Result<String>
where
    S: StepStore + ?Sized,
    R: CryptoRng + ?Sized,
{
    run_step(store, now_ms, |load| {
        handshake_with(keys, request, load, now_ms, rng)
    })
}

/// Serves one process request against `store` (spec §2.2): the open step under [`run_step`]
/// (its claim committed before anything else), then `business` once with the opened request
/// (its return value is the response plaintext; encode application errors in it), then
/// respond committed once; on a failed respond commit, [`after_conflict`] over a reload.
///
/// Returns the response JSON (the stored one for an idempotent retry) or the error of
/// [`open`] (`IN_PROGRESS` while another delivery of the same request holds the claim,
/// `KID_ROTATED`, ...), or `CONFLICT`. `business` runs at most once per call and, across any
/// number of concurrent deliveries of one request, once while the claim lives.
pub fn serve<S, R, F>(
    keys: &ServerKeys,
    store: &S,
    request: &str,
    now_ms: u64,
    rng: &mut R,
    business: F,
) -> Result<String>
where
    S: StepStore + ?Sized,
    R: CryptoRng + ?Sized,
    F: FnOnce(&Opened) -> Vec<u8>,
{
    let opened = match run_step(store, now_ms, |load| {
        open_with(keys, request, load, now_ms, rng)
    })? {
        Outcome::Retry(response) => return Ok(response),
        Outcome::Opened(opened) => opened,
    };
    let reply = business(&opened);
    let retry = opened.retry_key();
    let step = opened.respond(&reply, rng)?;
    match store.commit(&step.effects, now_ms) {
        Ok(()) => Ok(step.output),
        Err(Error::Conflict) => {
            after_conflict(keys, request, store.load(&retry, now_ms).as_deref())
        }
        Err(e) => Err(e),
    }
}
