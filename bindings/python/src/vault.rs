//! `sealwright.vault` (spec §4): legacy PBKDF2 records and verifiers, the v2 key hierarchy.
//! Every KDF run (Argon2id, PBKDF2) happens with the GIL released.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use sealwright::Error;
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::vault as core;

use crate::common::{add_function, bytes, json_text, json_value, os_rng};
use crate::errors::{SwErr, SwResult};

/// KDF parameters from a `dict` / JSON text, or the spec default for `None`.
fn kdf(params: Option<&Bound<'_, PyAny>>) -> SwResult<core::KdfParams> {
    match params {
        None => Ok(core::KdfParams::DEFAULT),
        Some(p) if p.is_none() => Ok(core::KdfParams::DEFAULT),
        Some(p) => Ok(core::KdfParams::from_json(&json_text(p)?)?),
    }
}

fn key32(key: &[u8]) -> SwResult<SecretKey32> {
    Ok(SecretKey32::from_slice(key)?)
}

/// Parses KDF parameters (spec §4.2) and returns their canonical `dict`; `check=True` (the
/// default) also enforces the limits (`WEAK_KDF` below the minimums, `INVALID_INPUT` above
/// the maximums).
#[pyfunction]
#[pyo3(signature = (params, check=true))]
fn parse_kdf(py: Python<'_>, params: &Bound<'_, PyAny>, check: bool) -> SwResult<Py<PyAny>> {
    let parsed = core::KdfParams::from_json(&json_text(params)?)?;
    if check {
        parsed.check()?;
    }
    json_value(py, &parsed.to_json())
}

/// `MK = KDF(master_password, salt)` (32 bytes, a secret; the limits are checked first). Test
/// builds only (feature `test-utils`); clients log in with `login`.
#[cfg(feature = "test-utils")]
#[pyfunction]
fn master_key(
    py: Python<'_>,
    master_password: &str,
    salt: &[u8],
    params: &Bound<'_, PyAny>,
) -> SwResult<Py<PyBytes>> {
    let params = kdf(Some(params))?;
    params.check()?;
    let password = SecretString::from(master_password);
    let mk = py.detach(|| params.master_key(&password, salt))?;
    Ok(bytes(py, mk.expose()))
}

/// `AH = HKDF("", MK, "sealwright/v2/vault/auth", 32)`. Test builds only.
#[cfg(feature = "test-utils")]
#[pyfunction]
fn auth_hash(py: Python<'_>, master_key: &[u8]) -> SwResult<Py<PyBytes>> {
    Ok(bytes(py, core::auth_hash(&key32(master_key)?)?.expose()))
}

/// `WK = HKDF("", MK, "sealwright/v2/vault/wrap", 32)`. Test builds only.
#[cfg(feature = "test-utils")]
#[pyfunction]
fn wrap_key(py: Python<'_>, master_key: &[u8]) -> SwResult<Py<PyBytes>> {
    Ok(bytes(py, core::wrap_key(&key32(master_key)?)?.expose()))
}

/// The server's stored verifier `SHA-256(AH)`.
#[pyfunction]
fn auth_verifier(py: Python<'_>, auth_hash: &[u8]) -> SwResult<Py<PyBytes>> {
    Ok(bytes(py, &core::auth_verifier(&key32(auth_hash)?)))
}

/// Server side of login: `SHA-256(presented) == stored` in constant time.
#[pyfunction]
fn verify_auth_hash(stored_verifier: &[u8], presented_auth_hash: &[u8]) -> SwResult<bool> {
    let stored: &[u8; 32] = stored_verifier
        .try_into()
        .map_err(|_| Error::InvalidInput)?;
    Ok(core::verify_auth_hash(stored, presented_auth_hash))
}

/// What the server stores for a v2 vault (nothing secret).
#[pyclass(frozen, module = "sealwright.vault")]
pub struct VaultServerRecord {
    inner: core::VaultServerRecord,
}

