//! Threshold wallet shares, spec §3 (from the "password-based encryption" design).
//!
//! An Ethereum (secp256k1) key `d` is split 2-of-3 by Shamir over GF(n) (vsss-rs):
//! `f(x) = d + a*x mod n`, shares `(x, f(x))` for x = 1 (user), 2 (hot), 3 (cold). Each share
//! travels and rests in a password envelope: `b64(salt || iv || AES-128-GCM(K, iv, share))`
//! with `K = Argon2id(password, salt, t=3, m=64 MiB, p=4, 16 bytes)`.
//!
//! ```text
//!  user (password)                 server (StoreSealer, store)
//!  create(password) ------------>  d, a <- rng; shares 1, 2, 3; three envelopes
//!        <--- user envelope 1 ---  effects: Put hot:0, Put cold:0, Put current = 0
//!
//!  sign(password, env 1, hot env 2, address, message)
//!                                  open 1 and 2 (two Argon2id), checks 1-5, combine,
//!                                  check address, EIP-191 sign, zeroize d
//!        <--- 0x r||s||v --------
//!
//!  recover(password, hot env 2, cold env 3, address, g)   (user lost share 1)
//!                                  open 2 and 3, checks, combine, new a, generation g+1
//!        <--- new envelope 1 ----  effects: Put hot:g+1, Put cold:g+1, Put current = g+1,
//!                                           Delete hot:g, Delete cold:g
//! ```
//!
//! Opening two shares ([`open_wallet`]) checks, in order, each check on both shares before the
//! next: 1. each envelope opens (`DECRYPTION_FAILED`); 2. format byte `0x01`
//! (`UNSUPPORTED_VERSION`); 3. threshold 2, `x` in {1, 2, 3}, `y < n`, the two `x` differ
//! (`INVALID_SHARE`); 4. equal generations (`GENERATION_MISMATCH`); 5. the combined key is not 0
//! and gives the stored address (`SHARE_MISMATCH`).
//!
//! Randomness is consumed in a fixed order, so vectors replay byte for byte: `d` then `a`
//! (each 32 bytes read big-endian, redrawn while 0 or `>= n`), then for x = 1, 2, 3 the
//! envelope's salt (16) and IV (12), then the store-sealing nonces of the effects.
//!
//! # Store layout (server side)
//! All under `sw:v1:shares:<address in lowercase hex, with 0x>`:
//! `…:hot:<g>` and `…:cold:<g>` hold the envelopes of shares 2 and 3 of generation `g` (the
//! envelope text's bytes), `…:current` holds `u32be(g)`. Every value is additionally sealed
//! with [`StoreSealer`] (spec §2.3, AAD bound to the key), so a dump of the store alone does
//! not even give the material for an offline password search, and a value copied to another
//! key does not open. Read values back with [`open_stored_envelope`] and
//! [`open_stored_generation`]. No value has a TTL.
//!
//! Recovery writes in an order that loses nothing on a crash between any two effects: new
//! shares first, then the pointer, then the old generation's deletion. Until the deletes run,
//! the user's old share 1 still signs with `hot:<g>`; once the new hot share is written, the
//! new share 1 signs with `hot:<g+1>` (the user's share carries its generation, so try the
//! pointer's generation first, then the other one present).
//!
//! # Decisions where the spec is silent
//! * An envelope that is not strict base64 is `DECRYPTION_FAILED` like any other corrupted
//!   envelope (§3 "any other length ... or corrupted data"), not `INVALID_INPUT`.
//! * [`create`] and [`recover`] refuse an empty password (`INVALID_INPUT`): they would seal the
//!   shares under nothing. Opening takes any password; a wrong one is `DECRYPTION_FAILED`.
//! * [`recover`] takes the generation `g` the caller loaded shares 2 and 3 from; shares of
//!   another generation are `GENERATION_MISMATCH` (check 4). At `g = 2^32 - 1` it is
//!   `INVALID_SHARE` after the five checks pass.
//! * Any two distinct shares open the wallet; `sign` is meant for 1 + 2 and `recover` for
//!   2 + 3, but the roles are not enforced (anyone with two shares and the password has `d`).
//! * [`recover_signer`] accepts only lowercase hex, `v` of 27 or 28 and low `s`.
//! * The two Argon2id derivations of an opening run on two threads on native targets (one after
//!   the other on wasm32, or if the OS refuses a thread); sealing's three run one after the
//!   other. argon2's `parallel` feature already spreads each derivation's 4 lanes over the
//!   cores, so on a 2-core machine the second thread buys little (bench
//!   `shares/argon2id_x2_threads` vs `_sequential`); it pays on machines with more cores.
//!
//! ```
//! use sealwright::effect::{MemoryStore, StoreSealer};
//! use sealwright::secret::{SecretKey32, SecretString};
//! use sealwright::shares;
//! # use rand_core::SeedableRng;
//! let mut rng = rand_chacha::ChaCha20Rng::from_seed([4; 32]);
//! let sealer = StoreSealer::new(&SecretKey32::new([1; 32]))?;
//! let password = SecretString::from("correct horse battery staple");
//!
//! // Create: the user keeps envelope 1, the server applies the effects (hot 2, cold 3).
//! let created = shares::create(&password, &sealer, &mut rng)?;
//! let mut store = MemoryStore::new();
//! store.apply_all(&created.effects, 0);
//! let address = created.address;
//!
//! // Sign with the user's share and the hot share read back from the store.
//! let hot_key = shares::hot_key(&address, 0);
//! let hot = shares::open_stored_envelope(&sealer, &hot_key, store.get(&hot_key, 0).unwrap())?;
//! let signature = shares::sign(&password, &created.user_envelope, &hot, &address, "hello")?;
//! assert_eq!(shares::recover_signer(b"hello", &signature)?, address);
//! # Ok::<(), sealwright::Error>(())
//! ```

