//! Tour step: the shares protocol.

use crate::OsRng;

/// Walks the shares protocol end to end, printing each step.
pub fn run(_rng: &mut OsRng) -> Result<(), sealwright::Error> {
    println!("[shares] not built yet");
    Ok(())
}
