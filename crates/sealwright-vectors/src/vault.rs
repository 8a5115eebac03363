//! Vectors for the password vault (spec §4, §6 `vault.json`), spec version 2: byte payloads
//! (`plaintext` of legacy and version 2 records) are hex; passwords, the legacy `secret` and
//! identifiers are UTF-8 strings.
//!
//! Positive cases carry `legacy` records (with and without a master password), PHC
//! `verifiers`, and a `v2` vault with its key hierarchy, `records` and a `passwordChange`.
//! Version 2 vaults use cheap but valid KDF parameters (the Argon2id minimum m=19456, t=2,
//! p=1, and PBKDF2 at its minimum 600,000) so generation and replay stay fast.
//!
//! Random values go through `ScriptedRng` in the order the core draws them: create = salt (16),
//! `VK` (32), wrap nonce (12); record = nonce (12); password change = salt (16), wrap nonce
//! (12); verifier = salt (16).

use rand_chacha::ChaCha20Rng;
use rand_core::Rng;
use sealwright::crypto::sealed_with_nonce;
use sealwright::encoding::{b64_decode, b64_encode, b64url_decode, b64url_encode, hex_encode};
use sealwright::rng::ScriptedRng;
use sealwright::secret::SecretString;
use sealwright::vault::{
    self, KdfParams, LegacyRecord, PasswordVerifier, UnlockedVault, legacy_compat,
};
use serde_json::{Value, json};

use crate::{file, render, seeded};

fn bytes<const N: usize>(rng: &mut ChaCha20Rng) -> [u8; N] {
    let mut b = [0u8; N];
    rng.fill_bytes(&mut b);
    b
}

fn kdf_value(kdf: &KdfParams) -> Value {
    serde_json::from_str(&kdf.to_json()).unwrap()
}

fn record_value(r: &LegacyRecord) -> Value {
    serde_json::from_str(&r.to_json()).unwrap()
}

fn legacy_entry(
    rng: &mut ChaCha20Rng,
    user_id: &str,
    secret: &str,
    with_master_password: bool,
    plaintext: &str,
) -> Value {
    let s = SecretString::from(secret);
    let key = if with_master_password {
        vault::legacy_master_password_key(&s, user_id)
    } else {
        vault::legacy_record_key(&s, user_id)
    }
    .unwrap();
    let iv: [u8; 16] = bytes(rng);
    let record =
        legacy_compat::seal_legacy_record_for_tests(&key, &iv, plaintext.as_bytes()).unwrap();
    assert_eq!(record.open(&key).unwrap().expose(), plaintext.as_bytes());
    json!({
        "userId": user_id,
        "secret": secret,
        "withMasterPassword": with_master_password,
        "pbkdf2Key": hex_encode(key.expose()),
        "iv": hex_encode(&iv),
        "plaintext": hex_encode(plaintext.as_bytes()),
        "record": record_value(&record),
    })
}

fn verifier_entry(rng: &mut ChaCha20Rng, password: &str, iterations: u32) -> Value {
    let salt: [u8; 16] = bytes(rng);
    let pw = SecretString::from(password);
    let v = PasswordVerifier::create(&pw, iterations, &mut ScriptedRng::new([salt])).unwrap();
    assert!(v.verify(&pw));
    json!({
        "password": password,
        "salt": hex_encode(&salt),
        "phc": v.to_phc(),
    })
}

/// A version 2 vault with its records and a password change, plus the unlocked vault.
struct V2 {
    json: Value,
    vault: UnlockedVault,
}

