#![no_main]
//! Process request parsing and the server's checks (spec §2.2 steps 1 to 3) against the store
//! right after the fixture handshake. Never a panic; the store-key helper and `open` agree on
//! what parses.
use libfuzzer_sys::fuzz_target;
use sealwright::handshake::server::{self, Outcome};
use sealwright::handshake::wire::ProcessRequest;

#[path = "handshake_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let f = common::fixture();
    let parsed = ProcessRequest::from_json(text);
    assert_eq!(parsed.is_ok(), server::process_store_keys(text).is_ok());
    if let Ok(p) = &parsed {
        assert_eq!(ProcessRequest::from_json(&p.to_json().unwrap()).as_ref(), Ok(p));
    }
    // A copy of the fixture store, so a claim committed by one input does not affect the next.
    let store = f.store.clone();
    match common::open_with_store(&f.keys, &store, text, common::NOW_MS + 1000) {
        Ok(Outcome::Opened(opened)) => {
            let step = opened.respond(b"ok", &mut common::rng(4)).unwrap();
            assert!(!step.output.is_empty());
            assert_eq!(step.effects.len(), 5);
            store.commit(&step.effects, common::NOW_MS + 1000).unwrap();
        }
        Ok(Outcome::Retry(_)) => panic!("no request was answered in the fixture store"),
        Err(_) => {}
    }
});
