#![no_main]
//! Share plaintext decoding (spec §3): 39 bytes `0x01 || 0x02 || x || u32be(g) || y`, strict;
//! and the two stored records of §3 (split pointer, stored share), strict and canonical.
use libfuzzer_sys::fuzz_target;
use sealwright::Error;
use sealwright::effect::StoredRecord;
use sealwright::shares::{SharePlaintext, SplitPointer, StoredShare};

fuzz_target!(|data: &[u8]| {
    let format = SharePlaintext::check_format(data);
    match SharePlaintext::decode(data) {
        Ok(share) => {
            // Accepted shares are canonical: they re-encode to the same bytes.
            assert_eq!(share.encode().expose().as_slice(), data);
            assert!((1..=3).contains(&share.x()));
            assert!(format.is_ok());
        }
        Err(e) => {
            // Errors in the spec's order: length, then format byte, then share fields.
            match (data.len(), data.first()) {
                (39, Some(1)) => assert_eq!(e, Error::InvalidShare),
                (39, _) => assert_eq!(e, Error::UnsupportedVersion),
                _ => assert_eq!(e, Error::InvalidInput),
            }
            assert_eq!(format.err().unwrap_or(Error::InvalidShare), e);
        }
    }
    // Stored records: only the exact layout parses, and it re-encodes to the same bytes.
    if let Ok(pointer) = SplitPointer::from_bytes(data) {
        assert_eq!(data.len(), 1 + 4 + 16);
        assert_eq!(pointer.to_bytes().unwrap().expose(), data);
    }
    if let Ok(share) = StoredShare::from_bytes(data) {
        assert_eq!(data.len(), 1 + 83);
        assert_eq!(share.to_bytes().unwrap().expose(), data);
    }
});
