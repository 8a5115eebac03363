//! RSA keys shared by the relay (spec §1) and the handshake (spec §2): RSAES-OAEP with
//! SHA-256 / MGF1-SHA-256 (empty label) and RSASSA-PSS with SHA-256 / MGF1-SHA-256, salt 32.
//!
//! ```text
//!   holder of RsaPrivateKey                      holder of RsaPublicKey
//!   generate / from_pkcs8_der  --- n, e / SPKI -->  from_components / from_spki_der
//!   oaep_sha256_decrypt        <-- ciphertext ---  oaep_sha256_encrypt
//!   pss_sha256_sign            --- signature --->  pss_sha256_verify
//! ```
//!
//! # Two backends, chosen by target (no feature to enable)
//!
//! * **Native targets (everything but `wasm32`): [aws-lc-rs](https://docs.rs/aws-lc-rs)**.
//!   OAEP decrypt, PSS sign, PSS verify and OAEP encrypt run in AWS-LC (constant-time,
//!   formally verified pieces) whenever the `relay` or `handshake` feature is on; aws-lc-rs is
//!   then an ordinary dependency of the crate on those targets. The aws-lc key objects are
//!   parsed once, when the key is constructed, never per operation.
//! * **`wasm32`: the pure-Rust [`rsa`] crate** (RustCrypto), which builds there; aws-lc-rs is
//!   not a dependency of wasm32 builds at all. Private-key operations are blinded with the RNG
//!   you pass in (see RUSTSEC-2023-0071 below for what that backend's timing status is).
//!
//! Key generation, PKCS#8/SPKI encoding and the component checks always use the `rsa` crate on
//! every target, so both backends accept and produce exactly the same keys.
//!
//! One known difference: `rsa` 0.10 decodes OAEP without reading the leading octet `Y` of the
//! encoded message (its constant-time decoder ignores it), so the pure backend opens a
//! ciphertext whose only defect is `Y != 0`, which AWS-LC rejects (`DECRYPTION_FAILED`) as
//! RFC 8017 §7.1.2 step 3g requires. Such a ciphertext carries a message that anyone holding
//! the public key could encrypt validly, so accepting it grants nothing; the Wycheproof test
//! pins the difference (one case, "First byte is 1").
//!
//! With AWS-LC, AWS-LC draws the OAEP seed, the PSS salt and its blinding values from its own
//! internal DRBG: the `rng` argument of [`RsaPublicKey::oaep_sha256_encrypt`],
//! [`RsaPrivateKey::oaep_sha256_decrypt`] and [`RsaPrivateKey::pss_sha256_sign`] is then
//! unused. This is the one documented exception to the crate rule "randomness is an input";
//! OAEP ciphertexts and PSS signatures are randomized by design and checked by decrypting or
//! verifying, never by recomputing (spec §6), so vectors stay valid on either backend.
//!
//! Switches, for tests only (never in production):
//! * cargo feature `pure-rsa-backend-for-tests`: the plain methods use the `rsa` crate on
//!   native targets too ([`Backend::DEFAULT`] becomes [`Backend::RustCrypto`]), so the pure
//!   backend's code paths are exercised by the whole test suite on a development machine
//!   (`scripts/test-all.sh` runs the tests once with it). AWS-LC stays compiled in and
//!   reachable through the `*_with` methods.
//! * `use_pure_backend_for_tests` (feature `test-utils`): the same switch at run time, for
//!   the vector generator, whose output must be byte-for-byte reproducible from its seed.
//! * The cargo feature `aws-lc` is kept as a no-op for compatibility with manifests that
//!   enabled it when AWS-LC was opt-in.
//!
//! # RUSTSEC-2023-0071 (Marvin attack) and what remains on wasm32
//!
//! [RUSTSEC-2023-0071](https://rustsec.org/advisories/RUSTSEC-2023-0071) reports that the
//! `rsa` crate's private-key operation is not constant time: its timing can leak enough for a
//! remote attacker who can submit many chosen ciphertexts (or messages to sign) to recover a
//! plaintext or forge a signature. Status for the `rsa` 0.10 line this crate requires:
//! * `rsa` 0.10.0 replaced its big-integer arithmetic with the constant-time `crypto-bigint`,
//!   blinds every private-key operation, and hardened its padding code following
//!   draft-irtf-cfrg-rsa-guidance; its README says the crate "was previously vulnerable" and
//!   advises migrating to 0.10, while constant-time hardening continues upstream
//!   ([RustCrypto/RSA#711](https://github.com/RustCrypto/RSA/issues/711));
//! * the advisory itself still listed no patched version (`patched = []`) in the newest
//!   advisory database checked when moving to 0.10.0, so `cargo audit` may keep reporting it
//!   until the database records 0.10 as patched.
//!
//! This crate does not rely on that verdict: wherever AWS-LC builds (every native target),
//! every RSA operation runs there. The pure-Rust backend is treated as the weaker one, and the
//! table says where it still runs:
//!
//! | operation | key | native (AWS-LC) | wasm32 (`rsa` crate) |
//! |---|---|---|---|
//! | [`RsaPrivateKey::oaep_sha256_decrypt`] | private | AWS-LC, constant time | `rsa` 0.10, blinded; in the advisory's scope |
//! | [`RsaPrivateKey::pss_sha256_sign`] | private | AWS-LC, constant time | `rsa` 0.10, blinded; in the advisory's scope |
//! | [`RsaPublicKey::pss_sha256_verify`] | public | AWS-LC | not affected |
//! | [`RsaPublicKey::oaep_sha256_encrypt`] | public | AWS-LC | not affected |
//! | [`RsaPrivateKey::generate`] | private | `rsa` crate (one-off, local) | `rsa` crate |
//!
//! **Warning, wasm32.** Every private-key operation that still runs on wasm32 uses the
//! `rsa` crate, with the status above:
//! * a relay recipient (spec §1) running in a browser: [`RsaPrivateKey::pss_sha256_sign`] of
//!   its own requests and [`RsaPrivateKey::oaep_sha256_decrypt`] of the responses addressed to
//!   it. Whoever controls the relay server or the network can substitute a chosen ciphertext
//!   for each response, but only one per request the recipient itself makes, and must also
//!   measure the recipient's decryption time: far harder than against a server, yet not
//!   excluded for a recipient that makes many requests automatically;
//! * a handshake server (spec §2) or relay recipient service **if someone runs it on wasm32**
//!   (e.g. in a wasm edge runtime): the handshake server decrypts attacker-chosen
//!   `publicKeyPrimary` ciphertexts and signs every response, exactly the exposure the advisory
//!   describes. Do not run a handshake server on wasm32; run it on a native target.
//!
//! The handshake client performs only public-key operations (OAEP encrypt, PSS verify), which
//! are not affected on either target. The relay server performs no RSA private-key operation.
//!
//! # Key checks
//!
//! Every key has public exponent 65537 and a modulus of [`MIN_BITS`] to [`MAX_BITS`] bits
//! (the range both backends support); [`RsaPublicKey::from_components_with_bits`] narrows the
//! range ([`RELAY_BITS`], [`HANDSHAKE_BITS`]). Violations are `KEY_REJECTED`.
//!
//! ```
//! use sealwright::rsa_keys::{RsaPrivateKey, RsaPublicKey};
//! let mut rng = rand::rng();
//! let key = RsaPrivateKey::generate(2048, &mut rng)?;
//! let public = RsaPublicKey::from_components(&key.public_key().n_bytes(), &[1, 0, 1])?;
//!
//! let ct = public.oaep_sha256_encrypt(b"content key", &mut rng)?;
//! assert_eq!(key.oaep_sha256_decrypt(&ct, &mut rng)?.expose(), b"content key");
//!
//! let sig = key.pss_sha256_sign(b"message", &mut rng)?;
//! public.pss_sha256_verify(b"message", &sig)?;
//! assert!(public.pss_sha256_verify(b"other", &sig).is_err());
//! # Ok::<(), sealwright::Error>(())
//! ```

