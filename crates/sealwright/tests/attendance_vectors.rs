//! Replays `test-vectors/attendance.json`, `totp.json` and `scoring.json` (spec §6) through
//! the core: every positive and negative case, with the replay rule written in
//! `crates/sealwright-vectors/src/attendance.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use sealwright::attendance::login::{ClientLogin, LoginNonce, login_challenge, server_login};
use sealwright::attendance::round::{
    ResponseEnvelope, ResponsePlaintext, RoundMetadata, issue_round, round_secret, try_qr,
};
use sealwright::attendance::score::score;
use sealwright::attendance::totp::{Totp, TotpAlgorithm, TotpCode};
use sealwright::attendance::validate::{MetadataUpdate, open_response};
use sealwright::attendance::{Config, SessionKeys};
use sealwright::encoding::{hex_decode, hex_decode_array, hex_encode};
use sealwright::rng::ScriptedRng;
use sealwright::secret::{SecretBytes, SecretKey32};
use serde_json::Value;

/// The spec version each file follows (§6): `attendance.json`, `totp.json` and `scoring.json` are version 2.
fn spec_version(stem: &str) -> u64 {
    match stem {
        "totp" | "scoring" | "attendance" => 2,
        _ => 1,
    }
}

fn load(stem: &str) -> Vec<Value> {
    let path = format!(
        "{}/../../test-vectors/{stem}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(v["protocol"], stem);
    assert_eq!(v["specVersion"], spec_version(stem), "{stem}.json");
    v["cases"].as_array().unwrap().clone()
}

/// Spec §5/§6: display values compare with a relative tolerance of 1e-12 (absolute when the
/// recorded value is 0).
fn close(got: f64, want: f64) -> bool {
    if want == 0.0 {
        got.abs() <= 1e-12
    } else {
        ((got - want) / want).abs() <= 1e-12
    }
}

fn s<'a>(c: &'a Value, k: &str) -> &'a str {
    c[k].as_str()
        .unwrap_or_else(|| panic!("{}: {k}", c["name"]))
}

fn u(c: &Value, k: &str) -> u64 {
    c[k].as_u64()
        .unwrap_or_else(|| panic!("{}: {k}", c["name"]))
}

fn arr<const N: usize>(c: &Value, k: &str) -> [u8; N] {
    hex_decode_array(s(c, k)).unwrap()
}

fn key(c: &Value, k: &str) -> SecretKey32 {
    SecretKey32::new(arr(c, k))
}

/// Login steps 2 to 4 and the key schedule, recomputed from the case's random values.
fn check_login(c: &Value) -> SessionKeys {
    let user = s(c, "userId");
    let nonce = LoginNonce(arr(c, "loginNonce"));
    let client = ClientLogin::start(
        user,
        nonce,
        &mut ScriptedRng::new([arr::<32>(c, "clientPrivate")]),
    )
    .unwrap();
    assert_eq!(hex_encode(&client.client_public()), s(c, "clientPublic"));
    let challenge = client.challenge().unwrap();
    assert_eq!(hex_encode(&challenge), s(c, "webauthnChallenge"));
    assert_eq!(
        login_challenge(&nonce, &client.client_public(), user).unwrap(),
        challenge
    );
    let server = server_login(
        user,
        &nonce,
        &arr(c, "clientPublic"),
        &mut ScriptedRng::new([arr::<32>(c, "serverPrivate")]),
    )
    .unwrap();
    assert_eq!(hex_encode(&server.server_public), s(c, "serverPublic"));
    let keys = client.finish(&server.server_public).unwrap();
    for k in [&keys, &server.keys] {
        assert_eq!(hex_encode(k.session_key().expose()), s(c, "sessionKey"));
        assert_eq!(hex_encode(k.qr_key().expose()), s(c, "qrKey"));
        assert_eq!(hex_encode(k.response_key().expose()), s(c, "responseKey"));
        assert_eq!(hex_encode(k.totp_u_key().expose()), s(c, "totpUKey"));
    }
    keys
}

