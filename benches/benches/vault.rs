//! Vault (spec §4) benches, each beside the raw primitive it is made of (the "floor"):
//!
//! * `vault/legacy_record_key` (PBKDF2-HMAC-SHA256, 100,000 iterations) vs
//!   `floor/pbkdf2_hmac_sha256_100k` (`pbkdf2::pbkdf2_hmac::<Sha256>`); target <= 1.05x.
//! * `vault/unlock_argon2id_default` (m=65536, t=3, p=4: KDF + HKDF + unwrap) vs
//!   `floor/argon2id_m65536_t3_p4_len32` (the argon2 crate alone).
//! * `vault/encrypt_record_1KiB`, `vault/decrypt_record_1KiB` vs
//!   `floor/aes256gcm_seal_1KiB`, `floor/aes256gcm_open_1KiB` (a held `Aes256Gcm`).
//!   Further floors of the record path: `floor/b64url_encode_record`,
//!   `floor/b64url_decode_record` (strict, with its re-encoding check) and `floor/zeroize_1KiB`
//!   (allocating and wiping the plaintext buffer).
//! * `vault/10k_records_encrypt_decrypt_1KiB` (target < 50 ms).
//! * `argon2id_m65536_t3_p4_len16`: one share envelope key (`shares::derive_key`), for the
//!   comparison with argon2-cffi in `benches/argon2_cffi.py`, beside the same derivation
//!   forced onto one rayon thread (`..._1thread`) to show the lanes run in parallel.

