//! Vectors for the ratchet handshake (spec §2, §6 `handshake.json`).
//!
//! One RSA-4096 server identity for every case. Every random input of the protocol (client
//! nonce, handshake nonce, ephemeral keys, kids, seal nonces) is drawn here and appears in the
//! file; RSA-OAEP and RSA-PSS randomness and the store seals (not part of the file) come from
//! the seeded RNG behind them. Negative cases that need a malformed message build it here.

use rand_chacha::ChaCha20Rng;
use rand_core::Rng;
use sealwright::crypto::sealed_with_nonce;
use sealwright::effect::{MemoryStore, run_step};
use sealwright::encoding::{b64_decode, b64_encode, hex_encode};
use sealwright::handshake::derive::{
    self, Direction, aad_data, aad_eph, parse_primary_public, server_primary_key,
};
use sealwright::handshake::server::{self, HandshakeRecords, Outcome, ServerKeys};
use sealwright::handshake::wire::{ProcessRequest, ProcessResponse};
use sealwright::handshake::{Client, Established, Kid, PrimaryKey};
use sealwright::rng::{ScriptedRng, ScriptedThen};
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::{SecretKey32, SecretVec};
use serde_json::{Value, json};

use crate::{file, render, seeded};

/// Time of every handshake (2026-01-01T00:00:00Z), in ms.
pub const HANDSHAKE_AT_MS: u64 = 1_767_225_600_000;

/// Scripted bytes first, then the file's seeded RNG: the protocol's random values are
/// scripted, the RSA padding and blinding and the store seals that follow them are not.
type ThenRng<'a> = ScriptedThen<&'a mut ChaCha20Rng>;

fn then_rng<'a>(chunks: &[&[u8]], rest: &'a mut ChaCha20Rng) -> ThenRng<'a> {
    ScriptedThen::new(chunks, rest)
}

fn bytes<const N: usize>(rng: &mut ChaCha20Rng) -> [u8; N] {
    let mut b = [0u8; N];
    rng.fill_bytes(&mut b);
    b
}