#[allow(clippy::too_many_arguments)]
fn v2_section(
    rng: &mut ChaCha20Rng,
    user_id: &str,
    password: &str,
    kdf: KdfParams,
    records: &[(&str, &[u8])],
    new_password: &str,
    new_kdf: KdfParams,
) -> V2 {
    let pw = SecretString::from(password);
    let salt: [u8; 16] = bytes(rng);
    let vault_key: [u8; 32] = bytes(rng);
    let wrap_nonce: [u8; 12] = bytes(rng);
    let mut script = ScriptedRng::new([&salt[..], &vault_key[..], &wrap_nonce[..]]);
    let (enrollment, vault) = vault::create_vault(user_id, &pw, kdf, &mut script).unwrap();
    assert!(script.is_exhausted());
    let server = &enrollment.server;

    // Intermediates, recomputed through the public step functions.
    let master_key = kdf.master_key(&pw, &salt).unwrap();
    let auth_hash = vault::auth_hash(&master_key).unwrap();
    let wrap_key = vault::wrap_key(&master_key).unwrap();
    assert_eq!(auth_hash, enrollment.auth_hash);
    assert_eq!(vault.vault_key().expose(), &vault_key);
    let opened =
        vault::unlock_with_wrap_key(user_id, &wrap_key, server.wrapped_vault_key()).unwrap();
    assert_eq!(opened.vault_key().expose(), &vault_key);

    let records: Vec<Value> = records
        .iter()
        .map(|(record_id, plaintext)| {
            let nonce: [u8; 12] = bytes(rng);
            let record = vault
                .encrypt_record(record_id, plaintext, &mut ScriptedRng::new([nonce]))
                .unwrap();
            json!({
                "recordId": record_id,
                "plaintext": hex_encode(plaintext),
                "nonce": hex_encode(&nonce),
                "record": record,
            })
        })
        .collect();

    let new_pw = SecretString::from(new_password);
    let new_salt: [u8; 16] = bytes(rng);
    let new_wrap_nonce: [u8; 12] = bytes(rng);
    let changed = vault
        .change_master_password(
            &new_pw,
            new_kdf,
            &mut ScriptedRng::new([&new_salt[..], &new_wrap_nonce[..]]),
        )
        .unwrap();
    let new_master_key = new_kdf.master_key(&new_pw, &new_salt).unwrap();
    let new_auth_hash = vault::auth_hash(&new_master_key).unwrap();
    let new_wrap_key = vault::wrap_key(&new_master_key).unwrap();
    assert_eq!(new_auth_hash, changed.auth_hash);

    let json = json!({
        "userId": user_id,
        "masterPassword": password,
        "salt": hex_encode(&salt),
        "kdf": kdf_value(&kdf),
        "masterKey": hex_encode(master_key.expose()),
        "authHash": hex_encode(auth_hash.expose()),
        "authVerifier": hex_encode(server.auth_verifier()),
        "wrapKey": hex_encode(wrap_key.expose()),
        "vaultKey": hex_encode(&vault_key),
        "wrapNonce": hex_encode(&wrap_nonce),
        "wrappedVaultKey": server.wrapped_vault_key(),
        "records": records,
        "passwordChange": {
            "newMasterPassword": new_password,
            "newSalt": hex_encode(&new_salt),
            "newKdf": kdf_value(&new_kdf),
            "newMasterKey": hex_encode(new_master_key.expose()),
            "newAuthHash": hex_encode(new_auth_hash.expose()),
            "newAuthVerifier": hex_encode(changed.server.auth_verifier()),
            "newWrapKey": hex_encode(new_wrap_key.expose()),
            "newWrapNonce": hex_encode(&new_wrap_nonce),
            "newWrappedVaultKey": changed.server.wrapped_vault_key(),
        },
    });
    V2 { json, vault }
}

/// Flips the lowest bit of byte `at` (from the end when negative) of the b64url body after
/// `prefix`.
fn flip_b64url(text: &str, prefix: &str, at: isize) -> String {
    let mut raw = b64url_decode(text.strip_prefix(prefix).unwrap()).unwrap();
    let i = if at < 0 {
        raw.len() - at.unsigned_abs()
    } else {
        at as usize
    };
    raw[i] ^= 0x01;
    format!("{prefix}{}", b64url_encode(&raw))
}

/// Flips the lowest bit of byte `at` of the base64 member `member` of a legacy record.
fn flip_legacy(record: &Value, member: &str, at: usize) -> Value {
    let mut raw = b64_decode(record[member].as_str().unwrap()).unwrap();
    raw[at] ^= 0x01;
    let mut out = record.clone();
    out[member] = json!(b64_encode(&raw));
    out
}

