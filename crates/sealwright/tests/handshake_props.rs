//! Property tests for spec §2: random sequences of sends, dropped responses, retries,
//! duplicate deliveries while a claim is held, crashes between claim and response,
//! re-handshakes, replays of old requests and waits past the TTLs keep client and server in
//! step (against a model of the store's TTLs) or fail with the spec's code; a flipped bit
//! anywhere in a request or response is an error, never a panic, and changes no state.
//! Invariant "one request per kid": business logic runs for at most one `request_id` per kid
//! (again for the same one only after a crash let its claim expire), and at most one response
//! per kid is committed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "handshake_common.rs"]
mod common;

use common::{Harness, NOW_MS, open_with_store};
use proptest::prelude::*;
use sealwright::Error;
use sealwright::handshake::server::{self, Outcome};
use sealwright::handshake::{AwaitingResponse, DEFAULT_CLAIM_TTL_SECONDS, Established, Kid};
use std::collections::{BTreeSet, HashMap};

const DAY_MS: u64 = 86_400_000;
const GRACE_MS: u64 = 300_000;
const CLAIM_MS: u64 = DEFAULT_CLAIM_TTL_SECONDS * 1000;

#[derive(Clone, Debug)]
enum Op {
    /// Send a message and receive its answer.
    Send(u8),
    /// Send a message; the answer is lost on the way back.
    SendDropResponse(u8),
    /// Resend the pending request byte for byte.
    RetryPending,
    /// Send an old, already answered request again.
    ReplayOld(usize),
    /// A new handshake.
    Rehandshake,
    /// Time passes.
    Wait(u64),
    /// Send, but first deliver a request with one bit flipped at this position.
    TamperRequest(usize, u8),
    /// Send, but first deliver a response with one bit flipped at this position.
    TamperResponse(usize, u8),
    /// Send; a second delivery of the same bytes and one of other bytes on the same kid
    /// arrive while the first holds its claim.
    DuplicateWhileClaimed(u8),
    /// Send; the server dies after committing the claim (business logic ran, no response).
    CrashAfterClaim(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<u8>().prop_map(Op::Send),
        2 => any::<u8>().prop_map(Op::SendDropResponse),
        2 => Just(Op::RetryPending),
        2 => any::<usize>().prop_map(Op::ReplayOld),
        1 => Just(Op::Rehandshake),
        2 => prop_oneof![Just(1_000u64), Just(GRACE_MS), Just(GRACE_MS + 1), Just(DAY_MS / 2)]
            .prop_map(Op::Wait),
        2 => (any::<usize>(), 0u8..8).prop_map(|(i, b)| Op::TamperRequest(i, b)),
        2 => (any::<usize>(), 0u8..8).prop_map(|(i, b)| Op::TamperResponse(i, b)),
        2 => any::<u8>().prop_map(Op::DuplicateWhileClaimed),
        2 => any::<u8>().prop_map(Op::CrashAfterClaim),
    ]
}

/// An answered request, as the model remembers it.
struct Answered {
    request: String,
    response: String,
    session: u32,
    at: u64,
}

struct Model {
    hs: Harness,
    now: u64,
    session_no: u32,
    handshake_at: u64,
    client: Option<Established>,
    pending: Option<(AwaitingResponse, u8)>,
    answered: Vec<Answered>,
    /// Every run of business logic: (kid, request_id).
    ran: Vec<(Kid, [u8; 32])>,
    /// The request ids whose server crashed after the claim.
    crashed: BTreeSet<[u8; 32]>,
    /// Committed responses per kid.
    responses_per_kid: HashMap<Kid, usize>,
}

impl Model {
    fn new(seed: u8) -> Self {
        let mut hs = Harness::new("prop-device", seed);
        let client = hs.handshake(NOW_MS);
        Self {
            hs,
            now: NOW_MS,
            session_no: 0,
            handshake_at: NOW_MS,
            client: Some(client),
            pending: None,
            answered: Vec::new(),
            ran: Vec::new(),
            crashed: BTreeSet::new(),
            responses_per_kid: HashMap::new(),
        }
    }

