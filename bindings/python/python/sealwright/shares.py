"""Threshold wallet shares (spec §3): a secp256k1 wallet key split 2-of-3, each share in an
Argon2id + AES-128-GCM password envelope, EIP-191 ``personal_sign``.

The server keeps two stores that share no transaction: hot (effects with ``store == "main"``)
and cold (``store == "cold"``). The hot pointer ``current_key(address)`` names the current
split ``{generation, split_id}``; only that split's shares are ever combined. Every server
operation is a step returning a :class:`~sealwright.Step` (spec §0.2)::

    created, effects = create(password, sealer)        # put share 2 (hot), 3 (cold), pointer
    commit(hot, cold, effects)                          # then give created.user_envelope out

    split = LoadedSplit.open(sealer, address, hot.get(current_key(address)))
    signature = split.sign(password, user_envelope, sealer, hot.get(split.hot_key), message)

    # recovery (the user lost share 1): stage, move (once), clean up
    staged, effects = split.stage(password, sealer, hot.get(split.hot_key), cold.get(split.cold_key))
    commit(hot, cold, effects)
    moving, effects = staged.move_pointer()
    if commit(hot, cold, effects):                      # the one transaction that decides
        recovered, cleanup = moving.won()               # the new user envelope is only here
    else:
        conflict, cleanup = moving.lost()               # delete what we staged, raise conflict
    commit(hot, cold, cleanup)

:func:`recover` runs exactly that against two Redis clients. Stored values are sealed with a
:class:`~sealwright.StoreSealer`. Every Argon2id derivation runs in Rust with the GIL
released. Addresses are EIP-55 ``str``; passwords and messages are ``str`` (their UTF-8
bytes, never normalized).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any, Iterable, Optional

from . import _native
from ._effects import apply_effects
from ._native import (
    Created,
    Effect,
    LoadedSplit,
    MovePending,
    OpenedWallet,
    Recovered,
    SharePlaintext,
    SplitPointer,
    Staged,
    StoreSealer,
    WalletKey,
    shares_checksum_address as checksum_address,
    shares_cold_key as cold_key,
    shares_create as create,
    shares_current_key as current_key,
    shares_hot_key as hot_key,
    shares_open_envelope as open_envelope,
    shares_open_stored_share as open_stored_share,
    shares_open_wallet as open_wallet,
    shares_personal_message_hash as personal_message_hash,
    shares_recover_signer as recover_signer,
    shares_seal_envelope as seal_envelope,
    shares_sign as sign,
    shares_wallet_tag as wallet_tag,
)

#: The secp256k1 group order ``n`` (share values ``y`` are in ``[0, n)``).
CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def commit(hot: Any, cold: Any, effects: Iterable[Effect]) -> bool:
    """Commits a shares step to its two Redis stores (spec §0.2, §3): the effects in order,
    each run of consecutive effects of one store as one transaction
    (:func:`sealwright.apply_effects`). Returns ``False`` at the first run whose condition
    failed (the runs before it stay committed), else ``True``. The steps order their effects
    so that stopping after any run is safe.
    """
    effects = list(effects)
    for e in effects:
        if not isinstance(e, Effect):
            raise TypeError(f"effects: every item must be a sealwright.Effect, not {type(e).__name__}")
    for store, run in groupby(effects, key=lambda e: e.store):
        if not apply_effects(hot if store == "main" else cold, list(run), store=store):
            return False
    return True


def _get(client: Any, key: str, argument: str) -> Optional[bytes]:
    if not callable(getattr(client, "get", None)):
        raise TypeError(f"{argument}: must be a redis-py client, not {type(client).__name__}")
    value = client.get(key)
    return None if value is None else bytes(value)


def recover(hot: Any, cold: Any, password: str, address: str, sealer: StoreSealer) -> Recovered:
    """Runs the three recovery steps of spec §3 against a hot and a cold Redis client: load
    the pointer and the two shares it names, stage, move (committed once), clean up. Returns
    the :class:`Recovered` (give ``user_envelope`` to the user), or raises
    :class:`sealwright.Conflict` when a concurrent recovery moved the pointer first (this
    one's staged shares are deleted)."""
    pointer_key = current_key(address)
    split = LoadedSplit.open(sealer, address, _get(hot, pointer_key, "hot"))
    staged, effects = split.stage(
        password, sealer, _get(hot, split.hot_key, "hot"), _get(cold, split.cold_key, "cold")
    )
    commit(hot, cold, effects)
    moving, effects = staged.move_pointer()
    if commit(hot, cold, effects):
        recovered, cleanup = moving.won()
        commit(hot, cold, cleanup)
        result: Recovered = recovered
        return result
    conflict, cleanup = moving.lost()
    commit(hot, cold, cleanup)
    raise conflict


__all__ = [
    "CURVE_ORDER",
    "Created",
    "LoadedSplit",
    "MovePending",
    "OpenedWallet",
    "Recovered",
    "SharePlaintext",
    "SplitPointer",
    "Staged",
    "WalletKey",
    "checksum_address",
    "cold_key",
    "commit",
    "create",
    "current_key",
    "hot_key",
    "open_envelope",
    "open_stored_share",
    "open_wallet",
    "personal_message_hash",
    "recover",
    "recover_signer",
    "seal_envelope",
    "sign",
    "wallet_tag",
]

# Test builds only (cargo feature `test-utils`, which bindings/python/run-tests.sh enables):
# functions that take a caller-chosen nonce or hand out raw secrets. A shipped wheel has none
# of them (`sealwright.TEST_UTILS` is False there).
if _native.TEST_UTILS:
    # (There, `seal_envelope` also takes `salt` and `iv`.)
    from ._native import shares_derive_key as derive_key

    __all__ += ["derive_key"]
