//! Visit logs: one row per market-stall visit, written from the phone.

use crate::error::DbError;
use crate::pagination::{Page, PageRequest};
use crate::schema::visits;
use crate::scope::{in_scope, TeamScope};
use crate::stored::{Stored, StoredOption};
use crate::{paginate, DbConnection, Timestamp};
use chrono::NaiveDate;
use diesel::prelude::*;
use ironfield_domain::ids::{LeadId, SellerAccountId, TeamId, UserId, VisitId};
use ironfield_domain::visit::{LocationCheck, Outcome, Purpose};
use std::collections::HashSet;

// No `Identifiable` (see `LeadRow`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = visits, treat_none_as_null = true)]
pub struct VisitRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub id: VisitId,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub rep_id: UserId,
    #[diesel(serialize_as = StoredOption, deserialize_as = StoredOption)]
    pub team_id: Option<TeamId>,
    #[diesel(serialize_as = StoredOption, deserialize_as = StoredOption)]
    pub lead_id: Option<LeadId>,
    #[diesel(serialize_as = StoredOption, deserialize_as = StoredOption)]
    pub seller_account_id: Option<SellerAccountId>,
    pub visited_at: Timestamp,
    /// The day of `visited_at` in the organisation's time zone.
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub business_date: NaiveDate,
    pub received_at: Timestamp,
    pub location_lat: Option<f64>,
    pub location_lng: Option<f64>,
    pub location_accuracy_m: Option<f64>,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub location_check: LocationCheck,
    pub market: Option<String>,
    pub district: Option<String>,
    pub stall_no: Option<String>,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub purpose: Purpose,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub outcome: Outcome,
    pub notes: Option<String>,
    pub next_follow_up_at: Option<Timestamp>,
    pub duration_minutes: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A visit as the phone sent it and the checks made it, before the facts only the
/// database knows (the organisation's time zone, the place visited) complete it into a row.
#[derive(Debug, Clone)]
pub struct NewVisit {
    pub id: VisitId,
    pub rep_id: UserId,
    pub team_id: Option<TeamId>,
    pub lead_id: Option<LeadId>,
    pub seller_account_id: Option<SellerAccountId>,
    pub visited_at: Timestamp,
    pub received_at: Timestamp,
    pub location_lat: Option<f64>,
    pub location_lng: Option<f64>,
    pub location_accuracy_m: Option<f64>,
    pub market: Option<String>,
    pub district: Option<String>,
    pub stall_no: Option<String>,
    pub purpose: Purpose,
    pub outcome: Outcome,
    pub notes: Option<String>,
    pub next_follow_up_at: Option<Timestamp>,
    pub duration_minutes: Option<i64>,
}

impl NewVisit {
    /// The row to store: created when it was received, at version 1.
    pub fn into_row(self, business_date: NaiveDate, location_check: LocationCheck) -> VisitRow {
        VisitRow {
            id: self.id,
            rep_id: self.rep_id,
            team_id: self.team_id,
            lead_id: self.lead_id,
            seller_account_id: self.seller_account_id,
            visited_at: self.visited_at,
            business_date,
            received_at: self.received_at,
            location_lat: self.location_lat,
            location_lng: self.location_lng,
            location_accuracy_m: self.location_accuracy_m,
            location_check,
            market: self.market,
            district: self.district,
            stall_no: self.stall_no,
            purpose: self.purpose,
            outcome: self.outcome,
            notes: self.notes,
            next_follow_up_at: self.next_follow_up_at,
            duration_minutes: self.duration_minutes,
            created_at: self.received_at,
            updated_at: self.received_at,
            version: 1,
        }
    }
}

