//! Properties (spec §3), with few cases since every envelope costs an Argon2id run at 64 MiB:
//! honest round trips (create, sign, recover, sign) always work for any password and message;
//! any two of the three shares reconstruct the key while one share is refused; a flipped bit
//! anywhere in an envelope is an error (never a panic, never a wrong key).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod shares_common;

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::Error;
use sealwright::encoding::{b64_decode, b64_encode};
use sealwright::secret::SecretString;
use sealwright::shares;
use shares_common::{created_wallet, fixture, sealer};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn create_sign_recover_round_trip(
        seed in any::<[u8; 32]>(),
        password in "\\PC{1,24}",
        message in "\\PC{0,64}",
    ) {
        let mut rng = ChaCha20Rng::from_seed(seed);
        let password = SecretString::from(password.as_str());
        let (created, stores) = created_wallet(&password, &mut rng);
        let a = created.address;
        let sig = stores.sign(&password, &created.user_envelope, &a, &message).unwrap();
        prop_assert_eq!(shares::recover_signer(message.as_bytes(), &sig).unwrap(), a);
        let r = shares::recover(&password, &a, &sealer(), &stores.hot, &stores.cold, 0, &mut rng)
            .unwrap();
        let sig2 = stores.sign(&password, &r.user_envelope, &a, &message).unwrap();
        // Same key, deterministic ECDSA: the new split signs identically.
        prop_assert_eq!(sig2, sig);
        // Old and new generations never mix.
        prop_assert_eq!(
            stores.sign(&password, &created.user_envelope, &a, &message).err(),
            Some(Error::GenerationMismatch)
        );
        prop_assert_eq!(stores.all_keys().len(), 3);
    }

    #[test]
    fn any_two_shares_reconstruct_one_is_refused(
        i in 0usize..3,
        j in 0usize..3,
    ) {
        let f = fixture();
        let got = shares::open_wallet(&f.password, &f.envelopes[i], &f.envelopes[j], &f.address);
        if i == j {
            prop_assert_eq!(got.err(), Some(Error::InvalidShare));
        } else {
            let opened = got.unwrap();
            prop_assert_eq!(opened.key.address(), f.address);
            prop_assert_eq!(opened.generation, 0);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn flipped_bit_is_an_error(which in 0usize..3, byte in 0usize..83, bit in 0u8..8) {
        let f = fixture();
        let mut raw = b64_decode(&f.envelopes[which]).unwrap();
        raw[byte] ^= 1 << bit;
        let damaged = b64_encode(&raw);
        prop_assert_eq!(
            shares::open_envelope(&f.password, &damaged).err(),
            Some(Error::DecryptionFailed)
        );
        // Combined with an intact share, the damaged one never yields a (wrong) key.
        let other = &f.envelopes[(which + 1) % 3];
        prop_assert_eq!(
            shares::open_wallet(&f.password, &damaged, other, &f.address).err(),
            Some(Error::DecryptionFailed)
        );
    }

    #[test]
    fn damaged_text_never_panics(which in 0usize..3, at in 0usize..112, c in any::<char>()) {
        // Any single-character change of the base64 text: decoding or opening fails cleanly.
        let f = fixture();
        let text = &f.envelopes[which];
        let mut chars: Vec<char> = text.chars().collect();
        let at = at % chars.len();
        prop_assume!(chars[at] != c);
        chars[at] = c;
        let damaged: String = chars.into_iter().collect();
        prop_assert_eq!(
            shares::open_envelope(&f.password, &damaged).err(),
            Some(Error::DecryptionFailed)
        );
    }
}
