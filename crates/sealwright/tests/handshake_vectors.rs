//! Replays every case of `test-vectors/handshake.json` (spec §6) through the core, on the RSA
//! backend of this build (AWS-LC natively; `--features pure-rsa-backend-for-tests` replays them
//! through the pure-Rust `rsa` crate).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "handshake_common.rs"]
mod common;

use common::{ThenRng, cases, h, open_with_store, server_keys, server_rsa, then_rng};
use sealwright::effect::{MemoryStore, run_step};
use sealwright::encoding::{b64_decode, hex_encode};
use sealwright::handshake::derive::{self, parse_primary_public, server_primary_key};
use sealwright::handshake::server::{self, Outcome};
use sealwright::handshake::wire::{HandshakeResponse, ProcessRequest};
use sealwright::handshake::{AwaitingHandshake, Client, Established, PrimaryKey};
use sealwright::rng::ScriptedRng;
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::{SecretKey32, SecretVec};
use serde_json::Value;

fn s<'a>(c: &'a Value, k: &str) -> &'a str {
    c[k].as_str()
        .unwrap_or_else(|| panic!("{}: {k}", c["name"]))
}

fn msgs(c: &Value) -> &[Value] {
    c["messages"].as_array().unwrap()
}

/// Every case uses the one server key of the file.
fn check_server_key(c: &Value) {
    assert_eq!(
        RsaPrivateKey::from_pkcs8_der(&h(c, "serverRsaPrivateKeyPkcs8"))
            .unwrap()
            .public_key(),
        server_rsa().public_key(),
        "{}",
        c["name"]
    );
    assert_eq!(h(c, "serverEntropy"), h(&cases()[0], "serverEntropy"));
}

fn client_start(c: &Value) -> (String, AwaitingHandshake) {
    let primary =
        PrimaryKey::from_bytes(&SecretKey32::from_slice(&h(c, "clientPrimaryPrivate")).unwrap())
            .unwrap();
    Client::new(s(c, "deviceId"), primary, server_rsa().public_key())
        .unwrap()
        .start(&mut then_rng(&[h(c, "clientNonce")]))
        .unwrap()
}

fn server_handshake_rng(c: &Value) -> ThenRng {
    then_rng(&[
        h(c, "handshakeNonce"),
        h(c, "serverEphemeralPrivate"),
        h(c, "kid"),
    ])
}

fn request_rng(m: &Value) -> ScriptedRng {
    ScriptedRng::new([
        h(m, "clientEphemeralPrivate"),
        h(m, "requestEphNonce"),
        h(m, "requestDataNonce"),
    ])
}

fn respond_rng(m: &Value) -> ThenRng {
    then_rng(&[
        h(m, "nextServerEphemeralPrivate"),
        h(m, "nextKid"),
        h(m, "responseEphNonce"),
        h(m, "responseDataNonce"),
    ])
}

/// The server side of a case's handshake (after binding `boundPrimaryPublic` if the case has
/// one); returns the response and the store.
fn server_handshake(c: &Value) -> sealwright::Result<(String, MemoryStore)> {
    let store = MemoryStore::new();
    let keys = server_keys();
    let at = c["handshakeAtMs"].as_u64().unwrap();
    if c.get("boundPrimaryPublic").is_some() {
        let device_id = s(c, "deviceId");
        let key = sealwright::handshake::store::device_key(device_id);
        let bound = run_step(&store, at, |load| {
            let device = load(&key);
            server::bind_device(
                &keys,
                device_id,
                &h(c, "boundPrimaryPublic"),
                device.as_deref(),
                &mut then_rng::<&[u8]>(&[]),
            )
        })
        .unwrap();
        assert!(bound, "{}", c["name"]);
    }
    let step = server::handshake_with(
        &keys,
        &c["handshakeRequest"].to_string(),
        |key| store.get(key, at),
        at,
        &mut server_handshake_rng(c),
    )?;
    store.commit(&step.effects, at).unwrap();
    Ok((step.output, store))
}

/// Replays the server over `messages[..n]`, each claimed, then answered as recorded.
fn server_messages(c: &Value, store: &MemoryStore, n: usize) {
    let keys = server_keys();
    for m in &msgs(c)[..n] {
        let at = m["atMs"].as_u64().unwrap();
        let Outcome::Opened(opened) =
            open_with_store(&keys, store, &m["request"].to_string(), at).unwrap()
        else {
            panic!("{}: earlier message is fresh", c["name"])
        };
        assert_eq!(opened.plaintext().expose(), h(m, "requestPlaintext"));
        assert_eq!(hex_encode(opened.request_id()), s(m, "requestId"));
        let mut rng = respond_rng(m);
        let step = opened
            .respond(&h(m, "responsePlaintext"), &mut rng)
            .unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&step.output).unwrap(),
            m["response"],
            "{}",
            c["name"]
        );
        store.commit(&step.effects, at).unwrap();
    }
}

