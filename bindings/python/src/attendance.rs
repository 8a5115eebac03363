//! `sealwright.attendance` (spec §5): WebAuthn-bound login, TOTP, encrypted rotating QR
//! rounds, validation steps 1 to 7, scoring, the projector and the class session.

use std::cell::RefCell;

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use sealwright::Error;
use sealwright::attendance as core;
use sealwright::attendance::login::LoginNonce;
use sealwright::effect::StoredRecord;
use sealwright::secret::SecretKey32;

use crate::common::{add_function, bytes, json_text, json_value, loaded, now_or, os_rng};
use crate::effects::{Step, StoreSealer};
use crate::errors::{SwErr, SwResult, error_instance};

/// Runs a core step with a Python `load(key) -> bytes | None` callable as its loader. An
/// exception raised by `load` (or a value that is not bytes) is raised after the step.
fn with_loader<T>(
    load: &Bound<'_, PyAny>,
    step: impl FnOnce(&dyn Fn(&str) -> Option<Vec<u8>>) -> SwResult<T>,
) -> PyResult<T> {
    let failed: RefCell<Option<PyErr>> = RefCell::new(None);
    let loader = |key: &str| -> Option<Vec<u8>> {
        if failed.borrow().is_some() {
            return None;
        }
        match load.call1((key,)).and_then(|v| loaded(&v)) {
            Ok(v) => v,
            Err(e) => {
                *failed.borrow_mut() = Some(e);
                None
            }
        }
    };
    let out = step(&loader);
    if let Some(e) = failed.into_inner() {
        return Err(e);
    }
    Ok(out?)
}

fn arr<const N: usize>(b: &[u8]) -> SwResult<[u8; N]> {
    Ok(b.try_into().map_err(|_| Error::InvalidInput)?)
}

fn key32(b: &[u8]) -> SwResult<SecretKey32> {
    Ok(SecretKey32::from_slice(b)?)
}

/// The configurable values of spec §5 (defaults as in the spec).
#[pyclass(frozen, module = "sealwright.attendance")]
#[derive(Clone, Copy)]
pub struct Config {
    inner: core::Config,
}

#[pymethods]
impl Config {
    #[new]
    #[pyo3(signature = (rounds=3, payload_ttl_ms=120_000, frame_ms=500, rt_min_ms=500,
        rt_max_ms=15_000, max_attempts=3, max_displays=10, challenge_ttl_seconds=300,
        session_key_ttl_seconds=7_200))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        rounds: u32,
        payload_ttl_ms: u64,
        frame_ms: u64,
        rt_min_ms: u64,
        rt_max_ms: u64,
        max_attempts: u8,
        max_displays: u32,
        challenge_ttl_seconds: u64,
        session_key_ttl_seconds: u64,
    ) -> SwResult<Self> {
        let inner = core::Config {
            rounds,
            payload_ttl_ms,
            frame_ms,
            rt_min_ms,
            rt_max_ms,
            max_attempts,
            max_displays,
            challenge_ttl_seconds,
            session_key_ttl_seconds,
        };
        inner.check()?;
        Ok(Self { inner })
    }
    /// Rounds `N` (numbered 1 to N).
    #[getter]
    fn rounds(&self) -> u32 {
        self.inner.rounds
    }
    /// QR payload TTL in ms.
    #[getter]
    fn payload_ttl_ms(&self) -> u64 {
        self.inner.payload_ttl_ms
    }
    /// Projector frame in ms.
    #[getter]
    fn frame_ms(&self) -> u64 {
        self.inner.frame_ms
    }
    /// An RT must be greater than this (ms).
    #[getter]
    fn rt_min_ms(&self) -> u64 {
        self.inner.rt_min_ms
    }
    /// An RT must be less than this (ms).
    #[getter]
    fn rt_max_ms(&self) -> u64 {
        self.inner.rt_max_ms
    }
    /// `MAX_ATTEMPTS`: wrong answers allowed per round.
    #[getter]
    fn max_attempts(&self) -> u8 {
        self.inner.max_attempts
    }
    /// `MAX_DISPLAYS`: frames a payload is shown before it counts as not captured.
    #[getter]
    fn max_displays(&self) -> u32 {
        self.inner.max_displays
    }
    fn __repr__(&self) -> String {
        format!("Config({:?})", self.inner)
    }
}

fn config(c: Option<&Config>) -> core::Config {
    c.map(|c| c.inner).unwrap_or_default()
}

/// Login step 1: a `Step` whose output is a fresh login nonce `Nl` (32 bytes) for `user_id`,
/// with the `put_if_absent` of its sealed record (TTL 300 s by default).
#[pyfunction]
#[pyo3(signature = (user_id, sealer, config=None, now_ms=None))]
fn issue_login_nonce(
    py: Python<'_>,
    user_id: &str,
    sealer: &StoreSealer,
    config: Option<&Config>,
    now_ms: Option<u64>,
) -> SwResult<Step> {
    let step = core::issue_login_nonce(
        user_id,
        &sealer.inner,
        &self::config(config),
        now_or(now_ms),
        &mut os_rng(),
    )?;
    Ok(Step::new(
        py,
        bytes(py, &step.output.0).into_any(),
        step.effects,
    )?)
}