fn open_legacy_case(name: &str, err: &str, user_id: &str, secret: &str, record: Value) -> Value {
    let got = LegacyRecord::from_json(&record.to_string())
        .and_then(|r| r.open(&vault::legacy_record_key(&secret.into(), user_id)?))
        .unwrap_err();
    assert_eq!(got.code(), err, "{name}");
    json!({
        "name": name,
        "operation": "openLegacy",
        "expectedError": err,
        "userId": user_id,
        "secret": secret,
        "record": record,
    })
}

fn parse_verifier_case(name: &str, phc: &str) -> Value {
    let got = PasswordVerifier::parse(phc).unwrap_err();
    assert_eq!(got.code(), "INVALID_VERIFIER", "{name}");
    json!({
        "name": name,
        "operation": "parseVerifier",
        "expectedError": "INVALID_VERIFIER",
        "phc": phc,
    })
}

/// The inputs of `unlock`, as JSON.
#[derive(Clone)]
struct UnlockInput {
    user_id: String,
    master_password: String,
    salt: String,
    kdf: Value,
    wrapped_vault_key: String,
}

impl UnlockInput {
    fn from_v2(v2: &Value) -> Self {
        Self {
            user_id: v2["userId"].as_str().unwrap().into(),
            master_password: v2["masterPassword"].as_str().unwrap().into(),
            salt: v2["salt"].as_str().unwrap().into(),
            kdf: v2["kdf"].clone(),
            wrapped_vault_key: v2["wrappedVaultKey"].as_str().unwrap().into(),
        }
    }

    fn run(&self) -> sealwright::Result<UnlockedVault> {
        let kdf = KdfParams::from_json(&self.kdf.to_string())?;
        let salt = sealwright::encoding::hex_decode(&self.salt)?;
        vault::unlock(
            &self.user_id,
            &self.master_password.as_str().into(),
            &salt,
            &kdf,
            &self.wrapped_vault_key,
        )
    }

    fn fields(&self, name: &str, operation: &str, err: &str) -> Value {
        json!({
            "name": name,
            "operation": operation,
            "expectedError": err,
            "userId": self.user_id,
            "masterPassword": self.master_password,
            "salt": self.salt,
            "kdf": self.kdf,
            "wrappedVaultKey": self.wrapped_vault_key,
        })
    }

    fn unlock_case(&self, name: &str, err: &str) -> Value {
        let got = self.run().unwrap_err();
        assert_eq!(got.code(), err, "{name}");
        self.fields(name, "unlock", err)
    }

    fn open_record_case(&self, name: &str, err: &str, record_id: &str, record: &str) -> Value {
        let got = self
            .run()
            .and_then(|v| v.decrypt_record(record_id, record))
            .unwrap_err();
        assert_eq!(got.code(), err, "{name}");
        let mut c = self.fields(name, "openRecord", err);
        c["recordId"] = json!(record_id);
        c["record"] = json!(record);
        c
    }
}

