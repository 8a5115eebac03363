//! Vectors for the sealed relay (spec §1, §6 `relay.json`), spec version 2.
//!
//! Keys: recipient A (RSA-4096), recipient B (RSA-3072), a 2048-bit key for "too small",
//! relay key `rk-1` and an unknown relay key `rk-other`, the relay signing key `sk-1` (P-256)
//! and two other P-256 keys: one under the same `skid` and one named `sk-other`. Negative
//! cases that need a malformed object (a sealed JWE with `crit`, a JWS with another `alg`, a
//! response whose inner JWS lacks `iat`, ...) build it here by hand; every inner JWS signed
//! here is made with the `p256` crate directly, not through the core, and the positive cases'
//! `responseJws` is checked against that independent construction.

use p256::ecdsa::signature::Signer;
use rand_chacha::ChaCha20Rng;
use rand_core::Rng;
use sealwright::crypto::{aes_gcm_decrypt, aes_gcm_encrypt};
use sealwright::encoding::{b64url_decode, b64url_encode, hex_encode};
use sealwright::relay::{
    Recipient, RecipientPublicKey, RelayKey, RelayKeys, RelaySigningKey, RelayVerifyingKey,
};
use sealwright::rng::ScriptedRng;
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::SecretKey32;
use serde_json::{Value, json};

use crate::{file, render, seeded};

/// Server time (seconds) of every case.
const NOW: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// The P-256 group order n, big-endian.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

struct Ctx {
    rng: ChaCha20Rng,
    a: Recipient,
    b: Recipient,
    relay: RelayKey,
    other_relay: RelayKey,
    /// The relay signing key `sk-1`.
    signing: RelaySigningKey,
    /// Another P-256 key that also calls itself `sk-1`.
    impostor: RelaySigningKey,
    /// A third P-256 key, `sk-other`, that recipients do not pin.
    unpinned: RelaySigningKey,
}

fn bytes<const N: usize>(rng: &mut ChaCha20Rng) -> [u8; N] {
    let mut b = [0u8; N];
    rng.fill_bytes(&mut b);
    b
}

fn jwk_value(r: &Recipient) -> Value {
    serde_json::from_str(&r.jwk()).unwrap()
}

