//! Attendance rounds, spec §5 (from the "sequence diagrams" design).
//!
//! A student proves presence by scanning, N times, an encrypted QR that only their own device
//! can open, shown at random on the classroom projector, and answering within a round-trip
//! window measured on the server's clock.
//!
//! ```text
//!  student device                         server                              projector
//!  (enrollment: WebAuthn ES256 via a WebAuthn library -> EnrollmentRecord, fingerprint)
//!                     <-- Nl (issue_login_nonce, 32 B, 300 s) --
//!  ClientLogin::start -> (c, C); authenticator signs
//!    login_challenge(Nl, C, userId) -- assertion + C -->
//!                                         WebAuthn library verifies the assertion
//!                                         login: (s, S), Z = X25519(s, C),
//!                                         session_key = HKDF(Nl, Z, ..userId)
//!                     <-- S --
//!  ClientLogin::finish(S) -> SessionKeys (same session_key, K_qr, K_resp, K_totp_u)
//!                                         ClassSession::register (NOT_ENROLLED?)
//!                                         issue_round r: nonce, TOTPs = TOTP(secret_s, t),
//!                                         "SW1:" + base45(sealed(K_qr, payload))  --> live QR
//!                                                                   frame: random live QR
//!  try_qr(every QR seen) with own K_qr <------------------------------- shown_at_ms recorded
//!  respond: sealed(K_resp, r, nonce, TOTPu, TOTPs, t_client)
//!                     -- {"userId","sessionId","response"} -->
//!                                         validate steps 1..7 (RT = received - shown_at)
//!                                         -> round r+1, or score after N rounds
//! ```
//!
//! Pieces, each usable alone: [`login`](mod@login) (enrollment record, `NOT_ENROLLED`, login nonce and
//! login steps, both sides' key derivation), [`totp`] (`totp-rs` behind a redacting type),
//! [`round`] (round secret, metadata, QR payload and text, student trial and response),
//! [`validate`] (steps 1 to 7 as pure functions returning the metadata change),
//! [`score`](mod@score), [`projector`] (the projection state machine and its record), and
//! [`session::ClassSession`], the server steps of one class.
//!
//! Every server operation is a step of spec §0.2 over loaded records, returning a
//! [`Step`](crate::effect::Step) whose effects are one transaction:
//!
//! ```text
//!  issue_login_nonce(userId)          -> Nl           put_if_absent  login:<hex(Nl)>
//!  login(userId, Nl, C; load)          -> S, keys      delete_if_equal login:<hex(Nl)>, put skey
//!  ClassSession::register(userId)      -> QR round 1   put_if_absent  round:<sid>:1
//!  ClassSession::frame(inbox)          -> a QR shown   put_if_equal   projector (tag(sessionId))
//!  ClassSession::validate(response)    -> verdict      put_if_equal / delete_if_equal round:<sid>:<r>,
//!                                                      put_if_absent round r+1 | put result
//!  ClassSession::issue(userId, r)      -> QR re-issued put_if_equal   round:<sid>:<r>
//! ```
//!
//! A student's records carry `tag(userId)` and the projector record `tag(sessionId)`
//! ([`round_store_key`], [`projector_store_key`], ...), so every step writes one hash slot.
//! Every record implements [`StoredRecord`](crate::effect::StoredRecord) and is sealed with
//! [`StoreSealer`](crate::effect::StoreSealer). [`session::ClassSession::on`] runs the steps
//! against a [`StepStore`](crate::effect::StepStore) with [`run_step`](crate::effect::run_step):
//!
//! ```
//! use sealwright::attendance::{Config, login::*, round, session::*};
//! use sealwright::effect::{MemoryStore, StoreSealer, run_step};
//! use sealwright::SecretKey32;
//! let mut rng = rand::rng();
//! let config = Config::default();
//! let store = MemoryStore::new(); // or Redis / SQL through a StepStore adapter
//! let sealer = StoreSealer::new(&SecretKey32::new([1; 32]))?;
//! let t0 = 1_767_225_600_000u64;
//!
//! // Enrollment: the record a WebAuthn library's verified registration gives, stored sealed.
//! let enrollment = EnrollmentRecord::new("alice", &[7; 16], b"cose-key", [0; 16], 0)?;
//! store.commit(&enrollment.enroll(&sealer, &mut rng)?.effects, t0)?;
//!
//! // Login: a single-use nonce; the WebAuthn assertion over `challenge` is verified by a
//! // WebAuthn library, then the login step consumes the nonce and stores the session key.
//! let nonce = run_step(&store, t0, |_| issue_login_nonce("alice", &sealer, &config, t0, &mut rng))?;
//! let client = ClientLogin::start("alice", nonce, &mut rng)?;
//! let _challenge = client.challenge()?;
//! let c = client.client_public();
//! let server = run_step(&store, t0, |load| login("alice", &nonce, &c, load, &sealer, &config, &mut rng))?;
//! let student = client.finish(&server.server_public)?;
//!
//! // The class session holds configuration only; each call is one step over the store.
//! let class = ClassSession::new("cs101-2026-01-01", SecretKey32::new([2; 32]), sealer, config)?;
//! let steps = class.on(&store);
//! let mut inbox = vec![steps.register("alice", t0, &mut rng)?]; // round 1, for the projector
//!
//! let mut now = t0;
//! for r in 1..=config.rounds {
//!     // The projector shows a QR; the student's device opens it and answers 1.3 to 1.5 s later
//!     // (RT is measured on the server's clock and must be within 500 < RT < 15,000 ms).
//!     let shown = steps.frame(&inbox, now, &mut rng)?.frame.expect("a live QR");
//!     inbox.clear();
//!     let qr = round::try_qr(&student, &shown.qr_text)?;
//!     now += 1_200 + 100 * u64::from(r);
//!     let response = round::respond(&student, &qr, now, &mut rng)?.to_json()?;
//!     match steps.receive(&response, now, &mut rng)?.progress {
//!         Progress::NextRound(next) => inbox.push(next),
//!         Progress::Finished(score) => assert_eq!(score.status.as_str(), "PRESENTE"),
//!     }
//! }
//! assert!(matches!(steps.state("alice", now)?, Some(AttendanceState::Finished(_))));
//! # Ok::<(), sealwright::Error>(())
//! ```
//!
//! # Decisions where the spec leaves a gap
//! * Store keys: `sw:v1:att:tag(userId):round:<hex(sessionId)>:<r>` and
//!   `...:result:<hex(sessionId)>` (hex keeps a `:` in an identifier from making two keys
//!   collide), `...:enroll`, `...:skey`, `...:login:<hex(Nl)>`, and
//!   `sw:v1:att:tag(sessionId):projector`.
//! * New QRs reach the projector as the outputs of `register`, `issue` and `validate`, handed
//!   by the caller to the next frame step (its inbox): a step that also wrote the projector
//!   record would span two hash tags. The frame step learns that a round was answered or
//!   deleted by loading the picked payload's metadata (without a condition) and drops it.
//! * The frame step only picks payloads issued at most `TTL - rt_max` (105 s) ago, so every
//!   projected QR can be answered within the RT window before its TTL; it reports older ones
//!   as `stale` and [`session::OnStore::frame`] re-issues them (same round, fresh nonce,
//!   `issued_at_ms` and TOTPs; attempts and accepted RTs kept; display count kept, projection
//!   history restarted). With many students a QR is shown rarely (one random QR per 500 ms
//!   frame), so most rounds need a re-issue. The `NOT_CAPTURED` notice counts displays per
//!   student and round across re-issues, and the payload stays live after it.
//! * Round metadata also carries the RTs accepted so far (this round's once used), so the
//!   last round's validation scores without reading earlier rounds, which may have expired.
//! * Validation uses only the projections of the QR whose `issued_at_ms` is the round's
//!   (a re-issued round's old projections do not count).
//! * A login whose nonce record is missing, or names another user, is `SESSION_INVALID`. Two
//!   logins racing with one nonce: one commits; the other's `delete_if_equal` fails and its
//!   rerun (in [`run_step`](crate::effect::run_step)) finds the nonce gone: `SESSION_INVALID`
//!   (a caller that commits once sees `CONFLICT`).
//! * The validate step returns the verdict as its output, with the effects of a counted
//!   attempt; its own `Err` is a store fault (a record that does not open).
//! * A response that opens but whose plaintext is malformed (wrong lengths, trailing bytes,
//!   non-digit TOTP) is `SESSION_INVALID` like an unknown version byte; a malformed outer
//!   envelope (JSON, identifiers, base64) is `INVALID_INPUT`; an envelope whose `sessionId`
//!   is not the class session's is `SESSION_INVALID`.
//! * Step 3 also answers `QR_EXPIRED` when stored attempts already reached `MAX_ATTEMPTS` (a
//!   round is deleted at that point, so only a stale store can show it).
//! * `received_at_ms < issued_at_ms` counts as age 0; RT then fails step 5 as no projection
//!   precedes it.
//! * A QR that opens with the student's `K_qr` but names another `userId` is `QR_INVALID`; one
//!   that does not open is `DECRYPTION_FAILED` (simply not the student's).
//! * Scoring (spec §5) compares in exact integers (`S`, `Q`, `N*Q - S^2` in 256 bits, see
//!   [`score`](mod@score)), so it is exact for every RT list; it needs at least one RT.

