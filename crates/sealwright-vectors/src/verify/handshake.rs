//! Checks `handshake.json` cases (spec §2, §6).
//!
//! Positive cases: the client request is checked by decrypting its RSA-OAEP `publicKeyPrimary`
//! and comparing the rest with a recomputed request; the server handshake is rerun with the
//! recorded `handshakeNonce`, `serverEphemeralPrivate` and `kid` and its response compared
//! (the RSA-PSS signature is verified instead, by the client); `serverPrimaryPrivate`,
//! `primarySecret` and `wrapKey` are recomputed; every message is replayed on both sides with
//! its recorded ephemeral keys, nonces and kids, and `request`, `requestId`,
//! `ephemeralSecret`, `messageKey` and `response` compared. Negative cases build the state §6
//! allows (a bound device, the earlier messages) and run the operation.

use super::relay::agree;
use super::{Case, CaseResult, fails_with, same};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::effect::{MemoryStore, run_step};
use sealwright::encoding::hex_encode;
use sealwright::handshake::derive::{self, parse_primary_public, server_primary_key};
use sealwright::handshake::server::{self, Outcome, ServerKeys};
use sealwright::handshake::wire::{HandshakeRequest, HandshakeResponse, ProcessRequest};
use sealwright::handshake::{AwaitingHandshake, Client, Established, PrimaryKey};
use sealwright::rng::ScriptedThen;
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::{SecretKey32, SecretVec};
use serde_json::Value;

/// The §6 fields of a `handshake.json` case: the positive row, the negative-case fields, the
/// `serverHandshake` state `boundPrimaryPublic`, and `replayOf` (§6 puts it with the failing
/// message; it is accepted at the top level too).
pub(super) const FIELDS: &[&str] = &[
    "name",
    "expectedError",
    "operation",
    "deviceId",
    "serverRsaPrivateKeyPkcs8",
    "serverEntropy",
    "storageSecret",
    "clientPrimaryPrivate",
    "clientNonce",
    "handshakeNonce",
    "handshakeAtMs",
    "serverPrimaryPrivate",
    "serverEphemeralPrivate",
    "kid",
    "handshakeRequest",
    "handshakeResponse",
    "primarySecret",
    "wrapKey",
    "messages",
    "boundPrimaryPublic",
    "replayOf",
];

/// The §6 fields of one `messages` entry (with the optional `replayOf` of a failing one).
pub(super) const MESSAGE_FIELDS: &[&str] = &[
    "atMs",
    "clientEphemeralPrivate",
    "requestPlaintext",
    "requestEphNonce",
    "requestDataNonce",
    "request",
    "requestId",
    "ephemeralSecret",
    "messageKey",
    "nextServerEphemeralPrivate",
    "nextKid",
    "responsePlaintext",
    "responseEphNonce",
    "responseDataNonce",
    "response",
    "replayOf",
];

/// The nested lists of `handshake.json`.
pub(super) const NESTED: &[(&str, &[&str])] = &[("messages", MESSAGE_FIELDS)];

/// A core result as a case result naming what failed.
fn core<T>(what: &str, r: sealwright::Result<T>) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {}", e.code()))
}

/// A fixed RNG for what the file does not record (RSA blinding and padding, store seals).
fn rng() -> ChaCha20Rng {
    ChaCha20Rng::from_seed([0x5e; 32])
}

/// The recorded bytes first, then [`rng`].
fn scripted(chunks: &[Vec<u8>]) -> ScriptedThen<ChaCha20Rng> {
    ScriptedThen::new(chunks, rng())
}

/// Prefixes a message index to a reason.
fn at(i: usize) -> impl Fn(String) -> String {
    move |e| format!("messages[{i}]: {e}")
}

