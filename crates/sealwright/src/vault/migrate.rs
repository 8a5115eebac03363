//! Migration of legacy records to version 2 (spec §4.2, last bullet): the format is told from
//! the shape of the stored text, so a migration run can stop and resume at any record and
//! running it twice changes nothing.

use alloc::string::String;
use core::fmt;
use rand_core::CryptoRng;

use super::legacy::LegacyRecord;
use super::v2::{RECORD_PREFIX, UnlockedVault};
use crate::error::Result;
use crate::secret::SecretKey32;

/// The format of a stored record, told from its shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordFormat {
    /// A version 2 record: text starting with `sw2.`.
    V2,
    /// A legacy record: a JSON object with exactly `encryptedPassword`, `iv` and `authTag`.
    Legacy(LegacyRecord),
}

impl RecordFormat {
    /// Tells the format of the stored record text: `sw2.` prefix is [`RecordFormat::V2`] (its
    /// body is checked when it is opened); otherwise it must parse as a strict legacy record
    /// ([`LegacyRecord::from_json`]), else `INVALID_INPUT`.
    pub fn detect(stored: &str) -> Result<Self> {
        if stored.starts_with(RECORD_PREFIX) {
            Ok(Self::V2)
        } else {
            LegacyRecord::from_json(stored).map(Self::Legacy)
        }
    }
}

/// The outcome of [`migrate_record`]. `Debug` shows the record's length only.
#[derive(Clone, PartialEq, Eq)]
pub struct Migrated {
    /// The version 2 record to store under the same `recordId`.
    pub record: String,
    /// `true` when `record` is new (the stored one was legacy) and must be written; `false`
    /// when the stored record was already version 2 and is returned unchanged.
    pub changed: bool,
}

impl fmt::Debug for Migrated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Migrated")
            .field("record_len", &self.record.len())
            .field("changed", &self.changed)
            .finish()
    }
}

/// Migrates one stored record (spec §4.2): a legacy record is opened with its `legacy_key`
/// ([`super::legacy_record_key`] or [`super::legacy_master_password_key`], derived once per
/// user) and re-encrypted as a version 2 record for the same `recordId`; a version 2 record is
/// returned unchanged after checking that it opens for this vault and `recordId`.
///
/// Errors: `INVALID_INPUT` for a malformed `recordId` or a text of neither shape;
/// `DECRYPTION_FAILED` when the legacy record does not open with `legacy_key`, or the version 2
/// record does not open with this vault.
pub fn migrate_record<R: CryptoRng + ?Sized>(
    vault: &UnlockedVault,
    legacy_key: &SecretKey32,
    record_id: &str,
    stored: &str,
    rng: &mut R,
) -> Result<Migrated> {
    match RecordFormat::detect(stored)? {
        RecordFormat::V2 => {
            vault.decrypt_record(record_id, stored)?;
            Ok(Migrated {
                record: String::from(stored),
                changed: false,
            })
        }
        RecordFormat::Legacy(legacy) => {
            crate::encoding::validate_identifier(record_id)?;
            let plaintext = legacy.open(legacy_key)?;
            let record = vault.encrypt_record(record_id, plaintext.expose(), rng)?;
            Ok(Migrated {
                record,
                changed: true,
            })
        }
    }
}
