//! Tour step: the sealed relay (spec §1).

use crate::{OsRng, now_ms, print_effects};
use sealwright::effect::MemoryStore;
use sealwright::relay::{
    JTI_TTL_SECONDS, Recipient, RecipientPublicKey, RelayKey, RelayKeys, RelaySigningKey,
    RelayVerifyingKey, jti_store_key,
};

/// Walks the relay protocol end to end, printing each step.
pub fn run(rng: &mut OsRng) -> Result<(), sealwright::Error> {
    println!(
        "\n[relay] 1. Sealed relay (spec §1): a server re-encrypts a sealed value to a recipient's RSA key"
    );

    // Step 1: the recipient makes its key and registers the public JWK.
    let recipient = Recipient::generate(rng)?;
    let registered = RecipientPublicKey::from_jwk(&recipient.jwk())?;
    println!(
        "[relay] 1.1 recipient generated RSA-{} and registered; rid = {}",
        registered.public_key().bits(),
        registered.rid()
    );
    let small = sealwright::rsa_keys::RsaPrivateKey::generate(2048, rng)?;
    let jwk = format!(
        r#"{{"kty":"RSA","n":"{}","e":"AQAB"}}"#,
        sealwright::encoding::b64url_encode(&small.public_key().n_bytes())
    );
    println!(
        "[relay]    a 2048-bit JWK is refused: {}",
        RecipientPublicKey::from_jwk(&jwk)
            .err()
            .map_or("accepted?!", |e| e.code())
    );

    // The server's signing key: its public JWK and skid are pinned by the recipient out of band.
    let signing = RelaySigningKey::generate("sk-2026-01", rng)?;
    let published_jwk = signing.public_jwk();
    let pinned = [RelayVerifyingKey::from_jwk("sk-2026-01", &published_jwk)?];
    println!("[relay]    recipient pins the relay's ES256 key sk-2026-01: {published_jwk}");

    // Step 2: the server seals a value under its current relay key, bound to that recipient.
    let mut server = RelayKeys::new(RelayKey::generate("rk-2026-01", rng)?, signing);
    server.rotate(RelayKey::generate("rk-2026-02", rng)?)?;
    let sealed = server.seal(
        b"the value only the recipient reads",
        Some(registered.rid()),
        rng,
    )?;
    println!(
        "[relay] 1.2 sealed under rkid {} (dir + A256GCM, aud = rid): {} chars",
        server.current().rkid(),
        sealed.len()
    );

    // Step 3: the recipient signs a decryption request (PS256 JWS).
    let request = recipient.request(&sealed, now_ms(), rng)?;
    println!(
        "[relay] 1.3 PS256 decryption request: {} chars, jti {}",
        request.jws().len(),
        request.jti()
    );

    // Step 4: the server checks it; replay state lives in the caller's store.
    let store = MemoryStore::new();
    let now = now_ms();
    let directory = |rid: &str| (rid == registered.rid()).then(|| registered.clone());
    let accepted = server.decrypt_request(
        request.jws(),
        directory,
        |jti| store.get(&jti_store_key(jti), now).is_some(),
        now,
        rng,
    )?;
    let effect = accepted.effect();
    store.commit(std::slice::from_ref(&effect), now)?;
    println!(
        "[relay] 1.4 accepted; its effect keeps the jti {} s against replay:",
        JTI_TTL_SECONDS
    );
    print_effects("relay", std::slice::from_ref(&effect));

    // Step 5: the recipient opens the nested JWT (RSA-OAEP-256 + A256GCM around the relay's
    // ES256 JWS), checks the signature against its pin and the jti against its request.
    let value = recipient.open_response(&accepted.response, &request, &pinned, rng)?;
    println!(
        "[relay] 1.5 recipient opened the signed response: {} bytes ({})",
        value.len(),
        if value.expose() == b"the value only the recipient reads" {
            "matches"
        } else {
            "MISMATCH"
        }
    );

    // The same request again is refused.
    let again = server.decrypt_request(
        request.jws(),
        directory,
        |jti| store.get(&jti_store_key(jti), now).is_some(),
        now,
        rng,
    );
    println!(
        "[relay]    replaying the request: {}",
        again.err().map_or("accepted?!", |e| e.code())
    );

    // An old response kept by an attacker does not open for a newer request.
    let newer = recipient.request(&sealed, now_ms(), rng)?;
    println!(
        "[relay]    the old response offered for a new request: {}",
        recipient
            .open_response(&accepted.response, &newer, &pinned, rng)
            .err()
            .map_or("accepted?!", |e| e.code())
    );
    Ok(())
}
