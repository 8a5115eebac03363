//! `sealwright.handshake` (spec §2): ratchet handshake. The client typestate is wrapped in one
//! `HandshakeClient` object holding an enum of the states (`INVALID_STATE` on a call in the
//! wrong state); the server side is steps (spec §0.2) over loaded store records, each returning
//! a `sealwright.Step` (output and effects). A server step returns its response in the form the
//! request came in: `bytes` JSON text for `bytes` (an HTTP body as received, read without a
//! copy), `str` for `str` (no `json` round trip either), `dict` for `dict`.
//! RSA private-key work (OAEP decryption, PSS signing) runs with the GIL released.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyString};
use std::borrow::Cow;

use sealwright::handshake::{self as core, derive, server};
use sealwright::rsa_keys::{RsaPrivateKey, RsaPublicKey};
use sealwright::secret::{SecretKey32, SecretVec};

use crate::common::{add_function, bytes, json_text, json_value, loaded, now_or, os_rng};
use crate::effects::Step;
use crate::errors::{SwErr, SwResult};

fn key32(b: &[u8]) -> SwResult<SecretKey32> {
    Ok(SecretKey32::from_slice(b)?)
}

/// A secp256k1 primary key pair `(d, P)` (the client's long-term key), held in Rust.
#[pyclass(frozen, module = "sealwright.handshake")]
#[derive(Clone)]
pub struct PrimaryKey {
    inner: derive::PrimaryKey,
}

#[pymethods]
impl PrimaryKey {
    /// A fresh key (OS RNG).
    #[staticmethod]
    fn generate() -> Self {
        Self {
            inner: derive::PrimaryKey::generate(&mut os_rng()),
        }
    }
    /// A key from its 32-byte big-endian scalar.
    #[staticmethod]
    fn from_bytes(private_key: &[u8]) -> SwResult<Self> {
        Ok(Self {
            inner: derive::PrimaryKey::from_bytes(&key32(private_key)?)?,
        })
    }
    /// The private scalar (a secret: for the device's own secure storage).
    fn to_bytes(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.to_bytes().expose())
    }
    /// `P`, SEC1 compressed (33 bytes).
    #[getter]
    fn public_bytes(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, &self.inner.public_bytes())
    }
    fn __repr__(&self) -> String {
        format!(
            "PrimaryKey(public={}, private=<redacted>)",
            sealwright::encoding::hex_encode(&self.inner.public_bytes())
        )
    }
}

/// The server's long-term material: the RSA-4096 identity, the master entropy `E` and the
/// storage secret (giving `K_store`); all held in Rust.
#[pyclass(frozen, module = "sealwright.handshake")]
pub struct ServerKeys {
    inner: server::ServerKeys,
}

#[pymethods]
impl ServerKeys {
    /// From the identity's PKCS#8 DER (4096 bits, else `KEY_REJECTED`), the entropy (at least
    /// 32 bytes) and the 32-byte storage secret.
    #[new]
    fn py_new(
        py: Python<'_>,
        identity_pkcs8_der: &[u8],
        entropy: &[u8],
        storage_secret: &[u8],
    ) -> SwResult<Self> {
        let storage = key32(storage_secret)?;
        let der = identity_pkcs8_der.to_vec();
        let identity = py.detach(move || RsaPrivateKey::from_pkcs8_der(&der))?;
        let inner = server::ServerKeys::new(identity, SecretVec::from_slice(entropy), &storage)?;
        Ok(Self { inner })
    }
    /// Fresh server keys: a new RSA-4096 identity (GIL released; takes a few seconds), the
    /// given entropy (at least 32 bytes) and 32-byte storage secret.
    #[staticmethod]
    fn generate(py: Python<'_>, entropy: &[u8], storage_secret: &[u8]) -> SwResult<Self> {
        // Refuse bad inputs before the (slow) RSA generation; `ServerKeys::new` checks again.
        let storage = key32(storage_secret)?;
        if entropy.len() < core::MIN_ENTROPY_LEN {
            return Err(sealwright::Error::InvalidInput.into());
        }
        let identity = py.detach(|| RsaPrivateKey::generate(4096, &mut os_rng()))?;
        let inner = server::ServerKeys::new(identity, SecretVec::from_slice(entropy), &storage)?;
        Ok(Self { inner })
    }

