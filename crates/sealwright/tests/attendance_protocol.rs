//! Attendance protocol tests (spec §5): login and enrollment, wire layouts, the order of the
//! validation checks, RT from the server clock, the class session's effects, and redaction.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::Error;
use sealwright::attendance::login::*;
use sealwright::attendance::projector::{PayloadId, Projector};
use sealwright::attendance::round::*;
use sealwright::attendance::session::*;
use sealwright::attendance::totp::{Totp, TotpCode};
use sealwright::attendance::validate::{MetadataUpdate, open_response};
use sealwright::attendance::{Config, result_store_key, round_store_key};
use sealwright::crypto::{hkdf32, sha256};
use sealwright::effect::{Effect, MemoryStore, Op, StoreSealer};
use sealwright::encoding::{Reader, hex_encode};
use sealwright::secret::{SecretBytes, SecretKey32};

const T0: u64 = 1_768_204_800_000;
const SID: &str = "cs101:2026-01-12";

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::from_seed([42; 32])
}

fn login(user: &str, rng: &mut ChaCha20Rng) -> (SessionKeys, SessionKeys) {
    let (nonce, _) = LoginNonce::issue(&Config::default(), rng);
    let client = ClientLogin::start(user, nonce, rng).unwrap();
    let server = server_login(user, &nonce, &client.client_public(), rng).unwrap();
    (client.finish(&server.server_public).unwrap(), server.keys)
}

fn server_secret() -> SecretKey32 {
    SecretKey32::new([0x5e; 32])
}

/// One issued round 1 for `keys`, and an honest response received `rt` ms after a projection
/// 2 s after issue.
fn issued_and_answer(
    keys: &SessionKeys,
    rt: u64,
    rng: &mut ChaCha20Rng,
) -> (IssuedRound, ResponseEnvelope, u64, u64) {
    let round = issue_round(keys, &server_secret(), SID, 1, T0, rng).unwrap();
    let shown = T0 + 2_000;
    let received = shown + rt;
    let qr = try_qr(keys, &round.qr_text).unwrap();
    let env = respond(keys, &qr, received - 150, rng).unwrap();
    (round, env, shown, received)
}

#[test]
fn login_sides_agree_and_keys_follow_the_spec() {
    let mut rng = rng();
    let nonce = LoginNonce([3; 32]);
    let client = ClientLogin::start("alumno-1", nonce, &mut rng).unwrap();
    let c = client.client_public();
    let mut expected = b"sealwright/v1/attendance/login".to_vec();
    expected.extend_from_slice(&nonce.0);
    expected.extend_from_slice(&c);
    expected.extend_from_slice(&[0, 8]);
    expected.extend_from_slice(b"alumno-1");
    assert_eq!(client.challenge().unwrap(), sha256(&expected));
    let server = server_login("alumno-1", &nonce, &c, &mut rng).unwrap();
    let keys = client.finish(&server.server_public).unwrap();
    assert_eq!(keys.session_key(), server.keys.session_key());
    for (k, info) in [
        (keys.qr_key(), &b"sealwright/v1/attendance/qr"[..]),
        (keys.response_key(), b"sealwright/v1/attendance/response"),
        (keys.totp_u_key(), b"sealwright/v1/attendance/totp-u"),
    ] {
        assert_eq!(k, &hkdf32(&[], keys.session_key().expose(), info).unwrap());
    }
    // Another user id gives other keys from the same exchange inputs.
    let other = SessionKeys::from_session_key("alumno-2", keys.session_key().clone()).unwrap();
    assert_eq!(other.qr_key(), keys.qr_key()); // K_qr depends on session_key only
    // A low-order S is refused by the client.
    let client = ClientLogin::start("alumno-1", nonce, &mut rng).unwrap();
    assert_eq!(client.finish(&[0; 32]).unwrap_err(), Error::LowOrderPoint);
    assert_eq!(
        ClientLogin::start("bad\nid", nonce, &mut rng).unwrap_err(),
        Error::InvalidInput
    );
}

