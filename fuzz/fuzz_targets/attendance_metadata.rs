#![no_main]
//! Stored records of the attendance protocol (spec §5, values sealed as in §2.3): round
//! metadata (the target's subject), plus result, enrollment and session-key records and the
//! sealed store value opening. Each parsed record must re-serialize to the same bytes.
use libfuzzer_sys::fuzz_target;
use sealwright::attendance::login::{EnrollmentRecord, SessionKeys};
use sealwright::attendance::round::RoundMetadata;
use sealwright::attendance::round_store_key;
use sealwright::attendance::session::AttendanceResult;
use sealwright::effect::StoreSealer;
use sealwright::secret::SecretKey32;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = RoundMetadata::from_bytes(data) {
        assert_eq!(m.to_bytes().expose(), data);
    }
    if let Ok(r) = AttendanceResult::from_bytes(data) {
        assert_eq!(r.to_bytes().expect("encodes"), data);
    }
    if let Ok(e) = EnrollmentRecord::from_bytes(data) {
        assert_eq!(e.to_bytes().expect("encodes"), data);
    }
    if let Ok(k) = SessionKeys::from_record(data) {
        assert_eq!(k.to_record().expect("encodes").expose(), data);
    }
    let sealer = StoreSealer::new(&SecretKey32::new([5; 32])).expect("sealer");
    let key = round_store_key("cs101", "alumno-07", 1).expect("key");
    if let Ok(plain) = sealer.open(&key, data) {
        let _ = RoundMetadata::from_bytes(plain.expose());
    }
});