mod envelope;
mod wallet;

#[cfg(feature = "test-utils")]
pub use envelope::seal_with;
pub use envelope::{
    ARGON2_M_KIB, ARGON2_P, ARGON2_T, ENVELOPE_LEN, EnvelopeKey, EnvelopeParts, FORMAT, IV_LEN,
    KEY_LEN, PLAINTEXT_LEN, SALT_LEN, SharePlaintext, TAG_LEN, THRESHOLD, derive_key,
    open_envelope, open_envelope_with_key, seal,
};
pub use wallet::{Address, WalletKey, keccak256, personal_message_hash, recover_signer};

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;

use crate::effect::{Effect, StoreSealer};
use crate::error::{Error, Result};
use crate::secret::SecretString;

/// A newly created wallet: its address, the three envelopes and the store effects.
#[derive(Clone)]
pub struct Created {
    /// The wallet address (public).
    pub address: Address,
    /// Envelope of share 1 (generation 0): give it to the user.
    pub user_envelope: String,
    /// Envelope of share 2 (hot storage); also in `effects`.
    pub hot_envelope: String,
    /// Envelope of share 3 (cold storage); also in `effects`.
    pub cold_envelope: String,
    /// `Put hot:0`, `Put cold:0`, `Put current = 0`: apply in order.
    pub effects: Vec<Effect>,
}

/// The result of a recovery: the next generation's envelopes and the ordered store effects.
#[derive(Clone)]
pub struct Recovered {
    /// The new generation `g + 1`.
    pub generation: u32,
    /// New envelope of share 1: give it to the user (the old one stops working once the old
    /// generation is deleted).
    pub user_envelope: String,
    /// New envelope of share 2; also in `effects`.
    pub hot_envelope: String,
    /// New envelope of share 3; also in `effects`.
    pub cold_envelope: String,
    /// `Put hot:g+1`, `Put cold:g+1`, `Put current = g+1`, `Delete hot:g`, `Delete cold:g`.
    pub effects: Vec<Effect>,
}

fn debug_envelopes(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    generation: u32,
    address: Option<&Address>,
    effects: &[Effect],
) -> fmt::Result {
    // Envelopes are password-sealed, but printing them would hand a log reader the material
    // for an offline password search: show that they exist, not their text.
    let mut d = f.debug_struct(name);
    if let Some(a) = address {
        d.field("address", a);
    }
    d.field("generation", &generation)
        .field("envelopes", &"3 x REDACTED")
        .field("effects", &effects)
        .finish()
}

impl fmt::Debug for Created {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_envelopes(f, "Created", 0, Some(&self.address), &self.effects)
    }
}

impl fmt::Debug for Recovered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_envelopes(f, "Recovered", self.generation, None, &self.effects)
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

/// `sw:v1:shares:<address>` with the address in lowercase hex.
pub fn store_prefix(address: &Address) -> String {
    format!("sw:v1:shares:{}", address.to_lowercase_hex())
}

/// Store key of the hot share (x = 2) of generation `g`: `sw:v1:shares:<address>:hot:<g>`.
pub fn hot_key(address: &Address, generation: u32) -> String {
    format!("{}:hot:{generation}", store_prefix(address))
}

