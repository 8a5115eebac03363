//! Vectors for attendance rounds (spec §5, §6 `attendance.json`, `totp.json`, `scoring.json`).
//!
//! Every random value (login nonce, X25519 private keys, round nonces, seal nonces) is drawn
//! from the seeded RNG and fed to the core through a `ScriptedRng`, so each output can be
//! recomputed byte for byte. Each `result` (positive and negative) is what the core returned
//! when the generator ran the case, and each negative case is asserted to fail with its code.
//!
//! Replay rule for `rounds` (the same in `crates/sealwright/tests/attendance_vectors.rs`):
//! a round number not yet issued is issued with `qrNonce` then `qrSealNonce` at `issuedAtMs`;
//! `attemptsBefore`, when present, sets the stored attempts; the student opens `qrText` and
//! answers at `clientSentAtMs` (with `responseNonce` / `responseTotpS` replacing the QR's
//! values when present) sealed with `responseSealNonce`; a case with `tamper` sends the given
//! `response` object instead; the server validates at `receivedAtMs` with the projection
//! history `[shownAtMs]` (empty when null) and applies the metadata change.

use std::collections::BTreeMap;

use rand_chacha::ChaCha20Rng;
use rand_core::Rng;
use sealwright::attendance::login::{ClientLogin, LoginNonce, login_challenge, server_login};
use sealwright::attendance::round::{
    QrPayload, ResponseEnvelope, ResponsePlaintext, RoundMetadata, issue_round, round_secret,
    try_qr,
};
use sealwright::attendance::score::score;
use sealwright::attendance::totp::{Totp, TotpAlgorithm, TotpCode};
use sealwright::attendance::validate::{MetadataUpdate, open_response};
use sealwright::attendance::{Config, SessionKeys};
use sealwright::encoding::{b64_decode, b64_encode, hex_encode};
use sealwright::rng::ScriptedRng;
use sealwright::secret::{SecretBytes, SecretKey32};
use serde_json::{Value, json};

use crate::{file, render, seeded};

/// 2026-01-12T08:00:00Z, the first round's issue time.
const T0: u64 = 1_768_204_800_000;

fn bytes<const N: usize>(rng: &mut ChaCha20Rng) -> [u8; N] {
    let mut b = [0u8; N];
    rng.fill_bytes(&mut b);
    b
}

