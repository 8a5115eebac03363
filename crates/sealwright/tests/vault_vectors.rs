//! Replays every case of `test-vectors/vault.json` (spec §6, version 2: `plaintext` in hex)
//! through the core: positive cases
//! field by field (keys, intermediates and outputs recomputed from the recorded randomness),
//! negative cases through their `operation` with the exact `expectedError`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sealwright::encoding::{hex_decode, hex_decode_array, hex_encode};
use sealwright::rng::ScriptedRng;
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::vault::{
    self, KdfParams, LegacyRecord, PasswordVerifier, RecordFormat, UnlockedVault, legacy_compat,
};
use serde_json::Value;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/vault.json");

fn cases() -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(FILE).unwrap()).unwrap();
    assert_eq!(v["protocol"], "vault");
    assert_eq!(v["specVersion"], 2);
    v["cases"].as_array().unwrap().clone()
}

fn s<'a>(c: &'a Value, k: &str) -> &'a str {
    c[k].as_str()
        .unwrap_or_else(|| panic!("{}: missing {k}", c["name"]))
}

/// A byte payload (spec §6: `plaintext` is hex).
fn payload(c: &Value, k: &str) -> Vec<u8> {
    hex_decode(s(c, k)).unwrap_or_else(|e| panic!("{}: {k} is not hex: {e:?}", c["name"]))
}

fn pw(c: &Value, k: &str) -> SecretString {
    SecretString::from(s(c, k))
}

fn kdf(v: &Value) -> KdfParams {
    let k = KdfParams::from_json(&v.to_string()).unwrap();
    assert_eq!(k.to_json(), v.to_string(), "canonical KDF JSON");
    k
}

fn unlock(c: &Value) -> sealwright::Result<UnlockedVault> {
    let k = KdfParams::from_json(&c["kdf"].to_string())?;
    vault::unlock(
        s(c, "userId"),
        &pw(c, "masterPassword"),
        &hex_decode(s(c, "salt"))?,
        &k,
        s(c, "wrappedVaultKey"),
    )
}

fn check_legacy(l: &Value, v2: &UnlockedVault) {
    let secret = pw(l, "secret");
    let key = if l["withMasterPassword"].as_bool().unwrap() {
        vault::legacy_master_password_key(&secret, s(l, "userId"))
    } else {
        vault::legacy_record_key(&secret, s(l, "userId"))
    }
    .unwrap();
    assert_eq!(hex_encode(key.expose()), s(l, "pbkdf2Key"));
    let text = l["record"].to_string();
    let record = LegacyRecord::from_json(&text).unwrap();
    assert_eq!(hex_encode(record.iv()), s(l, "iv"));
    assert_eq!(record.to_json(), text, "canonical legacy JSON");
    assert_eq!(
        record.open(&key).unwrap().expose(),
        &payload(l, "plaintext")[..]
    );
    // Writing with the recorded IV gives the recorded record.
    let iv = hex_decode_array(s(l, "iv")).unwrap();
    let again =
        legacy_compat::seal_legacy_record_for_tests(&key, &iv, &payload(l, "plaintext")[..])
            .unwrap();
    assert_eq!(again, record);
    // Detected as legacy, migrated to v2 under any recordId, and idempotent after that.
    assert_eq!(
        RecordFormat::detect(&text).unwrap(),
        RecordFormat::Legacy(record)
    );
    let mut rng = ScriptedRng::new([[3u8; 12]]);
    let migrated = vault::migrate_record(v2, &key, "migrated", &text, &mut rng).unwrap();
    assert!(migrated.changed);
    assert_eq!(
        v2.decrypt_record("migrated", &migrated.record)
            .unwrap()
            .expose(),
        &payload(l, "plaintext")[..]
    );
    let again = vault::migrate_record(v2, &key, "migrated", &migrated.record, &mut rng).unwrap();
    assert!(!again.changed);
    assert_eq!(again.record, migrated.record);
}

