//! Tour step: attendance rounds (spec §5).

use crate::{OsRng, now_ms};
use sealwright::attendance::Config;
use sealwright::attendance::login::{ClientLogin, EnrollmentRecord, LoginNonce, server_login};
use sealwright::attendance::round::{respond, try_qr};
use sealwright::attendance::session::{AttendanceState, ClassSession, Progress};
use sealwright::effect::{MemoryStore, StoreSealer};
use sealwright::secret::SecretKey32;

/// Walks the attendance protocol end to end, printing each step.
pub fn run(rng: &mut OsRng) -> Result<(), sealwright::Error> {
    println!("[attendance] WebAuthn-bound login, then 3 encrypted QR rounds on a projector");
    let config = Config::default();
    let start = now_ms();
    let store = MemoryStore::new();
    let sealer = StoreSealer::new(&SecretKey32::random(rng))?;

    // Enrollment happened earlier through a WebAuthn library; the server kept this record.
    let enrollment = EnrollmentRecord::new(&[0xc5; 32], b"(COSE ES256 key)", [0; 16], 1)?;
    println!(
        "[attendance] 0. enrolled device fingerprint {}",
        sealwright::encoding::hex_encode(&enrollment.device_fingerprint()[..8])
    );

    // Login: nonce, the client's X25519 key bound into the WebAuthn challenge, both sides' key.
    let (nonce, remember) = LoginNonce::issue(&config, rng);
    store.commit(std::slice::from_ref(&remember), start)?;
    let client = ClientLogin::start("alumno-07", nonce, rng)?;
    println!(
        "[attendance] 1. login nonce issued; client X25519 key bound in challenge {}",
        sealwright::encoding::hex_encode(&client.challenge()?)
    );
    // (Here the authenticator signs the challenge and a WebAuthn library verifies it.)
    let server = server_login("alumno-07", &nonce, &client.client_public(), rng)?;
    store.commit(&server.effects(&nonce, &sealer, &config, rng)?, start)?;
    let student = client.finish(&server.server_public)?;
    println!(
        "[attendance] 2. both sides derived the session key (equal: {}); it is never sent",
        student.session_key() == server.keys.session_key()
    );

    // The class session: registration issues round 1 and puts it on the projector.
    let mut class = ClassSession::new(
        "cs101:demo",
        SecretKey32::random(rng),
        sealer.clone(),
        config,
    )?;
    let (_, stranger) = {
        let n = LoginNonce::issue(&config, rng).0;
        let c = ClientLogin::start("no-enrollment", n, rng)?;
        let s = server_login("no-enrollment", &n, &c.client_public(), rng)?;
        (c, s.keys)
    };
    println!(
        "[attendance] 3. a student without enrollment: {}",
        class
            .register(None, stranger, start, rng)
            .err()
            .map_or("registered?!", |e| e.code())
    );
    store.commit(
        &class.register(Some(&enrollment), server.keys, start, rng)?,
        start,
    )?;

    let mut now = start;
    let mut replay = None;
    loop {
        now += config.frame_ms;
        let Some(projected) = class.frame(now, rng)? else {
            break;
        };
        store.commit(&projected.effects, now)?;
        let qr = try_qr(&student, &projected.frame.qr_text)?;
        println!(
            "[attendance]    projector shows round {} ({} chars of {}...)",
            qr.round,
            projected.frame.qr_text.len(),
            &projected.frame.qr_text[..12]
        );
        let answered_at = now + 1_100 + 150 * u64::from(qr.round);
        let json = respond(&student, &qr, answered_at, rng)?.to_json()?;
        let got = class.receive(&json, answered_at, rng);
        store.commit(&got.effects, answered_at)?;
        let (rt, progress) = got.outcome?;
        println!(
            "[attendance]    round {} accepted, RT {rt} ms (server clock)",
            qr.round
        );
        replay = Some((json, answered_at));
        if let Progress::Finished(score) = progress {
            println!(
                "[attendance] 4. mean {:.0} ms, std {:.0} ms -> certainty {} {} -> {}",
                score.mean,
                score.std,
                score.certainty,
                score.label.as_str(),
                score.status.as_str()
            );
            break;
        }
    }
    if let Some((json, at)) = replay {
        println!(
            "[attendance] 5. the last response replayed: {}",
            class
                .receive(&json, at + 2_000, rng)
                .outcome
                .err()
                .map_or("accepted?!", |e| e.code())
        );
    }
    if let Some(AttendanceState::Finished(score)) = class.state("alumno-07") {
        println!(
            "[attendance]    final status {}; {} sealed store entries",
            score.status.as_str(),
            store.len()
        );
    }
    Ok(())
}
