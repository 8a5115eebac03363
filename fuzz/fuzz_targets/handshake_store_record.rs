#![no_main]
//! Stored record decoding (spec §2.3): raw serializations of every record kind, and the same
//! bytes sealed under K_store and opened under their key. Never a panic; whatever parses
//! re-serializes to exactly the input (one encoding per record).
use libfuzzer_sys::fuzz_target;
use sealwright::handshake::Kid;
use sealwright::handshake::store::{EphRecord, LastRecord, RetryRecord, SessionRecord};
use sealwright::secret::SecretVec;

#[path = "handshake_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let plain = SecretVec::from_slice(data);
    if let Ok(r) = SessionRecord::from_bytes(&plain) {
        assert_eq!(r.to_bytes().expose(), data);
    }
    if let Ok(r) = EphRecord::from_bytes(&plain) {
        assert_eq!(r.to_bytes().unwrap().expose(), data);
    }
    if let Ok(r) = LastRecord::from_bytes(&plain) {
        assert_eq!(r.to_bytes().expose(), data);
    }
    if let Ok(r) = RetryRecord::from_bytes(&plain) {
        assert_eq!(r.to_bytes().expose(), data);
    }
    // Sealed under the right key: parsing goes through the seal and gives the same result.
    let f = common::fixture();
    let sealer = f.keys.sealer();
    let kid = Kid::parse("0123456789abcdef0123456789abcdef").unwrap();
    let mut rng = common::rng(5);
    let key = sealwright::handshake::store::eph_key(&kid);
    let sealed = sealer.seal(&key, data, &mut rng).unwrap();
    assert_eq!(
        EphRecord::open(sealer, &kid, &sealed).is_ok(),
        EphRecord::from_bytes(&plain).is_ok()
    );
    // The raw input taken as a sealed value never opens (no key material in the input).
    assert!(SessionRecord::open(sealer, f.device_id, data).is_err());
});
