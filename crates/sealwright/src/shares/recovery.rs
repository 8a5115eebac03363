//! Recovery in three steps (spec §3 "recover"): stage, move, clean up, as a typestate.
//!
//! ```text
//!   LoadedSplit ──stage──▶ Step<Staged>        put new share 2 (hot), put new share 3 (cold)
//!   Staged ──move_pointer──▶ Step<MovePending> put_if_equal(current, loaded, new)  (hot; once)
//!   MovePending ──won──▶  Step<Recovered>      delete old share 2 (hot), old share 3 (cold)
//!               └─lost─▶  Step<Error>          delete own staged shares; answer CONFLICT
//! ```
//!
//! Each method consumes its state, so a move cannot be built twice (it is never rerun) and the
//! new user envelope exists only in [`Recovered`], the output of the move's success path.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;

use crate::effect::{Effect, Step, StepStore, StoreName, StoreSealer, StoredRecord};
use crate::error::{Error, Result};
use crate::secret::SecretString;

use super::store::{SPLIT_ID_LEN, SplitPointer, StoredShare, cold_key, current_key, hot_key};
use super::wallet::Address;
use super::{open_checked, split_and_seal};

/// The split pointer of a wallet as loaded from the hot store: the opened
/// `{generation, splitId}` and the exact stored bytes (the move's condition). Every server
/// operation starts here: only the split it names is ever combined.
#[derive(Clone, PartialEq, Eq)]
pub struct LoadedSplit {
    address: Address,
    pointer: SplitPointer,
    value: Vec<u8>,
}

impl fmt::Debug for LoadedSplit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadedSplit")
            .field("address", &self.address)
            .field("pointer", &self.pointer)
            .finish()
    }
}

impl LoadedSplit {
    /// Opens the value loaded from [`current_key`] of `address`; `value` is `None` when the
    /// key held nothing (`INVALID_INPUT`: no such wallet). `DECRYPTION_FAILED` for a value not
    /// sealed for that key, then the [`StoredRecord::from_bytes`] errors.
    pub fn open(sealer: &StoreSealer, address: &Address, value: Option<&[u8]>) -> Result<Self> {
        let value = value.ok_or(Error::InvalidInput)?;
        let pointer = SplitPointer::open(sealer, &current_key(address), value)?;
        Ok(Self {
            address: *address,
            pointer,
            value: value.to_vec(),
        })
    }

    /// The wallet address.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The pointer `{generation, splitId}`.
    pub fn pointer(&self) -> &SplitPointer {
        &self.pointer
    }

    /// The pointer's stored bytes, as loaded.
    pub fn value(&self) -> &[u8] {
        &self.value
    }

    /// Store key of share 2 of the named split (hot store): load it next.
    pub fn hot_key(&self) -> String {
        hot_key(&self.address, &self.pointer)
    }

    /// Store key of share 3 of the named split (cold store).
    pub fn cold_key(&self) -> String {
        cold_key(&self.address, &self.pointer)
    }

    /// Opens the value loaded from [`hot_key`](Self::hot_key) to its envelope (`None`, a
    /// missing share: `INVALID_INPUT`).
    pub fn open_hot(&self, sealer: &StoreSealer, value: Option<&[u8]>) -> Result<String> {
        let value = value.ok_or(Error::InvalidInput)?;
        Ok(StoredShare::open(sealer, &self.hot_key(), value)?.into_envelope())
    }

    /// Opens the value loaded from [`cold_key`](Self::cold_key) to its envelope.
    pub fn open_cold(&self, sealer: &StoreSealer, value: Option<&[u8]>) -> Result<String> {
        let value = value.ok_or(Error::InvalidInput)?;
        Ok(StoredShare::open(sealer, &self.cold_key(), value)?.into_envelope())
    }

    /// Signs with the user's envelope and share 2 of this split (spec §3 "sign"): `hot_value`
    /// is the value loaded from [`hot_key`](Self::hot_key). A user share of another
    /// generation is `GENERATION_MISMATCH`.
    pub fn sign(
        &self,
        password: &SecretString,
        user_envelope: &str,
        sealer: &StoreSealer,
        hot_value: Option<&[u8]>,
        message: &str,
    ) -> Result<String> {
        let hot = self.open_hot(sealer, hot_value)?;
        super::sign(password, user_envelope, &hot, &self.address, message)
    }

