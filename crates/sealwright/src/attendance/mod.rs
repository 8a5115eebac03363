//! Spec: see docs/PROTOCOLS.md. (Being implemented.)