/// Checks one case of `handshake.json`.
pub(super) fn check(case: &Value) -> CaseResult {
    let c = Case::new(case, FIELDS)?;
    match c.negative()? {
        None => positive(&c),
        Some((expected, "serverHandshake")) => {
            let (keys, _) = server_keys(&c)?;
            fails_with(expected, server_handshake(&c, &keys)?)
        }
        Some((expected, "clientHandshake")) => {
            let (_, rsa) = server_keys(&c)?;
            let (_, pending) = client_start(&c, &rsa)?;
            fails_with(
                expected,
                pending.finish(&c.get("handshakeResponse")?.to_string()),
            )
        }
        Some((expected, "serverProcess")) => {
            let (keys, _) = server_keys(&c)?;
            let (_, store) = core("the case's handshake failed", server_handshake(&c, &keys)?)?;
            let msgs = c.list("messages", MESSAGE_FIELDS)?;
            let Some((last, earlier)) = msgs.split_last() else {
                return Err("`messages` is empty".to_string());
            };
            let n = earlier.len();
            server_messages(&keys, &store, earlier)?;
            let replay_of = match last.opt("replayOf")? {
                Some(v) => Some(v),
                None => c.opt("replayOf")?,
            };
            if let Some(j) = replay_of {
                let earlier_request = j
                    .as_u64()
                    .and_then(|j| usize::try_from(j).ok())
                    .and_then(|j| earlier.get(j))
                    .ok_or_else(|| {
                        format!("`replayOf` {j} does not name one of the {n} earlier messages")
                    })?
                    .get("request")?;
                // The request is sent again: to the same kid (with the same or other bytes).
                agree(
                    "the failing `request` kid",
                    last.get("request").map_err(at(n))?.get("kid"),
                    "the kid of the request `replayOf` names",
                    earlier_request.get("kid"),
                )?;
            }
            let at_ms = last.u64("atMs").map_err(at(n))?;
            let request = last.get("request").map_err(at(n))?.to_string();
            fails_with(expected, open(&keys, &store, &request, at_ms))
        }
        Some((expected, "clientProcess")) => {
            let (_, rsa) = server_keys(&c)?;
            let (_, pending) = client_start(&c, &rsa)?;
            let session = core(
                "the client refused `handshakeResponse`",
                pending.finish(&c.get("handshakeResponse")?.to_string()),
            )?;
            let msgs = c.list("messages", MESSAGE_FIELDS)?;
            let Some((last, earlier)) = msgs.split_last() else {
                return Err("`messages` is empty".to_string());
            };
            let n = earlier.len();
            let session = client_messages(session, earlier)?;
            let awaiting = send(&session, last, n)?;
            let response = last.get("response").map_err(at(n))?.to_string();
            fails_with(expected, awaiting.receive(&response))
        }
        Some((_, op)) => Err(format!("unknown `operation` {op:?} for handshake.json")),
    }
}

/// The server's keys from `serverRsaPrivateKeyPkcs8` (canonical PKCS#8 DER of an RSA-4096
/// key), `serverEntropy` and `storageSecret`; also the RSA key itself.
fn server_keys(c: &Case<'_>) -> Result<(ServerKeys, RsaPrivateKey), String> {
    let der = c.hex("serverRsaPrivateKeyPkcs8")?;
    let rsa = core(
        "`serverRsaPrivateKeyPkcs8` is not a usable RSA key",
        RsaPrivateKey::from_pkcs8_der(&der),
    )?;
    super::relay::canonical_der("serverRsaPrivateKeyPkcs8", &der, rsa.to_pkcs8_der())?;
    let entropy = SecretVec::new(c.hex("serverEntropy")?);
    let storage = SecretKey32::new(c.hex_array("storageSecret")?);
    let keys = core(
        "`serverRsaPrivateKeyPkcs8`/`serverEntropy`/`storageSecret` refused",
        ServerKeys::new(rsa.clone(), entropy, &storage),
    )?;
    Ok((keys, rsa))
}

/// `clientPrimaryPrivate` as a primary key.
fn client_primary(c: &Case<'_>) -> Result<PrimaryKey, String> {
    core(
        "`clientPrimaryPrivate` is not a secp256k1 scalar",
        PrimaryKey::from_bytes(&SecretKey32::new(c.hex_array("clientPrimaryPrivate")?)),
    )
}