    /// Recovery step 1, **stage** (spec §3): opens shares 2 and 3 of this split (the values
    /// loaded from [`hot_key`](Self::hot_key) and [`cold_key`](Self::cold_key)), runs the five
    /// checks (the shares must be of the pointer's generation), splits the key afresh as
    /// generation `g + 1` with a fresh split id and seals three new envelopes. The effects put
    /// the new split's share 2 (hot) and share 3 (cold): keys no one else writes, one effect
    /// per store, safe in any order and after any crash (nothing reads them until the move).
    ///
    /// Randomness, in order: `a` (32 bytes, redrawn while 0 or `>= n`), salt (16) and IV (12)
    /// for x = 1, 2, 3, the split id (16), then the store-sealing nonces of share 2, share 3
    /// and the new pointer.
    ///
    /// `INVALID_INPUT` for an empty password or a missing share; the five opening checks;
    /// `INVALID_SHARE` at `g = 2^32 - 1`.
    pub fn stage<R: CryptoRng + ?Sized>(
        self,
        password: &SecretString,
        sealer: &StoreSealer,
        hot_value: Option<&[u8]>,
        cold_value: Option<&[u8]>,
        rng: &mut R,
    ) -> Result<Step<Staged>> {
        if password.as_bytes().is_empty() {
            return Err(Error::InvalidInput);
        }
        let hot = self.open_hot(sealer, hot_value)?;
        let cold = self.open_cold(sealer, cold_value)?;
        let opened = open_checked(
            password,
            &hot,
            &cold,
            &self.address,
            Some(self.pointer.generation),
        )?;
        let generation = self
            .pointer
            .generation
            .checked_add(1)
            .ok_or(Error::InvalidShare)?;
        let [user_envelope, hot_envelope, cold_envelope] =
            split_and_seal(password, &opened.key, generation, rng)?;
        drop(opened);
        let mut split_id = [0u8; SPLIT_ID_LEN];
        rng.fill_bytes(&mut split_id);
        let new = SplitPointer {
            generation,
            split_id,
        };
        let address = self.address;
        let effects = vec![
            StoredShare::new(hot_envelope.clone())?.put(
                sealer,
                hot_key(&address, &new),
                None,
                rng,
            )?,
            StoredShare::new(cold_envelope.clone())?
                .put(sealer, cold_key(&address, &new), None, rng)?
                .in_store(StoreName::Cold),
        ];
        let new_value = new.seal(sealer, &current_key(&address), rng)?;
        Ok(Step::new(
            Staged {
                loaded: self,
                new,
                new_value,
                envelopes: Envelopes {
                    user: user_envelope,
                    hot: hot_envelope,
                    cold: cold_envelope,
                },
            },
            effects,
        ))
    }
}

/// The three new envelopes of a recovery. The user's stays private until the move succeeded.
#[derive(Clone)]
struct Envelopes {
    user: String,
    hot: String,
    cold: String,
}

/// Recovery after **stage**: the new split is sealed and its shares 2 and 3 are (once the
/// stage effects are committed) in the stores. Next: [`move_pointer`](Staged::move_pointer).
#[derive(Clone)]
pub struct Staged {
    loaded: LoadedSplit,
    new: SplitPointer,
    new_value: Vec<u8>,
    envelopes: Envelopes,
}

impl fmt::Debug for Staged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Staged")
            .field("address", &self.loaded.address)
            .field("old", &self.loaded.pointer)
            .field("new", &self.new)
            .field("envelopes", &"3 x REDACTED")
            .finish()
    }
}

impl Staged {
    /// The wallet address.
    pub fn address(&self) -> &Address {
        &self.loaded.address
    }

    /// The split the pointer named when loaded.
    pub fn old_split(&self) -> &SplitPointer {
        &self.loaded.pointer
    }

    /// The new split (`generation + 1`, fresh split id).
    pub fn new_split(&self) -> &SplitPointer {
        &self.new
    }

    /// Recovery step 2, **move** (spec §3): one effect in the hot store,
    /// `put_if_equal(current, the value loaded, the new split)`, the one transaction that
    /// decides which concurrent recovery wins. Commit it exactly once (never rerun it, never
    /// through [`run_step`](crate::effect::run_step)); then call [`MovePending::won`] if it
    /// committed or [`MovePending::lost`] if its condition failed (`CONFLICT`).
    pub fn move_pointer(self) -> Step<MovePending> {
        let effect = Effect::put_if_equal(
            current_key(&self.loaded.address),
            self.loaded.value.clone(),
            self.new_value.clone(),
            None,
        );
        Step::new(MovePending { staged: self }, vec![effect])
    }
}

/// Recovery after the move's effect was handed out: the caller committed it (once) and now
/// reports the outcome.
#[derive(Clone)]
pub struct MovePending {
    staged: Staged,
}

