"""Effect objects and the JSON helpers."""

from __future__ import annotations

import pytest

import sealwright
from sealwright import Effect


def test_effect_fields_and_immutability() -> None:
    e = Effect("put", "k", b"\x01\x02", 60)
    assert (e.op, e.key, e.value, e.ttl_seconds) == ("put", "k", b"\x01\x02", 60)
    with pytest.raises(AttributeError):
        e.key = "other"  # type: ignore[misc]
    assert e == Effect("put", "k", b"\x01\x02", 60)
    assert e != Effect("put", "k", b"\x01\x03", 60)
    assert Effect("delete", "k").value is None
    assert Effect("expire", "k", ttl_seconds=5).ttl_seconds == 5
    with pytest.raises(sealwright.InvalidInput):
        Effect("put", "k")
    with pytest.raises(sealwright.InvalidInput):
        Effect("truncate", "k")


def test_effect_repr_hides_value() -> None:
    secret = bytes(range(40, 72))
    r = repr(Effect("put", "sw:v1:x", secret, None))
    assert "sw:v1:x" in r and "32 bytes" in r
    assert secret.hex() not in r and repr(secret) not in r


def test_json_helpers() -> None:
    obj = {"v": 1, "kid": "ab", "x": "é"}
    text = sealwright.to_json(obj)
    assert text == '{"v":1,"kid":"ab","x":"é"}'
    assert sealwright.from_json(text) == obj


class FakePipeline:
    def __init__(self, log: list[tuple[object, ...]]) -> None:
        self.log = log

    def set(self, key: str, value: bytes, ex: int | None = None) -> None:
        self.log.append(("set", key, value, ex))

    def expire(self, key: str, ttl: int) -> None:
        self.log.append(("expire", key, ttl))

    def delete(self, key: str) -> None:
        self.log.append(("delete", key))

    def execute(self) -> None:
        self.log.append(("exec",))


class FakeRedis:
    def __init__(self) -> None:
        self.log: list[tuple[object, ...]] = []
        self.transaction: bool | None = None

    def pipeline(self, transaction: bool = True) -> FakePipeline:
        self.transaction = transaction
        return FakePipeline(self.log)


def test_apply_effects_uses_one_transaction_in_order() -> None:
    r = FakeRedis()
    sealwright.apply_effects(
        r, [Effect("put", "a", b"1", 10), Effect("expire", "b", ttl_seconds=3), Effect("delete", "c")]
    )
    assert r.transaction is True
    assert r.log == [("set", "a", b"1", 10), ("expire", "b", 3), ("delete", "c"), ("exec",)]
