#![no_main]
//! Response opening by the recipient (spec §1 step 5: outer JWE, inner ES256 JWS, payload and
//! jti binding) with recipient B (RSA-3072) of test-vectors/relay.json, pinning `sk-1` and
//! expecting the jti of case 1 (B's positive case). Never panics; an opened value is only
//! possible for a response genuinely signed by `sk-1` for that jti.
use libfuzzer_sys::fuzz_target;
use sealwright::relay::{Recipient, RelayVerifyingKey};
use std::sync::OnceLock;

#[path = "relay_common.rs"]
mod common;

fn fixture() -> &'static (Recipient, [RelayVerifyingKey; 1], &'static str) {
    static R: OnceLock<(Recipient, [RelayVerifyingKey; 1], &'static str)> = OnceLock::new();
    R.get_or_init(|| {
        (
            Recipient::from_pkcs8_der(&common::hex(common::field("recipientPrivateKeyPkcs8", 1)))
                .expect("fixture key"),
            [common::signing_key().verifying_key()],
            common::field("jti", 1),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (recipient, pinned, jti) = fixture();
    let mut rng = sealwright::rng::ScriptedRng::new([[3u8; 64]]);
    let _ = recipient.open_response_for_jti(text, jti, pinned, &mut rng);
});