    /// The identity public key (SPKI DER) that clients pin.
    fn public_key_der(&self, py: Python<'_>) -> SwResult<Py<PyBytes>> {
        Ok(bytes(py, &self.inner.public_key().to_spki_der()?))
    }
    fn __repr__(&self) -> &'static str {
        "ServerKeys(identity=<redacted>, entropy=<redacted>, storage=<redacted>)"
    }
}

/// The form a request came in, which its response takes: `bytes` JSON text in, `bytes` out
/// (an HTTP body as received and as sent: no copy in, no `str` decode out; the fast path);
/// `str` in, `str` out (no `json` round trip either); otherwise `dict`.
#[derive(Clone, Copy)]
enum Form {
    Bytes,
    Str,
    Dict,
}

/// The wire output of a server step in the request's [`Form`].
fn wire_out(py: Python<'_>, text: String, form: Form) -> SwResult<Py<PyAny>> {
    match form {
        Form::Bytes => Ok(bytes(py, text.as_bytes()).into_any()),
        Form::Str => Ok(PyString::new(py, &text).into_any().unbind()),
        Form::Dict => json_value(py, &text),
    }
}

fn request_text<'a>(request: &'a Bound<'_, PyAny>) -> SwResult<(Cow<'a, str>, Form)> {
    let form = if request.is_instance_of::<PyBytes>() {
        Form::Bytes
    } else if request.is_instance_of::<PyString>() {
        Form::Str
    } else {
        Form::Dict
    };
    Ok((json_text(request)?, form))
}

/// `records[i]` as bytes (`None` when absent): the values loaded for a `*_store_keys` list.
fn record(records: &[Option<Vec<u8>>], i: usize) -> Option<Vec<u8>> {
    records.get(i).cloned().flatten()
}

fn check_len(records: &[Option<Vec<u8>>], n: usize) -> SwResult<()> {
    if records.len() == n {
        Ok(())
    } else {
        Err(sealwright::Error::InvalidInput.into())
    }
}

/// The two store keys a handshake step loads (spec §2.1, §2.3).
#[pyclass(frozen, module = "sealwright.handshake")]
pub struct HandshakeStoreKeys {
    /// `sw:v1:hs:T:device`.
    #[pyo3(get)]
    device: String,
    /// `sw:v1:hs:T:last`.
    #[pyo3(get)]
    last: String,
}

#[pymethods]
impl HandshakeStoreKeys {
    /// `[device, last]` (e.g. for one Redis `MGET`).
    fn as_list(&self) -> Vec<String> {
        vec![self.device.clone(), self.last.clone()]
    }
    fn __repr__(&self) -> String {
        format!(
            "HandshakeStoreKeys(device={:?}, last={:?})",
            self.device, self.last
        )
    }
}

/// The store keys of a handshake request (`INVALID_INPUT` / `UNSUPPORTED_VERSION` if it does
/// not parse).
#[pyfunction]
fn handshake_store_keys(request: &Bound<'_, PyAny>) -> SwResult<HandshakeStoreKeys> {
    let k = server::handshake_store_keys(&json_text(request)?)?;
    Ok(HandshakeStoreKeys {
        device: k.device,
        last: k.last,
    })
}

/// Spec §2.1, the server's handshake step: `Step(output=response, effects)`. `records` are the
/// values loaded at `handshake_store_keys(request).as_list()` (`[device, last]`, `None` where
/// absent). `DEVICE_MISMATCH` if the device is bound to another primary key. The RSA work runs
/// with the GIL released. The step may be rerun on a failed commit (`run_step`).
#[pyfunction]
#[pyo3(signature = (keys, request, records, now_ms=None))]
fn server_handshake(
    py: Python<'_>,
    keys: &ServerKeys,
    request: &Bound<'_, PyAny>,
    records: Vec<Option<Vec<u8>>>,
    now_ms: Option<u64>,
) -> SwResult<Step> {
    let (request, form) = request_text(request)?;
    check_len(&records, 2)?;
    let records = server::HandshakeRecords {
        device: record(&records, 0),
        last: record(&records, 1),
    };
    let now_ms = now_or(now_ms);
    let keys = &keys.inner;
    let step = py.detach(|| server::handshake(keys, &request, records, now_ms, &mut os_rng()))?;
    Ok(Step::new(
        py,
        wire_out(py, step.output, form)?,
        step.effects,
    )?)
}

