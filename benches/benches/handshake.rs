//! Handshake (spec §2) benches, each operation beside its primitive floor measured in the same
//! run (the floor runs the same primitives back to back on inputs of the same sizes):
//!
//! * `server_handshake` vs `floor/server_handshake` = RSA-4096 OAEP decrypt + PSS sign, HKDF
//!   (48 bytes) + reduction, decoding `P_c` (point decompression), `d_s * G`, ECDH
//!   `d_s * P_c`, X25519 keygen, 4 store seals (device, session, eph, last).
//! * `server_process` (the open step with its claim, then respond) vs `floor/server_process` =
//!   2 store opens, SHA-256 `request_id`, 2 HKDFs, 2 GCM opens, X25519 DH, X25519 keygen,
//!   2 GCM seals, 5 store seals (the claim; eph', eph used, retry, last).
//! * `client_send` vs `floor/client_send` = X25519 keygen + DH, HKDF, 2 GCM seals.
//! * `client_receive` vs `floor/client_receive` = 2 GCM opens.
//!
//! The server's RSA goes through AWS-LC (the default on native targets); run with
//! `--features pure-rsa` for the pure-Rust backend (the group name says which).

use criterion::{Criterion, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::crypto::{hkdf_sha256, hkdf32, open, sealed, sha256_parts};
use sealwright::effect::{MemoryStore, StoreSealer};
use sealwright::handshake::derive::{self, parse_primary_public, server_primary_key};
use sealwright::handshake::server::{self, HandshakeRecords, Outcome, Records, ServerKeys};
use sealwright::handshake::wire::HandshakeRequest;
use sealwright::handshake::{Client, PrimaryKey};
use sealwright::rsa_keys::{Backend, RsaPrivateKey};
use sealwright::secret::{SecretKey32, SecretVec};
use std::hint::black_box;

const NOW_MS: u64 = 1_767_225_600_000;
const MSG_LEN: usize = 256;

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::from_seed([33; 32]);
    let identity = RsaPrivateKey::generate(4096, &mut rng).expect("keygen");
    let storage_secret = SecretKey32::random(&mut rng);
    let keys = ServerKeys::new(
        identity.clone(),
        SecretVec::from_slice(&[0x42; 32]),
        &storage_secret,
    )
    .expect("keys");
    let sealer = StoreSealer::new(&storage_secret).expect("sealer");
    let primary = PrimaryKey::generate(&mut rng);
    let client = Client::new("bench-device", primary.clone(), keys.public_key()).expect("client");
    let (hs_request, pending) = client.start(&mut rng).expect("start");
    let store = MemoryStore::new();
    let hs_response =
        server::serve_handshake(&keys, &store, &hs_request, NOW_MS, &mut rng).expect("handshake");
    let session = pending.finish(&hs_response).expect("finish");
    let msg = vec![0x5au8; MSG_LEN];
    let (request, awaiting) = session.clone().send(&msg, &mut rng).expect("send");
    let names = server::process_store_keys(&request).expect("names");
    let session_v = store.get(&names.session, NOW_MS).expect("session").to_vec();
    let eph_v = store.get(&names.eph, NOW_MS).expect("eph").to_vec();
    let records = Records {
        session: Some(session_v.clone()),
        eph: Some(eph_v.clone()),
        last: store.get(&names.last, NOW_MS),
        ..Records::default()
    };
    let Outcome::Opened(opened) = server::open(&keys, &request, records.clone(), NOW_MS, &mut rng)
        .expect("open")
        .output
    else {
        panic!("fresh request")
    };
    let response = opened.respond(&msg, &mut rng).expect("respond").output;

    // Primitive inputs of the same sizes.
    let oaep_ct = HandshakeRequest::from_json(&hs_request)
        .expect("request")
        .public_key_primary;
    let client_public = primary.public_bytes();
    let transcript = vec![0x11u8; 23 + 2 + 12 + 16 + 33 + 33 + 32 + 2 + 32];
    let nonce = [9u8; 32];
    let key32 = [7u8; 32];
    let e = SecretKey32::new([3; 32]);
    let e_pub = derive::x25519_public(&SecretKey32::new([4; 32]));
    let aad = [0x61u8; 40];
    let sealed_small = sealed(&key32, &[1u8; 32], &aad, &mut rng).expect("seal");
    let sealed_msg = sealed(&key32, &msg, &aad, &mut rng).expect("seal");
    let session_plain = [0u8; 106];
    let eph_plain = [0u8; 1 + 2 + 12 + 32 + 1 + 32];
    let sealed_session = sealer.seal("k", &session_plain, &mut rng).expect("s");
    let sealed_eph = sealer.seal("k", &eph_plain, &mut rng).expect("s");

    let mut g = c.benchmark_group(format!("handshake/{:?}", Backend::DEFAULT));
    g.sample_size(20);
    g.bench_function("server_handshake", |b| {
        b.iter(|| {
            server::handshake(
                &keys,
                black_box(&hs_request),
                HandshakeRecords::default(),
                NOW_MS,
                &mut rng,
            )
            .expect("handshake")
        })
    });
    g.bench_function("floor/server_handshake", |b| {
        b.iter(|| {
            let pc = identity
                .oaep_sha256_decrypt(black_box(&oaep_ct), &mut rng)
                .expect("dec");
            let p_c = parse_primary_public(black_box(&client_public)).expect("P_c");
            let d_s = server_primary_key(&[0x42; 32], &nonce).expect("d_s");
            let p_s = d_s.public_bytes();
            let ss = derive::primary_secret(&d_s, &p_c);
            let e_s = derive::x25519_public(&e);
            let sig = identity
                .pss_sha256_sign(black_box(&transcript), &mut rng)
                .expect("sign");
            let s1 = sealer.seal("k", &session_plain, &mut rng).expect("s");
            let s2 = sealer.seal("k", &eph_plain, &mut rng).expect("s");
            let s3 = sealer.seal("k", &[0u8; 33], &mut rng).expect("s");
            let s4 = sealer.seal("k", &[0u8; 34], &mut rng).expect("s");
            black_box((pc, p_s, ss, e_s, sig, s1, s2, s3, s4))
        })
    });
    g.finish();

    let mut g = c.benchmark_group(format!("handshake/{:?}", Backend::DEFAULT));
    g.bench_function("server_process", |b| {
        b.iter(|| {
            let Outcome::Opened(opened) = server::open(
                &keys,
                black_box(&request),
                records.clone(),
                NOW_MS,
                &mut rng,
            )
            .expect("open")
            .output
            else {
                panic!("fresh")
            };
            opened.respond(&msg, &mut rng).expect("respond")
        })
    });
    g.bench_function("floor/server_process", |b| {
        b.iter(|| {
            let r1 = sealer.open("k", black_box(&sealed_session)).expect("o");
            let r2 = sealer.open("k", black_box(&sealed_eph)).expect("o");
            let id = sha256_parts(&[&[0u8; 34], &sealed_small, &sealed_msg]);
            let k_p = hkdf32(b"bench-device", &key32, b"HandshakeWrapKey").expect("k");
            let o1 = open(&key32, black_box(&sealed_small), &aad).expect("o");
            let ss_e = derive::x25519(&e, &e_pub).expect("dh");
            let mut ikm = [0u8; 64];
            ikm[32..].copy_from_slice(ss_e.expose());
            let k_m = hkdf32(b"bench-device", &ikm, b"HandshakeMessageKey").expect("k");
            let o2 = open(&key32, black_box(&sealed_msg), &aad).expect("o");
            let next = derive::x25519_public(&e);
            let c1 = sealed(&key32, &next, &aad, &mut rng).expect("s");
            let c2 = sealed(&key32, &msg, &aad, &mut rng).expect("s");
            let s1 = sealer.seal("k", &eph_plain, &mut rng).expect("s");
            let s2 = sealer.seal("k", &eph_plain, &mut rng).expect("s");
            let s3 = sealer.seal("k", response.as_bytes(), &mut rng).expect("s");
            let s4 = sealer.seal("k", &[0u8; 33], &mut rng).expect("s");
            let s5 = sealer.seal("k", &[0u8; 33], &mut rng).expect("s");
            black_box((r1, r2, id, k_p, o1, k_m, o2, c1, c2, s1, s2, s3, s4, s5))
        })
    });
    g.bench_function("client_send", |b| {
        b.iter(|| {
            session
                .clone()
                .send(black_box(&msg), &mut rng)
                .expect("send")
        })
    });
    g.bench_function("floor/client_send", |b| {
        b.iter(|| {
            let e_c = SecretKey32::random(&mut rng);
            let ss_e = derive::x25519(&e_c, &e_pub).expect("dh");
            let mut ikm = [0u8; 64];
            ikm[32..].copy_from_slice(ss_e.expose());
            let mut k_m = [0u8; 32];
            hkdf_sha256(b"bench-device", &ikm, b"HandshakeMessageKey", &mut k_m).expect("k");
            let public = derive::x25519_public(&e_c);
            let c1 = sealed(&key32, &public, &aad, &mut rng).expect("s");
            let c2 = sealed(&k_m, black_box(&msg), &aad, &mut rng).expect("s");
            black_box((c1, c2))
        })
    });
    g.bench_function("client_receive", |b| {
        b.iter(|| awaiting.receive(black_box(&response)).expect("receive"))
    });
    g.bench_function("floor/client_receive", |b| {
        b.iter(|| {
            let o1 = open(&key32, black_box(&sealed_small), &aad).expect("o");
            let o2 = open(&key32, black_box(&sealed_msg), &aad).expect("o");
            black_box((o1, o2))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
