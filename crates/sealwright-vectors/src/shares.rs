//! Vectors for the threshold wallet shares (spec §3, §6 `shares.json`).
//!
//! Spec version 2. Two positive cases (an ASCII and a non-ASCII password and message) run
//! `create`, `sign` and the three recovery steps (stage, move, clean up) through the core and
//! two in-memory stores, with a [`ScriptedRng`] replaying the recorded `d`, `a`, salts, IVs
//! and split ids (extra fields `splitId`, and `storeKeys` showing the key layout), so every
//! intermediate can be recomputed. Negative `open` cases damage one
//! envelope; negative `combine` cases seal crafted plaintexts (bad format, x, y, threshold,
//! generations, a zero key, another wallet) under the first case's password. All use the real
//! Argon2id parameters (64 MiB, t=3, p=4).

use rand_chacha::ChaCha20Rng;
use rand_core::Rng;
use sealwright::crypto::aes_gcm_encrypt;
use sealwright::effect::{MemoryStore, StoreName, StoreSealer};
use sealwright::encoding::{b64_decode, b64_encode, hex_encode};
use sealwright::rng::ScriptedRng;
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::shares::{
    self, Address, EnvelopeParts, LoadedSplit, SharePlaintext, SplitPointer, derive_key,
    open_envelope, personal_message_hash,
};
use serde_json::{Value, json};

use crate::{file, render, seeded};

/// The secp256k1 group order `n`, big-endian.
const N: &str = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

fn bytes<const M: usize>(rng: &mut ChaCha20Rng) -> [u8; M] {
    let mut b = [0u8; M];
    rng.fill_bytes(&mut b);
    b
}

/// The recorded randomness of one split: coefficient, then (salt, iv) for x = 1, 2, 3.
struct SplitRandom {
    coefficient: [u8; 32],
    salts: [[u8; 16]; 3],
    ivs: [[u8; 12]; 3],
}

impl SplitRandom {
    fn draw(rng: &mut ChaCha20Rng) -> Self {
        let coefficient = bytes(rng);
        let mut salts = [[0u8; 16]; 3];
        let mut ivs = [[0u8; 12]; 3];
        for i in 0..3 {
            salts[i] = bytes(rng);
            ivs[i] = bytes(rng);
        }
        Self {
            coefficient,
            salts,
            ivs,
        }
    }

    /// The randomness of create (`prefix` = `d`) or stage (no prefix), in the core's order:
    /// `a`, (salt, iv) x 3, the split id, then the store-sealing nonces.
    fn script(&self, prefix: &[u8], split_id: &[u8], store_nonces: &[u8]) -> ScriptedRng {
        let mut chunks: Vec<Vec<u8>> = vec![prefix.to_vec(), self.coefficient.to_vec()];
        for i in 0..3 {
            chunks.push(self.salts[i].to_vec());
            chunks.push(self.ivs[i].to_vec());
        }
        chunks.push(split_id.to_vec());
        chunks.push(store_nonces.to_vec());
        ScriptedRng::new(chunks)
    }

    /// The `shares` list: x, plaintext, salt, iv, argon2Key, envelope.
    fn shares(&self, password: &SecretString, envelopes: [&str; 3]) -> Value {
        let mut out = Vec::new();
        for (i, envelope) in envelopes.iter().enumerate() {
            let parts = EnvelopeParts::decode(envelope).unwrap();
            assert_eq!(parts.salt, self.salts[i]);
            assert_eq!(parts.iv, self.ivs[i]);
            let key = derive_key(password, &parts.salt).unwrap();
            let plaintext = parts.open_with_key(&key).unwrap();
            let share = SharePlaintext::decode(plaintext.expose()).unwrap();
            assert_eq!(usize::from(share.x()), i + 1);
            out.push(json!({
                "x": i + 1,
                "plaintext": hex_encode(plaintext.expose()),
                "salt": hex_encode(&parts.salt),
                "iv": hex_encode(&parts.iv),
                "argon2Key": hex_encode(key.expose()),
                "envelope": envelope,
            }));
        }
        Value::Array(out)
    }
}

struct Wallet {
    password: SecretString,
    address: Address,
    envelopes: [String; 3],
    recovered: [String; 3],
}

/// The store keys of one split (extra fields: they show `tag(address)` and the key layout).
fn store_keys(address: &Address, split: &SplitPointer) -> Value {
    json!({
        "current": shares::current_key(address),
        "hot": shares::hot_key(address, split),
        "cold": shares::cold_key(address, split),
    })
}

