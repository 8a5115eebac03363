"""Malformed input to EVERY public entry point of every protocol: each public function,
constructor, static method and instance method (found by introspection, so a new entry point
is covered without editing this file) is called with malformed values in every argument
position. Only a SealwrightError subclass or a TypeError (a wrong Python type) may come out:
no Rust panic, no other exception."""

from __future__ import annotations

import inspect
import os
from typing import Any, Callable

import sealwright
from sealwright import attendance, handshake, relay, shares, vault

from helpers import MemoryStore, positive_case

SEALER = sealwright.StoreSealer(os.urandom(32))
T0 = 1_767_225_600_000
HS = positive_case("handshake")
RELAY = positive_case("relay")
SHARES = positive_case("shares")

# Argument values: malformed strings, bytes, JSON-ish objects, small ints and None.
VALUES: list[Any] = [
    "",
    "\x00",
    "é" * 200,
    "a.b.c",
    "{}",
    "sw2.",
    "SW1:",
    b"",
    b"\xff" * 16,
    b"\x00" * 32,
    b"\x01" * 33,
    {},
    {"v": 1},
    [],
    0,
    3,
    None,
]

# One valid instance of every class whose methods take input.
_recipient = relay.Recipient.from_pkcs8_der(bytes.fromhex(RELAY["recipientPrivateKeyPkcs8"]))
_hs_keys = handshake.ServerKeys(bytes.fromhex(HS["serverRsaPrivateKeyPkcs8"]), os.urandom(32), os.urandom(32))


def _hs_client(state: str) -> handshake.HandshakeClient:
    client = handshake.HandshakeClient("dev", handshake.PrimaryKey.generate(), _hs_keys.public_key_der())
    if state == "new":
        return client
    request = client.start()
    if state == "awaiting_handshake":
        return client
    response, _ = handshake.server_handshake(_hs_keys, request, [None, None], T0)
    client.finish(response)
    return client


def _opened() -> handshake.Opened:
    client = handshake.HandshakeClient("dev2", handshake.PrimaryKey.generate(), _hs_keys.public_key_der())
    response, effects = handshake.server_handshake(_hs_keys, client.start(), [None, None], T0)
    client.finish(response)
    stored = {e.key: e.value for e in effects}
    request = client.send(b"m")
    names = handshake.process_store_keys(request)
    opened, _ = handshake.server_open(_hs_keys, request, [stored.get(k) for k in names.as_list()], T0)
    assert isinstance(opened, handshake.Opened)
    return opened


def _att_keys() -> attendance.SessionKeys:
    return attendance.SessionKeys.from_session_key("u", os.urandom(32))


def _opened_response() -> attendance.OpenedResponse:
    keys = _att_keys()
    issued = attendance.issue_round(keys, bytes(32), "s", 1, T0)
    qr = attendance.try_qr(keys, issued.qr_text)
    return attendance.open_response(keys, attendance.respond(keys, qr, T0), T0)


def _shares_flow() -> tuple[shares.LoadedSplit, shares.MovePending]:
    """A created wallet's loaded pointer and a recovery waiting for its move's outcome."""
    if not _SHARES_FLOW:
        hot, cold = MemoryStore(), MemoryStore()
        created, effects = shares.create("pw", SEALER)
        assert hot.apply([e for e in effects if e.store == "main"], 0)
        assert cold.apply([e for e in effects if e.store == "cold"], 0)
        current = hot.get(shares.current_key(created.address), 0)
        split = shares.LoadedSplit.open(SEALER, created.address, current)
        staged, _ = split.stage("pw", SEALER, hot.get(split.hot_key, 0), cold.get(split.cold_key, 0))
        moving, _ = staged.move_pointer()
        _SHARES_FLOW.append((split, moving))
    return _SHARES_FLOW[0]


_SHARES_FLOW: list[tuple[shares.LoadedSplit, shares.MovePending]] = []

