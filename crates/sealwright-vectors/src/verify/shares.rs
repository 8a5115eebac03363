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
use sealwright::encoding::{b64_encode, hex_encode};
use sealwright::secret::{SecretKey32, SecretString, SecretVec};
use sealwright::shares::{self, Address, EnvelopeKey, WalletKey};
use serde_json::Value;

/// The §6 fields of a `shares.json` case (positive, and the `open` / `combine` negatives).
const FIELDS: &[&str] = &[
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
    let a_limbs = from_be(&a);
    if a_limbs == [0; 5] || ge(&a_limbs, &N) {
        return Err(format!("`{prefix}coefficient` is not in [1, n-1]"));
    }
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
        let y = to_be(&reduce(add(
            &from_be(d),
            &mul_small(&a_limbs, u64::from(x)),
        )));
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

/// 256-bit integers as five little-endian 64-bit limbs (room for `d + 3a`).
type Limbs = [u64; 5];

/// The secp256k1 group order `n`.
const N: Limbs = [
    0xBFD2_5E8C_D036_4141,
    0xBAAE_DCE6_AF48_A03B,
    0xFFFF_FFFF_FFFF_FFFE,
    0xFFFF_FFFF_FFFF_FFFF,
    0,
];

fn from_be(bytes: &[u8; 32]) -> Limbs {
    let mut out = [0u64; 5];
    for (limb, chunk) in out.iter_mut().zip(bytes.rchunks_exact(8)) {
        *limb = u64::from_be_bytes(chunk.try_into().unwrap_or_default());
    }
    out
}

/// The low 256 bits, big-endian (callers pass values below `n`).
fn to_be(limbs: &Limbs) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, limb) in out.rchunks_exact_mut(8).zip(limbs) {
        chunk.copy_from_slice(&limb.to_be_bytes());
    }
    out
}

fn add(a: &Limbs, b: &Limbs) -> Limbs {
    let mut out = [0u64; 5];
    let mut carry = 0u128;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        let sum = u128::from(*x) + u128::from(*y) + carry;
        *o = sum as u64; // the low 64 bits
        carry = sum >> 64;
    }
    out
}

fn mul_small(a: &Limbs, k: u64) -> Limbs {
    let mut out = [0u64; 5];
    let mut carry = 0u128;
    for (o, x) in out.iter_mut().zip(a) {
        let product = u128::from(*x) * u128::from(k) + carry;
        *o = product as u64; // the low 64 bits
        carry = product >> 64;
    }
    out
}

fn ge(a: &Limbs, b: &Limbs) -> bool {
    for (x, y) in a.iter().zip(b).rev() {
        if x != y {
            return x > y;
        }
    }
    true
}

fn sub(a: &Limbs, b: &Limbs) -> Limbs {
    let mut out = [0u64; 5];
    let mut borrow = false;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        let (d1, b1) = x.overflowing_sub(*y);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        *o = d2;
        borrow = b1 || b2;
    }
    out
}

/// `v mod n` for `v < 5n` (here `d + a*x` with `x <= 3`).
fn reduce(mut v: Limbs) -> Limbs {
    for _ in 0..5 {
        if ge(&v, &N) {
            v = sub(&v, &N);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_mod_n() {
        let n_minus_1 = sub(&N, &[1, 0, 0, 0, 0]);
        // (n-1) + 3(n-1) = 4n - 4 = n - 4 mod n.
        let v = reduce(add(&n_minus_1, &mul_small(&n_minus_1, 3)));
        assert_eq!(v, sub(&N, &[4, 0, 0, 0, 0]));
        assert_eq!(from_be(&to_be(&v)), v);
        assert!(ge(&N, &N) && !ge(&n_minus_1, &N));
    }
}
