//! Vectors for the sealed relay (spec §1, §6 `relay.json`).
//!
//! Keys: recipient A (RSA-4096), recipient B (RSA-3072), a 2048-bit key for "too small",
//! relay key `rk-1` and an unknown relay key `rk-other`. Negative cases that need a malformed
//! object (a sealed JWE with `crit`, a JWS with another `alg`, ...) build it here by hand.

use rand_chacha::ChaCha20Rng;
use rand_core::Rng;
use sealwright::crypto::aes_gcm_encrypt;
use sealwright::encoding::{b64url_decode, b64url_encode, hex_encode};
use sealwright::relay::{Recipient, RecipientPublicKey, RelayKey, RelayKeys};
use sealwright::rng::ScriptedRng;
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::SecretKey32;
use serde_json::{Value, json};

use crate::{file, render, seeded};

/// Server time (seconds) of every case.
const NOW: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

struct Ctx {
    rng: ChaCha20Rng,
    a: Recipient,
    b: Recipient,
    relay: RelayKey,
    other_relay: RelayKey,
}

fn bytes<const N: usize>(rng: &mut ChaCha20Rng) -> [u8; N] {
    let mut b = [0u8; N];
    rng.fill_bytes(&mut b);
    b
}

fn jwk_value(r: &Recipient) -> Value {
    serde_json::from_str(&r.jwk()).unwrap()
}

/// Flips the lowest bit of byte `at` (counted from the end when negative) of part `part` of a
/// compact serialization, keeping the part valid b64url.
fn flip(compact: &str, part: usize, at: isize) -> String {
    let mut parts: Vec<String> = compact.split('.').map(String::from).collect();
    let mut raw = b64url_decode(&parts[part]).unwrap();
    let i = if at < 0 {
        raw.len() - at.unsigned_abs()
    } else {
        at as usize
    };
    raw[i] ^= 0x01;
    parts[part] = b64url_encode(&raw);
    parts.join(".")
}

/// A sealed-style JWE with an arbitrary protected header and encrypted key.
fn craft_sealed(key: &RelayKey, header: &str, ek: &[u8], iv: &[u8; 12], value: &[u8]) -> String {
    let h = b64url_encode(header.as_bytes());
    let out = aes_gcm_encrypt(key.secret().expose(), iv, value, h.as_bytes()).unwrap();
    let (ct, tag) = out.split_at(out.len() - 16);
    [
        h,
        b64url_encode(ek),
        b64url_encode(iv),
        b64url_encode(ct),
        b64url_encode(tag),
    ]
    .join(".")
}

impl Ctx {
    fn new() -> Self {
        let mut rng = seeded("relay");
        let a = Recipient::generate_with_bits(4096, &mut rng).unwrap();
        let b = Recipient::generate_with_bits(3072, &mut rng).unwrap();
        let relay = RelayKey::new("rk-1", SecretKey32::new(bytes(&mut rng))).unwrap();
        let other_relay = RelayKey::new("rk-other", SecretKey32::new(bytes(&mut rng))).unwrap();
        Self {
            rng,
            a,
            b,
            relay,
            other_relay,
        }
    }

    fn keys(&self) -> RelayKeys {
        RelayKeys::new(self.relay.clone())
    }

