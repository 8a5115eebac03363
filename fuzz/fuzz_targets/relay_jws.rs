#![no_main]
//! Decryption-request parsing (spec §1 step 4) up to and including the PS256 signature check,
//! then the remaining checks, with recipient A of test-vectors/relay.json registered.
use libfuzzer_sys::fuzz_target;
use sealwright::relay::{RecipientPublicKey, RelayKey, RelayKeys, verify_request};
use sealwright::secret::SecretKey32;
use std::sync::OnceLock;

#[path = "relay_common.rs"]
mod common;

struct Fixture {
    registered: RecipientPublicKey,
    keys: RelayKeys,
    now_ms: u64,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let a = sealwright::relay::Recipient::from_pkcs8_der(&common::hex(common::field(
            "recipientPrivateKeyPkcs8",
            0,
        )))
        .expect("fixture key");
        let rk = SecretKey32::from_slice(&common::hex(common::field("relayKey", 0))).unwrap();
        Fixture {
            registered: a.public_key().clone(),
            keys: RelayKeys::new(
                RelayKey::new(common::field("rkid", 0), rk).unwrap(),
                common::signing_key(),
            ),
            now_ms: 1_767_225_600_000,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let f = fixture();
    let lookup = |rid: &str| (rid == f.registered.rid()).then(|| f.registered.clone());
    let verified = verify_request(text, lookup);
    let mut rng = sealwright::rng::ScriptedRng::new([[7u8; 44]]);
    let full = f
        .keys
        .decrypt_request(text, lookup, |_| false, f.now_ms, &mut rng);
    // A request that passes everything must have passed the signature check.
    if full.is_ok() {
        assert!(verified.is_ok());
    }
});
