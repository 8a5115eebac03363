"""Every Python name that exists only in test builds (cargo feature ``test-utils``): the
functions that take a caller-chosen nonce, IV or salt, the accessors of raw secrets, and the
two testing hooks (the RNG script, the in-extension Rust loop ``bench.py`` times).
``test_test_utils_only.py`` checks that a test build has each of them; ``check-release-build.sh``
checks that a build without the feature has none of them."""

from __future__ import annotations

import inspect
from typing import Any

import sealwright
from sealwright import _native, attendance, handshake, relay, shares, vault

# (owner, attribute): module-level functions and their per-protocol aliases.
FUNCTIONS: list[tuple[Any, str]] = [
    (_native, "_testing_script_next_rng"),
    (_native, "_testing_rust_open_respond_loop"),
    (_native, "shares_derive_key"),
    (_native, "vault_master_key"),
    (_native, "vault_auth_hash"),
    (_native, "vault_wrap_key"),
    (_native, "attendance_round_secret"),
    (_native, "handshake_server_primary_key"),
    (_native, "handshake_primary_secret"),
    (_native, "handshake_x25519"),
    (_native, "handshake_wrap_key"),
    (_native, "handshake_message_key"),
    (shares, "derive_key"),
    (vault, "master_key"),
    (vault, "auth_hash"),
    (vault, "wrap_key"),
    (attendance, "round_secret"),
    (handshake, "server_primary_key"),
    (handshake, "primary_secret"),
    (handshake, "x25519"),
    (handshake, "wrap_key"),
    (handshake, "message_key"),
]

# (class, method): caller-chosen IV, raw keys and stored plaintexts.
METHODS: list[tuple[type, str]] = [
    (relay.RelayKey, "seal_with_iv"),
    (relay.RelayKey, "secret_bytes"),
    (sealwright.StoreSealer, "open"),
    (shares.SharePlaintext, "to_bytes"),
    (vault.UnlockedVault, "vault_key"),
    (vault.LegacyKey, "secret_bytes"),
    (attendance.SessionKeys, "session_key"),
    (attendance.SessionKeys, "qr_key"),
    (attendance.SessionKeys, "response_key"),
    (attendance.SessionKeys, "totp_u_key"),
]

# (function, parameter): caller-chosen salt and IV of a share envelope.
PARAMETERS: list[tuple[Any, str]] = [
    (shares.seal_envelope, "salt"),
    (shares.seal_envelope, "iv"),
]


def present() -> list[str]:
    """The test-only names this build has."""
    found = [f"{getattr(o, '__name__', o)}.{n}" for o, n in FUNCTIONS + METHODS if hasattr(o, n)]
    for fn, p in PARAMETERS:
        if p in inspect.signature(fn).parameters:
            found.append(f"{fn.__name__}({p}=)")
    for module in (relay, handshake, shares, vault, attendance):
        found += [f"{module.__name__}.__all__:{n}" for n in module.__all__ if not hasattr(module, n)]
    return found


def expected_count() -> int:
    return len(FUNCTIONS) + len(METHODS) + len(PARAMETERS)
