#![no_main]
//! Version 2 record decoding (spec §4.2): arbitrary text never panics and never opens; a
//! record we encrypt opens to the same bytes only under its own recordId.
use libfuzzer_sys::fuzz_target;

#[path = "vault_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let vault = common::vault();
    if let Ok(text) = std::str::from_utf8(data) {
        let (record_id, record) = text.split_once('\n').unwrap_or(("r", text));
        assert!(vault.decrypt_record(record_id, record).is_err());
    }
    let record = vault
        .encrypt_record("rec-1", data, &mut common::rng())
        .expect("encrypt");
    assert_eq!(vault.decrypt_record("rec-1", &record).expect("opens").expose(), data);
    assert!(vault.decrypt_record("rec-2", &record).is_err());
});
