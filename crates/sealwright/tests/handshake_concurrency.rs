//! Spec §2 with §0.2's concurrency rules, on real threads sharing one `MemoryStore`: duplicate
//! deliveries of one request run the business logic once (the claim), a crash between claim
//! and response loses nothing, a respond that lost its claim falls back to the stored
//! response or `CONFLICT`, and the device binding (trust on first use, re-enrolment).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "handshake_common.rs"]
mod common;

use common::{Harness, NOW_MS, open_with_store};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::Error;
use sealwright::effect::{MemoryStore, StepStore, run_step};
use sealwright::handshake::server::{self, Outcome};
use sealwright::handshake::{Client, DEFAULT_CLAIM_TTL_SECONDS, PrimaryKey, store};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};

const THREADS: usize = 8;

fn eph_keys(store: &MemoryStore, now_ms: u64) -> Vec<String> {
    store
        .live_keys(now_ms)
        .into_iter()
        .filter(|k| k.contains(":eph:"))
        .collect()
}

/// A `MemoryStore` that yields the thread between every load, so racing steps interleave.
struct Yielding<'a>(&'a MemoryStore);

impl StepStore for Yielding<'_> {
    fn load(&self, key: &str, now_ms: u64) -> Option<Vec<u8>> {
        std::thread::yield_now();
        self.0.get(key, now_ms)
    }
    fn commit(&self, effects: &[sealwright::Effect], now_ms: u64) -> sealwright::Result<()> {
        std::thread::yield_now();
        self.0.commit(effects, now_ms)
    }
}

