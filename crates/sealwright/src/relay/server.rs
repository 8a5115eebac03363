//! The relay server (spec §1 steps 2, 4 and 5): relay keys, the signing key, sealing, and
//! handling a decryption request. The server performs no RSA private-key operation.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;
use serde_json::Value;

use super::jose::{self, Object};
use super::jwk::{RecipientPublicKey, check_rid_shape};
use super::signing::RelaySigningKey;
use super::{
    CEK_LEN, IV_LEN, JTI_LEN, JTI_TTL_SECONDS, MAX_VALUE_LEN, STALE_WINDOW_SECONDS, TAG_LEN,
    jti_store_key,
};
use crate::crypto::{aes_gcm_decrypt, aes_gcm_encrypt};
use crate::effect::Effect;
use crate::encoding::{b64url_decode, b64url_encode, validate_identifier};
use crate::error::{Error, Result};
use crate::secret::{SecretKey32, SecretVec};

/// A relay key `RK`: 32 bytes for AES-256-GCM, named by `rkid` (an identifier).
#[derive(Clone)]
pub struct RelayKey {
    rkid: String,
    key: SecretKey32,
}

impl fmt::Debug for RelayKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelayKey")
            .field("rkid", &self.rkid)
            .field("key", &"REDACTED")
            .finish()
    }
}

impl RelayKey {
    /// A relay key from its id and 32 secret bytes (`INVALID_INPUT` for a bad identifier).
    pub fn new(rkid: &str, key: SecretKey32) -> Result<Self> {
        validate_identifier(rkid)?;
        Ok(Self {
            rkid: String::from(rkid),
            key,
        })
    }

    /// A fresh random relay key.
    pub fn generate<R: CryptoRng + ?Sized>(rkid: &str, rng: &mut R) -> Result<Self> {
        Self::new(rkid, SecretKey32::random(rng))
    }

    /// The key id.
    pub fn rkid(&self) -> &str {
        &self.rkid
    }

    /// The secret key bytes (for storing it; keep the borrow short).
    pub fn secret(&self) -> &SecretKey32 {
        &self.key
    }

    /// Seals `value` (spec §1 step 2) with a fresh 12-byte IV from `rng`.
    ///
    /// `value` must be 1 to 1,048,576 bytes: `VALUE_TOO_LARGE` above, `INVALID_INPUT` when
    /// empty. `aud`, when given, binds the value to one recipient `rid` (b64url of 32 bytes,
    /// else `INVALID_INPUT`).
    pub fn seal<R: CryptoRng + ?Sized>(
        &self,
        value: &[u8],
        aud: Option<&str>,
        rng: &mut R,
    ) -> Result<String> {
        let mut iv = [0u8; IV_LEN];
        rng.fill_bytes(&mut iv);
        self.seal_iv(value, aud, &iv)
    }

    /// [`Self::seal`] with a given IV (vector replay). Never reuse an IV with the same key.
    /// Feature `test-utils` only (a caller-chosen IV; production code uses [`Self::seal`]).
    #[cfg(feature = "test-utils")]
    pub fn seal_with_iv(
        &self,
        value: &[u8],
        aud: Option<&str>,
        iv: &[u8; IV_LEN],
    ) -> Result<String> {
        self.seal_iv(value, aud, iv)
    }

    fn seal_iv(&self, value: &[u8], aud: Option<&str>, iv: &[u8; IV_LEN]) -> Result<String> {
        if value.len() > MAX_VALUE_LEN {
            return Err(Error::ValueTooLarge);
        }
        if value.is_empty() {
            return Err(Error::InvalidInput);
        }
        let header = match aud {
            None => format!(
                r#"{{"alg":"dir","enc":"A256GCM","kid":{}}}"#,
                jose::json_string(&self.rkid)
            ),
            Some(rid) => {
                check_rid_shape(rid)?;
                format!(
                    r#"{{"alg":"dir","enc":"A256GCM","kid":{},"aud":{}}}"#,
                    jose::json_string(&self.rkid),
                    jose::json_string(rid)
                )
            }
        };
        let header_b64 = b64url_encode(header.as_bytes());
        // AAD = ASCII(BASE64URL(UTF8(JWE Protected Header))) (RFC 7516 §5.1 step 14).
        let sealed = aes_gcm_encrypt(self.key.expose(), iv, value, header_b64.as_bytes())?;
        let (ct, tag) = jose::split_tag(sealed).ok_or(Error::InvalidInput)?;
        Ok(jose::join(&[
            &header_b64,
            "",
            &b64url_encode(iv),
            &b64url_encode(&ct),
            &b64url_encode(&tag),
        ]))
    }
}

