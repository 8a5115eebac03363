//! `sealwright.shares` (spec §3): threshold wallet shares (2-of-3 Shamir, Argon2id envelopes,
//! EIP-191 signing). Every Argon2id derivation runs with the GIL released.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::shares as core;

use crate::common::{bytes, os_rng};
use crate::effects::{Effect, StoreSealer, effects};
use crate::errors::SwResult;

fn address(text: &str) -> SwResult<core::Address> {
    Ok(core::Address::parse(text)?)
}

/// An Ethereum (secp256k1) wallet key `d`, held in Rust and zeroized when collected.
#[pyclass(frozen, module = "sealwright.shares")]
pub struct WalletKey {
    inner: core::WalletKey,
}

#[pymethods]
impl WalletKey {
    /// A new random key (OS RNG).
    #[staticmethod]
    fn generate() -> SwResult<Self> {
        Ok(Self {
            inner: core::WalletKey::generate(&mut os_rng())?,
        })
    }

    /// Imports a 32-byte big-endian private key (`INVALID_INPUT` if 0 or `>= n`).
    #[staticmethod]
    fn from_bytes(private_key: &[u8]) -> SwResult<Self> {
        let d = SecretKey32::from_slice(private_key)?;
        Ok(Self {
            inner: core::WalletKey::from_bytes(&d)?,
        })
    }

    /// The EIP-55 checksummed address.
    #[getter]
    fn address(&self) -> String {
        self.inner.address().to_checksummed()
    }

    /// EIP-191 `personal_sign` of `message` (its UTF-8 bytes): `"0x" || hex(r || s || v)`.
    fn sign_message(&self, message: &str) -> String {
        self.inner.sign_message(message.as_bytes())
    }

    /// The private key as 64 lowercase hex digits (a secret: only for its owner). The core's
    /// zeroizing string is copied straight into the Python `str`, with no other Rust copy.
    fn export_private_key_hex<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, self.inner.export_private_key_hex().expose())
    }

    fn __repr__(&self) -> String {
        format!(
            "WalletKey(address={:?}, key=<redacted>)",
            self.inner.address().to_checksummed()
        )
    }
}

/// A decoded share plaintext `(x, generation, y)`; `y` is secret and stays in Rust.
#[pyclass(frozen, module = "sealwright.shares")]
pub struct SharePlaintext {
    inner: core::SharePlaintext,
}

#[pymethods]
impl SharePlaintext {
    /// A share `(x, y)` of `generation` (`INVALID_SHARE` unless x in {1, 2, 3} and y < n).
    #[new]
    fn py_new(x: u8, generation: u32, y: &[u8]) -> SwResult<Self> {
        let y = SecretKey32::from_slice(y)?;
        Ok(Self {
            inner: core::SharePlaintext::new(x, generation, y)?,
        })
    }

    /// Strict decoding of the 39-byte plaintext (spec §3).
    #[staticmethod]
    fn decode(plaintext: &[u8]) -> SwResult<Self> {
        Ok(Self {
            inner: core::SharePlaintext::decode(plaintext)?,
        })
    }

    /// The share index (1 = user, 2 = hot, 3 = cold).
    #[getter]
    fn x(&self) -> u8 {
        self.inner.x()
    }

    /// The generation this share belongs to.
    #[getter]
    fn generation(&self) -> u32 {
        self.inner.generation()
    }

    /// The 39-byte plaintext `0x01 || 0x02 || x || u32be(generation) || y` (a secret; test
    /// builds only, feature `test-utils`).
    #[cfg(feature = "test-utils")]
    fn to_bytes(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.encode().expose())
    }

    fn __repr__(&self) -> String {
        format!(
            "SharePlaintext(x={}, generation={}, y=<redacted>)",
            self.inner.x(),
            self.inner.generation()
        )
    }
}

/// A new wallet: its address, the three envelopes (1 to the user) and the store effects.
#[pyclass(frozen, module = "sealwright.shares")]
pub struct Created {
    inner: core::Created,
}

