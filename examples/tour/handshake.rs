//! Tour step: the ratchet handshake (spec §2).

use crate::{OsRng, now_ms};
use sealwright::effect::MemoryStore;
use sealwright::handshake::server::{self, Outcome, ServerKeys};
use sealwright::handshake::{Client, Established, PrimaryKey};
use sealwright::rsa_keys::RsaPrivateKey;
use sealwright::secret::{SecretKey32, SecretVec};

/// The server's side of one message, against `store`: open, answer `reply`, apply effects.
fn serve(
    keys: &ServerKeys,
    store: &MemoryStore,
    request: &str,
    reply: &[u8],
    now: u64,
    rng: &mut OsRng,
) -> Result<String, sealwright::Error> {
    match server::open_with(keys, request, |k| store.get(k, now), now)? {
        Outcome::Retry(stored) => {
            println!("[handshake]    server: idempotent retry, stored response returned");
            Ok(stored)
        }
        Outcome::Opened(opened) => {
            println!(
                "[handshake]    server opened {} bytes under kid {}",
                opened.plaintext().len(),
                opened.kid()
            );
            let (response, effects) = opened.respond(reply, rng)?;
            let names: Vec<&str> = effects.iter().map(|e| e.key()).collect();
            println!("[handshake]    server effects: {names:?}");
            store.commit(&effects, now)?;
            Ok(response)
        }
    }
}

/// Walks the handshake protocol end to end, printing each step.
pub fn run(rng: &mut OsRng) -> Result<(), sealwright::Error> {
    println!("[handshake] ratchet handshake: secp256k1 once, X25519 and a new kid per message");
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
        "[handshake] 1. client request (clientNonce + RSA-OAEP(P_c)): {} chars",
        request.len()
    );
    let last = store.get(&server::handshake_store_key(&request)?, t0);
    let (response, effects) = server::handshake(&keys, &request, last.as_deref(), t0, rng)?;
    store.commit(&effects, t0)?;
    let names: Vec<&str> = effects.iter().map(|e| e.key()).collect();
    println!("[handshake] 2. server response signed (PSS over the transcript); effects {names:?}");
    let mut session: Established = pending.finish(&response)?;
    println!(
        "[handshake] 3. client verified the signature; first kid {}",
        session.kid()
    );

    // §2.2 three messages; the server rotates its key with each answer.
    for (i, text) in ["balance?", "transfer 5 to bob", "log out"]
        .iter()
        .enumerate()
    {
        let t = t0 + 1_000 * (i as u64 + 1);
        let (request, awaiting) = session.send(text.as_bytes(), rng)?;
        println!(
            "[handshake] {}. client sends under kid {}",
            4 + i,
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
    println!("[handshake] 7. response dropped; the client resends the same bytes");
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
        server::open_with(&keys, &other, |k| store.get(k, t + 600), t + 600)
            .err()
            .map_or("accepted?!", |e| e.code())
    );
    let (_, session) = awaiting.receive(&again)?;

    // Pickle round trip.
    let pickle_key = SecretKey32::random(rng);
    let pickle = session.pickle(&pickle_key, rng)?;
    let restored = Established::unpickle(&pickle_key, &pickle)?;
    println!(
        "[handshake] 8. pickled the client ({} chars) and restored it at kid {}",
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
    Ok(())
}