/// Inserts a visit unless one with its id exists; `false` when it did (a replay).
pub fn insert_new(conn: &mut DbConnection, visit: &VisitRow) -> Result<bool, DbError> {
    // By value: typed fields (`Stored`) make diesel's insert owned-only.
    match diesel::insert_into(visits::table)
        .values(visit.clone())
        .execute(conn)
        .map_err(DbError::from)
    {
        Ok(_) => Ok(true),
        Err(DbError::UniqueViolation(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Inserts each visit whose id is not stored yet, with multi-row INSERTs; returns the ids
/// inserted. An id stored already (a replay, or a concurrent writer of the same batch) is
/// skipped (`ON CONFLICT (id) DO NOTHING`), never an error, so the transaction goes on; on
/// PostgreSQL an id another transaction is inserting waits for it. Rows go in the order
/// given: callers sort by id so concurrent batches take the ids' locks in one order.
///
/// On SQLite diesel sends a row at a time (rows with `None` fields use column defaults) and
/// expects each to return its id, so a stored id there would fail the call (`NotFound`)
/// instead of being skipped: there the stored ids are read and left out first, and SQLite's
/// single writer means none can appear meanwhile. On PostgreSQL nothing is read first (the
/// INSERT itself skips them, in one round trip).
pub fn insert_new_many(conn: &mut DbConnection, rows: &[VisitRow]) -> Result<Vec<String>, DbError> {
    let stored: HashSet<String> = match conn {
        DbConnection::Sqlite(_) => {
            let ids: Vec<VisitId> = rows.iter().map(|row| row.id.clone()).collect();
            stored_ids(conn, &ids)?.into_iter().collect()
        }
        DbConnection::Postgresql(_) => HashSet::new(),
    };
    let rows: Vec<VisitRow> = rows
        .iter()
        .filter(|row| !stored.contains(row.id.as_str()))
        .cloned()
        .collect();
    let mut inserted = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(crate::BULK_BIND_PARAMETERS / VISIT_COLUMNS) {
        // Per backend: diesel's multi-connection has no multi-row INSERT or upsert of its own.
        let insert = diesel::insert_into(visits::table)
            .values(chunk.to_vec())
            .on_conflict(visits::id)
            .do_nothing()
            .returning(visits::id);
        inserted.extend(match conn {
            DbConnection::Postgresql(conn) => insert.get_results::<String>(conn)?,
            DbConnection::Sqlite(conn) => insert.get_results::<String>(conn)?,
        });
    }
    Ok(inserted)
}

/// Columns of `visits` (at the time of writing; see `BULK_BIND_PARAMETERS` for the headroom).
const VISIT_COLUMNS: usize = 24;

/// Inserts many new visits with multi-row INSERTs (bulk loads such as the demo seeder); a
/// duplicate id fails the whole call.
pub fn insert_many(conn: &mut DbConnection, rows: &[VisitRow]) -> Result<(), DbError> {
    for chunk in rows.chunks(crate::BULK_BIND_PARAMETERS / VISIT_COLUMNS) {
        // Per backend: diesel's multi-connection has no multi-row INSERT of its own.
        let insert = diesel::insert_into(visits::table).values(chunk.to_vec());
        match conn {
            DbConnection::Postgresql(conn) => insert.execute(conn)?,
            DbConnection::Sqlite(conn) => insert.execute(conn)?,
        };
    }
    Ok(())
}

/// The visit `id` if it is inside `scope` (else `NotFound`).
pub fn find(conn: &mut DbConnection, scope: &TeamScope, id: &VisitId) -> Result<VisitRow, DbError> {
    Ok(in_scope!(
        visits::table.find(id.as_str()).into_boxed(),
        scope,
        visits::team_id
    )
    .select(VisitRow::as_select())
    .first(conn)?)
}

/// Which of `ids` are stored already (of any team: an id is taken whoever holds it).
pub fn stored_ids(conn: &mut DbConnection, ids: &[VisitId]) -> Result<Vec<String>, DbError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(crate::BULK_BIND_PARAMETERS) {
        found.extend(
            visits::table
                .filter(visits::id.eq_any(chunk.iter().map(VisitId::as_str).collect::<Vec<_>>()))
                .select(visits::id)
                .load::<String>(conn)?,
        );
    }
    Ok(found)
}

/// The visits of `ids` inside `scope` (any order; ids not stored are left out).
pub fn find_many(
    conn: &mut DbConnection,
    scope: &TeamScope,
    ids: &[VisitId],
) -> Result<Vec<VisitRow>, DbError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(crate::BULK_BIND_PARAMETERS) {
        let query = visits::table
            .filter(visits::id.eq_any(chunk.iter().map(VisitId::as_str).collect::<Vec<_>>()))
            .into_boxed();
        found.extend(
            in_scope!(query, scope, visits::team_id)
                .select(VisitRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

pub fn find_optional(conn: &mut DbConnection, id: &VisitId) -> Result<Option<VisitRow>, DbError> {
    Ok(visits::table
        .find(id.as_str())
        .select(VisitRow::as_select())
        .first(conn)
        .optional()?)
}

/// Writes `visit` whole if the stored row is still at `visit.version`; bumps the version.
pub fn save(conn: &mut DbConnection, visit: &VisitRow) -> Result<bool, DbError> {
    // The changeset carries every column, `version` included (PostgreSQL refuses a column
    // assigned twice), so the bumped version travels in the row itself.
    let mut row = visit.clone();
    row.version += 1;
    let updated = diesel::update(
        visits::table
            .filter(visits::id.eq(visit.id.as_str()))
            .filter(visits::version.eq(visit.version)),
    )
    .set(row)
    .execute(conn)?;
    Ok(updated == 1)
}

/// List filters, each optional; the teams come from the list's `TeamScope`.
#[derive(Debug, Default, Clone)]
pub struct VisitFilter {
    pub rep_id: Option<UserId>,
    pub team_id: Option<TeamId>,
    pub lead_id: Option<LeadId>,
    pub seller_account_id: Option<SellerAccountId>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub business_date: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub purpose: Option<Purpose>,
    pub updated_since: Option<Timestamp>,
}

pub fn list(
    conn: &mut DbConnection,
    scope: &TeamScope,
    filter: &VisitFilter,
    page: &PageRequest,
) -> Result<Page<VisitRow>, DbError> {
    let query = visits::table.select(VisitRow::as_select()).into_boxed();
    let mut query = in_scope!(query, scope, visits::team_id);
    if let Some(rep) = &filter.rep_id {
        query = query.filter(visits::rep_id.eq(rep.as_str().to_owned()));
    }
    if let Some(team) = &filter.team_id {
        query = query.filter(visits::team_id.eq(team.as_str().to_owned()));
    }
    if let Some(lead) = &filter.lead_id {
        query = query.filter(visits::lead_id.eq(lead.as_str().to_owned()));
    }
    if let Some(account) = &filter.seller_account_id {
        query = query.filter(visits::seller_account_id.eq(account.as_str().to_owned()));
    }
    if let Some(from) = filter.from {
        query = query.filter(visits::visited_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(visits::visited_at.lt(to));
    }
    if let Some(date) = filter.business_date {
        query = query.filter(visits::business_date.eq(Stored::from(date)));
    }
    if let Some(outcome) = filter.outcome {
        query = query.filter(visits::outcome.eq(Stored::from(outcome)));
    }
    if let Some(purpose) = filter.purpose {
        query = query.filter(visits::purpose.eq(Stored::from(purpose)));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(visits::updated_at.ge(since));
    }
    let rows = paginate!(query, visits, page).load(conn)?;
    Ok(Page::from_rows(rows, page.limit, |v: &VisitRow| {
        (v.created_at, v.id.to_string())
    }))
}

/// A rep's visits on one business day, in the order they happened.
pub fn of_rep_on(
    conn: &mut DbConnection,
    rep_id: &UserId,
    business_date: NaiveDate,
) -> Result<Vec<VisitRow>, DbError> {
    Ok(visits::table
        .filter(visits::rep_id.eq(rep_id.as_str()))
        .filter(visits::business_date.eq(Stored::from(business_date)))
        .order(visits::visited_at.asc())
        .limit(1000)
        .select(VisitRow::as_select())
        .load(conn)?)
}

/// Moves the visits of a merged-away lead onto its survivor.
pub fn move_to_lead(
    conn: &mut DbConnection,
    from_lead: &LeadId,
    to_lead: &LeadId,
) -> Result<usize, DbError> {
    Ok(
        diesel::update(visits::table.filter(visits::lead_id.eq(from_lead.as_str())))
            .set(visits::lead_id.eq(to_lead.as_str()))
            .execute(conn)?,
    )
}
