//! Server validation of a student response, spec §5 steps 1 to 7, in that order.
//!
//! Two phases, because the round number is inside the sealed response:
//! [`open_response`] runs steps 1 and 2 with the student's [`SessionKeys`]; the caller then
//! loads the round's [`RoundMetadata`] and projection history and calls
//! [`OpenedResponse::check`] (steps 3 to 7), which returns a [`Verdict`]: the result and the
//! metadata change to store (attempts, `used`, or deletion at `MAX_ATTEMPTS`). The server step
//! that loads those records and turns the change into conditional effects is
//! [`ClassSession::validate`](super::session::ClassSession::validate).

use alloc::string::String;
use core::fmt;

use super::Config;
use super::login::SessionKeys;
use super::round::{
    ResponseEnvelope, ResponsePlaintext, RoundMetadata, response_aad, round_secret,
};
use super::totp::Totp;
use crate::crypto::{ct_eq, open};
use crate::error::{Error, Result};
use crate::secret::SecretKey32;

/// A response that passed steps 1 and 2.
#[derive(Clone)]
pub struct OpenedResponse {
    user_id: String,
    plaintext: ResponsePlaintext,
    totp_u_step: u64,
    received_at_ms: u64,
}

impl fmt::Debug for OpenedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedResponse")
            .field("user_id", &self.user_id)
            .field("plaintext", &self.plaintext)
            .field("totp_u_step", &self.totp_u_step)
            .field("received_at_ms", &self.received_at_ms)
            .finish()
    }
}

/// Steps 1 and 2 at server time `received_at_ms`. `keys` is the session key found for the
/// envelope's `userId` (`None` when there is none).
///
/// 1. no session key, the response does not open, an unknown version byte (or any other
///    defect of the opened plaintext), or its `sessionId` differs from the outer one:
///    `SESSION_INVALID`;
/// 2. TOTPu matches none of the steps of `received_at_ms` - 30 s, + 0, + 30 s:
///    `SESSION_INVALID`.
pub fn open_response(
    keys: Option<&SessionKeys>,
    envelope: &ResponseEnvelope,
    received_at_ms: u64,
) -> Result<OpenedResponse> {
    // Step 1.
    let keys = keys.ok_or(Error::SessionInvalid)?;
    if keys.user_id() != envelope.user_id {
        return Err(Error::SessionInvalid);
    }
    let aad = response_aad(&envelope.user_id).map_err(|_| Error::SessionInvalid)?;
    let plain = open(keys.response_key().expose(), &envelope.response, &aad)
        .map_err(|_| Error::SessionInvalid)?;
    let plaintext = ResponsePlaintext::from_bytes(plain.expose())?;
    if plaintext.session_id != envelope.session_id {
        return Err(Error::SessionInvalid);
    }
    // Step 2.
    let totp_u_step = keys
        .totp_u()
        .verify(plaintext.totp_u.as_str(), received_at_ms)
        .ok_or(Error::SessionInvalid)?;
    Ok(OpenedResponse {
        user_id: envelope.user_id.clone(),
        plaintext,
        totp_u_step,
        received_at_ms,
    })
}

/// What to do with the round's stored metadata after a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetadataUpdate {
    /// Nothing to store (steps 1 to 3 failed: the metadata is missing, used or expired).
    Keep,
    /// Store this metadata (attempts + 1, or `used` after success).
    Put(RoundMetadata),
    /// Delete the round (the failure brought attempts to `MAX_ATTEMPTS`).
    Delete,
}

/// An accepted response (step 7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The round answered.
    pub round: u32,
    /// `RT = received_at_ms - shown_at_ms`, from the server's clock only.
    pub rt_ms: u64,
    /// The projection the RT was measured from.
    pub shown_at_ms: u64,
    /// The TOTPu step that matched (a caller may refuse to accept a step twice).
    pub totp_u_step: u64,
    /// The client's own timestamp, for diagnostics only.
    pub client_sent_at_ms: u64,
}

/// The outcome of steps 3 to 7.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// `Ok` on success, else the code of the first failing step (or `MAX_ATTEMPTS`).
    pub result: Result<Accepted>,
    /// The metadata change to apply.
    pub metadata: MetadataUpdate,
}

impl OpenedResponse {
    /// The student (outer `userId`).
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The class session.
    pub fn session_id(&self) -> &str {
        &self.plaintext.session_id
    }

