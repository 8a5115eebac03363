"""Ratchet handshake (spec §2): secp256k1 primary secret once, then a fresh X25519 exchange
per message and a new server key id (``kid``) with every response.

Device: :class:`HandshakeClient` (one object through the states ``new`` -> ``start()`` ->
``finish(response)`` -> ``send(plaintext)`` -> ``receive(response)`` -> ``send`` ...; a call in
the wrong state raises :class:`~sealwright.InvalidState`), pinned to the server's RSA key.

Server (state in your store, e.g. Redis): every server function is a step (spec §0.2) that
takes the loaded records and returns a :class:`~sealwright.Step` (``output, effects = step``);
commit the effects as one transaction (:func:`sealwright.apply_effects`, or
:func:`sealwright.run_step`, which reruns a step whose condition failed).

* Handshake (§2.1): load ``handshake_store_keys(request).as_list()`` (``[device, last]``),
  call :func:`server_handshake`. ``DeviceMismatch`` if the device is bound to another primary
  key (trust on first use; :func:`server_reenroll` removes the binding, :func:`server_bind_device`
  binds a known key up front).
* Message (§2.2): load ``process_store_keys(request).as_list()`` (``[session, eph, claim,
  last, retry]``), call :func:`server_open`: an :class:`Opened` whose effects are the *claim*
  (commit them before the business logic, so concurrent deliveries of one request run it
  once; the others get ``InProgress`` or the stored response), or a :class:`Retry` (send its
  stored ``response`` again). Then :meth:`Opened.respond` and commit its effects **once**
  (never rerun); if that commit fails, reload ``opened.retry_key`` and call
  :func:`after_conflict` (the stored response, or ``Conflict``).

Wire objects: a ``dict`` or JSON text; a server step given the request as ``str`` returns its
response as ``str`` (the fast path: no ``json`` round trip). RSA private-key work releases the
GIL.
"""

from __future__ import annotations

from . import _native
from ._native import (
    HandshakeClient,
    HandshakeStoreKeys,
    Opened,
    PrimaryKey,
    ProcessStoreKeys,
    Retry,
    ServerKeys,
    handshake_after_conflict as after_conflict,
    handshake_handshake_store_keys as handshake_store_keys,
    handshake_process_store_keys as process_store_keys,
    handshake_request_id as request_id,
    handshake_server_bind_device as server_bind_device,
    handshake_server_handshake as server_handshake,
    handshake_server_open as server_open,
    handshake_server_reenroll as server_reenroll,
    handshake_x25519_public as x25519_public,
)

#: Session TTL (spec §2): 86,400 s.
SESSION_TTL_SECONDS = 86_400
#: Grace of a rotated kid for an idempotent retry: 300 s.
GRACE_SECONDS = 300
#: Default ``T_claim`` (spec §2.2 step 3): how long a claim holds a kid for one request.
CLAIM_TTL_SECONDS = 30

__all__ = [
    "CLAIM_TTL_SECONDS",
    "GRACE_SECONDS",
    "HandshakeClient",
    "HandshakeStoreKeys",
    "Opened",
    "PrimaryKey",
    "ProcessStoreKeys",
    "Retry",
    "SESSION_TTL_SECONDS",
    "ServerKeys",
    "after_conflict",
    "handshake_store_keys",
    "process_store_keys",
    "request_id",
    "server_bind_device",
    "server_handshake",
    "server_open",
    "server_reenroll",
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
