//! Duplicate look-ups, written once for every kind of record a stall owner can be (an open
//! lead, a live seller account): one indexed query per identifier given, and each record found
//! once with every identifier it matched on. Each table says only which of its columns an
//! identifier is compared with.
//!
//! They search every team on purpose: a stall owner is a duplicate wherever they are stored.
//! What a caller may learn of one out of view is decided by the caller (`visible: false`).

use crate::error::DbError;

/// The identifiers a stall owner is recognised by.
#[derive(Debug, Default, Clone)]
pub struct Identifiers {
    pub phone: Option<String>,
    pub wechat_id: Option<String>,
    pub business_license_no: Option<String>,
    pub market: Option<String>,
    pub stall_no: Option<String>,
}

/// One identifier to look up.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Key<'a> {
    Phone(&'a str),
    Wechat(&'a str),
    License(&'a str),
    /// A stall is a market and a stall number together.
    Stall(&'a str, &'a str),
}

impl Key<'_> {
    /// The name a match on this identifier is reported by (`matched_on`).
    fn name(self) -> &'static str {
        match self {
            Key::Phone(_) => "phone",
            Key::Wechat(_) => "wechat_id",
            Key::License(_) => "business_license_no",
            Key::Stall(..) => "stall",
        }
    }
}

impl Identifiers {
    /// The identifiers given, in the order matches are reported.
    fn keys(&self) -> Vec<Key<'_>> {
        let mut keys = Vec::new();
        keys.extend(self.phone.as_deref().map(Key::Phone));
        keys.extend(self.wechat_id.as_deref().map(Key::Wechat));
        keys.extend(self.business_license_no.as_deref().map(Key::License));
        if let (Some(market), Some(stall)) = (&self.market, &self.stall_no) {
            keys.push(Key::Stall(market, stall));
        }
        keys
    }
}

/// At most this many records per identifier: enough to show, and the answer stays small.
pub(crate) const PER_KEY: i64 = 5;

/// The records `load` finds for each of `ids`' identifiers, each once, with the identifiers
/// it matched on.
pub(crate) fn matches<R>(
    ids: &Identifiers,
    id_of: impl Fn(&R) -> &str,
    mut load: impl FnMut(Key<'_>) -> Result<Vec<R>, DbError>,
) -> Result<Vec<(R, Vec<&'static str>)>, DbError> {
    let mut found: Vec<(R, Vec<&'static str>)> = Vec::new();
    for key in ids.keys() {
        for row in load(key)? {
            match found.iter_mut().find(|(r, _)| id_of(r) == id_of(&row)) {
                Some((_, matched)) => matched.push(key.name()),
                None => found.push((row, vec![key.name()])),
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_record_is_found_once_with_every_identifier_it_matched() {
        let ids = Identifiers {
            phone: Some("+8613800138000".into()),
            wechat_id: Some("XingChen".into()),
            market: Some("一区".into()),
            stall_no: None,
            ..Identifiers::default()
        };
        let found = matches(
            &ids,
            |r: &String| r.as_str(),
            |key| {
                Ok(match key {
                    Key::Phone(_) => vec!["a".to_owned(), "b".to_owned()],
                    Key::Wechat(_) => vec!["b".to_owned()],
                    other => panic!("not given: {other:?}"),
                })
            },
        )
        .unwrap();
        assert_eq!(
            found,
            vec![
                ("a".to_owned(), vec!["phone"]),
                ("b".to_owned(), vec!["phone", "wechat_id"]),
            ]
        );
    }
}
