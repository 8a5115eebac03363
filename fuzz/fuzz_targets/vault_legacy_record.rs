#![no_main]
//! Legacy record parsing and opening (spec §4.1) and format detection: never panics; an
//! accepted record re-serializes canonically and parses back to itself.
use libfuzzer_sys::fuzz_target;
use sealwright::secret::SecretKey32;
use sealwright::vault::{LegacyRecord, RecordFormat};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = RecordFormat::detect(text);
    if let Ok(record) = LegacyRecord::from_json(text) {
        let again = LegacyRecord::from_json(&record.to_json()).expect("own JSON parses");
        assert_eq!(again, record);
        assert_eq!(RecordFormat::detect(text), Ok(RecordFormat::Legacy(record.clone())));
        // Only a record made with this key could open: a fuzzed one must not.
        assert!(record.open(&SecretKey32::new([5; 32])).is_err());
    }
});