/// The client's handshake request with the recorded `clientNonce` (spec §2.1).
fn client_start(c: &Case<'_>, rsa: &RsaPrivateKey) -> Result<(String, AwaitingHandshake), String> {
    let client = core(
        "`deviceId` refused by the client",
        Client::new(c.str("deviceId")?, client_primary(c)?, rsa.public_key()),
    )?;
    let nonce: [u8; 16] = c.hex_array("clientNonce")?;
    core(
        "the client request",
        client.start(&mut scripted(&[nonce.to_vec()])),
    )
}

/// The server side of the case's handshake on a fresh store, after binding
/// `boundPrimaryPublic` when the case has one. The recorded `handshakeNonce`,
/// `serverEphemeralPrivate` and `kid` are the step's randomness (a negative case may omit
/// them). The outer error is a defect of the file, the inner one the step's.
fn server_handshake(
    c: &Case<'_>,
    keys: &ServerKeys,
) -> Result<sealwright::Result<(String, MemoryStore)>, String> {
    let at_ms = c.u64("handshakeAtMs")?;
    let request = c.get("handshakeRequest")?.to_string();
    let store = MemoryStore::new();
    if c.opt("boundPrimaryPublic")?.is_some() {
        let device_id = c.str("deviceId")?;
        let bound = c.hex("boundPrimaryPublic")?;
        let step = core(
            "binding `boundPrimaryPublic`",
            server::bind_device(keys, device_id, &bound, None, &mut rng()),
        )?;
        core(
            "binding `boundPrimaryPublic`",
            store.commit(&step.effects, at_ms),
        )?;
    }
    let mut script = Vec::new();
    for field in ["handshakeNonce", "serverEphemeralPrivate", "kid"] {
        if c.opt(field)?.is_some() {
            script.push(c.hex(field)?);
        }
    }
    let mut rng = scripted(&script);
    let step = match server::handshake_with(
        keys,
        &request,
        |key| store.get(key, at_ms),
        at_ms,
        &mut rng,
    ) {
        Ok(step) => step,
        Err(e) => return Ok(Err(e)),
    };
    core("storing the handshake", store.commit(&step.effects, at_ms))?;
    Ok(Ok((step.output, store)))
}

/// The server's open step for `request` at `at_ms`, its claim committed.
fn open(
    keys: &ServerKeys,
    store: &MemoryStore,
    request: &str,
    at_ms: u64,
) -> sealwright::Result<Outcome> {
    let mut rng = rng();
    run_step(store, at_ms, |load| {
        server::open_with(keys, request, load, at_ms, &mut rng)
    })
}

/// A JSON wire object without one member (for the randomized RSA fields).
fn without(v: &Value, member: &str) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove(member);
    }
    v
}

/// Parses JSON text the core produced.
fn parsed(what: &str, text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|_| format!("{what} is not JSON"))
}

