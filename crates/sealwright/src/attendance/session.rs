//! A class session (spec §5): many students, their rounds, one projector, validation and
//! results, as a state machine that returns store effects.
//!
//! ```text
//!  register(enrollment?, keys)  -> NOT_ENROLLED | round 1 issued, projected   [Put round]
//!  frame(now)                   -> a uniformly random live QR (+ NOT_CAPTURED notice);
//!                                  an unanswered payload past its TTL is re-issued first
//!  receive(json, received_at)   -> steps 1-7; attempts / used / delete         [Put|Delete round]
//!                                  round r+1 issued, or finished and scored     [Put result]
//!  close()                      -> results for everyone still in progress       [Put result]
//! ```
//!
//! Round metadata lives in memory here and every change is also returned as a sealed effect
//! (`sw:v1:att:round:...`, TTL = payload TTL), so a stateless server can run the same checks
//! from its store with [`super::validate`].

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;

use super::login::{EnrollmentRecord, SessionKeys, require_enrollment};
use super::projector::{Frame, PayloadId, Projector};
use super::round::{IssuedRound, ResponseEnvelope, RoundMetadata, issue_round};
use super::score::{Score, Status, score};
use super::validate::{MetadataUpdate, open_response};
use super::{Config, FORMAT_VERSION, metadata_ttl_seconds, result_store_key, round_store_key};
use crate::effect::{Effect, StoreSealer};
use crate::encoding::{Reader, validate_identifier};
use crate::error::{Error, Result};
use crate::secret::SecretKey32;

/// Where one student's attendance stands.
#[derive(Clone, Debug, PartialEq)]
pub enum AttendanceState {
    /// Waiting for a valid response to this round.
    InProgress {
        /// Current round (1 to N).
        round: u32,
    },
    /// All rounds answered and scored.
    Finished(Score),
    /// Ended in error (`MAX_ATTEMPTS`).
    Failed(Error),
    /// Closed by [`ClassSession::close`] before the last round was answered.
    Closed {
        /// Whether the student's QR had the `NOT_CAPTURED` notice.
        not_captured: bool,
    },
}

/// How a stored attendance result ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultKind {
    /// All N rounds answered; certainty from the RTs.
    Scored,
    /// A round reached `MAX_ATTEMPTS`.
    MaxAttempts,
    /// Closed while a round was shown more than `MAX_DISPLAYS` times unanswered.
    NotCaptured,
    /// Closed before the last round, without a `NOT_CAPTURED` notice.
    Incomplete,
}

impl ResultKind {
    const fn byte(self) -> u8 {
        match self {
            ResultKind::Scored => 0,
            ResultKind::MaxAttempts => 1,
            ResultKind::NotCaptured => 2,
            ResultKind::Incomplete => 3,
        }
    }

    fn from_byte(b: u8) -> Result<Self> {
        match b {
            0 => Ok(ResultKind::Scored),
            1 => Ok(ResultKind::MaxAttempts),
            2 => Ok(ResultKind::NotCaptured),
            3 => Ok(ResultKind::Incomplete),
            _ => Err(Error::InvalidInput),
        }
    }
}

/// A student's stored result (`sw:v1:att:result:<b64url(sessionId)>:<b64url(userId)>`).
///
/// Serialization: `0x01 || kind(1) || count(1) || count x u64be(RT) || certainty(1) ||
/// status(1)` with status 0 = `PRESENTE`, 1 = `AUSENTE`; certainty and status are those of
/// [`score`] for `Scored` and 0 / `AUSENTE` otherwise, and are checked when parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttendanceResult {
    /// How it ended.
    pub kind: ResultKind,
    /// The accepted RTs, in round order.
    pub rts_ms: Vec<u64>,
}

impl AttendanceResult {
    /// Certainty and status: from [`score`] when scored, else 0 and `AUSENTE`.
    pub fn certainty_and_status(&self) -> (u8, Status) {
        match (self.kind, score(&self.rts_ms)) {
            (ResultKind::Scored, Ok(s)) => (s.certainty, s.status),
            _ => (0, Status::Ausente),
        }
    }

