#![no_main]
//! Vault pickle import (spec §2.3, kind `vault`): arbitrary pickle text never panics; the
//! decrypted state parser sees arbitrary bytes (sealed here with the right key) and accepts
//! only `0x01 || lp(userId) || VK(32)`, which exports and imports back to the same vault.
use libfuzzer_sys::fuzz_target;
use sealwright::Error;
use sealwright::crypto::{PickleKind, pickle_seal};
use sealwright::secret::SecretKey32;
use sealwright::vault::UnlockedVault;

#[path = "vault_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let key = SecretKey32::new(common::PICKLE_KEY);
    if let Ok(text) = std::str::from_utf8(data) {
        assert!(UnlockedVault::unpickle(&key, text).is_err());
    }
    let pickle = pickle_seal(&key, PickleKind::Vault, data, &mut common::rng()).expect("seal");
    match UnlockedVault::unpickle(&key, &pickle) {
        Ok(vault) => {
            assert_eq!(data.first(), Some(&1));
            let again = vault.pickle(&key, &mut common::rng()).expect("export");
            let back = UnlockedVault::unpickle(&key, &again).expect("import");
            assert_eq!(back.user_id(), vault.user_id());
            assert_eq!(back.vault_key(), vault.vault_key());
        }
        Err(e) => assert!(matches!(e, Error::InvalidInput | Error::UnsupportedVersion)),
    }
});