/// Login step 3 as a server step, after the WebAuthn library verified the assertion: loads the
/// nonce record through `load(key) -> bytes | None` (`SessionInvalid` when missing: a nonce
/// logs in once), derives the keys (`LowOrderPoint`), and returns a `Step` whose output is a
/// `ServerLogin` and whose effects spend the nonce (`delete_if_equal`) and store the sealed
/// session key.
#[pyfunction]
#[pyo3(signature = (user_id, login_nonce, client_public, load, sealer, config=None))]
fn login(
    py: Python<'_>,
    user_id: &str,
    login_nonce: &[u8],
    client_public: &[u8],
    load: &Bound<'_, PyAny>,
    sealer: &StoreSealer,
    config: Option<&Config>,
) -> PyResult<Step> {
    let nonce = LoginNonce(arr(login_nonce)?);
    let c = arr(client_public)?;
    let step = with_loader(load, |load| {
        Ok(core::login(
            user_id,
            &nonce,
            &c,
            load,
            &sealer.inner,
            &self::config(config),
            &mut os_rng(),
        )?)
    })?;
    let (server, effects) = step.into_parts();
    let output = Py::new(py, ServerLogin { inner: server })?.into_any();
    Step::new(py, output, effects)
}

/// `SHA-256("sealwright/v1/attendance/login" || Nl || C || lp(userId))`.
#[pyfunction]
fn login_challenge(
    py: Python<'_>,
    login_nonce: &[u8],
    client_public: &[u8],
    user_id: &str,
) -> SwResult<Py<PyBytes>> {
    let c = core::login::login_challenge(
        &LoginNonce(arr(login_nonce)?),
        &arr(client_public)?,
        user_id,
    )?;
    Ok(bytes(py, &c))
}

/// A student's session keys (`session_key`, `K_qr`, `K_resp`, `K_totp_u`), held in Rust.
#[pyclass(frozen, module = "sealwright.attendance")]
#[derive(Clone)]
pub struct SessionKeys {
    inner: core::SessionKeys,
}

#[pymethods]
impl SessionKeys {
    /// The keys derived from a known `session_key`.
    #[staticmethod]
    fn from_session_key(user_id: &str, session_key: &[u8]) -> SwResult<Self> {
        Ok(Self {
            inner: core::SessionKeys::from_session_key(user_id, key32(session_key)?)?,
        })
    }
    /// The student.
    #[getter]
    fn user_id(&self) -> &str {
        self.inner.user_id()
    }
    /// `session_key` (a secret: interoperability checks only; test builds only, feature
    /// `test-utils`, like the three keys below).
    #[cfg(feature = "test-utils")]
    fn session_key(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.session_key().expose())
    }
    /// `K_qr` (a secret).
    #[cfg(feature = "test-utils")]
    fn qr_key(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.qr_key().expose())
    }
    /// `K_resp` (a secret).
    #[cfg(feature = "test-utils")]
    fn response_key(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.response_key().expose())
    }
    /// `K_totp_u` (a secret).
    #[cfg(feature = "test-utils")]
    fn totp_u_key(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.totp_u_key().expose())
    }
    /// Opens a stored session key read from `sw:v1:att:tag(userId):skey`.
    #[staticmethod]
    fn open_stored(sealer: &StoreSealer, user_id: &str, sealed: &[u8]) -> SwResult<Self> {
        Ok(Self {
            inner: core::SessionKeys::open_stored(&sealer.inner, user_id, sealed)?,
        })
    }
    fn __repr__(&self) -> String {
        format!(
            "SessionKeys(user_id={:?}, keys=<redacted>)",
            self.inner.user_id()
        )
    }
}

/// The client side of login (spec §5 steps 2 and 4): `start` draws `(c, C)`; `finish(S)` gives
/// the session keys once (then `InvalidState`).
#[pyclass(module = "sealwright.attendance")]
pub struct ClientLogin {
    inner: Option<core::ClientLogin>,
    client_public: [u8; 32],
}

#[pymethods]
impl ClientLogin {
    /// Starts a login for `user_id` with the server's nonce `Nl`.
    #[new]
    fn py_new(user_id: &str, login_nonce: &[u8]) -> SwResult<Self> {
        let inner =
            core::ClientLogin::start(user_id, LoginNonce(arr(login_nonce)?), &mut os_rng())?;
        Ok(Self {
            client_public: inner.client_public(),
            inner: Some(inner),
        })
    }
    /// `C`, sent with the assertion.
    #[getter]
    fn client_public(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, &self.client_public)
    }
    /// The WebAuthn challenge for the authenticator.
    fn challenge(&self, py: Python<'_>) -> SwResult<Py<PyBytes>> {
        let c = self.started()?.challenge()?;
        Ok(bytes(py, &c))
    }
    /// Derives the session keys from the server's `S` (`LOW_ORDER_POINT` on an all-zero `Z`);
    /// `c` is destroyed and a second call raises `InvalidState`.
    fn finish(&mut self, server_public: &[u8]) -> SwResult<SessionKeys> {
        let s = arr(server_public)?;
        self.started()?;
        let client = self.inner.take().ok_or_else(Self::finished)?;
        Ok(SessionKeys {
            inner: client.finish(&s)?,
        })
    }
    fn __repr__(&self) -> String {
        let state = if self.inner.is_some() {
            "started"
        } else {
            "finished"
        };
        format!("ClientLogin(state={state}, private=<redacted>)")
    }
}

impl ClientLogin {
    fn finished() -> SwErr {
        SwErr::State("this login already finished: start a new ClientLogin".to_owned())
    }
    fn started(&self) -> SwResult<&core::ClientLogin> {
        self.inner.as_ref().ok_or_else(Self::finished)
    }
}

/// The server's result of a login: `S` for the client, the student's keys.
#[pyclass(frozen, module = "sealwright.attendance")]
pub struct ServerLogin {
    inner: core::login::ServerLogin,
}

