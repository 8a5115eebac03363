//! The server steps of a class session (spec §5 with the step contract of §0.2).
//!
//! The server holds no attendance state: every step loads the records it names, returns a
//! [`Step`] (its output and conditional effects, one transaction) and the caller commits it
//! (with [`run_step`] or its own store adapter). [`ClassSession`] holds configuration only
//! (session id, `SERVER_SECRET`, the [`StoreSealer`], [`Config`]).
//!
//! ```text
//!  step                 loads (student: tag(userId), class: tag(sessionId))   writes
//!  register(userId)     enroll, skey, round 1, result                          round 1 (put_if_absent)
//!  issue(userId, r)     skey, round r (or r - 1), result                       round r (put_if_equal / put_if_absent)
//!  validate(response)   skey, round r, result, projector (no condition)       round r (put_if_equal / delete_if_equal),
//!                                                                              round r + 1 (put_if_absent) or result
//!  frame(inbox)         projector, the picked payload's round (no condition)  projector (put_if_equal)
//!  close_student(u, r)  round r, result                                        round r (delete_if_equal), result
//! ```
//!
//! Every step writes keys of one hash tag: a student's steps only `tag(userId)` keys, the
//! frame step only the projector record `sw:v1:att:tag(sessionId):projector`. New QRs reach
//! the projector through the caller: `register`, `issue` and a successful `validate` output an
//! [`IssuedQr`], which the caller hands to the next `frame` as its inbox (a message, not a
//! store write, so that no step spans two tags). The frame step drops a payload whose round is
//! answered or gone when it picks it, and reports payloads issued more than
//! `TTL - rt_max` ago (105 s by default) as `stale`, for the caller to re-issue (same round,
//! fresh nonce, `issued_at_ms` and TOTPs; attempts and RTs kept) so that every projected QR
//! can be answered within the RT window before its TTL. [`ClassSession::on`] does that
//! plumbing over a [`StepStore`].

use alloc::string::String;
use alloc::vec::Vec;
use rand_core::CryptoRng;

use super::login::{EnrollmentRecord, SessionKeys, require_enrollment};
use super::projector::{Frame, PayloadId, Projector, uniform_index};
use super::round::{ResponseEnvelope, RoundMetadata, issue_round};
use super::score::{Score, Status, score};
use super::validate::{MetadataUpdate, open_response};
use super::{
    Config, enrollment_store_key, metadata_ttl_seconds, projector_store_key, result_store_key,
    round_store_key, session_key_store_key,
};
use crate::effect::{Effect, Step, StepStore, StoreSealer, StoredRecord, run_step};
use crate::encoding::{Reader, validate_identifier};
use crate::error::{Error, Result};
use crate::secret::SecretKey32;

/// How a step reads the store: the live value of a key, if any.
pub type Load<'a> = &'a dyn Fn(&str) -> Option<Vec<u8>>;

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
    /// Closed by [`ClassSession::close_student`] before the last round was answered.
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

/// A student's stored result, `sw:v1:att:tag(userId):result:<hex(sessionId)>`.
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
}

/// Plaintext `0x01 || kind(1) || count(1) || count x u64be(RT) || certainty(1) || status(1)`
/// with status 0 = `PRESENTE`, 1 = `AUSENTE`; certainty and status are those of [`score`] for
/// `Scored` and 0 / `AUSENTE` otherwise, and are checked when parsing.
impl StoredRecord for AttendanceResult {
    const VERSION: u8 = 1;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        let count = u8::try_from(self.rts_ms.len()).map_err(|_| Error::InvalidInput)?;
        let (certainty, status) = self.certainty_and_status();
        out.extend_from_slice(&[self.kind.byte(), count]);
        for rt in &self.rts_ms {
            out.extend_from_slice(&rt.to_be_bytes());
        }
        out.extend_from_slice(&[certainty, u8::from(status == Status::Ausente)]);
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        let kind = ResultKind::from_byte(r.u8()?)?;
        let count = r.u8()?;
        let rts_ms = (0..count).map(|_| r.u64be()).collect::<Result<Vec<_>>>()?;
        let certainty = r.u8()?;
        let status = r.u8()?;
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

/// A QR just issued for a student's round: the caller hands it to the next
/// [`ClassSession::frame`] (the projector's inbox).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedQr {
    /// The student and round.
    pub id: PayloadId,
    /// The QR text to project.
    pub qr_text: String,
    /// Server time of issue.
    pub issued_at_ms: u64,
}

