//! Sealed relay, spec §1 (from the "Security Flow" design).
//!
//! A server holds relay keys and lets one node fetch a value that only another node, the
//! recipient, can finally read. Every message is a standard JOSE object, so any JOSE library
//! can act as a node.
//!
//! ```text
//!  recipient                                   server (RelayKeys)
//!  Recipient::generate (RSA-4096)
//!  jwk() ---------------- register ----------> RecipientPublicKey::from_jwk -> rid   (step 1)
//!                                              seal(value, aud?) -> sealed JWE       (step 2)
//!        <--------------- sealed (via any node) ---
//!  request(sealed, now) -- PS256 JWS --------> decrypt_request(request, recipients,
//!                                                 seen, now)                          (step 4)
//!                                              -> Accepted { response, jti }; caller
//!                                                 remembers jti for 600 s (effect())
//!        <--------------- response JWE (RSA-OAEP-256 + A256GCM) ---                   (step 5)
//!  open_response(response) -> value
//! ```
//!
//! * Sealed value: `{"alg":"dir","enc":"A256GCM","kid":"<rkid>"[,"aud":"<rid>"]}`, empty
//!   encrypted key, 12-byte IV, AAD = ASCII(b64url(protected header)). Values are 1 to
//!   1,048,576 bytes: larger is `VALUE_TOO_LARGE`, empty is `INVALID_INPUT`.
//! * Request: PS256 JWS `{"alg":"PS256","kid":"<rid>"}` over
//!   `{"sealed":"<JWE>","iat":<s>,"jti":"<b64url 16 bytes>"}`.
//! * Response: `{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"<rid>"}` with a fresh 32-byte
//!   content key wrapped by RSAES-OAEP-SHA256.
//!
//! Replay state stays with the caller: [`RelayKeys::decrypt_request`] takes a `seen(jti)`
//! lookup, and on success returns the `jti` plus [`Accepted::effect`], a
//! `Put { key: "sw:v1:relay:jti:<jti>", ttl_seconds: 600 }` to apply atomically as
//! "set if absent". Registered recipient keys are likewise looked up through a closure.
//!
//! The server performs no RSA private-key operation (only PSS verify and OAEP encrypt); on
//! native targets both run in AWS-LC (see [`crate::rsa_keys`]). A recipient signs its requests
//! and decrypts its responses with its private key: AWS-LC natively, the pure-Rust `rsa` crate
//! on wasm32 (see the warning in [`crate::rsa_keys`] on RUSTSEC-2023-0071).
//!
//! ```
//! use sealwright::relay::{Recipient, RecipientPublicKey, RelayKey, RelayKeys};
//! # use rand_core::SeedableRng;
//! let mut rng = rand_chacha::ChaCha20Rng::from_seed([9; 32]);
//! let now_ms = 1_700_000_000_000;
//!
//! // Recipient: a key pair (4096 bits by default) and its JWK for registration.
//! let recipient = Recipient::generate_with_bits(3072, &mut rng)?;
//! let registered = RecipientPublicKey::from_jwk(&recipient.jwk())?;
//!
//! // Server: seal a value, bound to that recipient.
//! let server = RelayKeys::new(RelayKey::generate("rk-2026-11", &mut rng)?);
//! let sealed = server.seal(b"the secret", Some(registered.rid()), &mut rng)?;
//!
//! // Recipient asks; server checks and answers; recipient opens.
//! let request = recipient.request(&sealed, now_ms, &mut rng)?;
//! let accepted = server.decrypt_request(
//!     &request,
//!     |rid| (rid == registered.rid()).then(|| registered.clone()),
//!     |_jti| false, // nothing seen in the last 600 s
//!     now_ms + 2_000,
//!     &mut rng,
//! )?;
//! let _remember = accepted.effect(); // sw:v1:relay:jti:<jti>, 600 s
//! let value = recipient.open_response(&accepted.response, &mut rng)?;
//! assert_eq!(value.expose(), b"the secret");
//!
//! // The same request again is a replay.
//! let again = server.decrypt_request(&request, |_| Some(registered.clone()), |j| j == accepted.jti,
//!     now_ms + 3_000, &mut rng);
//! assert_eq!(again.unwrap_err(), sealwright::Error::Replay);
//! # Ok::<(), sealwright::Error>(())
//! ```

mod jose;
mod jwk;
mod recipient;
mod server;

pub use jwk::{PRIVATE_MEMBERS, RecipientPublicKey, thumbprint};
pub use recipient::Recipient;
pub use server::{Accepted, RelayKey, RelayKeys, respond, verify_request};

use alloc::format;
use alloc::string::String;

/// Largest relay value, in bytes (1 MiB).
pub const MAX_VALUE_LEN: usize = 1_048_576;
/// Default recipient key size in bits.
pub const DEFAULT_BITS: usize = 4096;
/// Allowed distance between `iat` and now, in seconds.
pub const STALE_WINDOW_SECONDS: u64 = 300;
/// How long an accepted `jti` is remembered, in seconds.
pub const JTI_TTL_SECONDS: u64 = 600;
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