#[pymethods]
impl ServerLogin {
    /// `S`, returned to the client.
    #[getter]
    fn server_public(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, &self.inner.server_public)
    }
    /// The student's session keys.
    #[getter]
    fn keys(&self) -> SessionKeys {
        SessionKeys {
            inner: self.inner.keys.clone(),
        }
    }
    fn __repr__(&self) -> String {
        format!(
            "ServerLogin(user_id={:?}, keys=<redacted>)",
            self.inner.keys.user_id()
        )
    }
}

/// The key agreement of login step 3 alone (no store: a server uses `login`).
#[pyfunction]
fn server_login(user_id: &str, login_nonce: &[u8], client_public: &[u8]) -> SwResult<ServerLogin> {
    let inner = core::server_login(
        user_id,
        &LoginNonce(arr(login_nonce)?),
        &arr(client_public)?,
        &mut os_rng(),
    )?;
    Ok(ServerLogin { inner })
}

/// A WebAuthn enrollment record (public data) with its device fingerprint.
#[pyclass(frozen, module = "sealwright.attendance")]
pub struct EnrollmentRecord {
    inner: core::EnrollmentRecord,
}

#[pymethods]
impl EnrollmentRecord {
    #[new]
    #[pyo3(signature = (user_id, credential_id, cose_public_key, aaguid, sign_count=0))]
    fn py_new(
        user_id: &str,
        credential_id: &[u8],
        cose_public_key: &[u8],
        aaguid: &[u8],
        sign_count: u32,
    ) -> SwResult<Self> {
        Ok(Self {
            inner: core::EnrollmentRecord::new(
                user_id,
                credential_id,
                cose_public_key,
                arr(aaguid)?,
                sign_count,
            )?,
        })
    }
    /// The enrolled student.
    #[getter]
    fn user_id(&self) -> &str {
        self.inner.user_id()
    }
    /// `SHA-256("sealwright/v1/device" || lp(credentialId) || aaguid || COSE key)`.
    #[getter]
    fn device_fingerprint(&self, py: Python<'_>) -> Py<PyBytes> {
        bytes(py, self.inner.device_fingerprint())
    }
    /// The enrollment step: a `Step` (output `None`) with the `put` of the sealed record
    /// under `sw:v1:att:tag(userId):enroll`.
    fn enroll(&self, py: Python<'_>, sealer: &StoreSealer) -> SwResult<Step> {
        let step = self.inner.enroll(&sealer.inner, &mut os_rng())?;
        Ok(Step::new(py, py.None(), step.effects)?)
    }
    /// Opens a stored record read from `sw:v1:att:tag(userId):enroll`.
    #[staticmethod]
    fn open_stored(sealer: &StoreSealer, user_id: &str, sealed: &[u8]) -> SwResult<Self> {
        let key = core::enrollment_store_key(user_id);
        Ok(Self {
            inner: core::EnrollmentRecord::open(&sealer.inner, &key, sealed)?,
        })
    }
}

/// A TOTP generator (RFC 6238); the protocol's is HMAC-SHA256, 6 digits, 30 s.
#[pyclass(frozen, module = "sealwright.attendance")]
pub struct Totp {
    inner: core::Totp,
}

#[pymethods]
impl Totp {
    #[new]
    #[pyo3(signature = (key, algorithm="SHA256", digits=6, step_seconds=30))]
    fn py_new(key: &[u8], algorithm: &str, digits: u8, step_seconds: u64) -> SwResult<Self> {
        let alg = core::totp::TotpAlgorithm::from_name(algorithm)?;
        Ok(Self {
            inner: core::Totp::with_params(key, alg, digits, step_seconds)?,
        })
    }
    /// The code at `time_seconds`.
    fn generate_at_seconds(&self, time_seconds: u64) -> String {
        self.inner
            .generate_at_seconds(time_seconds)
            .as_str()
            .to_owned()
    }
    /// The code at `t_ms` (default now).
    #[pyo3(signature = (t_ms=None))]
    fn generate(&self, t_ms: Option<u64>) -> String {
        self.inner.generate(now_or(t_ms)).as_str().to_owned()
    }
    /// The matched step within one step of `t_ms`, or `None`.
    #[pyo3(signature = (code, t_ms=None))]
    fn verify(&self, code: &str, t_ms: Option<u64>) -> Option<u64> {
        self.inner.verify(code, now_or(t_ms))
    }
    fn __repr__(&self) -> &'static str {
        "Totp(key=<redacted>)"
    }
}

/// `secret_s = HMAC-SHA256(SERVER_SECRET, "…/totp-s" || lp(sessionId) || lp(userId) || u32be(r))`.
#[cfg(feature = "test-utils")]
#[pyfunction]
fn round_secret(
    py: Python<'_>,
    server_secret: &[u8],
    session_id: &str,
    user_id: &str,
    round: u32,
) -> SwResult<Py<PyBytes>> {
    let s = core::round::round_secret(&key32(server_secret)?, session_id, user_id, round)?;
    Ok(bytes(py, s.expose()))
}

/// `TOTPs = TOTP(secret_s, issued_at_ms)`.
#[pyfunction]
fn totp_s(secret_s: &[u8], issued_at_ms: u64) -> SwResult<String> {
    Ok(core::round::totp_s(&key32(secret_s)?, issued_at_ms)
        .as_str()
        .to_owned())
}

