//! `sealwright.relay` (spec §1): sealed relay over JOSE.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyMapping, PyString};
use sealwright::SecretKey32;
use sealwright::relay as core;

use crate::common::{bytes, json_text, json_value, now_or, os_rng};
use crate::effects::Effect;
use crate::errors::{SwErr, SwResult};

/// A registered recipient public key (RSA, 3072 to 8192 bits), named by its `rid`.
#[pyclass(frozen, module = "sealwright.relay")]
#[derive(Clone)]
pub struct RecipientPublicKey {
    inner: core::RecipientPublicKey,
}

#[pymethods]
impl RecipientPublicKey {
    /// Validates a recipient JWK (a `dict` or its JSON text), spec §1 step 1.
    #[staticmethod]
    fn from_jwk(jwk: &Bound<'_, PyAny>) -> SwResult<Self> {
        let text = json_text(jwk)?;
        Ok(Self {
            inner: core::RecipientPublicKey::from_jwk(&text)?,
        })
    }

    /// The RFC 7638 SHA-256 thumbprint (b64url).
    #[getter]
    fn rid(&self) -> &str {
        self.inner.rid()
    }

    /// The public JWK as a `dict`.
    fn to_jwk(&self, py: Python<'_>) -> SwResult<Py<PyAny>> {
        json_value(py, &self.inner.to_jwk())
    }

    fn __repr__(&self) -> String {
        format!("RecipientPublicKey(rid={:?})", self.inner.rid())
    }
}

/// A relay recipient: an RSA private key held in Rust (never shown by `repr`).
#[pyclass(frozen, module = "sealwright.relay")]
pub struct Recipient {
    inner: core::Recipient,
}

// The default below is written as a literal so that `__text_signature__` (and so `help()`
// and `inspect.signature`) shows it; pyo3 renders a non-literal default as `...`.
const _: () = assert!(core::DEFAULT_BITS == 4096);

#[pymethods]
impl Recipient {
    /// Generates a recipient key of `bits` bits (3072 to 8192, default 4096).
    #[staticmethod]
    #[pyo3(signature = (bits=4096))]
    fn generate(py: Python<'_>, bits: usize) -> SwResult<Self> {
        let inner = py.detach(|| core::Recipient::generate_with_bits(bits, &mut os_rng()))?;
        Ok(Self { inner })
    }

    /// A recipient from its PKCS#8 DER private key.
    #[staticmethod]
    fn from_pkcs8_der(py: Python<'_>, der: &[u8]) -> SwResult<Self> {
        let der = der.to_vec();
        let inner = py.detach(move || core::Recipient::from_pkcs8_der(&der))?;
        Ok(Self { inner })
    }

    /// The private key as PKCS#8 DER (a secret: for the recipient's own storage).
    fn to_pkcs8_der(&self, py: Python<'_>) -> SwResult<Py<PyBytes>> {
        let der = self.inner.to_pkcs8_der()?;
        Ok(bytes(py, der.expose()))
    }

    /// The public JWK to register, as a `dict`.
    fn jwk(&self, py: Python<'_>) -> SwResult<Py<PyAny>> {
        json_value(py, &self.inner.jwk())
    }

    /// The registered public key.
    fn public_key(&self) -> RecipientPublicKey {
        RecipientPublicKey {
            inner: self.inner.public_key().clone(),
        }
    }

    /// The key's `rid`.
    #[getter]
    fn rid(&self) -> &str {
        self.inner.rid()
    }

    /// The decryption request for `sealed` at `now_ms` (default now): send its `jws`, keep
    /// the object to open the response with.
    #[pyo3(signature = (sealed, now_ms=None))]
    fn request(
        &self,
        py: Python<'_>,
        sealed: &str,
        now_ms: Option<u64>,
    ) -> SwResult<DecryptionRequest> {
        let now_ms = now_or(now_ms);
        let inner = &self.inner;
        let request = py.detach(|| inner.request(sealed, now_ms, &mut os_rng()))?;
        Ok(DecryptionRequest { inner: request })
    }