pub mod base45;
pub mod login;
pub mod projector;
pub mod round;
pub mod score;
pub mod session;
pub mod totp;
pub mod validate;

use alloc::format;
use alloc::string::String;

use crate::effect::tag;
use crate::encoding::hex_encode;
use crate::error::{Error, Result};

/// Format version byte of the QR and response plaintexts (spec §5).
pub const FORMAT_VERSION: u8 = 0x01;
/// Prefix of a QR text.
pub const QR_PREFIX: &str = "SW1:";

/// The configurable values of spec §5, with its defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Rounds `N` (numbered 1 to N). Default 3.
    pub rounds: u32,
    /// QR payload TTL in ms. Default 120,000.
    pub payload_ttl_ms: u64,
    /// Projector frame in ms. Default 500.
    pub frame_ms: u64,
    /// RT must be greater than this (ms). Default 500.
    pub rt_min_ms: u64,
    /// RT must be less than this (ms). Default 15,000.
    pub rt_max_ms: u64,
    /// `MAX_ATTEMPTS`. Default 3.
    pub max_attempts: u8,
    /// `MAX_DISPLAYS`. Default 10.
    pub max_displays: u32,
    /// Enrollment and login challenge TTL in s. Default 300.
    pub challenge_ttl_seconds: u64,
    /// Session key TTL in s. Default 7,200.
    pub session_key_ttl_seconds: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            rounds: 3,
            payload_ttl_ms: 120_000,
            frame_ms: 500,
            rt_min_ms: 500,
            rt_max_ms: 15_000,
            max_attempts: 3,
            max_displays: 10,
            challenge_ttl_seconds: 300,
            session_key_ttl_seconds: 7_200,
        }
    }
}

