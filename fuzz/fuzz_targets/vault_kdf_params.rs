#![no_main]
//! KDF parameter parsing (spec §4.2): never panics; an accepted object re-serializes to the
//! canonical JSON, which parses to the same parameters; from_json() and check() only ever give
//! their codes.
use libfuzzer_sys::fuzz_target;
use sealwright::Error;
use sealwright::vault::KdfParams;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match KdfParams::from_json(text) {
        Ok(kdf) => {
            assert_eq!(KdfParams::from_json(&kdf.to_json()), Ok(kdf));
            if let Err(e) = kdf.check() {
                assert!(matches!(e, Error::WeakKdf | Error::InvalidInput));
            }
        }
        // WEAK_KDF: an integer member below 0 (spec §4.2: below its minimum).
        Err(e) => assert!(matches!(
            e,
            Error::InvalidInput | Error::UnsupportedVersion | Error::WeakKdf
        )),
    }
});
