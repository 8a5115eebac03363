"""What ``help()``, ``repr()``, ``inspect`` and an IDE show: public names, real defaults,
argument names in ``TypeError`` messages, and a docstring on every public stub name."""

from __future__ import annotations

import ast
import inspect
import os
import pathlib
import pydoc
import re
import sys
from types import BuiltinFunctionType, ModuleType
from typing import Any, Iterator

import pytest

import sealwright
from sealwright import _native, attendance, handshake, relay, shares, vault

from helpers import positive_case

PROTOCOLS: list[ModuleType] = [relay, handshake, shares, vault, attendance]
STUB = pathlib.Path(sealwright.__file__).parent / "_native.pyi"
SEALER = sealwright.StoreSealer(os.urandom(32))
HS = positive_case("handshake")
RELAY = positive_case("relay")


def _help(thing: Any) -> str:
    """The text ``help(thing)`` prints."""
    return pydoc.plain(pydoc.render_doc(thing))


def _short(module: ModuleType) -> str:
    return module.__name__.rsplit(".", 1)[1]


def _native_functions(module: ModuleType) -> Iterator[tuple[str, Any]]:
    for name in module.__all__:
        value = getattr(module, name)
        if isinstance(value, BuiltinFunctionType):
            yield name, value


def test_every_protocol_function_carries_its_public_name() -> None:
    count = 0
    for module in PROTOCOLS:
        for name, fn in _native_functions(module):
            assert fn.__name__ == name
            assert fn.__qualname__ == name
            assert fn.__module__ == module.__name__
            assert repr(fn) == f"<built-in function {name}>"
            # The native attribute it comes from is the prefixed one.
            assert getattr(_native, f"{_short(module)}_{name}") is fn
            count += 1
    assert count >= 40


def test_help_shows_public_names_only() -> None:
    for module in PROTOCOLS:
        text = _help(module)
        public = set(module.__all__)
        for name, _ in _native_functions(module):
            shown = re.search(rf"^    {name}\(", text, re.M)
            assert shown, f"{module.__name__}.{name} not in help()"
        prefix = f"{_short(module)}_"
        for native in dir(_native):
            if native.startswith(prefix) and native not in public:
                assert native not in text, f"help({module.__name__}) shows the native name {native}"
    text = _help(vault.unlock)
    assert "unlock(user_id, master_password, salt, kdf, wrapped_vault_key)" in text
    assert "vault_unlock" not in text


def test_protocol_functions_pickle_by_public_name() -> None:
    import pickle

    assert pickle.loads(pickle.dumps(vault.unlock)) is vault.unlock
    assert pickle.loads(pickle.dumps(handshake.server_handshake)) is handshake.server_handshake


def test_recipient_generate_shows_its_default() -> None:
    parameter = inspect.signature(relay.Recipient.generate).parameters["bits"]
    assert parameter.default == 4096
    assert "generate(bits=4096)" in _help(relay.Recipient.generate)


def _native_callables() -> Iterator[tuple[str, Any]]:
    for name in dir(_native):
        value = getattr(_native, name)
        if isinstance(value, BuiltinFunctionType):
            yield name, value
        elif isinstance(value, type) and value.__module__.startswith("sealwright"):
            if getattr(value, "__text_signature__", None):
                yield name, value
            for attr, member in vars(value).items():
                if callable(member) and getattr(member, "__text_signature__", None):
                    yield f"{name}.{attr}", getattr(value, attr)


def test_every_default_is_shown() -> None:
    """No native signature hides a default behind ``...`` (pyo3 renders only literals)."""
    checked = 0
    for name, fn in _native_callables():
        signature = inspect.signature(fn)
        for parameter in signature.parameters.values():
            assert parameter.default is not Ellipsis, f"{name}({parameter.name}=...)"
            checked += parameter.default is not inspect.Parameter.empty
    assert checked >= 30
    assert inspect.signature(vault.parse_kdf).parameters["check"].default is True
    iterations = inspect.signature(vault.PasswordVerifier.create).parameters["iterations"]
    assert iterations.default == 600_000
    assert inspect.signature(attendance.Config).parameters["frame_ms"].default == 500
    assert inspect.signature(attendance.Totp).parameters["algorithm"].default == "SHA256"


def _type_error(call: Any) -> str:
    """The message of the ``TypeError`` that ``call()`` raises, then its notes (PEP 678)."""
    with pytest.raises(TypeError) as info:
        call()
    return "\n".join([str(info.value), *getattr(info.value, "__notes__", [])])


