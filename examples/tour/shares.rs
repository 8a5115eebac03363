//! Tour step: threshold wallet shares (spec §3).

use crate::OsRng;
use sealwright::effect::{MemoryStore, StoreSealer};
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::shares;

/// Walks the shares protocol end to end, printing each step.
pub fn run(rng: &mut OsRng) -> Result<(), sealwright::Error> {
    println!(
        "[shares] threshold wallet: an Ethereum key split 2-of-3, each share in an Argon2id envelope"
    );
    let sealer = StoreSealer::new(&SecretKey32::random(rng))?;
    let store = MemoryStore::new();
    let password = SecretString::from("correct horse battery staple");

    // create: share 1 to the user, shares 2 (hot) and 3 (cold) to the store via effects.
    let created = shares::create(&password, &sealer, rng)?;
    let address = created.address;
    store.commit(&created.effects, 0)?;
    println!("[shares] 1. created wallet {address} (generation 0)");
    println!(
        "[shares]    user keeps envelope 1 ({} chars); store keys: {}",
        created.user_envelope.len(),
        store.keys().join(", ")
    );

    // sign: the user's envelope + the hot envelope of the current generation.
    let load = |store: &MemoryStore, key: String| -> Result<String, sealwright::Error> {
        let value = store.get(&key, 0).ok_or(sealwright::Error::InvalidState)?;
        shares::open_stored_envelope(&sealer, &key, &value)
    };
    let generation = shares::open_stored_generation(
        &sealer,
        &shares::current_key(&address),
        &store
            .get(&shares::current_key(&address), 0)
            .ok_or(sealwright::Error::InvalidState)?,
    )?;
    let hot = load(&store, shares::hot_key(&address, generation))?;
    let message = "I own this wallet";
    let signature = shares::sign(&password, &created.user_envelope, &hot, &address, message)?;
    println!("[shares] 2. signed {message:?} (EIP-191): {signature}");
    println!(
        "[shares]    signature recovers to {}",
        shares::recover_signer(message.as_bytes(), &signature)?
    );
    let wrong = SecretString::from("wrong password");
    println!(
        "[shares]    a wrong password: {}",
        shares::sign(&wrong, &created.user_envelope, &hot, &address, message)
            .err()
            .map_or("accepted?!", |e| e.code())
    );

    // recover: the user lost share 1; shares 2 + 3 make a new generation.
    let cold = load(&store, shares::cold_key(&address, generation))?;
    let recovered = shares::recover(&password, &hot, &cold, &address, generation, &sealer, rng)?;
    println!(
        "[shares] 3. recovered to generation {}; ordered effects:",
        recovered.generation
    );
    for e in &recovered.effects {
        println!("[shares]      {e:?}");
    }
    store.commit(&recovered.effects, 0)?;
    println!(
        "[shares]    the old share 1 with the new hot share: {}",
        shares::sign(
            &password,
            &created.user_envelope,
            &load(&store, shares::hot_key(&address, recovered.generation))?,
            &address,
            message
        )
        .err()
        .map_or("accepted?!", |e| e.code())
    );

    // sign again with the new share 1.
    let hot = load(&store, shares::hot_key(&address, recovered.generation))?;
    let again = shares::sign(&password, &recovered.user_envelope, &hot, &address, message)?;
    println!(
        "[shares] 4. signed again with the new share 1: {} (same signature: RFC 6979 is deterministic)",
        if again == signature {
            "identical"
        } else {
            "DIFFERENT?!"
        }
    );
    Ok(())
}