use alloc::vec::Vec;
use core::fmt;
use core::ops::RangeInclusive;

use rand_core::CryptoRng;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, Oaep, Pss};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::secret::SecretVec;

/// Smallest modulus any key here may have (bits).
pub const MIN_BITS: usize = 2048;
/// Largest modulus any key here may have (bits).
pub const MAX_BITS: usize = 8192;
/// Modulus sizes a relay recipient key may have (spec §1: 3072 to 8192 inclusive).
pub const RELAY_BITS: RangeInclusive<usize> = 3072..=8192;
/// Modulus size of the handshake server identity key (spec §2: 4096).
pub const HANDSHAKE_BITS: RangeInclusive<usize> = 4096..=4096;
/// The only accepted public exponent, 65537, big-endian without leading zeros.
pub const PUBLIC_EXPONENT: [u8; 3] = [0x01, 0x00, 0x01];
/// PSS salt length in bytes (= SHA-256 output length).
pub const PSS_SALT_LEN: usize = 32;

/// Which implementation performs an RSA operation (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// The pure-Rust `rsa` crate (RustCrypto). Always available; the default on `wasm32`.
    RustCrypto,
    /// aws-lc-rs: the default on every native target.
    #[cfg(not(target_arch = "wasm32"))]
    AwsLc,
}

