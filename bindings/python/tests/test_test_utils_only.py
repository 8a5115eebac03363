"""Safe by default: the test-only names (``hazmat_names``) exist in this test build, so the
list that ``check-release-build.sh`` proves absent from a build without ``test-utils`` is the
real one; and the production replacements for them work."""

from __future__ import annotations

import os

import pytest

import sealwright
from sealwright import shares, vault

import hazmat_names

FAST = {"alg": "argon2id", "m": 19456, "t": 2, "p": 1}


def test_this_is_a_test_build_with_every_test_only_name() -> None:
    assert sealwright.TEST_UTILS is True
    found = hazmat_names.present()
    assert len(found) == hazmat_names.expected_count(), found


def test_vault_login_derives_the_auth_hash_and_unlocks_once() -> None:
    enrollment, unlocked = vault.create_vault("erin", "correct horse", FAST)
    server = enrollment.server
    login = vault.login("correct horse", server.salt, server.kdf)
    assert login.auth_hash == enrollment.auth_hash
    assert server.verify_auth_hash(login.auth_hash)
    record = unlocked.encrypt_record("github", b"hunter2")
    assert login.unlock("erin", server.wrapped_vault_key).decrypt_record("github", record) == b"hunter2"
    assert "redacted" in repr(login) and login.auth_hash.hex() not in repr(login)
    wrong = vault.login("wrong", server.salt, server.kdf)
    assert not server.verify_auth_hash(wrong.auth_hash)
    with pytest.raises(sealwright.DecryptionFailed):
        wrong.unlock("erin", server.wrapped_vault_key)
    with pytest.raises(sealwright.WeakKdf):
        vault.login("correct horse", server.salt, {"alg": "pbkdf2-sha256", "i": 1000})
    with pytest.raises(sealwright.InvalidInput):
        vault.login("correct horse", os.urandom(15), server.kdf)


def test_seal_envelope_draws_fresh_salt_and_iv() -> None:
    share = shares.SharePlaintext(2, 7, b"\x05" * 32)
    first, second = shares.seal_envelope("pw", share), shares.seal_envelope("pw", share)
    assert first != second
    opened = shares.open_envelope("pw", first)
    assert (opened.x, opened.generation) == (2, 7)
