//! The §6 conformance checker (`verify`) on `shares.json`, `vault.json`, `attendance.json`
//! and `scoring.json`: our files pass, also stripped to the §6 fields; a changed field, a
//! changed `expectedError` or a changed `operation` fails its case; garbage fails without a
//! panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use sealwright_vectors::verify::{Report, verify_document};
use serde_json::{Value, json};

const STEMS: [&str; 4] = ["shares", "vault", "attendance", "scoring"];

fn load(stem: &str) -> Value {
    let path = format!(
        "{}/../../test-vectors/{stem}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn cases(doc: &Value) -> &Vec<Value> {
    doc["cases"].as_array().unwrap()
}

fn doc_of(stem: &str, cases: Vec<Value>) -> Value {
    json!({"protocol": stem, "specVersion": 2, "cases": cases})
}

fn run(stem: &str, doc: &Value) -> Report {
    verify_document(&format!("{stem}.json"), doc)
}

fn assert_all_pass(stem: &str, doc: &Value) {
    let report = run(stem, doc);
    assert!(report.failures.is_empty(), "{stem}: {:#?}", report.failures);
    assert_eq!(report.passed, cases(doc).len(), "{stem}");
}

fn is_negative(case: &Value) -> bool {
    case.get("expectedError").is_some()
}

// ---- the §6 field lists, written here from the spec table (not taken from the checker) ----

/// The §6 fields of an object, and which of them hold nested §6 objects (or lists of them).
/// Wire objects (`record`, `kdf`, `response`) are kept whole.
struct Node {
    fields: &'static [&'static str],
    children: &'static [(&'static str, &'static Node)],
}

const SHARE: Node = Node {
    fields: &["x", "plaintext", "salt", "iv", "argon2Key", "envelope"],
    children: &[],
};
const RECOVERY: Node = Node {
    fields: &["coefficient", "generation", "shares"],
    children: &[("shares", &SHARE)],
};
const SHARES: Node = Node {
    fields: &[
        "name",
        "expectedError",
        "operation",
        "password",
        "walletPrivate",
        "address",
        "coefficient",
        "generation",
        "shares",
        "message",
        "signature",
        "recovery",
        "envelope",
        "envelopes",
    ],
    children: &[("shares", &SHARE), ("recovery", &RECOVERY)],
};

const LEGACY: Node = Node {
    fields: &[
        "userId",
        "secret",
        "withMasterPassword",
        "pbkdf2Key",
        "iv",
        "plaintext",
        "record",
    ],
    children: &[],
};
const VERIFIER: Node = Node {
    fields: &["password", "salt", "phc"],
    children: &[],
};
const RECORD: Node = Node {
    fields: &["recordId", "plaintext", "nonce", "record"],
    children: &[],
};
const CHANGE: Node = Node {
    fields: &[
        "newMasterPassword",
        "newSalt",
        "newKdf",
        "newMasterKey",
        "newAuthHash",
        "newAuthVerifier",
        "newWrapKey",
        "newWrapNonce",
        "newWrappedVaultKey",
    ],
    children: &[],
};
const V2: Node = Node {
    fields: &[
        "userId",
        "masterPassword",
        "salt",
        "kdf",
        "masterKey",
        "authHash",
        "authVerifier",
        "wrapKey",
        "vaultKey",
        "wrapNonce",
        "wrappedVaultKey",
        "records",
        "passwordChange",
    ],
    children: &[("records", &RECORD), ("passwordChange", &CHANGE)],
};
const VAULT: Node = Node {
    fields: &[
        "name",
        "expectedError",
        "operation",
        "legacy",
        "verifiers",
        "v2",
        "userId",
        "secret",
        "record",
        "phc",
        "masterPassword",
        "salt",
        "kdf",
        "wrappedVaultKey",
        "recordId",
    ],
    children: &[("legacy", &LEGACY), ("verifiers", &VERIFIER), ("v2", &V2)],
};