fn signing_jwk_value(k: &RelaySigningKey) -> Value {
    serde_json::from_str(&k.public_jwk()).unwrap()
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

/// Replaces part `part` of a compact serialization.
fn with_part(compact: &str, part: usize, text: &str) -> String {
    let mut parts: Vec<String> = compact.split('.').map(String::from).collect();
    parts[part] = text.to_string();
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

/// A compact JWS signed with the `p256` crate directly (RFC 6979, `s` as computed): header
/// and payload are used as given, byte for byte.
fn es256(key: &RelaySigningKey, header: &str, payload: &[u8]) -> String {
    let sk = p256::ecdsa::SigningKey::from_slice(key.scalar().expose()).unwrap();
    let input = format!(
        "{}.{}",
        b64url_encode(header.as_bytes()),
        b64url_encode(payload)
    );
    let sig: p256::ecdsa::Signature = sk.sign(input.as_bytes());
    format!("{input}.{}", b64url_encode(sig.to_bytes().as_slice()))
}

/// `{"alg":"ES256","kid":"<skid>"}`.
fn es256_header(skid: &str) -> String {
    format!(r#"{{"alg":"ES256","kid":"{skid}"}}"#)
}

/// The spec's response payload, built by hand.
fn response_payload(jti: &str, iat: u64, value: &[u8]) -> String {
    format!(
        r#"{{"jti":"{jti}","iat":{iat},"value":"{}"}}"#,
        b64url_encode(value)
    )
}

/// Whether the `s` half of a 64-byte `r || s` signature is above n/2.
fn s_is_high(sig: &[u8]) -> bool {
    // 2s > n, compared big-endian on 33-byte doubles.
    let mut two_s = [0u8; 33];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let v = u16::from(sig[32 + i]) * 2 + carry;
        two_s[i + 1] = v as u8;
        carry = v >> 8;
    }
    two_s[0] = carry as u8;
    let mut n = [0u8; 33];
    n[1..].copy_from_slice(&P256_N);
    two_s > n
}

/// A response JWE around any plaintext with any protected header: a fresh CEK and IV from
/// `rng`, the CEK wrapped to `to` with RSA-OAEP-256, AAD = ASCII(b64url(header)).
fn craft_response(
    to: &RecipientPublicKey,
    header: &str,
    plaintext: &[u8],
    rng: &mut ChaCha20Rng,
) -> String {
    let cek: [u8; 32] = bytes(rng);
    let iv: [u8; 12] = bytes(rng);
    let h = b64url_encode(header.as_bytes());
    let out = aes_gcm_encrypt(&cek, &iv, plaintext, h.as_bytes()).unwrap();
    let (ct, tag) = out.split_at(out.len() - 16);
    let ek = to.public_key().oaep_sha256_encrypt(&cek, rng).unwrap();
    [
        h,
        b64url_encode(&ek),
        b64url_encode(&iv),
        b64url_encode(ct),
        b64url_encode(tag),
    ]
    .join(".")
}

/// `{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"<rid>","cty":"JWT"}`.
fn response_header(rid: &str) -> String {
    format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid}","cty":"JWT"}}"#)
}

impl Ctx {
    fn new() -> Self {
        let mut rng = seeded("relay");
        let a = Recipient::generate_with_bits(4096, &mut rng).unwrap();
        let b = Recipient::generate_with_bits(3072, &mut rng).unwrap();
        let relay = RelayKey::new("rk-1", SecretKey32::new(bytes(&mut rng))).unwrap();
        let other_relay = RelayKey::new("rk-other", SecretKey32::new(bytes(&mut rng))).unwrap();
        let signing = RelaySigningKey::new("sk-1", &SecretKey32::new(bytes(&mut rng))).unwrap();
        let impostor = RelaySigningKey::new("sk-1", &SecretKey32::new(bytes(&mut rng))).unwrap();
        let unpinned =
            RelaySigningKey::new("sk-other", &SecretKey32::new(bytes(&mut rng))).unwrap();
        Self {
            rng,
            a,
            b,
            relay,
            other_relay,
            signing,
            impostor,
            unpinned,
        }
    }

    fn keys(&self) -> RelayKeys {
        RelayKeys::new(self.relay.clone(), self.signing.clone())
    }

    fn pinned(&self) -> Vec<RelayVerifyingKey> {
        vec![self.signing.verifying_key()]
    }

    fn positive(&mut self, name: &str, who: char, value: &[u8], bound: bool) -> Value {
        let r = if who == 'a' { &self.a } else { &self.b };
        let aud = bound.then(|| r.rid().to_string());
        let seal_iv: [u8; 12] = bytes(&mut self.rng);
        let sealed = self
            .relay
            .seal_with_iv(value, aud.as_deref(), &seal_iv)
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
                request.jws(),
                |rid| (rid == registered.rid()).then(|| registered.clone()),
                |_| false,
                NOW * 1000 + 999,
                &mut scripted,
            )
            .unwrap();
        assert_eq!(accepted.jti, request.jti());

        // Independent check of step 5: the outer header, and the inner JWS rebuilt with p256.
        let parts: Vec<&str> = accepted.response.split('.').collect();
        assert_eq!(
            String::from_utf8(b64url_decode(parts[0]).unwrap()).unwrap(),
            response_header(r.rid())
        );
        let mut ct_tag = b64url_decode(parts[3]).unwrap();
        ct_tag.extend(b64url_decode(parts[4]).unwrap());
        let response_jws = aes_gcm_decrypt(
            &cek,
            &b64url_decode(parts[2]).unwrap(),
            &ct_tag,
            parts[0].as_bytes(),
        )
        .unwrap();
        let response_jws = String::from_utf8(response_jws.expose().to_vec()).unwrap();
        let expected_jws = es256(
            &self.signing,
            &es256_header(self.signing.skid()),
            response_payload(request.jti(), NOW, value).as_bytes(),
        );
        assert_eq!(response_jws, expected_jws, "{name}");
        let sig = b64url_decode(response_jws.rsplit('.').next().unwrap()).unwrap();

        let opened = r
            .open_response(&accepted.response, &request, &self.pinned(), &mut self.rng)
            .unwrap();
        assert_eq!(opened.expose(), value);
        json!({
            "name": name,
            "relayKey": hex_encode(self.relay.secret().expose()),
            "rkid": self.relay.rkid(),
            "signingPrivate": hex_encode(self.signing.scalar().expose()),
            "skid": self.signing.skid(),
            "signingJwk": signing_jwk_value(&self.signing),
            "recipientJwk": jwk_value(r),
            "rid": r.rid(),
            "recipientPrivateKeyPkcs8": hex_encode(r.to_pkcs8_der().unwrap().expose()),
            "value": hex_encode(value),
            "sealIv": hex_encode(&seal_iv),
            "aud": aud,
            "sealed": sealed,
            "now": NOW,
            "request": request.jws(),
            "jti": request.jti(),
            "responseIat": NOW,
            "responseJws": response_jws,
            "responseSignatureHighS": s_is_high(&sig),
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
            "signingPrivate": hex_encode(self.signing.scalar().expose()),
            "skid": self.signing.skid(),
            "recipientJwk": jwk_value(jwk_of),
            "request": request,
            "now": now,
            "seenJtis": seen,
        })
    }

    /// A `recipientOpen` case: `r` opens `response` for the request `jti`, pinning `sk-1`.
    fn open_case(
        &mut self,
        name: &str,
        err: &str,
        r: &Recipient,
        jti: &str,
        response: &str,
    ) -> Value {
        let got = r
            .open_response_for_jti(response, jti, &self.pinned(), &mut self.rng)
            .unwrap_err();
        assert_eq!(got.code(), err, "{name}");
        json!({
            "name": name,
            "operation": "recipientOpen",
            "expectedError": err,
            "recipientJwk": jwk_value(r),
            "recipientPrivateKeyPkcs8": hex_encode(r.to_pkcs8_der().unwrap().expose()),
            "signingJwk": signing_jwk_value(&self.signing),
            "skid": self.signing.skid(),
            "jti": jti,
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
        b"wallet share #1",
        true,
    );
    let pos_b = c.positive(
        "unbound, recipient B (RSA-3072)",
        'b',
        "{\"note\":\"any JSON or text\",\"é\":1}".as_bytes(),
        false,
    );
    cases.push(pos_a.clone());
    cases.push(pos_b.clone());
    // A binary value; drawn again until the positive cases hold both a high and a low `s`, so
    // a verifier that rejects high `s` (or a signer that normalizes) fails one of them.
    let high = |v: &Value| v["responseSignatureHighS"].as_bool().unwrap();
    let mut third = None;
    for attempt in 0u8..64 {
        let value = [0x00, 0xff, 0x80, 0x7f, b'.', b'=', 0x0a, attempt];
        let pos = c.positive("binary value, bound to recipient B", 'b', &value, true);
        if [&pos_a, &pos_b, &pos].iter().any(|p| high(p))
            && [&pos_a, &pos_b, &pos].iter().any(|p| !high(p))
        {
            third = Some(pos);
            break;
        }
    }
    cases.push(third.expect("a high and a low s within 64 draws"));

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
    cases.push(register_case(
        "not an object: a number",
        "INVALID_INPUT",
        json!(42),
    ));
    // Check order (spec §1 step 1): object, then kty, then n/e shape, then the rejections.
    cases.push(register_case(
        "kty not a string",
        "KEY_REJECTED",
        with("kty", json!(1)),
    ));
    cases.push(register_case(
        "order: kty missing and n not b64url (kty first)",
        "KEY_REJECTED",
        json!({"n": format!("{n_a}="), "e": "AQAB"}),
    ));
    cases.push(register_case(
        "order: kty EC and no n (kty first)",
        "KEY_REJECTED",
        json!({"kty": "EC", "e": "AQAB"}),
    ));
    cases.push(register_case(
        "order: private member d and n missing (n/e before private members)",
        "INVALID_INPUT",
        json!({"kty": "RSA", "e": "AQAB", "d": "AQAB"}),
    ));
    cases.push(register_case(
        "order: private member d and e not b64url (n/e before private members)",
        "INVALID_INPUT",
        {
            let mut j = with("d", json!("AQAB"));
            j["e"] = json!("AQAB=");
            j
        },
    ));
    cases.push(register_case(
        "n a number",
        "INVALID_INPUT",
        with("n", json!(12345)),
    ));
    cases.push(register_case(
        "e missing",
        "INVALID_INPUT",
        json!({"kty": "RSA", "n": n_a}),
    ));
    cases.push(register_case(
        "e not b64url (standard alphabet padding)",
        "INVALID_INPUT",
        with("e", json!("AQAB==")),
    ));
    cases.push(register_case(
        "n with nonzero trailing bits",
        "INVALID_INPUT",
        with("n", json!("AB")),
    ));
    cases.push(register_case(
        "private member d on a key that is otherwise fine",
        "KEY_REJECTED",
        with("d", json!(b64url_encode(&n_a_bytes))),
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
    let req_b_for_a = req_b_for_a.jws();
    cases.push(c.server_case(
        "unknown kid (signed by an unregistered key)",
        "UNKNOWN_RECIPIENT",
        &a,
        req_b_for_a,
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
        cases.push(c.server_case(name, err, &a, req.jws(), NOW, &[]));
    }

    // ---- recipientOpen
    let resp_a = pos_a["response"].as_str().unwrap().to_string();
    let resp_b = pos_b["response"].as_str().unwrap().to_string();
    let jti_b = pos_b["jti"].as_str().unwrap().to_string();
    let reg_a = a.public_key().clone();
    let rid_a = a.rid().to_string();
    let value_a = b"wallet share #1".to_vec();
    let good_header = es256_header("sk-1");
    let good_payload = response_payload(&jti_a, NOW, &value_a);
    let sk = c.signing.clone();
    // A response around any inner plaintext, with the correct outer header.
    let wrap = |c: &mut Ctx, inner: &[u8]| {
        craft_response(&reg_a, &response_header(&rid_a), inner, &mut c.rng)
    };

    // Outer JWE: header checks (INVALID_INPUT), in the spec's order before decrypting.
    cases.push(c.open_case(
        "response for another recipient (kid mismatch)",
        "INVALID_INPUT",
        &a,
        &jti_a,
        &resp_b,
    ));
    for (name, header) in [
        (
            "cty missing",
            format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid_a}"}}"#),
        ),
        (
            "cty jwt (lowercase)",
            format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid_a}","cty":"jwt"}}"#),
        ),
        (
            "cty application/jwt",
            format!(
                r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid_a}","cty":"application/jwt"}}"#
            ),
        ),
        (
            "cty not a string",
            format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid_a}","cty":1}}"#),
        ),
        (
            "kid missing",
            r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT"}"#.to_string(),
        ),
        (
            "response header alg RSA-OAEP",
            format!(r#"{{"alg":"RSA-OAEP","enc":"A256GCM","kid":"{rid_a}","cty":"JWT"}}"#),
        ),
        (
            "response header enc A128GCM",
            format!(r#"{{"alg":"RSA-OAEP-256","enc":"A128GCM","kid":"{rid_a}","cty":"JWT"}}"#),
        ),
        (
            "response header with zip",
            format!(
                r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid_a}","cty":"JWT","zip":"DEF"}}"#
            ),
        ),
    ] {
        let inner = es256(&sk, &good_header, good_payload.as_bytes());
        let resp = craft_response(&reg_a, &header, inner.as_bytes(), &mut c.rng);
        cases.push(c.open_case(name, "INVALID_INPUT", &a, &jti_a, &resp));
    }
    cases.push(
        c.open_case(
            "order: cty missing and a flipped tag byte (header checks first)",
            "INVALID_INPUT",
            &a,
            &jti_a,
            &flip(
                &with_part(
                    &resp_a,
                    0,
                    &b64url_encode(
                        format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{rid_a}"}}"#)
                            .as_bytes(),
                    ),
                ),
                4,
                0,
            ),
        ),
    );
    cases.push(c.open_case(
        "four parts",
        "INVALID_INPUT",
        &a,
        &jti_a,
        resp_a.rsplit_once('.').unwrap().0,
    ));
    cases.push(c.open_case(
        "IV of 16 bytes",
        "INVALID_INPUT",
        &a,
        &jti_a,
        &with_part(&resp_a, 2, &b64url_encode(&[7u8; 16])),
    ));
    cases.push(c.open_case(
        "tag of 15 bytes",
        "INVALID_INPUT",
        &a,
        &jti_a,
        &with_part(&resp_a, 4, &b64url_encode(&[7u8; 15])),
    ));
    cases.push(c.open_case(
        "ciphertext not b64url (padding)",
        "INVALID_INPUT",
        &a,
        &jti_a,
        &{
            let ct = resp_a.split('.').nth(3).unwrap();
            let padded = sealwright::encoding::b64_encode(&b64url_decode(ct).unwrap());
            with_part(&resp_a, 3, &padded)
        },
    ));

    // Outer JWE: decryption (DECRYPTION_FAILED).
    cases.push(c.open_case(
        "flipped byte in the wrapped content key",
        "DECRYPTION_FAILED",
        &a,
        &jti_a,
        &flip(&resp_a, 1, 20),
    ));
    cases.push(c.open_case(
        "flipped byte in the response IV",
        "DECRYPTION_FAILED",
        &a,
        &jti_a,
        &flip(&resp_a, 2, 0),
    ));
    cases.push(c.open_case(
        "flipped byte in the response ciphertext",
        "DECRYPTION_FAILED",
        &a,
        &jti_a,
        &flip(&resp_a, 3, 2),
    ));
    cases.push(c.open_case(
        "flipped byte in the response tag",
        "DECRYPTION_FAILED",
        &a,
        &jti_a,
        &flip(&resp_a, 4, 15),
    ));
    cases.push(c.open_case(
        "response header re-serialized with spaces (AAD changed)",
        "DECRYPTION_FAILED",
        &a,
        &jti_a,
        &with_part(
            &resp_a,
            0,
            &b64url_encode(
                format!(
                    r#"{{"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "{rid_a}", "cty": "JWT"}}"#
                )
                .as_bytes(),
            ),
        ),
    ));

    // Inner JWS (BAD_SIGNATURE, also for a malformed one).
    let impostor_jws = es256(&c.impostor, &good_header, good_payload.as_bytes());
    let r = wrap(&mut c, impostor_jws.as_bytes());
    cases.push(c.open_case(
        "signed by another key under the pinned skid",
        "BAD_SIGNATURE",
        &a,
        &jti_a,
        &r,
    ));
    let unpinned_jws = es256(
        &c.unpinned,
        &es256_header("sk-other"),
        good_payload.as_bytes(),
    );
    let r = wrap(&mut c, unpinned_jws.as_bytes());
    cases.push(c.open_case(
        "signed by an unpinned key (kid sk-other)",
        "BAD_SIGNATURE",
        &a,
        &jti_a,
        &r,
    ));
    let good_jws = es256(&sk, &good_header, good_payload.as_bytes());
    for (name, inner) in [
        (
            "flipped byte in the inner signature",
            flip(&good_jws, 2, 40),
        ),
        ("flipped byte in the inner payload", flip(&good_jws, 1, 3)),
        (
            "inner kid changed to an unpinned skid (same signature)",
            with_part(
                &good_jws,
                0,
                &b64url_encode(es256_header("sk-other").as_bytes()),
            ),
        ),
        (
            "inner signature truncated to 63 bytes",
            with_part(&good_jws, 2, &{
                let sig = b64url_decode(good_jws.split('.').nth(2).unwrap()).unwrap();
                b64url_encode(&sig[..63])
            }),
        ),
        (
            "inner signature with s = 0",
            with_part(&good_jws, 2, &{
                let mut sig = b64url_decode(good_jws.split('.').nth(2).unwrap()).unwrap();
                sig[32..].fill(0);
                b64url_encode(&sig)
            }),
        ),
        (
            "inner signature with r = n",
            with_part(&good_jws, 2, &{
                let mut sig = b64url_decode(good_jws.split('.').nth(2).unwrap()).unwrap();
                sig[..32].copy_from_slice(&P256_N);
                b64url_encode(&sig)
            }),
        ),
        (
            "inner signature empty (alg none style)",
            with_part(&good_jws, 2, ""),
        ),
        (
            "inner JWS of two parts",
            good_jws.rsplit_once('.').unwrap().0.to_string(),
        ),
        (
            "inner alg ES384",
            es256(
                &sk,
                r#"{"alg":"ES384","kid":"sk-1"}"#,
                good_payload.as_bytes(),
            ),
        ),
        (
            "inner alg none",
            format!(
                "{}.{}.",
                b64url_encode(br#"{"alg":"none","kid":"sk-1"}"#),
                b64url_encode(good_payload.as_bytes())
            ),
        ),
        (
            "inner kid missing",
            es256(&sk, r#"{"alg":"ES256"}"#, good_payload.as_bytes()),
        ),
        (
            "inner header with crit",
            es256(
                &sk,
                r#"{"alg":"ES256","kid":"sk-1","crit":["exp"],"exp":1}"#,
                good_payload.as_bytes(),
            ),
        ),
        (
            "inner plaintext is the raw value (a version 1 response)",
            String::from_utf8(value_a.clone()).unwrap(),
        ),
    ] {
        let r = wrap(&mut c, inner.as_bytes());
        cases.push(c.open_case(name, "BAD_SIGNATURE", &a, &jti_a, &r));
    }
    let r = wrap(&mut c, &[0xff, 0xfe, b'.', b'.']);
    cases.push(c.open_case("inner plaintext not UTF-8", "BAD_SIGNATURE", &a, &jti_a, &r));

    // Verified payload members (INVALID_INPUT), then the jti binding (REPLAY), then value.
    let v64 = b64url_encode(&value_a);
    for (name, err, payload) in [
        (
            "payload not an object",
            "INVALID_INPUT",
            format!(r#"["{jti_a}",{NOW},"{v64}"]"#),
        ),
        (
            "payload jti missing",
            "INVALID_INPUT",
            format!(r#"{{"iat":{NOW},"value":"{v64}"}}"#),
        ),
        (
            "payload jti a number",
            "INVALID_INPUT",
            format!(r#"{{"jti":7,"iat":{NOW},"value":"{v64}"}}"#),
        ),
        (
            "payload iat missing",
            "INVALID_INPUT",
            format!(r#"{{"jti":"{jti_a}","value":"{v64}"}}"#),
        ),
        (
            "payload iat not an integer",
            "INVALID_INPUT",
            format!(r#"{{"jti":"{jti_a}","iat":{NOW}.5,"value":"{v64}"}}"#),
        ),
        (
            "payload iat a string",
            "INVALID_INPUT",
            format!(r#"{{"jti":"{jti_a}","iat":"{NOW}","value":"{v64}"}}"#),
        ),
        (
            "payload value missing",
            "INVALID_INPUT",
            format!(r#"{{"jti":"{jti_a}","iat":{NOW}}}"#),
        ),
        (
            "payload value a number",
            "INVALID_INPUT",
            format!(r#"{{"jti":"{jti_a}","iat":{NOW},"value":1}}"#),
        ),
        (
            "order: jti of another request and iat missing (members before REPLAY)",
            "INVALID_INPUT",
            format!(r#"{{"jti":"{jti_b}","value":"{v64}"}}"#),
        ),
        (
            "response for another jti (another request)",
            "REPLAY",
            response_payload(&jti_b, NOW, &value_a),
        ),
        (
            "order: jti of another request and value not b64url (REPLAY before value)",
            "REPLAY",
            format!(r#"{{"jti":"{jti_b}","iat":{NOW},"value":"{v64}="}}"#),
        ),
        (
            "payload value not b64url (padding)",
            "INVALID_INPUT",
            format!(r#"{{"jti":"{jti_a}","iat":{NOW},"value":"{v64}="}}"#),
        ),
        (
            "payload value with nonzero trailing bits",
            "INVALID_INPUT",
            format!(r#"{{"jti":"{jti_a}","iat":{NOW},"value":"AB"}}"#),
        ),
    ] {
        let inner = es256(&sk, &good_header, payload.as_bytes());
        let r = wrap(&mut c, inner.as_bytes());
        cases.push(c.open_case(name, err, &a, &jti_a, &r));
    }
    // The recipient's own, valid response, kept and offered for a later request.
    let later = a.request(&sealed_a, iat_ms + 30_000, &mut c.rng).unwrap();
    cases.push(c.open_case(
        "old response replayed for a new request",
        "REPLAY",
        &a,
        later.jti(),
        &resp_a,
    ));

    vec![("relay.json", render(&file("relay", 2, cases)))]
}