fn obj(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// Flips the lowest bit of byte `at` (from the end when negative) of the base64 member
/// `field` of a JSON message.
fn flip(msg: &Value, field: &str, at: isize) -> Value {
    let mut m = msg.clone();
    let mut raw = b64_decode(m[field].as_str().unwrap()).unwrap();
    let i = if at < 0 {
        raw.len() - at.unsigned_abs()
    } else {
        at as usize
    };
    raw[i] ^= 0x01;
    m[field] = Value::String(b64_encode(&raw));
    m
}

fn with(msg: &Value, field: &str, value: Value) -> Value {
    let mut m = msg.clone();
    m[field] = value;
    m
}

/// Everything one positive run produced, for deriving negative cases from it.
struct Run {
    case: Value,
    device_id: String,
    client_primary: PrimaryKey,
    client_nonce: [u8; 16],
    /// The client before each message (index i: state in which message i was sent).
    sessions: Vec<Established>,
}

struct Ctx {
    rng: ChaCha20Rng,
    server_key: RsaPrivateKey,
    entropy: [u8; 32],
    storage_secret: [u8; 32],
}

impl Ctx {
    fn new() -> Self {
        let mut rng = seeded("handshake");
        let server_key = RsaPrivateKey::generate(4096, &mut rng).unwrap();
        let entropy = bytes(&mut rng);
        let storage_secret = bytes(&mut rng);
        Self {
            rng,
            server_key,
            entropy,
            storage_secret,
        }
    }

    fn keys(&self) -> ServerKeys {
        ServerKeys::new(
            self.server_key.clone(),
            SecretVec::from_slice(&self.entropy),
            &SecretKey32::new(self.storage_secret),
        )
        .unwrap()
    }

    fn server_fields(&self) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        m.insert(
            "serverRsaPrivateKeyPkcs8".into(),
            hex_encode(self.server_key.to_pkcs8_der().unwrap().expose()).into(),
        );
        m.insert("serverEntropy".into(), hex_encode(&self.entropy).into());
        m.insert(
            "storageSecret".into(),
            hex_encode(&self.storage_secret).into(),
        );
        m
    }

    fn positive(&mut self, name: &str, device_id: &str, exchanges: &[(&str, &str)]) -> Run {
        let keys = self.keys();
        let store = MemoryStore::new();
        let client_primary = PrimaryKey::generate(&mut self.rng);
        let client_nonce: [u8; 16] = bytes(&mut self.rng);
        let client = Client::new(
            device_id,
            client_primary.clone(),
            self.server_key.public_key(),
        )
        .unwrap();
        let (hs_request, pending) = client
            .start(&mut then_rng(&[&client_nonce], &mut self.rng))
            .unwrap();

        let nonce: [u8; 32] = bytes(&mut self.rng);
        let server_ephemeral: [u8; 32] = bytes(&mut self.rng);
        let kid_bytes: [u8; 16] = bytes(&mut self.rng);
        let step = server::handshake(
            &keys,
            &hs_request,
            HandshakeRecords::default(),
            HANDSHAKE_AT_MS,
            &mut then_rng(&[&nonce, &server_ephemeral, &kid_bytes], &mut self.rng),
        )
        .unwrap();
        store.commit(&step.effects, HANDSHAKE_AT_MS).unwrap();
        let hs_response = step.output;
        let mut session = pending.finish(&hs_response).unwrap();
        assert_eq!(session.kid().as_str(), hex_encode(&kid_bytes));

        let server_primary = server_primary_key(&self.entropy, &nonce).unwrap();
        let primary_secret = derive::primary_secret(
            &client_primary,
            &parse_primary_public(&server_primary.public_bytes()).unwrap(),
        );
        let wrap_key = derive::wrap_key(device_id, &primary_secret).unwrap();

        let mut messages = Vec::new();
        let mut sessions = Vec::new();
        for (i, (req_pt, resp_pt)) in exchanges.iter().enumerate() {
            let at_ms = HANDSHAKE_AT_MS + 60_000 * (i as u64 + 1);
            sessions.push(session.clone());
            let client_ephemeral: [u8; 32] = bytes(&mut self.rng);
            let req_eph_nonce: [u8; 12] = bytes(&mut self.rng);
            let req_data_nonce: [u8; 12] = bytes(&mut self.rng);
            let ephemeral_secret = derive::x25519(
                &SecretKey32::new(client_ephemeral),
                session.server_ephemeral(),
            )
            .unwrap();
            let message_key =
                derive::message_key(device_id, &primary_secret, &ephemeral_secret).unwrap();
            let (request, awaiting) = session
                .clone()
                .send(
                    req_pt.as_bytes(),
                    &mut ScriptedRng::new([&client_ephemeral[..], &req_eph_nonce, &req_data_nonce]),
                )
                .unwrap();
            let request_id = ProcessRequest::from_json(&request)
                .unwrap()
                .request_id()
                .unwrap();

            let next_ephemeral: [u8; 32] = bytes(&mut self.rng);
            let next_kid: [u8; 16] = bytes(&mut self.rng);
            let resp_eph_nonce: [u8; 12] = bytes(&mut self.rng);
            let resp_data_nonce: [u8; 12] = bytes(&mut self.rng);
            let rng = &mut self.rng;
            let Outcome::Opened(opened) = run_step(&store, at_ms, |load| {
                server::open_with(&keys, &request, load, at_ms, rng)
            })
            .unwrap() else {
                panic!("first request is not a retry")
            };
            assert_eq!(opened.plaintext().expose(), req_pt.as_bytes());
            let step = opened
                .respond(
                    resp_pt.as_bytes(),
                    &mut then_rng(
                        &[
                            &next_ephemeral,
                            &next_kid,
                            &resp_eph_nonce,
                            &resp_data_nonce,
                        ],
                        &mut self.rng,
                    ),
                )
                .unwrap();
            store.commit(&step.effects, at_ms).unwrap();
            let response = step.output;
            let (reply, next) = awaiting.receive(&response).unwrap();
            assert_eq!(reply.expose(), resp_pt.as_bytes());
            session = next;
            messages.push(json!({
                "atMs": at_ms,
                "clientEphemeralPrivate": hex_encode(&client_ephemeral),
                "requestPlaintext": hex_encode(req_pt.as_bytes()),
                "requestEphNonce": hex_encode(&req_eph_nonce),
                "requestDataNonce": hex_encode(&req_data_nonce),
                "request": obj(&request),
                "requestId": hex_encode(&request_id),
                "ephemeralSecret": hex_encode(ephemeral_secret.expose()),
                "messageKey": hex_encode(message_key.expose()),
                "nextServerEphemeralPrivate": hex_encode(&next_ephemeral),
                "nextKid": hex_encode(&next_kid),
                "responsePlaintext": hex_encode(resp_pt.as_bytes()),
                "responseEphNonce": hex_encode(&resp_eph_nonce),
                "responseDataNonce": hex_encode(&resp_data_nonce),
                "response": obj(&response),
            }));
        }
        sessions.push(session);

        let mut case = serde_json::Map::new();
        case.insert("name".into(), name.into());
        case.insert("deviceId".into(), device_id.into());
        case.extend(self.server_fields());
        case.insert(
            "clientPrimaryPrivate".into(),
            hex_encode(client_primary.to_bytes().expose()).into(),
        );
        case.insert(
            "clientPrimaryPublic".into(),
            hex_encode(&client_primary.public_bytes()).into(),
        );
        case.insert("clientNonce".into(), hex_encode(&client_nonce).into());
        case.insert("handshakeNonce".into(), hex_encode(&nonce).into());
        case.insert("handshakeAtMs".into(), HANDSHAKE_AT_MS.into());
        case.insert(
            "serverPrimaryPrivate".into(),
            hex_encode(server_primary.to_bytes().expose()).into(),
        );
        case.insert(
            "serverEphemeralPrivate".into(),
            hex_encode(&server_ephemeral).into(),
        );
        case.insert("kid".into(), hex_encode(&kid_bytes).into());
        case.insert("handshakeRequest".into(), obj(&hs_request));
        case.insert("handshakeResponse".into(), obj(&hs_response));
        case.insert(
            "primarySecret".into(),
            hex_encode(primary_secret.expose()).into(),
        );
        case.insert("wrapKey".into(), hex_encode(wrap_key.expose()).into());
        case.insert("messages".into(), Value::Array(messages));
        Run {
            case: Value::Object(case),
            device_id: device_id.to_string(),
            client_primary,
            client_nonce,
            sessions,
        }
    }
}

