//! Tour step: the attendance protocol.

use crate::OsRng;

/// Walks the attendance protocol end to end, printing each step.
pub fn run(_rng: &mut OsRng) -> Result<(), sealwright::Error> {
    println!("[attendance] not built yet");
    Ok(())
}
