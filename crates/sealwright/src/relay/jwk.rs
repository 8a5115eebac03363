//! Registration (spec §1 step 1): recipient JWK validation and the RFC 7638 thumbprint `rid`.

use alloc::format;
use alloc::string::String;

use super::jose;
use crate::encoding::{b64url_decode, b64url_encode};
use crate::error::{Error, Result};
use crate::rsa_keys::{RELAY_BITS, RsaPublicKey};

/// JWK members that only a private key has; a JWK with any of them is `KEY_REJECTED`.
pub const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

/// A registered recipient key: an RSA public key of 3072 to 8192 bits, exponent 65537,
/// named by its RFC 7638 SHA-256 thumbprint `rid`.
#[derive(Clone, PartialEq, Eq)]
pub struct RecipientPublicKey {
    key: RsaPublicKey,
    rid: String,
}

impl core::fmt::Debug for RecipientPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecipientPublicKey")
            .field("rid", &self.rid)
            .field("bits", &self.key.bits())
            .finish()
    }
}

impl RecipientPublicKey {
    /// Validates a recipient JWK (spec §1 step 1), given as JSON text.
    ///
    /// Checks in the spec's order: the text is a JSON object (`INVALID_INPUT`); `kty` is
    /// present and `"RSA"` (`KEY_REJECTED`); `n` and `e` are present, strings, strict b64url
    /// (`INVALID_INPUT`); then `KEY_REJECTED` for a private member (`d`, `p`, `q`, `dp`, `dq`,
    /// `qi`, `oth`), a leading zero octet in `n` or `e` (or an empty one), `e` other than
    /// 65537, an even `n`, or a modulus outside 3072..=8192 bits. `alg`, `use`, `kid` and every
    /// other member are ignored.
    ///
    /// ```
    /// use sealwright::relay::RecipientPublicKey;
    /// use sealwright::Error;
    /// let err = RecipientPublicKey::from_jwk(r#"{"kty":"EC","crv":"P-256"}"#).unwrap_err();
    /// assert_eq!(err, Error::KeyRejected);
    /// // n is checked before the private members: a malformed JWK is INVALID_INPUT.
    /// let err = RecipientPublicKey::from_jwk(r#"{"kty":"RSA","e":"AQAB","d":"AQ"}"#).unwrap_err();
    /// assert_eq!(err, Error::InvalidInput);
    /// ```
    pub fn from_jwk(jwk: &str) -> Result<Self> {
        let obj = jose::json_object(jwk.as_bytes()).ok_or(Error::InvalidInput)?;
        if jose::str_member(&obj, "kty") != Some("RSA") {
            return Err(Error::KeyRejected);
        }
        let n = jose::str_member(&obj, "n").ok_or(Error::InvalidInput)?;
        let e = jose::str_member(&obj, "e").ok_or(Error::InvalidInput)?;
        let n = b64url_decode(n)?;
        let e = b64url_decode(e)?;
        if PRIVATE_MEMBERS.iter().any(|m| obj.contains_key(*m)) {
            return Err(Error::KeyRejected);
        }
        Self::from_components(&n, &e)
    }

    /// The key from its big-endian modulus and exponent, with the checks of
    /// [`Self::from_jwk`] (`KEY_REJECTED`).
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<Self> {
        let key = RsaPublicKey::from_components_with_bits(n, e, RELAY_BITS)?;
        Self::from_key(key)
    }

    /// Wraps an [`RsaPublicKey`] after checking its size against 3072..=8192 bits
    /// (`KEY_REJECTED`).
    pub fn from_key(key: RsaPublicKey) -> Result<Self> {
        if !RELAY_BITS.contains(&key.bits()) {
            return Err(Error::KeyRejected);
        }
        let rid = thumbprint(&key.n_bytes(), &key.e_bytes());
        Ok(Self { key, rid })
    }

    /// The RFC 7638 SHA-256 thumbprint, b64url: the key's name on the wire.
    pub fn rid(&self) -> &str {
        &self.rid
    }

    /// The RSA public key.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.key
    }

    /// The public JWK `{"kty":"RSA","n":..,"e":..}` (spec §1 member order).
    pub fn to_jwk(&self) -> String {
        format!(
            r#"{{"kty":"RSA","n":"{}","e":"{}"}}"#,
            b64url_encode(&self.key.n_bytes()),
            b64url_encode(&self.key.e_bytes())
        )
    }
}

/// The RFC 7638 SHA-256 JWK thumbprint of an RSA key, b64url: SHA-256 over
/// `{"e":"<b64url e>","kty":"RSA","n":"<b64url n>"}` (required members, lexicographic order,
/// no whitespace). `n` and `e` must be minimal big-endian (no leading zero octet).
///
/// ```
/// // RFC 7638 §3.1
/// let n = sealwright::encoding::b64url_decode(concat!(
///     "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJ",
///     "ECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FD",
///     "W2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4v",
///     "MQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")).unwrap();
/// assert_eq!(
///     sealwright::relay::thumbprint(&n, &[1, 0, 1]),
///     "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
/// );
/// ```
pub fn thumbprint(n: &[u8], e: &[u8]) -> String {
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        b64url_encode(e),
        b64url_encode(n)
    );
    b64url_encode(&crate::crypto::sha256(canonical.as_bytes()))
}

/// Checks that `rid` has the shape of a thumbprint (b64url of 32 bytes; `INVALID_INPUT`).
pub(crate) fn check_rid_shape(rid: &str) -> Result<()> {
    match b64url_decode(rid) {
        Ok(b) if b.len() == 32 => Ok(()),
        _ => Err(Error::InvalidInput),
    }
}