const HANDSHAKE_FIELDS: &[&str] = &[
    "deviceId",
    "serverRsaPrivateKeyPkcs8",
    "serverEntropy",
    "storageSecret",
    "clientPrimaryPrivate",
    "clientPrimaryPublic",
    "clientNonce",
    "handshakeNonce",
    "handshakeAtMs",
    "serverPrimaryPrivate",
    "serverEphemeralPrivate",
    "kid",
    "handshakeRequest",
];

fn negative(run: &Run, name: &str, operation: &str, err: &str, fields: &[&str]) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("name".into(), name.into());
    m.insert("operation".into(), operation.into());
    m.insert("expectedError".into(), err.into());
    for f in fields {
        m.insert((*f).into(), run.case[*f].clone());
    }
    Value::Object(m)
}

fn server_handshake_case(
    ctx: &Ctx,
    run: &Run,
    name: &str,
    err: &str,
    request: Value,
    bound: Option<[u8; 33]>,
) -> Value {
    let mut rng = seeded(name);
    let keys = ctx.keys();
    let store = MemoryStore::new();
    if let Some(bound) = bound {
        let step = server::bind_device(&keys, &run.device_id, &bound, None, &mut rng).unwrap();
        assert!(step.output);
        store.commit(&step.effects, HANDSHAKE_AT_MS).unwrap();
    }
    let got = server::handshake_with(
        &keys,
        &request.to_string(),
        |key| store.get(key, HANDSHAKE_AT_MS),
        HANDSHAKE_AT_MS,
        &mut rng,
    )
    .unwrap_err();
    assert_eq!(got.code(), err, "{name}");
    let mut c = negative(run, name, "serverHandshake", err, HANDSHAKE_FIELDS);
    c["handshakeRequest"] = request;
    if let Some(bound) = bound {
        c["boundPrimaryPublic"] = hex_encode(&bound).into();
    }
    c
}

