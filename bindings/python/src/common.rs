//! Shared conversions: OS RNG, default time, bytes and JSON.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyCFunction, PyString};
use std::borrow::Cow;
use std::convert::Infallible;

use chacha20::ChaCha20Rng;
use rand_core::{Rng, SeedableRng, TryCryptoRng, TryRng, UnwrapErr};

use crate::errors::{SwErr, SwResult};

/// The randomness of one call: ChaCha20 keyed by 32 bytes read from the OS (`getrandom`) when
/// the call starts. One system call serves a whole step (a handshake open + respond draws 9
/// values; 9 system calls, or reads of 256 bytes, were 2 to 4 µs of a 115 µs call: a read costs
/// about 0.4 µs here plus about 3 ns per byte). Every call site makes a new one (`&mut
/// os_rng()`), so no state outlives the call or survives into a forked process (a
/// thread-local userspace RNG would, in pre-forking Python servers). The generator zeroizes its
/// key and buffer when dropped.
pub struct OsRng(ChaCha20Rng);

impl OsRng {
    fn new() -> Self {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        UnwrapErr(getrandom::SysRng).fill_bytes(&mut seed[..]);
        OsRng(ChaCha20Rng::from_seed(*seed))
    }
}

impl TryRng for OsRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.0.next_u32())
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.0.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.0.fill_bytes(dst);
        Ok(())
    }
}

impl TryCryptoRng for OsRng {}

/// A new [`OsRng`] for one call.
#[cfg(not(feature = "test-utils"))]
pub fn os_rng() -> OsRng {
    OsRng::new()
}

#[cfg(feature = "test-utils")]
thread_local! {
    /// Bytes the next RNG of this thread returns first (vector replay builds only).
    static SCRIPT: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Test-utils builds only: the next RNG this thread creates returns `chunks` first, then the
/// OS RNG (the core's `ScriptedThen`), so vector replays can inject recorded random values.
/// Never compiled into a release wheel (cargo feature `test-utils`, off by default).
#[cfg(feature = "test-utils")]
pub fn os_rng() -> sealwright::rng::ScriptedThen<OsRng> {
    let chunks = SCRIPT.with(|s| std::mem::take(&mut *s.borrow_mut()));
    sealwright::rng::ScriptedThen::new(chunks, OsRng::new())
}

/// `sealwright._native._testing_script_next_rng(chunks)` (test-utils builds only).
#[cfg(feature = "test-utils")]
#[pyfunction(name = "_testing_script_next_rng")]
pub fn script_next_rng(chunks: Vec<Vec<u8>>) {
    SCRIPT.with(|s| *s.borrow_mut() = chunks);
}

/// Adds a protocol function to the native module as `<protocol>_<name>`, the attribute the
/// package module `sealwright.<protocol>` re-exports as `<name>`. The function itself keeps
/// its public name (`#[pyfunction]` on `fn <name>`) and gets `__module__ =
/// "sealwright.<protocol>"`, so `repr()`, `help()` and `pickle` show
/// `sealwright.vault.unlock`, never `vault_unlock`. (The flat native layout stays: two
/// protocols have a `login`, and the `.pyi` stub of one native module types them all.)
pub fn add_function(
    m: &Bound<'_, PyModule>,
    protocol: &str,
    function: Bound<'_, PyCFunction>,
) -> PyResult<()> {
    let name: String = function.getattr("__name__")?.extract()?;
    function.setattr("__module__", format!("sealwright.{protocol}"))?;
    m.add(format!("{protocol}_{name}"), function)
}

/// The value a caller's `load(key)` callable returned: `bytes` (or any byte sequence) or
/// `None`; anything else is a `TypeError` that names `load`.
pub fn loaded(value: &Bound<'_, PyAny>) -> PyResult<Option<Vec<u8>>> {
    value.extract::<Option<Vec<u8>>>().map_err(|_| {
        let type_name = value
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".into());
        PyTypeError::new_err(format!("load: must return bytes or None, not {type_name}"))
    })
}

/// `now_ms` or, when absent, the system clock in Unix milliseconds.
pub fn now_or(now_ms: Option<u64>) -> u64 {
    now_ms.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| u64::try_from(d.as_millis()).ok())
            .unwrap_or(0)
    })
}

/// A Python `bytes` copy of `b`.
pub fn bytes(py: Python<'_>, b: &[u8]) -> Py<PyBytes> {
    PyBytes::new(py, b).unbind()
}

static DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn json_fn<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyAny>>,
    name: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let f = cell.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("json")?.getattr(name)?.unbind())
    })?;
    Ok(f.bind(py).clone())
}

/// JSON text of a wire object given as `bytes` (UTF-8 JSON text, e.g. an HTTP body as
/// received: borrowed, not copied), a `str` (used as is) or any JSON-able Python value (`dict`);
/// bytes that are not UTF-8, or a value `json.dumps` refuses, are `INVALID_INPUT`.
pub fn json_text<'a>(obj: &'a Bound<'_, PyAny>) -> SwResult<Cow<'a, str>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return std::str::from_utf8(b.as_bytes())
            .map(Cow::Borrowed)
            .map_err(|_| SwErr::Core(sealwright::Error::InvalidInput));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Cow::Owned(s.extract::<String>()?));
    }
    let py = obj.py();
    let dumps = json_fn(py, &DUMPS, "dumps")?;
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item("separators", (",", ":"))?;
    kwargs.set_item("ensure_ascii", false)?;
    kwargs.set_item("allow_nan", false)?;
    match dumps.call((obj,), Some(&kwargs)) {
        Ok(text) => Ok(Cow::Owned(text.extract::<String>()?)),
        Err(_) => Err(SwErr::Core(sealwright::Error::InvalidInput)),
    }
}

/// The Python value (`dict`) of JSON text produced by the core.
pub fn json_value(py: Python<'_>, text: &str) -> SwResult<Py<PyAny>> {
    let loads = json_fn(py, &LOADS, "loads")?;
    Ok(loads.call1((text,))?.unbind())
}
