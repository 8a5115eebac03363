//! Replays `test-vectors/relay.json` (spec §6, spec version 2) through the core.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::crypto::aes_gcm_decrypt;
use sealwright::encoding::{b64url_decode, b64url_encode, hex_decode, hex_decode_array};
use sealwright::relay::{
    Recipient, RecipientPublicKey, RelayKey, RelayKeys, RelaySigningKey, RelayVerifyingKey,
    verify_es256_jws,
};
use sealwright::rng::ScriptedRng;
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::SecretKey32;
use serde_json::{Value, json};

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/relay.json");

fn cases() -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(FILE).unwrap()).unwrap();
    assert_eq!(v["protocol"], "relay");
    assert_eq!(v["specVersion"], 2);
    v["cases"].as_array().unwrap().clone()
}

fn s<'a>(c: &'a Value, k: &str) -> &'a str {
    c[k].as_str()
        .unwrap_or_else(|| panic!("{}: {k}", c["name"]))
}

fn signing_key(c: &Value) -> RelaySigningKey {
    let scalar = SecretKey32::new(hex_decode_array(s(c, "signingPrivate")).unwrap());
    RelaySigningKey::new(s(c, "skid"), &scalar).unwrap()
}

fn relay_keys(c: &Value) -> RelayKeys {
    let key = SecretKey32::new(hex_decode_array(s(c, "relayKey")).unwrap());
    RelayKeys::new(RelayKey::new(s(c, "rkid"), key).unwrap(), signing_key(c))
}

fn registered(c: &Value) -> RecipientPublicKey {
    RecipientPublicKey::from_jwk(&c["recipientJwk"].to_string()).unwrap()
}

fn recipient(c: &Value) -> Recipient {
    let r =
        Recipient::from_pkcs8_der(&hex_decode(s(c, "recipientPrivateKeyPkcs8")).unwrap()).unwrap();
    assert_eq!(r.public_key(), &registered(c), "{}", c["name"]);
    r
}

fn pinned(c: &Value) -> Vec<RelayVerifyingKey> {
    vec![RelayVerifyingKey::from_jwk(s(c, "skid"), &c["signingJwk"].to_string()).unwrap()]
}

fn server_decrypt(
    c: &Value,
    rng: &mut ScriptedRng,
) -> sealwright::Result<sealwright::relay::Accepted> {
    let reg = registered(c);
    let seen: Vec<String> = c
        .get("seenJtis")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|j| j.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    relay_keys(c).decrypt_request(
        s(c, "request"),
        |rid| (rid == reg.rid()).then(|| reg.clone()),
        |jti| seen.iter().any(|j| j == jti),
        c["now"].as_u64().unwrap() * 1000,
        rng,
    )
}

