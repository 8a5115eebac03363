//! The wallet key, its EIP-55 address, the 2-of-3 split and EIP-191 signing (spec §3).

use alloc::string::String;
use core::fmt;
use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use k256::elliptic_curve::ff::PrimeField;
use k256::elliptic_curve::point::AffineCoordinates;
use k256::elliptic_curve::scalar::IsHigh;
use k256::{AffinePoint, NonZeroScalar, Scalar, SecretKey};
use rand_core::CryptoRng;
use sha3::{Digest, Keccak256};
use vsss_rs::{IdentifierPrimeField, PrimeFieldShare, ReadableShareSet};
use zeroize::Zeroizing;

use crate::encoding;
use crate::error::{Error, Result};
use crate::secret::{SecretKey32, SecretString};

use super::envelope::SharePlaintext;

/// Keccak-256 (the pre-standard SHA-3 padding Ethereum uses).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// The EIP-191 `personal_sign` hash:
/// `keccak256("\x19Ethereum Signed Message:\n" || decimal(len(m)) || m)`, `len` in bytes.
///
/// ```
/// use sealwright::shares::personal_message_hash;
/// let h = personal_message_hash(b"Some data"); // web3.js docs
/// assert_eq!(sealwright::encoding::hex_encode(&h),
///     "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655");
/// ```
pub fn personal_message_hash(message: &[u8]) -> [u8; 32] {
    let mut h = Keccak256::new();
    h.update(b"\x19Ethereum Signed Message:\n");
    h.update(alloc::format!("{}", message.len()).as_bytes());
    h.update(message);
    h.finalize().into()
}

/// An Ethereum address: the last 20 bytes of `keccak256(X || Y)` of the uncompressed public
/// key. Displayed EIP-55 checksummed.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Address([u8; 20]);

impl Address {
    /// The address of a public point.
    fn from_affine(point: &AffinePoint) -> Self {
        let mut h = Keccak256::new();
        h.update(point.x());
        h.update(point.y());
        let digest: [u8; 32] = h.finalize().into();
        let mut out = [0u8; 20];
        out.iter_mut()
            .zip(digest.iter().skip(12))
            .for_each(|(o, d)| *o = *d);
        Self(out)
    }

    /// The 20 address bytes.
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// `"0x"` and 40 lowercase hex digits (the form used in store keys).
    pub fn to_lowercase_hex(&self) -> String {
        let mut s = String::from("0x");
        s.push_str(&encoding::hex_encode(&self.0));
        s
    }

    /// The EIP-55 checksummed form: `"0x"` then the hex digits, a letter uppercased where the
    /// matching nibble of `keccak256(lowercase hex)` is 8 or more.
    pub fn to_checksummed(&self) -> String {
        let lower = encoding::hex_encode(&self.0);
        let hash = keccak256(lower.as_bytes());
        let mut s = String::from("0x");
        for (i, c) in lower.chars().enumerate() {
            let byte = hash.get(i / 2).copied().unwrap_or(0);
            let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0x0f };
            s.push(if nibble >= 8 {
                c.to_ascii_uppercase()
            } else {
                c
            });
        }
        s
    }

    /// Parses `"0x"` and 40 hex digits. Per EIP-55, an all-lowercase or all-uppercase body is
    /// accepted as unchecksummed; a mixed-case body must be the exact checksummed form.
    /// Anything else is `INVALID_INPUT`.
    ///
    /// ```
    /// use sealwright::shares::Address;
    /// let a = Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")?;
    /// assert_eq!(a.to_string(), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    /// assert!(Address::parse("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").is_err());
    /// # Ok::<(), sealwright::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self> {
        let body = text.strip_prefix("0x").ok_or(Error::InvalidInput)?;
        if body.len() != 40 || !body.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::InvalidInput);
        }
        let address = Self(encoding::hex_decode_array(&body.to_ascii_lowercase())?);
        let has_upper = body.bytes().any(|b| b.is_ascii_uppercase());
        let has_lower = body.bytes().any(|b| b.is_ascii_lowercase());
        if has_upper && has_lower && address.to_checksummed() != text {
            return Err(Error::InvalidInput);
        }
        Ok(address)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_checksummed())
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({})", self.to_checksummed())
    }
}

/// Draws a scalar uniform in `[1, n-1]`: 32 bytes from `rng` read big-endian, redrawn while
/// `0` or `>= n` (probability about 2^-128 per draw). A generator that keeps returning
/// rejected values (a broken or exhausted test RNG) gives `INVALID_INPUT` after 64 draws.
pub(crate) fn random_nonzero_scalar<R: CryptoRng + ?Sized>(
    rng: &mut R,
) -> Result<Zeroizing<NonZeroScalar>> {
    for _ in 0..64 {
        let bytes = SecretKey32::random(rng);
        let candidate = Zeroizing::new(Option::<NonZeroScalar>::from(NonZeroScalar::from_repr(
            (*bytes.expose()).into(),
        )));
        if let Some(scalar) = candidate.as_ref() {
            return Ok(Zeroizing::new(*scalar));
        }
    }
    Err(Error::InvalidInput)
}

