//! Tour step: attendance rounds (spec §5), every server operation a step (spec §0.2) over one
//! store: the server keeps no attendance state of its own.

use crate::{OsRng, now_ms, print_effects};
use sealwright::attendance::Config;
use sealwright::attendance::login::{ClientLogin, EnrollmentRecord, issue_login_nonce, login};
use sealwright::attendance::round::{respond, try_qr};
use sealwright::attendance::session::{AttendanceState, ClassSession, Progress};
use sealwright::effect::{MemoryStore, StoreSealer, run_step};
use sealwright::secret::SecretKey32;

/// Walks the attendance protocol end to end, printing each step.
pub fn run(rng: &mut OsRng) -> Result<(), sealwright::Error> {
    println!(
        "\n[attendance] 5. Attendance rounds (spec §5): WebAuthn-bound login, then 3 encrypted QR rounds on a projector"
    );
    let config = Config::default();
    let start = now_ms();
    let store = MemoryStore::new();
    let sealer = StoreSealer::new(&SecretKey32::random(rng))?;

    // Enrollment happened earlier through a WebAuthn library; the server stored this record.
    let enrollment =
        EnrollmentRecord::new("alumno-07", &[0xc5; 32], b"(COSE ES256 key)", [0; 16], 1)?;
    store.commit(&enrollment.enroll(&sealer, rng)?.effects, start)?;
    println!(
        "[attendance] 5.0 enrolled device fingerprint {}",
        sealwright::encoding::hex_encode(&enrollment.device_fingerprint()[..8])
    );

    // Login: a single-use nonce record, the client's X25519 key bound into the WebAuthn
    // challenge, then the login step consumes the nonce and stores the session key.
    let nonce = run_step(&store, start, |_| {
        let step = issue_login_nonce("alumno-07", &sealer, &config, start, rng)?;
        println!("[attendance] 5.1 login nonce issued, a single-use sealed record:");
        print_effects("attendance", &step.effects);
        Ok(step)
    })?;
    let client = ClientLogin::start("alumno-07", nonce, rng)?;
    println!(
        "[attendance]    the client's X25519 key is bound into the WebAuthn challenge {}",
        sealwright::encoding::hex_encode(&client.challenge()?)
    );
    // (Here the authenticator signs the challenge and a WebAuthn library verifies it.)
    let c = client.client_public();
    let server = run_step(&store, start, |load| {
        let step = login("alumno-07", &nonce, &c, load, &sealer, &config, rng)?;
        println!("[attendance] 5.2 login consumes the nonce and stores the session key:");
        print_effects("attendance", &step.effects);
        Ok(step)
    })?;
    let again = run_step(&store, start, |load| {
        login("alumno-07", &nonce, &c, load, &sealer, &config, rng)
    });
    let student = client.finish(&server.server_public)?;
    println!(
        "[attendance]    both sides derived the session key (equal: {}); it is never sent; the nonce again: {}",
        student.session_key() == server.keys.session_key(),
        again.err().map_or("logged in twice?!", |e| e.code())
    );

    // The class session holds configuration only; each call runs one step on the store.
    let class = ClassSession::new("cs101:demo", SecretKey32::random(rng), sealer, config)?;
    let steps = class.on(&store);
    println!(
        "[attendance] 5.3 a student without enrollment: {}",
        steps
            .register("no-enrollment", start, rng)
            .err()
            .map_or("registered?!", |e| e.code())
    );
    // Registration issues round 1; the QR goes to the projector's inbox (the next frame).
    let mut inbox = vec![steps.register("alumno-07", start, rng)?];
    let mut step_no = 3;

    let mut now = start;
    let mut replay = None;
    loop {
        now += config.frame_ms;
        let projected = steps.frame(&inbox, now, rng)?;
        inbox.clear();
        let Some(frame) = projected.frame else {
            break;
        };
        let qr = try_qr(&student, &frame.qr_text)?;
        step_no += 1;
        println!(
            "[attendance] 5.{step_no} projector shows round {} ({} chars of {}...)",
            qr.round,
            frame.qr_text.len(),
            &frame.qr_text[..12]
        );
        // The student answers later than 500 ms after the projection (the RT window).
        let answered_at = now + 1_100 + 150 * u64::from(qr.round);
        let json = respond(&student, &qr, answered_at, rng)?.to_json()?;
        let answered = steps.receive(&json, answered_at, rng)?;
        println!(
            "[attendance]    round {} accepted, RT {} ms (server clock)",
            answered.round, answered.rt_ms
        );
        now = answered_at;
        replay = Some((json, answered_at));
        match answered.progress {
            Progress::NextRound(next) => inbox.push(next),
            Progress::Finished(score) => {
                step_no += 1;
                println!(
                    "[attendance] 5.{step_no} mean {:.0} ms, std {:.0} ms -> certainty {} {} -> status {}",
                    score.mean,
                    score.std,
                    score.certainty,
                    score.label.as_str(),
                    score.status.as_str()
                );
                break;
            }
        }
    }
    if let Some((json, at)) = replay {
        println!(
            "[attendance] 5.{} the last response replayed: {}",
            step_no + 1,
            steps
                .receive(&json, at + 2_000, rng)
                .err()
                .map_or("accepted?!", |e| e.code())
        );
    }
    if let Some(AttendanceState::Finished(score)) = steps.state("alumno-07", now)? {
        println!(
            "[attendance]    final status {}; {} sealed store entries",
            score.status.as_str(),
            store.len()
        );
    }
    Ok(())
}
