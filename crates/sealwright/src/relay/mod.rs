//! Sealed relay, spec §1 (from the "Security Flow" design).
//!
//! A server holds relay keys and lets one node fetch a value that only another node, the
//! recipient, can finally read. Every message is a standard JOSE object, so any JOSE library
//! can act as a node.
//!
//! ```text
//!  recipient                                   server (RelayKeys: relay keys + signing key)
//!  Recipient::generate (RSA-4096)
//!  jwk() ---------------- register ----------> RecipientPublicKey::from_jwk -> rid   (step 1)
//!  pins the relay's signing JWK + skid <------ RelaySigningKey::public_jwk (out of band)
//!                                              seal(value, aud?) -> sealed JWE       (step 2)
//!        <--------------- sealed (via any node) ---
//!  request(sealed, now) -> DecryptionRequest                                          (step 3)
//!    .jws() ------------- PS256 JWS ---------> decrypt_request(request, recipients,
//!                                                 seen, now)                          (step 4)
//!                                              -> Accepted { response, jti }; caller
//!                                                 applies effect(): jti kept 660 s
//!        <--------------- response: JWE(ES256 JWS {jti, iat, value}) ---              (step 5)
//!  open_response(response, &request, &pinned) -> value
//! ```
//!
//! * Sealed value: `{"alg":"dir","enc":"A256GCM","kid":"<rkid>"[,"aud":"<rid>"]}`, empty
//!   encrypted key, 12-byte IV, AAD = ASCII(b64url(protected header)). Values are 1 to
//!   1,048,576 bytes: larger is `VALUE_TOO_LARGE`, empty is `INVALID_INPUT`.
//! * Request: PS256 JWS `{"alg":"PS256","kid":"<rid>"}` over
//!   `{"sealed":"<JWE>","iat":<s>,"jti":"<b64url 16 bytes>"}`.
//! * Response: a nested JWT (RFC 7519 §5.2). Inner: an ES256 JWS
//!   `{"alg":"ES256","kid":"<skid>"}` over `{"jti":"<request's jti>","iat":<server s>,
//!   "value":"<b64url(v)>"}`, RFC 6979 deterministic, `s` not normalized. Outer:
//!   `{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"<rid>","cty":"JWT"}` with a fresh 32-byte
//!   content key wrapped by RSAES-OAEP-SHA256.
//!
//! The recipient's open ([`Recipient::open_response`]) checks `kid`/`cty`/`alg`/`enc` and the
//! part lengths (`INVALID_INPUT`), decrypts (`DECRYPTION_FAILED`), verifies the inner JWS
//! against its pinned [`RelayVerifyingKey`]s (`BAD_SIGNATURE`), checks the payload's members
//! (`INVALID_INPUT`) and that `jti` is the one of the [`DecryptionRequest`] it sent
//! (`REPLAY`): a response is authentic, bound to one request, and useless to anyone else.
//!
//! Replay state stays with the caller: [`RelayKeys::decrypt_request`] takes a `seen(jti)`
//! lookup, and on success returns the `jti` plus [`Accepted::effect`], the write of
//! `"sw:v1:relay:jti:<jti>"` with the `rid` for [`JTI_TTL_SECONDS`] (660 s: the 601 s during
//! which an `iat` is fresh plus a margin) to apply atomically as "set if absent" in the same
//! transaction as the response is released. Registered recipient keys are likewise looked up
//! through a closure.
//!
//! The server performs no RSA private-key operation (only PSS verify and OAEP encrypt); on
//! native targets both run in AWS-LC (see [`crate::rsa_keys`]). A recipient signs its requests
//! and decrypts its responses with its private key: AWS-LC natively, the pure-Rust `rsa` crate
//! on wasm32 (see the warning in [`crate::rsa_keys`] on RUSTSEC-2023-0071).
//!
//! Decisions where spec §1 leaves a detail open:
//! * A pinned signing key is a `(skid, JWK)` pair ([`RelayVerifyingKey::from_jwk`]); the JWK's
//!   own `kid`, `alg`, `use` are ignored. Its checks mirror registration: not a JSON object
//!   or a bad `skid` is `INVALID_INPUT`; `kty` other than `EC` or `crv` other than `P-256` is
//!   `INVALID_KEY`; `x`/`y` missing, not strings or not strict b64url is `INVALID_INPUT`; a
//!   private member `d`, a coordinate not of exactly 32 bytes or a point off the curve is
//!   `INVALID_KEY`. A bad signing scalar is `INVALID_KEY`, as for the handshake's keys.
//! * Several pinned keys may share a `skid`: the inner JWS verifies if any of them accepts.
//! * The inner JWS header must have no `crit` (we implement no extension), like the request;
//!   the outer JWE header no `crit` or `zip`, as in version 1. Both are in the code's class
//!   of their step (`BAD_SIGNATURE`, `INVALID_INPUT`).
//! * An `iat` is an integer when JSON parses it as one that fits `i64` or `u64` (`1.0`, `1e3`
//!   and larger numbers are not); the response `iat` is not compared to any clock.
//! * The response `value` is not length-checked by the recipient (the signed relay made it).
//! * The server holds one signing key at a time ([`RelayKeys::set_signing_key`]); "several"
//!   means the recipient pins several during a rotation.
//!
//! ```
//! use sealwright::relay::{Recipient, RecipientPublicKey, RelayKey, RelayKeys, RelaySigningKey};
//! let mut rng = rand::rng();
//! let now_ms = 1_700_000_000_000;
//!
//! // Recipient: a key pair (4096 bits by default) and its JWK for registration.
//! let recipient = Recipient::generate_with_bits(3072, &mut rng)?;
//! let registered = RecipientPublicKey::from_jwk(&recipient.jwk())?;
//!
//! // Server: relay key + signing key; the recipient pins the signing key's JWK and skid.
//! let signing = RelaySigningKey::generate("sk-2026-11", &mut rng)?;
//! let pinned = [signing.verifying_key()]; // out of band: signing.public_jwk() + skid
//! let server = RelayKeys::new(RelayKey::generate("rk-2026-11", &mut rng)?, signing);
//! let sealed = server.seal(b"the secret", Some(registered.rid()), &mut rng)?;
//!
//! // Recipient asks; server checks and answers; recipient opens.
//! let request = recipient.request(&sealed, now_ms, &mut rng)?;
//! let accepted = server.decrypt_request(
//!     request.jws(),
//!     |rid| (rid == registered.rid()).then(|| registered.clone()),
//!     |_jti| false, // nothing seen in the last 660 s
//!     now_ms + 2_000,
//!     &mut rng,
//! )?;
//! let _remember = accepted.effect(); // sw:v1:relay:jti:<jti>, 660 s, set if absent
//! let value = recipient.open_response(&accepted.response, &request, &pinned, &mut rng)?;
//! assert_eq!(value.expose(), b"the secret");
//!
//! // The same request again is a replay; an old response does not open for a new request.
//! let again = server.decrypt_request(request.jws(), |_| Some(registered.clone()),
//!     |j| j == accepted.jti, now_ms + 3_000, &mut rng);
//! assert_eq!(again.unwrap_err(), sealwright::Error::Replay);
//! let newer = recipient.request(&sealed, now_ms + 4_000, &mut rng)?;
//! let old = recipient.open_response(&accepted.response, &newer, &pinned, &mut rng);
//! assert_eq!(old.unwrap_err(), sealwright::Error::Replay);
//! # Ok::<(), sealwright::Error>(())
//! ```

