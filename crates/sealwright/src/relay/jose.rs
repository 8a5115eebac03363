//! Minimal JOSE compact-serialization helpers for the relay (RFC 7515 / RFC 7516), strict:
//! exact part counts, strict b64url, JSON-object headers.

use alloc::string::String;
use alloc::vec::Vec;
use serde_json::{Map, Value};

use crate::encoding::b64url_decode;

/// A decoded JSON object (a protected header or a payload).
pub(crate) type Object = Map<String, Value>;

/// Splits a compact serialization into exactly `N` dot-separated parts.
pub(crate) fn split<const N: usize>(compact: &str) -> Option<[&str; N]> {
    let mut out = [""; N];
    let mut it = compact.split('.');
    for slot in out.iter_mut() {
        *slot = it.next()?;
    }
    if it.next().is_some() {
        return None;
    }
    Some(out)
}

/// Decodes a b64url segment holding a JSON object.
pub(crate) fn b64_object(segment: &str) -> Option<Object> {
    let bytes = b64url_decode(segment).ok()?;
    json_object(&bytes)
}

/// Parses bytes as a JSON object.
pub(crate) fn json_object(bytes: &[u8]) -> Option<Object> {
    match serde_json::from_slice::<Value>(bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// A string member, if present and a string.
pub(crate) fn str_member<'a>(obj: &'a Object, name: &str) -> Option<&'a str> {
    obj.get(name).and_then(Value::as_str)
}

/// JSON string literal for `s`, with only the escaping JSON requires (spec §0).
pub(crate) fn json_string(s: &str) -> String {
    // Serializing a &str cannot fail; fall back to an empty literal rather than panic.
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

/// Joins parts with dots.
pub(crate) fn join(parts: &[&str]) -> String {
    let len = parts.iter().map(|p| p.len() + 1).sum();
    let mut out = String::with_capacity(len);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(p);
    }
    out
}

/// Splits `ciphertext || tag` (as AES-GCM returns it) into its two halves.
pub(crate) fn split_tag(mut ct_and_tag: Vec<u8>) -> Option<(Vec<u8>, Vec<u8>)> {
    let at = ct_and_tag.len().checked_sub(super::TAG_LEN)?;
    let tag = ct_and_tag.split_off(at);
    Some((ct_and_tag, tag))
}

/// `ciphertext || tag`.
pub(crate) fn concat(ct: &[u8], tag: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(ct.len().saturating_add(tag.len()));
    v.extend_from_slice(ct);
    v.extend_from_slice(tag);
    v
}
