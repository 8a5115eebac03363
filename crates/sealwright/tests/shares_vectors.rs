//! Replays `test-vectors/shares.json` (spec §6) through the core: every positive case is
//! recomputed byte for byte (create, sign and the three recovery steps against a hot and a
//! cold store, driven by a scripted RNG with the recorded `d`, `a`, salts, IVs and split ids;
//! the store keys; every Argon2id key; `y = d + a*x mod n` checked with
//! k256 arithmetic), and every negative case gives its `expectedError`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod shares_common;

use k256::Scalar;
use k256::elliptic_curve::ff::PrimeField;
use sealwright::effect::StoreName;
use sealwright::encoding::{hex_decode, hex_decode_array, hex_encode};
use sealwright::rng::ScriptedRng;
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::shares::{self, Address, EnvelopeParts, SharePlaintext, SplitPointer, WalletKey};
use serde_json::Value;
use shares_common::{Stores, cases, s, sealer, stage};

fn scalar(hex: &str) -> Scalar {
    Option::from(Scalar::from_repr(
        hex_decode_array::<32>(hex).unwrap().into(),
    ))
    .unwrap()
}

/// The scripted randomness of one split: optional `d`, then `a`, then (salt, iv) x 3, then
/// the split id (the store-sealing nonces that follow are not recorded: zeros).
fn script(d: Option<&str>, block: &Value) -> ScriptedRng {
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    if let Some(d) = d {
        chunks.push(hex_decode(d).unwrap());
    }
    chunks.push(hex_decode(s(block, "coefficient")).unwrap());
    for share in block["shares"].as_array().unwrap() {
        chunks.push(hex_decode(s(share, "salt")).unwrap());
        chunks.push(hex_decode(s(share, "iv")).unwrap());
    }
    chunks.push(hex_decode(s(block, "splitId")).unwrap());
    ScriptedRng::new(chunks)
}

/// Checks every share of a block: plaintext layout and arithmetic, Argon2id key, envelope.
fn check_shares(name: &str, password: &SecretString, d: &Scalar, block: &Value, envs: [&str; 3]) {
    let a = scalar(s(block, "coefficient"));
    let generation = block["generation"].as_u64().unwrap() as u32;
    let list = block["shares"].as_array().unwrap();
    assert_eq!(list.len(), 3, "{name}");
    for (i, share) in list.iter().enumerate() {
        let x = share["x"].as_u64().unwrap();
        assert_eq!(x, i as u64 + 1, "{name}");
        assert_eq!(s(share, "envelope"), envs[i], "{name}: envelope {x}");
        // y = d + a*x mod n, computed here with k256, independently of vsss-rs.
        let y = *d + a * Scalar::from(x);
        let mut expected = vec![1u8, 2, x as u8];
        expected.extend_from_slice(&generation.to_be_bytes());
        expected.extend_from_slice(&y.to_repr());
        assert_eq!(s(share, "plaintext"), hex_encode(&expected), "{name}: y{x}");
        // K = Argon2id(password, salt) and the envelope opens to the plaintext.
        let salt = hex_decode_array::<16>(s(share, "salt")).unwrap();
        let key = shares::derive_key(password, &salt).unwrap();
        assert_eq!(hex_encode(key.expose()), s(share, "argon2Key"), "{name}");
        let parts = EnvelopeParts::decode(envs[i]).unwrap();
        assert_eq!(hex_encode(&parts.iv), s(share, "iv"));
        let pt = parts.open_with_key(&key).unwrap();
        assert_eq!(hex_encode(pt.expose()), s(share, "plaintext"));
        let decoded = SharePlaintext::decode(pt.expose()).unwrap();
        assert_eq!((decoded.x() as u64, decoded.generation()), (x, generation));
    }
}

