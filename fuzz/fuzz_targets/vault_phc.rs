#![no_main]
//! PHC verifier parsing (spec §4.1): never panics; every accepted string is canonical, so it
//! re-serializes to exactly the input.
use libfuzzer_sys::fuzz_target;
use sealwright::Error;
use sealwright::vault::PasswordVerifier;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match PasswordVerifier::parse(text) {
        Ok(v) => {
            assert_eq!(v.to_phc(), text);
            assert!((100_000..=10_000_000).contains(&v.iterations()));
            assert!(v.salt().len() >= 16);
        }
        Err(e) => assert_eq!(e, Error::InvalidVerifier),
    }
});