/// The server's keys: relay keys by `rkid` (rotation: one current key seals, every key
/// opens) and the relay signing key that signs every response (spec §1 "Keys").
///
/// A server holds one signing key at a time here; to rotate it, publish the new key's JWK
/// and `skid` to the recipients, let them pin both, then [`Self::set_signing_key`]. Responses
/// name their `skid`, so recipients that pin several keys verify either.
#[derive(Clone)]
pub struct RelayKeys {
    current: RelayKey,
    previous: Vec<RelayKey>,
    signing: RelaySigningKey,
}

impl fmt::Debug for RelayKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelayKeys")
            .field("current", &self.current.rkid)
            .field(
                "previous",
                &self.previous.iter().map(RelayKey::rkid).collect::<Vec<_>>(),
            )
            .field("skid", &self.signing.skid())
            .finish()
    }
}

/// A decryption request that passed every check of spec §1 step 4.
#[derive(Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The response JWE for the recipient (spec §1 step 5).
    pub response: String,
    /// The request's `jti`: remember it for 660 s (see [`Accepted::effect`]).
    pub jti: String,
    /// The recipient's `rid`.
    pub rid: String,
}

impl fmt::Debug for Accepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Accepted")
            .field("response_len", &self.response.len())
            .field("jti", &self.jti)
            .field("rid", &self.rid)
            .finish()
    }
}

impl Accepted {
    /// The effect that remembers the `jti` (spec §1 step 4):
    /// `put_if_absent("sw:v1:relay:jti:<jti>", rid, ttl)`. Commit it before sending the
    /// response (e.g. Redis `SET NX EX`); a failed condition means another request with this
    /// `jti` won the race: answer `REPLAY`.
    pub fn effect(&self) -> Effect {
        Effect::put_if_absent(
            jti_store_key(&self.jti),
            self.rid.as_bytes().to_vec(),
            Some(JTI_TTL_SECONDS),
        )
    }
}

impl RelayKeys {
    /// A key ring whose current (sealing) key is `current`, signing responses with `signing`.
    pub fn new(current: RelayKey, signing: RelaySigningKey) -> Self {
        Self {
            current,
            previous: Vec::new(),
            signing,
        }
    }

    /// The key that signs responses.
    pub fn signing_key(&self) -> &RelaySigningKey {
        &self.signing
    }

    /// Makes `key` the response signing key and returns the previous one. Recipients must
    /// pin the new key (its [`RelaySigningKey::public_jwk`] and `skid`) before this.
    pub fn set_signing_key(&mut self, key: RelaySigningKey) -> RelaySigningKey {
        core::mem::replace(&mut self.signing, key)
    }

    /// Adds an older key that still opens values sealed under it (`INVALID_INPUT` if its
    /// `rkid` is already present).
    pub fn add_previous(&mut self, key: RelayKey) -> Result<()> {
        if self.get(key.rkid()).is_some() {
            return Err(Error::InvalidInput);
        }
        self.previous.push(key);
        Ok(())
    }

    /// Makes `key` the current sealing key; the previous current key keeps opening
    /// (`INVALID_INPUT` if its `rkid` is already present).
    pub fn rotate(&mut self, key: RelayKey) -> Result<()> {
        if self.get(key.rkid()).is_some() {
            return Err(Error::InvalidInput);
        }
        let old = core::mem::replace(&mut self.current, key);
        self.previous.push(old);
        Ok(())
    }

    /// Drops the key `rkid` (values sealed under it no longer open); `INVALID_INPUT` if it is
    /// the current key or absent.
    pub fn retire(&mut self, rkid: &str) -> Result<()> {
        let pos = self
            .previous
            .iter()
            .position(|k| k.rkid() == rkid)
            .ok_or(Error::InvalidInput)?;
        self.previous.remove(pos);
        Ok(())
    }

    /// The current sealing key.
    pub fn current(&self) -> &RelayKey {
        &self.current
    }

    /// The key named `rkid`, if any.
    pub fn get(&self, rkid: &str) -> Option<&RelayKey> {
        core::iter::once(&self.current)
            .chain(self.previous.iter())
            .find(|k| k.rkid() == rkid)
    }

    /// Seals `value` under the current key ([`RelayKey::seal`]).
    pub fn seal<R: CryptoRng + ?Sized>(
        &self,
        value: &[u8],
        aud: Option<&str>,
        rng: &mut R,
    ) -> Result<String> {
        self.current().seal(value, aud, rng)
    }