#[test]
fn positive_cases_replay() {
    let positives: Vec<&Value> = cases()
        .iter()
        .filter(|c| c.get("expectedError").is_none())
        .collect();
    assert_eq!(positives.len(), 2);
    for c in positives {
        let name = s(c, "name");
        let password = SecretString::from(s(c, "password"));
        let address = Address::parse(s(c, "address")).unwrap();
        assert_eq!(address.to_string(), s(c, "address"), "{name}: EIP-55 form");
        let d_hex = s(c, "walletPrivate");
        let key =
            WalletKey::from_bytes(&SecretKey32::new(hex_decode_array(d_hex).unwrap())).unwrap();
        assert_eq!(key.address(), address, "{name}");
        assert_eq!(c["generation"], 0);

        // create, replayed, committed to a hot and a cold store.
        let stores = Stores::new();
        let (created, effects) = shares::create(&password, &sealer(), &mut script(Some(d_hex), c))
            .unwrap()
            .into_parts();
        assert_eq!(created.address, address);
        assert_eq!(hex_encode(&created.split.split_id), s(c, "splitId"));
        assert_eq!(created.split.generation, 0);
        check_store_keys(&address, &created.split, &c["storeKeys"]);
        let stored: Vec<(&str, StoreName)> = effects.iter().map(|e| (e.key(), e.store)).collect();
        assert_eq!(
            stored,
            [
                (s(&c["storeKeys"], "hot"), StoreName::Main),
                (s(&c["storeKeys"], "cold"), StoreName::Cold),
                (s(&c["storeKeys"], "current"), StoreName::Main),
            ]
        );
        stores.commit(&effects).unwrap();
        let envs = [
            created.user_envelope.as_str(),
            created.hot_envelope.as_str(),
            created.cold_envelope.as_str(),
        ];
        check_shares(name, &password, &scalar(d_hex), c, envs);

        // sign with share 1 and share 2 of the split the pointer names.
        let message = s(c, "message");
        assert_eq!(
            hex_encode(&shares::personal_message_hash(message.as_bytes())),
            s(c, "messageHash")
        );
        assert_eq!(
            shares::sign(&password, envs[0], envs[1], &address, message).unwrap(),
            s(c, "signature")
        );
        let signature = stores.sign(&password, envs[0], &address, message).unwrap();
        assert_eq!(signature, s(c, "signature"), "{name}");
        assert_eq!(
            shares::recover_signer(message.as_bytes(), &signature).unwrap(),
            address
        );

        // recover (stage, move, clean up) with shares 2 and 3, replayed.
        let r = &c["recovery"];
        assert_eq!(r["generation"], 1);
        let staged = stage(&stores, &password, &address, &mut script(None, r)).unwrap();
        stores.commit(&staged.effects).unwrap();
        let moving = staged.output.move_pointer();
        stores.commit(&moving.effects).unwrap();
        let (recovered, cleanup) = moving.output.won().into_parts();
        stores.commit(&cleanup).unwrap();
        assert_eq!(recovered.split.generation, 1);
        assert_eq!(hex_encode(&recovered.split.split_id), s(r, "splitId"));
        check_store_keys(&address, &recovered.split, &r["storeKeys"]);
        let new = [
            recovered.user_envelope.as_str(),
            recovered.hot_envelope.as_str(),
            recovered.cold_envelope.as_str(),
        ];
        check_shares(name, &password, &scalar(d_hex), r, new);
        // The new split signs identically (RFC 6979 is deterministic in d); the old is gone.
        assert_eq!(
            stores.sign(&password, new[0], &address, message).unwrap(),
            signature
        );
        let mut keys = stores.all_keys();
        keys.sort();
        let mut want = vec![
            s(&r["storeKeys"], "current").to_string(),
            s(&r["storeKeys"], "hot").to_string(),
            s(&r["storeKeys"], "cold").to_string(),
        ];
        want.sort();
        assert_eq!(keys, want);
    }
}

/// The extra `storeKeys` field: the key layout of spec §3 with `tag` over the lowercase address.
fn check_store_keys(address: &Address, split: &SplitPointer, keys: &Value) {
    let tag = sealwright::effect::tag(&address.to_lowercase_hex());
    let prefix = format!("sw:v1:shares:{tag}");
    let id = hex_encode(&split.split_id);
    let g = split.generation;
    assert_eq!(s(keys, "current"), format!("{prefix}:current"));
    assert_eq!(s(keys, "hot"), format!("{prefix}:{g}:{id}:2"));
    assert_eq!(s(keys, "cold"), format!("{prefix}:{g}:{id}:3"));
    assert_eq!(shares::current_key(address), s(keys, "current"));
    assert_eq!(shares::hot_key(address, split), s(keys, "hot"));
    assert_eq!(shares::cold_key(address, split), s(keys, "cold"));
}

#[test]
fn negative_cases_replay() {
    let mut open = 0;
    let mut combine = 0;
    for c in cases().iter().filter(|c| c.get("expectedError").is_some()) {
        let name = s(c, "name");
        let expected = s(c, "expectedError");
        let password = SecretString::from(s(c, "password"));
        let got = match s(c, "operation") {
            "open" => {
                open += 1;
                shares::open_envelope(&password, s(c, "envelope")).map(|_| ())
            }
            "combine" => {
                combine += 1;
                let envs = c["envelopes"].as_array().unwrap();
                assert_eq!(envs.len(), 2, "{name}");
                let address = Address::parse(s(c, "address")).unwrap();
                shares::open_wallet(
                    &password,
                    envs[0].as_str().unwrap(),
                    envs[1].as_str().unwrap(),
                    &address,
                )
                .map(|_| ())
            }
            other => panic!("{name}: unknown operation {other}"),
        };
        assert_eq!(got.unwrap_err().code(), expected, "{name}");
    }
    assert_eq!((open, combine), (16, 21));
}
