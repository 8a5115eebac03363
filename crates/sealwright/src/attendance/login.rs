//! Enrollment records and the WebAuthn-bound X25519 login of spec §5.
//!
//! WebAuthn attestation and assertion verification stay with a WebAuthn library on the server;
//! this module computes the challenge that binds the client's X25519 key, and both sides'
//! `session_key` once the server says the assertion verified.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use x25519_dalek::{PublicKey, StaticSecret};

use super::totp::Totp;
use super::{Config, enrollment_store_key, login_nonce_store_key, session_key_store_key};
use crate::crypto::{hkdf32, sha256_parts};
use crate::effect::{Effect, Step, StoreSealer, StoredRecord};
use crate::encoding::{Reader, concat_lp, hex_encode, put_lp, validate_identifier};
use crate::error::{Error, Result};
use crate::secret::{SecretBytes, SecretKey32};

/// Length of a WebAuthn challenge, a login nonce `Nl` and a login challenge, in bytes.
pub const CHALLENGE_LEN: usize = 32;
/// Length of an AAGUID, in bytes.
pub const AAGUID_LEN: usize = 16;
/// Shortest and longest WebAuthn credential id (WebAuthn level 3, §4 "Credential ID").
pub const CREDENTIAL_ID_LEN: core::ops::RangeInclusive<usize> = 16..=1023;

/// A WebAuthn registration challenge: 32 fresh random bytes (spec §5, Enrollment), valid for
/// [`Config::challenge_ttl_seconds`].
pub fn enrollment_challenge<R: CryptoRng + ?Sized>(rng: &mut R) -> [u8; CHALLENGE_LEN] {
    let mut c = [0u8; CHALLENGE_LEN];
    rng.fill_bytes(&mut c);
    c
}

/// `SHA-256("sealwright/v1/device" || lp(credentialId) || aaguid(16) || COSE public key)`.
pub fn device_fingerprint(
    credential_id: &[u8],
    aaguid: &[u8; AAGUID_LEN],
    cose_public_key: &[u8],
) -> Result<[u8; 32]> {
    let head = concat_lp(b"sealwright/v1/device", &[credential_id])?;
    Ok(sha256_parts(&[&head, aaguid, cose_public_key]))
}

/// What the server keeps after a verified WebAuthn registration (ES256, P-256), stored sealed
/// under `sw:v1:att:tag(userId):enroll` ([`enrollment_store_key`]). It names its `userId`
/// (spec §5): registering with another user's record is `NOT_ENROLLED`.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrollmentRecord {
    user_id: String,
    credential_id: Vec<u8>,
    cose_public_key: Vec<u8>,
    aaguid: [u8; AAGUID_LEN],
    sign_count: u32,
    device_fingerprint: [u8; 32],
}

impl fmt::Debug for EnrollmentRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnrollmentRecord")
            .field("user_id", &self.user_id)
            .field("credential_id", &hex_encode(&self.credential_id))
            .field("aaguid", &hex_encode(&self.aaguid))
            .field("sign_count", &self.sign_count)
            .field("device_fingerprint", &hex_encode(&self.device_fingerprint))
            .finish_non_exhaustive()
    }
}

impl EnrollmentRecord {
    /// A record for `user_id` from the values the WebAuthn library returned (`INVALID_INPUT`
    /// for a bad identifier, a credential id outside 16 to 1,023 bytes or an empty or
    /// oversized COSE key).
    pub fn new(
        user_id: &str,
        credential_id: &[u8],
        cose_public_key: &[u8],
        aaguid: [u8; AAGUID_LEN],
        sign_count: u32,
    ) -> Result<Self> {
        validate_identifier(user_id)?;
        if !CREDENTIAL_ID_LEN.contains(&credential_id.len()) || cose_public_key.is_empty() {
            return Err(Error::InvalidInput);
        }
        Ok(Self {
            device_fingerprint: device_fingerprint(credential_id, &aaguid, cose_public_key)?,
            user_id: String::from(user_id),
            credential_id: credential_id.to_vec(),
            cose_public_key: cose_public_key.to_vec(),
            aaguid,
            sign_count,
        })
    }

    /// The enrolled student.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The credential id.
    pub fn credential_id(&self) -> &[u8] {
        &self.credential_id
    }

    /// The COSE public key (as registered).
    pub fn cose_public_key(&self) -> &[u8] {
        &self.cose_public_key
    }

    /// The authenticator's AAGUID.
    pub fn aaguid(&self) -> &[u8; AAGUID_LEN] {
        &self.aaguid
    }

    /// The last signature counter the WebAuthn library accepted.
    pub fn sign_count(&self) -> u32 {
        self.sign_count
    }

