#![no_main]
//! The response's inner ES256 JWS (spec §1 step 5) and pinned signing JWKs: never panic; a
//! JWS that verifies under the pinned `sk-1` of test-vectors/relay.json re-verifies, and a
//! pinned JWK that parses re-serializes to one that parses to the same key.
use libfuzzer_sys::fuzz_target;
use sealwright::relay::{RelayVerifyingKey, verify_es256_jws};
use std::sync::OnceLock;

#[path = "relay_common.rs"]
mod common;

fn pinned() -> &'static [RelayVerifyingKey; 1] {
    static P: OnceLock<[RelayVerifyingKey; 1]> = OnceLock::new();
    P.get_or_init(|| [common::signing_key().verifying_key()])
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(payload) = verify_es256_jws(text, pinned()) {
        // Only an input carrying a genuine sk-1 signature gets here.
        assert_eq!(verify_es256_jws(text, pinned()), Ok(payload));
    }
    if let Ok(key) = RelayVerifyingKey::from_jwk("sk-fuzz", text) {
        let again = RelayVerifyingKey::from_jwk("sk-fuzz", &key.to_jwk()).expect("own JWK");
        assert_eq!(again, key);
    }
});
