//! Attendance rounds, spec §5 (from the "sequence diagrams" design).
//!
//! A student proves presence by scanning, N times, an encrypted QR that only their own device
//! can open, shown at random on the classroom projector, and answering within a round-trip
//! window measured on the server's clock.
//!
//! ```text
//!  student device                         server                              projector
//!  (enrollment: WebAuthn ES256 via a WebAuthn library -> EnrollmentRecord, fingerprint)
//!                     <-- Nl (LoginNonce::issue, 32 B, 300 s) --
//!  ClientLogin::start -> (c, C); authenticator signs
//!    login_challenge(Nl, C, userId) -- assertion + C -->
//!                                         WebAuthn library verifies the assertion
//!                                         server_login: (s, S), Z = X25519(s, C),
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
//! Pieces, each usable alone: [`login`] (enrollment record, `NOT_ENROLLED`, login challenge,
//! both sides' key derivation), [`totp`] (`totp-rs` behind a redacting type), [`round`] (round
//! secret, metadata, QR payload and text, student trial and response), [`validate`] (steps 1
//! to 7 as pure functions returning the metadata change), [`score`](mod@score), [`projector`], and
//! [`session::ClassSession`], which ties them together for one class and returns sealed store
//! effects. Store values are sealed with [`StoreSealer`](crate::effect::StoreSealer) as in
//! spec §2.3 and start with the version byte `0x01`.
//!
//! ```
//! use sealwright::attendance::{self, Config, login::*, round, session::*};
//! use sealwright::effect::StoreSealer;
//! use sealwright::SecretKey32;
//! # use rand_core::SeedableRng;
//! let mut rng = rand_chacha::ChaCha20Rng::from_seed([3; 32]);
//! let config = Config::default();
//! let t0 = 1_767_225_600_000u64;
//!
//! // Login: the WebAuthn assertion over `challenge` is verified by a WebAuthn library.
//! let (nonce, _remember_nonce) = LoginNonce::issue(&config, &mut rng);
//! let client = ClientLogin::start("alice", nonce, &mut rng)?;
//! let _challenge = client.challenge()?;
//! let server = server_login("alice", &nonce, &client.client_public(), &mut rng)?;
//! let student = client.finish(&server.server_public)?;
//!
//! // The class session registers the enrolled student and issues round 1.
//! let enrollment = EnrollmentRecord::new(&[7; 16], b"cose-key", [0; 16], 0)?;
//! let sealer = StoreSealer::new(&SecretKey32::new([1; 32]))?;
//! let mut class = ClassSession::new("cs101-2026-01-01", SecretKey32::new([2; 32]), sealer, config)?;
//! assert_eq!(class.register(None, server.keys.clone(), t0, &mut rng).unwrap_err(),
//!            sealwright::Error::NotEnrolled);
//! class.register(Some(&enrollment), server.keys, t0, &mut rng)?;
//!
//! let mut now = t0;
//! for r in 1..=config.rounds {
//!     // The projector shows a QR; the student's device opens it and answers 1.2 s later.
//!     let shown = class.frame(now, &mut rng)?.expect("a live QR").frame;
//!     let qr = round::try_qr(&student, &shown.qr_text)?;
//!     now += 1_200 + 100 * u64::from(r);
//!     let response = round::respond(&student, &qr, now, &mut rng)?.to_json()?;
//!     let received = class.receive(&response, now, &mut rng);
//!     assert!(received.outcome.is_ok());
//! }
//! match class.state("alice") {
//!     Some(AttendanceState::Finished(score)) => assert_eq!(score.status.as_str(), "PRESENTE"),
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), sealwright::Error>(())
//! ```
//!
//! # Decisions where the spec leaves a gap
//! * Store keys carry identifiers as `b64url` of their bytes (`sw:v1:att:round:<sid>:<uid>:<r>`,
//!   `sw:v1:att:result:<sid>:<uid>`, `sw:v1:att:enroll:<uid>`, `sw:v1:att:skey:<uid>`), and
//!   the login nonce as `sw:v1:att:login:<hex(Nl)>`: identifiers may contain `:`, so raw
//!   identifiers could make two keys collide.
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
//! * With many students a QR is shown rarely (one random QR per 500 ms frame), so
//!   [`session::ClassSession::frame`] re-issues a picked payload older than `TTL - rt_max`
//!   (105 s), so that every projected QR can be answered within the RT window before it
//!   expires (same round, fresh nonce, `issued_at_ms` and TOTPs; attempts kept; display
//!   count kept, projection history restarted). The `NOT_CAPTURED` notice counts displays per
//!   student and round across re-issues, and the payload stays live after it.
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

use crate::encoding::{b64url_encode, hex_encode, validate_identifier};
use crate::error::{Error, Result};

/// Format version byte of every plaintext and stored record of this module.
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

fn id(identifier: &str) -> Result<String> {
    validate_identifier(identifier)?;
    Ok(b64url_encode(identifier.as_bytes()))
}

/// `sw:v1:att:round:<b64url(sessionId)>:<b64url(userId)>:<round>`: a round's metadata.
pub fn round_store_key(session_id: &str, user_id: &str, round: u32) -> Result<String> {
    Ok(format!(
        "sw:v1:att:round:{}:{}:{round}",
        id(session_id)?,
        id(user_id)?
    ))
}

/// `sw:v1:att:result:<b64url(sessionId)>:<b64url(userId)>`: a student's result.
pub fn result_store_key(session_id: &str, user_id: &str) -> Result<String> {
    Ok(format!(
        "sw:v1:att:result:{}:{}",
        id(session_id)?,
        id(user_id)?
    ))
}

/// `sw:v1:att:enroll:<b64url(userId)>`: the enrollment record.
pub fn enrollment_store_key(user_id: &str) -> Result<String> {
    Ok(format!("sw:v1:att:enroll:{}", id(user_id)?))
}

/// `sw:v1:att:skey:<b64url(userId)>`: the sealed session key (TTL 7,200 s).
pub fn session_key_store_key(user_id: &str) -> Result<String> {
    Ok(format!("sw:v1:att:skey:{}", id(user_id)?))
}

/// `sw:v1:att:login:<hex(Nl)>`: an unspent login nonce (TTL 300 s).
pub fn login_nonce_store_key(nonce: &login::LoginNonce) -> String {
    format!("sw:v1:att:login:{}", hex_encode(&nonce.0))
}

/// Seconds to keep a round's metadata: the payload TTL, rounded up.
pub(crate) fn metadata_ttl_seconds(config: &Config) -> u64 {
    config.payload_ttl_ms.div_ceil(1000)
}

pub use login::{ClientLogin, EnrollmentRecord, LoginNonce, SessionKeys, server_login};
pub use projector::Projector;
pub use round::{QrPayload, ResponseEnvelope, RoundMetadata, issue_round, respond, try_qr};
pub use score::{Score, score};
pub use session::ClassSession;
pub use totp::{Totp, TotpCode};
