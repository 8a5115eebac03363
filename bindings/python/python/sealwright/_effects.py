"""Committing store effects to Redis (spec §0.2), the step retry helper, and the JSON helpers
for wire objects."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, Iterable, Optional, TypeVar

from ._native import Conflict, Effect, InvalidInput

T = TypeVar("T")

#: How many times :func:`run_step` runs a step before it raises ``Conflict`` (spec §0.2).
MAX_RUNS = 3

# One script per commit: every condition is checked first, then every write is applied, so a
# step commits entirely or not at all, and two racing steps on the same records never both
# commit. KEYS[i] is effect i's key; ARGV holds four strings per effect: op, expected, value,
# ttl ("" for none). Returns 1 when the effects were applied, 0 when a condition failed.
_COMMIT_SCRIPT = """
local n = #KEYS
for i = 1, n do
  local op = ARGV[4 * i - 3]
  if op == 'put_if_absent' then
    if redis.call('EXISTS', KEYS[i]) == 1 then return 0 end
  elseif op == 'put_if_equal' or op == 'delete_if_equal' or op == 'require_equal' then
    if redis.call('GET', KEYS[i]) ~= ARGV[4 * i - 2] then return 0 end
  end
end
for i = 1, n do
  local op = ARGV[4 * i - 3]
  local value = ARGV[4 * i - 1]
  local ttl = ARGV[4 * i]
  if op == 'put' or op == 'put_if_absent' or op == 'put_if_equal' then
    if ttl == '' then
      redis.call('SET', KEYS[i], value)
    else
      redis.call('SET', KEYS[i], value, 'EX', ttl)
    end
  elseif op == 'expire' then
    redis.call('EXPIRE', KEYS[i], ttl)
  elseif op == 'delete' or op == 'delete_if_equal' then
    redis.call('DEL', KEYS[i])
  end
end
return 1
"""
_COMMIT_SHA = hashlib.sha1(_COMMIT_SCRIPT.encode()).hexdigest()


def _is_noscript(error: Exception) -> bool:
    # redis-py raises NoScriptError, whose text ("No matching script") lacks the NOSCRIPT code.
    return "NOSCRIPT" in str(error) or type(error).__name__ == "NoScriptError"


def apply_effects(redis_client: Any, effects: Iterable[Effect], store: str = "main") -> bool:
    """Commit one step's ``effects`` to Redis atomically (spec §0.2): one Lua script (loaded
    once, run by ``EVALSHA``) checks every condition, then applies every write, or none.

    Returns ``True`` when the effects were applied and ``False`` when a condition did not hold
    (another writer came first: load again and rerun the step, see :func:`run_step`). Every
    effect must be for ``store`` (``"main"``, or ``"cold"`` for the shares cold store), else
    ``InvalidInput``. The keys of one step share one hash tag, so the script runs on Redis
    Cluster too. ``redis_client`` is a redis-py client (``decode_responses=False``).
    """
    keys: list[str] = []
    args: list[bytes | str] = []
    for e in effects:
        if not isinstance(e, Effect):
            raise TypeError(f"effects: every item must be a sealwright.Effect, not {type(e).__name__}")
        if e.store != store:
            raise InvalidInput("INVALID_INPUT: an effect for another store")
        keys.append(e.key)
        ttl = e.ttl_seconds
        args += [e.op, e.expected or b"", e.value or b"", "" if ttl is None else str(ttl)]
    if not keys:
        return True
    try:
        result = redis_client.evalsha(_COMMIT_SHA, len(keys), *keys, *args)
    except Exception as error:  # redis.exceptions.NoScriptError, without importing redis
        if not _is_noscript(error):
            raise
        redis_client.script_load(_COMMIT_SCRIPT)
        result = redis_client.evalsha(_COMMIT_SHA, len(keys), *keys, *args)
    return int(result) == 1


def run_step(
    redis_client: Any,
    step: Callable[[Callable[[str], Optional[bytes]]], tuple[T, list[Effect]]],
    runs: int = MAX_RUNS,
) -> T:
    """Load, step, commit (spec §0.2): calls ``step(load)``, where ``load(key)`` reads a key
    from Redis, and commits the returned ``(output, effects)`` (a ``sealwright.Step`` unpacks
    the same way) with :func:`apply_effects`. A failed condition reruns the step, which loads
    afresh, at most ``runs`` times; then ``sealwright.Conflict``. An error raised by the step
    itself propagates at once. Never use it for the two steps the spec never reruns (the
    handshake's respond and the shares pointer move): commit those once with
    :func:`apply_effects`.
    """

    def load(key: str) -> Optional[bytes]:
        value = redis_client.get(key)
        return None if value is None else bytes(value)

    for _ in range(runs):
        output, effects = step(load)
        if apply_effects(redis_client, effects):
            return output
    raise Conflict("CONFLICT: a conditional effect did not hold")


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
