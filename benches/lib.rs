//! Benchmarks live in `benches/benches/*.rs`; run `cargo bench -p sealwright-benches`.
