//! One round (spec §5): round secret, stored metadata, QR payload and text, the student's
//! QR trial and response.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};

use super::base45;
use super::login::SessionKeys;
use super::totp::{DIGITS, Totp, TotpCode};
use super::{FORMAT_VERSION, QR_PREFIX};
use crate::crypto::{hmac_sha256, open, sealed};
use crate::effect::StoredRecord;
use crate::encoding::{Reader, b64_decode, b64_encode, concat_lp, put_lp, validate_identifier};
use crate::error::{Error, Result};
use crate::secret::{SecretBytes, SecretKey32, SecretVec};

/// Length of a round `nonce`, in bytes.
pub const NONCE_LEN: usize = 16;
/// AAD of a QR payload.
pub const QR_AAD: &[u8] = b"sealwright/v1/attendance/qr";
/// Prefix of a response AAD (followed by `lp(userId)`).
pub const RESPONSE_AAD_PREFIX: &[u8] = b"sealwright/v1/attendance/response";

/// A round `nonce` (secret: only the server and the student's `K_qr` see it).
pub type RoundNonce = SecretBytes<NONCE_LEN>;

/// `secret_s = HMAC-SHA256(SERVER_SECRET, "sealwright/v1/attendance/totp-s" || lp(sessionId)
/// || lp(userId) || u32be(round))`.
pub fn round_secret(
    server_secret: &SecretKey32,
    session_id: &str,
    user_id: &str,
    round: u32,
) -> Result<SecretKey32> {
    let mut data = concat_lp(
        b"sealwright/v1/attendance/totp-s",
        &[session_id.as_bytes(), user_id.as_bytes()],
    )?;
    data.extend_from_slice(&round.to_be_bytes());
    hmac_sha256(server_secret.expose(), &data)
}

/// `TOTPs = TOTP(secret_s, issued_at_ms)`.
pub fn totp_s(secret_s: &SecretKey32, issued_at_ms: u64) -> TotpCode {
    Totp::new(secret_s).generate(issued_at_ms)
}

/// The stored metadata of one issued round (spec §5): `{issued_at_ms, nonce, attempts,
/// used}`, plus the RTs accepted in this student's earlier rounds and, once used, this one
/// ("record RT"), so the last round can score without any other record.
#[derive(Clone, PartialEq, Eq)]
pub struct RoundMetadata {
    /// Server time of issue (Unix ms).
    pub issued_at_ms: u64,
    /// The round nonce.
    pub nonce: RoundNonce,
    /// Failed validations so far.
    pub attempts: u8,
    /// Whether a response was accepted (anti-replay).
    pub used: bool,
    /// Accepted RTs in round order: earlier rounds, then this one's once `used`.
    pub rts_ms: Vec<u64>,
}

impl fmt::Debug for RoundMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoundMetadata")
            .field("issued_at_ms", &self.issued_at_ms)
            .field("nonce", &"REDACTED")
            .field("attempts", &self.attempts)
            .field("used", &self.used)
            .field("rts_ms", &self.rts_ms)
            .finish()
    }
}

/// Length of an encoded [`RoundMetadata`] without RTs.
pub const METADATA_LEN: usize = 1 + 8 + NONCE_LEN + 1 + 1 + 1;

impl RoundMetadata {
    /// Fresh metadata: no attempt, not used, no RT.
    pub fn new(issued_at_ms: u64, nonce: RoundNonce) -> Self {
        Self {
            issued_at_ms,
            nonce,
            attempts: 0,
            used: false,
            rts_ms: Vec::new(),
        }
    }
}

/// Plaintext `0x02 || u64be(issued_at_ms) || nonce(16) || u8(attempts) || u8(used) ||
/// u8(count) || count x u64be(RT)`; a `used` byte other than 0 or 1 is `INVALID_INPUT`.
impl StoredRecord for RoundMetadata {
    const VERSION: u8 = 2;

