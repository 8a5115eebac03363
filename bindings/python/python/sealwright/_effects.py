"""Applying store effects to Redis, and the JSON helpers for wire objects."""

from __future__ import annotations

import json
from typing import Any, Iterable

from ._native import Effect, InvalidInput


def apply_effects(redis_client: Any, effects: Iterable[Effect]) -> None:
    """Apply ``effects`` in order, in one MULTI/EXEC transaction (redis-py client)."""
    pipe = redis_client.pipeline(transaction=True)
    for e in effects:
        if e.op == "put":
            pipe.set(e.key, e.value, ex=e.ttl_seconds)
        elif e.op == "expire":
            pipe.expire(e.key, e.ttl_seconds)
        elif e.op == "delete":
            pipe.delete(e.key)
        else:  # pragma: no cover - Effect only has the three ops
            raise ValueError(f"unknown effect op {e.op!r}")
    pipe.execute()


def to_json(obj: Any) -> str:
    """The compact JSON text of a wire object (no insignificant whitespace, UTF-8 text);
    ``InvalidInput`` for a value JSON cannot carry (NaN, a non-JSON type)."""
    try:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise InvalidInput("INVALID_INPUT: not a JSON value") from e


def from_json(text: str | bytes) -> Any:
    """The wire object (``dict``) of JSON text; ``InvalidInput`` for text that is not JSON."""
    try:
        return json.loads(text)
    except (TypeError, ValueError) as e:
        raise InvalidInput("INVALID_INPUT: not JSON text") from e