#[pymethods]
impl VaultServerRecord {
    /// The user id.
    #[getter]
    fn user_id(&self) -> &str {
        self.inner.user_id()
    }
    /// The 16-byte salt `s`.
    #[getter]
    fn salt(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.salt())
    }
    /// The KDF parameters as a `dict`.
    #[getter]
    fn kdf(&self, py: Python<'_>) -> SwResult<Py<PyAny>> {
        json_value(py, &self.inner.kdf().to_json())
    }
    /// `"sw2k." || b64url(sealed(WK, VK, ...))`.
    #[getter]
    fn wrapped_vault_key(&self) -> &str {
        self.inner.wrapped_vault_key()
    }
    /// `SHA-256(AH)`.
    #[getter]
    fn auth_verifier(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.auth_verifier())
    }
    /// `verify_auth_hash(self.auth_verifier, presented)`.
    fn verify_auth_hash(&self, presented_auth_hash: &[u8]) -> bool {
        core::verify_auth_hash(self.inner.auth_verifier(), presented_auth_hash)
    }
    fn __repr__(&self) -> String {
        format!(
            "VaultServerRecord(user_id={:?}, kdf={})",
            self.inner.user_id(),
            self.inner.kdf().to_json()
        )
    }
}

/// The result of `create_vault` or a password change: the server part and `AH` (a secret the
/// client sends to the server at enrollment and login; `repr` never shows it).
#[pyclass(frozen, module = "sealwright.vault")]
pub struct Enrollment {
    server: Py<VaultServerRecord>,
    auth_hash: SecretKey32,
}

impl Enrollment {
    fn new(py: Python<'_>, e: core::Enrollment) -> PyResult<Self> {
        Ok(Self {
            server: Py::new(py, VaultServerRecord { inner: e.server })?,
            auth_hash: e.auth_hash,
        })
    }
}

#[pymethods]
impl Enrollment {
    /// What the server stores.
    #[getter]
    fn server(&self, py: Python<'_>) -> Py<VaultServerRecord> {
        self.server.clone_ref(py)
    }
    /// `AH`, 32 bytes.
    #[getter]
    fn auth_hash(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.auth_hash.expose())
    }
    fn __repr__(&self) -> String {
        format!(
            "Enrollment(user_id={:?}, auth_hash=<redacted>)",
            self.server.get().inner.user_id()
        )
    }
}

/// An unlocked v2 vault: the vault key `VK` lives in Rust (zeroized on `lock()` and when
/// collected). After `lock()` every call raises `InvalidState`.
#[pyclass(module = "sealwright.vault")]
pub struct UnlockedVault {
    inner: Option<core::UnlockedVault>,
    user_id: String,
}

impl UnlockedVault {
    fn new(inner: core::UnlockedVault) -> Self {
        Self {
            user_id: inner.user_id().to_owned(),
            inner: Some(inner),
        }
    }

    fn get(&self) -> SwResult<&core::UnlockedVault> {
        self.inner.as_ref().ok_or_else(|| {
            SwErr::State("the vault is locked: unlock it again (vault.unlock)".to_owned())
        })
    }
}

#[pymethods]
impl UnlockedVault {
    /// The user id.
    #[getter]
    fn user_id(&self) -> &str {
        &self.user_id
    }

    /// `True` until `lock()`.
    #[getter]
    fn is_unlocked(&self) -> bool {
        self.inner.is_some()
    }

    /// Forgets the vault key (zeroized now); later calls raise `InvalidState`.
    fn lock(&mut self) {
        self.inner = None;
    }

    /// Encrypts a record: `"sw2." || b64url(sealed(VK, plaintext, AAD(userId, recordId)))`.
    fn encrypt_record(&self, record_id: &str, plaintext: &[u8]) -> SwResult<String> {
        Ok(self
            .get()?
            .encrypt_record(record_id, plaintext, &mut os_rng())?)
    }

    /// Decrypts a record stored under `record_id`.
    fn decrypt_record(
        &self,
        py: Python<'_>,
        record_id: &str,
        record: &str,
    ) -> SwResult<Py<PyBytes>> {
        let plaintext = self.get()?.decrypt_record(record_id, record)?;
        Ok(bytes(py, plaintext.expose()))
    }