mod jose;
mod jwk;
mod recipient;
mod server;
mod signing;

pub use jwk::{PRIVATE_MEMBERS, RecipientPublicKey, thumbprint};
pub use recipient::{DecryptionRequest, Recipient};
pub use server::{Accepted, RelayKey, RelayKeys, respond, verify_request};
pub use signing::{
    ES256_SIGNATURE_LEN, P256_FIELD_LEN, RelaySigningKey, RelayVerifyingKey, verify_es256_jws,
};

use alloc::format;
use alloc::string::String;

/// Largest relay value, in bytes (1 MiB).
pub const MAX_VALUE_LEN: usize = 1_048_576;
/// Default recipient key size in bits.
pub const DEFAULT_BITS: usize = 4096;
/// Allowed distance between `iat` and now, in seconds.
pub const STALE_WINDOW_SECONDS: u64 = 300;
/// How long an accepted `jti` is remembered, in seconds (spec §1 step 4: the 601 s during
/// which an `iat` is fresh, plus a margin).
pub const JTI_TTL_SECONDS: u64 = 660;
/// Length of a decoded `jti`, in bytes.
pub const JTI_LEN: usize = 16;
/// Length of a JWE IV, in bytes.
pub const IV_LEN: usize = 12;
/// Length of an AES-GCM tag, in bytes.
pub const TAG_LEN: usize = 16;
/// Length of the response content key, in bytes (A256GCM).
pub const CEK_LEN: usize = 32;

/// The store key remembering an accepted `jti`: `sw:v1:relay:jti:<jti>`.
pub fn jti_store_key(jti: &str) -> String {
    format!("sw:v1:relay:jti:{jti}")
}
