//! Threshold wallet shares, spec §3 (from the "password-based encryption" design), as server
//! steps with store effects (spec §0.2).
//!
//! An Ethereum (secp256k1) key `d` is split 2-of-3 by Shamir over GF(n) (vsss-rs):
//! `f(x) = d + a*x mod n`, shares `(x, f(x))` for x = 1 (user), 2 (hot), 3 (cold). Each share
//! travels and rests in a password envelope: `b64(salt || iv || AES-128-GCM(K, iv, share))`
//! with `K = Argon2id(password, salt, t=3, m=64 MiB, p=4, 16 bytes)`.
//!
//! # Steps and store effects (spec §3, §0.2)
//! The server keeps two stores that share no transaction: **hot** ([`StoreName::Main`]) and
//! **cold** ([`StoreName::Cold`]). `sw:v1:shares:tag(address):current` (hot) holds the
//! [`SplitPointer`] `{generation, splitId}`; share `i` of a split lives at
//! `sw:v1:shares:tag(address):<generation>:<hex(splitId)>:<i>` (2 hot, 3 cold), every value a
//! [`StoredRecord`] sealed by the [`StoreSealer`]. Every server
//! operation is a step returning [`Step`]; a step's effects name their store and are
//! committed in order, each run of one store's effects as one transaction ([`commit`]), and
//! every step orders them so that stopping after any run loses nothing.
//!
//! ```text
//!  create(password)        -> Step<Created>      put share 2 (hot), put share 3 (cold),
//!                                                put_if_absent current (hot)   [pointer last]
//!  sign: load current -> LoadedSplit, load its share 2 -> LoadedSplit::sign(user envelope)
//!  recover (user lost share 1), three steps:
//!    1 stage   LoadedSplit::stage(share 2, share 3) -> Step<Staged>
//!              open 2 + 3 of the named split, checks, split afresh as g+1 with a new split
//!              id, seal 3 envelopes;        put new share 2 (hot), put new share 3 (cold)
//!    2 move    Staged::move_pointer() -> Step<MovePending>
//!              put_if_equal(current, value loaded, new split) (hot): decides the winner;
//!              committed once, never rerun
//!    3 cleanup MovePending::won()  -> Step<Recovered>  delete old share 2 (hot), 3 (cold);
//!                                    the new user envelope exists only here
//!              MovePending::lost() -> Step<Error>      delete own staged 2 (hot), 3 (cold);
//!                                    answer CONFLICT
//! ```
//!
//! A crash at any point loses nothing: before the move commits, the pointer still names the
//! old split (complete in both stores) and the old user share signs; after it, the new split
//! is complete (staged first) and the new user share signs. Two concurrent recoveries both
//! stage (on distinct split ids), exactly one move commits, and the loser deletes only its own
//! staged keys. Only the share set the pointer names is ever combined: [`LoadedSplit`] opens
//! the pointer, and a stored share opens only under its own key. [`recover`] runs the three
//! steps against two [`StepStore`](crate::effect::StepStore)s.
//!
//! Opening two shares ([`open_wallet`]) checks, in order, each check on both shares before the
//! next: 1. each envelope opens (`DECRYPTION_FAILED`); 2. format byte `0x01`
//! (`UNSUPPORTED_VERSION`); 3. threshold 2, `x` in {1, 2, 3}, `y < n`, the two `x` differ
//! (`INVALID_SHARE`); 4. equal generations (`GENERATION_MISMATCH`); 5. the combined key is not 0
//! and gives the stored address (`SHARE_MISMATCH`).
//!
//! Randomness is consumed in a fixed order, so vectors replay byte for byte: see [`create`]
//! and [`LoadedSplit::stage`].
//!
//! # Decisions where the spec is silent
//! * An envelope that is not strict base64 is `DECRYPTION_FAILED` like any other corrupted
//!   envelope (§3 "any other length ... or corrupted data"), not `INVALID_INPUT`.
//! * [`create`] and [`LoadedSplit::stage`] refuse an empty password (`INVALID_INPUT`): they
//!   would seal the shares under nothing. Opening takes any password; a wrong one is
//!   `DECRYPTION_FAILED`.
//! * A missing pointer (no such wallet) or a missing share the pointer names is
//!   `INVALID_INPUT`.
//! * Stage checks that shares 2 and 3 are of the pointer's generation (`GENERATION_MISMATCH`,
//!   check 4). At `g = 2^32 - 1` it is `INVALID_SHARE` after the five checks pass.
//! * Create writes the pointer with `put_if_absent` (never over an existing wallet); the
//!   share keys, unique by their split id, with `put`. No value has a TTL.
//! * Stored share plaintext: `0x01 || the 83 decoded envelope bytes`; pointer plaintext:
//!   `0x01 || u32be(generation) || splitId`.
//! * Any two distinct shares open the wallet; `sign` is meant for 1 + 2 and recovery for
//!   2 + 3, but the roles are not enforced (anyone with two shares and the password has `d`).
//! * [`recover_signer`] accepts only lowercase hex, `v` of 27 or 28 and low `s`.
//!
//! # Performance: the two Argon2id runs of an opening
//! Opening the user's and the hot share takes two Argon2id derivations (64 MiB, t=3, p=4);
//! argon2's `parallel` feature already spreads each run's 4 lanes over the cores (rayon). The
//! core runs the two derivations on two threads (one after the other on wasm32, or if the OS
//! refuses a thread). Medians on the shared 2-core machine (release build, two derivations):
//!
//! | condition | sequential | two threads |
//! |---|---|---|
//! | earlier, idle | 180 ms | 144 ms |
//! | earlier, loaded | 266 ms | 285 ms |
//! | load average 6.6 (other agents' builds) | 770 ms | 635 ms |
//! | load average 7.2 | 507 ms | 426 ms |
//! | load average 7.7 + two busy loops | 1106-1148 ms | 838-862 ms |
//! | idle (load 0.9-1.7), criterion means, rsa 0.10 tree | 306 ms | 216 ms |
//!
//! (An opening through [`open_wallet`] against two sequential [`open_envelope`] calls at load
//! 7.2: 448 vs 453 ms; with two busy loops: 944 vs 1284 ms.) Two threads win idle by 20-30% and
//! under heavy load by 20-30%; only one loaded run of the earlier pair favoured sequential
//! (by 7%). Idle, two threads with each run's lanes kept on its own thread measured 198 ms
//! (intervals overlapping the 216 ms above), not enough to add a second scheme. They stay: one
//! scoped thread, no pool, no tuning knob. Bench:
//! `shares/argon2id_x2_threads` vs `_sequential` vs `_threads_serial_lanes`.
//!
//! ```
//! use sealwright::effect::{MemoryStore, StoreName, StoreSealer};
//! use sealwright::secret::{SecretKey32, SecretString};
//! use sealwright::shares::{self, LoadedSplit};
//! let mut rng = rand::rng();
//! let sealer = StoreSealer::new(&SecretKey32::new([1; 32]))?;
//! let password = SecretString::from("correct horse battery staple");
//! let (hot, cold) = (MemoryStore::new(), MemoryStore::named(StoreName::Cold));
//!
//! // Create: commit the effects (share 2 hot, share 3 cold, pointer), then hand out share 1.
//! let (created, effects) = shares::create(&password, &sealer, &mut rng)?.into_parts();
//! shares::commit(&hot, &cold, &effects, 0)?;
//! let address = created.address;
//!
//! // Sign: load the pointer, then share 2 of the split it names.
//! let split = LoadedSplit::open(&sealer, &address, hot.get(&shares::current_key(&address), 0).as_deref())?;
//! let hot_value = hot.get(&split.hot_key(), 0);
//! let signature = split.sign(&password, &created.user_envelope, &sealer, hot_value.as_deref(), "hello")?;
//! assert_eq!(shares::recover_signer(b"hello", &signature)?, address);
//!
//! // Recover (stage, move, clean up) after the user lost share 1.
//! let recovered = shares::recover(&password, &address, &sealer, &hot, &cold, 0, &mut rng)?;
//! assert_eq!(recovered.split.generation, 1);
//! let split = LoadedSplit::open(&sealer, &address, hot.get(&shares::current_key(&address), 0).as_deref())?;
//! let hot_value = hot.get(&split.hot_key(), 0);
//! let again = split.sign(&password, &recovered.user_envelope, &sealer, hot_value.as_deref(), "hello")?;
//! assert_eq!(again, signature); // same key, RFC 6979
//! assert_eq!(hot.len() + cold.len(), 3, "the old split was cleaned up");
//! # Ok::<(), sealwright::Error>(())
//! ```

