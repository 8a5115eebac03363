#![no_main]
//! Handshake response parsing and the client's checks (spec §2.1): signature over the
//! transcript with the fixture's own clientNonce, then P_s. Never a panic; a response that is
//! accepted must have parsed.
use libfuzzer_sys::fuzz_target;
use sealwright::handshake::Client;
use sealwright::handshake::wire::HandshakeResponse;
use std::sync::OnceLock;

#[path = "handshake_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    static PENDING: OnceLock<sealwright::handshake::AwaitingHandshake> = OnceLock::new();
    let pending = PENDING.get_or_init(|| {
        let f = common::fixture();
        let client = Client::new(f.device_id, f.primary.clone(), f.server_public.clone()).unwrap();
        client.start(&mut common::rng(3)).unwrap().1
    });
    let parsed = HandshakeResponse::from_json(text);
    if let Ok(p) = &parsed {
        assert_eq!(HandshakeResponse::from_json(&p.to_json().unwrap()).as_ref(), Ok(p));
    }
    if pending.finish(text).is_ok() {
        assert!(parsed.is_ok());
    }
});
