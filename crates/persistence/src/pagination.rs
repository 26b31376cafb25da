//! Cursor pagination, written once.
//!
//! Rules: lists are ordered newest first by `(created_at DESC, id DESC)`, a total order, so a
//! page boundary never skips or repeats a row even when rows share a timestamp or new rows
//! arrive between pages. The cursor is the `(created_at, id)` of the last row served,
//! base64url-encoded JSON: opaque to clients, and checked when it comes back.

use crate::Timestamp;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// The position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "t")]
    pub created_at: Timestamp,
    #[serde(rename = "i")]
    pub id: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the cursor is not one this server issued")]
pub struct BadCursor;

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(text: &str) -> Result<Self, BadCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| BadCursor)?;
        serde_json::from_slice(&bytes).map_err(|_| BadCursor)
    }
}

/// One page's worth of request: how many rows, and after which.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<Cursor>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            after: None,
        }
    }
}

/// A page of results and where the next one starts (`None` on the last page).
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in list order: the extra row only
    /// says that there is a next page.
    pub fn from_rows(
        mut rows: Vec<T>,
        limit: i64,
        key: impl Fn(&T) -> (Timestamp, String),
    ) -> Page<T> {
        let limit = usize::try_from(limit).unwrap_or(0);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|last| {
                let (created_at, id) = key(last);
                Cursor { created_at, id }.encode()
            })
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// Applies keyset pagination to a boxed query over `$table` (which has `created_at` and `id`):
/// rows strictly after the cursor, newest first, `limit + 1` of them.
#[macro_export]
macro_rules! paginate {
    ($query:expr, $table:ident, $page:expr) => {{
        let mut query = $query;
        if let Some(cursor) = &$page.after {
            query = query.filter(
                $table::created_at
                    .lt(cursor.created_at)
                    .or($table::created_at
                        .eq(cursor.created_at)
                        .and($table::id.lt(cursor.id.clone()))),
            );
        }
        query
            .order(($table::created_at.desc(), $table::id.desc()))
            .limit($page.limit + 1)
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = Cursor {
            created_at: chrono::DateTime::from_timestamp(1_700_000_000, 123_000)
                .unwrap()
                .naive_utc(),
            id: "0193-abc".into(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        assert!(Cursor::decode("not a cursor").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode(b"{}")).is_err());
    }

    #[test]
    fn the_extra_row_makes_a_next_cursor() {
        let t = chrono::DateTime::from_timestamp(0, 0).unwrap().naive_utc();
        let page = Page::from_rows(vec![1, 2, 3], 2, |n| (t, n.to_string()));
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(
            Cursor::decode(page.next_cursor.as_deref().unwrap())
                .unwrap()
                .id,
            "2"
        );
        let last = Page::from_rows(vec![1, 2], 2, |n| (t, n.to_string()));
        assert!(last.next_cursor.is_none());
    }
}
