// Shared fixtures for the attendance fuzz targets: the keys of the first positive case of
// test-vectors/attendance.json, found by plain string search (no JSON dependency).

use sealwright::attendance::SessionKeys;
use sealwright::secret::SecretKey32;
use std::sync::OnceLock;

const VECTORS: &str = include_str!("../../test-vectors/attendance.json");

/// The string value of the first `"field": "..."`.
pub fn field(name: &str) -> &'static str {
    let pat = format!("\"{name}\": \"");
    let i = VECTORS.find(&pat).expect("field present");
    let rest = &VECTORS[i + pat.len()..];
    &rest[..rest.find('"').expect("closing quote")]
}

pub fn key(name: &str) -> SecretKey32 {
    SecretKey32::new(sealwright::encoding::hex_decode_array(field(name)).expect("hex"))
}

/// The student's keys (from `sessionKey`).
pub fn keys() -> &'static SessionKeys {
    static K: OnceLock<SessionKeys> = OnceLock::new();
    K.get_or_init(|| {
        SessionKeys::from_session_key(field("userId"), key("sessionKey")).expect("keys")
    })
}