/// How a round's response is changed before it is sent.
#[derive(Clone)]
enum Tamper {
    /// Flip the lowest bit of this byte of the sealed response (negative: from the end).
    Flip(isize, &'static str),
    /// Replace the outer `sessionId`.
    OuterSession(&'static str),
    /// Replace the outer `userId`.
    OuterUser(&'static str),
}

#[derive(Clone)]
struct RoundSpec {
    round: u32,
    /// Issue time (ignored when the round is already issued in this case).
    issued_at_ms: u64,
    shown_at_ms: Option<u64>,
    received_at_ms: u64,
    client_sent_at_ms: u64,
    response_nonce: Option<[u8; 16]>,
    response_totp_s: Option<&'static str>,
    attempts_before: Option<u8>,
    tamper: Option<Tamper>,
    /// Send the previous entry's exact response again.
    replay_previous: bool,
}

impl RoundSpec {
    /// An honest answer: shown `shown_after` ms after issue, received `rt` ms after the
    /// projection, the client clock `skew` ms off.
    fn honest(round: u32, issued_at_ms: u64, shown_after: u64, rt: u64, skew: i64) -> Self {
        let shown = issued_at_ms + shown_after;
        let received = shown + rt;
        Self {
            round,
            issued_at_ms,
            shown_at_ms: Some(shown),
            received_at_ms: received,
            client_sent_at_ms: received.checked_add_signed(skew).unwrap(),
            response_nonce: None,
            response_totp_s: None,
            attempts_before: None,
            tamper: None,
            replay_previous: false,
        }
    }
}

struct Issued {
    issued_at_ms: u64,
    qr_nonce: [u8; 16],
    qr_seal_nonce: [u8; 12],
    qr_text: String,
}

struct Base {
    rng: ChaCha20Rng,
    user_id: &'static str,
    session_id: &'static str,
    login_nonce: LoginNonce,
    client_private: [u8; 32],
    client_public: [u8; 32],
    server_private: [u8; 32],
    server_public: [u8; 32],
    keys: SessionKeys,
    server_secret: SecretKey32,
}

impl Base {
    fn new() -> Self {
        let mut rng = seeded("attendance");
        let user_id = "alumno-07";
        let session_id = "cs101/2026-01-12";
        let login_nonce = LoginNonce(bytes(&mut rng));
        let client_private: [u8; 32] = bytes(&mut rng);
        let server_private: [u8; 32] = bytes(&mut rng);
        let client = ClientLogin::start(
            user_id,
            login_nonce,
            &mut ScriptedRng::new([client_private]),
        )
        .unwrap();
        let client_public = client.client_public();
        let server = server_login(
            user_id,
            &login_nonce,
            &client_public,
            &mut ScriptedRng::new([server_private]),
        )
        .unwrap();
        let client_keys = client.finish(&server.server_public).unwrap();
        assert_eq!(client_keys.session_key(), server.keys.session_key());
        let server_secret = SecretKey32::new(bytes(&mut rng));
        Self {
            rng,
            user_id,
            session_id,
            login_nonce,
            client_private,
            client_public,
            server_private,
            server_public: server.server_public,
            keys: server.keys,
            server_secret,
        }
    }

    fn login_fields(&self) -> serde_json::Map<String, Value> {
        let k = &self.keys;
        let v = json!({
            "userId": self.user_id,
            "sessionId": self.session_id,
            "loginNonce": hex_encode(&self.login_nonce.0),
            "clientPrivate": hex_encode(&self.client_private),
            "clientPublic": hex_encode(&self.client_public),
            "serverPrivate": hex_encode(&self.server_private),
            "serverPublic": hex_encode(&self.server_public),
            "webauthnChallenge": hex_encode(
                &login_challenge(&self.login_nonce, &self.client_public, self.user_id).unwrap()
            ),
            "sessionKey": hex_encode(k.session_key().expose()),
            "qrKey": hex_encode(k.qr_key().expose()),
            "responseKey": hex_encode(k.response_key().expose()),
            "totpUKey": hex_encode(k.totp_u_key().expose()),
            "serverSecret": hex_encode(self.server_secret.expose()),
        });
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    /// Runs the rounds through the core; returns the round entries and the accepted RTs.
    fn run(&mut self, specs: &[RoundSpec]) -> (Vec<Value>, Vec<u64>) {
        let config = Config::default();
        let mut issued: BTreeMap<u32, Issued> = BTreeMap::new();
        let mut metas: BTreeMap<u32, RoundMetadata> = BTreeMap::new();
        let mut entries: Vec<Value> = Vec::new();
        let mut rts = Vec::new();
        let mut last: Option<(u64, [u8; 12], Value)> = None;
        for spec in specs {
            let r = spec.round;
            let secret_s =
                round_secret(&self.server_secret, self.session_id, self.user_id, r).unwrap();
            #[allow(clippy::map_entry)] // two maps are filled; the issue draws from self.rng
            if !issued.contains_key(&r) {
                let qr_nonce: [u8; 16] = bytes(&mut self.rng);
                let qr_seal_nonce: [u8; 12] = bytes(&mut self.rng);
                let round = issue_round(
                    &self.keys,
                    &self.server_secret,
                    self.session_id,
                    r,
                    spec.issued_at_ms,
                    &mut ScriptedRng::new([&qr_nonce[..], &qr_seal_nonce[..]]),
                )
                .unwrap();
                metas.insert(r, round.metadata);
                issued.insert(
                    r,
                    Issued {
                        issued_at_ms: spec.issued_at_ms,
                        qr_nonce,
                        qr_seal_nonce,
                        qr_text: round.qr_text,
                    },
                );
            }
            let iss = &issued[&r];
            if let Some(a) = spec.attempts_before {
                metas.get_mut(&r).unwrap().attempts = a;
            }
            // Student side.
            let qr: QrPayload = try_qr(&self.keys, &iss.qr_text).unwrap();
            let (client_sent_at_ms, response_seal_nonce, response) =
                match (&last, spec.replay_previous) {
                    (Some(prev), true) => prev.clone(),
                    _ => {
                        let mut pt =
                            ResponsePlaintext::answer(&self.keys, &qr, spec.client_sent_at_ms);
                        if let Some(n) = spec.response_nonce {
                            pt.nonce = SecretBytes::new(n);
                        }
                        if let Some(t) = spec.response_totp_s {
                            pt.totp_s = TotpCode::from_ascii(t.as_bytes()).unwrap();
                        }
                        let seal_nonce: [u8; 12] = bytes(&mut self.rng);
                        let env = pt
                            .seal(&self.keys, &mut ScriptedRng::new([seal_nonce]))
                            .unwrap();
                        let obj: Value = serde_json::from_str(&env.to_json().unwrap()).unwrap();
                        (spec.client_sent_at_ms, seal_nonce, obj)
                    }
                };
            last = Some((client_sent_at_ms, response_seal_nonce, response.clone()));
            let sent = match &spec.tamper {
                None => response.clone(),
                Some(t) => tamper(&response, t),
            };
            // Server side.
            let envelope = ResponseEnvelope::from_json(&sent.to_string()).unwrap();
            let keys = (envelope.user_id == self.user_id).then_some(&self.keys);
            let shown: Vec<u64> = spec.shown_at_ms.into_iter().collect();
            let (result, rt) = match open_response(keys, &envelope, spec.received_at_ms) {
                Err(e) => (e.code().to_string(), None),
                Ok(opened) => {
                    let v = opened.check(
                        &self.server_secret,
                        metas.get(&opened.round()),
                        &shown,
                        &config,
                    );
                    match v.metadata {
                        MetadataUpdate::Keep => {}
                        MetadataUpdate::Put(m) => {
                            metas.insert(opened.round(), m);
                        }
                        MetadataUpdate::Delete => {
                            metas.remove(&opened.round());
                        }
                    }
                    match v.result {
                        Ok(a) => {
                            rts.push(a.rt_ms);
                            ("OK".to_string(), Some(a.rt_ms))
                        }
                        Err(e) => (e.code().to_string(), None),
                    }
                }
            };
            let totp_u = self.keys.totp_u().generate(client_sent_at_ms);
            let mut entry = json!({
                "round": r,
                "issuedAtMs": iss.issued_at_ms,
                "qrNonce": hex_encode(&iss.qr_nonce),
                "roundSecret": hex_encode(secret_s.expose()),
                "totpS": Totp::new(&secret_s).generate(iss.issued_at_ms).as_str(),
                "qrSealNonce": hex_encode(&iss.qr_seal_nonce),
                "qrText": iss.qr_text,
                "shownAtMs": spec.shown_at_ms,
                "receivedAtMs": spec.received_at_ms,
                "clientSentAtMs": client_sent_at_ms,
                "totpU": totp_u.as_str(),
                "responseSealNonce": hex_encode(&response_seal_nonce),
                "response": sent,
                "rtMs": rt,
                "result": result,
            });
            let m = entry.as_object_mut().unwrap();
            if let Some(n) = spec.response_nonce {
                m.insert("responseNonce".into(), json!(hex_encode(&n)));
            }
            if let Some(t) = spec.response_totp_s {
                m.insert("responseTotpS".into(), json!(t));
            }
            if let Some(a) = spec.attempts_before {
                m.insert("attemptsBefore".into(), json!(a));
            }
            if let Some(t) = &spec.tamper {
                let what = match t {
                    Tamper::Flip(_, what) => (*what).to_string(),
                    Tamper::OuterSession(s) => format!("outer sessionId replaced by {s:?}"),
                    Tamper::OuterUser(u) => format!("outer userId replaced by {u:?}"),
                };
                m.insert("tamper".into(), json!(what));
            }
            entries.push(entry);
        }
        (entries, rts)
    }

    fn positive(&mut self, name: &str, specs: &[RoundSpec]) -> Value {
        let (rounds, rts) = self.run(specs);
        assert!(rounds.iter().any(|e| e["result"] == "OK"));
        assert_eq!(rts.len(), 3, "{name}");
        let s = score(&rts).unwrap();
        let mut m = self.login_fields();
        m.insert("name".into(), json!(name));
        m.insert("rounds".into(), json!(rounds));
        m.insert("certainty".into(), json!(s.certainty));
        m.insert("label".into(), json!(s.label.as_str()));
        m.insert("status".into(), json!(s.status.as_str()));
        Value::Object(reorder_name_first(m))
    }

    fn negative(&mut self, name: &str, err: &str, specs: &[RoundSpec]) -> Value {
        let (rounds, _) = self.run(specs);
        let last = rounds.last().unwrap();
        assert_eq!(last["result"], err, "{name}");
        let mut m = self.login_fields();
        m.insert("name".into(), json!(name));
        m.insert("operation".into(), json!("validate"));
        m.insert("expectedError".into(), json!(err));
        m.insert("rounds".into(), json!(rounds));
        Value::Object(reorder_name_first(m))
    }
}

fn reorder_name_first(m: serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for k in ["name", "operation", "expectedError"] {
        if let Some(v) = m.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    for (k, v) in m {
        if !out.contains_key(&k) {
            out.insert(k, v);
        }
    }
    out
}

fn tamper(response: &Value, t: &Tamper) -> Value {
    let mut v = response.clone();
    match t {
        Tamper::Flip(at, _) => {
            let mut raw = b64_decode(v["response"].as_str().unwrap()).unwrap();
            let i = if *at < 0 {
                raw.len() - at.unsigned_abs()
            } else {
                *at as usize
            };
            raw[i] ^= 0x01;
            v["response"] = json!(b64_encode(&raw));
        }
        Tamper::OuterSession(s) => v["sessionId"] = json!(s),
        Tamper::OuterUser(u) => v["userId"] = json!(u),
    }
    v
}

/// Three honest rounds; each next round is issued when the previous one is accepted.
fn honest_rounds(rts: [u64; 3], shown_after: [u64; 3], skews: [i64; 3]) -> Vec<RoundSpec> {
    let mut specs = Vec::new();
    let mut issued = T0;
    for i in 0..3 {
        let s = RoundSpec::honest(i as u32 + 1, issued, shown_after[i], rts[i], skews[i]);
        issued = s.received_at_ms;
        specs.push(s);
    }
    specs
}

fn attendance_file() -> String {
    let mut b = Base::new();
    let mut cases = Vec::new();
    let base = honest_rounds(
        [1_420, 1_980, 1_610],
        [2_500, 41_000, 7_500],
        [-230, 4_100, -12_000],
    );
    cases.push(b.positive("three honest rounds, PRESENTE (95)", &base));
    cases.push(b.positive(
        "slow and uneven answers, PROBABLE_PRESENTE (70)",
        &honest_rounds([4_200, 2_900, 5_100], [900, 15_000, 60_000], [0, 800, -800]),
    ));
    cases.push(b.positive(
        "answers of 5.5 to 7 s, DUDOSO (50)",
        &honest_rounds([6_000, 7_000, 5_500], [1_000, 1_500, 2_000], [0, 0, 0]),
    ));
    cases.push(b.positive(
        "answers of 9 to 14 s, AUSENTE (20)",
        &honest_rounds([9_000, 12_000, 14_000], [1_000, 1_500, 2_000], [0, 0, 0]),
    ));
    // A retry after RT_INVALID (too short: the QR was shown again just before reception).
    let mut retry = honest_rounds([1_300, 1_700, 1_500], [3_000, 5_000, 4_000], [0, 0, 0]);
    let r2 = retry[1].clone();
    let mut early = r2.clone();
    early.shown_at_ms = Some(r2.received_at_ms - 300);
    early.received_at_ms = r2.received_at_ms;
    let mut again = r2.clone();
    again.shown_at_ms = Some(r2.received_at_ms + 2_000);
    again.received_at_ms = r2.received_at_ms + 2_000 + 1_700;
    again.client_sent_at_ms = again.received_at_ms;
    retry[1] = early;
    retry.insert(2, again.clone());
    retry[3] = RoundSpec::honest(3, again.received_at_ms, 4_000, 1_500, 0);
    cases.push(b.positive(
        "RT_INVALID then a retry of the same round, then success",
        &retry,
    ));

    // Negative `validate` cases: earlier rounds succeed, the last one fails.
    let first = base[0].clone();
    let second = base[1].clone();
    let with = |f: &dyn Fn(&mut RoundSpec)| {
        let mut s = first.clone();
        f(&mut s);
        vec![s]
    };
    let flips: [(isize, &'static str); 4] = [
        (0, "flipped byte 0 of the sealed response (seal nonce)"),
        (14, "flipped byte 14 of the sealed response (ciphertext)"),
        (-1, "flipped last byte of the sealed response (tag)"),
        (-16, "flipped first tag byte of the sealed response"),
    ];
    for (at, what) in flips {
        cases.push(b.negative(
            &format!("{what} -> SESSION_INVALID"),
            "SESSION_INVALID",
            &with(&|s| s.tamper = Some(Tamper::Flip(at, what))),
        ));
    }
    cases.push(b.negative(
        "outer sessionId differs from the sealed one -> SESSION_INVALID",
        "SESSION_INVALID",
        &with(&|s| s.tamper = Some(Tamper::OuterSession("cs102/2026-01-12"))),
    ));
    cases.push(b.negative(
        "outer userId without a session key -> SESSION_INVALID",
        "SESSION_INVALID",
        &with(&|s| s.tamper = Some(Tamper::OuterUser("alumno-08"))),
    ));
    cases.push(b.negative(
        "TOTPu two steps (60 s) behind -> SESSION_INVALID",
        "SESSION_INVALID",
        &with(&|s| s.client_sent_at_ms = s.received_at_ms - 60_000),
    ));
    cases.push(b.negative(
        "TOTPu two steps (60 s) ahead -> SESSION_INVALID",
        "SESSION_INVALID",
        &with(&|s| s.client_sent_at_ms = s.received_at_ms + 60_000),
    ));
    cases.push(b.negative(
        "payload expired (received 120,001 ms after issue) -> QR_EXPIRED",
        "QR_EXPIRED",
        &with(&|s| {
            s.received_at_ms = s.issued_at_ms + 120_001;
            s.shown_at_ms = Some(s.received_at_ms - 1_500);
            s.client_sent_at_ms = s.received_at_ms;
        }),
    ));
    let mut replay = vec![first.clone(), first.clone()];
    replay[1].replay_previous = true;
    replay[1].received_at_ms = first.received_at_ms + 3_000;
    cases.push(b.negative(
        "round 1 response replayed after it was accepted -> QR_EXPIRED",
        "QR_EXPIRED",
        &replay,
    ));
    let mut replay2 = vec![first.clone(), second.clone(), second.clone()];
    replay2[2].replay_previous = true;
    replay2[2].received_at_ms = second.received_at_ms + 800;
    cases.push(b.negative(
        "round 2 response replayed -> QR_EXPIRED",
        "QR_EXPIRED",
        &replay2,
    ));
    let mut fresh = vec![first.clone(), first.clone()];
    fresh[1].received_at_ms = first.received_at_ms + 5_000;
    fresh[1].shown_at_ms = Some(first.received_at_ms + 3_500);
    fresh[1].client_sent_at_ms = fresh[1].received_at_ms;
    cases.push(b.negative(
        "a fresh response to round 1 after it was accepted -> QR_EXPIRED",
        "QR_EXPIRED",
        &fresh,
    ));
    cases.push(b.negative(
        "wrong TOTPs in the response -> QR_INVALID",
        "QR_INVALID",
        &with(&|s| s.response_totp_s = Some("000000")),
    ));
    cases.push(b.negative(
        "no projection of the QR -> QR_INVALID",
        "QR_INVALID",
        &with(&|s| s.shown_at_ms = None),
    ));
    cases.push(b.negative(
        "only projection is after reception -> QR_INVALID",
        "QR_INVALID",
        &with(&|s| s.shown_at_ms = Some(s.received_at_ms + 1)),
    ));
    cases.push(b.negative(
        "RT exactly 500 ms (too short) -> RT_INVALID",
        "RT_INVALID",
        &with(&|s| s.shown_at_ms = Some(s.received_at_ms - 500)),
    ));
    cases.push(b.negative(
        "RT exactly 15,000 ms (too long) -> RT_INVALID",
        "RT_INVALID",
        &with(&|s| s.shown_at_ms = Some(s.received_at_ms - 15_000)),
    ));
    let wrong_nonce: [u8; 16] = bytes(&mut b.rng);
    cases.push(b.negative(
        "wrong nonce -> SECRET_INVALID",
        "SECRET_INVALID",
        &with(&|s| s.response_nonce = Some(wrong_nonce)),
    ));
    cases.push(b.negative(
        "third failure (wrong nonce, 2 attempts before) -> MAX_ATTEMPTS",
        "MAX_ATTEMPTS",
        &with(&|s| {
            s.response_nonce = Some(wrong_nonce);
            s.attempts_before = Some(2);
        }),
    ));
    cases.push(b.negative(
        "third failure (RT too short, 2 attempts before) -> MAX_ATTEMPTS",
        "MAX_ATTEMPTS",
        &with(&|s| {
            s.shown_at_ms = Some(s.received_at_ms - 100);
            s.attempts_before = Some(2);
        }),
    ));
    let mut deleted = vec![first.clone(), first.clone()];
    deleted[0].response_nonce = Some(wrong_nonce);
    deleted[0].attempts_before = Some(2);
    deleted[1].received_at_ms = first.received_at_ms + 4_000;
    deleted[1].shown_at_ms = Some(first.received_at_ms + 2_000);
    deleted[1].client_sent_at_ms = deleted[1].received_at_ms;
    cases.push(b.negative(
        "an honest response after the round was deleted at MAX_ATTEMPTS -> QR_EXPIRED",
        "QR_EXPIRED",
        &deleted,
    ));
    cases.push(b.negative(
        "second failure (wrong TOTPs, 1 attempt before) keeps its code -> QR_INVALID",
        "QR_INVALID",
        &with(&|s| {
            s.response_totp_s = Some("999999");
            s.attempts_before = Some(1);
        }),
    ));

    // Negative `login` cases: low-order client keys give an all-zero Z.
    let login = b.login_fields();
    for (what, point) in [
        (
            "zero",
            "0000000000000000000000000000000000000000000000000000000000000000",
        ),
        (
            "one",
            "0100000000000000000000000000000000000000000000000000000000000000",
        ),
        (
            "order 8",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        ),
        (
            "order 8 (other)",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        ),
        (
            "p - 1",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ),
        (
            "p (non-canonical zero)",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ),
        (
            "p + 1 (non-canonical one)",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ),
    ] {
        let public: [u8; 32] = sealwright::encoding::hex_decode_array(point).unwrap();
        let got = server_login(
            b.user_id,
            &b.login_nonce,
            &public,
            &mut ScriptedRng::new([b.server_private]),
        )
        .unwrap_err();
        assert_eq!(got.code(), "LOW_ORDER_POINT", "{what}");
        cases.push(json!({
            "name": format!("low-order clientPublic ({what}) -> LOW_ORDER_POINT"),
            "operation": "login",
            "expectedError": "LOW_ORDER_POINT",
            "userId": login["userId"],
            "loginNonce": login["loginNonce"],
            "serverPrivate": login["serverPrivate"],
            "clientPublic": point,
        }));
    }
    render(&file("attendance", 2, cases))
}

fn totp_file() -> String {
    let mut cases = Vec::new();
    let rfc: [(&str, &[u8]); 3] = [
        ("SHA1", b"12345678901234567890"),
        ("SHA256", b"12345678901234567890123456789012"),
        (
            "SHA512",
            b"1234567890123456789012345678901234567890123456789012345678901234",
        ),
    ];
    // RFC 6238 appendix B, checked here against the published table.
    let table: [(u64, [&str; 3]); 6] = [
        (59, ["94287082", "46119246", "90693936"]),
        (1111111109, ["07081804", "68084774", "25091201"]),
        (1111111111, ["14050471", "67062674", "99943326"]),
        (1234567890, ["89005924", "91819424", "93441116"]),
        (2000000000, ["69279037", "90698825", "38618901"]),
        (20000000000, ["65353130", "77737706", "47863826"]),
    ];
    for (t, codes) in table {
        for ((alg, key), expected) in rfc.iter().zip(codes) {
            let totp =
                Totp::with_params(key, TotpAlgorithm::from_name(alg).unwrap(), 8, 30).unwrap();
            let code = totp.generate_at_seconds(t);
            assert_eq!(code.as_str(), expected, "RFC 6238 {alg} at {t}");
            cases.push(json!({
                "name": format!("RFC 6238 appendix B, {alg}, T = {t}"),
                "key": hex_encode(key),
                "algorithm": alg,
                "digits": 8,
                "step": 30,
                "timeSeconds": t,
                "code": code.as_str(),
            }));
        }
    }
    let mut rng = seeded("totp");
    for i in 0..3 {
        let key: [u8; 32] = bytes(&mut rng);
        let totp = Totp::new(&SecretKey32::new(key));
        for t in [
            0u64,
            29,
            30,
            59,
            1_768_204_800,
            1_768_204_829 + i * 1_000,
            4_102_444_800,
        ] {
            cases.push(json!({
                "name": format!("protocol TOTP (SHA256, 6 digits, 30 s), key {i}, T = {t}"),
                "key": hex_encode(&key),
                "algorithm": "SHA256",
                "digits": 6,
                "step": 30,
                "timeSeconds": t,
                "code": totp.generate_at_seconds(t).as_str(),
            }));
        }
    }
    render(&file("totp", 2, cases))
}

fn scoring_file() -> String {
    let lists: Vec<(&str, Vec<u64>)> = vec![
        ("std 499 (mean 2000) -> 95", vec![1501, 2499, 1501, 2499]),
        (
            "std exactly 500 (mean 2000) -> 70",
            vec![1500, 2500, 1500, 2500],
        ),
        ("std 501 (mean 2000) -> 70", vec![1499, 2501, 1499, 2501]),
        ("std 999 (mean 2000) -> 70", vec![1001, 2999, 1001, 2999]),
        (
            "std exactly 1000 (mean 2000) -> 50",
            vec![1000, 3000, 1000, 3000],
        ),
        ("std 1001 (mean 2000) -> 50", vec![999, 3001, 999, 3001]),
        ("std 1999 (mean 3000) -> 50", vec![1001, 4999, 1001, 4999]),
        (
            "std exactly 2000 (mean 3000) -> 20",
            vec![1000, 5000, 1000, 5000],
        ),
        ("std 2001 (mean 3000) -> 20", vec![999, 5001, 999, 5001]),
        ("mean 299 -> 20", vec![299, 299, 299]),
        ("mean exactly 300 -> 20", vec![300, 300, 300]),
        ("mean 301 -> 50", vec![301, 301, 301]),
        ("mean 499 -> 50", vec![499, 499, 499]),
        ("mean exactly 500 -> 50", vec![500, 500, 500]),
        ("mean 501 -> 70", vec![501, 501, 501]),
        ("mean 799 -> 70", vec![799, 799, 799]),
        ("mean exactly 800 -> 70", vec![800, 800, 800]),
        ("mean 801 -> 95", vec![801, 801, 801]),
        ("mean 800.333... -> 95", vec![800, 801, 800]),
        ("mean 2999 -> 95", vec![2999, 2999, 2999]),
        ("mean exactly 3000 -> 70", vec![3000, 3000, 3000]),
        ("mean 3001 -> 70", vec![3001, 3001, 3001]),
        ("mean 4999 -> 70", vec![4999, 4999, 4999]),
        ("mean exactly 5000 -> 50", vec![5000, 5000, 5000]),
        ("mean 5001 -> 50", vec![5001, 5001, 5001]),
        ("mean 7999 -> 50", vec![7999, 7999, 7999]),
        ("mean exactly 8000 -> 20", vec![8000, 8000, 8000]),
        ("mean 8001 -> 20", vec![8001, 8001, 8001]),
        // One RT moved by 1 ms: the smallest step of N*Q - S^2 either side of c^2*N^2.
        (
            "std just below 500 (one RT 1 ms closer) -> 95",
            vec![1501, 2500, 1500, 2500],
        ),
        (
            "std just above 500 (one RT 1 ms further) -> 70",
            vec![1499, 2500, 1500, 2500],
        ),
        (
            "std just below 1000 (one RT 1 ms closer) -> 70",
            vec![1001, 3000, 1000, 3000],
        ),
        (
            "std just above 1000 (one RT 1 ms further) -> 50",
            vec![999, 3000, 1000, 3000],
        ),
        (
            "std just below 2000 (one RT 1 ms closer) -> 50",
            vec![1001, 5000, 1000, 5000],
        ),
        (
            "std just above 2000 (one RT 1 ms further) -> 20",
            vec![999, 5000, 1000, 5000],
        ),
        // Means a third of a millisecond either side of each threshold (S = 3a -+ 1).
        ("mean 299.667 -> 20", vec![300, 300, 299]),
        ("mean 300.333 -> 50", vec![300, 300, 301]),
        ("mean 499.667 -> 50", vec![500, 500, 499]),
        ("mean 500.333 -> 70", vec![500, 500, 501]),
        ("mean 799.667 -> 70", vec![800, 800, 799]),
        ("mean 2999.667 -> 95", vec![3000, 3000, 2999]),
        ("mean 3000.333 -> 70", vec![3000, 3000, 3001]),
        ("mean 4999.667 -> 70", vec![5000, 5000, 4999]),
        ("mean 5000.333 -> 50", vec![5000, 5000, 5001]),
        ("mean 7999.667 -> 50", vec![8000, 8000, 7999]),
        ("mean 8000.333 -> 20", vec![8000, 8000, 8001]),
        // Exact std on a threshold where a double two-pass std (version 1) is just below it
        // (499.99999999999994, 999.9999999999999, 1999.9999999999998): exact comparison
        // gives the lower certainty.
        (
            "std exactly 500 (N = 9, float two-pass 499.99999999999994) -> 70",
            vec![2164, 2057, 3073, 2216, 2551, 3202, 1665, 1878, 2734],
        ),
        (
            "std exactly 1000 (N = 9, float two-pass 999.9999999999999) -> 50",
            vec![2193, 2674, 1212, 2040, 1322, 4082, 4137, 1981, 2907],
        ),
        (
            "std exactly 2000 (N = 9, float two-pass 1999.9999999999998) -> 20",
            vec![4386, 5348, 2424, 4080, 2644, 8164, 8274, 3962, 5814],
        ),
        ("typical honest class answers -> 95", vec![1420, 1980, 1610]),
        ("one slow answer -> 70", vec![1200, 1400, 3100]),
        (
            "mean 2000, std 1024.7 (N = 10) -> 50",
            vec![1000, 1000, 4000, 2000, 2000, 2000, 500, 3500, 2000, 2000],
        ),
        ("single RT (N = 1) -> 95", vec![1000]),
        ("wildly uneven -> 20", vec![600, 14_900, 600]),
    ];
    let cases: Vec<Value> = lists
        .into_iter()
        .map(|(name, rts)| {
            let s = score(&rts).unwrap();
            // Every name ends with the certainty the exact rule gives.
            assert!(
                name.ends_with(&format!("-> {}", s.certainty)),
                "{name}: {s:?}"
            );
            json!({
                "name": name,
                "rtsMs": rts,
                "mean": s.mean,
                "std": s.std,
                "certainty": s.certainty,
                "label": s.label.as_str(),
                "status": s.status.as_str(),
            })
        })
        .collect();
    render(&file("scoring", 2, cases))
}

/// The files this module writes, as `(file name, text)`.
pub fn generate() -> Vec<(&'static str, String)> {
    vec![
        ("attendance.json", attendance_file()),
        ("totp.json", totp_file()),
        ("scoring.json", scoring_file()),
    ]
}
