#![no_main]
//! Share envelope decoding and opening (spec §3): strict base64, the 83-byte length rule and
//! AES-128-GCM opening, with the Argon2id key of test-vectors/shares.json case 0 share 1
//! precomputed (one Argon2 run per input would make fuzzing 64 MiB-slow).
use libfuzzer_sys::fuzz_target;
use sealwright::shares::{EnvelopeKey, EnvelopeParts, SharePlaintext, open_envelope_with_key};
use std::sync::OnceLock;

const VECTORS: &str = include_str!("../../test-vectors/shares.json");

/// The string value of the first `"field": "..."`.
fn field(name: &str) -> &'static str {
    let pat = format!("\"{name}\": \"");
    let i = VECTORS.find(&pat).expect("field present") + pat.len();
    let rest = &VECTORS[i..];
    &rest[..rest.find('"').expect("closing quote")]
}

fn key() -> &'static EnvelopeKey {
    static K: OnceLock<EnvelopeKey> = OnceLock::new();
    K.get_or_init(|| {
        EnvelopeKey::from_slice(&sealwright::encoding::hex_decode(field("argon2Key")).unwrap())
            .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Must never panic. Only an authentic IV and ciphertext open; the plaintext must then be
    // the vector's share 1 (anything else would be a forgery the tag check missed). The salt is
    // free here: it only feeds Argon2, which this precomputed-key path skips (in `open_envelope`
    // another salt gives another key, so the tag fails).
    if let Ok(pt) = open_envelope_with_key(key(), text) {
        let got = EnvelopeParts::decode(text).unwrap();
        let want = EnvelopeParts::decode(field("envelope")).unwrap();
        assert_eq!((got.iv, got.ciphertext), (want.iv, want.ciphertext));
        let share = SharePlaintext::decode(pt.expose()).unwrap();
        assert_eq!(share.x(), 1);
    }
});
