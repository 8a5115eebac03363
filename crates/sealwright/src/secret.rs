//! Secret byte types: zeroized on drop, redacted in `Debug` (spec §0).
//!
//! A secret never lives in a bare `[u8; N]` or `Vec<u8>` outside this module: keys, shared
//! secrets, passwords and decrypted plaintexts are wrapped in these types so that dropping them
//! wipes the memory and printing them shows only `REDACTED`.
//!
//! Stack copies: secrets are filled in place ([`SecretBytes::zeroed`] then `expose_mut`,
//! [`SecretBytes::copy_from`], [`SecretBytes::from_slice`]) rather than built in a local array
//! and moved in, and every intermediate a third-party API hands back by value (k256 field
//! bytes, wide reduction inputs, scalars) is held in `zeroize::Zeroizing`. What Rust cannot
//! promise is the absence of compiler-made temporaries, e.g. the by-value argument of
//! `x25519_dalek::StaticSecret::from([u8; 32])`; such copies are never named and are
//! overwritten by later stack use.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{Error, Result};

/// A fixed-size secret (keys, shared secrets, scalars).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes<const N: usize>([u8; N]);

/// A 32-byte secret key.
pub type SecretKey32 = SecretBytes<32>;

impl<const N: usize> SecretBytes<N> {
    /// Wraps the given bytes (the caller's copy should be zeroized by the caller).
    pub const fn new(bytes: [u8; N]) -> Self {
        Self(bytes)
    }

    /// Copies a slice of exactly `N` bytes (`INVALID_INPUT` otherwise), in place.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != N {
            return Err(Error::InvalidInput);
        }
        let mut out = Self::zeroed();
        out.0.copy_from_slice(bytes);
        Ok(out)
    }

    /// Copies `N` bytes in place (no intermediate array), e.g. from a library's shared-secret
    /// type that zeroizes itself.
    pub fn copy_from(bytes: &[u8; N]) -> Self {
        let mut out = Self::zeroed();
        out.0.copy_from_slice(bytes);
        out
    }

    /// Draws `N` fresh random bytes.
    pub fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut out = Self([0u8; N]);
        rng.fill_bytes(&mut out.0);
        out
    }

    /// The secret bytes. Keep the borrow short; never copy them into an unmanaged buffer.
    pub fn expose(&self) -> &[u8; N] {
        &self.0
    }

    /// Mutable access, for filling the secret in place (e.g. a KDF output).
    pub fn expose_mut(&mut self) -> &mut [u8; N] {
        &mut self.0
    }

    /// A zero-filled secret, to be filled in place by a KDF.
    pub const fn zeroed() -> Self {
        Self([0u8; N])
    }
}

impl<const N: usize> ConstantTimeEq for SecretBytes<N> {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl<const N: usize> PartialEq for SecretBytes<N> {
    /// Constant-time comparison.
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl<const N: usize> Eq for SecretBytes<N> {}

impl<const N: usize> fmt::Debug for SecretBytes<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes<{N}>(REDACTED)")
    }
}

#[cfg(any(feature = "handshake", feature = "attendance"))]
impl SecretBytes<32> {
    /// The X25519 static secret of these bytes (it zeroizes itself on drop). Built straight
    /// from the held bytes, with no named copy on the stack.
    pub(crate) fn to_static_secret(&self) -> x25519_dalek::StaticSecret {
        x25519_dalek::StaticSecret::from(self.0)
    }
}

/// A variable-length secret (decrypted plaintexts, serialized secret state).
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct SecretVec(Vec<u8>);

impl SecretVec {
    /// Takes ownership of the bytes; they are zeroized when this value drops.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Copies the given bytes.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// The secret bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Mutable access to the underlying vector (e.g. to build a secret serialization).
    pub fn expose_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }

    /// Length in bytes (not secret).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Moves the bytes out into a plain vector. The caller becomes responsible for wiping it.
    pub fn into_unprotected(mut self) -> Vec<u8> {
        core::mem::take(&mut self.0)
    }
}

impl PartialEq for SecretVec {
    /// Constant-time comparison (the length is not secret).
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.0.as_slice().ct_eq(other.0.as_slice()))
    }
}

impl Eq for SecretVec {}

impl fmt::Debug for SecretVec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretVec(REDACTED, {} bytes)", self.0.len())
    }
}

/// A secret text (a password or a server's text secret), used as its UTF-8 bytes as given.
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct SecretString(String);

impl SecretString {
    /// Takes ownership of the text; it is zeroized when this value drops.
    pub fn new(text: String) -> Self {
        Self(text)
    }

    /// The text.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The UTF-8 bytes, never normalized (spec §0).
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl From<&str> for SecretString {
    fn from(text: &str) -> Self {
        Self(String::from(text))
    }
}

impl From<String> for SecretString {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(REDACTED)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_never_prints_secret_bytes() {
        let k = SecretBytes::new([0xabu8; 32]);
        let v = SecretVec::new(alloc::vec![0xcd; 7]);
        let s = SecretString::from("hunter2-password");
        assert_eq!(format!("{k:?}"), "SecretBytes<32>(REDACTED)");
        assert_eq!(format!("{v:?}"), "SecretVec(REDACTED, 7 bytes)");
        assert_eq!(format!("{s:?}"), "SecretString(REDACTED)");
    }

    #[test]
    fn from_slice_checks_length() {
        assert_eq!(
            SecretBytes::<4>::from_slice(&[1, 2, 3]).err(),
            Some(Error::InvalidInput)
        );
        assert!(SecretBytes::<3>::from_slice(&[1, 2, 3]).is_ok());
    }
}
