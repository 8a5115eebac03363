// Shared fixture for the handshake fuzz targets: the server key, entropy, storage secret and
// client primary key of test-vectors/handshake.json (case 0), found by plain string search so
// the fuzz crate needs no JSON dependency, and a deterministic SHA-256 counter RNG.
#![allow(dead_code)]

use sealwright::effect::{MemoryStore, run_step};
use sealwright::handshake::server::{self, Outcome, ServerKeys};
use sealwright::handshake::{AwaitingResponse, Client, Established, PrimaryKey};
use sealwright::rng::ScriptedRng;
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::{SecretKey32, SecretVec};
use std::sync::OnceLock;

const VECTORS: &str = include_str!("../../test-vectors/handshake.json");

/// The string value of the first `"field": "..."`.
pub fn field(name: &str) -> &'static str {
    let pat = format!("\"{name}\": \"");
    let i = VECTORS.find(&pat).expect("field present");
    let rest = &VECTORS[i + pat.len()..];
    &rest[..rest.find('"').expect("closing quote")]
}

pub fn hex(s: &str) -> Vec<u8> {
    sealwright::encoding::hex_decode(s).expect("hex")
}

/// A deterministic RNG for fuzzing: 16 KiB of SHA-256(seed || counter) blocks, scripted (the
/// fuzz crate has no RNG dependency). Enough for an RSA-4096 blinding, signature and seals.
pub fn rng(seed: u8) -> ScriptedRng {
    let blocks: Vec<[u8; 32]> = (0u64..512)
        .map(|i| sealwright::crypto::sha256_parts(&[&[seed], &i.to_be_bytes()]))
        .collect();
    ScriptedRng::new(blocks)
}

pub const NOW_MS: u64 = 1_767_225_600_000;

pub struct Fixture {
    pub keys: ServerKeys,
    pub server_public: sealwright::rsa_keys::RsaPublicKey,
    pub primary: PrimaryKey,
    pub device_id: &'static str,
    /// The store right after the handshake.
    pub store: MemoryStore,
    /// The client right after the handshake.
    pub session: Established,
    /// The client waiting for the answer to its first message.
    pub pending: AwaitingResponse,
    pub storage_secret: SecretKey32,
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let identity = RsaPrivateKey::from_pkcs8_der(&hex(field("serverRsaPrivateKeyPkcs8"))).unwrap();
        let storage_secret = SecretKey32::from_slice(&hex(field("storageSecret"))).unwrap();
        let keys = ServerKeys::new(
            identity.clone(),
            SecretVec::new(hex(field("serverEntropy"))),
            &storage_secret,
        )
        .unwrap();
        let primary =
            PrimaryKey::from_bytes(&SecretKey32::from_slice(&hex(field("clientPrimaryPrivate"))).unwrap()).unwrap();
        let device_id = field("deviceId");
        let mut rng = rng(1);
        let client = Client::new(device_id, primary.clone(), identity.public_key()).unwrap();
        let (request, awaiting) = client.start(&mut rng).unwrap();
        let store = MemoryStore::new();
        let response = server::serve_handshake(&keys, &store, &request, NOW_MS, &mut rng).unwrap();
        let session = awaiting.finish(&response).unwrap();
        let (_, pending) = session.clone().send(b"fuzz", &mut rng).unwrap();
        Fixture {
            keys,
            server_public: identity.public_key(),
            primary,
            device_id,
            store,
            session,
            pending,
            storage_secret,
        }
    })
}

/// The open step (spec §2.2) with the records named by `request` loaded from `store`, its
/// claim committed to `store`.
pub fn open_with_store(
    keys: &ServerKeys,
    store: &MemoryStore,
    request: &str,
    now_ms: u64,
) -> sealwright::Result<Outcome> {
    let mut rng = rng(3);
    run_step(store, now_ms, |load| server::open_with(keys, request, load, now_ms, &mut rng))
}
