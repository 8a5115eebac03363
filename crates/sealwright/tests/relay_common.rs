//! Shared fixtures for the relay tests: the keys of `test-vectors/relay.json` (no keygen).
//! Included as a module by the other `relay_*` tests (and built alone as an empty test).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sealwright::encoding::{hex_decode, hex_decode_array};
use sealwright::relay::{Recipient, RecipientPublicKey, RelayKey, RelayKeys};
use sealwright::secret::SecretKey32;
use serde_json::Value;
use std::sync::OnceLock;

/// Server time of the fixtures (2026-01-01T00:00:00Z) in ms.
pub const NOW_MS: u64 = 1_767_225_600_000;

/// The relay keys of the vectors.
pub struct Fixture {
    /// Recipient A, RSA-4096.
    pub a: Recipient,
    /// Recipient B, RSA-3072.
    pub b: Recipient,
    /// Relay key `rk-1`.
    pub relay: RelayKey,
}

/// The fixture, loaded once.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../test-vectors/relay.json"
        ))
        .unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let cases = v["cases"].as_array().unwrap();
        let key = |i: usize| {
            Recipient::from_pkcs8_der(
                &hex_decode(cases[i]["recipientPrivateKeyPkcs8"].as_str().unwrap()).unwrap(),
            )
            .unwrap()
        };
        let rk =
            SecretKey32::new(hex_decode_array(cases[0]["relayKey"].as_str().unwrap()).unwrap());
        Fixture {
            a: key(0),
            b: key(1),
            relay: RelayKey::new(cases[0]["rkid"].as_str().unwrap(), rk).unwrap(),
        }
    })
}

/// A key ring holding only `rk-1`.
pub fn keys() -> RelayKeys {
    RelayKeys::new(fixture().relay.clone())
}

/// A lookup that knows exactly the given recipients.
pub fn lookup(known: &[&Recipient]) -> impl Fn(&str) -> Option<RecipientPublicKey> + Clone {
    let known: Vec<RecipientPublicKey> = known.iter().map(|r| r.public_key().clone()).collect();
    move |rid: &str| known.iter().find(|k| k.rid() == rid).cloned()
}