/// `responseNonce`, `responseTotpS`, `attemptsBefore`: §6 names them for `validate`; our
/// files carry them on the failing round's entry.
const ROUND: Node = Node {
    fields: &[
        "round",
        "issuedAtMs",
        "qrNonce",
        "roundSecret",
        "totpS",
        "qrSealNonce",
        "qrText",
        "shownAtMs",
        "receivedAtMs",
        "clientSentAtMs",
        "totpU",
        "responseSealNonce",
        "response",
        "rtMs",
        "result",
        "responseNonce",
        "responseTotpS",
        "attemptsBefore",
    ],
    children: &[],
};
const ATTENDANCE: Node = Node {
    fields: &[
        "name",
        "expectedError",
        "operation",
        "userId",
        "sessionId",
        "loginNonce",
        "clientPrivate",
        "clientPublic",
        "serverPrivate",
        "serverPublic",
        "webauthnChallenge",
        "sessionKey",
        "qrKey",
        "responseKey",
        "totpUKey",
        "serverSecret",
        "rounds",
        "certainty",
        "label",
        "status",
    ],
    children: &[("rounds", &ROUND)],
};

const SCORING: Node = Node {
    fields: &[
        "name",
        "rtsMs",
        "mean",
        "std",
        "certainty",
        "label",
        "status",
    ],
    children: &[],
};

fn schema(stem: &str) -> &'static Node {
    match stem {
        "shares" => &SHARES,
        "vault" => &VAULT,
        "attendance" => &ATTENDANCE,
        "scoring" => &SCORING,
        _ => unreachable!(),
    }
}

/// Removes every member that `node` does not list, recursively; returns how many.
fn strip(value: &mut Value, node: &Node) -> usize {
    let Some(obj) = value.as_object_mut() else {
        return 0;
    };
    let before = obj.len();
    obj.retain(|k, _| node.fields.contains(&k.as_str()));
    let mut removed = before - obj.len();
    for (key, child) in node.children {
        match obj.get_mut(*key) {
            Some(Value::Array(items)) => {
                for item in items {
                    removed += strip(item, child);
                }
            }
            Some(v @ Value::Object(_)) => removed += strip(v, child),
            _ => {}
        }
    }
    removed
}

// ---- (1) and (2) ----

#[test]
fn our_files_pass() {
    for stem in STEMS {
        assert_all_pass(stem, &load(stem));
    }
}