impl Backend {
    /// The backend the plain methods use: `AwsLc` on native targets, `RustCrypto` on `wasm32`
    /// (and on native targets under the test-only feature `pure-rsa-backend-for-tests`).
    #[cfg(all(
        not(target_arch = "wasm32"),
        not(feature = "pure-rsa-backend-for-tests")
    ))]
    pub const DEFAULT: Backend = Backend::AwsLc;
    /// The backend the plain methods use: `AwsLc` on native targets, `RustCrypto` on `wasm32`
    /// (and on native targets under the test-only feature `pure-rsa-backend-for-tests`).
    #[cfg(any(target_arch = "wasm32", feature = "pure-rsa-backend-for-tests"))]
    pub const DEFAULT: Backend = Backend::RustCrypto;

    /// The backend the plain methods use right now: [`Self::DEFAULT`], unless
    /// `use_pure_backend_for_tests` switched this process to `RustCrypto` (feature
    /// `test-utils` only).
    pub fn current() -> Backend {
        #[cfg(feature = "test-utils")]
        if test_switch::PURE.load(core::sync::atomic::Ordering::Relaxed) {
            return Backend::RustCrypto;
        }
        Backend::DEFAULT
    }

    /// Every backend compiled into this build (for cross-backend tests).
    pub const fn all() -> &'static [Backend] {
        #[cfg(not(target_arch = "wasm32"))]
        {
            &[Backend::RustCrypto, Backend::AwsLc]
        }
        #[cfg(target_arch = "wasm32")]
        {
            &[Backend::RustCrypto]
        }
    }
}

#[cfg(feature = "test-utils")]
mod test_switch {
    pub(super) static PURE: core::sync::atomic::AtomicBool =
        core::sync::atomic::AtomicBool::new(false);
}

/// Tests and vector generation only (feature `test-utils`): from now on, in this whole
/// process, the plain methods use the pure-Rust backend ([`Backend::current`] is
/// `RustCrypto`) when `on`, or [`Backend::DEFAULT`] again when not. The vector generator
/// needs it because AWS-LC draws OAEP seeds and PSS salts from its own DRBG, so its output
/// could not be reproduced from a seed.
#[cfg(feature = "test-utils")]
pub fn use_pure_backend_for_tests(on: bool) {
    test_switch::PURE.store(on, core::sync::atomic::Ordering::Relaxed);
}