fn positive(
    rng: &mut ChaCha20Rng,
    sealer: &StoreSealer,
    name: &str,
    password: &str,
    message: &str,
) -> (Value, Wallet) {
    let password = SecretString::from(password);
    let wallet_private: [u8; 32] = bytes(rng);
    let split = SplitRandom::draw(rng);
    let nonces: [u8; 36] = bytes(rng);
    let split_id: [u8; 16] = bytes(rng);
    let (hot, cold) = (MemoryStore::new(), MemoryStore::named(StoreName::Cold));
    let (created, effects) = shares::create(
        &password,
        sealer,
        &mut split.script(&wallet_private, &split_id, &nonces),
    )
    .unwrap()
    .into_parts();
    shares::commit(&hot, &cold, &effects, 0).unwrap();
    assert_eq!(created.split.split_id, split_id);
    let address = created.address;
    let key = shares::WalletKey::from_bytes(&SecretKey32::new(wallet_private)).unwrap();
    assert_eq!(key.address(), address);
    let envelopes = [
        created.user_envelope.clone(),
        created.hot_envelope.clone(),
        created.cold_envelope.clone(),
    ];
    // Sign as a server does: the pointer, then share 2 of the split it names.
    let loaded = |hot: &MemoryStore| {
        LoadedSplit::open(
            sealer,
            &address,
            hot.get(&shares::current_key(&address), 0).as_deref(),
        )
        .unwrap()
    };
    let split0 = loaded(&hot);
    assert_eq!(*split0.pointer(), created.split);
    let signature = split0
        .sign(
            &password,
            &envelopes[0],
            sealer,
            hot.get(&split0.hot_key(), 0).as_deref(),
            message,
        )
        .unwrap();
    assert_eq!(signature, key.sign_message(message.as_bytes()));

    // Recovery: stage, move, clean up.
    let recovery = SplitRandom::draw(rng);
    let nonces: [u8; 36] = bytes(rng);
    let recovery_split_id: [u8; 16] = bytes(rng);
    let (hot_value, cold_value) = (
        hot.get(&split0.hot_key(), 0),
        cold.get(&split0.cold_key(), 0),
    );
    let staged = split0
        .stage(
            &password,
            sealer,
            hot_value.as_deref(),
            cold_value.as_deref(),
            &mut recovery.script(&[], &recovery_split_id, &nonces),
        )
        .unwrap();
    shares::commit(&hot, &cold, &staged.effects, 0).unwrap();
    let moving = staged.output.move_pointer();
    shares::commit(&hot, &cold, &moving.effects, 0).unwrap();
    let (recovered, cleanup) = moving.output.won().into_parts();
    shares::commit(&hot, &cold, &cleanup, 0).unwrap();
    assert_eq!(recovered.split.generation, 1);
    assert_eq!(recovered.split.split_id, recovery_split_id);
    assert_eq!(hot.len() + cold.len(), 3);
    let split1 = loaded(&hot);
    assert_eq!(
        split1
            .sign(
                &password,
                &recovered.user_envelope,
                sealer,
                hot.get(&split1.hot_key(), 0).as_deref(),
                message,
            )
            .unwrap(),
        signature
    );
    let recovered_envelopes = [
        recovered.user_envelope,
        recovered.hot_envelope,
        recovered.cold_envelope,
    ];
    let case = json!({
        "name": name,
        "password": password.expose(),
        "walletPrivate": hex_encode(&wallet_private),
        "address": address.to_string(),
        "coefficient": hex_encode(&split.coefficient),
        "generation": 0,
        "splitId": hex_encode(&split_id),
        "storeKeys": store_keys(&address, &created.split),
        "shares": split.shares(&password, [&envelopes[0], &envelopes[1], &envelopes[2]]),
        "message": message,
        "messageHash": hex_encode(&personal_message_hash(message.as_bytes())),
        "signature": signature,
        "recovery": {
            "coefficient": hex_encode(&recovery.coefficient),
            "generation": 1,
            "splitId": hex_encode(&recovery_split_id),
            "storeKeys": store_keys(&address, &recovered.split),
            "shares": recovery.shares(
                &password,
                [&recovered_envelopes[0], &recovered_envelopes[1], &recovered_envelopes[2]],
            ),
        },
    });
    (
        case,
        Wallet {
            password,
            address,
            envelopes,
            recovered: recovered_envelopes,
        },
    )
}

fn open_case(name: &str, password: &SecretString, envelope: &str) -> Value {
    let err = open_envelope(password, envelope).unwrap_err().code();
    assert_eq!(err, "DECRYPTION_FAILED", "{name}");
    json!({
        "name": name,
        "operation": "open",
        "expectedError": err,
        "password": password.expose(),
        "envelope": envelope,
    })
}

