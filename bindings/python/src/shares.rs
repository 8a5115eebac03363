//! `sealwright.shares` (spec §3): threshold wallet shares (2-of-3 Shamir, Argon2id envelopes,
//! EIP-191 signing) as server steps (spec §0.2): `create` and the three recovery steps
//! (`LoadedSplit.stage`, `Staged.move_pointer`, `MovePending.won` / `lost`) return
//! `sealwright.Step`s whose effects name their store (`"main"` = hot, `"cold"`). Every
//! Argon2id derivation runs with the GIL released.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use sealwright::effect::StoredRecord;
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::shares as core;

use crate::common::{add_function, bytes, os_rng};
use crate::effects::{Step, StoreSealer};
use crate::errors::{SwErr, SwResult, error_instance};

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

/// The pointer `{generation, splitId}` at `sw:v1:shares:tag(address):current` (hot store):
/// the one split whose shares are combined.
#[pyclass(frozen, eq, module = "sealwright.shares")]
#[derive(Clone, PartialEq, Eq)]
pub struct SplitPointer {
    inner: core::SplitPointer,
}

#[pymethods]
impl SplitPointer {
    /// The split's generation (0 at creation, +1 per recovery).
    #[getter]
    fn generation(&self) -> u32 {
        self.inner.generation
    }
    /// The split's 16 random bytes.
    #[getter]
    fn split_id(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, &self.inner.split_id)
    }
    /// Opens a pointer value read from `key` (`DECRYPTION_FAILED` if sealed for another key).
    #[staticmethod]
    fn open(sealer: &StoreSealer, key: &str, value: &[u8]) -> SwResult<Self> {
        Ok(Self {
            inner: core::SplitPointer::open(&sealer.inner, key, value)?,
        })
    }
    fn __repr__(&self) -> String {
        format!("SplitPointer({:?})", self.inner)
    }
}

fn pointer(inner: core::SplitPointer) -> SplitPointer {
    SplitPointer { inner }
}

/// A new wallet (the output of `create`): address, split and the three envelopes.
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
    /// The split of generation 0.
    #[getter]
    fn split(&self) -> SplitPointer {
        pointer(self.inner.split)
    }
    /// Envelope of share 1: give it to the user once the effects are committed.
    #[getter]
    fn user_envelope(&self) -> &str {
        &self.inner.user_envelope
    }
    /// Envelope of share 2 (hot store; also in the effects).
    #[getter]
    fn hot_envelope(&self) -> &str {
        &self.inner.hot_envelope
    }
    /// Envelope of share 3 (cold store; also in the effects).
    #[getter]
    fn cold_envelope(&self) -> &str {
        &self.inner.cold_envelope
    }
    fn __repr__(&self) -> String {
        format!(
            "Created(address={:?}, split={:?}, envelopes=<3 redacted>)",
            self.inner.address.to_checksummed(),
            self.inner.split
        )
    }
}

/// A finished recovery (the pointer moved to this split): the new envelopes.
#[pyclass(frozen, module = "sealwright.shares")]
pub struct Recovered {
    inner: core::Recovered,
}

#[pymethods]
impl Recovered {
    /// The wallet address (EIP-55).
    #[getter]
    fn address(&self) -> String {
        self.inner.address.to_checksummed()
    }
    /// The split the pointer now names.
    #[getter]
    fn split(&self) -> SplitPointer {
        pointer(self.inner.split)
    }
    /// The new generation.
    #[getter]
    fn generation(&self) -> u32 {
        self.inner.split.generation
    }
    /// New envelope of share 1: give it to the user.
    #[getter]
    fn user_envelope(&self) -> &str {
        &self.inner.user_envelope
    }
    /// New envelope of share 2 (stored by the stage step).
    #[getter]
    fn hot_envelope(&self) -> &str {
        &self.inner.hot_envelope
    }
    /// New envelope of share 3 (stored by the stage step).
    #[getter]
    fn cold_envelope(&self) -> &str {
        &self.inner.cold_envelope
    }
    fn __repr__(&self) -> String {
        format!(
            "Recovered(address={:?}, split={:?}, envelopes=<3 redacted>)",
            self.inner.address.to_checksummed(),
            self.inner.split
        )
    }
}

/// The split pointer of a wallet as loaded from the hot store; every server operation starts
/// here (spec §3: only the split it names is ever combined).
#[pyclass(frozen, module = "sealwright.shares")]
pub struct LoadedSplit {
    inner: core::LoadedSplit,
}

