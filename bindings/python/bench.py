"""Times the Python calls of each protocol's main operations beside the Rust criterion figures.

Usage: python bindings/python/bench.py  (after `cargo bench -p sealwright-benches` for the
Rust side; the criterion results are read from `<target>/criterion/**/new/`).

Targets (issue): a Python call at most 1.1x the Rust time for operations of 100 µs or more,
and less than 2 µs added per call for smaller ones.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import timeit
from typing import Callable, Optional

import sealwright  # noqa: F401  (imported first so a missing build fails loudly)

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
VECTORS = REPO / "test-vectors"

Bench = tuple[str, str, Callable[[], Callable[[], object]]]


def criterion_dirs() -> list[pathlib.Path]:
    dirs = []
    if os.environ.get("CARGO_TARGET_DIR"):
        dirs.append(pathlib.Path(os.environ["CARGO_TARGET_DIR"]) / "criterion")
    dirs.append(REPO / "target" / "criterion")
    dirs.append(pathlib.Path.home() / ".cache" / "sealwright-target" / "criterion")
    return [d for d in dirs if d.is_dir()]


def rust_estimates() -> dict[str, float]:
    """full criterion id -> mean time in ns (first directory that has it wins)."""
    found: dict[str, float] = {}
    for root in criterion_dirs():
        for est in root.glob("**/new/estimates.json"):
            meta = est.parent / "benchmark.json"
            if not meta.is_file():
                continue
            full_id = json.loads(meta.read_text())["full_id"]
            mean = json.loads(est.read_text())["mean"]["point_estimate"]
            found.setdefault(full_id, float(mean))
    return found


def vector(stem: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((VECTORS / f"{stem}.json").read_text())
    return data


def positive(stem: str) -> dict[str, object]:
    cases = vector(stem)["cases"]
    assert isinstance(cases, list)
    case: dict[str, object] = next(c for c in cases if "operation" not in c)
    return case


# --- benches: (label, criterion id pattern, setup returning the timed call) ----------------


def relay_server_decrypt() -> Callable[[], object]:
    from sealwright import relay

    recipient = relay.Recipient.from_pkcs8_der(
        bytes.fromhex(str(positive("relay")["recipientPrivateKeyPkcs8"]))
    )
    server = relay.RelayServer(relay.RelayKey.generate("rk"))
    keys = {recipient.rid: recipient.public_key()}
    request = recipient.request(server.seal(b"x" * 64))
    empty: set[str] = set()
    return lambda: server.decrypt_request(request, keys, empty)


def relay_recipient_open() -> Callable[[], object]:
    from sealwright import relay

    recipient = relay.Recipient.from_pkcs8_der(
        bytes.fromhex(str(positive("relay")["recipientPrivateKeyPkcs8"]))
    )
    server = relay.RelayServer(relay.RelayKey.generate("rk"))
    keys = {recipient.rid: recipient.public_key()}
    response = server.decrypt_request(recipient.request(server.seal(b"x" * 64)), keys, set()).response
    return lambda: recipient.open_response(response)


BENCHES: list[Bench] = [
    ("relay server decrypt_request", r"^relay/\w+/server_decrypt_request$", relay_server_decrypt),
    ("relay recipient open_response", r"^relay/\w+/recipient_open_response$", relay_recipient_open),
]


def time_call(call: Callable[[], object]) -> float:
    """Best-of-5 mean seconds per call."""
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=5, number=number)) / number


def fmt(ns: float) -> str:
    return f"{ns / 1000:10.1f} µs" if ns >= 1000 else f"{ns:10.0f} ns"


def verdict(py_ns: float, rust_ns: Optional[float]) -> str:
    if rust_ns is None:
        return "run cargo bench first"
    if rust_ns >= 100_000:
        ratio = py_ns / rust_ns
        return f"{ratio:.2f}x ({'ok' if ratio <= 1.1 else 'over'} 1.1x target)"
    added = py_ns - rust_ns
    return f"+{added / 1000:.2f} µs/call ({'ok' if added < 2000 else 'over'} 2 µs target)"


def main() -> None:
    rust = rust_estimates()
    if not rust:
        print("no criterion results found: run cargo bench first "
              "(cargo bench -p sealwright-benches)")
    print(f"{'operation':40} {'python':>13} {'rust':>13}  verdict")
    for label, pattern, setup in BENCHES:
        py_ns = time_call(setup()) * 1e9
        matches = sorted(k for k in rust if re.search(pattern, k))
        rust_ns = rust[matches[0]] if matches else None
        rust_txt = fmt(rust_ns) if rust_ns is not None else f"{'-':>13}"
        where = f" [{matches[0]}]" if matches else ""
        print(f"{label:40} {fmt(py_ns)} {rust_txt}  {verdict(py_ns, rust_ns)}{where}")


if __name__ == "__main__":
    main()
