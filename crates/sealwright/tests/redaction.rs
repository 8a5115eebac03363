//! `Debug` of every type that holds an envelope, a ciphertext or a wrapped key shows lengths
//! only: a log line never carries the material of an offline password search or a sealed
//! payload. Also: what leaves the core as a secret is a zeroizing type.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod handshake_common;

use handshake_common::{Harness, NOW_MS};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sealwright::attendance::projector::PayloadId;
use sealwright::attendance::{self, Projector, SessionKeys};
use sealwright::effect::StoreSealer;
use sealwright::encoding::{b64_decode, b64_encode, b64url_decode, b64url_encode, hex_encode};
use sealwright::handshake::store::RetryRecord;
use sealwright::handshake::wire::{HandshakeRequest, ProcessRequest, ProcessResponse};
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::shares::{self, EnvelopeParts, WalletKey};
use sealwright::vault::{self, KdfParams, LoginKeys};
use zeroize::ZeroizeOnDrop;

/// `debug` shows none of `payload`: not its base64, base64url or hex text, and no four
/// consecutive bytes of it as a derived `Debug` of bytes would print them (`1, 2, 3, 4`).
fn assert_hides(what: &str, debug: &str, payload: &[u8]) {
    assert!(payload.len() >= 8, "{what}: payload too short to test");
    for text in [
        b64_encode(payload),
        b64url_encode(payload),
        hex_encode(payload),
    ] {
        assert!(!debug.contains(&text), "{what}: {debug}");
    }
    for w in payload.windows(4) {
        let listed = format!("{}, {}, {}, {}", w[0], w[1], w[2], w[3]);
        assert!(
            !debug.contains(&listed),
            "{what} prints payload bytes: {debug}"
        );
    }
}

/// `debug` does not contain `text` (a sealed text form, e.g. an envelope or QR string).
fn assert_hides_text(what: &str, debug: &str, text: &str) {
    assert!(text.len() >= 16, "{what}: text too short to test");
    assert!(!debug.contains(text), "{what}: {debug}");
    // Nor any 16-character piece of it.
    let chars: Vec<char> = text.chars().collect();
    for w in chars.windows(16) {
        let piece: String = w.iter().collect();
        assert!(
            !debug.contains(&piece),
            "{what} prints part of the text: {debug}"
        );
    }
}

#[test]
fn envelope_parts_show_lengths_only() {
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let sealer = StoreSealer::new(&SecretKey32::new([2; 32])).unwrap();
    let created = shares::create(&SecretString::from("pw"), &sealer, &mut rng)
        .unwrap()
        .output;
    let parts = EnvelopeParts::decode(&created.user_envelope).unwrap();
    let debug = format!("{parts:?}");
    assert_eq!(
        debug,
        "EnvelopeParts { salt_len: 16, iv_len: 12, ciphertext_len: 55 }"
    );
    assert_hides("EnvelopeParts", &debug, &parts.ciphertext);
    assert_hides("EnvelopeParts", &debug, &parts.salt);
    assert_hides_text("EnvelopeParts", &debug, &created.user_envelope);
    // The wallet results were already redacted: check them with the same yardstick.
    let created_debug = format!("{created:?}");
    for envelope in [
        &created.user_envelope,
        &created.hot_envelope,
        &created.cold_envelope,
    ] {
        assert_hides_text("Created", &created_debug, envelope);
    }
}

#[test]
fn handshake_wire_types_show_lengths_only() {
    let mut h = Harness::new("redaction-device", 7);
    let session = h.handshake(NOW_MS);
    let (request_text, _pending) = h.send(session, b"a private message to the server");
    let request = ProcessRequest::from_json(&request_text).unwrap();
    let debug = format!("{request:?}");
    assert!(
        debug.contains(&format!("data_len: {}", request.data.len())),
        "{debug}"
    );
    assert_hides("ProcessRequest", &debug, &request.data);
    assert_hides("ProcessRequest", &debug, &request.public_key_ephemeral);

    let response_text = h.serve(&request_text, b"a private reply", NOW_MS).unwrap();
    let response = ProcessResponse::from_json(&response_text).unwrap();
    let debug = format!("{response:?}");
    assert_hides("ProcessResponse", &debug, &response.data);
    assert_hides("ProcessResponse", &debug, &response.public_key_ephemeral);

    let retry = RetryRecord {
        response: response_text.clone(),
    };
    let debug = format!("{retry:?}");
    assert_eq!(
        debug,
        format!("RetryRecord {{ response_len: {} }}", response_text.len())
    );
    assert_hides_text("RetryRecord", &debug, &response_text);

    let client = sealwright::handshake::Client::new(
        "redaction-device-2",
        sealwright::handshake::PrimaryKey::generate(&mut h.rng),
        h.keys.public_key(),
    )
    .unwrap();
    let (hs_text, _) = client.start(&mut h.rng).unwrap();
    let hs = HandshakeRequest::from_json(&hs_text).unwrap();
    let debug = format!("{hs:?}");
    assert!(debug.contains("public_key_primary_len: 512"), "{debug}");
    assert_hides("HandshakeRequest", &debug, &hs.public_key_primary);
}