#[test]
fn positive_cases_replay() {
    let mut n = 0;
    let mut high_s = std::collections::BTreeSet::new();
    let mut rng = ChaCha20Rng::from_seed([5; 32]);
    for c in cases().iter().filter(|c| c.get("expectedError").is_none()) {
        n += 1;
        let name = &c["name"];
        let r = recipient(c);
        let value = hex_decode(s(c, "value")).unwrap();
        let aud = c["aud"].as_str();
        if let Some(aud) = aud {
            assert_eq!(aud, r.rid());
        }
        assert_eq!(s(c, "rid"), r.rid());

        // The signing key and the JWK recipients pin.
        let signing = signing_key(c);
        let signing_jwk: Value = serde_json::from_str(&signing.public_jwk()).unwrap();
        assert_eq!(signing_jwk, c["signingJwk"], "{name}");
        assert_eq!(pinned(c), vec![signing.verifying_key()]);

        // Step 2: sealing is deterministic given the IV.
        let keys = relay_keys(c);
        let iv: [u8; 12] = hex_decode_array(s(c, "sealIv")).unwrap();
        let sealed = keys.current().seal_with_iv(&value, aud, &iv).unwrap();
        assert_eq!(sealed, s(c, "sealed"), "{name}");

        // Step 3: the request is a PS256 JWS over the sealed value (checked by verifying).
        let payload =
            sealwright::relay::verify_request(s(c, "request"), |_| Some(r.public_key().clone()))
                .unwrap();
        let payload: Value = serde_json::from_slice(&payload).unwrap();
        assert_eq!(payload["sealed"], c["sealed"], "{name}");
        assert_eq!(payload["jti"], c["jti"], "{name}");
        assert_eq!(b64url_decode(s(c, "jti")).unwrap().len(), 16);
        let header: Value = serde_json::from_slice(
            &b64url_decode(s(c, "request").split('.').next().unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(header, json!({"alg": "PS256", "kid": r.rid()}), "{name}");

        // Step 5 inner JWS: deterministic ES256, recomputed byte for byte.
        let iat = c["responseIat"].as_u64().unwrap();
        assert_eq!(iat, c["now"].as_u64().unwrap());
        let jws = signing.sign_response(s(c, "jti"), iat, &value).unwrap();
        assert_eq!(jws.expose(), s(c, "responseJws"), "{name}");
        let inner_payload = verify_es256_jws(s(c, "responseJws"), &pinned(c)).unwrap();
        assert_eq!(
            String::from_utf8(inner_payload).unwrap(),
            format!(
                r#"{{"jti":"{}","iat":{iat},"value":"{}"}}"#,
                s(c, "jti"),
                b64url_encode(&value)
            )
        );
        let sig = b64url_decode(s(c, "responseJws").rsplit('.').next().unwrap()).unwrap();
        assert_eq!(sig.len(), 64);
        high_s.insert(c["responseSignatureHighS"].as_bool().unwrap());

        // Steps 4-5: with the recorded CEK and IV the response equals the vector's except for
        // the randomized OAEP-wrapped key, which must unwrap to the CEK.
        let cek = hex_decode(s(c, "cek")).unwrap();
        let riv = hex_decode(s(c, "responseIv")).unwrap();
        let mut scripted = ScriptedRng::new([&cek[..], &riv[..]]);
        let accepted = server_decrypt(c, &mut scripted).unwrap();
        let ours: Vec<&str> = accepted.response.split('.').collect();
        let theirs: Vec<&str> = s(c, "response").split('.').collect();
        assert_eq!(ours.len(), 5);
        for i in [0, 2, 3, 4] {
            assert_eq!(ours[i], theirs[i], "{name} part {i}");
        }
        assert_eq!(
            String::from_utf8(b64url_decode(theirs[0]).unwrap()).unwrap(),
            format!(
                r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{}","cty":"JWT"}}"#,
                r.rid()
            )
        );
        let key =
            RsaPrivateKey::from_pkcs8_der(&hex_decode(s(c, "recipientPrivateKeyPkcs8")).unwrap())
                .unwrap();
        let unwrapped = key
            .oaep_sha256_decrypt(&b64url_decode(theirs[1]).unwrap(), &mut rng)
            .unwrap();
        assert_eq!(unwrapped.expose(), &cek[..]);
        // The response ciphertext is the inner JWS under the CEK.
        let mut ct_tag = b64url_decode(theirs[3]).unwrap();
        ct_tag.extend(b64url_decode(theirs[4]).unwrap());
        let inner = aes_gcm_decrypt(&cek, &riv, &ct_tag, theirs[0].as_bytes()).unwrap();
        assert_eq!(inner.expose(), s(c, "responseJws").as_bytes());
        assert_eq!(accepted.rid, r.rid());
        assert_eq!(accepted.jti, s(c, "jti"));
        assert_eq!(
            accepted.effect(),
            sealwright::Effect::put_if_absent(
                format!("sw:v1:relay:jti:{}", s(c, "jti")),
                r.rid().as_bytes().to_vec(),
                Some(660),
            )
        );

        // Recipient opens both the vector's response and ours for the request's jti, and
        // neither for another jti.
        for resp in [s(c, "response"), accepted.response.as_str()] {
            let got = r
                .open_response_for_jti(resp, s(c, "jti"), &pinned(c), &mut rng)
                .unwrap();
            assert_eq!(got.expose(), &value[..], "{name}");
            assert_eq!(
                r.open_response_for_jti(resp, &b64url_encode(&[0; 16]), &pinned(c), &mut rng)
                    .unwrap_err(),
                sealwright::Error::Replay
            );
        }
    }
    assert!(n >= 3);
    // The positive cases include a high and a low s: the signer does not normalize.
    assert_eq!(high_s.len(), 2);
}

#[test]
fn negative_cases_replay() {
    let mut counts = std::collections::BTreeMap::new();
    let mut rng = ChaCha20Rng::from_seed([6; 32]);
    for c in cases().iter().filter(|c| c.get("expectedError").is_some()) {
        let name = &c["name"];
        let want = s(c, "expectedError");
        let got = match s(c, "operation") {
            "register" => RecipientPublicKey::from_jwk(&c["recipientJwk"].to_string()).map(|_| ()),
            "serverDecrypt" => server_decrypt(c, &mut ScriptedRng::new([[0u8; 0]])).map(|_| ()),
            "recipientOpen" => recipient(c)
                .open_response_for_jti(s(c, "response"), s(c, "jti"), &pinned(c), &mut rng)
                .map(|_| ()),
            op => panic!("unknown operation {op}"),
        };
        let err = got.expect_err(&format!("{name} should fail"));
        assert_eq!(err.code(), want, "{name}");
        *counts
            .entry((s(c, "operation").to_string(), want.to_string()))
            .or_insert(0) += 1;
    }
    let count = |op: &str, code: &str| counts.get(&(op.into(), code.into())).copied();
    assert!(count("register", "KEY_REJECTED") >= Some(15), "{counts:?}");
    assert!(count("register", "INVALID_INPUT") >= Some(5), "{counts:?}");
    assert!(
        count("serverDecrypt", "SEALED_INVALID") >= Some(5),
        "{counts:?}"
    );
    assert!(count("serverDecrypt", "REPLAY") >= Some(2), "{counts:?}");
    // Spec §6: a response signed by another key, one for another jti; one per open check.
    assert!(
        count("recipientOpen", "INVALID_INPUT") >= Some(10),
        "{counts:?}"
    );
    assert!(
        count("recipientOpen", "DECRYPTION_FAILED") >= Some(4),
        "{counts:?}"
    );
    assert!(
        count("recipientOpen", "BAD_SIGNATURE") >= Some(5),
        "{counts:?}"
    );
    assert!(count("recipientOpen", "REPLAY") >= Some(2), "{counts:?}");
}