fn check_verifier(v: &Value) {
    let phc = s(v, "phc");
    let parsed = PasswordVerifier::parse(phc).unwrap();
    assert_eq!(hex_encode(parsed.salt()), s(v, "salt"));
    assert_eq!(parsed.to_phc(), phc);
    assert!(parsed.verify(&pw(v, "password")));
    assert!(!parsed.verify(&SecretString::from(format!("{}x", s(v, "password")))));
    assert_eq!(vault::verify_phc(phc, &pw(v, "password")), Ok(true));
    let salt: [u8; 16] = hex_decode_array(s(v, "salt")).unwrap();
    let created = PasswordVerifier::create(
        &pw(v, "password"),
        parsed.iterations(),
        &mut ScriptedRng::new([salt]),
    )
    .unwrap();
    assert_eq!(created.to_phc(), phc);
}

/// `MK`, `AH`, `SHA-256(AH)` and `WK` against the fields `<prefix>MasterKey`, ... of `v`.
fn check_keys(
    v: &Value,
    prefix: &str,
    params: &KdfParams,
    password: &SecretString,
    salt: &[u8],
) -> (SecretKey32, SecretKey32, SecretKey32) {
    let field = |name: &str| {
        if prefix.is_empty() {
            s(v, name).to_string()
        } else {
            let mut upper = name.to_string();
            upper[..1].make_ascii_uppercase();
            s(v, &format!("{prefix}{upper}")).to_string()
        }
    };
    let master_key = params.master_key(password, salt).unwrap();
    assert_eq!(hex_encode(master_key.expose()), field("masterKey"));
    let auth_hash = vault::auth_hash(&master_key).unwrap();
    assert_eq!(hex_encode(auth_hash.expose()), field("authHash"));
    assert_eq!(
        hex_encode(&vault::auth_verifier(&auth_hash)),
        field("authVerifier")
    );
    let wrap_key = vault::wrap_key(&master_key).unwrap();
    assert_eq!(hex_encode(wrap_key.expose()), field("wrapKey"));
    (master_key, auth_hash, wrap_key)
}

/// The v2 section: every intermediate of spec §4.2, then create/unlock/records/change.
fn check_v2(v: &Value) -> UnlockedVault {
    let user_id = s(v, "userId");
    let password = pw(v, "masterPassword");
    let params = kdf(&v["kdf"]);
    let salt: [u8; 16] = hex_decode_array(s(v, "salt")).unwrap();
    let (master_key, auth_hash, wrap_key) = check_keys(v, "", &params, &password, &salt);

    // create_vault with the recorded randomness reproduces the server record.
    let vault_key = hex_decode(s(v, "vaultKey")).unwrap();
    let wrap_nonce = hex_decode(s(v, "wrapNonce")).unwrap();
    let mut script = ScriptedRng::new([&salt[..], &vault_key[..], &wrap_nonce[..]]);
    let (enrollment, created) =
        vault::create_vault(user_id, &password, params, &mut script).unwrap();
    assert!(script.is_exhausted());
    let server = &enrollment.server;
    assert_eq!(server.user_id(), user_id);
    assert_eq!(server.salt(), &salt);
    assert_eq!(server.kdf(), params);
    assert_eq!(server.wrapped_vault_key(), s(v, "wrappedVaultKey"));
    assert_eq!(hex_encode(server.auth_verifier()), s(v, "authVerifier"));
    assert_eq!(enrollment.auth_hash, auth_hash);
    let stored: [u8; 32] = hex_decode_array(s(v, "authVerifier")).unwrap();
    assert!(vault::verify_auth_hash(&stored, auth_hash.expose()));
    assert!(!vault::verify_auth_hash(&stored, master_key.expose()));

    let unlocked = unlock(v).unwrap();
    assert_eq!(hex_encode(unlocked.vault_key().expose()), s(v, "vaultKey"));
    assert_eq!(created.vault_key(), unlocked.vault_key());
    let via_wk = vault::unlock_with_wrap_key(user_id, &wrap_key, s(v, "wrappedVaultKey")).unwrap();
    assert_eq!(via_wk.vault_key(), unlocked.vault_key());

    let records = v["records"].as_array().unwrap();
    assert!(!records.is_empty());
    for r in records {
        let nonce = hex_decode(s(r, "nonce")).unwrap();
        let enc = unlocked
            .encrypt_record(
                s(r, "recordId"),
                &payload(r, "plaintext")[..],
                &mut ScriptedRng::new([nonce]),
            )
            .unwrap();
        assert_eq!(enc, s(r, "record"));
        assert_eq!(RecordFormat::detect(&enc).unwrap(), RecordFormat::V2);
        assert_eq!(
            unlocked
                .decrypt_record(s(r, "recordId"), s(r, "record"))
                .unwrap()
                .expose(),
            &payload(r, "plaintext")[..]
        );
    }

    // Password change: new salt, MK', AH', WK', VK re-wrapped; records unchanged.
    let pc = &v["passwordChange"];
    let new_password = pw(pc, "newMasterPassword");
    let new_params = kdf(&pc["newKdf"]);
    let new_salt: [u8; 16] = hex_decode_array(s(pc, "newSalt")).unwrap();
    let (_, new_ah, _) = check_keys(pc, "new", &new_params, &new_password, &new_salt);
    let new_nonce = hex_decode(s(pc, "newWrapNonce")).unwrap();
    let changed = unlocked
        .change_master_password(
            &new_password,
            new_params,
            &mut ScriptedRng::new([&new_salt[..], &new_nonce[..]]),
        )
        .unwrap();
    assert_eq!(
        changed.server.wrapped_vault_key(),
        s(pc, "newWrappedVaultKey")
    );
    assert_eq!(
        hex_encode(changed.server.auth_verifier()),
        s(pc, "newAuthVerifier")
    );
    assert_eq!(changed.auth_hash, new_ah);
    let reopened = vault::unlock(
        user_id,
        &new_password,
        &new_salt,
        &new_params,
        s(pc, "newWrappedVaultKey"),
    )
    .unwrap();
    assert_eq!(reopened.vault_key(), unlocked.vault_key());
    for r in records {
        assert_eq!(
            reopened
                .decrypt_record(s(r, "recordId"), s(r, "record"))
                .unwrap()
                .expose(),
            &payload(r, "plaintext")[..]
        );
    }
    unlocked
}

