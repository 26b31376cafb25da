//! Importing many leads at once: each row created exactly as one lead is (`create`), all in
//! the caller's one transaction: every row is stored, or none.

use super::{create, Created, LeadInput};
use crate::error::{ApiError, ErrorCode};
use crate::extract::Caller;
use diesel::Connection;
use ironfield_domain::{FieldError, ValidationErrors};
use ironfield_persistence::{DbConnection, DbError};
use std::collections::HashMap;

/// A row as read from the file: its number (from 1) and its lead, or why it could not be
/// read.
pub type ImportRow = (usize, Result<LeadInput, ValidationErrors>);

/// What the import did with one row.
#[derive(Debug)]
pub struct RowOutcome {
    pub row: usize,
    /// The lead's id (`None` in a dry run unless the row named its own), or the row's bad
    /// fields.
    pub result: Result<Option<String>, Vec<FieldError>>,
}

/// What an import did, row by row, in file order.
#[derive(Debug)]
pub struct Imported {
    pub dry_run: bool,
    /// Leads created (in a dry run, that would be); 0 when any row is invalid.
    pub created: usize,
    pub rows: Vec<RowOutcome>,
}

impl Imported {
    /// Whether any row was refused (then nothing is stored).
    pub fn any_invalid(&self) -> bool {
        self.rows.iter().any(|r| r.result.is_err())
    }
}

/// Why the import transaction is rolled back.
pub enum Abort {
    /// A dry run, or an invalid row: the report says what happened to each row.
    RolledBack(Imported),
    Failed(ApiError),
}

impl From<DbError> for Abort {
    fn from(error: DbError) -> Self {
        Abort::Failed(error.into())
    }
}

impl From<diesel::result::Error> for Abort {
    fn from(error: diesel::result::Error) -> Self {
        Abort::Failed(error.into())
    }
}

/// Creates a lead for each row in the caller's write transaction, each in a savepoint (a row
/// refused by the database itself must not poison the rows after it on PostgreSQL). `Ok`
/// when every row was created; otherwise, or in a dry run, `Abort::RolledBack` with the
/// report, and the caller rolls the transaction back. An error that is not about a row (the
/// database is down) is `Abort::Failed`.
pub fn import(
    conn: &mut DbConnection,
    caller: &Caller,
    rows: Vec<ImportRow>,
    dry_run: bool,
) -> Result<Imported, Abort> {
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut created = 0;
    // The rows that created each id, to explain a repeat within the file.
    let mut made: HashMap<String, usize> = HashMap::new();
    for (row, parsed) in rows {
        let supplied_id = parsed.as_ref().ok().and_then(|i| i.id.clone());
        let outcome = match parsed {
            Err(errors) => Err(errors.0),
            Ok(input) => match conn.transaction(|conn| create(conn, caller, input)) {
                Ok(Created::New(lead)) => Ok(lead.id.to_string()),
                Ok(Created::Existing(_)) => {
                    let message = match supplied_id.as_ref().and_then(|id| made.get(id)) {
                        Some(first) => format!("repeats the id of row {first}"),
                        None => "a lead with this id already exists".to_owned(),
                    };
                    Err(vec![FieldError {
                        field: "id".into(),
                        message,
                    }])
                }
                Err(error) => Err(row_errors(error)?),
            },
        };
        let result = match outcome {
            Ok(id) => {
                created += 1;
                made.insert(id.clone(), row);
                Ok((!dry_run || supplied_id.is_some()).then_some(id))
            }
            Err(errors) => Err(errors),
        };
        outcomes.push(RowOutcome { row, result });
    }
    let mut report = Imported {
        dry_run,
        created,
        rows: outcomes,
    };
    let any_invalid = report.any_invalid();
    if any_invalid {
        report.created = 0;
    }
    if dry_run || any_invalid {
        Err(Abort::RolledBack(report))
    } else {
        Ok(report)
    }
}

/// The bad fields of a refused row. Errors that are not about the row (the database is
/// down) stop the whole import.
fn row_errors(error: ApiError) -> Result<Vec<FieldError>, Abort> {
    let field = |name: &str, message: &str| FieldError {
        field: name.to_owned(),
        message: message.to_owned(),
    };
    Ok(match error.code {
        ErrorCode::ValidationFailed | ErrorCode::InvalidTransition if !error.errors.is_empty() => {
            error.errors
        }
        ErrorCode::ValidationFailed | ErrorCode::InvalidTransition => {
            vec![field("row", &error.detail)]
        }
        ErrorCode::Duplicate => {
            let matched: Vec<String> = error
                .existing
                .as_ref()
                .and_then(|e| e.get("matched_on"))
                .and_then(|m| m.as_array())
                .map(|m| {
                    m.iter()
                        .filter_map(|v| v.as_str())
                        .map(|v| if v == "stall" { "stall_no" } else { v }.to_owned())
                        .collect()
                })
                .unwrap_or_default();
            if matched.is_empty() {
                vec![field("row", &error.detail)]
            } else {
                matched
                    .iter()
                    .map(|name| field(name, &error.detail))
                    .collect()
            }
        }
        ErrorCode::Conflict => vec![field("id", &error.detail)],
        ErrorCode::Forbidden => vec![field("owner_id", &error.detail)],
        _ => return Err(Abort::Failed(error)),
    })
}
