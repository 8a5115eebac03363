//! Shares (spec §3) benches, each beside its primitive floor measured in the same run.
//!
//! * `create` vs floor = 3 x `argon2id` + 3 x `gcm_seal` + `keygen_address` (d*G, keccak).
//! * `sign` vs floor = 2 x `argon2id` + 2 x `gcm_open` + `keygen_address` (address check) +
//!   `ecdsa_sign` (RFC 6979 + keccak).
//! * `recover_stage` (recovery step 1: open shares 2 + 3 of the pointer's split, re-split,
//!   seal three envelopes and the staged records) vs floor = 5 x `argon2id` + 2 x `gcm_open`,
//!   3 x `gcm_seal` and `keygen_address`. The move and cleanup steps build one and two
//!   effects (no Argon2).
//! * `envelope_open` vs floor = `argon2id` + `gcm_open`.
//! * `argon2id_x2_threads` vs `argon2id_x2_sequential`: what the core's two-thread opening buys
//!   on this machine (argon2's own `parallel` feature already spreads the 4 lanes; figures in
//!   the `shares` module docs);
//!   `argon2id_x2_threads_serial_lanes`: two threads, each run's lanes on its own thread.
//!
//! Argon2id is 64 MiB, t=3, p=4: each iteration takes a fraction of a second, so the groups
//! use the minimum sample size.

use criterion::{Criterion, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::crypto::{aes_gcm_decrypt, aes_gcm_encrypt};
use sealwright::effect::{MemoryStore, StoreName, StoreSealer};
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::shares::{self, LoadedSplit, WalletKey};
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::from_seed([31; 32]);
    let password = SecretString::from("correct horse battery staple");
    let sealer = StoreSealer::new(&SecretKey32::new([9; 32])).expect("sealer");
    let (created, effects) = shares::create(&password, &sealer, &mut rng)
        .expect("create")
        .into_parts();
    let address = created.address;
    let (hot, cold) = (MemoryStore::new(), MemoryStore::named(StoreName::Cold));
    shares::commit(&hot, &cold, &effects, 0).expect("commit");
    let split = LoadedSplit::open(
        &sealer,
        &address,
        hot.get(&shares::current_key(&address), 0).as_deref(),
    )
    .expect("pointer");
    let hot_value = hot.get(&split.hot_key(), 0);
    let cold_value = cold.get(&split.cold_key(), 0);
    let salt = [7u8; 16];
    let salt2 = [8u8; 16];
    let key = shares::derive_key(&password, &salt).expect("kdf");
    let iv = [1u8; 12];
    let plaintext = [0x42u8; 39];
    let ct = aes_gcm_encrypt(key.expose(), &iv, &plaintext, b"").expect("seal");
    let wallet = WalletKey::generate(&mut rng).expect("key");
    let user_salt = shares::EnvelopeParts::decode(&created.user_envelope)
        .expect("envelope")
        .salt;
    let user_key = shares::derive_key(&password, &user_salt).expect("kdf");

    let mut g = c.benchmark_group("shares");
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("create", |b| {
        b.iter(|| shares::create(black_box(&password), &sealer, &mut rng).expect("create"))
    });
    g.bench_function("sign", |b| {
        b.iter(|| {
            shares::sign(
                &password,
                black_box(&created.user_envelope),
                &created.hot_envelope,
                &address,
                "Some data",
            )
            .expect("sign")
        })
    });
    g.bench_function("recover_stage", |b| {
        b.iter(|| {
            black_box(split.clone())
                .stage(
                    &password,
                    &sealer,
                    hot_value.as_deref(),
                    cold_value.as_deref(),
                    &mut rng,
                )
                .expect("stage")
        })
    });
    g.bench_function("envelope_open", |b| {
        b.iter(|| {
            shares::open_envelope(&password, black_box(&created.user_envelope)).expect("open")
        })
    });
    g.bench_function("floor/argon2id", |b| {
        b.iter(|| shares::derive_key(black_box(&password), &salt).expect("kdf"))
    });
    g.bench_function("argon2id_x2_sequential", |b| {
        b.iter(|| {
            (
                shares::derive_key(black_box(&password), &salt).expect("kdf"),
                shares::derive_key(black_box(&password), &salt2).expect("kdf"),
            )
        })
    });
    g.bench_function("argon2id_x2_threads", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                let h = s.spawn(|| shares::derive_key(&password, &salt2).expect("kdf"));
                let a = shares::derive_key(black_box(&password), &salt).expect("kdf");
                (a, h.join().expect("join"))
            })
        })
    });
    // Each run's 4 lanes on one thread (a private one-thread rayon pool per run), the two runs
    // on two threads.
    let pools: Vec<rayon::ThreadPool> = (0..2)
        .map(|_| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .expect("pool")
        })
        .collect();
    g.bench_function("argon2id_x2_threads_serial_lanes", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                let h = s.spawn(|| {
                    pools[1].install(|| shares::derive_key(&password, &salt2).expect("kdf"))
                });
                let a = pools[0]
                    .install(|| shares::derive_key(black_box(&password), &salt).expect("kdf"));
                (a, h.join().expect("join"))
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("shares_fast");
    g.bench_function("floor/gcm_seal", |b| {
        b.iter(|| aes_gcm_encrypt(key.expose(), &iv, black_box(&plaintext), b"").expect("seal"))
    });
    g.bench_function("floor/gcm_open", |b| {
        b.iter(|| aes_gcm_decrypt(key.expose(), &iv, black_box(&ct), b"").expect("open"))
    });
    g.bench_function("floor/keygen_address", |b| {
        b.iter(|| WalletKey::generate(&mut rng).expect("key").address())
    });
    g.bench_function("floor/ecdsa_sign", |b| {
        b.iter(|| wallet.sign_message(black_box(b"Some data")))
    });
    g.bench_function("envelope_open_with_key", |b| {
        b.iter(|| {
            shares::open_envelope_with_key(&user_key, black_box(&created.user_envelope))
                .expect("open")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
