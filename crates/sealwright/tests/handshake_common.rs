//! Shared fixtures for the handshake tests: the server key of `test-vectors/handshake.json`
//! (no RSA keygen in tests), a scripted-then-seeded RNG, and a client/server harness over a
//! `MemoryStore`. Included as a module by the other `handshake_*` tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::effect::{MemoryStore, run_step};
use sealwright::encoding::hex_decode;
use sealwright::handshake::server::{self, Outcome, ServerKeys};
use sealwright::handshake::{AwaitingResponse, Client, Established, PrimaryKey};
use sealwright::rng::ScriptedThen;
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::{SecretKey32, SecretVec};
use serde_json::Value;
use std::sync::OnceLock;

/// Time of the vector handshakes (2026-01-01T00:00:00Z) in ms.
pub const NOW_MS: u64 = 1_767_225_600_000;

/// The vector file.
pub const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../test-vectors/handshake.json"
);

/// Every case of the vector file.
pub fn cases() -> &'static [Value] {
    static C: OnceLock<Vec<Value>> = OnceLock::new();
    C.get_or_init(|| {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(FILE).unwrap()).unwrap();
        assert_eq!(v["protocol"], "handshake");
        assert_eq!(v["specVersion"], 2);
        v["cases"].as_array().unwrap().clone()
    })
}

/// Hex field of a case.
pub fn h(c: &Value, k: &str) -> Vec<u8> {
    hex_decode(
        c[k].as_str()
            .unwrap_or_else(|| panic!("{}: {k}", c["name"])),
    )
    .unwrap()
}

/// The server RSA-4096 identity of the vectors, parsed once.
pub fn server_rsa() -> &'static RsaPrivateKey {
    static K: OnceLock<RsaPrivateKey> = OnceLock::new();
    K.get_or_init(|| {
        RsaPrivateKey::from_pkcs8_der(&h(&cases()[0], "serverRsaPrivateKeyPkcs8")).unwrap()
    })
}

/// Server keys with the vectors' identity, entropy and storage secret.
pub fn server_keys() -> ServerKeys {
    let c = &cases()[0];
    ServerKeys::new(
        server_rsa().clone(),
        SecretVec::new(h(c, "serverEntropy")),
        &SecretKey32::from_slice(&h(c, "storageSecret")).unwrap(),
    )
    .unwrap()
}

/// Scripted bytes first, then a fixed-seed ChaCha20 (RSA blinding and padding, store seals).
pub type ThenRng = ScriptedThen<ChaCha20Rng>;

/// `chunks` concatenated, then a fixed-seed ChaCha20.
pub fn then_rng<B: AsRef<[u8]>>(chunks: &[B]) -> ThenRng {
    ScriptedThen::new(chunks, ChaCha20Rng::from_seed([0x5e; 32]))
}

/// The open step against `store` at `now_ms` under `run_step`: the claim (if any) is
/// committed.
pub fn open_with_store(
    keys: &ServerKeys,
    store: &MemoryStore,
    request: &str,
    now_ms: u64,
) -> sealwright::Result<Outcome> {
    let mut rng = ChaCha20Rng::from_seed([0x0c; 32]);
    run_step(store, now_ms, |load| {
        server::open_with(keys, request, load, now_ms, &mut rng)
    })
}

/// Runs a server handshake step against `store`, committing its effects.
pub fn handshake_with_store(
    keys: &ServerKeys,
    store: &MemoryStore,
    request: &str,
    now_ms: u64,
    rng: &mut ChaCha20Rng,
) -> sealwright::Result<String> {
    server::serve_handshake(keys, store, request, now_ms, rng)
}

/// One device and the server sharing a `MemoryStore`.
pub struct Harness {
    /// The server keys of the vectors.
    pub keys: ServerKeys,
    /// The server's store.
    pub store: MemoryStore,
    /// One RNG for both sides.
    pub rng: ChaCha20Rng,
    /// The device.
    pub device_id: String,
    /// The device's primary key.
    pub primary: PrimaryKey,
}

impl Harness {
    /// A device with a fresh primary key and an empty store.
    pub fn new(device_id: &str, seed: u8) -> Self {
        let mut rng = ChaCha20Rng::from_seed([seed; 32]);
        let primary = PrimaryKey::generate(&mut rng);
        Self {
            keys: server_keys(),
            store: MemoryStore::new(),
            rng,
            device_id: device_id.to_string(),
            primary,
        }
    }

    /// A full handshake at `now_ms`.
    pub fn handshake(&mut self, now_ms: u64) -> Established {
        let client = Client::new(
            &self.device_id,
            self.primary.clone(),
            self.keys.public_key(),
        )
        .unwrap();
        let (request, pending) = client.start(&mut self.rng).unwrap();
        let response =
            handshake_with_store(&self.keys, &self.store, &request, now_ms, &mut self.rng).unwrap();
        pending.finish(&response).unwrap()
    }

    /// Server side of one request at `now_ms` (`server::serve`): claims it, answers `reply`
    /// if new, commits. Returns the response text.
    pub fn serve(
        &mut self,
        request: &str,
        reply: &[u8],
        now_ms: u64,
    ) -> sealwright::Result<String> {
        server::serve(
            &self.keys,
            &self.store,
            request,
            now_ms,
            &mut self.rng,
            |_| reply.to_vec(),
        )
    }

    /// Client sends `msg`; returns the request and pending state.
    pub fn send(&mut self, session: Established, msg: &[u8]) -> (String, AwaitingResponse) {
        session.send(msg, &mut self.rng).unwrap()
    }
}