#[test]
fn our_files_stripped_to_the_section_6_fields_pass() {
    let mut removed = Vec::new();
    for stem in STEMS {
        let mut doc = load(stem);
        let n: usize = doc["cases"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .map(|c| strip(c, schema(stem)))
            .sum();
        removed.push((stem, n));
        assert_all_pass(stem, &doc);
    }
    // The copies did lose fields beyond §6 (shares: `messageHash`, `splitId`, `storeKeys`;
    // attendance: `tamper`).
    for (stem, n) in removed {
        if stem == "shares" || stem == "attendance" {
            assert!(n > 0, "{stem}: nothing stripped");
        }
    }
}

/// §6 does not order the `shares` lists: another order passes too.
#[test]
fn shares_in_another_order_pass() {
    let doc = load("shares");
    let mut c = cases(&doc)
        .iter()
        .find(|c| !is_negative(c))
        .unwrap()
        .clone();
    c["shares"].as_array_mut().unwrap().reverse();
    c["recovery"]["shares"].as_array_mut().unwrap().swap(0, 1);
    assert_all_pass("shares", &doc_of("shares", vec![c.clone()]));
    // But not a share listed twice.
    let first = c["shares"][0].clone();
    c["shares"][1] = first;
    let report = run("shares", &doc_of("shares", vec![c]));
    assert_eq!(report.failures.len(), 1);
    assert!(
        report.failures[0].reason.contains("twice"),
        "{:?}",
        report.failures
    );
}

// ---- (3) mutations ----

#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Paths to every scalar (string, number, boolean, null) below `v`, wire objects included.
fn leaves(v: &Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(Seg::Key(k.clone()));
                leaves(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(Seg::Index(i));
                leaves(x, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

/// Paths to every value below `v` (containers too).
fn all_paths(v: &Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    if !path.is_empty() {
        out.push(path.clone());
    }
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(Seg::Key(k.clone()));
                all_paths(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(Seg::Index(i));
                all_paths(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Seg]) -> &'a mut Value {
    path.iter().fold(v, |v, seg| match seg {
        Seg::Key(k) => &mut v[k.as_str()],
        Seg::Index(i) => &mut v[*i],
    })
}

fn last_key(path: &[Seg]) -> Option<&str> {
    path.iter().rev().find_map(|s| match s {
        Seg::Key(k) => Some(k.as_str()),
        Seg::Index(_) => None,
    })
}

/// Changes a scalar: a hex string gets its first nibble flipped (the high bits of the first
/// byte, which X25519 clamping keeps), another string an extra character, a number +1, a
/// boolean its negation, null becomes 1.
fn mutate(v: &mut Value) {
    *v = match v.take() {
        Value::String(s) if s.is_empty() => json!("00"),
        Value::String(s) if s.len() % 2 == 0 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            let first = u8::from_str_radix(&s[..1], 16).unwrap() ^ 0x8;
            json!(format!("{first:x}{}", &s[1..]))
        }
        Value::String(s) => json!(format!("{s}x")),
        Value::Number(n) => match n.as_u64() {
            Some(u) => json!(u + 1),
            None => json!(n.as_f64().unwrap() + 1.0),
        },
        Value::Bool(b) => json!(!b),
        Value::Null => json!(1),
        other => other,
    };
}

/// Fields no check can see: `name` (a label), and `withMasterPassword`, which only says
/// which text went into the one PBKDF2 formula of spec §4.1 (both keys are the same function).
const UNCHECKABLE: &[&str] = &["name", "withMasterPassword"];

/// Every checked scalar of `case`, changed in turn, fails the case.
fn every_field_is_checked(stem: &str, case: &Value) {
    assert_all_pass(stem, &doc_of(stem, vec![case.clone()]));
    let mut paths = Vec::new();
    leaves(case, &mut Vec::new(), &mut paths);
    let mut mutated = Vec::new();
    let mut labels = Vec::new();
    for path in paths {
        if last_key(&path).is_some_and(|k| UNCHECKABLE.contains(&k)) {
            continue;
        }
        let mut c = case.clone();
        mutate(at(&mut c, &path));
        labels.push(format!("{path:?}"));
        mutated.push(c);
    }
    assert!(mutated.len() >= 6, "{stem}: {} mutations", mutated.len());
    let count = mutated.len();
    let report = run(stem, &doc_of(stem, mutated));
    assert_eq!(
        report.failures.len(),
        count,
        "{stem}: {} of {count} mutations were not detected (passed); mutated paths: {labels:#?}",
        report.passed
    );
    // Each mutation fails for a reason naming a field or an operation, not a checker bug.
    for f in &report.failures {
        assert!(
            !f.reason.contains("checker bug") && !f.reason.contains("panicked"),
            "{stem}: {f:?}"
        );
    }
}

/// A smaller positive vault case (one entry per list) to keep the KDF runs few.
fn small_vault_case() -> Value {
    let doc = load("vault");
    let mut c = cases(&doc)
        .iter()
        .find(|c| !is_negative(c))
        .unwrap()
        .clone();
    strip(&mut c, &VAULT);
    for list in ["legacy", "verifiers"] {
        c[list].as_array_mut().unwrap().truncate(1);
    }
    c["v2"]["records"].as_array_mut().unwrap().truncate(1);
    c
}

#[test]
fn a_changed_positive_field_fails_shares() {
    let doc = load("shares");
    let mut c = cases(&doc)
        .iter()
        .find(|c| !is_negative(c))
        .unwrap()
        .clone();
    strip(&mut c, &SHARES);
    every_field_is_checked("shares", &c);
}

#[test]
fn a_changed_positive_field_fails_vault() {
    every_field_is_checked("vault", &small_vault_case());
}

#[test]
fn a_changed_positive_field_fails_attendance() {
    let doc = load("attendance");
    let mut c = cases(&doc)
        .iter()
        .find(|c| !is_negative(c))
        .unwrap()
        .clone();
    strip(&mut c, &ATTENDANCE);
    every_field_is_checked("attendance", &c);
}

#[test]
fn a_changed_positive_field_fails_scoring() {
    let doc = load("scoring");
    for c in cases(&doc) {
        every_field_is_checked("scoring", c);
    }
}

/// The first negative case of each operation of `stem`, with its `expectedError` changed to
/// another code, and with its `operation` changed to an unknown one, fails.
fn negative_changes_fail(stem: &str) {
    let doc = load(stem);
    let mut seen = Vec::new();
    let mut changed = Vec::new();
    for c in cases(&doc).iter().filter(|c| is_negative(c)) {
        let op = c["operation"].as_str().unwrap().to_string();
        if seen.contains(&op) {
            continue;
        }
        seen.push(op);
        let code = c["expectedError"].as_str().unwrap();
        for other in ["INVALID_INPUT", "DECRYPTION_FAILED", "SESSION_INVALID"] {
            if other != code {
                let mut m = c.clone();
                m["expectedError"] = json!(other);
                changed.push(m);
            }
        }
        let mut m = c.clone();
        m["operation"] = json!("noSuchOperation");
        changed.push(m);
    }
    assert!(seen.len() >= 2, "{stem}: operations {seen:?}");
    let count = changed.len();
    let report = run(stem, &doc_of(stem, changed));
    assert_eq!(report.passed, 0, "{stem}: {:#?}", report.failures);
    assert_eq!(report.failures.len(), count);
}

#[test]
fn a_changed_expected_error_or_operation_fails() {
    for stem in ["shares", "vault", "attendance"] {
        negative_changes_fail(stem);
    }
}

// ---- (4) garbage ----

/// Values of every JSON type; each replaces a field in turn.
fn garbage() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(-1),
        json!(1.5),
        json!("zz"),
        json!([]),
        json!({}),
        json!([{}]),
    ]
}

/// `case` with each value below it (containers too) removed, then replaced by each garbage
/// value of another type (or number); `name` is left alone (it only labels the case).
fn damaged(case: &Value) -> Vec<(String, Value)> {
    let mut paths = Vec::new();
    all_paths(case, &mut Vec::new(), &mut paths);
    let mut out = Vec::new();
    for path in paths {
        if last_key(&path) == Some("name") && path.len() == 1 {
            continue;
        }
        if let Some((Seg::Key(k), parent)) = path.split_last() {
            let mut c = case.clone();
            at(&mut c, parent).as_object_mut().unwrap().remove(k);
            out.push((format!("{path:?} removed"), c));
        }
        for g in garbage() {
            let mut c = case.clone();
            let slot = at(&mut c, &path);
            // A change of type (or of number: -1 and 1.5 are no unsigned integers).
            let retyped = std::mem::discriminant(&*slot) != std::mem::discriminant(&g);
            if *slot != g && (retyped || g.is_number()) {
                let label = format!("{path:?} = {g}");
                *slot = g;
                out.push((label, c));
            }
        }
    }
    out
}

fn never_panics(report: &Report) {
    for f in &report.failures {
        assert!(
            !f.reason.contains("panicked") && !f.reason.contains("checker bug"),
            "{f:?}"
        );
    }
}

#[test]
fn garbage_fails_without_panicking() {
    for stem in STEMS {
        // Cases that are not objects, or carry nothing usable.
        let junk = vec![
            json!(1),
            json!("case"),
            Value::Null,
            json!([]),
            json!(true),
            json!({}),
            json!({"name": "only a name"}),
            json!({"name": "bad code", "expectedError": "NOT_A_CODE", "operation": "open"}),
            json!({"name": "code not a string", "expectedError": 5, "operation": "open"}),
            json!({"name": "no operation", "expectedError": "INVALID_INPUT"}),
        ];
        let count = junk.len();
        let report = run(stem, &doc_of(stem, junk));
        never_panics(&report);
        assert_eq!((report.passed, report.failures.len()), (0, count), "{stem}");
    }
    // Broken files.
    for doc in [
        json!({"protocol": "shares", "specVersion": 1, "cases": []}),
        json!({"protocol": "shares", "specVersion": 2, "cases": {}}),
        json!({"protocol": "nope", "specVersion": 2, "cases": []}),
        json!({"specVersion": 2, "cases": []}),
        json!([]),
    ] {
        let report = verify_document("x.json", &doc);
        assert_eq!((report.passed, report.failures.len()), (0, 1), "{doc}");
    }
}

/// Every field of a positive case removed or of the wrong type: the case fails, with a reason.
fn damaged_positive_fails(stem: &str, case: &Value) {
    let (labels, variants): (Vec<String>, Vec<Value>) = damaged(case).into_iter().unzip();
    let count = variants.len();
    // Name each variant after its damage, so a passing one is named.
    let variants = variants
        .into_iter()
        .zip(&labels)
        .map(|(mut v, label)| {
            v["name"] = json!(label);
            v
        })
        .collect();
    let report = run(stem, &doc_of(stem, variants));
    never_panics(&report);
    let failed: Vec<&str> = report.failures.iter().map(|f| f.case.as_str()).collect();
    let passed: Vec<&String> = labels
        .iter()
        .filter(|l| !failed.contains(&l.as_str()))
        .collect();
    assert!(
        passed.is_empty(),
        "{stem}: damaged positive cases passed: {passed:#?}"
    );
    assert_eq!(report.failures.len(), count);
}

/// Every field of a negative case removed or of the wrong type: never a panic. (A damaged
/// negative case may still fail as expected, e.g. a response of the wrong type is rejected.)
fn damaged_negative_never_panics(stem: &str, case: &Value) {
    let variants: Vec<Value> = damaged(case).into_iter().map(|(_, v)| v).collect();
    let count = variants.len();
    let report = run(stem, &doc_of(stem, variants));
    never_panics(&report);
    assert_eq!(report.passed + report.failures.len(), count);
}

#[test]
fn damaged_cases_fail_without_panicking_shares() {
    let doc = load("shares");
    let pos = cases(&doc).iter().find(|c| !is_negative(c)).unwrap();
    let mut pos = pos.clone();
    strip(&mut pos, &SHARES);
    damaged_positive_fails("shares", &pos);
    // A cheap `open` (bad base64: no Argon2 run) and a `combine`.
    for name in ["empty envelope", "the same share twice"] {
        let c = cases(&doc).iter().find(|c| c["name"] == name).unwrap();
        damaged_negative_never_panics("shares", c);
    }
}

#[test]
fn damaged_cases_fail_without_panicking_vault() {
    damaged_positive_fails("vault", &small_vault_case());
    let doc = load("vault");
    for op in ["openLegacy", "parseVerifier", "unlock", "openRecord"] {
        let c = cases(&doc).iter().find(|c| c["operation"] == op).unwrap();
        damaged_negative_never_panics("vault", c);
    }
}

#[test]
fn damaged_cases_fail_without_panicking_attendance_and_scoring() {
    let doc = load("attendance");
    let mut pos = cases(&doc)
        .iter()
        .find(|c| !is_negative(c))
        .unwrap()
        .clone();
    strip(&mut pos, &ATTENDANCE);
    damaged_positive_fails("attendance", &pos);
    for op in ["validate", "login"] {
        let c = cases(&doc).iter().find(|c| c["operation"] == op).unwrap();
        damaged_negative_never_panics("attendance", c);
    }
    let doc = load("scoring");
    damaged_positive_fails("scoring", &cases(&doc)[0]);
}