/// Certainty after all rounds (spec §5).
#[pyclass(frozen, module = "sealwright.attendance")]
pub struct Score {
    /// Mean RT (ms).
    #[pyo3(get)]
    mean: f64,
    /// Population standard deviation of the RTs (ms).
    #[pyo3(get)]
    std: f64,
    /// 95, 70, 50 or 20.
    #[pyo3(get)]
    certainty: u8,
    /// The name of the scoring rule that matched.
    #[pyo3(get)]
    label: &'static str,
    /// `"PRESENTE"` when `certainty >= 70`, else `"AUSENTE"`.
    #[pyo3(get)]
    status: &'static str,
}

impl From<&core::Score> for Score {
    fn from(s: &core::Score) -> Self {
        Self {
            mean: s.mean,
            std: s.std,
            certainty: s.certainty,
            label: s.label.as_str(),
            status: s.status.as_str(),
        }
    }
}

#[pymethods]
impl Score {
    fn __repr__(&self) -> String {
        format!(
            "Score(mean={}, std={}, certainty={}, label={:?}, status={:?})",
            self.mean, self.std, self.certainty, self.label, self.status
        )
    }
}

/// Scores a list of round-trip times in ms (`INVALID_INPUT` for an empty list).
#[pyfunction]
fn score(rts_ms: Vec<u64>) -> SwResult<Score> {
    Ok(Score::from(&core::score(&rts_ms)?))
}

/// A round's stored metadata `{issued_at_ms, nonce, attempts, used}` (the nonce stays in Rust).
#[pyclass(frozen, module = "sealwright.attendance")]
#[derive(Clone)]
pub struct RoundMetadata {
    inner: core::RoundMetadata,
}

#[pymethods]
impl RoundMetadata {
    #[new]
    #[pyo3(signature = (issued_at_ms, nonce, attempts=0, used=false))]
    fn py_new(issued_at_ms: u64, nonce: &[u8], attempts: u8, used: bool) -> SwResult<Self> {
        let mut inner =
            core::RoundMetadata::new(issued_at_ms, core::round::RoundNonce::from_slice(nonce)?);
        inner.attempts = attempts;
        inner.used = used;
        Ok(Self { inner })
    }
    /// When the round was issued (Unix ms).
    #[getter]
    fn issued_at_ms(&self) -> u64 {
        self.inner.issued_at_ms
    }
    /// A copy with another attempt count (e.g. as read back from a store).
    fn with_attempts(&self, attempts: u8) -> Self {
        let mut inner = self.inner.clone();
        inner.attempts = attempts;
        Self { inner }
    }
    /// The sealed-store serialization (contains the round nonce: store it sealed).
    fn to_bytes(&self, py: Python<'_>) -> SwResult<Py<PyBytes>> {
        Ok(bytes(py, self.inner.to_bytes()?.expose()))
    }
    /// The RTs accepted so far (this round's last once used).
    #[getter]
    fn rts_ms(&self) -> Vec<u64> {
        self.inner.rts_ms.clone()
    }
    /// Parses `to_bytes` output.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> SwResult<Self> {
        Ok(Self {
            inner: core::RoundMetadata::from_bytes(data)?,
        })
    }
    /// Wrong answers so far (at most `MAX_ATTEMPTS`).
    #[getter]
    fn attempts(&self) -> u8 {
        self.inner.attempts
    }
    /// `True` once the round was answered correctly.
    #[getter]
    fn used(&self) -> bool {
        self.inner.used
    }
    fn __repr__(&self) -> String {
        format!(
            "RoundMetadata(issued_at_ms={}, attempts={}, used={}, nonce=<redacted>)",
            self.inner.issued_at_ms,
            self.inner.attempts,
            if self.inner.used { "True" } else { "False" }
        )
    }
}

/// An issued round: the QR text to project and the metadata to store.
#[pyclass(frozen, module = "sealwright.attendance")]
pub struct IssuedRound {
    /// The round number (1 to `Config.rounds`).
    #[pyo3(get)]
    round: u32,
    /// The QR text to show (base45 of the encrypted payload).
    #[pyo3(get)]
    qr_text: String,
    /// The round metadata to store (sealed) until the answer comes.
    #[pyo3(get)]
    metadata: RoundMetadata,
}

/// Issues round `round` for one student at `issued_at_ms` (default now).
#[pyfunction]
#[pyo3(signature = (keys, server_secret, session_id, round, issued_at_ms=None))]
fn issue_round(
    keys: &SessionKeys,
    server_secret: &[u8],
    session_id: &str,
    round: u32,
    issued_at_ms: Option<u64>,
) -> SwResult<IssuedRound> {
    let r = core::issue_round(
        &keys.inner,
        &key32(server_secret)?,
        session_id,
        round,
        now_or(issued_at_ms),
        &mut os_rng(),
    )?;
    Ok(IssuedRound {
        round: r.round,
        qr_text: r.qr_text,
        metadata: RoundMetadata { inner: r.metadata },
    })
}

/// A QR payload opened by its student (the round nonce stays in Rust).
#[pyclass(frozen, module = "sealwright.attendance")]
pub struct QrPayload {
    inner: core::QrPayload,
}

#[pymethods]
impl QrPayload {
    /// The class session id.
    #[getter]
    fn session_id(&self) -> &str {
        &self.inner.session_id
    }
    /// The student the QR is for.
    #[getter]
    fn user_id(&self) -> &str {
        &self.inner.user_id
    }
    /// The round number.
    #[getter]
    fn round(&self) -> u32 {
        self.inner.round
    }
    /// When the round was issued (Unix ms).
    #[getter]
    fn issued_at_ms(&self) -> u64 {
        self.inner.issued_at_ms
    }
    /// `TOTPs`.
    #[getter]
    fn totp_s(&self) -> &str {
        self.inner.totp_s.as_str()
    }
    /// Whether this payload carries the nonce of `metadata` (constant time).
    fn matches(&self, metadata: &RoundMetadata) -> bool {
        self.inner.nonce == metadata.inner.nonce
    }
    fn __repr__(&self) -> String {
        format!(
            "QrPayload(session_id={:?}, user_id={:?}, round={}, nonce=<redacted>)",
            self.inner.session_id, self.inner.user_id, self.inner.round
        )
    }
}

