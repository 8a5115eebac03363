#![allow(dead_code)]
// Shared fixture for the vault fuzz targets: a vault unlocked from a fixed wrap key (no KDF
// run per input) and fixed keys.

use sealwright::rng::ScriptedRng;
use sealwright::secret::SecretKey32;
use sealwright::vault::{UnlockedVault, unlock_with_wrap_key};
use std::sync::OnceLock;

pub const USER_ID: &str = "fuzz-user";
pub const WRAP_KEY: [u8; 32] = [0x42; 32];
pub const PICKLE_KEY: [u8; 32] = [0x24; 32];

/// The wrapped vault key of the fixture: `VK = [0x11; 32]` wrapped under `WRAP_KEY`.
pub fn wrapped() -> &'static str {
    static W: OnceLock<String> = OnceLock::new();
    W.get_or_init(|| {
        use sealwright::crypto::sealed_with_nonce;
        use sealwright::encoding::{b64url_encode, concat_lp};
        let aad = concat_lp(b"sealwright/v2/vault/key", &[USER_ID.as_bytes()]).unwrap();
        let boxed = sealed_with_nonce(&WRAP_KEY, &[7; 12], &[0x11; 32], &aad).unwrap();
        format!("sw2k.{}", b64url_encode(&boxed))
    })
}

pub fn vault() -> &'static UnlockedVault {
    static V: OnceLock<UnlockedVault> = OnceLock::new();
    V.get_or_init(|| {
        unlock_with_wrap_key(USER_ID, &SecretKey32::new(WRAP_KEY), wrapped()).unwrap()
    })
}

pub fn rng() -> ScriptedRng {
    ScriptedRng::new([[9u8; 64]])
}
