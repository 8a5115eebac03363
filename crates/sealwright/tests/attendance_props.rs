//! Property tests for attendance rounds (spec §5): a round validates at most once, attempts
//! never pass MAX_ATTEMPTS, RT never depends on the client timestamp, the score is a pure
//! function of the RT list matching the table, and tampering gives an error, never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::OnceLock;

use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::attendance::login::{ClientLogin, LoginNonce, SessionKeys, server_login};
use sealwright::attendance::round::*;
use sealwright::attendance::score::{Label, Status, score};
use sealwright::attendance::totp::TotpCode;
use sealwright::attendance::validate::{MetadataUpdate, open_response};
use sealwright::attendance::{Config, base45};
use sealwright::effect::StoredRecord;
use sealwright::encoding::{b64_decode, b64_encode};
use sealwright::secret::{SecretBytes, SecretKey32};

const T0: u64 = 1_768_204_800_000;
const SID: &str = "cs101";

struct Fixture {
    student: SessionKeys,
    server: SessionKeys,
    secret: SecretKey32,
    round: IssuedRound,
    qr: QrPayload,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mut rng = ChaCha20Rng::from_seed([77; 32]);
        let nonce = LoginNonce([1; 32]);
        let client = ClientLogin::start("alumno-1", nonce, &mut rng).unwrap();
        let srv = server_login("alumno-1", &nonce, &client.client_public(), &mut rng).unwrap();
        let student = client.finish(&srv.server_public).unwrap();
        let secret = SecretKey32::new([0x33; 32]);
        let round = issue_round(&srv.keys, &secret, SID, 1, T0, &mut rng).unwrap();
        let qr = try_qr(&student, &round.qr_text).unwrap();
        Fixture {
            student,
            server: srv.keys,
            secret,
            round,
            qr,
        }
    })
}

/// A response kind a client may send.
#[derive(Debug, Clone)]
enum Kind {
    Honest,
    WrongNonce,
    WrongTotpS,
}

fn response(kind: &Kind, client_at: u64, seed: u64) -> ResponseEnvelope {
    let f = fixture();
    let mut pt = ResponsePlaintext::answer(&f.student, &f.qr, client_at);
    match kind {
        Kind::Honest => {}
        Kind::WrongNonce => pt.nonce = SecretBytes::new([0xee; 16]),
        Kind::WrongTotpS => pt.totp_s = TotpCode::from_ascii(b"000000").unwrap(),
    }
    pt.seal(&f.student, &mut ChaCha20Rng::seed_from_u64(seed))
        .unwrap()
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Honest),
        Just(Kind::WrongNonce),
        Just(Kind::WrongTotpS)
    ]
}

