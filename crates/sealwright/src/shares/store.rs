//! Store records and keys of the shares protocol (spec §3 "Store keys", §0.2).
//!
//! * `sw:v1:shares:tag(address):current` (hot store): a [`SplitPointer`] `{generation, splitId}`.
//! * `sw:v1:shares:tag(address):<generation>:<hex(splitId)>:<i>`: share `i` of that split, a
//!   [`StoredShare`] (2 in the hot store, 3 in the cold store).
//!
//! `tag` is [`effect::tag`](crate::effect::tag) over the address as `"0x"` and 40 lowercase
//! hex digits (not the EIP-55 form), so every key of one wallet lives in one Redis Cluster
//! slot. Both records are [`StoredRecord`]s: sealed by the server's
//! [`StoreSealer`](crate::effect::StoreSealer) under their key.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::effect::{Effect, StepStore, StoreName, StoredRecord, tag};
use crate::encoding::{self, Reader, hex_encode};
use crate::error::{Error, Result};

use super::envelope::{ENVELOPE_LEN, EnvelopeParts};
use super::wallet::Address;

/// Length of a split id, in bytes (spec §3: fresh 16 random bytes per split).
pub const SPLIT_ID_LEN: usize = 16;

/// The pointer `{generation, splitId}` at `…:current` (hot store): the one split whose shares
/// are ever combined. Plaintext: `0x01 || u32be(generation) || splitId(16)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SplitPointer {
    /// The split's generation (0 at creation, `+1` per recovery).
    pub generation: u32,
    /// The split's 16 random bytes.
    pub split_id: [u8; SPLIT_ID_LEN],
}

impl fmt::Debug for SplitPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SplitPointer({}:{})",
            self.generation,
            hex_encode(&self.split_id)
        )
    }
}

impl StoredRecord for SplitPointer {
    const VERSION: u8 = 1;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&self.generation.to_be_bytes());
        out.extend_from_slice(&self.split_id);
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Self {
            generation: r.u32be()?,
            split_id: r.array()?,
        })
    }
}

/// A stored share envelope (share 2 or 3). Plaintext: `0x01 || the 83 decoded envelope bytes`.
/// The envelope is password-sealed; `Debug` still shows only that it exists.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredShare {
    envelope: String,
}

impl fmt::Debug for StoredShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StoredShare(REDACTED)")
    }
}

impl StoredShare {
    /// Wraps an envelope text (`INVALID_INPUT` unless it decodes to 83 bytes).
    pub fn new(envelope: String) -> Result<Self> {
        EnvelopeParts::decode(&envelope).map_err(|_| Error::InvalidInput)?;
        Ok(Self { envelope })
    }

    /// The envelope text.
    pub fn envelope(&self) -> &str {
        &self.envelope
    }

    /// The envelope text, owned.
    pub fn into_envelope(self) -> String {
        self.envelope
    }
}

impl StoredRecord for StoredShare {
    const VERSION: u8 = 1;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        let raw = encoding::b64_decode(&self.envelope).map_err(|_| Error::InvalidInput)?;
        if raw.len() != ENVELOPE_LEN {
            return Err(Error::InvalidInput);
        }
        out.extend_from_slice(&raw);
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        let raw: [u8; ENVELOPE_LEN] = r.array()?;
        Ok(Self {
            envelope: encoding::b64_encode(&raw),
        })
    }
}

/// `tag(address)` over `"0x"` and 40 lowercase hex digits (spec §0.2, §3).
pub fn wallet_tag(address: &Address) -> String {
    tag(&address.to_lowercase_hex())
}

/// `sw:v1:shares:tag(address):current` (hot store): the split pointer.
pub fn current_key(address: &Address) -> String {
    format!("sw:v1:shares:{}:current", wallet_tag(address))
}

/// `sw:v1:shares:tag(address):<generation>:<hex(splitId)>:<x>`: share `x` of `split`.
pub fn share_key(address: &Address, split: &SplitPointer, x: u8) -> String {
    format!(
        "sw:v1:shares:{}:{}:{}:{x}",
        wallet_tag(address),
        split.generation,
        hex_encode(&split.split_id)
    )
}

/// Store key of share 2 of `split` (hot store).
pub fn hot_key(address: &Address, split: &SplitPointer) -> String {
    share_key(address, split, 2)
}

/// Store key of share 3 of `split` (cold store).
pub fn cold_key(address: &Address, split: &SplitPointer) -> String {
    share_key(address, split, 3)
}

/// Commits a shares step to its two stores (spec §0.2, §3): the effects in order, each
/// maximal run of consecutive effects of one store as one transaction (`hot` takes
/// [`StoreName::Main`], `cold` [`StoreName::Cold`]). The shares steps order their effects so
/// that stopping after any run is safe. Stops at the first failed run and returns its error
/// (`CONFLICT` for a failed condition; the runs before it stay committed).
///
/// The pointer move ([`MovePending`](super::MovePending)) is one run: commit it once, never
/// again.
pub fn commit<H, C>(hot: &H, cold: &C, effects: &[Effect], now_ms: u64) -> Result<()>
where
    H: StepStore + ?Sized,
    C: StepStore + ?Sized,
{
    for run in effects.chunk_by(|a, b| a.store == b.store) {
        match run.first().map(|e| e.store) {
            Some(StoreName::Main) => hot.commit(run, now_ms)?,
            Some(StoreName::Cold) => cold.commit(run, now_ms)?,
            None => {}
        }
    }
    Ok(())
}