/// Replays a case's rounds; returns each round's result code and the accepted RTs.
fn replay_rounds(c: &Value, keys: &SessionKeys) -> (Vec<String>, Vec<u64>) {
    let config = Config::default();
    let server_secret = key(c, "serverSecret");
    let session_id = s(c, "sessionId");
    let user_id = s(c, "userId");
    let mut issued: BTreeMap<u64, ()> = BTreeMap::new();
    let mut metas: BTreeMap<u32, RoundMetadata> = BTreeMap::new();
    let mut results = Vec::new();
    let mut rts = Vec::new();
    for e in c["rounds"].as_array().unwrap() {
        let r = u32::try_from(u(e, "round")).unwrap();
        let secret_s = round_secret(&server_secret, session_id, user_id, r).unwrap();
        assert_eq!(hex_encode(secret_s.expose()), s(e, "roundSecret"));
        assert_eq!(
            Totp::new(&secret_s).generate(u(e, "issuedAtMs")).as_str(),
            s(e, "totpS")
        );
        if issued.insert(u64::from(r), ()).is_none() {
            let round = issue_round(
                keys,
                &server_secret,
                session_id,
                r,
                u(e, "issuedAtMs"),
                &mut ScriptedRng::new([
                    hex_decode(s(e, "qrNonce")).unwrap(),
                    hex_decode(s(e, "qrSealNonce")).unwrap(),
                ]),
            )
            .unwrap();
            assert_eq!(round.qr_text, s(e, "qrText"), "{}", c["name"]);
            assert_eq!(hex_encode(round.metadata.nonce.expose()), s(e, "qrNonce"));
            metas.insert(r, round.metadata);
        }
        if let Some(a) = e.get("attemptsBefore").and_then(Value::as_u64) {
            metas.get_mut(&r).unwrap().attempts = u8::try_from(a).unwrap();
        }
        // Student: open the QR, answer (with the case's substitutions), compare.
        let qr = try_qr(keys, s(e, "qrText")).unwrap();
        assert_eq!(qr.round, r);
        assert_eq!(qr.totp_s.as_str(), s(e, "totpS"));
        let mut pt = ResponsePlaintext::answer(keys, &qr, u(e, "clientSentAtMs"));
        assert_eq!(pt.totp_u.as_str(), s(e, "totpU"));
        if let Some(n) = e.get("responseNonce").and_then(Value::as_str) {
            pt.nonce = SecretBytes::new(hex_decode_array(n).unwrap());
        }
        if let Some(t) = e.get("responseTotpS").and_then(Value::as_str) {
            pt.totp_s = TotpCode::from_ascii(t.as_bytes()).unwrap();
        }
        let built = pt
            .seal(
                keys,
                &mut ScriptedRng::new([hex_decode(s(e, "responseSealNonce")).unwrap()]),
            )
            .unwrap();
        let built: Value = serde_json::from_str(&built.to_json().unwrap()).unwrap();
        if e.get("tamper").is_none() {
            assert_eq!(built, e["response"], "{}: response bytes", c["name"]);
        } else {
            assert_ne!(built, e["response"], "{}: tampered", c["name"]);
        }
        // Server: steps 1 to 7.
        let env = ResponseEnvelope::from_json(&e["response"].to_string()).unwrap();
        let lookup = (env.user_id == user_id).then_some(keys);
        let shown: Vec<u64> = e["shownAtMs"].as_u64().into_iter().collect();
        let received = u(e, "receivedAtMs");
        let (code, rt) = match open_response(lookup, &env, received) {
            Err(err) => (err.code().to_string(), None),
            Ok(opened) => {
                assert_eq!(opened.client_sent_at_ms(), u(e, "clientSentAtMs"));
                let v = opened.check(&server_secret, metas.get(&r), &shown, &config);
                match v.metadata {
                    MetadataUpdate::Keep => {}
                    MetadataUpdate::Put(m) => {
                        metas.insert(r, m);
                    }
                    MetadataUpdate::Delete => {
                        metas.remove(&r);
                    }
                }
                match v.result {
                    Ok(a) => {
                        assert_eq!(a.rt_ms, received - shown.iter().max().unwrap());
                        (String::from("OK"), Some(a.rt_ms))
                    }
                    Err(err) => (err.code().to_string(), None),
                }
            }
        };
        assert_eq!(code, s(e, "result"), "{}: round {r}", c["name"]);
        assert_eq!(rt, e["rtMs"].as_u64(), "{}: rtMs", c["name"]);
        rts.extend(rt);
        results.push(code);
    }
    (results, rts)
}