/// The student side: opens a QR with its own `K_qr` (`DECRYPTION_FAILED`: not this student's).
#[pyfunction]
fn try_qr(keys: &SessionKeys, qr_text: &str) -> SwResult<QrPayload> {
    Ok(QrPayload {
        inner: core::try_qr(&keys.inner, qr_text)?,
    })
}

/// The student's answer to a QR at `client_sent_at_ms` (default now), as a `dict`.
#[pyfunction]
#[pyo3(signature = (keys, qr, client_sent_at_ms=None))]
fn respond(
    py: Python<'_>,
    keys: &SessionKeys,
    qr: &QrPayload,
    client_sent_at_ms: Option<u64>,
) -> SwResult<Py<PyAny>> {
    let env = core::respond(
        &keys.inner,
        &qr.inner,
        now_or(client_sent_at_ms),
        &mut os_rng(),
    )?;
    json_value(py, &env.to_json()?)
}

/// Outcome of validation steps 2 to 7 for one opened response.
#[pyclass(frozen, module = "sealwright.attendance")]
pub struct Verdict {
    result: Result<core::validate::Accepted, Error>,
    metadata: core::validate::MetadataUpdate,
}

#[pymethods]
impl Verdict {
    /// `True` when the response passed every step.
    #[getter]
    fn ok(&self) -> bool {
        self.result.is_ok()
    }
    /// The failed step's code, or `None`.
    #[getter]
    fn code(&self) -> Option<&'static str> {
        self.result.as_ref().err().map(|e| e.code())
    }
    /// RT in ms when accepted.
    #[getter]
    fn rt_ms(&self) -> Option<u64> {
        self.result.as_ref().ok().map(|a| a.rt_ms)
    }
    /// What to do with the stored metadata: `"keep"`, `"put"` or `"delete"`.
    #[getter]
    fn metadata_action(&self) -> &'static str {
        match self.metadata {
            core::validate::MetadataUpdate::Keep => "keep",
            core::validate::MetadataUpdate::Put(_) => "put",
            core::validate::MetadataUpdate::Delete => "delete",
        }
    }
    /// The metadata to store for `"put"`.
    #[getter]
    fn metadata(&self) -> Option<RoundMetadata> {
        match &self.metadata {
            core::validate::MetadataUpdate::Put(m) => Some(RoundMetadata { inner: m.clone() }),
            _ => None,
        }
    }
    /// Raises the failed step's exception (no-op when accepted).
    fn raise_for_error(&self) -> SwResult<()> {
        match &self.result {
            Ok(_) => Ok(()),
            Err(e) => Err(SwErr::Core(*e)),
        }
    }
    fn __repr__(&self) -> String {
        match &self.result {
            Ok(a) => format!("Verdict(ok=True, rt_ms={})", a.rt_ms),
            Err(e) => format!("Verdict(ok=False, code={:?})", e.code()),
        }
    }
}

/// A response that passed step 1 (and the TOTPu check of step 2).
#[pyclass(frozen, module = "sealwright.attendance")]
pub struct OpenedResponse {
    inner: core::validate::OpenedResponse,
}

#[pymethods]
impl OpenedResponse {
    /// The student who sent the response.
    #[getter]
    fn user_id(&self) -> &str {
        self.inner.user_id()
    }
    /// The class session id.
    #[getter]
    fn session_id(&self) -> &str {
        self.inner.session_id()
    }
    /// The round answered.
    #[getter]
    fn round(&self) -> u32 {
        self.inner.round()
    }
    /// The TOTP step of the student's code `TOTPu`.
    #[getter]
    fn totp_u_step(&self) -> u64 {
        self.inner.totp_u_step()
    }
    /// When the client says it sent the response (Unix ms).
    #[getter]
    fn client_sent_at_ms(&self) -> u64 {
        self.inner.client_sent_at_ms()
    }
    /// Steps 3 to 7 against the stored round `metadata` (or `None`) and the projection times.
    #[pyo3(signature = (server_secret, metadata, shown_at_ms, config=None))]
    fn check(
        &self,
        server_secret: &[u8],
        metadata: Option<&RoundMetadata>,
        shown_at_ms: Vec<u64>,
        config: Option<&Config>,
    ) -> SwResult<Verdict> {
        let v = self.inner.check(
            &key32(server_secret)?,
            metadata.map(|m| &m.inner),
            &shown_at_ms,
            &self::config(config),
        );
        Ok(Verdict {
            result: v.result,
            metadata: v.metadata,
        })
    }
    fn __repr__(&self) -> String {
        format!(
            "OpenedResponse(user_id={:?}, round={})",
            self.inner.user_id(),
            self.inner.round()
        )
    }
}

/// Validation steps 1 and 2 of a response (`dict` or JSON text) at `received_at_ms`.
#[pyfunction]
#[pyo3(signature = (keys, response, received_at_ms=None))]
fn open_response(
    keys: Option<&SessionKeys>,
    response: &Bound<'_, PyAny>,
    received_at_ms: Option<u64>,
) -> SwResult<OpenedResponse> {
    let env = core::ResponseEnvelope::from_json(&json_text(response)?)?;
    Ok(OpenedResponse {
        inner: core::validate::open_response(keys.map(|k| &k.inner), &env, now_or(received_at_ms))?,
    })
}