    /// New master password (and KDF, default Argon2id m=64 MiB t=3 p=4): new salt, `MK'`,
    /// `AH'`, `WK'`, `VK` re-wrapped; records are untouched.
    #[pyo3(signature = (new_master_password, kdf=None))]
    fn change_master_password(
        &self,
        py: Python<'_>,
        new_master_password: &str,
        kdf: Option<&Bound<'_, PyAny>>,
    ) -> SwResult<Enrollment> {
        let params = self::kdf(kdf)?;
        let password = SecretString::from(new_master_password);
        let vault = self.get()?;
        let e = py.detach(|| vault.change_master_password(&password, params, &mut os_rng()))?;
        Ok(Enrollment::new(py, e)?)
    }

    /// Migrates one stored record (legacy object or v2 text) to v2 under `record_id`.
    fn migrate_record(
        &self,
        legacy_key: &LegacyKey,
        record_id: &str,
        stored: &Bound<'_, PyAny>,
    ) -> SwResult<Migrated> {
        let stored = json_text(stored)?;
        let m = core::migrate_record(
            self.get()?,
            &legacy_key.inner,
            record_id,
            &stored,
            &mut os_rng(),
        )?;
        Ok(Migrated {
            record: m.record,
            changed: m.changed,
        })
    }

    /// The unlocked state as an encrypted pickle under a caller's 32-byte key (spec §2.3).
    fn pickle(&self, pickle_key: &[u8]) -> SwResult<String> {
        let key = key32(pickle_key)?;
        Ok(self.get()?.pickle(&key, &mut os_rng())?)
    }

    /// Restores a vault from `pickle`.
    #[staticmethod]
    fn unpickle(pickle_key: &[u8], pickle: &str) -> SwResult<Self> {
        let key = key32(pickle_key)?;
        Ok(Self::new(core::UnlockedVault::unpickle(&key, pickle)?))
    }

    /// The vault key `VK` (a secret: interoperability checks only; test builds only, feature
    /// `test-utils`).
    #[cfg(feature = "test-utils")]
    fn vault_key(&self, py: Python<'_>) -> SwResult<Py<PyBytes>> {
        Ok(bytes(py, self.get()?.vault_key().expose()))
    }

    fn __repr__(&self) -> String {
        let state = if self.inner.is_some() {
            "unlocked"
        } else {
            "locked"
        };
        format!(
            "UnlockedVault(user_id={:?}, state={state}, vault_key=<redacted>)",
            self.user_id
        )
    }
}

/// The outcome of a migration: the v2 `record` to store, and whether it `changed`.
#[pyclass(frozen, module = "sealwright.vault")]
pub struct Migrated {
    /// The record as v2 JSON text, to store under the same record id.
    #[pyo3(get)]
    record: String,
    /// `False` when the stored record already was v2 (then `record` is it, unchanged).
    #[pyo3(get)]
    changed: bool,
}

#[pymethods]
impl Migrated {
    fn __repr__(&self) -> String {
        format!(
            "Migrated(changed={}, record=<{} chars>)",
            self.changed,
            self.record.len()
        )
    }
}

/// Creates a v2 vault (spec §4.2): returns `(Enrollment, UnlockedVault)`.
#[pyfunction]
#[pyo3(signature = (user_id, master_password, kdf=None))]
fn create_vault(
    py: Python<'_>,
    user_id: &str,
    master_password: &str,
    kdf: Option<&Bound<'_, PyAny>>,
) -> SwResult<(Enrollment, UnlockedVault)> {
    let params = self::kdf(kdf)?;
    let password = SecretString::from(master_password);
    let (e, v) = py.detach(|| core::create_vault(user_id, &password, params, &mut os_rng()))?;
    Ok((Enrollment::new(py, e)?, UnlockedVault::new(v)))
}

/// Unlocks a v2 vault from the server's public parameters (KDF limits checked first).
#[pyfunction]
fn unlock(
    py: Python<'_>,
    user_id: &str,
    master_password: &str,
    salt: &[u8],
    kdf: &Bound<'_, PyAny>,
    wrapped_vault_key: &str,
) -> SwResult<UnlockedVault> {
    let params = self::kdf(Some(kdf))?;
    let password = SecretString::from(master_password);
    let v = py.detach(|| core::unlock(user_id, &password, salt, &params, wrapped_vault_key))?;
    Ok(UnlockedVault::new(v))
}