#[pymethods]
impl Created {
    /// The wallet address (EIP-55).
    #[getter]
    fn address(&self) -> String {
        self.inner.address.to_checksummed()
    }
    /// Envelope of share 1 (generation 0): give it to the user.
    #[getter]
    fn user_envelope(&self) -> &str {
        &self.inner.user_envelope
    }
    /// Envelope of share 2 (hot storage; also in `effects`).
    #[getter]
    fn hot_envelope(&self) -> &str {
        &self.inner.hot_envelope
    }
    /// Envelope of share 3 (cold storage; also in `effects`).
    #[getter]
    fn cold_envelope(&self) -> &str {
        &self.inner.cold_envelope
    }
    /// `put hot:0`, `put cold:0`, `put current = 0`: apply in order.
    #[getter]
    fn effects(&self) -> Vec<Effect> {
        effects(&self.inner.effects)
    }
    fn __repr__(&self) -> String {
        format!(
            "Created(address={:?}, envelopes=<3 redacted>, effects=<{}>)",
            self.inner.address.to_checksummed(),
            self.inner.effects.len()
        )
    }
}

/// The result of a recovery: generation `g + 1`, its envelopes and the ordered effects.
#[pyclass(frozen, module = "sealwright.shares")]
pub struct Recovered {
    inner: core::Recovered,
}

#[pymethods]
impl Recovered {
    /// The new generation `g + 1`.
    #[getter]
    fn generation(&self) -> u32 {
        self.inner.generation
    }
    /// New envelope of share 1: give it to the user.
    #[getter]
    fn user_envelope(&self) -> &str {
        &self.inner.user_envelope
    }
    /// New envelope of share 2 (also in `effects`).
    #[getter]
    fn hot_envelope(&self) -> &str {
        &self.inner.hot_envelope
    }
    /// New envelope of share 3 (also in `effects`).
    #[getter]
    fn cold_envelope(&self) -> &str {
        &self.inner.cold_envelope
    }
    /// `put hot:g+1`, `put cold:g+1`, `put current`, `delete hot:g`, `delete cold:g`.
    #[getter]
    fn effects(&self) -> Vec<Effect> {
        effects(&self.inner.effects)
    }
    fn __repr__(&self) -> String {
        format!(
            "Recovered(generation={}, envelopes=<3 redacted>, effects=<{}>)",
            self.inner.generation,
            self.inner.effects.len()
        )
    }
}

/// A wallet opened from two shares: the key (in Rust) and the shares' generation.
#[pyclass(frozen, module = "sealwright.shares")]
pub struct OpenedWallet {
    key: Py<WalletKey>,
    generation: u32,
}

#[pymethods]
impl OpenedWallet {
    /// The wallet key.
    #[getter]
    fn key(&self, py: Python<'_>) -> Py<WalletKey> {
        self.key.clone_ref(py)
    }
    /// The generation of the two shares.
    #[getter]
    fn generation(&self) -> u32 {
        self.generation
    }
    fn __repr__(&self) -> String {
        format!(
            "OpenedWallet(address={:?}, generation={}, key=<redacted>)",
            self.key.get().inner.address().to_checksummed(),
            self.generation
        )
    }
}

/// Creates a wallet (spec §3 "create"); `INVALID_INPUT` for an empty password.
#[pyfunction(name = "shares_create")]
fn create(py: Python<'_>, password: &str, sealer: &StoreSealer) -> SwResult<Created> {
    let password = SecretString::from(password);
    let sealer = &sealer.inner;
    let inner = py.detach(|| core::create(&password, sealer, &mut os_rng()))?;
    Ok(Created { inner })
}

/// Opens two envelopes and reconstructs the key, with the five checks of spec §3 in order.
#[pyfunction(name = "shares_open_wallet")]
fn open_wallet(
    py: Python<'_>,
    password: &str,
    first: &str,
    second: &str,
    address: &str,
) -> SwResult<OpenedWallet> {
    let password = SecretString::from(password);
    let address = self::address(address)?;
    let opened = py.detach(|| core::open_wallet(&password, first, second, &address))?;
    Ok(OpenedWallet {
        key: Py::new(py, WalletKey { inner: opened.key })?,
        generation: opened.generation,
    })
}