/// What a valid response moved the student to.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    /// Round `r + 1` was issued: project it (hand it to the next frame).
    NextRound(IssuedQr),
    /// All rounds answered and scored (the result is stored).
    Finished(Score),
}

/// An accepted response (spec §5 validation step 7).
#[derive(Clone, Debug, PartialEq)]
pub struct Answered {
    /// The round answered.
    pub round: u32,
    /// `RT = received_at_ms - shown_at_ms` (server clock).
    pub rt_ms: u64,
    /// Where the student is now.
    pub progress: Progress,
}

/// The output of [`ClassSession::validate`]: the verdict for the envelope's student. A failure
/// that counted an attempt (or deleted the round at `MAX_ATTEMPTS`) comes with effects too.
#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    /// The envelope's `userId`.
    pub user_id: String,
    /// The accepted answer, or the code of the first failing check (or `MAX_ATTEMPTS`).
    pub result: Result<Answered>,
}

/// The output of [`ClassSession::frame`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Projection {
    /// What to show now (`None`: no fresh live payload).
    pub frame: Option<Frame>,
    /// Payloads dropped because their round was answered, deleted or expired.
    pub removed: Vec<PayloadId>,
    /// Payloads issued more than `TTL - rt_max` ago: not shown; re-issue them
    /// ([`ClassSession::issue`]) and hand the new QRs to a next frame.
    pub stale: Vec<PayloadId>,
}

/// One class session's configuration and its server steps (spec §5). Holds no attendance
/// state: see the [module documentation](self).
pub struct ClassSession {
    session_id: String,
    config: Config,
    server_secret: SecretKey32,
    sealer: StoreSealer,
}

impl core::fmt::Debug for ClassSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClassSession")
            .field("session_id", &self.session_id)
            .field("config", &self.config)
            .field("secrets", &"REDACTED")
            .finish()
    }
}

/// What a (re-)issued round inherits.
struct RoundBase {
    attempts: u8,
    rts_ms: Vec<u64>,
}

enum RoundState {
    /// Unanswered, with its metadata.
    Open(RoundMetadata),
    /// Answered, deleted or expired.
    Closed,
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
            config,
            server_secret,
            sealer,
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

    /// The store sealer.
    pub fn sealer(&self) -> &StoreSealer {
        &self.sealer
    }

    /// The steps run against `store` (load, step, commit; reruns on a failed condition).
    pub fn on<'a, S: StepStore + ?Sized>(&'a self, store: &'a S) -> OnStore<'a, S> {
        OnStore { class: self, store }
    }

    fn open_loaded<T: StoredRecord>(&self, key: &str, loaded: Option<&[u8]>) -> Result<Option<T>> {
        loaded.map(|v| T::open(&self.sealer, key, v)).transpose()
    }

    fn load_keys(&self, user_id: &str, load: Load<'_>) -> Result<Option<SessionKeys>> {
        load(&session_key_store_key(user_id))
            .map(|v| SessionKeys::open_stored(&self.sealer, user_id, &v))
            .transpose()
    }

    /// The projector record as stored (an empty projector when absent).
    pub fn load_projector(&self, load: Load<'_>) -> Result<(Projector, Option<Vec<u8>>)> {
        let key = projector_store_key(&self.session_id);
        let loaded = load(&key);
        let projector = match &loaded {
            Some(v) => Projector::open(&self.sealer, &key, v)?,
            None => Projector::new(self.config.max_displays),
        };
        Ok((projector, loaded))
    }