#[test]
fn positive_cases_replay() {
    let mut n = 0;
    for c in cases().iter().filter(|c| c.get("expectedError").is_none()) {
        n += 1;
        let unlocked = check_v2(&c["v2"]);
        let legacy = c["legacy"].as_array().unwrap();
        assert!(!legacy.is_empty());
        for l in legacy {
            check_legacy(l, &unlocked);
        }
        let verifiers = c["verifiers"].as_array().unwrap();
        assert!(!verifiers.is_empty());
        for v in verifiers {
            check_verifier(v);
        }
    }
    assert_eq!(n, 2);
}

#[test]
fn positive_cases_cover_both_legacy_keys_and_both_kdfs() {
    let cs = cases();
    let pos: Vec<&Value> = cs
        .iter()
        .filter(|c| c.get("expectedError").is_none())
        .collect();
    let legacy: Vec<&Value> = pos
        .iter()
        .flat_map(|c| c["legacy"].as_array().unwrap())
        .collect();
    assert!(legacy.iter().any(|l| l["withMasterPassword"] == true));
    assert!(legacy.iter().any(|l| l["withMasterPassword"] == false));
    let algs: Vec<&str> = pos
        .iter()
        .flat_map(|c| {
            [
                &c["v2"]["kdf"]["alg"],
                &c["v2"]["passwordChange"]["newKdf"]["alg"],
            ]
        })
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(algs.contains(&"argon2id") && algs.contains(&"pbkdf2-sha256"));
}

fn run_negative(c: &Value) -> sealwright::Result<()> {
    match s(c, "operation") {
        "openLegacy" => {
            let key = vault::legacy_record_key(&pw(c, "secret"), s(c, "userId"))?;
            LegacyRecord::from_json(&c["record"].to_string())?.open(&key)?;
        }
        "parseVerifier" => {
            PasswordVerifier::parse(s(c, "phc"))?;
        }
        "unlock" => {
            unlock(c)?;
        }
        "openRecord" => {
            unlock(c)?.decrypt_record(s(c, "recordId"), s(c, "record"))?;
        }
        other => panic!("unknown operation {other}"),
    }
    Ok(())
}

