// Shared fixture loading for the relay fuzz targets: fixed keys from test-vectors/relay.json
// (case 0: recipient A, RSA-4096; case 1: recipient B, RSA-3072; relay key rk-1 and signing
// key sk-1 in every positive case), found by plain string search so the fuzz crate needs no
// JSON dependency.

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

/// The relay signing key `sk-1` of the vectors (`signingPrivate`, `skid` of case 0).
#[allow(dead_code)]
pub fn signing_key() -> sealwright::relay::RelaySigningKey {
    let scalar =
        sealwright::secret::SecretKey32::from_slice(&hex(field("signingPrivate", 0))).unwrap();
    sealwright::relay::RelaySigningKey::new(field("skid", 0), &scalar).unwrap()
}
