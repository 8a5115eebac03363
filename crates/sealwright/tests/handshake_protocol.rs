//! Protocol tests for spec §2: wire bytes, effects and their order, retries and rotation,
//! session end, check order, stored records, pickles and Debug redaction.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "handshake_common.rs"]
mod common;

use common::{Harness, NOW_MS, open_with_store, server_keys, server_rsa};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::Error;
use sealwright::effect::{Effect, StoredRecord, key_tag, tag};
use sealwright::encoding::hex_encode;
use sealwright::handshake::server::{self, HandshakeRecords, Outcome, Records};
use sealwright::handshake::store::{
    self, ClaimRecord, DeviceRecord, EphRecord, EphState, LastRecord, RetryRecord, SessionRecord,
};
use sealwright::handshake::wire::ProcessRequest;
use sealwright::handshake::{Client, Established, Kid, PrimaryKey};
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::{SecretKey32, SecretVec};

const DAY_MS: u64 = 86_400_000;

fn ttl(e: &Effect) -> Option<u64> {
    e.ttl_seconds()
}

fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

/// The handshake step over the records loaded from the harness store, not committed.
fn handshake_step(
    hs: &mut Harness,
    request: &str,
    now_ms: u64,
) -> sealwright::effect::Step<String> {
    let store = &hs.store;
    server::handshake_with(
        &hs.keys,
        request,
        |k| store.get(k, now_ms),
        now_ms,
        &mut hs.rng,
    )
    .unwrap()
}

