"""Replays every case of every ``test-vectors/*.json`` file through the Python API.

Each file needs a replayer below, and each case's ``operation`` must be one the replayer
knows: a new file or operation fails here instead of being skipped silently.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any, Callable

import pytest

import sealwright
from sealwright import relay

from conftest import VECTORS

Case = dict[str, Any]


def expect_error(code: str, fn: Callable[[], object]) -> None:
    with pytest.raises(sealwright.SealwrightError) as info:
        fn()
    assert info.value.code == code, f"expected {code}, got {info.value.code}"
    # The exception class is the code's own subclass.
    assert type(info.value).__name__ == "".join(w.capitalize() for w in code.split("_"))


# --- relay.json -----------------------------------------------------------------------------


def relay_server(case: Case) -> relay.RelayServer:
    return relay.RelayServer(relay.RelayKey(case["rkid"], bytes.fromhex(case["relayKey"])))


def replay_relay(case: Case) -> None:
    op = case.get("operation")
    if op is None:
        key = relay.RelayKey(case["rkid"], bytes.fromhex(case["relayKey"]))
        value = case["value"].encode()
        sealed = key.seal_with_iv(value, case["aud"], bytes.fromhex(case["sealIv"]))
        assert sealed == case["sealed"]
        registered = relay.register(case["recipientJwk"])
        assert registered.rid == case["rid"]
        assert registered.to_jwk()["n"] == case["recipientJwk"]["n"]
        server = relay.RelayServer(key)
        accepted = server.decrypt_request(
            case["request"], {registered.rid: registered}, set(), now_ms=case["now"] * 1000
        )
        assert accepted.jti == case["jti"]
        assert accepted.rid == case["rid"]
        assert accepted.effect.op == "put"
        assert accepted.effect.key == "sw:v1:relay:jti:" + case["jti"]
        assert accepted.effect.ttl_seconds == 600
        recipient = relay.Recipient.from_pkcs8_der(bytes.fromhex(case["recipientPrivateKeyPkcs8"]))
        assert recipient.rid == case["rid"]
        assert recipient.open_response(accepted.response) == value
        assert recipient.open_response(case["response"]) == value
        # The same request again is a replay.
        expect_error(
            "REPLAY",
            lambda: server.decrypt_request(
                case["request"], {registered.rid: registered}, {case["jti"]}, case["now"] * 1000
            ),
        )
        return
    code = case["expectedError"]
    if op == "register":
        expect_error(code, lambda: relay.register(case["recipientJwk"]))
    elif op == "serverDecrypt":
        registered = relay.register(case["recipientJwk"])
        seen = set(case["seenJtis"])
        expect_error(
            code,
            lambda: relay_server(case).decrypt_request(
                case["request"], {registered.rid: registered}, seen, case["now"] * 1000
            ),
        )
    elif op == "recipientOpen":
        recipient = relay.Recipient.from_pkcs8_der(bytes.fromhex(case["recipientPrivateKeyPkcs8"]))
        assert recipient.jwk()["n"] == case["recipientJwk"]["n"]
        expect_error(code, lambda: recipient.open_response(case["response"]))
    else:
        pytest.fail(f"relay.json: unknown operation {op!r}")


REPLAYERS: dict[str, Callable[[Case], None]] = {
    "relay": replay_relay,
}


def all_cases() -> list[Any]:
    params: list[Any] = []
    for path in sorted(VECTORS.glob("*.json")):
        data = json.loads(path.read_text())
        assert data["protocol"] == path.stem
        assert data["specVersion"] == 1
        assert data["cases"], f"{path.name} has no cases"
        for i, case in enumerate(data["cases"]):
            params.append(pytest.param(path.stem, case, id=f"{path.stem}[{i}] {case['name']}"))
    return params


CASES = all_cases()


def test_every_vector_file_is_replayed() -> None:
    files = {p.stem for p in VECTORS.glob("*.json")}
    assert files, "no test-vectors/*.json found"
    assert files <= set(REPLAYERS), f"no Python replayer for {sorted(files - set(REPLAYERS))}"


@pytest.mark.parametrize("stem,case", CASES)
def test_vector_case(stem: str, case: Case) -> None:
    replayer = REPLAYERS.get(stem)
    if replayer is None:
        pytest.fail(f"no Python replayer for test-vectors/{stem}.json")
    replayer(case)


def test_vector_dir_exists() -> None:
    assert isinstance(VECTORS, pathlib.Path) and VECTORS.is_dir()
