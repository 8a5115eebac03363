//! The §6 conformance checker (`verify`) on `relay.json`, `handshake.json` and `totp.json`:
//! our own files pass, pass again with every non-§6 field stripped, fail once any checked
//! field is changed, and garbage gives failures, never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sealwright_vectors::verify::{Report, field_lists, verify_document};
use serde_json::{Value, json};

fn load(protocol: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors")
        .join(format!("{protocol}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn cases(doc: &Value) -> &Vec<Value> {
    doc["cases"].as_array().unwrap()
}

/// Checks `cases` as a file of `protocol`.
fn verify(protocol: &str, cases: Vec<Value>) -> Report {
    let doc = json!({"protocol": protocol, "specVersion": 2, "cases": cases});
    verify_document(&format!("{protocol}.json"), &doc)
}

fn verify_one(protocol: &str, case: &Value) -> Report {
    verify(protocol, vec![case.clone()])
}

fn is_positive(c: &Value) -> bool {
    c.get("expectedError").is_none()
}

/// Asserts that `case` fails (and that the checker did not panic on it); returns the reason.
fn assert_fails(protocol: &str, case: &Value, what: &str) -> String {
    let report = verify_one(protocol, case);
    assert_eq!(report.passed, 0, "{protocol}: {what} passed");
    assert_eq!(report.failures.len(), 1, "{protocol}: {what}");
    let reason = report.failures[0].reason.clone();
    assert!(
        !reason.contains("panicked"),
        "{protocol}: {what}: the checker panicked"
    );
    reason
}

// (1) Our own files pass.

fn assert_all_pass(protocol: &str, doc: &Value) -> usize {
    let report = verify_document(&format!("{protocol}.json"), doc);
    assert!(
        report.failures.is_empty(),
        "{protocol}: {:#?}",
        report.failures
    );
    assert_eq!(report.passed, cases(doc).len());
    report.passed
}

#[test]
fn our_relay_file_passes() {
    assert!(assert_all_pass("relay", &load("relay")) >= 100);
}

#[test]
fn our_handshake_file_passes() {
    assert!(assert_all_pass("handshake", &load("handshake")) >= 40);
}

#[test]
fn our_totp_file_passes() {
    assert!(assert_all_pass("totp", &load("totp")) >= 39);
}

// (2) The checker reads only §6 fields: stripping everything else changes nothing.

/// Removes every member not in the §6 lists, recursively for the nested lists; returns the
/// number of members removed.
fn strip(case: &mut Value, top: &[&str], nested: &[(&str, &[&str])]) -> usize {
    let obj = case.as_object_mut().unwrap();
    let before = obj.len();
    obj.retain(|k, _| top.contains(&k.as_str()));
    let mut removed = before - obj.len();
    for (list, fields) in nested {
        if let Some(Value::Array(entries)) = obj.get_mut(*list) {
            for e in entries {
                removed += strip(e, fields, &[]);
            }
        }
    }
    removed
}

fn stripped(protocol: &str) -> (Value, usize) {
    let (top, nested) = field_lists(protocol).unwrap();
    let mut doc = load(protocol);
    let mut removed = 0;
    for c in doc["cases"].as_array_mut().unwrap() {
        removed += strip(c, top, nested);
    }
    (doc, removed)
}

#[test]
fn stripped_relay_file_passes() {
    let (doc, removed) = stripped("relay");
    // `rid` and `responseSignatureHighS` of the positive cases are not §6 fields.
    assert!(removed >= 6, "{removed}");
    assert!(cases(&doc).iter().all(|c| c.get("rid").is_none()));
    assert_all_pass("relay", &doc);
}

#[test]
fn stripped_handshake_file_passes() {
    let (doc, removed) = stripped("handshake");
    // `clientPrimaryPublic` is not a §6 field.
    assert!(removed >= 40, "{removed}");
    assert!(
        cases(&doc)
            .iter()
            .all(|c| c.get("clientPrimaryPublic").is_none())
    );
    assert_all_pass("handshake", &doc);
}

#[test]
fn stripped_totp_file_passes() {
    let (doc, _) = stripped("totp");
    assert_all_pass("totp", &doc);
}

#[test]
fn a_relay_server_decrypt_case_needs_no_signing_key() {
    // §6 lists `relayKey`, `rkid`, `recipientJwk`, `request`, `now`, `seenJtis` for
    // `serverDecrypt`: a case without the signing key (which ours carry) still passes.
    let doc = load("relay");
    let mut n = 0;
    for c in cases(&doc)
        .iter()
        .filter(|c| c["operation"] == "serverDecrypt")
    {
        let mut c = c.clone();
        let o = c.as_object_mut().unwrap();
        o.remove("signingPrivate");
        o.remove("skid");
        let report = verify_one("relay", &c);
        assert_eq!(report.passed, 1, "{:?}", report.failures);
        n += 1;
    }
    assert!(n >= 20);
}

// (3) Mutations fail.

/// Another b64url/identifier character in the same alphabet class.
fn other_char(c: char) -> char {
    match c {
        'z' => 'y',
        'Z' => 'Y',
        '9' => '8',
        c if c.is_ascii_alphanumeric() => (c as u8 + 1) as char,
        c => c,
    }
}

fn is_hex(s: &str) -> bool {
    !s.is_empty()
        && s.len().is_multiple_of(2)
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// One changed value: a flipped nibble in the middle of a hex string, another character in
/// the middle of any other string, a day later for a time in ms, plus one for other integers,
/// a string for null.
fn mutate(key: &str, v: &Value) -> Value {
    match v {
        Value::String(s) if is_hex(s) => {
            let mut b = s.clone().into_bytes();
            let i = b.len() / 2;
            let nibble = u8::from_str_radix(std::str::from_utf8(&b[i..=i]).unwrap(), 16).unwrap();
            b[i] = format!("{:x}", nibble ^ 1).as_bytes()[0];
            Value::String(String::from_utf8(b).unwrap())
        }
        Value::String(s) => {
            let chars: Vec<char> = s.chars().collect();
            let i = (chars.len() / 2..chars.len())
                .chain(0..chars.len() / 2)
                .find(|&i| chars[i].is_ascii_alphanumeric())
                .unwrap_or_else(|| panic!("{key}: nothing to change in {s:?}"));
            let mut chars = chars;
            chars[i] = other_char(chars[i]);
            Value::String(chars.into_iter().collect())
        }
        Value::Number(n) if key.ends_with("Ms") => json!(n.as_u64().unwrap() + 86_400_000),
        Value::Number(n) => json!(n.as_u64().unwrap() + 1),
        Value::Null => json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        other => panic!("{key}: no mutation for {other}"),
    }
}

/// Every single-field mutation of a case: each member (each member of a wire object, each
/// field of `messages[msg]`), except `name`, `messages` itself and `skip`.
fn mutations(case: &Value, msg: Option<usize>, skip: &[&str]) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (k, v) in case.as_object().unwrap() {
        if k == "name" || skip.contains(&k.as_str()) {
            continue;
        }
        match v {
            Value::Object(o) => {
                for (m, mv) in o {
                    let mut c = case.clone();
                    c[k][m] = mutate(m, mv);
                    out.push((format!("{k}.{m}"), c));
                }
            }
            Value::Array(entries) if k == "messages" => {
                let Some(i) = msg else { continue };
                for (f, fv) in entries[i].as_object().unwrap() {
                    let wire = fv.as_object().cloned();
                    match wire {
                        Some(o) => {
                            for (m, mv) in &o {
                                let mut c = case.clone();
                                c[k][i][f][m] = mutate(m, mv);
                                out.push((format!("messages[{i}].{f}.{m}"), c));
                            }
                        }
                        None => {
                            let mut c = case.clone();
                            c[k][i][f] = mutate(f, fv);
                            out.push((format!("messages[{i}].{f}"), c));
                        }
                    }
                }
            }
            _ => {
                let mut c = case.clone();
                c[k] = mutate(k, v);
                out.push((k.clone(), c));
            }
        }
    }
    out
}

/// Runs every mutation on a few threads and asserts each fails.
fn assert_mutations_fail(protocol: &str, muts: Vec<(String, Value)>) {
    let n = muts.len();
    let chunks: Vec<Vec<(String, Value)>> = {
        let mut chunks = vec![Vec::new(), Vec::new()];
        for (i, m) in muts.into_iter().enumerate() {
            chunks[i % 2].push(m);
        }
        chunks
    };
    std::thread::scope(|s| {
        for chunk in &chunks {
            s.spawn(move || {
                for (what, c) in chunk {
                    assert_fails(protocol, c, &format!("{} with {what} changed", c["name"]));
                }
            });
        }
    });
    assert!(n > 0);
}

fn positive_cases(protocol: &str) -> Vec<Value> {
    cases(&load(protocol))
        .iter()
        .filter(|c| is_positive(c))
        .cloned()
        .collect()
}

#[test]
fn every_changed_field_of_a_relay_positive_case_fails() {
    // The first (bound) and second (unbound, `aud` null) positive cases, every field.
    let pos = positive_cases("relay");
    let mut muts = Vec::new();
    for c in &pos[..2] {
        // Non-§6 fields are not read; changing them changes nothing.
        muts.extend(mutations(c, None, &["rid", "responseSignatureHighS"]));
    }
    assert!(muts.len() >= 2 * 19, "{}", muts.len());
    assert_mutations_fail("relay", muts);
}

#[test]
fn every_changed_field_of_a_handshake_positive_case_fails() {
    // The first positive case: every top-level field, every member of the two wire objects,
    // and every field of its second message.
    let pos = positive_cases("handshake");
    let c = &pos[0];
    let muts = mutations(c, Some(1), &["clientPrimaryPublic", "storageSecret"]);
    assert!(muts.len() >= 14 + 15 + 8, "{}", muts.len());
    assert_mutations_fail("handshake", muts);
    // The last message of the other case too.
    let c = &pos[1];
    let last = c["messages"].as_array().unwrap().len() - 1;
    let muts: Vec<_> = mutations(c, Some(last), &[])
        .into_iter()
        .filter(|(what, _)| what.starts_with("messages"))
        .collect();
    assert!(muts.len() >= 15, "{}", muts.len());
    assert_mutations_fail("handshake", muts);
}

/// Flips the last hex nibble (inside the CRT coefficient `qi` of a PKCS#8 RSA key).
fn flip_last_nibble(v: &Value) -> Value {
    let mut s = v.as_str().unwrap().to_string();
    let last = s.pop().unwrap();
    let nibble = last.to_digit(16).unwrap() ^ 1;
    s.push(char::from_digit(nibble, 16).unwrap());
    Value::String(s)
}

#[test]
fn a_private_key_with_wrong_crt_values_fails() {
    // The parser recomputes dp, dq and qi, so a wrong stored coefficient would go unnoticed
    // (and hurt an implementation that uses it): the checker wants the canonical DER.
    let mut c = positive_cases("relay")[0].clone();
    c["recipientPrivateKeyPkcs8"] = flip_last_nibble(&c["recipientPrivateKeyPkcs8"]);
    let reason = assert_fails("relay", &c, "qi changed");
    assert!(reason.contains("canonical"), "{reason}");
    let mut c = positive_cases("handshake")[0].clone();
    c["serverRsaPrivateKeyPkcs8"] = flip_last_nibble(&c["serverRsaPrivateKeyPkcs8"]);
    let reason = assert_fails("handshake", &c, "qi changed");
    assert!(reason.contains("canonical"), "{reason}");
}

#[test]
fn the_storage_secret_is_a_spec_gap() {
    // `storageSecret` only keys the sealed store values (§0.2), which §6 does not record and
    // whose nonces are random: no field depends on it, so a changed one cannot be detected.
    let pos = positive_cases("handshake");
    let mut c = pos[0].clone();
    c["storageSecret"] = mutate("storageSecret", &c["storageSecret"]);
    assert_eq!(verify_one("handshake", &c).passed, 1);
}

#[test]
fn changed_totp_fields_fail() {
    let doc = load("totp");
    let mut muts = Vec::new();
    for c in cases(&doc).iter().step_by(5) {
        for k in ["key", "code", "digits"] {
            let mut m = c.clone();
            m[k] = mutate(k, &c[k]);
            muts.push((k.to_string(), m));
        }
        let mut m = c.clone();
        m["algorithm"] = json!(if c["algorithm"] == "SHA1" {
            "SHA512"
        } else {
            "SHA1"
        });
        muts.push(("algorithm".to_string(), m));
        let mut m = c.clone();
        m["timeSeconds"] = json!(c["timeSeconds"].as_u64().unwrap() + 30);
        muts.push(("timeSeconds".to_string(), m));
    }
    assert_mutations_fail("totp", muts);
}

/// Another code than `code`, one the operation cannot produce for this case.
fn other_code(code: &str) -> &'static str {
    if code == "INVALID_INPUT" {
        "DECRYPTION_FAILED"
    } else {
        "INVALID_INPUT"
    }
}

fn assert_other_expected_error_fails(protocol: &str) -> usize {
    let negatives: Vec<(String, Value)> = cases(&load(protocol))
        .iter()
        .filter(|c| !is_positive(c))
        .map(|c| {
            let mut m = c.clone();
            m["expectedError"] = json!(other_code(c["expectedError"].as_str().unwrap()));
            ("expectedError".to_string(), m)
        })
        .collect();
    let n = negatives.len();
    assert_mutations_fail(protocol, negatives);
    n
}

#[test]
fn another_expected_error_fails() {
    assert!(assert_other_expected_error_fails("relay") >= 100);
    assert!(assert_other_expected_error_fails("handshake") >= 40);
}

#[test]
fn a_negative_case_whose_operation_succeeds_fails() {
    let relay = positive_cases("relay");
    for op in ["recipientOpen", "serverDecrypt"] {
        let mut c = relay[0].clone();
        c["operation"] = json!(op);
        c["expectedError"] = json!("BAD_SIGNATURE");
        let reason = assert_fails("relay", &c, op);
        assert!(reason.contains("succeeded"), "{reason}");
    }
    let mut c = relay[0].clone();
    c["operation"] = json!("register");
    c["expectedError"] = json!("KEY_REJECTED");
    assert!(assert_fails("relay", &c, "register").contains("succeeded"));

    let hs = positive_cases("handshake");
    for op in ["serverHandshake", "clientHandshake"] {
        let mut c = hs[0].clone();
        c["operation"] = json!(op);
        c["expectedError"] = json!("BAD_SIGNATURE");
        let reason = assert_fails("handshake", &c, op);
        assert!(reason.contains("succeeded"), "{reason}");
    }
    // serverProcess and clientProcess over all the messages: the last one succeeds.
    for op in ["serverProcess", "clientProcess"] {
        let mut c = hs[0].clone();
        c["operation"] = json!(op);
        c["expectedError"] = json!("DECRYPTION_FAILED");
        let reason = assert_fails("handshake", &c, op);
        assert!(reason.contains("succeeded"), "{reason}");
    }
}

#[test]
fn a_replay_of_out_of_range_fails() {
    let doc = load("handshake");
    let c = cases(&doc)
        .iter()
        .find(|c| {
            c["messages"]
                .as_array()
                .is_some_and(|m| m.last().unwrap().get("replayOf").is_some())
        })
        .unwrap();
    let mut c = c.clone();
    let last = c["messages"].as_array().unwrap().len() - 1;
    c["messages"][last]["replayOf"] = json!(last);
    assert!(assert_fails("handshake", &c, "replayOf").contains("replayOf"));
}

// (4) Garbage gives failures, never a panic.

fn wrong_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(-7),
        json!(1.5),
        json!(u64::MAX),
        json!("zz"),
        json!(""),
        json!([]),
        json!({}),
        json!(true),
    ]
}

