"""Password vault (spec §4) through the Python API."""

from __future__ import annotations

import os
from typing import Any

import pytest

import sealwright
from sealwright import vault

from helpers import MALFORMED_BYTES, MALFORMED_STR, assert_parallel, call_must_not_panic, positive_case

CASE = positive_case("vault")
V2 = CASE["v2"]
FAST = {"alg": "argon2id", "m": 19456, "t": 2, "p": 1}  # the minimum the client accepts


def test_create_unlock_records_change_pickle_lock() -> None:
    enrollment, unlocked = vault.create_vault("alice", "correct horse", FAST)
    server = enrollment.server
    assert server.user_id == "alice" and server.kdf == FAST and len(server.salt) == 16
    assert server.wrapped_vault_key.startswith("sw2k.")
    assert server.verify_auth_hash(enrollment.auth_hash)
    assert not server.verify_auth_hash(b"\x00" * 32)
    record = unlocked.encrypt_record("github", b"hunter2")
    assert record.startswith("sw2.") and vault.record_format(record) == "v2"
    assert vault.record_format(record.encode()) == "v2"  # bytes, as read from a store
    again = vault.unlock("alice", "correct horse", server.salt, server.kdf, server.wrapped_vault_key)
    assert again.decrypt_record("github", record) == b"hunter2"
    with pytest.raises(sealwright.DecryptionFailed):
        vault.unlock("alice", "wrong", server.salt, server.kdf, server.wrapped_vault_key)
    with pytest.raises(sealwright.DecryptionFailed):
        again.decrypt_record("gitlab", record)  # bound to its recordId
    with pytest.raises(sealwright.WeakKdf):
        vault.unlock("alice", "correct horse", server.salt, {"alg": "pbkdf2-sha256", "i": 1000}, server.wrapped_vault_key)
    changed = again.change_master_password("new one", {"alg": "pbkdf2-sha256", "i": 600000})
    s2 = changed.server
    reopened = vault.unlock("alice", "new one", s2.salt, s2.kdf, s2.wrapped_vault_key)
    assert reopened.decrypt_record("github", record) == b"hunter2"
    # Pickles: the unlocked state under a caller's key.
    pickle_key = os.urandom(32)
    pickle = reopened.pickle(pickle_key)
    restored = vault.UnlockedVault.unpickle(pickle_key, pickle)
    assert restored.user_id == "alice" and restored.decrypt_record("github", record) == b"hunter2"
    with pytest.raises(sealwright.DecryptionFailed):
        vault.UnlockedVault.unpickle(os.urandom(32), pickle)
    # Locking zeroizes the key; every later call is InvalidState naming the step.
    restored.lock()
    assert not restored.is_unlocked
    for call in (
        lambda: restored.decrypt_record("github", record),
        lambda: restored.encrypt_record("x", b"y"),
        lambda: restored.pickle(pickle_key),
        lambda: restored.vault_key(),
        lambda: restored.change_master_password("z"),
    ):
        with pytest.raises(sealwright.InvalidState) as info:
            call()
        assert info.value.code == "INVALID_STATE" and "unlock" in str(info.value)
    assert "locked" in repr(restored)


def test_legacy_migration_and_verifiers() -> None:
    _, unlocked = vault.create_vault("bob", "pw", FAST)
    entry = CASE["legacy"][0]
    key = vault.LegacyKey.from_server_secret(entry["secret"], entry["userId"])
    assert key.open(entry["record"]) == bytes.fromhex(entry["plaintext"])
    migrated = unlocked.migrate_record(key, "r1", entry["record"])
    assert migrated.changed and unlocked.decrypt_record("r1", migrated.record) == bytes.fromhex(entry["plaintext"])
    assert not unlocked.migrate_record(key, "r1", migrated.record).changed
    assert not unlocked.migrate_record(key, "r1", migrated.record.encode()).changed
    assert unlocked.migrate_record(key, "r2", sealwright.to_json(entry["record"]).encode()).changed
    with pytest.raises(sealwright.InvalidInput):
        vault.record_format("neither")
    verifier = vault.PasswordVerifier.create("hunter2", 100000)
    assert verifier.verify("hunter2") and not verifier.verify("hunter3")
    assert vault.verify_phc(verifier.to_phc(), "hunter2")
    with pytest.raises(sealwright.InvalidVerifier):
        vault.PasswordVerifier.create("x", 99999)
    assert vault.parse_kdf('{"p":4,"alg":"argon2id","m":65536,"t":3}') == vault.DEFAULT_KDF
    with pytest.raises(sealwright.UnsupportedVersion):
        vault.parse_kdf({"alg": "scrypt"})
    with pytest.raises(sealwright.InvalidInput):
        vault.parse_kdf({"alg": "argon2id", "m": 10**7, "t": 3, "p": 4})