/// Unlocks with a stored wrap key `WK` (no KDF run).
#[pyfunction]
fn unlock_with_wrap_key(
    user_id: &str,
    wrap_key: &[u8],
    wrapped_vault_key: &str,
) -> SwResult<UnlockedVault> {
    let wk = key32(wrap_key)?;
    Ok(UnlockedVault::new(core::unlock_with_wrap_key(
        user_id,
        &wk,
        wrapped_vault_key,
    )?))
}

/// A client's login keys (spec §4.2) from one KDF run: `auth_hash` (`AH`) to send to the
/// server, and `WK`, held in Rust, to unlock the wrapped vault key the server returns.
#[pyclass(frozen, module = "sealwright.vault")]
pub struct VaultLogin {
    inner: core::LoginKeys,
}

#[pymethods]
impl VaultLogin {
    /// `AH`, what the client sends to log in.
    #[getter]
    fn auth_hash(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.auth_hash().expose())
    }

    /// Unwraps the vault key with the held `WK` (no KDF run).
    fn unlock(&self, user_id: &str, wrapped_vault_key: &str) -> SwResult<UnlockedVault> {
        Ok(UnlockedVault::new(
            self.inner.unlock(user_id, wrapped_vault_key)?,
        ))
    }

    fn __repr__(&self) -> &'static str {
        "VaultLogin(keys=<redacted>)"
    }
}

/// Login (spec §4.2): derives `AH` and `WK` from the master password and the server's public
/// `salt` and `kdf` (limits checked before the KDF runs, which releases the GIL).
#[pyfunction]
fn login(
    py: Python<'_>,
    master_password: &str,
    salt: &[u8],
    kdf: &Bound<'_, PyAny>,
) -> SwResult<VaultLogin> {
    let params = self::kdf(Some(kdf))?;
    let password = SecretString::from(master_password);
    let inner = py.detach(|| core::LoginKeys::derive(&password, salt, &params))?;
    Ok(VaultLogin { inner })
}

/// A legacy record key (PBKDF2-HMAC-SHA256, 100,000 iterations, 32 bytes), held in Rust.
#[pyclass(frozen, module = "sealwright.vault")]
pub struct LegacyKey {
    inner: SecretKey32,
}

#[pymethods]
impl LegacyKey {
    /// `PBKDF2(MASTER_KEY, userId, 100000, 32)`: the key of records without master password.
    #[staticmethod]
    fn from_server_secret(py: Python<'_>, master_key: &str, user_id: &str) -> SwResult<Self> {
        let secret = SecretString::from(master_key);
        let inner = py.detach(|| core::legacy_record_key(&secret, user_id))?;
        Ok(Self { inner })
    }

    /// `PBKDF2(masterPassword, userId, 100000, 32)`: the key of records with master password.
    #[staticmethod]
    fn from_master_password(
        py: Python<'_>,
        master_password: &str,
        user_id: &str,
    ) -> SwResult<Self> {
        let secret = SecretString::from(master_password);
        let inner = py.detach(|| core::legacy_master_password_key(&secret, user_id))?;
        Ok(Self { inner })
    }

    /// The key bytes (a secret: interoperability checks only; test builds only, feature
    /// `test-utils`).
    #[cfg(feature = "test-utils")]
    fn secret_bytes(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.expose())
    }

    /// Opens a legacy record (`dict` or JSON text).
    fn open(&self, py: Python<'_>, record: &Bound<'_, PyAny>) -> SwResult<Py<PyBytes>> {
        let record = core::LegacyRecord::from_json(&json_text(record)?)?;
        Ok(bytes(py, record.open(&self.inner)?.expose()))
    }

    fn __repr__(&self) -> &'static str {
        "LegacyKey(key=<redacted>)"
    }
}

/// Parses a legacy record strictly and returns its canonical `dict`.
#[pyfunction]
fn parse_legacy_record(py: Python<'_>, record: &Bound<'_, PyAny>) -> SwResult<Py<PyAny>> {
    let parsed = core::LegacyRecord::from_json(&json_text(record)?)?;
    json_value(py, &parsed.to_json())
}