#[test]
fn garbage_cases_fail_without_panicking() {
    for protocol in ["relay", "handshake", "totp"] {
        let mut garbage = vec![
            json!(42),
            json!("a case"),
            Value::Null,
            json!([]),
            json!({}),
            json!({"name": "only a name"}),
            json!({"expectedError": "NOT_A_CODE", "operation": "register"}),
            json!({"expectedError": "INVALID_INPUT"}),
            json!({"expectedError": "INVALID_INPUT", "operation": 5}),
            json!({"expectedError": "INVALID_INPUT", "operation": "noSuchOperation"}),
        ];
        for op in [
            "register",
            "serverDecrypt",
            "recipientOpen",
            "serverHandshake",
            "clientHandshake",
            "serverProcess",
            "clientProcess",
        ] {
            garbage.push(json!({"expectedError": "INVALID_INPUT", "operation": op}));
        }
        for g in &garbage {
            assert_fails(protocol, g, &format!("garbage {g}"));
        }
    }
}

/// Replaces each field in turn (and each field of `messages[0]`) by each wrong value.
fn wrong_type_variants(case: &Value, skip: &[&str]) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (k, v) in case.as_object().unwrap() {
        if k == "name" || skip.contains(&k.as_str()) {
            continue;
        }
        for w in wrong_values() {
            if *v == w {
                continue;
            }
            let mut c = case.clone();
            c[k] = w.clone();
            out.push((format!("{k} = {w}"), c));
        }
        if k == "messages" {
            for (f, _) in v[0].as_object().unwrap() {
                for w in [Value::Null, json!("zz"), json!(-1)] {
                    let mut c = case.clone();
                    c[k][0][f] = w.clone();
                    out.push((format!("messages[0].{f} = {w}"), c));
                }
            }
            let mut c = case.clone();
            c[k] = json!([1, 2, 3]);
            out.push(("messages = [1, 2, 3]".to_string(), c));
            let mut c = case.clone();
            c[k].as_array_mut().unwrap().truncate(2);
            out.push(("two messages".to_string(), c));
        }
    }
    out
}