/// Signs `message` with share 1 (user) and share 2 (hot) of one generation (spec §3 "sign").
#[pyfunction(name = "shares_sign")]
fn sign(
    py: Python<'_>,
    password: &str,
    user_envelope: &str,
    hot_envelope: &str,
    address: &str,
    message: &str,
) -> SwResult<String> {
    let password = SecretString::from(password);
    let address = self::address(address)?;
    Ok(py.detach(|| core::sign(&password, user_envelope, hot_envelope, &address, message))?)
}

/// Recovery from shares 2 and 3 of `generation` (spec §3 "recover").
#[pyfunction(name = "shares_recover")]
fn recover(
    py: Python<'_>,
    password: &str,
    hot_envelope: &str,
    cold_envelope: &str,
    address: &str,
    generation: u32,
    sealer: &StoreSealer,
) -> SwResult<Recovered> {
    let password = SecretString::from(password);
    let address = self::address(address)?;
    let sealer = &sealer.inner;
    let inner = py.detach(|| {
        core::recover(
            &password,
            hot_envelope,
            cold_envelope,
            &address,
            generation,
            sealer,
            &mut os_rng(),
        )
    })?;
    Ok(Recovered { inner })
}

/// Opens one envelope (`DECRYPTION_FAILED` on any failure) and decodes its share plaintext.
#[pyfunction(name = "shares_open_envelope")]
fn open_envelope(py: Python<'_>, password: &str, envelope: &str) -> SwResult<SharePlaintext> {
    let password = SecretString::from(password);
    let plaintext = py.detach(|| core::open_envelope(&password, envelope))?;
    SharePlaintext::decode(plaintext.expose())
}

/// Seals a share under `password` with a fresh salt and IV.
#[cfg(not(feature = "test-utils"))]
#[pyfunction]
#[pyo3(name = "shares_seal_envelope", signature = (password, share))]
fn seal_envelope(py: Python<'_>, password: &str, share: &SharePlaintext) -> SwResult<String> {
    let password = SecretString::from(password);
    let share = &share.inner;
    Ok(py.detach(|| core::seal(&password, share, &mut os_rng()))?)
}

/// Seals a share under `password` with a fresh salt and IV, or the given ones (vector replay:
/// never reuse a salt and IV). The `salt` and `iv` parameters exist in test builds only
/// (feature `test-utils`).
#[cfg(feature = "test-utils")]
#[pyfunction]
#[pyo3(name = "shares_seal_envelope", signature = (password, share, salt=None, iv=None))]
fn seal_envelope(
    py: Python<'_>,
    password: &str,
    share: &SharePlaintext,
    salt: Option<&[u8]>,
    iv: Option<&[u8]>,
) -> SwResult<String> {
    let password = SecretString::from(password);
    let share = &share.inner;
    let given = match (salt, iv) {
        (None, None) => None,
        (Some(salt), Some(iv)) => Some((
            <[u8; core::SALT_LEN]>::try_from(salt).map_err(|_| sealwright::Error::InvalidInput)?,
            <[u8; core::IV_LEN]>::try_from(iv).map_err(|_| sealwright::Error::InvalidInput)?,
        )),
        _ => return Err(sealwright::Error::InvalidInput.into()),
    };
    Ok(py.detach(|| match given {
        Some((salt, iv)) => core::seal_with(&password, share, salt, iv),
        None => core::seal(&password, share, &mut os_rng()),
    })?)
}

