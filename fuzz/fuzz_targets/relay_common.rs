// Shared fixture loading for the relay fuzz targets: fixed keys from test-vectors/relay.json
// (case 0: recipient A, RSA-4096; case 1: recipient B, RSA-3072), found by plain string search
// so the fuzz crate needs no JSON dependency.

const VECTORS: &str = include_str!("../../test-vectors/relay.json");

/// The string value of the `nth` occurrence of `"field": "..."`.
pub fn field(name: &str, nth: usize) -> &'static str {
    let pat = format!("\"{name}\": \"");
    let mut rest = VECTORS;
    for _ in 0..nth {
        let i = rest.find(&pat).expect("field present");
        rest = &rest[i + pat.len()..];
    }
    let i = rest.find(&pat).expect("field present");
    let rest = &rest[i + pat.len()..];
    &rest[..rest.find('"').expect("closing quote")]
}

pub fn hex(s: &str) -> Vec<u8> {
    sealwright::encoding::hex_decode(s).expect("hex")
}
