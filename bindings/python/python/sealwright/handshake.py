"""Ratchet handshake (spec §2): secp256k1 primary secret once, then a fresh X25519 exchange
per message and a new server key id (``kid``) with every response.

Device: :class:`HandshakeClient` (one object through the states ``new`` -> ``start()`` ->
``finish(response)`` -> ``send(plaintext)`` -> ``receive(response)`` -> ``send`` ...; a call in
the wrong state raises :class:`~sealwright.InvalidState`), pinned to the server's RSA key.

Server (state in your store, e.g. Redis): load the value at :func:`handshake_store_key` and
call :func:`server_handshake`; for a message, load the three values named by
:func:`process_store_keys` and call :func:`server_open`, which gives an :class:`Opened`
(hand ``plaintext`` to your logic, then :meth:`Opened.respond`) or a :class:`Retry` (send its
stored ``response`` again). Apply every returned :class:`~sealwright.Effect` list in order
(:func:`sealwright.apply_effects`). Messages are ``dict`` wire objects (JSON text accepted).
RSA private-key work releases the GIL.
"""

from __future__ import annotations

from . import _native
from ._native import (
    HandshakeClient,
    Opened,
    PrimaryKey,
    ProcessStoreKeys,
    Retry,
    ServerKeys,
    handshake_handshake_store_key as handshake_store_key,
    handshake_process_store_keys as process_store_keys,
    handshake_request_id as request_id,
    handshake_server_handshake as server_handshake,
    handshake_server_open as server_open,
    handshake_x25519_public as x25519_public,
)

#: Session TTL (spec §2): 86,400 s.
SESSION_TTL_SECONDS = 86_400
#: Grace of a rotated kid for an idempotent retry: 300 s.
GRACE_SECONDS = 300

__all__ = [
    "GRACE_SECONDS",
    "HandshakeClient",
    "Opened",
    "PrimaryKey",
    "ProcessStoreKeys",
    "Retry",
    "SESSION_TTL_SECONDS",
    "ServerKeys",
    "handshake_store_key",
    "process_store_keys",
    "request_id",
    "server_handshake",
    "server_open",
    "x25519_public",
]

# Test builds only (cargo feature `test-utils`, which bindings/python/run-tests.sh enables):
# functions that take a caller-chosen nonce or hand out raw secrets. A shipped wheel has none
# of them (`sealwright.TEST_UTILS` is False there).
if _native.TEST_UTILS:
    from ._native import (
        handshake_message_key as message_key,
        handshake_primary_secret as primary_secret,
        handshake_server_primary_key as server_primary_key,
        handshake_wrap_key as wrap_key,
        handshake_x25519 as x25519,
    )

    __all__ += ["message_key", "primary_secret", "server_primary_key", "wrap_key", "x25519"]