#[cfg(not(target_arch = "wasm32"))]
mod lc {
    //! aws-lc-rs key objects, parsed once per key.
    use alloc::sync::Arc;
    use aws_lc_rs::rsa::{
        OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
        PrivateDecryptingKey, PublicEncryptingKey,
    };
    use aws_lc_rs::signature::{
        ParsedPublicKey, RSA_PSS_2048_8192_SHA256, RSA_PSS_SHA256, RsaKeyPair,
        RsaPublicKeyComponents,
    };

    use crate::error::{Error, Result};
    use crate::secret::SecretVec;
    use alloc::vec;
    use alloc::vec::Vec;

    pub(super) struct Public {
        verify: ParsedPublicKey,
        encrypt: OaepPublicEncryptingKey,
    }

    impl Public {
        pub(super) fn new(n: &[u8], e: &[u8], spki: &[u8]) -> Result<Arc<Self>> {
            let verify = RsaPublicKeyComponents { n, e }
                .to_parsed_public_key(&RSA_PSS_2048_8192_SHA256)
                .map_err(|_| Error::KeyRejected)?;
            let encrypt = PublicEncryptingKey::from_der(spki)
                .ok()
                .and_then(|k| OaepPublicEncryptingKey::new(k).ok())
                .ok_or(Error::KeyRejected)?;
            Ok(Arc::new(Self { verify, encrypt }))
        }

        pub(super) fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<()> {
            self.verify
                .verify_sig(msg, sig)
                .map_err(|_| Error::BadSignature)
        }

        pub(super) fn encrypt(&self, msg: &[u8]) -> Result<Vec<u8>> {
            if msg.len() > self.encrypt.max_plaintext_size(&OAEP_SHA256_MGF1SHA256) {
                return Err(Error::InvalidInput);
            }
            let mut out = vec![0u8; self.encrypt.ciphertext_size()];
            let len = self
                .encrypt
                .encrypt(&OAEP_SHA256_MGF1SHA256, msg, &mut out, None)
                .map_err(|_| Error::InvalidInput)?
                .len();
            out.truncate(len);
            Ok(out)
        }
    }

    pub(super) struct Private {
        sign: RsaKeyPair,
        decrypt: OaepPrivateDecryptingKey,
    }

    impl Private {
        pub(super) fn new(pkcs8: &[u8]) -> Result<Arc<Self>> {
            let sign = RsaKeyPair::from_pkcs8(pkcs8).map_err(|_| Error::KeyRejected)?;
            let decrypt = PrivateDecryptingKey::from_pkcs8(pkcs8)
                .ok()
                .and_then(|k| OaepPrivateDecryptingKey::new(k).ok())
                .ok_or(Error::KeyRejected)?;
            Ok(Arc::new(Self { sign, decrypt }))
        }

        pub(super) fn decrypt(&self, ct: &[u8]) -> Result<SecretVec> {
            let mut out = SecretVec::new(vec![0u8; self.decrypt.min_output_size()]);
            let len = self
                .decrypt
                .decrypt(&OAEP_SHA256_MGF1SHA256, ct, out.expose_mut(), None)
                .map_err(|_| Error::DecryptionFailed)?
                .len();
            out.expose_mut().truncate(len);
            Ok(out)
        }

        pub(super) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
            let mut sig = vec![0u8; self.sign.public_modulus_len()];
            // aws-lc ignores this RNG and uses its own DRBG (see the module docs).
            let rng = aws_lc_rs::rand::SystemRandom::new();
            self.sign
                .sign(&RSA_PSS_SHA256, &rng, msg, &mut sig)
                .map_err(|_| Error::InvalidInput)?;
            Ok(sig)
        }
    }
}

