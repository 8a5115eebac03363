//! Strict encodings of spec §0: `lp`, base64, base64url, hex, identifiers, and a binary reader.
//!
//! Every decoder here rejects anything but the one canonical form: wrong alphabet, wrong
//! padding, whitespace, non-zero trailing bits, uppercase hex, trailing bytes.

use alloc::string::String;
use alloc::vec::Vec;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};

use crate::error::{Error, Result};

/// Largest value `lp` can carry.
pub const LP_MAX: usize = 65_535;

/// Appends `lp(x)`: a 2-byte big-endian length, then `x` (`INVALID_INPUT` above 65,535 bytes).
///
/// ```
/// let mut out = Vec::new();
/// sealwright::encoding::put_lp(&mut out, b"abc").unwrap();
/// assert_eq!(out, [0, 3, b'a', b'b', b'c']);
/// ```
pub fn put_lp(out: &mut Vec<u8>, x: &[u8]) -> Result<()> {
    let len = u16::try_from(x.len()).map_err(|_| Error::InvalidInput)?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(x);
    Ok(())
}

/// `lp(x)` as a new vector.
pub fn lp(x: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(x.len() + 2);
    put_lp(&mut out, x)?;
    Ok(out)
}

/// `prefix || lp(a) || lp(b) ...`: the shape of most AADs and transcripts in the spec.
pub fn concat_lp(prefix: &[u8], parts: &[&[u8]]) -> Result<Vec<u8>> {
    let mut out =
        Vec::with_capacity(prefix.len() + parts.iter().map(|p| p.len() + 2).sum::<usize>());
    out.extend_from_slice(prefix);
    for p in parts {
        put_lp(&mut out, p)?;
    }
    Ok(out)
}

fn strict<E: base64::Engine>(engine: &E, text: &str) -> Result<Vec<u8>> {
    let bytes = engine.decode(text).map_err(|_| Error::InvalidInput)?;
    // The engines already refuse bad padding and trailing bits; re-encoding makes the
    // canonical-form rule explicit and independent of engine configuration.
    if engine.encode(&bytes) != text {
        return Err(Error::InvalidInput);
    }
    Ok(bytes)
}

/// `b64(x)`: RFC 4648 §4, standard alphabet, padded.
pub fn b64_encode(x: &[u8]) -> String {
    STANDARD.encode(x)
}

/// Strict `b64` decoding (`INVALID_INPUT` on any non-canonical text).
///
/// ```
/// use sealwright::encoding::b64_decode;
/// assert_eq!(b64_decode("YWI=").unwrap(), b"ab");
/// assert!(b64_decode("YWJ=").is_err()); // non-zero trailing bits
/// assert!(b64_decode("YWI").is_err()); // missing padding
/// ```
pub fn b64_decode(text: &str) -> Result<Vec<u8>> {
    strict(&STANDARD, text)
}

/// `b64url(x)`: RFC 4648 §5, no padding (JOSE and `sw2` formats).
pub fn b64url_encode(x: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(x)
}

/// Strict `b64url` decoding (`INVALID_INPUT` on padding or any non-canonical text).
pub fn b64url_decode(text: &str) -> Result<Vec<u8>> {
    strict(&URL_SAFE_NO_PAD, text)
}

/// PHC-string base64: standard alphabet, no padding (spec §4.1).
pub fn phc_b64_encode(x: &[u8]) -> String {
    STANDARD_NO_PAD.encode(x)
}

/// Strict PHC base64 decoding.
pub fn phc_b64_decode(text: &str) -> Result<Vec<u8>> {
    strict(&STANDARD_NO_PAD, text)
}

/// Lowercase `hex(x)`.
pub fn hex_encode(x: &[u8]) -> String {
    base16ct::lower::encode_string(x)
}

/// Strict lowercase hex decoding (`INVALID_INPUT` on uppercase, odd length or other characters).
pub fn hex_decode(text: &str) -> Result<Vec<u8>> {
    base16ct::lower::decode_vec(text).map_err(|_| Error::InvalidInput)
}

