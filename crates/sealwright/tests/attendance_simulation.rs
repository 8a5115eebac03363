//! Simulation (spec §5): a class of 300 students over 3 rounds with one projector, seeded
//! random scan delays, replayed and forged responses injected by an adversary, and a few
//! students who never scan, all through the server steps over one `MemoryStore` (the server
//! keeps no state of its own). Every honest student ends PRESENTE, every forged or replayed
//! response is rejected with its code and writes nothing, every never-scanning student gets
//! NOT_CAPTURED.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use sealwright::Error;
use sealwright::attendance::login::{ClientLogin, EnrollmentRecord, issue_login_nonce, login};
use sealwright::attendance::round::{ResponseEnvelope, ResponsePlaintext, respond, try_qr};
use sealwright::attendance::session::{
    AttendanceState, ClassSession, IssuedQr, Progress, ResultKind,
};
use sealwright::attendance::{Config, SessionKeys};
use sealwright::effect::{MemoryStore, StoreSealer, run_step};
use sealwright::encoding::{b64_decode, b64_encode};
use sealwright::secret::SecretKey32;

const STUDENTS: usize = 300;
const NEVER_SCAN: usize = 6;
const T0: u64 = 1_768_204_800_000;

fn below(rng: &mut ChaCha20Rng, n: u64) -> u64 {
    rng.next_u64() % n
}

/// What the adversary sent, and the code it must get.
struct Injected {
    json: String,
    expected: Error,
    what: &'static str,
}