    /// Handles a decryption request (spec §1 steps 4 and 5).
    ///
    /// * `recipients(rid)` returns the registered key named `rid`, if any (the caller loads it
    ///   from its store; see [`RecipientPublicKey::from_jwk`]).
    /// * `seen(jti)` tells whether this `jti` was accepted in the last 660 s, for any recipient
    ///   (e.g. a lookup of [`jti_store_key`] in the caller's store).
    /// * `now_ms` is the current Unix time in milliseconds (`now = floor(now_ms / 1000)`); it
    ///   is also the response's `iat`.
    /// * `rng` draws the content key, then the response IV (then OAEP randomness); the ES256
    ///   signature is deterministic (RFC 6979).
    ///
    /// Checks, in this order: three parts, every part strict b64url, a JSON-object header
    /// with `alg` `PS256` and no `crit` (`BAD_SIGNATURE`); `kid` names a registered key
    /// (`UNKNOWN_RECIPIENT`); the PS256 signature verifies (`BAD_SIGNATURE`); the payload is a
    /// JSON object (`INVALID_INPUT`); `iat` is an integer with `|now - iat| <= 300` (`STALE`);
    /// `jti` is a string decoding to 16 bytes (`INVALID_INPUT`) and not `seen` (`REPLAY`);
    /// `sealed` is a string holding a five-part JWE with `alg` `dir`, `enc` `A256GCM`, an empty
    /// encrypted key, no `crit` or `zip`, a 12-byte IV and a 16-byte tag (`SEALED_INVALID`);
    /// its `kid` names a relay key (`UNKNOWN_RELAY_KEY`); it opens (`SEALED_INVALID`); an
    /// `aud`, if present, equals the requester's `rid` (`AUDIENCE_MISMATCH`).
    ///
    /// On success the caller must remember [`Accepted::jti`] for 660 s
    /// ([`Accepted::effect`], applied in the same transaction as the response is released)
    /// and send [`Accepted::response`]: the nested JWT of step 5, signed by
    /// [`Self::signing_key`] and bound to this request's `jti`.
    pub fn decrypt_request<R, F, S>(
        &self,
        request: &str,
        recipients: F,
        seen: S,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<Accepted>
    where
        R: CryptoRng + ?Sized,
        F: FnOnce(&str) -> Option<RecipientPublicKey>,
        S: FnOnce(&str) -> bool,
    {
        let verified = verify_request_signature(request, recipients)?;
        let payload = jose::json_object(&verified.payload).ok_or(Error::InvalidInput)?;

        // iat: an integer within 300 s of now, either side.
        let now = i128::from(now_ms / 1000);
        let iat = match payload.get("iat") {
            Some(Value::Number(n)) => n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from)),
            _ => None,
        }
        .ok_or(Error::Stale)?;
        if (now - iat).abs() > i128::from(STALE_WINDOW_SECONDS) {
            return Err(Error::Stale);
        }

        // jti: b64url of 16 bytes, not accepted in the last 660 s.
        let jti = jose::str_member(&payload, "jti").ok_or(Error::InvalidInput)?;
        match b64url_decode(jti) {
            Ok(b) if b.len() == JTI_LEN => {}
            _ => return Err(Error::InvalidInput),
        }
        if seen(jti) {
            return Err(Error::Replay);
        }

        let sealed = jose::str_member(&payload, "sealed").ok_or(Error::SealedInvalid)?;
        let value = self.open_sealed(sealed, verified.key.rid())?;

        let iat = now_ms / 1000;
        let response = respond(&verified.key, &self.signing, jti, iat, value.expose(), rng)?;
        Ok(Accepted {
            response,
            jti: String::from(jti),
            rid: String::from(verified.key.rid()),
        })
    }

    /// Opens a sealed JWE (the sealed checks of step 4) for the recipient `rid`.
    pub fn open_sealed(&self, sealed: &str, rid: &str) -> Result<SecretVec> {
        let [h, ek, iv, ct, tag] = jose::split::<5>(sealed).ok_or(Error::SealedInvalid)?;
        let header = jose::b64_object(h).ok_or(Error::SealedInvalid)?;
        if jose::str_member(&header, "alg") != Some("dir")
            || jose::str_member(&header, "enc") != Some("A256GCM")
            || !ek.is_empty()
            || header.contains_key("crit")
            || header.contains_key("zip")
        {
            return Err(Error::SealedInvalid);
        }
        let iv = b64url_decode(iv).map_err(|_| Error::SealedInvalid)?;
        let ct = b64url_decode(ct).map_err(|_| Error::SealedInvalid)?;
        let tag = b64url_decode(tag).map_err(|_| Error::SealedInvalid)?;
        if iv.len() != IV_LEN || tag.len() != TAG_LEN {
            return Err(Error::SealedInvalid);
        }
        let key = jose::str_member(&header, "kid")
            .and_then(|kid| self.get(kid))
            .ok_or(Error::UnknownRelayKey)?;
        let value = aes_gcm_decrypt(
            key.key.expose(),
            &iv,
            &jose::concat(&ct, &tag),
            h.as_bytes(),
        )
        .map_err(|_| Error::SealedInvalid)?;
        check_audience(&header, rid)?;
        Ok(value)
    }
}