    fn round_state(&self, id: &PayloadId, load: Load<'_>) -> Result<RoundState> {
        let key = round_store_key(&self.session_id, &id.user_id, id.round);
        Ok(
            match self.open_loaded::<RoundMetadata>(&key, load(&key).as_deref())? {
                Some(m) if !m.used => RoundState::Open(m),
                _ => RoundState::Closed,
            },
        )
    }

    /// Issues round `round` on top of `base` (attempts and RTs kept), as a conditional write
    /// to the loaded value `expected` (`None`: `put_if_absent`).
    fn issue_effect<R: CryptoRng + ?Sized>(
        &self,
        keys: &SessionKeys,
        round: u32,
        base: Option<&RoundBase>,
        expected: Option<&[u8]>,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<(IssuedQr, Effect)> {
        let issued = issue_round(
            keys,
            &self.server_secret,
            &self.session_id,
            round,
            now_ms,
            rng,
        )?;
        let mut metadata = issued.metadata;
        if let Some(b) = base {
            metadata.attempts = b.attempts;
            metadata.rts_ms.clone_from(&b.rts_ms);
        }
        let key = round_store_key(&self.session_id, keys.user_id(), round);
        let effect = metadata.put_if_equal(
            &self.sealer,
            key,
            expected,
            Some(metadata_ttl_seconds(&self.config)),
            rng,
        )?;
        let qr = IssuedQr {
            id: PayloadId {
                user_id: String::from(keys.user_id()),
                round,
            },
            qr_text: issued.qr_text,
            issued_at_ms: now_ms,
        };
        Ok((qr, effect))
    }

    /// The register step (spec §5, Enrollment): loads `enroll` (`NOT_ENROLLED` without one or
    /// with another user's), `skey` (`SESSION_INVALID` without a login), then issues round 1
    /// (`put_if_absent`; `INVALID_STATE` if round 1 or a result already exists).
    pub fn register<R: CryptoRng + ?Sized>(
        &self,
        user_id: &str,
        load: Load<'_>,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<Step<IssuedQr>> {
        validate_identifier(user_id)?;
        let enroll_key = enrollment_store_key(user_id);
        let enrollment =
            self.open_loaded::<EnrollmentRecord>(&enroll_key, load(&enroll_key).as_deref())?;
        require_enrollment(enrollment.as_ref(), user_id)?;
        let keys = self
            .load_keys(user_id, load)?
            .ok_or(Error::SessionInvalid)?;
        if load(&round_store_key(&self.session_id, user_id, 1)).is_some()
            || load(&result_store_key(&self.session_id, user_id)).is_some()
        {
            return Err(Error::InvalidState);
        }
        let (qr, effect) = self.issue_effect(&keys, 1, None, None, now_ms, rng)?;
        Ok(Step::new(qr, alloc::vec![effect]))
    }

    /// The issue step: issues round `round` (1 to N) for `user_id` at `now_ms` (spec §5,
    /// "Issuing"): fresh `nonce`, `issued_at_ms` and TOTPs. A round already issued and not
    /// answered is re-issued (attempts and RTs kept; `put_if_equal` to the loaded record);
    /// an absent round r >= 2 is issued (`put_if_absent`) when round r - 1 is answered and
    /// round r + 1 absent. `SESSION_INVALID` without a session key; `INVALID_STATE` for an
    /// answered round, an absent round 1 (registration creates it), an absent round that
    /// does not follow an answered one, or a student with a result; `INVALID_INPUT` for a
    /// round outside 1 to N.
    pub fn issue<R: CryptoRng + ?Sized>(
        &self,
        user_id: &str,
        round: u32,
        load: Load<'_>,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<Step<IssuedQr>> {
        validate_identifier(user_id)?;
        if !(1..=self.config.rounds).contains(&round) {
            return Err(Error::InvalidInput);
        }
        let keys = self
            .load_keys(user_id, load)?
            .ok_or(Error::SessionInvalid)?;
        if load(&result_store_key(&self.session_id, user_id)).is_some() {
            return Err(Error::InvalidState);
        }
        let key = round_store_key(&self.session_id, user_id, round);
        let loaded = load(&key);
        let (qr, effect) = match self.open_loaded::<RoundMetadata>(&key, loaded.as_deref())? {
            Some(m) if m.used => return Err(Error::InvalidState),
            Some(m) => {
                let base = RoundBase {
                    attempts: m.attempts,
                    rts_ms: m.rts_ms,
                };
                self.issue_effect(&keys, round, Some(&base), loaded.as_deref(), now_ms, rng)?
            }
            // Round 1 is created by registration only; a later round only right after the
            // previous one was answered (before the next exists), never again after expiry.
            None => {
                let prev = round.saturating_sub(1);
                let next_exists = round < self.config.rounds
                    && load(&round_store_key(
                        &self.session_id,
                        user_id,
                        round.saturating_add(1),
                    ))
                    .is_some();
                match self.round_state_any(user_id, prev, load)? {
                    Some(p) if round > 1 && p.used && !next_exists => {
                        let base = RoundBase {
                            attempts: 0,
                            rts_ms: p.rts_ms,
                        };
                        self.issue_effect(&keys, round, Some(&base), None, now_ms, rng)?
                    }
                    _ => return Err(Error::InvalidState),
                }
            }
        };
        Ok(Step::new(qr, alloc::vec![effect]))
    }

    fn round_state_any(
        &self,
        user_id: &str,
        round: u32,
        load: Load<'_>,
    ) -> Result<Option<RoundMetadata>> {
        let key = round_store_key(&self.session_id, user_id, round);
        self.open_loaded(&key, load(&key).as_deref())
    }

    /// The validate step (spec §5, validation steps 1 to 7 in order) for a response received
    /// at `received_at_ms`. Loads the session key, the round's metadata and result (the
    /// student's `tag(userId)`), and the projector record without a condition (the times this
    /// QR was shown). Every write of the round's metadata is `put_if_equal` or
    /// `delete_if_equal` to the record loaded, so concurrent responses for one round are
    /// validated one after the other and no attempt is lost. On success the round is marked
    /// used with its RT, and round r + 1 is issued (`put_if_absent`) or the result stored.
    ///
    /// The verdict is the output ([`Validation::result`]), with the effects of a counted
    /// attempt where there are some; the step's own `Err` is a store fault only (a stored
    /// record that does not open). An envelope for another `sessionId` is `SESSION_INVALID`.
    pub fn validate<R: CryptoRng + ?Sized>(
        &self,
        envelope: &ResponseEnvelope,
        load: Load<'_>,
        received_at_ms: u64,
        rng: &mut R,
    ) -> Result<Step<Validation>> {
        let user_id = envelope.user_id.as_str();
        let verdict = |result: Result<Answered>, effects: Vec<Effect>| {
            Step::new(
                Validation {
                    user_id: String::from(user_id),
                    result,
                },
                effects,
            )
        };
        if envelope.session_id != self.session_id {
            return Ok(verdict(Err(Error::SessionInvalid), Vec::new()));
        }
        // Steps 1 and 2.
        let keys = self.load_keys(user_id, load)?;
        let opened = match open_response(keys.as_ref(), envelope, received_at_ms) {
            Ok(o) => o,
            Err(e) => return Ok(verdict(Err(e), Vec::new())),
        };
        let keys = keys.ok_or(Error::SessionInvalid)?;
        // Steps 3 to 7 over the loaded records.
        let round = opened.round();
        let round_key = round_store_key(&self.session_id, user_id, round);
        let loaded = load(&round_key);
        let meta = self.open_loaded::<RoundMetadata>(&round_key, loaded.as_deref())?;
        let (projector, _) = self.load_projector(load)?;
        let id = PayloadId {
            user_id: String::from(user_id),
            round,
        };
        let shown: &[u64] = match &meta {
            Some(m) if projector.issued_at(&id) == Some(m.issued_at_ms) => projector.shown_at(&id),
            _ => &[],
        };
        let checked = opened.check(&self.server_secret, meta.as_ref(), shown, &self.config);
        let result_key = result_store_key(&self.session_id, user_id);
        let mut effects = Vec::new();
        let mut used_rts = None;
        match (checked.metadata, loaded) {
            (MetadataUpdate::Keep, _) => {}
            (MetadataUpdate::Put(m), loaded) => {
                if m.used {
                    used_rts = Some(m.rts_ms.clone());
                }
                effects.push(m.put_if_equal(
                    &self.sealer,
                    round_key,
                    loaded.as_deref(),
                    Some(metadata_ttl_seconds(&self.config)),
                    rng,
                )?);
            }
            (MetadataUpdate::Delete, Some(loaded)) => {
                effects.push(Effect::delete_if_equal(round_key, loaded));
                let result = AttendanceResult {
                    kind: ResultKind::MaxAttempts,
                    rts_ms: meta.map(|m| m.rts_ms).unwrap_or_default(),
                };
                effects.push(self.put_result(&result_key, &result, load, rng)?);
            }
            // A deletion needs the loaded record: check() never asks for it without one.
            (MetadataUpdate::Delete, None) => return Err(Error::InvalidState),
        }
        let accepted = match checked.result {
            Ok(a) => a,
            Err(e) => return Ok(verdict(Err(e), effects)),
        };
        // Step 7: the used metadata holds every RT so far, this one last.
        let rts_ms = used_rts.ok_or(Error::InvalidState)?;
        let progress = if round < self.config.rounds {
            let (qr, effect) = self.issue_effect(
                &keys,
                round.saturating_add(1),
                Some(&RoundBase {
                    attempts: 0,
                    rts_ms,
                }),
                None,
                received_at_ms,
                rng,
            )?;
            effects.push(effect);
            Progress::NextRound(qr)
        } else {
            let scored = score(&rts_ms)?;
            let result = AttendanceResult {
                kind: ResultKind::Scored,
                rts_ms,
            };
            effects.push(self.put_result(&result_key, &result, load, rng)?);
            Progress::Finished(scored)
        };
        Ok(verdict(
            Ok(Answered {
                round,
                rt_ms: accepted.rt_ms,
                progress,
            }),
            effects,
        ))
    }

    fn put_result<R: CryptoRng + ?Sized>(
        &self,
        key: &str,
        result: &AttendanceResult,
        load: Load<'_>,
        rng: &mut R,
    ) -> Result<Effect> {
        let loaded = load(key);
        result.put_if_equal(
            &self.sealer,
            String::from(key),
            loaded.as_deref(),
            None,
            rng,
        )
    }

    /// The frame step (spec §5, "Projection") at `now_ms`: loads the projector record, adds the
    /// `inbox` QRs (new rounds and re-issues; a newer QR of a payload replaces the older one,
    /// display count kept), and picks uniformly at random among the payloads issued at most
    /// `TTL - rt_max` ago. It loads the picked payload's round metadata without a condition: a
    /// round answered, deleted or expired leaves the projector and another is picked; a round
    /// re-issued whose new QR is not in the inbox yet is skipped. The shown payload's display
    /// is counted and `shown_at_ms` recorded; past `MAX_DISPLAYS` it carries the one-time
    /// `NOT_CAPTURED` notice. The only effect is the `put_if_equal` of the projector record
    /// (TTL [`Config::session_key_ttl_seconds`]) when it changed: only this step writes it.
    pub fn frame<R: CryptoRng + ?Sized>(
        &self,
        inbox: &[IssuedQr],
        load: Load<'_>,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<Step<Projection>> {
        let (mut projector, loaded) = self.load_projector(load)?;
        let before = projector.clone();
        for qr in inbox {
            projector.insert(qr.id.clone(), qr.qr_text.clone(), qr.issued_at_ms);
        }
        let fresh_for = self
            .config
            .payload_ttl_ms
            .saturating_sub(self.config.rt_max_ms);
        let mut stale = Vec::new();
        let mut removed = Vec::new();
        // Stale payloads are not shown: an answered or gone one leaves, an open one is reported.
        for id in projector.issued_before(now_ms, fresh_for) {
            match self.round_state(&id, load)? {
                RoundState::Open(_) => stale.push(id),
                RoundState::Closed => {
                    projector.remove(&id);
                    removed.push(id);
                }
            }
        }
        let mut skip = stale.clone();
        let frame = loop {
            let candidates: Vec<&PayloadId> =
                projector.ids().filter(|id| !skip.contains(id)).collect();
            if candidates.is_empty() {
                break None;
            }
            let Some(id) = candidates
                .get(uniform_index(rng, candidates.len()))
                .map(|id| (*id).clone())
            else {
                break None;
            };
            match self.round_state(&id, load)? {
                RoundState::Open(m) if projector.issued_at(&id) == Some(m.issued_at_ms) => {
                    break projector.show(&id, now_ms);
                }
                RoundState::Open(_) => skip.push(id),
                RoundState::Closed => {
                    projector.remove(&id);
                    removed.push(id);
                }
            }
        };
        let effects = if projector == before {
            Vec::new()
        } else {
            alloc::vec![projector.put_if_equal(
                &self.sealer,
                projector_store_key(&self.session_id),
                loaded.as_deref(),
                Some(self.config.session_key_ttl_seconds),
                rng,
            )?]
        };
        Ok(Step::new(
            Projection {
                frame,
                removed,
                stale,
            },
            effects,
        ))
    }

    /// The close step for one student whose round `round` is still open when the class ends:
    /// deletes the round (`delete_if_equal`) and stores an `AUSENTE` result, `NotCaptured`
    /// when `not_captured` (the projector's notice) else `Incomplete`. `None` (no effect) when
    /// the round is answered or gone.
    pub fn close_student<R: CryptoRng + ?Sized>(
        &self,
        user_id: &str,
        round: u32,
        not_captured: bool,
        load: Load<'_>,
        rng: &mut R,
    ) -> Result<Step<Option<AttendanceResult>>> {
        let key = round_store_key(&self.session_id, user_id, round);
        let Some(loaded) = load(&key) else {
            return Ok(Step::pure(None));
        };
        let meta = RoundMetadata::open(&self.sealer, &key, &loaded)?;
        if meta.used {
            return Ok(Step::pure(None));
        }
        let result = AttendanceResult {
            kind: if not_captured {
                ResultKind::NotCaptured
            } else {
                ResultKind::Incomplete
            },
            rts_ms: meta.rts_ms,
        };
        let effects = alloc::vec![
            Effect::delete_if_equal(key, loaded),
            self.put_result(
                &result_store_key(&self.session_id, user_id),
                &result,
                load,
                rng
            )?,
        ];
        Ok(Step::new(Some(result), effects))
    }

    /// Where `user_id` stands, read from the store (no effects): the result when there is
    /// one, else the highest round issued (`None`: not registered, or everything expired).
    pub fn state(&self, user_id: &str, load: Load<'_>) -> Result<Option<AttendanceState>> {
        let key = result_store_key(&self.session_id, user_id);
        if let Some(result) = self.open_loaded::<AttendanceResult>(&key, load(&key).as_deref())? {
            return Ok(Some(match result.kind {
                ResultKind::Scored => AttendanceState::Finished(score(&result.rts_ms)?),
                ResultKind::MaxAttempts => AttendanceState::Failed(Error::MaxAttempts),
                ResultKind::NotCaptured => AttendanceState::Closed { not_captured: true },
                ResultKind::Incomplete => AttendanceState::Closed {
                    not_captured: false,
                },
            }));
        }
        for round in (1..=self.config.rounds).rev() {
            if self.round_state_any(user_id, round, load)?.is_some() {
                return Ok(Some(AttendanceState::InProgress { round }));
            }
        }
        Ok(None)
    }

    /// A student's stored result, if any.
    pub fn result(&self, user_id: &str, load: Load<'_>) -> Result<Option<AttendanceResult>> {
        let key = result_store_key(&self.session_id, user_id);
        self.open_loaded(&key, load(&key).as_deref())
    }
}

/// A [`ClassSession`]'s steps run against a [`StepStore`] through [`run_step`] (load, step,
/// commit; rerun at most three times on a failed condition, then `CONFLICT`). Thin: it holds
/// nothing but the two references.
#[derive(Debug)]
pub struct OnStore<'a, S: ?Sized> {
    class: &'a ClassSession,
    store: &'a S,
}

