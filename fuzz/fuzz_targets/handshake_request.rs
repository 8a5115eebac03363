#![no_main]
//! Handshake request parsing (spec §2.1) and the full server handshake with the vector keys:
//! any input is an error or a response, never a panic; a parsed request re-serializes to the
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
    if let Ok(parsed) = HandshakeRequest::parse(text) {
        let canonical = parsed.to_json().unwrap();
        assert_eq!(HandshakeRequest::parse(&canonical).unwrap(), parsed);
    }
    let f = common::fixture();
    let mut rng = common::rng(2);
    let result = server::handshake(&f.keys, text, None, common::NOW_MS, &mut rng);
    if let Ok((_, effects)) = result {
        assert_eq!(effects.len(), 3);
    }
});