/// The table of spec §5 with its exact integer comparisons, written independently of the
/// core (i128 is enough for the RTs generated here): `a < mean` is `a*N < S`, `mean < b` is
/// `S < b*N`, `std < c` is `N*Q - S^2 < c^2*N^2`.
fn table(rts: &[u64]) -> u8 {
    let n = rts.len() as i128;
    let s: i128 = rts.iter().map(|&x| i128::from(x)).sum();
    let q: i128 = rts.iter().map(|&x| i128::from(x) * i128::from(x)).sum();
    let var_n2 = n * q - s * s;
    let rule = |c: i128, a: i128, b: i128| var_n2 < c * c * n * n && a * n < s && s < b * n;
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever arrives, in whatever order and at whatever time, a round is accepted at most
    /// once, stored attempts stay below MAX_ATTEMPTS, and a deleted round never validates.
    #[test]
    fn round_validates_once_and_attempts_are_bounded(
        events in prop::collection::vec((kind(), 0u64..20_000, 0u64..130_000, any::<u64>()), 1..12)
    ) {
        let f = fixture();
        let config = Config::default();
        let shown = [T0 + 1_000, T0 + 40_000, T0 + 90_000];
        let mut meta = Some(f.round.metadata.clone());
        let mut accepted = 0;
        for (k, rt_jitter, offset, seed) in events {
            let received = T0 + offset + rt_jitter % 3;
            let env = response(&k, received, seed);
            let Ok(opened) = open_response(Some(&f.server), &env, received) else { continue };
            let v = opened.check(&f.secret, meta.as_ref(), &shown, &config);
            if v.result.is_ok() {
                accepted += 1;
            }
            match v.metadata {
                MetadataUpdate::Keep => {}
                MetadataUpdate::Put(m) => {
                    prop_assert!(m.attempts < config.max_attempts);
                    meta = Some(m);
                }
                MetadataUpdate::Delete => {
                    prop_assert_eq!(v.result.clone().unwrap_err(), sealwright::Error::MaxAttempts);
                    meta = None;
                }
            }
            if meta.is_none() {
                prop_assert!(v.result.is_err());
            }
        }
        prop_assert!(accepted <= 1);
    }

    /// RT is `received - latest projection`, whatever the client's clock says.
    #[test]
    fn rt_never_depends_on_the_client_timestamp(
        rt in 501u64..15_000,
        client_offset in -29_000i64..29_000,
        seed in any::<u64>(),
    ) {
        let f = fixture();
        let shown = T0 + 3_000;
        let received = shown + rt;
        let env = response(&Kind::Honest, received.checked_add_signed(client_offset).unwrap(), seed);
        let opened = open_response(Some(&f.server), &env, received).unwrap();
        let a = opened
            .check(&f.secret, Some(&f.round.metadata), &[shown], &Config::default())
            .result
            .unwrap();
        prop_assert_eq!(a.rt_ms, rt);
    }

    /// The score is a pure function of the RT list and follows the table.
    #[test]
    fn score_is_pure_and_follows_the_table(rts in prop::collection::vec(0u64..20_000, 1..8)) {
        let a = score(&rts).unwrap();
        let b = score(&rts.clone()).unwrap();
        prop_assert_eq!(a, b);
        // Display values: double(S) / double(N) and sqrt(double(N*Q - S^2) / double(N^2)).
        let n = rts.len() as i128;
        let sum: i128 = rts.iter().map(|&x| i128::from(x)).sum();
        let q: i128 = rts.iter().map(|&x| i128::from(x) * i128::from(x)).sum();
        prop_assert_eq!(a.mean, sum as f64 / n as f64);
        prop_assert_eq!(a.std, ((n * q - sum * sum) as f64 / (n * n) as f64).sqrt());
        prop_assert_eq!(a.certainty, table(&rts));
        let label = match a.certainty {
            95 => Label::Presente,
            70 => Label::ProbablePresente,
            50 => Label::Dudoso,
            _ => Label::Ausente,
        };
        prop_assert_eq!(a.label, label);
        prop_assert_eq!(a.status, if a.certainty >= 70 { Status::Presente } else { Status::Ausente });
    }

    /// Any non-empty list of u64 RTs scores without panicking or overflowing: the display
    /// mean lies between the smallest and largest RT and the display std is finite.
    #[test]
    fn score_is_total_on_u64(rts in prop::collection::vec(any::<u64>(), 1..64)) {
        let a = score(&rts).unwrap();
        let (min, max) = (*rts.iter().min().unwrap(), *rts.iter().max().unwrap());
        // Up to a few roundings of the doubles (relative 1e-12 is far more than that).
        let (lo, hi) = (min as f64 * (1.0 - 1e-12), max as f64 * (1.0 + 1e-12));
        prop_assert!(lo <= a.mean && a.mean <= hi, "{:?}", a);
        // The population std is at most half the spread.
        let spread = (max - min) as f64;
        prop_assert!(a.std.is_finite() && a.std >= 0.0 && a.std <= spread * (0.5 + 1e-12), "{:?}", a);
        if rts.iter().all(|&x| x >= 8_000) {
            prop_assert_eq!(a.label, Label::Ausente);
        }
    }

    /// A flipped bit anywhere in the sealed QR bytes is an error for the student.
    #[test]
    fn flipped_qr_byte_is_an_error(at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let f = fixture();
        let mut raw = base45::decode(&f.round.qr_text[4..]).unwrap();
        let i = at.index(raw.len());
        raw[i] ^= 1 << bit;
        let text = format!("SW1:{}", base45::encode(&raw));
        prop_assert!(try_qr(&f.student, &text).is_err());
    }

    /// A flipped bit in the QR text itself (any character) is an error.
    #[test]
    fn flipped_qr_text_is_an_error(at in any::<prop::sample::Index>(), bit in 0u8..7) {
        let f = fixture();
        let mut bytes = f.round.qr_text.clone().into_bytes();
        let i = at.index(bytes.len());
        bytes[i] ^= 1 << bit;
        if let Ok(text) = String::from_utf8(bytes) {
            prop_assert!(try_qr(&f.student, &text).is_err());
        }
    }

    /// A flipped bit in the sealed response is SESSION_INVALID.
    #[test]
    fn flipped_response_byte_is_session_invalid(at in any::<prop::sample::Index>(), bit in 0u8..8, seed in any::<u64>()) {
        let f = fixture();
        let received = T0 + 5_000;
        let env = response(&Kind::Honest, received, seed);
        let mut json: serde_json::Value = serde_json::from_str(&env.to_json().unwrap()).unwrap();
        let mut raw = b64_decode(json["response"].as_str().unwrap()).unwrap();
        let i = at.index(raw.len());
        raw[i] ^= 1 << bit;
        json["response"] = serde_json::Value::String(b64_encode(&raw));
        let env = ResponseEnvelope::from_json(&json.to_string()).unwrap();
        prop_assert_eq!(open_response(Some(&f.server), &env, received).unwrap_err(), sealwright::Error::SessionInvalid);
    }

    /// Arbitrary text and bytes never panic the decoders.
    #[test]
    fn decoders_never_panic(text in ".{0,200}", bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let f = fixture();
        let _ = try_qr(&f.student, &text);
        let _ = try_qr(&f.student, &format!("SW1:{text}"));
        let _ = ResponseEnvelope::from_json(&text);
        let _ = RoundMetadata::from_bytes(&bytes);
        let _ = QrPayload::from_bytes(&bytes);
        let _ = ResponsePlaintext::from_bytes(&bytes);
        let env = ResponseEnvelope { user_id: "alumno-1".into(), session_id: SID.into(), response: bytes };
        prop_assert!(open_response(Some(&f.server), &env, T0).is_err());
    }
}
