//! `cargo run -p sealwright-vectors [--check] [DIR]`: writes (or, with `--check`, compares)
//! every `test-vectors/*.json` file from fixed seeds (spec §6).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors"))
        });
    let mut failed = false;
    for (name, text) in sealwright_vectors::generate_all() {
        let path = dir.join(name);
        if check {
            match std::fs::read_to_string(&path) {
                Ok(old) if old == text => println!("{name}: up to date"),
                _ => {
                    eprintln!("{name}: differs from a fresh generation");
                    failed = true;
                }
            }
        } else if let Err(e) = std::fs::write(&path, text) {
            eprintln!("{}: {e}", path.display());
            failed = true;
        } else {
            println!("wrote {}", path.display());
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
