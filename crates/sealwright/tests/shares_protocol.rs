//! Shares protocol tests (spec §3): known answers (EIP-55, EIP-191 web3.js, RFC 9106
//! Argon2id), store effects and their order, crash safety of recovery at every effect prefix,
//! the generation limit, password rules, and `Debug` redaction of every secret-holding type.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod shares_common;

use k256::elliptic_curve::ff::PrimeField;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::Error;
use sealwright::effect::{Effect, MemoryStore, Op};
use sealwright::encoding::{hex_decode_array, hex_encode};
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::shares::{self, Address, SharePlaintext, WalletKey};
use shares_common::{fixture, recover_fixture, sealer, stored_cold, stored_current, stored_hot};

/// The test vectors of EIP-55 (all caps, all lower, and normal mixed-case addresses).
const EIP55: [&str; 8] = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
];

#[test]
fn eip55_checksums() {
    for text in EIP55 {
        let a = Address::parse(text).unwrap();
        let body = &text[2..];
        let mixed = body.chars().any(|c| c.is_ascii_uppercase())
            && body.chars().any(|c| c.is_ascii_lowercase());
        if mixed {
            assert_eq!(a.to_string(), text);
        } else {
            // All-caps and all-lower are accepted unchecksummed forms of the same bytes.
            assert_eq!(a.to_string().to_lowercase(), text.to_lowercase());
        }
        assert_eq!(a.to_lowercase_hex(), text.to_lowercase());
    }
    // A single flipped case in a checksummed address is refused.
    assert_eq!(
        Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").err(),
        Some(Error::InvalidInput)
    );
    for bad in [
        "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
        "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "",
    ] {
        assert_eq!(
            Address::parse(bad).err(),
            Some(Error::InvalidInput),
            "{bad}"
        );
    }
}

