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
//! # Getting started
//!
//! In your `Cargo.toml` (all five protocols are on by default; `default-features = false,
//! features = ["vault"]` picks one):
//!
//! ```toml
//! [dependencies]
//! sealwright = { path = "../sealwright/crates/sealwright" }  # or { git = "<repository URL>" }
//! rand = "0.10"                                               # for rand::rng()
//!
//! # Argon2 and PBKDF2 are 20 to 100x slower unoptimized: optimize dependencies in debug builds.
//! [profile.dev.package."*"]
//! opt-level = 3
//! ```
//!
//! Randomness is an argument of every call that needs it (the core never reads the OS RNG,
//! spec §0): any `rand_core` 0.10 [`CryptoRng`](rand_core::CryptoRng). In production that is
//! one line, `let mut rng = rand::rng();` (rand 0.10's thread-local ChaCha12, seeded from
//! the OS and reseeded every 64 KiB; after a `fork`, call `reseed()` on it), or `rand_core::UnwrapErr(getrandom::SysRng)` (getrandom 0.4 with
//! its `sys_rng` feature) to read the OS directly. A seeded ChaCha RNG
//! (`rand_chacha::ChaCha20Rng::from_seed`) is for tests and test vectors only: it makes every
//! output predictable.
//!
//! ```
//! use sealwright::vault::{self, KdfParams};
//!
//! fn main() -> Result<(), sealwright::Error> {
//!     let mut rng = rand::rng(); // production randomness: OS-seeded, thread-local
//!
//!     // A password vault (spec §4): Argon2id master key, a wrapped vault key, records bound
//!     // to their user and record ids.
//!     let password = "correct horse battery staple".into();
//!     let (enrollment, vault) =
//!         vault::create_vault("alice", &password, KdfParams::DEFAULT, &mut rng)?;
//!     let record = vault.encrypt_record("github", b"hunter2", &mut rng)?;
//!
//!     // Another device unlocks from what the server stores (all public).
//!     let server = &enrollment.server;
//!     let device = vault::unlock(
//!         "alice",
//!         &password,
//!         server.salt(),
//!         &server.kdf(),
//!         server.wrapped_vault_key(),
//!     )?;
//!     assert_eq!(device.decrypt_record("github", &record)?.expose(), b"hunter2");
//!     Ok(())
//! }
//! ```
//!
//! Debug builds: unoptimized, Argon2id (shares, vault) runs about 20 times slower and PBKDF2
//! (legacy vault records and verifiers) about 100 times (opening one wallet-share envelope:
//! 7.7 s in a debug build, 0.4 s in release; one PBKDF2-SHA256 verify at 600,000 iterations:
//! 19 s against 0.19 s). The `[profile.dev.package."*"] opt-level = 3` lines above optimize
//! the dependencies only, so debug builds run them at release speed and your own code still
//! rebuilds quickly.
//!
//! The repository's `README.md` walks through every protocol; each of its Rust blocks is a
//! doctest of this crate.

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

/// The Rust blocks of the repository's READMEs, run verbatim as doctests
/// (`cargo test -p sealwright --doc`); `scripts/readme-blocks.py` checks that none is skipped.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// The Rust blocks of the Python binding's README (none today; any added is a doctest).
#[cfg(doctest)]
#[doc = include_str!("../../../bindings/python/README.md")]
pub struct PythonReadmeDoctests;
