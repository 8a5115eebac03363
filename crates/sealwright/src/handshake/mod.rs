//! Ratchet handshake, spec §2 (from the "Backend flow" design).
//!
//! A device and a server agree on a secp256k1 primary secret `SS_p` once (§2.1), then every
//! message pairs it with a fresh X25519 exchange and the server rotates its ephemeral key and
//! key id (`kid`) with every response (§2.2). All server state lives in the caller's store as
//! sealed records under one hash tag per device (§2.3, [`store`]); every server function is a
//! step (spec §0.2): it takes the loaded records and returns a [`Step`](crate::effect::Step),
//! its output plus the [`Effect`](crate::effect::Effect)s to commit as one transaction.
//!
//! ```text
//!  client (typestate)                                server (steps, spec §0.2)
//!  Client::new(deviceId, (d_c,P_c), pinned RSA key)
//!  start(rng): clientNonce, OAEP(P_c) -- request --> server::handshake(keys, request,
//!                                                      {device, last}) -> Step<response>
//!                                                      decrypt P_c; device bound to another
//!                                                      P_c: DEVICE_MISMATCH; nonce -> d_s,
//!                                                      P_s; (e_s, E_s), kid; SS_p
//!        <-- {P_s, E_s, kid, PSS sig over transcript} -- effects: device (TOFU), session,
//!  AwaitingHandshake::finish(response)                   eph[kid], delete eph[old], last (§2.1)
//!    verify sig (own clientNonce), SS_p -> Established
//!
//!  send(pt, rng): (e_c, E_c), SS_e = X25519(e_c, E_s)
//!    {kid, sealed(K_p, E_c), sealed(K_m, pt)} -------> server::open(keys, request, {session,
//!                                                      eph, claim, last, retry})
//!                                                      -> Step<Outcome>: Opened + the claim
//!                                                      (require_equal eph[kid],
//!                                                      put_if_absent claim[kid]), committed
//!                                                      BEFORE business logic; or Retry
//!                                                      (stored response), IN_PROGRESS, ...
//!                                                      business(plaintext) -> reply (once)
//!                                                      Opened::respond(reply) -> Step<response>
//!        <-- {kid', sealed(K_p, E_s'), sealed(K_m, reply)} effects: eph[kid'], eph[kid] used
//!  AwaitingResponse::receive(response)                   (300 s), retry, last, claim deleted
//!    -> (reply, Established with (kid', E_s'))           (§2.2); never rerun: on CONFLICT,
//!                                                        server::after_conflict
//! ```
//!
//! [`server::serve`] runs the whole process path over a [`StepStore`](crate::effect::StepStore)
//! (claim, business logic, respond, the reload rule); [`server::serve_handshake`] the
//! handshake with reruns; [`server::reenroll`] removes a device binding and ends its chain.
//!
//! Keys (names follow the spec): `primary_secret` = `SS_p = ECDH_k1(d, P)`,
//! `wrap_key` = `K_p = HKDF(deviceId, SS_p, "HandshakeWrapKey", 32)`, `ephemeral_secret` =
//! `SS_e = X25519(e, E)`, `message_key` = `K_m = HKDF(deviceId, SS_p || SS_e,
//! "HandshakeMessageKey", 32)`; every formula is one function of [`mod@derive`].
//!
//! # RSA and RUSTSEC-2023-0071
//!
//! The server performs two RSA private-key operations per handshake: the RSAES-OAEP
//! decryption of `publicKeyPrimary` ([`RsaPrivateKey::oaep_sha256_decrypt`]) and the RSASSA-PSS
//! signature of the transcript ([`RsaPrivateKey::pss_sha256_sign`]). Both go through
//! [`crate::rsa_keys`], which runs them in AWS-LC on every native target, with no feature to
//! enable. On wasm32 the pure-Rust `rsa` crate runs them, the subject of
//! [RUSTSEC-2023-0071](https://rustsec.org/advisories/RUSTSEC-2023-0071) (Marvin: timing of
//! the private-key operation, and anyone can send handshake requests; see [`crate::rsa_keys`]
//! for its status in `rsa` 0.10): **never run a handshake server on wasm32**. The client only performs public-key operations
//! (OAEP encryption, PSS verification), which the advisory does not affect, so browser (wasm)
//! clients are fine on the pure-Rust backend.
//!
//! # Decisions where the spec leaves a gap
//!
//! * Wire: `v` must be the JSON integer 1; any other number is `UNSUPPORTED_VERSION`, a
//!   missing or non-numeric `v` is `INVALID_INPUT`. Duplicate members are `INVALID_INPUT`.
//!   `publicKeyEphemeral` fields must decode to exactly 60 bytes and `data` to at least 28
//!   (`INVALID_INPUT`); the OAEP ciphertext and the signature lengths are checked by the RSA
//!   operation (`DECRYPTION_FAILED`, `BAD_SIGNATURE`). The client checks `P_s` is a valid
//!   point after the signature (`INVALID_KEY`).
//! * Randomness order (so vectors can script it): the handshake server draws `nonce`, `e_s`,
//!   `kid` before its RSA operations; the process response draws `e_s'`, `kid'`, then the two
//!   seal nonces; store seals always come last (open draws only its claim's seal).
//! * The device check comes after the RSA decryption (it needs `P_c`); a request for a bound
//!   device with another key still costs the server one OAEP decryption.
//! * An `eph` record also names its session (the handshake `nonce`): a kid of an older session
//!   of the same device is `UNKNOWN_KID`, so a new handshake ends every kid of the old session,
//!   including ones in their 300 s grace. A used `eph` record keeps only the `request_id`,
//!   erasing `e_s`.
//! * A retry whose `eph[kid]` names this `request_id` but whose `retry` record is gone is
//!   `KID_ROTATED`. A stored record that fails to open is `DECRYPTION_FAILED` (tampered or
//!   moved), with an unknown version byte `UNSUPPORTED_VERSION`.
//! * `last[deviceId]` is stored with the session TTL (86,400 s); the spec gives it none.
//! * Re-enrolment removes only the records present when loaded (there is no "still absent"
//!   condition); a concurrent handshake changes `last`, which fails the step's
//!   `delete_if_equal(last)` and reruns it. [`server::bind_device`] binds a known key before
//!   a first handshake (the vectors' `boundPrimaryPublic`).
//! * The client's [`AwaitingHandshake::finish`] and [`AwaitingResponse::receive`] take `&self`:
//!   a rejected response leaves the state usable (resend the same request bytes).
//!
//! ```
//! use sealwright::handshake::{Client, PrimaryKey, server};
//! use sealwright::effect::{run_step, MemoryStore};
//! use sealwright::rsa_keys::RsaPrivateKey;
//! use sealwright::secret::{SecretKey32, SecretVec};
//! let mut rng = rand::rng();
//! let now_ms = 1_767_225_600_000;
//!
//! // Server: RSA-4096 identity, master entropy E, storage secret; a store for its records.
//! let keys = server::ServerKeys::new(
//!     RsaPrivateKey::generate(4096, &mut rng)?,
//!     SecretVec::from_slice(&[7; 32]),
//!     &SecretKey32::random(&mut rng),
//! )?;
//! let store = MemoryStore::new();
//!
//! // §2.1: the client pins the server key and handshakes (a step: load, run, commit).
//! let client = Client::new("device-1", PrimaryKey::generate(&mut rng), keys.public_key())?;
//! let (request, pending) = client.start(&mut rng)?;
//! let response = run_step(&store, now_ms, |load| {
//!     server::handshake_with(&keys, &request, load, now_ms, &mut rng)
//! })?;
//! let session = pending.finish(&response)?;
//!
//! // §2.2: one message each way. Open is a step whose effects are the claim: commit them
//! // before the business logic runs.
//! let (request, pending) = session.send(b"balance?", &mut rng)?;
//! let outcome = run_step(&store, now_ms, |load| {
//!     server::open_with(&keys, &request, load, now_ms, &mut rng)
//! })?;
//! let server::Outcome::Opened(opened) = outcome else {
//!     unreachable!("a first request is never a retry")
//! };
//! assert_eq!(opened.plaintext().expose(), b"balance?");
//! // Respond rotates the kid; it is committed once and never rerun.
//! let step = opened.respond(b"42", &mut rng)?;
//! store.commit(&step.effects, now_ms)?;
//! let (reply, session) = pending.receive(&step.output)?;
//! assert_eq!(reply.expose(), b"42");
//! assert_ne!(session.kid(), pending.kid());
//!
//! // Or all of it at once: claim, business logic (run once), respond, the reload rule.
//! let (request, pending) = session.send(b"again", &mut rng)?;
//! let response = server::serve(&keys, &store, &request, now_ms, &mut rng, |opened| {
//!     [opened.plaintext().expose(), b"!"].concat()
//! })?;
//! assert_eq!(pending.receive(&response)?.0.expose(), b"again!");
//! # Ok::<(), sealwright::Error>(())
//! ```