/// The files this module writes, as `(file name, text)`.
pub fn generate() -> Vec<(&'static str, String)> {
    let mut rng = seeded("vault");
    let mut cases = Vec::new();
    let argon_min = KdfParams::Argon2id {
        m: 19_456,
        t: 2,
        p: 1,
    };

    // ---- positive cases
    let legacy = vec![
        legacy_entry(
            &mut rng,
            "user-6512bd43d9caa6e02c990b0a82652dca",
            "server MASTER_KEY from the environment",
            false,
            "hunter2",
        ),
        legacy_entry(
            &mut rng,
            "user-6512bd43d9caa6e02c990b0a82652dca",
            "my old master password",
            true,
            "correct horse battery staple",
        ),
        legacy_entry(
            &mut rng,
            "ユーザー-7",
            "clé maîtresse ü",
            true,
            "pässwörd 🔑",
        ),
        legacy_entry(&mut rng, "u", "k", false, ""),
    ];
    let verifiers = vec![
        verifier_entry(&mut rng, "my old master password", 100_000),
        verifier_entry(&mut rng, "clé maîtresse ü", 210_000),
    ];
    let alice = v2_section(
        &mut rng,
        "alice@example.com",
        "correct horse battery staple",
        argon_min,
        &[
            ("github", b"hunter2"),
            ("bank/checking", b"{\"user\":\"alice\",\"pin\":\"0000\"}"),
            ("empty", b""),
            ("legacy-migrated", b"correct horse battery staple"),
            // Records carry bytes, not text (spec §6: `plaintext` is hex).
            ("binary", &[0x00, 0xff, 0x80, 0xc3, 0x28, 0x0a, 0xfe]),
        ],
        "a new, longer master password",
        KdfParams::Pbkdf2Sha256 { i: 600_000 },
    );
    cases.push(json!({
        "name": "legacy records, verifiers, v2 Argon2id vault changed to PBKDF2",
        "legacy": legacy,
        "verifiers": verifiers,
        "v2": alice.json,
    }));
    let bob = v2_section(
        &mut rng,
        "bøb-ユーザー",
        "пароль 🔐",
        KdfParams::Pbkdf2Sha256 { i: 600_000 },
        &[("note", "ünïcödé ✓".as_bytes())],
        "second password",
        KdfParams::Argon2id {
            m: 19_456,
            t: 3,
            p: 2,
        },
    );
    let legacy_bob = vec![legacy_entry(
        &mut rng,
        "bøb-ユーザー",
        "пароль 🔐",
        true,
        "ünïcödé ✓",
    )];
    let verifiers_bob = vec![verifier_entry(&mut rng, "пароль 🔐", 100_000)];
    cases.push(json!({
        "name": "non-ASCII ids and passwords, v2 PBKDF2 vault changed to Argon2id p=2",
        "legacy": legacy_bob,
        "verifiers": verifiers_bob,
        "v2": bob.json,
    }));

    // ---- openLegacy
    let l0 = cases[0]["legacy"][0].clone();
    let (uid, secret, rec) = (
        l0["userId"].as_str().unwrap(),
        l0["secret"].as_str().unwrap(),
        l0["record"].clone(),
    );
    let neg =
        |name: &str, err: &str, record: Value| open_legacy_case(name, err, uid, secret, record);
    cases.push(neg(
        "flipped byte in ciphertext",
        "DECRYPTION_FAILED",
        flip_legacy(&rec, "encryptedPassword", 0),
    ));
    cases.push(neg(
        "flipped byte in iv",
        "DECRYPTION_FAILED",
        flip_legacy(&rec, "iv", 15),
    ));
    cases.push(neg(
        "flipped byte in authTag",
        "DECRYPTION_FAILED",
        flip_legacy(&rec, "authTag", 7),
    ));
    cases.push(open_legacy_case(
        "wrong secret",
        "DECRYPTION_FAILED",
        uid,
        "server MASTER_KEY from the environment!",
        rec.clone(),
    ));
    cases.push(open_legacy_case(
        "record of another userId",
        "DECRYPTION_FAILED",
        "user-6512bd43d9caa6e02c990b0a82652dcb",
        secret,
        rec.clone(),
    ));
    let mut missing = rec.clone();
    missing.as_object_mut().unwrap().remove("authTag");
    cases.push(neg("authTag missing", "INVALID_INPUT", missing));
    let mut extra = rec.clone();
    extra["v"] = json!(2);
    cases.push(neg("a fourth member", "INVALID_INPUT", extra));
    let mut short_iv = rec.clone();
    short_iv["iv"] = json!(b64_encode(&[0u8; 12]));
    cases.push(neg("12-byte iv", "INVALID_INPUT", short_iv));
    let mut short_tag = rec.clone();
    short_tag["authTag"] = json!(b64_encode(&[0u8; 15]));
    cases.push(neg("15-byte authTag", "INVALID_INPUT", short_tag));
    let mut unpadded = rec.clone();
    unpadded["iv"] = json!(rec["iv"].as_str().unwrap().trim_end_matches('='));
    cases.push(neg("iv without padding", "INVALID_INPUT", unpadded));
    let mut urlsafe = rec.clone();
    urlsafe["authTag"] = json!(b64url_encode(&[0xfb; 16]) + "==");
    cases.push(neg("authTag in base64url", "INVALID_INPUT", urlsafe));
    let mut number = rec.clone();
    number["encryptedPassword"] = json!(12);
    cases.push(neg("encryptedPassword a number", "INVALID_INPUT", number));

    // ---- parseVerifier
    let phc = cases[0]["verifiers"][0]["phc"]
        .as_str()
        .unwrap()
        .to_string();
    let parts: Vec<&str> = phc.split('$').collect();
    let (salt, hash) = (parts[3], parts[4]);
    let with =
        |params: &str, salt: &str, hash: &str| format!("$pbkdf2-sha256${params}${salt}${hash}");
    let salt_bytes = sealwright::encoding::phc_b64_decode(salt).unwrap();
    let hash_bytes = sealwright::encoding::phc_b64_decode(hash).unwrap();
    let b64 = sealwright::encoding::phc_b64_encode;
    let ok = with("i=100000,l=32", salt, hash);
    assert_eq!(ok, phc);
    for (name, text) in [
        ("i below 100000", with("i=99999,l=32", salt, hash)),
        ("l = 64", with("i=100000,l=64", salt, hash)),
        ("l = 032", with("i=100000,l=032", salt, hash)),
        ("params swapped", with("l=32,i=100000", salt, hash)),
        ("l missing", with("i=100000", salt, hash)),
        ("i missing", with("l=32", salt, hash)),
        ("a third param", with("i=100000,l=32,p=1", salt, hash)),
        ("i with a leading zero", with("i=0100000,l=32", salt, hash)),
        ("i with a sign", with("i=+100000,l=32", salt, hash)),
        ("i above 10,000,000", with("i=10000001,l=32", salt, hash)),
        ("i beyond u32", with("i=4294967296,l=32", salt, hash)),
        (
            "salt of 15 bytes",
            with("i=100000,l=32", &b64(&salt_bytes[..15]), hash),
        ),
        (
            "hash of 31 bytes",
            with("i=100000,l=32", salt, &b64(&hash_bytes[..31])),
        ),
        (
            "padded salt",
            with("i=100000,l=32", &format!("{salt}=="), hash),
        ),
        (
            "padded hash",
            with("i=100000,l=32", salt, &format!("{hash}=")),
        ),
        ("non-canonical hash (trailing bits)", {
            // 32 bytes = 43 chars with 2 trailing bits: set one.
            let mut h: Vec<char> = hash.chars().collect();
            let last = h.len() - 1;
            let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let idx = alphabet.find(h[last]).unwrap();
            h[last] = alphabet.chars().nth(idx ^ 1).unwrap();
            with("i=100000,l=32", salt, &h.into_iter().collect::<String>())
        }),
        (
            "base64url alphabet",
            with("i=100000,l=32", &b64url_encode(&[0xfb; 16]), hash),
        ),
        (
            "other algorithm",
            phc.replace("pbkdf2-sha256", "pbkdf2-sha512"),
        ),
        ("missing leading $", phc[1..].to_string()),
        ("extra field", format!("{phc}$x")),
    ] {
        cases.push(parse_verifier_case(name, &text));
    }

    // ---- unlock
    let base = UnlockInput::from_v2(&cases[0]["v2"]);
    let with_input = |f: &dyn Fn(&mut UnlockInput)| {
        let mut u = base.clone();
        f(&mut u);
        u
    };
    cases.push(
        with_input(&|u| u.master_password = "correct horse battery stable".into())
            .unlock_case("wrong password", "DECRYPTION_FAILED"),
    );
    for (name, err, kdf) in [
        (
            "Argon2id m below 19456",
            "WEAK_KDF",
            json!({"alg":"argon2id","m":19455,"t":2,"p":1}),
        ),
        (
            "Argon2id t below 2",
            "WEAK_KDF",
            json!({"alg":"argon2id","m":65536,"t":1,"p":4}),
        ),
        (
            "Argon2id p = 0",
            "WEAK_KDF",
            json!({"alg":"argon2id","m":65536,"t":3,"p":0}),
        ),
        (
            "PBKDF2 i below 600000",
            "WEAK_KDF",
            json!({"alg":"pbkdf2-sha256","i":599999}),
        ),
        (
            "PBKDF2 legacy 100000",
            "WEAK_KDF",
            json!({"alg":"pbkdf2-sha256","i":100000}),
        ),
        (
            "weak m and oversized t",
            "WEAK_KDF",
            json!({"alg":"argon2id","m":1024,"t":17,"p":1}),
        ),
        (
            "Argon2id m above 1048576",
            "INVALID_INPUT",
            json!({"alg":"argon2id","m":1048577,"t":2,"p":1}),
        ),
        (
            "Argon2id t above 16",
            "INVALID_INPUT",
            json!({"alg":"argon2id","m":19456,"t":17,"p":1}),
        ),
        (
            "Argon2id p above 16",
            "INVALID_INPUT",
            json!({"alg":"argon2id","m":19456,"t":2,"p":17}),
        ),
        (
            "PBKDF2 i above 10000000",
            "INVALID_INPUT",
            json!({"alg":"pbkdf2-sha256","i":10000001}),
        ),
        (
            "m beyond u32",
            "INVALID_INPUT",
            json!({"alg":"argon2id","m":4294967296u64,"t":2,"p":1}),
        ),
        (
            "m as a string",
            "INVALID_INPUT",
            json!({"alg":"argon2id","m":"19456","t":2,"p":1}),
        ),
        (
            "m as a float",
            "INVALID_INPUT",
            json!({"alg":"argon2id","m":19456.5,"t":2,"p":1}),
        ),
        (
            "p missing",
            "INVALID_INPUT",
            json!({"alg":"argon2id","m":19456,"t":2}),
        ),
        (
            "alg missing",
            "INVALID_INPUT",
            json!({"m":19456,"t":2,"p":1}),
        ),
        (
            "unknown alg scrypt",
            "UNSUPPORTED_VERSION",
            json!({"alg":"scrypt","n":32768,"r":8,"p":1}),
        ),
        (
            "alg argon2i",
            "UNSUPPORTED_VERSION",
            json!({"alg":"argon2i","m":19456,"t":2,"p":1}),
        ),
        // Spec §4.2 KDF object rules (version 2), one case or more per rule.
        ("kdf a JSON string", "INVALID_INPUT", json!("argon2id")),
        (
            "kdf an array",
            "INVALID_INPUT",
            json!(["argon2id", 19456, 2, 1]),
        ),
        ("kdf null", "INVALID_INPUT", json!(null)),
        ("kdf a number", "INVALID_INPUT", json!(600000)),
        (
            "alg a number (not a string: INVALID_INPUT)",
            "INVALID_INPUT",
            json!({"alg":1,"m":19456,"t":2,"p":1}),
        ),
        ("alg null", "INVALID_INPUT", json!({"alg":null,"i":600000})),
        (
            "alg an array",
            "INVALID_INPUT",
            json!({"alg":["argon2id"],"m":19456,"t":2,"p":1}),
        ),
        (
            "m missing",
            "INVALID_INPUT",
            json!({"alg":"argon2id","t":2,"p":1}),
        ),
        (
            "t missing",
            "INVALID_INPUT",
            json!({"alg":"argon2id","m":19456,"p":1}),
        ),
        (
            "PBKDF2 i missing",
            "INVALID_INPUT",
            json!({"alg":"pbkdf2-sha256"}),
        ),
        (
            "PBKDF2 with Argon2id members only",
            "INVALID_INPUT",
            json!({"alg":"pbkdf2-sha256","m":19456,"t":2,"p":1}),
        ),
        (
            "Argon2id with a PBKDF2 member only",
            "INVALID_INPUT",
            json!({"alg":"argon2id","i":600000}),
        ),
        (
            "p null",
            "INVALID_INPUT",
            json!({"alg":"argon2id","m":19456,"t":2,"p":null}),
        ),
        (
            "t a boolean",
            "INVALID_INPUT",
            json!({"alg":"argon2id","m":19456,"t":true,"p":1}),
        ),
        (
            "m 19456.0 (a fraction part is not an integer)",
            "INVALID_INPUT",
            json!({"alg":"argon2id","m":19456.0,"t":2,"p":1}),
        ),
        (
            "PBKDF2 i as a string",
            "INVALID_INPUT",
            json!({"alg":"pbkdf2-sha256","i":"600000"}),
        ),
        (
            "PBKDF2 i an object",
            "INVALID_INPUT",
            json!({"alg":"pbkdf2-sha256","i":{"value":600000}}),
        ),
        (
            "Argon2id m = 0",
            "WEAK_KDF",
            json!({"alg":"argon2id","m":0,"t":2,"p":1}),
        ),
        (
            "Argon2id t = 0",
            "WEAK_KDF",
            json!({"alg":"argon2id","m":19456,"t":0,"p":1}),
        ),
        (
            "PBKDF2 i = 0",
            "WEAK_KDF",
            json!({"alg":"pbkdf2-sha256","i":0}),
        ),
        (
            "Argon2id m negative (an integer below its minimum)",
            "WEAK_KDF",
            json!({"alg":"argon2id","m":-1,"t":2,"p":1}),
        ),
        (
            "PBKDF2 i negative",
            "WEAK_KDF",
            json!({"alg":"pbkdf2-sha256","i":-600000}),
        ),
        (
            "PBKDF2 i beyond u32",
            "INVALID_INPUT",
            json!({"alg":"pbkdf2-sha256","i":4294967296u64}),
        ),
        (
            "m beyond u32 and t below minimum (weakness first)",
            "WEAK_KDF",
            json!({"alg":"argon2id","m":4294967296u64,"t":1,"p":1}),
        ),
        (
            "weak i, other-algorithm members of any type ignored",
            "WEAK_KDF",
            json!({"alg":"pbkdf2-sha256","i":599999,"m":"x","t":-1,"p":1.5}),
        ),
        (
            "oversized p, unknown members ignored",
            "INVALID_INPUT",
            json!({"alg":"argon2id","m":19456,"t":2,"p":17,"note":[null]}),
        ),
        (
            "unknown alg without members",
            "UNSUPPORTED_VERSION",
            json!({"alg":"scrypt"}),
        ),
        (
            "alg ARGON2ID (case matters)",
            "UNSUPPORTED_VERSION",
            json!({"alg":"ARGON2ID","m":19456,"t":2,"p":1}),
        ),
        (
            "alg empty string",
            "UNSUPPORTED_VERSION",
            json!({"alg":"","i":600000}),
        ),
    ] {
        cases.push(with_input(&|u| u.kdf = kdf.clone()).unlock_case(name, err));
    }
    cases.push(
        with_input(&|u| u.salt = hex_encode(&[7u8; 15]))
            .unlock_case("salt of 15 bytes", "INVALID_INPUT"),
    );
    for (name, at) in [
        ("flipped byte in wrapped key nonce", 0isize),
        ("flipped byte in wrapped key ciphertext", 20),
        ("flipped byte in wrapped key tag", -1),
    ] {
        let w = flip_b64url(&base.wrapped_vault_key, "sw2k.", at);
        cases.push(
            with_input(&|u| u.wrapped_vault_key = w.clone()).unlock_case(name, "DECRYPTION_FAILED"),
        );
    }
    cases.push(
        with_input(&|u| u.user_id = "mallory@example.com".into())
            .unlock_case("wrapped key of another userId", "DECRYPTION_FAILED"),
    );
    // The same VK wrapped under alice's WK but bound to another user's id.
    let wk = vault::wrap_key(
        &argon_min
            .master_key(
                &base.master_password.as_str().into(),
                &sealwright::encoding::hex_decode(&base.salt).unwrap(),
            )
            .unwrap(),
    )
    .unwrap();
    let vk = alice.vault.vault_key().expose();
    let aad = sealwright::encoding::concat_lp(vault::KEY_AAD, &[b"mallory@example.com"]).unwrap();
    let foreign = format!(
        "sw2k.{}",
        b64url_encode(&sealed_with_nonce(wk.expose(), &bytes(&mut rng), vk, &aad).unwrap())
    );
    cases.push(
        with_input(&|u| u.wrapped_vault_key = foreign.clone())
            .unlock_case("wrapped key bound to another userId", "DECRYPTION_FAILED"),
    );
    let bob_wrapped = cases[1]["v2"]["wrappedVaultKey"]
        .as_str()
        .unwrap()
        .to_string();
    cases.push(
        with_input(&|u| u.wrapped_vault_key = bob_wrapped.clone())
            .unlock_case("another user's wrapped key", "DECRYPTION_FAILED"),
    );
    let sw3 = base.wrapped_vault_key.replacen("sw2k.", "sw3k.", 1);
    cases.push(
        with_input(&|u| u.wrapped_vault_key = sw3.clone())
            .unlock_case("wrapped key prefix sw3k.", "INVALID_INPUT"),
    );
    let short = base.wrapped_vault_key[..base.wrapped_vault_key.len() - 4].to_string();
    cases.push(
        with_input(&|u| u.wrapped_vault_key = short.clone())
            .unlock_case("wrapped key truncated", "INVALID_INPUT"),
    );
    let padded = format!("{}=", base.wrapped_vault_key);
    cases.push(
        with_input(&|u| u.wrapped_vault_key = padded.clone())
            .unlock_case("wrapped key padded", "INVALID_INPUT"),
    );
    cases.push(
        with_input(&|u| u.user_id = String::new()).unlock_case("empty userId", "INVALID_INPUT"),
    );

    // ---- openRecord
    let r0 = cases[0]["v2"]["records"][0].clone();
    let (rid, record) = (
        r0["recordId"].as_str().unwrap().to_string(),
        r0["record"].as_str().unwrap().to_string(),
    );
    for (name, at) in [
        ("flipped byte in record nonce", 0isize),
        ("flipped byte in record ciphertext", 12),
        ("flipped byte in record tag", -1),
    ] {
        cases.push(base.open_record_case(
            name,
            "DECRYPTION_FAILED",
            &rid,
            &flip_b64url(&record, "sw2.", at),
        ));
    }
    cases.push(base.open_record_case(
        "record of another recordId",
        "DECRYPTION_FAILED",
        "gitlab",
        &record,
    ));
    let r1 = cases[0]["v2"]["records"][1]["record"]
        .as_str()
        .unwrap()
        .to_string();
    cases.push(base.open_record_case("records swapped", "DECRYPTION_FAILED", &rid, &r1));
    let bob_record = cases[1]["v2"]["records"][0]["record"]
        .as_str()
        .unwrap()
        .to_string();
    cases.push(base.open_record_case(
        "record of another user",
        "DECRYPTION_FAILED",
        "note",
        &bob_record,
    ));
    cases.push(base.open_record_case(
        "wrong prefix sw3.",
        "INVALID_INPUT",
        &rid,
        &record.replacen("sw2.", "sw3.", 1),
    ));
    cases.push(base.open_record_case("no prefix", "INVALID_INPUT", &rid, &record[4..]));
    cases.push(base.open_record_case(
        "a legacy record",
        "INVALID_INPUT",
        &rid,
        &l0["record"].to_string(),
    ));
    cases.push(base.open_record_case(
        "record shorter than nonce and tag",
        "DECRYPTION_FAILED",
        &rid,
        &format!("sw2.{}", b64url_encode(&[0u8; 27])),
    ));
    cases.push(base.open_record_case(
        "record in padded base64url",
        "INVALID_INPUT",
        &rid,
        &format!("{record}="),
    ));
    cases.push(base.open_record_case(
        "recordId with a control character",
        "INVALID_INPUT",
        "git\nhub",
        &record,
    ));

    vec![("vault.json", render(&file("vault", 2, cases)))]
}