/// One projector frame.
#[pyclass(frozen, module = "sealwright.attendance")]
pub struct Frame {
    /// The student the shown payload is for.
    #[pyo3(get)]
    user_id: String,
    /// The payload's round.
    #[pyo3(get)]
    round: u32,
    /// The QR text to display during this frame.
    #[pyo3(get)]
    qr_text: String,
    /// How many frames have shown this payload, this one included.
    #[pyo3(get)]
    displays: u32,
    /// `(user_id, round)` of a payload crossing `MAX_DISPLAYS` for the first time.
    #[pyo3(get)]
    not_captured: Option<(String, u32)>,
}

impl From<core::projector::Frame> for Frame {
    fn from(f: core::projector::Frame) -> Self {
        Self {
            user_id: f.id.user_id,
            round: f.id.round,
            qr_text: f.qr_text,
            displays: f.displays,
            not_captured: f.not_captured.map(|id| (id.user_id, id.round)),
        }
    }
}

#[pymethods]
impl Frame {
    fn __repr__(&self) -> String {
        format!(
            "Frame(user_id={:?}, round={}, displays={})",
            self.user_id, self.round, self.displays
        )
    }
}

fn payload_id(user_id: &str, round: u32) -> core::projector::PayloadId {
    core::projector::PayloadId {
        user_id: user_id.to_owned(),
        round,
    }
}

/// The projector state machine: picks a live payload at random each frame.
#[pyclass(module = "sealwright.attendance")]
pub struct Projector {
    inner: core::Projector,
}

#[pymethods]
impl Projector {
    #[new]
    #[pyo3(signature = (max_displays=10))]
    fn py_new(max_displays: u32) -> Self {
        Self {
            inner: core::Projector::new(max_displays),
        }
    }
    /// Adds a live payload issued at `issued_at_ms` (a newer QR of a live one replaces it).
    fn insert(&mut self, user_id: &str, round: u32, qr_text: String, issued_at_ms: u64) {
        self.inner
            .insert(payload_id(user_id, round), qr_text, issued_at_ms);
    }
    /// Removes a payload; `True` if it was live.
    fn remove(&mut self, user_id: &str, round: u32) -> bool {
        self.inner.remove(&payload_id(user_id, round))
    }
    fn __len__(&self) -> usize {
        self.inner.len()
    }
    fn __contains__(&self, id: (String, u32)) -> bool {
        self.inner.contains(&payload_id(&id.0, id.1))
    }
    /// The next frame at `now_ms` (default now), or `None` when nothing is live.
    #[pyo3(signature = (now_ms=None))]
    fn next_frame(&mut self, now_ms: Option<u64>) -> Option<Frame> {
        self.inner
            .next_frame(now_or(now_ms), &mut os_rng())
            .map(Frame::from)
    }
    /// Shows a given payload at `now_ms` (default now).
    #[pyo3(signature = (user_id, round, now_ms=None))]
    fn show(&mut self, user_id: &str, round: u32, now_ms: Option<u64>) -> Option<Frame> {
        self.inner
            .show(&payload_id(user_id, round), now_or(now_ms))
            .map(Frame::from)
    }
    /// The server times this payload was shown at.
    fn shown_at(&self, user_id: &str, round: u32) -> Vec<u64> {
        self.inner.shown_at(&payload_id(user_id, round)).to_vec()
    }
    /// Display count of a live payload.
    fn displays(&self, user_id: &str, round: u32) -> Option<u32> {
        self.inner.displays(&payload_id(user_id, round))
    }
    fn __repr__(&self) -> String {
        format!("Projector(live={})", self.inner.len())
    }
}

fn pair(id: &core::projector::PayloadId) -> (String, u32) {
    (id.user_id.clone(), id.round)
}

/// A QR just issued for a student's round: hand it to the next `ClassSession.frame` (the
/// projector's inbox).
#[pyclass(frozen, module = "sealwright.attendance")]
#[derive(Clone)]
pub struct IssuedQr {
    inner: core::IssuedQr,
}

#[pymethods]
impl IssuedQr {
    /// The student the QR is for.
    #[getter]
    fn user_id(&self) -> &str {
        &self.inner.id.user_id
    }
    /// The round number.
    #[getter]
    fn round(&self) -> u32 {
        self.inner.id.round
    }
    /// The QR text to show.
    #[getter]
    fn qr_text(&self) -> &str {
        &self.inner.qr_text
    }
    /// When the round was issued (Unix ms).
    #[getter]
    fn issued_at_ms(&self) -> u64 {
        self.inner.issued_at_ms
    }
    fn __repr__(&self) -> String {
        format!(
            "IssuedQr(user_id={:?}, round={}, issued_at_ms={})",
            self.inner.id.user_id, self.inner.id.round, self.inner.issued_at_ms
        )
    }
}

/// The output of `ClassSession.frame`.
#[pyclass(frozen, module = "sealwright.attendance")]
pub struct Projection {
    /// What to show now, or `None`.
    #[pyo3(get)]
    frame: Option<Py<Frame>>,
    /// `(user_id, round)` of payloads dropped (answered, deleted or expired).
    #[pyo3(get)]
    removed: Vec<(String, u32)>,
    /// `(user_id, round)` of payloads too old to show: re-issue them (`ClassSession.issue`).
    #[pyo3(get)]
    stale: Vec<(String, u32)>,
}

