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
use sealwright::effect::Effect;

/// The OS RNG as the infallible `CryptoRng` the core takes.
pub type OsRng = UnwrapErr<getrandom::SysRng>;

/// Current Unix time in milliseconds (read here, at the edge, never in the core).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Prints a step's effects, one per line, the same way for every protocol: the operation's
/// spec name, the store when it is not the main one, the key, and only the *lengths* of
/// values (they are sealed records or envelopes).
pub fn print_effects(tag: &str, effects: &[Effect]) {
    for effect in effects {
        println!("[{tag}]      {effect:?}");
    }
}

/// Printed once, before the protocols: the spec's abbreviations that the steps use.
const GLOSSARY: &str = "\
Abbreviations (names from docs/PROTOCOLS.md):
  rid  a relay recipient's id, the RFC 7638 thumbprint of its RSA key (§1)
  jti  the unique id of one relay decryption request, kept 660 s against replay (§1)
  kid  the id of the server's current X25519 key; every answer rotates it (§2)
  P_c  the client's secp256k1 primary public key, bound to its deviceId (§2)
  AH   the vault's auth hash, sent at login instead of the master password (§4.2)
  RT   a round's response time, measured on the server's clock (§5)
  PRESENTE / PROBABLE_PRESENTE / DUDOSO / AUSENTE: the attendance labels of §5
       (Spanish: present / probably present / doubtful / absent), kept as the spec spells them
Effects print as `op { store, key, expected_len, value_len, ttl_seconds }` (§0.2); a
step's effects are committed as one transaction.
";

fn main() -> Result<(), sealwright::Error> {
    let mut rng: OsRng = UnwrapErr(getrandom::SysRng);
    println!("sealwright tour: the five protocols end to end, in the spec's order\n");
    println!("{GLOSSARY}");
    relay::run(&mut rng)?;
    handshake::run(&mut rng)?;
    shares::run(&mut rng)?;
    vault::run(&mut rng)?;
    attendance::run(&mut rng)?;
    println!("\ntour complete");
    Ok(())
}
