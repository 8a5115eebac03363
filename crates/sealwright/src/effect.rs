//! Server steps and their store effects (spec §0.2): one contract for every protocol.
//!
//! A server-side operation is a **step**: the caller loads the records the step names, runs it
//! with the time and an RNG, and gets a [`Step`]: the step's output plus an ordered list of
//! [`Effect`]s. The effects of one step are one transaction: every condition
//! ([`Op::PutIfAbsent`], [`Op::PutIfEqual`], [`Op::DeleteIfEqual`], [`Op::RequireEqual`]) is
//! checked first, then all writes are applied, or none. A failed condition means another
//! writer came first: load again and run the step again ([`run_step`] does this up to
//! [`MAX_RUNS`] times and then answers `CONFLICT`).
//!
//! ```text
//!   caller                         core (pure)                     store
//!   load(step's keys)  ───────────────────────────────────────────▶ GET ...
//!   step(records, now, rng) ─────▶ Step { output, effects }
//!   commit(effects)  ─────────────────────────────────────────────▶ one transaction
//!        └─ condition failed ─▶ reload and rerun (at most 3 runs), then CONFLICT
//! ```
//!
//! Every stored value is sealed by a [`StoreSealer`] (spec §0.2, "Sealed store values"):
//! `key_id || sealed(K_store[key_id], value, "sealwright/v1/store" || lp(store key))`, so a
//! store dump reveals nothing, a value moved to another key does not open, and storage secrets
//! rotate. Records implement [`StoredRecord`]: one verb set (`to_bytes`/`from_bytes` for the
//! plaintext with its version byte, `seal`/`open` for the stored value, `put`/`put_if_absent`/
//! `put_if_equal` for effects) for every protocol. Store keys carry a Redis Cluster hash tag
//! [`tag`] so that every key one step touches lives in one slot.
//!
//! [`MemoryStore`] is a thread-safe in-memory store that commits a step atomically (one lock),
//! for tests, examples and single-process servers.
//!
//! ```
//! use sealwright::effect::{Effect, MemoryStore, run_step, Step};
//! let store = MemoryStore::new();
//! // A step that creates a counter once: a second creation fails its condition.
//! let first = store.commit(&[Effect::put_if_absent("sw:v1:demo", b"1".to_vec(), None)], 0);
//! assert!(first.is_ok());
//! let again = store.commit(&[Effect::put_if_absent("sw:v1:demo", b"2".to_vec(), None)], 0);
//! assert_eq!(again, Err(sealwright::Error::Conflict));
//!
//! // The retry helper: load, step, commit; rerun on a failed condition, at most three runs.
//! let out = run_step(&store, 0, |load| {
//!     let old = load("sw:v1:demo");
//!     let next = [old.as_deref().unwrap_or(b"0"), b"+1"].concat();
//!     let effect = match old {
//!         Some(old) => Effect::put_if_equal("sw:v1:demo", old, next.clone(), None),
//!         None => Effect::put_if_absent("sw:v1:demo", next.clone(), None),
//!     };
//!     Ok(Step::new(next, vec![effect]))
//! })?;
//! assert_eq!(out, b"1+1");
//! # Ok::<(), sealwright::Error>(())
//! ```

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use std::sync::{Mutex, MutexGuard};

use crate::crypto;
use crate::encoding::{self, Reader, hex_encode};
use crate::error::{Error, Result};
use crate::secret::{SecretKey32, SecretVec};

/// How many times [`run_step`] runs a step before it answers `CONFLICT` (spec §0.2).
pub const MAX_RUNS: usize = 3;

/// Which of the server's stores an effect is for. Every protocol keeps its records in
/// [`StoreName::Main`]; the shares protocol also writes share 3 to [`StoreName::Cold`], a store
/// that shares no transaction with the main (hot) one (spec §3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StoreName {
    /// The server's store (for shares: the hot store).
    #[default]
    Main,
    /// The shares protocol's cold store.
    Cold,
}

impl StoreName {
    /// `"main"` or `"cold"`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            StoreName::Main => "main",
            StoreName::Cold => "cold",
        }
    }
}