def test_repr_hides_secrets() -> None:
    enrollment, unlocked = vault.create_vault("carol", "pw", FAST)
    vk = unlocked.vault_key()
    key = vault.LegacyKey.from_master_password("pw", "carol")
    verifier = vault.PasswordVerifier.parse(CASE["verifiers"][0]["phc"])
    secrets = [vk.hex(), enrollment.auth_hash.hex(), key.secret_bytes().hex(), repr(vk)]
    for obj in (enrollment, unlocked, key, verifier, enrollment.server):
        text = repr(obj) + str(obj)
        for s in secrets:
            assert s not in text
    assert "redacted" in repr(unlocked) and "redacted" in repr(enrollment) and "redacted" in repr(key)
    assert CASE["verifiers"][0]["phc"].split("$")[-1] not in repr(verifier)


def test_malformed_inputs_raise_only_sealwright_errors() -> None:
    _, unlocked = vault.create_vault("dave", "pw", FAST)
    legacy = vault.LegacyKey.from_server_secret("k", "dave")
    salt = bytes.fromhex(V2["salt"])
    for s in MALFORMED_STR:
        call_must_not_panic(lambda: vault.parse_kdf(s))
        call_must_not_panic(lambda: vault.unlock(s, "pw", salt, FAST, V2["wrappedVaultKey"]))
        call_must_not_panic(lambda: vault.unlock("dave", "pw", salt, s, V2["wrappedVaultKey"]))
        call_must_not_panic(lambda: vault.unlock("dave", "pw", salt, FAST, s))
        call_must_not_panic(lambda: vault.unlock_with_wrap_key(s, b"\x00" * 32, s))
        call_must_not_panic(lambda: vault.create_vault(s, s, FAST))
        call_must_not_panic(lambda: unlocked.decrypt_record(s, s))
        call_must_not_panic(lambda: unlocked.decrypt_record("r", s))
        call_must_not_panic(lambda: unlocked.encrypt_record(s, b"x"))
        call_must_not_panic(lambda: unlocked.migrate_record(legacy, "r", s))
        call_must_not_panic(lambda: unlocked.migrate_record(legacy, s, s))
        call_must_not_panic(lambda: vault.UnlockedVault.unpickle(b"\x00" * 32, s))
        call_must_not_panic(lambda: vault.PasswordVerifier.parse(s))
        call_must_not_panic(lambda: vault.verify_phc(s, "pw"))
        call_must_not_panic(lambda: vault.parse_legacy_record(s))
        call_must_not_panic(lambda: vault.record_format(s))
        call_must_not_panic(lambda: legacy.open(s))
        call_must_not_panic(lambda: legacy.open({"encryptedPassword": s, "iv": s, "authTag": s}))
        call_must_not_panic(lambda: vault.LegacyKey.from_server_secret(s, s))
    for b in MALFORMED_BYTES:
        call_must_not_panic(lambda: vault.unlock("dave", "pw", b, FAST, V2["wrappedVaultKey"]))
        call_must_not_panic(lambda: vault.unlock_with_wrap_key("dave", b, V2["wrappedVaultKey"]))
        call_must_not_panic(lambda: vault.auth_hash(b))
        call_must_not_panic(lambda: vault.wrap_key(b))
        call_must_not_panic(lambda: vault.auth_verifier(b))
        call_must_not_panic(lambda: vault.verify_auth_hash(b, b))
        call_must_not_panic(lambda: vault.master_key("pw", b, FAST))
        call_must_not_panic(lambda: unlocked.pickle(b))
        call_must_not_panic(lambda: vault.UnlockedVault.unpickle(b, "x"))
    bad_kdfs: list[Any] = [
        {"alg": "argon2id"},
        {"alg": "pbkdf2-sha256", "i": -1},
        {"alg": 1},
        [1, 2],
        {"alg": "argon2id", "m": 1.5, "t": 2, "p": 1},
    ]
    for bad_kdf in bad_kdfs:
        call_must_not_panic(lambda: vault.parse_kdf(bad_kdf))
        call_must_not_panic(lambda: vault.master_key("pw", salt, bad_kdf))
    with pytest.raises(sealwright.InvalidInput):  # not JSON-able
        vault.unlock("dave", "pw", salt, object(), V2["wrappedVaultKey"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        vault.unlock("dave", "pw", "not bytes", FAST, V2["wrappedVaultKey"])  # type: ignore[arg-type]


def test_v2_unlock_argon2_releases_the_gil() -> None:
    # One lane: with the default p=4 a single derivation already fills both cores of a
    # 2-core machine (argon2's parallel lanes), so two at once could not be "well under 2x"
    # whether or not the GIL is held. A single-lane Argon2id isolates the GIL question.
    single_lane = {"alg": "argon2id", "m": 65536, "t": 3, "p": 1}
    enrollment, _ = vault.create_vault("erin", "pw", single_lane)
    s = enrollment.server
    assert s.kdf == single_lane
    assert_parallel(lambda: vault.unlock("erin", "pw", s.salt, s.kdf, s.wrapped_vault_key))


def test_legacy_pbkdf2_releases_the_gil() -> None:
    assert_parallel(lambda: vault.LegacyKey.from_master_password("pw", "erin"), repeat=8)