    /// The record bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let count = u8::try_from(self.rts_ms.len()).map_err(|_| Error::InvalidInput)?;
        let (certainty, status) = self.certainty_and_status();
        let mut out = Vec::with_capacity(5 + 8 * self.rts_ms.len());
        out.extend_from_slice(&[FORMAT_VERSION, self.kind.byte(), count]);
        for rt in &self.rts_ms {
            out.extend_from_slice(&rt.to_be_bytes());
        }
        out.extend_from_slice(&[certainty, u8::from(status == Status::Ausente)]);
        Ok(out)
    }

    /// Strict parsing of [`Self::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        if r.u8()? != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion);
        }
        let kind = ResultKind::from_byte(r.u8()?)?;
        let count = r.u8()?;
        let rts_ms = (0..count).map(|_| r.u64be()).collect::<Result<Vec<_>>>()?;
        let certainty = r.u8()?;
        let status = r.u8()?;
        r.finish()?;
        let result = Self { kind, rts_ms };
        let (c, s) = result.certainty_and_status();
        if certainty != c || status != u8::from(s == Status::Ausente) {
            return Err(Error::InvalidInput);
        }
        if kind == ResultKind::Scored && result.rts_ms.is_empty() {
            return Err(Error::InvalidInput);
        }
        Ok(result)
    }
}

struct Student {
    keys: SessionKeys,
    rounds: BTreeMap<u32, RoundMetadata>,
    rts_ms: Vec<u64>,
    state: AttendanceState,
    not_captured: bool,
}

/// A frame for the projector screen, and the effects of any re-issue it needed.
#[derive(Debug)]
pub struct ProjectedFrame {
    /// What to show.
    pub frame: Frame,
    /// Sealed `Put`s of re-issued round metadata (empty usually).
    pub effects: Vec<Effect>,
}

/// What a valid response moved the student to.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    /// Round `n` was issued and is now projected.
    NextRound(u32),
    /// All rounds answered.
    Finished(Score),
}

/// The outcome of [`ClassSession::receive`].
#[derive(Debug)]
pub struct Received {
    /// The envelope's `userId` when the JSON parsed.
    pub user_id: Option<String>,
    /// RT of this response and where the student is now, or the code of the failed step.
    pub outcome: Result<(u64, Progress)>,
    /// Effects to apply, in order.
    pub effects: Vec<Effect>,
}

/// One class session with many students.
pub struct ClassSession {
    session_id: String,
    config: Config,
    server_secret: SecretKey32,
    sealer: StoreSealer,
    students: BTreeMap<String, Student>,
    projector: Projector,
}

impl fmt::Debug for ClassSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClassSession")
            .field("session_id", &self.session_id)
            .field("config", &self.config)
            .field("students", &self.students.len())
            .field("live_payloads", &self.projector.len())
            .field("secrets", &"REDACTED")
            .finish()
    }
}

impl ClassSession {
    /// A session (`INVALID_INPUT` for a bad `sessionId` or an unusable [`Config`]).
    pub fn new(
        session_id: &str,
        server_secret: SecretKey32,
        sealer: StoreSealer,
        config: Config,
    ) -> Result<Self> {
        validate_identifier(session_id)?;
        config.check()?;
        Ok(Self {
            session_id: String::from(session_id),
            projector: Projector::new(config.max_displays),
            config,
            server_secret,
            sealer,
            students: BTreeMap::new(),
        })
    }

    /// The `sessionId`.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The projector (read-only: display counts and histories).
    pub fn projector(&self) -> &Projector {
        &self.projector
    }

