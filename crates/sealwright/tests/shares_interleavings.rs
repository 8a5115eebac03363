//! Interleavings of concurrent recoveries of one wallet (spec §3 with §0.2), as a model
//! checked by proptest: 2 or 3 recoveries each run load+stage, commit stage, commit move
//! (once), commit cleanup, and proptest picks the order in which they advance. Whatever the
//! order: at most one recovery wins per generation (each winner moved the pointer from a
//! different generation), every other recovery answers `CONFLICT`, the pointer always names a
//! split whose two stored shares are present (the wallet signs at every point, identically),
//! and once every recovery has finished the stores hold the current split only (pointer,
//! share 2, share 3).
//!
//! Few cases: every stage costs five Argon2id runs at 64 MiB.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod shares_common;

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::Error;
use sealwright::effect::Step;
use sealwright::secret::SecretString;
use sealwright::shares::{Address, MovePending, Staged};
use shares_common::{Stores, created_wallet, stage};

/// Where one recovery is.
enum Phase {
    /// Not started: the next action loads the pointer and stages.
    Start,
    /// Staged (computed, not committed).
    Staged(Step<Staged>),
    /// Stage committed: the next action commits the move, once.
    Moving(Staged),
    /// The move's outcome is known: the next action commits the cleanup.
    Cleanup {
        effects: Vec<sealwright::effect::Effect>,
        outcome: Outcome,
    },
    /// Finished.
    Done(Outcome),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// Won, moving the pointer from this generation; the new user envelope.
    Won { from: u32, user_envelope: String },
    /// The move lost: `CONFLICT`.
    Lost,
}

struct Recovery {
    phase: Phase,
    rng: ChaCha20Rng,
}

impl Recovery {
    fn advance(&mut self, stores: &Stores, password: &SecretString, address: &Address) {
        self.phase = match std::mem::replace(&mut self.phase, Phase::Start) {
            // Loading the pointer and the two shares it names, then staging, is one action:
            // the loads see one state of the stores.
            Phase::Start => Phase::Staged(stage(stores, password, address, &mut self.rng).unwrap()),
            Phase::Staged(step) => {
                // Stage effects write keys no one else writes: they always commit.
                stores.commit(&step.effects).unwrap();
                Phase::Moving(step.output)
            }
            Phase::Moving(staged) => {
                let from = staged.old_split().generation;
                let moving = staged.move_pointer();
                match stores.commit(&moving.effects) {
                    Ok(()) => {
                        let (recovered, effects) = MovePending::won(moving.output).into_parts();
                        Phase::Cleanup {
                            effects,
                            outcome: Outcome::Won {
                                from,
                                user_envelope: recovered.user_envelope,
                            },
                        }
                    }
                    Err(Error::Conflict) => {
                        let lost = moving.output.lost();
                        assert_eq!(lost.output, Error::Conflict);
                        Phase::Cleanup {
                            effects: lost.effects,
                            outcome: Outcome::Lost,
                        }
                    }
                    Err(e) => panic!("the move failed with {e:?}"),
                }
            }
            Phase::Cleanup { effects, outcome } => {
                stores.commit(&effects).unwrap();
                Phase::Done(outcome)
            }
            done @ Phase::Done(_) => done,
        };
    }

    fn done(&self) -> Option<&Outcome> {
        match &self.phase {
            Phase::Done(o) => Some(o),
            _ => None,
        }
    }
}

/// The user envelope that signs now: the newest winner's, else the creation's.
fn current_user_envelope(created: &str, winners: &[(u32, String)]) -> String {
    winners
        .iter()
        .max_by_key(|(from, _)| *from)
        .map_or_else(|| created.to_string(), |(_, e)| e.clone())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4))]

    #[test]
    fn concurrent_recoveries_one_winner_per_generation(
        seed in any::<[u8; 32]>(),
        n in 2usize..=3,
        schedule in prop::collection::vec(0usize..3, 12..24),
    ) {
        let mut rng = ChaCha20Rng::from_seed(seed);
        let password = SecretString::from("model password");
        let (created, stores) = created_wallet(&password, &mut rng);
        let address = created.address;
        let message = "model";
        let signature = stores.sign(&password, &created.user_envelope, &address, message).unwrap();
        let mut recoveries: Vec<Recovery> = (0..n)
            .map(|i| Recovery {
                phase: Phase::Start,
                rng: ChaCha20Rng::seed_from_u64(u64::from(seed[0]) * 8 + i as u64),
            })
            .collect();
        let mut winners: Vec<(u32, String)> = Vec::new();
        // Proptest's schedule first, then round robin until every recovery is done.
        let tail = (0..n).cycle().take(5 * n);
        for i in schedule.into_iter().map(|i| i % n).chain(tail) {
            if recoveries[i].done().is_some() {
                continue;
            }
            let was_moving = matches!(recoveries[i].phase, Phase::Moving(_));
            recoveries[i].advance(&stores, &password, &address);
            if let (true, Phase::Cleanup { outcome: Outcome::Won { from, user_envelope }, .. }) =
                (was_moving, &recoveries[i].phase)
            {
                // This action committed a move: one winner per generation.
                prop_assert!(
                    !winners.iter().any(|(f, _)| f == from),
                    "two recoveries moved the pointer from generation {}", from
                );
                winners.push((*from, user_envelope.clone()));
            }
            // At every point the pointer names a complete split and the wallet signs with
            // the newest user envelope, identically (RFC 6979).
            let user = current_user_envelope(&created.user_envelope, &winners);
            prop_assert_eq!(
                stores.sign(&password, &user, &address, message).unwrap(),
                signature.clone()
            );
        }
        let outcomes: Vec<Outcome> = recoveries.iter().map(|r| r.done().cloned().unwrap()).collect();
        let won: Vec<u32> = outcomes
            .iter()
            .filter_map(|o| match o {
                Outcome::Won { from, .. } => Some(*from),
                _ => None,
            })
            .collect();
        // Winners moved from distinct generations, consecutively from 0.
        let mut sorted = won.clone();
        sorted.sort_unstable();
        prop_assert_eq!(sorted, (0..won.len() as u32).collect::<Vec<_>>());
        prop_assert!(!won.is_empty(), "someone wins: {outcomes:?}");
        prop_assert_eq!(
            outcomes.iter().filter(|o| **o == Outcome::Lost).count(),
            n - won.len()
        );
        prop_assert_eq!(stores.pointer(&address).generation, won.len() as u32);
        // Only the current split remains: pointer + share 2 (hot), share 3 (cold).
        prop_assert_eq!(stores.all_keys().len(), 3, "{:?}", stores.all_keys());
        let user = current_user_envelope(&created.user_envelope, &winners);
        prop_assert_eq!(stores.sign(&password, &user, &address, message).unwrap(), signature.clone());
        if !won.is_empty() {
            prop_assert_eq!(
                stores.sign(&password, &created.user_envelope, &address, message).err(),
                Some(Error::GenerationMismatch)
            );
        }
    }
}
