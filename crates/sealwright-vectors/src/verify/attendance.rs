//! Checks `attendance.json` cases (spec §5, §6).
//!
//! Login: `clientPublic` from `clientPrivate`, `webauthnChallenge`, `serverPublic` from
//! `serverPrivate`, and `sessionKey`, `qrKey`, `responseKey`, `totpUKey` derived on both sides.
//!
//! Rounds are replayed in order against one server state: the first entry of a round number
//! issues it (`qrNonce` then `qrSealNonce` at `issuedAtMs`; `roundSecret`, `totpS` and
//! `qrText` recomputed; later entries of that round must name the same issue);
//! `attemptsBefore`, when present, sets the stored attempts; the student opens `qrText`,
//! answers at `clientSentAtMs` (`totpU` recomputed; `responseNonce` / `responseTotpS`
//! replace the QR's values when present) sealed with `responseSealNonce`; the server
//! validates the `response` object as given at `receivedAtMs` with the projection history
//! `[shownAtMs]` (empty when null), and `result` and `rtMs` must be what it answers. An
//! accepted response must equal the recomputed one byte for byte; a rejected one may differ
//! (a case may send an altered response, and §6 has no field saying how it was altered).
//!
//! Positive case: every round as above, the last accepted, `N = 3` accepted RTs, and
//! `certainty`, `label`, `status` from them in exact integers (see `scoring`). Negative case:
//! `validate` (the rounds; the last one's outcome is `expectedError`) or `login` (the server,
//! and a client, refuse `clientPublic`).

use super::scoring::check_verdict;
use super::{Case, CaseResult, fails_with, same};
use sealwright::Error;
use sealwright::attendance::login::{ClientLogin, LoginNonce, server_login};
use sealwright::attendance::round::{
    ResponseEnvelope, ResponsePlaintext, RoundMetadata, issue_round, round_secret, try_qr,
};
use sealwright::attendance::totp::{Totp, TotpCode};
use sealwright::attendance::validate::{MetadataUpdate, open_response};
use sealwright::attendance::{Config, SessionKeys};
use sealwright::encoding::hex_encode;
use sealwright::rng::ScriptedRng;
use sealwright::secret::{SecretBytes, SecretKey32};
use serde_json::Value;
use std::collections::BTreeMap;

/// The §6 fields of an `attendance.json` case. `responseNonce`, `responseTotpS` and
/// `attemptsBefore` belong to the failing round; they are read from its `rounds` entry, or
/// from the case itself for the last round.
pub(super) const FIELDS: &[&str] = &[
    "name",
    "expectedError",
    "operation",
    "userId",
    "sessionId",
    "loginNonce",
    "clientPrivate",
    "clientPublic",
    "serverPrivate",
    "serverPublic",
    "webauthnChallenge",
    "sessionKey",
    "qrKey",
    "responseKey",
    "totpUKey",
    "serverSecret",
    "rounds",
    "certainty",
    "label",
    "status",
    "responseNonce",
    "responseTotpS",
    "attemptsBefore",
];

/// Nested lists and objects, by name, with the §6 fields of their entries.
pub(super) const NESTED: &[(&str, &[&str])] = &[("rounds", ROUND_FIELDS)];

/// The §6 fields of one `rounds` entry.
const ROUND_FIELDS: &[&str] = &[
    "round",
    "issuedAtMs",
    "qrNonce",
    "roundSecret",
    "totpS",
    "qrSealNonce",
    "qrText",
    "shownAtMs",
    "receivedAtMs",
    "clientSentAtMs",
    "totpU",
    "responseSealNonce",
    "response",
    "rtMs",
    "result",
    "responseNonce",
    "responseTotpS",
    "attemptsBefore",
];

/// Checks one case of `attendance.json`.
pub(super) fn check(value: &Value) -> CaseResult {
    let case = Case::new(value, FIELDS)?;
    match case.negative()? {
        None => positive(&case),
        Some((expected, "validate")) => {
            let keys = check_login(&case)?;
            let outcomes = replay_rounds(&case, &keys)?;
            let (_, last) = outcomes
                .last()
                .ok_or("`rounds` is empty: nothing to validate")?;
            fails_with(expected, *last)
        }
        Some((expected, "login")) => {
            let user_id = case.str("userId")?;
            let nonce = LoginNonce(case.hex_array::<32>("loginNonce")?);
            let point = case.hex_array::<32>("clientPublic")?;
            // The server's own key is irrelevant to an all-zero result; use the file's if any.
            let server_private = match case.opt("serverPrivate")? {
                Some(_) => case.hex_array::<32>("serverPrivate")?,
                None => [0x5a; 32],
            };
            fails_with(
                expected,
                server_login(
                    user_id,
                    &nonce,
                    &point,
                    &mut ScriptedRng::new([server_private]),
                )
                .map(|_| ()),
            )?;
            // A client refuses the same point as the server's `S`.
            let client = ClientLogin::start(user_id, nonce, &mut ScriptedRng::new([[9u8; 32]]));
            fails_with(expected, client.and_then(|c| c.finish(&point)).map(|_| ()))
                .map_err(|e| format!("client side: {e}"))
        }
        Some((_, other)) => Err(format!(
            "unknown `operation` {other:?} (attendance.json has validate, login)"
        )),
    }
}

