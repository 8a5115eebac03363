//! Relay (spec §1) behaviour: exact wire bytes, check order, boundaries, rotation, replay
//! state through effects, redaction.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod relay_common;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use relay_common::{NOW_MS, fixture, keys, lookup, pinned, wrap_inner, wrap_with_header};
use sealwright::Error;
use sealwright::effect::MemoryStore;
use sealwright::encoding::{b64url_decode, b64url_encode, hex_encode};
use sealwright::relay::{
    DecryptionRequest, JTI_TTL_SECONDS, MAX_VALUE_LEN, Recipient, RecipientPublicKey, RelayKey,
    RelayKeys, RelaySigningKey, jti_store_key, thumbprint,
};
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::SecretKey32;
use serde_json::{Value, json};

fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

fn header_of(compact: &str) -> String {
    String::from_utf8(b64url_decode(compact.split('.').next().unwrap()).unwrap()).unwrap()
}

fn decrypt(
    keys: &RelayKeys,
    request: &str,
    known: &[&Recipient],
    now_ms: u64,
) -> sealwright::Result<sealwright::relay::Accepted> {
    keys.decrypt_request(request, lookup(known), |_| false, now_ms, &mut rng(99))
}

#[test]
fn rfc7638_thumbprint_example() {
    let n = b64url_decode(concat!(
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJ",
        "ECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FD",
        "W2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4v",
        "MQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    ))
    .unwrap();
    assert_eq!(
        thumbprint(&n, &[1, 0, 1]),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    // The RFC's 2048-bit example key itself is below the relay minimum.
    let jwk =
        json!({"kty":"RSA","n": b64url_encode(&n),"e":"AQAB","alg":"RS256","kid":"2011-04-29"});
    assert_eq!(
        RecipientPublicKey::from_jwk(&jwk.to_string()).unwrap_err(),
        Error::KeyRejected
    );
}

#[test]
fn jwk_other_members_are_ignored_and_rid_is_the_thumbprint() {
    let a = &fixture().a;
    let base: Value = serde_json::from_str(&a.jwk()).unwrap();
    assert_eq!(
        a.jwk(),
        format!(
            r#"{{"kty":"RSA","n":"{}","e":"AQAB"}}"#,
            base["n"].as_str().unwrap()
        )
    );
    let extra = json!({"e":"AQAB","use":"enc","alg":"RSA-OAEP-256","kid":"mine","n": base["n"],"kty":"RSA","x5c":["AAAA"]});
    let reg = RecipientPublicKey::from_jwk(&extra.to_string()).unwrap();
    assert_eq!(reg.rid(), a.rid());
    let pk = reg.public_key();
    assert_eq!(reg.rid(), thumbprint(&pk.n_bytes(), &pk.e_bytes()));
    assert_eq!(pk.bits(), 4096);
    // Independent recomputation of RFC 7638 over the required members.
    let canonical = format!(
        r#"{{"e":"AQAB","kty":"RSA","n":"{}"}}"#,
        base["n"].as_str().unwrap()
    );
    assert_eq!(
        reg.rid(),
        b64url_encode(&sealwright::crypto::sha256(canonical.as_bytes()))
    );
    // Private members are rejected even when null.
    let mut with_d = base.clone();
    with_d["d"] = Value::Null;
    assert_eq!(
        RecipientPublicKey::from_jwk(&with_d.to_string()).unwrap_err(),
        Error::KeyRejected
    );
    // Non-string n.
    let mut n_num = base.clone();
    n_num["n"] = json!(5);
    assert_eq!(
        RecipientPublicKey::from_jwk(&n_num.to_string()).unwrap_err(),
        Error::InvalidInput
    );
    assert_eq!(
        RecipientPublicKey::from_jwk("{").unwrap_err(),
        Error::InvalidInput
    );
}

/// Spec §1 step 1, checks in order: a JSON object (INVALID_INPUT); kty present and "RSA"
/// (KEY_REJECTED); n and e present, strings, strict b64url (INVALID_INPUT); then the
/// KEY_REJECTED rejections. Each pair below has defects at two levels: the earlier check wins.
#[test]
fn jwk_check_order() {
    let a = &fixture().a;
    let base: Value = serde_json::from_str(&a.jwk()).unwrap();
    let n = base["n"].as_str().unwrap().to_string();
    let n_bytes = b64url_decode(&n).unwrap();
    let reg = |v: Value| RecipientPublicKey::from_jwk(&v.to_string()).map(|k| k.rid().to_string());
    let cases: Vec<(&str, Value, Error)> = vec![
        // 1. JSON object.
        ("array", json!([{"kty": "RSA"}]), Error::InvalidInput),
        ("string", json!("RSA"), Error::InvalidInput),
        ("null", Value::Null, Error::InvalidInput),
        // 2. kty, before n/e shape.
        (
            "kty missing, n missing",
            json!({"e": "AQAB"}),
            Error::KeyRejected,
        ),
        (
            "kty missing, n bad",
            json!({"n": format!("{n}="), "e": "AQAB"}),
            Error::KeyRejected,
        ),
        (
            "kty EC, private d",
            json!({"kty": "EC", "d": "AQ"}),
            Error::KeyRejected,
        ),
        (
            "kty number",
            json!({"kty": 1, "n": n, "e": "AQAB"}),
            Error::KeyRejected,
        ),
        (
            "kty rsa lowercase",
            json!({"kty": "rsa", "n": n, "e": "AQAB"}),
            Error::KeyRejected,
        ),
        // 3. n and e shape, before the private members and the key checks.
        (
            "n missing, private d",
            json!({"kty": "RSA", "e": "AQAB", "d": "AQ"}),
            Error::InvalidInput,
        ),
        (
            "e missing, private p",
            json!({"kty": "RSA", "n": n, "p": "AQ"}),
            Error::InvalidInput,
        ),
        (
            "n number, private oth",
            json!({"kty": "RSA", "n": 7, "e": "AQAB", "oth": []}),
            Error::InvalidInput,
        ),
        (
            "e padded, private qi",
            json!({"kty": "RSA", "n": n, "e": "AQAB==", "qi": "AQ"}),
            Error::InvalidInput,
        ),
        (
            "n std alphabet, e 3",
            json!({"kty": "RSA", "n": n.replace('-', "+").replace('_', "/"), "e": "Aw"}),
            Error::InvalidInput,
        ),
        (
            "n trailing bits, small",
            json!({"kty": "RSA", "n": "AB", "e": "AQAB"}),
            Error::InvalidInput,
        ),
        (
            "e null",
            json!({"kty": "RSA", "n": n, "e": null}),
            Error::InvalidInput,
        ),
        // 4. the rejections.
        (
            "private d",
            json!({"kty": "RSA", "n": n, "e": "AQAB", "d": "AQ"}),
            Error::KeyRejected,
        ),
        (
            "private d null",
            json!({"kty": "RSA", "n": n, "e": "AQAB", "d": null}),
            Error::KeyRejected,
        ),
        (
            "e 3",
            json!({"kty": "RSA", "n": n, "e": "Aw"}),
            Error::KeyRejected,
        ),
        (
            "e empty",
            json!({"kty": "RSA", "n": n, "e": ""}),
            Error::KeyRejected,
        ),
        (
            "n empty",
            json!({"kty": "RSA", "n": "", "e": "AQAB"}),
            Error::KeyRejected,
        ),
        (
            "n leading zero",
            json!({"kty": "RSA", "n": b64url_encode(&[&[0u8][..], &n_bytes].concat()), "e": "AQAB"}),
            Error::KeyRejected,
        ),
        (
            "n even",
            json!({"kty": "RSA", "n": b64url_encode(&[&n_bytes[..n_bytes.len() - 1], &[2u8][..]].concat()), "e": "AQAB"}),
            Error::KeyRejected,
        ),
        (
            "n 3071 bits",
            json!({"kty": "RSA", "n": b64url_encode(&[&[0x7fu8][..], &[0xffu8; 383][..]].concat()), "e": "AQAB"}),
            Error::KeyRejected,
        ),
    ];
    for (name, jwk, want) in cases {
        assert_eq!(reg(jwk).unwrap_err(), want, "{name}");
    }
    // Members in any order, with ignored extras, register with the same rid.
    let ok = json!({"e": "AQAB", "kid": 5, "n": n, "use": ["x"], "kty": "RSA"});
    assert_eq!(reg(ok).unwrap(), a.rid());
}

#[test]
fn sealed_header_bytes_are_exact() {
    let f = fixture();
    let k = RelayKey::new("rk \"q\" é", SecretKey32::new([3; 32])).unwrap();
    let iv = [9u8; 12];
    let s = k.seal_with_iv(b"v", None, &iv).unwrap();
    assert_eq!(
        header_of(&s),
        r#"{"alg":"dir","enc":"A256GCM","kid":"rk \"q\" é"}"#
    );
    let parts: Vec<&str> = s.split('.').collect();
    assert_eq!(parts.len(), 5);
    assert_eq!(parts[1], "");
    assert_eq!(b64url_decode(parts[2]).unwrap(), iv);
    assert_eq!(b64url_decode(parts[4]).unwrap().len(), 16);
    // Ciphertext is AES-256-GCM with AAD = the b64url header text.
    let ct = sealwright::crypto::aes_gcm_encrypt(&[3; 32], &iv, b"v", parts[0].as_bytes()).unwrap();
    assert_eq!(b64url_decode(parts[3]).unwrap(), ct[..1]);
    assert_eq!(b64url_decode(parts[4]).unwrap(), ct[1..]);

    let s = k.seal_with_iv(b"v", Some(f.a.rid()), &iv).unwrap();
    assert_eq!(
        header_of(&s),
        format!(
            r#"{{"alg":"dir","enc":"A256GCM","kid":"rk \"q\" é","aud":"{}"}}"#,
            f.a.rid()
        )
    );
    assert_eq!(
        k.seal_with_iv(b"v", Some("not-a-rid"), &iv).unwrap_err(),
        Error::InvalidInput
    );
    assert_eq!(
        RelayKey::new("", SecretKey32::new([3; 32])).unwrap_err(),
        Error::InvalidInput
    );
}

#[test]
fn value_sizes() {
    let f = fixture();
    let ks = keys();
    let mut r = rng(1);
    assert_eq!(ks.seal(b"", None, &mut r).unwrap_err(), Error::InvalidInput);
    assert_eq!(
        ks.seal(&vec![0u8; MAX_VALUE_LEN + 1], None, &mut r)
            .unwrap_err(),
        Error::ValueTooLarge
    );
    for len in [1, MAX_VALUE_LEN] {
        let value: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let sealed = ks.seal(&value, Some(f.b.rid()), &mut r).unwrap();
        let req = f.b.request(&sealed, NOW_MS, &mut r).unwrap();
        let acc = decrypt(&ks, req.jws(), &[&f.b], NOW_MS).unwrap();
        assert_eq!(
            f.b.open_response(&acc.response, &req, &pinned(), &mut r)
                .unwrap()
                .expose(),
            &value[..]
        );
    }
}

#[test]
fn request_and_response_wire_format() {
    let f = fixture();
    let mut r = rng(2);
    let sealed = keys().seal(b"x", None, &mut r).unwrap();
    let req = f.a.request(&sealed, 1_767_225_600_999, &mut r).unwrap();
    let parts: Vec<&str> = req.jws().split('.').collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(
        header_of(req.jws()),
        format!(r#"{{"alg":"PS256","kid":"{}"}}"#, f.a.rid())
    );
    let payload = String::from_utf8(b64url_decode(parts[1]).unwrap()).unwrap();
    let v: Value = serde_json::from_str(&payload).unwrap();
    let jti = v["jti"].as_str().unwrap();
    assert_eq!(jti, req.jti());
    assert_eq!(b64url_decode(jti).unwrap().len(), 16);
    // Exact member order and floor(ms / 1000).
    assert_eq!(
        payload,
        format!(r#"{{"sealed":"{sealed}","iat":1767225600,"jti":"{jti}"}}"#)
    );
    assert_eq!(b64url_decode(parts[2]).unwrap().len(), 512);

    // Response: nested JWT, outer header with cty, inner ES256 JWS over {jti, iat, value}.
    let now_ms = NOW_MS + 1_999;
    let acc = decrypt(&keys(), req.jws(), &[&f.a], now_ms).unwrap();
    assert_eq!(acc.jti, jti);
    let rp: Vec<&str> = acc.response.split('.').collect();
    assert_eq!(rp.len(), 5);
    assert_eq!(
        header_of(&acc.response),
        format!(
            r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{}","cty":"JWT"}}"#,
            f.a.rid()
        )
    );
    assert_eq!(b64url_decode(rp[1]).unwrap().len(), 512);
    assert_eq!(b64url_decode(rp[2]).unwrap().len(), 12);
    assert_eq!(b64url_decode(rp[4]).unwrap().len(), 16);
    // Unwrap by hand: the plaintext is the inner JWS, recomputable (RFC 6979).
    let key =
        sealwright::rsa_keys::RsaPrivateKey::from_pkcs8_der(f.a.to_pkcs8_der().unwrap().expose())
            .unwrap();
    let cek = key
        .oaep_sha256_decrypt(&b64url_decode(rp[1]).unwrap(), &mut r)
        .unwrap();
    let mut ct_tag = b64url_decode(rp[3]).unwrap();
    ct_tag.extend(b64url_decode(rp[4]).unwrap());
    let inner = sealwright::crypto::aes_gcm_decrypt(
        cek.expose(),
        &b64url_decode(rp[2]).unwrap(),
        &ct_tag,
        rp[0].as_bytes(),
    )
    .unwrap();
    let inner = String::from_utf8(inner.expose().to_vec()).unwrap();
    let ip: Vec<&str> = inner.split('.').collect();
    assert_eq!(ip.len(), 3);
    assert_eq!(header_of(&inner), r#"{"alg":"ES256","kid":"sk-1"}"#);
    assert_eq!(
        String::from_utf8(b64url_decode(ip[1]).unwrap()).unwrap(),
        format!(r#"{{"jti":"{jti}","iat":1767225601,"value":"eA"}}"#)
    );
    assert_eq!(b64url_decode(ip[2]).unwrap().len(), 64);
    assert_eq!(
        f.signing
            .sign_response(jti, now_ms / 1000, b"x")
            .unwrap()
            .expose(),
        inner
    );
    // The ES256 signature verifies with the raw primitive too.
    f.signing
        .verifying_key()
        .verify(
            format!("{}.{}", ip[0], ip[1]).as_bytes(),
            &b64url_decode(ip[2]).unwrap(),
        )
        .unwrap();
}

#[test]
fn iat_window_boundaries() {
    let f = fixture();
    let mut r = rng(3);
    let sealed = keys().seal(b"x", None, &mut r).unwrap();
    let req = f.a.request(&sealed, NOW_MS, &mut r).unwrap(); // iat = NOW
    for (delta_s, ok) in [
        (300i64, true),
        (-300, true),
        (301, false),
        (-301, false),
        (0, true),
    ] {
        // Server clock may be anywhere inside the second.
        for sub_ms in [0u64, 999] {
            let now_ms = (NOW_MS as i64 + delta_s * 1000) as u64 + sub_ms;
            let got = decrypt(&keys(), req.jws(), &[&f.a], now_ms);
            if ok {
                got.unwrap();
            } else {
                assert_eq!(got.unwrap_err(), Error::Stale, "{delta_s}");
            }
        }
    }
}

fn signed(who: &Recipient, payload: Value) -> String {
    who.sign_jws(payload.to_string().as_bytes(), &mut rng(4))
        .unwrap()
}

#[test]
fn check_order() {
    let f = fixture();
    let ks = keys();
    let mut r = rng(5);
    let sealed = ks.seal(b"x", Some(f.a.rid()), &mut r).unwrap();
    let now_s = NOW_MS / 1000;
    let jti = b64url_encode(&[1u8; 16]);

    // alg checked before kid: an unknown kid with alg RS256 is BAD_SIGNATURE.
    let good = f.b.request(&sealed, NOW_MS, &mut r).unwrap();
    let good = good.jws();
    let p: Vec<&str> = good.split('.').collect();
    let rs = format!(
        "{}.{}.{}",
        b64url_encode(br#"{"alg":"RS256","kid":"zz"}"#),
        p[1],
        p[2]
    );
    assert_eq!(
        decrypt(&ks, &rs, &[&f.a], NOW_MS).unwrap_err(),
        Error::BadSignature
    );
    // crit in the JWS header.
    let crit = format!(
        "{}.{}.{}",
        b64url_encode(
            format!(
                r#"{{"alg":"PS256","kid":"{}","crit":["b64"],"b64":false}}"#,
                f.b.rid()
            )
            .as_bytes()
        ),
        p[1],
        p[2]
    );
    assert_eq!(
        decrypt(&ks, &crit, &[&f.b], NOW_MS).unwrap_err(),
        Error::BadSignature
    );
    // kid missing -> UNKNOWN_RECIPIENT; unknown kid with a bad signature -> UNKNOWN_RECIPIENT.
    let nokid = format!("{}.{}.{}", b64url_encode(br#"{"alg":"PS256"}"#), p[1], p[2]);
    assert_eq!(
        decrypt(&ks, &nokid, &[&f.b], NOW_MS).unwrap_err(),
        Error::UnknownRecipient
    );
    let badsig = format!("{}.{}.{}", p[0], p[1], b64url_encode(&[0u8; 384]));
    assert_eq!(
        decrypt(&ks, &badsig, &[&f.a], NOW_MS).unwrap_err(),
        Error::UnknownRecipient
    );
    assert_eq!(
        decrypt(&ks, &badsig, &[&f.b], NOW_MS).unwrap_err(),
        Error::BadSignature
    );
    // A lookup returning a key under another name does not count.
    let liar = |_: &str| Some(f.a.public_key().clone());
    assert_eq!(
        ks.decrypt_request(good, liar, |_| false, NOW_MS, &mut r)
            .unwrap_err(),
        Error::UnknownRecipient
    );
    // Signed payload that is not an object -> INVALID_INPUT.
    assert_eq!(
        decrypt(&ks, &signed(&f.a, json!([1, 2])), &[&f.a], NOW_MS).unwrap_err(),
        Error::InvalidInput
    );
    // Stale beats replay and a bad jti.
    let stale_replay = signed(
        &f.a,
        json!({"sealed": sealed, "iat": now_s - 400, "jti": "short"}),
    );
    assert_eq!(
        decrypt(&ks, &stale_replay, &[&f.a], NOW_MS).unwrap_err(),
        Error::Stale
    );
    // Missing iat / string iat -> STALE.
    let no_iat = signed(&f.a, json!({"sealed": sealed, "jti": jti}));
    assert_eq!(
        decrypt(&ks, &no_iat, &[&f.a], NOW_MS).unwrap_err(),
        Error::Stale
    );
    let str_iat = signed(
        &f.a,
        json!({"sealed": sealed, "iat": now_s.to_string(), "jti": jti}),
    );
    assert_eq!(
        decrypt(&ks, &str_iat, &[&f.a], NOW_MS).unwrap_err(),
        Error::Stale
    );
    let huge_iat = signed(&f.a, json!({"sealed": sealed, "iat": u64::MAX, "jti": jti}));
    assert_eq!(
        decrypt(&ks, &huge_iat, &[&f.a], NOW_MS).unwrap_err(),
        Error::Stale
    );
    // Bad jti beats replay lookup; replay beats a bad sealed value.
    let bad_sealed = signed(&f.a, json!({"sealed": "x.y", "iat": now_s, "jti": jti}));
    let seen_all = |_: &str| true;
    assert_eq!(
        ks.decrypt_request(&bad_sealed, lookup(&[&f.a]), seen_all, NOW_MS, &mut r)
            .unwrap_err(),
        Error::Replay
    );
    assert_eq!(
        decrypt(&ks, &bad_sealed, &[&f.a], NOW_MS).unwrap_err(),
        Error::SealedInvalid
    );
    let no_jti = signed(&f.a, json!({"sealed": sealed, "iat": now_s}));
    assert_eq!(
        ks.decrypt_request(&no_jti, lookup(&[&f.a]), seen_all, NOW_MS, &mut r)
            .unwrap_err(),
        Error::InvalidInput
    );
    // sealed missing or not a string -> SEALED_INVALID.
    let missing = signed(&f.a, json!({"iat": now_s, "jti": jti}));
    assert_eq!(
        decrypt(&ks, &missing, &[&f.a], NOW_MS).unwrap_err(),
        Error::SealedInvalid
    );
    // Sealed checks before the relay key lookup: unknown rkid with crit -> SEALED_INVALID.
    let other = RelayKey::new("elsewhere", SecretKey32::new([8; 32])).unwrap();
    let foreign = other.seal(b"x", None, &mut r).unwrap();
    let fp: Vec<&str> = foreign.split('.').collect();
    let crit_foreign = format!(
        "{}.{}.{}.{}.{}",
        b64url_encode(br#"{"alg":"dir","enc":"A256GCM","kid":"elsewhere","crit":["x"]}"#),
        fp[1],
        fp[2],
        fp[3],
        fp[4]
    );
    let req = signed(
        &f.a,
        json!({"sealed": crit_foreign, "iat": now_s, "jti": jti}),
    );
    assert_eq!(
        decrypt(&ks, &req, &[&f.a], NOW_MS).unwrap_err(),
        Error::SealedInvalid
    );
    let req = signed(&f.a, json!({"sealed": foreign, "iat": now_s, "jti": jti}));
    assert_eq!(
        decrypt(&ks, &req, &[&f.a], NOW_MS).unwrap_err(),
        Error::UnknownRelayKey
    );
    // Opening before the audience: a tampered value bound to B, asked by A -> SEALED_INVALID.
    let for_b = ks.seal(b"x", Some(f.b.rid()), &mut r).unwrap();
    let mut bp: Vec<String> = for_b.split('.').map(String::from).collect();
    let mut tag = b64url_decode(&bp[4]).unwrap();
    tag[0] ^= 1;
    bp[4] = b64url_encode(&tag);
    let req = signed(
        &f.a,
        json!({"sealed": bp.join("."), "iat": now_s, "jti": jti}),
    );
    assert_eq!(
        decrypt(&ks, &req, &[&f.a], NOW_MS).unwrap_err(),
        Error::SealedInvalid
    );
    let req = signed(&f.a, json!({"sealed": for_b, "iat": now_s, "jti": jti}));
    assert_eq!(
        decrypt(&ks, &req, &[&f.a], NOW_MS).unwrap_err(),
        Error::AudienceMismatch
    );
}

#[test]
fn key_rotation() {
    let f = fixture();
    let mut r = rng(6);
    let old = RelayKey::generate("rk-old", &mut r).unwrap();
    let mut ks = RelayKeys::new(old.clone(), f.signing.clone());
    let sealed_old = ks.seal(b"old", None, &mut r).unwrap();
    ks.rotate(RelayKey::generate("rk-new", &mut r).unwrap())
        .unwrap();
    assert_eq!(ks.current().rkid(), "rk-new");
    let sealed_new = ks.seal(b"new", None, &mut r).unwrap();
    assert!(header_of(&sealed_new).contains(r#""kid":"rk-new""#));
    for (s, v) in [(&sealed_old, b"old"), (&sealed_new, b"new")] {
        let req = f.a.request(s, NOW_MS, &mut r).unwrap();
        let acc = decrypt(&ks, req.jws(), &[&f.a], NOW_MS).unwrap();
        assert_eq!(
            f.a.open_response(&acc.response, &req, &pinned(), &mut r)
                .unwrap()
                .expose(),
            v
        );
    }
    assert_eq!(ks.rotate(old.clone()).unwrap_err(), Error::InvalidInput);
    assert_eq!(ks.add_previous(old).unwrap_err(), Error::InvalidInput);
    assert_eq!(ks.retire("rk-new").unwrap_err(), Error::InvalidInput);
    ks.retire("rk-old").unwrap();
    let req = f.a.request(&sealed_old, NOW_MS, &mut r).unwrap();
    assert_eq!(
        decrypt(&ks, req.jws(), &[&f.a], NOW_MS).unwrap_err(),
        Error::UnknownRelayKey
    );
}

#[test]
fn signing_key_rotation() {
    let f = fixture();
    let mut r = rng(12);
    let mut ks = keys();
    let sealed = ks.seal(b"rotated", None, &mut r).unwrap();
    let next = RelaySigningKey::generate("sk-2", &mut r).unwrap();
    // Recipients pin both keys during the rotation.
    let both = [f.signing.verifying_key(), next.verifying_key()];
    let old = ks.set_signing_key(next.clone());
    assert_eq!(old.skid(), "sk-1");
    assert_eq!(ks.signing_key().skid(), "sk-2");
    assert!(format!("{ks:?}").contains("sk-2"));
    let req = f.a.request(&sealed, NOW_MS, &mut r).unwrap();
    let acc = decrypt(&ks, req.jws(), &[&f.a], NOW_MS).unwrap();
    assert_eq!(
        f.a.open_response(&acc.response, &req, &both, &mut r)
            .unwrap()
            .expose(),
        b"rotated"
    );
    // A recipient that pinned only the old key refuses the new signature.
    assert_eq!(
        f.a.open_response(&acc.response, &req, &pinned(), &mut r)
            .unwrap_err(),
        Error::BadSignature
    );
    // And one that pinned only the new key refuses the old key's responses.
    let req = f.a.request(&sealed, NOW_MS, &mut r).unwrap();
    let acc = decrypt(&keys(), req.jws(), &[&f.a], NOW_MS).unwrap();
    assert_eq!(
        f.a.open_response(&acc.response, &req, &[next.verifying_key()], &mut r)
            .unwrap_err(),
        Error::BadSignature
    );
}

#[test]
fn replay_state_through_store_effects() {
    let f = fixture();
    let mut r = rng(7);
    let ks = keys();
    let store = MemoryStore::new();
    let sealed = ks.seal(b"once", None, &mut r).unwrap();
    let req = f.a.request(&sealed, NOW_MS, &mut r).unwrap();
    let run = |store: &MemoryStore, now_ms: u64, r: &mut ChaCha20Rng| {
        ks.decrypt_request(
            req.jws(),
            lookup(&[&f.a, &f.b]),
            |jti| store.get(&jti_store_key(jti), now_ms).is_some(),
            now_ms,
            r,
        )
    };
    let acc = run(&store, NOW_MS, &mut r).unwrap();
    let effect = acc.effect();
    assert_eq!(effect.key(), format!("sw:v1:relay:jti:{}", acc.jti));
    assert_eq!(JTI_TTL_SECONDS, 660);
    assert_eq!(
        effect,
        sealwright::Effect::put_if_absent(
            jti_store_key(&acc.jti),
            f.a.rid().as_bytes().to_vec(),
            Some(660),
        )
    );
    store.commit(std::slice::from_ref(&effect), NOW_MS).unwrap();
    // A racing request that passed the checks too cannot commit the same jti.
    assert_eq!(
        store.commit(std::slice::from_ref(&effect), NOW_MS),
        Err(Error::Conflict)
    );
    assert_eq!(
        run(&store, NOW_MS + 1000, &mut r).unwrap_err(),
        Error::Replay
    );
    assert_eq!(
        run(&store, NOW_MS + 299_000, &mut r).unwrap_err(),
        Error::Replay
    );
    // The record outlives the whole freshness window of the request's iat (601 s) ...
    assert!(
        store
            .get(&jti_store_key(&acc.jti), NOW_MS + 601_000)
            .is_some()
    );
    assert!(
        store
            .get(&jti_store_key(&acc.jti), NOW_MS + 659_999)
            .is_some()
    );
    // ... and is gone at 660 s, when the request is long stale anyway.
    assert!(
        store
            .get(&jti_store_key(&acc.jti), NOW_MS + 660_000)
            .is_none()
    );
    // A different request (new jti) for the same sealed value is fine.
    let req2 = f.a.request(&sealed, NOW_MS, &mut r).unwrap();
    ks.decrypt_request(
        req2.jws(),
        lookup(&[&f.a]),
        |jti| store.get(&jti_store_key(jti), NOW_MS).is_some(),
        NOW_MS,
        &mut r,
    )
    .unwrap();
}

/// A fresh request from A for a value bound to A, accepted: (request, response).
fn accepted_for_a(seed: u8, value: &[u8]) -> (DecryptionRequest, String) {
    let f = fixture();
    let mut r = rng(seed);
    let sealed = keys().seal(value, Some(f.a.rid()), &mut r).unwrap();
    let req = f.a.request(&sealed, NOW_MS, &mut r).unwrap();
    let acc = decrypt(&keys(), req.jws(), &[&f.a], NOW_MS).unwrap();
    (req, acc.response)
}

/// The inner JWS of a response to A (unwrapped with A's private key).
fn inner_of(response: &str) -> String {
    let f = fixture();
    let p: Vec<&str> = response.split('.').collect();
    let key =
        sealwright::rsa_keys::RsaPrivateKey::from_pkcs8_der(f.a.to_pkcs8_der().unwrap().expose())
            .unwrap();
    let cek = key
        .oaep_sha256_decrypt(&b64url_decode(p[1]).unwrap(), &mut rng(1))
        .unwrap();
    let mut ct_tag = b64url_decode(p[3]).unwrap();
    ct_tag.extend(b64url_decode(p[4]).unwrap());
    let inner = sealwright::crypto::aes_gcm_decrypt(
        cek.expose(),
        &b64url_decode(p[2]).unwrap(),
        &ct_tag,
        p[0].as_bytes(),
    )
    .unwrap();
    String::from_utf8(inner.expose().to_vec()).unwrap()
}

fn with_header(response: &str, header: &str) -> String {
    let p: Vec<&str> = response.split('.').collect();
    format!(
        "{}.{}.{}.{}.{}",
        b64url_encode(header.as_bytes()),
        p[1],
        p[2],
        p[3],
        p[4]
    )
}

#[test]
fn recipient_open_outer_checks() {
    let f = fixture();
    let mut r = rng(8);
    let (req, resp) = accepted_for_a(8, b"for a");
    let open = |resp: &str, r: &mut ChaCha20Rng| f.a.open_response(resp, &req, &pinned(), r);
    assert_eq!(open(&resp, &mut r).unwrap().expose(), b"for a");
    // kid is another recipient's rid.
    assert_eq!(
        f.b.open_response(&resp, &req, &pinned(), &mut r)
            .unwrap_err(),
        Error::InvalidInput
    );
    let rid = f.a.rid();
    for hdr in [
        format!(r#"{{"alg":"RSA-OAEP-256","enc":"A128GCM","kid":"{rid}","cty":"JWT"}}"#),
        format!(r#"{{"alg":"RSA-OAEP","enc":"A256GCM","kid":"{rid}","cty":"JWT"}}"#),
        format!(
            r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid}","cty":"JWT","zip":"DEF"}}"#
        ),
        format!(
            r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid}","cty":"JWT","crit":["x"]}}"#
        ),
        r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT"}"#.to_string(),
        // cty: missing, another case, another value, not a string (a version 1 header too).
        format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid}"}}"#),
        format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid}","cty":"jwt"}}"#),
        format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid}","cty":"JWS"}}"#),
        format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid}","cty":["JWT"]}}"#),
        "[]".to_string(),
    ] {
        assert_eq!(
            open(&with_header(&resp, &hdr), &mut r).unwrap_err(),
            Error::InvalidInput,
            "{hdr}"
        );
        // The header checks come first: an honest encryption under that header is the same.
        assert_eq!(
            open(
                &wrap_with_header(&f.a, &hdr, inner_of(&resp).as_bytes(), &mut r),
                &mut r
            )
            .unwrap_err(),
            Error::InvalidInput,
            "{hdr}"
        );
    }
    // A header with the same members in another order still authenticates only the sent text.
    let reordered =
        format!(r#"{{"cty":"JWT","kid":"{rid}","enc":"A256GCM","alg":"RSA-OAEP-256"}}"#);
    assert_eq!(
        open(&with_header(&resp, &reordered), &mut r).unwrap_err(),
        Error::DecryptionFailed
    );
    // ... while an honest encryption under it opens (parsers accept any member order).
    assert_eq!(
        open(
            &wrap_with_header(&f.a, &reordered, inner_of(&resp).as_bytes(), &mut r),
            &mut r
        )
        .unwrap()
        .expose(),
        b"for a"
    );
    let p: Vec<&str> = resp.split('.').collect();
    let part = |i: usize, text: &str| {
        let mut q = p.clone();
        q[i] = text;
        q.join(".")
    };
    // Wrapped key of the wrong length; IV and tag lengths; four and six parts.
    assert_eq!(
        open(&part(1, &b64url_encode(&[1; 10])), &mut r).unwrap_err(),
        Error::DecryptionFailed
    );
    assert_eq!(
        open(&part(2, &b64url_encode(&[1; 11])), &mut r).unwrap_err(),
        Error::InvalidInput
    );
    assert_eq!(
        open(&part(4, &b64url_encode(&[1; 17])), &mut r).unwrap_err(),
        Error::InvalidInput
    );
    assert_eq!(
        open(&p[..4].join("."), &mut r).unwrap_err(),
        Error::InvalidInput
    );
    assert_eq!(
        open(&format!("{resp}."), &mut r).unwrap_err(),
        Error::InvalidInput
    );
    // A 16-byte CEK wrapped correctly is rejected (A256GCM needs 32).
    let wrapped16 =
        f.a.public_key()
            .public_key()
            .oaep_sha256_encrypt(&[5; 16], &mut r)
            .unwrap();
    assert_eq!(
        open(&part(1, &b64url_encode(&wrapped16)), &mut r).unwrap_err(),
        Error::DecryptionFailed
    );
    // Header checks before decryption: a wrong cty and a flipped tag is INVALID_INPUT.
    let mut tag = b64url_decode(p[4]).unwrap();
    tag[0] ^= 1;
    let flipped = part(4, &b64url_encode(&tag));
    assert_eq!(open(&flipped, &mut r).unwrap_err(), Error::DecryptionFailed);
    let no_cty = format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid}"}}"#);
    assert_eq!(
        open(&with_header(&flipped, &no_cty), &mut r).unwrap_err(),
        Error::InvalidInput
    );
}

#[test]
fn recipient_open_signature_and_binding() {
    let f = fixture();
    let mut r = rng(17);
    let (req, resp) = accepted_for_a(17, b"bound value");
    let inner = inner_of(&resp);
    let open = |resp: &str, pins: &[sealwright::relay::RelayVerifyingKey], r: &mut ChaCha20Rng| {
        f.a.open_response(resp, &req, pins, r)
    };

    // Wrong signing key: nothing pinned, another key under the same skid, same key renamed.
    let impostor = RelaySigningKey::generate("sk-1", &mut r).unwrap();
    assert_eq!(open(&resp, &[], &mut r).unwrap_err(), Error::BadSignature);
    assert_eq!(
        open(&resp, &[impostor.verifying_key()], &mut r).unwrap_err(),
        Error::BadSignature
    );
    let renamed =
        sealwright::relay::RelayVerifyingKey::from_jwk("sk-9", &f.signing.public_jwk()).unwrap();
    assert_eq!(
        open(&resp, &[renamed], &mut r).unwrap_err(),
        Error::BadSignature
    );
    // The impostor's own, well-formed response for the right jti is refused.
    let forged = impostor
        .sign_response(req.jti(), NOW_MS / 1000, b"forged")
        .unwrap();
    let forged = wrap_inner(&f.a, forged.as_bytes(), &mut r);
    assert_eq!(
        open(&forged, &pinned(), &mut r).unwrap_err(),
        Error::BadSignature
    );

    // A tampered inner JWS byte (header, payload, signature), re-encrypted honestly.
    for at in [3, inner.find('.').unwrap() + 5, inner.len() - 10] {
        let mut bytes = inner.clone().into_bytes();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let resp = wrap_inner(&f.a, &bytes, &mut r);
        assert_eq!(
            open(&resp, &pinned(), &mut r).unwrap_err(),
            Error::BadSignature,
            "byte {at}"
        );
    }
    // Malformed inner JWS: the raw value (a version 1 plaintext), not UTF-8, a DER signature.
    for bad in [b"bound value".to_vec(), vec![0xff, b'.', b'.'], {
        let (head, _) = inner.rsplit_once('.').unwrap();
        format!("{head}.{}", b64url_encode(&[0x30; 70])).into_bytes()
    }] {
        let resp = wrap_inner(&f.a, &bad, &mut r);
        assert_eq!(
            open(&resp, &pinned(), &mut r).unwrap_err(),
            Error::BadSignature
        );
    }

    // Any valid s: the same signature with s replaced by n - s verifies too.
    let (head, sig) = inner.rsplit_once('.').unwrap();
    let sig = b64url_decode(sig).unwrap();
    let n = sealwright::encoding::hex_decode(
        "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
    )
    .unwrap();
    let mut other_s = sig.clone();
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(n[i]) - i16::from(sig[32 + i]) - borrow;
        other_s[32 + i] = (d & 0xff) as u8;
        borrow = i16::from(d < 0);
    }
    let flipped_s = format!("{head}.{}", b64url_encode(&other_s));
    let resp2 = wrap_inner(&f.a, flipped_s.as_bytes(), &mut r);
    assert_eq!(
        open(&resp2, &pinned(), &mut r).unwrap().expose(),
        b"bound value"
    );

    // Bound to the request: another request's jti, an old response for a new request.
    let later = f.a.request("x.y.z", NOW_MS + 5_000, &mut r).unwrap();
    assert_eq!(
        f.a.open_response(&resp, &later, &pinned(), &mut r)
            .unwrap_err(),
        Error::Replay
    );
    assert_eq!(
        f.a.open_response_for_jti(&resp, later.jti(), &pinned(), &mut r)
            .unwrap_err(),
        Error::Replay
    );
    assert_eq!(
        f.a.open_response_for_jti(&resp, req.jti(), &pinned(), &mut r)
            .unwrap()
            .expose(),
        b"bound value"
    );
    // The relay's genuine answer to B, re-encrypted to A by whoever saw B's plaintext, is
    // still bound to B's jti: REPLAY for A's request.
    let sealed_b = keys().seal(b"for b", None, &mut r).unwrap();
    let req_b = f.b.request(&sealed_b, NOW_MS, &mut r).unwrap();
    let jws_b = f
        .signing
        .sign_response(req_b.jti(), NOW_MS / 1000, b"for b")
        .unwrap();
    let moved = wrap_inner(&f.a, jws_b.as_bytes(), &mut r);
    assert_eq!(open(&moved, &pinned(), &mut r).unwrap_err(), Error::Replay);
}

#[test]
fn recipient_open_payload_checks_in_order() {
    let f = fixture();
    let mut r = rng(18);
    let (req, _) = accepted_for_a(18, b"v");
    let jti = req.jti();
    let other = b64url_encode(&[9; 16]);
    let open = |payload: String, r: &mut ChaCha20Rng| {
        let jws = f.signing.sign_jws(payload.as_bytes()).unwrap();
        let resp = wrap_inner(&f.a, jws.as_bytes(), r);
        f.a.open_response(&resp, &req, &pinned(), r)
    };
    for (payload, want) in [
        (r#"[1]"#.to_string(), Error::InvalidInput),
        (r#""str""#.to_string(), Error::InvalidInput),
        ("not json".to_string(), Error::InvalidInput),
        (r#"{"iat":1,"value":"dg"}"#.to_string(), Error::InvalidInput),
        (
            r#"{"jti":null,"iat":1,"value":"dg"}"#.to_string(),
            Error::InvalidInput,
        ),
        (
            format!(r#"{{"jti":"{jti}","value":"dg"}}"#),
            Error::InvalidInput,
        ),
        (
            format!(r#"{{"jti":"{jti}","iat":1.0,"value":"dg"}}"#),
            Error::InvalidInput,
        ),
        (
            format!(r#"{{"jti":"{jti}","iat":1e3,"value":"dg"}}"#),
            Error::InvalidInput,
        ),
        (
            format!(r#"{{"jti":"{jti}","iat":18446744073709551616,"value":"dg"}}"#),
            Error::InvalidInput,
        ),
        (
            format!(r#"{{"jti":"{jti}","iat":"1","value":"dg"}}"#),
            Error::InvalidInput,
        ),
        (format!(r#"{{"jti":"{jti}","iat":1}}"#), Error::InvalidInput),
        (
            format!(r#"{{"jti":"{jti}","iat":1,"value":["dg"]}}"#),
            Error::InvalidInput,
        ),
        // Members before the binding; the binding before the value encoding.
        (
            format!(r#"{{"jti":"{other}","iat":1}}"#),
            Error::InvalidInput,
        ),
        (
            format!(r#"{{"jti":"{other}","iat":1,"value":"dg"}}"#),
            Error::Replay,
        ),
        (
            format!(r#"{{"jti":"{other}","iat":1,"value":"dg=="}}"#),
            Error::Replay,
        ),
        (
            format!(r#"{{"jti":"{jti}","iat":1,"value":"dg=="}}"#),
            Error::InvalidInput,
        ),
        (
            format!(r#"{{"jti":"{jti}","iat":1,"value":"dh"}}"#),
            Error::InvalidInput,
        ),
        (
            format!(r#"{{"jti":"{jti}","iat":1,"value":"d+"}}"#),
            Error::InvalidInput,
        ),
    ] {
        assert_eq!(
            open(payload.clone(), &mut r).unwrap_err(),
            want,
            "{payload}"
        );
    }
    // Any layout and member order, negative or huge iat (informational), unknown members.
    for payload in [
        format!(r#"{{"value":"dg","iat":-5,"jti":"{jti}","extra":true}}"#),
        format!(r#"{{ "jti" : "{jti}", "iat" : 18446744073709551615, "value" : "dg" }}"#),
    ] {
        assert_eq!(open(payload, &mut r).unwrap().expose(), b"v");
    }
}

#[test]
fn recipient_keys() {
    let mut r = rng(9);
    assert_eq!(
        Recipient::generate_with_bits(2048, &mut r).unwrap_err(),
        Error::KeyRejected
    );
    let small = RsaPrivateKey::generate(2048, &mut r).unwrap();
    assert_eq!(
        Recipient::from_key(small.clone()).unwrap_err(),
        Error::KeyRejected
    );
    assert_eq!(
        Recipient::from_pkcs8_der(small.to_pkcs8_der().unwrap().expose()).unwrap_err(),
        Error::KeyRejected
    );
    let f = fixture();
    let again = Recipient::from_pkcs8_der(f.b.to_pkcs8_der().unwrap().expose()).unwrap();
    assert_eq!(again.rid(), f.b.rid());
    assert_eq!(again.jwk(), f.b.jwk());
}

#[test]
fn default_recipient_is_rsa_4096() {
    let rec = Recipient::generate(&mut rng(10)).unwrap();
    assert_eq!(rec.public_key().public_key().bits(), 4096);
    assert_eq!(
        RecipientPublicKey::from_jwk(&rec.jwk()).unwrap().rid(),
        rec.rid()
    );
}

#[test]
fn debug_output_holds_no_secrets() {
    let f = fixture();
    let relay_hex = hex_encode(f.relay.secret().expose());
    let der = f.a.to_pkcs8_der().unwrap();
    let der_hex = hex_encode(der.expose());
    let mut r = rng(11);
    let sealed = keys().seal(b"plaintext-marker", None, &mut r).unwrap();
    let req = f.a.request(&sealed, NOW_MS, &mut r).unwrap();
    let acc = decrypt(&keys(), req.jws(), &[&f.a], NOW_MS).unwrap();
    let signing_hex = hex_encode(f.signing.scalar().expose());
    let dbg = format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        f.relay,
        keys(),
        f.a,
        f.a.public_key(),
        acc,
        req,
        f.signing,
        f.signing.verifying_key(),
        f.signing
            .sign_response(req.jti(), 1, b"plaintext-marker")
            .unwrap(),
        f.a.open_response(&acc.response, &req, &pinned(), &mut r)
            .unwrap()
    );
    assert!(dbg.contains("REDACTED"));
    assert!(dbg.contains("sk-1"));
    assert!(!dbg.contains(&relay_hex[..16]));
    assert!(!dbg.contains(&signing_hex[..16]));
    assert!(!dbg.contains(&b64url_encode(b"plaintext-marker")[..12]));
    assert!(!dbg.contains(&format!("{:?}", &f.relay.secret().expose()[..6])));
    assert!(!dbg.contains("plaintext-marker"));
    for w in der_hex.as_bytes()[200..].chunks(16) {
        assert!(!dbg.contains(std::str::from_utf8(w).unwrap()));
    }
}
