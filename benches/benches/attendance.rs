//! Attendance (spec §5) benches, each beside its primitive floor measured in the same run.
//!
//! * `qr_issue` vs floor = `hmac_sha256` (secret_s) + `totp` (TOTPs) + `gcm_seal_qr` +
//!   `base45_encode`.
//! * `student_qr_own` vs floor = `base45_decode` + `gcm_open_qr`; `student_qr_foreign` vs the
//!   same floor (the open fails at the tag).
//! * `validate` (steps 1 to 7 from a parsed envelope) vs floor = `gcm_open_response` +
//!   `totp` x 2 (TOTPu; the window stops at the matching step, here the middle one) +
//!   `hmac_sha256` + `totp` (TOTPs); `validate_json` adds the JSON and base64 parsing.
//!   Target: >= 300,000 validations per second on one core (<= 3.33 us each).
//! * `score` (3 RTs) vs floor = the two passes of f64 arithmetic and a `sqrt`.

use criterion::{Criterion, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::attendance::Config;
use sealwright::attendance::base45;
use sealwright::attendance::login::{ClientLogin, LoginNonce, server_login};
use sealwright::attendance::round::{ResponseEnvelope, issue_round, respond, try_qr};
use sealwright::attendance::score::score;
use sealwright::attendance::totp::Totp;
use sealwright::attendance::validate::open_response;
use sealwright::crypto::{aes_gcm_decrypt, aes_gcm_encrypt, hmac_sha256};
use sealwright::secret::SecretKey32;
use std::hint::black_box;

const T0: u64 = 1_768_204_800_000;

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::from_seed([31; 32]);
    let config = Config::default();
    let login = |user: &str, rng: &mut ChaCha20Rng| {
        let nonce = LoginNonce([4; 32]);
        let client = ClientLogin::start(user, nonce, rng).expect("start");
        let server = server_login(user, &nonce, &client.client_public(), rng).expect("login");
        (
            client.finish(&server.server_public).expect("finish"),
            server.keys,
        )
    };
    let (student, server) = login("alumno-001", &mut rng);
    let (other, _) = login("alumno-002", &mut rng);
    let secret = SecretKey32::new([9; 32]);
    let sid = "cs101:2026-01-12";
    let round = issue_round(&server, &secret, sid, 1, T0, &mut rng).expect("issue");
    let qr = try_qr(&student, &round.qr_text).expect("own");
    let shown = T0 + 2_000;
    let received = shown + 1_500;
    let envelope = respond(&student, &qr, received, &mut rng).expect("respond");
    let json = envelope.to_json().expect("json");

    // Primitive inputs of the same sizes.
    let key = [7u8; 32];
    let iv = [1u8; 12];
    let qr_plain = [0x42u8; 60];
    let qr_sealed =
        aes_gcm_encrypt(&key, &iv, &qr_plain, b"sealwright/v1/attendance/qr").expect("seal");
    let qr_b45 = base45::encode(&qr_sealed);
    let resp_plain = [0x24u8; 57];
    let resp_aad = [b'a'; 46];
    let resp_sealed = aes_gcm_encrypt(&key, &iv, &resp_plain, &resp_aad).expect("seal");
    let totp = Totp::new(&SecretKey32::new(key));
    let hmac_input = [0u8; 55];

    let mut g = c.benchmark_group("attendance");
    g.bench_function("qr_issue", |b| {
        b.iter(|| issue_round(&server, &secret, black_box(sid), 1, T0, &mut rng).expect("issue"))
    });
    g.bench_function("student_qr_own", |b| {
        b.iter(|| try_qr(&student, black_box(&round.qr_text)).expect("own"))
    });
    g.bench_function("student_qr_foreign", |b| {
        b.iter(|| try_qr(&other, black_box(&round.qr_text)).expect_err("foreign"))
    });
    g.bench_function("validate", |b| {
        b.iter(|| {
            open_response(Some(&server), black_box(&envelope), received)
                .expect("open")
                .check(&secret, Some(&round.metadata), &[shown], &config)
                .result
                .expect("valid")
        })
    });
    g.bench_function("validate_json", |b| {
        b.iter(|| {
            let env = ResponseEnvelope::from_json(black_box(&json)).expect("json");
            open_response(Some(&server), &env, received)
                .expect("open")
                .check(&secret, Some(&round.metadata), &[shown], &config)
                .result
                .expect("valid")
        })
    });
    g.bench_function("score", |b| {
        b.iter(|| score(black_box(&[1_420, 1_980, 1_610])).expect("score"))
    });

    g.bench_function("floor/hmac_sha256", |b| {
        b.iter(|| hmac_sha256(&key, black_box(&hmac_input)).expect("hmac"))
    });
    g.bench_function("floor/totp", |b| b.iter(|| totp.generate(black_box(T0))));
    g.bench_function("floor/gcm_seal_qr", |b| {
        b.iter(|| {
            aes_gcm_encrypt(
                &key,
                &iv,
                black_box(&qr_plain),
                b"sealwright/v1/attendance/qr",
            )
            .expect("seal")
        })
    });
    g.bench_function("floor/base45_encode", |b| {
        b.iter(|| base45::encode(black_box(&qr_sealed)))
    });
    g.bench_function("floor/base45_decode", |b| {
        b.iter(|| base45::decode(black_box(&qr_b45)).expect("b45"))
    });
    g.bench_function("floor/gcm_open_qr", |b| {
        b.iter(|| {
            aes_gcm_decrypt(
                &key,
                &iv,
                black_box(&qr_sealed),
                b"sealwright/v1/attendance/qr",
            )
            .expect("open")
        })
    });
    g.bench_function("floor/gcm_open_response", |b| {
        b.iter(|| aes_gcm_decrypt(&key, &iv, black_box(&resp_sealed), &resp_aad).expect("open"))
    });
    g.bench_function("floor/score_arith", |b| {
        b.iter(|| {
            let rts = black_box([1_420u64, 1_980, 1_610]);
            let mean = rts.iter().map(|&x| x as f64).sum::<f64>() / 3.0;
            (rts.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / 3.0).sqrt()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
