#![no_main]
//! Response envelope (spec §5): JSON parsing, strict base64, opening with K_resp, the
//! plaintext parser, and validation steps 1 to 7 against a fixed round, with the keys of
//! test-vectors/attendance.json. Any input must give a result or an error, never a panic.
use libfuzzer_sys::fuzz_target;
use sealwright::attendance::Config;
use sealwright::attendance::round::{ResponseEnvelope, ResponsePlaintext, RoundMetadata};
use sealwright::attendance::validate::open_response;
use sealwright::secret::SecretBytes;

#[path = "attendance_common.rs"]
mod common;

const RECEIVED: u64 = 1_768_204_803_920;

fuzz_target!(|data: &[u8]| {
    let keys = common::keys();
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(env) = ResponseEnvelope::from_json(text) {
            let again =
                ResponseEnvelope::from_json(&env.to_json().expect("json")).expect("reparse");
            assert_eq!(again, env);
            if let Ok(opened) = open_response(Some(keys), &env, RECEIVED) {
                let meta = RoundMetadata::new(RECEIVED - 3_920, SecretBytes::new([7; 16]));
                let v = opened.check(
                    &common::key("serverSecret"),
                    Some(&meta),
                    &[RECEIVED - 1_420],
                    &Config::default(),
                );
                let _ = v.result;
            }
        }
    }
    if let Ok(pt) = ResponsePlaintext::from_bytes(data) {
        assert_eq!(pt.to_bytes().expect("encodes").expose(), data);
    }
});
