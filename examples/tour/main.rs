//! A tour of sealwright: walks each protocol end to end and prints every step.
//!
//! Run it with `cargo run --example tour`. Randomness comes from the OS here, at the edge;
//! the core itself only ever receives an RNG and the time as arguments.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod attendance;
mod handshake;
mod relay;
mod shares;
mod vault;

use rand_core::UnwrapErr;

/// The OS RNG as the infallible `CryptoRng` the core takes.
pub type OsRng = UnwrapErr<getrandom::SysRng>;

/// Current Unix time in milliseconds (read here, at the edge, never in the core).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn main() -> Result<(), sealwright::Error> {
    let mut rng: OsRng = UnwrapErr(getrandom::SysRng);
    println!("sealwright tour: every protocol end to end\n");
    vault::run(&mut rng)?;
    shares::run(&mut rng)?;
    handshake::run(&mut rng)?;
    relay::run(&mut rng)?;
    attendance::run(&mut rng)?;
    println!("\ntour complete");
    Ok(())
}
