#![no_main]
//! Stored records of the attendance protocol (spec §5, values sealed as in §0.2): round
//! metadata (the target's subject), plus the result, enrollment, session-key, login-nonce and
//! projector records and the sealed store value opening. Each parsed record must
//! re-serialize to the same bytes.
use libfuzzer_sys::fuzz_target;
use sealwright::attendance::login::{EnrollmentRecord, LoginNonceRecord, SessionKeys};
use sealwright::attendance::projector::Projector;
use sealwright::attendance::round::RoundMetadata;
use sealwright::attendance::round_store_key;
use sealwright::attendance::session::AttendanceResult;
use sealwright::effect::{StoreSealer, StoredRecord};
use sealwright::secret::SecretKey32;

fn round_trips<T: StoredRecord>(data: &[u8]) {
    if let Ok(record) = T::from_bytes(data) {
        assert_eq!(record.to_bytes().expect("encodes").expose(), data);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trips::<RoundMetadata>(data);
    round_trips::<AttendanceResult>(data);
    round_trips::<EnrollmentRecord>(data);
    round_trips::<SessionKeys>(data);
    round_trips::<LoginNonceRecord>(data);
    round_trips::<Projector>(data);
    let sealer = StoreSealer::new(&SecretKey32::new([5; 32])).expect("sealer");
    let key = round_store_key("cs101", "alumno-07", 1);
    let _ = RoundMetadata::open(&sealer, &key, data);
});
