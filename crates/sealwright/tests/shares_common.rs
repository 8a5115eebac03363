//! Shared fixtures for the shares tests: the cases of `test-vectors/shares.json` and store
//! helpers. Included as a module by the other `shares_*` tests (and built alone as an empty
//! test).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sealwright::effect::{MemoryStore, StoreSealer};
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::shares::{self, Address};
use serde_json::Value;
use std::sync::OnceLock;

/// Every case of `test-vectors/shares.json`.
pub fn cases() -> &'static [Value] {
    static C: OnceLock<Vec<Value>> = OnceLock::new();
    C.get_or_init(|| {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../test-vectors/shares.json"
        ))
        .unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["protocol"], "shares");
        assert_eq!(v["specVersion"], 1);
        v["cases"].as_array().unwrap().clone()
    })
}

/// The string field `k` of case `c`.
pub fn s<'a>(c: &'a Value, k: &str) -> &'a str {
    c[k].as_str()
        .unwrap_or_else(|| panic!("{}: {k}", c["name"]))
}

/// The first positive case: a wallet with its password, address and envelopes.
pub struct Fixture {
    /// The password of every envelope.
    pub password: SecretString,
    /// The wallet address.
    pub address: Address,
    /// Envelopes of generation 0, x = 1, 2, 3.
    pub envelopes: [String; 3],
    /// Envelopes of generation 1 (after the recovery), x = 1, 2, 3.
    pub recovered: [String; 3],
}

/// The wallet of the first positive case.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let c = &cases()[0];
        let envs = |v: &Value| -> [String; 3] {
            let list = v["shares"].as_array().unwrap();
            [0, 1, 2].map(|i| s(&list[i], "envelope").to_string())
        };
        Fixture {
            password: SecretString::from(s(c, "password")),
            address: Address::parse(s(c, "address")).unwrap(),
            envelopes: envs(c),
            recovered: envs(&c["recovery"]),
        }
    })
}

/// A store sealer with a fixed storage secret.
pub fn sealer() -> StoreSealer {
    StoreSealer::new(&SecretKey32::new([0x5e; 32])).unwrap()
}

/// The hot envelope of generation `g`, if the store still holds it.
pub fn stored_hot(store: &MemoryStore, address: &Address, g: u32) -> Option<String> {
    let key = shares::hot_key(address, g);
    store
        .get(&key, 0)
        .map(|v| shares::open_stored_envelope(&sealer(), &key, &v).unwrap())
}

/// The cold envelope of generation `g`, if the store still holds it.
pub fn stored_cold(store: &MemoryStore, address: &Address, g: u32) -> Option<String> {
    let key = shares::cold_key(address, g);
    store
        .get(&key, 0)
        .map(|v| shares::open_stored_envelope(&sealer(), &key, &v).unwrap())
}

/// The generation the store's pointer names.
pub fn stored_current(store: &MemoryStore, address: &Address) -> u32 {
    let key = shares::current_key(address);
    shares::open_stored_generation(&sealer(), &key, &store.get(&key, 0).unwrap()).unwrap()
}

/// `recover` of the fixture wallet (its password and address) from a hot and a cold envelope.
pub fn recover_fixture(
    hot: &str,
    cold: &str,
    generation: u32,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> sealwright::Result<shares::Recovered> {
    let f = fixture();
    shares::recover(
        &f.password,
        hot,
        cold,
        &f.address,
        generation,
        &sealer(),
        rng,
    )
}