/// An RSA public key (exponent 65537, modulus of [`MIN_BITS`]..=[`MAX_BITS`] bits).
#[derive(Clone)]
pub struct RsaPublicKey {
    inner: rsa::PublicKey,
    #[cfg(not(target_arch = "wasm32"))]
    lc: alloc::sync::Arc<lc::Public>,
}

impl PartialEq for RsaPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

impl Eq for RsaPublicKey {}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaPublicKey({} bits)", self.bits())
    }
}

impl RsaPublicKey {
    /// A key from its big-endian unsigned modulus `n` and exponent `e`, with a modulus of
    /// [`MIN_BITS`]..=[`MAX_BITS`] bits.
    ///
    /// `KEY_REJECTED`: empty or leading-zero `n` or `e` (the encodings must be minimal, as
    /// JWK requires), `e` other than 65537, an even modulus, or a size outside the range.
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<Self> {
        Self::from_components_with_bits(n, e, MIN_BITS..=MAX_BITS)
    }

    /// As [`Self::from_components`], with the modulus size limited to `bits` (intersected with
    /// [`MIN_BITS`]..=[`MAX_BITS`]), e.g. [`RELAY_BITS`] or [`HANDSHAKE_BITS`].
    pub fn from_components_with_bits(
        n: &[u8],
        e: &[u8],
        bits: RangeInclusive<usize>,
    ) -> Result<Self> {
        if e != PUBLIC_EXPONENT {
            return Err(Error::KeyRejected);
        }
        let (first, last) = match (n.first(), n.last()) {
            (Some(f), Some(l)) => (*f, *l),
            _ => return Err(Error::KeyRejected),
        };
        if first == 0 || last & 1 == 0 {
            return Err(Error::KeyRejected);
        }
        // Bit length of a minimal big-endian encoding, without touching big integers.
        let n_bits = n
            .len()
            .checked_sub(1)
            .and_then(|l| l.checked_mul(8))
            .and_then(|b| b.checked_add(8 - first.leading_zeros() as usize))
            .ok_or(Error::KeyRejected)?;
        let min = (*bits.start()).max(MIN_BITS);
        let max = (*bits.end()).min(MAX_BITS);
        if n_bits < min || n_bits > max {
            return Err(Error::KeyRejected);
        }
        let n_uint = BoxedUint::from_be_slice_vartime(n);
        let e_uint = BoxedUint::from_be_slice_vartime(e);
        let inner = rsa::PublicKey::new_with_size_limits(n_uint, e_uint, MIN_BITS..=MAX_BITS)
            .map_err(|_| Error::KeyRejected)?;
        Self::wrap(inner)
    }

