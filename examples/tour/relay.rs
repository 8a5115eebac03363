//! Tour step: the relay protocol.

use crate::OsRng;

/// Walks the relay protocol end to end, printing each step.
pub fn run(_rng: &mut OsRng) -> Result<(), sealwright::Error> {
    println!("[relay] not built yet");
    Ok(())
}