/// What an [`Effect`] does to its key (spec §0.2).
#[derive(Clone, PartialEq, Eq)]
pub enum Op {
    /// `put(key, value, ttl)`: set the value and TTL (`None`: no expiry, clearing any).
    Put {
        /// Value bytes (sealed).
        value: Vec<u8>,
        /// Time to live in seconds.
        ttl_seconds: Option<u64>,
    },
    /// `put_if_absent(key, value, ttl)`: `put`, on condition that `key` holds no value.
    PutIfAbsent {
        /// Value bytes (sealed).
        value: Vec<u8>,
        /// Time to live in seconds.
        ttl_seconds: Option<u64>,
    },
    /// `put_if_equal(key, expected, value, ttl)`: `put`, on condition that `key` holds exactly
    /// `expected`.
    PutIfEqual {
        /// The bytes `key` must hold.
        expected: Vec<u8>,
        /// Value bytes (sealed).
        value: Vec<u8>,
        /// Time to live in seconds.
        ttl_seconds: Option<u64>,
    },
    /// `delete_if_equal(key, expected)`: delete, on condition that `key` holds `expected`.
    DeleteIfEqual {
        /// The bytes `key` must hold.
        expected: Vec<u8>,
    },
    /// `require_equal(key, expected)`: a condition alone; writes nothing.
    RequireEqual {
        /// The bytes `key` must hold.
        expected: Vec<u8>,
    },
    /// `expire(key, ttl)`: change the expiry of an existing key (unconditional).
    Expire {
        /// New time to live in seconds.
        ttl_seconds: u64,
    },
    /// `delete(key)` (unconditional).
    Delete,
}

impl Op {
    /// The spec's name of the operation: `"put"`, `"put_if_absent"`, `"put_if_equal"`,
    /// `"delete_if_equal"`, `"require_equal"`, `"expire"` or `"delete"`.
    pub const fn name(&self) -> &'static str {
        match self {
            Op::Put { .. } => "put",
            Op::PutIfAbsent { .. } => "put_if_absent",
            Op::PutIfEqual { .. } => "put_if_equal",
            Op::DeleteIfEqual { .. } => "delete_if_equal",
            Op::RequireEqual { .. } => "require_equal",
            Op::Expire { .. } => "expire",
            Op::Delete => "delete",
        }
    }
}

/// One effect of a step on the caller's store (spec §0.2).
#[derive(Clone, PartialEq, Eq)]
pub struct Effect {
    /// The store the effect is for.
    pub store: StoreName,
    /// The store key.
    pub key: String,
    /// What to do.
    pub op: Op,
}

impl Effect {
    /// `put(key, value, ttl)` in the main store.
    pub fn put(key: impl Into<String>, value: Vec<u8>, ttl_seconds: Option<u64>) -> Self {
        Self::main(key, Op::Put { value, ttl_seconds })
    }

    /// `put_if_absent(key, value, ttl)` in the main store.
    pub fn put_if_absent(key: impl Into<String>, value: Vec<u8>, ttl_seconds: Option<u64>) -> Self {
        Self::main(key, Op::PutIfAbsent { value, ttl_seconds })
    }

    /// `put_if_equal(key, expected, value, ttl)` in the main store.
    pub fn put_if_equal(
        key: impl Into<String>,
        expected: Vec<u8>,
        value: Vec<u8>,
        ttl_seconds: Option<u64>,
    ) -> Self {
        Self::main(
            key,
            Op::PutIfEqual {
                expected,
                value,
                ttl_seconds,
            },
        )
    }

    /// `delete_if_equal(key, expected)` in the main store.
    pub fn delete_if_equal(key: impl Into<String>, expected: Vec<u8>) -> Self {
        Self::main(key, Op::DeleteIfEqual { expected })
    }

    /// `require_equal(key, expected)` in the main store.
    pub fn require_equal(key: impl Into<String>, expected: Vec<u8>) -> Self {
        Self::main(key, Op::RequireEqual { expected })
    }

    /// `expire(key, ttl)` in the main store.
    pub fn expire(key: impl Into<String>, ttl_seconds: u64) -> Self {
        Self::main(key, Op::Expire { ttl_seconds })
    }

    /// `delete(key)` in the main store.
    pub fn delete(key: impl Into<String>) -> Self {
        Self::main(key, Op::Delete)
    }

    fn main(key: impl Into<String>, op: Op) -> Self {
        Self {
            store: StoreName::Main,
            key: key.into(),
            op,
        }
    }

    /// The same effect for another store.
    #[must_use]
    pub fn in_store(mut self, store: StoreName) -> Self {
        self.store = store;
        self
    }

