//! Store effects as small immutable Python objects (`op`, `key`, `value`, `ttl_seconds`).

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::common::{bytes, os_rng};
use crate::errors::SwResult;

/// One write to the caller's store; apply a list in order, in one transaction.
///
/// `op` is `"put"` (set `key` to `value`, expiring after `ttl_seconds` or never when `None`),
/// `"expire"` (set the expiry of `key` to `ttl_seconds`) or `"delete"` (remove `key`).
#[pyclass(frozen, eq, module = "sealwright")]
#[derive(Clone, PartialEq, Eq)]
pub struct Effect {
    op: &'static str,
    key: String,
    value: Option<Vec<u8>>,
    ttl_seconds: Option<u64>,
}

#[pymethods]
impl Effect {
    #[new]
    #[pyo3(signature = (op, key, value=None, ttl_seconds=None))]
    fn py_new(
        op: &str,
        key: String,
        value: Option<Vec<u8>>,
        ttl_seconds: Option<u64>,
    ) -> SwResult<Self> {
        let op = match (op, &value, ttl_seconds) {
            ("put", Some(_), _) => "put",
            ("expire", None, Some(_)) => "expire",
            ("delete", None, None) => "delete",
            // An op other than put (with value), expire (with ttl_seconds) or delete.
            _ => return Err(sealwright::Error::InvalidInput.into()),
        };
        Ok(Self {
            op,
            key,
            value,
            ttl_seconds,
        })
    }

    /// `"put"`, `"expire"` or `"delete"`.
    #[getter]
    fn op(&self) -> &'static str {
        self.op
    }

    /// The store key.
    #[getter]
    fn key(&self) -> &str {
        &self.key
    }

    /// The value to store (`put` only; already sealed where the spec says so).
    #[getter]
    fn value(&self, py: Python<'_>) -> Option<Py<PyBytes>> {
        self.value.as_deref().map(|v| bytes(py, v))
    }

    /// Time to live in seconds (`None`: no expiry for `put`; always set for `expire`).
    #[getter]
    fn ttl_seconds(&self) -> Option<u64> {
        self.ttl_seconds
    }

    fn __repr__(&self) -> String {
        // Values may be sealed records or envelopes: show only their length.
        let ttl = match self.ttl_seconds {
            Some(t) => t.to_string(),
            None => "None".to_owned(),
        };
        match &self.value {
            Some(v) => format!(
                "Effect(op={:?}, key={:?}, value=<{} bytes>, ttl_seconds={ttl})",
                self.op,
                self.key,
                v.len()
            ),
            None => format!(
                "Effect(op={:?}, key={:?}, ttl_seconds={ttl})",
                self.op, self.key
            ),
        }
    }
}

impl From<&sealwright::Effect> for Effect {
    fn from(e: &sealwright::Effect) -> Self {
        match e {
            sealwright::Effect::Put {
                key,
                value,
                ttl_seconds,
            } => Effect {
                op: "put",
                key: key.clone(),
                value: Some(value.clone()),
                ttl_seconds: *ttl_seconds,
            },
            sealwright::Effect::Expire { key, ttl_seconds } => Effect {
                op: "expire",
                key: key.clone(),
                value: None,
                ttl_seconds: Some(*ttl_seconds),
            },
            sealwright::Effect::Delete { key } => Effect {
                op: "delete",
                key: key.clone(),
                value: None,
                ttl_seconds: None,
            },
        }
    }
}

/// Converts a list of core effects.
pub fn effects(list: &[sealwright::Effect]) -> Vec<Effect> {
    list.iter().map(Effect::from).collect()
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
    m.add_class::<StoreSealer>()
}