#[pymethods]
impl Projection {
    fn __repr__(&self) -> String {
        format!(
            "Projection(frame={}, removed={}, stale={})",
            if self.frame.is_some() {
                "<Frame>"
            } else {
                "None"
            },
            self.removed.len(),
            self.stale.len()
        )
    }
}

/// The output of `ClassSession.validate`: the verdict for the envelope's student.
#[pyclass(frozen, module = "sealwright.attendance")]
pub struct Validation {
    /// The student who answered.
    #[pyo3(get)]
    user_id: String,
    /// The round answered when accepted.
    #[pyo3(get)]
    round: Option<u32>,
    /// The accepted round trip time (ms), when accepted.
    #[pyo3(get)]
    rt_ms: Option<u64>,
    /// The next round's QR (hand it to the next frame), if one was issued.
    #[pyo3(get)]
    next: Option<Py<IssuedQr>>,
    /// The score when the student finished.
    #[pyo3(get)]
    score: Option<Py<Score>>,
    error: Option<Error>,
}

#[pymethods]
impl Validation {
    /// `True` when the response was accepted.
    #[getter]
    fn ok(&self) -> bool {
        self.error.is_none()
    }
    /// The failed check's code, or `None`.
    #[getter]
    fn code(&self) -> Option<&'static str> {
        self.error.map(|e| e.code())
    }
    /// The failed check's exception instance, or `None`.
    #[getter]
    fn error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.error.map(|e| error_instance(py, e))
    }
    /// Raises the failed check's exception (no-op when accepted).
    fn raise_for_error(&self) -> SwResult<()> {
        match self.error {
            None => Ok(()),
            Some(e) => Err(SwErr::Core(e)),
        }
    }
    fn __repr__(&self) -> String {
        format!(
            "Validation(user_id={:?}, code={:?}, rt_ms={:?})",
            self.user_id,
            self.error.map(|e| e.code()),
            self.rt_ms
        )
    }
}

fn state_tuple(
    py: Python<'_>,
    state: Option<core::session::AttendanceState>,
) -> PyResult<Option<(&'static str, Py<PyAny>)>> {
    let Some(state) = state else {
        return Ok(None);
    };
    Ok(Some(match state {
        core::session::AttendanceState::InProgress { round } => {
            ("in_progress", round.into_py_any(py)?)
        }
        core::session::AttendanceState::Finished(s) => {
            ("finished", Py::new(py, Score::from(&s))?.into_any())
        }
        core::session::AttendanceState::Failed(e) => ("failed", e.code().into_py_any(py)?),
        core::session::AttendanceState::Closed { not_captured } => {
            ("closed", not_captured.into_py_any(py)?)
        }
    }))
}

/// One class session's server steps (spec §5 with the step contract of §0.2). It holds
/// configuration only: each step takes `load(key) -> bytes | None` (a store read) and returns
/// a `sealwright.Step` whose effects are one transaction; run it with
/// `sealwright.run_step(redis, lambda load: session.validate(response, load))`. A student's
/// steps write only `tag(userId)` keys, `frame` only the projector record.
#[pyclass(frozen, module = "sealwright.attendance")]
pub struct ClassSession {
    inner: core::ClassSession,
}