/// Binds `device_id` to a known client primary key (33 bytes compressed) before its first
/// handshake: `Step(output=bound, effects)`. `device` is the value loaded at
/// `handshake_store_keys(...).device` (`DEVICE_MISMATCH` if another key is bound).
#[pyfunction]
fn server_bind_device(
    py: Python<'_>,
    keys: &ServerKeys,
    device_id: &str,
    client_primary: &[u8],
    device: Option<&[u8]>,
) -> SwResult<Step> {
    let step = server::bind_device(
        &keys.inner,
        device_id,
        client_primary,
        device,
        &mut os_rng(),
    )?;
    Ok(Step::new(
        py,
        PyBool::new(py, step.output).to_owned().into_any().unbind(),
        step.effects,
    )?)
}

/// Re-enrolment (spec §2.1): `Step(output=was_bound, effects)` removing the device binding,
/// `last`, the `eph` it names (`delete_if_equal`) and the session (`delete`). `load(key)`
/// returns the stored bytes at `key` or `None` (e.g. `redis.get`); it fits `run_step`.
#[pyfunction]
fn server_reenroll(
    py: Python<'_>,
    keys: &ServerKeys,
    device_id: &str,
    load: &Bound<'_, PyAny>,
) -> SwResult<Step> {
    let mut failure: Option<PyErr> = None;
    let step = server::reenroll(&keys.inner, device_id, |key| {
        match load.call1((key,)).and_then(|v| loaded(&v)) {
            Ok(v) => v,
            Err(e) => {
                failure.get_or_insert(e);
                None
            }
        }
    });
    if let Some(e) = failure {
        return Err(e.into());
    }
    let step = step?;
    Ok(Step::new(
        py,
        PyBool::new(py, step.output).to_owned().into_any().unbind(),
        step.effects,
    )?)
}

/// The five store keys a process request needs loaded.
#[pyclass(frozen, module = "sealwright.handshake")]
pub struct ProcessStoreKeys {
    /// `sw:v1:hs:T:session`.
    #[pyo3(get)]
    session: String,
    /// `sw:v1:hs:T:eph:<kid>`.
    #[pyo3(get)]
    eph: String,
    /// `sw:v1:hs:T:claim:<kid>`.
    #[pyo3(get)]
    claim: String,
    /// `sw:v1:hs:T:last`.
    #[pyo3(get)]
    last: String,
    /// `sw:v1:hs:T:retry:<hex(request_id)>`.
    #[pyo3(get)]
    retry: String,
}

#[pymethods]
impl ProcessStoreKeys {
    /// `[session, eph, claim, last, retry]` (e.g. for one Redis `MGET`).
    fn as_list(&self) -> Vec<String> {
        vec![
            self.session.clone(),
            self.eph.clone(),
            self.claim.clone(),
            self.last.clone(),
            self.retry.clone(),
        ]
    }
    fn __repr__(&self) -> String {
        format!(
            "ProcessStoreKeys(session={:?}, eph={:?}, claim={:?}, last={:?}, retry={:?})",
            self.session, self.eph, self.claim, self.last, self.retry
        )
    }
}

/// The store keys of a process request (`INVALID_INPUT` / `UNSUPPORTED_VERSION` if it does
/// not parse).
#[pyfunction]
fn process_store_keys(request: &Bound<'_, PyAny>) -> SwResult<ProcessStoreKeys> {
    let k = server::process_store_keys(&json_text(request)?)?;
    Ok(ProcessStoreKeys {
        session: k.session,
        eph: k.eph,
        claim: k.claim,
        last: k.last,
        retry: k.retry,
    })
}

/// A request that passed spec §2.2 steps 1 to 3; its claim is in the open step's effects.
/// Commit those, hand `plaintext` to the business logic, then `respond` once (a second call
/// raises `InvalidState`) and commit its effects once (never rerun: on a failed commit reload
/// `retry_key` and call `after_conflict`).
#[pyclass(module = "sealwright.handshake")]
pub struct Opened {
    inner: Option<Box<server::Opened>>,
    device_id: String,
    kid: String,
    request_id: [u8; 32],
    form: Form,
}