/// The wallet's private key `d`. It zeroizes on drop, never prints, and leaves the core only
/// through [`WalletKey::export_private_key_hex`].
#[derive(Clone)]
pub struct WalletKey {
    secret: SecretKey,
}

// The only field is a k256 `SecretKey`, which zeroizes itself on drop.
impl zeroize::ZeroizeOnDrop for WalletKey {}

impl fmt::Debug for WalletKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WalletKey")
            .field("address", &self.address())
            .field("private", &"REDACTED")
            .finish()
    }
}

impl WalletKey {
    /// A new key `d` uniform in `[1, n-1]` (32 bytes from `rng`, see the module docs).
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<Self> {
        let d = random_nonzero_scalar(rng)?;
        Ok(Self {
            secret: SecretKey::from(*d),
        })
    }

    /// Imports a 32-byte big-endian private key (`INVALID_INPUT` if it is 0 or `>= n`).
    pub fn from_bytes(bytes: &SecretKey32) -> Result<Self> {
        // A 32-byte slice is read in place (no field-bytes copy on the stack).
        let secret = SecretKey::from_slice(bytes.expose()).map_err(|_| Error::InvalidInput)?;
        Ok(Self { secret })
    }

    /// A key from a combined scalar; `None` for 0.
    fn from_scalar(scalar: &Scalar) -> Option<Self> {
        let nz = Option::<NonZeroScalar>::from(NonZeroScalar::new(*scalar))?;
        Some(Self {
            secret: SecretKey::from(nz),
        })
    }

    /// The wallet address.
    pub fn address(&self) -> Address {
        Address::from_affine(self.secret.public_key().as_affine())
    }

    /// Exports `d` as 64 lowercase hex digits (no `0x`). This is the only way the private key
    /// leaves the core: call it only to hand the key to the user who owns it, and drop the
    /// returned string (it zeroizes) as soon as possible.
    pub fn export_private_key_hex(&self) -> SecretString {
        let bytes = Zeroizing::new(self.secret.to_bytes());
        SecretString::new(encoding::hex_encode(bytes.as_slice()))
    }

    /// EIP-191 `personal_sign` of `message` (its bytes as given, never hex-decoded):
    /// deterministic ECDSA (RFC 6979) over [`personal_message_hash`], low-s, returned as
    /// `"0x" || hex(r || s || v)` with `v = 27 + recovery id`.
    ///
    /// ```
    /// use sealwright::shares::WalletKey;
    /// use sealwright::secret::SecretKey32;
    /// // The web3.js documentation key and message.
    /// let d = sealwright::encoding::hex_decode_array(
    ///     "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")?;
    /// let key = WalletKey::from_bytes(&SecretKey32::new(d))?;
    /// assert_eq!(key.sign_message(b"Some data"),
    ///     "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd\
    ///      6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c");
    /// # Ok::<(), sealwright::Error>(())
    /// ```
    pub fn sign_message(&self, message: &[u8]) -> String {
        let prehash = personal_message_hash(message);
        let signing_key = SigningKey::from(&self.secret);
        let (signature, recovery_id) = signing_key.sign_prehash_recoverable(&prehash);
        let (signature, recovery_id) = low_s(signature, recovery_id);
        let mut out = String::from("0x");
        out.push_str(&encoding::hex_encode(&signature.to_bytes()));
        out.push_str(&encoding::hex_encode(&[27 + recovery_id.to_byte()]));
        out
    }

    /// Splits `d` 2-of-3 with coefficient `a` (spec §3: `f(x) = d + a*x mod n`, shares for
    /// `x = 1, 2, 3`), through vsss-rs's polynomial API so the coefficient is the caller's.
    pub(crate) fn split(
        &self,
        coefficient: &NonZeroScalar,
        generation: u32,
    ) -> Result<[SharePlaintext; 3]> {
        type Share = PrimeFieldShare<Scalar>;
        let mut polynomial: Zeroizing<[Share; 2]> = Zeroizing::new(Default::default());
        let [intercept, linear] = &mut *polynomial;
        let d = Zeroizing::new(self.secret.to_nonzero_scalar());
        intercept.value = IdentifierPrimeField(**d);
        linear.identifier = IdentifierPrimeField(**coefficient);
        let ids = (1u64..=3).map(|x| IdentifierPrimeField(Scalar::from(x)));
        let shares: Zeroizing<[Share; 3]> = Zeroizing::new(
            vsss_rs::shamir::create_shares_from_polynomial(&*polynomial, 2, 3, ids)
                .map_err(|_| Error::InvalidInput)?,
        );
        let plaintext = |x: u8, share: &Share| {
            let repr = Zeroizing::new(share.value.0.to_repr());
            let y = SecretKey32::from_slice(&repr)?;
            SharePlaintext::new(x, generation, y)
        };
        let [s1, s2, s3] = &*shares;
        Ok([plaintext(1, s1)?, plaintext(2, s2)?, plaintext(3, s3)?])
    }

