#!/usr/bin/env bash
# Builds the sealwright Python package and runs its checks (mypy --strict, pytest).
# Works on a fresh machine with Rust and Python 3.9+: creates/reuses a venv, installs the
# tools, installs Debian redis-server if missing (root), builds the extension incrementally.
# Usage: bash bindings/python/run-tests.sh [extra pytest args]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${SEALWRIGHT_VENV:-$HOME/.cache/sealwright-venv}"
export CARGO_TARGET_DIR="${SEALWRIGHT_PY_TARGET:-$HOME/.cache/sealwright-py-target}"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
py="$venv/bin/python"
if ! { [ -x "$venv/bin/maturin" ] && "$py" -c "import pytest, mypy, redis" 2>/dev/null; }; then
  "$py" -m pip install -q --upgrade pip
  "$py" -m pip install -q maturin pytest mypy redis
fi

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server
  else
    echo "redis-server missing and cannot be installed (need root + apt-get)" >&2
    exit 1
  fi
fi

echo "==> rustfmt and clippy of the binding crate (its own workspace, so the root checks skip it)"
(cd "$here" && cargo fmt --check && cargo clippy --all-targets -- -D warnings \
  && cargo clippy --all-targets --features test-utils -- -D warnings)

# The test build adds the cargo feature `test-utils` (one extra function that scripts the next
# RNG's bytes, so the vectors replay byte for byte); a shipped wheel never has it.
echo "==> building the extension (maturin develop --release --features test-utils, target $CARGO_TARGET_DIR)"
(cd "$here" && VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" "$venv/bin/maturin" develop --release --features test-utils)

echo "==> mypy --strict (tests, examples, package)"
(cd "$here" && "$venv/bin/mypy" --strict python/sealwright tests examples $( [ -f bench.py ] && echo bench.py ))

echo "==> pytest"
(cd "$here" && "$py" -m pytest -q "$@")
