//! The run-time switch of the vector generator (`rsa_keys::use_pure_backend_for_tests`,
//! feature `test-utils`). Alone in its test binary: the switch is process-wide.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::rsa_keys::{Backend, RsaPrivateKey, use_pure_backend_for_tests};

#[test]
fn switch_makes_plain_methods_deterministic_and_back() {
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    let key = RsaPrivateKey::generate(2048, &mut rng).unwrap();
    let sign = |seed: u8| {
        key.pss_sha256_sign(b"m", &mut ChaCha20Rng::from_seed([seed; 32]))
            .unwrap()
    };

    assert_eq!(Backend::current(), Backend::DEFAULT);
    use_pure_backend_for_tests(true);
    assert_eq!(Backend::current(), Backend::RustCrypto);
    // The pure backend takes the PSS salt from the RNG: same seed, same signature.
    assert_eq!(sign(1), sign(1));
    assert_ne!(sign(1), sign(2));

    use_pure_backend_for_tests(false);
    assert_eq!(Backend::current(), Backend::DEFAULT);
    if Backend::DEFAULT == Backend::AwsLc {
        // AWS-LC draws the salt from its own DRBG: the RNG no longer decides the signature.
        assert_ne!(sign(1), sign(1));
    }
    key.public_key().pss_sha256_verify(b"m", &sign(3)).unwrap();
}