    fn wrap(inner: rsa::PublicKey) -> Result<Self> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let spki = inner.to_public_key_der().map_err(|_| Error::KeyRejected)?;
            let lc = lc::Public::new(&inner.n_bytes(), &inner.e_bytes(), spki.as_bytes())?;
            Ok(Self { inner, lc })
        }
        #[cfg(target_arch = "wasm32")]
        {
            Ok(Self { inner })
        }
    }

    /// The modulus, big-endian, without leading zeros.
    pub fn n_bytes(&self) -> Vec<u8> {
        self.inner.n_bytes().into_vec()
    }

    /// The public exponent, big-endian, without leading zeros (always `01 00 01`).
    pub fn e_bytes(&self) -> Vec<u8> {
        self.inner.e_bytes().into_vec()
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.inner.n().bit_width_vartime() as usize
    }

    /// The modulus size in bytes (the length of every ciphertext and signature).
    pub fn size(&self) -> usize {
        self.inner.size()
    }

    /// A key from a DER `SubjectPublicKeyInfo` (`rsaEncryption`), then the checks of
    /// [`Self::from_components`] (`KEY_REJECTED`).
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let parsed = rsa::PublicKey::from_public_key_der(der).map_err(|_| Error::KeyRejected)?;
        let key = Self::from_components(&parsed.n_bytes(), &parsed.e_bytes())?;
        // Only the canonical encoding is accepted, so a key has one SPKI form.
        if key.to_spki_der()? != der {
            return Err(Error::KeyRejected);
        }
        Ok(key)
    }

    /// The DER `SubjectPublicKeyInfo` of this key.
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        self.inner
            .to_public_key_der()
            .map(|d| d.into_vec())
            .map_err(|_| Error::KeyRejected)
    }

    /// RSAES-OAEP encryption, SHA-256 and MGF1-SHA-256, empty label.
    ///
    /// `INVALID_INPUT` if `msg` is longer than `size() - 66` bytes. On native targets the
    /// OAEP seed comes from AWS-LC's DRBG and `rng` is unused (see the module docs).
    pub fn oaep_sha256_encrypt<R: CryptoRng + ?Sized>(
        &self,
        msg: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>> {
        self.oaep_sha256_encrypt_with(Backend::current(), msg, rng)
    }

    /// [`Self::oaep_sha256_encrypt`] with an explicit backend.
    pub fn oaep_sha256_encrypt_with<R: CryptoRng + ?Sized>(
        &self,
        backend: Backend,
        msg: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>> {
        match backend {
            Backend::RustCrypto => self
                .inner
                .encrypt(rng, Oaep::<Sha256>::new(), msg)
                .map_err(|_| Error::InvalidInput),
            #[cfg(not(target_arch = "wasm32"))]
            Backend::AwsLc => self.lc.encrypt(msg),
        }
    }

    /// RSASSA-PSS verification, SHA-256, MGF1-SHA-256, salt length exactly 32
    /// (`BAD_SIGNATURE` otherwise, also for a signature of the wrong length).
    pub fn pss_sha256_verify(&self, msg: &[u8], signature: &[u8]) -> Result<()> {
        self.pss_sha256_verify_with(Backend::current(), msg, signature)
    }

    /// [`Self::pss_sha256_verify`] with an explicit backend.
    pub fn pss_sha256_verify_with(
        &self,
        backend: Backend,
        msg: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        if signature.len() != self.size() {
            return Err(Error::BadSignature);
        }
        match backend {
            Backend::RustCrypto => {
                let hashed = Sha256::digest(msg);
                self.inner
                    .verify(
                        Pss::<Sha256>::new_with_salt(PSS_SALT_LEN),
                        &hashed,
                        signature,
                    )
                    .map_err(|_| Error::BadSignature)
            }
            #[cfg(not(target_arch = "wasm32"))]
            Backend::AwsLc => self.lc.verify(msg, signature),
        }
    }
}

/// An RSA private key (exponent 65537, [`MIN_BITS`]..=[`MAX_BITS`] bits).
///
/// The `rsa` crate key zeroizes its secret components on drop; the aws-lc key (native
/// targets) is freed by AWS-LC, whose allocator cleanses memory on free. `Debug` prints only
/// the size.
#[derive(Clone)]
pub struct RsaPrivateKey {
    inner: rsa::PrivateKey,
    public: RsaPublicKey,
    #[cfg(not(target_arch = "wasm32"))]
    lc: alloc::sync::Arc<lc::Private>,
}

impl fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaPrivateKey({} bits, REDACTED)", self.public.bits())
    }
}

impl RsaPrivateKey {
    /// Generates a fresh key of `bits` bits with exponent 65537 (`KEY_REJECTED` if `bits` is
    /// outside [`MIN_BITS`]..=[`MAX_BITS`]). Always uses the `rsa` crate and `rng`, so a seeded
    /// RNG gives the same key on every backend.
    pub fn generate<R: CryptoRng + ?Sized>(bits: usize, rng: &mut R) -> Result<Self> {
        if !(MIN_BITS..=MAX_BITS).contains(&bits) {
            return Err(Error::KeyRejected);
        }
        let inner = rsa::PrivateKey::new(rng, bits).map_err(|_| Error::KeyRejected)?;
        Self::wrap(inner)
    }