/// The envelope key `K = Argon2id(password, salt, t=3, m=64 MiB, p=4, 16 bytes)` (a secret:
/// for interoperability checks; test builds only, feature `test-utils`).
#[cfg(feature = "test-utils")]
#[pyfunction(name = "shares_derive_key")]
fn derive_key(py: Python<'_>, password: &str, salt: &[u8]) -> SwResult<Py<PyBytes>> {
    let password = SecretString::from(password);
    let salt =
        <[u8; core::SALT_LEN]>::try_from(salt).map_err(|_| sealwright::Error::InvalidInput)?;
    let key = py.detach(|| core::derive_key(&password, &salt))?;
    Ok(bytes(py, key.expose()))
}

/// The address that made an EIP-191 signature (`BAD_SIGNATURE` otherwise).
#[pyfunction(name = "shares_recover_signer")]
fn recover_signer(message: &str, signature: &str) -> SwResult<String> {
    Ok(core::recover_signer(message.as_bytes(), signature)?.to_checksummed())
}

/// The EIP-191 `personal_sign` hash of `message` (its UTF-8 bytes).
#[pyfunction(name = "shares_personal_message_hash")]
fn personal_message_hash(py: Python<'_>, message: &str) -> Py<PyBytes> {
    bytes(py, &core::personal_message_hash(message.as_bytes()))
}

/// The EIP-55 checksummed form of an address (`INVALID_INPUT` if malformed).
#[pyfunction(name = "shares_checksum_address")]
fn checksum_address(address: &str) -> SwResult<String> {
    Ok(self::address(address)?.to_checksummed())
}

/// Store key of the hot share of generation `g`.
#[pyfunction(name = "shares_hot_key")]
fn hot_key(address: &str, generation: u32) -> SwResult<String> {
    Ok(core::hot_key(&self::address(address)?, generation))
}

/// Store key of the cold share of generation `g`.
#[pyfunction(name = "shares_cold_key")]
fn cold_key(address: &str, generation: u32) -> SwResult<String> {
    Ok(core::cold_key(&self::address(address)?, generation))
}

/// Store key of the current-generation pointer.
#[pyfunction(name = "shares_current_key")]
fn current_key(address: &str) -> SwResult<String> {
    Ok(core::current_key(&self::address(address)?))
}

/// Opens a stored envelope value read from `key`.
#[pyfunction(name = "shares_open_stored_envelope")]
fn open_stored_envelope(sealer: &StoreSealer, key: &str, value: &[u8]) -> SwResult<String> {
    Ok(core::open_stored_envelope(&sealer.inner, key, value)?)
}

/// Opens the stored current-generation pointer read from `key`.
#[pyfunction(name = "shares_open_stored_generation")]
fn open_stored_generation(sealer: &StoreSealer, key: &str, value: &[u8]) -> SwResult<u32> {
    Ok(core::open_stored_generation(&sealer.inner, key, value)?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<WalletKey>()?;
    m.add_class::<SharePlaintext>()?;
    m.add_class::<Created>()?;
    m.add_class::<Recovered>()?;
    m.add_class::<OpenedWallet>()?;
    m.add_function(wrap_pyfunction!(create, m)?)?;
    m.add_function(wrap_pyfunction!(open_wallet, m)?)?;
    m.add_function(wrap_pyfunction!(sign, m)?)?;
    m.add_function(wrap_pyfunction!(recover, m)?)?;
    m.add_function(wrap_pyfunction!(open_envelope, m)?)?;
    m.add_function(wrap_pyfunction!(seal_envelope, m)?)?;
    #[cfg(feature = "test-utils")]
    m.add_function(wrap_pyfunction!(derive_key, m)?)?;
    m.add_function(wrap_pyfunction!(recover_signer, m)?)?;
    m.add_function(wrap_pyfunction!(personal_message_hash, m)?)?;
    m.add_function(wrap_pyfunction!(checksum_address, m)?)?;
    m.add_function(wrap_pyfunction!(hot_key, m)?)?;
    m.add_function(wrap_pyfunction!(cold_key, m)?)?;
    m.add_function(wrap_pyfunction!(current_key, m)?)?;
    m.add_function(wrap_pyfunction!(open_stored_envelope, m)?)?;
    m.add_function(wrap_pyfunction!(open_stored_generation, m)?)?;
    Ok(())
}