def _server_keys() -> handshake.ServerKeys:
    return handshake.ServerKeys(
        bytes.fromhex(HS["serverRsaPrivateKeyPkcs8"]), os.urandom(32), os.urandom(32)
    )


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes need Python 3.11")
def test_pyo3_argument_errors_name_the_argument() -> None:
    """pyo3 0.30 names a wrongly typed argument in a note ("while processing 'salt'"), which a
    traceback prints under the message."""
    fast = {"alg": "pbkdf2-sha256", "i": 100_000}
    bad_salt: Any = "not bytes"
    assert "while processing 'salt'" in _type_error(
        lambda: vault.unlock("u", "pw", bad_salt, fast, "sw2k.x")
    )
    bad: Any = "4096"
    assert "'bits'" in _type_error(lambda: relay.Recipient.generate(bad))
    keys = _server_keys()
    assert "'records'" in _type_error(lambda: handshake.server_handshake(keys, {}, bad))
    assert "'sealer'" in _type_error(lambda: attendance.issue_login_nonce("u", bad))


def test_our_own_type_errors_name_the_argument() -> None:
    """Where the binding itself checks a type (callables, containers, pinned keys, the Python
    helpers), the message starts with the argument's name, on every Python version."""
    seven: Any = 7
    session = attendance.ClassSession("s", os.urandom(32), SEALER)
    message = _type_error(lambda: session.register("u", lambda k: seven, 0))
    assert message.startswith("load: must return bytes or None, not int")
    keys = _server_keys()
    text: Any = "text"
    message = _type_error(lambda: handshake.server_reenroll(keys, "dev", lambda k: text))
    assert message.startswith("load: must return bytes or None, not str")

    der = bytes.fromhex(RELAY["recipientPrivateKeyPkcs8"])
    recipient = relay.Recipient.from_pkcs8_der(der)
    open_response = recipient.open_response_for_jti
    assert _type_error(lambda: open_response("a.b.c.d.e", "j", seven)).startswith("pinned:")
    int_skid: Any = {1: "{}"}
    assert _type_error(lambda: open_response("a.b.c.d.e", "j", int_skid)).startswith("pinned:")
    server = relay.RelayServer(relay.RelayKey.generate("rk"), relay.RelaySigningKey.generate("sk"))
    request = recipient.request(server.seal(b"v")).jws
    message = _type_error(lambda: server.decrypt_request(request, seven, set()))
    assert message.startswith("recipients:")
    lookup = {recipient.rid: recipient.public_key()}
    assert _type_error(lambda: server.decrypt_request(request, lookup, seven)).startswith("seen:")

    not_effects: Any = ["x"]
    assert _type_error(lambda: sealwright.apply_effects(None, not_effects)).startswith("effects:")
    assert _type_error(lambda: shares.commit(None, None, not_effects)).startswith("effects:")
    address = "0x" + "00" * 20
    assert _type_error(lambda: shares.recover(None, None, "pw", address, SEALER)).startswith("hot:")


def _stub_definitions() -> Iterator[tuple[str, ast.AST, bool]]:
    """(qualified name, node, module level) of every public class, function, method and
    property of the stub (names starting with ``_`` are private or dunders)."""
    tree = ast.parse(STUB.read_text())
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and not node.name.startswith("_"):
            yield node.name, node, True
            if isinstance(node, ast.ClassDef):
                for member in node.body:
                    if isinstance(member, ast.FunctionDef) and not member.name.startswith("_"):
                        yield f"{node.name}.{member.name}", member, False


def test_every_public_stub_name_has_a_docstring() -> None:
    names = 0
    for name, node, top_level in _stub_definitions():
        assert isinstance(node, (ast.ClassDef, ast.FunctionDef))
        doc = ast.get_docstring(node)
        assert doc and doc.strip(), f"{name} has no docstring in _native.pyi"
        if top_level:
            assert "§" in doc, f"the docstring of {name} cites no spec section"
        names += 1
    assert names > 300


def test_stub_and_runtime_name_the_same_things() -> None:
    """Every stub class and function exists at run time (test builds have them all)."""
    assert sealwright.TEST_UTILS
    for name, _, top_level in _stub_definitions():
        if top_level:
            assert hasattr(_native, name), name
        else:
            owner, attr = name.split(".")
            assert hasattr(getattr(_native, owner), attr), name
