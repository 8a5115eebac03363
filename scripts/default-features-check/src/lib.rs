//! Compiled by `check.sh` once per test-only item, selected with `--cfg item="<name>"`: each
//! item must fail to resolve on `sealwright`'s default features and compile with `test-utils`.
//! Whatever the item, the default RSA backend must be AWS-LC on this (native) target.

#![forbid(unsafe_code)]

use sealwright::rsa_keys::Backend;

// Checked in every run: outside the workspace, on default features, RSA runs in AWS-LC.
const _: () = assert!(matches!(Backend::DEFAULT, Backend::AwsLc));

/// AES-GCM under a caller-chosen nonce.
#[cfg(item = "aes_gcm_encrypt")]
pub fn item() {
    let _ = sealwright::crypto::aes_gcm_encrypt;
}

/// `sealed()` under a caller-chosen nonce.
#[cfg(item = "sealed_with_nonce")]
pub fn item() {
    let _ = sealwright::crypto::sealed_with_nonce;
}

/// A relay seal under a caller-chosen IV.
#[cfg(item = "seal_with_iv")]
pub fn item() {
    let _ = sealwright::relay::RelayKey::seal_with_iv;
}

/// A share envelope under a caller-chosen salt and IV.
#[cfg(item = "seal_with")]
pub fn item() {
    let _ = sealwright::shares::seal_with;
}

/// The handshake server primary key from a caller-chosen nonce.
#[cfg(item = "server_primary_key")]
pub fn item() {
    let _ = sealwright::handshake::derive::server_primary_key;
}

/// Writers of legacy vault records under a caller-chosen IV.
#[cfg(item = "legacy_compat")]
pub use sealwright::vault::legacy_compat as item;

/// The scripted (replaying) RNGs.
#[cfg(item = "rng")]
pub use sealwright::rng as item;

/// The run-time switch to the pure-Rust RSA backend.
#[cfg(item = "use_pure_backend_for_tests")]
pub fn item() {
    let _ = sealwright::rsa_keys::use_pure_backend_for_tests;
}
