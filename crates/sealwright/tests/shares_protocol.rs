//! Shares protocol tests (spec §3): known answers (EIP-55, EIP-191 web3.js, RFC 9106
//! Argon2id), store keys and effects and their order, the three recovery steps (stage, move,
//! cleanup) with crash safety at every transaction prefix, racing recoveries on two threads,
//! one hash tag per step and store, the generation limit, password rules, and `Debug`
//! redaction of every secret-holding type.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod shares_common;

use k256::elliptic_curve::ff::PrimeField;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::Error;
use sealwright::effect::{Effect, StoreName, StoredRecord, key_tag};
use sealwright::encoding::{hex_decode_array, hex_encode};
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::shares::{
    self, Address, LoadedSplit, SharePlaintext, SplitPointer, StoredShare, WalletKey,
};
use shares_common::{Stores, created_wallet, fixture, sealer, stage};
use std::collections::BTreeSet;
use std::sync::Barrier;

/// The test vectors of EIP-55 (all caps, all lower, and normal mixed-case addresses).
const EIP55: [&str; 8] = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
];

#[test]
fn eip55_checksums() {
    for text in EIP55 {
        let a = Address::parse(text).unwrap();
        let body = &text[2..];
        let mixed = body.chars().any(|c| c.is_ascii_uppercase())
            && body.chars().any(|c| c.is_ascii_lowercase());
        if mixed {
            assert_eq!(a.to_string(), text);
        } else {
            // All-caps and all-lower are accepted unchecksummed forms of the same bytes.
            assert_eq!(a.to_string().to_lowercase(), text.to_lowercase());
        }
        assert_eq!(a.to_lowercase_hex(), text.to_lowercase());
    }
    // A single flipped case in a checksummed address is refused.
    assert_eq!(
        Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").err(),
        Some(Error::InvalidInput)
    );
    for bad in [
        "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
        "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "",
    ] {
        assert_eq!(
            Address::parse(bad).err(),
            Some(Error::InvalidInput),
            "{bad}"
        );
    }
}