#[test]
fn login_effects_spend_the_nonce_and_store_the_sealed_key() {
    let mut rng = rng();
    let config = Config::default();
    let sealer = StoreSealer::new(&SecretKey32::new([1; 32])).unwrap();
    let (nonce, put) = LoginNonce::issue(&config, &mut rng);
    let store = MemoryStore::new();
    store.commit(std::slice::from_ref(&put), T0).unwrap();
    let key = format!("sw:v1:att:login:{}", hex_encode(&nonce.0));
    assert!(store.get(&key, T0 + 299_999).is_some());
    assert!(store.get(&key, T0 + 300_000).is_none());
    let client = ClientLogin::start("alumno-1", nonce, &mut rng).unwrap();
    let server = server_login("alumno-1", &nonce, &client.client_public(), &mut rng).unwrap();
    let effects = server.effects(&nonce, &sealer, &config, &mut rng).unwrap();
    store.commit(&effects, T0).unwrap();
    assert!(store.get(&key, T0).is_none(), "nonce spent");
    match &effects[1] {
        Effect {
            key,
            op: Op::Put { value, ttl_seconds },
            ..
        } => {
            assert_eq!(*ttl_seconds, Some(7_200));
            assert!(
                !value
                    .windows(32)
                    .any(|w| w == server.keys.session_key().expose())
            );
            let back = SessionKeys::open_stored(&sealer, "alumno-1", value).unwrap();
            assert_eq!(back.session_key(), server.keys.session_key());
            assert!(key.starts_with("sw:v1:att:skey:"));
            assert!(SessionKeys::open_stored(&sealer, "alumno-2", value).is_err());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn enrollment_record_and_not_enrolled() {
    let mut rng = rng();
    let cred = [0xc1; 20];
    let aaguid = [0xaa; 16];
    let cose = b"\xa5\x01\x02\x03\x26cose";
    let rec = EnrollmentRecord::new(&cred, cose, aaguid, 7).unwrap();
    let mut pre = b"sealwright/v1/device".to_vec();
    pre.extend_from_slice(&[0, 20]);
    pre.extend_from_slice(&cred);
    pre.extend_from_slice(&aaguid);
    pre.extend_from_slice(cose);
    assert_eq!(rec.device_fingerprint(), &sha256(&pre));
    let bytes = rec.to_bytes().unwrap();
    assert_eq!(bytes[0], 0x01);
    assert_eq!(EnrollmentRecord::from_bytes(&bytes).unwrap(), rec);
    let mut bad = bytes.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert_eq!(
        EnrollmentRecord::from_bytes(&bad).unwrap_err(),
        Error::InvalidInput
    );
    bad = bytes.clone();
    bad[0] = 2;
    assert_eq!(
        EnrollmentRecord::from_bytes(&bad).unwrap_err(),
        Error::UnsupportedVersion
    );
    assert!(EnrollmentRecord::new(&[1; 15], cose, aaguid, 0).is_err());
    assert!(EnrollmentRecord::new(&[1; 1024], cose, aaguid, 0).is_err());
    assert!(EnrollmentRecord::new(&cred, b"", aaguid, 0).is_err());
    let sealer = StoreSealer::new(&SecretKey32::new([1; 32])).unwrap();
    let effect = rec.store_effect(&sealer, "alumno-1", &mut rng).unwrap();
    let Effect {
        op: Op::Put { value, .. },
        ..
    } = &effect
    else {
        panic!()
    };
    assert_eq!(
        EnrollmentRecord::open_stored(&sealer, "alumno-1", value).unwrap(),
        rec
    );
    assert_eq!(require_enrollment(None).unwrap_err(), Error::NotEnrolled);
    assert!(require_enrollment(Some(&rec)).is_ok());
    assert_eq!(enrollment_challenge(&mut rng).len(), 32);
}

#[test]
fn qr_and_response_wire_layouts() {
    let mut rng = rng();
    let (student, server) = login("alumno-1", &mut rng);
    let round = issue_round(&server, &server_secret(), SID, 2, T0, &mut rng).unwrap();
    let body = round.qr_text.strip_prefix("SW1:").unwrap();
    let sealed = sealwright::attendance::base45::decode(body).unwrap();
    let plain = sealwright::crypto::open(
        student.qr_key().expose(),
        &sealed,
        b"sealwright/v1/attendance/qr",
    )
    .unwrap();
    let mut r = Reader::new(plain.expose());
    assert_eq!(r.u8().unwrap(), 1);
    assert_eq!(r.lp_str().unwrap(), SID);
    assert_eq!(r.lp_str().unwrap(), "alumno-1");
    assert_eq!(r.u32be().unwrap(), 2);
    assert_eq!(r.u64be().unwrap(), T0);
    assert_eq!(r.take(16).unwrap(), round.metadata.nonce.expose());
    let secret_s = round_secret(&server_secret(), SID, "alumno-1", 2).unwrap();
    assert_eq!(
        r.take(6).unwrap(),
        Totp::new(&secret_s).generate(T0).as_bytes()
    );
    r.finish().unwrap();
    // Response.
    let qr = try_qr(&student, &round.qr_text).unwrap();
    let env = respond(&student, &qr, T0 + 9_000, &mut rng).unwrap();
    let json = env.to_json().unwrap();
    assert!(
        json.starts_with(r#"{"userId":"alumno-1","sessionId":"cs101:2026-01-12","response":""#)
    );
    let aad = response_aad("alumno-1").unwrap();
    let plain =
        sealwright::crypto::open(student.response_key().expose(), &env.response, &aad).unwrap();
    let mut r = Reader::new(plain.expose());
    assert_eq!(r.u8().unwrap(), 1);
    assert_eq!(r.lp_str().unwrap(), SID);
    assert_eq!(r.u32be().unwrap(), 2);
    assert_eq!(r.take(16).unwrap(), round.metadata.nonce.expose());
    assert_eq!(
        r.take(6).unwrap(),
        student.totp_u().generate(T0 + 9_000).as_bytes()
    );
    assert_eq!(r.take(6).unwrap(), qr.totp_s.as_bytes());
    assert_eq!(r.u64be().unwrap(), T0 + 9_000);
    r.finish().unwrap();
}

#[test]
fn student_qr_trial() {
    let mut rng = rng();
    let (alice, alice_srv) = login("alice", &mut rng);
    let (bob, _) = login("bob", &mut rng);
    let round = issue_round(&alice_srv, &server_secret(), SID, 1, T0, &mut rng).unwrap();
    assert!(try_qr(&alice, &round.qr_text).is_ok());
    assert_eq!(
        try_qr(&bob, &round.qr_text).unwrap_err(),
        Error::DecryptionFailed
    );
    assert_eq!(
        try_qr(&alice, &round.qr_text[4..]).unwrap_err(),
        Error::InvalidInput
    );
    assert_eq!(
        try_qr(&alice, &format!("{}0", round.qr_text)).unwrap_err(),
        Error::InvalidInput
    );
    assert_eq!(
        try_qr(&alice, &round.qr_text.to_lowercase()).unwrap_err(),
        Error::InvalidInput
    );
    // A payload sealed with Alice's key naming another user is QR_INVALID.
    let mut p = try_qr(&alice, &round.qr_text).unwrap();
    p.user_id = "mallory".into();
    let text = p.seal(alice.qr_key(), &mut rng).unwrap();
    assert_eq!(try_qr(&alice, &text).unwrap_err(), Error::QrInvalid);
}

#[test]
fn validation_checks_run_in_spec_order() {
    let mut rng = rng();
    let config = Config::default();
    let (student, server) = login("alumno-1", &mut rng);
    let (round, _, shown, received) = issued_and_answer(&server, 1_500, &mut rng);
    let qr = try_qr(&student, &round.qr_text).unwrap();
    let build = |f: &dyn Fn(&mut ResponsePlaintext), at: u64, rng: &mut ChaCha20Rng| {
        let mut pt = ResponsePlaintext::answer(&student, &qr, at);
        f(&mut pt);
        pt.seal(&student, rng).unwrap()
    };
    let check = |env: &ResponseEnvelope, meta: Option<&RoundMetadata>, shown: &[u64], at: u64| {
        open_response(Some(&server), env, at)
            .and_then(|o| o.check(&server_secret(), meta, shown, &config).result)
    };
    let wrong_all = |pt: &mut ResponsePlaintext| {
        pt.totp_s = TotpCode::from_ascii(b"000000").unwrap();
        pt.nonce = SecretBytes::new([0; 16]);
    };
    let meta = &round.metadata;
    // Step 2 before step 3: bad TOTPu and no metadata.
    let env = build(&wrong_all, received - 90_000, &mut rng);
    assert_eq!(
        check(&env, None, &[shown], received).unwrap_err(),
        Error::SessionInvalid
    );
    // Step 3 before step 4: expired and wrong TOTPs.
    let late = T0 + 120_001;
    let env = build(&wrong_all, late, &mut rng);
    assert_eq!(
        check(&env, Some(meta), &[late - 1_000], late).unwrap_err(),
        Error::QrExpired
    );
    // Exactly at the TTL it is still fresh.
    let at_ttl = T0 + 120_000;
    let env = build(&|_| {}, at_ttl, &mut rng);
    assert!(check(&env, Some(meta), &[at_ttl - 1_000], at_ttl).is_ok());
    // Step 4 before step 5 and 6.
    let env = build(&wrong_all, received, &mut rng);
    assert_eq!(
        check(&env, Some(meta), &[], received).unwrap_err(),
        Error::QrInvalid
    );
    // Step 5 before step 6: RT too short with a wrong nonce.
    let env = build(
        &|pt| pt.nonce = SecretBytes::new([0; 16]),
        received,
        &mut rng,
    );
    assert_eq!(
        check(&env, Some(meta), &[received - 10], received).unwrap_err(),
        Error::RtInvalid
    );
    assert_eq!(
        check(&env, Some(meta), &[shown], received).unwrap_err(),
        Error::SecretInvalid
    );
    // RT window edges: 501 and 14,999 pass, 500 and 15,000 fail.
    let env = build(&|_| {}, received, &mut rng);
    for (rt, ok) in [(500, false), (501, true), (14_999, true), (15_000, false)] {
        assert_eq!(
            check(&env, Some(meta), &[received - rt], received).is_ok(),
            ok,
            "rt {rt}"
        );
    }
    // The latest projection at or before reception is used; later ones are ignored.
    let v = open_response(Some(&server), &env, received).unwrap().check(
        &server_secret(),
        Some(meta),
        &[
            received + 5,
            received - 9_000,
            received - 1_200,
            received - 4_000,
        ],
        &config,
    );
    assert_eq!(v.result.unwrap().rt_ms, 1_200);
    // A used round is QR_EXPIRED.
    let mut used = meta.clone();
    used.used = true;
    assert_eq!(
        check(&env, Some(&used), &[shown], received).unwrap_err(),
        Error::QrExpired
    );
}

#[test]
fn attempts_count_and_max_attempts_deletes() {
    let mut rng = rng();
    let config = Config::default();
    let (student, server) = login("alumno-1", &mut rng);
    let (round, _, shown, received) = issued_and_answer(&server, 1_500, &mut rng);
    let qr = try_qr(&student, &round.qr_text).unwrap();
    let mut pt = ResponsePlaintext::answer(&student, &qr, received);
    pt.nonce = SecretBytes::new([1; 16]);
    let bad = pt.seal(&student, &mut rng).unwrap();
    let mut meta = round.metadata.clone();
    for (i, expected) in [
        Error::SecretInvalid,
        Error::SecretInvalid,
        Error::MaxAttempts,
    ]
    .into_iter()
    .enumerate()
    {
        let v = open_response(Some(&server), &bad, received).unwrap().check(
            &server_secret(),
            Some(&meta),
            &[shown],
            &config,
        );
        assert_eq!(v.result.unwrap_err(), expected);
        match v.metadata {
            MetadataUpdate::Put(m) => {
                assert_eq!(usize::from(m.attempts), i + 1);
                meta = m;
            }
            MetadataUpdate::Delete => assert_eq!(i, 2),
            MetadataUpdate::Keep => panic!("attempt not counted"),
        }
    }
    // Step 1-3 failures do not count attempts.
    let good = respond(&student, &qr, received, &mut rng).unwrap();
    let v = open_response(Some(&server), &good, received)
        .unwrap()
        .check(&server_secret(), None, &[shown], &config);
    assert_eq!(
        (v.result.unwrap_err(), v.metadata),
        (Error::QrExpired, MetadataUpdate::Keep)
    );
}

#[test]
fn rt_ignores_the_client_clock() {
    let mut rng = rng();
    let config = Config::default();
    let (student, server) = login("alumno-1", &mut rng);
    let (round, _, shown, received) = issued_and_answer(&server, 2_345, &mut rng);
    let qr = try_qr(&student, &round.qr_text).unwrap();
    for client_at in [
        received - 29_000,
        received - 3_000,
        received,
        received + 29_000,
    ] {
        let env = respond(&student, &qr, client_at, &mut rng).unwrap();
        let opened = open_response(Some(&server), &env, received).unwrap();
        assert_eq!(opened.client_sent_at_ms(), client_at);
        let a = opened
            .check(&server_secret(), Some(&round.metadata), &[shown], &config)
            .result
            .unwrap();
        assert_eq!(a.rt_ms, 2_345);
    }
}

#[test]
fn store_records_round_trip_and_reject_defects() {
    let meta = RoundMetadata {
        issued_at_ms: T0,
        nonce: SecretBytes::new([9; 16]),
        attempts: 2,
        used: true,
    };
    let bytes = meta.to_bytes();
    assert_eq!(bytes.len(), 27);
    assert_eq!(RoundMetadata::from_bytes(bytes.expose()).unwrap(), meta);
    let mut b = bytes.expose().to_vec();
    b[26] = 2;
    assert_eq!(
        RoundMetadata::from_bytes(&b).unwrap_err(),
        Error::InvalidInput
    );
    b[0] = 0;
    assert_eq!(
        RoundMetadata::from_bytes(&b).unwrap_err(),
        Error::UnsupportedVersion
    );
    assert!(RoundMetadata::from_bytes(&bytes.expose()[..26]).is_err());
    let r = AttendanceResult {
        kind: ResultKind::Scored,
        rts_ms: vec![1200, 1500, 1800],
    };
    let rb = r.to_bytes().unwrap();
    assert_eq!(AttendanceResult::from_bytes(&rb).unwrap(), r);
    let mut bad = rb.clone();
    let n = bad.len();
    bad[n - 2] = 70; // certainty inconsistent with the RTs
    assert!(AttendanceResult::from_bytes(&bad).is_err());
}

fn open_put(sealer: &StoreSealer, e: &Effect) -> (String, Vec<u8>, Option<u64>) {
    match e {
        Effect {
            key,
            op: Op::Put { value, ttl_seconds },
            ..
        } => (
            key.clone(),
            sealer.open(key, value).unwrap().expose().to_vec(),
            *ttl_seconds,
        ),
        other => panic!("{other:?}"),
    }
}

/// A class session with a fixed sealer, and an enrollment record to register with.
fn class_with(config: Config) -> (StoreSealer, ClassSession, EnrollmentRecord) {
    let sealer = StoreSealer::new(&SecretKey32::new([1; 32])).unwrap();
    let class = ClassSession::new(SID, server_secret(), sealer.clone(), config).unwrap();
    let enrolled = EnrollmentRecord::new(&[4; 16], b"cose", [0; 16], 0).unwrap();
    (sealer, class, enrolled)
}

#[test]
fn class_session_effects_and_results() {
    let mut rng = rng();
    let (sealer, mut class, enrolled) = class_with(Config::default());
    let (alice, alice_srv) = login("alice", &mut rng);
    let (_, bob_srv) = login("bob", &mut rng);
    assert_eq!(
        class
            .register(None, bob_srv.clone(), T0, &mut rng)
            .unwrap_err(),
        Error::NotEnrolled
    );
    let effects = class
        .register(Some(&enrolled), alice_srv.clone(), T0, &mut rng)
        .unwrap();
    assert_eq!(
        class
            .register(Some(&enrolled), alice_srv, T0, &mut rng)
            .unwrap_err(),
        Error::InvalidState
    );
    let (key, value, ttl) = open_put(&sealer, &effects[0]);
    assert_eq!(key, round_store_key(SID, "alice", 1).unwrap());
    assert!(key.starts_with("sw:v1:att:round:"));
    assert_eq!(ttl, Some(120));
    assert_eq!(value[0], 1);
    let store = MemoryStore::new();
    store.commit(&effects, T0).unwrap();
    let mut now = T0;
    for r in 1..=3u32 {
        now += 5_000;
        let frame = class.frame(now, &mut rng).unwrap().unwrap().frame;
        assert_eq!(
            frame.id,
            PayloadId {
                user_id: "alice".into(),
                round: r
            }
        );
        let qr = try_qr(&alice, &frame.qr_text).unwrap();
        now += 1_000 + u64::from(r) * 100;
        let got = class.receive(
            &respond(&alice, &qr, now, &mut rng)
                .unwrap()
                .to_json()
                .unwrap(),
            now,
            &mut rng,
        );
        let (rt, progress) = got.outcome.unwrap();
        assert_eq!(rt, 1_000 + u64::from(r) * 100);
        store.commit(&got.effects, now).unwrap();
        // Round r marked used in the store.
        let used = sealer
            .open(
                &round_store_key(SID, "alice", r).unwrap(),
                &store
                    .get(&round_store_key(SID, "alice", r).unwrap(), now)
                    .unwrap(),
            )
            .unwrap();
        assert!(RoundMetadata::from_bytes(used.expose()).unwrap().used);
        if r < 3 {
            assert_eq!(progress, Progress::NextRound(r + 1));
        } else {
            let Progress::Finished(score) = progress else {
                panic!()
            };
            assert_eq!(score.certainty, 95);
            let stored = store
                .get(&result_store_key(SID, "alice").unwrap(), now)
                .unwrap();
            let result = AttendanceResult::from_bytes(
                sealer
                    .open(&result_store_key(SID, "alice").unwrap(), &stored)
                    .unwrap()
                    .expose(),
            )
            .unwrap();
            assert_eq!(
                result,
                AttendanceResult {
                    kind: ResultKind::Scored,
                    rts_ms: vec![1_100, 1_200, 1_300]
                }
            );
        }
    }
    assert!(matches!(
        class.state("alice"),
        Some(AttendanceState::Finished(_))
    ));
    assert!(
        class.frame(now, &mut rng).unwrap().is_none(),
        "nothing live"
    );
    // Envelope for another class session, unknown student, bad JSON.
    assert_eq!(
        class.receive("{", now, &mut rng).outcome.unwrap_err(),
        Error::InvalidInput
    );
    let foreign = r#"{"userId":"carol","sessionId":"cs101:2026-01-12","response":"AAAA"}"#;
    assert_eq!(
        class.receive(foreign, now, &mut rng).outcome.unwrap_err(),
        Error::SessionInvalid
    );
    let other_session = r#"{"userId":"alice","sessionId":"other","response":"AAAA"}"#;
    assert_eq!(
        class
            .receive(other_session, now, &mut rng)
            .outcome
            .unwrap_err(),
        Error::SessionInvalid
    );
}

#[test]
fn class_session_max_attempts_and_close() {
    let mut rng = rng();
    let (sealer, mut class, enrolled) = class_with(Config {
        max_displays: 2,
        ..Config::default()
    });
    let (alice, alice_srv) = login("alice", &mut rng);
    let (_, bob_srv) = login("bob", &mut rng);
    class
        .register(Some(&enrolled), alice_srv, T0, &mut rng)
        .unwrap();
    class
        .register(Some(&enrolled), bob_srv, T0, &mut rng)
        .unwrap();
    // Show frames until Alice's QR appears; Bob never answers.
    let mut now = T0;
    let mut alice_qr = None;
    let mut notices = Vec::new();
    for _ in 0..40 {
        now += 500;
        let f = class.frame(now, &mut rng).unwrap().unwrap().frame;
        notices.extend(f.not_captured.clone());
        if f.id.user_id == "alice" && alice_qr.is_none() {
            alice_qr = Some(try_qr(&alice, &f.qr_text).unwrap());
        }
    }
    assert_eq!(notices.len(), 2, "one notice per payload: {notices:?}");
    assert!(class.not_captured("bob"));
    // Three responses with a wrong nonce: the third returns MAX_ATTEMPTS and deletes.
    let qr = alice_qr.unwrap();
    let shown_last = *class
        .projector()
        .shown_at(&PayloadId {
            user_id: "alice".into(),
            round: 1,
        })
        .last()
        .unwrap();
    let received = shown_last + 1_000;
    let mut pt = ResponsePlaintext::answer(&alice, &qr, received);
    pt.nonce = SecretBytes::new([0; 16]);
    let bad = pt.seal(&alice, &mut rng).unwrap().to_json().unwrap();
    let codes: Vec<Error> = (0..3).map(|_| class.receive(&bad, received, &mut rng)).map(|r| {
        if r.outcome == Err(Error::MaxAttempts) {
            assert!(r.effects.iter().any(|e| matches!(e, Effect { key, op: Op::Delete, .. } if *key == round_store_key(SID, "alice", 1).unwrap())));
            let (key, value, _) = open_put(&sealer, r.effects.last().unwrap());
            assert_eq!(key, result_store_key(SID, "alice").unwrap());
            assert_eq!(AttendanceResult::from_bytes(&value).unwrap().kind, ResultKind::MaxAttempts);
        }
        r.outcome.unwrap_err()
    }).collect();
    assert_eq!(
        codes,
        [
            Error::SecretInvalid,
            Error::SecretInvalid,
            Error::MaxAttempts
        ]
    );
    assert_eq!(
        class.state("alice"),
        Some(&AttendanceState::Failed(Error::MaxAttempts))
    );
    // Even an honest answer is now QR_EXPIRED.
    let honest = respond(&alice, &qr, received, &mut rng)
        .unwrap()
        .to_json()
        .unwrap();
    assert_eq!(
        class
            .receive(&honest, received, &mut rng)
            .outcome
            .unwrap_err(),
        Error::QrExpired
    );
    // Closing gives Bob a NOT_CAPTURED result.
    let effects = class.close(&mut rng).unwrap();
    let (_, value, _) = open_put(&sealer, effects.last().unwrap());
    assert_eq!(
        AttendanceResult::from_bytes(&value).unwrap().kind,
        ResultKind::NotCaptured
    );
    assert_eq!(
        class.state("bob"),
        Some(&AttendanceState::Closed { not_captured: true })
    );
}

#[test]
fn stale_payload_is_reissued_with_attempts_kept() {
    let mut rng = rng();
    let (_, mut class, enrolled) = class_with(Config::default());
    let (alice, alice_srv) = login("alice", &mut rng);
    class
        .register(Some(&enrolled), alice_srv, T0, &mut rng)
        .unwrap();
    let first = class.frame(T0 + 1_000, &mut rng).unwrap().unwrap();
    assert!(first.effects.is_empty());
    let old = try_qr(&alice, &first.frame.qr_text).unwrap();
    let later = class.frame(T0 + 130_000, &mut rng).unwrap().unwrap();
    assert_eq!(later.effects.len(), 1, "re-issued");
    let new = try_qr(&alice, &later.frame.qr_text).unwrap();
    assert_eq!((new.round, new.issued_at_ms), (1, T0 + 130_000));
    assert_ne!(new.nonce, old.nonce);
    assert_eq!(later.frame.displays, 2);
    // The old QR no longer validates; the new one does.
    let stale = respond(&alice, &old, T0 + 131_500, &mut rng)
        .unwrap()
        .to_json()
        .unwrap();
    assert_eq!(
        class
            .receive(&stale, T0 + 131_500, &mut rng)
            .outcome
            .unwrap_err(),
        Error::QrInvalid
    );
    let fresh = respond(&alice, &new, T0 + 131_600, &mut rng)
        .unwrap()
        .to_json()
        .unwrap();
    assert!(
        class
            .receive(&fresh, T0 + 131_600, &mut rng)
            .outcome
            .is_ok()
    );
}

#[test]
fn projector_picks_uniformly_and_notices_once() {
    let mut rng = rng();
    let mut p = Projector::new(10);
    assert!(p.next_frame(T0, &mut rng).is_none());
    let ids: Vec<PayloadId> = (0..4)
        .map(|i| PayloadId {
            user_id: format!("u{i}"),
            round: 1,
        })
        .collect();
    for id in &ids {
        p.insert(id.clone(), format!("SW1:{}", id.user_id));
    }
    let mut counts = [0u32; 4];
    let mut notices = 0;
    for f in 0..4_000u64 {
        let frame = p.next_frame(T0 + f * 500, &mut rng).unwrap();
        let i = ids.iter().position(|id| *id == frame.id).unwrap();
        counts[i] += 1;
        assert_eq!(frame.qr_text, format!("SW1:{}", frame.id.user_id));
        notices += usize::from(frame.not_captured.is_some());
    }
    assert_eq!(notices, 4);
    for c in counts {
        assert!((850..1150).contains(&c), "{counts:?}");
    }
    assert_eq!(p.shown_at(&ids[0]).len(), counts[0] as usize);
    assert!(p.remove(&ids[0]));
    assert!(!p.remove(&ids[0]));
    assert!(p.shown_at(&ids[0]).is_empty());
}

#[test]
fn debug_output_is_redacted() {
    let mut rng = rng();
    let (student, server) = login("alumno-1", &mut rng);
    let (round, env, shown, received) = issued_and_answer(&server, 1_500, &mut rng);
    let qr = try_qr(&student, &round.qr_text).unwrap();
    let pt = ResponsePlaintext::answer(&student, &qr, received);
    let opened = open_response(Some(&server), &env, received).unwrap();
    let verdict = opened.check(
        &server_secret(),
        Some(&round.metadata),
        &[shown],
        &Config::default(),
    );
    let nonce = LoginNonce([8; 32]);
    let client = ClientLogin::start("alumno-1", nonce, &mut rng).unwrap();
    let sl = server_login("alumno-1", &nonce, &client.client_public(), &mut rng).unwrap();
    let sealer = StoreSealer::new(&SecretKey32::new([1; 32])).unwrap();
    let class = ClassSession::new(SID, server_secret(), sealer, Config::default()).unwrap();
    let secret_s = round_secret(&server_secret(), SID, "alumno-1", 1).unwrap();
    let texts = [
        format!("{student:?}"),
        format!("{server:?}"),
        format!("{:?}", student.totp_u()),
        format!("{:?}", pt.totp_u),
        format!("{round:?}"),
        format!("{:?}", round.metadata),
        format!("{qr:?}"),
        format!("{pt:?}"),
        format!("{opened:?}"),
        format!("{verdict:?}"),
        format!("{client:?}"),
        format!("{sl:?}"),
        format!("{class:?}"),
    ];
    let secrets: Vec<Vec<u8>> = vec![
        student.session_key().expose().to_vec(),
        student.qr_key().expose().to_vec(),
        student.response_key().expose().to_vec(),
        student.totp_u_key().expose().to_vec(),
        server_secret().expose().to_vec(),
        secret_s.expose().to_vec(),
        round.metadata.nonce.expose().to_vec(),
        sl.keys.session_key().expose().to_vec(),
    ];
    for text in &texts {
        assert!(text.contains("REDACTED") || text.contains(".."), "{text}");
        for s in &secrets {
            assert!(!text.contains(&hex_encode(s)), "hex secret in {text}");
            assert!(
                !text.contains(&format!("{:?}", &s[..8]).trim_end_matches(']').to_string()),
                "raw secret in {text}"
            );
            assert!(!text.contains(&format!("{:?}", s)), "raw secret in {text}");
        }
        for code in [qr.totp_s.as_str(), pt.totp_u.as_str()] {
            assert!(!text.contains(code), "TOTP code in {text}");
        }
    }
}
