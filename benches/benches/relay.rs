//! Relay (spec §1) benches, each beside its primitive floor measured in the same run.
//!
//! * `relay/server_decrypt_request` vs floor = `pss_verify` + `gcm_open_value` +
//!   `es256_sign` + `oaep_encrypt_cek` + `gcm_seal_value`.
//! * `relay/recipient_open_response` vs floor = `oaep_decrypt_cek` + `gcm_open_value` +
//!   `es256_verify`.
//!
//! The ES256 floors call the `p256` crate directly (RFC 6979 signing, verification), as the
//! core does, over a signing input of the response's size.
//! * `rsa4096/*`: the raw private-key operations on every compiled backend.
//!
//! The plain methods use AWS-LC (the default on native targets); run with
//! `--features pure-rsa` for the pure-Rust backend (the group name says which).

use criterion::{Criterion, criterion_group, criterion_main};
use p256::ecdsa::signature::{Signer, Verifier};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::crypto::{aes_gcm_decrypt, aes_gcm_encrypt};
use sealwright::relay::{Recipient, RelayKey, RelayKeys, RelaySigningKey};
use sealwright::rsa_keys::Backend;
use sealwright::secret::SecretKey32;
use std::hint::black_box;

const VALUE_LEN: usize = 1024;
const NOW_MS: u64 = 1_767_225_600_000;

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::from_seed([21; 32]);
    let recipient = Recipient::generate(&mut rng).expect("keygen"); // RSA-4096
    let registered = recipient.public_key().clone();
    let signing =
        RelaySigningKey::new("sk-bench", &SecretKey32::new([6; 32])).expect("signing key");
    let pinned = [signing.verifying_key()];
    let keys = RelayKeys::new(
        RelayKey::new("rk-bench", SecretKey32::new([5; 32])).expect("rk"),
        signing.clone(),
    );
    let value = vec![0x5au8; VALUE_LEN];
    let sealed = keys
        .seal(&value, Some(recipient.rid()), &mut rng)
        .expect("seal");
    let request = recipient
        .request(&sealed, NOW_MS, &mut rng)
        .expect("request");
    let lookup = |rid: &str| (rid == registered.rid()).then(|| registered.clone());
    let response = keys
        .decrypt_request(request.jws(), lookup, |_| false, NOW_MS, &mut rng)
        .expect("accept")
        .response;

    // Primitive inputs.
    let (signing_input, sig_b64) = request.jws().rsplit_once('.').expect("jws");
    let signature = sealwright::encoding::b64url_decode(sig_b64).expect("sig");
    let pk = registered.public_key().clone();
    let gcm_key = [7u8; 32];
    let iv = [1u8; 12];
    let aad = [b'h'; 60];
    let gcm_ct = aes_gcm_encrypt(&gcm_key, &iv, &value, &aad).expect("gcm");
    let wrapped: Vec<u8> = {
        let p: Vec<&str> = response.split('.').collect();
        sealwright::encoding::b64url_decode(p[1]).expect("ek")
    };
    let private = sealwright::rsa_keys::RsaPrivateKey::from_pkcs8_der(
        recipient.to_pkcs8_der().expect("der").expose(),
    )
    .expect("key");
    // ES256 over a signing input as long as the response's inner JWS.
    let inner = signing
        .sign_response(request.jti(), NOW_MS / 1000, &value)
        .expect("inner");
    let (es_input, es_sig) = inner.expose().rsplit_once('.').expect("inner jws");
    let es_input = es_input.as_bytes().to_vec();
    let p256_sk = p256::ecdsa::SigningKey::from_slice(&[6; 32]).expect("p256 key");
    let p256_vk = *p256_sk.verifying_key();
    let es_sig = p256::ecdsa::Signature::from_slice(
        &sealwright::encoding::b64url_decode(es_sig).expect("sig"),
    )
    .expect("sig");

    let mut g = c.benchmark_group(format!("relay/{:?}", Backend::DEFAULT));
    g.bench_function("server_decrypt_request", |b| {
        b.iter(|| {
            keys.decrypt_request(
                black_box(request.jws()),
                lookup,
                |_| false,
                NOW_MS,
                &mut rng,
            )
            .expect("accept")
        })
    });
    g.bench_function("floor/es256_sign", |b| {
        b.iter(|| -> p256::ecdsa::Signature { p256_sk.sign(black_box(&es_input)) })
    });
    g.bench_function("floor/pss_verify", |b| {
        b.iter(|| pk.pss_sha256_verify(black_box(signing_input.as_bytes()), &signature))
    });
    g.bench_function("floor/gcm_open_value", |b| {
        b.iter(|| aes_gcm_decrypt(&gcm_key, &iv, black_box(&gcm_ct), &aad).expect("open"))
    });
    g.bench_function("floor/oaep_encrypt_cek", |b| {
        b.iter(|| {
            pk.oaep_sha256_encrypt(black_box(&gcm_key), &mut rng)
                .expect("enc")
        })
    });
    g.bench_function("floor/gcm_seal_value", |b| {
        b.iter(|| aes_gcm_encrypt(&gcm_key, &iv, black_box(&value), &aad).expect("seal"))
    });
    g.bench_function("recipient_open_response", |b| {
        b.iter(|| {
            recipient
                .open_response(black_box(&response), &request, &pinned, &mut rng)
                .expect("open")
        })
    });
    g.bench_function("floor/es256_verify", |b| {
        b.iter(|| {
            p256_vk
                .verify(black_box(&es_input), &es_sig)
                .expect("verify")
        })
    });
    g.bench_function("floor/oaep_decrypt_cek", |b| {
        b.iter(|| {
            private
                .oaep_sha256_decrypt(black_box(&wrapped), &mut rng)
                .expect("dec")
        })
    });
    g.finish();

    let mut g = c.benchmark_group("rsa4096");
    g.sample_size(20);
    for &backend in Backend::all() {
        g.bench_function(format!("{backend:?}/oaep_decrypt"), |b| {
            b.iter(|| {
                private
                    .oaep_sha256_decrypt_with(backend, black_box(&wrapped), &mut rng)
                    .expect("dec")
            })
        });
        g.bench_function(format!("{backend:?}/pss_sign"), |b| {
            b.iter(|| {
                private
                    .pss_sha256_sign_with(backend, black_box(b"message"), &mut rng)
                    .expect("sign")
            })
        });
        g.bench_function(format!("{backend:?}/pss_verify"), |b| {
            b.iter(|| {
                pk.pss_sha256_verify_with(backend, black_box(signing_input.as_bytes()), &signature)
            })
        });
        g.bench_function(format!("{backend:?}/oaep_encrypt"), |b| {
            b.iter(|| {
                pk.oaep_sha256_encrypt_with(backend, black_box(&gcm_key), &mut rng)
                    .expect("enc")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