    /// The invariant "one request per kid".
    fn check_one_request_per_kid(&self) {
        let mut by_kid: HashMap<&Kid, Vec<&[u8; 32]>> = HashMap::new();
        for (kid, rid) in &self.ran {
            by_kid.entry(kid).or_default().push(rid);
        }
        for (kid, rids) in by_kid {
            let distinct: BTreeSet<_> = rids.iter().collect();
            assert_eq!(distinct.len(), 1, "two requests ran on kid {kid}");
            if rids.len() > 1 {
                assert!(
                    self.crashed.contains(rids[0]),
                    "business logic ran twice on {kid}"
                );
            }
        }
        assert!(self.responses_per_kid.values().all(|n| *n == 1));
    }

    /// `server::serve` with the model's bookkeeping.
    fn serve(&mut self, request: &str, reply: &[u8]) -> Result<String, Error> {
        let mut ran = None;
        let result = server::serve(
            &self.hs.keys,
            &self.hs.store,
            request,
            self.now,
            &mut self.hs.rng,
            |opened| {
                ran = Some(opened.kid().clone());
                reply.to_vec()
            },
        );
        if let Some(kid) = ran {
            let rid = sealwright::handshake::wire::ProcessRequest::from_json(request)
                .unwrap()
                .request_id()
                .unwrap();
            self.ran.push((kid.clone(), rid));
            if result.is_ok() {
                *self.responses_per_kid.entry(kid).or_default() += 1;
            }
        }
        self.check_one_request_per_kid();
        result
    }

    fn expired(&self) -> bool {
        self.now >= self.handshake_at + DAY_MS
    }

    fn rehandshake(&mut self) {
        self.now += 1;
        self.client = Some(self.hs.handshake(self.now));
        self.handshake_at = self.now;
        self.session_no += 1;
        self.pending = None;
    }

    /// The outcome the spec requires for resending an answered request now.
    fn expected_replay(&self, a: &Answered) -> Result<String, Error> {
        if self.expired() {
            Err(Error::SessionExpired)
        } else if a.session != self.session_no || self.now >= a.at + GRACE_MS {
            Err(Error::UnknownKid)
        } else {
            Ok(a.response.clone())
        }
    }

    fn server(&self, request: &str) -> Result<Outcome, Error> {
        open_with_store(&self.hs.keys, &self.hs.store, request, self.now)
    }

    /// Sends `msg`; returns `(request, pending, response)` or the expected expiry.
    fn send(&mut self, msg: u8) -> Option<(String, AwaitingResponse, String)> {
        if self.pending.is_some() || self.client.is_none() {
            // The typestate allows no send now: the client re-handshakes first.
            self.rehandshake();
        }
        let client = self.client.take().unwrap();
        let (request, awaiting) = client.send(&[msg; 3], &mut self.hs.rng).unwrap();
        if self.expired() {
            assert_eq!(self.server(&request).unwrap_err(), Error::SessionExpired);
            self.rehandshake();
            return None;
        }
        let response = self.serve(&request, &[msg, 1]).unwrap();
        self.answered.push(Answered {
            request: request.clone(),
            response: response.clone(),
            session: self.session_no,
            at: self.now,
        });
        Some((request, awaiting, response))
    }

