//! Checks `vault.json` cases (spec §4, §6).
//!
//! Positive case, every field recomputed: each `legacy` entry's `pbkdf2Key` from `secret` and
//! `userId`, and its `record` (compared as parsed JSON) from that key, `iv` and `plaintext`;
//! each `verifiers` entry's `phc` is recomputed from `password`, `salt` and the iteration
//! count it states; in `v2`, `masterKey` from `masterPassword`, `salt` and `kdf`, then
//! `authHash`, `authVerifier`, `wrapKey`, `wrappedVaultKey` from `vaultKey` and `wrapNonce`
//! (and unwrapped again by the core), each record from `recordId`, `plaintext` and `nonce`;
//! `passwordChange` likewise with the new password, salt, KDF and nonce around the same
//! `vaultKey`. Negative case: `openLegacy`, `parseVerifier`, `unlock` or `openRecord` run
//! through the core.

use super::{Case, CaseResult, fails_with, memoized, same};
use sealwright::crypto::sealed_with_nonce;
use sealwright::encoding::{b64url_encode, concat_lp, hex_encode, phc_b64_encode};
use sealwright::rng::ScriptedRng;
use sealwright::secret::{SecretKey32, SecretString, SecretVec};
use sealwright::vault::{
    self, KdfParams, LegacyRecord, PasswordVerifier, UnlockedVault, legacy_compat,
};
use serde_json::Value;

/// The §6 fields of a `vault.json` case (positive, and the four negative operations).
pub(super) const FIELDS: &[&str] = &[
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
];

/// Nested lists and objects, by name, with the §6 fields of their entries.
pub(super) const NESTED: &[(&str, &[&str])] = &[
    ("legacy", LEGACY_FIELDS),
    ("verifiers", VERIFIER_FIELDS),
    ("v2", V2_FIELDS),
    ("records", RECORD_FIELDS),
    ("passwordChange", CHANGE_FIELDS),
];

/// The §6 fields of one `legacy` entry.
const LEGACY_FIELDS: &[&str] = &[
    "userId",
    "secret",
    "withMasterPassword",
    "pbkdf2Key",
    "iv",
    "plaintext",
    "record",
];

/// The §6 fields of one `verifiers` entry.
const VERIFIER_FIELDS: &[&str] = &["password", "salt", "phc"];

/// The §6 fields of `v2`.
const V2_FIELDS: &[&str] = &[
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
];

/// The §6 fields of one `v2.records` entry.
const RECORD_FIELDS: &[&str] = &["recordId", "plaintext", "nonce", "record"];

/// The §6 fields of `v2.passwordChange`.
const CHANGE_FIELDS: &[&str] = &[
    "newMasterPassword",
    "newSalt",
    "newKdf",
    "newMasterKey",
    "newAuthHash",
    "newAuthVerifier",
    "newWrapKey",
    "newWrapNonce",
    "newWrappedVaultKey",
];

/// Checks one case of `vault.json`.
pub(super) fn check(value: &Value) -> CaseResult {
    let case = Case::new(value, FIELDS)?;
    let Some((expected, operation)) = case.negative()? else {
        return positive(&case);
    };
    let result = match operation {
        "openLegacy" => {
            let secret = SecretString::from(case.str("secret")?);
            let user_id = case.str("userId")?;
            let record = case.get("record")?.to_string();
            LegacyRecord::from_json(&record).and_then(|record| {
                let key = vault::legacy_record_key(&secret, user_id)?;
                record.open(&key).map(|_| ())
            })
        }
        "parseVerifier" => PasswordVerifier::parse(case.str("phc")?).map(|_| ()),
        "unlock" => unlock(&case)?.map(|_| ()),
        "openRecord" => {
            let record_id = case.str("recordId")?;
            let record = case.str("record")?;
            unlock(&case)?.and_then(|v| v.decrypt_record(record_id, record).map(|_| ()))
        }
        other => {
            return Err(format!(
                "unknown `operation` {other:?} (vault.json has openLegacy, parseVerifier, \
                 unlock, openRecord)"
            ));
        }
    };
    fails_with(expected, result)
}

/// The `unlock` operation over the case's fields: the outer `Err` is a defect of the file,
/// the inner result the operation's.
fn unlock(case: &Case<'_>) -> Result<sealwright::Result<UnlockedVault>, String> {
    let user_id = case.str("userId")?;
    let password = SecretString::from(case.str("masterPassword")?);
    let salt = case.hex("salt")?;
    let kdf = case.get("kdf")?.to_string();
    let wrapped = case.str("wrappedVaultKey")?;
    Ok(KdfParams::from_json(&kdf)
        .and_then(|kdf| vault::unlock(user_id, &password, &salt, &kdf, wrapped)))
}

