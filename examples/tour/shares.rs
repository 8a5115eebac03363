//! Tour step: threshold wallet shares (spec §3) as server steps (spec §0.2): create, sign, and
//! the three recovery steps (stage, move, clean up) against a hot and a cold store.

use crate::{OsRng, print_effects};
use sealwright::effect::{MemoryStore, StoreName, StoreSealer};
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::shares::{self, Address, LoadedSplit};

/// Loads the pointer of `address` from the hot store (spec §3: every operation starts there).
fn load_split(
    hot: &MemoryStore,
    sealer: &StoreSealer,
    address: &Address,
) -> Result<LoadedSplit, sealwright::Error> {
    let value = hot.get(&shares::current_key(address), 0);
    LoadedSplit::open(sealer, address, value.as_deref())
}

/// Walks the shares protocol end to end, printing each step.
pub fn run(rng: &mut OsRng) -> Result<(), sealwright::Error> {
    println!(
        "\n[shares] 3. Threshold wallet shares (spec §3): an Ethereum key split 2-of-3, each share in an Argon2id envelope"
    );
    let sealer = StoreSealer::new(&SecretKey32::random(rng))?;
    let hot = MemoryStore::new();
    let cold = MemoryStore::named(StoreName::Cold);
    let password = SecretString::from("correct horse battery staple");

    // create: a step whose effects store share 2 (hot), share 3 (cold), then the pointer.
    let (created, effects) = shares::create(&password, &sealer, rng)?.into_parts();
    let address = created.address;
    println!(
        "[shares] 3.1 create wallet {address}: split {:?}; effects (pointer last):",
        created.split
    );
    print_effects("shares", &effects);
    shares::commit(&hot, &cold, &effects, 0)?;
    println!(
        "[shares]    committed; the user now gets envelope 1 ({} chars)",
        created.user_envelope.len()
    );

    // sign: load the pointer, then share 2 of the split it names.
    let split = load_split(&hot, &sealer, &address)?;
    let message = "I own this wallet";
    let signature = split.sign(
        &password,
        &created.user_envelope,
        &sealer,
        hot.get(&split.hot_key(), 0).as_deref(),
        message,
    )?;
    println!("[shares] 3.2 signed {message:?} (EIP-191): {signature}");
    println!(
        "[shares]    signature recovers to {}",
        shares::recover_signer(message.as_bytes(), &signature)?
    );

    // recover, step 1 (stage): open shares 2 + 3 of the named split, split afresh, stage.
    let (hot_value, cold_value) = (hot.get(&split.hot_key(), 0), cold.get(&split.cold_key(), 0));
    let staged = split.stage(
        &password,
        &sealer,
        hot_value.as_deref(),
        cold_value.as_deref(),
        rng,
    )?;
    println!(
        "[shares] 3.3 recover, stage: new split {:?}; effects (keys no one else writes):",
        staged.output.new_split()
    );
    print_effects("shares", &staged.effects);
    shares::commit(&hot, &cold, &staged.effects, 0)?;

    // A second, concurrent recovery that loaded the same pointer and staged too.
    let rival = load_split(&hot, &sealer, &address)?;
    let (rival_hot, rival_cold) = (hot.get(&rival.hot_key(), 0), cold.get(&rival.cold_key(), 0));
    let rival = rival.stage(
        &password,
        &sealer,
        rival_hot.as_deref(),
        rival_cold.as_deref(),
        rng,
    )?;
    shares::commit(&hot, &cold, &rival.effects, 0)?;

    // step 2 (move): one compare-and-set of the pointer, committed once; it decides the winner.
    let moving = staged.output.move_pointer();
    println!("[shares] 3.4 recover, move (the winner is whoever commits first):");
    print_effects("shares", &moving.effects);
    shares::commit(&hot, &cold, &moving.effects, 0)?;
    let rival_moving = rival.output.move_pointer();
    let rival_outcome = shares::commit(&hot, &cold, &rival_moving.effects, 0);
    println!(
        "[shares]    ours committed; the concurrent recovery's move: {}",
        rival_outcome.err().map_or("committed?!", |e| e.code())
    );

    // step 3 (cleanup): the winner deletes the old split, the loser its own staged shares.
    let (recovered, cleanup) = moving.output.won().into_parts();
    println!("[shares] 3.5 recover, cleanup (winner):");
    print_effects("shares", &cleanup);
    shares::commit(&hot, &cold, &cleanup, 0)?;
    let lost = rival_moving.output.lost();
    println!(
        "[shares]    cleanup (loser, answers {}):",
        lost.output.code()
    );
    print_effects("shares", &lost.effects);
    shares::commit(&hot, &cold, &lost.effects, 0)?;
    println!(
        "[shares]    stores now hold {} hot and {} cold keys; the new envelope 1 goes to the user",
        hot.len(),
        cold.len()
    );

    // sign again: the old user share is of another generation, the new one signs.
    let split = load_split(&hot, &sealer, &address)?;
    let hot_value = hot.get(&split.hot_key(), 0);
    println!(
        "[shares]    the old share 1 now: {}",
        split
            .sign(
                &password,
                &created.user_envelope,
                &sealer,
                hot_value.as_deref(),
                message
            )
            .err()
            .map_or("accepted?!", |e| e.code())
    );
    let again = split.sign(
        &password,
        &recovered.user_envelope,
        &sealer,
        hot_value.as_deref(),
        message,
    )?;
    println!(
        "[shares] 3.6 signed again with the new share 1: {} (RFC 6979 is deterministic)",
        if again == signature {
            "identical signature"
        } else {
            "DIFFERENT?!"
        }
    );
    Ok(())
}
