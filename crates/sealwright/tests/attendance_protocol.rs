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
use sealwright::attendance::{
    Config, enrollment_store_key, login_nonce_store_key, projector_store_key, result_store_key,
    round_store_key, session_key_store_key,
};
use sealwright::crypto::{hkdf32, sha256};
use sealwright::effect::{
    Effect, MemoryStore, Op, StoreSealer, StoredRecord, key_tag, run_step, tag,
};
use sealwright::encoding::{Reader, hex_encode};
use sealwright::secret::{SecretBytes, SecretKey32};

const T0: u64 = 1_768_204_800_000;
const SID: &str = "cs101:2026-01-12";

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::from_seed([42; 32])
}

fn login(user: &str, rng: &mut ChaCha20Rng) -> (SessionKeys, SessionKeys) {
    let nonce = LoginNonce(enrollment_challenge(rng));
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

fn sealer() -> StoreSealer {
    StoreSealer::new(&SecretKey32::new([1; 32])).unwrap()
}

#[test]
fn login_steps_spend_the_nonce_once_and_store_the_sealed_key() {
    let mut rng = rng();
    let config = Config::default();
    let sealer = sealer();
    let store = MemoryStore::new();
    let issued = issue_login_nonce("alumno-1", &sealer, &config, T0, &mut rng).unwrap();
    let nonce = issued.output;
    let key = login_nonce_store_key("alumno-1", &nonce);
    assert_eq!(
        key,
        format!(
            "sw:v1:att:{}:login:{}",
            tag("alumno-1"),
            hex_encode(&nonce.0)
        )
    );
    assert_eq!(issued.effects.len(), 1);
    assert_eq!(issued.effects[0].op.name(), "put_if_absent");
    assert_eq!(issued.effects[0].ttl_seconds(), Some(300));
    store.commit(&issued.effects, T0).unwrap();
    let stored = store.get(&key, T0).unwrap();
    assert_eq!(
        LoginNonceRecord::open(&sealer, &key, &stored).unwrap(),
        LoginNonceRecord {
            user_id: "alumno-1".into(),
            issued_at_ms: T0
        }
    );
    assert!(store.get(&key, T0 + 299_999).is_some());
    assert!(store.get(&key, T0 + 300_000).is_none());

    let client = ClientLogin::start("alumno-1", nonce, &mut rng).unwrap();
    let c = client.client_public();
    let load = |k: &str| store.get(k, T0);
    // Another user cannot log in with this nonce (under their tag there is no record).
    assert_eq!(
        sealwright::attendance::login("alumno-2", &nonce, &c, &load, &sealer, &config, &mut rng)
            .unwrap_err(),
        Error::SessionInvalid
    );
    let step =
        sealwright::attendance::login("alumno-1", &nonce, &c, &load, &sealer, &config, &mut rng)
            .unwrap();
    assert_eq!(step.effects.len(), 2);
    assert_eq!(
        step.effects[0],
        Effect::delete_if_equal(key.clone(), stored)
    );
    match &step.effects[1] {
        Effect {
            key,
            op: Op::Put { value, ttl_seconds },
            ..
        } => {
            assert_eq!(*ttl_seconds, Some(7_200));
            assert_eq!(*key, session_key_store_key("alumno-1"));
            assert!(
                !value
                    .windows(32)
                    .any(|w| w == step.output.keys.session_key().expose())
            );
            let back = SessionKeys::open_stored(&sealer, "alumno-1", value).unwrap();
            assert_eq!(back.session_key(), step.output.keys.session_key());
            assert!(SessionKeys::open_stored(&sealer, "alumno-2", value).is_err());
        }
        other => panic!("{other:?}"),
    }
    let keys = client.finish(&step.output.server_public).unwrap();
    assert_eq!(keys.session_key(), step.output.keys.session_key());
    store.commit(&step.effects, T0).unwrap();
    assert!(store.get(&key, T0).is_none(), "nonce spent");
    // The same nonce again: the record is gone.
    let client = ClientLogin::start("alumno-1", nonce, &mut rng).unwrap();
    let again = run_step(&store, T0, |load| {
        sealwright::attendance::login(
            "alumno-1",
            &nonce,
            &client.client_public(),
            load,
            &sealer,
            &config,
            &mut rng,
        )
    });
    assert_eq!(again.unwrap_err(), Error::SessionInvalid);
    // The step computed before the first commit cannot commit any more.
    assert_eq!(store.commit(&step.effects, T0), Err(Error::Conflict));
    // A nonce past its TTL does not log in either.
    let late = run_step(&store, T0, |_| {
        issue_login_nonce("alumno-1", &sealer, &config, T0, &mut rng)
    })
    .unwrap();
    let client = ClientLogin::start("alumno-1", late, &mut rng).unwrap();
    let expired = run_step(&store, T0 + 300_000, |load| {
        sealwright::attendance::login(
            "alumno-1",
            &late,
            &client.client_public(),
            load,
            &sealer,
            &config,
            &mut rng,
        )
    });
    assert_eq!(expired.unwrap_err(), Error::SessionInvalid);
}

#[test]
fn enrollment_record_and_not_enrolled() {
    let mut rng = rng();
    let cred = [0xc1; 20];
    let aaguid = [0xaa; 16];
    let cose = b"\xa5\x01\x02\x03\x26cose";
    let rec = EnrollmentRecord::new("alumno-1", &cred, cose, aaguid, 7).unwrap();
    let mut pre = b"sealwright/v1/device".to_vec();
    pre.extend_from_slice(&[0, 20]);
    pre.extend_from_slice(&cred);
    pre.extend_from_slice(&aaguid);
    pre.extend_from_slice(cose);
    assert_eq!(rec.device_fingerprint(), &sha256(&pre));
    assert_eq!(rec.user_id(), "alumno-1");
    let bytes = rec.to_bytes().unwrap();
    assert_eq!(bytes.expose()[0], 0x02);
    assert_eq!(&bytes.expose()[1..11], b"\x00\x08alumno-1");
    assert_eq!(EnrollmentRecord::from_bytes(bytes.expose()).unwrap(), rec);
    let mut bad = bytes.expose().to_vec();
    *bad.last_mut().unwrap() ^= 1;
    assert_eq!(
        EnrollmentRecord::from_bytes(&bad).unwrap_err(),
        Error::InvalidInput
    );
    bad = bytes.expose().to_vec();
    bad[0] = 1;
    assert_eq!(
        EnrollmentRecord::from_bytes(&bad).unwrap_err(),
        Error::UnsupportedVersion
    );
    assert!(EnrollmentRecord::new("u", &[1; 15], cose, aaguid, 0).is_err());
    assert!(EnrollmentRecord::new("u", &[1; 1024], cose, aaguid, 0).is_err());
    assert!(EnrollmentRecord::new("u", &cred, b"", aaguid, 0).is_err());
    assert!(EnrollmentRecord::new("", &cred, cose, aaguid, 0).is_err());
    let sealer = sealer();
    let step = rec.enroll(&sealer, &mut rng).unwrap();
    let Effect {
        key,
        op: Op::Put { value, ttl_seconds },
        ..
    } = &step.effects[0]
    else {
        panic!()
    };
    assert_eq!(*key, enrollment_store_key("alumno-1"));
    assert_eq!(*key, format!("sw:v1:att:{}:enroll", tag("alumno-1")));
    assert_eq!(*ttl_seconds, None);
    assert_eq!(EnrollmentRecord::open(&sealer, key, value).unwrap(), rec);
    assert_eq!(
        require_enrollment(None, "alumno-1").unwrap_err(),
        Error::NotEnrolled
    );
    assert_eq!(
        require_enrollment(Some(&rec), "alumno-2").unwrap_err(),
        Error::NotEnrolled
    );
    assert!(require_enrollment(Some(&rec), "alumno-1").is_ok());
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
        rts_ms: vec![1_200, 1_300],
    };
    let bytes = meta.to_bytes().unwrap();
    assert_eq!(bytes.expose().len(), 28 + 16);
    assert_eq!(bytes.expose()[0], 2);
    assert_eq!(RoundMetadata::from_bytes(bytes.expose()).unwrap(), meta);
    let mut b = bytes.expose().to_vec();
    b[26] = 2;
    assert_eq!(
        RoundMetadata::from_bytes(&b).unwrap_err(),
        Error::InvalidInput
    );
    b[0] = 1;
    assert_eq!(
        RoundMetadata::from_bytes(&b).unwrap_err(),
        Error::UnsupportedVersion
    );
    assert!(RoundMetadata::from_bytes(&bytes.expose()[..43]).is_err());
    let r = AttendanceResult {
        kind: ResultKind::Scored,
        rts_ms: vec![1200, 1500, 1800],
    };
    let rb = r.to_bytes().unwrap();
    assert_eq!(AttendanceResult::from_bytes(rb.expose()).unwrap(), r);
    let mut bad = rb.expose().to_vec();
    let n = bad.len();
    bad[n - 2] = 70; // certainty inconsistent with the RTs
    assert!(AttendanceResult::from_bytes(&bad).is_err());
    // The projector record.
    let mut p = Projector::new(10);
    p.insert(pid("alice", 1), "SW1:AB".into(), T0);
    p.insert(pid("bob", 2), "SW1:CD".into(), T0 + 5);
    p.show(&pid("alice", 1), T0 + 500).unwrap();
    let pb = p.to_bytes().unwrap();
    assert_eq!(Projector::from_bytes(pb.expose()).unwrap(), p);
    let mut dup = pb.expose().to_vec();
    dup[8] = 3; // three payloads announced, two present
    assert!(Projector::from_bytes(&dup).is_err());
    dup[8] = 0xff;
    assert!(Projector::from_bytes(&dup).is_err());
    // Store keys: tag(userId) for a student's records, tag(sessionId) for the projector.
    assert_eq!(
        round_store_key(SID, "alice", 3),
        format!(
            "sw:v1:att:{}:round:{}:3",
            tag("alice"),
            hex_encode(SID.as_bytes())
        )
    );
    assert_eq!(
        result_store_key(SID, "alice"),
        format!(
            "sw:v1:att:{}:result:{}",
            tag("alice"),
            hex_encode(SID.as_bytes())
        )
    );
    assert_eq!(
        session_key_store_key("alice"),
        format!("sw:v1:att:{}:skey", tag("alice"))
    );
    assert_eq!(
        projector_store_key(SID),
        format!("sw:v1:att:{}:projector", tag(SID))
    );
}

