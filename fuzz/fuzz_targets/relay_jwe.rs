#![no_main]
//! Sealed JWE parsing and opening (spec §1 step 4, sealed checks) with the relay key of
//! test-vectors/relay.json.
use libfuzzer_sys::fuzz_target;
use sealwright::relay::{RelayKey, RelayKeys};
use sealwright::secret::SecretKey32;
use std::sync::OnceLock;

#[path = "relay_common.rs"]
mod common;

fn fixture() -> &'static (RelayKeys, &'static str) {
    static F: OnceLock<(RelayKeys, &'static str)> = OnceLock::new();
    F.get_or_init(|| {
        let rk = SecretKey32::from_slice(&common::hex(common::field("relayKey", 0))).unwrap();
        (
            RelayKeys::new(
                RelayKey::new(common::field("rkid", 0), rk).unwrap(),
                common::signing_key(),
            ),
            common::field("rid", 0),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (keys, rid) = fixture();
    // Must never panic; only a correctly authenticated value opens, so an Ok here means the
    // input was one of our own seals (or a mutation the tag check did not catch: a bug).
    if let Ok(value) = keys.open_sealed(text, rid) {
        assert!(!value.is_empty());
    }
});