fn client_handshake_case(run: &Run, name: &str, err: &str, response: Value) -> Value {
    let c = &run.case;
    let server_key = RsaPrivateKey::from_pkcs8_der(
        &sealwright::encoding::hex_decode(c["serverRsaPrivateKeyPkcs8"].as_str().unwrap()).unwrap(),
    )
    .unwrap()
    .public_key();
    let client = Client::new(&run.device_id, run.client_primary.clone(), server_key).unwrap();
    let mut rest = seeded(name);
    let (_, pending) = client
        .start(&mut then_rng(&[&run.client_nonce], &mut rest))
        .unwrap();
    let got = pending.finish(&response.to_string()).unwrap_err();
    assert_eq!(got.code(), err, "{name}");
    let mut fields = HANDSHAKE_FIELDS.to_vec();
    fields.push("handshakeResponse");
    let mut v = negative(run, name, "clientHandshake", err, &fields);
    v["handshakeResponse"] = response;
    v
}

/// Replays `messages` against a fresh server and returns the result of the last request.
fn server_replay(ctx: &Ctx, run: &Run, messages: &[Value]) -> sealwright::Result<Outcome> {
    let keys = ctx.keys();
    let c = &run.case;
    let store = MemoryStore::new();
    let hex32 =
        |k: &str| -> Vec<u8> { sealwright::encoding::hex_decode(c[k].as_str().unwrap()).unwrap() };
    let mut rest = seeded("server-replay");
    let step = server::handshake(
        &keys,
        &c["handshakeRequest"].to_string(),
        HandshakeRecords::default(),
        HANDSHAKE_AT_MS,
        &mut then_rng(
            &[
                &hex32("handshakeNonce"),
                &hex32("serverEphemeralPrivate"),
                &hex32("kid"),
            ],
            &mut rest,
        ),
    )?;
    store.commit(&step.effects, HANDSHAKE_AT_MS)?;
    let (last, earlier) = messages.split_last().unwrap();
    for m in earlier {
        let at = m["atMs"].as_u64().unwrap();
        let request = m["request"].to_string();
        let Outcome::Opened(opened) = run_step(&store, at, |load| {
            server::open_with(&keys, &request, load, at, &mut rest)
        })?
        else {
            panic!("earlier messages are fresh")
        };
        let h = |k: &str| sealwright::encoding::hex_decode(m[k].as_str().unwrap()).unwrap();
        let step = opened.respond(
            &h("responsePlaintext"),
            &mut then_rng(
                &[
                    &h("nextServerEphemeralPrivate"),
                    &h("nextKid"),
                    &h("responseEphNonce"),
                    &h("responseDataNonce"),
                ],
                &mut rest,
            ),
        )?;
        store.commit(&step.effects, at)?;
    }
    let at = last["atMs"].as_u64().unwrap();
    let request = last["request"].to_string();
    run_step(&store, at, |load| {
        server::open_with(&keys, &request, load, at, &mut rest)
    })
}

fn messages(run: &Run) -> Vec<Value> {
    run.case["messages"].as_array().unwrap().clone()
}

fn server_process_case(
    ctx: &Ctx,
    run: &Run,
    name: &str,
    err: &str,
    mut msgs: Vec<Value>,
    last: Value,
) -> Value {
    msgs.push(last);
    let got = server_replay(ctx, run, &msgs).unwrap_err();
    assert_eq!(got.code(), err, "{name}");
    let mut fields = HANDSHAKE_FIELDS.to_vec();
    fields.extend(["handshakeResponse", "primarySecret", "wrapKey"]);
    let mut v = negative(run, name, "serverProcess", err, &fields);
    v["messages"] = Value::Array(msgs);
    v
}

