//! Races on one store (spec §5 with §0.2): real threads run the attendance steps against one
//! shared `MemoryStore`. Concurrent failing responses for one round count every attempt (no
//! lost update) and `MAX_ATTEMPTS` fires once; a login nonce used twice at once logs in once;
//! concurrent valid responses for one round: exactly one is accepted (anti-replay).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod attendance_common;

use attendance_common::{SID, T0, sealer, shown_round};
use std::collections::BTreeMap;
use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::Error;
use sealwright::attendance::login::{ClientLogin, issue_login_nonce, login};
use sealwright::attendance::round::{QrPayload, ResponsePlaintext, RoundMetadata, respond};
use sealwright::attendance::session::{AttendanceState, ClassSession};
use sealwright::attendance::{Config, SessionKeys, round_store_key};
use sealwright::effect::{Effect, MemoryStore, StepStore, StoredRecord, run_step};
use sealwright::secret::SecretBytes;

const THREADS: usize = 6;

/// The shared store, counting the commits refused by a failed condition. Each load yields
/// the thread, so that steps interleave between their load and their commit even on a
/// machine with few cores.
#[derive(Default)]
struct Counting {
    inner: MemoryStore,
    conflicts: AtomicUsize,
    commits: AtomicUsize,
}

impl StepStore for Counting {
    fn load(&self, key: &str, now_ms: u64) -> Option<Vec<u8>> {
        std::thread::yield_now();
        self.inner.get(key, now_ms)
    }
    fn commit(&self, effects: &[Effect], now_ms: u64) -> sealwright::Result<()> {
        let r = self.inner.commit(effects, now_ms);
        match r {
            Ok(()) => self.commits.fetch_add(1, Ordering::Relaxed),
            Err(_) => self.conflicts.fetch_add(1, Ordering::Relaxed),
        };
        r
    }
}

fn wrong_nonce_json(alice: &SessionKeys, qr: &QrPayload, at: u64, seed: u64) -> String {
    let mut pt = ResponsePlaintext::answer(alice, qr, at);
    pt.nonce = SecretBytes::new([0xee; 16]);
    pt.seal(alice, &mut ChaCha20Rng::seed_from_u64(seed))
        .unwrap()
        .to_json()
        .unwrap()
}