    fn positive(&mut self, name: &str, who: char, value: &str, bound: bool) -> Value {
        let r = if who == 'a' { &self.a } else { &self.b };
        let aud = bound.then(|| r.rid().to_string());
        let seal_iv: [u8; 12] = bytes(&mut self.rng);
        let sealed = self
            .relay
            .seal_with_iv(value.as_bytes(), aud.as_deref(), &seal_iv)
            .unwrap();
        let iat_ms = (NOW - 7) * 1000 + 250;
        let request = r.request(&sealed, iat_ms, &mut self.rng).unwrap();
        let cek: [u8; 32] = bytes(&mut self.rng);
        let response_iv: [u8; 12] = bytes(&mut self.rng);
        let oaep_seed: [u8; 64] = bytes(&mut self.rng);
        let mut scripted = ScriptedRng::new([&cek[..], &response_iv[..], &oaep_seed[..]]);
        let registered = r.public_key().clone();
        let accepted = self
            .keys()
            .decrypt_request(
                &request,
                |rid| (rid == registered.rid()).then(|| registered.clone()),
                |_| false,
                NOW * 1000 + 999,
                &mut scripted,
            )
            .unwrap();
        let opened = r.open_response(&accepted.response, &mut self.rng).unwrap();
        assert_eq!(opened.expose(), value.as_bytes());
        json!({
            "name": name,
            "relayKey": hex_encode(self.relay.secret().expose()),
            "rkid": self.relay.rkid(),
            "recipientJwk": jwk_value(r),
            "rid": r.rid(),
            "recipientPrivateKeyPkcs8": hex_encode(r.to_pkcs8_der().unwrap().expose()),
            "value": value,
            "sealIv": hex_encode(&seal_iv),
            "aud": aud,
            "sealed": sealed,
            "now": NOW,
            "request": request,
            "jti": accepted.jti,
            "cek": hex_encode(&cek),
            "responseIv": hex_encode(&response_iv),
            "response": accepted.response,
        })
    }

    fn server_case(
        &self,
        name: &str,
        err: &str,
        jwk_of: &Recipient,
        request: &str,
        now: u64,
        seen: &[&str],
    ) -> Value {
        // The generator checks its own negative cases against the core.
        let registered = jwk_of.public_key().clone();
        let got = self
            .keys()
            .decrypt_request(
                request,
                |rid| (rid == registered.rid()).then(|| registered.clone()),
                |jti| seen.contains(&jti),
                now * 1000,
                &mut seeded("unused"),
            )
            .unwrap_err();
        assert_eq!(got.code(), err, "{name}");
        json!({
            "name": name,
            "operation": "serverDecrypt",
            "expectedError": err,
            "relayKey": hex_encode(self.relay.secret().expose()),
            "rkid": self.relay.rkid(),
            "recipientJwk": jwk_value(jwk_of),
            "request": request,
            "now": now,
            "seenJtis": seen,
        })
    }

    fn open_case(&mut self, name: &str, err: &str, r: &Recipient, response: &str) -> Value {
        let got = r.open_response(response, &mut self.rng).unwrap_err();
        assert_eq!(got.code(), err, "{name}");
        json!({
            "name": name,
            "operation": "recipientOpen",
            "expectedError": err,
            "recipientJwk": jwk_value(r),
            "recipientPrivateKeyPkcs8": hex_encode(r.to_pkcs8_der().unwrap().expose()),
            "response": response,
        })
    }
}

fn register_case(name: &str, err: &str, jwk: Value) -> Value {
    let got = RecipientPublicKey::from_jwk(&jwk.to_string()).unwrap_err();
    assert_eq!(got.code(), err, "{name}");
    json!({
        "name": name,
        "operation": "register",
        "expectedError": err,
        "recipientJwk": jwk,
    })
}