use aes_gcm::aead::array::Array;
use aes_gcm::{AeadInOut, Aes256Gcm, KeyInit};
use criterion::{Criterion, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::secret::SecretString;
use sealwright::vault::{self, KdfParams};
use sha2::Sha256;
use std::hint::black_box;
use std::time::Duration;

const RECORD_LEN: usize = 1024;

fn argon2_raw(m: u32, t: u32, p: u32, len: usize, password: &[u8], salt: &[u8]) -> Vec<u8> {
    let params = argon2::Params::new(m, t, p, Some(len)).expect("params");
    let mut out = vec![0u8; len];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(password, salt, &mut out)
        .expect("argon2");
    out
}

fn kdfs(c: &mut Criterion) {
    let secret = SecretString::from("server MASTER_KEY");
    let user_id = "user-6512bd43d9caa6e02c990b0a82652dca";
    let mut g = c.benchmark_group("legacy");
    g.sample_size(20);
    g.bench_function("vault/legacy_record_key", |b| {
        b.iter(|| vault::legacy_record_key(black_box(&secret), black_box(user_id)).expect("key"))
    });
    g.bench_function("floor/pbkdf2_hmac_sha256_100k", |b| {
        b.iter(|| {
            let mut out = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<Sha256>(
                black_box(secret.as_bytes()),
                black_box(user_id.as_bytes()),
                100_000,
                &mut out,
            );
            out
        })
    });
    g.finish();

    let mut rng = ChaCha20Rng::from_seed([31; 32]);
    let password = SecretString::from("correct horse battery staple");
    let (enrollment, _) =
        vault::create_vault("alice", &password, KdfParams::DEFAULT, &mut rng).expect("create");
    let server = enrollment.server;
    let mut g = c.benchmark_group("v2");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("vault/unlock_argon2id_default", |b| {
        b.iter(|| {
            vault::unlock(
                "alice",
                black_box(&password),
                server.salt(),
                &server.kdf(),
                server.wrapped_vault_key(),
            )
            .expect("unlock")
        })
    });
    g.bench_function("floor/argon2id_m65536_t3_p4_len32", |b| {
        b.iter(|| {
            argon2_raw(
                65_536,
                3,
                4,
                32,
                black_box(password.as_bytes()),
                server.salt(),
            )
        })
    });
    g.finish();

    let mut g = c.benchmark_group("shares");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    let salt = [7u8; 16];
    g.bench_function("argon2id_m65536_t3_p4_len16", |b| {
        b.iter(|| sealwright::shares::derive_key(black_box(&password), &salt).expect("derive"))
    });
    g.bench_function("floor/argon2id_m65536_t3_p4_len16_raw", |b| {
        b.iter(|| argon2_raw(65_536, 3, 4, 16, black_box(password.as_bytes()), &salt))
    });
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    g.bench_function("argon2id_m65536_t3_p4_len16_1thread", |b| {
        b.iter(|| {
            one_thread.install(|| {
                sealwright::shares::derive_key(black_box(&password), &salt).expect("derive")
            })
        })
    });
    g.finish();
}

fn records(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::from_seed([32; 32]);
    let kdf = KdfParams::Argon2id {
        m: 19_456,
        t: 2,
        p: 1,
    };
    let (_, v) = vault::create_vault("alice", &"pw".into(), kdf, &mut rng).expect("create");
    let plaintext = vec![0x5au8; RECORD_LEN];
    let record = v
        .encrypt_record("site-0001", &plaintext, &mut rng)
        .expect("encrypt");

    let mut g = c.benchmark_group("records");
    g.bench_function("vault/encrypt_record_1KiB", |b| {
        b.iter(|| {
            v.encrypt_record("site-0001", black_box(&plaintext), &mut rng)
                .expect("encrypt")
        })
    });
    g.bench_function("vault/decrypt_record_1KiB", |b| {
        b.iter(|| {
            v.decrypt_record("site-0001", black_box(&record))
                .expect("decrypt")
        })
    });
    // Floors: AES-256-GCM with a held key schedule, in place, 12-byte nonce, same AAD length.
    let cipher = Aes256Gcm::new_from_slice(v.vault_key().expose()).expect("key");
    let aad = [b'a'; 26 + 2 + 5 + 2 + 9];
    let nonce = Array::from([9u8; 12]);
    let mut sealed = plaintext.clone();
    let tag = cipher
        .encrypt_inout_detached(&nonce, &aad, sealed.as_mut_slice().into())
        .expect("seal");
    g.bench_function("floor/aes256gcm_seal_1KiB", |b| {
        b.iter(|| {
            let mut buf = black_box(&plaintext).clone();
            let tag = cipher
                .encrypt_inout_detached(&nonce, &aad, buf.as_mut_slice().into())
                .expect("seal");
            (buf, tag)
        })
    });
    g.bench_function("floor/aes256gcm_open_1KiB", |b| {
        b.iter(|| {
            let mut buf = black_box(&sealed).clone();
            cipher
                .decrypt_inout_detached(&nonce, &aad, buf.as_mut_slice().into(), &tag)
                .expect("open");
            buf
        })
    });
    // The other pieces of a record: its b64url text both ways, and wiping the 1 KiB
    // plaintext buffer when the returned secret drops.
    let body = record.strip_prefix("sw2.").expect("prefix").to_string();
    let raw = sealwright::encoding::b64url_decode(&body).expect("b64url");
    g.bench_function("floor/b64url_encode_record", |b| {
        b.iter(|| sealwright::encoding::b64url_encode(black_box(&raw)))
    });
    g.bench_function("floor/b64url_decode_record", |b| {
        b.iter(|| sealwright::encoding::b64url_decode(black_box(&body)).expect("b64url"))
    });
    g.bench_function("floor/zeroize_1KiB", |b| {
        b.iter(|| {
            let v = sealwright::secret::SecretVec::new(black_box(&plaintext).clone());
            drop(black_box(v));
        })
    });
    g.finish();

    let ids: Vec<String> = (0..10_000).map(|i| format!("site-{i:05}")).collect();
    let mut g = c.benchmark_group("records_10k");
    g.sample_size(20);
    g.bench_function("vault/10k_records_encrypt_decrypt_1KiB", |b| {
        b.iter(|| {
            for id in &ids {
                let rec = v.encrypt_record(id, &plaintext, &mut rng).expect("encrypt");
                let pt = v.decrypt_record(id, &rec).expect("decrypt");
                black_box(pt);
            }
        })
    });
    g.finish();
}

criterion_group!(benches, records, kdfs);
criterion_main!(benches);