#[pymethods]
impl LoadedSplit {
    /// Opens the value loaded from `current_key(address)` (`None`: no such wallet,
    /// `INVALID_INPUT`).
    #[staticmethod]
    fn open(sealer: &StoreSealer, address: &str, value: Option<&[u8]>) -> SwResult<Self> {
        let address = self::address(address)?;
        Ok(Self {
            inner: core::LoadedSplit::open(&sealer.inner, &address, value)?,
        })
    }
    /// The wallet address (EIP-55).
    #[getter]
    fn address(&self) -> String {
        self.inner.address().to_checksummed()
    }
    /// The pointer `{generation, splitId}`.
    #[getter]
    fn pointer(&self) -> SplitPointer {
        pointer(*self.inner.pointer())
    }
    /// The pointer's stored bytes, as loaded (the move's condition).
    #[getter]
    fn value(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.value())
    }
    /// Store key of share 2 of the named split (hot store).
    #[getter]
    fn hot_key(&self) -> String {
        self.inner.hot_key()
    }
    /// Store key of share 3 of the named split (cold store).
    #[getter]
    fn cold_key(&self) -> String {
        self.inner.cold_key()
    }
    /// Opens the value loaded from `hot_key` to its envelope.
    fn open_hot(&self, sealer: &StoreSealer, value: Option<&[u8]>) -> SwResult<String> {
        Ok(self.inner.open_hot(&sealer.inner, value)?)
    }
    /// Opens the value loaded from `cold_key` to its envelope.
    fn open_cold(&self, sealer: &StoreSealer, value: Option<&[u8]>) -> SwResult<String> {
        Ok(self.inner.open_cold(&sealer.inner, value)?)
    }
    /// Signs `message` with the user's envelope and share 2 of this split (`hot_value`, loaded
    /// from `hot_key`) (spec §3 "sign").
    fn sign(
        &self,
        py: Python<'_>,
        password: &str,
        user_envelope: &str,
        sealer: &StoreSealer,
        hot_value: Option<&[u8]>,
        message: &str,
    ) -> SwResult<String> {
        let password = SecretString::from(password);
        let (inner, sealer) = (&self.inner, &sealer.inner);
        Ok(py.detach(|| inner.sign(&password, user_envelope, sealer, hot_value, message))?)
    }
    /// Recovery step 1, stage: a `Step` whose output is a `Staged` and whose effects put the
    /// new split's share 2 (hot) and share 3 (cold).
    fn stage(
        &self,
        py: Python<'_>,
        password: &str,
        sealer: &StoreSealer,
        hot_value: Option<&[u8]>,
        cold_value: Option<&[u8]>,
    ) -> SwResult<Step> {
        let password = SecretString::from(password);
        let (loaded, sealer) = (self.inner.clone(), &sealer.inner);
        let step =
            py.detach(|| loaded.stage(&password, sealer, hot_value, cold_value, &mut os_rng()))?;
        let (staged, list) = step.into_parts();
        let output = Py::new(
            py,
            Staged {
                inner: Some(staged.clone()),
                address: staged.address().to_checksummed(),
                old: *staged.old_split(),
                new: *staged.new_split(),
            },
        )?;
        Ok(Step::new(py, output.into_any(), list)?)
    }
    fn __repr__(&self) -> String {
        format!(
            "LoadedSplit(address={:?}, pointer={:?})",
            self.inner.address().to_checksummed(),
            self.inner.pointer()
        )
    }
}

/// Recovery after stage: commit the stage effects, then `move_pointer()` once.
#[pyclass(module = "sealwright.shares")]
pub struct Staged {
    inner: Option<core::Staged>,
    address: String,
    old: core::SplitPointer,
    new: core::SplitPointer,
}

