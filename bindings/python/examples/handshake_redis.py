"""Ratchet handshake (spec §2) with the server's state in Redis.

Every server function of ``sealwright.handshake`` is a step (spec §0.2): it takes the stored
values it needs and returns a ``sealwright.Step`` (output and effects). This example loads
those values with one ``MGET`` and commits the effects with ``sealwright.run_step`` (one Lua
script per commit, rerun on a failed condition) or, for respond (never rerun),
``sealwright.apply_effects``. The open step's effects are a *claim* committed before the
business logic runs, so concurrent deliveries of one request run it once. Every value in Redis
is sealed under the server's storage secret, so a dump of Redis reveals nothing.

Run: ``python examples/handshake_redis.py`` (uses ``$REDIS_URL``, or starts a throwaway
``redis-server`` on a free loopback port).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from typing import Any, Callable, Iterator, Optional, TypeVar
from contextlib import contextmanager

import redis

import sealwright
from sealwright import handshake

#: A wire object: JSON text (``str``, the fast path: the response comes back as ``str``) or a
#: ``dict`` (the response comes back as a ``dict``).
Wire = TypeVar("Wire", str, dict[str, Any])


def mget(r: redis.Redis, keys: list[str]) -> list[Optional[bytes]]:
    """The values at ``keys`` (one round trip); the client must not use ``decode_responses``."""
    out: list[Optional[bytes]] = []
    for v in r.mget(keys):
        if v is not None and not isinstance(v, bytes):
            raise TypeError("use a Redis client without decode_responses")
        out.append(v)
    return out


def get(r: redis.Redis, key: str) -> Optional[bytes]:
    """The value at ``key`` as ``bytes`` or ``None``."""
    return mget(r, [key])[0]


def serve_handshake(r: redis.Redis, keys: handshake.ServerKeys, request: Wire, now_ms: Optional[int] = None) -> Wire:
    """Spec §2.1 on the server: load ``[device, last]``, run the step, commit (rerun on a
    failed condition). Raises ``DeviceMismatch`` for another primary key of a bound device."""
    names = handshake.handshake_store_keys(request).as_list()

    def step(_load: Callable[[str], Optional[bytes]]) -> tuple[Any, list[sealwright.Effect]]:
        output, effects = handshake.server_handshake(keys, request, mget(r, names), now_ms)
        return output, effects

    response: Wire = sealwright.run_step(r, step)
    return response


def serve_message(
    r: redis.Redis,
    keys: handshake.ServerKeys,
    request: Wire,
    business: Callable[[bytes], bytes],
    now_ms: Optional[int] = None,
) -> Wire:
    """Spec §2.2 on the server: the open step and its claim (``run_step``), ``business`` once,
    then respond committed once; if that commit fails, the stored response or ``Conflict``.
    Raises ``InProgress`` while another delivery of the same request holds the claim."""
    names = handshake.process_store_keys(request).as_list()

    def open_step(_load: Callable[[str], Optional[bytes]]) -> tuple[Any, list[sealwright.Effect]]:
        outcome, claim = handshake.server_open(keys, request, mget(r, names), now_ms)
        return outcome, claim

    outcome = sealwright.run_step(r, open_step)
    if isinstance(outcome, handshake.Retry):
        response: Wire = outcome.response  # an idempotent retry: same bytes, no effects
        return response
    assert isinstance(outcome, handshake.Opened)
    step = outcome.respond(business(outcome.plaintext))
    if sealwright.apply_effects(r, step.effects):
        answered: Wire = step.output
        return answered
    # The claim was lost (it expired, or a re-handshake ended the chain): never rerun respond.
    stored: Wire = handshake.after_conflict(keys, request, get(r, outcome.retry_key))
    return stored


@contextmanager
def redis_client() -> Iterator[redis.Redis]:
    """``$REDIS_URL``, or a throwaway redis-server on a free loopback port."""
    url = os.environ.get("REDIS_URL")
    if url:
        client = redis.Redis.from_url(url)
        yield client
        client.close()
        return
    exe = shutil.which("redis-server")
    if exe is None:
        raise SystemExit("set REDIS_URL or install redis-server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        yield client
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    keys = handshake.ServerKeys.generate(os.urandom(32), os.urandom(32))  # RSA-4096 identity
    pinned = keys.public_key_der()  # shipped with the client
    with redis_client() as r:
        client = handshake.HandshakeClient("device-1", handshake.PrimaryKey.generate(), pinned)
        client.finish(serve_handshake(r, keys, client.start()))
        print("handshake done, kid", client.kid)
        for text in (b'{"op":"balance"}', b'{"op":"history"}', b'{"op":"logout"}'):
            request = sealwright.to_json(client.send(text))  # wire JSON text, as received
            reply = client.receive(serve_message(r, keys, request, lambda pt: b"ok: " + pt))
            print("reply", reply, "-> next kid", client.kid)
        print("keys in Redis:", sorted(k.decode() if isinstance(k, bytes) else str(k) for k in r.keys("sw:v1:hs:*")))
        # A request sent to an old kid with other bytes is refused (the kid rotated).
        old = sealwright.from_json(request)
        try:
            serve_message(r, keys, {**old, "data": client.send(b"forged")["data"]}, lambda pt: pt)
        except sealwright.SealwrightError as e:
            print("old kid refused:", e.code)
        # Another primary key for the same device id is refused (trust on first use).
        intruder = handshake.HandshakeClient("device-1", handshake.PrimaryKey.generate(), pinned)
        try:
            serve_handshake(r, keys, intruder.start())
        except sealwright.DeviceMismatch as e:
            print("another primary key refused:", e.code)


if __name__ == "__main__":
    main()