fn client_process_case(run: &Run, name: &str, err: &str, index: usize, response: Value) -> Value {
    let m = &messages(run)[index];
    let h = |k: &str| sealwright::encoding::hex_decode(m[k].as_str().unwrap()).unwrap();
    let (_, awaiting) = run.sessions[index]
        .clone()
        .send(
            &h("requestPlaintext"),
            &mut ScriptedRng::new([
                h("clientEphemeralPrivate"),
                h("requestEphNonce"),
                h("requestDataNonce"),
            ]),
        )
        .unwrap();
    let got = awaiting.receive(&response.to_string()).unwrap_err();
    assert_eq!(got.code(), err, "{name}");
    let mut fields = HANDSHAKE_FIELDS.to_vec();
    fields.extend(["handshakeResponse", "primarySecret", "wrapKey"]);
    let mut v = negative(run, name, "clientProcess", err, &fields);
    let mut msgs: Vec<Value> = messages(run)[..=index].to_vec();
    msgs[index]["response"] = response;
    v["messages"] = Value::Array(msgs);
    v
}

/// A process response crafted with the given kid' and AADs (for negative client cases).
fn craft_response(
    run: &Run,
    index: usize,
    next_kid: &Kid,
    eph_aad_kid: &Kid,
    data_aad_kid: &Kid,
) -> Value {
    let m = &messages(run)[index];
    let h = |k: &str| sealwright::encoding::hex_decode(m[k].as_str().unwrap()).unwrap();
    let wrap_key = sealwright::encoding::hex_decode(run.case["wrapKey"].as_str().unwrap()).unwrap();
    let next_public =
        derive::x25519_public(&SecretKey32::from_slice(&h("nextServerEphemeralPrivate")).unwrap());
    let eph = sealed_with_nonce(
        &wrap_key,
        &h("responseEphNonce").try_into().unwrap(),
        &next_public,
        &aad_eph(Direction::ServerToClient, &run.device_id, eph_aad_kid).unwrap(),
    )
    .unwrap();
    let data = sealed_with_nonce(
        &h("messageKey"),
        &h("responseDataNonce").try_into().unwrap(),
        &h("responsePlaintext"),
        &aad_data(Direction::ServerToClient, &run.device_id, data_aad_kid).unwrap(),
    )
    .unwrap();
    obj(&ProcessResponse {
        kid: next_kid.clone(),
        public_key_ephemeral: eph,
        data,
    }
    .to_json()
    .unwrap())
}

/// A process request for message `index`'s kid with a chosen client ephemeral public key.
fn craft_request(run: &Run, index: usize, client_public: &[u8; 32], plaintext: &str) -> Value {
    let m = &messages(run)[index];
    let h = |k: &str| sealwright::encoding::hex_decode(m[k].as_str().unwrap()).unwrap();
    let kid = run.sessions[index].kid().clone();
    let wrap_key = sealwright::encoding::hex_decode(run.case["wrapKey"].as_str().unwrap()).unwrap();
    let eph = sealed_with_nonce(
        &wrap_key,
        &h("requestEphNonce").try_into().unwrap(),
        client_public,
        &aad_eph(Direction::ClientToServer, &run.device_id, &kid).unwrap(),
    )
    .unwrap();
    let data = sealed_with_nonce(
        &h("messageKey"),
        &h("requestDataNonce").try_into().unwrap(),
        plaintext.as_bytes(),
        &aad_data(Direction::ClientToServer, &run.device_id, &kid).unwrap(),
    )
    .unwrap();
    obj(&ProcessRequest {
        device_id: run.device_id.clone(),
        kid,
        public_key_ephemeral: eph,
        data,
    }
    .to_json()
    .unwrap())
}