    /// The round answered: load its metadata and projection history before [`Self::check`].
    pub fn round(&self) -> u32 {
        self.plaintext.round
    }

    /// The matched TOTPu step.
    pub fn totp_u_step(&self) -> u64 {
        self.totp_u_step
    }

    /// The client's timestamp (diagnostics only).
    pub fn client_sent_at_ms(&self) -> u64 {
        self.plaintext.client_sent_at_ms
    }

    /// Steps 3 to 7 against the round's metadata and the server times at which the
    /// projector showed this round's QR (`shown_at_ms`, any order):
    ///
    /// 3. no metadata, the round already used, or `received - issued > TTL`: `QR_EXPIRED`
    ///    (also when attempts already reached `MAX_ATTEMPTS`, which a deleted round never has);
    /// 4. TOTPs differs from `TOTP(secret_s, issued_at_ms)`: `QR_INVALID`, attempts + 1;
    /// 5. no projection at or before `received_at_ms`: `QR_INVALID`; `RT` outside
    ///    `rt_min < RT < rt_max`: `RT_INVALID`; attempts + 1;
    /// 6. the nonce differs: `SECRET_INVALID`, attempts + 1;
    /// 7. success: the metadata is marked used and records the RT.
    ///
    /// A failure that brings attempts to `MAX_ATTEMPTS` returns `MAX_ATTEMPTS` and deletes the
    /// round. The client timestamp never enters RT.
    pub fn check(
        &self,
        server_secret: &SecretKey32,
        metadata: Option<&RoundMetadata>,
        shown_at_ms: &[u64],
        config: &Config,
    ) -> Verdict {
        let keep = |e| Verdict {
            result: Err(e),
            metadata: MetadataUpdate::Keep,
        };
        // Step 3.
        let Some(meta) = metadata else {
            return keep(Error::QrExpired);
        };
        if meta.used
            || meta.attempts >= config.max_attempts
            || self.received_at_ms.saturating_sub(meta.issued_at_ms) > config.payload_ttl_ms
        {
            return keep(Error::QrExpired);
        }
        match self.steps_4_to_6(server_secret, meta, shown_at_ms, config) {
            Ok((rt_ms, shown)) => {
                let mut used = meta.clone();
                used.used = true;
                used.rts_ms.push(rt_ms);
                Verdict {
                    result: Ok(Accepted {
                        round: self.plaintext.round,
                        rt_ms,
                        shown_at_ms: shown,
                        totp_u_step: self.totp_u_step,
                        client_sent_at_ms: self.plaintext.client_sent_at_ms,
                    }),
                    metadata: MetadataUpdate::Put(used),
                }
            }
            Err(code) => {
                let attempts = meta.attempts.saturating_add(1);
                if attempts >= config.max_attempts {
                    Verdict {
                        result: Err(Error::MaxAttempts),
                        metadata: MetadataUpdate::Delete,
                    }
                } else {
                    let mut next = meta.clone();
                    next.attempts = attempts;
                    Verdict {
                        result: Err(code),
                        metadata: MetadataUpdate::Put(next),
                    }
                }
            }
        }
    }

    fn steps_4_to_6(
        &self,
        server_secret: &SecretKey32,
        meta: &RoundMetadata,
        shown_at_ms: &[u64],
        config: &Config,
    ) -> Result<(u64, u64)> {
        // Step 4.
        let secret_s = round_secret(
            server_secret,
            &self.plaintext.session_id,
            &self.user_id,
            self.plaintext.round,
        )?;
        if !Totp::new(&secret_s).matches_at(&self.plaintext.totp_s, meta.issued_at_ms) {
            return Err(Error::QrInvalid);
        }
        // Step 5: the latest projection at or before reception, server clock only.
        let shown = shown_at_ms
            .iter()
            .copied()
            .filter(|&t| t <= self.received_at_ms)
            .max()
            .ok_or(Error::QrInvalid)?;
        let rt_ms = self.received_at_ms.saturating_sub(shown);
        if !(config.rt_min_ms < rt_ms && rt_ms < config.rt_max_ms) {
            return Err(Error::RtInvalid);
        }
        // Step 6.
        if !ct_eq(self.plaintext.nonce.expose(), meta.nonce.expose()) {
            return Err(Error::SecretInvalid);
        }
        Ok((rt_ms, shown))
    }
}
