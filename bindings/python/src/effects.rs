//! Store effects as small immutable Python objects (`op`, `key`, `value`, `expected`,
//! `ttl_seconds`, `store`) and the `Step` every server step returns (spec §0.2).

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

use crate::common::{bytes, os_rng};
use crate::errors::SwResult;
use sealwright::effect::{Op, StoreName};

/// One effect of a server step on the caller's store (spec §0.2). A step's effects are one
/// transaction: every condition first, then all writes, or none (`sealwright.apply_effects`).
///
/// `op` is one of `"put"`, `"put_if_absent"`, `"put_if_equal"`, `"delete_if_equal"`,
/// `"require_equal"` (a condition alone), `"expire"`, `"delete"`. `value` is set for the three
/// puts, `expected` for the `*_equal` ops, `ttl_seconds` for puts (`None`: no expiry) and
/// `expire`; `store` is `"main"` or, for the shares protocol's cold store, `"cold"`.
#[pyclass(frozen, eq, module = "sealwright")]
#[derive(Clone, PartialEq, Eq)]
pub struct Effect {
    pub inner: sealwright::Effect,
}

fn store_name(store: &str) -> SwResult<StoreName> {
    match store {
        "main" => Ok(StoreName::Main),
        "cold" => Ok(StoreName::Cold),
        _ => Err(sealwright::Error::InvalidInput.into()),
    }
}

#[pymethods]
impl Effect {
    #[new]
    #[pyo3(signature = (op, key, value=None, ttl_seconds=None, expected=None, store="main"))]
    fn py_new(
        op: &str,
        key: String,
        value: Option<Vec<u8>>,
        ttl_seconds: Option<u64>,
        expected: Option<Vec<u8>>,
        store: &str,
    ) -> SwResult<Self> {
        let op = match (op, value, expected) {
            ("put", Some(value), None) => Op::Put { value, ttl_seconds },
            ("put_if_absent", Some(value), None) => Op::PutIfAbsent { value, ttl_seconds },
            ("put_if_equal", Some(value), Some(expected)) => Op::PutIfEqual {
                expected,
                value,
                ttl_seconds,
            },
            ("delete_if_equal", None, Some(expected)) if ttl_seconds.is_none() => {
                Op::DeleteIfEqual { expected }
            }
            ("require_equal", None, Some(expected)) if ttl_seconds.is_none() => {
                Op::RequireEqual { expected }
            }
            ("expire", None, None) => Op::Expire {
                ttl_seconds: ttl_seconds.ok_or(sealwright::Error::InvalidInput)?,
            },
            ("delete", None, None) if ttl_seconds.is_none() => Op::Delete,
            // An unknown op, or fields that do not belong to it.
            _ => return Err(sealwright::Error::InvalidInput.into()),
        };
        Ok(Self {
            inner: sealwright::Effect {
                store: store_name(store)?,
                key,
                op,
            },
        })
    }

    /// The operation's name (spec §0.2), e.g. `"put_if_equal"`.
    #[getter]
    fn op(&self) -> &'static str {
        self.inner.op.name()
    }

    /// The store key.
    #[getter]
    fn key(&self) -> &str {
        &self.inner.key
    }

    /// The value to store (the puts only; sealed).
    #[getter]
    fn value(&self, py: Python<'_>) -> Option<Py<PyBytes>> {
        self.inner.value().map(|v| bytes(py, v))
    }

    /// The bytes the key must hold (`put_if_equal`, `delete_if_equal`, `require_equal`).
    #[getter]
    fn expected(&self, py: Python<'_>) -> Option<Py<PyBytes>> {
        self.inner.expected().map(|v| bytes(py, v))
    }

    /// Time to live in seconds (`None`: no expiry for the puts; always set for `expire`).
    #[getter]
    fn ttl_seconds(&self) -> Option<u64> {
        self.inner.ttl_seconds()
    }

    /// `"main"` or `"cold"`.
    #[getter]
    fn store(&self) -> &'static str {
        self.inner.store.as_str()
    }

    /// Whether the effect carries a condition.
    #[getter]
    fn conditional(&self) -> bool {
        self.inner.is_conditional()
    }

    fn __repr__(&self) -> String {
        // Values may be sealed records or envelopes: show only their lengths.
        let mut out = format!("Effect(op={:?}, key={:?}", self.op(), self.inner.key);
        if let Some(e) = self.inner.expected() {
            out.push_str(&format!(", expected=<{} bytes>", e.len()));
        }
        if let Some(v) = self.inner.value() {
            out.push_str(&format!(", value=<{} bytes>", v.len()));
        }
        if let Some(t) = self.inner.ttl_seconds() {
            out.push_str(&format!(", ttl_seconds={t}"));
        }
        if self.inner.store != StoreName::Main {
            out.push_str(&format!(", store={:?}", self.store()));
        }
        out.push(')');
        out
    }
}

