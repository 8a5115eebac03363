#![no_main]
//! Process response parsing and the client's checks (spec §2.2, client): both fields open,
//! kid' well formed and different. Never a panic; an accepted response rotates the kid.
use libfuzzer_sys::fuzz_target;
use sealwright::handshake::wire::ProcessResponse;

#[path = "handshake_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let f = common::fixture();
    if let Ok(p) = ProcessResponse::from_json(text) {
        assert_eq!(ProcessResponse::from_json(&p.to_json().unwrap()).as_ref(), Ok(&p));
    }
    if let Ok((_, next)) = f.pending.receive(text) {
        assert_ne!(next.kid(), f.pending.kid());
    }
});
