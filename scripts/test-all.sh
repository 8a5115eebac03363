#!/usr/bin/env bash
# Runs every test of sealwright, installing what it needs on a fresh machine first.
# Usage: bash scripts/test-all.sh        (the README's test command; CI runs exactly this)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sealwright-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# The Python extension builds in the same target directory (its release profile lives beside
# the debug one; dependencies checked for clippy are shared).
export SEALWRIGHT_PY_TARGET="${SEALWRIGHT_PY_TARGET:-$CARGO_TARGET_DIR}"
mkdir -p "$CARGO_TARGET_DIR"
# Each step prints its name, and the previous step's duration when the next one starts.
t_start=$(date +%s); t_step=$t_start; step_name=""
step_done() {
  local now; now=$(date +%s)
  if [ -n "$step_name" ]; then
    printf '    (%s: %ss)\n' "$step_name" "$((now - t_step))"
    durations+=("$(printf '%5ss  %s' "$((now - t_step))" "$step_name")")
  fi
  t_step=$now
}
durations=()
# A heartbeat while a step runs: a line every 50 s, so the command is never silent for a
# minute even when a tool is quiet (a long link, a test that runs for minutes).
heartbeat_pid=""
stop_heartbeat() { if [ -n "$heartbeat_pid" ]; then kill "$heartbeat_pid" 2>/dev/null || true; wait "$heartbeat_pid" 2>/dev/null || true; heartbeat_pid=""; fi; }
start_heartbeat() {
  local name="$1" since; since=$(date +%s)
  ( s=""; trap 'kill $s 2>/dev/null; exit 0' TERM
    while :; do sleep 50 & s=$!; wait "$s"
      printf '    ... still running: %s (%ss)\n' "$name" "$(( $(date +%s) - since ))"; done ) &
  heartbeat_pid=$!
}
trap stop_heartbeat EXIT
step() { stop_heartbeat; step_done; step_name="$*"; printf '\n==> %s\n' "$*"; start_heartbeat "$*"; }

step "toolchain pieces (wasm target, clippy, rustfmt)"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

step "docs/PROTOCOLS.md equals the shared spec"
shared_spec="$root/../shared/spec/PROTOCOLS.md"
if [ -f "$shared_spec" ]; then
  cmp "$root/docs/PROTOCOLS.md" "$shared_spec"
  echo "docs/PROTOCOLS.md is identical to ../shared/spec/PROTOCOLS.md"
elif [ "${CI:-}" = "true" ]; then
  echo "CI needs ../shared/spec/PROTOCOLS.md beside the clone" >&2; exit 1
else
  echo "(../shared not present here: spec comparison skipped)"
fi

step "rustfmt"
cargo fmt --all --check

step "clippy (all targets, all features, -D warnings)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "core builds for wasm32-unknown-unknown (all protocols, and each alone)"
cargo build -p sealwright --target wasm32-unknown-unknown
for f in relay handshake shares vault attendance; do
  cargo build -p sealwright --target wasm32-unknown-unknown --no-default-features --features "$f"
done
# AWS-LC is a native-only dependency: wasm32 builds use the pure-Rust `rsa` crate.
if cargo tree -q -p sealwright --target wasm32-unknown-unknown -e normal --prefix none | grep '^aws-lc' >/dev/null; then
  echo "aws-lc is in the wasm32 dependency tree" >&2; exit 1
fi
echo "wasm32 builds ok (no aws-lc in the wasm32 dependency tree)"

step "rustdoc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc -p sealwright --no-deps

step "Rust tests (default RSA backend: AWS-LC), vectors freshness included"
cargo test --workspace

step "conformance checker: sealwright-vectors verify test-vectors (only the §6 fields)"
cargo run -p sealwright-vectors -- verify test-vectors

step "Rust tests of the core on the pure-Rust RSA backend (test-only switch)"
cargo test -p sealwright --features pure-rsa-backend-for-tests

step "default features outside the workspace: no test-only items, RSA on AWS-LC"
bash scripts/default-features-check/check.sh

step "fuzz targets compile and pass their seed corpora"
cargo build --manifest-path fuzz/Cargo.toml --bins
# Each target runs once over its committed seeds (libFuzzer -runs=0: no mutation, seconds), so
# a target whose own checks reject a seed fails here, not on the first real fuzzing run.
# Fuzzing itself (cargo fuzz run, sanitizers) is the README's separate command.
fuzz_tmp="$(mktemp -d)"
seeds=0
for src in fuzz/fuzz_targets/*.rs; do
  name="$(basename "$src" .rs)"
  case "$name" in *_common) continue ;; esac
  [ -d "fuzz/corpus/$name" ] || continue
  "$CARGO_TARGET_DIR/debug/$name" -runs=0 -artifact_prefix="$fuzz_tmp/" "fuzz/corpus/$name" \
    >"$fuzz_tmp/$name.log" 2>&1 || { tail -40 "$fuzz_tmp/$name.log"; echo "fuzz target $name fails on its seed corpus" >&2; exit 1; }
  seeds=$((seeds + $(ls "fuzz/corpus/$name" | wc -l)))
done
rm -rf "$fuzz_tmp"
echo "fuzz targets build ok; $seeds seed inputs replayed"

if [ -f bindings/python/run-tests.sh ]; then
  step "Python package"
  bash bindings/python/run-tests.sh

  step "Python release wheel (built without test-utils) has no test-only names"
  bash bindings/python/check-release-build.sh
fi

if [ -f scripts/readme-blocks.py ]; then
  # Rust README blocks are doctests (they ran with the Rust tests); the Python ones run here,
  # each in a new interpreter of the package's venv, with a throwaway Redis where a block says so.
  step "README blocks: every Python block runs as written"
  "${SEALWRIGHT_VENV:-$HOME/.cache/sealwright-venv}/bin/python" scripts/readme-blocks.py
fi

step "the main job runs"
cargo run --example tour > "$CARGO_TARGET_DIR/tour.out"
tail -n 3 "$CARGO_TARGET_DIR/tour.out"

stop_heartbeat
step_done
printf '\nstep durations:\n'; printf '%s\n' "${durations[@]}"
printf 'total: %ss\n' "$(( $(date +%s) - t_start ))"
printf '\nall checks passed\n'