#[test]
fn attendance_positive_cases() {
    let cases = load("attendance");
    let mut n = 0;
    for c in cases.iter().filter(|c| c.get("expectedError").is_none()) {
        n += 1;
        let keys = check_login(c);
        let (results, rts) = replay_rounds(c, &keys);
        assert_eq!(results.last().map(String::as_str), Some("OK"));
        let sc = score(&rts).unwrap();
        assert_eq!(u64::from(sc.certainty), u(c, "certainty"), "{}", c["name"]);
        assert_eq!(sc.label.as_str(), s(c, "label"));
        assert_eq!(sc.status.as_str(), s(c, "status"));
    }
    assert!(n >= 4, "{n} positive cases");
}

#[test]
fn attendance_negative_cases() {
    let cases = load("attendance");
    let mut ops = BTreeMap::new();
    for c in cases.iter().filter(|c| c.get("expectedError").is_some()) {
        let expected = s(c, "expectedError");
        let op = s(c, "operation");
        *ops.entry(op.to_string()).or_insert(0) += 1;
        match op {
            "validate" => {
                let keys = check_login(c);
                let (results, _) = replay_rounds(c, &keys);
                assert_eq!(results.last().unwrap(), expected, "{}", c["name"]);
            }
            "login" => {
                let err = server_login(
                    s(c, "userId"),
                    &LoginNonce(arr(c, "loginNonce")),
                    &arr(c, "clientPublic"),
                    &mut ScriptedRng::new([arr::<32>(c, "serverPrivate")]),
                )
                .unwrap_err();
                assert_eq!(err.code(), expected, "{}", c["name"]);
                // The client refuses the same point as the server's S.
                let client = ClientLogin::start(
                    s(c, "userId"),
                    LoginNonce(arr(c, "loginNonce")),
                    &mut ScriptedRng::new([[9u8; 32]]),
                )
                .unwrap();
                assert_eq!(
                    client.finish(&arr(c, "clientPublic")).unwrap_err().code(),
                    expected
                );
            }
            other => panic!("unknown operation {other}"),
        }
    }
    // Every failure code of spec §5 validation appears.
    let codes: Vec<&str> = cases
        .iter()
        .filter_map(|c| c["expectedError"].as_str())
        .collect();
    for code in [
        "SESSION_INVALID",
        "QR_EXPIRED",
        "QR_INVALID",
        "RT_INVALID",
        "SECRET_INVALID",
        "MAX_ATTEMPTS",
        "LOW_ORDER_POINT",
    ] {
        assert!(codes.contains(&code), "{code} missing");
    }
    assert!(ops["validate"] >= 20 && ops["login"] >= 3, "{ops:?}");
}

#[test]
fn totp_cases() {
    let cases = load("totp");
    for c in &cases {
        let totp = Totp::with_params(
            &hex_decode(s(c, "key")).unwrap(),
            TotpAlgorithm::from_name(s(c, "algorithm")).unwrap(),
            u8::try_from(u(c, "digits")).unwrap(),
            u(c, "step"),
        )
        .unwrap();
        let t = u(c, "timeSeconds");
        let code = totp.generate_at_seconds(t);
        assert_eq!(code.as_str(), s(c, "code"), "{}", c["name"]);
        // The verifier finds the code at its own step (skew window of one step).
        if let Some(ms) = t.checked_mul(1000) {
            assert_eq!(totp.verify(code.as_str(), ms), Some(t / u(c, "step")));
        }
        if s(c, "algorithm") == "SHA256" && u(c, "digits") == 6 {
            let protocol = Totp::new(&key(c, "key"));
            assert_eq!(protocol.generate_at_seconds(t).as_str(), s(c, "code"));
        }
    }
    // All 18 RFC 6238 appendix B vectors are present.
    let rfc = cases
        .iter()
        .filter(|c| s(c, "name").starts_with("RFC 6238"))
        .count();
    assert_eq!(rfc, 18);
}

