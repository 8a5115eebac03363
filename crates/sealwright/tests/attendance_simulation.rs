//! Simulation (spec §5): a class of 300 students over 3 rounds with one projector, seeded
//! random scan delays, replayed and forged responses injected by an adversary, and a few
//! students who never scan. Every honest student ends PRESENTE, every forged or replayed
//! response is rejected with its code, every never-scanning student gets NOT_CAPTURED.
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
use sealwright::attendance::login::{ClientLogin, EnrollmentRecord, LoginNonce, server_login};
use sealwright::attendance::round::{ResponsePlaintext, respond, try_qr};
use sealwright::attendance::session::{AttendanceState, ClassSession, Progress};
use sealwright::attendance::{Config, SessionKeys};
use sealwright::effect::{MemoryStore, StoreSealer};
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
    let mut class = ClassSession::new(
        "cs101:2026-01-12",
        SecretKey32::new([0x22; 32]),
        sealer,
        config,
    )
    .unwrap();
    let store = MemoryStore::new();

    // Login and registration.
    let mut devices: BTreeMap<String, SessionKeys> = BTreeMap::new();
    let users: Vec<String> = (0..STUDENTS).map(|i| format!("alumno-{i:03}")).collect();
    for (i, user) in users.iter().enumerate() {
        let (nonce, _) = LoginNonce::issue(&config, &mut rng);
        let client = ClientLogin::start(user, nonce, &mut rng).unwrap();
        let server = server_login(user, &nonce, &client.client_public(), &mut rng).unwrap();
        devices.insert(user.clone(), client.finish(&server.server_public).unwrap());
        let enrollment = EnrollmentRecord::new(&[i as u8; 32], b"cose", [7; 16], 0).unwrap();
        let effects = class
            .register(Some(&enrollment), server.keys, T0, &mut rng)
            .unwrap();
        store.commit(&effects, T0).unwrap();
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
    let mut now = T0;
    let honest_done = |class: &ClassSession| {
        users
            .iter()
            .filter(|u| !never.contains(*u))
            .all(|u| matches!(class.state(u), Some(AttendanceState::Finished(_))))
    };
    let mut frames = 0u64;
    while !(honest_done(&class) && never.iter().all(|u| notices.contains(u))) {
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
                    let got = class.receive(&json, at, &mut rng);
                    store.commit(&got.effects, at).unwrap();
                    match got.outcome {
                        Ok((rt, progress)) => {
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
                            if let Progress::Finished(score) = progress {
                                assert!(score.certainty >= 70, "{user}: {score:?}");
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
                    let got = class.receive(&inj.json, at, &mut rng);
                    assert_eq!(
                        got.outcome.clone().err(),
                        Some(inj.expected),
                        "{}",
                        inj.what
                    );
                    assert!(got.effects.is_empty(), "{}: no state change", inj.what);
                    *rejected_injections.entry(inj.what).or_default() += 1;
                }
                _ => break,
            }
        }
        now = next_frame;
        let Some(projected) = class.frame(now, &mut rng).unwrap() else {
            continue;
        };
        store.commit(&projected.effects, now).unwrap();
        let frame = projected.frame;
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
        let got = class.receive(&inj.json, at.max(now), &mut rng);
        assert_eq!(got.outcome.err(), Some(inj.expected), "{}", inj.what);
        *rejected_injections.entry(inj.what).or_default() += 1;
    }

    for user in &users {
        if never.contains(user) {
            assert!(class.not_captured(user), "{user} never scanned");
            assert!(matches!(
                class.state(user),
                Some(AttendanceState::InProgress { round: 1 })
            ));
        } else {
            match class.state(user) {
                Some(AttendanceState::Finished(score)) => {
                    assert_eq!(score.status.as_str(), "PRESENTE", "{user}: {score:?}");
                    assert_eq!(class.rts_ms(user).unwrap().len(), 3);
                    assert_eq!(accepted[user].len(), 3);
                }
                other => panic!("{user}: {other:?}"),
            }
        }
    }
    // Closing records the never-scanning students as NOT_CAPTURED.
    let effects = class.close(&mut rng).unwrap();
    assert_eq!(effects.len(), 2 * NEVER_SCAN);
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