impl Config {
    /// `INVALID_INPUT` unless rounds fit a stored result (1 to 255), attempts >= 1, the RT
    /// window is not empty, and the TTLs and frame are non-zero.
    pub fn check(&self) -> Result<()> {
        let ok = (1..=255).contains(&self.rounds)
            && self.max_attempts >= 1
            && self.rt_min_ms.saturating_add(1) < self.rt_max_ms
            && self.payload_ttl_ms > 0
            && self.frame_ms > 0
            && self.challenge_ttl_seconds > 0
            && self.session_key_ttl_seconds > 0;
        if ok { Ok(()) } else { Err(Error::InvalidInput) }
    }
}

/// `sw:v1:att:tag(userId)`: the prefix of every record of one student (spec §5, §0.2).
fn student_prefix(user_id: &str) -> String {
    format!("sw:v1:att:{}", tag(user_id))
}

/// `sw:v1:att:tag(userId):round:<hex(sessionId)>:<r>`: a round's metadata.
pub fn round_store_key(session_id: &str, user_id: &str, round: u32) -> String {
    format!(
        "{}:round:{}:{round}",
        student_prefix(user_id),
        hex_encode(session_id.as_bytes())
    )
}

/// `sw:v1:att:tag(userId):result:<hex(sessionId)>`: a student's result.
pub fn result_store_key(session_id: &str, user_id: &str) -> String {
    format!(
        "{}:result:{}",
        student_prefix(user_id),
        hex_encode(session_id.as_bytes())
    )
}

/// `sw:v1:att:tag(userId):enroll`: the enrollment record.
pub fn enrollment_store_key(user_id: &str) -> String {
    format!("{}:enroll", student_prefix(user_id))
}

/// `sw:v1:att:tag(userId):skey`: the sealed session key (TTL 7,200 s).
pub fn session_key_store_key(user_id: &str) -> String {
    format!("{}:skey", student_prefix(user_id))
}

/// `sw:v1:att:tag(userId):login:<hex(Nl)>`: an unspent login nonce (TTL 300 s).
pub fn login_nonce_store_key(user_id: &str, nonce: &login::LoginNonce) -> String {
    format!("{}:login:{}", student_prefix(user_id), hex_encode(&nonce.0))
}

/// `sw:v1:att:tag(sessionId):projector`: a class's projector record (written by the frame
/// step only).
pub fn projector_store_key(session_id: &str) -> String {
    format!("sw:v1:att:{}:projector", tag(session_id))
}

/// Seconds to keep a round's metadata: the payload TTL, rounded up.
pub(crate) fn metadata_ttl_seconds(config: &Config) -> u64 {
    config.payload_ttl_ms.div_ceil(1000)
}

pub use login::{
    ClientLogin, EnrollmentRecord, LoginNonce, SessionKeys, issue_login_nonce, login, server_login,
};
pub use projector::Projector;
pub use round::{QrPayload, ResponseEnvelope, RoundMetadata, issue_round, respond, try_qr};
pub use score::{Score, score};
pub use session::{ClassSession, IssuedQr, Validation};
pub use totp::{Totp, TotpCode};
