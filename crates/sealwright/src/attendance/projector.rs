//! The projector state machine of spec §5 "Projection", and the class's projector record.
//!
//! Holds the live payloads (one per student and round), picks one uniformly at random per
//! frame from the injected RNG, counts displays, keeps each payload's `shown_at_ms` history
//! (what validation step 5 reads), and emits one `NOT_CAPTURED` notice per payload when it is
//! shown more than `MAX_DISPLAYS` times without a valid response. A payload leaves the
//! projector when its round is answered or deleted ([`Projector::remove`]).
//!
//! A server keeps it sealed under `sw:v1:att:tag(sessionId):projector`
//! ([`projector_store_key`](super::projector_store_key)); only the frame step
//! ([`ClassSession::frame`](super::session::ClassSession::frame)) writes it, validation reads
//! it without a condition.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;

use crate::effect::StoredRecord;
use crate::encoding::{Reader, put_lp, validate_identifier};
use crate::error::{Error, Result};

/// Which QR a payload is: a student's round.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PayloadId {
    /// The student.
    pub user_id: String,
    /// The round.
    pub round: u32,
}

#[derive(Clone, PartialEq, Eq)]
struct Live {
    id: PayloadId,
    qr_text: String,
    issued_at_ms: u64,
    displays: u32,
    shown_at_ms: Vec<u64>,
    notified: bool,
}

impl fmt::Debug for Live {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Live")
            .field("id", &self.id)
            .field("qr_text_len", &self.qr_text.len())
            .field("displays", &self.displays)
            .field("shown_at_ms", &self.shown_at_ms)
            .field("notified", &self.notified)
            .finish()
    }
}

/// One frame: the QR to show now, and a `NOT_CAPTURED` notice if this display crossed
/// `MAX_DISPLAYS` for the first time. `Debug` shows the QR text's length only (it is an
/// encrypted payload).
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    /// The payload shown.
    pub id: PayloadId,
    /// Its QR text.
    pub qr_text: String,
    /// Its display count, this frame included.
    pub displays: u32,
    /// `Some(id)` exactly once per payload: shown more than `MAX_DISPLAYS` times without a
    /// valid response.
    pub not_captured: Option<PayloadId>,
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frame")
            .field("id", &self.id)
            .field("qr_text_len", &self.qr_text.len())
            .field("displays", &self.displays)
            .field("not_captured", &self.not_captured)
            .finish()
    }
}

/// The projector: its live payloads and their display counts and projection times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projector {
    live: Vec<Live>,
    max_displays: u32,
}

/// A uniform index in `0..n` (`n > 0`) by rejection sampling on `u64`s. After 64 rejections
/// (probability below 2^-64 for any `n` a projector holds) it falls back to the modulo.
pub(crate) fn uniform_index<R: CryptoRng + ?Sized>(rng: &mut R, n: usize) -> usize {
    let n64 = n as u64;
    // Accept x <= u64::MAX - r, where r = 2^64 mod n: a multiple of n values.
    let r = (u64::MAX % n64).wrapping_add(1) % n64;
    let limit = u64::MAX - r;
    let mut x = rng.next_u64();
    for _ in 0..64 {
        if x <= limit {
            break;
        }
        x = rng.next_u64();
    }
    // x % n < n, so the cast back is lossless.
    usize::try_from(x % n64).unwrap_or(0)
}

impl Projector {
    /// An empty projector with the given `MAX_DISPLAYS`.
    pub fn new(max_displays: u32) -> Self {
        Self {
            live: Vec::new(),
            max_displays,
        }
    }

    /// Adds a payload issued at `issued_at_ms`, or replaces the QR of a live one when the
    /// round was re-issued (it keeps its display count; its projection history starts again,
    /// since the old QR is gone). The same QR again, or an older one, changes nothing.
    pub fn insert(&mut self, id: PayloadId, qr_text: String, issued_at_ms: u64) {
        if let Some(live) = self.live.iter_mut().find(|l| l.id == id) {
            let newer = issued_at_ms > live.issued_at_ms
                || (issued_at_ms == live.issued_at_ms && live.qr_text != qr_text);
            if newer {
                live.qr_text = qr_text;
                live.issued_at_ms = issued_at_ms;
                live.shown_at_ms.clear();
            }
        } else {
            self.live.push(Live {
                id,
                qr_text,
                issued_at_ms,
                displays: 0,
                shown_at_ms: Vec::new(),
                notified: false,
            });
        }
    }

    /// Removes a payload (answered or deleted); `false` if it was not live.
    pub fn remove(&mut self, id: &PayloadId) -> bool {
        match self.live.iter().position(|l| &l.id == id) {
            Some(i) => {
                self.live.swap_remove(i);
                true
            }
            None => false,
        }
    }

    /// Number of live payloads.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// Whether nothing is live.
    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Whether `id` is live.
    pub fn contains(&self, id: &PayloadId) -> bool {
        self.live.iter().any(|l| &l.id == id)
    }

    /// A uniformly random live payload, or `None` when nothing is live.
    pub fn pick<R: CryptoRng + ?Sized>(&self, rng: &mut R) -> Option<&PayloadId> {
        if self.live.is_empty() {
            return None;
        }
        self.live
            .get(uniform_index(rng, self.live.len()))
            .map(|l| &l.id)
    }

