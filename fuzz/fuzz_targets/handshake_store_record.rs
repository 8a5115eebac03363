#![no_main]
//! Stored record decoding (spec §2.3): raw serializations of every record kind, and the same
//! bytes sealed under K_store and opened under their key. Never a panic; whatever parses
//! re-serializes to exactly the input (one encoding per record).
use libfuzzer_sys::fuzz_target;
use sealwright::handshake::Kid;
use sealwright::effect::StoredRecord;
use sealwright::handshake::store::{
    ClaimRecord, DeviceRecord, EphRecord, LastRecord, RetryRecord, SessionRecord,
};

#[path = "handshake_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    fn round_trip<T: StoredRecord>(data: &[u8]) {
        if let Ok(r) = T::from_bytes(data) {
            assert_eq!(r.to_bytes().unwrap().expose(), data);
        }
    }
    round_trip::<DeviceRecord>(data);
    round_trip::<SessionRecord>(data);
    round_trip::<EphRecord>(data);
    round_trip::<ClaimRecord>(data);
    round_trip::<LastRecord>(data);
    round_trip::<RetryRecord>(data);
    // Sealed under the right key: parsing goes through the seal and gives the same result.
    let f = common::fixture();
    let sealer = f.keys.sealer();
    let kid = Kid::parse("0123456789abcdef0123456789abcdef").unwrap();
    let mut rng = common::rng(5);
    let key = sealwright::handshake::store::eph_key(f.device_id, &kid);
    let sealed = sealer.seal(&key, data, &mut rng).unwrap();
    assert_eq!(
        EphRecord::open(sealer, &key, &sealed).is_ok(),
        EphRecord::from_bytes(data).is_ok()
    );
    // The raw input taken as a sealed value never opens (no key material in the input).
    let session_key = sealwright::handshake::store::session_key(f.device_id);
    assert!(SessionRecord::open(sealer, &session_key, data).is_err());
});
