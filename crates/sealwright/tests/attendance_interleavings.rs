//! Interleavings of concurrent validations of one round (spec §5 with §0.2), as a model
//! checked by proptest: 2 to 4 servers each hold one response (failing or honest); each
//! server's next action is either "load and run the validate step" or "commit that step's
//! effects" (on `CONFLICT` it loads and runs again; after three lost races the client sends
//! the response again). Proptest picks the order. Whatever the order: the stored attempt
//! count never decreases and always equals the number of committed `SECRET_INVALID`
//! verdicts (no lost update), at most one response is accepted, and a round once used stays
//! used.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod attendance_common;

use attendance_common::{SID, T0, shown_round};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::Error;
use sealwright::attendance::round::{ResponseEnvelope, ResponsePlaintext, RoundMetadata, respond};
use sealwright::attendance::session::Validation;
use sealwright::attendance::{Config, round_store_key};
use sealwright::effect::{MemoryStore, Step, StoredRecord};
use sealwright::secret::SecretBytes;

/// One server handling one response.
struct Server {
    envelope: ResponseEnvelope,
    step: Option<Step<Validation>>,
    lost_races: u32,
    verdict: Option<Result<u64, Error>>,
    rng: ChaCha20Rng,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn concurrent_validations_never_lose_an_attempt(
        seed in any::<u8>(),
        honest in prop::collection::vec(any::<bool>(), 2..=4),
        schedule in prop::collection::vec(0usize..4, 4..40),
    ) {
        let config = Config { max_attempts: 100, ..Config::default() };
        let (class, store, alice, qr) = shown_round::<MemoryStore>(config, seed);
        let at = T0 + 2_500;
        let key = round_store_key(SID, "alice", 1);
        let n = honest.len();
        let mut servers: Vec<Server> = honest
            .iter()
            .enumerate()
            .map(|(i, &ok)| {
                let mut rng = ChaCha20Rng::seed_from_u64(u64::from(seed) * 16 + i as u64);
                let json = if ok {
                    respond(&alice, &qr, at, &mut rng).unwrap().to_json().unwrap()
                } else {
                    let mut pt = ResponsePlaintext::answer(&alice, &qr, at);
                    pt.nonce = SecretBytes::new([0xee; 16]);
                    pt.seal(&alice, &mut rng).unwrap().to_json().unwrap()
                };
                Server {
                    envelope: ResponseEnvelope::from_json(&json).unwrap(),
                    step: None,
                    lost_races: 0,
                    verdict: None,
                    rng,
                }
            })
            .collect();
        let mut committed_failures = 0u8;
        let mut last_attempts = 0u8;
        let mut was_used = false;
        let tail = (0..n).cycle().take(40 * n);
        for i in schedule.into_iter().map(|i| i % n).chain(tail) {
            let s = &mut servers[i];
            if s.verdict.is_some() {
                continue;
            }
            match s.step.take() {
                None => {
                    let load = |k: &str| store.get(k, at);
                    s.step = Some(class.validate(&s.envelope, &load, at, &mut s.rng).unwrap());
                }
                Some(step) => match store.commit(&step.effects, at) {
                    Ok(()) => {
                        let result = step.output.result.map(|a| a.rt_ms);
                        if result == Err(Error::SecretInvalid) {
                            committed_failures += 1;
                        }
                        s.verdict = Some(result);
                    }
                    Err(Error::Conflict) => {
                        // Rerun (load again); after three lost races the client resends.
                        s.lost_races += 1;
                        if s.lost_races == 3 {
                            s.lost_races = 0;
                        }
                    }
                    Err(e) => panic!("commit failed with {e:?}"),
                },
            }
            let meta = RoundMetadata::open(class.sealer(), &key, &store.get(&key, at).unwrap())
                .unwrap();
            prop_assert!(meta.attempts >= last_attempts, "attempts went down");
            prop_assert_eq!(meta.attempts, committed_failures, "a lost update");
            prop_assert!(meta.used || !was_used, "a used round became unused");
            last_attempts = meta.attempts;
            was_used = meta.used;
        }
        let verdicts: Vec<Result<u64, Error>> =
            servers.iter().map(|s| s.verdict.expect("every server answered")).collect();
        let accepted = verdicts.iter().filter(|v| v.is_ok()).count();
        prop_assert_eq!(accepted, usize::from(honest.iter().any(|h| *h)), "{:?}", verdicts);
        // A failing response is SECRET_INVALID, or QR_EXPIRED once an honest one used the
        // round (spec §5 checks expiry first); an honest one is accepted or QR_EXPIRED.
        for (v, ok) in verdicts.iter().zip(&honest) {
            if *ok {
                prop_assert!(v.is_ok() || *v == Err(Error::QrExpired), "{:?}", v);
            } else {
                prop_assert!(
                    *v == Err(Error::SecretInvalid) || *v == Err(Error::QrExpired),
                    "{:?}", v
                );
            }
        }
        let secret_invalid = verdicts.iter().filter(|v| **v == Err(Error::SecretInvalid)).count();
        prop_assert_eq!(usize::from(last_attempts), secret_invalid);
    }
}
