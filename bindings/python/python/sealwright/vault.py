"""Password vault (spec §4): legacy PBKDF2 records and verifiers (read, verify, migrate) and
the version 2 key hierarchy (salted Argon2id/PBKDF2 master key, auth hash, wrapped vault key,
records bound to user and record id).

Client: :func:`create_vault` -> ``(Enrollment, UnlockedVault)``; later :func:`unlock` with the
server's ``salt``, ``kdf`` and ``wrapped_vault_key``; :meth:`UnlockedVault.encrypt_record` /
:meth:`~UnlockedVault.decrypt_record`, :meth:`~UnlockedVault.change_master_password`,
:meth:`~UnlockedVault.migrate_record` for legacy records, :meth:`~UnlockedVault.lock`.
Server: store :attr:`Enrollment.server`, check logins with
:meth:`VaultServerRecord.verify_auth_hash`. KDF parameters are ``dict`` wire objects such as
``{"alg": "argon2id", "m": 65536, "t": 3, "p": 4}`` (the default when omitted). Every KDF
run releases the GIL.
"""

from __future__ import annotations

from ._native import (
    Enrollment,
    LegacyKey,
    Migrated,
    PasswordVerifier,
    UnlockedVault,
    VaultServerRecord,
    vault_auth_hash as auth_hash,
    vault_auth_verifier as auth_verifier,
    vault_create_vault as create_vault,
    vault_master_key as master_key,
    vault_parse_kdf as parse_kdf,
    vault_parse_legacy_record as parse_legacy_record,
    vault_record_format as record_format,
    vault_unlock as unlock,
    vault_unlock_with_wrap_key as unlock_with_wrap_key,
    vault_verify_auth_hash as verify_auth_hash,
    vault_verify_phc as verify_phc,
    vault_wrap_key as wrap_key,
)

#: The spec default KDF parameters (Argon2id m=64 MiB, t=3, p=4).
DEFAULT_KDF = {"alg": "argon2id", "m": 65536, "t": 3, "p": 4}

__all__ = [
    "DEFAULT_KDF",
    "Enrollment",
    "LegacyKey",
    "Migrated",
    "PasswordVerifier",
    "UnlockedVault",
    "VaultServerRecord",
    "auth_hash",
    "auth_verifier",
    "create_vault",
    "master_key",
    "parse_kdf",
    "parse_legacy_record",
    "record_format",
    "unlock",
    "unlock_with_wrap_key",
    "verify_auth_hash",
    "verify_phc",
    "wrap_key",
]
