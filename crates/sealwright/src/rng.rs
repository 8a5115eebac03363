//! A scripted RNG for replaying test vectors (feature `test-utils`). Never use in production.

use alloc::vec::Vec;
use core::convert::Infallible;
use rand_core::{TryCryptoRng, TryRng};

/// Returns the given bytes in order, then zeros. Vector replay feeds the recorded random
/// values (nonces, ephemeral keys) through it so outputs can be recomputed byte for byte.
#[derive(Debug, Clone, Default)]
pub struct ScriptedRng {
    bytes: Vec<u8>,
    pos: usize,
}

impl ScriptedRng {
    /// An RNG that yields `chunks` concatenated.
    pub fn new<I: IntoIterator<Item = B>, B: AsRef<[u8]>>(chunks: I) -> Self {
        let mut bytes = Vec::new();
        for c in chunks {
            bytes.extend_from_slice(c.as_ref());
        }
        Self { bytes, pos: 0 }
    }

    /// Whether every scripted byte was consumed.
    pub fn is_exhausted(&self) -> bool {
        self.pos >= self.bytes.len()
    }
}

impl TryRng for ScriptedRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for d in dst.iter_mut() {
            *d = self.bytes.get(self.pos).copied().unwrap_or(0);
            self.pos = self.pos.saturating_add(1);
        }
        Ok(())
    }
}

impl TryCryptoRng for ScriptedRng {}

/// The given bytes first, then another RNG: for replays where only the protocol's own random
/// values are recorded and the rest (RSA blinding and padding, store-seal nonces) may be
/// anything. Never use in production.
#[derive(Debug, Clone)]
pub struct ScriptedThen<R> {
    script: ScriptedRng,
    rest: R,
}

impl<R: rand_core::CryptoRng> ScriptedThen<R> {
    /// `chunks` concatenated, then `rest`.
    pub fn new<I: IntoIterator<Item = B>, B: AsRef<[u8]>>(chunks: I, rest: R) -> Self {
        Self {
            script: ScriptedRng::new(chunks),
            rest,
        }
    }

    /// Whether every scripted byte was consumed.
    pub fn script_used(&self) -> bool {
        self.script.is_exhausted()
    }
}

impl<R: rand_core::CryptoRng> TryRng for ScriptedThen<R> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let scripted = self
            .script
            .bytes
            .len()
            .saturating_sub(self.script.pos)
            .min(dst.len());
        let (head, tail) = dst.split_at_mut(scripted);
        self.script.try_fill_bytes(head)?;
        self.rest.fill_bytes(tail);
        Ok(())
    }
}

impl<R: rand_core::CryptoRng> TryCryptoRng for ScriptedThen<R> {}