    /// Lagrange interpolation at 0 of two shares (vsss-rs), as a key; `SHARE_MISMATCH` if the
    /// result is 0. The caller has already checked that the shares are valid and distinct.
    pub(crate) fn combine(first: &SharePlaintext, second: &SharePlaintext) -> Result<Self> {
        type Share = PrimeFieldShare<Scalar>;
        let share = |s: &SharePlaintext| -> Result<Share> {
            let y = Zeroizing::new(
                Option::<Scalar>::from(Scalar::from_repr((*s.y().expose()).into()))
                    .ok_or(Error::InvalidShare)?,
            );
            Ok(Share {
                identifier: IdentifierPrimeField(Scalar::from(u64::from(s.x()))),
                value: IdentifierPrimeField(*y),
            })
        };
        let set: Zeroizing<[Share; 2]> = Zeroizing::new([share(first)?, share(second)?]);
        let mut secret = Zeroizing::new(IdentifierPrimeField(Scalar::ZERO));
        set.combine_in_place(&mut secret)
            .map_err(|_| Error::InvalidShare)?;
        Self::from_scalar(&secret.0).ok_or(Error::ShareMismatch)
    }
}

/// Low-s normalization (EIP-2 / BIP-62): if `s > n/2`, use `n - s` and flip the parity bit of
/// the recovery id, since negating `s` corresponds to the point `-R`. k256 already normalizes;
/// this keeps the guarantee explicit and independent of that default.
pub(crate) fn low_s(signature: Signature, recovery_id: RecoveryId) -> (Signature, RecoveryId) {
    if bool::from(signature.s().is_high()) {
        (
            signature.normalize_s(),
            RecoveryId::new(!recovery_id.is_y_odd(), recovery_id.is_x_reduced()),
        )
    } else {
        (signature, recovery_id)
    }
}

/// Recovers the address that made an EIP-191 `personal_sign` signature (`"0x" || hex(r || s ||
/// v)`, lowercase hex, `v` 27 or 28, low-s). Anything else, or a signature no key produced, is
/// `BAD_SIGNATURE`.
///
/// ```
/// use sealwright::shares::{WalletKey, recover_signer};
/// let mut rng = rand::rng();
/// let key = WalletKey::generate(&mut rng)?;
/// let sig = key.sign_message("hello".as_bytes());
/// assert_eq!(recover_signer("hello".as_bytes(), &sig)?, key.address());
/// # Ok::<(), sealwright::Error>(())
/// ```
pub fn recover_signer(message: &[u8], signature: &str) -> Result<Address> {
    let hex = signature.strip_prefix("0x").ok_or(Error::BadSignature)?;
    let raw: [u8; 65] = encoding::hex_decode_array(hex).map_err(|_| Error::BadSignature)?;
    let (rs, v) = raw.split_at(64);
    let recovery_id = match v {
        [27] => RecoveryId::from_byte(0),
        [28] => RecoveryId::from_byte(1),
        _ => None,
    }
    .ok_or(Error::BadSignature)?;
    let signature = Signature::from_slice(rs).map_err(|_| Error::BadSignature)?;
    if bool::from(signature.s().is_high()) {
        return Err(Error::BadSignature);
    }
    let prehash = personal_message_hash(message);
    let key = VerifyingKey::recover_from_prehash(&prehash, &signature, recovery_id)
        .map_err(|_| Error::BadSignature)?;
    Ok(Address::from_affine(key.as_affine()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::elliptic_curve::ops::Neg;

    #[test]
    fn low_s_flips_the_recovery_parity() {
        let key = WalletKey::from_bytes(&SecretKey32::new([0x11; 32])).unwrap();
        let prehash = personal_message_hash(b"m");
        let (sig, rid) = SigningKey::from(&key.secret).sign_prehash_recoverable(&prehash);
        assert!(!bool::from(sig.s().is_high()));
        // Build the high-s twin (r, n - s) and its matching recovery id, then normalize.
        let high = Signature::from_scalars(sig.r().to_repr(), sig.s().neg().to_repr()).unwrap();
        let high_rid = RecoveryId::new(!rid.is_y_odd(), rid.is_x_reduced());
        let vk = VerifyingKey::recover_from_prehash(&prehash, &high, high_rid).unwrap();
        assert_eq!(Address::from_affine(vk.as_affine()), key.address());
        let (low, low_rid) = low_s(high, high_rid);
        assert_eq!(low, sig);
        assert_eq!(low_rid, rid);
    }

    #[test]
    fn random_scalar_rejects_zero_and_overflow() {
        let mut zeros = crate::rng::ScriptedRng::new([[0u8; 32]]);
        assert_eq!(
            random_nonzero_scalar(&mut zeros).err(),
            Some(Error::InvalidInput)
        );
        // n itself is rejected, then 1 is accepted.
        let n = encoding::hex_decode(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        )
        .unwrap();
        let mut one = [0u8; 32];
        one[31] = 1;
        let mut rng = crate::rng::ScriptedRng::new([&n[..], &one[..]]);
        let s = random_nonzero_scalar(&mut rng).unwrap();
        assert_eq!(s.to_repr().as_slice(), &one);
    }
}