impl From<sealwright::Effect> for Effect {
    fn from(inner: sealwright::Effect) -> Self {
        Effect { inner }
    }
}

/// The result of a server step (spec §0.2): `output` and the `effects` to commit as one
/// transaction. Unpacks as `output, effects = step`.
#[pyclass(frozen, module = "sealwright")]
pub struct Step {
    output: Py<PyAny>,
    // Built once, by moving the core's effects (no copy of their values); `effects` and
    // unpacking hand out new lists of these same immutable objects.
    effects: Vec<Py<Effect>>,
}

impl Step {
    /// A step from its Python output and the core's effects.
    pub fn new(
        py: Python<'_>,
        output: Py<PyAny>,
        effects: impl IntoIterator<Item = sealwright::Effect>,
    ) -> PyResult<Self> {
        let effects = effects
            .into_iter()
            .map(|e| Py::new(py, Effect::from(e)))
            .collect::<PyResult<_>>()?;
        Ok(Self { output, effects })
    }

    fn effect_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.effects.iter().map(|e| e.clone_ref(py)))
    }
}

#[pymethods]
impl Step {
    /// What the step produced.
    #[getter]
    fn output(&self, py: Python<'_>) -> Py<PyAny> {
        self.output.clone_ref(py)
    }

    /// The effects, in order, to commit atomically (`sealwright.apply_effects`); a new list
    /// on every access.
    #[getter]
    fn effects<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.effect_list(py)
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pair = PyTuple::new(
            py,
            [
                self.output.bind(py).clone(),
                self.effect_list(py)?.into_any(),
            ],
        )?;
        Ok(pair.try_iter()?.into_any())
    }

    fn __repr__(&self) -> String {
        format!("Step(effects={})", self.effects.len())
    }
}

/// The server's store sealer (spec §2.3): `K_store` derived from the 32-byte storage secret,
/// held in Rust. Every stored value of the handshake, shares and attendance servers is sealed
/// with it, bound to its store key.
#[pyclass(frozen, module = "sealwright")]
pub struct StoreSealer {
    pub inner: sealwright::effect::StoreSealer,
}

#[pymethods]
impl StoreSealer {
    /// Derives `K_store` from the server's 32-byte storage secret.
    #[new]
    fn py_new(storage_secret: &[u8]) -> SwResult<Self> {
        let secret = sealwright::SecretKey32::from_slice(storage_secret)?;
        Ok(Self {
            inner: sealwright::effect::StoreSealer::new(&secret)?,
        })
    }

    /// `sealed(K_store, value, "sealwright/v1/store" || lp(key))`.
    fn seal(&self, py: Python<'_>, key: &str, value: &[u8]) -> SwResult<Py<PyBytes>> {
        Ok(bytes(py, &self.inner.seal(key, value, &mut os_rng())?))
    }

    /// Opens a value read from `key` (`DECRYPTION_FAILED` if it was sealed for another key).
    /// Test builds only (feature `test-utils`): the protocol functions open their own stored
    /// values, so a shipped wheel never hands out a stored plaintext.
    #[cfg(feature = "test-utils")]
    fn open(&self, py: Python<'_>, key: &str, sealed: &[u8]) -> SwResult<Py<PyBytes>> {
        Ok(bytes(py, self.inner.open(key, sealed)?.expose()))
    }

    fn __repr__(&self) -> &'static str {
        "StoreSealer(key=<redacted>)"
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Effect>()?;
    m.add_class::<Step>()?;
    m.add_class::<StoreSealer>()
}