fn pid(user: &str, round: u32) -> PayloadId {
    PayloadId {
        user_id: user.into(),
        round,
    }
}

fn open_put(sealer: &StoreSealer, e: &Effect) -> (String, Vec<u8>, Option<u64>) {
    (
        e.key.clone(),
        sealer
            .open(&e.key, e.value().unwrap())
            .unwrap()
            .expose()
            .to_vec(),
        e.ttl_seconds(),
    )
}

/// A class session over a fresh store, with `users` enrolled and logged in through the steps;
/// returns the students' device keys.
fn class_with(
    config: Config,
    users: &[&str],
    rng: &mut ChaCha20Rng,
) -> (ClassSession, MemoryStore, Vec<SessionKeys>) {
    let sealer = sealer();
    let store = MemoryStore::new();
    let mut devices = Vec::new();
    for (i, user) in users.iter().enumerate() {
        let enrollment = EnrollmentRecord::new(user, &[i as u8; 16], b"cose", [0; 16], 0).unwrap();
        store
            .commit(&enrollment.enroll(&sealer, rng).unwrap().effects, T0)
            .unwrap();
        devices.push(login_through_store(&store, &sealer, &config, user, rng));
    }
    let class = ClassSession::new(SID, server_secret(), sealer, config).unwrap();
    (class, store, devices)
}

