"""Sealed relay (spec §1) end to end: register, seal, request, decrypt, open."""

from __future__ import annotations

import sealwright
from sealwright import relay


def main() -> None:
    recipient = relay.Recipient.generate(3072)  # 4096 by default
    registered = relay.register(recipient.jwk())  # server side: validate the JWK
    server = relay.RelayServer(relay.RelayKey.generate("rk-2026-11"))
    sealed = server.seal(b"wallet share #1", aud=registered.rid)

    seen: set[str] = set()  # in production: the jti keys in Redis (apply accepted.effect)
    request = recipient.request(sealed)
    accepted = server.decrypt_request(request, {registered.rid: registered}, seen)
    seen.add(accepted.jti)
    print("effect:", accepted.effect)
    print("value:", recipient.open_response(accepted.response))
    try:
        server.decrypt_request(request, {registered.rid: registered}, seen)
    except sealwright.Replay as e:
        print("replay refused:", e.code)


if __name__ == "__main__":
    main()