/// The files this module writes, as `(file name, text)`.
pub fn generate() -> Vec<(&'static str, String)> {
    let mut c = Ctx::new();
    let mut cases = Vec::new();

    // ---- positive cases
    let pos_a = c.positive(
        "bound to recipient A (RSA-4096)",
        'a',
        "wallet share #1",
        true,
    );
    let pos_b = c.positive(
        "unbound, recipient B (RSA-3072)",
        'b',
        "{\"note\":\"any JSON or text\",\"é\":1}",
        false,
    );
    cases.push(pos_a.clone());
    cases.push(pos_b.clone());

    // ---- register
    let a_jwk = jwk_value(&c.a);
    let n_a = a_jwk["n"].as_str().unwrap().to_string();
    let n_a_bytes = b64url_decode(&n_a).unwrap();
    let with = |k: &str, v: Value| {
        let mut j = a_jwk.clone();
        j[k] = v;
        j
    };
    cases.push(register_case(
        "kty EC",
        "KEY_REJECTED",
        json!({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}),
    ));
    cases.push(register_case(
        "kty oct",
        "KEY_REJECTED",
        with("kty", json!("oct")),
    ));
    cases.push(register_case(
        "kty missing",
        "KEY_REJECTED",
        json!({"n": n_a, "e": "AQAB"}),
    ));
    let small = RsaPrivateKey::generate(2048, &mut c.rng)
        .unwrap()
        .public_key();
    cases.push(register_case(
        "key too small (2048 bits)",
        "KEY_REJECTED",
        json!({"kty":"RSA","n": b64url_encode(&small.n_bytes()),"e":"AQAB"}),
    ));
    let mut huge = vec![0xc5u8; 1025]; // 8200 bits, odd
    huge[1024] = 0x01;
    cases.push(register_case(
        "modulus of 8200 bits",
        "KEY_REJECTED",
        json!({"kty":"RSA","n": b64url_encode(&huge),"e":"AQAB"}),
    ));
    cases.push(register_case(
        "e = 3",
        "KEY_REJECTED",
        with("e", json!("Aw")),
    ));
    cases.push(register_case(
        "e = 2^32 + 1",
        "KEY_REJECTED",
        with("e", json!(b64url_encode(&[1, 0, 0, 0, 1]))),
    ));
    cases.push(register_case(
        "e with a leading zero octet",
        "KEY_REJECTED",
        with("e", json!("AAEAAQ")),
    ));
    let mut n_lz = vec![0u8];
    n_lz.extend_from_slice(&n_a_bytes);
    cases.push(register_case(
        "n with a leading zero octet",
        "KEY_REJECTED",
        with("n", json!(b64url_encode(&n_lz))),
    ));
    let mut n_even = n_a_bytes.clone();
    *n_even.last_mut().unwrap() &= 0xfe;
    cases.push(register_case(
        "even modulus",
        "KEY_REJECTED",
        with("n", json!(b64url_encode(&n_even))),
    ));
    for m in sealwright::relay::PRIVATE_MEMBERS {
        cases.push(register_case(
            &format!("private member {m}"),
            "KEY_REJECTED",
            with(m, if m == "oth" { json!([]) } else { json!("AQAB") }),
        ));
    }
    cases.push(register_case(
        "n not b64url",
        "INVALID_INPUT",
        with("n", json!(format!("{}=", &n_a))),
    ));
    cases.push(register_case(
        "n missing",
        "INVALID_INPUT",
        json!({"kty":"RSA","e":"AQAB"}),
    ));
    cases.push(register_case(
        "not an object",
        "INVALID_INPUT",
        json!(["RSA"]),
    ));

    // ---- serverDecrypt
    let req_a = pos_a["request"].as_str().unwrap().to_string();
    let sealed_a = pos_a["sealed"].as_str().unwrap().to_string();
    let jti_a = pos_a["jti"].as_str().unwrap().to_string();
    let iat_ms = (NOW - 7) * 1000;
    let a = c.a.clone();
    let b = c.b.clone();
    cases.push(c.server_case(
        "flipped byte in the JWS signature",
        "BAD_SIGNATURE",
        &a,
        &flip(&req_a, 2, 10),
        NOW,
        &[],
    ));
    cases.push(c.server_case(
        "flipped byte in the JWS payload",
        "BAD_SIGNATURE",
        &a,
        &flip(&req_a, 1, 5),
        NOW,
        &[],
    ));
    cases.push(c.server_case(
        "truncated signature",
        "BAD_SIGNATURE",
        &a,
        &{
            let mut p: Vec<&str> = req_a.split('.').collect();
            let s = &p[2][..p[2].len() - 4];
            p[2] = s;
            p.join(".")
        },
        NOW,
        &[],
    ));
    {
        let p: Vec<&str> = req_a.split('.').collect();
        let rs256 = format!(
            "{}.{}.{}",
            b64url_encode(format!(r#"{{"alg":"RS256","kid":"{}"}}"#, a.rid()).as_bytes()),
            p[1],
            p[2]
        );
        cases.push(c.server_case("alg RS256", "BAD_SIGNATURE", &a, &rs256, NOW, &[]));
        let none = format!(
            "{}.{}.",
            b64url_encode(format!(r#"{{"alg":"none","kid":"{}"}}"#, a.rid()).as_bytes()),
            p[1]
        );
        cases.push(c.server_case(
            "alg none, empty signature",
            "BAD_SIGNATURE",
            &a,
            &none,
            NOW,
            &[],
        ));
        cases.push(c.server_case(
            "two parts",
            "BAD_SIGNATURE",
            &a,
            &format!("{}.{}", p[0], p[1]),
            NOW,
            &[],
        ));
    }
    let req_b_for_a = b.request(&sealed_a, iat_ms, &mut c.rng).unwrap();
    cases.push(c.server_case(
        "unknown kid (signed by an unregistered key)",
        "UNKNOWN_RECIPIENT",
        &a,
        &req_b_for_a,
        NOW,
        &[],
    ));
    cases.push(c.server_case(
        "stale: now - iat = 301",
        "STALE",
        &a,
        &req_a,
        NOW - 7 + 301,
        &[],
    ));
    cases.push(c.server_case(
        "stale: iat - now = 301",
        "STALE",
        &a,
        &req_a,
        NOW - 7 - 301,
        &[],
    ));
    let float_iat = a
        .sign_jws(
            format!(
                r#"{{"sealed":"{sealed_a}","iat":{}.0,"jti":"{}"}}"#,
                NOW,
                b64url_encode(&bytes::<16>(&mut c.rng))
            )
            .as_bytes(),
            &mut c.rng,
        )
        .unwrap();
    cases.push(c.server_case("iat not an integer", "STALE", &a, &float_iat, NOW, &[]));
    cases.push(c.server_case("replayed jti", "REPLAY", &a, &req_a, NOW, &[jti_a.as_str()]));
    // The same jti in another, validly signed request (other bytes) is still a replay.
    let replay_other = a
        .sign_jws(
            format!(r#"{{"jti":"{jti_a}","iat":{NOW},"sealed":"{sealed_a}"}}"#).as_bytes(),
            &mut c.rng,
        )
        .unwrap();
    cases.push(c.server_case(
        "replayed jti in a request with other bytes",
        "REPLAY",
        &a,
        &replay_other,
        NOW,
        &[jti_a.as_str()],
    ));
    for (name, jti) in [
        ("jti of 15 bytes", b64url_encode(&[7u8; 15])),
        ("jti of 17 bytes", b64url_encode(&[7u8; 17])),
        ("jti not b64url", "AAAAAAAAAAAAAAAAAAAAAA==".to_string()),
    ] {
        let req = a
            .sign_jws(
                format!(r#"{{"sealed":"{sealed_a}","iat":{NOW},"jti":"{jti}"}}"#).as_bytes(),
                &mut c.rng,
            )
            .unwrap();
        cases.push(c.server_case(name, "INVALID_INPUT", &a, &req, NOW, &[]));
    }
    // Sealed JWE defects, each wrapped in a fresh, validly signed request.
    let rk = c.relay.clone();
    let value = b"wallet share #1";
    let mut sealed_variants: Vec<(&str, &str, String)> = Vec::new();
    let iv: [u8; 12] = bytes(&mut c.rng);
    sealed_variants.push((
        "sealed JWE with crit",
        "SEALED_INVALID",
        craft_sealed(
            &rk,
            r#"{"alg":"dir","enc":"A256GCM","kid":"rk-1","crit":["exp"],"exp":1}"#,
            b"",
            &iv,
            value,
        ),
    ));
    sealed_variants.push((
        "sealed JWE with zip",
        "SEALED_INVALID",
        craft_sealed(
            &rk,
            r#"{"alg":"dir","enc":"A256GCM","kid":"rk-1","zip":"DEF"}"#,
            b"",
            &iv,
            value,
        ),
    ));
    sealed_variants.push((
        "sealed JWE with alg A256KW",
        "SEALED_INVALID",
        craft_sealed(
            &rk,
            r#"{"alg":"A256KW","enc":"A256GCM","kid":"rk-1"}"#,
            b"",
            &iv,
            value,
        ),
    ));
    sealed_variants.push((
        "sealed JWE with enc A128GCM",
        "SEALED_INVALID",
        craft_sealed(
            &rk,
            r#"{"alg":"dir","enc":"A128GCM","kid":"rk-1"}"#,
            b"",
            &iv,
            value,
        ),
    ));
    sealed_variants.push((
        "sealed JWE with a non-empty encrypted key",
        "SEALED_INVALID",
        craft_sealed(
            &rk,
            r#"{"alg":"dir","enc":"A256GCM","kid":"rk-1"}"#,
            &[0u8; 32],
            &iv,
            value,
        ),
    ));
    sealed_variants.push((
        "flipped byte in the sealed tag",
        "SEALED_INVALID",
        flip(&sealed_a, 4, -1),
    ));
    sealed_variants.push((
        "flipped byte in the sealed ciphertext",
        "SEALED_INVALID",
        flip(&sealed_a, 3, 0),
    ));
    sealed_variants.push((
        "flipped byte in the sealed IV",
        "SEALED_INVALID",
        flip(&sealed_a, 2, 3),
    ));
    sealed_variants.push((
        "sealed header changed (aud removed), tag no longer matches",
        "SEALED_INVALID",
        {
            let mut p: Vec<String> = sealed_a.split('.').map(String::from).collect();
            p[0] = b64url_encode(br#"{"alg":"dir","enc":"A256GCM","kid":"rk-1"}"#);
            p.join(".")
        },
    ));
    sealed_variants.push((
        "unknown rkid",
        "UNKNOWN_RELAY_KEY",
        c.other_relay.seal_with_iv(value, None, &iv).unwrap(),
    ));
    sealed_variants.push((
        "aud names another recipient",
        "AUDIENCE_MISMATCH",
        rk.seal_with_iv(value, Some(b.rid()), &iv).unwrap(),
    ));
    for (name, err, sealed) in sealed_variants {
        let req = a.request(&sealed, iat_ms, &mut c.rng).unwrap();
        cases.push(c.server_case(name, err, &a, &req, NOW, &[]));
    }

    // ---- recipientOpen
    let resp_a = pos_a["response"].as_str().unwrap().to_string();
    let resp_b = pos_b["response"].as_str().unwrap().to_string();
    cases.push(c.open_case(
        "flipped byte in the wrapped content key",
        "DECRYPTION_FAILED",
        &a,
        &flip(&resp_a, 1, 20),
    ));
    cases.push(c.open_case(
        "flipped byte in the response IV",
        "DECRYPTION_FAILED",
        &a,
        &flip(&resp_a, 2, 0),
    ));
    cases.push(c.open_case(
        "flipped byte in the response ciphertext",
        "DECRYPTION_FAILED",
        &a,
        &flip(&resp_a, 3, 2),
    ));
    cases.push(c.open_case(
        "flipped byte in the response tag",
        "DECRYPTION_FAILED",
        &a,
        &flip(&resp_a, 4, 15),
    ));
    cases.push(c.open_case(
        "response for another recipient (kid mismatch)",
        "INVALID_INPUT",
        &a,
        &resp_b,
    ));
    cases.push(
        c.open_case("response header alg RSA-OAEP", "INVALID_INPUT", &a, &{
            let mut p: Vec<String> = resp_a.split('.').map(String::from).collect();
            p[0] = b64url_encode(
                format!(
                    r#"{{"alg":"RSA-OAEP","enc":"A256GCM","kid":"{}"}}"#,
                    a.rid()
                )
                .as_bytes(),
            );
            p.join(".")
        }),
    );

    vec![("relay.json", render(&file("relay", 1, cases)))]
}
