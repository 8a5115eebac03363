//! The committed `test-vectors/*.json` must equal a fresh generation (spec §6).

#[test]
fn committed_vectors_match_a_fresh_generation() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors");
    let files = sealwright_vectors::generate_all();
    for (name, text) in &files {
        let committed = std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}; run `cargo run -p sealwright-vectors`"));
        assert!(
            committed == *text,
            "{name} differs from a fresh generation; run `cargo run -p sealwright-vectors`"
        );
    }
    // Every committed file is produced by the generator (no orphans).
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") {
            assert!(
                files.iter().any(|(n, _)| *n == name),
                "{name} is not produced by the generator"
            );
        }
    }
}