/// Replays `msgs` on the server, each opened, checked and answered with its recorded
/// `nextServerEphemeralPrivate`, `nextKid` and nonces, and compared with its `response`.
fn server_messages(keys: &ServerKeys, store: &MemoryStore, msgs: &[Case<'_>]) -> CaseResult {
    for (i, m) in msgs.iter().enumerate() {
        let e = at(i);
        let at_ms = m.u64("atMs").map_err(&e)?;
        let request = m.get("request").map_err(&e)?.to_string();
        let Outcome::Opened(opened) = core(
            "the server refused `request`",
            open(keys, store, &request, at_ms),
        )
        .map_err(&e)?
        else {
            return Err(e("the server took `request` for a retry".to_string()));
        };
        same(
            "requestPlaintext",
            hex_encode(&m.hex("requestPlaintext").map_err(&e)?),
            hex_encode(opened.plaintext().expose()),
        )
        .map_err(&e)?;
        same(
            "requestId",
            m.str("requestId").map_err(&e)?,
            hex_encode(opened.request_id()).as_str(),
        )
        .map_err(&e)?;
        let mut rng = scripted(&[
            m.hex("nextServerEphemeralPrivate").map_err(&e)?,
            m.hex("nextKid").map_err(&e)?,
            m.hex("responseEphNonce").map_err(&e)?,
            m.hex("responseDataNonce").map_err(&e)?,
        ]);
        let step = core(
            "the server's response",
            opened.respond(&m.hex("responsePlaintext").map_err(&e)?, &mut rng),
        )
        .map_err(&e)?;
        same(
            "response",
            m.get("response").map_err(&e)?,
            &parsed("the server's response", &step.output)?,
        )
        .map_err(&e)?;
        core("storing the response", store.commit(&step.effects, at_ms)).map_err(&e)?;
    }
    Ok(())
}

/// The client's request for message `i` with its recorded ephemeral key and nonces,
/// compared with the message's `request` when it has one.
fn send(
    session: &Established,
    m: &Case<'_>,
    i: usize,
) -> Result<sealwright::handshake::AwaitingResponse, String> {
    let e = at(i);
    let mut rng = scripted(&[
        m.hex("clientEphemeralPrivate").map_err(&e)?,
        m.hex("requestEphNonce").map_err(&e)?,
        m.hex("requestDataNonce").map_err(&e)?,
    ]);
    let (request, awaiting) = core(
        "the client request",
        session
            .clone()
            .send(&m.hex("requestPlaintext").map_err(&e)?, &mut rng),
    )
    .map_err(&e)?;
    if let Some(theirs) = m.opt("request").map_err(&e)? {
        same("request", theirs, &parsed("the client request", &request)?).map_err(&e)?;
    }
    Ok(awaiting)
}

/// Replays `msgs` on the client from `session`; every `response` must open to its
/// `responsePlaintext`.
fn client_messages(mut session: Established, msgs: &[Case<'_>]) -> Result<Established, String> {
    for (i, m) in msgs.iter().enumerate() {
        let e = at(i);
        let awaiting = send(&session, m, i)?;
        let response = m.get("response").map_err(&e)?.to_string();
        let (reply, next) =
            core("the client refused `response`", awaiting.receive(&response)).map_err(&e)?;
        same(
            "responsePlaintext",
            hex_encode(&m.hex("responsePlaintext").map_err(&e)?),
            hex_encode(reply.expose()),
        )
        .map_err(&e)?;
        session = next;
    }
    Ok(session)
}

fn positive(c: &Case<'_>) -> CaseResult {
    let (keys, rsa) = server_keys(c)?;
    let device_id = c.str("deviceId")?;
    let client_primary = client_primary(c)?;

    // §2.1 client request: RSA-OAEP is randomized, so `publicKeyPrimary` is decrypted to P_c
    // and the rest compared with a recomputed request.
    let file_request = c.get("handshakeRequest")?;
    let parsed_request = core(
        "`handshakeRequest` does not parse",
        HandshakeRequest::from_json(&file_request.to_string()),
    )?;
    let p_c = core(
        "`handshakeRequest` publicKeyPrimary does not decrypt",
        rsa.oaep_sha256_decrypt(&parsed_request.public_key_primary, &mut rng()),
    )?;
    same(
        "handshakeRequest (publicKeyPrimary, decrypted)",
        hex_encode(p_c.expose()),
        hex_encode(&client_primary.public_bytes()),
    )?;
    let (our_request, pending) = client_start(c, &rsa)?;
    same(
        "handshakeRequest (all but publicKeyPrimary)",
        without(file_request, "publicKeyPrimary"),
        without(
            &parsed("the client request", &our_request)?,
            "publicKeyPrimary",
        ),
    )?;

    // §2 server primary key from the entropy and the handshake nonce.
    let nonce: [u8; 32] = c.hex_array("handshakeNonce")?;
    let server_primary = core(
        "deriving the server primary key",
        server_primary_key(&c.hex("serverEntropy")?, &nonce),
    )?;
    same(
        "serverPrimaryPrivate",
        c.str("serverPrimaryPrivate")?,
        hex_encode(server_primary.to_bytes().expose()).as_str(),
    )?;

    // §2.1 server: rerun with the recorded randomness; the PSS signature is randomized, so the
    // file's is verified by the client instead.
    let (our_response, store) = core(
        "the server refused `handshakeRequest`",
        server_handshake(c, &keys)?,
    )?;
    let file_response = c.get("handshakeResponse")?;
    same(
        "handshakeResponse (all but signature)",
        without(file_response, "signature"),
        without(&parsed("the server response", &our_response)?, "signature"),
    )?;
    let session = core(
        "the client refused `handshakeResponse` (signature)",
        pending.finish(&file_response.to_string()),
    )?;
    agree(
        "`kid`",
        c.str("kid")?,
        "the `handshakeResponse` kid",
        session.kid().as_str(),
    )?;

    // Intermediates.
    let response = core(
        "`handshakeResponse` does not parse",
        HandshakeResponse::from_json(&file_response.to_string()),
    )?;
    let p_s = core(
        "`handshakeResponse` publicKeyPrimary",
        parse_primary_public(&response.public_key_primary),
    )?;
    let ss_p = derive::primary_secret(&client_primary, &p_s);
    same(
        "primarySecret",
        c.str("primarySecret")?,
        hex_encode(ss_p.expose()).as_str(),
    )?;
    let wrap_key = core("deriving K_p", derive::wrap_key(device_id, &ss_p))?;
    same(
        "wrapKey",
        c.str("wrapKey")?,
        hex_encode(wrap_key.expose()).as_str(),
    )?;

    // §2.2 messages: per-message secrets, then both sides replayed.
    let msgs = c.list("messages", MESSAGE_FIELDS)?;
    if msgs.len() < 3 {
        return Err(format!(
            "`messages` has {} exchanges, §6 asks for at least 3",
            msgs.len()
        ));
    }
    let handshake_at = c.u64("handshakeAtMs")?;
    let mut previous_at = handshake_at;
    let mut server_ephemeral = SecretKey32::new(c.hex_array("serverEphemeralPrivate")?);
    for (i, m) in msgs.iter().enumerate() {
        let e = at(i);
        let at_ms = m.u64("atMs").map_err(&e)?;
        if at_ms < previous_at {
            return Err(e(format!(
                "`atMs` {at_ms} is before the previous exchange or the handshake ({previous_at})"
            )));
        }
        previous_at = at_ms;
        let client_ephemeral = SecretKey32::new(m.hex_array("clientEphemeralPrivate").map_err(&e)?);
        let ss_e = core(
            "X25519(e_c, E_s)",
            derive::x25519(&client_ephemeral, &derive::x25519_public(&server_ephemeral)),
        )
        .map_err(&e)?;
        same(
            "ephemeralSecret",
            m.str("ephemeralSecret").map_err(&e)?,
            hex_encode(ss_e.expose()).as_str(),
        )
        .map_err(&e)?;
        let k_m = core("deriving K_m", derive::message_key(device_id, &ss_p, &ss_e)).map_err(&e)?;
        same(
            "messageKey",
            m.str("messageKey").map_err(&e)?,
            hex_encode(k_m.expose()).as_str(),
        )
        .map_err(&e)?;
        let request = core(
            "`request` does not parse",
            ProcessRequest::from_json(&m.get("request").map_err(&e)?.to_string()),
        )
        .map_err(&e)?;
        let request_id = core("request_id", request.request_id()).map_err(&e)?;
        same(
            "requestId",
            m.str("requestId").map_err(&e)?,
            hex_encode(&request_id).as_str(),
        )
        .map_err(&e)?;
        agree(
            "`nextKid`",
            Some(&Value::String(m.str("nextKid").map_err(&e)?.to_string())),
            "the `response` kid",
            m.get("response").map_err(&e)?.get("kid"),
        )
        .map_err(&e)?;
        server_ephemeral = SecretKey32::new(m.hex_array("nextServerEphemeralPrivate").map_err(&e)?);
    }
    server_messages(&keys, &store, &msgs)?;
    client_messages(session, &msgs)?;
    Ok(())
}