    /// Records the counter of a newly verified assertion (the WebAuthn library decides whether
    /// a counter is acceptable).
    pub fn set_sign_count(&mut self, sign_count: u32) {
        self.sign_count = sign_count;
    }

    /// The device fingerprint of spec §5.
    pub fn device_fingerprint(&self) -> &[u8; 32] {
        &self.device_fingerprint
    }

    /// Its store key, `sw:v1:att:tag(userId):enroll`.
    pub fn store_key(&self) -> String {
        enrollment_store_key(&self.user_id)
    }

    /// The enrollment step (spec §5, Enrollment, after the WebAuthn library verified the
    /// registration): `put` of the sealed record under [`Self::store_key`], no expiry.
    pub fn enroll<R: CryptoRng + ?Sized>(
        &self,
        sealer: &StoreSealer,
        rng: &mut R,
    ) -> Result<Step<()>> {
        Ok(Step::new(
            (),
            alloc::vec![self.put(sealer, self.store_key(), None, rng)?],
        ))
    }
}

/// Plaintext `0x02 || lp(userId) || lp(credentialId) || aaguid(16) || lp(COSE key) ||
/// u32be(signCount) || fingerprint(32)`; parsing recomputes the fingerprint and compares.
impl StoredRecord for EnrollmentRecord {
    const VERSION: u8 = 2;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        put_lp(out, self.user_id.as_bytes())?;
        put_lp(out, &self.credential_id)?;
        out.extend_from_slice(&self.aaguid);
        put_lp(out, &self.cose_public_key)?;
        out.extend_from_slice(&self.sign_count.to_be_bytes());
        out.extend_from_slice(&self.device_fingerprint);
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        let user_id = r.lp_str()?;
        let credential_id = r.lp()?;
        let aaguid = r.array()?;
        let cose = r.lp()?;
        let sign_count = r.u32be()?;
        let fingerprint: [u8; 32] = r.array()?;
        let record = Self::new(user_id, credential_id, cose, aaguid, sign_count)?;
        if !bool::from(record.device_fingerprint.ct_eq(&fingerprint)) {
            return Err(Error::InvalidInput);
        }
        Ok(record)
    }
}

/// Registering for a session requires the student's own enrollment record: `NOT_ENROLLED`
/// without one or with another user's (spec §5, Enrollment).
pub fn require_enrollment<'a>(
    record: Option<&'a EnrollmentRecord>,
    user_id: &str,
) -> Result<&'a EnrollmentRecord> {
    match record {
        Some(r) if r.user_id == user_id => Ok(r),
        _ => Err(Error::NotEnrolled),
    }
}

/// A login nonce `Nl`: 32 random bytes, single use, valid for 300 s (spec §5 Login step 1).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LoginNonce(pub [u8; CHALLENGE_LEN]);

/// The sealed record of an unspent login nonce, `sw:v1:att:tag(userId):login:<hex(Nl)>`
/// (TTL [`Config::challenge_ttl_seconds`]): plaintext `0x01 || lp(userId) ||
/// u64be(issued_at_ms)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginNonceRecord {
    /// The student the nonce was issued to.
    pub user_id: String,
    /// Server time of issue.
    pub issued_at_ms: u64,
}

impl StoredRecord for LoginNonceRecord {
    const VERSION: u8 = 1;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        put_lp(out, self.user_id.as_bytes())?;
        out.extend_from_slice(&self.issued_at_ms.to_be_bytes());
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        let user_id = r.lp_str()?;
        validate_identifier(user_id)?;
        Ok(Self {
            user_id: String::from(user_id),
            issued_at_ms: r.u64be()?,
        })
    }
}

/// Login step 1 (spec §5) for `user_id` at `now_ms`: draws `Nl` and returns it with the
/// `put_if_absent` of its sealed [`LoginNonceRecord`] (TTL 300 s by default). Send `Nl` to the
/// client; [`login`] consumes it.
pub fn issue_login_nonce<R: CryptoRng + ?Sized>(
    user_id: &str,
    sealer: &StoreSealer,
    config: &Config,
    now_ms: u64,
    rng: &mut R,
) -> Result<Step<LoginNonce>> {
    validate_identifier(user_id)?;
    let nonce = LoginNonce(enrollment_challenge(rng));
    let record = LoginNonceRecord {
        user_id: String::from(user_id),
        issued_at_ms: now_ms,
    };
    let effect = record.put_if_absent(
        sealer,
        login_nonce_store_key(user_id, &nonce),
        Some(config.challenge_ttl_seconds),
        rng,
    )?;
    Ok(Step::new(nonce, alloc::vec![effect]))
}

