//! Properties (spec §4): honest round trips always work; one flipped bit anywhere in a legacy
//! record, a version 2 record, a wrapped vault key or a pickle is an error (never a panic,
//! never a wrong plaintext); migration is idempotent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::encoding::{b64_decode, b64_encode, b64url_decode, b64url_encode};
use sealwright::secret::SecretKey32;
use sealwright::vault::{self, KdfParams, LegacyRecord, UnlockedVault, legacy_compat};
use std::sync::OnceLock;

const USER: &str = "alice";
const PLAINTEXT: &[u8] = b"correct horse battery staple";

struct Fixture {
    vault: UnlockedVault,
    wrap_key: SecretKey32,
    wrapped: String,
    legacy_key: SecretKey32,
    legacy: String,
    record: String,
    pickle_key: SecretKey32,
    pickle: String,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mut rng = ChaCha20Rng::from_seed([12; 32]);
        let kdf = KdfParams::Argon2id {
            m: 19_456,
            t: 2,
            p: 1,
        };
        let password = "pw".into();
        let (e, vault) = vault::create_vault(USER, &password, kdf, &mut rng).unwrap();
        let wrap_key =
            vault::wrap_key(&kdf.master_key(&password, e.server.salt()).unwrap()).unwrap();
        let legacy_key = vault::legacy_record_key(&"MASTER_KEY".into(), USER).unwrap();
        let legacy = legacy_compat::seal_legacy_record_for_tests(&legacy_key, &[4; 16], PLAINTEXT)
            .unwrap()
            .to_json();
        let record = vault.encrypt_record("site", PLAINTEXT, &mut rng).unwrap();
        let pickle_key = SecretKey32::new([6; 32]);
        let pickle = vault.pickle(&pickle_key, &mut rng).unwrap();
        Fixture {
            wrapped: e.server.wrapped_vault_key().to_string(),
            vault,
            wrap_key,
            legacy_key,
            legacy,
            record,
            pickle_key,
            pickle,
        }
    })
}

/// Flips bit `bit` of the text's bytes; `None` when the result is not UTF-8 (which no decoder
/// can even be handed as text).
fn flip_text(text: &str, bit: usize) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    let i = (bit / 8) % bytes.len();
    bytes[i] ^= 1 << (bit % 8);
    String::from_utf8(bytes).ok()
}

/// Flips bit `bit` of the b64url body after `prefix`, re-encoding canonically.
fn flip_body(text: &str, prefix: &str, bit: usize) -> String {
    let mut raw = b64url_decode(text.strip_prefix(prefix).unwrap()).unwrap();
    let i = (bit / 8) % raw.len();
    raw[i] ^= 1 << (bit % 8);
    format!("{prefix}{}", b64url_encode(&raw))
}

fn open_legacy(text: &str) -> sealwright::Result<Vec<u8>> {
    Ok(LegacyRecord::from_json(text)?
        .open(&fixture().legacy_key)?
        .expose()
        .to_vec())
}

proptest! {
    #[test]
    fn v2_record_round_trip(
        pt in proptest::collection::vec(any::<u8>(), 0..2048),
        id in "[a-zA-Z0-9/_.@é-]{1,40}",
        seed in any::<[u8; 32]>(),
    ) {
        let v = &fixture().vault;
        let rec = v.encrypt_record(&id, &pt, &mut ChaCha20Rng::from_seed(seed)).unwrap();
        prop_assert!(rec.starts_with("sw2."));
        let opened = v.decrypt_record(&id, &rec).unwrap();
        prop_assert_eq!(opened.expose(), &pt[..]);
    }

    #[test]
    fn flipped_bit_in_v2_record_fails(bit in 0usize..100_000) {
        let f = fixture();
        if let Some(t) = flip_text(&f.record, bit) {
            prop_assert!(f.vault.decrypt_record("site", &t).is_err());
        }
        let t = flip_body(&f.record, "sw2.", bit);
        prop_assert_eq!(f.vault.decrypt_record("site", &t).err(), Some(sealwright::Error::DecryptionFailed));
    }

    #[test]
    fn flipped_bit_in_wrapped_key_fails(bit in 0usize..100_000) {
        let f = fixture();
        if let Some(t) = flip_text(&f.wrapped, bit) {
            prop_assert!(vault::unlock_with_wrap_key(USER, &f.wrap_key, &t).is_err());
        }
        let t = flip_body(&f.wrapped, "sw2k.", bit);
        prop_assert_eq!(
            vault::unlock_with_wrap_key(USER, &f.wrap_key, &t).err(),
            Some(sealwright::Error::DecryptionFailed)
        );
    }

    #[test]
    fn flipped_bit_in_legacy_record_fails(bit in 0usize..100_000, member in 0usize..3) {
        let f = fixture();
        prop_assert_eq!(open_legacy(&f.legacy).unwrap(), PLAINTEXT);
        if let Some(t) = flip_text(&f.legacy, bit) {
            prop_assert!(open_legacy(&t).is_err(), "{}", t);
        }
        // The same flip inside one decoded member.
        let mut v: serde_json::Value = serde_json::from_str(&f.legacy).unwrap();
        let name = ["encryptedPassword", "iv", "authTag"][member];
        let mut raw = b64_decode(v[name].as_str().unwrap()).unwrap();
        let i = (bit / 8) % raw.len();
        raw[i] ^= 1 << (bit % 8);
        v[name] = serde_json::json!(b64_encode(&raw));
        prop_assert_eq!(open_legacy(&v.to_string()).err(), Some(sealwright::Error::DecryptionFailed));
    }

    #[test]
    fn flipped_bit_in_pickle_fails(bit in 0usize..100_000) {
        let f = fixture();
        if let Some(t) = flip_text(&f.pickle, bit) {
            prop_assert!(UnlockedVault::unpickle(&f.pickle_key, &t).is_err());
        }
        let t = flip_body(&f.pickle, "", bit);
        prop_assert_eq!(
            UnlockedVault::unpickle(&f.pickle_key, &t).err(),
            Some(sealwright::Error::DecryptionFailed)
        );
    }

    #[test]
    fn migration_is_idempotent(
        pt in proptest::collection::vec(any::<u8>(), 0..512),
        iv in any::<[u8; 16]>(),
        id in "[a-z0-9-]{1,20}",
    ) {
        let f = fixture();
        let legacy = legacy_compat::seal_legacy_record_for_tests(&f.legacy_key, &iv, &pt)
            .unwrap()
            .to_json();
        let mut rng = ChaCha20Rng::from_seed(iv.repeat(2).try_into().unwrap());
        let first = vault::migrate_record(&f.vault, &f.legacy_key, &id, &legacy, &mut rng).unwrap();
        prop_assert!(first.changed);
        let second = vault::migrate_record(&f.vault, &f.legacy_key, &id, &first.record, &mut rng).unwrap();
        prop_assert!(!second.changed);
        prop_assert_eq!(&second.record, &first.record);
        let opened = f.vault.decrypt_record(&id, &second.record).unwrap();
        prop_assert_eq!(opened.expose(), &pt[..]);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let f = fixture();
        let _ = vault::RecordFormat::detect(&text);
        let _ = KdfParams::from_json(&text);
        let _ = vault::PasswordVerifier::parse(&text);
        prop_assert!(f.vault.decrypt_record("site", &text).is_err());
        prop_assert!(UnlockedVault::unpickle(&f.pickle_key, &text).is_err());
        prop_assert!(vault::unlock_with_wrap_key(USER, &f.wrap_key, &text).is_err());
    }
}
