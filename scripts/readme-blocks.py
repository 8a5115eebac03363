#!/usr/bin/env python3
"""Runs every code block of the READMEs as written, so no example can rot.

Blocks are the fenced blocks of README.md and bindings/*/README.md; each is handled by the
language of its fence:

* ``python``: run verbatim, each in a new interpreter (``--python``, default: this one) with
  the repository root as working directory. A block whose first line is
  ``# needs Redis: REDIS_URL`` must read ``os.environ["REDIS_URL"]``; it gets the URL of a
  throwaway redis-server started for it alone on a free loopback port. Other blocks run
  without REDIS_URL.
* ``rust``: a doctest of the crate (``crates/sealwright/src/lib.rs`` includes each README with
  ``#[doc = include_str!(...)]``), run by ``cargo test -p sealwright --doc``. Checked here: the
  README is included, the fence has no rustdoc attribute (``ignore``, ``no_run``, ...), no
  hidden ``# `` line, and ``?`` only with a visible ``fn main() -> Result`` or a visible final
  ``Ok::<(), ...>(())``.
* ``sh``, ``toml``, ``text``: shown, not run (commands a reader types, configuration, a layout).

Any other fence, an unlabeled one included, is an error: a new block cannot be skipped
silently. Needs only the standard library; the interpreter that runs the blocks needs the
``sealwright`` package and redis-py, and ``redis-server`` must be on PATH for Redis blocks.

Usage: python scripts/readme-blocks.py [--list] [--check-only] [--python PY]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Iterator, Optional

ROOT = pathlib.Path(__file__).resolve().parents[1]
LIB_RS = ROOT / "crates" / "sealwright" / "src" / "lib.rs"
REDIS_MARKER = "# needs Redis: REDIS_URL"
SHOWN_ONLY = {"sh", "toml", "text"}
FENCE = re.compile(r"^(\s*)(```+|~~~+)(.*)$")


@dataclass
class Block:
    readme: pathlib.Path
    line: int  # 1-based line of the opening fence
    lang: str  # the fence's info string, stripped
    code: str

    @property
    def name(self) -> str:
        return f"{self.readme.relative_to(ROOT)}:{self.line}"

    @property
    def needs_redis(self) -> bool:
        return self.code.splitlines()[0].strip().startswith(REDIS_MARKER) if self.code else False

    def how(self) -> str:
        if self.lang == "python":
            redis = " + throwaway redis-server (REDIS_URL)" if self.needs_redis else ""
            return f"run verbatim in a new interpreter{redis}"
        if self.lang == "rust":
            return "doctest: cargo test -p sealwright --doc (README included by lib.rs)"
        return "shown only (not run)"


def readmes() -> list[pathlib.Path]:
    return [ROOT / "README.md", *sorted(ROOT.glob("bindings/*/README.md"))]


def is_closing(line: str, fence: str) -> bool:
    s = line.strip()
    return bool(s) and set(s) == {fence[0]} and len(s) >= len(fence)


def blocks(readme: pathlib.Path) -> Iterator[Block]:
    lines = readme.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.groups()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not is_closing(lines[i], fence):
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1  # the closing fence
        yield Block(readme, start + 1, info.strip(), "\n".join(body) + "\n")


def all_blocks() -> list[Block]:
    return [b for r in readmes() for b in blocks(r)]


def problems(found: list[Block]) -> list[str]:
    """Everything that would let a block go unrun or mislead a reader."""
    out: list[str] = []
    lib = LIB_RS.read_text(encoding="utf-8")
    for readme in readmes():
        rel = readme.relative_to(ROOT).as_posix()
        if f'include_str!("../../../{rel}")' not in lib:
            out.append(f"{rel}: not included by {LIB_RS.relative_to(ROOT)} as a doctest")
    for b in found:
        if b.lang == "python":
            uses_redis = re.search(r"^\s*import redis|^\s*from redis", b.code, re.M) is not None
            if uses_redis and not b.needs_redis:
                out.append(f"{b.name}: uses redis but does not start with '{REDIS_MARKER}'")
            if b.needs_redis and 'os.environ["REDIS_URL"]' not in b.code:
                out.append(f'{b.name}: needs Redis but does not read os.environ["REDIS_URL"]')
        elif b.lang == "rust":
            lines = b.code.splitlines()
            hidden = [n for n, l in enumerate(lines, b.line + 1) if re.match(r"^\s*#(\s|$)", l)]
            if hidden:
                out.append(f"{b.name}: hidden doctest lines at {hidden} (a reader needs every line)")
            if "?" in b.code:
                last = [l for l in lines if l.strip()][-1].strip() if lines else ""
                if not re.search(r"fn main\(\)\s*->\s*(sealwright::)?Result", b.code) and not last.startswith("Ok::<"):
                    out.append(f"{b.name}: uses ? without a visible fn main() -> Result or final Ok::<(), _>(())")
        elif b.lang not in SHOWN_ONLY:
            out.append(
                f"{b.name}: fence '{b.lang or '(none)'}' is neither run (python, rust) nor "
                f"shown-only ({', '.join(sorted(SHOWN_ONLY))}); label it"
            )
    return out


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A redis-server on a free loopback port, no persistence, for one block."""

    def __init__(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            raise SystemExit("redis-server is not on PATH (bindings/python/run-tests.sh installs it)")
        self.port = free_port()
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not redis_ping(self.port):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise SystemExit(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def run_python(block: Block, python: str, tmp: pathlib.Path) -> tuple[bool, str]:
    """Runs `block` verbatim in a new interpreter; returns (passed, output)."""
    script = tmp / f"{block.readme.parent.name or 'root'}_{block.line}.py"
    script.write_text(block.code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    server: Optional[RedisServer] = RedisServer() if block.needs_redis else None
    try:
        if server is not None:
            env["REDIS_URL"] = server.url
        done = subprocess.run(
            [python, str(script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
    finally:
        if server is not None:
            server.close()
    return done.returncode == 0, (done.stdout + done.stderr).strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--python", default=sys.executable, help="interpreter with sealwright and redis installed")
    ap.add_argument("--list", action="store_true", help="list every block and how it is executed")
    ap.add_argument("--check-only", action="store_true", help="check the blocks, run none")
    args = ap.parse_args()

    found = all_blocks()
    bad = problems(found)
    if args.list or bad:
        for b in found:
            print(f"{b.name:<34} {b.lang or '(none)':<7} {b.how()}")
    for p in bad:
        print(f"error: {p}", file=sys.stderr)
    if bad:
        return 1
    runnable = [b for b in found if b.lang == "python"]
    rust = sum(b.lang == "rust" for b in found)
    print(f"{len(found)} blocks: {len(runnable)} python (run here), {rust} rust (doctests), "
          f"{len(found) - len(runnable) - rust} shown only")
    if args.check_only or args.list:
        return 0

    failed = 0
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="readme-blocks-") as tmp:
        for b in runnable:
            t = time.monotonic()
            ok, output = run_python(b, args.python, pathlib.Path(tmp))
            note = " (Redis)" if b.needs_redis else ""
            print(f"{'ok  ' if ok else 'FAIL'} {b.name}{note}  {time.monotonic() - t:.1f} s", flush=True)
            if not ok:
                failed += 1
                print("\n".join("    " + line for line in output.splitlines()), file=sys.stderr)
    print(f"{len(runnable) - failed}/{len(runnable)} python blocks passed in {time.monotonic() - start:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
