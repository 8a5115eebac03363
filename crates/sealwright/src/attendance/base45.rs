//! RFC 9285 base45 with strict decoding, for the QR text of spec §5.
//!
//! Encoding and decoding come from the `base45` crate. Its decoder is lenient about one case
//! RFC 9285 §4.2 forbids (a final two-character group worth more than 255 wraps around), so
//! [`decode`] re-encodes the result and compares: only the one canonical text of a byte string
//! is accepted (the same rule as the strict base64 of spec §0).

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, Result};

/// `base45(x)` (RFC 9285).
///
/// ```
/// use sealwright::attendance::base45;
/// assert_eq!(base45::encode(b"AB"), "BB8");
/// ```
pub fn encode(bytes: &[u8]) -> String {
    base45::encode(bytes)
}

/// Strict base45 decoding: `INVALID_INPUT` on a character outside the 45-character alphabet, a
/// group over its range (`"GGW"`, `":::"`, a final `"GG"`), a dangling single character, or
/// any other non-canonical text.
///
/// ```
/// use sealwright::attendance::base45;
/// assert_eq!(base45::decode("%69 VD92EX0").unwrap(), b"Hello!!");
/// assert!(base45::decode("GGW").is_err());
/// assert!(base45::decode("GG").is_err());
/// assert!(base45::decode("bb8").is_err());
/// ```
pub fn decode(text: &str) -> Result<Vec<u8>> {
    let bytes = base45::decode(text).map_err(|_| Error::InvalidInput)?;
    if base45::encode(&bytes) != text {
        return Err(Error::InvalidInput);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9285 §4.3 and §4.4 examples.
    #[test]
    fn rfc9285_examples() {
        for (bytes, text) in [
            (&b"AB"[..], "BB8"),
            (b"Hello!!", "%69 VD92EX0"),
            (b"base-45", "UJCLQE7W581"),
            (b"ietf!", "QED8WEX0"),
            (b"", ""),
        ] {
            assert_eq!(encode(bytes), text);
            assert_eq!(decode(text).unwrap(), bytes);
        }
    }

    #[test]
    fn strict_rejections() {
        // 3 chars above 65535, a 2-char tail above 255, lone char, lowercase, foreign chars.
        for bad in ["GGW", ":::", "GG", "0", "bb8", "BB8\n", "BB8=", "ÀB8"] {
            assert_eq!(decode(bad), Err(Error::InvalidInput), "{bad:?}");
        }
        // Largest legal groups.
        assert_eq!(decode("FGW").unwrap(), [0xff, 0xff]);
        assert_eq!(decode("U5").unwrap(), [0xff]);
    }
}