#[test]
fn negative_cases_replay() {
    let mut per_op = std::collections::BTreeMap::<String, usize>::new();
    for c in cases().iter().filter(|c| c.get("expectedError").is_some()) {
        let expected = s(c, "expectedError");
        let got = run_negative(c).expect_err(&format!("{} should fail", c["name"]));
        assert_eq!(got.code(), expected, "{}", c["name"]);
        assert_eq!(sealwright::Error::from_code(expected), Some(got));
        *per_op.entry(s(c, "operation").to_string()).or_default() += 1;
    }
    for op in ["openLegacy", "parseVerifier", "unlock", "openRecord"] {
        assert!(
            per_op.get(op).copied().unwrap_or(0) >= 5,
            "{op}: {per_op:?}"
        );
    }
}

/// The openRecord negatives open with a vault that does unlock: the error is the record's.
#[test]
fn open_record_negatives_unlock_first() {
    for c in cases().iter().filter(|c| c["operation"] == "openRecord") {
        assert!(unlock(c).is_ok(), "{}", c["name"]);
    }
}

#[test]
fn pickle_round_trip_of_a_vector_vault() {
    let c = &cases()[0];
    let v = unlock(&c["v2"]).unwrap();
    let pickle_key = SecretKey32::new([0x5a; 32]);
    let pickle = v
        .pickle(&pickle_key, &mut ScriptedRng::new([[1u8; 12]]))
        .unwrap();
    let back = UnlockedVault::unpickle(&pickle_key, &pickle).unwrap();
    assert_eq!(back.user_id(), v.user_id());
    assert_eq!(back.vault_key(), v.vault_key());
}

/// Spec §4.2 KDF object rules each have an `unlock` case: not an object, `alg` missing or not
/// a string, a member missing, a non-integer member, an unknown `alg` string, a member of 0,
/// below a minimum, above a maximum.
#[test]
fn kdf_object_rules_are_covered() {
    let cs = cases();
    let unlock_cases: Vec<&Value> = cs.iter().filter(|c| c["operation"] == "unlock").collect();
    let has = |what: &str, err: &str, pred: &dyn Fn(&Value) -> bool| {
        assert!(
            unlock_cases
                .iter()
                .any(|c| c["expectedError"] == err && pred(&c["kdf"])),
            "{what}"
        );
    };
    let alg_members = |k: &Value| -> &'static [&'static str] {
        match k["alg"].as_str() {
            Some("argon2id") => &["m", "t", "p"],
            Some("pbkdf2-sha256") => &["i"],
            _ => &[],
        }
    };
    has("not an object", "INVALID_INPUT", &|k| !k.is_object());
    has("alg missing", "INVALID_INPUT", &|k| {
        k.is_object() && k.get("alg").is_none()
    });
    has("alg not a string", "INVALID_INPUT", &|k| {
        k.get("alg").is_some_and(|a| !a.is_string())
    });
    has("a member missing", "INVALID_INPUT", &|k| {
        alg_members(k).iter().any(|m| k.get(*m).is_none())
    });
    has("a non-integer member", "INVALID_INPUT", &|k| {
        alg_members(k)
            .iter()
            .any(|m| k.get(*m).is_some_and(|v| !(v.is_u64() || v.is_i64())))
    });
    has("unknown alg string", "UNSUPPORTED_VERSION", &|k| {
        k["alg"].is_string() && alg_members(k).is_empty()
    });
    has("a member of 0", "WEAK_KDF", &|k| {
        alg_members(k).iter().any(|m| k[*m] == 0)
    });
    has("a negative member", "WEAK_KDF", &|k| {
        alg_members(k)
            .iter()
            .any(|m| k[*m].as_i64().is_some_and(|v| v < 0))
    });
    has("above a maximum", "INVALID_INPUT", &|k| {
        k["alg"] == "pbkdf2-sha256" && k["i"].as_u64().is_some_and(|i| i > 10_000_000)
    });
    has("below a minimum", "WEAK_KDF", &|k| {
        k["alg"] == "pbkdf2-sha256" && k["i"].as_u64().is_some_and(|i| (1..600_000).contains(&i))
    });
}
