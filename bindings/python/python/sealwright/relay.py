"""Sealed relay (spec §1): a server re-encrypts a sealed value to a recipient's RSA key.

Recipient: :meth:`Recipient.generate`, register :meth:`Recipient.jwk` with the server, then
:meth:`Recipient.request` a sealed value and :meth:`Recipient.open_response`.
Server: :class:`RelayServer` (relay keys by ``rkid``), :func:`register` a JWK,
:meth:`RelayServer.seal`, :meth:`RelayServer.decrypt_request` (remember ``Accepted.jti`` for
600 s by applying ``Accepted.effect``).
"""

from __future__ import annotations

from typing import Any, Union

from ._native import Accepted, Recipient, RecipientPublicKey, RelayKey, RelayServer

__all__ = [
    "Accepted",
    "Recipient",
    "RecipientPublicKey",
    "RelayKey",
    "RelayServer",
    "register",
]


def register(jwk: Union[dict[str, Any], str]) -> RecipientPublicKey:
    """Validate a recipient JWK (spec §1 step 1); its ``rid`` names it from now on."""
    return RecipientPublicKey.from_jwk(jwk)
