//! Checks `relay.json` cases (spec §1, §6).
//!
//! Positive cases: the recipient key pair and the pinned signing JWK must match their private
//! keys; `sealed` and `responseJws` (RFC 6979 ES256) are recomputed byte for byte; the PS256
//! `request` is verified and its payload compared; the server's response is recomputed with
//! the recorded `cek` and `responseIv`, compared part by part except the RSA-OAEP wrapped key,
//! which must unwrap to `cek`; the file's `response` must open to `value` for `jti`.
//! Negative cases run `register`, `serverDecrypt` or `recipientOpen` over the state §6 lets
//! them carry.

use super::{Case, CaseResult, fails_with, same};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::crypto::aes_gcm_decrypt;
use sealwright::encoding::{b64url_decode, b64url_encode, hex_encode};
use sealwright::relay::{
    Recipient, RecipientPublicKey, RelayKey, RelayKeys, RelaySigningKey, RelayVerifyingKey,
    verify_es256_jws, verify_request,
};
use sealwright::rng::ScriptedThen;
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::SecretKey32;
use serde_json::{Value, json};

/// The §6 fields of `relay.json`: the positive row, the negative-case fields and the
/// `serverDecrypt` state `seenJtis`.
pub(super) const FIELDS: &[&str] = &[
    "name",
    "expectedError",
    "operation",
    "relayKey",
    "rkid",
    "signingPrivate",
    "skid",
    "signingJwk",
    "recipientJwk",
    "recipientPrivateKeyPkcs8",
    "value",
    "sealIv",
    "aud",
    "sealed",
    "now",
    "request",
    "jti",
    "responseIat",
    "responseJws",
    "cek",
    "responseIv",
    "response",
    "seenJtis",
];

/// `relay.json` has no nested lists.
pub(super) const NESTED: &[(&str, &[&str])] = &[];

/// A core result as a case result naming what failed.
fn core<T>(what: &str, r: sealwright::Result<T>) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {}", e.code()))
}

/// A fixed RNG for RSA blinding and padding, where the output does not matter.
fn rng() -> ChaCha20Rng {
    ChaCha20Rng::from_seed([0x5e; 32])
}

/// Checks one case of `relay.json`.
pub(super) fn check(case: &Value) -> CaseResult {
    let c = Case::new(case, FIELDS)?;
    match c.negative()? {
        None => positive(&c),
        Some((expected, "register")) => fails_with(
            expected,
            RecipientPublicKey::from_jwk(&c.get("recipientJwk")?.to_string()),
        ),
        Some((expected, "serverDecrypt")) => {
            let keys = server_keys(&c, false)?;
            let registered = registered(&c)?;
            let seen = seen_jtis(&c)?;
            let now_ms = now_ms(&c)?;
            let got = keys.decrypt_request(
                c.str("request")?,
                |rid| (rid == registered.rid()).then(|| registered.clone()),
                |jti| seen.iter().any(|j| j == jti),
                now_ms,
                &mut rng(),
            );
            fails_with(expected, got)
        }
        Some((expected, "recipientOpen")) => {
            let recipient = recipient(&c)?;
            let pinned = pinned(&c)?;
            let got = recipient.open_response_for_jti(
                c.str("response")?,
                c.str("jti")?,
                &pinned,
                &mut rng(),
            );
            fails_with(expected, got)
        }
        Some((_, op)) => Err(format!("unknown `operation` {op:?} for relay.json")),
    }
}

/// `recipientJwk` as registered (it must register).
fn registered(c: &Case<'_>) -> Result<RecipientPublicKey, String> {
    let jwk = c.get("recipientJwk")?;
    core(
        "`recipientJwk` does not register",
        RecipientPublicKey::from_jwk(&jwk.to_string()),
    )
}

/// The recipient from `recipientPrivateKeyPkcs8`, which must be the canonical PKCS#8 DER of a
/// key whose public half is `recipientJwk`.
fn recipient(c: &Case<'_>) -> Result<Recipient, String> {
    let der = c.hex("recipientPrivateKeyPkcs8")?;
    let r = core(
        "`recipientPrivateKeyPkcs8` is not a usable recipient key",
        Recipient::from_pkcs8_der(&der),
    )?;
    canonical_der("recipientPrivateKeyPkcs8", &der, r.to_pkcs8_der())?;
    if r.public_key() != &registered(c)? {
        return Err(
            "`recipientPrivateKeyPkcs8` is not the private key of `recipientJwk`".to_string(),
        );
    }
    Ok(r)
}

/// Compares two values of the file that must agree.
pub(super) fn agree<T: PartialEq + std::fmt::Debug>(a: &str, x: T, b: &str, y: T) -> CaseResult {
    if x == y {
        Ok(())
    } else {
        Err(format!("{a} is {x:?} but {b} is {y:?}"))
    }
}

