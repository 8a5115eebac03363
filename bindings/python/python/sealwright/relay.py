"""Sealed relay (spec §1): a server re-encrypts a sealed value to a recipient's RSA key.

Recipient: :meth:`Recipient.generate`, register :meth:`Recipient.jwk` with the server, pin the
relay's signing key (:class:`RelayVerifyingKey` from its ``skid`` and public JWK), then
:meth:`Recipient.request` a sealed value (a :class:`DecryptionRequest`: send its ``jws``, keep
it) and :meth:`Recipient.open_response` with that request and the pinned key(s): the response
is an ES256-signed JWT bound to the request's ``jti``, encrypted to the recipient.
Server: :class:`RelayServer` (relay keys by ``rkid`` and a :class:`RelaySigningKey`),
:func:`register` a JWK, :meth:`RelayServer.seal`, :meth:`RelayServer.decrypt_request`
(remember ``Accepted.jti`` for 660 s by applying ``Accepted.effect``).
"""

from __future__ import annotations

from typing import Any, Union

from ._native import (
    Accepted,
    DecryptionRequest,
    Recipient,
    RecipientPublicKey,
    RelayKey,
    RelayServer,
    RelaySigningKey,
    RelayVerifyingKey,
)

__all__ = [
    "Accepted",
    "DecryptionRequest",
    "Recipient",
    "RecipientPublicKey",
    "RelayKey",
    "RelayServer",
    "RelaySigningKey",
    "RelayVerifyingKey",
    "register",
]


def register(jwk: Union[dict[str, Any], str]) -> RecipientPublicKey:
    """Validate a recipient JWK (spec §1 step 1); its ``rid`` names it from now on."""
    return RecipientPublicKey.from_jwk(jwk)