fn positive(case: &Case<'_>) -> CaseResult {
    let v2 = case.object("v2", V2_FIELDS)?;
    check_v2(&v2)?;
    let legacy = case.list("legacy", LEGACY_FIELDS)?;
    if legacy.is_empty() {
        return Err("`legacy` is empty".to_string());
    }
    for (i, entry) in legacy.iter().enumerate() {
        check_legacy(entry).map_err(|e| format!("legacy[{i}]: {e}"))?;
    }
    let verifiers = case.list("verifiers", VERIFIER_FIELDS)?;
    if verifiers.is_empty() {
        return Err("`verifiers` is empty".to_string());
    }
    for (i, entry) in verifiers.iter().enumerate() {
        check_verifier(entry).map_err(|e| format!("verifiers[{i}]: {e}"))?;
    }
    Ok(())
}

/// A core error as a reason.
fn core(what: &str) -> impl Fn(sealwright::Error) -> String + '_ {
    move |e| format!("{what}: {}", e.code())
}

fn check_legacy(entry: &Case<'_>) -> CaseResult {
    let user_id = entry.str("userId")?;
    let secret = SecretString::from(entry.str("secret")?);
    // Spec §4.1: both keys are PBKDF2-HMAC-SHA256(text, userId, 100000, 32); the flag only
    // says which text it was, so it is read (a boolean) but cannot change the key.
    let with_master_password = entry.bool("withMasterPassword")?;
    let key = memoized(
        "vault/legacy",
        &[
            &[u8::from(with_master_password)],
            secret.as_bytes(),
            user_id.as_bytes(),
        ],
        || {
            if with_master_password {
                vault::legacy_master_password_key(&secret, user_id)
            } else {
                vault::legacy_record_key(&secret, user_id)
            }
            .map(|k| SecretVec::from_slice(k.expose()))
            .map_err(core("no legacy key for `userId`"))
        },
    )
    .and_then(key32)?;
    same(
        "pbkdf2Key",
        entry.str("pbkdf2Key")?,
        hex_encode(key.expose()).as_str(),
    )?;
    let iv = entry.hex_array::<16>("iv")?;
    let plaintext = entry.hex("plaintext")?;
    let sealed = legacy_compat::seal_legacy_record_for_tests(&key, &iv, &plaintext)
        .map_err(core("sealing the legacy record"))?;
    let recomputed: Value = serde_json::from_str(&sealed.to_json())
        .map_err(|e| format!("checker bug: legacy JSON does not parse: {e}"))?;
    same("record", entry.get("record")?, &recomputed)?;
    // And the core reads it back.
    let opened = LegacyRecord::from_json(&recomputed.to_string())
        .and_then(|r| r.open(&key))
        .map_err(core("the core does not open the record"))?;
    same(
        "plaintext",
        hex_encode(&plaintext),
        hex_encode(opened.expose()),
    )
}

fn check_verifier(entry: &Case<'_>) -> CaseResult {
    let phc = entry.str("phc")?;
    let parsed = PasswordVerifier::parse(phc).map_err(core("`phc` does not parse"))?;
    same(
        "salt",
        entry.str("salt")?,
        hex_encode(parsed.salt()).as_str(),
    )?;
    // `$pbkdf2-sha256$i=<i>,l=32$<salt>$<PBKDF2(password, salt, i, 32)>`, recomputed.
    let password = SecretString::from(entry.str("password")?);
    let iterations = parsed.iterations();
    let hash = memoized(
        "vault/phc",
        &[
            &iterations.to_be_bytes(),
            password.as_bytes(),
            parsed.salt(),
        ],
        || {
            let mut out = SecretVec::new(vec![0; 32]);
            vault::pbkdf2_sha256(
                password.as_bytes(),
                parsed.salt(),
                iterations,
                out.expose_mut(),
            )
            .map_err(core("PBKDF2"))?;
            Ok(out)
        },
    )?;
    let recomputed = format!(
        "${}$i={iterations},l=32${}${}",
        vault::PHC_ID,
        phc_b64_encode(parsed.salt()),
        phc_b64_encode(hash.expose())
    );
    same("phc", phc, recomputed.as_str())
}

/// A memoized key as 32 bytes.
fn key32(key: SecretVec) -> Result<SecretKey32, String> {
    SecretKey32::from_slice(key.expose()).map_err(|_| "checker bug: key length".to_string())
}

/// A KDF object field, parsed by the core (spec §4.2 rules).
fn kdf(case: &Case<'_>, key: &str) -> Result<KdfParams, String> {
    KdfParams::from_json(&case.get(key)?.to_string()).map_err(|e| format!("`{key}`: {}", e.code()))
}

