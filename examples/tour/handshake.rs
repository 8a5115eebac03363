//! Tour step: the ratchet handshake (spec §2).

use crate::{OsRng, now_ms, print_effects};
use sealwright::effect::{MemoryStore, run_step};
use sealwright::handshake::server::{self, Outcome, ServerKeys};
use sealwright::handshake::{Client, Established, PrimaryKey};
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::{SecretKey32, SecretVec};

/// The server's side of one message, against `store` (spec §2.2): `server::serve` runs the
/// open step and commits its claim, runs the business logic once, then commits respond once
/// (never rerun; on a lost claim it returns the stored response or CONFLICT).
fn serve(
    keys: &ServerKeys,
    store: &MemoryStore,
    request: &str,
    reply: &[u8],
    now: u64,
    rng: &mut OsRng,
) -> Result<String, sealwright::Error> {
    server::serve(keys, store, request, now, rng, |opened| {
        println!(
            "[handshake]    business logic: {} bytes under kid {} (claimed)",
            opened.plaintext().len(),
            opened.kid()
        );
        reply.to_vec()
    })
}

/// Walks the handshake protocol end to end, printing each step.
pub fn run(rng: &mut OsRng) -> Result<(), sealwright::Error> {
    println!(
        "\n[handshake] 2. Ratchet handshake (spec §2): secp256k1 once, X25519 and a new kid per message"
    );
    let t0 = now_ms();

    // Server long-term material: RSA-4096 identity, entropy E, storage secret (K_store).
    let keys = ServerKeys::new(
        RsaPrivateKey::generate(4096, rng)?,
        SecretVec::new(SecretKey32::random(rng).expose().to_vec()),
        &SecretKey32::random(rng),
    )?;
    let store = MemoryStore::new();
    println!("[handshake] server: RSA-4096 identity generated; clients pin its public key");

    // §2.1 handshake.
    let client = Client::new("tour-phone", PrimaryKey::generate(rng), keys.public_key())?;
    let (request, pending) = client.start(rng)?;
    println!(
        "[handshake] 2.1 client request (clientNonce + RSA-OAEP(P_c)): {} chars",
        request.len()
    );
    // A server step: load device and last, run, commit the effects as one transaction.
    let step = server::handshake_with(&keys, &request, |k| store.get(k, t0), t0, rng)?;
    println!("[handshake] 2.2 server response signed (PSS over the transcript); effects:");
    print_effects("handshake", &step.effects);
    store.commit(&step.effects, t0)?;
    let mut session: Established = pending.finish(&step.output)?;
    println!(
        "[handshake] 2.3 client verified the signature; first kid {}",
        session.kid()
    );

    // Trust on first use: the device is now bound to its primary key. Another key for the
    // same deviceId is refused and the session above survives.
    let intruder = Client::new("tour-phone", PrimaryKey::generate(rng), keys.public_key())?;
    let (intruder_request, _) = intruder.start(rng)?;
    let refused = server::serve_handshake(&keys, &store, &intruder_request, t0, rng);
    println!(
        "[handshake]    another primary key for tour-phone: {}",
        refused.err().map_or("accepted?!", |e| e.code())
    );

    // §2.2 step by step: open is a step whose effects are the claim, committed before the
    // business logic runs, so two deliveries of one request never both run it.
    let (request, awaiting) = session.send(b"hello", rng)?;
    let t = t0 + 500;
    let outcome = run_step(&store, t, |load| {
        let step = server::open_with(&keys, &request, load, t, rng)?;
        println!("[handshake] 2.4 open step; its effects are the claim:");
        print_effects("handshake", &step.effects);
        Ok(step)
    })?;
    let Outcome::Opened(opened) = outcome else {
        return Err(sealwright::Error::InvalidState);
    };
    let duplicate = server::serve(&keys, &store, &request, t, rng, |_| b"never".to_vec());
    println!(
        "[handshake]    a second delivery of the same bytes meanwhile: {}",
        duplicate.err().map_or("answered?!", |e| e.code())
    );
    let step = opened.respond(b"hi", rng)?;
    println!("[handshake]    respond, committed once (never rerun):");
    print_effects("handshake", &step.effects);
    store.commit(&step.effects, t)?;
    let (_, next) = awaiting.receive(&step.output)?;
    session = next;

    // §2.2 three messages; the server rotates its key with each answer.
    for (i, text) in ["balance?", "transfer 5 to bob", "log out"]
        .iter()
        .enumerate()
    {
        let t = t0 + 1_000 * (i as u64 + 1);
        let (request, awaiting) = session.send(text.as_bytes(), rng)?;
        println!(
            "[handshake] 2.{} client sends under kid {}",
            5 + i,
            awaiting.kid()
        );
        let response = serve(&keys, &store, &request, b"ok", t, rng)?;
        let (reply, next) = awaiting.receive(&response)?;
        println!(
            "[handshake]    client got {} bytes; next kid {}",
            reply.len(),
            next.kid()
        );
        session = next;
    }

    // A dropped response: the byte-identical request gets the same answer.
    let t = t0 + 10_000;
    let (request, awaiting) = session.clone().send(b"are you there?", rng)?;
    let lost = serve(&keys, &store, &request, b"yes", t, rng)?;
    println!("[handshake] 2.8 response dropped; the client resends the same bytes");
    let again = serve(
        &keys,
        &store,
        awaiting.request(),
        b"(not run)",
        t + 500,
        rng,
    )?;
    println!("[handshake]    same response: {}", again == lost);
    let (other, _) = session.send(b"different bytes, same kid", rng)?;
    println!(
        "[handshake]    other bytes under the used kid: {}",
        serve(&keys, &store, &other, b"(not run)", t + 600, rng)
            .err()
            .map_or("accepted?!", |e| e.code())
    );
    let (_, session) = awaiting.receive(&again)?;

    // Pickle round trip.
    let pickle_key = SecretKey32::random(rng);
    let pickle = session.pickle(&pickle_key, rng)?;
    let restored = Established::unpickle(&pickle_key, &pickle)?;
    println!(
        "[handshake] 2.9 pickled the client ({} chars) and restored it at kid {}",
        pickle.len(),
        restored.kid()
    );
    let (request, awaiting) = restored.send(b"still here", rng)?;
    let response = serve(&keys, &store, &request, b"welcome back", t + 1_000, rng)?;
    let (reply, _) = awaiting.receive(&response)?;
    println!(
        "[handshake]    restored client exchanged a message ({} bytes back)",
        reply.len()
    );

    // Re-enrolment (a new phone): the application removes the binding and ends the chain,
    // then another primary key may handshake.
    let removed = run_step(&store, t + 2_000, |load| {
        server::reenroll(&keys, "tour-phone", load)
    })?;
    let new_phone = Client::new("tour-phone", PrimaryKey::generate(rng), keys.public_key())?;
    let (request, pending) = new_phone.start(rng)?;
    let response = server::serve_handshake(&keys, &store, &request, t + 2_000, rng)?;
    let fresh = pending.finish(&response)?;
    println!(
        "[handshake] 2.10 re-enrolled (binding removed: {removed}); the new key handshook, kid {}",
        fresh.kid()
    );
    Ok(())
}
