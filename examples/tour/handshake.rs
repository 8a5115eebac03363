//! Tour step: the handshake protocol.

use crate::OsRng;

/// Walks the handshake protocol end to end, printing each step.
pub fn run(_rng: &mut OsRng) -> Result<(), sealwright::Error> {
    println!("[handshake] not built yet");
    Ok(())
}