    /// Opens the response to `request` (spec §1 step 5) and returns the value: the inner
    /// ES256 JWS must verify under a `pinned` key and carry the request's `jti`.
    ///
    /// `pinned`: a `RelayVerifyingKey`, a sequence of them, or a mapping `skid -> JWK`.
    fn open_response(
        &self,
        py: Python<'_>,
        response: &str,
        request: &DecryptionRequest,
        pinned: &Bound<'_, PyAny>,
    ) -> SwResult<Py<PyBytes>> {
        self.open_response_for_jti(py, response, request.inner.jti(), pinned)
    }

    /// [`open_response`] for a recipient that kept only the request's `jti`.
    fn open_response_for_jti(
        &self,
        py: Python<'_>,
        response: &str,
        jti: &str,
        pinned: &Bound<'_, PyAny>,
    ) -> SwResult<Py<PyBytes>> {
        let pinned = pinned_keys(pinned)?;
        let inner = &self.inner;
        let value =
            py.detach(|| inner.open_response_for_jti(response, jti, &pinned, &mut os_rng()))?;
        Ok(bytes(py, value.expose()))
    }

    fn __repr__(&self) -> String {
        format!("Recipient(rid={:?}, key=<redacted>)", self.inner.rid())
    }
}

/// A relay key `RK` (32 bytes, AES-256-GCM) named `rkid`; the key bytes stay in Rust.
#[pyclass(frozen, module = "sealwright.relay")]
#[derive(Clone)]
pub struct RelayKey {
    inner: core::RelayKey,
}

#[pymethods]
impl RelayKey {
    /// A relay key from its id and 32 secret bytes.
    #[new]
    fn py_new(rkid: &str, key: &[u8]) -> SwResult<Self> {
        let key = SecretKey32::from_slice(key)?;
        Ok(Self {
            inner: core::RelayKey::new(rkid, key)?,
        })
    }

    /// A fresh random relay key.
    #[staticmethod]
    fn generate(rkid: &str) -> SwResult<Self> {
        Ok(Self {
            inner: core::RelayKey::generate(rkid, &mut os_rng())?,
        })
    }

    /// The key id.
    #[getter]
    fn rkid(&self) -> &str {
        self.inner.rkid()
    }

    /// The secret key bytes (test builds only, feature `test-utils`: a shipped wheel never
    /// hands out the raw key; create it with `RelayKey(rkid, key)` from your key store).
    #[cfg(feature = "test-utils")]
    fn secret_bytes(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.secret().expose())
    }

    /// Seals `value` (1 byte to 1 MiB) as a JWE string, optionally bound to recipient `aud`.
    #[pyo3(signature = (value, aud=None))]
    fn seal(&self, value: &[u8], aud: Option<&str>) -> SwResult<String> {
        Ok(self.inner.seal(value, aud, &mut os_rng())?)
    }

    /// [`seal`] with a given 12-byte IV (vector replay only; never reuse an IV). Test builds
    /// only (feature `test-utils`).
    #[cfg(feature = "test-utils")]
    #[pyo3(signature = (value, aud, iv))]
    fn seal_with_iv(&self, value: &[u8], aud: Option<&str>, iv: &[u8]) -> SwResult<String> {
        let iv: &[u8; core::IV_LEN] = iv.try_into().map_err(|_| sealwright::Error::InvalidInput)?;
        Ok(self.inner.seal_with_iv(value, aud, iv)?)
    }

    fn __repr__(&self) -> String {
        format!("RelayKey(rkid={:?}, key=<redacted>)", self.inner.rkid())
    }
}

/// The relay's response signing key: a P-256 scalar (ES256) named `skid`; it stays in Rust.
#[pyclass(frozen, module = "sealwright.relay")]
#[derive(Clone)]
pub struct RelaySigningKey {
    inner: core::RelaySigningKey,
}