/// `masterKey`, `authHash`, `authVerifier` and `wrapKey` from a password, salt and KDF;
/// `names` are the seven field names in that order (`v2` or `passwordChange` spelling).
/// Returns `WK`.
fn check_keys(block: &Case<'_>, names: [&str; 7]) -> Result<SecretKey32, String> {
    let [password, salt, kdf_name, master, auth, verifier, wrap] = names;
    let password = SecretString::from(block.str(password)?);
    let salt = block.hex_array::<16>(salt)?;
    let params = kdf(block, kdf_name)?;
    let mk = memoized(
        "vault/master-key",
        &[params.to_json().as_bytes(), password.as_bytes(), &salt],
        || {
            params
                .master_key(&password, &salt)
                .map(|k| SecretVec::from_slice(k.expose()))
                .map_err(|e| format!("`{kdf_name}`: {}", e.code()))
        },
    )
    .and_then(key32)?;
    same(master, block.str(master)?, hex_encode(mk.expose()).as_str())?;
    let ah = vault::auth_hash(&mk).map_err(core("auth hash"))?;
    same(auth, block.str(auth)?, hex_encode(ah.expose()).as_str())?;
    same(
        verifier,
        block.str(verifier)?,
        hex_encode(&vault::auth_verifier(&ah)).as_str(),
    )?;
    let wk = vault::wrap_key(&mk).map_err(core("wrap key"))?;
    same(wrap, block.str(wrap)?, hex_encode(wk.expose()).as_str())?;
    Ok(wk)
}

/// `"sw2k." || b64url(sealed(WK, VK, "sealwright/v2/vault/key" || lp(userId)))` with the
/// given nonce, compared with the field, which the core must also unwrap to `VK`.
fn check_wrapped(
    field: &str,
    wrapped: &str,
    wk: &SecretKey32,
    nonce: &[u8; 12],
    user_id: &str,
    vault_key: &[u8; 32],
) -> Result<UnlockedVault, String> {
    let aad = concat_lp(vault::KEY_AAD, &[user_id.as_bytes()]).map_err(core("`userId`"))?;
    let boxed = sealed_with_nonce(wk.expose(), nonce, vault_key, &aad).map_err(core("wrap"))?;
    let mut recomputed = String::from(vault::WRAPPED_KEY_PREFIX);
    recomputed.push_str(&b64url_encode(&boxed));
    same(field, wrapped, recomputed.as_str())?;
    let unlocked = vault::unlock_with_wrap_key(user_id, wk, wrapped)
        .map_err(core("the core does not unwrap it"))?;
    same(
        "vaultKey",
        hex_encode(vault_key),
        hex_encode(unlocked.vault_key().expose()),
    )?;
    Ok(unlocked)
}

fn check_v2(v2: &Case<'_>) -> CaseResult {
    let user_id = v2.str("userId")?;
    let vault_key = v2.hex_array::<32>("vaultKey")?;
    let wk = check_keys(
        v2,
        [
            "masterPassword",
            "salt",
            "kdf",
            "masterKey",
            "authHash",
            "authVerifier",
            "wrapKey",
        ],
    )
    .map_err(|e| format!("v2: {e}"))?;
    let unlocked = check_wrapped(
        "wrappedVaultKey",
        v2.str("wrappedVaultKey")?,
        &wk,
        &v2.hex_array::<12>("wrapNonce")?,
        user_id,
        &vault_key,
    )
    .map_err(|e| format!("v2: {e}"))?;

    let records = v2.list("records", RECORD_FIELDS)?;
    if records.is_empty() {
        return Err("`v2.records` is empty".to_string());
    }
    for (i, r) in records.iter().enumerate() {
        let nonce = r.hex_array::<12>("nonce")?;
        let record = unlocked
            .encrypt_record(
                r.str("recordId")?,
                &r.hex("plaintext")?,
                &mut ScriptedRng::new([nonce]),
            )
            .map_err(|e| format!("v2.records[{i}]: `recordId`: {}", e.code()))?;
        same(
            &format!("v2.records[{i}].record"),
            r.str("record")?,
            record.as_str(),
        )?;
    }

    let change = v2.object("passwordChange", CHANGE_FIELDS)?;
    let new_wk = check_keys(
        &change,
        [
            "newMasterPassword",
            "newSalt",
            "newKdf",
            "newMasterKey",
            "newAuthHash",
            "newAuthVerifier",
            "newWrapKey",
        ],
    )
    .map_err(|e| format!("v2.passwordChange: {e}"))?;
    check_wrapped(
        "newWrappedVaultKey",
        change.str("newWrappedVaultKey")?,
        &new_wk,
        &change.hex_array::<12>("newWrapNonce")?,
        user_id,
        &vault_key,
    )
    .map_err(|e| format!("v2.passwordChange: {e}"))?;
    Ok(())
}