mod envelope;
mod recovery;
mod store;
mod wallet;

#[cfg(feature = "test-utils")]
pub use envelope::seal_with;
pub use envelope::{
    ARGON2_M_KIB, ARGON2_P, ARGON2_T, ENVELOPE_LEN, EnvelopeKey, EnvelopeParts, FORMAT, IV_LEN,
    KEY_LEN, PLAINTEXT_LEN, SALT_LEN, SharePlaintext, TAG_LEN, THRESHOLD, derive_key,
    open_envelope, open_envelope_with_key, seal,
};
pub use recovery::{LoadedSplit, MovePending, Recovered, Staged, recover};
pub use store::{
    SPLIT_ID_LEN, SplitPointer, StoredShare, cold_key, commit, current_key, hot_key, share_key,
    wallet_tag,
};
pub use wallet::{Address, WalletKey, keccak256, personal_message_hash, recover_signer};

use alloc::string::String;
use core::fmt;
use rand_core::CryptoRng;

use crate::effect::{Step, StoreName, StoreSealer, StoredRecord};
use crate::error::{Error, Result};
use crate::secret::SecretString;

/// A newly created wallet (the output of [`create`]): its address, the split the pointer
/// names and the three envelopes.
#[derive(Clone)]
pub struct Created {
    /// The wallet address (public).
    pub address: Address,
    /// The split of generation 0 (fresh split id).
    pub split: SplitPointer,
    /// Envelope of share 1: give it to the user once the effects are committed.
    pub user_envelope: String,
    /// Envelope of share 2 (hot store); also in the effects.
    pub hot_envelope: String,
    /// Envelope of share 3 (cold store); also in the effects.
    pub cold_envelope: String,
}