#[pymethods]
impl RelaySigningKey {
    /// A signing key from its id and its 32-byte big-endian private scalar.
    #[new]
    fn py_new(skid: &str, scalar: &[u8]) -> SwResult<Self> {
        let scalar = SecretKey32::from_slice(scalar)?;
        Ok(Self {
            inner: core::RelaySigningKey::new(skid, &scalar)?,
        })
    }

    /// A fresh random signing key.
    #[staticmethod]
    fn generate(skid: &str) -> SwResult<Self> {
        Ok(Self {
            inner: core::RelaySigningKey::generate(skid, &mut os_rng())?,
        })
    }

    /// The key id that responses name.
    #[getter]
    fn skid(&self) -> &str {
        self.inner.skid()
    }

    /// The private scalar (to store it; keep the copy short-lived).
    fn scalar_bytes(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.scalar().expose())
    }

    /// The public JWK `{"kty":"EC","crv":"P-256","x":..,"y":..}` for recipients to pin.
    fn public_jwk(&self, py: Python<'_>) -> SwResult<Py<PyAny>> {
        json_value(py, &self.inner.public_jwk())
    }

    /// The public key with its `skid`, as a recipient pins it.
    fn verifying_key(&self) -> RelayVerifyingKey {
        RelayVerifyingKey {
            inner: self.inner.verifying_key(),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "RelaySigningKey(skid={:?}, key=<redacted>)",
            self.inner.skid()
        )
    }
}

/// A pinned relay signing key: its `skid` and P-256 public JWK.
#[pyclass(frozen, eq, module = "sealwright.relay")]
#[derive(Clone, PartialEq)]
pub struct RelayVerifyingKey {
    inner: core::RelayVerifyingKey,
}

#[pymethods]
impl RelayVerifyingKey {
    /// A pinned key from its `skid` and its public JWK (a `dict` or JSON text).
    #[new]
    fn py_new(skid: &str, jwk: &Bound<'_, PyAny>) -> SwResult<Self> {
        let text = json_text(jwk)?;
        Ok(Self {
            inner: core::RelayVerifyingKey::from_jwk(skid, &text)?,
        })
    }

    /// The key id.
    #[getter]
    fn skid(&self) -> &str {
        self.inner.skid()
    }

    /// The public JWK as a `dict`.
    fn to_jwk(&self, py: Python<'_>) -> SwResult<Py<PyAny>> {
        json_value(py, &self.inner.to_jwk())
    }

    fn __repr__(&self) -> String {
        format!("RelayVerifyingKey(skid={:?})", self.inner.skid())
    }
}

/// The pinned keys given as a `RelayVerifyingKey`, a sequence of them, or a mapping from
/// `skid` to JWK (`dict` or JSON text).
fn pinned_keys(pinned: &Bound<'_, PyAny>) -> SwResult<Vec<core::RelayVerifyingKey>> {
    if let Ok(key) = pinned.cast::<RelayVerifyingKey>() {
        return Ok(vec![key.get().inner.clone()]);
    }
    if pinned.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "pinned: a RelayVerifyingKey, a sequence of them or a mapping skid -> JWK",
        )
        .into());
    }
    if let Ok(mapping) = pinned.cast::<PyMapping>() {
        let mut out = Vec::new();
        for item in mapping.items()?.iter() {
            let (skid, jwk): (String, Bound<'_, PyAny>) = item.extract().map_err(|_| {
                PyTypeError::new_err("pinned: every key of the mapping must be a str skid")
            })?;
            out.push(core::RelayVerifyingKey::from_jwk(&skid, &json_text(&jwk)?)?);
        }
        return Ok(out);
    }
    let items = pinned.try_iter().map_err(|_| {
        PyTypeError::new_err(
            "pinned: a RelayVerifyingKey, a sequence of them or a mapping skid -> JWK",
        )
    })?;
    let mut out = Vec::new();
    for item in items {
        let item = item?;
        let key = item
            .cast::<RelayVerifyingKey>()
            .map_err(|_| PyTypeError::new_err("pinned: every item must be a RelayVerifyingKey"))?;
        out.push(key.get().inner.clone());
    }
    Ok(out)
}

