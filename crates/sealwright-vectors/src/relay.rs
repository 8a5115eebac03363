//! Vectors for the relay protocol (being implemented).

/// The files this module writes, as `(file name, text)`.
pub fn generate() -> Vec<(&'static str, String)> {
    Vec::new()
}
