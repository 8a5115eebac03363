//! Tour step: the password vault (spec §4).

use crate::OsRng;
use aes_gcm::aead::consts::U16;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{AesGcm, Nonce};
use rand_core::Rng;
use sealwright::encoding::b64_encode;
use sealwright::secret::{SecretKey32, SecretString};
use sealwright::vault::{
    self, KdfParams, PasswordVerifier, RecordFormat, UnlockedVault, verify_auth_hash,
};

/// A record exactly as the old system stored it (spec §4.1): AES-256-GCM, 16-byte IV, no AAD.
/// sealwright itself never writes this format (nor offers AES-GCM under a caller-chosen IV
/// outside its `test-utils` feature); the tour fakes one old record with the `aes-gcm` crate.
fn old_system_record(
    key: &SecretKey32,
    plaintext: &[u8],
    rng: &mut OsRng,
) -> Result<String, sealwright::Error> {
    let mut iv = [0u8; 16];
    rng.fill_bytes(&mut iv);
    let cipher = AesGcm::<aes_gcm::aes::Aes256, U16>::new_from_slice(key.expose())
        .map_err(|_| sealwright::Error::InvalidInput)?;
    let out = cipher
        .encrypt(&Nonce::<U16>::from(iv), plaintext)
        .map_err(|_| sealwright::Error::InvalidInput)?;
    let (ct, tag) = out.split_at(out.len() - 16);
    Ok(format!(
        r#"{{"encryptedPassword":"{}","iv":"{}","authTag":"{}"}}"#,
        b64_encode(ct),
        b64_encode(&iv),
        b64_encode(tag)
    ))
}

/// Walks the vault protocol end to end, printing each step (never a secret).
pub fn run(rng: &mut OsRng) -> Result<(), sealwright::Error> {
    println!(
        "\n[vault] 4. Password vault (spec §4): legacy records migrate to a v2 key hierarchy (client side: no server effects)"
    );
    let user = "alice@example.com";
    let password = SecretString::from("correct horse battery staple");

    // Legacy (§4.1): a PHC verifier and a record keyed by PBKDF2(MASTER_KEY, userId).
    let verifier = PasswordVerifier::create(&password, 100_000, rng)?;
    let phc = verifier.to_phc();
    println!(
        "[vault] 4.1 legacy verifier {}...; right password: {}, wrong one: {}",
        &phc[..30],
        vault::verify_phc(&phc, &password)?,
        vault::verify_phc(&phc, &"Correct horse".into())?
    );
    let master_key_text = SecretString::from("the old server's MASTER_KEY");
    let legacy_key = vault::legacy_record_key(&master_key_text, user)?;
    let stored = old_system_record(&legacy_key, b"hunter2", rng)?;
    println!(
        "[vault] 4.2 legacy record ({} bytes of JSON) detected as legacy: {}",
        stored.len(),
        matches!(RecordFormat::detect(&stored)?, RecordFormat::Legacy(_))
    );

    // Version 2 (§4.2): create the vault. The server receives only public parts and AH.
    let (enrollment, unlocked) = vault::create_vault(user, &password, KdfParams::DEFAULT, rng)?;
    let server = &enrollment.server;
    println!(
        "[vault] 4.3 v2 vault created: kdf {}, wrapped key {} chars",
        server.kdf().to_json(),
        server.wrapped_vault_key().len()
    );
    println!(
        "[vault]    server login check with AH: {}",
        verify_auth_hash(server.auth_verifier(), enrollment.auth_hash.expose())
    );

    // Migration: the legacy record becomes a v2 record under the same recordId; twice is a no-op.
    let migrated = vault::migrate_record(&unlocked, &legacy_key, "github", &stored, rng)?;
    let again = vault::migrate_record(&unlocked, &legacy_key, "github", &migrated.record, rng)?;
    println!(
        "[vault] 4.4 migrated: rewritten {}, second run rewritten {}, record starts {}",
        migrated.changed,
        again.changed,
        &migrated.record[..8]
    );

    // Unlock on another device from the public parts, and read records.
    let device = vault::unlock(
        user,
        &password,
        server.salt(),
        &server.kdf(),
        server.wrapped_vault_key(),
    )?;
    let note = device.encrypt_record("note-1", b"the wifi password is ...", rng)?;
    println!(
        "[vault] 4.5 unlocked elsewhere; migrated record opens: {}; note-1 under note-2: {}",
        device.decrypt_record("github", &migrated.record)?.expose() == b"hunter2",
        device
            .decrypt_record("note-2", &note)
            .err()
            .map_or("opened?!", |e| e.code())
    );
    println!(
        "[vault]    weak parameters from a server are refused: {}",
        vault::unlock(
            user,
            &password,
            server.salt(),
            &KdfParams::Pbkdf2Sha256 { i: 100_000 },
            server.wrapped_vault_key()
        )
        .err()
        .map_or("accepted?!", |e| e.code())
    );

    // Master password change: new salt and wrap, no record re-encrypted.
    let new_password = SecretString::from("a new, longer master password");
    let changed = device.change_master_password(&new_password, KdfParams::DEFAULT, rng)?;
    let s = &changed.server;
    let reopened = vault::unlock(
        user,
        &new_password,
        s.salt(),
        &s.kdf(),
        s.wrapped_vault_key(),
    )?;
    println!(
        "[vault] 4.6 password changed; note-1 still opens: {}; old password: {}",
        reopened.decrypt_record("note-1", &note).is_ok(),
        vault::unlock(user, &password, s.salt(), &s.kdf(), s.wrapped_vault_key())
            .err()
            .map_or("opened?!", |e| e.code())
    );

    // Pickle: the unlocked state survives a restart, encrypted under a caller key.
    let pickle_key = SecretKey32::random(rng);
    let pickle = reopened.pickle(&pickle_key, rng)?;
    let restored = UnlockedVault::unpickle(&pickle_key, &pickle)?;
    println!(
        "[vault] 4.7 pickled ({} chars) and restored for {}; note-1 opens: {}",
        pickle.len(),
        restored.user_id(),
        restored.decrypt_record("note-1", &note).is_ok()
    );
    Ok(())
}