#[pymethods]
impl ClassSession {
    #[new]
    #[pyo3(signature = (session_id, server_secret, sealer, config=None))]
    fn py_new(
        session_id: &str,
        server_secret: &[u8],
        sealer: &StoreSealer,
        config: Option<&Config>,
    ) -> SwResult<Self> {
        Ok(Self {
            inner: core::ClassSession::new(
                session_id,
                key32(server_secret)?,
                sealer.inner.clone(),
                self::config(config),
            )?,
        })
    }
    /// The class session id.
    #[getter]
    fn session_id(&self) -> &str {
        self.inner.session_id()
    }
    /// The register step: `NotEnrolled` without the student's own enrollment record,
    /// `SessionInvalid` without a login, `InvalidState` if already registered; output: the
    /// round 1 `IssuedQr`.
    #[pyo3(signature = (user_id, load, now_ms=None))]
    fn register(
        &self,
        py: Python<'_>,
        user_id: &str,
        load: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<Step> {
        let step = with_loader(load, |load| {
            Ok(self
                .inner
                .register(user_id, load, now_or(now_ms), &mut os_rng())?)
        })?;
        let (qr, effects) = step.into_parts();
        Step::new(py, Py::new(py, IssuedQr { inner: qr })?.into_any(), effects)
    }
    /// The issue step: (re-)issues round `round` (attempts and RTs kept on a re-issue);
    /// output: the `IssuedQr`.
    #[pyo3(signature = (user_id, round, load, now_ms=None))]
    fn issue(
        &self,
        py: Python<'_>,
        user_id: &str,
        round: u32,
        load: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<Step> {
        let step = with_loader(load, |load| {
            Ok(self
                .inner
                .issue(user_id, round, load, now_or(now_ms), &mut os_rng())?)
        })?;
        let (qr, effects) = step.into_parts();
        Step::new(py, Py::new(py, IssuedQr { inner: qr })?.into_any(), effects)
    }
    /// The frame step: adds the `inbox` QRs, picks a fresh live payload at random, counts the
    /// display; output: a `Projection`. Only this step writes the projector record.
    #[pyo3(signature = (inbox, load, now_ms=None))]
    fn frame(
        &self,
        py: Python<'_>,
        inbox: Vec<PyRef<'_, IssuedQr>>,
        load: &Bound<'_, PyAny>,
        now_ms: Option<u64>,
    ) -> PyResult<Step> {
        let inbox: Vec<core::IssuedQr> = inbox.iter().map(|q| q.inner.clone()).collect();
        let step = with_loader(load, |load| {
            Ok(self
                .inner
                .frame(&inbox, load, now_or(now_ms), &mut os_rng())?)
        })?;
        let (p, effects) = step.into_parts();
        let frame = p.frame.map(|f| Py::new(py, Frame::from(f))).transpose()?;
        let output = Projection {
            frame,
            removed: p.removed.iter().map(pair).collect(),
            stale: p.stale.iter().map(pair).collect(),
        };
        Step::new(py, Py::new(py, output)?.into_any(), effects)
    }
    /// The validate step (checks 1 to 7 in the spec's order) for a response (`dict` or JSON
    /// text) received at `received_at_ms`; output: a `Validation` (a counted failure comes
    /// with effects too). `InvalidInput` for a malformed envelope.
    #[pyo3(signature = (response, load, received_at_ms=None))]
    fn validate(
        &self,
        py: Python<'_>,
        response: &Bound<'_, PyAny>,
        load: &Bound<'_, PyAny>,
        received_at_ms: Option<u64>,
    ) -> PyResult<Step> {
        let envelope =
            core::ResponseEnvelope::from_json(&json_text(response)?).map_err(SwErr::Core)?;
        let step = with_loader(load, |load| {
            Ok(self
                .inner
                .validate(&envelope, load, now_or(received_at_ms), &mut os_rng())?)
        })?;
        let (v, effects) = step.into_parts();
        let mut out = Validation {
            user_id: v.user_id,
            round: None,
            rt_ms: None,
            next: None,
            score: None,
            error: None,
        };
        match v.result {
            Ok(a) => {
                out.round = Some(a.round);
                out.rt_ms = Some(a.rt_ms);
                match a.progress {
                    core::session::Progress::NextRound(qr) => {
                        out.next = Some(Py::new(py, IssuedQr { inner: qr })?);
                    }
                    core::session::Progress::Finished(s) => {
                        out.score = Some(Py::new(py, Score::from(&s))?);
                    }
                }
            }
            Err(e) => out.error = Some(e),
        }
        Step::new(py, Py::new(py, out)?.into_any(), effects)
    }
    /// The close step for a student whose round is still open when the class ends; output:
    /// the result kind stored (`"not_captured"` or `"incomplete"`), or `None`.
    #[pyo3(signature = (user_id, round, not_captured, load))]
    fn close_student(
        &self,
        py: Python<'_>,
        user_id: &str,
        round: u32,
        not_captured: bool,
        load: &Bound<'_, PyAny>,
    ) -> PyResult<Step> {
        let step = with_loader(load, |load| {
            Ok(self
                .inner
                .close_student(user_id, round, not_captured, load, &mut os_rng())?)
        })?;
        let (result, effects) = step.into_parts();
        let kind = result.map(|r| match r.kind {
            core::session::ResultKind::NotCaptured => "not_captured",
            _ => "incomplete",
        });
        Step::new(py, kind.into_py_any(py)?, effects)
    }
    /// A student's state read through `load`: `("in_progress", round)`, `("finished", Score)`,
    /// `("failed", code)`, `("closed", not_captured)`, or `None`.
    fn state(
        &self,
        py: Python<'_>,
        user_id: &str,
        load: &Bound<'_, PyAny>,
    ) -> PyResult<Option<(&'static str, Py<PyAny>)>> {
        let state = with_loader(load, |load| Ok(self.inner.state(user_id, load)?))?;
        state_tuple(py, state)
    }
    fn __repr__(&self) -> String {
        format!(
            "ClassSession(session_id={:?}, secrets=<redacted>)",
            self.inner.session_id()
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Config>()?;
    m.add_class::<SessionKeys>()?;
    m.add_class::<ClientLogin>()?;
    m.add_class::<ServerLogin>()?;
    m.add_class::<EnrollmentRecord>()?;
    m.add_class::<Totp>()?;
    m.add_class::<Score>()?;
    m.add_class::<RoundMetadata>()?;
    m.add_class::<IssuedRound>()?;
    m.add_class::<QrPayload>()?;
    m.add_class::<Verdict>()?;
    m.add_class::<OpenedResponse>()?;
    m.add_class::<Frame>()?;
    m.add_class::<Projector>()?;
    m.add_class::<IssuedQr>()?;
    m.add_class::<Projection>()?;
    m.add_class::<Validation>()?;
    m.add_class::<ClassSession>()?;
    add_function(m, "attendance", wrap_pyfunction!(issue_login_nonce, m)?)?;
    add_function(m, "attendance", wrap_pyfunction!(login_challenge, m)?)?;
    add_function(m, "attendance", wrap_pyfunction!(server_login, m)?)?;
    add_function(m, "attendance", wrap_pyfunction!(login, m)?)?;
    #[cfg(feature = "test-utils")]
    add_function(m, "attendance", wrap_pyfunction!(round_secret, m)?)?;
    add_function(m, "attendance", wrap_pyfunction!(totp_s, m)?)?;
    add_function(m, "attendance", wrap_pyfunction!(score, m)?)?;
    add_function(m, "attendance", wrap_pyfunction!(issue_round, m)?)?;
    add_function(m, "attendance", wrap_pyfunction!(try_qr, m)?)?;
    add_function(m, "attendance", wrap_pyfunction!(respond, m)?)?;
    add_function(m, "attendance", wrap_pyfunction!(open_response, m)?)?;
    Ok(())
}
