//! Every vector file covers, for each negative `operation` of spec §6, every error code that
//! operation can produce by the numbered checks of its section (CONFLICT and IN_PROGRESS
//! excepted: §6 cannot express a concurrent writer; the race tests cover them), and names only
//! §6 operations and §0.1 codes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};

use sealwright::Error;
use serde_json::Value;

/// (file, operation, codes the operation must have a case for).
const REQUIRED: &[(&str, &str, &[&str])] = &[
    ("relay", "register", &["INVALID_INPUT", "KEY_REJECTED"]),
    (
        "relay",
        "serverDecrypt",
        &[
            "BAD_SIGNATURE",
            "UNKNOWN_RECIPIENT",
            "STALE",
            "INVALID_INPUT",
            "REPLAY",
            "SEALED_INVALID",
            "UNKNOWN_RELAY_KEY",
            "AUDIENCE_MISMATCH",
        ],
    ),
    (
        "relay",
        "recipientOpen",
        &[
            "INVALID_INPUT",
            "DECRYPTION_FAILED",
            "BAD_SIGNATURE",
            "REPLAY",
        ],
    ),
    (
        "handshake",
        "serverHandshake",
        &[
            "UNSUPPORTED_VERSION",
            "INVALID_INPUT",
            "DECRYPTION_FAILED",
            "INVALID_KEY",
            "DEVICE_MISMATCH",
        ],
    ),
    ("handshake", "clientHandshake", &["BAD_SIGNATURE"]),
    (
        "handshake",
        "serverProcess",
        &[
            "SESSION_EXPIRED",
            "UNKNOWN_KID",
            "KID_ROTATED",
            "DECRYPTION_FAILED",
            "LOW_ORDER_POINT",
        ],
    ),
    (
        "handshake",
        "clientProcess",
        &["INVALID_INPUT", "DECRYPTION_FAILED"],
    ),
    ("shares", "open", &["DECRYPTION_FAILED"]),
    (
        "shares",
        "combine",
        &[
            "DECRYPTION_FAILED",
            "UNSUPPORTED_VERSION",
            "INVALID_SHARE",
            "GENERATION_MISMATCH",
            "SHARE_MISMATCH",
        ],
    ),
    ("vault", "openLegacy", &["DECRYPTION_FAILED"]),
    ("vault", "parseVerifier", &["INVALID_VERIFIER"]),
    (
        "vault",
        "unlock",
        &[
            "INVALID_INPUT",
            "UNSUPPORTED_VERSION",
            "WEAK_KDF",
            "DECRYPTION_FAILED",
        ],
    ),
    ("vault", "openRecord", &["DECRYPTION_FAILED"]),
    (
        "attendance",
        "validate",
        &[
            "SESSION_INVALID",
            "QR_EXPIRED",
            "QR_INVALID",
            "RT_INVALID",
            "SECRET_INVALID",
            "MAX_ATTEMPTS",
        ],
    ),
    ("attendance", "login", &["LOW_ORDER_POINT"]),
];

fn load(stem: &str) -> Value {
    let path = format!(
        "{}/../../test-vectors/{stem}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_operation_has_a_case_for_each_code_it_can_produce() {
    let mut found: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for stem in [
        "relay",
        "handshake",
        "shares",
        "vault",
        "attendance",
        "totp",
        "scoring",
    ] {
        let file = load(stem);
        assert_eq!(file["specVersion"], 2, "{stem}.json");
        for case in file["cases"].as_array().unwrap() {
            let Some(code) = case.get("expectedError") else {
                continue;
            };
            let code = code.as_str().unwrap();
            let op = case["operation"].as_str().unwrap();
            let name = case["name"].as_str().unwrap();
            let error = Error::from_code(code)
                .unwrap_or_else(|| panic!("{stem}.json {name}: {code} is not a §0.1 code"));
            assert!(
                !matches!(error, Error::Conflict | Error::InProgress),
                "{stem}.json {name}: §6 cannot express {code}"
            );
            assert!(
                REQUIRED.iter().any(|(f, o, _)| *f == stem && *o == op),
                "{stem}.json {name}: {op} is not a §6 operation of this file"
            );
            found
                .entry((stem.to_owned(), op.to_owned()))
                .or_default()
                .insert(code.to_owned());
        }
    }
    for (stem, op, codes) in REQUIRED {
        let have = found
            .get(&((*stem).to_owned(), (*op).to_owned()))
            .cloned()
            .unwrap_or_default();
        for code in *codes {
            assert!(
                have.contains(*code),
                "{stem}.json has no {op} case for {code}"
            );
        }
    }
}
