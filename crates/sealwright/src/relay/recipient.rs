//! The recipient (spec §1 steps 1, 3 and 5): its RSA key, the signed decryption request and
//! opening the signed, encrypted response.

use alloc::format;
use alloc::string::String;
use core::fmt;
use rand_core::CryptoRng;
use serde_json::Value;

use super::jose;
use super::jwk::RecipientPublicKey;
use super::signing::{RelayVerifyingKey, verify_es256_jws};
use super::{CEK_LEN, DEFAULT_BITS, IV_LEN, JTI_LEN, TAG_LEN};
use crate::crypto::aes_gcm_decrypt;
use crate::encoding::{b64url_decode, b64url_encode};
use crate::error::{Error, Result};
use crate::rsa_keys::{RELAY_BITS, RsaPrivateKey};
use crate::secret::{SecretString, SecretVec};

/// A decryption request the recipient made (spec §1 step 3): the compact JWS to send and the
/// `jti` it carries, which the response must echo.
///
/// Keep it until the response arrives and pass it to [`Recipient::open_response`]: that is
/// what binds the response to this request (`REPLAY` otherwise).
#[derive(Clone, PartialEq, Eq)]
pub struct DecryptionRequest {
    jws: String,
    jti: String,
}

impl fmt::Debug for DecryptionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptionRequest")
            .field("jti", &self.jti)
            .field("jws_len", &self.jws.len())
            .finish()
    }
}

impl DecryptionRequest {
    /// The PS256 JWS compact serialization to send to the server.
    pub fn jws(&self) -> &str {
        &self.jws
    }

    /// The request's `jti` (b64url of 16 random bytes).
    pub fn jti(&self) -> &str {
        &self.jti
    }
}

/// A relay recipient: an RSA private key of 3072 to 8192 bits (default 4096) that never
/// leaves this value, and its registered public form.
#[derive(Clone)]
pub struct Recipient {
    key: RsaPrivateKey,
    public: RecipientPublicKey,
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recipient")
            .field("rid", &self.public.rid())
            .field("key", &"REDACTED")
            .finish()
    }
}

impl Recipient {
    /// Generates an RSA-4096 recipient key (exponent 65537).
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<Self> {
        Self::generate_with_bits(DEFAULT_BITS, rng)
    }

    /// Generates a recipient key of `bits` bits (3072..=8192, else `KEY_REJECTED`).
    pub fn generate_with_bits<R: CryptoRng + ?Sized>(bits: usize, rng: &mut R) -> Result<Self> {
        if !RELAY_BITS.contains(&bits) {
            return Err(Error::KeyRejected);
        }
        Self::from_key(RsaPrivateKey::generate(bits, rng)?)
    }

