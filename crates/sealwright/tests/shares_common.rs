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

use sealwright::effect::{Effect, MemoryStore, StoreName, StoreSealer, StoredRecord};
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::shares::{self, Address, LoadedSplit, SplitPointer, StoredShare};
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
        assert_eq!(v["specVersion"], 2);
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

/// A wallet's two stores: hot (`StoreName::Main`) and cold (`StoreName::Cold`).
#[derive(Clone, Debug)]
pub struct Stores {
    /// The hot store: pointer and shares 2.
    pub hot: MemoryStore,
    /// The cold store: shares 3.
    pub cold: MemoryStore,
}

impl Default for Stores {
    fn default() -> Self {
        Self::new()
    }
}

impl Stores {
    /// Two empty stores.
    pub fn new() -> Self {
        Self {
            hot: MemoryStore::new(),
            cold: MemoryStore::named(StoreName::Cold),
        }
    }

    /// Commits a step's effects in order, one transaction per run of one store's effects.
    pub fn commit(&self, effects: &[Effect]) -> sealwright::Result<()> {
        shares::commit(&self.hot, &self.cold, effects, 0)
    }

    /// The pointer of `address`, opened.
    pub fn loaded(&self, address: &Address) -> LoadedSplit {
        let value = self.hot.get(&shares::current_key(address), 0);
        LoadedSplit::open(&sealer(), address, value.as_deref()).unwrap()
    }

    /// The split the pointer names.
    pub fn pointer(&self, address: &Address) -> SplitPointer {
        *self.loaded(address).pointer()
    }

    /// The hot envelope of `split`, if the hot store holds it.
    pub fn hot_envelope(&self, address: &Address, split: &SplitPointer) -> Option<String> {
        let key = shares::hot_key(address, split);
        self.hot.get(&key, 0).map(|v| {
            StoredShare::open(&sealer(), &key, &v)
                .unwrap()
                .into_envelope()
        })
    }

    /// The cold envelope of `split`, if the cold store holds it.
    pub fn cold_envelope(&self, address: &Address, split: &SplitPointer) -> Option<String> {
        let key = shares::cold_key(address, split);
        self.cold.get(&key, 0).map(|v| {
            StoredShare::open(&sealer(), &key, &v)
                .unwrap()
                .into_envelope()
        })
    }

    /// Signs as a server does: load the pointer, then share 2 of the split it names.
    pub fn sign(
        &self,
        password: &SecretString,
        user_envelope: &str,
        address: &Address,
        message: &str,
    ) -> sealwright::Result<String> {
        let loaded = self.loaded(address);
        let hot = self.hot.get(&loaded.hot_key(), 0);
        loaded.sign(password, user_envelope, &sealer(), hot.as_deref(), message)
    }

    /// Every key of both stores.
    pub fn all_keys(&self) -> Vec<String> {
        let mut keys = self.hot.keys();
        keys.extend(self.cold.keys());
        keys
    }
}

/// Creates a wallet under `password` and commits it to fresh stores.
pub fn created_wallet(
    password: &SecretString,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> (shares::Created, Stores) {
    let stores = Stores::new();
    let (created, effects) = shares::create(password, &sealer(), rng)
        .unwrap()
        .into_parts();
    stores.commit(&effects).unwrap();
    (created, stores)
}

/// Stage of a recovery of the wallet in `stores` (the pointer and both shares it names).
pub fn stage<R: rand_core::CryptoRng + ?Sized>(
    stores: &Stores,
    password: &SecretString,
    address: &Address,
    rng: &mut R,
) -> sealwright::Result<sealwright::effect::Step<shares::Staged>> {
    let loaded = stores.loaded(address);
    let hot = stores.hot.get(&loaded.hot_key(), 0);
    let cold = stores.cold.get(&loaded.cold_key(), 0);
    loaded.stage(password, &sealer(), hot.as_deref(), cold.as_deref(), rng)
}
