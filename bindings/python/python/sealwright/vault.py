"""Password vault (spec §4): legacy PBKDF2 records and verifiers (read, verify, migrate) and
the version 2 key hierarchy (salted Argon2id/PBKDF2 master key, auth hash, wrapped vault key,
records bound to user and record id).

Client: :func:`create_vault` -> ``(Enrollment, UnlockedVault)``; to log in, :func:`login`
with the server's ``salt`` and ``kdf`` gives a :class:`VaultLogin` whose ``auth_hash`` the
client sends, and whose :meth:`~VaultLogin.unlock` opens the ``wrapped_vault_key`` the server
returns (one KDF run); or :func:`unlock` with ``salt``, ``kdf`` and ``wrapped_vault_key``;
:meth:`UnlockedVault.encrypt_record` / :meth:`~UnlockedVault.decrypt_record`, :meth:`~UnlockedVault.change_master_password`,
:meth:`~UnlockedVault.migrate_record` for legacy records, :meth:`~UnlockedVault.lock`.
Server: store :attr:`Enrollment.server`, check logins with
:meth:`VaultServerRecord.verify_auth_hash`. KDF parameters are ``dict`` wire objects such as
``{"alg": "argon2id", "m": 65536, "t": 3, "p": 4}`` (the default when omitted). Every KDF
run releases the GIL.
"""

from __future__ import annotations

from . import _native
from ._native import (
    Enrollment,
    LegacyKey,
    Migrated,
    PasswordVerifier,
    UnlockedVault,
    VaultLogin,
    VaultServerRecord,
    vault_auth_verifier as auth_verifier,
    vault_create_vault as create_vault,
    vault_login as login,
    vault_parse_kdf as parse_kdf,
    vault_parse_legacy_record as parse_legacy_record,
    vault_record_format as record_format,
    vault_unlock as unlock,
    vault_unlock_with_wrap_key as unlock_with_wrap_key,
    vault_verify_auth_hash as verify_auth_hash,
    vault_verify_phc as verify_phc,
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
    "VaultLogin",
    "VaultServerRecord",
    "auth_verifier",
    "create_vault",
    "login",
    "parse_kdf",
    "parse_legacy_record",
    "record_format",
    "unlock",
    "unlock_with_wrap_key",
    "verify_auth_hash",
    "verify_phc",
]

# Test builds only (cargo feature `test-utils`, which bindings/python/run-tests.sh enables):
# functions that take a caller-chosen nonce or hand out raw secrets. A shipped wheel has none
# of them (`sealwright.TEST_UTILS` is False there).
if _native.TEST_UTILS:
    from ._native import (
        vault_auth_hash as auth_hash,
        vault_master_key as master_key,
        vault_wrap_key as wrap_key,
    )

    __all__ += ["auth_hash", "master_key", "wrap_key"]
