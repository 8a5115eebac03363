//! Replays `test-vectors/relay.json` (spec §6) through the core.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::encoding::{b64url_decode, hex_decode, hex_decode_array};
use sealwright::relay::{Recipient, RecipientPublicKey, RelayKey, RelayKeys};
use sealwright::rng::ScriptedRng;
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::SecretKey32;
use serde_json::Value;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/relay.json");

fn cases() -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(FILE).unwrap()).unwrap();
    assert_eq!(v["protocol"], "relay");
    assert_eq!(v["specVersion"], 1);
    v["cases"].as_array().unwrap().clone()
}

fn s<'a>(c: &'a Value, k: &str) -> &'a str {
    c[k].as_str()
        .unwrap_or_else(|| panic!("{}: {k}", c["name"]))
}

fn relay_keys(c: &Value) -> RelayKeys {
    let key = SecretKey32::new(hex_decode_array(s(c, "relayKey")).unwrap());
    RelayKeys::new(RelayKey::new(s(c, "rkid"), key).unwrap())
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
    let mut rng = ChaCha20Rng::from_seed([5; 32]);
    for c in cases().iter().filter(|c| c.get("expectedError").is_none()) {
        n += 1;
        let name = &c["name"];
        let r = recipient(c);
        let aud = c["aud"].as_str();
        if let Some(aud) = aud {
            assert_eq!(aud, r.rid());
        }
        // Step 2: sealing is deterministic given the IV.
        let keys = relay_keys(c);
        let iv: [u8; 12] = hex_decode_array(s(c, "sealIv")).unwrap();
        let sealed = keys
            .current()
            .seal_with_iv(s(c, "value").as_bytes(), aud, &iv)
            .unwrap();
        assert_eq!(sealed, s(c, "sealed"), "{name}");

        // Step 3: the request is a PS256 JWS over the sealed value (checked by verifying).
        let payload =
            sealwright::relay::verify_request(s(c, "request"), |_| Some(r.public_key().clone()))
                .unwrap();
        let payload: Value = serde_json::from_slice(&payload).unwrap();
        assert_eq!(payload["sealed"], c["sealed"], "{name}");
        assert_eq!(
            b64url_decode(payload["jti"].as_str().unwrap())
                .unwrap()
                .len(),
            16
        );
        let header: Value = serde_json::from_slice(
            &b64url_decode(s(c, "request").split('.').next().unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(
            header,
            serde_json::json!({"alg": "PS256", "kid": r.rid()}),
            "{name}"
        );

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
        let key =
            RsaPrivateKey::from_pkcs8_der(&hex_decode(s(c, "recipientPrivateKeyPkcs8")).unwrap())
                .unwrap();
        let unwrapped = key
            .oaep_sha256_decrypt(&b64url_decode(theirs[1]).unwrap(), &mut rng)
            .unwrap();
        assert_eq!(unwrapped.expose(), &cek[..]);
        assert_eq!(accepted.rid, r.rid());
        assert_eq!(
            accepted.effect(),
            sealwright::Effect::put_if_absent(
                format!("sw:v1:relay:jti:{}", payload["jti"].as_str().unwrap()),
                r.rid().as_bytes().to_vec(),
                Some(600),
            )
        );

        // Recipient opens both the vector's response and ours.
        for resp in [s(c, "response"), accepted.response.as_str()] {
            let value = r.open_response(resp, &mut rng).unwrap();
            assert_eq!(value.expose(), s(c, "value").as_bytes(), "{name}");
        }
    }
    assert!(n >= 2);
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
                .open_response(s(c, "response"), &mut rng)
                .map(|_| ()),
            op => panic!("unknown operation {op}"),
        };
        let err = got.expect_err(&format!("{name} should fail"));
        assert_eq!(err.code(), want, "{name}");
        *counts.entry(s(c, "operation").to_string()).or_insert(0) += 1;
    }
    assert!(counts["register"] >= 15, "{counts:?}");
    assert!(counts["serverDecrypt"] >= 20, "{counts:?}");
    assert!(counts["recipientOpen"] >= 5, "{counts:?}");
}
