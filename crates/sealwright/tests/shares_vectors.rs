//! Replays `test-vectors/shares.json` (spec §6) through the core: every positive case is
//! recomputed byte for byte (create, sign and recover driven by a scripted RNG with the
//! recorded `d`, `a`, salts and IVs; every Argon2id key; `y = d + a*x mod n` checked with
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
use sealwright::encoding::{hex_decode, hex_decode_array, hex_encode};
use sealwright::rng::ScriptedRng;
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::shares::{self, Address, EnvelopeParts, SharePlaintext, WalletKey};
use serde_json::Value;
use shares_common::{cases, s, sealer};

fn scalar(hex: &str) -> Scalar {
    Option::from(Scalar::from_repr(
        hex_decode_array::<32>(hex).unwrap().into(),
    ))
    .unwrap()
}

/// The scripted randomness of one split: optional `d`, then `a`, then (salt, iv) x 3.
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

        // create, replayed.
        let mut rng = script(Some(d_hex), c);
        let created = shares::create(&password, &sealer(), &mut rng).unwrap();
        assert_eq!(created.address, address);
        let envs = [
            created.user_envelope.as_str(),
            created.hot_envelope.as_str(),
            created.cold_envelope.as_str(),
        ];
        check_shares(name, &password, &scalar(d_hex), c, envs);

        // sign with shares 1 and 2.
        let message = s(c, "message");
        assert_eq!(
            hex_encode(&shares::personal_message_hash(message.as_bytes())),
            s(c, "messageHash")
        );
        let signature = shares::sign(&password, envs[0], envs[1], &address, message).unwrap();
        assert_eq!(signature, s(c, "signature"), "{name}");
        assert_eq!(
            shares::recover_signer(message.as_bytes(), &signature).unwrap(),
            address
        );

        // recover with shares 2 and 3, replayed.
        let r = &c["recovery"];
        assert_eq!(r["generation"], 1);
        let mut rng = script(None, r);
        let recovered = shares::recover(
            &password,
            envs[1],
            envs[2],
            &address,
            0,
            &sealer(),
            &mut rng,
        )
        .unwrap();
        assert_eq!(recovered.generation, 1);
        let new = [
            recovered.user_envelope.as_str(),
            recovered.hot_envelope.as_str(),
            recovered.cold_envelope.as_str(),
        ];
        check_shares(name, &password, &scalar(d_hex), r, new);
        // The new generation signs identically (RFC 6979 is deterministic in d).
        assert_eq!(
            shares::sign(&password, new[0], new[1], &address, message).unwrap(),
            signature
        );
    }
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
