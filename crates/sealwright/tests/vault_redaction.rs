//! `Debug` of every secret-holding public vault type (spec §0): snapshots of the exact text,
//! and no secret byte (hex, raw, base64) or password appears in it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::encoding::{b64_encode, b64url_encode, hex_encode, phc_b64_encode};
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::vault::{self, KdfParams, PasswordVerifier};

const PASSWORD: &str = "hunter2-master-password";

fn assert_hides(debug: &str, secret: &[u8]) {
    for form in [
        hex_encode(secret),
        b64_encode(secret),
        b64url_encode(secret),
        phc_b64_encode(secret),
    ] {
        assert!(!debug.contains(&form), "{debug} shows {form}");
    }
    // Any 4 consecutive secret bytes as decimal list (how a [u8] would print).
    let raw = format!("{:?}", &secret[..4]);
    assert!(!debug.contains(raw.trim_matches(['[', ']'])), "{debug}");
}

#[test]
fn debug_output_is_redacted() {
    let mut rng = ChaCha20Rng::from_seed([13; 32]);
    let password = SecretString::from(PASSWORD);
    let kdf = KdfParams::Argon2id {
        m: 19_456,
        t: 2,
        p: 1,
    };
    let (enrollment, v) = vault::create_vault("alice", &password, kdf, &mut rng).unwrap();
    let mk = kdf.master_key(&password, enrollment.server.salt()).unwrap();
    let wk = vault::wrap_key(&mk).unwrap();
    let vk = *v.vault_key().expose();
    let ah = *enrollment.auth_hash.expose();

    let unlocked = format!("{v:?}");
    assert_eq!(
        unlocked,
        r#"UnlockedVault { user_id: "alice", vault_key: "REDACTED", .. }"#
    );
    let e = format!("{enrollment:?}");
    assert!(e.contains("auth_hash: SecretBytes<32>(REDACTED)"), "{e}");
    assert_eq!(format!("{mk:?}"), "SecretBytes<32>(REDACTED)");
    assert_eq!(format!("{password:?}"), "SecretString(REDACTED)");

    let verifier = PasswordVerifier::create(&password, 100_000, &mut rng).unwrap();
    let vd = format!("{verifier:?}");
    assert_eq!(
        vd,
        r#"PasswordVerifier { iterations: 100000, salt_len: 16, hash: "REDACTED" }"#
    );
    let phc = verifier.to_phc();
    let hash = sealwright::encoding::phc_b64_decode(phc.rsplit('$').next().unwrap()).unwrap();

    let legacy_key = vault::legacy_record_key(&"MASTER_KEY".into(), "alice").unwrap();
    let legacy =
        vault::legacy_compat::seal_legacy_record_for_tests(&legacy_key, &[1; 16], b"pt").unwrap();
    assert_eq!(
        format!("{legacy:?}"),
        "LegacyRecord { ciphertext_len: 2, .. }"
    );
    let pickle_key = SecretKey32::new([0x77; 32]);
    let opened = v
        .decrypt_record(
            "r",
            &v.encrypt_record("r", PASSWORD.as_bytes(), &mut rng)
                .unwrap(),
        )
        .unwrap();
    assert_eq!(format!("{opened:?}"), "SecretVec(REDACTED, 23 bytes)");

    let all = [
        unlocked,
        e,
        vd,
        format!("{:?}", enrollment.server),
        format!("{legacy:?}"),
        format!("{legacy_key:?}"),
        format!("{pickle_key:?}"),
        format!("{wk:?}"),
        format!("{opened:?}"),
    ];
    for d in &all {
        assert!(!d.contains(PASSWORD), "{d}");
        for secret in [
            &vk[..],
            &ah[..],
            mk.expose(),
            wk.expose(),
            legacy_key.expose(),
            pickle_key.expose(),
            &hash[..],
        ] {
            assert_hides(d, secret);
        }
    }
}