#[test]
fn attendance_types_show_lengths_only() {
    let mut rng = ChaCha20Rng::from_seed([3; 32]);
    let keys = SessionKeys::from_session_key("alice", SecretKey32::new([4; 32])).unwrap();
    let server_secret = SecretKey32::new([5; 32]);
    let issued =
        attendance::issue_round(&keys, &server_secret, "class-1", 1, NOW_MS, &mut rng).unwrap();
    let debug = format!("{issued:?}");
    assert!(
        debug.contains(&format!("qr_text_len: {}", issued.qr_text.len())),
        "{debug}"
    );
    assert_hides_text("IssuedRound", &debug, &issued.qr_text);

    let mut projector = Projector::new(10);
    let id = PayloadId {
        user_id: "alice".into(),
        round: 1,
    };
    projector.insert(id.clone(), issued.qr_text.clone(), NOW_MS);
    assert_hides_text("Projector", &format!("{projector:?}"), &issued.qr_text);
    let frame = projector.show(&id, NOW_MS).unwrap();
    assert_hides_text("Frame", &format!("{frame:?}"), &issued.qr_text);

    let qr = attendance::try_qr(&keys, &issued.qr_text).unwrap();
    let envelope = attendance::respond(&keys, &qr, NOW_MS + 900, &mut rng).unwrap();
    let debug = format!("{envelope:?}");
    assert!(
        debug.contains(&format!("response_len: {}", envelope.response.len())),
        "{debug}"
    );
    assert_hides("ResponseEnvelope", &debug, &envelope.response);
}

#[test]
fn vault_types_show_lengths_only() {
    let mut rng = ChaCha20Rng::from_seed([6; 32]);
    let password = SecretString::from("correct horse battery staple");
    let kdf = KdfParams::Pbkdf2Sha256 { i: 600_000 };
    let (enrollment, unlocked) = vault::create_vault("alice", &password, kdf, &mut rng).unwrap();
    let server = &enrollment.server;
    for debug in [format!("{server:?}"), format!("{enrollment:?}")] {
        let wrapped = server.wrapped_vault_key();
        assert_hides_text("VaultServerRecord", &debug, wrapped);
        let body = b64url_decode(wrapped.strip_prefix("sw2k.").unwrap()).unwrap();
        assert_hides("VaultServerRecord", &debug, &body);
        assert_hides("VaultServerRecord", &debug, server.auth_verifier());
        assert_hides("Enrollment", &debug, enrollment.auth_hash.expose());
    }

    let legacy_key = vault::legacy_record_key(&"MASTER".into(), "alice").unwrap();
    let stored =
        vault::legacy_compat::seal_legacy_record_for_tests(&legacy_key, &[7; 16], b"hunter2 long")
            .unwrap();
    let migrated = vault::migrate_record(
        &unlocked,
        &legacy_key,
        "github",
        &stored.to_json(),
        &mut rng,
    )
    .unwrap();
    let debug = format!("{migrated:?}");
    assert_eq!(
        debug,
        format!(
            "Migrated {{ record_len: {}, changed: true }}",
            migrated.record.len()
        )
    );
    assert_hides_text("Migrated", &debug, &migrated.record);
    let stored_debug = format!("{stored:?}");
    assert_hides("LegacyRecord", &stored_debug, stored.ciphertext());

    let login = LoginKeys::derive(&password, server.salt(), &server.kdf()).unwrap();
    assert_eq!(format!("{login:?}"), "LoginKeys(REDACTED)");
    assert!(vault::verify_auth_hash(
        server.auth_verifier(),
        login.auth_hash().expose()
    ));
    let reopened = login.unlock("alice", server.wrapped_vault_key()).unwrap();
    assert_eq!(reopened.vault_key(), unlocked.vault_key());
    // Same checks as `unlock`, before any KDF run.
    assert_eq!(
        LoginKeys::derive(&password, &[0; 15], &server.kdf()).err(),
        Some(sealwright::Error::InvalidInput)
    );
    assert_eq!(
        LoginKeys::derive(&password, server.salt(), &KdfParams::Pbkdf2Sha256 { i: 1 }).err(),
        Some(sealwright::Error::WeakKdf)
    );
}

/// What hands a secret out of the core is a zeroizing type (checked at compile time), and
/// the exported key text is exactly the key.
#[test]
fn exported_secrets_are_zeroizing() {
    fn zeroizes_on_drop<T: ZeroizeOnDrop>(_: &T) {}
    let key = WalletKey::from_bytes(&SecretKey32::new([0x11; 32])).unwrap();
    let exported = key.export_private_key_hex();
    zeroizes_on_drop(&exported);
    assert_eq!(exported.expose(), "11".repeat(32));
    assert_eq!(format!("{exported:?}"), "SecretString(REDACTED)");
    assert!(!format!("{key:?}").contains("1111"));

    let primary =
        sealwright::handshake::PrimaryKey::from_bytes(&SecretKey32::new([0x22; 32])).unwrap();
    let bytes = primary.to_bytes();
    zeroizes_on_drop(&bytes);
    assert_eq!(bytes.expose(), &[0x22; 32]);

    // Filled in place, byte for byte.
    let copied = SecretKey32::copy_from(&[0x33; 32]);
    assert_eq!(copied.expose(), &[0x33; 32]);
    assert_eq!(
        SecretKey32::from_slice(&[0x44; 32]).unwrap().expose(),
        &[0x44; 32]
    );
    // An envelope still decodes and re-encodes to itself (redaction is Debug only).
    let text = b64_encode(&[9u8; shares::ENVELOPE_LEN]);
    assert_eq!(EnvelopeParts::decode(&text).unwrap().encode(), text);
    assert_eq!(b64_decode(&text).unwrap().len(), shares::ENVELOPE_LEN);
}