    /// A key from PKCS#8 DER (`KEY_REJECTED` if unparsable, inconsistent, `e != 65537` or of a
    /// size outside [`MIN_BITS`]..=[`MAX_BITS`]).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let inner = rsa::PrivateKey::from_pkcs8_der(der).map_err(|_| Error::KeyRejected)?;
        inner.validate().map_err(|_| Error::KeyRejected)?;
        Self::wrap(inner)
    }

    fn wrap(inner: rsa::PrivateKey) -> Result<Self> {
        let public =
            RsaPublicKey::from_components(&inner.n_bytes(), &inner.e_bytes()).map_err(|_| {
                // Same code for every reason a private key is unusable.
                Error::KeyRejected
            })?;
        #[cfg(not(target_arch = "wasm32"))]
        {
            // aws-lc parses the rsa crate's canonical encoding, so both hold the same numbers.
            let der = inner.to_pkcs8_der().map_err(|_| Error::KeyRejected)?;
            let lc = lc::Private::new(der.as_bytes())?;
            Ok(Self { inner, public, lc })
        }
        #[cfg(target_arch = "wasm32")]
        {
            Ok(Self { inner, public })
        }
    }

    /// The PKCS#8 DER encoding (a secret).
    pub fn to_pkcs8_der(&self) -> Result<SecretVec> {
        self.inner
            .to_pkcs8_der()
            .map(|d| SecretVec::from_slice(d.as_bytes()))
            .map_err(|_| Error::KeyRejected)
    }

    /// The public half.
    pub fn public_key(&self) -> RsaPublicKey {
        self.public.clone()
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.public.bits()
    }

    /// RSAES-OAEP decryption, SHA-256, MGF1-SHA-256, empty label (`DECRYPTION_FAILED` on any
    /// failure). `rng` blinds the private-key operation (unused on native targets,
    /// where AWS-LC blinds with its own DRBG).
    pub fn oaep_sha256_decrypt<R: CryptoRng + ?Sized>(
        &self,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<SecretVec> {
        self.oaep_sha256_decrypt_with(Backend::current(), ciphertext, rng)
    }

    /// [`Self::oaep_sha256_decrypt`] with an explicit backend.
    pub fn oaep_sha256_decrypt_with<R: CryptoRng + ?Sized>(
        &self,
        backend: Backend,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<SecretVec> {
        if ciphertext.len() != self.public.size() {
            return Err(Error::DecryptionFailed);
        }
        match backend {
            Backend::RustCrypto => self
                .inner
                .decrypt_blinded(rng, Oaep::<Sha256>::new(), ciphertext)
                .map(SecretVec::new)
                .map_err(|_| Error::DecryptionFailed),
            #[cfg(not(target_arch = "wasm32"))]
            Backend::AwsLc => self.lc.decrypt(ciphertext),
        }
    }

    /// RSASSA-PSS signature, SHA-256, MGF1-SHA-256, salt 32 bytes from `rng` (on native targets
    /// the salt comes from AWS-LC's DRBG and `rng` is unused).
    pub fn pss_sha256_sign<R: CryptoRng + ?Sized>(
        &self,
        msg: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>> {
        self.pss_sha256_sign_with(Backend::current(), msg, rng)
    }

    /// [`Self::pss_sha256_sign`] with an explicit backend.
    pub fn pss_sha256_sign_with<R: CryptoRng + ?Sized>(
        &self,
        backend: Backend,
        msg: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>> {
        match backend {
            Backend::RustCrypto => {
                let hashed = Sha256::digest(msg);
                self.inner
                    .sign_with_rng(rng, Pss::<Sha256>::new_with_salt(PSS_SALT_LEN), &hashed)
                    .map_err(|_| Error::InvalidInput)
            }
            #[cfg(not(target_arch = "wasm32"))]
            Backend::AwsLc => self.lc.sign(msg),
        }
    }
}