INSTANCES: dict[type, Callable[[], list[object]]] = {
    sealwright.StoreSealer: lambda: [SEALER],
    relay.Recipient: lambda: [_recipient],
    relay.RelayKey: lambda: [relay.RelayKey.generate("rk")],
    relay.RelayServer: lambda: [relay.RelayServer(relay.RelayKey.generate("rk"), relay.RelaySigningKey.generate("sk"))],
    relay.RelaySigningKey: lambda: [relay.RelaySigningKey.generate("sk")],
    relay.RelayVerifyingKey: lambda: [relay.RelaySigningKey.generate("sk").verifying_key()],
    relay.DecryptionRequest: lambda: [_recipient.request("a.b.c.d.e", T0)],
    shares.WalletKey: lambda: [shares.WalletKey.generate()],
    shares.LoadedSplit: lambda: [_shares_flow()[0]],
    shares.MovePending: lambda: [_shares_flow()[1]],
    vault.UnlockedVault: lambda: [vault.create_vault("u", "pw", {"alg": "pbkdf2-sha256", "i": 600000})[1]],
    vault.LegacyKey: lambda: [vault.LegacyKey.from_server_secret("k", "u")],
    vault.VaultLogin: lambda: [vault.login("pw", bytes(16), {"alg": "pbkdf2-sha256", "i": 600000})],
    vault.PasswordVerifier: lambda: [vault.PasswordVerifier.create("pw", 100000)],
    vault.VaultServerRecord: lambda: [vault.create_vault("u", "pw", {"alg": "pbkdf2-sha256", "i": 600000})[0].server],
    handshake.HandshakeClient: lambda: [_hs_client(s) for s in ("new", "awaiting_handshake", "established")],
    handshake.Opened: lambda: [_opened()],
    attendance.SessionKeys: lambda: [_att_keys()],
    attendance.ClientLogin: lambda: [attendance.ClientLogin("u", os.urandom(32))],
    attendance.ServerLogin: lambda: [attendance.server_login("u", os.urandom(32), attendance.ClientLogin("u", os.urandom(32)).client_public)],
    attendance.EnrollmentRecord: lambda: [attendance.EnrollmentRecord("u", os.urandom(16), b"k", bytes(16))],
    attendance.Totp: lambda: [attendance.Totp(os.urandom(32))],
    attendance.RoundMetadata: lambda: [attendance.RoundMetadata(T0, bytes(16))],
    attendance.QrPayload: lambda: [attendance.try_qr(k, attendance.issue_round(k, bytes(32), "s", 1, T0).qr_text) for k in [_att_keys()]],
    attendance.OpenedResponse: lambda: [_opened_response()],
    attendance.Projector: lambda: [attendance.Projector()],
    attendance.ClassSession: lambda: [attendance.ClassSession("s", bytes(32), SEALER)],
}

# Constructors/static methods that would run slow key generation on a valid input.
SLOW = {("Recipient", "generate"), ("ServerKeys", "generate")}


def call_all_positions(fn: Callable[..., object], label: str) -> int:
    try:
        params = [
            p for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "self"
        ]
    except (TypeError, ValueError):
        params = []
    calls = 0
    arity = len(params)
    for position in range(max(arity, 1)):
        for value in VALUES if arity else [None]:
            args = [VALUES[0]] * arity
            if arity:
                args[position] = value
            try:
                fn(*args)
            except (sealwright.SealwrightError, TypeError):
                pass
            except BaseException as e:  # noqa: BLE001 - PanicException derives from BaseException
                raise AssertionError(f"{label}{tuple(args)!r}: {type(e).__name__}: {e}") from e
            calls += 1
    return calls


def public_callables() -> list[tuple[str, Callable[..., object]]]:
    found: list[tuple[str, Callable[..., object]]] = []
    for module in (sealwright, relay, handshake, shares, vault, attendance):
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, BaseException):
                continue
            if isinstance(obj, type):
                found.append((f"{module.__name__}.{name}", obj))
                for attr, raw in vars(obj).items():
                    if attr.startswith("_") or (name, attr) in SLOW:
                        continue
                    if isinstance(raw, staticmethod) or type(raw).__name__ == "builtin_function_or_method":
                        found.append((f"{module.__name__}.{name}.{attr}", getattr(obj, attr)))
            elif callable(obj) and name != "apply_effects":
                found.append((f"{module.__name__}.{name}", obj))
    return found


def test_every_function_constructor_and_static_method() -> None:
    entries = public_callables()
    assert len(entries) > 60
    for label, fn in entries:
        call_all_positions(fn, label)


def test_every_instance_method() -> None:
    calls = 0
    for cls, make in INSTANCES.items():
        for attr, raw in vars(cls).items():
            if attr.startswith("_") or type(raw).__name__ != "method_descriptor":
                continue
            for instance in make():  # fresh instances: a state change (lock, close) stays local
                calls += call_all_positions(getattr(instance, attr), f"{cls.__name__}.{attr}")
    assert calls > 500
    # Every class with an input-taking method has an instance above.
    for module in (sealwright, relay, handshake, shares, vault, attendance):
        for name in module.__all__:
            obj = getattr(module, name)
            if not isinstance(obj, type) or issubclass(obj, BaseException):
                continue
            takes_input = [
                a for a, raw in vars(obj).items()
                if not a.startswith("_") and type(raw).__name__ == "method_descriptor"
                and len(inspect.signature(getattr(obj, a)).parameters) > 1
            ]
            if takes_input:
                assert obj in INSTANCES, f"{module.__name__}.{name} has input methods {takes_input} but no instance here"