fn login_through_store(
    store: &MemoryStore,
    sealer: &StoreSealer,
    config: &Config,
    user: &str,
    rng: &mut ChaCha20Rng,
) -> SessionKeys {
    let nonce = run_step(store, T0, |_| {
        issue_login_nonce(user, sealer, config, T0, rng)
    })
    .unwrap();
    let client = ClientLogin::start(user, nonce, rng).unwrap();
    let c = client.client_public();
    let server = run_step(store, T0, |load| {
        sealwright::attendance::login(user, &nonce, &c, load, sealer, config, rng)
    })
    .unwrap();
    client.finish(&server.server_public).unwrap()
}

#[test]
fn class_session_steps_and_results() {
    let mut rng = rng();
    let (class, store, devices) = class_with(Config::default(), &["alice", "bob"], &mut rng);
    let alice = &devices[0];
    let sealer = sealer();
    let steps = class.on(&store);
    // Registration needs the student's own enrollment and a login.
    let (_, carol) = login("carol", &mut rng);
    assert_eq!(
        steps.register("carol", T0, &mut rng).unwrap_err(),
        Error::NotEnrolled
    );
    // Bob's enrollment record sealed under Carol's key names Bob: NOT_ENROLLED.
    let bobs = EnrollmentRecord::new("bob", &[1; 16], b"cose", [0; 16], 0).unwrap();
    store
        .commit(
            &[bobs
                .put(&sealer, enrollment_store_key("carol"), None, &mut rng)
                .unwrap()],
            T0,
        )
        .unwrap();
    assert_eq!(
        steps.register("carol", T0, &mut rng).unwrap_err(),
        Error::NotEnrolled
    );
    let _ = carol;
    let step = class
        .register("alice", &|k: &str| store.get(k, T0), T0, &mut rng)
        .unwrap();
    let (key, value, ttl) = open_put(&sealer, &step.effects[0]);
    assert_eq!(step.effects[0].op.name(), "put_if_absent");
    assert_eq!(key, round_store_key(SID, "alice", 1));
    assert_eq!(ttl, Some(120));
    assert_eq!(value[0], 2);
    store.commit(&step.effects, T0).unwrap();
    assert_eq!(
        steps.register("alice", T0, &mut rng).unwrap_err(),
        Error::InvalidState
    );
    let mut inbox = vec![step.output];
    let mut now = T0;
    for r in 1..=3u32 {
        now += 5_000;
        let frame = steps.frame(&inbox, now, &mut rng).unwrap().frame.unwrap();
        inbox.clear();
        assert_eq!(frame.id, pid("alice", r));
        let qr = try_qr(alice, &frame.qr_text).unwrap();
        now += 1_000 + u64::from(r) * 100;
        let json = respond(alice, &qr, now, &mut rng)
            .unwrap()
            .to_json()
            .unwrap();
        let answered = steps.receive(&json, now, &mut rng).unwrap();
        assert_eq!(
            (answered.round, answered.rt_ms),
            (r, 1_000 + u64::from(r) * 100)
        );
        // Round r is marked used in the store, with the RTs so far.
        let key = round_store_key(SID, "alice", r);
        let used = RoundMetadata::open(&sealer, &key, &store.get(&key, now).unwrap()).unwrap();
        assert!(used.used);
        assert_eq!(used.rts_ms.len(), r as usize);
        // The same response again: a used round.
        assert_eq!(
            steps.receive(&json, now + 10, &mut rng).unwrap_err(),
            Error::QrExpired
        );
        match answered.progress {
            Progress::NextRound(next) => {
                assert_eq!(next.id, pid("alice", r + 1));
                assert_eq!(
                    steps.state("alice", now).unwrap(),
                    Some(AttendanceState::InProgress { round: r + 1 })
                );
                inbox.push(next);
            }
            Progress::Finished(score) => {
                assert_eq!(r, 3);
                assert_eq!(score.certainty, 95);
                let result = class
                    .result("alice", &|k: &str| store.get(k, now))
                    .unwrap()
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
    }
    assert!(matches!(
        steps.state("alice", now).unwrap(),
        Some(AttendanceState::Finished(_))
    ));
    // The answered round leaves the projector at the next frame.
    let p = steps.frame(&[], now + 500, &mut rng).unwrap();
    assert_eq!((p.frame, p.removed), (None, vec![pid("alice", 3)]));
    assert!(steps.projector(now).unwrap().is_empty());
    assert_eq!(
        steps.issue("alice", 1, now, &mut rng).unwrap_err(),
        Error::InvalidState
    );
    // Bad JSON, an unknown student, another class session.
    assert_eq!(
        steps.receive("{", now, &mut rng).unwrap_err(),
        Error::InvalidInput
    );
    let foreign = r#"{"userId":"dave","sessionId":"cs101:2026-01-12","response":"AAAA"}"#;
    assert_eq!(
        steps.receive(foreign, now, &mut rng).unwrap_err(),
        Error::SessionInvalid
    );
    let other_session = r#"{"userId":"alice","sessionId":"other","response":"AAAA"}"#;
    assert_eq!(
        steps.receive(other_session, now, &mut rng).unwrap_err(),
        Error::SessionInvalid
    );
}

#[test]
fn class_session_max_attempts_and_close() {
    let mut rng = rng();
    let config = Config {
        max_displays: 2,
        ..Config::default()
    };
    let (class, store, devices) = class_with(config, &["alice", "bob"], &mut rng);
    let alice = &devices[0];
    let sealer = sealer();
    let steps = class.on(&store);
    let mut inbox = vec![
        steps.register("alice", T0, &mut rng).unwrap(),
        steps.register("bob", T0, &mut rng).unwrap(),
    ];
    // Show frames until Alice's QR appears; Bob never answers.
    let mut now = T0;
    let mut alice_qr = None;
    let mut notices = Vec::new();
    for _ in 0..40 {
        now += 500;
        let f = steps.frame(&inbox, now, &mut rng).unwrap().frame.unwrap();
        inbox.clear();
        notices.extend(f.not_captured.clone());
        if f.id.user_id == "alice" && alice_qr.is_none() {
            alice_qr = Some(try_qr(alice, &f.qr_text).unwrap());
        }
    }
    assert_eq!(notices.len(), 2, "one notice per payload: {notices:?}");
    let projector = steps.projector(now).unwrap();
    assert!(projector.notified(&pid("bob", 1)));
    // Three responses with a wrong nonce: the third returns MAX_ATTEMPTS and deletes.
    let qr = alice_qr.unwrap();
    let shown_last = *projector.shown_at(&pid("alice", 1)).last().unwrap();
    let received = shown_last + 1_000;
    let mut pt = ResponsePlaintext::answer(alice, &qr, received);
    pt.nonce = SecretBytes::new([0; 16]);
    let bad = pt.seal(alice, &mut rng).unwrap();
    let load = |k: &str| store.get(k, received);
    let mut codes = Vec::new();
    for _ in 0..3 {
        let step = class.validate(&bad, &load, received, &mut rng).unwrap();
        if step.output.result == Err(Error::MaxAttempts) {
            let round_key = round_store_key(SID, "alice", 1);
            assert_eq!(step.effects[0].op.name(), "delete_if_equal");
            assert_eq!(step.effects[0].key, round_key);
            let (key, value, _) = open_put(&sealer, &step.effects[1]);
            assert_eq!(key, result_store_key(SID, "alice"));
            assert_eq!(
                AttendanceResult::from_bytes(&value).unwrap().kind,
                ResultKind::MaxAttempts
            );
        } else {
            assert_eq!(step.effects.len(), 1);
            assert_eq!(step.effects[0].op.name(), "put_if_equal");
        }
        store.commit(&step.effects, received).unwrap();
        codes.push(step.output.result.unwrap_err());
    }
    assert_eq!(
        codes,
        [
            Error::SecretInvalid,
            Error::SecretInvalid,
            Error::MaxAttempts
        ]
    );
    assert_eq!(
        steps.state("alice", received).unwrap(),
        Some(AttendanceState::Failed(Error::MaxAttempts))
    );
    // Even an honest answer is now QR_EXPIRED, and nothing is written.
    let honest = respond(alice, &qr, received, &mut rng).unwrap();
    let step = class.validate(&honest, &load, received, &mut rng).unwrap();
    assert_eq!(
        (step.output.result.unwrap_err(), step.effects.len()),
        (Error::QrExpired, 0)
    );
    // Closing gives Bob a NOT_CAPTURED result; Alice's deleted round is skipped.
    let closed = steps.close(received, &mut rng).unwrap();
    assert_eq!(closed.len(), 1);
    assert_eq!(
        (closed[0].0.clone(), closed[0].1.kind),
        (pid("bob", 1), ResultKind::NotCaptured)
    );
    assert_eq!(
        steps.state("bob", received).unwrap(),
        Some(AttendanceState::Closed { not_captured: true })
    );
}

#[test]
fn stale_payload_is_reissued_with_attempts_kept() {
    let mut rng = rng();
    let (class, store, devices) = class_with(Config::default(), &["alice"], &mut rng);
    let alice = &devices[0];
    let steps = class.on(&store);
    let first = steps.register("alice", T0, &mut rng).unwrap();
    let shown = steps
        .frame(&[first], T0 + 1_000, &mut rng)
        .unwrap()
        .frame
        .unwrap();
    let old = try_qr(alice, &shown.qr_text).unwrap();
    // One failed attempt on the first QR.
    let mut pt = ResponsePlaintext::answer(alice, &old, T0 + 2_500);
    pt.nonce = SecretBytes::new([3; 16]);
    let bad = pt.seal(alice, &mut rng).unwrap().to_json().unwrap();
    assert_eq!(
        steps.receive(&bad, T0 + 2_500, &mut rng).unwrap_err(),
        Error::SecretInvalid
    );
    // The bare frame step does not show a stale payload: it reports it.
    let bare = class
        .frame(
            &[],
            &|k: &str| store.get(k, T0 + 106_000),
            T0 + 106_000,
            &mut rng,
        )
        .unwrap();
    assert_eq!(
        (bare.output.frame.clone(), bare.output.stale.clone()),
        (None, vec![pid("alice", 1)])
    );
    // Through OnStore the frame re-issues it first.
    let later = steps
        .frame(&[], T0 + 110_000, &mut rng)
        .unwrap()
        .frame
        .unwrap();
    let new = try_qr(alice, &later.qr_text).unwrap();
    assert_eq!((new.round, new.issued_at_ms), (1, T0 + 110_000));
    assert_ne!(new.nonce, old.nonce);
    assert_eq!(later.displays, 2);
    let key = round_store_key(SID, "alice", 1);
    let meta = RoundMetadata::open(
        class.sealer(),
        &key,
        &store.get(&key, T0 + 110_000).unwrap(),
    )
    .unwrap();
    assert_eq!(meta.attempts, 1, "attempts kept across the re-issue");
    // The old QR no longer validates (TOTPs of the new issue time); the new one does, and
    // its RT counts only the new QR's projections.
    let stale = respond(alice, &old, T0 + 111_500, &mut rng)
        .unwrap()
        .to_json()
        .unwrap();
    assert_eq!(
        steps.receive(&stale, T0 + 111_500, &mut rng).unwrap_err(),
        Error::QrInvalid
    );
    let fresh = respond(alice, &new, T0 + 111_600, &mut rng)
        .unwrap()
        .to_json()
        .unwrap();
    assert_eq!(
        steps.receive(&fresh, T0 + 111_600, &mut rng).unwrap().rt_ms,
        1_600
    );
}

#[test]
fn each_step_writes_one_hash_tag() {
    let mut rng = rng();
    let config = Config::default();
    let (class, store, _devices) = class_with(config, &["alice", "bob"], &mut rng);
    let sealer = sealer();
    let mut steps: Vec<(String, Vec<Effect>)> = Vec::new();
    let user_tag = tag("alice");
    let mut check = |name: &str, effects: &[Effect], expected: &str| {
        assert!(!effects.is_empty(), "{name} writes");
        for e in effects {
            assert_eq!(key_tag(&e.key), Some(expected), "{name}: {}", e.key);
        }
        steps.push((name.into(), effects.to_vec()));
    };
    let issued = issue_login_nonce("alice", &sealer, &config, T0, &mut rng).unwrap();
    check("issue_login_nonce", &issued.effects, &user_tag);
    store.commit(&issued.effects, T0).unwrap();
    let client = ClientLogin::start("alice", issued.output, &mut rng).unwrap();
    let load = |k: &str| store.get(k, T0);
    let login_step = sealwright::attendance::login(
        "alice",
        &issued.output,
        &client.client_public(),
        &load,
        &sealer,
        &config,
        &mut rng,
    )
    .unwrap();
    check("login", &login_step.effects, &user_tag);
    store.commit(&login_step.effects, T0).unwrap();
    let alice = client.finish(&login_step.output.server_public).unwrap();
    let enroll = EnrollmentRecord::new("alice", &[9; 16], b"cose", [0; 16], 0).unwrap();
    check(
        "enroll",
        &enroll.enroll(&sealer, &mut rng).unwrap().effects,
        &user_tag,
    );
    let reg = class
        .register("alice", &|k: &str| store.get(k, T0), T0, &mut rng)
        .unwrap();
    check("register", &reg.effects, &user_tag);
    store.commit(&reg.effects, T0).unwrap();
    let bob = class.on(&store).register("bob", T0, &mut rng).unwrap();
    let frame = class
        .frame(
            &[reg.output.clone(), bob],
            &|k: &str| store.get(k, T0 + 500),
            T0 + 500,
            &mut rng,
        )
        .unwrap();
    check("frame", &frame.effects, &tag(SID));
    store.commit(&frame.effects, T0 + 500).unwrap();
    let reissue = class
        .issue(
            "alice",
            1,
            &|k: &str| store.get(k, T0 + 600),
            T0 + 600,
            &mut rng,
        )
        .unwrap();
    check("issue", &reissue.effects, &user_tag);
    store.commit(&reissue.effects, T0 + 600).unwrap();
    let frame = class
        .frame(
            &[reissue.output],
            &|k: &str| store.get(k, T0 + 1_000),
            T0 + 1_000,
            &mut rng,
        )
        .unwrap();
    store.commit(&frame.effects, T0 + 1_000).unwrap();
    let f = frame.output.frame.unwrap();
    // Make sure the shown QR is Alice's: show frames until it is.
    let mut now = T0 + 1_000;
    let mut shown = f;
    while shown.id.user_id != "alice" {
        now += 500;
        let next = class
            .frame(&[], &|k: &str| store.get(k, now), now, &mut rng)
            .unwrap();
        store.commit(&next.effects, now).unwrap();
        shown = next.output.frame.unwrap();
    }
    let qr = try_qr(&alice, &shown.qr_text).unwrap();
    let mut pt = ResponsePlaintext::answer(&alice, &qr, now + 1_500);
    pt.nonce = SecretBytes::new([0; 16]);
    let bad = pt.seal(&alice, &mut rng).unwrap();
    let failed = class
        .validate(
            &bad,
            &|k: &str| store.get(k, now + 1_500),
            now + 1_500,
            &mut rng,
        )
        .unwrap();
    check("validate (counted failure)", &failed.effects, &user_tag);
    store.commit(&failed.effects, now + 1_500).unwrap();
    let good = respond(&alice, &qr, now + 1_600, &mut rng).unwrap();
    let ok = class
        .validate(
            &good,
            &|k: &str| store.get(k, now + 1_600),
            now + 1_600,
            &mut rng,
        )
        .unwrap();
    assert!(ok.output.result.is_ok());
    check("validate (success, next round)", &ok.effects, &user_tag);
    let close = class
        .close_student(
            "bob",
            1,
            true,
            &|k: &str| store.get(k, now + 1_600),
            &mut rng,
        )
        .unwrap();
    check("close_student", &close.effects, &tag("bob"));
    // Every step's writes are conditional where a concurrent step may write the same record.
    for (name, effects) in &steps {
        for e in effects {
            let guarded =
                e.is_conditional() || e.key.ends_with(":skey") || e.key.ends_with(":enroll");
            assert!(guarded, "{name}: unconditional {}", e.op.name());
        }
    }
}

#[test]
fn projector_picks_uniformly_and_notices_once() {
    let mut rng = rng();
    let mut p = Projector::new(10);
    assert!(p.next_frame(T0, &mut rng).is_none());
    let ids: Vec<PayloadId> = (0..4).map(|i| pid(&format!("u{i}"), 1)).collect();
    for id in &ids {
        p.insert(id.clone(), format!("SW1:{}", id.user_id), T0);
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
    // A newer QR of a payload replaces it (count kept, history restarted); an older one not.
    p.insert(ids[1].clone(), "SW1:new".into(), T0 + 9);
    assert_eq!(
        (p.shown_at(&ids[1]).len(), p.displays(&ids[1])),
        (0, Some(counts[1]))
    );
    p.insert(ids[1].clone(), "SW1:old".into(), T0);
    assert_eq!(p.issued_at(&ids[1]), Some(T0 + 9));
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
