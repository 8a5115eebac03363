#![no_main]
//! Handshake request parsing (spec §2.1) and the full server handshake step with the vector
//! keys against the fixture store (the device is bound to the fixture's primary key): any
//! input is an error or a response, never a panic; a parsed request re-serializes to the
//! canonical form, which parses to the same value.
use libfuzzer_sys::fuzz_target;
use sealwright::handshake::server;
use sealwright::handshake::wire::HandshakeRequest;

#[path = "handshake_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = HandshakeRequest::from_json(text) {
        let canonical = parsed.to_json().unwrap();
        assert_eq!(HandshakeRequest::from_json(&canonical).unwrap(), parsed);
    }
    let f = common::fixture();
    let mut rng = common::rng(2);
    let load = |key: &str| f.store.get(key, common::NOW_MS);
    let result = server::handshake_with(&f.keys, text, load, common::NOW_MS, &mut rng);
    if let Ok(step) = result {
        // device, session, eph[kid], delete eph[old kid] (only when the device had a last
        // kid: a first handshake has none), last.
        let names = server::handshake_store_keys(text).unwrap();
        let had_last = f.store.get(&names.last, common::NOW_MS).is_some();
        assert_eq!(step.effects.len(), 4 + usize::from(had_last));
        assert!(step.effects.iter().all(|e| e.key().starts_with("sw:v1:hs:{")));
    }
});