/// Lowercase hex into a fixed-size array.
pub fn hex_decode_array<const N: usize>(text: &str) -> Result<[u8; N]> {
    let v = hex_decode(text)?;
    v.try_into().map_err(|_| Error::InvalidInput)
}

/// Checks an identifier (`deviceId`, `userId`, `sessionId`, `recordId`, `rkid`): 1 to 128
/// UTF-8 bytes, no C0 control, DEL or C1 control. Never normalized.
///
/// ```
/// use sealwright::encoding::validate_identifier;
/// assert!(validate_identifier("device-42").is_ok());
/// assert!(validate_identifier("").is_err());
/// assert!(validate_identifier("a\nb").is_err());
/// ```
pub fn validate_identifier(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > 128 {
        return Err(Error::InvalidInput);
    }
    if id
        .chars()
        .any(|c| matches!(c as u32, 0x00..=0x1f | 0x7f..=0x9f))
    {
        return Err(Error::InvalidInput);
    }
    Ok(())
}

/// A bounds-checked cursor over a binary encoding. Every read returns `INVALID_INPUT` when
/// the input is too short; [`Reader::finish`] rejects trailing bytes.
#[derive(Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Starts reading `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.rest.len() {
            return Err(Error::InvalidInput);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let bytes = self.take(N)?;
        bytes.try_into().map_err(|_| Error::InvalidInput)
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8> {
        let [b] = self.array::<1>()?;
        Ok(b)
    }

    /// A `u32be`.
    pub fn u32be(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// A `u64be`.
    pub fn u64be(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// An `lp(x)` field, returning `x`.
    pub fn lp(&mut self) -> Result<&'a [u8]> {
        let len = u16::from_be_bytes(self.array()?);
        self.take(usize::from(len))
    }

    /// An `lp(x)` field holding UTF-8 text.
    pub fn lp_str(&mut self) -> Result<&'a str> {
        core::str::from_utf8(self.lp()?).map_err(|_| Error::InvalidInput)
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.rest)
    }

    /// Ends reading: `INVALID_INPUT` if any byte is left.
    pub fn finish(self) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidInput)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64_is_strict() {
        assert_eq!(b64_decode("").unwrap(), b"");
        assert!(b64_decode("YW I=").is_err());
        assert!(b64_decode("YWI=\n").is_err());
        assert!(b64_decode("YW-=").is_err());
        assert_eq!(b64url_decode("YWI").unwrap(), b"ab");
        assert!(b64url_decode("YWI=").is_err());
        assert!(b64url_decode("YWJ").is_err());
        assert!(b64url_decode("+/").is_err());
    }

    #[test]
    fn hex_is_lowercase_only() {
        assert_eq!(hex_decode("00ff").unwrap(), [0, 255]);
        assert!(hex_decode("00FF").is_err());
        assert!(hex_decode("0").is_err());
        assert_eq!(hex_encode(&[0xab, 0x01]), "ab01");
    }

    #[test]
    fn identifiers() {
        assert!(validate_identifier(&"a".repeat(128)).is_ok());
        assert!(validate_identifier(&"a".repeat(129)).is_err());
        assert!(validate_identifier("a\u{7f}").is_err());
        assert!(validate_identifier("a\u{85}").is_err());
        assert!(validate_identifier("é日本").is_ok());
    }

    #[test]
    fn lp_limits() {
        assert!(lp(&[0u8; 65_535]).is_ok());
        assert_eq!(lp(&[0u8; 65_536]).err(), Some(Error::InvalidInput));
    }

    #[test]
    fn reader() {
        let mut r = Reader::new(&[0, 2, 7, 8, 0, 0, 0, 5, 9]);
        assert_eq!(r.lp().unwrap(), [7, 8]);
        assert_eq!(r.u32be().unwrap(), 5);
        assert!(r.u32be().is_err());
        let mut r = Reader::new(&[1, 2]);
        assert_eq!(r.u8().unwrap(), 1);
        assert!(r.finish().is_err());
    }
}
