"""Threshold wallet shares (spec §3) through the Python API."""

from __future__ import annotations

import os

import pytest

import sealwright
from sealwright import shares

from helpers import MALFORMED_BYTES, MALFORMED_STR, call_must_not_panic, positive_case

CASE = positive_case("shares")
PASSWORD = CASE["password"]
ADDRESS = CASE["address"]
ENVS = [s["envelope"] for s in CASE["shares"]]
SEALER = sealwright.StoreSealer(os.urandom(32))


def apply(store: dict[str, bytes], effects: list[sealwright.Effect]) -> None:
    for e in effects:
        if e.op == "put":
            assert e.value is not None and e.ttl_seconds is None  # no share value expires
            store[e.key] = e.value
        else:
            assert e.op == "delete"
            store.pop(e.key, None)


def test_create_sign_recover_with_store() -> None:
    store: dict[str, bytes] = {}
    created = shares.create("pässword", SEALER)
    address = created.address
    apply(store, created.effects)
    assert set(store) == {
        shares.hot_key(address, 0),
        shares.cold_key(address, 0),
        shares.current_key(address),
    }
    hot_key = shares.hot_key(address, 0)
    hot = shares.open_stored_envelope(SEALER, hot_key, store[hot_key])
    assert hot == created.hot_envelope
    assert shares.open_stored_generation(SEALER, shares.current_key(address), store[shares.current_key(address)]) == 0
    # A stored value moved to another key does not open.
    with pytest.raises(sealwright.DecryptionFailed):
        shares.open_stored_envelope(SEALER, shares.cold_key(address, 0), store[hot_key])
    signature = shares.sign("pässword", created.user_envelope, hot, address, "hello")
    assert shares.recover_signer("hello", signature) == address
    with pytest.raises(sealwright.DecryptionFailed):
        shares.sign("wrong", created.user_envelope, hot, address, "hello")

    cold_key = shares.cold_key(address, 0)
    cold = shares.open_stored_envelope(SEALER, cold_key, store[cold_key])
    recovered = shares.recover("pässword", hot, cold, address, 0, SEALER)
    apply(store, recovered.effects)
    assert recovered.generation == 1
    assert hot_key not in store and cold_key not in store
    new_hot_key = shares.hot_key(address, 1)
    new_hot = shares.open_stored_envelope(SEALER, new_hot_key, store[new_hot_key])
    assert shares.sign("pässword", recovered.user_envelope, new_hot, address, "hello") == signature
    # The old user share is of another generation now.
    with pytest.raises(sealwright.GenerationMismatch):
        shares.sign("pässword", created.user_envelope, new_hot, address, "hello")
    # Recovering with the wrong generation number is refused too.
    with pytest.raises(sealwright.GenerationMismatch):
        shares.recover("pässword", recovered.hot_envelope, recovered.cold_envelope, address, 0, SEALER)


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
    created = shares.create("pw", SEALER)
    secrets = [d.hex(), y.hex(), d.hex().upper()]
    for obj in (key, share, opened, created, opened.key, SEALER):
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
        call_must_not_panic(lambda: shares.hot_key(s, 0))
        call_must_not_panic(lambda: shares.cold_key(s, 0))
        call_must_not_panic(lambda: shares.current_key(s))
        call_must_not_panic(lambda: shares.open_wallet(PASSWORD, s, good, ADDRESS))
        call_must_not_panic(lambda: shares.open_wallet(PASSWORD, good, good, s))
        call_must_not_panic(lambda: shares.sign(PASSWORD, s, s, ADDRESS, s))
        call_must_not_panic(lambda: shares.recover(PASSWORD, s, s, ADDRESS, 0, SEALER))
        call_must_not_panic(lambda: shares.open_envelope(PASSWORD, s))
        call_must_not_panic(lambda: shares.open_stored_envelope(SEALER, s, b"x"))
        call_must_not_panic(lambda: shares.personal_message_hash(s))
        call_must_not_panic(lambda: shares.WalletKey.generate().sign_message(s))
    for b in MALFORMED_BYTES:
        call_must_not_panic(lambda: shares.WalletKey.from_bytes(b))
        call_must_not_panic(lambda: shares.SharePlaintext(1, 0, b))
        call_must_not_panic(lambda: shares.SharePlaintext.decode(b))
        call_must_not_panic(lambda: sealwright.StoreSealer(b))
        call_must_not_panic(lambda: shares.open_stored_envelope(SEALER, "k", b))
        call_must_not_panic(lambda: shares.open_stored_generation(SEALER, "k", b))
        call_must_not_panic(lambda: SEALER.open("k", b))
    share = shares.SharePlaintext(1, 0, b"\x01" * 32)
    for salt, iv in [(b"", b""), (b"\x00" * 15, b"\x00" * 12), (b"\x00" * 16, b"\x00" * 13)]:
        call_must_not_panic(lambda: shares.seal_envelope("pw", share, salt, iv))
    call_must_not_panic(lambda: shares.derive_key("pw", b"short"))
    call_must_not_panic(lambda: shares.SharePlaintext(0, 2**32 - 1, b"\x00" * 32))
    call_must_not_panic(lambda: shares.recover(PASSWORD, ENVS[1], ENVS[2], ADDRESS, 2**32 - 1, SEALER))
    for bad in (-1, 2**32, 2**64):
        with pytest.raises((OverflowError, TypeError)):
            shares.hot_key(ADDRESS, bad)
