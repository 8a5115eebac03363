//! Tour step: the vault protocol.

use crate::OsRng;

/// Walks the vault protocol end to end, printing each step.
pub fn run(_rng: &mut OsRng) -> Result<(), sealwright::Error> {
    println!("[vault] not built yet");
    Ok(())
}