#[pymethods]
impl Opened {
    /// The request plaintext.
    #[getter]
    fn plaintext(&self, py: Python<'_>) -> SwResult<Py<PyBytes>> {
        Ok(bytes(py, self.get()?.plaintext().expose()))
    }
    /// The device.
    #[getter]
    fn device_id(&self) -> &str {
        &self.device_id
    }
    /// The kid the request used.
    #[getter]
    fn kid(&self) -> &str {
        &self.kid
    }
    /// `request_id`, 32 bytes.
    #[getter]
    fn request_id(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, &self.request_id)
    }
    /// The key of this request's stored response (reload it after a failed respond commit).
    #[getter]
    fn retry_key(&self) -> String {
        // Computed on access (one SHA-256): most requests never need it.
        sealwright::handshake::store::retry_key(&self.device_id, &self.request_id)
    }
    /// Step 5: rotation and the response, `Step(output=response, effects)`; the response is
    /// `bytes` if the request was given as `bytes`, `str` if as `str`, else a `dict`.
    fn respond(&mut self, py: Python<'_>, response: &[u8]) -> SwResult<Step> {
        let opened = self.inner.take().ok_or_else(Self::responded)?;
        let step = opened.respond(response, &mut os_rng())?;
        Ok(Step::new(
            py,
            wire_out(py, step.output, self.form)?,
            step.effects,
        )?)
    }
    fn __repr__(&self) -> String {
        format!(
            "Opened(device_id={:?}, kid={:?}, plaintext=<redacted>)",
            self.device_id, self.kid
        )
    }
}

impl Opened {
    fn responded() -> SwErr {
        SwErr::State("this request was already answered: open the next request".to_owned())
    }
    fn get(&self) -> SwResult<&server::Opened> {
        self.inner.as_deref().ok_or_else(Self::responded)
    }
}

/// An idempotent retry of an answered request: send `response` again (no effects).
#[pyclass(frozen, module = "sealwright.handshake")]
pub struct Retry {
    /// The stored response, in the request's form (`bytes`, `str` or `dict`, as the request came).
    #[pyo3(get)]
    response: Py<PyAny>,
}

#[pymethods]
impl Retry {
    fn __repr__(&self) -> &'static str {
        "Retry(response=<stored response>)"
    }
}

/// Spec §2.2 steps 1 to 3, the open step: `Step(output=Opened | Retry, effects)`. `records` are
/// the values loaded at `process_store_keys(request).as_list()` (`[session, eph, claim, last,
/// retry]`, `None` where absent). For `Opened` the effects are the claim: commit them before
/// the business logic (rerun on a failed commit: `run_step`); `Retry` has none. Raises
/// `InProgress` while another delivery of the same request holds the claim.
#[pyfunction]
#[pyo3(signature = (keys, request, records, now_ms=None))]
fn server_open(
    py: Python<'_>,
    keys: &ServerKeys,
    request: &Bound<'_, PyAny>,
    records: Vec<Option<Vec<u8>>>,
    now_ms: Option<u64>,
) -> SwResult<Step> {
    let (request, form) = request_text(request)?;
    check_len(&records, 5)?;
    let mut it = records.into_iter();
    let mut next = || it.next().flatten();
    let records = server::Records {
        session: next(),
        eph: next(),
        claim: next(),
        last: next(),
        retry: next(),
    };
    let step = server::open(
        &keys.inner,
        &request,
        records,
        now_or(now_ms),
        &mut os_rng(),
    )?;
    let (outcome, effects) = step.into_parts();
    let output = match outcome {
        server::Outcome::Opened(opened) => {
            let o = Opened {
                device_id: opened.device_id().to_owned(),
                kid: opened.kid().as_str().to_owned(),
                request_id: *opened.request_id(),
                inner: Some(opened),
                form,
            };
            Py::new(py, o)?.into_any()
        }
        server::Outcome::Retry(text) => {
            let r = Retry {
                response: wire_out(py, text, form)?,
            };
            Py::new(py, r)?.into_any()
        }
    };
    Ok(Step::new(py, output, effects)?)
}