/// The client side: handshake with the recorded response, then messages `..n` as recorded.
fn client_messages(c: &Value, n: usize) -> Established {
    let (_, pending) = client_start(c);
    let mut session = pending.finish(&c["handshakeResponse"].to_string()).unwrap();
    for m in &msgs(c)[..n] {
        let (request, awaiting) = session
            .send(&h(m, "requestPlaintext"), &mut request_rng(m))
            .unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&request).unwrap(),
            m["request"]
        );
        let (reply, next) = awaiting.receive(&m["response"].to_string()).unwrap();
        assert_eq!(reply.expose(), h(m, "responsePlaintext"));
        session = next;
    }
    session
}

#[test]
fn positive_cases_replay() {
    let mut n = 0;
    for c in cases().iter().filter(|c| c.get("expectedError").is_none()) {
        n += 1;
        let name = &c["name"];
        check_server_key(c);
        let device_id = s(c, "deviceId");
        // Client request: randomized OAEP, checked by decrypting to P_c.
        let client_primary = PrimaryKey::from_bytes(
            &SecretKey32::from_slice(&h(c, "clientPrimaryPrivate")).unwrap(),
        )
        .unwrap();
        let (request, _) = client_start(c);
        let request: Value = serde_json::from_str(&request).unwrap();
        assert_eq!(request["clientNonce"], c["handshakeRequest"]["clientNonce"]);
        assert_eq!(request["deviceId"], c["handshakeRequest"]["deviceId"]);
        let mut rng = then_rng::<&[u8]>(&[]);
        for req in [&request, &c["handshakeRequest"]] {
            let pc = server_rsa()
                .oaep_sha256_decrypt(
                    &b64_decode(req["publicKeyPrimary"].as_str().unwrap()).unwrap(),
                    &mut rng,
                )
                .unwrap();
            assert_eq!(pc.expose(), client_primary.public_bytes(), "{name}");
        }

        // Server handshake: everything but the PSS signature recomputes exactly.
        let server_primary = server_primary_key(
            &h(c, "serverEntropy"),
            &h(c, "handshakeNonce").try_into().unwrap(),
        )
        .unwrap();
        assert_eq!(
            server_primary.to_bytes().expose().to_vec(),
            h(c, "serverPrimaryPrivate")
        );
        let (response, store) = server_handshake(c).unwrap();
        let mine = HandshakeResponse::from_json(&response).unwrap();
        let theirs = HandshakeResponse::from_json(&c["handshakeResponse"].to_string()).unwrap();
        assert_eq!(mine.public_key_primary, theirs.public_key_primary);
        assert_eq!(mine.public_key_primary, server_primary.public_bytes());
        assert_eq!(mine.public_key_ephemeral, theirs.public_key_ephemeral);
        assert_eq!(
            theirs.public_key_ephemeral,
            derive::x25519_public(
                &SecretKey32::from_slice(&h(c, "serverEphemeralPrivate")).unwrap()
            )
        );
        assert_eq!(mine.kid.as_str(), s(c, "kid"));
        assert_eq!(theirs.kid.as_str(), s(c, "kid"));
        assert_eq!(store.len(), 4, "device, session, eph, last");

        // Intermediates.
        let ss_p = derive::primary_secret(
            &client_primary,
            &parse_primary_public(&theirs.public_key_primary).unwrap(),
        );
        assert_eq!(ss_p.expose().to_vec(), h(c, "primarySecret"));
        assert_eq!(
            derive::primary_secret(
                &server_primary,
                &parse_primary_public(&client_primary.public_bytes()).unwrap()
            ),
            ss_p
        );
        let wrap_key = derive::wrap_key(device_id, &ss_p).unwrap();
        assert_eq!(wrap_key.expose().to_vec(), h(c, "wrapKey"));

        // Both the recorded and our fresh signature verify (client finish).
        let (_, pending) = client_start(c);
        pending.finish(&response).unwrap();

        // Messages: client requests and server responses recompute byte for byte.
        let mut server_ephemeral = h(c, "serverEphemeralPrivate");
        for (i, m) in msgs(c).iter().enumerate() {
            let e_c = SecretKey32::from_slice(&h(m, "clientEphemeralPrivate")).unwrap();
            let e_s = SecretKey32::from_slice(&server_ephemeral).unwrap();
            let ss_e = derive::x25519(&e_c, &derive::x25519_public(&e_s)).unwrap();
            assert_eq!(
                ss_e,
                derive::x25519(&e_s, &derive::x25519_public(&e_c)).unwrap()
            );
            assert_eq!(
                ss_e.expose().to_vec(),
                h(m, "ephemeralSecret"),
                "{name} #{i}"
            );
            let k_m = derive::message_key(device_id, &ss_p, &ss_e).unwrap();
            assert_eq!(k_m.expose().to_vec(), h(m, "messageKey"), "{name} #{i}");
            let parsed = ProcessRequest::from_json(&m["request"].to_string()).unwrap();
            assert_eq!(hex_encode(&parsed.request_id().unwrap()), s(m, "requestId"));
            assert_eq!(s(&m["response"], "kid"), s(m, "nextKid"));
            server_ephemeral = h(m, "nextServerEphemeralPrivate");
        }
        server_messages(c, &store, msgs(c).len());
        let session = client_messages(c, msgs(c).len());
        assert_eq!(
            session.kid().as_str(),
            s(msgs(c).last().unwrap(), "nextKid")
        );
        assert!(msgs(c).len() >= 3);
    }
    assert_eq!(n, 2);
}

