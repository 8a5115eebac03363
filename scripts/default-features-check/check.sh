#!/usr/bin/env bash
# Checks that a downstream build of `sealwright` on its default features has none of the
# test-only items (caller-chosen nonce/IV/salt functions, scripted RNGs, backend switch) and
# uses AWS-LC for RSA. Builds the scratch crate beside this file, outside the root workspace
# (see its Cargo.toml), with `cargo rustc --profile check`, once per item:
#   * default features: the item must not resolve or be private (E0425/E0432/E0433/E0599/E0603),
#   * feature `test-utils` (control): the same code must compile, so a typo cannot pass.
# Usage: bash scripts/default-features-check/check.sh   (test-all.sh runs it)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sealwright-target}"
mkdir -p "$CARGO_TARGET_DIR"
# The workspace's exact dependency versions (and so its compiled artifacts); not committed.
cp "$root/Cargo.lock" "$here/Cargo.lock"

items=(aes_gcm_encrypt sealed_with_nonce seal_with_iv seal_with server_primary_key
  legacy_compat rng use_pure_backend_for_tests)
log="$CARGO_TARGET_DIR/default-features-check.log"
build() { cargo rustc -q --manifest-path "$here/Cargo.toml" --lib --profile check "$@"; }

echo "default features, outside the workspace: Backend::DEFAULT is AwsLc (const assertion)"
build
for item in "${items[@]}"; do
  if ! build --features test-utils -- --cfg "item=\"$item\"" 2>"$log"; then
    cat "$log" >&2
    echo "control failed: '$item' does not compile even with test-utils" >&2
    exit 1
  fi
  if build -- --cfg "item=\"$item\"" 2>"$log"; then
    echo "'$item' is reachable on sealwright's default features (must need test-utils)" >&2
    exit 1
  fi
  if ! grep -Eq 'error\[E0(425|432|433|599|603)\]' "$log"; then
    cat "$log" >&2
    echo "'$item': the default build failed for another reason than the item being absent" >&2
    exit 1
  fi
  echo "ok: $item is absent on default features and present with test-utils"
done