    /// The key this effect touches.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The value the effect writes, if it writes one.
    pub fn value(&self) -> Option<&[u8]> {
        match &self.op {
            Op::Put { value, .. }
            | Op::PutIfAbsent { value, .. }
            | Op::PutIfEqual { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The bytes the key must hold for the effect to apply, if it has that condition.
    pub fn expected(&self) -> Option<&[u8]> {
        match &self.op {
            Op::PutIfEqual { expected, .. }
            | Op::DeleteIfEqual { expected }
            | Op::RequireEqual { expected } => Some(expected),
            _ => None,
        }
    }

    /// The TTL the effect sets, if any.
    pub fn ttl_seconds(&self) -> Option<u64> {
        match &self.op {
            Op::Put { ttl_seconds, .. }
            | Op::PutIfAbsent { ttl_seconds, .. }
            | Op::PutIfEqual { ttl_seconds, .. } => *ttl_seconds,
            Op::Expire { ttl_seconds } => Some(*ttl_seconds),
            _ => None,
        }
    }

    /// Whether the effect carries a condition.
    pub fn is_conditional(&self) -> bool {
        matches!(
            self.op,
            Op::PutIfAbsent { .. }
                | Op::PutIfEqual { .. }
                | Op::DeleteIfEqual { .. }
                | Op::RequireEqual { .. }
        )
    }
}

impl fmt::Debug for Effect {
    // Values may be sealed store records or envelopes: show only their lengths.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct(self.op.name());
        if self.store != StoreName::Main {
            d.field("store", &self.store);
        }
        d.field("key", &self.key);
        if let Some(e) = self.expected() {
            d.field("expected_len", &e.len());
        }
        if let Some(v) = self.value() {
            d.field("value_len", &v.len());
        }
        if let Some(t) = self.ttl_seconds() {
            d.field("ttl_seconds", &t);
        }
        d.finish()
    }
}

/// The result of a server step: its output and the effects to commit as one transaction
/// (spec §0.2). Every protocol's server steps return this one shape.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a step's effects must be committed"]
pub struct Step<T> {
    /// What the step produced (a response, a verdict, a record).
    pub output: T,
    /// The effects, in order, to apply atomically.
    pub effects: Vec<Effect>,
}

impl<T> Step<T> {
    /// A step with `output` and `effects`.
    pub fn new(output: T, effects: Vec<Effect>) -> Self {
        Self { output, effects }
    }

    /// A step that writes nothing.
    pub fn pure(output: T) -> Self {
        Self::new(output, Vec::new())
    }

    /// The same effects with another output.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Step<U> {
        Step {
            output: f(self.output),
            effects: self.effects,
        }
    }

    /// `(output, effects)`.
    pub fn into_parts(self) -> (T, Vec<Effect>) {
        (self.output, self.effects)
    }

    /// The effects for one store, in order.
    pub fn effects_for(&self, store: StoreName) -> Vec<Effect> {
        self.effects
            .iter()
            .filter(|e| e.store == store)
            .cloned()
            .collect()
    }
}

/// `tag(x) = "{" || first 32 characters of hex(SHA-256(x)) || "}"` (spec §0.2): the Redis
/// Cluster hash tag that keeps every key of one step in one slot without revealing `x`.
///
/// ```
/// let t = sealwright::effect::tag("device-1");
/// assert_eq!(t.len(), 34);
/// assert!(t.starts_with('{') && t.ends_with('}'));
/// ```
pub fn tag(x: &str) -> String {
    let digest = Sha256::digest(x.as_bytes());
    let mut out = String::with_capacity(34);
    out.push('{');
    out.push_str(&hex_encode(digest.get(..16).unwrap_or_default()));
    out.push('}');
    out
}

/// The hash tag a store key carries (the text between its first `{` and the next `}`), if any.
pub fn key_tag(key: &str) -> Option<&str> {
    let start = key.find('{')?;
    let rest = key.get(start..)?;
    let end = rest.find('}')?;
    rest.get(..=end)
}

/// Seals and opens stored values (spec §0.2): a current key id and storage secret to seal
/// with, plus older ones still accepted when opening, so storage secrets rotate.
///
/// `K_store[id] = HKDF("", storage secret[id], "sealwright/v1/store", 32)`; a stored value is
/// `id || sealed(K_store[id], value, "sealwright/v1/store" || lp(store key))`.
#[derive(Clone)]
pub struct StoreSealer {
    current: u8,
    keys: Vec<(u8, SecretKey32)>,
}

impl fmt::Debug for StoreSealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<u8> = self.keys.iter().map(|(id, _)| *id).collect();
        f.debug_struct("StoreSealer")
            .field("current_key_id", &self.current)
            .field("key_ids", &ids)
            .field("keys", &"REDACTED")
            .finish()
    }
}

