//! Shared fixtures for the relay tests: the keys of `test-vectors/relay.json` (no keygen).
//! Included as a module by the other `relay_*` tests (and built alone as an empty test).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sealwright::encoding::{hex_decode, hex_decode_array};
use sealwright::relay::{
    Recipient, RecipientPublicKey, RelayKey, RelayKeys, RelaySigningKey, RelayVerifyingKey,
};
use sealwright::secret::SecretKey32;
use serde_json::Value;
use std::sync::OnceLock;

/// Server time of the fixtures (2026-01-01T00:00:00Z) in ms.
pub const NOW_MS: u64 = 1_767_225_600_000;

/// The relay keys of the vectors.
pub struct Fixture {
    /// Recipient A, RSA-4096.
    pub a: Recipient,
    /// Recipient B, RSA-3072.
    pub b: Recipient,
    /// Relay key `rk-1`.
    pub relay: RelayKey,
    /// Relay signing key `sk-1` (P-256).
    pub signing: RelaySigningKey,
}

/// The fixture, loaded once.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../test-vectors/relay.json"
        ))
        .unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let cases = v["cases"].as_array().unwrap();
        let key = |i: usize| {
            Recipient::from_pkcs8_der(
                &hex_decode(cases[i]["recipientPrivateKeyPkcs8"].as_str().unwrap()).unwrap(),
            )
            .unwrap()
        };
        let rk =
            SecretKey32::new(hex_decode_array(cases[0]["relayKey"].as_str().unwrap()).unwrap());
        let sk = SecretKey32::new(
            hex_decode_array(cases[0]["signingPrivate"].as_str().unwrap()).unwrap(),
        );
        Fixture {
            a: key(0),
            b: key(1),
            relay: RelayKey::new(cases[0]["rkid"].as_str().unwrap(), rk).unwrap(),
            signing: RelaySigningKey::new(cases[0]["skid"].as_str().unwrap(), &sk).unwrap(),
        }
    })
}

/// A key ring holding only `rk-1`, signing with `sk-1`.
pub fn keys() -> RelayKeys {
    RelayKeys::new(fixture().relay.clone(), fixture().signing.clone())
}

/// What a recipient pins: `sk-1`.
pub fn pinned() -> Vec<RelayVerifyingKey> {
    vec![fixture().signing.verifying_key()]
}

/// A lookup that knows exactly the given recipients.
pub fn lookup(known: &[&Recipient]) -> impl Fn(&str) -> Option<RecipientPublicKey> + Clone {
    let known: Vec<RecipientPublicKey> = known.iter().map(|r| r.public_key().clone()).collect();
    move |rid: &str| known.iter().find(|k| k.rid() == rid).cloned()
}

/// A response JWE around any inner plaintext, to `to`, with the spec's outer header (what
/// anyone who knows the recipient's public key can make: only the inner signature protects).
pub fn wrap_inner(to: &Recipient, inner: &[u8], rng: &mut rand_chacha::ChaCha20Rng) -> String {
    wrap_with_header(
        to,
        &format!(
            r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{}","cty":"JWT"}}"#,
            to.rid()
        ),
        inner,
        rng,
    )
}

/// As [`wrap_inner`] with any protected header text.
pub fn wrap_with_header(
    to: &Recipient,
    header: &str,
    inner: &[u8],
    rng: &mut rand_chacha::ChaCha20Rng,
) -> String {
    use rand_core::Rng;
    use sealwright::encoding::b64url_encode;
    let mut cek = [0u8; 32];
    let mut iv = [0u8; 12];
    rng.fill_bytes(&mut cek);
    rng.fill_bytes(&mut iv);
    let h = b64url_encode(header.as_bytes());
    let out = sealwright::crypto::aes_gcm_encrypt(&cek, &iv, inner, h.as_bytes()).unwrap();
    let (ct, tag) = out.split_at(out.len() - 16);
    let ek = to
        .public_key()
        .public_key()
        .oaep_sha256_encrypt(&cek, rng)
        .unwrap();
    [
        h,
        b64url_encode(&ek),
        b64url_encode(&iv),
        b64url_encode(ct),
        b64url_encode(tag),
    ]
    .join(".")
}