/// A decryption request the recipient made: send `jws`; keep the object (or its `jti`) to
/// open the response, which must carry the same `jti`.
#[pyclass(frozen, module = "sealwright.relay")]
pub struct DecryptionRequest {
    inner: core::DecryptionRequest,
}

#[pymethods]
impl DecryptionRequest {
    /// The PS256 JWS to send.
    #[getter]
    fn jws(&self) -> &str {
        self.inner.jws()
    }

    /// The request's `jti`.
    #[getter]
    fn jti(&self) -> &str {
        self.inner.jti()
    }

    fn __repr__(&self) -> String {
        format!("DecryptionRequest(jti={:?})", self.inner.jti())
    }
}

/// A decryption request that passed every check: send `response`, remember `jti` for 660 s
/// (apply `effect`, "set if absent", in the same transaction as the response is released).
#[pyclass(frozen, module = "sealwright.relay")]
pub struct Accepted {
    inner: core::Accepted,
}

#[pymethods]
impl Accepted {
    /// The response JWE for the recipient.
    #[getter]
    fn response(&self) -> &str {
        &self.inner.response
    }

    /// The request's `jti`.
    #[getter]
    fn jti(&self) -> &str {
        &self.inner.jti
    }

    /// The recipient's `rid`.
    #[getter]
    fn rid(&self) -> &str {
        &self.inner.rid
    }

    /// `sw:v1:relay:jti:<jti>` = rid for 660 s.
    #[getter]
    fn effect(&self) -> Effect {
        Effect::from(self.inner.effect())
    }

    fn __repr__(&self) -> String {
        format!(
            "Accepted(jti={:?}, rid={:?}, response=<{} chars>)",
            self.inner.jti,
            self.inner.rid,
            self.inner.response.len()
        )
    }
}

/// The server's relay keys (rotation: the current key seals, every key opens) and the key
/// that signs every response.
#[pyclass(module = "sealwright.relay")]
pub struct RelayServer {
    inner: core::RelayKeys,
}

/// Looks `rid` up in a mapping (`.get`) or a callable.
fn lookup_recipient(
    recipients: &Bound<'_, PyAny>,
    rid: &str,
) -> PyResult<Option<core::RecipientPublicKey>> {
    let found = if recipients.is_callable() {
        recipients.call1((rid,))?
    } else {
        let get = recipients.getattr("get").map_err(|_| {
            PyTypeError::new_err("recipients: a mapping rid -> key or a callable rid -> key")
        })?;
        get.call1((rid,))?
    };
    if found.is_none() {
        return Ok(None);
    }
    if let Ok(key) = found.cast::<RecipientPublicKey>() {
        return Ok(Some(key.get().inner.clone()));
    }
    // A stored JWK (dict or JSON text).
    match json_text(&found) {
        Ok(text) => Ok(core::RecipientPublicKey::from_jwk(&text).ok()),
        Err(SwErr::Py(e)) => Err(e),
        Err(_) => Ok(None),
    }
}

/// Asks a callable or a container (`in`) whether `jti` was seen.
fn was_seen(seen: &Bound<'_, PyAny>, jti: &str) -> PyResult<bool> {
    if seen.is_callable() {
        seen.call1((jti,))?.is_truthy()
    } else {
        // A container without `__contains__` and not iterable is a wrong type, named here;
        // an exception raised by the caller's own `__contains__` propagates unchanged.
        if !seen.hasattr("__contains__")? && seen.try_iter().is_err() {
            return Err(PyTypeError::new_err(
                "seen: a container of seen jti (`in`) or a callable jti -> bool",
            ));
        }
        seen.contains(jti)
    }
}

