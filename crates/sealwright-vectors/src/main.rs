//! `cargo run -p sealwright-vectors [--check] [DIR]`: writes (or, with `--check`, compares)
//! every `test-vectors/*.json` file from fixed seeds (spec §6).
//!
//! `cargo run -p sealwright-vectors -- verify DIR`: checks the vector files in `DIR`, written
//! by any implementation, reading only the §6 fields; prints `N passed, M failed`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("verify") {
        return verify(args.get(1..).unwrap_or_default());
    }
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

fn verify(args: &[String]) -> ExitCode {
    let [dir] = args else {
        eprintln!("usage: sealwright-vectors verify DIR");
        return ExitCode::from(2);
    };
    match sealwright_vectors::verify::verify_dir(std::path::Path::new(dir)) {
        Ok(report) => {
            for f in &report.failures {
                println!("FAIL {} {}: {}", f.file, f.case, f.reason);
            }
            println!("{} passed, {} failed", report.passed, report.failures.len());
            if report.failures.is_empty() && report.passed > 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