fn positive(case: &Case<'_>) -> CaseResult {
    let keys = check_login(case)?;
    let outcomes = replay_rounds(case, &keys)?;
    match outcomes.last() {
        Some((_, Ok(_))) => {}
        _ => return Err("the last round of a positive case is not accepted".to_string()),
    }
    let rts: Vec<u64> = outcomes
        .iter()
        .filter_map(|(_, outcome)| outcome.as_ref().ok().copied())
        .collect();
    let n = Config::default().rounds;
    if u32::try_from(rts.len()).ok() != Some(n) {
        return Err(format!(
            "{} rounds accepted, spec §5 scores after N = {n}",
            rts.len()
        ));
    }
    check_verdict(case, &rts).map(|_| ())
}

/// A core error as a reason.
fn core(what: &str) -> impl Fn(Error) -> String + '_ {
    move |e| format!("{what}: {}", e.code())
}

/// A 32-byte key field as hex, compared with a recomputed key.
fn same_key(case: &Case<'_>, field: &str, got: &SecretKey32) -> CaseResult {
    same(field, case.str(field)?, hex_encode(got.expose()).as_str())
}

/// Login steps 2 to 4 from the recorded private keys; returns the server's keys.
fn check_login(case: &Case<'_>) -> Result<SessionKeys, String> {
    let user_id = case.str("userId")?;
    let nonce = LoginNonce(case.hex_array::<32>("loginNonce")?);
    let client = ClientLogin::start(
        user_id,
        nonce,
        &mut ScriptedRng::new([case.hex_array::<32>("clientPrivate")?]),
    )
    .map_err(core("`userId`"))?;
    same(
        "clientPublic",
        case.str("clientPublic")?,
        hex_encode(&client.client_public()).as_str(),
    )?;
    let challenge = client.challenge().map_err(core("challenge"))?;
    same(
        "webauthnChallenge",
        case.str("webauthnChallenge")?,
        hex_encode(&challenge).as_str(),
    )?;
    let server = server_login(
        user_id,
        &nonce,
        &client.client_public(),
        &mut ScriptedRng::new([case.hex_array::<32>("serverPrivate")?]),
    )
    .map_err(core("server login"))?;
    same(
        "serverPublic",
        case.str("serverPublic")?,
        hex_encode(&server.server_public).as_str(),
    )?;
    let client_keys = client
        .finish(&server.server_public)
        .map_err(core("client login"))?;
    for keys in [&server.keys, &client_keys] {
        same_key(case, "sessionKey", keys.session_key())?;
        same_key(case, "qrKey", keys.qr_key())?;
        same_key(case, "responseKey", keys.response_key())?;
        same_key(case, "totpUKey", keys.totp_u_key())?;
    }
    Ok(server.keys)
}

/// What the server answered to one round: the RT, or the code.
type Outcome = Result<u64, Error>;

/// The issue of one round: `(issuedAtMs, qrNonce, qrSealNonce)`.
type Issue = (u64, [u8; 16], [u8; 12]);

/// An optional field of a round entry, or, for the last entry, of the case.
fn round_opt<'a>(
    entry: &Case<'a>,
    case: &Case<'a>,
    last: bool,
    key: &str,
) -> Result<Option<&'a Value>, String> {
    match entry.opt(key)? {
        Some(v) => Ok(Some(v)),
        None if last => case.opt(key),
        None => Ok(None),
    }
}

