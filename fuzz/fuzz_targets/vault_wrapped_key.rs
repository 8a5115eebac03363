#![no_main]
//! Wrapped vault key decoding (spec §4.2) with a fixed wrap key: never panics; only the
//! fixture's own wrapped key unwraps.
use libfuzzer_sys::fuzz_target;
use sealwright::secret::SecretKey32;
use sealwright::vault::unlock_with_wrap_key;

#[path = "vault_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (user_id, wrapped) = text.split_once('\n').unwrap_or((common::USER_ID, text));
    let key = SecretKey32::new(common::WRAP_KEY);
    if let Ok(vault) = unlock_with_wrap_key(user_id, &key, wrapped) {
        assert_eq!(user_id, common::USER_ID);
        assert_eq!(wrapped, common::wrapped());
        assert_eq!(vault.vault_key().expose(), &[0x11; 32]);
    }
});
