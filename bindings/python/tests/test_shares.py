"""Threshold wallet shares (spec §3) through the Python API."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from itertools import groupby
from typing import Any, Optional

import pytest
import redis

import sealwright
from sealwright import shares

from helpers import MALFORMED_BYTES, MALFORMED_STR, MemoryStore, call_must_not_panic, positive_case
from redis_fixture import redis_client  # noqa: F401  (pytest fixture)

CASE = positive_case("shares")
PASSWORD = CASE["password"]
ADDRESS = CASE["address"]
ENVS = [s["envelope"] for s in CASE["shares"]]
SEALER = sealwright.StoreSealer(os.urandom(32))


class Stores:
    """A hot and a cold in-memory store (``MemoryStore`` applies one transaction at a time)."""

    def __init__(self) -> None:
        self.hot = MemoryStore()
        self.cold = MemoryStore()

    def commit(self, effects: list[sealwright.Effect]) -> bool:
        """Each run of one store's effects as one transaction, in order (spec §0.2, §3)."""
        for store, run in groupby(effects, key=lambda e: e.store):
            target = {"main": self.hot, "cold": self.cold}[store]
            if not target.apply(list(run), 0):
                return False
        return True

    def split(self, address: str) -> shares.LoadedSplit:
        return shares.LoadedSplit.open(SEALER, address, self.hot.get(shares.current_key(address), 0))

    def sign(self, password: str, user_envelope: str, address: str, message: str) -> str:
        split = self.split(address)
        return split.sign(password, user_envelope, SEALER, self.hot.get(split.hot_key, 0), message)


def test_create_sign_recover_with_stores() -> None:
    stores = Stores()
    created, effects = shares.create("pässword", SEALER)
    address, split = created.address, created.split
    assert (split.generation, len(split.split_id)) == (0, 16)
    assert [(e.op, e.store) for e in effects] == [
        ("put", "main"),
        ("put", "cold"),
        ("put_if_absent", "main"),
    ]
    assert all(e.ttl_seconds is None for e in effects)
    assert stores.commit(effects)
    tag = shares.wallet_tag(address)
    assert tag == "{" + hashlib.sha256(address.lower().encode()).hexdigest()[:32] + "}"
    hot_key = shares.hot_key(address, 0, split.split_id)
    cold_key = shares.cold_key(address, 0, split.split_id)
    assert hot_key == f"sw:v1:shares:{tag}:0:{split.split_id.hex()}:2"
    assert set(stores.hot.data) == {hot_key, shares.current_key(address)}
    assert set(stores.cold.data) == {cold_key}
    hot_value = stores.hot.get(hot_key, 0)
    assert hot_value is not None
    assert shares.open_stored_share(SEALER, hot_key, hot_value) == created.hot_envelope
    pointer = shares.SplitPointer.open(SEALER, shares.current_key(address), stores.hot.data[shares.current_key(address)][0])
    assert pointer == split
    # A stored value moved to another key does not open.
    with pytest.raises(sealwright.DecryptionFailed):
        shares.open_stored_share(SEALER, cold_key, hot_value)
    signature = stores.sign("pässword", created.user_envelope, address, "hello")
    assert shares.recover_signer("hello", signature) == address
    with pytest.raises(sealwright.DecryptionFailed):
        stores.sign("wrong", created.user_envelope, address, "hello")

    # Recovery: stage, move (once), clean up.
    loaded = stores.split(address)
    staged, effects = loaded.stage(
        "pässword", SEALER, stores.hot.get(loaded.hot_key, 0), stores.cold.get(loaded.cold_key, 0)
    )
    assert isinstance(staged, shares.Staged)
    new = staged.new_split
    assert (new.generation, staged.old_split) == (1, split)
    assert [(e.op, e.key, e.store) for e in effects] == [
        ("put", shares.hot_key(address, 1, new.split_id), "main"),
        ("put", shares.cold_key(address, 1, new.split_id), "cold"),
    ]
    assert stores.commit(effects)
    moving, effects = staged.move_pointer()
    with pytest.raises(sealwright.InvalidState):
        staged.move_pointer()  # the move is never rerun
    assert [(e.op, e.store, e.expected) for e in effects] == [("put_if_equal", "main", loaded.value)]
    assert not moving.moved_by_us(loaded.value)
    assert stores.commit(effects)
    assert moving.moved_by_us(stores.hot.get(shares.current_key(address), 0))
    recovered, effects = moving.won()
    with pytest.raises(sealwright.InvalidState):
        moving.lost()
    assert [(e.op, e.key, e.store) for e in effects] == [
        ("delete", hot_key, "main"),
        ("delete", cold_key, "cold"),
    ]
    assert stores.commit(effects)
    assert recovered.generation == 1 and recovered.split == new
    assert hot_key not in stores.hot.data and cold_key not in stores.cold.data
    assert stores.sign("pässword", recovered.user_envelope, address, "hello") == signature
    # The old user share is of another generation now.
    with pytest.raises(sealwright.GenerationMismatch):
        stores.sign("pässword", created.user_envelope, address, "hello")