#[pymethods]
impl Staged {
    /// The wallet address (EIP-55).
    #[getter]
    fn address(&self) -> &str {
        &self.address
    }
    /// The split the pointer named when loaded.
    #[getter]
    fn old_split(&self) -> SplitPointer {
        pointer(self.old)
    }
    /// The new split.
    #[getter]
    fn new_split(&self) -> SplitPointer {
        pointer(self.new)
    }
    /// Recovery step 2, move: a `Step` whose output is a `MovePending` and whose one effect is
    /// `put_if_equal(current, loaded, new)` (hot store). Commit it exactly once
    /// (`sealwright.apply_effects`, never `run_step`); a second call raises `InvalidState`.
    fn move_pointer(&mut self, py: Python<'_>) -> SwResult<Step> {
        let staged = self.inner.take().ok_or_else(|| {
            SwErr::State("the pointer move was already built: it is never rerun".to_owned())
        })?;
        let (pending, list) = staged.move_pointer().into_parts();
        let output = Py::new(
            py,
            MovePending {
                inner: Some(pending),
            },
        )?;
        Ok(Step::new(py, output.into_any(), list)?)
    }
    fn __repr__(&self) -> String {
        format!(
            "Staged(address={:?}, old={:?}, new={:?}, envelopes=<redacted>)",
            self.address, self.old, self.new
        )
    }
}

/// Recovery after the move's effect was committed (once): report the outcome with `won()` or
/// `lost()`.
#[pyclass(module = "sealwright.shares")]
pub struct MovePending {
    inner: Option<core::MovePending>,
}

impl MovePending {
    fn take(&mut self) -> SwResult<core::MovePending> {
        self.inner.take().ok_or_else(|| {
            SwErr::State("the move's outcome was already reported: won() or lost() once".to_owned())
        })
    }
}

