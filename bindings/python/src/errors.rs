//! Python exceptions: `SealwrightError` and one subclass per spec §0.1 code, generated from
//! [`Error::ALL`].

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};
use sealwright::Error;
use std::ffi::CString;

/// The base class and the subclasses, the latter in the order of [`Error::ALL`].
struct Classes {
    base: Py<PyType>,
    by_code: Vec<Py<PyType>>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

/// `INVALID_INPUT` -> `InvalidInput`.
pub fn class_name(code: &str) -> String {
    code.split('_')
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn new_class(
    py: Python<'_>,
    name: &str,
    doc: &str,
    base: Option<&Bound<'_, PyType>>,
    code: Option<&str>,
) -> PyResult<Py<PyType>> {
    let qualified = CString::new(format!("sealwright.{name}"))
        .map_err(|_| PyRuntimeError::new_err("class name"))?;
    let doc = CString::new(doc).map_err(|_| PyRuntimeError::new_err("class doc"))?;
    let dict = PyDict::new(py);
    if let Some(code) = code {
        dict.set_item("code", code)?;
    }
    // `new_type` drops its `Py` argument before the C call reads it, so `dict` itself must
    // stay alive (it does: it is dropped at the end of this function) and a clone is passed.
    let class = PyErr::new_type(
        py,
        &qualified,
        Some(&doc),
        base,
        Some(dict.clone().into_any().unbind()),
    );
    drop(dict);
    class
}

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let exception = py.get_type::<pyo3::exceptions::PyException>();
        let base = new_class(
            py,
            "SealwrightError",
            "Base class of every sealwright error; `.code` is the stable code of spec §0.1.",
            Some(&exception),
            None,
        )?;
        let mut by_code = Vec::with_capacity(Error::ALL.len());
        for &error in Error::ALL {
            let doc = format!("`{}`: {}.", error.code(), error.message());
            by_code.push(new_class(
                py,
                &class_name(error.code()),
                &doc,
                Some(base.bind(py)),
                Some(error.code()),
            )?);
        }
        Ok::<_, PyErr>(Classes { base, by_code })
    })
}

/// Adds the exception classes and `ERROR_CODES` (`[(class name, code, message)]`) to `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let classes = classes(py)?;
    m.add("SealwrightError", classes.base.bind(py))?;
    let mut table = Vec::with_capacity(Error::ALL.len());
    for (error, class) in Error::ALL.iter().zip(classes.by_code.iter()) {
        let name = class_name(error.code());
        m.add(name.as_str(), class.bind(py))?;
        table.push((name, error.code(), error.message()));
    }
    m.add("ERROR_CODES", table)?;
    Ok(())
}

/// An error crossing into Python: a core error, a binding state error, or a Python error
/// (raised by a callback or a conversion) passed through unchanged.
pub enum SwErr {
    /// A core error: raised as its own subclass.
    Core(Error),
    /// `INVALID_STATE` with a message naming the expected step.
    State(String),
    /// A Python exception, passed through.
    Py(PyErr),
}

impl From<Error> for SwErr {
    fn from(e: Error) -> Self {
        SwErr::Core(e)
    }
}

impl From<PyErr> for SwErr {
    fn from(e: PyErr) -> Self {
        SwErr::Py(e)
    }
}

fn raise(py: Python<'_>, error: Error, message: String) -> PyErr {
    let position = Error::ALL.iter().position(|e| *e == error);
    match (classes(py), position) {
        (Ok(classes), Some(i)) => match classes.by_code.get(i) {
            Some(class) => PyErr::from_type(class.bind(py).clone(), (message,)),
            None => PyRuntimeError::new_err(message),
        },
        (Err(e), _) => e,
        (Ok(_), None) => PyRuntimeError::new_err(message),
    }
}

impl From<SwErr> for PyErr {
    fn from(e: SwErr) -> PyErr {
        match e {
            SwErr::Py(e) => e,
            SwErr::Core(error) => Python::attach(|py| raise(py, error, error.to_string())),
            SwErr::State(expected) => Python::attach(|py| {
                raise(
                    py,
                    Error::InvalidState,
                    format!("{}: {expected}", Error::InvalidState.code()),
                )
            }),
        }
    }
}

/// Result of every binding function.
pub type SwResult<T> = Result<T, SwErr>;

/// The exception instance of a core error (for results that report an error without raising).
pub fn error_instance(py: Python<'_>, error: Error) -> Py<PyAny> {
    raise(py, error, error.to_string())
        .into_value(py)
        .into_any()
}