def test_racing_moves_in_memory() -> None:
    stores = Stores()
    created, effects = shares.create("race", SEALER)
    assert stores.commit(effects)
    address = created.address
    staged = []
    for _ in range(2):
        split = stores.split(address)
        output, effects = split.stage(
            "race", SEALER, stores.hot.get(split.hot_key, 0), stores.cold.get(split.cold_key, 0)
        )
        assert stores.commit(effects)
        staged.append(output)
    first, first_effects = staged[0].move_pointer()
    second, second_effects = staged[1].move_pointer()
    assert stores.commit(first_effects)
    assert not stores.commit(second_effects)
    recovered, effects = first.won()
    assert stores.commit(effects)
    conflict, effects = second.lost()
    assert isinstance(conflict, sealwright.Conflict) and conflict.code == "CONFLICT"
    assert stores.commit(effects)
    assert len(stores.hot.data) == 2 and len(stores.cold.data) == 1
    assert shares.recover_signer("m", stores.sign("race", recovered.user_envelope, address, "m")) == address


def test_envelope_round_trip_and_share_checks() -> None:
    y = (5).to_bytes(32, "big")
    share = shares.SharePlaintext(2, 7, y)
    envelope = shares.seal_envelope("pw", share)
    opened = shares.open_envelope("pw", envelope)
    assert (opened.x, opened.generation, opened.to_bytes()) == (2, 7, share.to_bytes())
    assert shares.seal_envelope("pw", share) != envelope  # fresh salt and IV
    with pytest.raises(sealwright.InvalidShare):
        shares.SharePlaintext(4, 0, y)
    with pytest.raises(sealwright.InvalidShare):
        shares.SharePlaintext(1, 0, shares.CURVE_ORDER.to_bytes(32, "big"))
    with pytest.raises(sealwright.InvalidInput):
        shares.seal_envelope("pw", share, salt=b"\x00" * 16)  # salt without IV
    with pytest.raises(sealwright.InvalidInput):
        shares.create("", SEALER)


def test_wallet_key_and_addresses() -> None:
    key = shares.WalletKey.from_bytes(bytes.fromhex(CASE["walletPrivate"]))
    assert key.address == ADDRESS
    assert key.export_private_key_hex() == CASE["walletPrivate"]
    assert shares.checksum_address(ADDRESS.lower()) == ADDRESS
    with pytest.raises(sealwright.InvalidInput):
        shares.checksum_address(ADDRESS[:-1])
    with pytest.raises(sealwright.InvalidInput):
        shares.WalletKey.from_bytes(b"\x00" * 32)
    with pytest.raises(sealwright.BadSignature):
        shares.recover_signer("other", "0x" + "00" * 65)
    fresh = shares.WalletKey.generate()
    assert shares.recover_signer("m", fresh.sign_message("m")) == fresh.address