#[test]
fn eight_threads_deliver_one_request_business_logic_runs_once() {
    let mut totals = (0usize, 0usize, 0usize);
    for round in 0..20u8 {
        let mut hs = Harness::new("dev-race", 40 + round);
        let session = hs.handshake(NOW_MS);
        let old_eph = eph_keys(&hs.store, NOW_MS);
        let (request, awaiting) = session.send(b"pay 5", &mut hs.rng).unwrap();
        let runs = AtomicUsize::new(0);
        let in_progress = AtomicUsize::new(0);
        let responses = Mutex::new(Vec::new());
        let barrier = Barrier::new(THREADS);
        let t = NOW_MS + 1_000;
        std::thread::scope(|scope| {
            for i in 0..THREADS {
                let (keys, store, request) = (&hs.keys, &hs.store, &request);
                let (runs, in_progress, responses, barrier) =
                    (&runs, &in_progress, &responses, &barrier);
                scope.spawn(move || {
                    let mut rng = ChaCha20Rng::from_seed([i as u8 + 100; 32]);
                    barrier.wait();
                    let got = server::serve(keys, &Yielding(store), request, t, &mut rng, |o| {
                        runs.fetch_add(1, Ordering::SeqCst);
                        // Business logic takes a while: the others arrive meanwhile.
                        std::thread::sleep(std::time::Duration::from_millis(2));
                        [o.plaintext().expose(), b" ok"].concat()
                    });
                    match got {
                        Ok(response) => responses.lock().unwrap().push(response),
                        Err(Error::InProgress) => {
                            in_progress.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => panic!("delivery {i}: {e:?}"),
                    }
                });
            }
        });
        let responses = responses.into_inner().unwrap();
        let runs = runs.into_inner();
        let in_progress = in_progress.into_inner();
        assert_eq!(runs, 1, "business logic runs exactly once");
        assert_eq!(responses.len() + in_progress, THREADS);
        assert!(!responses.is_empty());
        assert!(responses.iter().all(|r| r == &responses[0]), "one response");
        // Exactly one kid' exists: the old eph (now used, in its grace) and one new one.
        let now_eph = eph_keys(&hs.store, t);
        assert_eq!(now_eph.len(), 2, "{now_eph:?}");
        assert!(old_eph.iter().all(|k| now_eph.contains(k)));
        let (reply, next) = awaiting.receive(&responses[0]).unwrap();
        assert_eq!(reply.expose(), b"pay 5 ok");
        assert!(now_eph.iter().any(|k| k.ends_with(next.kid().as_str())));
        // Every delivery that got IN_PROGRESS retries unchanged and gets the one response.
        for _ in 0..in_progress {
            let again = hs.serve(&request, b"never", t + 10).unwrap();
            assert_eq!(again, responses[0]);
        }
        totals.0 += runs;
        totals.1 += responses.len();
        totals.2 += in_progress;
    }
    println!(
        "20 rounds x {THREADS} deliveries: business logic ran {} times, {} responses, {} IN_PROGRESS",
        totals.0, totals.1, totals.2
    );
}

#[test]
fn racing_different_requests_on_one_kid_answer_one() {
    // Eight different requests on the same kid (a forking client): one is answered, every
    // other one is KID_ROTATED (or IN_PROGRESS never: they are other request ids).
    let mut hs = Harness::new("dev-fork", 60);
    let session = hs.handshake(NOW_MS);
    let requests: Vec<String> = (0..THREADS as u8)
        .map(|i| session.clone().send(&[i], &mut hs.rng).unwrap().0)
        .collect();
    let runs = AtomicUsize::new(0);
    let ok = AtomicUsize::new(0);
    let barrier = Barrier::new(THREADS);
    std::thread::scope(|scope| {
        for (i, request) in requests.iter().enumerate() {
            let (keys, store, runs, ok, barrier) = (&hs.keys, &hs.store, &runs, &ok, &barrier);
            scope.spawn(move || {
                let mut rng = ChaCha20Rng::from_seed([i as u8; 32]);
                barrier.wait();
                match server::serve(keys, &Yielding(store), request, NOW_MS, &mut rng, |_| {
                    runs.fetch_add(1, Ordering::SeqCst);
                    b"r".to_vec()
                }) {
                    Ok(_) => {
                        ok.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(e) => assert_eq!(e, Error::KidRotated, "delivery {i}"),
                }
            });
        }
    });
    assert_eq!((runs.into_inner(), ok.into_inner()), (1, 1));
    assert_eq!(eph_keys(&hs.store, NOW_MS).len(), 2);
}

#[test]
fn a_crash_between_claim_and_response_loses_nothing() {
    let mut hs = Harness::new("dev-crash", 61);
    let session = hs.handshake(NOW_MS);
    let (request, awaiting) = session.send(b"q", &mut hs.rng).unwrap();
    // The claim commits, business logic starts, the server dies.
    let Outcome::Opened(opened) = open_with_store(&hs.keys, &hs.store, &request, NOW_MS).unwrap()
    else {
        panic!()
    };
    drop(opened);
    let claim_ms = DEFAULT_CLAIM_TTL_SECONDS * 1000;
    // While the claim lives, the retry is IN_PROGRESS; the business logic does not run.
    let runs = AtomicUsize::new(0);
    let business = |_: &server::Opened| {
        runs.fetch_add(1, Ordering::SeqCst);
        b"a".to_vec()
    };
    for dt in [0, 1_000, claim_ms - 1] {
        assert_eq!(
            server::serve(
                &hs.keys,
                &hs.store,
                &request,
                NOW_MS + dt,
                &mut hs.rng,
                business
            )
            .unwrap_err(),
            Error::InProgress
        );
    }
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    // The claim expires after T_claim: the same request runs and succeeds.
    let response = server::serve(
        &hs.keys,
        &hs.store,
        &request,
        NOW_MS + claim_ms,
        &mut hs.rng,
        business,
    )
    .unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(awaiting.receive(&response).unwrap().0.expose(), b"a");
}

#[test]
fn a_crash_after_respond_commits_returns_the_stored_response() {
    let mut hs = Harness::new("dev-crash2", 62);
    let session = hs.handshake(NOW_MS);
    let (request, awaiting) = session.send(b"q", &mut hs.rng).unwrap();
    let Outcome::Opened(opened) = open_with_store(&hs.keys, &hs.store, &request, NOW_MS).unwrap()
    else {
        panic!()
    };
    let step = opened.respond(b"stored", &mut hs.rng).unwrap();
    hs.store.commit(&step.effects, NOW_MS).unwrap();
    // The server died before sending: the retry gets the stored response, no business logic.
    let again = server::serve(
        &hs.keys,
        &hs.store,
        &request,
        NOW_MS + 5,
        &mut hs.rng,
        |_| panic!("business logic must not run again"),
    )
    .unwrap();
    assert_eq!(again, step.output);
    assert_eq!(awaiting.receive(&again).unwrap().0.expose(), b"stored");
}

#[test]
fn a_respond_that_lost_its_claim_is_never_rerun() {
    let mut hs = Harness::new("dev-lost", 63);
    let session = hs.handshake(NOW_MS);
    let (request, _) = session.send(b"q", &mut hs.rng).unwrap();
    let claim_ms = DEFAULT_CLAIM_TTL_SECONDS * 1000;
    // A: claims, then stalls past T_claim. B: claims after expiry and answers.
    let Outcome::Opened(slow) = open_with_store(&hs.keys, &hs.store, &request, NOW_MS).unwrap()
    else {
        panic!()
    };
    let b = hs.serve(&request, b"from B", NOW_MS + claim_ms).unwrap();
    // A's respond fails its conditions; the reload finds B's stored response for this
    // request id, so A returns that.
    let step = slow.respond(b"from A", &mut hs.rng).unwrap();
    let t = NOW_MS + claim_ms + 1;
    assert_eq!(hs.store.commit(&step.effects, t), Err(Error::Conflict));
    let names = server::process_store_keys(&request).unwrap();
    let retry = hs.store.get(&names.retry, t);
    assert_eq!(
        server::after_conflict(&hs.keys, &request, retry.as_deref()).unwrap(),
        b
    );
    // No stored response (a re-handshake ended the chain): CONFLICT.
    assert_eq!(
        server::after_conflict(&hs.keys, &request, None).unwrap_err(),
        Error::Conflict
    );
    // Through `serve`: a respond whose claim a re-handshake removed answers CONFLICT.
    let mut hs = Harness::new("dev-lost2", 64);
    let session = hs.handshake(NOW_MS);
    let (request, _) = session.send(b"q", &mut hs.rng).unwrap();
    let (keys, store) = (hs.keys.clone(), hs.store.clone());
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    let got = server::serve(&keys, &store, &request, NOW_MS, &mut rng, |_| {
        // A re-handshake of the same device while the business logic runs.
        let client = Client::new("dev-lost2", hs.primary.clone(), keys.public_key()).unwrap();
        let (hs_request, _) = client.start(&mut hs.rng).unwrap();
        server::serve_handshake(&keys, &store, &hs_request, NOW_MS, &mut hs.rng).unwrap();
        b"late".to_vec()
    });
    assert_eq!(got.unwrap_err(), Error::Conflict);
}

#[test]
fn another_primary_key_for_a_bound_device_is_refused_and_the_session_survives() {
    let mut hs = Harness::new("dev-bound", 65);
    let session = hs.handshake(NOW_MS);
    let keys_before = hs.store.keys();
    let values_before: Vec<_> = keys_before
        .iter()
        .map(|k| hs.store.get(k, NOW_MS))
        .collect();
    // An attacker (or a reinstalled app) with another primary key.
    let intruder = PrimaryKey::generate(&mut hs.rng);
    let client = Client::new("dev-bound", intruder, hs.keys.public_key()).unwrap();
    let (request, _) = client.start(&mut hs.rng).unwrap();
    assert_eq!(
        common::handshake_with_store(&hs.keys, &hs.store, &request, NOW_MS + 1, &mut hs.rng)
            .unwrap_err(),
        Error::DeviceMismatch
    );
    // Nothing changed; the existing session still works.
    assert_eq!(hs.store.keys(), keys_before);
    let values_after: Vec<_> = keys_before
        .iter()
        .map(|k| hs.store.get(k, NOW_MS))
        .collect();
    assert_eq!(values_after, values_before);
    let (request, awaiting) = session.send(b"still here", &mut hs.rng).unwrap();
    let response = hs.serve(&request, b"yes", NOW_MS + 2).unwrap();
    let (_, session) = awaiting.receive(&response).unwrap();
    // The bound key itself may handshake again.
    let again = hs.handshake(NOW_MS + 3);
    assert_ne!(again.kid(), session.kid());

    // Re-enrolment removes the binding and ends the chain; then a new key is accepted.
    let store = &hs.store;
    let removed = run_step(store, NOW_MS + 4, |load| {
        server::reenroll(&hs.keys, "dev-bound", load)
    })
    .unwrap();
    assert!(removed);
    assert!(
        hs.store
            .get(&store::device_key("dev-bound"), NOW_MS + 4)
            .is_none()
    );
    assert!(
        hs.store
            .get(&store::session_key("dev-bound"), NOW_MS + 4)
            .is_none()
    );
    let (old, _) = again.send(b"old chain", &mut hs.rng).unwrap();
    assert_eq!(
        hs.serve(&old, b"", NOW_MS + 5).unwrap_err(),
        Error::SessionExpired
    );
    hs.primary = PrimaryKey::generate(&mut hs.rng);
    let fresh = hs.handshake(NOW_MS + 6);
    let (request, awaiting) = fresh.send(b"new key", &mut hs.rng).unwrap();
    let response = hs.serve(&request, b"welcome", NOW_MS + 7).unwrap();
    assert_eq!(awaiting.receive(&response).unwrap().0.expose(), b"welcome");
    // Re-enrolling an unknown device removes no binding.
    let removed = run_step(&hs.store, NOW_MS, |load| {
        server::reenroll(&hs.keys, "dev-never", load)
    })
    .unwrap();
    assert!(!removed);
    assert_eq!(
        server::reenroll(&hs.keys, "bad\u{0}", |_| None).unwrap_err(),
        Error::InvalidInput
    );
}

#[test]
fn bind_device_before_the_first_handshake() {
    let mut hs = Harness::new("dev-pre", 66);
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let key = store::device_key("dev-pre");
    let bind = |public: &[u8], rng: &mut ChaCha20Rng| {
        run_step(&hs.store, NOW_MS, |load| {
            server::bind_device(&hs.keys, "dev-pre", public, load(&key).as_deref(), rng)
        })
    };
    assert!(bind(&hs.primary.public_bytes(), &mut rng).unwrap());
    assert!(
        !bind(&hs.primary.public_bytes(), &mut rng).unwrap(),
        "already bound"
    );
    let other = PrimaryKey::generate(&mut rng).public_bytes();
    assert_eq!(bind(&other, &mut rng).unwrap_err(), Error::DeviceMismatch);
    let mut not_on_curve = [0u8; 33];
    not_on_curve[0] = 0x02; // x = 0 is not on secp256k1
    assert_eq!(
        bind(&not_on_curve, &mut rng).unwrap_err(),
        Error::InvalidKey
    );
    let session = hs.handshake(NOW_MS);
    let (request, awaiting) = session.send(b"x", &mut hs.rng).unwrap();
    let response = hs.serve(&request, b"y", NOW_MS).unwrap();
    assert_eq!(awaiting.receive(&response).unwrap().0.expose(), b"y");
}

#[test]
fn racing_handshakes_of_one_device_leave_one_chain() {
    let hs = Harness::new("dev-hs-race", 67);
    let client = Client::new("dev-hs-race", hs.primary.clone(), hs.keys.public_key()).unwrap();
    let barrier = Barrier::new(4);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for i in 0..4u8 {
            let (keys, store, client, barrier, results) =
                (&hs.keys, &hs.store, client.clone(), &barrier, &results);
            scope.spawn(move || {
                let mut rng = ChaCha20Rng::from_seed([i + 30; 32]);
                let (request, pending) = client.start(&mut rng).unwrap();
                barrier.wait();
                let r = server::serve_handshake(keys, &Yielding(store), &request, NOW_MS, &mut rng);
                results
                    .lock()
                    .unwrap()
                    .push(r.map(|resp| pending.finish(&resp).unwrap()));
            });
        }
    });
    let results = results.into_inner().unwrap();
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Ok(_) | Err(Error::Conflict)))
    );
    // Whatever order they committed in, exactly one kid is live: the one `last` names.
    let live = eph_keys(&hs.store, NOW_MS);
    assert_eq!(live.len(), 1, "{live:?}");
    let winners: Vec<_> = results
        .iter()
        .flatten()
        .filter(|s| live[0].ends_with(s.kid().as_str()))
        .collect();
    assert_eq!(winners.len(), 1);
}