impl StoreSealer {
    /// A sealer with one storage secret under key id 0 (the id test vectors use).
    pub fn new(storage_secret: &SecretKey32) -> Result<Self> {
        Self::with_key_id(0, storage_secret)
    }

    /// A sealer that seals under `key_id`.
    pub fn with_key_id(key_id: u8, storage_secret: &SecretKey32) -> Result<Self> {
        Ok(Self {
            current: key_id,
            keys: alloc::vec![(key_id, Self::derive(storage_secret)?)],
        })
    }

    /// The same sealer, also opening values sealed under an older `key_id` (rotation).
    /// `INVALID_INPUT` if the id is already held.
    pub fn with_older_key(mut self, key_id: u8, storage_secret: &SecretKey32) -> Result<Self> {
        if self.keys.iter().any(|(id, _)| *id == key_id) {
            return Err(Error::InvalidInput);
        }
        self.keys.push((key_id, Self::derive(storage_secret)?));
        Ok(self)
    }

    /// The key id new values are sealed under.
    pub fn current_key_id(&self) -> u8 {
        self.current
    }

    fn derive(storage_secret: &SecretKey32) -> Result<SecretKey32> {
        crypto::hkdf32(&[], storage_secret.expose(), b"sealwright/v1/store")
    }

    fn key(&self, id: u8) -> Result<&SecretKey32> {
        self.keys
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, key)| key)
            .ok_or(Error::DecryptionFailed)
    }

    fn aad(key: &str) -> Result<Vec<u8>> {
        encoding::concat_lp(b"sealwright/v1/store", &[key.as_bytes()])
    }

    /// `id || sealed(K_store[id], value, "sealwright/v1/store" || lp(key))` with the current id.
    pub fn seal<R: CryptoRng + ?Sized>(
        &self,
        key: &str,
        value: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>> {
        let sealed = crypto::sealed(
            self.key(self.current)?.expose(),
            value,
            &Self::aad(key)?,
            rng,
        )?;
        let mut out = Vec::with_capacity(1 + sealed.len());
        out.push(self.current);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// A `put(key, sealed value, ttl)` effect.
    pub fn put<R: CryptoRng + ?Sized>(
        &self,
        key: String,
        value: &[u8],
        ttl_seconds: Option<u64>,
        rng: &mut R,
    ) -> Result<Effect> {
        let value = self.seal(&key, value, rng)?;
        Ok(Effect::put(key, value, ttl_seconds))
    }

    /// Opens a value read from `key`: `DECRYPTION_FAILED` for an unknown key id, a value
    /// sealed for another key, or tampered bytes.
    pub fn open(&self, key: &str, stored: &[u8]) -> Result<SecretVec> {
        let (id, sealed) = stored.split_first().ok_or(Error::DecryptionFailed)?;
        crypto::open(self.key(*id)?.expose(), sealed, &Self::aad(key)?)
    }
}

/// A record kept in a server store (spec §0.2): a plaintext that starts with a format version
/// byte, sealed by a [`StoreSealer`] under its store key. One verb set for every protocol:
/// [`to_bytes`](StoredRecord::to_bytes) / [`from_bytes`](StoredRecord::from_bytes) for the
/// plaintext, [`seal`](StoredRecord::seal) / [`open`](StoredRecord::open) for the stored
/// value, and [`put`](StoredRecord::put), [`put_if_absent`](StoredRecord::put_if_absent),
/// [`put_if_equal`](StoredRecord::put_if_equal) for effects.
pub trait StoredRecord: Sized {
    /// The format version byte that starts the plaintext.
    const VERSION: u8;

    /// Appends the plaintext after the version byte.
    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()>;

    /// Parses the plaintext after the version byte; [`from_bytes`](StoredRecord::from_bytes)
    /// calls [`Reader::finish`] afterwards, so trailing bytes are `INVALID_INPUT`.
    fn decode_body(r: &mut Reader<'_>) -> Result<Self>;

    /// The plaintext: the version byte, then the body (a secret where the record holds one).
    fn to_bytes(&self) -> Result<SecretVec> {
        let mut out = SecretVec::new(Vec::with_capacity(64));
        out.expose_mut().push(Self::VERSION);
        self.encode_body(out.expose_mut())?;
        Ok(out)
    }

    /// Parses a plaintext: an empty one is `INVALID_INPUT`, another version byte
    /// `UNSUPPORTED_VERSION`, a wrong layout or trailing bytes `INVALID_INPUT`.
    fn from_bytes(plain: &[u8]) -> Result<Self> {
        match plain.split_first() {
            Some((v, rest)) if *v == Self::VERSION => {
                let mut r = Reader::new(rest);
                let record = Self::decode_body(&mut r)?;
                r.finish()?;
                Ok(record)
            }
            Some(_) => Err(Error::UnsupportedVersion),
            None => Err(Error::InvalidInput),
        }
    }

    /// The stored value: the plaintext sealed under `key`.
    fn seal<R: CryptoRng + ?Sized>(
        &self,
        sealer: &StoreSealer,
        key: &str,
        rng: &mut R,
    ) -> Result<Vec<u8>> {
        sealer.seal(key, self.to_bytes()?.expose(), rng)
    }

    /// Opens the value stored at `key` (`DECRYPTION_FAILED`, then the
    /// [`from_bytes`](StoredRecord::from_bytes) errors).
    fn open(sealer: &StoreSealer, key: &str, stored: &[u8]) -> Result<Self> {
        Self::from_bytes(sealer.open(key, stored)?.expose())
    }

    /// `put(key, sealed record, ttl)`.
    fn put<R: CryptoRng + ?Sized>(
        &self,
        sealer: &StoreSealer,
        key: String,
        ttl_seconds: Option<u64>,
        rng: &mut R,
    ) -> Result<Effect> {
        let value = self.seal(sealer, &key, rng)?;
        Ok(Effect::put(key, value, ttl_seconds))
    }

    /// `put_if_absent(key, sealed record, ttl)`.
    fn put_if_absent<R: CryptoRng + ?Sized>(
        &self,
        sealer: &StoreSealer,
        key: String,
        ttl_seconds: Option<u64>,
        rng: &mut R,
    ) -> Result<Effect> {
        self.put_if_equal(sealer, key, None, ttl_seconds, rng)
    }

    /// `put_if_equal(key, expected, sealed record, ttl)`, or `put_if_absent` when `expected`
    /// is `None` (the record was absent when loaded).
    fn put_if_equal<R: CryptoRng + ?Sized>(
        &self,
        sealer: &StoreSealer,
        key: String,
        expected: Option<&[u8]>,
        ttl_seconds: Option<u64>,
        rng: &mut R,
    ) -> Result<Effect> {
        let value = self.seal(sealer, &key, rng)?;
        Ok(match expected {
            Some(expected) => Effect::put_if_equal(key, expected.to_vec(), value, ttl_seconds),
            None => Effect::put_if_absent(key, value, ttl_seconds),
        })
    }
}

/// A store a step can be run against: load a key, commit a step's effects atomically.
/// [`MemoryStore`] implements it; a Redis or SQL adapter does the same with one script or
/// transaction per commit.
pub trait StepStore {
    /// The live value of `key` at `now_ms`.
    fn load(&self, key: &str, now_ms: u64) -> Option<Vec<u8>>;
    /// Applies `effects` as one transaction at `now_ms`: every condition first, then all
    /// writes; `CONFLICT` (and nothing written) if a condition does not hold.
    fn commit(&self, effects: &[Effect], now_ms: u64) -> Result<()>;
}

/// Runs "load, step, commit" against `store`, rerunning the step when a condition fails, at
/// most [`MAX_RUNS`] times, then `CONFLICT` (spec §0.2). `step` gets a loader for the keys it
/// names; an error from the step itself is returned at once. Not for the two steps the spec
/// never reruns (the handshake's respond, the shares pointer move): commit those once.
pub fn run_step<S, T, F>(store: &S, now_ms: u64, mut step: F) -> Result<T>
where
    S: StepStore + ?Sized,
    F: FnMut(&dyn Fn(&str) -> Option<Vec<u8>>) -> Result<Step<T>>,
{
    for _ in 0..MAX_RUNS {
        let loader = |key: &str| store.load(key, now_ms);
        let Step { output, effects } = step(&loader)?;
        match store.commit(&effects, now_ms) {
            Ok(()) => return Ok(output),
            Err(Error::Conflict) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::Conflict)
}

type Entries = BTreeMap<String, (Vec<u8>, Option<u64>)>;

/// An in-memory store with expiry: commits a step atomically under one lock and can be shared
/// between threads (`&MemoryStore` is `Sync`). For tests, examples and single-process servers.
/// It is one store: [`commit`](MemoryStore::commit) refuses an effect for another
/// [`StoreName`] (`INVALID_INPUT`) so a cold-store write is never applied to the hot store.
#[derive(Default)]
pub struct MemoryStore {
    name: StoreName,
    entries: Mutex<Entries>,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<String> = self.lock().keys().cloned().collect();
        f.debug_struct("MemoryStore")
            .field("name", &self.name)
            .field("keys", &keys)
            .finish()
    }
}

impl Clone for MemoryStore {
    fn clone(&self) -> Self {
        Self {
            name: self.name,
            entries: Mutex::new(self.lock().clone()),
        }
    }
}

fn live(entries: &Entries, key: &str, now_ms: u64) -> Option<Vec<u8>> {
    match entries.get(key) {
        Some((value, expires)) if expires.is_none_or(|at| now_ms < at) => Some(value.clone()),
        _ => None,
    }
}

impl MemoryStore {
    /// An empty main store.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store that takes the effects for `name`.
    pub fn named(name: StoreName) -> Self {
        Self {
            name,
            entries: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        // A panic while holding the lock cannot leave a half-applied commit (writes happen
        // after every check, without panicking paths), so a poisoned lock is still consistent.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies `effects` atomically at `now_ms`: every condition is checked first (against
    /// the live values, so an expired key counts as absent), then every write is applied.
    /// `CONFLICT` if a condition does not hold, `INVALID_INPUT` for an effect of another store;
    /// in both cases nothing is written.
    pub fn commit(&self, effects: &[Effect], now_ms: u64) -> Result<()> {
        if effects.iter().any(|e| e.store != self.name) {
            return Err(Error::InvalidInput);
        }
        let mut entries = self.lock();
        for e in effects {
            let current = live(&entries, &e.key, now_ms);
            let holds = match &e.op {
                Op::PutIfAbsent { .. } => current.is_none(),
                Op::PutIfEqual { expected, .. }
                | Op::DeleteIfEqual { expected }
                | Op::RequireEqual { expected } => current.as_deref() == Some(expected.as_slice()),
                Op::Put { .. } | Op::Expire { .. } | Op::Delete => true,
            };
            if !holds {
                return Err(Error::Conflict);
            }
        }
        let expiry = |ttl: u64| now_ms.saturating_add(ttl.saturating_mul(1000));
        for e in effects {
            match &e.op {
                Op::Put { value, ttl_seconds }
                | Op::PutIfAbsent { value, ttl_seconds }
                | Op::PutIfEqual {
                    value, ttl_seconds, ..
                } => {
                    entries.insert(e.key.clone(), (value.clone(), ttl_seconds.map(expiry)));
                }
                Op::Expire { ttl_seconds } => {
                    if live(&entries, &e.key, now_ms).is_some()
                        && let Some(entry) = entries.get_mut(&e.key)
                    {
                        entry.1 = Some(expiry(*ttl_seconds));
                    }
                }
                Op::Delete | Op::DeleteIfEqual { .. } => {
                    entries.remove(&e.key);
                }
                Op::RequireEqual { .. } => {}
            }
        }
        Ok(())
    }

    /// The live value of `key` at `now_ms`.
    pub fn get(&self, key: &str, now_ms: u64) -> Option<Vec<u8>> {
        live(&self.lock(), key, now_ms)
    }

    /// Number of entries (live or not yet purged).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// All keys, in order (live or not yet purged).
    pub fn keys(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// The keys live at `now_ms`, in order.
    pub fn live_keys(&self, now_ms: u64) -> Vec<String> {
        let entries = self.lock();
        entries
            .iter()
            .filter(|(_, (_, exp))| exp.is_none_or(|at| now_ms < at))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

impl StepStore for MemoryStore {
    fn load(&self, key: &str, now_ms: u64) -> Option<Vec<u8>> {
        self.get(key, now_ms)
    }

    fn commit(&self, effects: &[Effect], now_ms: u64) -> Result<()> {
        MemoryStore::commit(self, effects, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretBytes;
    use alloc::vec;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn sealed_value_does_not_open_under_another_key() {
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        let sealer = StoreSealer::new(&SecretBytes::new([5; 32])).unwrap();
        let v = sealer.seal("sw:v1:hs:eph:a", b"secret", &mut rng).unwrap();
        assert_eq!(v[0], 0, "key id 0 first");
        assert_eq!(v.len(), 1 + 12 + 6 + 16);
        assert_eq!(
            sealer.open("sw:v1:hs:eph:a", &v).unwrap().expose(),
            b"secret"
        );
        assert_eq!(
            sealer.open("sw:v1:hs:eph:b", &v).err(),
            Some(Error::DecryptionFailed)
        );
        assert_eq!(sealer.open("k", &[]).err(), Some(Error::DecryptionFailed));
    }

    #[test]
    fn sealer_rotates_and_refuses_unknown_ids() {
        let mut rng = ChaCha20Rng::from_seed([2; 32]);
        let old = StoreSealer::new(&SecretBytes::new([5; 32])).unwrap();
        let sealed_old = old.seal("k", b"v", &mut rng).unwrap();
        let new = StoreSealer::with_key_id(7, &SecretBytes::new([6; 32]))
            .unwrap()
            .with_older_key(0, &SecretBytes::new([5; 32]))
            .unwrap();
        assert_eq!(new.open("k", &sealed_old).unwrap().expose(), b"v");
        let sealed_new = new.seal("k", b"v", &mut rng).unwrap();
        assert_eq!(sealed_new[0], 7);
        assert_eq!(
            old.open("k", &sealed_new).err(),
            Some(Error::DecryptionFailed)
        );
        // The same secret under another id does not open either: the id is not a hint.
        let mut moved = sealed_old.clone();
        moved[0] = 7;
        assert_eq!(new.open("k", &moved).err(), Some(Error::DecryptionFailed));
        assert!(
            new.clone()
                .with_older_key(7, &SecretBytes::new([1; 32]))
                .is_err()
        );
        assert!(!format!("{new:?}").contains("[6"));
    }

    #[test]
    fn tag_is_the_spec_formula() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223 b00361a3...
        assert_eq!(tag("abc"), "{ba7816bf8f01cfea414140de5dae2223}");
        assert_eq!(key_tag("sw:v1:hs:{ab}:eph:{x}"), Some("{ab}"));
        assert_eq!(key_tag("sw:v1:relay:jti:x"), None);
    }

    #[test]
    fn memory_store_expires() {
        let s = MemoryStore::new();
        s.commit(&[Effect::put("k", vec![1], Some(2))], 1000)
            .unwrap();
        assert_eq!(s.get("k", 2999), Some(vec![1u8]));
        assert_eq!(s.get("k", 3000), None);
        s.commit(&[Effect::expire("k", 10)], 2000).unwrap();
        assert!(s.get("k", 3000).is_some());
        s.commit(&[Effect::delete("k")], 2000).unwrap();
        assert!(s.is_empty());
    }

    #[test]
    fn conditions_are_checked_before_any_write() {
        let s = MemoryStore::new();
        s.commit(&[Effect::put("a", vec![1], None)], 0).unwrap();
        let step = [
            Effect::put("b", vec![2], None),
            Effect::put_if_equal("a", vec![9], vec![3], None),
        ];
        assert_eq!(s.commit(&step, 0), Err(Error::Conflict));
        assert_eq!(s.get("b", 0), None, "nothing of a failed step is written");
        assert_eq!(
            s.commit(&[Effect::require_equal("a", vec![2])], 0),
            Err(Error::Conflict)
        );
        assert_eq!(
            s.commit(&[Effect::delete_if_equal("a", vec![2])], 0),
            Err(Error::Conflict)
        );
        s.commit(&[Effect::require_equal("a", vec![1])], 0).unwrap();
        s.commit(&[Effect::delete_if_equal("a", vec![1])], 0)
            .unwrap();
        assert!(s.get("a", 0).is_none());
        // An expired key is absent for put_if_absent.
        s.commit(&[Effect::put("e", vec![1], Some(1))], 0).unwrap();
        s.commit(&[Effect::put_if_absent("e", vec![2], None)], 1000)
            .unwrap();
        assert_eq!(s.get("e", 5000), Some(vec![2]));
    }

    #[test]
    fn a_store_refuses_effects_of_another_store() {
        let hot = MemoryStore::new();
        let cold = MemoryStore::named(StoreName::Cold);
        let e = Effect::put("k", vec![1], None).in_store(StoreName::Cold);
        assert_eq!(
            hot.commit(std::slice::from_ref(&e), 0),
            Err(Error::InvalidInput)
        );
        cold.commit(&[e], 0).unwrap();
        let step = Step::new(
            (),
            vec![
                Effect::delete("a"),
                Effect::delete("b").in_store(StoreName::Cold),
            ],
        );
        assert_eq!(step.effects_for(StoreName::Cold).len(), 1);
    }

    #[test]
    fn run_step_reruns_then_conflicts() {
        let s = MemoryStore::new();
        let mut runs = 0;
        // A step whose condition never holds: three runs, then CONFLICT.
        let r: Result<()> = run_step(&s, 0, |_| {
            runs += 1;
            Ok(Step::new((), vec![Effect::require_equal("x", vec![1])]))
        });
        assert_eq!(r, Err(Error::Conflict));
        assert_eq!(runs, MAX_RUNS);
        // A step error is returned at once.
        let mut runs = 0;
        let r: Result<()> = run_step(&s, 0, |_| {
            runs += 1;
            Err(Error::InvalidInput)
        });
        assert_eq!((r, runs), (Err(Error::InvalidInput), 1));
    }

    #[test]
    fn racing_threads_commit_one_at_a_time() {
        // 8 threads x 50 increments of one counter through put_if_equal: none is lost.
        let s = MemoryStore::new();
        s.commit(&[Effect::put("n", 0u64.to_be_bytes().to_vec(), None)], 0)
            .unwrap();
        let conflicts = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    for _ in 0..50 {
                        loop {
                            let old = s.get("n", 0).unwrap();
                            let n = u64::from_be_bytes(old.clone().try_into().unwrap());
                            let e = Effect::put_if_equal(
                                "n",
                                old,
                                (n + 1).to_be_bytes().to_vec(),
                                None,
                            );
                            match s.commit(&[e], 0) {
                                Ok(()) => break,
                                Err(_) => {
                                    conflicts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                }
                            }
                        }
                    }
                });
            }
        });
        let n = u64::from_be_bytes(s.get("n", 0).unwrap().try_into().unwrap());
        assert_eq!(n, 400);
    }

    #[derive(Debug, PartialEq)]
    struct Demo(u32);
    impl StoredRecord for Demo {
        const VERSION: u8 = 1;
        fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
            out.extend_from_slice(&self.0.to_be_bytes());
            Ok(())
        }
        fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
            Ok(Demo(r.u32be()?))
        }
    }

    #[test]
    fn stored_record_verbs() {
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        let sealer = StoreSealer::new(&SecretBytes::new([5; 32])).unwrap();
        assert_eq!(Demo(7).to_bytes().unwrap().expose(), &[1, 0, 0, 0, 7]);
        assert_eq!(Demo::from_bytes(&[1, 0, 0, 0, 7]).unwrap(), Demo(7));
        assert_eq!(
            Demo::from_bytes(&[2, 0, 0, 0, 7]).err(),
            Some(Error::UnsupportedVersion)
        );
        assert_eq!(
            Demo::from_bytes(&[1, 0, 0, 0, 7, 0]).err(),
            Some(Error::InvalidInput)
        );
        assert_eq!(Demo::from_bytes(&[]).err(), Some(Error::InvalidInput));
        let e = Demo(9).put(&sealer, "k".into(), Some(5), &mut rng).unwrap();
        assert_eq!(
            Demo::open(&sealer, "k", e.value().unwrap()).unwrap(),
            Demo(9)
        );
        let e = Demo(9)
            .put_if_equal(&sealer, "k".into(), None, None, &mut rng)
            .unwrap();
        assert_eq!(e.op.name(), "put_if_absent");
        let e = Demo(9)
            .put_if_equal(&sealer, "k".into(), Some(b"x"), None, &mut rng)
            .unwrap();
        assert_eq!(e.expected(), Some(&b"x"[..]));
        assert!(
            !format!("{e:?}").contains("120"),
            "Debug shows lengths only"
        );
    }
}
