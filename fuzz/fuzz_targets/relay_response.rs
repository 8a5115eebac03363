#![no_main]
//! Response JWE opening by the recipient (spec §1 step 5) with recipient B (RSA-3072) of
//! test-vectors/relay.json.
use libfuzzer_sys::fuzz_target;
use sealwright::relay::Recipient;
use std::sync::OnceLock;

#[path = "relay_common.rs"]
mod common;

fn recipient() -> &'static Recipient {
    static R: OnceLock<Recipient> = OnceLock::new();
    R.get_or_init(|| {
        Recipient::from_pkcs8_der(&common::hex(common::field("recipientPrivateKeyPkcs8", 1)))
            .expect("fixture key")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut rng = sealwright::rng::ScriptedRng::new([[3u8; 64]]);
    let _ = recipient().open_response(text, &mut rng);
});