impl fmt::Debug for Created {
    // Envelopes are password-sealed, but printing them would hand a log reader the material
    // for an offline password search: show that they exist, not their text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Created")
            .field("address", &self.address)
            .field("split", &self.split)
            .field("envelopes", &"3 x REDACTED")
            .finish()
    }
}

/// A wallet opened from two shares: the key (zeroized on drop) and the shares' generation.
#[derive(Debug)]
pub struct OpenedWallet {
    /// The wallet key `d`.
    pub key: WalletKey,
    /// The generation of the two shares.
    pub generation: u32,
}

/// Splits `key` afresh (new coefficient `a` from `rng`) and seals the three shares of
/// `generation` under `password`.
fn split_and_seal<R: CryptoRng + ?Sized>(
    password: &SecretString,
    key: &WalletKey,
    generation: u32,
    rng: &mut R,
) -> Result<[String; 3]> {
    let coefficient = wallet::random_nonzero_scalar(rng)?;
    let [s1, s2, s3] = key.split(&coefficient, generation)?;
    Ok([
        seal(password, &s1, rng)?,
        seal(password, &s2, rng)?,
        seal(password, &s3, rng)?,
    ])
}

/// Creates a wallet (spec §3 "create"): `d` and `a` from `rng`, three shares of generation 0,
/// each sealed under `password` with a fresh salt and IV, and a fresh split id. The output's
/// share 1 goes to the user once the effects are committed ([`commit`]); the effects, in an
/// order where any prefix is safe: `put` share 2 (hot), `put` share 3 (cold), then
/// `put_if_absent` of the pointer (hot), values sealed with `sealer`.
///
/// Randomness, in order: `d`, `a` (32 bytes each, redrawn while 0 or `>= n`), salt (16) and
/// IV (12) for x = 1, 2, 3, the split id (16), then the store-sealing nonces of share 2,
/// share 3 and the pointer.
///
/// `INVALID_INPUT` for an empty password.
pub fn create<R: CryptoRng + ?Sized>(
    password: &SecretString,
    sealer: &StoreSealer,
    rng: &mut R,
) -> Result<Step<Created>> {
    if password.as_bytes().is_empty() {
        return Err(Error::InvalidInput);
    }
    let key = WalletKey::generate(rng)?;
    let address = key.address();
    let [user_envelope, hot_envelope, cold_envelope] = split_and_seal(password, &key, 0, rng)?;
    drop(key);
    let mut split_id = [0u8; SPLIT_ID_LEN];
    rng.fill_bytes(&mut split_id);
    let split = SplitPointer {
        generation: 0,
        split_id,
    };
    let effects = alloc::vec![
        StoredShare::new(hot_envelope.clone())?.put(
            sealer,
            hot_key(&address, &split),
            None,
            rng
        )?,
        StoredShare::new(cold_envelope.clone())?
            .put(sealer, cold_key(&address, &split), None, rng)?
            .in_store(StoreName::Cold),
        split.put_if_absent(sealer, current_key(&address), None, rng)?,
    ];
    Ok(Step::new(
        Created {
            address,
            split,
            user_envelope,
            hot_envelope,
            cold_envelope,
        },
        effects,
    ))
}

