//! Checks `shares.json` cases (spec §3, §6).
//!
//! Positive case: `address` is the EIP-55 address of `walletPrivate`; for the split and for
//! `recovery` (generation + 1), `coefficient` is in `[1, n-1]` and each of the shares
//! `x = 1, 2, 3` (each once, in any order) has `plaintext = 01 02 x u32be(generation) y` with
//! `y = d + a*x mod n` (computed here in plain 256-bit arithmetic, independently of the
//! core's Shamir code), `argon2Key = Argon2id(password, salt)` and `envelope = b64(salt || iv
//! || AESGCM(argon2Key, iv, plaintext, ""))`; `signature` is the RFC 6979 EIP-191 signature
//! of `message` under `walletPrivate`. Negative case: `open` (`password`, `envelope`) or
//! `combine` (`password`, `address`, `envelopes`) run through the core.

use super::{Case, CaseResult, fails_with, memoized, same};
use k256::Scalar;
use k256::elliptic_curve::ff::PrimeField;
use sealwright::encoding::{b64_encode, hex_encode};
use sealwright::secret::{SecretKey32, SecretString, SecretVec};
use sealwright::shares::{self, Address, EnvelopeKey, WalletKey};
use serde_json::Value;

/// The §6 fields of a `shares.json` case (positive, and the `open` / `combine` negatives).
pub(super) const FIELDS: &[&str] = &[
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
];

/// Nested lists and objects, by name, with the §6 fields of their entries.
pub(super) const NESTED: &[(&str, &[&str])] =
    &[("shares", SHARE_FIELDS), ("recovery", RECOVERY_FIELDS)];

/// The §6 fields of one entry of `shares`.
const SHARE_FIELDS: &[&str] = &["x", "plaintext", "salt", "iv", "argon2Key", "envelope"];

/// The §6 fields of `recovery`.
const RECOVERY_FIELDS: &[&str] = &["coefficient", "generation", "shares"];

/// Checks one case of `shares.json`.
pub(super) fn check(value: &Value) -> CaseResult {
    let case = Case::new(value, FIELDS)?;
    match case.negative()? {
        None => positive(&case),
        Some((expected, "open")) => {
            let password = SecretString::from(case.str("password")?);
            let envelope = case.str("envelope")?;
            fails_with(
                expected,
                shares::open_envelope(&password, envelope).map(|_| ()),
            )
        }
        Some((expected, "combine")) => {
            let password = SecretString::from(case.str("password")?);
            let address = case.str("address")?;
            let envelopes = case
                .get("envelopes")?
                .as_array()
                .ok_or("`envelopes` is not a list")?;
            let [first, second] = envelopes.as_slice() else {
                return Err(format!(
                    "`envelopes` has {} entries, not 2",
                    envelopes.len()
                ));
            };
            let (first, second) = match (first.as_str(), second.as_str()) {
                (Some(a), Some(b)) => (a, b),
                _ => return Err("`envelopes` holds a non-string".to_string()),
            };
            // The operation takes the stored address; an unparsable one is its input error.
            let result = Address::parse(address).and_then(|address| {
                shares::open_wallet(&password, first, second, &address).map(|_| ())
            });
            fails_with(expected, result)
        }
        Some((_, other)) => Err(format!(
            "unknown `operation` {other:?} (shares.json has open, combine)"
        )),
    }
}

fn positive(case: &Case<'_>) -> CaseResult {
    let password = SecretString::from(case.str("password")?);
    let d = case.hex_array::<32>("walletPrivate")?;
    let key = WalletKey::from_bytes(&SecretKey32::new(d))
        .map_err(|_| "`walletPrivate` is not a scalar in [1, n-1]".to_string())?;
    same(
        "address",
        case.str("address")?,
        key.address().to_checksummed().as_str(),
    )?;
    let generation = check_split(&password, &d, case, "")?;
    let message = case.str("message")?;
    same(
        "signature",
        case.str("signature")?,
        key.sign_message(message.as_bytes()).as_str(),
    )?;
    let recovery = case.object("recovery", RECOVERY_FIELDS)?;
    let next = generation
        .checked_add(1)
        .filter(|&g| g < u32::MAX)
        .ok_or("`generation` 2^32 - 1 cannot be recovered (spec §3)")?;
    same(
        "recovery.generation",
        recovery.u64("generation")?,
        u64::from(next),
    )?;
    check_split(&password, &d, &recovery, "recovery.")?;
    Ok(())
}

