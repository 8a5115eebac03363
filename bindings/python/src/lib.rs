//! `sealwright._native`: the pyo3 extension module behind the `sealwright` Python package.
//!
//! This crate holds no protocol logic: every function converts Python values to the core's
//! types, calls `sealwright` and converts back. The pure-Python package in
//! `python/sealwright/` re-exports these names under one submodule per protocol.
//!
//! Conventions of this layer (and only this layer):
//! * randomness comes from the OS RNG: each call reads 32 bytes with `getrandom` and draws
//!   from ChaCha20 keyed by them (`common::os_rng`), so no generator state outlives a call;
//! * a missing `now_ms` argument means the system clock, in Unix milliseconds;
//! * every core [`sealwright::Error`] becomes an instance of its own exception class
//!   (`sealwright.DecryptionFailed`, ...), all subclasses of `sealwright.SealwrightError`, built
//!   at import from [`sealwright::Error::ALL`] so the list cannot drift;
//! * the slow secret-key work (Argon2, PBKDF2, RSA private-key operations) runs with the GIL
//!   released (`Python::detach`).

use pyo3::prelude::*;

mod attendance;
mod common;
mod effects;
mod errors;
mod handshake;
mod relay;
mod shares;
mod vault;

/// The module `sealwright._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    effects::register(m)?;
    relay::register(m)?;
    shares::register(m)?;
    vault::register(m)?;
    attendance::register(m)?;
    handshake::register(m)?;
    // Whether this build has the test-only functions (cargo feature `test-utils`): the RNG
    // script, caller-chosen nonces/IVs/salts and the accessors of raw secrets.
    m.add("TEST_UTILS", cfg!(feature = "test-utils"))?;
    #[cfg(feature = "test-utils")]
    m.add_function(wrap_pyfunction!(common::script_next_rng, m)?)?;
    Ok(())
}