#[test]
fn wire_messages_are_compact_json_in_spec_member_order() {
    let mut hs = Harness::new("dev-wire", 1);
    let client = Client::new("dev-wire", hs.primary.clone(), hs.keys.public_key()).unwrap();
    let (request, pending) = client.start(&mut hs.rng).unwrap();
    assert!(request.starts_with(r#"{"v":1,"deviceId":"dev-wire","clientNonce":""#));
    assert!(request.contains(r#"","publicKeyPrimary":""#));
    assert!(!request.contains(' '));
    let response =
        common::handshake_with_store(&hs.keys, &hs.store, &request, NOW_MS, &mut hs.rng).unwrap();
    let keys: Vec<&str> = response
        .split('"')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s)
        .filter(|s| {
            [
                "v",
                "publicKeyPrimary",
                "publicKeyEphemeral",
                "kid",
                "signature",
            ]
            .contains(s)
        })
        .collect();
    assert_eq!(
        keys,
        [
            "v",
            "publicKeyPrimary",
            "publicKeyEphemeral",
            "kid",
            "signature"
        ]
    );
    assert!(response.starts_with(r#"{"v":1,"publicKeyPrimary":""#));
    let session = pending.finish(&response).unwrap();
    let (request, _) = session.send(b"x", &mut hs.rng).unwrap();
    assert!(request.starts_with(&format!(
        r#"{{"v":1,"deviceId":"dev-wire","kid":"{}","publicKeyEphemeral":""#,
        hs.store
            .keys()
            .iter()
            .find_map(|k| k.split(":eph:").nth(1))
            .unwrap()
    )));
    assert!(request.contains(r#"","data":""#) && request.ends_with("\"}"));
    let p = ProcessRequest::from_json(&request).unwrap();
    assert_eq!(p.public_key_ephemeral.len(), 60);
    assert_eq!(p.data.len(), 12 + 1 + 16);
}

#[test]
fn handshake_effects_in_spec_order_and_a_new_handshake_deletes_the_old_kid() {
    let mut hs = Harness::new("dev-effects", 2);
    let t = tag("dev-effects");
    let client = Client::new("dev-effects", hs.primary.clone(), hs.keys.public_key()).unwrap();
    let (request, pending) = client.clone().start(&mut hs.rng).unwrap();
    let step = handshake_step(&mut hs, &request, NOW_MS);
    hs.store.commit(&step.effects, NOW_MS).unwrap();
    let first = pending.finish(&step.output).unwrap();
    let kid1 = first.kid().clone();
    let got: Vec<(&str, &str, Option<u64>)> = step
        .effects
        .iter()
        .map(|e| (e.key(), e.op.name(), ttl(e)))
        .collect();
    assert_eq!(
        got,
        [
            (
                format!("sw:v1:hs:{t}:device").as_str(),
                "put_if_absent",
                None
            ),
            (&format!("sw:v1:hs:{t}:session"), "put", Some(86_400)),
            (&format!("sw:v1:hs:{t}:eph:{kid1}"), "put", Some(86_400)),
            (&format!("sw:v1:hs:{t}:last"), "put_if_absent", Some(86_400)),
        ]
    );
    let device = DeviceRecord::open(
        hs.keys.sealer(),
        &store::device_key("dev-effects"),
        step.effects[0].value().unwrap(),
    )
    .unwrap();
    assert_eq!(device.client_primary, hs.primary.public_bytes());

    // A second handshake: device and last conditional on the loaded values, the old eph
    // deleted.
    let loaded_device = hs
        .store
        .get(&store::device_key("dev-effects"), NOW_MS)
        .unwrap();
    let loaded_last = hs
        .store
        .get(&store::last_key("dev-effects"), NOW_MS)
        .unwrap();
    let (request, pending) = client.start(&mut hs.rng).unwrap();
    let step = handshake_step(&mut hs, &request, NOW_MS + 5_000);
    hs.store.commit(&step.effects, NOW_MS + 5_000).unwrap();
    let second = pending.finish(&step.output).unwrap();
    let effects = &step.effects;
    assert_eq!(effects.len(), 5);
    assert_eq!(effects[0].op.name(), "put_if_equal");
    assert_eq!(effects[0].expected(), Some(loaded_device.as_slice()));
    assert_eq!(
        effects[3],
        Effect::delete(format!("sw:v1:hs:{t}:eph:{kid1}"))
    );
    assert_eq!(effects[4].key(), format!("sw:v1:hs:{t}:last"));
    assert_eq!(effects[4].op.name(), "put_if_equal");
    assert_eq!(effects[4].expected(), Some(loaded_last.as_slice()));
    // The old session is over at once; the new one works.
    let (old_request, _) = first.send(b"old", &mut hs.rng).unwrap();
    assert_eq!(
        hs.serve(&old_request, b"", NOW_MS + 6_000).unwrap_err(),
        Error::UnknownKid
    );
    let (request, awaiting) = second.send(b"new", &mut hs.rng).unwrap();
    let response = hs.serve(&request, b"ok", NOW_MS + 6_000).unwrap();
    assert_eq!(awaiting.receive(&response).unwrap().0.expose(), b"ok");
}

#[test]
fn two_racing_handshakes_of_one_device_never_both_commit() {
    // Both load the same (empty) records; the first commit wins, the second fails its
    // conditions on device and last and, rerun, deletes the winner's kid.
    let mut hs = Harness::new("dev-race-hs", 22);
    let client = Client::new("dev-race-hs", hs.primary.clone(), hs.keys.public_key()).unwrap();
    let (r1, p1) = client.clone().start(&mut hs.rng).unwrap();
    let (r2, p2) = client.start(&mut hs.rng).unwrap();
    let s1 = handshake_step(&mut hs, &r1, NOW_MS);
    let s2 = handshake_step(&mut hs, &r2, NOW_MS);
    hs.store.commit(&s1.effects, NOW_MS).unwrap();
    assert_eq!(hs.store.commit(&s2.effects, NOW_MS), Err(Error::Conflict));
    let first = p1.finish(&s1.output).unwrap();
    let response =
        common::handshake_with_store(&hs.keys, &hs.store, &r2, NOW_MS, &mut hs.rng).unwrap();
    let second = p2.finish(&response).unwrap();
    let eph_keys: Vec<String> = hs
        .store
        .keys()
        .into_iter()
        .filter(|k| k.contains(":eph:"))
        .collect();
    assert_eq!(eph_keys, [store::eph_key("dev-race-hs", second.kid())]);
    let (old, _) = first.send(b"x", &mut hs.rng).unwrap();
    assert_eq!(hs.serve(&old, b"", NOW_MS).unwrap_err(), Error::UnknownKid);
}

#[test]
fn open_and_respond_effects_rotation_ttls_and_order() {
    let mut hs = Harness::new("dev-rot", 3);
    let t = tag("dev-rot");
    let session = hs.handshake(NOW_MS);
    let kid = session.kid().clone();
    let (request, awaiting) = session.send(b"hello", &mut hs.rng).unwrap();
    let names = server::process_store_keys(&request).unwrap();
    let eph_loaded = hs.store.get(&names.eph, NOW_MS).unwrap();
    let last_loaded = hs.store.get(&names.last, NOW_MS).unwrap();
    let store = &hs.store;
    let step = server::open_with(
        &hs.keys,
        &request,
        |k| store.get(k, NOW_MS + 1),
        NOW_MS + 1,
        &mut rng(1),
    )
    .unwrap();
    // The claim: require_equal(eph[kid]) and put_if_absent(claim[kid], request_id, 30 s).
    let request_id = ProcessRequest::from_json(&request)
        .unwrap()
        .request_id()
        .unwrap();
    assert_eq!(step.effects.len(), 2);
    assert_eq!(
        step.effects[0],
        Effect::require_equal(names.eph.clone(), eph_loaded.clone())
    );
    assert_eq!(step.effects[1].key(), format!("sw:v1:hs:{t}:claim:{kid}"));
    assert_eq!(step.effects[1].op.name(), "put_if_absent");
    assert_eq!(step.effects[1].ttl_seconds(), Some(30));
    let claim_value = step.effects[1].value().unwrap().to_vec();
    assert_eq!(
        ClaimRecord::open(hs.keys.sealer(), &names.claim, &claim_value)
            .unwrap()
            .request_id,
        request_id
    );
    hs.store.commit(&step.effects, NOW_MS + 1).unwrap();
    let Outcome::Opened(opened) = step.output else {
        panic!()
    };
    assert_eq!(opened.device_id(), "dev-rot");
    assert_eq!(opened.kid(), &kid);
    assert_eq!(opened.request_id(), &request_id);
    assert_eq!(opened.retry_key(), names.retry);
    let step = opened.respond(b"world", &mut hs.rng).unwrap();
    let (response, effects) = (step.output, step.effects);
    let (reply, next) = awaiting.receive(&response).unwrap();
    assert_eq!(reply.expose(), b"world");
    let next_kid = next.kid().clone();
    assert_ne!(next_kid, kid);
    type Row<'a> = (String, &'a str, Option<u64>, Option<&'a [u8]>);
    let got: Vec<Row<'_>> = effects
        .iter()
        .map(|e| (e.key().to_string(), e.op.name(), ttl(e), e.expected()))
        .collect();
    assert_eq!(
        got,
        [
            (
                format!("sw:v1:hs:{t}:eph:{next_kid}"),
                "put",
                Some(86_400),
                None
            ),
            (
                format!("sw:v1:hs:{t}:eph:{kid}"),
                "put_if_equal",
                Some(300),
                Some(eph_loaded.as_slice())
            ),
            (
                format!("sw:v1:hs:{t}:retry:{}", hex_encode(&request_id)),
                "put",
                Some(300),
                None
            ),
            (
                format!("sw:v1:hs:{t}:last"),
                "put_if_equal",
                Some(86_400),
                Some(last_loaded.as_slice())
            ),
            (
                format!("sw:v1:hs:{t}:claim:{kid}"),
                "delete_if_equal",
                None,
                Some(claim_value.as_slice())
            ),
        ]
    );
    // The used eph record keeps only the request id: e_s is erased.
    let sealer = hs.keys.sealer();
    let used = EphRecord::open(sealer, &names.eph, effects[1].value().unwrap()).unwrap();
    assert!(matches!(used.state, EphState::Used(id) if id == request_id));
    assert_eq!(
        RetryRecord::open(sealer, &names.retry, effects[2].value().unwrap())
            .unwrap()
            .response,
        response
    );
    assert_eq!(
        LastRecord::open(sealer, &names.last, effects[3].value().unwrap())
            .unwrap()
            .kid,
        next_kid
    );
    hs.store.commit(&effects, NOW_MS + 2).unwrap();
    assert!(
        hs.store.get(&names.claim, NOW_MS + 2).is_none(),
        "the claim is released"
    );
    // A respond is never rerun: committing the same effects again fails.
    assert_eq!(hs.store.commit(&effects, NOW_MS + 3), Err(Error::Conflict));
}

#[test]
fn dropped_responses_retries_rotation_and_rehandshake() {
    let mut hs = Harness::new("dev-retry", 4);
    let mut session = hs.handshake(NOW_MS);
    let mut t = NOW_MS;
    for i in 0..3u8 {
        t += 10_000;
        let old_kid = session.kid().clone();
        let (request, awaiting) = session.clone().send(&[i; 5], &mut hs.rng).unwrap();
        // First answer is dropped on the way back.
        let first = hs.serve(&request, &[i, i], t).unwrap();
        // The byte-identical retry (from the pending state) gets the same response, twice,
        // without business logic (no new effects, the store is unchanged).
        let before: Vec<String> = hs.store.keys();
        for dt in [1_000, 299_000] {
            match open_with_store(&hs.keys, &hs.store, awaiting.request(), t + dt).unwrap() {
                Outcome::Retry(again) => assert_eq!(again, first),
                Outcome::Opened(_) => panic!("a retry must not run business logic again"),
            }
        }
        assert_eq!(hs.store.keys(), before);
        // Other bytes under the same (now used) kid fork nothing: KID_ROTATED.
        let (other, _) = session.clone().send(b"other", &mut hs.rng).unwrap();
        assert_eq!(
            open_with_store(&hs.keys, &hs.store, &other, t + 2_000).unwrap_err(),
            Error::KidRotated
        );
        let (reply, next) = awaiting.receive(&first).unwrap();
        assert_eq!(reply.expose(), &[i, i]);
        assert_ne!(next.kid(), &old_kid);
        session = next;
    }
    // After the 300 s grace the used kid is gone: the identical bytes are an unknown kid.
    let (request, awaiting) = session.clone().send(b"late", &mut hs.rng).unwrap();
    let response = hs.serve(&request, b"r", t + 20_000).unwrap();
    assert_eq!(
        open_with_store(&hs.keys, &hs.store, &request, t + 20_000 + 300_000).unwrap_err(),
        Error::UnknownKid
    );
    let (_, session) = awaiting.receive(&response).unwrap();

    // A re-handshake ends the old session at once, including a kid still in its grace.
    let (request_in_grace, _) = session.clone().send(b"g", &mut hs.rng).unwrap();
    let _ = hs.serve(&request_in_grace, b"g", t + 30_000).unwrap();
    let fresh = hs.handshake(t + 31_000);
    assert_eq!(
        open_with_store(&hs.keys, &hs.store, &request_in_grace, t + 32_000).unwrap_err(),
        Error::UnknownKid,
        "a retry of the old session after a re-handshake"
    );
    let (request, awaiting) = fresh.send(b"after", &mut hs.rng).unwrap();
    let response = hs.serve(&request, b"fine", t + 33_000).unwrap();
    assert_eq!(awaiting.receive(&response).unwrap().0.expose(), b"fine");
}

#[test]
fn a_retry_whose_stored_response_is_gone_is_kid_rotated() {
    let mut hs = Harness::new("dev-gone", 5);
    let session = hs.handshake(NOW_MS);
    let (request, _) = session.send(b"q", &mut hs.rng).unwrap();
    hs.serve(&request, b"a", NOW_MS + 1).unwrap();
    let names = server::process_store_keys(&request).unwrap();
    hs.store
        .commit(&[Effect::delete(names.retry)], NOW_MS + 2)
        .unwrap();
    assert_eq!(
        open_with_store(&hs.keys, &hs.store, &request, NOW_MS + 3).unwrap_err(),
        Error::KidRotated
    );
}

#[test]
fn session_expiry_is_exact_and_is_checked_first() {
    let mut hs = Harness::new("dev-exp", 6);
    let session = hs.handshake(NOW_MS);
    let (request, _) = session.send(b"q", &mut hs.rng).unwrap();
    let names = server::process_store_keys(&request).unwrap();
    // The records are handed in directly, as if the store kept them longer than their TTL.
    let session_v = hs.store.get(&names.session, NOW_MS).unwrap().to_vec();
    let eph_v = hs.store.get(&names.eph, NOW_MS).unwrap().to_vec();
    let records = Records {
        session: Some(session_v.clone()),
        eph: Some(eph_v.clone()),
        ..Records::default()
    };
    let open =
        |records: Records, now: u64| server::open(&hs.keys, &request, records, now, &mut rng(2));
    assert!(open(records.clone(), NOW_MS + DAY_MS - 1).is_ok());
    assert_eq!(
        open(records.clone(), NOW_MS + DAY_MS).unwrap_err(),
        Error::SessionExpired
    );
    // Session missing comes before the kid check; eph missing is UNKNOWN_KID.
    let no_session = Records {
        session: None,
        ..records.clone()
    };
    assert_eq!(open(no_session, NOW_MS).unwrap_err(), Error::SessionExpired);
    let no_eph = Records {
        eph: None,
        ..records
    };
    assert_eq!(open(no_eph, NOW_MS).unwrap_err(), Error::UnknownKid);
    // Through the store: the TTL expires the records too.
    assert_eq!(
        open_with_store(&hs.keys, &hs.store, &request, NOW_MS + DAY_MS).unwrap_err(),
        Error::SessionExpired
    );
}

#[test]
fn a_kid_of_another_device_is_unknown() {
    let mut a = Harness::new("dev-a", 7);
    let session_a = a.handshake(NOW_MS);
    // Device b handshakes against the same store.
    let mut b = Harness::new("dev-b", 8);
    b.store = a.store.clone();
    let session_b = b.handshake(NOW_MS);
    let store = b.store.clone();
    // b sends to a's kid: its session exists, the kid is a's.
    let (request_b, _) = session_b.send(b"b", &mut b.rng).unwrap();
    let mut forged = ProcessRequest::from_json(&request_b).unwrap();
    forged.kid = session_a.kid().clone();
    assert_eq!(
        open_with_store(&b.keys, &store, &forged.to_json().unwrap(), NOW_MS + 1).unwrap_err(),
        Error::UnknownKid
    );
}

#[test]
fn low_order_server_ephemeral_is_refused_by_the_client() {
    // A pickled state with E_s = 0 (a malicious server) cannot send: LOW_ORDER_POINT.
    let mut hs = Harness::new("dev-low", 9);
    let session = hs.handshake(NOW_MS);
    let key = SecretKey32::new([1; 32]);
    let pickle = session.pickle(&key, &mut hs.rng).unwrap();
    let mut state = sealwright::crypto::pickle_open(
        &key,
        sealwright::crypto::PickleKind::HandshakeClient,
        &pickle,
    )
    .unwrap()
    .expose()
    .to_vec();
    let n = state.len();
    state[n - 32..].fill(0);
    let bad = sealwright::crypto::pickle_seal(
        &key,
        sealwright::crypto::PickleKind::HandshakeClient,
        &state,
        &mut hs.rng,
    )
    .unwrap();
    let bad = Established::unpickle(&key, &bad).unwrap();
    assert_eq!(
        bad.send(b"x", &mut hs.rng).unwrap_err(),
        Error::LowOrderPoint
    );
}

#[test]
fn stored_records_are_sealed_per_key_and_versioned() {
    let mut hs = Harness::new("dev-store", 10);
    let session = hs.handshake(NOW_MS);
    let sealer = hs.keys.sealer().clone();
    let session_key = store::session_key("dev-store");
    let sealed = hs.store.get(&session_key, NOW_MS).unwrap().to_vec();
    assert_eq!(sealed[0], 0, "storage key id 0");
    // Opens under its key only.
    let record = SessionRecord::open(&sealer, &session_key, &sealed).unwrap();
    assert_eq!(record.created_ms, NOW_MS);
    assert_eq!(
        SessionRecord::open(&sealer, &store::session_key("dev-other"), &sealed).unwrap_err(),
        Error::DecryptionFailed
    );
    // A session record moved to another device's key does not open there: SESSION_EXPIRED
    // is not reached, DECRYPTION_FAILED is reported.
    let (request, _) = session.send(b"q", &mut hs.rng).unwrap();
    let names = server::process_store_keys(&request).unwrap();
    let eph = hs.store.get(&names.eph, NOW_MS).unwrap().to_vec();
    let records = Records {
        session: Some(eph.clone()),
        eph: Some(eph.clone()),
        ..Records::default()
    };
    assert_eq!(
        server::open(&hs.keys, &request, records, NOW_MS, &mut rng(3)).unwrap_err(),
        Error::DecryptionFailed
    );
    // Versions and layouts.
    let mut bytes = record.to_bytes().unwrap().expose().to_vec();
    assert_eq!(bytes[0], 1);
    bytes[0] = 2;
    assert_eq!(
        SessionRecord::from_bytes(&bytes).unwrap_err(),
        Error::UnsupportedVersion
    );
    bytes[0] = 1;
    bytes.push(0);
    assert_eq!(
        SessionRecord::from_bytes(&bytes).unwrap_err(),
        Error::InvalidInput
    );
    assert_eq!(
        SessionRecord::from_bytes(&[]).unwrap_err(),
        Error::InvalidInput
    );
    let eph_record = EphRecord {
        device_id: "d".into(),
        session_nonce: [3; 32],
        state: EphState::Live(SecretKey32::new([4; 32])),
    };
    let back = EphRecord::from_bytes(eph_record.to_bytes().unwrap().expose()).unwrap();
    assert_eq!(back.device_id, "d");
    // The store dump holds no secret: neither SS_p nor any private key appears in it.
    let secret_hex = hex_encode(record.primary_secret.expose());
    for k in hs.store.keys() {
        let v = hs.store.get(&k, NOW_MS).unwrap();
        assert!(!hex_encode(&v).contains(&secret_hex));
        assert!(
            !v.windows(32)
                .any(|w| w == record.primary_secret.expose().as_slice())
        );
    }
}

#[test]
fn pickle_round_trip_and_failures() {
    let mut hs = Harness::new("dev-pickle", 11);
    let session = hs.handshake(NOW_MS);
    let key = SecretKey32::new([0x33; 32]);
    let pickle = session.pickle(&key, &mut hs.rng).unwrap();
    let restored = Established::unpickle(&key, &pickle).unwrap();
    assert_eq!(restored.kid(), session.kid());
    assert_eq!(restored.device_id(), "dev-pickle");
    assert_eq!(restored.server_ephemeral(), session.server_ephemeral());
    // The restored client talks to the server.
    let (request, awaiting) = restored.send(b"from pickle", &mut hs.rng).unwrap();
    let response = hs.serve(&request, b"yes", NOW_MS + 1).unwrap();
    assert_eq!(awaiting.receive(&response).unwrap().0.expose(), b"yes");
    // Wrong key, wrong kind, tampering, bad base64.
    assert_eq!(
        Established::unpickle(&SecretKey32::new([0x34; 32]), &pickle).unwrap_err(),
        Error::DecryptionFailed
    );
    let vault_kind = sealwright::crypto::pickle_seal(
        &key,
        sealwright::crypto::PickleKind::Vault,
        b"x",
        &mut hs.rng,
    )
    .unwrap();
    assert_eq!(
        Established::unpickle(&key, &vault_kind).unwrap_err(),
        Error::DecryptionFailed
    );
    assert_eq!(
        Established::unpickle(&key, &format!("{pickle}=")).unwrap_err(),
        Error::InvalidInput
    );
    // An unknown state version.
    let mut state = vec![2u8];
    state.extend_from_slice(&[0, 1, b'd']);
    let v2 = sealwright::crypto::pickle_seal(
        &key,
        sealwright::crypto::PickleKind::HandshakeClient,
        &state,
        &mut hs.rng,
    )
    .unwrap();
    assert_eq!(
        Established::unpickle(&key, &v2).unwrap_err(),
        Error::UnsupportedVersion
    );
}

#[test]
fn client_construction_checks() {
    let mut rng = ChaCha20Rng::from_seed([12; 32]);
    let pk = server_rsa().public_key();
    let primary = PrimaryKey::generate(&mut rng);
    for bad in ["", "a\u{0}b", "tab\t", &"x".repeat(129)] {
        assert_eq!(
            Client::new(bad, primary.clone(), pk.clone()).unwrap_err(),
            Error::InvalidInput
        );
    }
    let small = RsaPrivateKey::generate(2048, &mut rng).unwrap();
    assert_eq!(
        Client::new("d", primary.clone(), small.public_key()).unwrap_err(),
        Error::KeyRejected
    );
    assert_eq!(
        server::ServerKeys::new(
            small,
            SecretVec::from_slice(&[1; 32]),
            &SecretKey32::zeroed()
        )
        .unwrap_err(),
        Error::KeyRejected
    );
    assert!(Kid::parse("0123456789abcdef0123456789abcdeF").is_err());
    assert!(Kid::parse("0123456789abcdef0123456789abcde").is_err());
}

#[test]
fn a_rejected_response_leaves_the_client_usable() {
    let mut hs = Harness::new("dev-keep", 13);
    let session = hs.handshake(NOW_MS);
    let (request, awaiting) = session.send(b"q", &mut hs.rng).unwrap();
    let response = hs.serve(&request, b"a", NOW_MS + 1).unwrap();
    let mut tampered: serde_json::Value = serde_json::from_str(&response).unwrap();
    tampered["data"] = serde_json::Value::String("A".repeat(40));
    assert_eq!(
        awaiting.receive(&tampered.to_string()).unwrap_err(),
        Error::DecryptionFailed
    );
    // Resend the same bytes: the idempotent retry returns the genuine response.
    let again = hs
        .serve(awaiting.request(), b"ignored", NOW_MS + 2)
        .unwrap();
    assert_eq!(again, response);
    assert_eq!(awaiting.receive(&again).unwrap().0.expose(), b"a");
}

#[test]
fn debug_output_never_contains_secrets() {
    let mut hs = Harness::new("dev-debug", 14);
    let primary_hex = hex_encode(hs.primary.to_bytes().expose());
    let client = Client::new("dev-debug", hs.primary.clone(), hs.keys.public_key()).unwrap();
    let (request, pending) = client.clone().start(&mut hs.rng).unwrap();
    let step = handshake_step(&mut hs, &request, NOW_MS);
    hs.store.commit(&step.effects, NOW_MS).unwrap();
    let (response, effects) = step.into_parts();
    let session = pending.finish(&response).unwrap();
    let sealer = hs.keys.sealer().clone();
    let session_record = SessionRecord::open(
        &sealer,
        &store::session_key("dev-debug"),
        &hs.store
            .get(&store::session_key("dev-debug"), NOW_MS)
            .unwrap(),
    )
    .unwrap();
    let ss_p = hex_encode(session_record.primary_secret.expose());
    let eph_record = EphRecord::open(
        &sealer,
        &store::eph_key("dev-debug", session.kid()),
        &hs.store
            .get(&store::eph_key("dev-debug", session.kid()), NOW_MS)
            .unwrap(),
    )
    .unwrap();
    let EphState::Live(e_s) = &eph_record.state else {
        panic!()
    };
    let e_s_hex = hex_encode(e_s.expose());
    let entropy_hex = hex_encode(&common::h(&common::cases()[0], "serverEntropy"));
    let wrap_hex = hex_encode(
        sealwright::handshake::derive::wrap_key("dev-debug", &session_record.primary_secret)
            .unwrap()
            .expose(),
    );
    let (request, awaiting) = session
        .clone()
        .send(b"top secret text", &mut hs.rng)
        .unwrap();
    let Outcome::Opened(opened) =
        open_with_store(&hs.keys, &hs.store, &request, NOW_MS + 1).unwrap()
    else {
        panic!()
    };
    let secrets = [
        primary_hex.as_str(),
        ss_p.as_str(),
        e_s_hex.as_str(),
        entropy_hex.as_str(),
        wrap_hex.as_str(),
        "top secret text",
    ];
    let printed = [
        format!("{:?}", hs.primary),
        format!("{client:?}"),
        format!("{session:?}"),
        format!("{awaiting:?}"),
        format!("{:?}", hs.keys),
        format!("{server_keys:?}", server_keys = server_keys()),
        format!("{session_record:?}"),
        format!("{eph_record:?}"),
        format!("{opened:?}"),
        format!("{effects:?}"),
        format!("{:?}", opened.plaintext()),
    ];
    let raw: Vec<Vec<u8>> = [&ss_p, &e_s_hex, &primary_hex]
        .iter()
        .map(|h| sealwright::encoding::hex_decode(h).unwrap())
        .collect();
    for p in &printed {
        for s in secrets {
            assert!(!p.contains(s), "{p} leaks {s}");
        }
        for r in &raw {
            assert!(!p.as_bytes().windows(r.len()).any(|w| w == r.as_slice()));
            // Also no decimal byte-array rendering of the secret.
            assert!(!p.contains(&format!("{:?}", &r[..8])));
        }
    }
    assert!(printed[0].contains("REDACTED"));
    assert!(printed[2].contains("REDACTED"));
    assert!(printed[8].contains("REDACTED"));
}

#[test]
fn handshake_store_keys_name_the_device_and_last_records() {
    let mut hs = Harness::new("dev-names", 15);
    let client = Client::new("dev-names", hs.primary.clone(), hs.keys.public_key()).unwrap();
    let (request, _) = client.start(&mut hs.rng).unwrap();
    let names = server::handshake_store_keys(&request).unwrap();
    let t = tag("dev-names");
    assert_eq!(names.device, format!("sw:v1:hs:{t}:device"));
    assert_eq!(names.last, format!("sw:v1:hs:{t}:last"));
    assert_eq!(
        server::handshake_store_keys("{}").unwrap_err(),
        Error::InvalidInput
    );
    // A `last` or `device` value that does not open is refused (no effects are returned).
    for records in [
        HandshakeRecords {
            last: Some(vec![0u8; 40]),
            ..HandshakeRecords::default()
        },
        HandshakeRecords {
            device: Some(vec![0u8; 40]),
            ..HandshakeRecords::default()
        },
    ] {
        let err = server::handshake(&hs.keys, &request, records, NOW_MS, &mut hs.rng).unwrap_err();
        assert_eq!(err, Error::DecryptionFailed);
    }
}

#[test]
fn every_step_touches_one_hash_tag() {
    let mut hs = Harness::new("dev-tag {x}", 16);
    let t = tag("dev-tag {x}");
    let client = Client::new("dev-tag {x}", hs.primary.clone(), hs.keys.public_key()).unwrap();
    let (request, pending) = client.clone().start(&mut hs.rng).unwrap();
    let mut all = Vec::new();
    let hs_step = handshake_step(&mut hs, &request, NOW_MS);
    hs.store.commit(&hs_step.effects, NOW_MS).unwrap();
    let session = pending.finish(&hs_step.output).unwrap();
    all.push(hs_step.effects);
    let (request, _) = session.send(b"q", &mut hs.rng).unwrap();
    let store = &hs.store;
    let open = server::open_with(
        &hs.keys,
        &request,
        |k| store.get(k, NOW_MS),
        NOW_MS,
        &mut rng(4),
    )
    .unwrap();
    hs.store.commit(&open.effects, NOW_MS).unwrap();
    all.push(open.effects);
    let Outcome::Opened(opened) = open.output else {
        panic!()
    };
    let respond = opened.respond(b"a", &mut hs.rng).unwrap();
    hs.store.commit(&respond.effects, NOW_MS).unwrap();
    all.push(respond.effects);
    let (request, _) = client.start(&mut hs.rng).unwrap();
    all.push(handshake_step(&mut hs, &request, NOW_MS).effects);
    let store = &hs.store;
    all.push(
        server::reenroll(&hs.keys, "dev-tag {x}", |k| store.get(k, NOW_MS))
            .unwrap()
            .effects,
    );
    for effects in &all {
        assert!(!effects.is_empty());
        for e in effects {
            assert_eq!(key_tag(e.key()), Some(t.as_str()), "{e:?}");
            assert!(e.key().starts_with(&format!("sw:v1:hs:{t}:")));
        }
    }
    // The device id does not appear in any key.
    assert!(hs.store.keys().iter().all(|k| !k.contains("dev-tag")));
}
