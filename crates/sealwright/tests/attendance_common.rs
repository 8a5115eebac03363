//! Shared fixtures for the attendance race and interleaving tests: Alice enrolled, logged in
//! and registered, her round 1 QR shown once. Included as a module by those tests (and built
//! alone as an empty test).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::attendance::login::{ClientLogin, EnrollmentRecord, issue_login_nonce, login};
use sealwright::attendance::round::{QrPayload, try_qr};
use sealwright::attendance::session::ClassSession;
use sealwright::attendance::{Config, SessionKeys};
use sealwright::effect::{StepStore, StoreSealer, run_step};
use sealwright::secret::SecretKey32;

/// The start of the scenario (Unix ms).
pub const T0: u64 = 1_768_204_800_000;
/// The class session id.
pub const SID: &str = "cs101:2026-01-12";

/// The store sealer of every fixture.
pub fn sealer() -> StoreSealer {
    StoreSealer::new(&SecretKey32::new([1; 32])).unwrap()
}

/// Alice enrolled, logged in and registered on a fresh store of type `S`; her round 1 QR
/// shown once at `T0 + 1_000`.
pub fn shown_round<S: StepStore + Default>(
    config: Config,
    seed: u8,
) -> (ClassSession, S, SessionKeys, QrPayload) {
    let mut rng = ChaCha20Rng::from_seed([seed; 32]);
    let sealer = sealer();
    let store = S::default();
    let enrollment = EnrollmentRecord::new("alice", &[4; 16], b"cose", [0; 16], 0).unwrap();
    store
        .commit(&enrollment.enroll(&sealer, &mut rng).unwrap().effects, T0)
        .unwrap();
    let nonce = run_step(&store, T0, |_| {
        issue_login_nonce("alice", &sealer, &config, T0, &mut rng)
    })
    .unwrap();
    let client = ClientLogin::start("alice", nonce, &mut rng).unwrap();
    let c = client.client_public();
    let server = run_step(&store, T0, |load| {
        login("alice", &nonce, &c, load, &sealer, &config, &mut rng)
    })
    .unwrap();
    let alice = client.finish(&server.server_public).unwrap();
    let class = ClassSession::new(SID, SecretKey32::new([0x5e; 32]), sealer, config).unwrap();
    let first = class.on(&store).register("alice", T0, &mut rng).unwrap();
    let frame = class
        .on(&store)
        .frame(&[first], T0 + 1_000, &mut rng)
        .unwrap()
        .frame
        .unwrap();
    let qr = try_qr(&alice, &frame.qr_text).unwrap();
    (class, store, alice, qr)
}