/// `sealwright._native._testing_rust_open_respond_loop(keys, request, records, response, n,
/// now_ms)` (test-utils builds only): runs `open` then `respond` `n` times in Rust, from the
/// same arguments `server_open` takes, with a new `os_rng()` per call as the binding makes, and
/// returns the seconds spent. `bench.py` times it beside the Python calls in the same process,
/// so both sides run the same machine code and randomness: the difference is the binding's
/// own cost (argument conversion, the `Step`/`Effect`/`Opened` objects, the interpreter).
#[cfg(feature = "test-utils")]
#[pyfunction(name = "_testing_rust_open_respond_loop")]
fn rust_open_respond_loop(
    keys: &ServerKeys,
    request: String,
    records: Vec<Option<Vec<u8>>>,
    response: Vec<u8>,
    n: u32,
    now_ms: u64,
) -> SwResult<f64> {
    check_len(&records, 5)?;
    let start = std::time::Instant::now();
    for _ in 0..n {
        let records = server::Records {
            session: record(&records, 0),
            eph: record(&records, 1),
            claim: record(&records, 2),
            last: record(&records, 3),
            retry: record(&records, 4),
        };
        let step = server::open(&keys.inner, &request, records, now_ms, &mut os_rng())?;
        let server::Outcome::Opened(opened) = step.output else {
            return Err(SwErr::State("the request was already answered".to_owned()));
        };
        let _ = std::hint::black_box(opened.respond(&response, &mut os_rng())?);
    }
    Ok(start.elapsed().as_secs_f64())
}

/// After a respond commit that failed a condition (spec §2.2 step 5): `retry` is the value
/// reloaded at `Opened.retry_key`. Returns this request's stored response if another delivery
/// answered it, else raises `Conflict`.
#[pyfunction]
fn after_conflict(
    py: Python<'_>,
    keys: &ServerKeys,
    request: &Bound<'_, PyAny>,
    retry: Option<&[u8]>,
) -> SwResult<Py<PyAny>> {
    let (request, form) = request_text(request)?;
    let response = server::after_conflict(&keys.inner, &request, retry)?;
    wire_out(py, response, form)
}

enum ClientState {
    New(core::Client),
    AwaitingHandshake(core::AwaitingHandshake),
    Established(core::Established),
    AwaitingResponse(core::AwaitingResponse),
    /// A `start` that failed consumed the client.
    Failed,
}

impl ClientState {
    fn name(&self) -> &'static str {
        match self {
            ClientState::New(_) => "new",
            ClientState::AwaitingHandshake(_) => "awaiting_handshake",
            ClientState::Established(_) => "established",
            ClientState::AwaitingResponse(_) => "awaiting_response",
            ClientState::Failed => "failed",
        }
    }
}

/// The device side of the handshake: one object through the states `new` -> `start()` ->
/// `awaiting_handshake` -> `finish(response)` -> `established` -> `send(plaintext)` ->
/// `awaiting_response` -> `receive(response)` -> `established` ... A call in another state
/// raises `InvalidState` naming the expected step; a rejected response leaves the state as it
/// was (the request can be resent: `pending_request`).
#[pyclass(module = "sealwright.handshake")]
pub struct HandshakeClient {
    state: ClientState,
}

impl HandshakeClient {
    fn wrong(&self, expected: &str) -> SwErr {
        SwErr::State(format!("{expected} (the client is {})", self.state.name()))
    }
}

#[pymethods]
impl HandshakeClient {
    /// A client for `device_id` with its primary key and the pinned server key (SPKI DER).
    #[new]
    fn py_new(
        device_id: &str,
        primary: &PrimaryKey,
        server_public_key_der: &[u8],
    ) -> SwResult<Self> {
        let server_key = RsaPublicKey::from_spki_der(server_public_key_der)?;
        Ok(Self {
            state: ClientState::New(core::Client::new(
                device_id,
                primary.inner.clone(),
                server_key,
            )?),
        })
    }

