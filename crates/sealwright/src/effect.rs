//! Store effects (spec §2.3): what a server-side operation asks its caller to write.
//!
//! The core never touches a store. Server functions return a `Vec<Effect>`; the caller applies
//! them in order to Redis, PostgreSQL or a map. Values that the spec says are stored sealed are
//! sealed with [`StoreSealer`] before they appear in an effect, so a store dump reveals no secret
//! and a value moved to another key does not open.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;

use crate::crypto;
use crate::encoding;
use crate::error::Result;
use crate::secret::{SecretKey32, SecretVec};

/// One write to the caller's store. Apply a list of effects in order.
#[derive(Clone, PartialEq, Eq)]
pub enum Effect {
    /// Set `key` to `value`, expiring after `ttl_seconds` (no expiry when `None`).
    Put {
        /// Store key.
        key: String,
        /// Value bytes (already sealed where the spec asks for it).
        value: Vec<u8>,
        /// Time to live in seconds.
        ttl_seconds: Option<u64>,
    },
    /// Change the expiry of an existing `key`.
    Expire {
        /// Store key.
        key: String,
        /// New time to live in seconds.
        ttl_seconds: u64,
    },
    /// Remove `key`.
    Delete {
        /// Store key.
        key: String,
    },
}

impl Effect {
    /// The key this effect touches.
    pub fn key(&self) -> &str {
        match self {
            Effect::Put { key, .. } | Effect::Expire { key, .. } | Effect::Delete { key } => key,
        }
    }
}

impl fmt::Debug for Effect {
    // Values may be sealed store records or envelopes: show only their length.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::Put {
                key,
                value,
                ttl_seconds,
            } => f
                .debug_struct("Put")
                .field("key", key)
                .field("value_len", &value.len())
                .field("ttl_seconds", ttl_seconds)
                .finish(),
            Effect::Expire { key, ttl_seconds } => f
                .debug_struct("Expire")
                .field("key", key)
                .field("ttl_seconds", ttl_seconds)
                .finish(),
            Effect::Delete { key } => f.debug_struct("Delete").field("key", key).finish(),
        }
    }
}

/// Seals store values under `K_store = HKDF("", storage secret, "sealwright/v1/store", 32)`
/// with AAD `"sealwright/v1/store" || lp(store key)` (spec §2.3).
#[derive(Clone)]
pub struct StoreSealer {
    store_key: SecretKey32,
}

impl fmt::Debug for StoreSealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StoreSealer(REDACTED)")
    }
}

impl StoreSealer {
    /// Derives `K_store` from the server's 32-byte storage secret.
    pub fn new(storage_secret: &SecretKey32) -> Result<Self> {
        Ok(Self {
            store_key: crypto::hkdf32(&[], storage_secret.expose(), b"sealwright/v1/store")?,
        })
    }

    fn aad(key: &str) -> Result<Vec<u8>> {
        encoding::concat_lp(b"sealwright/v1/store", &[key.as_bytes()])
    }

    /// `sealed(K_store, value, "sealwright/v1/store" || lp(key))`.
    pub fn seal<R: CryptoRng + ?Sized>(
        &self,
        key: &str,
        value: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>> {
        crypto::sealed(self.store_key.expose(), value, &Self::aad(key)?, rng)
    }

    /// Opens a value read from `key` (`DECRYPTION_FAILED` if it was sealed for another key).
    pub fn open(&self, key: &str, sealed: &[u8]) -> Result<SecretVec> {
        crypto::open(self.store_key.expose(), sealed, &Self::aad(key)?)
    }

    /// A sealed `Put` effect.
    pub fn put<R: CryptoRng + ?Sized>(
        &self,
        key: String,
        value: &[u8],
        ttl_seconds: Option<u64>,
        rng: &mut R,
    ) -> Result<Effect> {
        let value = self.seal(&key, value, rng)?;
        Ok(Effect::Put {
            key,
            value,
            ttl_seconds,
        })
    }
}

/// An in-memory store with expiry, for tests, examples and single-process servers.
///
/// Time is passed in like everywhere in the core.
#[derive(Clone, Default)]
pub struct MemoryStore {
    entries: BTreeMap<String, (Vec<u8>, Option<u64>)>,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("keys", &self.entries.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one effect at `now_ms`.
    pub fn apply(&mut self, effect: &Effect, now_ms: u64) {
        let expiry = |ttl: u64| now_ms.saturating_add(ttl.saturating_mul(1000));
        match effect {
            Effect::Put {
                key,
                value,
                ttl_seconds,
            } => {
                self.entries
                    .insert(key.clone(), (value.clone(), ttl_seconds.map(expiry)));
            }
            Effect::Expire { key, ttl_seconds } => {
                if let Some(entry) = self.entries.get_mut(key) {
                    entry.1 = Some(expiry(*ttl_seconds));
                }
            }
            Effect::Delete { key } => {
                self.entries.remove(key);
            }
        }
    }

    /// Applies effects in order.
    pub fn apply_all(&mut self, effects: &[Effect], now_ms: u64) {
        for e in effects {
            self.apply(e, now_ms);
        }
    }

    /// The live value of `key` at `now_ms`.
    pub fn get(&self, key: &str, now_ms: u64) -> Option<&[u8]> {
        match self.entries.get(key) {
            Some((value, expires)) if expires.is_none_or(|at| now_ms < at) => Some(value),
            _ => None,
        }
    }

    /// Number of entries (live or not yet purged).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretBytes;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn sealed_value_does_not_open_under_another_key() {
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        let sealer = StoreSealer::new(&SecretBytes::new([5; 32])).unwrap();
        let v = sealer.seal("sw:v1:hs:eph:a", b"secret", &mut rng).unwrap();
        assert_eq!(
            sealer.open("sw:v1:hs:eph:a", &v).unwrap().expose(),
            b"secret"
        );
        assert!(sealer.open("sw:v1:hs:eph:b", &v).is_err());
    }

    #[test]
    fn memory_store_expires() {
        let mut s = MemoryStore::new();
        s.apply(
            &Effect::Put {
                key: "k".into(),
                value: alloc::vec![1],
                ttl_seconds: Some(2),
            },
            1000,
        );
        assert_eq!(s.get("k", 2999), Some(&[1u8][..]));
        assert_eq!(s.get("k", 3000), None);
        s.apply(
            &Effect::Expire {
                key: "k".into(),
                ttl_seconds: 10,
            },
            2000,
        );
        assert!(s.get("k", 3000).is_some());
        s.apply(&Effect::Delete { key: "k".into() }, 2000);
        assert!(s.is_empty());
    }
}
