//! Record identifiers.

use uuid::Uuid;

/// A new server-made id: UUID v7, so ids sort by creation time.
pub fn new_id() -> String {
    Uuid::now_v7().to_string()
}

/// Parses a client- or path-supplied id into its canonical (lower-case, hyphenated) form.
pub fn parse_id(raw: &str) -> Option<String> {
    Uuid::parse_str(raw).ok().map(|id| id.to_string())
}