/// Replays `rounds` (see the module docs); returns each entry's round number and outcome.
fn replay_rounds(case: &Case<'_>, keys: &SessionKeys) -> Result<Vec<(u32, Outcome)>, String> {
    let config = Config::default();
    let user_id = case.str("userId")?;
    let session_id = case.str("sessionId")?;
    let server_secret = SecretKey32::new(case.hex_array::<32>("serverSecret")?);
    let rounds = case.list("rounds", ROUND_FIELDS)?;
    if rounds.is_empty() {
        return Err("`rounds` is empty".to_string());
    }
    let mut issues: BTreeMap<u32, Issue> = BTreeMap::new();
    let mut metas: BTreeMap<u32, RoundMetadata> = BTreeMap::new();
    let mut outcomes = Vec::with_capacity(rounds.len());
    let count = rounds.len();
    for (i, entry) in rounds.iter().enumerate() {
        let last = i + 1 == count;
        let field = |name: &str| format!("rounds[{i}].{name}");
        let within = |e: String| format!("rounds[{i}]: {e}");
        let r = u32::try_from(entry.u64("round").map_err(within)?)
            .map_err(|_| field("round") + " does not fit 32 bits")?;

        // Server: the round secret, TOTPs and the QR of the issue.
        let secret_s = round_secret(&server_secret, session_id, user_id, r)
            .map_err(core("`sessionId` or `userId`"))?;
        same(
            &field("roundSecret"),
            entry.str("roundSecret").map_err(within)?,
            hex_encode(secret_s.expose()).as_str(),
        )?;
        let issue: Issue = (
            entry.u64("issuedAtMs").map_err(within)?,
            entry.hex_array::<16>("qrNonce").map_err(within)?,
            entry.hex_array::<12>("qrSealNonce").map_err(within)?,
        );
        let (issued_at_ms, qr_nonce, qr_seal_nonce) = issue;
        same(
            &field("totpS"),
            entry.str("totpS").map_err(within)?,
            Totp::new(&secret_s).generate(issued_at_ms).as_str(),
        )?;
        let issued = issue_round(
            keys,
            &server_secret,
            session_id,
            r,
            issued_at_ms,
            &mut ScriptedRng::new([&qr_nonce[..], &qr_seal_nonce[..]]),
        )
        .map_err(core("issuing the round"))?;
        same(
            &field("qrText"),
            entry.str("qrText").map_err(within)?,
            issued.qr_text.as_str(),
        )?;
        match issues.get(&r) {
            None => {
                issues.insert(r, issue);
                metas.insert(r, issued.metadata);
            }
            Some(first) if *first == issue => {}
            Some(_) => {
                return Err(format!(
                    "rounds[{i}]: round {r} again with another `issuedAtMs`, `qrNonce` or \
                     `qrSealNonce` than its first entry (a round is issued once)"
                ));
            }
        }
        if let Some(v) = round_opt(entry, case, last, "attemptsBefore")? {
            let attempts = v
                .as_u64()
                .and_then(|a| u8::try_from(a).ok())
                .ok_or_else(|| field("attemptsBefore") + " is not an integer 0 to 255")?;
            metas
                .get_mut(&r)
                .ok_or_else(|| format!("rounds[{i}]: `attemptsBefore` for a deleted round"))?
                .attempts = attempts;
        }

        // Student: opens the QR and answers.
        let qr = try_qr(keys, entry.str("qrText").map_err(within)?)
            .map_err(core("the student cannot open `qrText`"))?;
        let mut answer =
            ResponsePlaintext::answer(keys, &qr, entry.u64("clientSentAtMs").map_err(within)?);
        same(
            &field("totpU"),
            entry.str("totpU").map_err(within)?,
            answer.totp_u.as_str(),
        )?;
        if let Some(v) = round_opt(entry, case, last, "responseNonce")? {
            let nonce = v
                .as_str()
                .and_then(|h| sealwright::encoding::hex_decode_array::<16>(h).ok())
                .ok_or_else(|| field("responseNonce") + " is not 16 bytes of hex")?;
            answer.nonce = SecretBytes::new(nonce);
        }
        if let Some(v) = round_opt(entry, case, last, "responseTotpS")? {
            answer.totp_s = v
                .as_str()
                .and_then(|t| TotpCode::from_ascii(t.as_bytes()).ok())
                .ok_or_else(|| field("responseTotpS") + " is not a code of digits")?;
        }
        let seal_nonce = entry.hex_array::<12>("responseSealNonce").map_err(within)?;
        let built = answer
            .seal(keys, &mut ScriptedRng::new([seal_nonce]))
            .and_then(|env| env.to_json())
            .map_err(core("sealing the answer"))?;
        let built: Value =
            serde_json::from_str(&built).map_err(|e| format!("checker bug: response JSON: {e}"))?;
        let sent = entry.get("response").map_err(within)?;

        // Server: validation steps 1 to 7 on the response as sent.
        let shown: Vec<u64> = match entry.get("shownAtMs").map_err(within)? {
            Value::Null => Vec::new(),
            v => vec![
                v.as_u64()
                    .ok_or_else(|| field("shownAtMs") + " is neither null nor an integer")?,
            ],
        };
        let received = entry.u64("receivedAtMs").map_err(within)?;
        let outcome: Outcome = ResponseEnvelope::from_json(&sent.to_string()).and_then(|env| {
            let lookup = (env.user_id == user_id).then_some(keys);
            let opened = open_response(lookup, &env, received)?;
            let verdict = opened.check(&server_secret, metas.get(&opened.round()), &shown, &config);
            match verdict.metadata {
                MetadataUpdate::Keep => {}
                MetadataUpdate::Put(m) => {
                    metas.insert(opened.round(), m);
                }
                MetadataUpdate::Delete => {
                    metas.remove(&opened.round());
                }
            }
            verdict.result.map(|accepted| accepted.rt_ms)
        });
        let code = match &outcome {
            Ok(_) => "OK",
            Err(e) => e.code(),
        };
        same(&field("result"), entry.str("result").map_err(within)?, code)?;
        let rt_field = match entry.get("rtMs").map_err(within)? {
            Value::Null => None,
            v => Some(
                v.as_u64()
                    .ok_or_else(|| field("rtMs") + " is neither null nor an integer")?,
            ),
        };
        same(&field("rtMs"), rt_field, outcome.as_ref().ok().copied())?;
        if outcome.is_ok() {
            same(&field("response"), sent, &built)?;
        }
        outcomes.push((r, outcome));
    }
    Ok(outcomes)
}