/// Checks `coefficient`, `generation` and `shares` of a split of `d`; returns the generation.
fn check_split(
    password: &SecretString,
    d: &[u8; 32],
    block: &Case<'_>,
    prefix: &str,
) -> Result<u32, String> {
    let a = block.hex_array::<32>("coefficient")?;
    let a_scalar = scalar(&a)
        .filter(|a| !bool::from(a.is_zero()))
        .ok_or_else(|| format!("`{prefix}coefficient` is not in [1, n-1]"))?;
    let d_scalar = scalar(d).ok_or("`walletPrivate` is not below the group order")?;
    let generation = u32::try_from(block.u64("generation")?)
        .map_err(|_| format!("`{prefix}generation` does not fit 32 bits"))?;
    let list = block.list("shares", SHARE_FIELDS)?;
    if list.len() != 3 {
        return Err(format!(
            "`{prefix}shares` has {} entries, not 3",
            list.len()
        ));
    }
    let mut seen = [false; 3];
    for (i, share) in list.iter().enumerate() {
        let field = |name: &str| format!("{prefix}shares[{i}].{name}");
        // The three shares x = 1, 2, 3, each once (§6 does not fix their order).
        let x = share.u64("x")?;
        let slot = usize::try_from(x)
            .ok()
            .and_then(|x| x.checked_sub(1))
            .and_then(|i| seen.get_mut(i))
            .ok_or_else(|| format!("`{}` is {x}, not 1, 2 or 3", field("x")))?;
        if std::mem::replace(slot, true) {
            return Err(format!("`{}`: share {x} is listed twice", field("x")));
        }
        let x = u8::try_from(x).map_err(|_| "checker bug: x".to_string())?;
        // y = d + a*x mod n; plaintext = 0x01 || 0x02 || x || u32be(generation) || y.
        let y: [u8; 32] = (d_scalar + a_scalar * Scalar::from(u64::from(x)))
            .to_repr()
            .into();
        let mut plaintext = vec![shares::FORMAT, shares::THRESHOLD, x];
        plaintext.extend_from_slice(&generation.to_be_bytes());
        plaintext.extend_from_slice(&y);
        same(
            &field("plaintext"),
            share.str("plaintext")?,
            hex_encode(&plaintext).as_str(),
        )?;
        let salt = share.hex_array::<16>("salt")?;
        let iv = share.hex_array::<12>("iv")?;
        let key = argon2_key(password, &salt)?;
        same(
            &field("argon2Key"),
            share.str("argon2Key")?,
            hex_encode(key.expose()).as_str(),
        )?;
        let sealed = sealwright::crypto::aes_gcm_encrypt(key.expose(), &iv, &plaintext, b"")
            .map_err(|e| format!("AES-GCM refused the share: {}", e.code()))?;
        let mut raw = Vec::with_capacity(shares::ENVELOPE_LEN);
        raw.extend_from_slice(&salt);
        raw.extend_from_slice(&iv);
        raw.extend_from_slice(&sealed);
        same(
            &field("envelope"),
            share.str("envelope")?,
            b64_encode(&raw).as_str(),
        )?;
    }
    Ok(generation)
}

/// `Argon2id(password, salt, t=3, m=65536 KiB, p=4, length 16)` through the core,
/// memoized (see `memoized`).
fn argon2_key(password: &SecretString, salt: &[u8; 16]) -> Result<EnvelopeKey, String> {
    let key = memoized("shares/argon2id", &[password.as_bytes(), salt], || {
        shares::derive_key(password, salt)
            .map(|k| SecretVec::from_slice(k.expose()))
            .map_err(|e| format!("Argon2id refused the password: {}", e.code()))
    })?;
    EnvelopeKey::from_slice(key.expose()).map_err(|_| "checker bug: key length".to_string())
}

/// A scalar mod n from 32 big-endian bytes: `None` unless it is below the group order.
fn scalar(bytes: &[u8; 32]) -> Option<Scalar> {
    Scalar::from_repr((*bytes).into()).into()
}
