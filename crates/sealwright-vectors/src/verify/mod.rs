//! The conformance checker of spec §6: `cargo run -p sealwright-vectors -- verify DIR`.
//!
//! It checks vector files written by *any* implementation, so it reads only the fields §6
//! names (a [`Case`] refuses any other name), recomputes every deterministic positive field,
//! decrypts or verifies what is randomized (RSA-OAEP, RSA-PSS), and runs every negative case
//! through its `operation`, expecting its `expectedError` code. It never panics on a file:
//! a missing, mistyped or malformed field is a failed case with a reason.

// The generator may unwrap (its inputs are ours); the checker reads strangers' files.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod attendance;
mod handshake;
mod relay;
mod scoring;
mod shares;
mod totp;
mod vault;

use sealwright::Error;
use serde_json::{Map, Value};
use std::path::Path;

/// The outcome of one case: `Err` carries a human-readable reason.
pub type CaseResult = Result<(), String>;

/// One failed case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The file name, e.g. `relay.json`.
    pub file: String,
    /// The case's `name` (or its index when it has none).
    pub case: String,
    /// Why it failed.
    pub reason: String,
}

/// The result of checking files.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Cases that passed.
    pub passed: usize,
    /// Cases (or whole files) that failed.
    pub failures: Vec<Failure>,
}

impl Report {
    /// Adds another report's counts to this one.
    pub fn merge(&mut self, other: Report) {
        self.passed += other.passed;
        self.failures.extend(other.failures);
    }
}

/// A read-only view of one case that only hands out the §6 fields of its protocol, so the
/// checker cannot come to depend on a field a third party's file would not carry.
#[derive(Clone, Copy)]
pub struct Case<'a> {
    obj: &'a Map<String, Value>,
    allowed: &'static [&'static str],
}

impl<'a> Case<'a> {
    /// Wraps a JSON object; `allowed` lists the field names §6 gives its protocol.
    pub fn new(value: &'a Value, allowed: &'static [&'static str]) -> Result<Self, String> {
        let obj = value.as_object().ok_or("a case is not a JSON object")?;
        Ok(Case { obj, allowed })
    }

    /// The raw value of a §6 field, `None` when absent.
    pub fn opt(&self, key: &str) -> Result<Option<&'a Value>, String> {
        if !self.allowed.contains(&key) {
            return Err(format!(
                "checker bug: `{key}` is not a §6 field of this file"
            ));
        }
        Ok(self.obj.get(key))
    }

    /// The raw value of a required §6 field.
    pub fn get(&self, key: &str) -> Result<&'a Value, String> {
        self.opt(key)?
            .ok_or_else(|| format!("missing field `{key}`"))
    }

    /// A required string field.
    pub fn str(&self, key: &str) -> Result<&'a str, String> {
        self.get(key)?
            .as_str()
            .ok_or_else(|| format!("`{key}` is not a string"))
    }

    /// A required hex field, decoded.
    pub fn hex(&self, key: &str) -> Result<Vec<u8>, String> {
        sealwright::encoding::hex_decode(self.str(key)?).map_err(|_| format!("`{key}` is not hex"))
    }

    /// A required hex field of exactly `N` bytes.
    pub fn hex_array<const N: usize>(&self, key: &str) -> Result<[u8; N], String> {
        let v = self.hex(key)?;
        v.try_into()
            .map_err(|_| format!("`{key}` is not {N} bytes of hex"))
    }

    /// A required unsigned integer field.
    pub fn u64(&self, key: &str) -> Result<u64, String> {
        self.get(key)?
            .as_u64()
            .ok_or_else(|| format!("`{key}` is not an unsigned integer"))
    }

    /// A required boolean field.
    pub fn bool(&self, key: &str) -> Result<bool, String> {
        self.get(key)?
            .as_bool()
            .ok_or_else(|| format!("`{key}` is not a boolean"))
    }

    /// A required array field, each element a [`Case`] over `allowed` (nested objects such as
    /// handshake `messages` or shares `shares`).
    pub fn list(
        &self,
        key: &str,
        allowed: &'static [&'static str],
    ) -> Result<Vec<Case<'a>>, String> {
        let arr = self
            .get(key)?
            .as_array()
            .ok_or_else(|| format!("`{key}` is not a list"))?;
        arr.iter().map(|v| Case::new(v, allowed)).collect()
    }

    /// A required nested object field as a [`Case`] over `allowed`.
    pub fn object(&self, key: &str, allowed: &'static [&'static str]) -> Result<Case<'a>, String> {
        Case::new(self.get(key)?, allowed).map_err(|e| format!("`{key}`: {e}"))
    }

    /// `expectedError` when the case is negative, with `operation`.
    pub fn negative(&self) -> Result<Option<(Error, &'a str)>, String> {
        let Some(code) = self.obj.get("expectedError") else {
            return Ok(None);
        };
        let code = code.as_str().ok_or("`expectedError` is not a string")?;
        let err = Error::from_code(code).ok_or_else(|| format!("unknown error code {code}"))?;
        let op = self
            .obj
            .get("operation")
            .and_then(Value::as_str)
            .ok_or("a negative case without a string `operation`")?;
        Ok(Some((err, op)))
    }
}