/// A PKCS#8 field must be the DER our parser re-encodes: same key, same CRT values, nothing
/// else (a wrong `dp`, `dq` or `qi` would otherwise go unnoticed, as the parser recomputes
/// them).
pub(super) fn canonical_der(
    field: &str,
    der: &[u8],
    reencoded: sealwright::Result<sealwright::secret::SecretVec>,
) -> CaseResult {
    let reencoded = core(field, reencoded)?;
    if reencoded.expose() == der {
        Ok(())
    } else {
        Err(format!(
            "`{field}` is not the canonical PKCS#8 DER of its key (wrong CRT values or extra \
             members)"
        ))
    }
}

/// The signing key from `signingPrivate` and `skid`.
fn signing_key(c: &Case<'_>) -> Result<RelaySigningKey, String> {
    let scalar = SecretKey32::new(c.hex_array("signingPrivate")?);
    core(
        "`signingPrivate`/`skid` is not a signing key",
        RelaySigningKey::new(c.str("skid")?, &scalar),
    )
}

/// The server's keys. A negative `serverDecrypt` case need not carry the signing key (§6
/// lists `relayKey`, `rkid`, `recipientJwk`, `request`, `now`, `seenJtis`): the response is
/// only signed after every check passed, so any key serves then.
fn server_keys(c: &Case<'_>, positive: bool) -> Result<RelayKeys, String> {
    let key = SecretKey32::new(c.hex_array("relayKey")?);
    let relay_key = core(
        "`relayKey`/`rkid` is not a relay key",
        RelayKey::new(c.str("rkid")?, key),
    )?;
    let signing = if positive || c.opt("signingPrivate")?.is_some() {
        signing_key(c)?
    } else {
        core(
            "fallback signing key",
            RelaySigningKey::new("checker", &SecretKey32::new([1; 32])),
        )?
    };
    Ok(RelayKeys::new(relay_key, signing))
}

/// The pinned relay signing key: `signingJwk` under `skid`.
fn pinned(c: &Case<'_>) -> Result<Vec<RelayVerifyingKey>, String> {
    let jwk = c.get("signingJwk")?;
    Ok(vec![core(
        "`signingJwk` is not a P-256 public JWK",
        RelayVerifyingKey::from_jwk(c.str("skid")?, &jwk.to_string()),
    )?])
}

/// `seenJtis` (optional): the `jti`s this server accepted in the last 660 s.
fn seen_jtis(c: &Case<'_>) -> Result<Vec<String>, String> {
    let Some(v) = c.opt("seenJtis")? else {
        return Ok(Vec::new());
    };
    v.as_array()
        .ok_or("`seenJtis` is not a list")?
        .iter()
        .map(|j| {
            j.as_str()
                .map(str::to_string)
                .ok_or_else(|| "`seenJtis` holds a non-string".to_string())
        })
        .collect()
}

/// `now` (seconds) in ms.
fn now_ms(c: &Case<'_>) -> Result<u64, String> {
    c.u64("now")?
        .checked_mul(1000)
        .ok_or_else(|| "`now` is out of range".to_string())
}

/// The header or payload part of a compact serialization, as parsed JSON.
fn json_part(field: &str, compact: &str, index: usize) -> Result<Value, String> {
    let part = compact
        .split('.')
        .nth(index)
        .ok_or_else(|| format!("`{field}` has no part {index}"))?;
    let bytes = b64url_decode(part).map_err(|_| format!("`{field}` part {index} is not b64url"))?;
    serde_json::from_slice(&bytes).map_err(|_| format!("`{field}` part {index} is not JSON"))
}