def test_repr_hides_secrets() -> None:
    d = bytes.fromhex(CASE["walletPrivate"])
    key = shares.WalletKey.from_bytes(d)
    y = bytes.fromhex(CASE["shares"][0]["plaintext"])[7:]
    share = shares.SharePlaintext(1, 0, y)
    opened = shares.open_wallet(PASSWORD, ENVS[0], ENVS[1], ADDRESS)
    step = shares.create("pw", SEALER)
    created, effects = step
    stores = Stores()
    assert stores.commit(effects)
    split = stores.split(created.address)
    staged, _ = split.stage(
        "pw", SEALER, stores.hot.get(split.hot_key, 0), stores.cold.get(split.cold_key, 0)
    )
    moving, _ = staged.move_pointer()
    recovered, _ = moving.won()
    secrets = [d.hex(), y.hex(), d.hex().upper(), recovered.user_envelope, recovered.hot_envelope]
    for obj in (key, share, opened, created, opened.key, SEALER, staged, moving, recovered):
        text = repr(obj) + str(obj)
        assert "redacted" in text
        for s in secrets:
            assert s not in text
        for env in (created.user_envelope, created.hot_envelope, created.cold_envelope):
            assert env not in text


def test_malformed_inputs_raise_only_sealwright_errors() -> None:
    good = ENVS[0]
    for s in MALFORMED_STR:
        call_must_not_panic(lambda: shares.checksum_address(s))
        call_must_not_panic(lambda: shares.recover_signer(s, s))
        call_must_not_panic(lambda: shares.recover_signer("m", s))
        call_must_not_panic(lambda: shares.hot_key(s, 0, b"\x00" * 16))
        call_must_not_panic(lambda: shares.cold_key(s, 0, b"\x00" * 16))
        call_must_not_panic(lambda: shares.current_key(s))
        call_must_not_panic(lambda: shares.wallet_tag(s))
        call_must_not_panic(lambda: shares.LoadedSplit.open(SEALER, s, b"x"))
        call_must_not_panic(lambda: shares.open_wallet(PASSWORD, s, good, ADDRESS))
        call_must_not_panic(lambda: shares.open_wallet(PASSWORD, good, good, s))
        call_must_not_panic(lambda: shares.sign(PASSWORD, s, s, ADDRESS, s))
        call_must_not_panic(lambda: shares.open_envelope(PASSWORD, s))
        call_must_not_panic(lambda: shares.open_stored_share(SEALER, s, b"x"))
        call_must_not_panic(lambda: shares.personal_message_hash(s))
        call_must_not_panic(lambda: shares.WalletKey.generate().sign_message(s))
    for b in MALFORMED_BYTES:
        call_must_not_panic(lambda: shares.WalletKey.from_bytes(b))
        call_must_not_panic(lambda: shares.SharePlaintext(1, 0, b))
        call_must_not_panic(lambda: shares.SharePlaintext.decode(b))
        call_must_not_panic(lambda: sealwright.StoreSealer(b))
        call_must_not_panic(lambda: shares.open_stored_share(SEALER, "k", b))
        call_must_not_panic(lambda: shares.SplitPointer.open(SEALER, "k", b))
        call_must_not_panic(lambda: shares.LoadedSplit.open(SEALER, ADDRESS, b))
        call_must_not_panic(lambda: shares.hot_key(ADDRESS, 0, b))
        call_must_not_panic(lambda: SEALER.open("k", b))
    share = shares.SharePlaintext(1, 0, b"\x01" * 32)
    for salt, iv in [(b"", b""), (b"\x00" * 15, b"\x00" * 12), (b"\x00" * 16, b"\x00" * 13)]:
        call_must_not_panic(lambda: shares.seal_envelope("pw", share, salt, iv))
    call_must_not_panic(lambda: shares.derive_key("pw", b"short"))
    call_must_not_panic(lambda: shares.SharePlaintext(0, 2**32 - 1, b"\x00" * 32))
    call_must_not_panic(lambda: shares.LoadedSplit.open(SEALER, ADDRESS, None))
    for bad in (-1, 2**32, 2**64):
        with pytest.raises((OverflowError, TypeError)):
            shares.hot_key(ADDRESS, bad, b"\x00" * 16)