    fn finish(&mut self, awaiting: &AwaitingResponse, response: &str, msg: u8) {
        let old_kid = awaiting.kid().clone();
        let (reply, next) = awaiting.receive(response).unwrap();
        assert_eq!(reply.expose(), &[msg, 1]);
        assert_ne!(next.kid(), &old_kid);
        self.client = Some(next);
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::Send(m) => {
                if let Some((_, awaiting, response)) = self.send(m) {
                    self.finish(&awaiting, &response, m);
                }
            }
            Op::SendDropResponse(m) => {
                if let Some((_, awaiting, _dropped)) = self.send(m) {
                    self.pending = Some((awaiting, m));
                }
            }
            Op::RetryPending => {
                let Some((awaiting, m)) = self.pending.take() else {
                    return;
                };
                let a = self
                    .answered
                    .iter()
                    .find(|a| a.request == awaiting.request())
                    .unwrap();
                let expected = self.expected_replay(a);
                let got = self.server(awaiting.request()).map(|o| match o {
                    Outcome::Retry(r) => r,
                    Outcome::Opened(_) => panic!("an answered request was processed again"),
                });
                assert_eq!(got, expected);
                match got {
                    Ok(response) => self.finish(&awaiting, &response, m),
                    Err(_) => self.rehandshake(),
                }
            }
            Op::ReplayOld(i) => {
                if self.answered.is_empty() {
                    return;
                }
                let a = &self.answered[i % self.answered.len()];
                let expected = self.expected_replay(a);
                let got = self.server(&a.request).map(|o| match o {
                    Outcome::Retry(r) => r,
                    Outcome::Opened(_) => panic!("an answered request was processed again"),
                });
                assert_eq!(got, expected);
            }
            Op::Rehandshake => self.rehandshake(),
            Op::Wait(ms) => self.now += ms,
            Op::TamperRequest(pos, bit) => {
                if self.pending.is_some() || self.client.is_none() || self.expired() {
                    self.rehandshake();
                }
                let client = self.client.take().unwrap();
                let (request, awaiting) = client.send(b"t", &mut self.hs.rng).unwrap();
                let mut bytes = request.clone().into_bytes();
                let i = pos % bytes.len();
                bytes[i] ^= 1 << bit;
                let keys_before: Vec<String> = self.hs.store.keys();
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    assert!(self.server(text).is_err(), "flipped request accepted");
                }
                assert_eq!(self.hs.store.keys(), keys_before);
                // The genuine request still goes through.
                let response = self.serve(&request, b"t\x01").unwrap();
                self.answered.push(Answered {
                    request,
                    response: response.clone(),
                    session: self.session_no,
                    at: self.now,
                });
                self.finish(&awaiting, &response, b't');
            }
            Op::TamperResponse(pos, bit) => {
                if let Some((_, awaiting, response)) = self.send(b'r') {
                    let mut bytes = response.clone().into_bytes();
                    let i = pos % bytes.len();
                    bytes[i] ^= 1 << bit;
                    if let Ok(text) = std::str::from_utf8(&bytes) {
                        assert!(awaiting.receive(text).is_err(), "flipped response accepted");
                    }
                    self.finish(&awaiting, &response, b'r');
                }
            }
            Op::DuplicateWhileClaimed(m) => self.duplicate_while_claimed(m),
            Op::CrashAfterClaim(m) => self.crash_after_claim(m),
        }
    }

    /// A fresh request from the client (re-handshaking first when needed).
    fn fresh_request(&mut self, msg: u8) -> (String, AwaitingResponse, Established) {
        if self.pending.is_some() || self.client.is_none() || self.expired() {
            self.rehandshake();
        }
        let client = self.client.take().unwrap();
        let (request, awaiting) = client.clone().send(&[msg; 3], &mut self.hs.rng).unwrap();
        (request, awaiting, client)
    }

    fn duplicate_while_claimed(&mut self, msg: u8) {
        let (request, awaiting, client) = self.fresh_request(msg);
        // Delivery A claims the kid.
        let Outcome::Opened(opened) = self.server(&request).unwrap() else {
            panic!("a fresh request is not a retry")
        };
        self.ran.push((opened.kid().clone(), *opened.request_id()));
        // Delivery B (same bytes) and C (other bytes, same kid) while A holds the claim.
        assert_eq!(self.server(&request).unwrap_err(), Error::InProgress);
        let (other, _) = client.send(b"other", &mut self.hs.rng).unwrap();
        assert_eq!(self.server(&other).unwrap_err(), Error::KidRotated);
        // A answers; B's retry then gets A's response.
        let kid = opened.kid().clone();
        let step = opened.respond(&[msg, 1], &mut self.hs.rng).unwrap();
        self.hs.store.commit(&step.effects, self.now).unwrap();
        *self.responses_per_kid.entry(kid).or_default() += 1;
        let again = self.serve(&request, b"never used").unwrap();
        assert_eq!(again, step.output);
        self.answered.push(Answered {
            request,
            response: step.output.clone(),
            session: self.session_no,
            at: self.now,
        });
        self.finish(&awaiting, &step.output, msg);
    }

    fn crash_after_claim(&mut self, msg: u8) {
        if self.now + CLAIM_MS >= self.handshake_at + DAY_MS {
            // The session would end while the claim waits: start a fresh one first.
            self.rehandshake();
        }
        let (request, awaiting, _) = self.fresh_request(msg);
        let Outcome::Opened(opened) = self.server(&request).unwrap() else {
            panic!("a fresh request is not a retry")
        };
        // Business logic ran, then the server died: no response was committed.
        self.ran.push((opened.kid().clone(), *opened.request_id()));
        self.crashed.insert(*opened.request_id());
        drop(opened);
        assert_eq!(self.serve(&request, b"x").unwrap_err(), Error::InProgress);
        self.now += CLAIM_MS - 1;
        assert_eq!(self.serve(&request, b"x").unwrap_err(), Error::InProgress);
        self.now += 1;
        // The claim expired: the retry runs and succeeds; nothing was lost.
        let response = self.serve(&request, &[msg, 1]).unwrap();
        self.answered.push(Answered {
            request,
            response: response.clone(),
            session: self.session_no,
            at: self.now,
        });
        self.finish(&awaiting, &response, msg);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn client_and_server_stay_in_step(seed in any::<u8>(), ops in prop::collection::vec(op(), 1..14)) {
        let mut model = Model::new(seed);
        for op in ops {
            model.apply(op);
        }
        // Whatever happened, a fresh exchange works (after a re-handshake if needed).
        // (A send into an expired session re-handshakes, so the second try always works.)
        let (_, awaiting, response) = model.send(9).or_else(|| model.send(9)).unwrap();
        model.finish(&awaiting, &response, 9);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary text into every parser and the server and client entry points: an error of
    /// the section's codes, never a panic.
    #[test]
    fn arbitrary_messages_are_errors_not_panics(text in "\\PC{0,200}", raw in prop::collection::vec(any::<u8>(), 0..120)) {
        use sealwright::handshake::wire::{HandshakeRequest, HandshakeResponse, ProcessRequest, ProcessResponse};
        let allowed = [Error::InvalidInput, Error::UnsupportedVersion];
        for t in [text.as_str(), &format!("{{\"v\":1,\"x\":{text:?}}}")] {
            for r in [
                HandshakeRequest::from_json(t).err(),
                HandshakeResponse::from_json(t).err(),
                ProcessRequest::from_json(t).err(),
                ProcessResponse::from_json(t).err(),
                server::process_store_keys(t).err(),
                server::handshake_store_keys(t).err(),
            ] {
                prop_assert!(r.is_none_or(|e| allowed.contains(&e)));
            }
        }
        let keys = common::server_keys();
        let records = server::Records {
            session: Some(raw.clone()),
            eph: Some(raw.clone()),
            claim: Some(raw.clone()),
            last: Some(raw.clone()),
            retry: Some(raw.clone()),
        };
        static REQUEST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let request = REQUEST.get_or_init(|| {
            let mut hs = Harness::new("prop-raw", 1);
            let session = hs.handshake(NOW_MS);
            session.send(b"q", &mut hs.rng).unwrap().0
        });
        // Garbage records: DECRYPTION_FAILED, never a panic.
        let mut rng = <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::from_seed([0; 32]);
        prop_assert_eq!(server::open(&keys, request, records, NOW_MS, &mut rng).unwrap_err(), Error::DecryptionFailed);
    }
}
