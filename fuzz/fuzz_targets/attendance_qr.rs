#![no_main]
//! QR text decoding and opening (spec §5): "SW1:" + strict base45 + sealed(K_qr, ...) + the
//! payload parser, with the student keys of test-vectors/attendance.json. A decoded QR must
//! re-encode to the same text; an opened payload must re-serialize to the same plaintext.
use libfuzzer_sys::fuzz_target;
use sealwright::attendance::{base45, round};

#[path = "attendance_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let keys = common::keys();
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(bytes) = base45::decode(text) {
            assert_eq!(base45::encode(&bytes), text);
        }
        if let Ok(payload) = round::try_qr(keys, text) {
            assert_eq!(payload.user_id, keys.user_id());
        }
    }
    // The plaintext parser directly, on raw bytes.
    if let Ok(p) = round::QrPayload::from_bytes(data) {
        assert_eq!(p.to_bytes().expect("encodes").expose(), data);
    }
});