fn positive(c: &Case<'_>) -> CaseResult {
    // Keys: the recipient pair (and its registration), the pinned signing JWK.
    let recipient = recipient(c)?;
    let rid = recipient.rid().to_string();
    let signing = signing_key(c)?;
    let pinned = pinned(c)?;
    if pinned.first() != Some(&signing.verifying_key()) {
        return Err("`signingJwk` is not the public key of `signingPrivate`".to_string());
    }

    // Step 2: sealing is deterministic given the IV.
    let value = c.hex("value")?;
    let aud = match c.get("aud")? {
        Value::Null => None,
        Value::String(aud) => Some(aud.as_str()),
        _ => return Err("`aud` is neither a string nor null".to_string()),
    };
    if let Some(aud) = aud {
        agree(
            "`aud`",
            aud,
            "the rid (RFC 7638 thumbprint) of `recipientJwk`",
            rid.as_str(),
        )?;
    }
    let keys = server_keys(c, true)?;
    let iv: [u8; 12] = c.hex_array("sealIv")?;
    let sealed = core(
        "sealing `value`",
        keys.current().seal_with_iv(&value, aud, &iv),
    )?;
    same("sealed", c.str("sealed")?, sealed.as_str())?;

    // Step 3: the request is a PS256 JWS (randomized: verified, not recomputed).
    let request = c.str("request")?;
    let jti = c.str("jti")?;
    let payload = core(
        "`request` does not verify under `recipientJwk`",
        verify_request(request, |_| Some(recipient.public_key().clone())),
    )?;
    same(
        "request (header)",
        json_part("request", request, 0)?,
        json!({"alg": "PS256", "kid": rid}),
    )?;
    let payload: Value =
        serde_json::from_slice(&payload).map_err(|_| "`request` payload is not JSON")?;
    agree(
        "the `request` payload's `sealed`",
        payload.get("sealed"),
        "`sealed`",
        Some(&json!(sealed)),
    )?;
    agree(
        "the `request` payload's `jti`",
        payload.get("jti"),
        "`jti`",
        Some(&json!(jti)),
    )?;
    if !payload.get("iat").is_some_and(Value::is_u64) {
        return Err("`request` payload `iat` is not a non-negative integer".to_string());
    }
    match b64url_decode(jti) {
        Ok(b) if b.len() == 16 => {}
        _ => return Err("`jti` is not b64url of 16 bytes".to_string()),
    }

    // Step 5, inner JWS: ES256 is RFC 6979 deterministic, so it is recomputed.
    let iat = c.u64("responseIat")?;
    agree("`responseIat`", iat, "`now` (§1 step 5)", c.u64("now")?)?;
    let jws = core(
        "signing the response",
        signing.sign_response(jti, iat, &value),
    )?;
    let response_jws = c.str("responseJws")?;
    same("responseJws", response_jws, jws.expose())?;
    let inner = core(
        "`responseJws` does not verify under `signingJwk`",
        verify_es256_jws(response_jws, &pinned),
    )?;
    same(
        "responseJws (payload)",
        format!(
            r#"{{"jti":"{jti}","iat":{iat},"value":"{}"}}"#,
            b64url_encode(&value)
        ),
        String::from_utf8_lossy(&inner).into_owned(),
    )?;

    // Steps 4-5: the server run with the recorded CEK and IV (the OAEP padding after them is
    // random) gives the file's response except the wrapped key.
    let cek: [u8; 32] = c.hex_array("cek")?;
    let response_iv: [u8; 12] = c.hex_array("responseIv")?;
    let registered = recipient.public_key().clone();
    let mut scripted = ScriptedThen::new([&cek[..], &response_iv[..]], rng());
    let accepted = core(
        "the server refused `request`",
        keys.decrypt_request(
            request,
            |kid| (kid == registered.rid()).then(|| registered.clone()),
            |_| false,
            now_ms(c)?,
            &mut scripted,
        ),
    )?;
    same("jti (accepted)", jti, accepted.jti.as_str())?;
    let response = c.str("response")?;
    let theirs: Vec<&str> = response.split('.').collect();
    let ours: Vec<&str> = accepted.response.split('.').collect();
    let ([th, tek, tiv, tct, ttag], [oh, _, oiv, oct, otag]) = (theirs.as_slice(), ours.as_slice())
    else {
        return Err("`response` is not five dot-separated parts".to_string());
    };
    same("response (protected header)", *th, *oh)?;
    same("response (IV)", *tiv, *oiv)?;
    same("response (ciphertext)", *tct, *oct)?;
    same("response (tag)", *ttag, *otag)?;
    same(
        "response (header)",
        json_part("response", response, 0)?,
        json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": rid, "cty": "JWT"}),
    )?;
    // The wrapped key is randomized: it must unwrap to `cek`.
    let private = core(
        "`recipientPrivateKeyPkcs8`",
        RsaPrivateKey::from_pkcs8_der(&c.hex("recipientPrivateKeyPkcs8")?),
    )?;
    let wrapped = b64url_decode(tek).map_err(|_| "`response` wrapped key is not b64url")?;
    let unwrapped = core(
        "`response` wrapped key does not unwrap",
        private.oaep_sha256_decrypt(&wrapped, &mut rng()),
    )?;
    same(
        "cek (unwrapped from response)",
        hex_encode(&cek),
        hex_encode(unwrapped.expose()),
    )?;
    let mut ct_tag = b64url_decode(tct).map_err(|_| "`response` ciphertext is not b64url")?;
    ct_tag.extend(b64url_decode(ttag).map_err(|_| "`response` tag is not b64url")?);
    let plaintext = core(
        "`response` does not open under `cek`",
        aes_gcm_decrypt(&cek, &response_iv, &ct_tag, th.as_bytes()),
    )?;
    same(
        "response (plaintext)",
        response_jws,
        String::from_utf8_lossy(plaintext.expose()).as_ref(),
    )?;

    // The recipient opens the file's response for its jti.
    let opened = core(
        "the recipient refused `response`",
        recipient.open_response_for_jti(response, jti, &pinned, &mut rng()),
    )?;
    same(
        "value (opened from response)",
        hex_encode(&value),
        hex_encode(opened.expose()),
    )
}