fn check_audience(header: &Object, rid: &str) -> Result<()> {
    match header.get("aud") {
        None => Ok(()),
        Some(Value::String(aud)) if aud == rid => Ok(()),
        Some(_) => Err(Error::AudienceMismatch),
    }
}

/// A request whose signature verified.
struct Verified {
    key: RecipientPublicKey,
    payload: Vec<u8>,
}

/// Step 4 up to and including the signature check.
fn verify_request_signature<F>(request: &str, recipients: F) -> Result<Verified>
where
    F: FnOnce(&str) -> Option<RecipientPublicKey>,
{
    let [h, p, s] = jose::split::<3>(request).ok_or(Error::BadSignature)?;
    let header = jose::b64_object(h).ok_or(Error::BadSignature)?;
    let payload = b64url_decode(p).map_err(|_| Error::BadSignature)?;
    let signature = b64url_decode(s).map_err(|_| Error::BadSignature)?;
    // We implement no JWS extension, so any `crit` is unsupported (RFC 7515 §4.1.11).
    if jose::str_member(&header, "alg") != Some("PS256") || header.contains_key("crit") {
        return Err(Error::BadSignature);
    }
    let key = jose::str_member(&header, "kid")
        .and_then(|kid| recipients(kid).filter(|k| k.rid() == kid))
        .ok_or(Error::UnknownRecipient)?;
    // JWS signing input: ASCII(b64url(header) || "." || b64url(payload)).
    let signing_input_len = h.len().saturating_add(p.len()).saturating_add(1);
    let signing_input = request
        .get(..signing_input_len)
        .ok_or(Error::BadSignature)?;
    key.public_key()
        .pss_sha256_verify(signing_input.as_bytes(), &signature)?;
    Ok(Verified { key, payload })
}

/// Parses and verifies a request JWS up to and including the signature check, returning its
/// payload bytes (used by the fuzz target and for diagnostics; [`RelayKeys::decrypt_request`]
/// does this first).
pub fn verify_request<F>(request: &str, recipients: F) -> Result<Vec<u8>>
where
    F: FnOnce(&str) -> Option<RecipientPublicKey>,
{
    verify_request_signature(request, recipients).map(|v| v.payload)
}

/// Builds the response (spec §1 step 5), a nested JWT: the inner JWS
/// `{"alg":"ES256","kid":"<skid>"}` over `{"jti":"<jti>","iat":<iat>,"value":"<b64url(v)>"}`
/// signed by `signer` (deterministic), inside a JWE with header
/// `{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"<rid>","cty":"JWT"}`: a fresh content key
/// from `rng`, then a fresh IV, the inner JWS's ASCII bytes under A256GCM with
/// AAD = ASCII(b64url(protected header)), and the content key wrapped with RSA-OAEP-256 to the
/// recipient.
pub fn respond<R: CryptoRng + ?Sized>(
    recipient: &RecipientPublicKey,
    signer: &RelaySigningKey,
    jti: &str,
    iat: u64,
    value: &[u8],
    rng: &mut R,
) -> Result<String> {
    let inner = signer.sign_response(jti, iat, value)?;
    let cek = crate::secret::SecretBytes::<CEK_LEN>::random(rng);
    let mut iv = [0u8; IV_LEN];
    rng.fill_bytes(&mut iv);
    let header = format!(
        r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":{},"cty":"JWT"}}"#,
        jose::json_string(recipient.rid())
    );
    let header_b64 = b64url_encode(header.as_bytes());
    let sealed = aes_gcm_encrypt(cek.expose(), &iv, inner.as_bytes(), header_b64.as_bytes())?;
    let (ct, tag) = jose::split_tag(sealed).ok_or(Error::InvalidInput)?;
    let wrapped = recipient
        .public_key()
        .oaep_sha256_encrypt(cek.expose(), rng)?;
    Ok(jose::join(&[
        &header_b64,
        &b64url_encode(&wrapped),
        &b64url_encode(&iv),
        &b64url_encode(&ct),
        &b64url_encode(&tag),
    ]))
}