def rget(client: redis.Redis, key: str) -> Optional[bytes]:
    """A key's value from Redis as bytes (the clients here never decode responses)."""
    value = client.get(key)
    assert value is None or isinstance(value, bytes)
    return value


def _recover_in_process(
    port: int, address: str, secret: bytes, barrier: Any, out: "multiprocessing.Queue[tuple[str, str, bytes]]"
) -> None:
    """In a separate process: one recovery of `address` through the three steps against Redis
    (db 0 hot, db 1 cold), waiting at `barrier` after staging so the two moves truly race."""
    hot = redis.Redis(host="127.0.0.1", port=port, db=0)
    cold = redis.Redis(host="127.0.0.1", port=port, db=1)
    sealer = sealwright.StoreSealer(secret)
    split = shares.LoadedSplit.open(sealer, address, rget(hot, shares.current_key(address)))
    staged, effects = split.stage("race", sealer, rget(hot, split.hot_key), rget(cold, split.cold_key))
    assert shares.commit(hot, cold, effects)
    barrier.wait(timeout=120)
    moving, effects = staged.move_pointer()
    if shares.commit(hot, cold, effects):  # the move: one Lua script, committed once
        recovered, cleanup = moving.won()
        assert shares.commit(hot, cold, cleanup)
        out.put(("won", recovered.user_envelope, recovered.split.split_id))
    else:
        conflict, cleanup = moving.lost()
        assert shares.commit(hot, cold, cleanup)
        out.put(("lost", conflict.code, b""))
    hot.close()
    cold.close()


def test_two_processes_recovering_one_wallet_on_redis(redis_client: redis.Redis) -> None:
    """Two processes recover one wallet at once against a real Redis (logical db 0 as the hot
    store, db 1 as the cold one): exactly one wins, the other gets CONFLICT, the wallet signs
    with the winner's new user share, and no share of the loser or of the old split remains."""
    port = redis_client.connection_pool.connection_kwargs["port"]
    hot = redis.Redis(host="127.0.0.1", port=port, db=0)
    cold = redis.Redis(host="127.0.0.1", port=port, db=1)
    hot.flushdb()
    cold.flushdb()
    secret = os.urandom(32)
    sealer = sealwright.StoreSealer(secret)
    created, effects = shares.create("race", sealer)
    assert shares.commit(hot, cold, effects)
    address = created.address

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    out: "multiprocessing.Queue[tuple[str, str, bytes]]" = ctx.Queue()
    procs = [
        ctx.Process(target=_recover_in_process, args=(port, address, secret, barrier, out))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["lost", "won"], results
    assert [r[1] for r in results if r[0] == "lost"] == ["CONFLICT"]
    user_envelope, split_id = next((r[1], r[2]) for r in results if r[0] == "won")

    # Only the winner's split and the pointer remain, in the right stores.
    assert sorted(k.decode() for k in hot.keys("*") if isinstance(k, bytes)) == sorted(
        [shares.current_key(address), shares.hot_key(address, 1, split_id)]
    )
    assert [k.decode() for k in cold.keys("*") if isinstance(k, bytes)] == [shares.cold_key(address, 1, split_id)]
    split = shares.LoadedSplit.open(sealer, address, rget(hot, shares.current_key(address)))
    assert (split.pointer.generation, split.pointer.split_id) == (1, split_id)
    signature = split.sign("race", user_envelope, sealer, rget(hot, split.hot_key), "after the race")
    assert shares.recover_signer("after the race", signature) == address
    with pytest.raises(sealwright.GenerationMismatch):
        split.sign("race", created.user_envelope, sealer, rget(hot, split.hot_key), "old share")

    # The Redis driver runs the three steps in one call.
    again = shares.recover(hot, cold, "race", address, sealer)
    assert again.generation == 2 and len(hot.keys("*")) == 2 and len(cold.keys("*")) == 1
    hot.close()
    cold.close()
