"""Exception classes: one per spec code, generated from the core's list."""

from __future__ import annotations

import pytest

import sealwright
from sealwright import relay


def test_one_subclass_per_code_matches_core_list() -> None:
    assert len(sealwright.ERROR_CODES) == 33
    for name, code, message in sealwright.ERROR_CODES:
        cls = getattr(sealwright, name)
        assert issubclass(cls, sealwright.SealwrightError)
        assert issubclass(cls, Exception)
        assert cls.code == code
        assert cls.__module__ == "sealwright"
        assert name in sealwright.__all__
        assert message
    # The static re-export list (and the stub) name exactly the core's classes.
    exported = {n for n in sealwright.__all__ if isinstance(getattr(sealwright, n), type)}
    exported -= {"Effect", "Step", "StoreSealer", "SealwrightError"}
    assert exported == {name for name, _, _ in sealwright.ERROR_CODES}


def test_stub_lists_every_error_class() -> None:
    import ast
    import pathlib

    stub = ast.parse((pathlib.Path(sealwright.__file__).parent / "_native.pyi").read_text())
    bases = {
        node.name: [b.id for b in node.bases if isinstance(b, ast.Name)]
        for node in stub.body
        if isinstance(node, ast.ClassDef)
    }
    for name, _, _ in sealwright.ERROR_CODES:
        assert bases.get(name) == ["SealwrightError"], name


def test_raised_error_carries_code_and_message() -> None:
    with pytest.raises(sealwright.KeyRejected) as info:
        relay.register({"kty": "EC"})
    err = info.value
    assert err.code == "KEY_REJECTED"
    assert isinstance(err, sealwright.SealwrightError)
    assert str(err).startswith("KEY_REJECTED: ")


def test_catch_by_base_class() -> None:
    try:
        relay.register("not json")
    except sealwright.SealwrightError as e:
        assert e.code == "INVALID_INPUT"
        assert isinstance(e, sealwright.InvalidInput)
    else:
        pytest.fail("no error raised")


def test_submodules_import_both_ways() -> None:
    import subprocess
    import sys

    code = (
        "import sealwright.relay\n"
        "from sealwright.relay import RelayServer, register\n"
        "assert sealwright.relay.RelayServer is RelayServer\n"
        "assert RelayServer.__module__ == 'sealwright.relay'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
