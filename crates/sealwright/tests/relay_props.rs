//! Properties: a flipped byte anywhere in the request JWS, the sealed JWE or the response JWE
//! (outer, or the inner signed JWS re-encrypted to the recipient) is an error, never a panic
//! and never a wrong value; honest round trips always work.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod relay_common;

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use relay_common::{NOW_MS, fixture, keys, lookup, pinned, wrap_inner};
use sealwright::Error;
use sealwright::relay::DecryptionRequest;
use std::sync::OnceLock;

const VALUE: &[u8] = b"property value";

struct Objects {
    sealed: String,
    request: DecryptionRequest,
    response: String,
    /// The inner ES256 JWS of `response`.
    inner: String,
}

fn objects() -> &'static Objects {
    static O: OnceLock<Objects> = OnceLock::new();
    O.get_or_init(|| {
        let f = fixture();
        let mut rng = ChaCha20Rng::from_seed([11; 32]);
        let sealed = keys().seal(VALUE, Some(f.b.rid()), &mut rng).unwrap();
        let request = f.b.request(&sealed, NOW_MS, &mut rng).unwrap();
        let accepted = keys()
            .decrypt_request(request.jws(), lookup(&[&f.b]), |_| false, NOW_MS, &mut rng)
            .unwrap();
        let inner = f
            .signing
            .sign_response(request.jti(), NOW_MS / 1000, VALUE)
            .unwrap()
            .expose()
            .to_string();
        Objects {
            sealed,
            request,
            response: accepted.response,
            inner,
        }
    })
}

/// Flips bits of byte `i % len` with `mask` (1..=127), so the text stays ASCII.
fn flip(text: &str, i: usize, mask: u8) -> String {
    let mut b = text.as_bytes().to_vec();
    let i = i % b.len();
    b[i] ^= mask;
    String::from_utf8(b).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn flipped_request_is_rejected(i in any::<usize>(), mask in 1u8..=127) {
        let f = fixture();
        let bad = flip(objects().request.jws(), i, mask);
        let mut rng = ChaCha20Rng::from_seed([12; 32]);
        let got = keys().decrypt_request(&bad, lookup(&[&f.b]), |_| false, NOW_MS, &mut rng);
        prop_assert!(got.is_err());
    }

    #[test]
    fn flipped_sealed_is_rejected(i in any::<usize>(), mask in 1u8..=127) {
        let f = fixture();
        let bad = flip(&objects().sealed, i, mask);
        prop_assert!(keys().open_sealed(&bad, f.b.rid()).is_err());
        // And wrapped in an honestly signed request.
        let mut rng = ChaCha20Rng::from_seed([13; 32]);
        let request = f.b.request(&bad, NOW_MS, &mut rng).unwrap();
        let got = keys().decrypt_request(request.jws(), lookup(&[&f.b]), |_| false, NOW_MS, &mut rng);
        prop_assert!(got.is_err());
    }

    #[test]
    fn flipped_response_is_rejected(i in any::<usize>(), mask in 1u8..=127) {
        let o = objects();
        let bad = flip(&o.response, i, mask);
        let mut rng = ChaCha20Rng::from_seed([14; 32]);
        let got = fixture().b.open_response(&bad, &o.request, &pinned(), &mut rng);
        prop_assert!(got.is_err(), "a flipped response opened");
    }

    /// Anyone can encrypt to the recipient's public key, so the inner signature is what
    /// protects: any flipped byte of the inner JWS, honestly re-encrypted, is BAD_SIGNATURE.
    #[test]
    fn flipped_inner_jws_is_bad_signature(i in any::<usize>(), mask in 1u8..=127) {
        let o = objects();
        let f = fixture();
        let bad = flip(&o.inner, i, mask);
        let mut rng = ChaCha20Rng::from_seed([16; 32]);
        let response = wrap_inner(&f.b, bad.as_bytes(), &mut rng);
        let got = f.b.open_response(&response, &o.request, &pinned(), &mut rng);
        prop_assert_eq!(got.unwrap_err(), Error::BadSignature);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[A-Za-z0-9_.=-]{0,600}") {
        let f = fixture();
        let mut rng = ChaCha20Rng::from_seed([15; 32]);
        prop_assert!(keys().decrypt_request(&text, lookup(&[&f.b]), |_| false, NOW_MS, &mut rng).is_err());
        prop_assert!(keys().open_sealed(&text, f.b.rid()).is_err());
        prop_assert!(f.b.open_response(&text, &objects().request, &pinned(), &mut rng).is_err());
        prop_assert!(sealwright::relay::verify_es256_jws(&text, &pinned()).is_err());
        let _ = sealwright::relay::RecipientPublicKey::from_jwk(&text);
        let _ = sealwright::relay::RelayVerifyingKey::from_jwk("sk", &text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn round_trip_any_value(value in proptest::collection::vec(any::<u8>(), 1..4096),
                            bound in any::<bool>(), skew in -300i64..=300, seed in any::<[u8; 32]>()) {
        let f = fixture();
        let mut rng = ChaCha20Rng::from_seed(seed);
        let aud = bound.then(|| f.b.rid());
        let sealed = keys().seal(&value, aud, &mut rng).unwrap();
        let iat_ms = (NOW_MS as i64 + skew * 1000) as u64;
        let request = f.b.request(&sealed, iat_ms, &mut rng).unwrap();
        let accepted = keys()
            .decrypt_request(request.jws(), lookup(&[&f.a, &f.b]), |_| false, NOW_MS, &mut rng)
            .unwrap();
        let opened = f.b.open_response(&accepted.response, &request, &pinned(), &mut rng).unwrap();
        prop_assert_eq!(opened.expose(), &value[..]);
    }
}