fn combine_case(
    name: &str,
    err: &str,
    password: &SecretString,
    address: &Address,
    envelopes: [&str; 2],
) -> Value {
    let got = shares::open_wallet(password, envelopes[0], envelopes[1], address)
        .unwrap_err()
        .code();
    assert_eq!(got, err, "{name}");
    json!({
        "name": name,
        "operation": "combine",
        "expectedError": err,
        "password": password.expose(),
        "address": address.to_string(),
        "envelopes": envelopes,
    })
}

/// Flips the lowest bit of decoded byte `at` of an envelope.
fn flip(envelope: &str, at: usize) -> String {
    let mut raw = b64_decode(envelope).unwrap();
    raw[at] ^= 0x01;
    b64_encode(&raw)
}

/// Seals arbitrary plaintext bytes (valid or not) as an envelope.
fn craft(rng: &mut ChaCha20Rng, password: &SecretString, plaintext: &[u8]) -> String {
    let salt: [u8; 16] = bytes(rng);
    let iv: [u8; 12] = bytes(rng);
    let key = derive_key(password, &salt).unwrap();
    EnvelopeParts {
        salt,
        iv,
        ciphertext: aes_gcm_encrypt(key.expose(), &iv, plaintext, b"").unwrap(),
    }
    .encode()
}

/// A raw plaintext `format || threshold || x || u32be(generation) || y`.
fn plaintext(format: u8, threshold: u8, x: u8, generation: u32, y: &[u8]) -> Vec<u8> {
    let mut p = vec![format, threshold, x];
    p.extend_from_slice(&generation.to_be_bytes());
    p.extend_from_slice(y);
    p
}

/// The decoded plaintext of an envelope (the generator knows the password).
fn opened(password: &SecretString, envelope: &str) -> Vec<u8> {
    open_envelope(password, envelope).unwrap().expose().to_vec()
}

