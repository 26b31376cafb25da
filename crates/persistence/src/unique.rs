//! Which unique key refused a write, told exactly on both backends, so a caller matches the
//! key it expects (`leads (phone)`) and never a substring of an error message.
//!
//! - PostgreSQL names the table (`table_name`) and the key's columns in the error's detail:
//!   `Key (market, stall_no)=(...) already exists.`
//! - SQLite has only the message: `UNIQUE constraint failed: leads.market, leads.stall_no`.

use std::fmt;

/// The table and columns, in the key's order, of a violated unique constraint or primary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueKey {
    table: Option<String>,
    columns: Vec<String>,
    /// What the database said: the constraint's name (PostgreSQL) or the message (SQLite).
    said: String,
}

const SQLITE_PREFIX: &str = "UNIQUE constraint failed: ";

impl UniqueKey {
    /// Read from a database error's parts. `table`, `constraint` and `details` are what
    /// PostgreSQL reports; SQLite reports only `message`.
    pub(crate) fn read(
        message: &str,
        table: Option<&str>,
        constraint: Option<&str>,
        details: Option<&str>,
    ) -> Self {
        match message.strip_prefix(SQLITE_PREFIX) {
            Some(list) => Self::from_sqlite(message, list),
            None => UniqueKey {
                table: table.map(str::to_owned),
                columns: details.map(postgres_columns).unwrap_or_default(),
                said: constraint.unwrap_or(message).to_owned(),
            },
        }
    }

    /// `leads.market, leads.stall_no`: one table, its columns. An index on an expression is
    /// reported as `index 'name'` instead, which names no column.
    fn from_sqlite(message: &str, list: &str) -> Self {
        let mut table = None;
        let mut columns = Vec::new();
        for item in list.split(", ") {
            match item.split_once('.') {
                Some((t, column)) if table.is_none_or(|seen| seen == t) => {
                    table = Some(t);
                    columns.push(column.to_owned());
                }
                _ => {
                    table = None;
                    columns.clear();
                    break;
                }
            }
        }
        UniqueKey {
            table: table.map(str::to_owned),
            columns,
            said: message.to_owned(),
        }
    }

    /// Whether this is the unique key on exactly `columns` (in the key's order) of `table`.
    pub fn is(&self, table: &str, columns: &[&str]) -> bool {
        self.table.as_deref() == Some(table)
            && self
                .columns
                .iter()
                .map(String::as_str)
                .eq(columns.iter().copied())
    }
}

/// `Key (market, stall_no)=(A, 12) already exists.` → `["market", "stall_no"]`. The column
/// list ends at the first `)=(`: names cannot hold it, and the values come after.
fn postgres_columns(details: &str) -> Vec<String> {
    details
        .strip_prefix("Key (")
        .and_then(|rest| rest.split_once(")=("))
        .map(|(list, _)| list.split(", ").map(str::to_owned).collect())
        .unwrap_or_default()
}

impl fmt::Display for UniqueKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.said)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_names_the_table_and_columns_in_its_message() {
        let key = UniqueKey::read("UNIQUE constraint failed: leads.phone", None, None, None);
        assert!(key.is("leads", &["phone"]));
        assert!(!key.is("leads", &["id"]));
        assert!(!key.is("seller_accounts", &["phone"]));

        let pair = "UNIQUE constraint failed: leads.market, leads.stall_no";
        let key = UniqueKey::read(pair, None, None, None);
        assert!(key.is("leads", &["market", "stall_no"]));
        assert!(!key.is("leads", &["market"]));
        assert_eq!(key.to_string(), pair);
    }

    #[test]
    fn postgres_names_them_in_the_table_name_and_the_detail() {
        let key = UniqueKey::read(
            "duplicate key value violates unique constraint \"leads_open_stall_uq\"",
            Some("leads"),
            Some("leads_open_stall_uq"),
            Some("Key (market, stall_no)=(East (new)=(1), 12) already exists."),
        );
        assert!(key.is("leads", &["market", "stall_no"]));
        assert!(!key.is("leads", &["phone"]));
        assert_eq!(key.to_string(), "leads_open_stall_uq");

        let email = UniqueKey::read(
            "duplicate key value violates unique constraint \"users_email_key\"",
            Some("users"),
            Some("users_email_key"),
            Some("Key (email)=(a@b.cn) already exists."),
        );
        assert!(email.is("users", &["email"]));
    }

    #[test]
    fn a_key_without_columns_matches_nothing() {
        let key = UniqueKey::read(
            "UNIQUE constraint failed: index 'by_lower_name'",
            None,
            None,
            None,
        );
        assert!(!key.is("leads", &[]));
        let key = UniqueKey::read("duplicate key", Some("leads"), None, None);
        assert!(!key.is("leads", &["phone"]));
    }
}