mod client;
pub mod derive;
pub mod server;
pub mod store;
pub mod wire;

pub use client::{AwaitingHandshake, AwaitingResponse, Client, Established};
pub use derive::PrimaryKey;

#[cfg(doc)]
use crate::rsa_keys::RsaPrivateKey;

use alloc::string::String;
use core::fmt;
use rand_core::CryptoRng;

use crate::encoding::hex_encode;
use crate::error::{Error, Result};

/// Session lifetime in seconds (spec §2).
pub const SESSION_TTL_SECONDS: u64 = 86_400;
/// Session lifetime in milliseconds.
pub const SESSION_TTL_MS: u64 = SESSION_TTL_SECONDS * 1000;
/// How long a rotated kid answers an idempotent retry, in seconds.
pub const GRACE_SECONDS: u64 = 300;
/// Length of the handshake `nonce` in bytes.
pub const NONCE_LEN: usize = 32;
/// Length of `clientNonce` in bytes.
pub const CLIENT_NONCE_LEN: usize = 16;
/// Length of a SEC1-compressed secp256k1 public key.
pub const PRIMARY_PUBLIC_LEN: usize = 33;
/// Length of a decoded `publicKeyEphemeral` field: nonce, X25519 key, tag.
pub const SEALED_EPHEMERAL_LEN: usize = 12 + 32 + 16;
/// Smallest master entropy `E`, in bytes.
pub const MIN_ENTROPY_LEN: usize = 32;
/// Default `T_claim` in seconds (spec §2.2 step 3): how long a claim holds a kid for one
/// request while its business logic runs. Change it with
/// [`server::ServerKeys::with_claim_ttl_seconds`].
pub const DEFAULT_CLAIM_TTL_SECONDS: u64 = 30;
/// Version byte that starts a pickled client state.
pub const STATE_VERSION: u8 = 0x01;

/// A key id: 32 lowercase hex characters (16 random bytes). Wherever it enters a hash, an AAD
/// or a transcript, its 32 ASCII characters are used.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Kid(String);

impl fmt::Debug for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kid({})", self.0)
    }
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Kid {
    /// A fresh kid from 16 random bytes.
    pub fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        Self(hex_encode(&bytes))
    }

    /// Checks a kid: exactly 32 lowercase hex characters (`INVALID_INPUT` otherwise).
    pub fn parse(text: &str) -> Result<Self> {
        if text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(String::from(text)))
        } else {
            Err(Error::InvalidInput)
        }
    }

    /// The 32 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