#[test]
fn eip191_web3js_docs_signature() {
    // web3.js docs, web3.eth.accounts.sign('Some data', '0x4c08...2318').
    let d = hex_decode_array("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
        .unwrap();
    let key = WalletKey::from_bytes(&SecretKey32::new(d)).unwrap();
    let sig = key.sign_message(b"Some data");
    assert_eq!(
        sig,
        "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd\
         6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c"
    );
    assert_eq!(
        hex_encode(&shares::personal_message_hash(b"Some data")),
        "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655"
    );
    let signer = shares::recover_signer(b"Some data", &sig).unwrap();
    assert_eq!(signer, key.address());
    // web3.js docs: privateKeyToAccount of this key.
    assert_eq!(
        signer.to_string(),
        "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
    );
    // The export is the key itself, lowercase hex.
    assert_eq!(
        key.export_private_key_hex().expose(),
        "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
    );
}

#[test]
fn recover_signer_is_strict() {
    let key = WalletKey::from_bytes(&SecretKey32::new([3; 32])).unwrap();
    let sig = key.sign_message(b"m");
    assert_eq!(shares::recover_signer(b"m", &sig).unwrap(), key.address());
    assert_ne!(shares::recover_signer(b"n", &sig).unwrap(), key.address());
    let v = u8::from_str_radix(&sig[130..], 16).unwrap();
    let other_v = format!("{}{:02x}", &sig[..130], if v == 27 { 28 } else { 27 });
    assert_ne!(
        shares::recover_signer(b"m", &other_v).ok(),
        Some(key.address())
    );
    for bad in [
        sig[2..].to_string(),                       // no 0x
        sig.to_uppercase().replacen("0X", "0x", 1), // uppercase hex
        format!("{}00", &sig[..130]),               // v = 0
        format!("{}1d", &sig[..130]),               // v = 29
        sig[..130].to_string(),                     // no v
        format!("0x{}{}", "00".repeat(64), "1b"),   // r = s = 0
    ] {
        assert_eq!(
            shares::recover_signer(b"m", &bad).err(),
            Some(Error::BadSignature),
            "{bad}"
        );
    }
}

#[test]
fn argon2id_rfc9106_vector() {
    // RFC 9106 section 5.3 (Argon2id, with secret and associated data) through the argon2
    // crate the envelopes use; shares::derive_key itself is checked by the vectors' argon2Key.
    let params = argon2::ParamsBuilder::new()
        .m_cost(32)
        .t_cost(3)
        .p_cost(4)
        .output_len(32)
        .data(argon2::AssociatedData::new(&[4; 12]).unwrap())
        .build()
        .unwrap();
    let ctx = argon2::Argon2::new_with_secret(
        &[3; 8],
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params,
    )
    .unwrap();
    let mut out = [0u8; 32];
    ctx.hash_password_into(&[1; 32], &[2; 16], &mut out)
        .unwrap();
    assert_eq!(
        hex_encode(&out),
        "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"
    );
}

#[test]
fn create_effects_and_store_layout() {
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let password = SecretString::from("pw");
    let created = shares::create(&password, &sealer(), &mut rng).unwrap();
    let a = created.address;
    let prefix = format!("sw:v1:shares:{}", a.to_lowercase_hex());
    let keys: Vec<&str> = created.effects.iter().map(Effect::key).collect();
    assert_eq!(
        keys,
        [
            format!("{prefix}:hot:0"),
            format!("{prefix}:cold:0"),
            format!("{prefix}:current")
        ]
    );
    assert!(created.effects.iter().all(|e| matches!(
        e,
        Effect {
            op: Op::Put {
                ttl_seconds: None,
                ..
            },
            ..
        }
    )));
    let store = MemoryStore::new();
    store.commit(&created.effects, 0).unwrap();
    assert_eq!(stored_hot(&store, &a, 0).unwrap(), created.hot_envelope);
    assert_eq!(stored_cold(&store, &a, 0).unwrap(), created.cold_envelope);
    assert_eq!(stored_current(&store, &a), 0);
    // Values are StoreSealer-sealed: neither the envelope text nor its bytes are visible,
    // and a value moved to another key does not open.
    let raw = store.get(&shares::hot_key(&a, 0), 0).unwrap();
    assert!(
        !raw.windows(16)
            .any(|w| created.hot_envelope.as_bytes().windows(16).any(|h| h == w))
    );
    assert_eq!(
        shares::open_stored_envelope(&sealer(), &shares::cold_key(&a, 0), &raw).err(),
        Some(Error::DecryptionFailed)
    );
    // The three envelopes are distinct shares of one key, all under the same password.
    let opened = shares::open_wallet(
        &password,
        &created.user_envelope,
        &created.cold_envelope,
        &a,
    )
    .unwrap();
    assert_eq!(opened.generation, 0);
    assert_eq!(opened.key.address(), a);
}

#[test]
fn empty_password_is_refused_for_sealing() {
    let mut rng = ChaCha20Rng::from_seed([2; 32]);
    let empty = SecretString::from("");
    assert_eq!(
        shares::create(&empty, &sealer(), &mut rng).err(),
        Some(Error::InvalidInput)
    );
    let f = fixture();
    assert_eq!(
        shares::recover(
            &empty,
            &f.envelopes[1],
            &f.envelopes[2],
            &f.address,
            0,
            &sealer(),
            &mut rng
        )
        .err(),
        Some(Error::InvalidInput)
    );
    // Opening with an empty password is just a wrong password.
    assert_eq!(
        shares::open_envelope(&empty, &f.envelopes[0]).err(),
        Some(Error::DecryptionFailed)
    );
}

#[test]
fn recover_checks_the_expected_generation() {
    let f = fixture();
    let mut rng = ChaCha20Rng::from_seed([3; 32]);
    let r = recover_fixture(&f.envelopes[1], &f.envelopes[2], 1, &mut rng);
    assert_eq!(r.err(), Some(Error::GenerationMismatch));
    let r = recover_fixture(&f.recovered[1], &f.recovered[2], 1, &mut rng).unwrap();
    assert_eq!(r.generation, 2);
    let keys: Vec<&str> = r.effects.iter().map(Effect::key).collect();
    let a = &f.address;
    assert_eq!(
        keys,
        [
            shares::hot_key(a, 2),
            shares::cold_key(a, 2),
            shares::current_key(a),
            shares::hot_key(a, 1),
            shares::cold_key(a, 1)
        ]
    );
    assert!(matches!(r.effects[3], Effect { op: Op::Delete, .. }));
    assert!(matches!(r.effects[4], Effect { op: Op::Delete, .. }));
}

#[test]
fn generation_limit_is_invalid_share() {
    // Shares of generation 2^32 - 1, sealed through the public API.
    let mut rng = ChaCha20Rng::from_seed([4; 32]);
    let password = SecretString::from("limit");
    let key = WalletKey::generate(&mut rng).unwrap();
    let address = key.address();
    // A valid split with a = 1: y = d + x (mod n), computed from the exported key.
    let d: k256::Scalar = Option::from(k256::Scalar::from_repr(
        hex_decode_array::<32>(key.export_private_key_hex().expose())
            .unwrap()
            .into(),
    ))
    .unwrap();
    let mut envelope = |x: u8| {
        let y = d + k256::Scalar::from(u64::from(x));
        let share = SharePlaintext::new(x, u32::MAX, SecretKey32::new(y.to_repr().into())).unwrap();
        shares::seal(&password, &share, &mut rng).unwrap()
    };
    let (hot, cold) = (envelope(2), envelope(3));
    let opened = shares::open_wallet(&password, &hot, &cold, &address).unwrap();
    assert_eq!(opened.generation, u32::MAX);
    assert_eq!(
        shares::recover(
            &password,
            &hot,
            &cold,
            &address,
            u32::MAX,
            &sealer(),
            &mut rng
        )
        .err(),
        Some(Error::InvalidShare)
    );
}

#[test]
fn a_share_alone_is_refused() {
    // The API takes exactly two envelopes: one share given twice is INVALID_SHARE, never a
    // "reconstruction" from a single point.
    let f = fixture();
    for e in &f.envelopes {
        assert_eq!(
            shares::open_wallet(&f.password, e, e, &f.address).err(),
            Some(Error::InvalidShare)
        );
    }
}

/// Crash safety (spec §3 recover): apply every prefix of the recovery effects. At each one,
/// the pointer names a generation whose hot and cold shares are both stored (recovery can run
/// again), the user's old share 1 still signs while hot:g remains, and the new share 1 signs
/// as soon as hot:g+1 is written; no prefix leaves the user unable to sign with both shares.
#[test]
fn recovery_survives_a_crash_after_any_effect() {
    let mut rng = ChaCha20Rng::from_seed([5; 32]);
    let password = SecretString::from("crash-safe");
    let created = shares::create(&password, &sealer(), &mut rng).unwrap();
    let a = created.address;
    let base = MemoryStore::new();
    base.commit(&created.effects, 0).unwrap();
    let recovered = shares::recover(
        &password,
        &stored_hot(&base, &a, 0).unwrap(),
        &stored_cold(&base, &a, 0).unwrap(),
        &a,
        0,
        &sealer(),
        &mut rng,
    )
    .unwrap();
    assert_eq!(recovered.effects.len(), 5);
    let old_user = &created.user_envelope;
    let new_user = &recovered.user_envelope;
    for k in 0..=recovered.effects.len() {
        let store = base.clone();
        store.commit(&recovered.effects[..k], 0).unwrap();
        let g = stored_current(&store, &a);
        assert_eq!(g, if k >= 3 { 1 } else { 0 }, "prefix {k}");
        // The pointer's generation is complete: the wallet opens from hot + cold.
        let (hot, cold) = (
            stored_hot(&store, &a, g).unwrap(),
            stored_cold(&store, &a, g).unwrap(),
        );
        assert_eq!(
            shares::open_wallet(&password, &hot, &cold, &a)
                .unwrap()
                .generation,
            g
        );
        // What the user holds still signs with a hot share the store holds.
        let mut signers = 0;
        for (user, gen_of_user) in [(old_user, 0u32), (new_user, 1u32)] {
            match stored_hot(&store, &a, gen_of_user) {
                Some(hot) => {
                    let sig = shares::sign(&password, user, &hot, &a, "after crash").unwrap();
                    assert_eq!(shares::recover_signer(b"after crash", &sig).unwrap(), a);
                    signers += 1;
                }
                None => assert!(
                    (gen_of_user == 0 && k >= 4) || (gen_of_user == 1 && k == 0),
                    "prefix {k}: hot:{gen_of_user} missing"
                ),
            }
            // A user share never combines with the hot share of the other generation.
            if let Some(hot) = stored_hot(&store, &a, 1 - gen_of_user) {
                assert_eq!(
                    shares::sign(&password, user, &hot, &a, "x").err(),
                    Some(Error::GenerationMismatch)
                );
            }
        }
        assert!(signers >= 1, "prefix {k}");
    }
}

#[test]
fn secret_types_zeroize_on_drop() {
    fn assert_zod<T: zeroize::ZeroizeOnDrop>() {}
    assert_zod::<WalletKey>();
    assert_zod::<SharePlaintext>();
    assert_zod::<shares::EnvelopeKey>();
    assert_zod::<SecretString>();
}

#[test]
fn debug_redaction() {
    let f = fixture();
    let opened =
        shares::open_wallet(&f.password, &f.envelopes[0], &f.envelopes[1], &f.address).unwrap();
    let d_hex = opened.key.export_private_key_hex();
    let d_hex = d_hex.expose();
    let pt = shares::open_envelope(&f.password, &f.envelopes[0]).unwrap();
    let share = SharePlaintext::decode(pt.expose()).unwrap();
    let y_hex = hex_encode(share.y().expose());
    let salt = hex_decode_array::<16>(&hex_encode(
        &sealwright::encoding::b64_decode(&f.envelopes[0]).unwrap()[..16],
    ))
    .unwrap();
    let k = shares::derive_key(&f.password, &salt).unwrap();
    let k_hex = hex_encode(k.expose());
    let mut rng = ChaCha20Rng::from_seed([6; 32]);
    let created = shares::create(&f.password, &sealer(), &mut rng).unwrap();
    let recovered = recover_fixture(&f.envelopes[1], &f.envelopes[2], 0, &mut rng).unwrap();

    let printed = [
        format!("{:?}", opened),
        format!("{:?}", opened.key),
        format!("{:?}", share),
        format!("{:?}", k),
        format!("{:?}", pt),
        format!("{:?}", created),
        format!("{:?}", recovered),
        format!("{:?}", f.password),
    ];
    let secrets: Vec<String> = vec![
        d_hex.to_string(),
        d_hex.to_uppercase(),
        y_hex.clone(),
        k_hex.clone(),
        hex_encode(pt.expose()),
        f.password.expose().to_string(),
        f.envelopes[0].clone(),
        created.user_envelope.clone(),
        created.hot_envelope.clone(),
        recovered.user_envelope.clone(),
    ];
    // Raw bytes as a Rust array Debug would print them (e.g. "[22, 176, ...").
    let raw_d = format!("{:?}", &hex_decode_array::<32>(d_hex).unwrap()[..8]);
    let raw_d = raw_d.trim_matches(|c| c == '[' || c == ']').to_string();
    for p in &printed {
        for secret in secrets.iter().chain([&raw_d]) {
            assert!(!p.contains(secret.as_str()), "{p} leaks {secret}");
        }
        // No long hex run at all (a secret in any encoding we did not think of).
        let longest_hex = p
            .split(|c: char| !c.is_ascii_hexdigit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(longest_hex < 41, "{p}");
    }
    // Snapshots of the exact redacted forms.
    assert_eq!(
        printed[1],
        format!(
            "WalletKey {{ address: Address({}), private: \"REDACTED\" }}",
            f.address
        )
    );
    assert_eq!(
        printed[2],
        "SharePlaintext { x: 1, generation: 0, y: \"REDACTED\" }"
    );
    assert_eq!(printed[3], "SecretBytes<16>(REDACTED)");
    assert_eq!(printed[4], "SecretBytes<39>(REDACTED)");
    assert!(printed[5].starts_with(&format!(
        "Created {{ address: Address({}), generation: 0, envelopes: \"3 x REDACTED\", effects: [put {{ key: ",
        created.address
    )));
    assert!(printed[6].starts_with("Recovered { generation: 1, envelopes: \"3 x REDACTED\""));
}