pub(crate) fn open_checked(
    password: &SecretString,
    first: &str,
    second: &str,
    address: &Address,
    expected_generation: Option<u32>,
) -> Result<OpenedWallet> {
    // 1. Both envelopes open.
    let [pa, pb] = envelope::open_two(password, first, second)?;
    // 2. Format byte of both.
    SharePlaintext::check_format(pa.expose())?;
    SharePlaintext::check_format(pb.expose())?;
    // 3. Threshold, x, y < n of both; distinct x.
    let a = SharePlaintext::decode(pa.expose())?;
    let b = SharePlaintext::decode(pb.expose())?;
    if a.x() == b.x() {
        return Err(Error::InvalidShare);
    }
    // 4. Equal generations (and the one the caller expects, for recovery).
    if a.generation() != b.generation() || expected_generation.is_some_and(|g| g != a.generation())
    {
        return Err(Error::GenerationMismatch);
    }
    // 5. Combined key non-zero and giving the stored address.
    let key = WalletKey::combine(&a, &b)?;
    if key.address() != *address {
        return Err(Error::ShareMismatch);
    }
    Ok(OpenedWallet {
        key,
        generation: a.generation(),
    })
}

/// Opens two share envelopes under `password` and reconstructs the key, with the five checks
/// of spec §3 in order (see the module docs). `combine` in `shares.json`.
pub fn open_wallet(
    password: &SecretString,
    first: &str,
    second: &str,
    address: &Address,
) -> Result<OpenedWallet> {
    open_checked(password, first, second, address, None)
}

/// Signs `message` (its UTF-8 bytes) with EIP-191 `personal_sign` using share 1 (the user's
/// envelope) and share 2 (the hot envelope of the same generation) (spec §3 "sign"). The key
/// exists only inside this call and is zeroized before it returns.
pub fn sign(
    password: &SecretString,
    user_envelope: &str,
    hot_envelope: &str,
    address: &Address,
    message: &str,
) -> Result<String> {
    let opened = open_wallet(password, user_envelope, hot_envelope, address)?;
    Ok(opened.key.sign_message(message.as_bytes()))
}
