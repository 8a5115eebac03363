"""Threshold wallet shares (spec §3): a secp256k1 wallet key split 2-of-3, each share in an
Argon2id + AES-128-GCM password envelope, EIP-191 ``personal_sign``.

Server: :func:`create` a wallet (share 1 goes to the user, the :class:`~sealwright.Effect`
list stores shares 2 and 3 sealed with a :class:`~sealwright.StoreSealer`), :func:`sign` with
shares 1 + 2, :func:`recover` a new generation from shares 2 + 3. Every Argon2id derivation
runs in Rust with the GIL released. Addresses are EIP-55 ``str``; passwords and messages are
``str`` (their UTF-8 bytes, never normalized).
"""

from __future__ import annotations

from . import _native
from ._native import (
    Created,
    OpenedWallet,
    Recovered,
    SharePlaintext,
    WalletKey,
    shares_checksum_address as checksum_address,
    shares_cold_key as cold_key,
    shares_create as create,
    shares_current_key as current_key,
    shares_hot_key as hot_key,
    shares_open_envelope as open_envelope,
    shares_open_stored_envelope as open_stored_envelope,
    shares_open_stored_generation as open_stored_generation,
    shares_open_wallet as open_wallet,
    shares_personal_message_hash as personal_message_hash,
    shares_recover as recover,
    shares_recover_signer as recover_signer,
    shares_seal_envelope as seal_envelope,
    shares_sign as sign,
)

#: The secp256k1 group order ``n`` (share values ``y`` are in ``[0, n)``).
CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

__all__ = [
    "CURVE_ORDER",
    "Created",
    "OpenedWallet",
    "Recovered",
    "SharePlaintext",
    "WalletKey",
    "checksum_address",
    "cold_key",
    "create",
    "current_key",
    "hot_key",
    "open_envelope",
    "open_stored_envelope",
    "open_stored_generation",
    "open_wallet",
    "personal_message_hash",
    "recover",
    "recover_signer",
    "seal_envelope",
    "sign",
]

# Test builds only (cargo feature `test-utils`, which bindings/python/run-tests.sh enables):
# functions that take a caller-chosen nonce or hand out raw secrets. A shipped wheel has none
# of them (`sealwright.TEST_UTILS` is False there).
if _native.TEST_UTILS:
    # (There, `seal_envelope` also takes `salt` and `iv`.)
    from ._native import shares_derive_key as derive_key

    __all__ += ["derive_key"]