/// Store key of the cold share (x = 3) of generation `g`: `sw:v1:shares:<address>:cold:<g>`.
pub fn cold_key(address: &Address, generation: u32) -> String {
    format!("{}:cold:{generation}", store_prefix(address))
}

/// Store key of the current-generation pointer: `sw:v1:shares:<address>:current`.
pub fn current_key(address: &Address) -> String {
    format!("{}:current", store_prefix(address))
}

/// Opens a stored envelope value read from `key` (`DECRYPTION_FAILED` if it was not sealed
/// for that key, `INVALID_INPUT` if it is not text).
pub fn open_stored_envelope(sealer: &StoreSealer, key: &str, value: &[u8]) -> Result<String> {
    let opened = sealer.open(key, value)?;
    let text = core::str::from_utf8(opened.expose()).map_err(|_| Error::InvalidInput)?;
    Ok(String::from(text))
}

/// Opens the stored current-generation pointer read from `key`.
pub fn open_stored_generation(sealer: &StoreSealer, key: &str, value: &[u8]) -> Result<u32> {
    let opened = sealer.open(key, value)?;
    let bytes: [u8; 4] = opened
        .expose()
        .try_into()
        .map_err(|_| Error::InvalidInput)?;
    Ok(u32::from_be_bytes(bytes))
}

fn generation_effects<R: CryptoRng + ?Sized>(
    sealer: &StoreSealer,
    address: &Address,
    generation: u32,
    hot: &str,
    cold: &str,
    rng: &mut R,
) -> Result<Vec<Effect>> {
    Ok(alloc::vec![
        sealer.put(hot_key(address, generation), hot.as_bytes(), None, rng)?,
        sealer.put(cold_key(address, generation), cold.as_bytes(), None, rng)?,
        sealer.put(current_key(address), &generation.to_be_bytes(), None, rng)?,
    ])
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
/// each sealed under `password` with a fresh salt and IV. Share 1 goes to the user; the
/// effects store shares 2 and 3 and the generation pointer (values sealed with `sealer`).
///
/// `INVALID_INPUT` for an empty password.
pub fn create<R: CryptoRng + ?Sized>(
    password: &SecretString,
    sealer: &StoreSealer,
    rng: &mut R,
) -> Result<Created> {
    if password.as_bytes().is_empty() {
        return Err(Error::InvalidInput);
    }
    let key = WalletKey::generate(rng)?;
    let address = key.address();
    let [user_envelope, hot_envelope, cold_envelope] = split_and_seal(password, &key, 0, rng)?;
    drop(key);
    let effects = generation_effects(sealer, &address, 0, &hot_envelope, &cold_envelope, rng)?;
    Ok(Created {
        address,
        user_envelope,
        hot_envelope,
        cold_envelope,
        effects,
    })
}

fn open_checked(
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

/// Recovers after the user lost share 1 (spec §3 "recover"): opens shares 2 and 3 of
/// generation `generation`, checks them, splits the key afresh as generation `g + 1` and seals
/// three new envelopes. The new share 1 goes to the user; the effects, applied in order,
/// write the new hot and cold shares, move the pointer, then delete generation `g`.
///
/// `INVALID_INPUT` for an empty password; the five opening checks; `INVALID_SHARE` at
/// `g = 2^32 - 1`.
pub fn recover<R: CryptoRng + ?Sized>(
    password: &SecretString,
    hot_envelope: &str,
    cold_envelope: &str,
    address: &Address,
    generation: u32,
    sealer: &StoreSealer,
    rng: &mut R,
) -> Result<Recovered> {
    if password.as_bytes().is_empty() {
        return Err(Error::InvalidInput);
    }
    let opened = open_checked(
        password,
        hot_envelope,
        cold_envelope,
        address,
        Some(generation),
    )?;
    let next = generation.checked_add(1).ok_or(Error::InvalidShare)?;
    let [user_envelope, hot, cold] = split_and_seal(password, &opened.key, next, rng)?;
    drop(opened);
    let mut effects = generation_effects(sealer, address, next, &hot, &cold, rng)?;
    effects.push(Effect::Delete {
        key: hot_key(address, generation),
    });
    effects.push(Effect::Delete {
        key: cold_key(address, generation),
    });
    Ok(Recovered {
        generation: next,
        user_envelope,
        hot_envelope: hot,
        cold_envelope: cold,
        effects,
    })
}