    fn encode_body(&self, v: &mut Vec<u8>) -> Result<()> {
        let count = u8::try_from(self.rts_ms.len()).map_err(|_| Error::InvalidInput)?;
        v.extend_from_slice(&self.issued_at_ms.to_be_bytes());
        v.extend_from_slice(self.nonce.expose());
        v.push(self.attempts);
        v.push(u8::from(self.used));
        v.push(count);
        for rt in &self.rts_ms {
            v.extend_from_slice(&rt.to_be_bytes());
        }
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        let issued_at_ms = r.u64be()?;
        let nonce = RoundNonce::from_slice(r.take(NONCE_LEN)?)?;
        let attempts = r.u8()?;
        let used = match r.u8()? {
            0 => false,
            1 => true,
            _ => return Err(Error::InvalidInput),
        };
        let count = r.u8()?;
        let rts_ms = (0..count).map(|_| r.u64be()).collect::<Result<Vec<_>>>()?;
        Ok(Self {
            issued_at_ms,
            nonce,
            attempts,
            used,
            rts_ms,
        })
    }
}

/// The QR payload plaintext: `0x01 || lp(sessionId) || lp(userId) || u32be(r) ||
/// u64be(issued_at_ms) || nonce(16) || TOTPs (6 ASCII digits)`.
#[derive(Clone, PartialEq, Eq)]
pub struct QrPayload {
    /// Class session.
    pub session_id: String,
    /// Student the payload is for.
    pub user_id: String,
    /// Round number (1 to N).
    pub round: u32,
    /// Server time of issue.
    pub issued_at_ms: u64,
    /// Round nonce.
    pub nonce: RoundNonce,
    /// `TOTPs`.
    pub totp_s: TotpCode,
}

impl fmt::Debug for QrPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QrPayload")
            .field("session_id", &self.session_id)
            .field("user_id", &self.user_id)
            .field("round", &self.round)
            .field("issued_at_ms", &self.issued_at_ms)
            .field("nonce", &"REDACTED")
            .field("totp_s", &"REDACTED")
            .finish()
    }
}

fn take_code(r: &mut Reader<'_>) -> Result<TotpCode> {
    TotpCode::from_ascii(r.take(usize::from(DIGITS))?)
}

impl QrPayload {
    /// The plaintext bytes.
    pub fn to_bytes(&self) -> Result<SecretVec> {
        let mut out = SecretVec::new(Vec::with_capacity(
            1 + 4 + self.session_id.len() + self.user_id.len() + 4 + 8 + NONCE_LEN + 6,
        ));
        let v = out.expose_mut();
        v.push(FORMAT_VERSION);
        put_lp(v, self.session_id.as_bytes())?;
        put_lp(v, self.user_id.as_bytes())?;
        v.extend_from_slice(&self.round.to_be_bytes());
        v.extend_from_slice(&self.issued_at_ms.to_be_bytes());
        v.extend_from_slice(self.nonce.expose());
        v.extend_from_slice(self.totp_s.as_bytes());
        Ok(out)
    }

    /// Strict parsing (`UNSUPPORTED_VERSION`, else `INVALID_INPUT` on any defect, including
    /// identifiers that break spec §0 and a TOTPs that is not 6 ASCII digits).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        if r.u8()? != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion);
        }
        let session_id = r.lp_str()?;
        let user_id = r.lp_str()?;
        validate_identifier(session_id)?;
        validate_identifier(user_id)?;
        let round = r.u32be()?;
        let issued_at_ms = r.u64be()?;
        let nonce = RoundNonce::from_slice(r.take(NONCE_LEN)?)?;
        let totp_s = take_code(&mut r)?;
        r.finish()?;
        Ok(Self {
            session_id: String::from(session_id),
            user_id: String::from(user_id),
            round,
            issued_at_ms,
            nonce,
            totp_s,
        })
    }

    /// `"SW1:" || base45(sealed(K_qr, plaintext, "sealwright/v1/attendance/qr"))`.
    pub fn seal<R: CryptoRng + ?Sized>(&self, qr_key: &SecretKey32, rng: &mut R) -> Result<String> {
        let boxed = sealed(qr_key.expose(), self.to_bytes()?.expose(), QR_AAD, rng)?;
        let mut text = String::with_capacity(QR_PREFIX.len() + boxed.len() * 3 / 2 + 2);
        text.push_str(QR_PREFIX);
        text.push_str(&base45::encode(&boxed));
        Ok(text)
    }

    /// Opens a QR text with a student's `K_qr`: `INVALID_INPUT` without the `SW1:` prefix or
    /// with non-canonical base45, `DECRYPTION_FAILED` when it does not open (another
    /// student's QR), then [`Self::from_bytes`].
    pub fn open(qr_key: &SecretKey32, text: &str) -> Result<Self> {
        let body = text.strip_prefix(QR_PREFIX).ok_or(Error::InvalidInput)?;
        let boxed = base45::decode(body)?;
        let plain = open(qr_key.expose(), &boxed, QR_AAD)?;
        Self::from_bytes(plain.expose())
    }
}

