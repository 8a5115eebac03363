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
use relay_common::{NOW_MS, fixture, keys, lookup};
use sealwright::Error;
use sealwright::effect::MemoryStore;
use sealwright::encoding::{b64url_decode, b64url_encode, hex_encode};
use sealwright::relay::{
    MAX_VALUE_LEN, Recipient, RecipientPublicKey, RelayKey, RelayKeys, jti_store_key, thumbprint,
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
        let acc = decrypt(&ks, &req, &[&f.b], NOW_MS).unwrap();
        assert_eq!(
            f.b.open_response(&acc.response, &mut r).unwrap().expose(),
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
    let parts: Vec<&str> = req.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(
        header_of(&req),
        format!(r#"{{"alg":"PS256","kid":"{}"}}"#, f.a.rid())
    );
    let payload = String::from_utf8(b64url_decode(parts[1]).unwrap()).unwrap();
    let v: Value = serde_json::from_str(&payload).unwrap();
    let jti = v["jti"].as_str().unwrap();
    assert_eq!(b64url_decode(jti).unwrap().len(), 16);
    // Exact member order and floor(ms / 1000).
    assert_eq!(
        payload,
        format!(r#"{{"sealed":"{sealed}","iat":1767225600,"jti":"{jti}"}}"#)
    );
    assert_eq!(b64url_decode(parts[2]).unwrap().len(), 512);

    let acc = decrypt(&keys(), &req, &[&f.a], NOW_MS).unwrap();
    assert_eq!(acc.jti, jti);
    let rp: Vec<&str> = acc.response.split('.').collect();
    assert_eq!(rp.len(), 5);
    assert_eq!(
        header_of(&acc.response),
        format!(
            r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{}"}}"#,
            f.a.rid()
        )
    );
    assert_eq!(b64url_decode(rp[1]).unwrap().len(), 512);
    assert_eq!(b64url_decode(rp[2]).unwrap().len(), 12);
    assert_eq!(b64url_decode(rp[4]).unwrap().len(), 16);
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
            let got = decrypt(&keys(), &req, &[&f.a], now_ms);
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
        ks.decrypt_request(&good, liar, |_| false, NOW_MS, &mut r)
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
    let mut ks = RelayKeys::new(old.clone());
    let sealed_old = ks.seal(b"old", None, &mut r).unwrap();
    ks.rotate(RelayKey::generate("rk-new", &mut r).unwrap())
        .unwrap();
    assert_eq!(ks.current().rkid(), "rk-new");
    let sealed_new = ks.seal(b"new", None, &mut r).unwrap();
    assert!(header_of(&sealed_new).contains(r#""kid":"rk-new""#));
    for (s, v) in [(&sealed_old, b"old"), (&sealed_new, b"new")] {
        let req = f.a.request(s, NOW_MS, &mut r).unwrap();
        let acc = decrypt(&ks, &req, &[&f.a], NOW_MS).unwrap();
        assert_eq!(
            f.a.open_response(&acc.response, &mut r).unwrap().expose(),
            v
        );
    }
    assert_eq!(ks.rotate(old.clone()).unwrap_err(), Error::InvalidInput);
    assert_eq!(ks.add_previous(old).unwrap_err(), Error::InvalidInput);
    assert_eq!(ks.retire("rk-new").unwrap_err(), Error::InvalidInput);
    ks.retire("rk-old").unwrap();
    let req = f.a.request(&sealed_old, NOW_MS, &mut r).unwrap();
    assert_eq!(
        decrypt(&ks, &req, &[&f.a], NOW_MS).unwrap_err(),
        Error::UnknownRelayKey
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
            &req,
            lookup(&[&f.a, &f.b]),
            |jti| store.get(&jti_store_key(jti), now_ms).is_some(),
            now_ms,
            r,
        )
    };
    let acc = run(&store, NOW_MS, &mut r).unwrap();
    let effect = acc.effect();
    assert_eq!(effect.key(), format!("sw:v1:relay:jti:{}", acc.jti));
    store.commit(std::slice::from_ref(&effect), NOW_MS).unwrap();
    assert_eq!(
        run(&store, NOW_MS + 1000, &mut r).unwrap_err(),
        Error::Replay
    );
    assert_eq!(
        run(&store, NOW_MS + 299_000, &mut r).unwrap_err(),
        Error::Replay
    );
    // A different request (new jti) for the same sealed value is fine.
    let req2 = f.a.request(&sealed, NOW_MS, &mut r).unwrap();
    ks.decrypt_request(
        &req2,
        lookup(&[&f.a]),
        |jti| store.get(&jti_store_key(jti), NOW_MS).is_some(),
        NOW_MS,
        &mut r,
    )
    .unwrap();
}

#[test]
fn recipient_open_checks() {
    let f = fixture();
    let mut r = rng(8);
    let sealed = keys().seal(b"for a", None, &mut r).unwrap();
    let req = f.a.request(&sealed, NOW_MS, &mut r).unwrap();
    let acc = decrypt(&keys(), &req, &[&f.a], NOW_MS).unwrap();
    assert_eq!(
        f.b.open_response(&acc.response, &mut r).unwrap_err(),
        Error::InvalidInput
    );
    let p: Vec<&str> = acc.response.split('.').collect();
    for hdr in [
        format!(
            r#"{{"alg":"RSA-OAEP-256","enc":"A128GCM","kid":"{}"}}"#,
            f.a.rid()
        ),
        format!(
            r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{}","zip":"DEF"}}"#,
            f.a.rid()
        ),
        format!(
            r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{}","crit":["x"]}}"#,
            f.a.rid()
        ),
        r#"{"alg":"RSA-OAEP-256","enc":"A256GCM"}"#.to_string(),
    ] {
        let resp = format!(
            "{}.{}.{}.{}.{}",
            b64url_encode(hdr.as_bytes()),
            p[1],
            p[2],
            p[3],
            p[4]
        );
        assert_eq!(
            f.a.open_response(&resp, &mut r).unwrap_err(),
            Error::InvalidInput,
            "{hdr}"
        );
    }
    // A header with the same members in another order still authenticates only the sent text.
    let reordered = format!(
        r#"{{"kid":"{}","enc":"A256GCM","alg":"RSA-OAEP-256"}}"#,
        f.a.rid()
    );
    let resp = format!(
        "{}.{}.{}.{}.{}",
        b64url_encode(reordered.as_bytes()),
        p[1],
        p[2],
        p[3],
        p[4]
    );
    assert_eq!(
        f.a.open_response(&resp, &mut r).unwrap_err(),
        Error::DecryptionFailed
    );
    // Wrapped key of the wrong length, short IV.
    let resp = format!(
        "{}.{}.{}.{}.{}",
        p[0],
        b64url_encode(&[1; 10]),
        p[2],
        p[3],
        p[4]
    );
    assert_eq!(
        f.a.open_response(&resp, &mut r).unwrap_err(),
        Error::DecryptionFailed
    );
    let resp = format!(
        "{}.{}.{}.{}.{}",
        p[0],
        p[1],
        b64url_encode(&[1; 11]),
        p[3],
        p[4]
    );
    assert_eq!(
        f.a.open_response(&resp, &mut r).unwrap_err(),
        Error::InvalidInput
    );
    // A 16-byte CEK wrapped correctly is rejected (A256GCM needs 32).
    let wrapped16 =
        f.a.public_key()
            .public_key()
            .oaep_sha256_encrypt(&[5; 16], &mut r)
            .unwrap();
    let resp = format!(
        "{}.{}.{}.{}.{}",
        p[0],
        b64url_encode(&wrapped16),
        p[2],
        p[3],
        p[4]
    );
    assert_eq!(
        f.a.open_response(&resp, &mut r).unwrap_err(),
        Error::DecryptionFailed
    );
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
    let acc = decrypt(&keys(), &req, &[&f.a], NOW_MS).unwrap();
    let dbg = format!(
        "{:?} {:?} {:?} {:?} {:?} {:?}",
        f.relay,
        keys(),
        f.a,
        f.a.public_key(),
        acc,
        f.a.open_response(&acc.response, &mut r).unwrap()
    );
    assert!(dbg.contains("REDACTED"));
    assert!(!dbg.contains(&relay_hex[..16]));
    assert!(!dbg.contains(&format!("{:?}", &f.relay.secret().expose()[..6])));
    assert!(!dbg.contains("plaintext-marker"));
    for w in der_hex.as_bytes()[200..].chunks(16) {
        assert!(!dbg.contains(std::str::from_utf8(w).unwrap()));
    }
}