#[pymethods]
impl RelayServer {
    /// A key ring whose current (sealing) key is `current`, signing responses with
    /// `signing_key`.
    #[new]
    fn py_new(current: &RelayKey, signing_key: &RelaySigningKey) -> Self {
        Self {
            inner: core::RelayKeys::new(current.inner.clone(), signing_key.inner.clone()),
        }
    }

    /// The `skid` of the response signing key.
    #[getter]
    fn signing_skid(&self) -> &str {
        self.inner.signing_key().skid()
    }

    /// The public JWK of the response signing key, for recipients to pin (with its `skid`).
    fn signing_jwk(&self, py: Python<'_>) -> SwResult<Py<PyAny>> {
        json_value(py, &self.inner.signing_key().public_jwk())
    }

    /// Makes `key` the response signing key and returns the previous one (recipients must
    /// pin the new key first).
    fn set_signing_key(&mut self, key: &RelaySigningKey) -> RelaySigningKey {
        RelaySigningKey {
            inner: self.inner.set_signing_key(key.inner.clone()),
        }
    }

    /// Adds an older key that still opens values sealed under it.
    fn add_previous(&mut self, key: &RelayKey) -> SwResult<()> {
        Ok(self.inner.add_previous(key.inner.clone())?)
    }

    /// Makes `key` the current sealing key; the old one keeps opening.
    fn rotate(&mut self, key: &RelayKey) -> SwResult<()> {
        Ok(self.inner.rotate(key.inner.clone())?)
    }

    /// Drops the (non-current) key `rkid`.
    fn retire(&mut self, rkid: &str) -> SwResult<()> {
        Ok(self.inner.retire(rkid)?)
    }

    /// The current key's id.
    #[getter]
    fn current_rkid(&self) -> &str {
        self.inner.current().rkid()
    }

    /// Seals `value` under the current key.
    #[pyo3(signature = (value, aud=None))]
    fn seal(&self, value: &[u8], aud: Option<&str>) -> SwResult<String> {
        Ok(self.inner.seal(value, aud, &mut os_rng())?)
    }

    /// Handles a decryption request (spec §1 steps 4 and 5).
    ///
    /// `recipients`: a mapping or callable from `rid` to a `RecipientPublicKey` (or a stored
    /// JWK) or `None`; `seen`: a container or callable telling whether a `jti` was accepted
    /// in the last 660 s; `now_ms` defaults to now (and is the response's `iat`).
    #[pyo3(signature = (request, recipients, seen, now_ms=None))]
    fn decrypt_request(
        &self,
        request: &str,
        recipients: &Bound<'_, PyAny>,
        seen: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> SwResult<Accepted> {
        // A Python exception inside a callback aborts the core call; it is re-raised as is.
        let callback_error: std::cell::RefCell<Option<PyErr>> = std::cell::RefCell::new(None);
        let result = self.inner.decrypt_request(
            request,
            |rid| match lookup_recipient(recipients, rid) {
                Ok(key) => key,
                Err(e) => {
                    callback_error.borrow_mut().get_or_insert(e);
                    None
                }
            },
            |jti| match was_seen(seen, jti) {
                Ok(b) => b,
                Err(e) => {
                    callback_error.borrow_mut().get_or_insert(e);
                    true
                }
            },
            now_or(now_ms),
            &mut os_rng(),
        );
        if let Some(e) = callback_error.into_inner() {
            return Err(SwErr::Py(e));
        }
        Ok(Accepted { inner: result? })
    }

    fn __repr__(&self) -> String {
        format!(
            "RelayServer(current_rkid={:?}, signing_skid={:?})",
            self.inner.current().rkid(),
            self.inner.signing_key().skid()
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RecipientPublicKey>()?;
    m.add_class::<Recipient>()?;
    m.add_class::<RelayKey>()?;
    m.add_class::<RelaySigningKey>()?;
    m.add_class::<RelayVerifyingKey>()?;
    m.add_class::<DecryptionRequest>()?;
    m.add_class::<Accepted>()?;
    m.add_class::<RelayServer>()?;
    Ok(())
}
