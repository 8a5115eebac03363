//! Test-vector generation for every protocol (spec §6). Each module builds one file's JSON
//! from a fixed seed; [`generate_all`] renders them as the committed text.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod attendance;
pub mod handshake;
pub mod relay;
pub mod shares;
pub mod vault;
pub mod verify;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::Value;

/// A deterministic RNG for one file, seeded from its name.
pub fn seeded(label: &str) -> ChaCha20Rng {
    let mut seed = [0u8; 32];
    let digest = sealwright::crypto::sha256(label.as_bytes());
    seed.copy_from_slice(&digest);
    ChaCha20Rng::from_seed(seed)
}

/// The file wrapper of spec §6: `{"protocol", "specVersion", "cases"}`. `spec_version` is the
/// spec version whose §6 rules the file follows (2 once its generator writes the version 2
/// fields and encodings; files not converted yet say 1).
pub fn file(protocol: &str, spec_version: u32, cases: Vec<Value>) -> Value {
    serde_json::json!({"protocol": protocol, "specVersion": spec_version, "cases": cases})
}

/// Renders a vector file: pretty JSON with a final newline.
pub fn render(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("JSON values always serialize");
    s.push('\n');
    s
}

/// Every vector file as `(file name, text)`.
///
/// Switches this process's RSA operations to the pure-Rust backend first: on native targets
/// the default backend, AWS-LC, draws OAEP seeds and PSS salts from its own DRBG, so its
/// ciphertexts and signatures could not be reproduced from the seeds (`rsa_keys` docs).
pub fn generate_all() -> Vec<(&'static str, String)> {
    sealwright::rsa_keys::use_pure_backend_for_tests(true);
    let mut files = Vec::new();
    files.extend(relay::generate());
    files.extend(handshake::generate());
    files.extend(shares::generate());
    files.extend(vault::generate());
    files.extend(attendance::generate());
    files
}