    /// `"new"`, `"awaiting_handshake"`, `"established"`, `"awaiting_response"` or `"failed"`.
    #[getter]
    fn state(&self) -> &'static str {
        self.state.name()
    }

    /// The current kid (`established` / `awaiting_response`), else `None`.
    #[getter]
    fn kid(&self) -> Option<String> {
        match &self.state {
            ClientState::Established(e) => Some(e.kid().as_str().to_owned()),
            ClientState::AwaitingResponse(a) => Some(a.kid().as_str().to_owned()),
            _ => None,
        }
    }

    /// The request waiting for its response (to resend it byte for byte), else `None`.
    fn pending_request(&self, py: Python<'_>) -> SwResult<Option<Py<PyAny>>> {
        match &self.state {
            ClientState::AwaitingHandshake(a) => Ok(Some(json_value(py, a.request())?)),
            ClientState::AwaitingResponse(a) => Ok(Some(json_value(py, a.request())?)),
            _ => Ok(None),
        }
    }

    /// Spec §2.1: the handshake request (`dict`); state `new` only.
    fn start(&mut self, py: Python<'_>) -> SwResult<Py<PyAny>> {
        let ClientState::New(_) = self.state else {
            return Err(self.wrong("start() needs a new client"));
        };
        let ClientState::New(client) = std::mem::replace(&mut self.state, ClientState::Failed)
        else {
            return Err(self.wrong("start() needs a new client"));
        };
        let (request, pending) = client.start(&mut os_rng())?;
        self.state = ClientState::AwaitingHandshake(pending);
        json_value(py, &request)
    }

    /// Verifies the server's handshake response; state `awaiting_handshake`.
    fn finish(&mut self, response: &Bound<'_, PyAny>) -> SwResult<()> {
        let text = json_text(response)?;
        let ClientState::AwaitingHandshake(pending) = &self.state else {
            return Err(self.wrong("finish() follows start()"));
        };
        let established = pending.finish(&text)?;
        self.state = ClientState::Established(established);
        Ok(())
    }

    /// Spec §2.2: the request (`dict`) carrying `plaintext`; state `established`.
    fn send(&mut self, py: Python<'_>, plaintext: &[u8]) -> SwResult<Py<PyAny>> {
        let ClientState::Established(session) = &self.state else {
            return Err(self.wrong("send() needs an established session (finish or receive first)"));
        };
        let (request, awaiting) = session.clone().send(plaintext, &mut os_rng())?;
        self.state = ClientState::AwaitingResponse(awaiting);
        json_value(py, &request)
    }

    /// Opens the server's response and rotates to its new kid; state `awaiting_response`.
    fn receive(&mut self, py: Python<'_>, response: &Bound<'_, PyAny>) -> SwResult<Py<PyBytes>> {
        let text = json_text(response)?;
        let ClientState::AwaitingResponse(awaiting) = &self.state else {
            return Err(self.wrong("receive() follows send()"));
        };
        let (plaintext, next) = awaiting.receive(&text)?;
        self.state = ClientState::Established(next);
        Ok(bytes(py, plaintext.expose()))
    }

    /// The established state as an encrypted pickle under a 32-byte key (spec §2.3).
    fn pickle(&self, pickle_key: &[u8]) -> SwResult<String> {
        let ClientState::Established(session) = &self.state else {
            return Err(self.wrong("pickle() needs an established session"));
        };
        Ok(session.pickle(&key32(pickle_key)?, &mut os_rng())?)
    }

    /// An established client restored from `pickle()`.
    #[staticmethod]
    fn unpickle(pickle_key: &[u8], pickle: &str) -> SwResult<Self> {
        Ok(Self {
            state: ClientState::Established(core::Established::unpickle(
                &key32(pickle_key)?,
                pickle,
            )?),
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "HandshakeClient(state={}, kid={:?}, secrets=<redacted>)",
            self.state.name(),
            self.kid()
        )
    }
}

/// `d_s` from the entropy and a handshake nonce (spec §2), for interoperability checks. Test
/// builds only (feature `test-utils`): a caller-chosen nonce.
#[cfg(feature = "test-utils")]
#[pyfunction]
fn server_primary_key(entropy: &[u8], nonce: &[u8]) -> SwResult<PrimaryKey> {
    let nonce: [u8; core::NONCE_LEN] = nonce
        .try_into()
        .map_err(|_| sealwright::Error::InvalidInput)?;
    Ok(PrimaryKey {
        inner: derive::server_primary_key(entropy, &nonce)?,
    })
}

/// `SS_p = ECDH_k1(own, peer)` (a secret, for interoperability checks; test builds only).
#[cfg(feature = "test-utils")]
#[pyfunction]
fn primary_secret(py: Python<'_>, own: &PrimaryKey, peer_public: &[u8]) -> SwResult<Py<PyBytes>> {
    let peer = derive::parse_primary_public(peer_public)?;
    Ok(bytes(
        py,
        derive::primary_secret(&own.inner, &peer).expose(),
    ))
}

