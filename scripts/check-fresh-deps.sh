#!/usr/bin/env bash
# Builds `sealwright` the way a new user's project does: a scratch crate in a temporary
# directory OUTSIDE this workspace depends on `sealwright` by path (default features) with a
# FRESH Cargo.lock, i.e. whatever the registry serves today for our version requirements, not
# the versions pinned in our Cargo.lock (which is never copied). It is compiled with
# RUSTFLAGS="-D warnings", so a dependency release that breaks our build or makes us use a
# deprecated API (a warning in `sealwright`, a path dependency whose lints cargo does not cap)
# fails here before a user sees it; its tiny `main` calls one API per protocol and runs.
#
# Run it whenever dependencies change (a Cargo.toml requirement, `cargo update`, a new
# release of a direct dependency). It is NOT part of CI or scripts/test-all.sh: its result
# depends on what the registry serves that day, not only on this repository.
#
# Usage: bash scripts/check-fresh-deps.sh
#   SEALWRIGHT_FRESH_TARGET  target directory (default ~/.cache/sealwright-fresh-deps-target;
#                            kept between runs: RUSTFLAGS differ from the workspace build's,
#                            so sharing its target dir would rebuild everything both ways)
#   KEEP_SCRATCH=1           keep the scratch crate (its path is printed)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${SEALWRIGHT_FRESH_TARGET:-$HOME/.cache/sealwright-fresh-deps-target}"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/sealwright-fresh-deps.XXXXXX")"
if [ "${KEEP_SCRATCH:-0}" != 1 ]; then
  trap 'rm -rf "$scratch"' EXIT
fi
case "$scratch" in
  "$root"/*) echo "the scratch crate must be outside the workspace: $scratch" >&2; exit 1 ;;
esac

mkdir -p "$scratch/src"
cat >"$scratch/Cargo.toml" <<EOF
# Scratch crate of scripts/check-fresh-deps.sh: a downstream user of sealwright.
[package]
name = "sealwright-fresh-deps-check"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
sealwright = { path = "$root/crates/sealwright" }
rand_core = "0.10"
getrandom = { version = "0.4", features = ["sys_rng"] }
EOF

cat >"$scratch/src/main.rs" <<'EOF'
//! One cheap call per protocol, with the OS RNG a user would pass.
use rand_core::UnwrapErr;
use sealwright::attendance::Config;
use sealwright::attendance::login::issue_login_nonce;
use sealwright::effect::StoreSealer;
use sealwright::handshake::PrimaryKey;
use sealwright::relay::RelayKey;
use sealwright::secret::SecretKey32;
use sealwright::shares::WalletKey;
use sealwright::vault::KdfParams;

fn main() -> Result<(), sealwright::Error> {
    let mut rng = UnwrapErr(getrandom::SysRng);
    // Relay (spec §1): seal a value under a fresh relay key.
    let sealed = RelayKey::generate("rk1", &mut rng)?.seal(b"value", None, &mut rng)?;
    // Handshake (spec §2): a client's primary key.
    let _primary = PrimaryKey::generate(&mut rng);
    // Shares (spec §3): a wallet key and its EIP-55 address.
    let address = WalletKey::generate(&mut rng)?.address();
    // Vault (spec §4): the default KDF parameters pass the limits.
    KdfParams::DEFAULT.check()?;
    // Attendance (spec §5): login step 1.
    let sealer = StoreSealer::new(&SecretKey32::random(&mut rng))?;
    let (_nonce, effects) = issue_login_nonce("alice", &sealer, &Config::default(), 0, &mut rng)?
        .into_parts();
    println!(
        "ok: sealed {} chars, wallet {address}, {} login effect(s)",
        sealed.len(),
        effects.len()
    );
    Ok(())
}
EOF

export CARGO_TARGET_DIR="$target"
export RUSTFLAGS="-D warnings"
cd "$scratch"
echo "==> fresh resolution (no lock copied) in $scratch"
cargo generate-lockfile
echo "==> versions resolved today for sealwright's direct dependencies"
cargo tree --depth 2 -e normal --prefix none | sort -u | grep -v '^sealwright-fresh-deps-check' || true
echo "==> cargo build with RUSTFLAGS='$RUSTFLAGS' (target $CARGO_TARGET_DIR)"
cargo build
echo "==> run"
cargo run -q
echo "fresh-deps check passed"