/// `"v2"` or `"legacy"`, told from the stored record's shape (`INVALID_INPUT` otherwise).
#[pyfunction]
fn record_format(stored: &Bound<'_, PyAny>) -> SwResult<&'static str> {
    Ok(match core::RecordFormat::detect(&json_text(stored)?)? {
        core::RecordFormat::V2 => "v2",
        core::RecordFormat::Legacy(_) => "legacy",
    })
}

/// A master password verifier (`$pbkdf2-sha256$i=..,l=32$salt$hash`); public data.
#[pyclass(frozen, module = "sealwright.vault")]
pub struct PasswordVerifier {
    inner: core::PasswordVerifier,
}

#[pymethods]
impl PasswordVerifier {
    /// A new verifier with a fresh 16-byte salt (100,000 to 10,000,000 iterations).
    #[staticmethod]
    #[pyo3(signature = (password, iterations=600_000))]
    fn create(py: Python<'_>, password: &str, iterations: u32) -> SwResult<Self> {
        let password = SecretString::from(password);
        let inner =
            py.detach(|| core::PasswordVerifier::create(&password, iterations, &mut os_rng()))?;
        Ok(Self { inner })
    }

    /// Parses a PHC string (`INVALID_VERIFIER` for every defect).
    #[staticmethod]
    fn parse(phc: &str) -> SwResult<Self> {
        Ok(Self {
            inner: core::PasswordVerifier::parse(phc)?,
        })
    }

    /// The PHC string.
    fn to_phc(&self) -> String {
        self.inner.to_phc()
    }

    /// PBKDF2 iterations.
    #[getter]
    fn iterations(&self) -> u32 {
        self.inner.iterations()
    }

    /// The salt.
    #[getter]
    fn salt(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.salt())
    }

    /// Whether `password` matches (constant-time comparison).
    fn verify(&self, py: Python<'_>, password: &str) -> bool {
        let password = SecretString::from(password);
        let inner = &self.inner;
        py.detach(|| inner.verify(&password))
    }

    fn __repr__(&self) -> String {
        format!(
            "PasswordVerifier(iterations={}, hash=<redacted>)",
            self.inner.iterations()
        )
    }
}

/// Parses `phc` (`INVALID_VERIFIER`) and verifies `password`.
#[pyfunction]
fn verify_phc(py: Python<'_>, phc: &str, password: &str) -> SwResult<bool> {
    let password = SecretString::from(password);
    Ok(py.detach(|| core::verify_phc(phc, &password))?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<VaultServerRecord>()?;
    m.add_class::<Enrollment>()?;
    m.add_class::<UnlockedVault>()?;
    m.add_class::<Migrated>()?;
    m.add_class::<LegacyKey>()?;
    m.add_class::<PasswordVerifier>()?;
    add_function(m, "vault", wrap_pyfunction!(parse_kdf, m)?)?;
    m.add_class::<VaultLogin>()?;
    add_function(m, "vault", wrap_pyfunction!(login, m)?)?;
    #[cfg(feature = "test-utils")]
    {
        add_function(m, "vault", wrap_pyfunction!(master_key, m)?)?;
        add_function(m, "vault", wrap_pyfunction!(auth_hash, m)?)?;
        add_function(m, "vault", wrap_pyfunction!(wrap_key, m)?)?;
    }
    add_function(m, "vault", wrap_pyfunction!(auth_verifier, m)?)?;
    add_function(m, "vault", wrap_pyfunction!(verify_auth_hash, m)?)?;
    add_function(m, "vault", wrap_pyfunction!(create_vault, m)?)?;
    add_function(m, "vault", wrap_pyfunction!(unlock, m)?)?;
    add_function(m, "vault", wrap_pyfunction!(unlock_with_wrap_key, m)?)?;
    add_function(m, "vault", wrap_pyfunction!(parse_legacy_record, m)?)?;
    add_function(m, "vault", wrap_pyfunction!(record_format, m)?)?;
    add_function(m, "vault", wrap_pyfunction!(verify_phc, m)?)?;
    Ok(())
}
