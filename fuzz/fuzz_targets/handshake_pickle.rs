#![no_main]
//! Client pickle import (spec §2.3): the input both as pickle text and as the state bytes inside
//! a correctly sealed pickle. Never a panic; an imported state pickles back to a state that
//! imports to the same kid.
use libfuzzer_sys::fuzz_target;
use sealwright::crypto::{PickleKind, pickle_seal};
use sealwright::handshake::Established;
use sealwright::secret::SecretKey32;

#[path = "handshake_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let key = SecretKey32::new([9; 32]);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Established::unpickle(&key, text);
    }
    let mut rng = common::rng(6);
    let pickle = pickle_seal(&key, PickleKind::HandshakeClient, data, &mut rng).unwrap();
    if let Ok(state) = Established::unpickle(&key, &pickle) {
        let again = state.pickle(&key, &mut rng).unwrap();
        let back = Established::unpickle(&key, &again).unwrap();
        assert_eq!(back.kid(), state.kid());
        assert_eq!(back.device_id(), state.device_id());
    }
});