/// Compares a recomputed value with a field.
pub fn same<T: PartialEq + std::fmt::Debug>(field: &str, expected: T, got: T) -> CaseResult {
    if expected == got {
        Ok(())
    } else {
        Err(format!(
            "`{field}`: file has {expected:?}, recomputed {got:?}"
        ))
    }
}

/// Checks that an operation failed with the expected code.
pub fn fails_with<T>(expected: Error, got: Result<T, Error>) -> CaseResult {
    match got {
        Err(e) if e == expected => Ok(()),
        Err(e) => Err(format!("expected {}, got {}", expected.code(), e.code())),
        Ok(_) => Err(format!(
            "expected {}, the operation succeeded",
            expected.code()
        )),
    }
}

/// Checks one parsed file. `file` names it in failures.
pub fn verify_document(file: &str, doc: &Value) -> Report {
    let mut report = Report::default();
    let fail_file = |reason: String| Failure {
        file: file.to_string(),
        case: "(file)".to_string(),
        reason,
    };
    let protocol = doc.get("protocol").and_then(Value::as_str);
    if doc.get("specVersion").and_then(Value::as_u64) != Some(2) {
        report
            .failures
            .push(fail_file("`specVersion` is not 2".to_string()));
        return report;
    }
    let Some(cases) = doc.get("cases").and_then(Value::as_array) else {
        report
            .failures
            .push(fail_file("`cases` is not a list".to_string()));
        return report;
    };
    let check: fn(&Value) -> CaseResult = match protocol {
        Some("relay") => relay::check,
        Some("handshake") => handshake::check,
        Some("shares") => shares::check,
        Some("vault") => vault::check,
        Some("attendance") => attendance::check,
        Some("totp") => totp::check,
        Some("scoring") => scoring::check,
        other => {
            report
                .failures
                .push(fail_file(format!("unknown `protocol` {other:?}")));
            return report;
        }
    };
    for (i, case) in cases.iter().enumerate() {
        let name = case
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("#{i}"), str::to_string);
        // A backstop: the checks return errors rather than panic, but a file must never be
        // able to abort the run.
        let outcome = std::panic::catch_unwind(|| check(case))
            .unwrap_or_else(|_| Err("the checker panicked (a bug: please report)".to_string()));
        match outcome {
            Ok(()) => report.passed += 1,
            Err(reason) => report.failures.push(Failure {
                file: file.to_string(),
                case: name,
                reason,
            }),
        }
    }
    report
}

/// Checks every `*.json` file directly in `dir` (sorted by name).
pub fn verify_dir(dir: &Path) -> Result<Report, String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    let mut report = Report::default();
    for path in names {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<Value>(&t).map_err(|e| e.to_string()));
        match parsed {
            Ok(doc) => report.merge(verify_document(&file, &doc)),
            Err(reason) => report.failures.push(Failure {
                file,
                case: "(file)".to_string(),
                reason,
            }),
        }
    }
    Ok(report)
}

/// The field names of one vector file the checker may read, as §6 gives them: the case's own,
/// then each nested list's name with the field names of its entries.
pub type FieldLists = (
    &'static [&'static str],
    &'static [(&'static str, &'static [&'static str])],
);

/// The §6 field names the checks of `protocol` read (for tests that strip every other field
/// from a file); `None` for a protocol whose checker does not declare them here.
pub fn field_lists(protocol: &str) -> Option<FieldLists> {
    match protocol {
        "relay" => Some((relay::FIELDS, relay::NESTED)),
        "handshake" => Some((handshake::FIELDS, handshake::NESTED)),
        "totp" => Some((totp::FIELDS, totp::NESTED)),
        "shares" => Some((shares::FIELDS, shares::NESTED)),
        "vault" => Some((vault::FIELDS, vault::NESTED)),
        "attendance" => Some((attendance::FIELDS, attendance::NESTED)),
        "scoring" => Some((scoring::FIELDS, scoring::NESTED)),
        _ => None,
    }
}

/// Memoizes a slow, pure key derivation (Argon2id, PBKDF2) for the life of the process, keyed
/// by SHA-256 over `label` and the length-prefixed `inputs`, so that checking several copies
/// of one file (as the mutation tests do) derives each key once. Values stay `SecretVec`s.
fn memoized(
    label: &str,
    inputs: &[&[u8]],
    derive: impl FnOnce() -> Result<sealwright::secret::SecretVec, String>,
) -> Result<sealwright::secret::SecretVec, String> {
    use sealwright::secret::SecretVec;
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static MEMO: OnceLock<Mutex<HashMap<[u8; 32], SecretVec>>> = OnceLock::new();
    let mut id = SecretVec::default();
    for part in std::iter::once(label.as_bytes()).chain(inputs.iter().copied()) {
        id.expose_mut()
            .extend_from_slice(&(part.len() as u64).to_be_bytes());
        id.expose_mut().extend_from_slice(part);
    }
    let id = sealwright::crypto::sha256(id.expose());
    let memo = MEMO.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(value) = memo.lock().ok().and_then(|m| m.get(&id).cloned()) {
        return Ok(value);
    }
    let value = derive()?;
    if let Ok(mut m) = memo.lock() {
        m.insert(id, value.clone());
    }
    Ok(value)
}