#[pymethods]
impl MovePending {
    /// Whether `pointer_now` (the pointer value read after the move) is this recovery's new
    /// split: decides a move whose commit outcome is unknown.
    fn moved_by_us(&self, pointer_now: Option<&[u8]>) -> SwResult<bool> {
        let pending = self
            .inner
            .as_ref()
            .ok_or_else(|| SwErr::State("the move's outcome was already reported".to_owned()))?;
        Ok(pending.moved_by_us(pointer_now))
    }
    /// Step 3 for the winner (the move committed): a `Step` whose output is the `Recovered`
    /// (the new user envelope exists only here) and whose effects delete the old split's
    /// share 2 (hot) and share 3 (cold).
    fn won(&mut self, py: Python<'_>) -> SwResult<Step> {
        let (recovered, list) = self.take()?.won().into_parts();
        let output = Py::new(py, Recovered { inner: recovered })?;
        Ok(Step::new(py, output.into_any(), list)?)
    }
    /// Step 3 for the loser (the move's condition failed): a `Step` whose output is the
    /// `sealwright.Conflict` to raise and whose effects delete this recovery's staged shares.
    fn lost(&mut self, py: Python<'_>) -> SwResult<Step> {
        let (error, list) = self.take()?.lost().into_parts();
        Ok(Step::new(py, error_instance(py, error), list)?)
    }
    fn __repr__(&self) -> &'static str {
        "MovePending(envelopes=<redacted>)"
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

/// Creates a wallet (spec §3 "create"): a `Step` whose output is a `Created` and whose effects
/// put share 2 (hot), share 3 (cold) and the pointer (hot, last). `INVALID_INPUT` for an empty
/// password.
#[pyfunction]
fn create(py: Python<'_>, password: &str, sealer: &StoreSealer) -> SwResult<Step> {
    let password = SecretString::from(password);
    let sealer = &sealer.inner;
    let step = py.detach(|| core::create(&password, sealer, &mut os_rng()))?;
    let (created, list) = step.into_parts();
    let output = Py::new(py, Created { inner: created })?;
    Ok(Step::new(py, output.into_any(), list)?)
}

/// Opens two envelopes and reconstructs the key, with the five checks of spec §3 in order.
#[pyfunction]
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
#[pyfunction]
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

/// Opens one envelope (`DECRYPTION_FAILED` on any failure) and decodes its share plaintext.
#[pyfunction]
fn open_envelope(py: Python<'_>, password: &str, envelope: &str) -> SwResult<SharePlaintext> {
    let password = SecretString::from(password);
    let plaintext = py.detach(|| core::open_envelope(&password, envelope))?;
    SharePlaintext::decode(plaintext.expose())
}

/// Seals a share under `password` with a fresh salt and IV.
#[cfg(not(feature = "test-utils"))]
#[pyfunction]
#[pyo3(signature = (password, share))]
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
#[pyo3(signature = (password, share, salt=None, iv=None))]
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
#[pyfunction]
fn derive_key(py: Python<'_>, password: &str, salt: &[u8]) -> SwResult<Py<PyBytes>> {
    let password = SecretString::from(password);
    let salt =
        <[u8; core::SALT_LEN]>::try_from(salt).map_err(|_| sealwright::Error::InvalidInput)?;
    let key = py.detach(|| core::derive_key(&password, &salt))?;
    Ok(bytes(py, key.expose()))
}

/// The address that made an EIP-191 signature (`BAD_SIGNATURE` otherwise).
#[pyfunction]
fn recover_signer(message: &str, signature: &str) -> SwResult<String> {
    Ok(core::recover_signer(message.as_bytes(), signature)?.to_checksummed())
}

/// The EIP-191 `personal_sign` hash of `message` (its UTF-8 bytes).
#[pyfunction]
fn personal_message_hash(py: Python<'_>, message: &str) -> Py<PyBytes> {
    bytes(py, &core::personal_message_hash(message.as_bytes()))
}

/// The EIP-55 checksummed form of an address (`INVALID_INPUT` if malformed).
#[pyfunction]
fn checksum_address(address: &str) -> SwResult<String> {
    Ok(self::address(address)?.to_checksummed())
}

fn split(generation: u32, split_id: &[u8]) -> SwResult<core::SplitPointer> {
    Ok(core::SplitPointer {
        generation,
        split_id: <[u8; core::SPLIT_ID_LEN]>::try_from(split_id)
            .map_err(|_| sealwright::Error::InvalidInput)?,
    })
}

/// `tag(address)` over `"0x"` and 40 lowercase hex digits.
#[pyfunction]
fn wallet_tag(address: &str) -> SwResult<String> {
    Ok(core::wallet_tag(&self::address(address)?))
}

/// Store key of share 2 of the split `(generation, split_id)` (hot store).
#[pyfunction]
fn hot_key(address: &str, generation: u32, split_id: &[u8]) -> SwResult<String> {
    Ok(core::hot_key(
        &self::address(address)?,
        &split(generation, split_id)?,
    ))
}

/// Store key of share 3 of the split `(generation, split_id)` (cold store).
#[pyfunction]
fn cold_key(address: &str, generation: u32, split_id: &[u8]) -> SwResult<String> {
    Ok(core::cold_key(
        &self::address(address)?,
        &split(generation, split_id)?,
    ))
}

/// Store key of the split pointer (hot store).
#[pyfunction]
fn current_key(address: &str) -> SwResult<String> {
    Ok(core::current_key(&self::address(address)?))
}

/// Opens a stored share value read from `key` to its envelope text.
#[pyfunction]
fn open_stored_share(sealer: &StoreSealer, key: &str, value: &[u8]) -> SwResult<String> {
    Ok(core::StoredShare::open(&sealer.inner, key, value)?.into_envelope())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<WalletKey>()?;
    m.add_class::<SharePlaintext>()?;
    m.add_class::<SplitPointer>()?;
    m.add_class::<Created>()?;
    m.add_class::<LoadedSplit>()?;
    m.add_class::<Staged>()?;
    m.add_class::<MovePending>()?;
    m.add_class::<Recovered>()?;
    m.add_class::<OpenedWallet>()?;
    add_function(m, "shares", wrap_pyfunction!(create, m)?)?;
    add_function(m, "shares", wrap_pyfunction!(open_wallet, m)?)?;
    add_function(m, "shares", wrap_pyfunction!(sign, m)?)?;
    add_function(m, "shares", wrap_pyfunction!(open_envelope, m)?)?;
    add_function(m, "shares", wrap_pyfunction!(seal_envelope, m)?)?;
    #[cfg(feature = "test-utils")]
    add_function(m, "shares", wrap_pyfunction!(derive_key, m)?)?;
    add_function(m, "shares", wrap_pyfunction!(recover_signer, m)?)?;
    add_function(m, "shares", wrap_pyfunction!(personal_message_hash, m)?)?;
    add_function(m, "shares", wrap_pyfunction!(checksum_address, m)?)?;
    add_function(m, "shares", wrap_pyfunction!(hot_key, m)?)?;
    add_function(m, "shares", wrap_pyfunction!(cold_key, m)?)?;
    add_function(m, "shares", wrap_pyfunction!(current_key, m)?)?;
    add_function(m, "shares", wrap_pyfunction!(wallet_tag, m)?)?;
    add_function(m, "shares", wrap_pyfunction!(open_stored_share, m)?)?;
    Ok(())
}