#[test]
fn class_of_300_over_three_rounds() {
    let mut rng = ChaCha20Rng::from_seed([2026; 32].map(|x: i32| x as u8));
    let config = Config::default();
    let sealer = StoreSealer::new(&SecretKey32::new([0x11; 32])).unwrap();
    let class = ClassSession::new(
        "cs101:2026-01-12",
        SecretKey32::new([0x22; 32]),
        sealer.clone(),
        config,
    )
    .unwrap();
    let store = MemoryStore::new();
    let steps = class.on(&store);

    // Enrollment, login and registration, each a step committed to the store.
    let mut devices: BTreeMap<String, SessionKeys> = BTreeMap::new();
    let users: Vec<String> = (0..STUDENTS).map(|i| format!("alumno-{i:03}")).collect();
    let mut inbox: Vec<IssuedQr> = Vec::new();
    for (i, user) in users.iter().enumerate() {
        let enrollment = EnrollmentRecord::new(user, &[i as u8; 32], b"cose", [7; 16], 0).unwrap();
        store
            .commit(&enrollment.enroll(&sealer, &mut rng).unwrap().effects, T0)
            .unwrap();
        let nonce = run_step(&store, T0, |_| {
            issue_login_nonce(user, &sealer, &config, T0, &mut rng)
        })
        .unwrap();
        let client = ClientLogin::start(user, nonce, &mut rng).unwrap();
        let c = client.client_public();
        let server = run_step(&store, T0, |load| {
            login(user, &nonce, &c, load, &sealer, &config, &mut rng)
        })
        .unwrap();
        devices.insert(user.clone(), client.finish(&server.server_public).unwrap());
        inbox.push(steps.register(user, T0, &mut rng).unwrap());
    }
    let never: BTreeSet<String> = users
        .iter()
        .step_by(STUDENTS / NEVER_SCAN)
        .cloned()
        .collect();
    assert_eq!(never.len(), NEVER_SCAN);

    let mut pending: BTreeMap<String, (u64, String)> = BTreeMap::new(); // user -> (deliver at, json)
    let mut injected: Vec<(u64, Injected)> = Vec::new();
    let mut accepted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut honest_retries = 0usize;
    let mut foreign_trials = 0usize;
    let mut rejected_injections = BTreeMap::<&str, usize>::new();
    let mut notices: BTreeSet<String> = BTreeSet::new();
    let mut finished: BTreeSet<String> = BTreeSet::new();
    let mut now = T0;
    let mut frames = 0u64;
    while !(finished.len() == STUDENTS - NEVER_SCAN && never.iter().all(|u| notices.contains(u))) {
        frames += 1;
        assert!(frames < 100_000, "simulation did not converge");
        let next_frame = now + config.frame_ms;
        // Deliver everything due before the next frame, in time order.
        loop {
            let due_honest = pending
                .iter()
                .filter(|(_, (at, _))| *at < next_frame)
                .min_by_key(|(_, (at, _))| *at)
                .map(|(u, (at, _))| (u.clone(), *at));
            let due_inj = injected
                .iter()
                .enumerate()
                .filter(|(_, (at, _))| *at < next_frame)
                .min_by_key(|(_, (at, _))| *at)
                .map(|(i, (at, _))| (i, *at));
            match (due_honest, due_inj) {
                (Some((user, at)), inj) if inj.is_none_or(|(_, t)| at <= t) => {
                    let (_, json) = pending.remove(&user).unwrap();
                    match steps.receive(&json, at, &mut rng) {
                        Ok(answered) => {
                            let rt = answered.rt_ms;
                            assert!(rt > 500 && rt < 15_000);
                            accepted.entry(user.clone()).or_default().push(json.clone());
                            // The adversary sometimes replays an accepted response.
                            if below(&mut rng, 10) == 0 {
                                injected.push((
                                    at + 700,
                                    Injected {
                                        json: json.clone(),
                                        expected: Error::QrExpired,
                                        what: "replayed",
                                    },
                                ));
                            }
                            match answered.progress {
                                Progress::NextRound(next) => inbox.push(next),
                                Progress::Finished(score) => {
                                    assert!(score.certainty >= 70, "{user}: {score:?}");
                                    assert!(finished.insert(user.clone()));
                                }
                            }
                        }
                        // The QR was shown again (or re-issued) while the answer was in flight:
                        // an honest retry at the next display.
                        Err(Error::RtInvalid | Error::QrInvalid) => honest_retries += 1,
                        Err(e) => panic!("honest {user} rejected: {e:?}"),
                    }
                    now = now.max(at);
                }
                (_, Some((i, at))) => {
                    let (_, inj) = injected.swap_remove(i);
                    // The bare step: the verdict, and no effect to commit.
                    let env = ResponseEnvelope::from_json(&inj.json).unwrap();
                    let got = class
                        .validate(&env, &|k: &str| store.get(k, at), at, &mut rng)
                        .unwrap();
                    assert_eq!(got.output.result.err(), Some(inj.expected), "{}", inj.what);
                    assert!(got.effects.is_empty(), "{}: no state change", inj.what);
                    *rejected_injections.entry(inj.what).or_default() += 1;
                }
                _ => break,
            }
        }
        now = next_frame;
        let projected = steps.frame(&inbox, now, &mut rng).unwrap();
        inbox.clear();
        let Some(frame) = projected.frame else {
            continue;
        };
        if let Some(nc) = &frame.not_captured {
            assert!(notices.insert(nc.user_id.clone()), "one notice per payload");
        }
        // A few other devices try the QR: it is not theirs.
        for _ in 0..3 {
            let other = &users[below(&mut rng, STUDENTS as u64) as usize];
            if *other != frame.id.user_id {
                foreign_trials += 1;
                assert_eq!(
                    try_qr(&devices[other], &frame.qr_text).unwrap_err(),
                    Error::DecryptionFailed
                );
            }
        }
        let owner = &frame.id.user_id;
        if never.contains(owner) || pending.contains_key(owner) {
            continue;
        }
        let keys = &devices[owner];
        let qr = try_qr(keys, &frame.qr_text).unwrap();
        assert_eq!(qr.round, frame.id.round);
        let delay = 900 + below(&mut rng, 1_600);
        let client_clock =
            (now + delay).saturating_add_signed(below(&mut rng, 20_000) as i64 - 10_000);
        let json = respond(keys, &qr, client_clock, &mut rng)
            .unwrap()
            .to_json()
            .unwrap();
        pending.insert(owner.clone(), (now + delay, json.clone()));
        // The adversary forges now and then.
        match below(&mut rng, 25) {
            0 => {
                // A flipped byte in the in-flight response.
                let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
                let mut raw = b64_decode(v["response"].as_str().unwrap()).unwrap();
                let i = below(&mut rng, raw.len() as u64) as usize;
                raw[i] ^= 0x40;
                v["response"] = b64_encode(&raw).into();
                injected.push((
                    now + delay / 2,
                    Injected {
                        json: v.to_string(),
                        expected: Error::SessionInvalid,
                        what: "flipped byte",
                    },
                ));
            }
            1 => {
                // Another student's device answers in this student's name.
                let thief = &devices[&users[(below(&mut rng, STUDENTS as u64 - 1) as usize
                    + 1
                    + users.iter().position(|u| u == owner).unwrap())
                    % STUDENTS]];
                let mut env = ResponsePlaintext::answer(thief, &qr, now + 600)
                    .seal(thief, &mut rng)
                    .unwrap();
                env.user_id = owner.clone();
                injected.push((
                    now + 600,
                    Injected {
                        json: env.to_json().unwrap(),
                        expected: Error::SessionInvalid,
                        what: "forged with another key",
                    },
                ));
            }
            2 => {
                // Random bytes for an unknown user.
                let mut junk = [0u8; 70];
                rng.fill_bytes(&mut junk);
                injected.push((now + 300, Injected {
                    json: format!(
                        r#"{{"userId":"intruso","sessionId":"cs101:2026-01-12","response":"{}"}}"#,
                        b64_encode(&junk)
                    ),
                    expected: Error::SessionInvalid,
                    what: "unknown user",
                }));
            }
            _ => {}
        }
    }
    // Drain remaining injections (replays of the last rounds).
    for (at, inj) in std::mem::take(&mut injected) {
        let got = steps.receive(&inj.json, at.max(now), &mut rng);
        assert_eq!(got.err(), Some(inj.expected), "{}", inj.what);
        *rejected_injections.entry(inj.what).or_default() += 1;
    }

    for user in &users {
        let state = steps.state(user, now).unwrap();
        if never.contains(user) {
            assert!(
                steps.projector(now).unwrap().notified(
                    &sealwright::attendance::projector::PayloadId {
                        user_id: user.clone(),
                        round: 1
                    }
                ),
                "{user} never scanned"
            );
            assert_eq!(state, Some(AttendanceState::InProgress { round: 1 }));
        } else {
            match state {
                Some(AttendanceState::Finished(score)) => {
                    assert_eq!(score.status.as_str(), "PRESENTE", "{user}: {score:?}");
                    let result = class
                        .result(user, &|k: &str| store.get(k, now))
                        .unwrap()
                        .unwrap();
                    assert_eq!(result.rts_ms.len(), 3);
                    assert_eq!(accepted[user].len(), 3);
                }
                other => panic!("{user}: {other:?}"),
            }
        }
    }
    // Closing records the never-scanning students as NOT_CAPTURED.
    let closed = steps.close(now, &mut rng).unwrap();
    assert_eq!(closed.len(), NEVER_SCAN);
    for (id, result) in &closed {
        assert!(never.contains(&id.user_id));
        assert_eq!(result.kind, ResultKind::NotCaptured);
    }
    for (what, n) in &rejected_injections {
        assert!(*n > 0, "{what}");
    }
    for what in [
        "replayed",
        "flipped byte",
        "forged with another key",
        "unknown user",
    ] {
        assert!(rejected_injections.contains_key(what), "no {what} injected");
    }
    assert!(foreign_trials > 1_000);
    println!(
        "frames {frames}, simulated {} s, honest retries {honest_retries}, rejected {rejected_injections:?}, store keys {}",
        (now - T0) / 1000,
        store.len()
    );
}