impl<S: StepStore + ?Sized> OnStore<'_, S> {
    /// [`ClassSession::register`], committed.
    pub fn register<R: CryptoRng + ?Sized>(
        &self,
        user_id: &str,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<IssuedQr> {
        run_step(self.store, now_ms, |load| {
            self.class.register(user_id, load, now_ms, rng)
        })
    }

    /// [`ClassSession::issue`], committed.
    pub fn issue<R: CryptoRng + ?Sized>(
        &self,
        user_id: &str,
        round: u32,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<IssuedQr> {
        run_step(self.store, now_ms, |load| {
            self.class.issue(user_id, round, load, now_ms, rng)
        })
    }

    /// One projector frame: re-issues the payloads that are stale at `now_ms` (each its own
    /// issue step; a round that cannot be re-issued is left for the frame step to drop), then
    /// runs [`ClassSession::frame`] with `inbox` and the re-issued QRs.
    pub fn frame<R: CryptoRng + ?Sized>(
        &self,
        inbox: &[IssuedQr],
        now_ms: u64,
        rng: &mut R,
    ) -> Result<Projection> {
        let load = |key: &str| self.store.load(key, now_ms);
        let (projector, _) = self.class.load_projector(&load)?;
        let mut inbox = inbox.to_vec();
        let fresh_for = self
            .class
            .config
            .payload_ttl_ms
            .saturating_sub(self.class.config.rt_max_ms);
        for id in projector.issued_before(now_ms, fresh_for) {
            match self.issue(&id.user_id, id.round, now_ms, rng) {
                Ok(qr) => inbox.push(qr),
                Err(Error::InvalidState | Error::SessionInvalid | Error::InvalidInput) => {}
                Err(e) => return Err(e),
            }
        }
        run_step(self.store, now_ms, |load| {
            self.class.frame(&inbox, load, now_ms, rng)
        })
    }

    /// Parses a response JSON and runs [`ClassSession::validate`], committed: the answer, or
    /// the verdict's code (`INVALID_INPUT` for malformed JSON, `CONFLICT` after three lost
    /// races).
    pub fn receive<R: CryptoRng + ?Sized>(
        &self,
        response_json: &str,
        received_at_ms: u64,
        rng: &mut R,
    ) -> Result<Answered> {
        let envelope = ResponseEnvelope::from_json(response_json)?;
        run_step(self.store, received_at_ms, |load| {
            self.class.validate(&envelope, load, received_at_ms, rng)
        })?
        .result
    }

    /// Closes every payload still on the projector ([`ClassSession::close_student`]) and
    /// returns the results stored.
    pub fn close<R: CryptoRng + ?Sized>(
        &self,
        now_ms: u64,
        rng: &mut R,
    ) -> Result<Vec<(PayloadId, AttendanceResult)>> {
        let load = |key: &str| self.store.load(key, now_ms);
        let (projector, _) = self.class.load_projector(&load)?;
        let mut out = Vec::new();
        for id in projector.ids() {
            let notified = projector.notified(id);
            let closed = run_step(self.store, now_ms, |load| {
                self.class
                    .close_student(&id.user_id, id.round, notified, load, rng)
            })?;
            if let Some(result) = closed {
                out.push((id.clone(), result));
            }
        }
        Ok(out)
    }

    /// [`ClassSession::state`] at `now_ms`.
    pub fn state(&self, user_id: &str, now_ms: u64) -> Result<Option<AttendanceState>> {
        self.class
            .state(user_id, &|key: &str| self.store.load(key, now_ms))
    }

    /// The projector record at `now_ms`.
    pub fn projector(&self, now_ms: u64) -> Result<Projector> {
        Ok(self
            .class
            .load_projector(&|key: &str| self.store.load(key, now_ms))?
            .0)
    }
}