/// Login step 3 as a server step (spec §5), run once the WebAuthn library verified the
/// assertion over [`login_challenge`]`(nonce, client_public, user_id)`.
///
/// Loads `sw:v1:att:tag(userId):login:<hex(Nl)>`: missing (spent, expired, never issued) or
/// issued to another user is `SESSION_INVALID`. Then [`server_login`] (`LOW_ORDER_POINT`), and
/// the effects, one transaction: `delete_if_equal` of the loaded nonce record and `put` of the
/// sealed session key (`sw:v1:att:tag(userId):skey`, TTL 7,200 s). Two logins racing with one
/// nonce: one commits; the other's condition fails, and its rerun finds the nonce gone
/// (`SESSION_INVALID`), so a nonce logs in once.
#[allow(clippy::too_many_arguments)]
pub fn login<R: CryptoRng + ?Sized>(
    user_id: &str,
    nonce: &LoginNonce,
    client_public: &[u8; 32],
    load: &dyn Fn(&str) -> Option<Vec<u8>>,
    sealer: &StoreSealer,
    config: &Config,
    rng: &mut R,
) -> Result<Step<ServerLogin>> {
    validate_identifier(user_id)?;
    let key = login_nonce_store_key(user_id, nonce);
    let stored = load(&key).ok_or(Error::SessionInvalid)?;
    let record = LoginNonceRecord::open(sealer, &key, &stored)?;
    if record.user_id != user_id {
        return Err(Error::SessionInvalid);
    }
    let server = server_login(user_id, nonce, client_public, rng)?;
    let effects = alloc::vec![
        Effect::delete_if_equal(key, stored),
        server.keys.put(
            sealer,
            session_key_store_key(user_id),
            Some(config.session_key_ttl_seconds),
            rng,
        )?,
    ];
    Ok(Step::new(server, effects))
}

/// `SHA-256("sealwright/v1/attendance/login" || Nl || C || lp(userId))`: the challenge the
/// client's authenticator signs, binding the X25519 key `C` to the enrolled device.
pub fn login_challenge(
    nonce: &LoginNonce,
    client_public: &[u8; 32],
    user_id: &str,
) -> Result<[u8; 32]> {
    validate_identifier(user_id)?;
    let mut tail = Vec::with_capacity(2 + user_id.len());
    put_lp(&mut tail, user_id.as_bytes())?;
    Ok(sha256_parts(&[
        b"sealwright/v1/attendance/login",
        &nonce.0,
        client_public,
        &tail,
    ]))
}

/// `X25519(a, B)` with the all-zero result rejected (`LOW_ORDER_POINT`).
fn x25519(private: &StaticSecret, public: &[u8; 32]) -> Result<SecretKey32> {
    let shared = private.diffie_hellman(&PublicKey::from(*public));
    if !shared.was_contributory() {
        return Err(Error::LowOrderPoint);
    }
    Ok(SecretBytes::copy_from(shared.as_bytes()))
}

/// `session_key = HKDF(Nl, Z, "sealwright/v1/attendance/session" || lp(userId), 32)`.
fn session_key(nonce: &LoginNonce, z: &SecretKey32, user_id: &str) -> Result<SecretKey32> {
    let info = concat_lp(b"sealwright/v1/attendance/session", &[user_id.as_bytes()])?;
    hkdf32(&nonce.0, z.expose(), &info)
}

/// The keys of one logged-in student: `session_key` and, each `HKDF("", session_key, info,
/// 32)`, `K_qr`, `K_resp` and `K_totp_u` (with its TOTP built once).
#[derive(Clone)]
pub struct SessionKeys {
    user_id: String,
    session_key: SecretKey32,
    qr_key: SecretKey32,
    response_key: SecretKey32,
    totp_u_key: SecretKey32,
    totp_u: Totp,
}

impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionKeys")
            .field("user_id", &self.user_id)
            .field("keys", &"REDACTED")
            .finish()
    }
}

impl SessionKeys {
    /// Derives `K_qr`, `K_resp` and `K_totp_u` from a `session_key`.
    pub fn from_session_key(user_id: &str, session_key: SecretKey32) -> Result<Self> {
        validate_identifier(user_id)?;
        let derive = |info: &[u8]| hkdf32(&[], session_key.expose(), info);
        let qr_key = derive(b"sealwright/v1/attendance/qr")?;
        let response_key = derive(b"sealwright/v1/attendance/response")?;
        let totp_u_key = derive(b"sealwright/v1/attendance/totp-u")?;
        Ok(Self {
            user_id: String::from(user_id),
            totp_u: Totp::new(&totp_u_key),
            session_key,
            qr_key,
            response_key,
            totp_u_key,
        })
    }

    /// The student.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// `session_key` (never transmitted).
    pub fn session_key(&self) -> &SecretKey32 {
        &self.session_key
    }

    /// `K_qr`.
    pub fn qr_key(&self) -> &SecretKey32 {
        &self.qr_key
    }