/// `X25519(private, public)` (`LOW_ORDER_POINT` for an all-zero result; a secret, test
/// builds only).
#[cfg(feature = "test-utils")]
#[pyfunction]
fn x25519(py: Python<'_>, private_key: &[u8], public_key: &[u8]) -> SwResult<Py<PyBytes>> {
    let public: [u8; 32] = public_key
        .try_into()
        .map_err(|_| sealwright::Error::InvalidInput)?;
    Ok(bytes(
        py,
        derive::x25519(&key32(private_key)?, &public)?.expose(),
    ))
}

/// The X25519 public key of a 32-byte private key.
#[pyfunction]
fn x25519_public(py: Python<'_>, private_key: &[u8]) -> SwResult<Py<PyBytes>> {
    Ok(bytes(py, &derive::x25519_public(&key32(private_key)?)))
}

/// `K_p = HKDF(deviceId, SS_p, "HandshakeWrapKey", 32)` (a secret, test builds only).
#[cfg(feature = "test-utils")]
#[pyfunction]
fn wrap_key(py: Python<'_>, device_id: &str, primary_secret: &[u8]) -> SwResult<Py<PyBytes>> {
    Ok(bytes(
        py,
        derive::wrap_key(device_id, &key32(primary_secret)?)?.expose(),
    ))
}

/// `K_m = HKDF(deviceId, SS_p || SS_e, "HandshakeMessageKey", 32)` (a secret, test builds
/// only).
#[cfg(feature = "test-utils")]
#[pyfunction]
fn message_key(
    py: Python<'_>,
    device_id: &str,
    primary_secret: &[u8],
    ephemeral_secret: &[u8],
) -> SwResult<Py<PyBytes>> {
    let k = derive::message_key(
        device_id,
        &key32(primary_secret)?,
        &key32(ephemeral_secret)?,
    )?;
    Ok(bytes(py, k.expose()))
}

/// `request_id` of a process request (`dict` or JSON text).
#[pyfunction]
fn request_id(py: Python<'_>, request: &Bound<'_, PyAny>) -> SwResult<Py<PyBytes>> {
    let parsed = core::wire::ProcessRequest::from_json(&json_text(request)?)?;
    Ok(bytes(py, &parsed.request_id()?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PrimaryKey>()?;
    m.add_class::<ServerKeys>()?;
    m.add_class::<HandshakeStoreKeys>()?;
    m.add_class::<ProcessStoreKeys>()?;
    m.add_class::<Opened>()?;
    m.add_class::<Retry>()?;
    m.add_class::<HandshakeClient>()?;
    add_function(m, "handshake", wrap_pyfunction!(handshake_store_keys, m)?)?;
    add_function(m, "handshake", wrap_pyfunction!(server_handshake, m)?)?;
    add_function(m, "handshake", wrap_pyfunction!(server_bind_device, m)?)?;
    add_function(m, "handshake", wrap_pyfunction!(server_reenroll, m)?)?;
    add_function(m, "handshake", wrap_pyfunction!(process_store_keys, m)?)?;
    add_function(m, "handshake", wrap_pyfunction!(server_open, m)?)?;
    add_function(m, "handshake", wrap_pyfunction!(after_conflict, m)?)?;
    add_function(m, "handshake", wrap_pyfunction!(x25519_public, m)?)?;
    #[cfg(feature = "test-utils")]
    {
        add_function(m, "handshake", wrap_pyfunction!(server_primary_key, m)?)?;
        add_function(m, "handshake", wrap_pyfunction!(primary_secret, m)?)?;
        add_function(m, "handshake", wrap_pyfunction!(x25519, m)?)?;
        add_function(m, "handshake", wrap_pyfunction!(wrap_key, m)?)?;
        add_function(m, "handshake", wrap_pyfunction!(message_key, m)?)?;
    }
    add_function(m, "handshake", wrap_pyfunction!(request_id, m)?)?;
    #[cfg(feature = "test-utils")]
    m.add_function(wrap_pyfunction!(rust_open_respond_loop, m)?)?;
    Ok(())
}
