//! Checks `totp.json` cases (spec §0 `TOTP`, §6): every `code` is recomputed from `key`,
//! `algorithm`, `digits`, `step` and `timeSeconds` (RFC 6238, T0 = 0). The file has no
//! negative cases.

use super::{Case, CaseResult, same};
use sealwright::attendance::totp::{Totp, TotpAlgorithm};
use sealwright::secret::SecretKey32;
use serde_json::Value;

/// The §6 fields of `totp.json`.
pub(super) const FIELDS: &[&str] = &[
    "name",
    "expectedError",
    "operation",
    "key",
    "algorithm",
    "digits",
    "step",
    "timeSeconds",
    "code",
];

/// `totp.json` has no nested lists.
pub(super) const NESTED: &[(&str, &[&str])] = &[];

/// Checks one case of `totp.json`.
pub(super) fn check(case: &Value) -> CaseResult {
    let c = Case::new(case, FIELDS)?;
    if let Some((_, op)) = c.negative()? {
        return Err(format!(
            "totp.json has no negative operations (§6), got {op:?}"
        ));
    }
    let key = c.hex("key")?;
    let name = c.str("algorithm")?;
    let algorithm = TotpAlgorithm::from_name(name)
        .map_err(|_| format!("`algorithm` {name:?} is not SHA1, SHA256 or SHA512"))?;
    let digits = u8::try_from(c.u64("digits")?).map_err(|_| "`digits` is out of range")?;
    let step = c.u64("step")?;
    let time = c.u64("timeSeconds")?;
    let totp = Totp::with_params(&key, algorithm, digits, step).map_err(|e| {
        format!(
            "`key`/`digits`/`step` refused by RFC 6238 (key of at least 16 bytes, 6 to 8 \
             digits, a non-zero step): {}",
            e.code()
        )
    })?;
    let code = totp.generate_at_seconds(time);
    same("code", c.str("code")?, code.as_str())?;
    // The protocol's own TOTP (§0: SHA-256, 6 digits, 30 s, 32-byte keys) goes through the
    // generator the protocols use too.
    if algorithm == TotpAlgorithm::Sha256
        && digits == 6
        && step == 30
        && let Ok(k) = SecretKey32::from_slice(&key)
    {
        let ms = time
            .checked_mul(1000)
            .ok_or("`timeSeconds` is out of range")?;
        same(
            "code (protocol TOTP)",
            c.str("code")?,
            Totp::new(&k).generate(ms).as_str(),
        )?;
    }
    Ok(())
}
