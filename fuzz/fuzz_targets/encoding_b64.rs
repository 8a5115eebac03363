#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(bytes) = sealwright::encoding::b64_decode(text) {
            assert_eq!(sealwright::encoding::b64_encode(&bytes), text);
        }
        if let Ok(bytes) = sealwright::encoding::b64url_decode(text) {
            assert_eq!(sealwright::encoding::b64url_encode(&bytes), text);
        }
        let _ = sealwright::encoding::validate_identifier(text);
    }
    let mut r = sealwright::encoding::Reader::new(data);
    while r.lp().is_ok() {}
});
