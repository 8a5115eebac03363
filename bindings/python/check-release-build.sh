#!/usr/bin/env bash
# Builds the wheel as shipped (release, WITHOUT the cargo feature `test-utils`) and checks that
# it has none of the test-only names listed in tests/hazmat_names.py (caller-chosen
# nonces/IVs/salts, raw secrets) and that `sealwright.TEST_UTILS` is False. The wheel is
# unpacked into a temporary directory put first on PYTHONPATH, so the test build installed in
# the venv by run-tests.sh stays in place. Run run-tests.sh first (it creates the venv).
# Usage: bash bindings/python/check-release-build.sh   (test-all.sh runs it)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${SEALWRIGHT_VENV:-$HOME/.cache/sealwright-venv}"
export CARGO_TARGET_DIR="${SEALWRIGHT_PY_TARGET:-$HOME/.cache/sealwright-py-target}"
py="$venv/bin/python"
[ -x "$venv/bin/maturin" ] || { echo "no venv with maturin at $venv: run run-tests.sh first" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "==> maturin build --release (no test-utils), target $CARGO_TARGET_DIR"
start=$(date +%s)
(cd "$here" && "$venv/bin/maturin" build --release -o "$tmp/wheel" >/dev/null)
echo "built in $(( $(date +%s) - start )) s"
"$py" -m zipfile -e "$tmp"/wheel/*.whl "$tmp/site"

echo "==> the shipped wheel has no test-only name"
PYTHONPATH="$tmp/site:$here/tests" "$py" - "$tmp/site" <<'PY'
import sys

import sealwright
import hazmat_names

assert sealwright.__file__.startswith(sys.argv[1]), sealwright.__file__
assert sealwright.TEST_UTILS is False, "the release wheel was built with test-utils"
found = hazmat_names.present()
assert not found, f"test-only names in the release wheel: {found}"
n = hazmat_names.expected_count()
print(f"ok: none of the {n} test-only names (functions, methods, parameters) is present")
PY