#[test]
fn eip191_web3js_docs_signature() {
    // web3.js docs, web3.eth.accounts.sign('Some data', '0x4c08...2318').
    let d = hex_decode_array("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
        .unwrap();
    let key = WalletKey::from_bytes(&SecretKey32::new(d)).unwrap();
    let sig = key.sign_message(b"Some data");
    assert_eq!(
        sig,
        "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd\
         6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c"
    );
    assert_eq!(
        hex_encode(&shares::personal_message_hash(b"Some data")),
        "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655"
    );
    let signer = shares::recover_signer(b"Some data", &sig).unwrap();
    assert_eq!(signer, key.address());
    // web3.js docs: privateKeyToAccount of this key.
    assert_eq!(
        signer.to_string(),
        "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
    );
    // The export is the key itself, lowercase hex.
    assert_eq!(
        key.export_private_key_hex().expose(),
        "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
    );
}

#[test]
fn recover_signer_is_strict() {
    let key = WalletKey::from_bytes(&SecretKey32::new([3; 32])).unwrap();
    let sig = key.sign_message(b"m");
    assert_eq!(shares::recover_signer(b"m", &sig).unwrap(), key.address());
    assert_ne!(shares::recover_signer(b"n", &sig).unwrap(), key.address());
    let v = u8::from_str_radix(&sig[130..], 16).unwrap();
    let other_v = format!("{}{:02x}", &sig[..130], if v == 27 { 28 } else { 27 });
    assert_ne!(
        shares::recover_signer(b"m", &other_v).ok(),
        Some(key.address())
    );
    for bad in [
        sig[2..].to_string(),                       // no 0x
        sig.to_uppercase().replacen("0X", "0x", 1), // uppercase hex
        format!("{}00", &sig[..130]),               // v = 0
        format!("{}1d", &sig[..130]),               // v = 29
        sig[..130].to_string(),                     // no v
        format!("0x{}{}", "00".repeat(64), "1b"),   // r = s = 0
    ] {
        assert_eq!(
            shares::recover_signer(b"m", &bad).err(),
            Some(Error::BadSignature),
            "{bad}"
        );
    }
}

#[test]
fn argon2id_rfc9106_vector() {
    // RFC 9106 section 5.3 (Argon2id, with secret and associated data) through the argon2
    // crate the envelopes use; shares::derive_key itself is checked by the vectors' argon2Key.
    let params = argon2::ParamsBuilder::new()
        .m_cost(32)
        .t_cost(3)
        .p_cost(4)
        .output_len(32)
        .data(argon2::AssociatedData::new(&[4; 12]).unwrap())
        .build()
        .unwrap();
    let ctx = argon2::Argon2::new_with_secret(
        &[3; 8],
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params,
    )
    .unwrap();
    let mut out = [0u8; 32];
    ctx.hash_password_into(&[1; 32], &[2; 16], &mut out)
        .unwrap();
    assert_eq!(
        hex_encode(&out),
        "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"
    );
}

#[test]
fn create_effects_and_store_layout() {
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let password = SecretString::from("pw");
    let (created, effects) = shares::create(&password, &sealer(), &mut rng)
        .unwrap()
        .into_parts();
    let a = created.address;
    let split = created.split;
    assert_eq!(split.generation, 0);
    // tag over "0x" + 40 lowercase hex digits, not the EIP-55 form.
    let tag = sealwright::effect::tag(&a.to_lowercase_hex());
    assert_ne!(tag, sealwright::effect::tag(&a.to_string()));
    assert_eq!(shares::wallet_tag(&a), tag);
    let prefix = format!("sw:v1:shares:{tag}");
    let id = hex_encode(&split.split_id);
    let layout: Vec<(&str, StoreName, &str)> = effects
        .iter()
        .map(|e| (e.key(), e.store, e.op.name()))
        .collect();
    // Any prefix is safe: the shares first (one per store), the pointer last.
    assert_eq!(
        layout,
        [
            (
                format!("{prefix}:0:{id}:2").as_str(),
                StoreName::Main,
                "put"
            ),
            (
                format!("{prefix}:0:{id}:3").as_str(),
                StoreName::Cold,
                "put"
            ),
            (
                format!("{prefix}:current").as_str(),
                StoreName::Main,
                "put_if_absent"
            ),
        ]
    );
    assert!(effects.iter().all(|e| e.ttl_seconds().is_none()));
    // Before the pointer is written the wallet does not exist (INVALID_INPUT), after it does.
    let stores = Stores::new();
    stores.commit(&effects[..2]).unwrap();
    let pointer = stores.hot.get(&shares::current_key(&a), 0);
    assert_eq!(
        LoadedSplit::open(&sealer(), &a, pointer.as_deref()).err(),
        Some(Error::InvalidInput)
    );
    stores.commit(&effects[2..]).unwrap();
    assert_eq!(stores.pointer(&a), split);
    assert_eq!(
        stores.hot_envelope(&a, &split).unwrap(),
        created.hot_envelope
    );
    assert_eq!(
        stores.cold_envelope(&a, &split).unwrap(),
        created.cold_envelope
    );
    // A second create for the same pointer key cannot overwrite it.
    assert_eq!(stores.commit(&effects[2..]), Err(Error::Conflict));
    // The pointer plaintext: 0x01 || u32be(generation) || splitId.
    let raw = stores.hot.get(&shares::current_key(&a), 0).unwrap();
    let plain = sealer().open(&shares::current_key(&a), &raw).unwrap();
    let mut want = vec![1u8, 0, 0, 0, 0];
    want.extend_from_slice(&split.split_id);
    assert_eq!(plain.expose(), want.as_slice());
    // Values are StoreSealer-sealed: neither the envelope text nor its bytes are visible,
    // and a value moved to another key does not open.
    let raw = stores.hot.get(&shares::hot_key(&a, &split), 0).unwrap();
    let env_raw = sealwright::encoding::b64_decode(&created.hot_envelope).unwrap();
    assert!(!raw.windows(16).any(|w| env_raw.windows(16).any(|h| h == w)));
    assert_eq!(
        StoredShare::open(&sealer(), &shares::cold_key(&a, &split), &raw).err(),
        Some(Error::DecryptionFailed)
    );
    // The three envelopes are distinct shares of one key, all under the same password.
    let opened = shares::open_wallet(
        &password,
        &created.user_envelope,
        &created.cold_envelope,
        &a,
    )
    .unwrap();
    assert_eq!(opened.generation, 0);
    assert_eq!(opened.key.address(), a);
}

#[test]
fn empty_password_is_refused_for_sealing() {
    let mut rng = ChaCha20Rng::from_seed([2; 32]);
    let empty = SecretString::from("");
    assert_eq!(
        shares::create(&empty, &sealer(), &mut rng).err(),
        Some(Error::InvalidInput)
    );
    let password = SecretString::from("pw");
    let (created, stores) = created_wallet(&password, &mut rng);
    assert_eq!(
        stage(&stores, &empty, &created.address, &mut rng).err(),
        Some(Error::InvalidInput)
    );
    // Opening with an empty password is just a wrong password.
    assert_eq!(
        shares::open_envelope(&empty, &created.user_envelope).err(),
        Some(Error::DecryptionFailed)
    );
}

#[test]
fn stage_opens_only_the_split_the_pointer_names() {
    let mut rng = ChaCha20Rng::from_seed([3; 32]);
    let password = SecretString::from("pointer");
    let (created, stores) = created_wallet(&password, &mut rng);
    let a = created.address;
    let loaded = stores.loaded(&a);
    let hot = stores.hot.get(&loaded.hot_key(), 0);
    let cold = stores.cold.get(&loaded.cold_key(), 0);
    // A missing share is INVALID_INPUT; a value of another key (e.g. share 3 offered as share
    // 2) does not even open.
    assert_eq!(
        loaded
            .clone()
            .stage(&password, &sealer(), None, cold.as_deref(), &mut rng)
            .err(),
        Some(Error::InvalidInput)
    );
    assert_eq!(
        loaded
            .clone()
            .stage(
                &password,
                &sealer(),
                cold.as_deref(),
                cold.as_deref(),
                &mut rng
            )
            .err(),
        Some(Error::DecryptionFailed)
    );
    // A pointer value of another wallet does not open under this wallet's key.
    let (other, other_stores) = created_wallet(&password, &mut rng);
    let foreign = other_stores
        .hot
        .get(&shares::current_key(&other.address), 0);
    assert_eq!(
        LoadedSplit::open(&sealer(), &a, foreign.as_deref()).err(),
        Some(Error::DecryptionFailed)
    );
    // The staged split: generation + 1, a fresh split id, one effect per store.
    let staged = loaded
        .stage(
            &password,
            &sealer(),
            hot.as_deref(),
            cold.as_deref(),
            &mut rng,
        )
        .unwrap();
    let new = *staged.output.new_split();
    assert_eq!(new.generation, 1);
    assert_ne!(new.split_id, created.split.split_id);
    assert_eq!(*staged.output.old_split(), created.split);
    let layout: Vec<(String, StoreName, &str)> = staged
        .effects
        .iter()
        .map(|e| (e.key().to_string(), e.store, e.op.name()))
        .collect();
    assert_eq!(
        layout,
        [
            (shares::hot_key(&a, &new), StoreName::Main, "put"),
            (shares::cold_key(&a, &new), StoreName::Cold, "put"),
        ]
    );
    // The move: one put_if_equal of the pointer, expecting exactly the value loaded.
    let moving = staged.output.move_pointer();
    assert_eq!(moving.effects.len(), 1);
    let m = &moving.effects[0];
    assert_eq!(
        (m.key(), m.store, m.op.name()),
        (
            shares::current_key(&a).as_str(),
            StoreName::Main,
            "put_if_equal"
        )
    );
    assert_eq!(
        m.expected(),
        stores.hot.get(&shares::current_key(&a), 0).as_deref()
    );
    assert!(!moving.output.moved_by_us(m.expected()));
    assert!(moving.output.moved_by_us(m.value()));
}

#[test]
fn generation_limit_is_invalid_share() {
    // A wallet whose pointer names a split of generation 2^32 - 1, sealed through the API.
    let mut rng = ChaCha20Rng::from_seed([4; 32]);
    let password = SecretString::from("limit");
    let key = WalletKey::generate(&mut rng).unwrap();
    let address = key.address();
    // A valid split with a = 1: y = d + x (mod n), computed from the exported key.
    let d: k256::Scalar = Option::from(k256::Scalar::from_repr(
        hex_decode_array::<32>(key.export_private_key_hex().expose())
            .unwrap()
            .into(),
    ))
    .unwrap();
    let mut envelope = |x: u8| {
        let y = d + k256::Scalar::from(u64::from(x));
        let share = SharePlaintext::new(x, u32::MAX, SecretKey32::new(y.to_repr().into())).unwrap();
        shares::seal(&password, &share, &mut rng).unwrap()
    };
    let (hot, cold) = (envelope(2), envelope(3));
    let opened = shares::open_wallet(&password, &hot, &cold, &address).unwrap();
    assert_eq!(opened.generation, u32::MAX);
    let split = SplitPointer {
        generation: u32::MAX,
        split_id: [7; 16],
    };
    let s = sealer();
    let stores = Stores::new();
    let effects = [
        StoredShare::new(hot)
            .unwrap()
            .put(&s, shares::hot_key(&address, &split), None, &mut rng)
            .unwrap(),
        StoredShare::new(cold)
            .unwrap()
            .put(&s, shares::cold_key(&address, &split), None, &mut rng)
            .unwrap()
            .in_store(StoreName::Cold),
        split
            .put(&s, shares::current_key(&address), None, &mut rng)
            .unwrap(),
    ];
    stores.commit(&effects).unwrap();
    assert_eq!(
        stage(&stores, &password, &address, &mut rng).err(),
        Some(Error::InvalidShare)
    );
    // Shares of a generation other than the pointer's: GENERATION_MISMATCH.
    let mut rng2 = ChaCha20Rng::from_seed([5; 32]);
    let lying = SplitPointer {
        generation: 7,
        split_id: [7; 16],
    };
    let moved = [
        Effect::put(
            shares::hot_key(&address, &lying),
            stores
                .hot
                .get(&shares::hot_key(&address, &split), 0)
                .unwrap(),
            None,
        ),
        lying
            .put(&s, shares::current_key(&address), None, &mut rng2)
            .unwrap(),
    ];
    stores.commit(&moved).unwrap();
    // (share 2 moved under another key does not open: the sealing binds it to its key)
    assert_eq!(
        stage(&stores, &password, &address, &mut rng2).err(),
        Some(Error::DecryptionFailed)
    );
}

#[test]
fn a_share_alone_is_refused() {
    // The API takes exactly two envelopes: one share given twice is INVALID_SHARE, never a
    // "reconstruction" from a single point.
    let f = fixture();
    for e in &f.envelopes {
        assert_eq!(
            shares::open_wallet(&f.password, e, e, &f.address).err(),
            Some(Error::InvalidShare)
        );
    }
}

/// The store transactions of a step: each run of one store's effects (spec §0.2).
fn transactions(effects: &[Effect]) -> Vec<Vec<Effect>> {
    effects
        .chunk_by(|a, b| a.store == b.store)
        .map(<[Effect]>::to_vec)
        .collect()
}

/// Crash safety (spec §3 recover): the recovery's transactions in order (stage: hot, cold;
/// move: hot; cleanup: hot, cold) and every prefix of them applied. At each one, the pointer
/// names a split whose shares 2 and 3 are both stored, the user share of the pointer's
/// generation signs (the old one until the move committed, the new one after), the other
/// user share is refused, and a recovery can run again.
#[test]
fn recovery_survives_a_crash_after_any_transaction() {
    let mut rng = ChaCha20Rng::from_seed([5; 32]);
    let password = SecretString::from("crash-safe");
    let (created, base) = created_wallet(&password, &mut rng);
    let a = created.address;
    let staged = stage(&base, &password, &a, &mut rng).unwrap();
    let mut units = transactions(&staged.effects);
    let moving = staged.output.move_pointer();
    units.extend(transactions(&moving.effects));
    let (recovered, cleanup) = moving.output.won().into_parts();
    units.extend(transactions(&cleanup));
    assert_eq!(units.len(), 5);
    let old_user = &created.user_envelope;
    let new_user = &recovered.user_envelope;
    for k in 0..=units.len() {
        let stores = base.clone();
        for unit in &units[..k] {
            stores.commit(unit).unwrap();
        }
        let moved = k >= 3;
        let split = stores.pointer(&a);
        assert_eq!(
            split,
            if moved {
                recovered.split
            } else {
                created.split
            },
            "prefix {k}"
        );
        // The pointer's split is complete: the wallet opens from its hot + cold shares.
        let (hot, cold) = (
            stores.hot_envelope(&a, &split).unwrap(),
            stores.cold_envelope(&a, &split).unwrap(),
        );
        assert_eq!(
            shares::open_wallet(&password, &hot, &cold, &a)
                .unwrap()
                .generation,
            split.generation
        );
        // The user share of the pointer's generation signs, the other is refused.
        let (good, other) = if moved {
            (new_user, old_user)
        } else {
            (old_user, new_user)
        };
        let sig = stores.sign(&password, good, &a, "after crash").unwrap();
        assert_eq!(shares::recover_signer(b"after crash", &sig).unwrap(), a);
        assert_eq!(
            stores.sign(&password, other, &a, "x").err(),
            Some(Error::GenerationMismatch),
            "prefix {k}"
        );
        // Nothing but the two splits' keys and the pointer, and the old split's keys go only
        // in the cleanup.
        assert_eq!(stores.all_keys().len(), [3, 4, 5, 5, 4, 3][k], "prefix {k}");
        if k == 2 || k == 3 {
            // The recovery runs again from this state (a new split, the pointer moves).
            let again = shares::recover(
                &password,
                &a,
                &sealer(),
                &stores.hot,
                &stores.cold,
                0,
                &mut rng,
            )
            .unwrap();
            assert_eq!(again.split.generation, split.generation + 1);
            assert!(
                stores
                    .sign(&password, &again.user_envelope, &a, "again")
                    .is_ok()
            );
        }
    }
}

/// Every step's effects in one store carry one hash tag, the wallet's (spec §0.2).
#[test]
fn every_step_keeps_one_hash_tag_per_store() {
    let mut rng = ChaCha20Rng::from_seed([8; 32]);
    let password = SecretString::from("tags");
    let (created, effects) = shares::create(&password, &sealer(), &mut rng)
        .unwrap()
        .into_parts();
    let a = created.address;
    let stores = Stores::new();
    stores.commit(&effects).unwrap();
    let staged = stage(&stores, &password, &a, &mut rng).unwrap();
    let moving = staged.clone().output.move_pointer();
    let won = moving.clone().output.won();
    let lost = moving.clone().output.lost();
    assert_eq!(lost.output, Error::Conflict);
    let tag = shares::wallet_tag(&a);
    for (name, step) in [
        ("create", &effects),
        ("stage", &staged.effects),
        ("move", &moving.effects),
        ("cleanup (winner)", &won.effects),
        ("cleanup (loser)", &lost.effects),
    ] {
        for store in [StoreName::Main, StoreName::Cold] {
            let tags: BTreeSet<Option<&str>> = step
                .iter()
                .filter(|e| e.store == store)
                .map(|e| key_tag(e.key()))
                .collect();
            assert!(tags.len() <= 1, "{name} {store:?}: {tags:?}");
            if let Some(t) = tags.first() {
                assert_eq!(*t, Some(tag.as_str()), "{name} {store:?}");
            }
        }
    }
}

/// Two recoveries of one wallet race on shared hot and cold stores, on two threads: both load
/// the pointer and stage, then both commit their move at once. Exactly one wins, the other
/// answers CONFLICT and deletes only its own staged shares; the wallet then signs with the
/// winner's new user share and hot share. `SHARES_RACE_RUNS` sets the number of races.
#[test]
fn racing_recoveries_have_exactly_one_winner() {
    let runs: usize = std::env::var("SHARES_RACE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let password = SecretString::from("race");
    let (mut winners, mut conflicts) = (0usize, 0usize);
    for run in 0..runs {
        let mut rng = ChaCha20Rng::from_seed([run as u8; 32]);
        let (created, stores) = created_wallet(&password, &mut rng);
        let a = created.address;
        let barrier = Barrier::new(2);
        let results: Vec<Result<shares::Recovered, Error>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2u8)
                .map(|t| {
                    let (stores, barrier, password) = (&stores, &barrier, &password);
                    scope.spawn(move || {
                        let mut rng = ChaCha20Rng::from_seed([100 + t; 32]);
                        // Load the pointer and stage, concurrently.
                        let staged = stage(stores, password, &a, &mut rng)?;
                        stores.commit(&staged.effects)?;
                        // Both have staged before either moves: a true race on the pointer.
                        barrier.wait();
                        let moving = staged.output.move_pointer();
                        match stores.commit(&moving.effects) {
                            Ok(()) => {
                                let done = moving.output.won();
                                stores.commit(&done.effects)?;
                                Ok(done.output)
                            }
                            Err(Error::Conflict) => {
                                let lost = moving.output.lost();
                                stores.commit(&lost.effects)?;
                                Err(lost.output)
                            }
                            Err(e) => Err(e),
                        }
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let won: Vec<&shares::Recovered> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        let lost = results
            .iter()
            .filter(|r| r.as_ref().err() == Some(&Error::Conflict))
            .count();
        assert_eq!((won.len(), lost), (1, 1), "run {run}: {results:?}");
        winners += won.len();
        conflicts += lost;
        let winner = won[0];
        assert_eq!(stores.pointer(&a), winner.split);
        // The wallet signs with the winner's new user share and the winner's hot share.
        let sig = stores
            .sign(&password, &winner.user_envelope, &a, "race")
            .unwrap();
        assert_eq!(shares::recover_signer(b"race", &sig).unwrap(), a);
        assert_eq!(
            stores.hot_envelope(&a, &winner.split).unwrap(),
            winner.hot_envelope
        );
        // Only the winner's split and the pointer remain: no share of the loser, none of the
        // old split, in either store.
        assert_eq!(
            stores.hot.keys(),
            {
                let mut k = vec![shares::current_key(&a), shares::hot_key(&a, &winner.split)];
                k.sort();
                k
            },
            "run {run}"
        );
        assert_eq!(
            stores.cold.keys(),
            [shares::cold_key(&a, &winner.split)],
            "run {run}"
        );
    }
    eprintln!("shares race: {runs} runs, {winners} winners, {conflicts} conflicts");
    assert_eq!((winners, conflicts), (runs, runs));
}

/// Without a barrier, two recoveries through `shares::recover` either overlap (one wins, one
/// answers CONFLICT) or run one after the other (both win, generation + 2); the stores always
/// end with exactly one complete split, the pointer's.
#[test]
fn unsynchronized_recoveries_leave_one_complete_split() {
    let password = SecretString::from("race-free");
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    let (created, stores) = created_wallet(&password, &mut rng);
    let a = created.address;
    let results: Vec<Result<shares::Recovered, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2u8)
            .map(|t| {
                let (stores, password) = (&stores, &password);
                scope.spawn(move || {
                    let mut rng = ChaCha20Rng::from_seed([200 + t; 32]);
                    shares::recover(
                        password,
                        &a,
                        &sealer(),
                        &stores.hot,
                        &stores.cold,
                        0,
                        &mut rng,
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let won: Vec<&shares::Recovered> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert!(!won.is_empty());
    for r in &results {
        if let Err(e) = r {
            assert_eq!(*e, Error::Conflict);
        }
    }
    let split = stores.pointer(&a);
    let last = won.iter().find(|r| r.split == split).unwrap();
    assert_eq!(split.generation, won.len() as u32);
    stores
        .sign(&password, &last.user_envelope, &a, "m")
        .unwrap();
    assert_eq!(stores.all_keys().len(), 3);
}

#[test]
fn secret_types_zeroize_on_drop() {
    fn assert_zod<T: zeroize::ZeroizeOnDrop>() {}
    assert_zod::<WalletKey>();
    assert_zod::<SharePlaintext>();
    assert_zod::<shares::EnvelopeKey>();
    assert_zod::<SecretString>();
}

#[test]
fn debug_redaction() {
    let f = fixture();
    let opened =
        shares::open_wallet(&f.password, &f.envelopes[0], &f.envelopes[1], &f.address).unwrap();
    let d_hex = opened.key.export_private_key_hex();
    let d_hex = d_hex.expose();
    let pt = shares::open_envelope(&f.password, &f.envelopes[0]).unwrap();
    let share = SharePlaintext::decode(pt.expose()).unwrap();
    let y_hex = hex_encode(share.y().expose());
    let salt = hex_decode_array::<16>(&hex_encode(
        &sealwright::encoding::b64_decode(&f.envelopes[0]).unwrap()[..16],
    ))
    .unwrap();
    let k = shares::derive_key(&f.password, &salt).unwrap();
    let k_hex = hex_encode(k.expose());
    let mut rng = ChaCha20Rng::from_seed([6; 32]);
    let created = shares::create(&f.password, &sealer(), &mut rng).unwrap();
    let (wallet, stores) = created_wallet(&f.password, &mut rng);
    let staged = stage(&stores, &f.password, &wallet.address, &mut rng).unwrap();
    let moving = staged.output.clone().move_pointer();
    let recovered = moving.output.clone().won().output;
    let created = created.output;

    let printed = [
        format!("{:?}", opened),
        format!("{:?}", opened.key),
        format!("{:?}", share),
        format!("{:?}", k),
        format!("{:?}", pt),
        format!("{:?}", created),
        format!("{:?}", recovered),
        format!("{:?}", f.password),
        format!("{:?}", staged),
        format!("{:?}", moving),
        format!("{:?}", stores.loaded(&wallet.address)),
    ];
    let secrets: Vec<String> = vec![
        d_hex.to_string(),
        d_hex.to_uppercase(),
        y_hex.clone(),
        k_hex.clone(),
        hex_encode(pt.expose()),
        f.password.expose().to_string(),
        f.envelopes[0].clone(),
        created.user_envelope.clone(),
        created.hot_envelope.clone(),
        recovered.user_envelope.clone(),
        recovered.hot_envelope.clone(),
        wallet.user_envelope.clone(),
    ];
    // Raw bytes as a Rust array Debug would print them (e.g. "[22, 176, ...").
    let raw_d = format!("{:?}", &hex_decode_array::<32>(d_hex).unwrap()[..8]);
    let raw_d = raw_d.trim_matches(|c| c == '[' || c == ']').to_string();
    for p in &printed {
        for secret in secrets.iter().chain([&raw_d]) {
            assert!(!p.contains(secret.as_str()), "{p} leaks {secret}");
        }
        // No long hex run at all (a secret in any encoding we did not think of).
        let longest_hex = p
            .split(|c: char| !c.is_ascii_hexdigit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(longest_hex < 41, "{p}");
    }
    // Snapshots of the exact redacted forms.
    assert_eq!(
        printed[1],
        format!(
            "WalletKey {{ address: Address({}), private: \"REDACTED\" }}",
            f.address
        )
    );
    assert_eq!(
        printed[2],
        "SharePlaintext { x: 1, generation: 0, y: \"REDACTED\" }"
    );
    assert_eq!(printed[3], "SecretBytes<16>(REDACTED)");
    assert_eq!(printed[4], "SecretBytes<39>(REDACTED)");
    assert_eq!(
        printed[5],
        format!(
            "Created {{ address: Address({}), split: {:?}, envelopes: \"3 x REDACTED\" }}",
            created.address, created.split
        )
    );
    assert!(printed[6].starts_with(&format!(
        "Recovered {{ address: Address({}), split: SplitPointer(1:",
        wallet.address
    )));
    assert!(printed[8].contains("effects: [put { key: \"sw:v1:shares:{"));
    assert!(printed[8].contains("envelopes: \"3 x REDACTED\""));
}