/// The files this module writes, as `(file name, text)`.
pub fn generate() -> Vec<(&'static str, String)> {
    let mut ctx = Ctx::new();
    let a = ctx.positive(
        "three messages with rotation",
        "device-7f3a",
        &[
            ("{\"op\":\"balance\"}", "{\"balance\":\"12.50\"}"),
            (
                "{\"op\":\"transfer\",\"to\":\"bob\",\"amount\":\"5\"}",
                "{\"ok\":true}",
            ),
            ("", "empty request, rotated again"),
        ],
    );
    let b = ctx.positive(
        "non-ASCII device id, four messages",
        "téléphone-de-zoë 📱",
        &[
            ("ping", "pong"),
            ("ping 2", ""),
            ("ping 3", "pong 3"),
            ("ping 4", "pong 4"),
        ],
    );
    let mut cases = vec![a.case.clone(), b.case.clone()];
    let run = &a;
    let hs_request = &run.case["handshakeRequest"];
    let hs_response = &run.case["handshakeResponse"];

    // serverHandshake.
    let oaep_to_server = |ctx: &mut Ctx, pt: &[u8]| -> Value {
        let ct = ctx
            .server_key
            .public_key()
            .oaep_sha256_encrypt(pt, &mut ctx.rng)
            .unwrap();
        with(hs_request, "publicKeyPrimary", b64_encode(&ct).into())
    };
    let mut not_on_curve = [0u8; 33];
    not_on_curve[0] = 0x02; // x = 0 is not on secp256k1
    // 65 bytes in the uncompressed layout: rejected for its length and prefix alone.
    let uncompressed = {
        let mut u = vec![0x04u8];
        u.extend_from_slice(&run.client_primary.public_bytes()[1..]);
        u.extend_from_slice(&[0x11; 32]);
        u
    };
    let mut bad_prefix = run.client_primary.public_bytes();
    bad_prefix[0] = 0x05;
    let sh = [
        (
            "serverHandshake: flipped byte in publicKeyPrimary ciphertext",
            "DECRYPTION_FAILED",
            flip(hs_request, "publicKeyPrimary", 100),
        ),
        (
            "serverHandshake: truncated publicKeyPrimary ciphertext",
            "DECRYPTION_FAILED",
            with(
                hs_request,
                "publicKeyPrimary",
                b64_encode(
                    &b64_decode(hs_request["publicKeyPrimary"].as_str().unwrap()).unwrap()[1..],
                )
                .into(),
            ),
        ),
        (
            "serverHandshake: P_c not on the curve",
            "INVALID_KEY",
            oaep_to_server(&mut ctx, &not_on_curve),
        ),
        (
            "serverHandshake: P_c of 65 bytes with prefix 0x04",
            "INVALID_KEY",
            oaep_to_server(&mut ctx, &uncompressed),
        ),
        (
            "serverHandshake: P_c with prefix 0x05",
            "INVALID_KEY",
            oaep_to_server(&mut ctx, &bad_prefix),
        ),
        (
            "serverHandshake: v = 2",
            "UNSUPPORTED_VERSION",
            with(hs_request, "v", 2.into()),
        ),
        ("serverHandshake: v missing", "INVALID_INPUT", {
            let mut r = hs_request.clone();
            r.as_object_mut().unwrap().remove("v");
            r
        }),
        (
            "serverHandshake: clientNonce of 15 bytes",
            "INVALID_INPUT",
            with(hs_request, "clientNonce", b64_encode(&[7u8; 15]).into()),
        ),
        (
            "serverHandshake: clientNonce not canonical base64",
            "INVALID_INPUT",
            with(
                hs_request,
                "clientNonce",
                hs_request["clientNonce"]
                    .as_str()
                    .unwrap()
                    .trim_end_matches('=')
                    .into(),
            ),
        ),
        (
            "serverHandshake: deviceId with a control character",
            "INVALID_INPUT",
            with(hs_request, "deviceId", "device\u{7}".into()),
        ),
    ];
    for (name, err, req) in sh {
        cases.push(server_handshake_case(&ctx, run, name, err, req, None));
    }
    // The device is bound to another primary key (trust on first use, spec §2.1).
    let other_primary = PrimaryKey::generate(&mut ctx.rng).public_bytes();
    cases.push(server_handshake_case(
        &ctx,
        run,
        "serverHandshake: another primary key for a bound device",
        "DEVICE_MISMATCH",
        hs_request.clone(),
        Some(other_primary),
    ));

    // clientHandshake.
    let other_nonce_response = {
        let client = Client::new(
            &run.device_id,
            run.client_primary.clone(),
            ctx.server_key.public_key(),
        )
        .unwrap();
        let (req, _) = client.start(&mut ctx.rng).unwrap();
        let step = server::handshake(
            &ctx.keys(),
            &req,
            HandshakeRecords::default(),
            HANDSHAKE_AT_MS,
            &mut ctx.rng,
        )
        .unwrap();
        obj(&step.output)
    };
    let ch = [
        (
            "clientHandshake: flipped signature byte",
            "BAD_SIGNATURE",
            flip(hs_response, "signature", 7),
        ),
        (
            "clientHandshake: response for another clientNonce",
            "BAD_SIGNATURE",
            other_nonce_response,
        ),
        (
            "clientHandshake: flipped byte in publicKeyEphemeral",
            "BAD_SIGNATURE",
            flip(hs_response, "publicKeyEphemeral", 0),
        ),
        (
            "clientHandshake: flipped byte in publicKeyPrimary",
            "BAD_SIGNATURE",
            flip(hs_response, "publicKeyPrimary", -1),
        ),
        (
            "clientHandshake: other kid",
            "BAD_SIGNATURE",
            with(
                hs_response,
                "kid",
                "00000000000000000000000000000000".into(),
            ),
        ),
        (
            "clientHandshake: truncated signature",
            "BAD_SIGNATURE",
            with(
                hs_response,
                "signature",
                b64_encode(&b64_decode(hs_response["signature"].as_str().unwrap()).unwrap()[1..])
                    .into(),
            ),
        ),
        (
            "clientHandshake: v = 2",
            "UNSUPPORTED_VERSION",
            with(hs_response, "v", 2.into()),
        ),
        (
            "clientHandshake: uppercase kid",
            "INVALID_INPUT",
            with(
                hs_response,
                "kid",
                hs_response["kid"].as_str().unwrap().to_uppercase().into(),
            ),
        ),
    ];
    for (name, err, resp) in ch {
        cases.push(client_handshake_case(run, name, err, resp));
    }

    // serverProcess: the failing request comes after the first `k` messages.
    let msgs = messages(run);
    let fail = |request: Value, at_ms: u64| json!({"atMs": at_ms, "request": request});
    let m2 = &msgs[2];
    let at2 = m2["atMs"].as_u64().unwrap();
    let m2req = &m2["request"];
    let first2 = msgs[..2].to_vec();
    let mut sp: Vec<(&str, &str, Vec<Value>, Value)> = vec![
        (
            "serverProcess: flipped byte in publicKeyEphemeral nonce",
            "DECRYPTION_FAILED",
            first2.clone(),
            fail(flip(m2req, "publicKeyEphemeral", 0), at2),
        ),
        (
            "serverProcess: flipped byte in publicKeyEphemeral ciphertext",
            "DECRYPTION_FAILED",
            first2.clone(),
            fail(flip(m2req, "publicKeyEphemeral", 20), at2),
        ),
        (
            "serverProcess: flipped byte in publicKeyEphemeral tag",
            "DECRYPTION_FAILED",
            first2.clone(),
            fail(flip(m2req, "publicKeyEphemeral", -1), at2),
        ),
        (
            "serverProcess: flipped byte in data nonce",
            "DECRYPTION_FAILED",
            first2.clone(),
            fail(flip(m2req, "data", 3), at2),
        ),
        (
            "serverProcess: flipped byte in data tag",
            "DECRYPTION_FAILED",
            first2.clone(),
            fail(flip(m2req, "data", -1), at2),
        ),
        (
            "serverProcess: flipped byte in data ciphertext",
            "DECRYPTION_FAILED",
            msgs[..1].to_vec(),
            fail(
                flip(&msgs[1]["request"], "data", 12),
                msgs[1]["atMs"].as_u64().unwrap(),
            ),
        ),
        (
            "serverProcess: unknown kid",
            "UNKNOWN_KID",
            first2.clone(),
            fail(
                with(m2req, "kid", "0123456789abcdef0123456789abcdef".into()),
                at2,
            ),
        ),
        (
            "serverProcess: request for another deviceId",
            "SESSION_EXPIRED",
            first2.clone(),
            fail(with(m2req, "deviceId", "device-other".into()), at2),
        ),
        (
            "serverProcess: session expired (atMs = handshakeAtMs + 86,400,000)",
            "SESSION_EXPIRED",
            first2.clone(),
            fail(m2req.clone(), HANDSHAKE_AT_MS + 86_400_000),
        ),
        (
            "serverProcess: low-order E_c (all-zero X25519 result)",
            "LOW_ORDER_POINT",
            first2.clone(),
            fail(craft_request(run, 2, &[0u8; 32], "x"), at2),
        ),
        (
            "serverProcess: E_c of order 8",
            "LOW_ORDER_POINT",
            first2.clone(),
            fail(
                craft_request(
                    run,
                    2,
                    &sealwright::encoding::hex_decode_array(
                        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
                    )
                    .unwrap(),
                    "x",
                ),
                at2,
            ),
        ),
        (
            "serverProcess: v = 2",
            "UNSUPPORTED_VERSION",
            first2.clone(),
            fail(with(m2req, "v", 2.into()), at2),
        ),
        (
            "serverProcess: publicKeyEphemeral of 59 bytes",
            "INVALID_INPUT",
            first2.clone(),
            fail(
                with(
                    m2req,
                    "publicKeyEphemeral",
                    b64_encode(
                        &b64_decode(m2req["publicKeyEphemeral"].as_str().unwrap()).unwrap()[1..],
                    )
                    .into(),
                ),
                at2,
            ),
        ),
        (
            "serverProcess: malformed kid",
            "INVALID_INPUT",
            first2.clone(),
            fail(with(m2req, "kid", "xyz".into()), at2),
        ),
    ];
    // A rotated kid: message 0's kid again with other bytes (replayOf 0).
    let other_bytes = {
        let (req, _) = run.sessions[0]
            .clone()
            .send(b"other bytes, same kid", &mut ctx.rng)
            .unwrap();
        obj(&req)
    };
    let mut rotated = fail(other_bytes, at2);
    rotated["replayOf"] = 0.into();
    sp.push((
        "serverProcess: rotated kid (replayOf 0 with other bytes)",
        "KID_ROTATED",
        first2.clone(),
        rotated,
    ));
    // Idempotent retry after the grace period: KID_ROTATED once eph[kid] has expired?
    // No: after 300 s eph[kid] is gone, so the same bytes are an unknown kid.
    let mut late_retry = fail(
        msgs[0]["request"].clone(),
        msgs[0]["atMs"].as_u64().unwrap() + 301_000,
    );
    late_retry["replayOf"] = 0.into();
    sp.push((
        "serverProcess: byte-identical retry after the 300 s grace",
        "UNKNOWN_KID",
        msgs[..1].to_vec(),
        late_retry,
    ));
    for (name, err, earlier, last) in sp {
        cases.push(server_process_case(&ctx, run, name, err, earlier, last));
    }

    // clientProcess.
    let m1resp = &msgs[1]["response"];
    let kid1 = run.sessions[1].kid().clone();
    let kid2 = run.sessions[2].kid().clone();
    let cp = [
        (
            "clientProcess: flipped byte in publicKeyEphemeral",
            "DECRYPTION_FAILED",
            flip(m1resp, "publicKeyEphemeral", 30),
        ),
        (
            "clientProcess: flipped byte in data",
            "DECRYPTION_FAILED",
            flip(m1resp, "data", -3),
        ),
        (
            "clientProcess: other kid' than the one E_s' is bound to",
            "DECRYPTION_FAILED",
            with(m1resp, "kid", "0123456789abcdef0123456789abcdef".into()),
        ),
        (
            "clientProcess: data bound to kid' instead of kid",
            "DECRYPTION_FAILED",
            craft_response(run, 1, &kid2, &kid2, &kid2),
        ),
        (
            "clientProcess: kid' equal to kid",
            "INVALID_INPUT",
            craft_response(run, 1, &kid1, &kid1, &kid1),
        ),
        (
            "clientProcess: malformed kid'",
            "INVALID_INPUT",
            with(m1resp, "kid", "NOT-A-KID".into()),
        ),
        (
            "clientProcess: v = 2",
            "UNSUPPORTED_VERSION",
            with(m1resp, "v", 2.into()),
        ),
    ];
    for (name, err, resp) in cp {
        cases.push(client_process_case(run, name, err, 1, resp));
    }
    vec![("handshake.json", render(&file("handshake", 2, cases)))]
}