/// A round the server just issued. `Debug` shows the QR text's length only.
pub struct IssuedRound {
    /// Round number.
    pub round: u32,
    /// The QR text to project.
    pub qr_text: String,
    /// The metadata to store (`attempts: 0, used: false`).
    pub metadata: RoundMetadata,
}

impl fmt::Debug for IssuedRound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedRound")
            .field("round", &self.round)
            .field("qr_text_len", &self.qr_text.len())
            .field("metadata", &self.metadata)
            .finish()
    }
}

/// Issues round `round` for one student at server time `issued_at_ms` (spec §5 "Issuing"):
/// draws the 16-byte `nonce` then the 12-byte seal nonce from `rng`.
pub fn issue_round<R: CryptoRng + ?Sized>(
    keys: &SessionKeys,
    server_secret: &SecretKey32,
    session_id: &str,
    round: u32,
    issued_at_ms: u64,
    rng: &mut R,
) -> Result<IssuedRound> {
    validate_identifier(session_id)?;
    let nonce = RoundNonce::random(rng);
    let secret_s = round_secret(server_secret, session_id, keys.user_id(), round)?;
    let payload = QrPayload {
        session_id: String::from(session_id),
        user_id: String::from(keys.user_id()),
        round,
        issued_at_ms,
        nonce: nonce.clone(),
        totp_s: totp_s(&secret_s, issued_at_ms),
    };
    Ok(IssuedRound {
        round,
        qr_text: payload.seal(keys.qr_key(), rng)?,
        metadata: RoundMetadata::new(issued_at_ms, nonce),
    })
}

/// The student side: tries a QR with its own `K_qr` (spec §5). `DECRYPTION_FAILED` means the
/// QR is simply not this student's; a payload that opens but names another student is
/// `QR_INVALID`.
pub fn try_qr(keys: &SessionKeys, text: &str) -> Result<QrPayload> {
    let payload = QrPayload::open(keys.qr_key(), text)?;
    if payload.user_id != keys.user_id() {
        return Err(Error::QrInvalid);
    }
    Ok(payload)
}

/// The response plaintext: `0x01 || lp(sessionId) || u32be(r) || nonce(16) || TOTPu(6) ||
/// TOTPs(6) || u64be(client_sent_at_ms)`.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponsePlaintext {
    /// Class session.
    pub session_id: String,
    /// Round number.
    pub round: u32,
    /// The round nonce from the QR.
    pub nonce: RoundNonce,
    /// `TOTP(K_totp_u, client_sent_at_ms)`.
    pub totp_u: TotpCode,
    /// `TOTPs` from the QR.
    pub totp_s: TotpCode,
    /// The client's clock (diagnostics only; never used for RT).
    pub client_sent_at_ms: u64,
}

impl fmt::Debug for ResponsePlaintext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponsePlaintext")
            .field("session_id", &self.session_id)
            .field("round", &self.round)
            .field("client_sent_at_ms", &self.client_sent_at_ms)
            .finish_non_exhaustive()
    }
}

impl ResponsePlaintext {
    /// The answer to a QR the student opened, at the client's time.
    pub fn answer(keys: &SessionKeys, qr: &QrPayload, client_sent_at_ms: u64) -> Self {
        Self {
            session_id: qr.session_id.clone(),
            round: qr.round,
            nonce: qr.nonce.clone(),
            totp_u: keys.totp_u().generate(client_sent_at_ms),
            totp_s: qr.totp_s.clone(),
            client_sent_at_ms,
        }
    }

    /// The plaintext bytes.
    pub fn to_bytes(&self) -> Result<SecretVec> {
        let mut out = SecretVec::new(Vec::with_capacity(
            1 + 2 + self.session_id.len() + 4 + NONCE_LEN + 12 + 8,
        ));
        let v = out.expose_mut();
        v.push(FORMAT_VERSION);
        put_lp(v, self.session_id.as_bytes())?;
        v.extend_from_slice(&self.round.to_be_bytes());
        v.extend_from_slice(self.nonce.expose());
        v.extend_from_slice(self.totp_u.as_bytes());
        v.extend_from_slice(self.totp_s.as_bytes());
        v.extend_from_slice(&self.client_sent_at_ms.to_be_bytes());
        Ok(out)
    }