fn expect(c: &Value, got: sealwright::Result<impl std::fmt::Debug>) {
    let err = got.expect_err(&format!("{} must fail", c["name"]));
    assert_eq!(err.code(), s(c, "expectedError"), "{}", c["name"]);
}

#[test]
fn negative_cases_replay() {
    let mut counts = std::collections::BTreeMap::new();
    for c in cases().iter().filter(|c| c.get("expectedError").is_some()) {
        check_server_key(c);
        let op = s(c, "operation");
        *counts.entry(op.to_string()).or_insert(0) += 1;
        match op {
            "serverHandshake" => expect(c, server_handshake(c)),
            "clientHandshake" => {
                let (_, pending) = client_start(c);
                expect(c, pending.finish(&c["handshakeResponse"].to_string()));
            }
            "serverProcess" => {
                let (_, store) = server_handshake(c).unwrap();
                let n = msgs(c).len() - 1;
                server_messages(c, &store, n);
                let last = &msgs(c)[n];
                if let Some(j) = last.get("replayOf") {
                    let j = j.as_u64().unwrap() as usize;
                    assert!(j < n);
                    assert_eq!(last["request"]["kid"], msgs(c)[j]["request"]["kid"]);
                }
                expect(
                    c,
                    open_with_store(
                        &server_keys(),
                        &store,
                        &last["request"].to_string(),
                        last["atMs"].as_u64().unwrap(),
                    ),
                );
            }
            "clientProcess" => {
                let n = msgs(c).len() - 1;
                let session = client_messages(c, n);
                let m = &msgs(c)[n];
                let (request, awaiting) = session
                    .send(&h(m, "requestPlaintext"), &mut request_rng(m))
                    .unwrap();
                assert_eq!(
                    serde_json::from_str::<Value>(&request).unwrap(),
                    m["request"]
                );
                expect(c, awaiting.receive(&m["response"].to_string()));
            }
            other => panic!("unknown operation {other}"),
        }
    }
    assert!(counts["serverHandshake"] >= 3, "{counts:?}");
    assert!(counts["clientHandshake"] >= 2, "{counts:?}");
    assert!(counts["serverProcess"] >= 8, "{counts:?}");
    assert!(counts["clientProcess"] >= 3, "{counts:?}");
}

#[test]
fn every_spec_error_of_the_section_is_covered() {
    let codes: std::collections::BTreeSet<&str> = cases()
        .iter()
        .filter_map(|c| c["expectedError"].as_str())
        .collect();
    for code in [
        "DECRYPTION_FAILED",
        "INVALID_KEY",
        "UNSUPPORTED_VERSION",
        "INVALID_INPUT",
        "BAD_SIGNATURE",
        "SESSION_EXPIRED",
        "UNKNOWN_KID",
        "KID_ROTATED",
        "LOW_ORDER_POINT",
        "DEVICE_MISMATCH",
    ] {
        assert!(codes.contains(code), "{code}");
    }
}

#[test]
fn a_server_entropy_under_32_bytes_is_refused() {
    let c = &cases()[0];
    let err = sealwright::handshake::server::ServerKeys::new(
        server_rsa().clone(),
        SecretVec::from_slice(&h(c, "serverEntropy")[..31]),
        &SecretKey32::new([1; 32]),
    )
    .unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
}