    /// Shows `id` at server time `now_ms`: counts the display, records `shown_at_ms`, and
    /// emits the one-time `NOT_CAPTURED` notice when the count first exceeds `MAX_DISPLAYS`.
    pub fn show(&mut self, id: &PayloadId, now_ms: u64) -> Option<Frame> {
        let max = self.max_displays;
        let live = self.live.iter_mut().find(|l| &l.id == id)?;
        live.displays = live.displays.saturating_add(1);
        live.shown_at_ms.push(now_ms);
        let not_captured = if live.displays > max && !live.notified {
            live.notified = true;
            Some(live.id.clone())
        } else {
            None
        };
        Some(Frame {
            id: live.id.clone(),
            qr_text: live.qr_text.clone(),
            displays: live.displays,
            not_captured,
        })
    }

    /// One frame: [`Self::pick`] then [`Self::show`].
    pub fn next_frame<R: CryptoRng + ?Sized>(&mut self, now_ms: u64, rng: &mut R) -> Option<Frame> {
        let id = self.pick(rng)?.clone();
        self.show(&id, now_ms)
    }

    /// The server times at which `id`'s current QR was shown (empty if never or not live).
    pub fn shown_at(&self, id: &PayloadId) -> &[u64] {
        self.live
            .iter()
            .find(|l| &l.id == id)
            .map_or(&[], |l| l.shown_at_ms.as_slice())
    }

    /// How often `id` was shown.
    pub fn displays(&self, id: &PayloadId) -> Option<u32> {
        self.live.iter().find(|l| &l.id == id).map(|l| l.displays)
    }

    /// When `id`'s current QR was issued.
    pub fn issued_at(&self, id: &PayloadId) -> Option<u64> {
        self.live
            .iter()
            .find(|l| &l.id == id)
            .map(|l| l.issued_at_ms)
    }

    /// Whether `id` had its `NOT_CAPTURED` notice.
    pub fn notified(&self, id: &PayloadId) -> bool {
        self.live.iter().any(|l| &l.id == id && l.notified)
    }

    /// The live payloads, in insertion order.
    pub fn ids(&self) -> impl Iterator<Item = &PayloadId> {
        self.live.iter().map(|l| &l.id)
    }

    /// The payloads issued more than `max_age_ms` before `now_ms` (to re-issue).
    pub fn issued_before(&self, now_ms: u64, max_age_ms: u64) -> Vec<PayloadId> {
        self.live
            .iter()
            .filter(|l| now_ms.saturating_sub(l.issued_at_ms) > max_age_ms)
            .map(|l| l.id.clone())
            .collect()
    }

    /// `MAX_DISPLAYS`.
    pub fn max_displays(&self) -> u32 {
        self.max_displays
    }
}

fn put_u32_len(out: &mut Vec<u8>, n: usize) -> Result<()> {
    out.extend_from_slice(
        &u32::try_from(n)
            .map_err(|_| Error::InvalidInput)?
            .to_be_bytes(),
    );
    Ok(())
}

fn take_len(r: &mut Reader<'_>, item_len: usize) -> Result<usize> {
    let n = usize::try_from(r.u32be()?).map_err(|_| Error::InvalidInput)?;
    // Refuse a count the remaining bytes cannot hold before allocating for it.
    if n.saturating_mul(item_len) > r.remaining() {
        return Err(Error::InvalidInput);
    }
    Ok(n)
}

/// Plaintext `0x01 || u32be(MAX_DISPLAYS) || u32be(count) || count x (lp(userId) ||
/// u32be(round) || u64be(issued_at_ms) || lp(QR text) || u32be(displays) || u8(notified) ||
/// u32be(n) || n x u64be(shown_at_ms))`. Parsing refuses duplicate payloads, bad
/// identifiers, a `notified` byte other than 0 or 1, and a QR text that is not UTF-8.
impl StoredRecord for Projector {
    const VERSION: u8 = 1;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&self.max_displays.to_be_bytes());
        put_u32_len(out, self.live.len())?;
        for l in &self.live {
            put_lp(out, l.id.user_id.as_bytes())?;
            out.extend_from_slice(&l.id.round.to_be_bytes());
            out.extend_from_slice(&l.issued_at_ms.to_be_bytes());
            put_lp(out, l.qr_text.as_bytes())?;
            out.extend_from_slice(&l.displays.to_be_bytes());
            out.push(u8::from(l.notified));
            put_u32_len(out, l.shown_at_ms.len())?;
            for t in &l.shown_at_ms {
                out.extend_from_slice(&t.to_be_bytes());
            }
        }
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        let max_displays = r.u32be()?;
        let count = take_len(r, 2 + 4 + 8 + 2 + 4 + 1 + 4)?;
        let mut live: Vec<Live> = Vec::with_capacity(count);
        for _ in 0..count {
            let user_id = r.lp_str()?;
            validate_identifier(user_id)?;
            let id = PayloadId {
                user_id: String::from(user_id),
                round: r.u32be()?,
            };
            if live.iter().any(|l| l.id == id) {
                return Err(Error::InvalidInput);
            }
            let issued_at_ms = r.u64be()?;
            let qr_text = String::from(r.lp_str()?);
            let displays = r.u32be()?;
            let notified = match r.u8()? {
                0 => false,
                1 => true,
                _ => return Err(Error::InvalidInput),
            };
            let n = take_len(r, 8)?;
            let shown_at_ms = (0..n).map(|_| r.u64be()).collect::<Result<Vec<_>>>()?;
            live.push(Live {
                id,
                qr_text,
                issued_at_ms,
                displays,
                shown_at_ms,
                notified,
            });
        }
        Ok(Self { live, max_displays })
    }
}
