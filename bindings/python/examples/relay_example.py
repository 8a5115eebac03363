"""Sealed relay (spec §1) end to end: register, pin, seal, request, decrypt, open."""

from __future__ import annotations

import sealwright
from sealwright import relay


def main() -> None:
    recipient = relay.Recipient.generate(3072)  # 4096 by default
    registered = relay.register(recipient.jwk())  # server side: validate the JWK
    signing = relay.RelaySigningKey.generate("sk-2026-11")  # server: ES256 response key
    server = relay.RelayServer(relay.RelayKey.generate("rk-2026-11"), signing)
    # Out of band, the recipient pins the server's signing JWK under its skid.
    pinned = {server.signing_skid: server.signing_jwk()}
    sealed = server.seal(b"wallet share #1", aud=registered.rid)

    seen: set[str] = set()  # in production: the jti keys in Redis (apply accepted.effect)
    request = recipient.request(sealed)  # keep it: the response must carry its jti
    accepted = server.decrypt_request(request.jws, {registered.rid: registered}, seen)
    seen.add(accepted.jti)
    print("effect:", accepted.effect)
    print("value:", recipient.open_response(accepted.response, request, pinned))
    try:
        server.decrypt_request(request.jws, {registered.rid: registered}, seen)
    except sealwright.Replay as e:
        print("replay refused:", e.code)
    # A kept response does not open for a newer request (it is bound to the old jti).
    newer = recipient.request(sealed)
    try:
        recipient.open_response(accepted.response, newer, pinned)
    except sealwright.Replay as e:
        print("old response refused:", e.code)


if __name__ == "__main__":
    main()