/// Each thread sends its responses; a response that lost three races in a row (`CONFLICT`)
/// is sent again, as a client would, so every response gets a verdict.
fn send_all(
    class: &ClassSession,
    store: &Counting,
    jsons: Vec<Vec<String>>,
    at: u64,
) -> (Vec<Error>, Vec<u64>, usize) {
    let barrier = Barrier::new(jsons.len());
    let resent = AtomicUsize::new(0);
    let per_thread: Vec<(Vec<Error>, Vec<u64>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = jsons
            .into_iter()
            .enumerate()
            .map(|(t, list)| {
                let barrier = &barrier;
                let resent = &resent;
                scope.spawn(move || {
                    let mut rng = ChaCha20Rng::seed_from_u64(t as u64);
                    let steps = class.on(store);
                    let (mut errors, mut rts) = (Vec::new(), Vec::new());
                    barrier.wait();
                    for json in list {
                        loop {
                            match steps.receive(&json, at, &mut rng) {
                                Err(Error::Conflict) => {
                                    resent.fetch_add(1, Ordering::Relaxed);
                                }
                                Err(e) => {
                                    errors.push(e);
                                    break;
                                }
                                Ok(a) => {
                                    rts.push(a.rt_ms);
                                    break;
                                }
                            }
                        }
                    }
                    (errors, rts)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut errors = Vec::new();
    let mut rts = Vec::new();
    for (e, r) in per_thread {
        errors.extend(e);
        rts.extend(r);
    }
    (errors, rts, resent.into_inner())
}

fn tally(errors: &[Error]) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for e in errors {
        *m.entry(e.code()).or_insert(0) += 1;
    }
    m
}

#[test]
fn concurrent_failing_responses_count_every_attempt() {
    // Phase 1: a high MAX_ATTEMPTS, 6 threads x 6 failing responses: the stored count is 36.
    let config = Config {
        max_attempts: 100,
        ..Config::default()
    };
    let (class, store, alice, qr) = shown_round::<Counting>(config, 1);
    let at = T0 + 2_500;
    let jsons: Vec<Vec<String>> = (0..THREADS)
        .map(|t| {
            (0..6)
                .map(|i| wrong_nonce_json(&alice, &qr, at, (t * 100 + i) as u64))
                .collect()
        })
        .collect();
    let (errors, rts, resent) = send_all(&class, &store, jsons, at);
    assert!(rts.is_empty());
    assert_eq!(tally(&errors), BTreeMap::from([("SECRET_INVALID", 36)]));
    let key = round_store_key(SID, "alice", 1);
    let meta = RoundMetadata::open(class.sealer(), &key, &store.load(&key, at).unwrap()).unwrap();
    assert_eq!(meta.attempts, 36, "no lost update");
    println!(
        "phase 1: 36 failing responses on 6 threads: {} conditions failed and reran, {} responses resent after CONFLICT",
        store.conflicts.load(Ordering::Relaxed),
        resent
    );

    // Phase 2: the default MAX_ATTEMPTS (3), 6 threads x 1 failing response, 20 rounds of the
    // race: every time 2 SECRET_INVALID, exactly one MAX_ATTEMPTS, 3 QR_EXPIRED, round deleted.
    let mut conflicts = 0;
    for seed in 0..20u8 {
        let (class, store, alice, qr) = shown_round::<Counting>(Config::default(), 10 + seed);
        let jsons = (0..THREADS)
            .map(|t| vec![wrong_nonce_json(&alice, &qr, at, t as u64)])
            .collect();
        let (errors, _, _) = send_all(&class, &store, jsons, at);
        assert_eq!(
            tally(&errors),
            BTreeMap::from([
                ("MAX_ATTEMPTS", 1),
                ("QR_EXPIRED", 3),
                ("SECRET_INVALID", 2)
            ]),
            "race {seed}"
        );
        assert!(store.load(&key, at).is_none(), "round deleted");
        assert_eq!(
            class.on(&store).state("alice", at).unwrap(),
            Some(AttendanceState::Failed(Error::MaxAttempts))
        );
        // A later honest response: QR_EXPIRED.
        let honest = respond(&alice, &qr, at, &mut ChaCha20Rng::seed_from_u64(9))
            .unwrap()
            .to_json()
            .unwrap();
        assert_eq!(
            class
                .on(&store)
                .receive(&honest, at, &mut ChaCha20Rng::seed_from_u64(9))
                .unwrap_err(),
            Error::QrExpired
        );
        conflicts += store.conflicts.load(Ordering::Relaxed);
    }
    println!(
        "phase 2: 20 races of 6 threads: MAX_ATTEMPTS once each; {conflicts} conditions failed and reran"
    );
}

#[test]
fn a_login_nonce_used_twice_at_once_logs_in_once() {
    let config = Config::default();
    let sealer = sealer();
    let mut conflicts = 0;
    for seed in 0..20u8 {
        let mut rng = ChaCha20Rng::from_seed([seed; 32]);
        let store = Counting::default();
        let nonce = run_step(&store, T0, |_| {
            issue_login_nonce("alice", &sealer, &config, T0, &mut rng)
        })
        .unwrap();
        let barrier = Barrier::new(THREADS);
        let outcomes: Vec<sealwright::Result<[u8; 32]>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..THREADS)
                .map(|t| {
                    let (barrier, store, sealer) = (&barrier, &store, &sealer);
                    scope.spawn(move || {
                        let mut rng = ChaCha20Rng::seed_from_u64(t as u64);
                        let client = ClientLogin::start("alice", nonce, &mut rng).unwrap();
                        let c = client.client_public();
                        barrier.wait();
                        run_step(store, T0, |load| {
                            login("alice", &nonce, &c, load, sealer, &config, &mut rng)
                        })
                        .map(|s| s.server_public)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let ok = outcomes.iter().filter(|o| o.is_ok()).count();
        let invalid = outcomes
            .iter()
            .filter(|o| **o == Err(Error::SessionInvalid))
            .count();
        // The losers' reruns find the nonce spent: SESSION_INVALID (CONFLICT cannot happen:
        // a rerun after a failed condition always finds the nonce gone).
        assert_eq!((ok, invalid), (1, THREADS - 1), "race {seed}: {outcomes:?}");
        conflicts += store.conflicts.load(Ordering::Relaxed);
    }
    println!(
        "20 races of 6 logins with one nonce: one login each; {conflicts} conditions failed and reran"
    );
}

#[test]
fn concurrent_valid_responses_for_one_round_one_succeeds() {
    let mut conflicts = 0;
    for seed in 0..20u8 {
        let (class, store, alice, qr) = shown_round::<Counting>(Config::default(), 40 + seed);
        let at = T0 + 2_500;
        // Six honest responses to the same QR (each freshly sealed: different bytes).
        let jsons = (0..THREADS)
            .map(|t| {
                vec![
                    respond(&alice, &qr, at, &mut ChaCha20Rng::seed_from_u64(t as u64))
                        .unwrap()
                        .to_json()
                        .unwrap(),
                ]
            })
            .collect();
        let (errors, rts, _) = send_all(&class, &store, jsons, at);
        assert_eq!(rts, vec![1_500], "race {seed}: exactly one accepted");
        assert_eq!(
            tally(&errors),
            BTreeMap::from([("QR_EXPIRED", THREADS - 1)])
        );
        assert_eq!(
            class.on(&store).state("alice", at).unwrap(),
            Some(AttendanceState::InProgress { round: 2 })
        );
        let key = round_store_key(SID, "alice", 1);
        let meta =
            RoundMetadata::open(class.sealer(), &key, &store.load(&key, at).unwrap()).unwrap();
        assert!(meta.used && meta.rts_ms == vec![1_500]);
        conflicts += store.conflicts.load(Ordering::Relaxed);
    }
    println!(
        "20 races of 6 valid responses: one accepted each; {conflicts} conditions failed and reran"
    );
}
