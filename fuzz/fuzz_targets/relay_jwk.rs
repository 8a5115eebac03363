#![no_main]
//! Recipient JWK registration (spec §1 step 1): never panics; an accepted key re-serializes
//! to a JWK that is accepted again with the same rid.
use libfuzzer_sys::fuzz_target;
use sealwright::relay::{RecipientPublicKey, thumbprint};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = RecipientPublicKey::from_jwk(text) {
        let bits = key.public_key().bits();
        assert!((3072..=8192).contains(&bits));
        assert_eq!(key.public_key().e_bytes(), [1, 0, 1]);
        let again = RecipientPublicKey::from_jwk(&key.to_jwk()).expect("own JWK accepted");
        assert_eq!(again.rid(), key.rid());
        let pk = key.public_key();
        assert_eq!(thumbprint(&pk.n_bytes(), &pk.e_bytes()), key.rid());
    }
});
