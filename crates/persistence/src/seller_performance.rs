//! Monthly performance figures of seller accounts, as the portal reports them: one row per
//! account and month (`YYYY-MM`), overwritten when the portal sends the month again.

use crate::error::DbError;
use crate::schema::seller_performance;
use crate::stored::Stored;
use crate::{DbConnection, Timestamp};
use diesel::prelude::*;
use ironfield_domain::calendar::Period;
use ironfield_domain::ids::SellerAccountId;

// `treat_none_as_null`: NULL (the column has no default) rather than DEFAULT, which SQLite's
// multi-row INSERT cannot take.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = seller_performance, treat_none_as_null = true)]
pub struct PerformanceRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub seller_account_id: SellerAccountId,
    /// The month (`YYYY-MM` text).
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub period: Period,
    pub inquiries: i64,
    pub orders: i64,
    pub gmv: i64,
    pub gmv_currency: String,
    pub active_listings: i64,
    pub buyer_response_rate: f64,
    pub last_seller_login_at: Option<Timestamp>,
    pub updated_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Stores the month's figures, replacing any sent before (the first creation time is kept),
/// and returns the stored row.
///
/// One `INSERT ... ON CONFLICT DO UPDATE` per backend: atomic, so two pushes of the same
/// month at once leave one row with one of the two bodies, never a unique-key error. The
/// multi-backend connection cannot express the upsert itself, hence the match.
pub fn upsert(conn: &mut DbConnection, row: &PerformanceRow) -> Result<PerformanceRow, DbError> {
    use seller_performance::dsl as p;
    macro_rules! upsert_on {
        ($c:expr) => {
            diesel::insert_into(seller_performance::table)
                .values(row.clone())
                .on_conflict((p::seller_account_id, p::period))
                .do_update()
                .set((
                    p::inquiries.eq(row.inquiries),
                    p::orders.eq(row.orders),
                    p::gmv.eq(row.gmv),
                    p::gmv_currency.eq(&row.gmv_currency),
                    p::active_listings.eq(row.active_listings),
                    p::buyer_response_rate.eq(row.buyer_response_rate),
                    p::last_seller_login_at.eq(row.last_seller_login_at),
                    p::updated_by.eq(&row.updated_by),
                    p::updated_at.eq(row.updated_at),
                ))
                .execute($c)
        };
    }
    match conn {
        DbConnection::Postgresql(c) => upsert_on!(c)?,
        DbConnection::Sqlite(c) => upsert_on!(c)?,
    };
    Ok(seller_performance::table
        .find((row.seller_account_id.as_str(), row.period.to_string()))
        .select(PerformanceRow::as_select())
        .first(conn)?)
}

/// One account's figures for the months `from..=to` (either end open), oldest first.
pub fn of_account(
    conn: &mut DbConnection,
    account_id: &SellerAccountId,
    from: Option<Period>,
    to: Option<Period>,
) -> Result<Vec<PerformanceRow>, DbError> {
    let mut query = seller_performance::table
        .filter(seller_performance::seller_account_id.eq(account_id.as_str().to_owned()))
        .select(PerformanceRow::as_select())
        .into_boxed();
    // `YYYY-MM` text sorts as the months do.
    if let Some(from) = from {
        query = query.filter(seller_performance::period.ge(Stored::from(from)));
    }
    if let Some(to) = to {
        query = query.filter(seller_performance::period.le(Stored::from(to)));
    }
    Ok(query.order(seller_performance::period.asc()).load(conn)?)
}

/// Rows one request may write to the table: the bulk endpoint's limit, and one batch of the
/// demo seeder.
pub const MAX_BATCH: usize = 500;

/// Stores a new month's figures (the seeder's bulk load; the API upserts).
pub fn insert(conn: &mut DbConnection, row: &PerformanceRow) -> Result<(), DbError> {
    // By value: typed fields (`Stored`) make diesel's insert owned-only.
    diesel::insert_into(seller_performance::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Columns of `seller_performance` (at the time of writing; see `BULK_BIND_PARAMETERS`).
const PERFORMANCE_COLUMNS: usize = 12;

/// Stores many months' figures with multi-row INSERTs (the seeder's bulk load).
pub fn insert_many(conn: &mut DbConnection, rows: &[PerformanceRow]) -> Result<(), DbError> {
    for chunk in rows.chunks(crate::BULK_BIND_PARAMETERS / PERFORMANCE_COLUMNS) {
        // Per backend: diesel's multi-connection has no multi-row INSERT of its own.
        let insert = diesel::insert_into(seller_performance::table).values(chunk.to_vec());
        match conn {
            DbConnection::Postgresql(conn) => insert.execute(conn)?,
            DbConnection::Sqlite(conn) => insert.execute(conn)?,
        };
    }
    Ok(())
}