    /// A recipient from its PKCS#8 DER private key (`KEY_REJECTED` if unusable or outside
    /// 3072..=8192 bits).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        Self::from_key(RsaPrivateKey::from_pkcs8_der(der)?)
    }

    /// A recipient from an RSA private key (`KEY_REJECTED` outside 3072..=8192 bits).
    pub fn from_key(key: RsaPrivateKey) -> Result<Self> {
        let public = RecipientPublicKey::from_key(key.public_key())?;
        Ok(Self { key, public })
    }

    /// The private key as PKCS#8 DER (a secret; for the recipient's own storage).
    pub fn to_pkcs8_der(&self) -> Result<SecretVec> {
        self.key.to_pkcs8_der()
    }

    /// The public JWK to register (step 1): `{"kty":"RSA","n":..,"e":"AQAB"}`.
    pub fn jwk(&self) -> String {
        self.public.to_jwk()
    }

    /// The registered public key.
    pub fn public_key(&self) -> &RecipientPublicKey {
        &self.public
    }

    /// The key's RFC 7638 thumbprint.
    pub fn rid(&self) -> &str {
        self.public.rid()
    }

    /// The decryption request for `sealed` (step 3): a PS256 JWS with header
    /// `{"alg":"PS256","kid":"<rid>"}` over `{"sealed":..,"iat":..,"jti":..}`, with
    /// `iat = floor(now_ms / 1000)` and a `jti` of 16 bytes drawn from `rng` first.
    ///
    /// Send [`DecryptionRequest::jws`]; keep the request to open the response with.
    pub fn request<R: CryptoRng + ?Sized>(
        &self,
        sealed: &str,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<DecryptionRequest> {
        let mut jti = [0u8; JTI_LEN];
        rng.fill_bytes(&mut jti);
        let jti = b64url_encode(&jti);
        let payload = format!(
            r#"{{"sealed":{},"iat":{},"jti":"{}"}}"#,
            jose::json_string(sealed),
            now_ms / 1000,
            jti
        );
        let jws = self.sign_jws(payload.as_bytes(), rng)?;
        Ok(DecryptionRequest { jws, jti })
    }

    /// Signs any payload as a relay JWS (`{"alg":"PS256","kid":"<rid>"}`, RSASSA-PSS
    /// SHA-256, salt 32). [`Self::request`] is this over the spec payload; this lower-level
    /// form exists for interop tests and custom payloads.
    pub fn sign_jws<R: CryptoRng + ?Sized>(&self, payload: &[u8], rng: &mut R) -> Result<String> {
        let header = format!(
            r#"{{"alg":"PS256","kid":{}}}"#,
            jose::json_string(self.rid())
        );
        let signing_input = format!(
            "{}.{}",
            b64url_encode(header.as_bytes()),
            b64url_encode(payload)
        );
        let signature = self.key.pss_sha256_sign(signing_input.as_bytes(), rng)?;
        Ok(format!("{}.{}", signing_input, b64url_encode(&signature)))
    }

    /// Opens the response to `request` (step 5) and returns the value.
    ///
    /// `pinned` are the relay signing keys this recipient trusts (pinned out of band, each
    /// with its `skid`); `rng` blinds the RSA private-key operation. See
    /// [`Self::open_response_for_jti`] for the checks.
    pub fn open_response<R: CryptoRng + ?Sized>(
        &self,
        response: &str,
        request: &DecryptionRequest,
        pinned: &[RelayVerifyingKey],
        rng: &mut R,
    ) -> Result<SecretVec> {
        self.open_response_for_jti(response, request.jti(), pinned, rng)
    }

    /// Opens a response (step 5) to the request whose `jti` is `request_jti`, for a recipient
    /// that kept only that `jti` ([`Self::open_response`] is the usual form).
    ///
    /// Checks, in the spec's order:
    /// 1. `INVALID_INPUT`: not five parts, a header that is not a b64url JSON object, a `kid`
    ///    other than this recipient's `rid`, a `cty` other than exactly `JWT`, `alg` other than
    ///    `RSA-OAEP-256`, `enc` other than `A256GCM`, a `crit` or `zip` member, a part that is
    ///    not strict b64url, an IV not of 12 bytes or a tag not of 16.
    /// 2. `DECRYPTION_FAILED`: the content key does not unwrap to 32 bytes or the ciphertext
    ///    does not open.
    /// 3. `BAD_SIGNATURE`: the plaintext is not a compact JWS with `alg` `ES256`, no `crit`
    ///    and a `kid` naming a key in `pinned`, or its 64-byte `r || s` signature does not
    ///    verify under that key (any valid `s`, high or low, is accepted).
    /// 4. `INVALID_INPUT`: the verified payload is not a JSON object with a string `jti`, an
    ///    integer `iat` and a string `value`.
    /// 5. `REPLAY`: `jti` is not `request_jti`.
    /// 6. `INVALID_INPUT`: `value` is not strict b64url. Otherwise its bytes are returned.
    ///
    /// `iat` is informational (the `jti` binding is the freshness) and not compared to a
    /// clock.
    pub fn open_response_for_jti<R: CryptoRng + ?Sized>(
        &self,
        response: &str,
        request_jti: &str,
        pinned: &[RelayVerifyingKey],
        rng: &mut R,
    ) -> Result<SecretVec> {
        let [h, ek, iv, ct, tag] = jose::split::<5>(response).ok_or(Error::InvalidInput)?;
        let header = jose::b64_object(h).ok_or(Error::InvalidInput)?;
        if jose::str_member(&header, "kid") != Some(self.rid())
            || jose::str_member(&header, "cty") != Some("JWT")
            || jose::str_member(&header, "alg") != Some("RSA-OAEP-256")
            || jose::str_member(&header, "enc") != Some("A256GCM")
            || header.contains_key("crit")
            || header.contains_key("zip")
        {
            return Err(Error::InvalidInput);
        }
        let ek = b64url_decode(ek)?;
        let iv = b64url_decode(iv)?;
        let ct = b64url_decode(ct)?;
        let tag = b64url_decode(tag)?;
        if iv.len() != IV_LEN || tag.len() != TAG_LEN {
            return Err(Error::InvalidInput);
        }
        let cek = self.key.oaep_sha256_decrypt(&ek, rng)?;
        if cek.len() != CEK_LEN {
            return Err(Error::DecryptionFailed);
        }
        let inner = aes_gcm_decrypt(cek.expose(), &iv, &jose::concat(&ct, &tag), h.as_bytes())?;

        // The plaintext is the relay's ES256 JWS (a malformed one is BAD_SIGNATURE too).
        let inner = core::str::from_utf8(inner.expose()).map_err(|_| Error::BadSignature)?;
        let payload = SecretVec::new(verify_es256_jws(inner, pinned)?);

        let mut payload = jose::json_object(payload.expose()).ok_or(Error::InvalidInput)?;
        // Move the value out first, so its text is zeroized whichever check fails below.
        let value = match payload.remove("value") {
            Some(Value::String(v)) => Some(SecretString::new(v)),
            _ => None,
        };
        let jti = jose::str_member(&payload, "jti");
        let iat_is_integer = matches!(
            payload.get("iat"),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64()
        );
        let (Some(jti), true, Some(value)) = (jti, iat_is_integer, value) else {
            return Err(Error::InvalidInput);
        };
        if jti != request_jti {
            return Err(Error::Replay);
        }
        b64url_decode(value.expose()).map(SecretVec::new)
    }
}