#[test]
fn wrong_types_fail_without_panicking() {
    let relay = positive_cases("relay");
    // Only `aud` may be null, and only when unbound: skip it (null is valid there).
    let mut v = wrong_type_variants(&relay[1], &["rid", "responseSignatureHighS"]);
    v.retain(|(what, _)| what != "aud = null");
    assert_mutations_fail("relay", v);

    let hs = positive_cases("handshake");
    // `storageSecret` of 32 other bytes is fine (see the spec gap above); other types fail.
    assert_mutations_fail(
        "handshake",
        wrong_type_variants(&hs[0], &["clientPrimaryPublic"]),
    );

    let doc = load("totp");
    for c in cases(&doc).iter().take(3) {
        assert_mutations_fail("totp", wrong_type_variants(c, &[]));
    }
}

#[test]
fn missing_fields_fail() {
    // Every §6 field of a positive case is required.
    let relay = positive_cases("relay");
    let hs = positive_cases("handshake");
    let totp = cases(&load("totp"))[0].clone();
    for (protocol, c, skip) in [
        ("relay", &relay[0], &["rid", "responseSignatureHighS"][..]),
        ("handshake", &hs[0], &["clientPrimaryPublic"][..]),
        ("totp", &totp, &[][..]),
    ] {
        let mut muts = Vec::new();
        for k in c.as_object().unwrap().keys() {
            if k == "name" || skip.contains(&k.as_str()) {
                continue;
            }
            let mut m = c.clone();
            m.as_object_mut().unwrap().remove(k);
            muts.push((format!("without {k}"), m));
        }
        if protocol == "handshake" {
            for f in c["messages"][0].as_object().unwrap().keys() {
                let mut m = c.clone();
                m["messages"][0].as_object_mut().unwrap().remove(f);
                muts.push((format!("without messages[0].{f}"), m));
            }
        }
        assert_mutations_fail(protocol, muts);
    }
}