/// The files this module writes, as `(file name, text)`.
pub fn generate() -> Vec<(&'static str, String)> {
    let mut rng = seeded("shares");
    let sealer = StoreSealer::new(&SecretKey32::new(bytes(&mut rng))).unwrap();
    let mut cases = Vec::new();

    let (case, a) = positive(
        &mut rng,
        &sealer,
        "ASCII password and message",
        "correct horse battery staple",
        "Some data",
    );
    cases.push(case);
    let (case, b) = positive(
        &mut rng,
        &sealer,
        "non-ASCII password and message (UTF-8 bytes, not normalized)",
        "pässwörd \u{1F511} e\u{301}",
        "héllo \u{1F30D}\nline two",
    );
    cases.push(case);

    // ---- open: one envelope each.
    let pw = &a.password;
    let env = &a.envelopes[0];
    cases.push(open_case(
        "wrong password",
        &SecretString::from("correct horse battery stapler"),
        env,
    ));
    cases.push(open_case("password of another wallet", &b.password, env));
    cases.push(open_case("flipped byte in salt", pw, &flip(env, 0)));
    cases.push(open_case("flipped byte in salt (last)", pw, &flip(env, 15)));
    cases.push(open_case("flipped byte in iv", pw, &flip(env, 16)));
    cases.push(open_case("flipped byte in ciphertext", pw, &flip(env, 28)));
    cases.push(open_case(
        "flipped byte in ciphertext (y)",
        pw,
        &flip(env, 50),
    ));
    cases.push(open_case("flipped byte in tag", pw, &flip(env, 67)));
    cases.push(open_case("flipped byte in tag (last)", pw, &flip(env, 82)));
    let raw = b64_decode(env).unwrap();
    cases.push(open_case(
        "decoded length 82 (last byte cut)",
        pw,
        &b64_encode(&raw[..82]),
    ));
    let mut long = raw.clone();
    long.push(0);
    cases.push(open_case(
        "decoded length 84 (byte appended)",
        pw,
        &b64_encode(&long),
    ));
    cases.push(open_case("empty envelope", pw, ""));
    cases.push(open_case(
        "bad base64 (URL-safe alphabet)",
        pw,
        &format!("-{}", &env[1..]),
    ));
    cases.push(open_case(
        "bad base64 (whitespace)",
        pw,
        &format!("{} {}", &env[..40], &env[40..]),
    ));
    cases.push(open_case(
        "bad base64 (padding removed)",
        pw,
        env.trim_end_matches('='),
    ));
    let rec = &a.recovered;
    cases.push(open_case(
        "recovered envelope under a wrong password",
        &SecretString::from(""),
        &rec[0],
    ));

    // ---- combine: two envelopes under the first wallet's password.
    let addr = &a.address;
    let e = &a.envelopes;
    let y1 = opened(pw, &e[0])[7..].to_vec();
    let y2 = opened(pw, &e[1])[7..].to_vec();
    let n = sealwright::encoding::hex_decode(N).unwrap();
    let other = craft(&mut rng, pw, &opened(&b.password, &b.envelopes[1]));
    let other_user = craft(&mut rng, pw, &opened(&b.password, &b.envelopes[0]));
    let c = |rng: &mut ChaCha20Rng, p: Vec<u8>| craft(rng, pw, &p);
    let bad_format = c(&mut rng, plaintext(0x02, 2, 2, 0, &y2));
    let format_zero = c(&mut rng, plaintext(0x00, 2, 2, 0, &y2));
    let x0 = c(&mut rng, plaintext(1, 2, 0, 0, &y2));
    let x4 = c(&mut rng, plaintext(1, 2, 4, 0, &y2));
    let y_n = c(&mut rng, plaintext(1, 2, 2, 0, &n));
    let y_max = c(&mut rng, plaintext(1, 2, 2, 0, &[0xff; 32]));
    let threshold3 = c(&mut rng, plaintext(1, 3, 2, 0, &y2));
    let threshold1 = c(&mut rng, plaintext(1, 1, 2, 0, &y2));
    let hot_gen1 = c(&mut rng, plaintext(1, 2, 2, 1, &y2));
    // f(x) = a*x: the shares (1, a) and (2, 2a) interpolate to d = 0.
    let mut two_a = [0u8; 32];
    two_a[31] = 0x0e;
    let mut one_a = [0u8; 32];
    one_a[31] = 0x07;
    let zero_1 = c(&mut rng, plaintext(1, 2, 1, 0, &one_a));
    let zero_2 = c(&mut rng, plaintext(1, 2, 2, 0, &two_a));
    let x1_twin = c(&mut rng, plaintext(1, 2, 1, 0, &y1));

    let cc = |name: &str, err: &str, envs: [&str; 2]| combine_case(name, err, pw, addr, envs);
    cases.push(cc(
        "first envelope under another password",
        "DECRYPTION_FAILED",
        [&b.envelopes[0], &e[1]],
    ));
    cases.push(cc(
        "second envelope tampered (checked before the first's format)",
        "DECRYPTION_FAILED",
        [&bad_format, &flip(&e[1], 40)],
    ));
    cases.push(cc(
        "shares of two generations (user gen 0, hot gen 1)",
        "GENERATION_MISMATCH",
        [&e[0], &rec[1]],
    ));
    cases.push(cc(
        "shares of two generations (hot gen 1, cold gen 0)",
        "GENERATION_MISMATCH",
        [&rec[1], &e[2]],
    ));
    cases.push(cc(
        "a share set of another wallet",
        "SHARE_MISMATCH",
        [&other_user, &other],
    ));
    cases.push(cc(
        "one share of this wallet, one of another",
        "SHARE_MISMATCH",
        [&e[0], &other],
    ));
    cases.push(combine_case(
        "valid shares of this wallet against another address",
        "SHARE_MISMATCH",
        pw,
        &b.address,
        [&e[0], &e[1]],
    ));
    cases.push(cc("the same share twice", "INVALID_SHARE", [&e[0], &e[0]]));
    cases.push(cc(
        "two envelopes of x = 1 (other salt)",
        "INVALID_SHARE",
        [&e[0], &x1_twin],
    ));
    cases.push(cc(
        "bad format byte 0x02",
        "UNSUPPORTED_VERSION",
        [&e[0], &bad_format],
    ));
    cases.push(cc(
        "bad format byte 0x00 (first)",
        "UNSUPPORTED_VERSION",
        [&format_zero, &e[0]],
    ));
    cases.push(cc(
        "format checked on both before x (x = 0 first, bad format second)",
        "UNSUPPORTED_VERSION",
        [&x0, &bad_format],
    ));
    cases.push(cc("x = 0", "INVALID_SHARE", [&e[0], &x0]));
    cases.push(cc("x = 4", "INVALID_SHARE", [&x4, &e[0]]));
    cases.push(cc("y = n", "INVALID_SHARE", [&e[0], &y_n]));
    cases.push(cc("y = 2^256 - 1", "INVALID_SHARE", [&e[0], &y_max]));
    cases.push(cc(
        "threshold byte 3",
        "INVALID_SHARE",
        [&e[0], &threshold3],
    ));
    cases.push(cc(
        "threshold byte 1",
        "INVALID_SHARE",
        [&threshold1, &e[0]],
    ));
    cases.push(cc(
        "share validity checked before generations (x = 4 and gen 1)",
        "INVALID_SHARE",
        [&hot_gen1, &x4],
    ));
    cases.push(cc(
        "generations checked before the address (gen 1 hot of another y)",
        "GENERATION_MISMATCH",
        [&e[0], &hot_gen1],
    ));
    cases.push(cc(
        "combined key is zero",
        "SHARE_MISMATCH",
        [&zero_1, &zero_2],
    ));

    vec![("shares.json", render(&file("shares", 2, cases)))]
}