/// Spec §5 certainty from exact integer comparisons, independently of the core.
fn exact_certainty(rts: &[u64]) -> u8 {
    let n = rts.len() as i128;
    let s: i128 = rts.iter().map(|&x| i128::from(x)).sum();
    let q: i128 = rts.iter().map(|&x| i128::from(x) * i128::from(x)).sum();
    let d = n * q - s * s;
    let rule = |c: i128, a: i128, b: i128| d < c * c * n * n && a * n < s && s < b * n;
    if rule(500, 800, 3000) {
        95
    } else if rule(1000, 500, 5000) {
        70
    } else if rule(2000, 300, 8000) {
        50
    } else {
        20
    }
}

#[test]
fn scoring_cases() {
    let cases = load("scoring");
    for c in &cases {
        let rts: Vec<u64> = c["rtsMs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        let sc = score(&rts).unwrap();
        let (mean, std) = (c["mean"].as_f64().unwrap(), c["std"].as_f64().unwrap());
        assert!(
            close(sc.mean, mean),
            "{}: mean {} vs {mean}",
            c["name"],
            sc.mean
        );
        assert!(close(sc.std, std), "{}: std {} vs {std}", c["name"], sc.std);
        assert_eq!(u64::from(sc.certainty), u(c, "certainty"), "{}", c["name"]);
        assert_eq!(sc.label.as_str(), s(c, "label"), "{}", c["name"]);
        assert_eq!(sc.status.as_str(), s(c, "status"), "{}", c["name"]);
        // The label follows from the exact integer comparisons, recomputed here from the RTs.
        assert_eq!(
            u64::from(exact_certainty(&rts)),
            u(c, "certainty"),
            "{}",
            c["name"]
        );
    }
    // Every threshold is met exactly (N*Q - S^2 = c^2*N^2, S = a*N) and from both sides.
    let sums = |c: &Value| -> (i128, i128, i128) {
        let rts: Vec<i128> = c["rtsMs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| i128::from(v.as_u64().unwrap()))
            .collect();
        let n = rts.len() as i128;
        let s: i128 = rts.iter().sum();
        let q: i128 = rts.iter().map(|x| x * x).sum();
        (n, s, n * q - s * s)
    };
    for c_std in [500i128, 1000, 2000] {
        for (cmp, what) in [(-1, "below"), (0, "at"), (1, "above")] {
            assert!(
                cases.iter().any(|c| {
                    let (n, _, d) = sums(c);
                    (d - c_std * c_std * n * n).signum() == cmp
                        && (d - c_std * c_std * n * n).abs() <= 8 * c_std * n
                }),
                "std {what} {c_std} missing"
            );
        }
    }
    for a in [300i128, 500, 800, 3000, 5000, 8000] {
        for cmp in [-1, 0, 1] {
            assert!(
                cases.iter().any(|c| {
                    let (n, s, _) = sums(c);
                    (s - a * n).signum() == cmp && (s - a * n).abs() <= n
                }),
                "mean {cmp} of {a} missing"
            );
        }
    }
    // Lists where the version 1 double computation lands below a threshold the exact value
    // sits on are included.
    assert!(
        cases
            .iter()
            .filter(|c| s(c, "name").contains("float two-pass"))
            .count()
            >= 3
    );
    // Every threshold of spec §5 is hit exactly by some case.
    for (field, value) in [
        ("std", 500.0),
        ("std", 1000.0),
        ("std", 2000.0),
        ("mean", 300.0),
        ("mean", 500.0),
        ("mean", 800.0),
        ("mean", 3000.0),
        ("mean", 5000.0),
        ("mean", 8000.0),
    ] {
        assert!(
            cases.iter().any(|c| c[field].as_f64() == Some(value)),
            "{field} = {value} missing"
        );
    }
}