impl fmt::Debug for MovePending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MovePending").field(&self.staged).finish()
    }
}

impl MovePending {
    /// Whether the pointer now holds this recovery's new split: `pointer_now` is the value of
    /// the pointer key read after the move (for a commit whose outcome is unknown, e.g. a
    /// lost connection). Sealed values are fresh bytes, so equality proves this move committed.
    pub fn moved_by_us(&self, pointer_now: Option<&[u8]>) -> bool {
        pointer_now == Some(self.staged.new_value.as_slice())
    }

    /// Recovery step 3 for the **winner** (the move committed): the new envelopes, the user's
    /// among them, and the cleanup effects deleting the old split's share 2 (hot) and share 3
    /// (cold). Give the user envelope to the user; the cleanup may run at any later time.
    pub fn won(self) -> Step<Recovered> {
        let Staged {
            loaded,
            new,
            envelopes,
            ..
        } = self.staged;
        let effects = vec![
            Effect::delete(loaded.hot_key()),
            Effect::delete(loaded.cold_key()).in_store(StoreName::Cold),
        ];
        Step::new(
            Recovered {
                address: loaded.address,
                split: new,
                user_envelope: envelopes.user,
                hot_envelope: envelopes.hot,
                cold_envelope: envelopes.cold,
            },
            effects,
        )
    }

    /// Recovery step 3 for the **loser** (the move's condition failed: another recovery moved
    /// the pointer first): the effects delete this recovery's staged shares; the output is the
    /// answer, `CONFLICT`. The new envelopes are dropped unseen.
    pub fn lost(self) -> Step<Error> {
        let Staged { loaded, new, .. } = self.staged;
        let effects = vec![
            Effect::delete(hot_key(&loaded.address, &new)),
            Effect::delete(cold_key(&loaded.address, &new)).in_store(StoreName::Cold),
        ];
        Step::new(Error::Conflict, effects)
    }
}

/// A finished recovery (the pointer moved to this split): the envelopes of the new split.
#[derive(Clone)]
pub struct Recovered {
    /// The wallet address.
    pub address: Address,
    /// The split the pointer now names.
    pub split: SplitPointer,
    /// New envelope of share 1: give it to the user (the old one no longer signs).
    pub user_envelope: String,
    /// New envelope of share 2 (stored in the hot store by the stage step).
    pub hot_envelope: String,
    /// New envelope of share 3 (stored in the cold store by the stage step).
    pub cold_envelope: String,
}

impl fmt::Debug for Recovered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recovered")
            .field("address", &self.address)
            .field("split", &self.split)
            .field("envelopes", &"3 x REDACTED")
            .finish()
    }
}

/// Runs the whole recovery against a hot and a cold store (spec §3): load the pointer and the
/// two shares it names, **stage** and commit, **move** (committed once), then **clean up**.
/// Returns the new envelopes (give `user_envelope` to the user) or `CONFLICT` when a
/// concurrent recovery moved the pointer first (this one's staged shares are then deleted).
///
/// A cleanup that fails to commit leaves only shares no pointer names; the winner's result is
/// returned anyway, since the user needs the new share 1 (the old one no longer signs).
pub fn recover<H, C, R>(
    password: &SecretString,
    address: &Address,
    sealer: &StoreSealer,
    hot: &H,
    cold: &C,
    now_ms: u64,
    rng: &mut R,
) -> Result<Recovered>
where
    H: StepStore + ?Sized,
    C: StepStore + ?Sized,
    R: CryptoRng + ?Sized,
{
    let pointer = hot.load(&current_key(address), now_ms);
    let loaded = LoadedSplit::open(sealer, address, pointer.as_deref())?;
    let hot_value = hot.load(&loaded.hot_key(), now_ms);
    let cold_value = cold.load(&loaded.cold_key(), now_ms);
    let staged = loaded.stage(
        password,
        sealer,
        hot_value.as_deref(),
        cold_value.as_deref(),
        rng,
    )?;
    super::commit(hot, cold, &staged.effects, now_ms)?;
    let moving = staged.output.move_pointer();
    match super::commit(hot, cold, &moving.effects, now_ms) {
        Ok(()) => {
            let done = moving.output.won();
            // A failed cleanup leaves unnamed shares only; see the docs above.
            let _ = super::commit(hot, cold, &done.effects, now_ms);
            Ok(done.output)
        }
        Err(Error::Conflict) => {
            let lost = moving.output.lost();
            let _ = super::commit(hot, cold, &lost.effects, now_ms);
            Err(lost.output)
        }
        Err(e) => Err(e),
    }
}