    /// Parses the plaintext; every defect (version included) is `SESSION_INVALID` (spec §5
    /// validation step 1: the response did not open into a valid response).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let parse = || -> Result<Self> {
            let mut r = Reader::new(bytes);
            if r.u8()? != FORMAT_VERSION {
                return Err(Error::UnsupportedVersion);
            }
            let session_id = r.lp_str()?;
            validate_identifier(session_id)?;
            let round = r.u32be()?;
            let nonce = RoundNonce::from_slice(r.take(NONCE_LEN)?)?;
            let totp_u = take_code(&mut r)?;
            let totp_s = take_code(&mut r)?;
            let client_sent_at_ms = r.u64be()?;
            r.finish()?;
            Ok(Self {
                session_id: String::from(session_id),
                round,
                nonce,
                totp_u,
                totp_s,
                client_sent_at_ms,
            })
        };
        parse().map_err(|_| Error::SessionInvalid)
    }

    /// Seals the response for the wire: `{"userId","sessionId","response":
    /// b64(sealed(K_resp, pt, "sealwright/v1/attendance/response" || lp(userId)))}`.
    pub fn seal<R: CryptoRng + ?Sized>(
        &self,
        keys: &SessionKeys,
        rng: &mut R,
    ) -> Result<ResponseEnvelope> {
        let aad = response_aad(keys.user_id())?;
        let boxed = sealed(
            keys.response_key().expose(),
            self.to_bytes()?.expose(),
            &aad,
            rng,
        )?;
        Ok(ResponseEnvelope {
            user_id: String::from(keys.user_id()),
            session_id: self.session_id.clone(),
            response: boxed,
        })
    }
}

/// `"sealwright/v1/attendance/response" || lp(userId)`.
pub fn response_aad(user_id: &str) -> Result<Vec<u8>> {
    concat_lp(RESPONSE_AAD_PREFIX, &[user_id.as_bytes()])
}

/// The student's answer to a QR: [`ResponsePlaintext::answer`] sealed with `K_resp`.
pub fn respond<R: CryptoRng + ?Sized>(
    keys: &SessionKeys,
    qr: &QrPayload,
    client_sent_at_ms: u64,
    rng: &mut R,
) -> Result<ResponseEnvelope> {
    ResponsePlaintext::answer(keys, qr, client_sent_at_ms).seal(keys, rng)
}

/// The response as sent: `{"userId":..,"sessionId":..,"response":..}`. `Debug` shows the
/// sealed response's length only.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseEnvelope {
    /// Outer `userId` (selects the session key and the AAD).
    pub user_id: String,
    /// Outer `sessionId` (must equal the sealed one).
    pub session_id: String,
    /// `sealed(K_resp, ...)` bytes (the JSON carries `b64` of them).
    pub response: Vec<u8>,
}

impl fmt::Debug for ResponseEnvelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseEnvelope")
            .field("user_id", &self.user_id)
            .field("session_id", &self.session_id)
            .field("response_len", &self.response.len())
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
struct EnvelopeJson<'a> {
    #[serde(rename = "userId", borrow)]
    user_id: alloc::borrow::Cow<'a, str>,
    #[serde(rename = "sessionId", borrow)]
    session_id: alloc::borrow::Cow<'a, str>,
    #[serde(borrow)]
    response: alloc::borrow::Cow<'a, str>,
}

impl ResponseEnvelope {
    /// The JSON text (members in spec order, no whitespace).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(&EnvelopeJson {
            user_id: self.user_id.as_str().into(),
            session_id: self.session_id.as_str().into(),
            response: b64_encode(&self.response).into(),
        })
        .map_err(|_| Error::InvalidInput)
    }

    /// Parses the JSON (unknown members ignored): `INVALID_INPUT` for bad JSON, a missing or
    /// non-string member, an identifier outside spec §0, or non-canonical base64.
    pub fn from_json(text: &str) -> Result<Self> {
        let raw: EnvelopeJson<'_> = serde_json::from_str(text).map_err(|_| Error::InvalidInput)?;
        validate_identifier(&raw.user_id)?;
        validate_identifier(&raw.session_id)?;
        Ok(Self {
            response: b64_decode(&raw.response)?,
            user_id: raw.user_id.into_owned(),
            session_id: raw.session_id.into_owned(),
        })
    }
}
