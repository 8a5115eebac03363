//! # sealwright
//!
//! Sans-I/O cryptographic protocols, specified byte for byte in `docs/PROTOCOLS.md`
//! (the "spec"). Every protocol is a set of pure functions and state machines: you feed them
//! bytes, the current time (Unix milliseconds) and a cryptographic RNG, and they hand back
//! messages to send and storage [`effect::Effect`]s to apply. The core never opens a socket or
//! a file, never reads a clock, an environment variable or the OS RNG.
//!
//! | module | spec | what |
//! |---|---|---|
//! | [`relay`] | §1 | a server re-encrypts a sealed value to a recipient's RSA key, ES256-signed and bound to the request (JOSE) |
//! | [`handshake`] | §2 | secp256k1 + X25519 ratchet with a new server key id per message |
//! | [`shares`] | §3 | Ethereum key split 2-of-3, Argon2id envelopes, EIP-191 signing |
//! | [`vault`] | §4 | legacy PBKDF2 records and the v2 password-vault key hierarchy |
//! | [`attendance`] | §5 | WebAuthn-bound login, TOTP, encrypted rotating QR rounds |
//!
//! Each protocol is a cargo feature of the same name (all on by default).
//!
//! Safe by default:
//! * RSA (relay, handshake) runs in AWS-LC on every native target, with no feature to enable;
//!   the pure-Rust `rsa` crate, affected by RUSTSEC-2023-0071, only on `wasm32` (see the
//!   `rsa_keys` module docs for what still runs there). The feature `aws-lc` is a no-op kept
//!   for compatibility.
//! * Every public encryption draws its nonce, IV and salt from the RNG you pass. The
//!   functions that take caller-chosen ones (`crypto::sealed_with_nonce`,
//!   `crypto::aes_gcm_encrypt`, `RelayKey::seal_with_iv`, `shares::seal_with`,
//!   `handshake::derive::server_primary_key`, `vault::legacy_compat`) and the scripted RNGs
//!   (`rng`) exist only with the feature `test-utils`, for tests and vector generation; the
//!   feature `pure-rsa-backend-for-tests` runs the tests on the pure-Rust RSA backend. Never
//!   enable either in production.
//!
//! Shared pieces: [`Error`] with the stable codes of spec §0.1, [`secret`] types that zeroize
//! and never print, strict [`encoding`]s, the [`crypto`] wrappers (`sealed()`, HKDF, pickles)
//! and [`effect`]s.
//!
//! Randomness: pass any `rand_core::CryptoRng`, e.g. `getrandom::SysRng` wrapped as an
//! infallible RNG, or a seeded ChaCha RNG in tests.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

extern crate alloc;

pub mod crypto;
pub mod effect;
pub mod encoding;
pub mod error;
pub mod secret;

#[cfg(feature = "test-utils")]
pub mod rng;

#[cfg(feature = "attendance")]
pub mod attendance;
#[cfg(feature = "handshake")]
pub mod handshake;
#[cfg(feature = "relay")]
pub mod relay;
#[cfg(any(feature = "relay", feature = "handshake"))]
pub mod rsa_keys;
#[cfg(feature = "shares")]
pub mod shares;
#[cfg(feature = "vault")]
pub mod vault;

pub use effect::Effect;
pub use error::{Error, Result};
pub use secret::{SecretBytes, SecretKey32, SecretString, SecretVec};