    /// `K_resp`.
    pub fn response_key(&self) -> &SecretKey32 {
        &self.response_key
    }

    /// `K_totp_u`.
    pub fn totp_u_key(&self) -> &SecretKey32 {
        &self.totp_u_key
    }

    /// `TOTP(K_totp_u, .)`.
    pub fn totp_u(&self) -> &Totp {
        &self.totp_u
    }

    /// Its store key, `sw:v1:att:tag(userId):skey`.
    pub fn store_key(&self) -> String {
        session_key_store_key(&self.user_id)
    }

    /// Opens the session key stored for `user_id` (`INVALID_INPUT` if it names another user).
    pub fn open_stored(sealer: &StoreSealer, user_id: &str, sealed: &[u8]) -> Result<Self> {
        let keys = Self::open(sealer, &session_key_store_key(user_id), sealed)?;
        if keys.user_id != user_id {
            return Err(Error::InvalidInput);
        }
        Ok(keys)
    }
}

/// The stored session key, `sw:v1:att:tag(userId):skey` (TTL 7,200 s): plaintext
/// `0x01 || lp(userId) || session_key(32)`.
impl StoredRecord for SessionKeys {
    const VERSION: u8 = 1;

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        put_lp(out, self.user_id.as_bytes())?;
        out.extend_from_slice(self.session_key.expose());
        Ok(())
    }

    fn decode_body(r: &mut Reader<'_>) -> Result<Self> {
        let user_id = r.lp_str()?;
        let key = SecretKey32::from_slice(r.take(32)?)?;
        Self::from_session_key(user_id, key)
    }
}

/// The client side of the login (spec §5 Login steps 2 and 4).
pub struct ClientLogin {
    user_id: String,
    nonce: LoginNonce,
    client_private: StaticSecret,
    client_public: [u8; 32],
}

impl fmt::Debug for ClientLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientLogin")
            .field("user_id", &self.user_id)
            .field("client_public", &hex_encode(&self.client_public))
            .field("client_private", &"REDACTED")
            .finish()
    }
}

impl ClientLogin {
    /// Step 2: draws `(c, C)` (32 random bytes, clamped inside X25519).
    pub fn start<R: CryptoRng + ?Sized>(
        user_id: &str,
        nonce: LoginNonce,
        rng: &mut R,
    ) -> Result<Self> {
        validate_identifier(user_id)?;
        // `c` zeroizes itself when it drops at the end of this function.
        let c = SecretKey32::random(rng);
        let client_private = c.to_static_secret();
        let client_public = PublicKey::from(&client_private).to_bytes();
        Ok(Self {
            user_id: String::from(user_id),
            nonce,
            client_private,
            client_public,
        })
    }

    /// `C`, sent to the server with the assertion.
    pub fn client_public(&self) -> [u8; 32] {
        self.client_public
    }

    /// The challenge to hand to the authenticator ([`login_challenge`]).
    pub fn challenge(&self) -> Result<[u8; 32]> {
        login_challenge(&self.nonce, &self.client_public, &self.user_id)
    }

    /// Step 4: `session_key` from the server's `S` (`LOW_ORDER_POINT` on an all-zero `Z`).
    /// `c` is destroyed with `self`.
    pub fn finish(self, server_public: &[u8; 32]) -> Result<SessionKeys> {
        let z = x25519(&self.client_private, server_public)?;
        SessionKeys::from_session_key(&self.user_id, session_key(&self.nonce, &z, &self.user_id)?)
    }
}

/// The server's result of a login: `S` for the client and the student's keys.
#[derive(Debug)]
pub struct ServerLogin {
    /// `S`, returned to the client.
    pub server_public: [u8; 32],
    /// The keys derived from `session_key`.
    pub keys: SessionKeys,
}

/// The key agreement of spec §5 Login step 3 (no store): draws `(s, S)`, computes
/// `Z = X25519(s, C)` (`LOW_ORDER_POINT` if all-zero), destroys `s` and derives the keys.
/// A server runs it through the [`login`] step, which also consumes the nonce.
pub fn server_login<R: CryptoRng + ?Sized>(
    user_id: &str,
    nonce: &LoginNonce,
    client_public: &[u8; 32],
    rng: &mut R,
) -> Result<ServerLogin> {
    validate_identifier(user_id)?;
    let s = SecretKey32::random(rng);
    let server_private = s.to_static_secret();
    drop(s);
    let server_public = PublicKey::from(&server_private).to_bytes();
    let z = x25519(&server_private, client_public)?;
    drop(server_private);
    Ok(ServerLogin {
        server_public,
        keys: SessionKeys::from_session_key(user_id, session_key(nonce, &z, user_id)?)?,
    })
}
