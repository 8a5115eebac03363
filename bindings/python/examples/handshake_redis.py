"""Ratchet handshake (spec §2) with the server's state in Redis.

The server functions of ``sealwright.handshake`` take the stored values they need and return
effects; this example loads those values with one ``MGET`` and applies the effects with
``sealwright.apply_effects`` (one MULTI/EXEC). Every value in Redis is sealed under the
server's storage secret, so a dump of Redis reveals nothing.

Run: ``python examples/handshake_redis.py`` (uses ``$REDIS_URL``, or starts a throwaway
``redis-server`` on a free loopback port).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from typing import Any, Callable, Iterator, Optional, Union
from contextlib import contextmanager

import redis

import sealwright
from sealwright import handshake


def as_bytes(value: object) -> Optional[bytes]:
    """A redis-py reply as ``bytes`` (the client must not use ``decode_responses``)."""
    if value is not None and not isinstance(value, bytes):
        raise TypeError("use a Redis client without decode_responses")
    return value


def serve_handshake(
    r: redis.Redis, keys: handshake.ServerKeys, request: dict[str, Any], now_ms: Optional[int] = None
) -> dict[str, Any]:
    """Spec §2.1 on the server: load ``last[deviceId]``, answer, store the new session."""
    last = as_bytes(r.get(handshake.handshake_store_key(request)))
    response, effects = handshake.server_handshake(keys, request, last, now_ms)
    sealwright.apply_effects(r, effects)
    return response


def serve_message(
    r: redis.Redis,
    keys: handshake.ServerKeys,
    request: dict[str, Any],
    business: Callable[[bytes], bytes],
    now_ms: Optional[int] = None,
) -> dict[str, Any]:
    """Spec §2.2 on the server: load session/eph/retry, open, run ``business``, rotate."""
    names = handshake.process_store_keys(request)
    session, eph, retry = (as_bytes(v) for v in r.mget(names.as_list()))
    outcome: Union[handshake.Opened, handshake.Retry] = handshake.server_open(
        keys, request, session, eph, retry, now_ms
    )
    if isinstance(outcome, handshake.Retry):
        return outcome.response  # an idempotent retry: same bytes, no effects
    response, effects = outcome.respond(business(outcome.plaintext))
    sealwright.apply_effects(r, effects)
    return response


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
            request = client.send(text)
            reply = client.receive(serve_message(r, keys, request, lambda pt: b"ok: " + pt))
            print("reply", reply, "-> next kid", client.kid)
        print("keys in Redis:", sorted(k.decode() if isinstance(k, bytes) else str(k) for k in r.keys("sw:v1:hs:*")))
        # A request sent to an old kid with other bytes is refused (the kid rotated).
        try:
            serve_message(r, keys, {**request, "data": client.send(b"forged")["data"]}, lambda pt: pt)
        except sealwright.SealwrightError as e:
            print("old kid refused:", e.code)


if __name__ == "__main__":
    main()