    fn issue<R: CryptoRng + ?Sized>(
        &mut self,
        user_id: &str,
        round: u32,
        attempts: u8,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<Effect> {
        let student = self.students.get_mut(user_id).ok_or(Error::InvalidState)?;
        let IssuedRound {
            qr_text,
            mut metadata,
            ..
        } = issue_round(
            &student.keys,
            &self.server_secret,
            &self.session_id,
            round,
            now_ms,
            rng,
        )?;
        metadata.attempts = attempts;
        let effect = put_metadata(
            &self.sealer,
            &self.config,
            &self.session_id,
            user_id,
            round,
            &metadata,
            rng,
        )?;
        student.rounds.insert(round, metadata);
        student.state = AttendanceState::InProgress { round };
        self.projector.insert(
            PayloadId {
                user_id: String::from(user_id),
                round,
            },
            qr_text,
        );
        Ok(effect)
    }

    /// Registers a logged-in student and issues round 1 at `now_ms`: `NOT_ENROLLED` without
    /// an enrollment record, `INVALID_STATE` if already registered.
    pub fn register<R: CryptoRng + ?Sized>(
        &mut self,
        enrollment: Option<&EnrollmentRecord>,
        keys: SessionKeys,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<Vec<Effect>> {
        require_enrollment(enrollment)?;
        let user_id = String::from(keys.user_id());
        if self.students.contains_key(&user_id) {
            return Err(Error::InvalidState);
        }
        self.students.insert(
            user_id.clone(),
            Student {
                keys,
                rounds: BTreeMap::new(),
                rts_ms: Vec::new(),
                state: AttendanceState::InProgress { round: 1 },
                not_captured: false,
            },
        );
        Ok(alloc::vec![self.issue(&user_id, 1, 0, now_ms, rng)?])
    }

    /// One projector frame at `now_ms`. A picked payload older than `TTL - rt_max` (105 s by
    /// default) is re-issued first (same round, fresh nonce and `issued_at_ms`, attempts
    /// kept), so a large class still sees every QR and every projected QR can still be
    /// answered within the RT window before its TTL. `None` when nothing is live.
    pub fn frame<R: CryptoRng + ?Sized>(
        &mut self,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<Option<ProjectedFrame>> {
        let Some(id) = self.projector.pick(rng).cloned() else {
            return Ok(None);
        };
        let mut effects = Vec::new();
        // Re-issue when an answer within the RT window could arrive after the TTL.
        let fresh_for = self
            .config
            .payload_ttl_ms
            .saturating_sub(self.config.rt_max_ms);
        let stale = self
            .students
            .get(&id.user_id)
            .and_then(|s| s.rounds.get(&id.round))
            .map(|m| {
                (
                    now_ms.saturating_sub(m.issued_at_ms) > fresh_for,
                    m.attempts,
                )
            });
        if let Some((true, attempts)) = stale {
            effects.push(self.issue(&id.user_id, id.round, attempts, now_ms, rng)?);
        }
        let Some(frame) = self.projector.show(&id, now_ms) else {
            return Ok(None);
        };
        if let Some(nc) = &frame.not_captured
            && let Some(s) = self.students.get_mut(&nc.user_id)
        {
            s.not_captured = true;
        }
        Ok(Some(ProjectedFrame { frame, effects }))
    }

    /// Validates a response JSON received at server time `received_at_ms` (spec §5 steps 1
    /// to 7), then issues the next round or scores the student. Malformed JSON is
    /// `INVALID_INPUT`; an envelope for another `sessionId` or an unregistered student is
    /// `SESSION_INVALID`.
    pub fn receive<R: CryptoRng + ?Sized>(
        &mut self,
        response_json: &str,
        received_at_ms: u64,
        rng: &mut R,
    ) -> Received {
        let envelope = match ResponseEnvelope::from_json(response_json) {
            Ok(e) => e,
            Err(e) => {
                return Received {
                    user_id: None,
                    outcome: Err(e),
                    effects: Vec::new(),
                };
            }
        };
        let mut effects = Vec::new();
        let outcome = self.receive_envelope(&envelope, received_at_ms, &mut effects, rng);
        Received {
            user_id: Some(envelope.user_id),
            outcome,
            effects,
        }
    }

    fn receive_envelope<R: CryptoRng + ?Sized>(
        &mut self,
        envelope: &ResponseEnvelope,
        received_at_ms: u64,
        effects: &mut Vec<Effect>,
        rng: &mut R,
    ) -> Result<(u64, Progress)> {
        if envelope.session_id != self.session_id {
            return Err(Error::SessionInvalid);
        }
        let student = self.students.get(&envelope.user_id);
        let opened = open_response(student.map(|s| &s.keys), envelope, received_at_ms)?;
        let round = opened.round();
        let id = PayloadId {
            user_id: envelope.user_id.clone(),
            round,
        };
        let verdict = opened.check(
            &self.server_secret,
            student.and_then(|s| s.rounds.get(&round)),
            self.projector.shown_at(&id),
            &self.config,
        );
        let user_id = envelope.user_id.as_str();
        match verdict.metadata {
            MetadataUpdate::Keep => {}
            MetadataUpdate::Put(meta) => {
                effects.push(put_metadata(
                    &self.sealer,
                    &self.config,
                    &self.session_id,
                    user_id,
                    round,
                    &meta,
                    rng,
                )?);
                if let Some(s) = self.students.get_mut(user_id) {
                    s.rounds.insert(round, meta);
                }
            }
            MetadataUpdate::Delete => {
                effects.push(Effect::delete(round_store_key(
                    &self.session_id,
                    user_id,
                    round,
                )?));
                self.projector.remove(&id);
                let rts_ms = match self.students.get_mut(user_id) {
                    Some(s) => {
                        s.rounds.remove(&round);
                        s.state = AttendanceState::Failed(Error::MaxAttempts);
                        s.rts_ms.clone()
                    }
                    None => Vec::new(),
                };
                let result = AttendanceResult {
                    kind: ResultKind::MaxAttempts,
                    rts_ms,
                };
                effects.push(self.put_result(user_id, &result, rng)?);
            }
        }
        let accepted = verdict.result?;
        self.projector.remove(&id);
        let rts_ms = {
            let s = self
                .students
                .get_mut(user_id)
                .ok_or(Error::SessionInvalid)?;
            s.rts_ms.push(accepted.rt_ms);
            s.rts_ms.clone()
        };
        if round < self.config.rounds {
            let next = round.saturating_add(1);
            effects.push(self.issue(user_id, next, 0, received_at_ms, rng)?);
            Ok((accepted.rt_ms, Progress::NextRound(next)))
        } else {
            let scored = score(&rts_ms)?;
            if let Some(s) = self.students.get_mut(user_id) {
                s.state = AttendanceState::Finished(scored);
            }
            let result = AttendanceResult {
                kind: ResultKind::Scored,
                rts_ms,
            };
            effects.push(self.put_result(user_id, &result, rng)?);
            Ok((accepted.rt_ms, Progress::Finished(scored)))
        }
    }

    fn put_result<R: CryptoRng + ?Sized>(
        &self,
        user_id: &str,
        result: &AttendanceResult,
        rng: &mut R,
    ) -> Result<Effect> {
        self.sealer.put(
            result_store_key(&self.session_id, user_id)?,
            &result.to_bytes()?,
            None,
            rng,
        )
    }

    /// Where `user_id` stands (`None` if not registered).
    pub fn state(&self, user_id: &str) -> Option<&AttendanceState> {
        self.students.get(user_id).map(|s| &s.state)
    }

    /// The RTs accepted so far for `user_id`.
    pub fn rts_ms(&self, user_id: &str) -> Option<&[u64]> {
        self.students.get(user_id).map(|s| s.rts_ms.as_slice())
    }

    /// Whether `user_id` got a `NOT_CAPTURED` notice.
    pub fn not_captured(&self, user_id: &str) -> bool {
        self.students.get(user_id).is_some_and(|s| s.not_captured)
    }

    /// Registered students, in order.
    pub fn students(&self) -> impl Iterator<Item = &str> {
        self.students.keys().map(String::as_str)
    }

    /// Ends the session: every student still in progress gets an `AUSENTE` result
    /// (`NotCaptured` if they had the notice, else `Incomplete`), their payloads leave the
    /// projector and their round metadata is deleted. Returns the effects.
    pub fn close<R: CryptoRng + ?Sized>(&mut self, rng: &mut R) -> Result<Vec<Effect>> {
        let mut effects = Vec::new();
        let open: Vec<(String, u32)> = self
            .students
            .iter()
            .filter_map(|(u, s)| match s.state {
                AttendanceState::InProgress { round } => Some((u.clone(), round)),
                _ => None,
            })
            .collect();
        for (user_id, round) in open {
            self.projector.remove(&PayloadId {
                user_id: user_id.clone(),
                round,
            });
            let Some(s) = self.students.get_mut(&user_id) else {
                continue;
            };
            s.rounds.remove(&round);
            s.state = AttendanceState::Closed {
                not_captured: s.not_captured,
            };
            let result = AttendanceResult {
                kind: if s.not_captured {
                    ResultKind::NotCaptured
                } else {
                    ResultKind::Incomplete
                },
                rts_ms: s.rts_ms.clone(),
            };
            effects.push(Effect::delete(round_store_key(
                &self.session_id,
                &user_id,
                round,
            )?));
            effects.push(self.put_result(&user_id, &result, rng)?);
        }
        Ok(effects)
    }
}

fn put_metadata<R: CryptoRng + ?Sized>(
    sealer: &StoreSealer,
    config: &Config,
    session_id: &str,
    user_id: &str,
    round: u32,
    metadata: &RoundMetadata,
    rng: &mut R,
) -> Result<Effect> {
    sealer.put(
        round_store_key(session_id, user_id, round)?,
        metadata.to_bytes().expose(),
        Some(metadata_ttl_seconds(config)),
        rng,
    )
}
