//! Leads: prospective sellers (stall owners, small factories, traders).

use crate::duplicates::{self, Key};
use crate::error::DbError;
use crate::pagination::{Page, PageRequest};
use crate::schema::leads;
use crate::scope::{in_scope, TeamScope};
use crate::stored::{Stored, StoredOption};
use crate::{paginate, DbConnection, Timestamp};
use diesel::prelude::*;
use ironfield_domain::ids::{LeadId, SellerAccountId, TeamId, UserId};
use ironfield_domain::Stage;

// No `Identifiable`: diesel wants the key's own type to be its `serialize_as` form there, and
// nothing updates or deletes through a row's identity (every write filters by `id`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = leads)]
pub struct LeadRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub id: LeadId,
    pub company_name: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub wechat_id: Option<String>,
    pub email: Option<String>,
    pub business_license_no: Option<String>,
    pub market: Option<String>,
    pub district: Option<String>,
    pub stall_no: Option<String>,
    pub location_lat: Option<f64>,
    pub location_lng: Option<f64>,
    /// Stored as a JSON array of strings.
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub product_categories: Vec<String>,
    pub source: Option<String>,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub stage: Stage,
    pub lost_reason: Option<String>,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub owner_id: UserId,
    #[diesel(serialize_as = StoredOption, deserialize_as = StoredOption)]
    pub team_id: Option<TeamId>,
    pub estimated_value: Option<i64>,
    pub estimated_currency: Option<String>,
    pub notes: Option<String>,
    pub last_visit_at: Option<Timestamp>,
    pub next_follow_up_at: Option<Timestamp>,
    #[diesel(serialize_as = StoredOption, deserialize_as = StoredOption)]
    pub account_id: Option<SellerAccountId>,
    #[diesel(serialize_as = StoredOption, deserialize_as = StoredOption)]
    pub merged_into_id: Option<LeadId>,
    pub archived_at: Option<Timestamp>,
    pub search_text: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

impl LeadRow {
    /// What `q` searches: company, contact, phone and stall, lower-cased.
    pub fn compute_search_text(&self) -> String {
        [
            Some(self.company_name.as_str()),
            self.contact_name.as_deref(),
            self.phone.as_deref(),
            self.stall_no.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
    }

    /// Still being worked: not archived, and in an open stage.
    pub fn is_open(&self) -> bool {
        self.archived_at.is_none() && self.stage.is_open()
    }
}

/// Every field but the key may change; the row is written whole (`save`), which keeps the
/// update code one statement however many fields a request touched.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = leads, treat_none_as_null = true)]
struct LeadUpdate<'a> {
    company_name: &'a str,
    contact_name: Option<&'a str>,
    phone: Option<&'a str>,
    wechat_id: Option<&'a str>,
    email: Option<&'a str>,
    business_license_no: Option<&'a str>,
    market: Option<&'a str>,
    district: Option<&'a str>,
    stall_no: Option<&'a str>,
    location_lat: Option<f64>,
    location_lng: Option<f64>,
    product_categories: Stored,
    source: Option<&'a str>,
    stage: Stored,
    lost_reason: Option<&'a str>,
    owner_id: &'a str,
    team_id: Option<&'a str>,
    estimated_value: Option<i64>,
    estimated_currency: Option<&'a str>,
    notes: Option<&'a str>,
    last_visit_at: Option<Timestamp>,
    next_follow_up_at: Option<Timestamp>,
    account_id: Option<&'a str>,
    merged_into_id: Option<&'a str>,
    archived_at: Option<Timestamp>,
    search_text: &'a str,
    updated_at: Timestamp,
}

pub fn insert(conn: &mut DbConnection, lead: &LeadRow) -> Result<(), DbError> {
    // By value: typed fields (`Stored`) make diesel's insert owned-only.
    diesel::insert_into(leads::table)
        .values(lead.clone())
        .execute(conn)?;
    Ok(())
}

/// Columns of `leads` (at the time of writing; see `BULK_BIND_PARAMETERS` for the headroom).
const LEAD_COLUMNS: usize = 31;

/// Inserts many leads with multi-row INSERTs (bulk loads such as the demo seeder): one
/// statement per chunk instead of one per row.
pub fn insert_many(conn: &mut DbConnection, rows: &[LeadRow]) -> Result<(), DbError> {
    for chunk in rows.chunks(crate::BULK_BIND_PARAMETERS / LEAD_COLUMNS) {
        // Per backend: diesel's multi-connection has no multi-row INSERT of its own.
        let insert = diesel::insert_into(leads::table).values(chunk.to_vec());
        match conn {
            DbConnection::Postgresql(conn) => insert.execute(conn)?,
            DbConnection::Sqlite(conn) => insert.execute(conn)?,
        };
    }
    Ok(())
}

/// The leads of `ids` inside `scope` (any order; ids not found or out of scope are left
/// out): one query for a batch instead of one per record.
pub fn find_many(
    conn: &mut DbConnection,
    scope: &TeamScope,
    ids: &[LeadId],
) -> Result<Vec<LeadRow>, DbError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(crate::BULK_BIND_PARAMETERS) {
        let query = leads::table
            .filter(leads::id.eq_any(chunk.iter().map(LeadId::as_str).collect::<Vec<_>>()))
            .into_boxed();
        found.extend(
            in_scope!(query, scope, leads::team_id)
                .select(LeadRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// The lead `id` if it is inside `scope` (else `NotFound`).
pub fn find(conn: &mut DbConnection, scope: &TeamScope, id: &LeadId) -> Result<LeadRow, DbError> {
    Ok(in_scope!(
        leads::table.find(id.as_str()).into_boxed(),
        scope,
        leads::team_id
    )
    .select(LeadRow::as_select())
    .first(conn)?)
}

/// Writes `lead` over the stored row if that is still at `lead.version`, and bumps the
/// version. `false`: someone else wrote first.
pub fn save(conn: &mut DbConnection, lead: &LeadRow) -> Result<bool, DbError> {
    let update = LeadUpdate {
        company_name: &lead.company_name,
        contact_name: lead.contact_name.as_deref(),
        phone: lead.phone.as_deref(),
        wechat_id: lead.wechat_id.as_deref(),
        email: lead.email.as_deref(),
        business_license_no: lead.business_license_no.as_deref(),
        market: lead.market.as_deref(),
        district: lead.district.as_deref(),
        stall_no: lead.stall_no.as_deref(),
        location_lat: lead.location_lat,
        location_lng: lead.location_lng,
        product_categories: lead.product_categories.clone().into(),
        source: lead.source.as_deref(),
        stage: lead.stage.into(),
        lost_reason: lead.lost_reason.as_deref(),
        owner_id: lead.owner_id.as_str(),
        team_id: lead.team_id.as_ref().map(TeamId::as_str),
        estimated_value: lead.estimated_value,
        estimated_currency: lead.estimated_currency.as_deref(),
        notes: lead.notes.as_deref(),
        last_visit_at: lead.last_visit_at,
        next_follow_up_at: lead.next_follow_up_at,
        account_id: lead.account_id.as_ref().map(SellerAccountId::as_str),
        merged_into_id: lead.merged_into_id.as_ref().map(LeadId::as_str),
        archived_at: lead.archived_at,
        search_text: &lead.compute_search_text(),
        updated_at: lead.updated_at,
    };
    let updated = diesel::update(
        leads::table
            .filter(leads::id.eq(lead.id.as_str()))
            .filter(leads::version.eq(lead.version)),
    )
    .set((&update, leads::version.eq(leads::version + 1)))
    .execute(conn)?;
    Ok(updated == 1)
}

/// List filters, each optional; which teams' leads may be returned is the `TeamScope`
/// every read takes besides.
#[derive(Debug, Default, Clone)]
pub struct LeadFilter {
    pub archived: bool,
    pub stage: Option<Stage>,
    pub owner_id: Option<UserId>,
    pub team_id: Option<TeamId>,
    pub market: Option<String>,
    pub district: Option<String>,
    pub source: Option<String>,
    pub q: Option<String>,
    pub follow_up_before: Option<Timestamp>,
    pub updated_since: Option<Timestamp>,
}

fn filtered(
    scope: &TeamScope,
    filter: &LeadFilter,
) -> leads::BoxedQuery<'static, crate::db::MultiBackend> {
    let mut query = in_scope!(leads::table.into_boxed(), scope, leads::team_id);
    query = if filter.archived {
        query.filter(leads::archived_at.is_not_null())
    } else {
        query.filter(leads::archived_at.is_null())
    };
    if let Some(stage) = filter.stage {
        query = query.filter(leads::stage.eq(Stored::from(stage)));
    }
    if let Some(owner) = &filter.owner_id {
        query = query.filter(leads::owner_id.eq(owner.as_str().to_owned()));
    }
    if let Some(team) = &filter.team_id {
        query = query.filter(leads::team_id.eq(team.as_str().to_owned()));
    }
    if let Some(market) = &filter.market {
        query = query.filter(leads::market.eq(market.clone()));
    }
    if let Some(district) = &filter.district {
        query = query.filter(leads::district.eq(district.clone()));
    }
    if let Some(source) = &filter.source {
        query = query.filter(leads::source.eq(source.clone()));
    }
    if let Some(q) = &filter.q {
        query = query.filter(leads::search_text.like(like_pattern(q)).escape(LIKE_ESCAPE));
    }
    if let Some(before) = filter.follow_up_before {
        query = query.filter(leads::next_follow_up_at.lt(before));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(leads::updated_at.ge(since));
    }
    query
}

/// `%text%`, lower-cased, with LIKE's wildcards in the text escaped (with `\\`), so `%` and
/// `_` are searched for as themselves. Use it with `.like(..).escape(LIKE_ESCAPE)`.
pub fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            pattern.push(LIKE_ESCAPE);
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The escape character of [`like_pattern`]'s patterns.
pub const LIKE_ESCAPE: char = '\\';

pub fn list(
    conn: &mut DbConnection,
    scope: &TeamScope,
    filter: &LeadFilter,
    page: &PageRequest,
) -> Result<Page<LeadRow>, DbError> {
    let query = filtered(scope, filter).select(LeadRow::as_select());
    let rows = paginate!(query, leads, page).load(conn)?;
    Ok(Page::from_rows(rows, page.limit, |l: &LeadRow| {
        (l.created_at, l.id.to_string())
    }))
}

/// Every lead matching `filter`, in list order, `batch` rows at a time (for CSV export).
pub fn for_each_batch(
    conn: &mut DbConnection,
    scope: &TeamScope,
    filter: &LeadFilter,
    batch: i64,
    mut visit: impl FnMut(Vec<LeadRow>) -> Result<(), DbError>,
) -> Result<(), DbError> {
    let mut page = PageRequest {
        limit: batch,
        after: None,
    };
    loop {
        let result = list(conn, scope, filter, &page)?;
        let next = result.next_cursor.clone();
        visit(result.items)?;
        match next.and_then(|c| crate::Cursor::decode(&c).ok()) {
            Some(cursor) => page.after = Some(cursor),
            None => return Ok(()),
        }
    }
}

pub use crate::duplicates::Identifiers;

/// Open leads (not archived, not won or lost) sharing an identifier with `ids`, each with
/// the identifiers it matched on.
pub fn open_duplicates(
    conn: &mut DbConnection,
    ids: &Identifiers,
    except_id: Option<&LeadId>,
) -> Result<Vec<(LeadRow, Vec<&'static str>)>, DbError> {
    duplicates::matches(
        ids,
        |r: &LeadRow| r.id.as_str(),
        |key| {
            let mut query = leads::table
                .filter(leads::archived_at.is_null())
                .filter(leads::stage.ne_all(closed_stages()))
                .select(LeadRow::as_select())
                .into_boxed();
            if let Some(id) = except_id {
                query = query.filter(leads::id.ne(id.as_str().to_owned()));
            }
            let query = match key {
                Key::Phone(phone) => query.filter(leads::phone.eq(phone.to_owned())),
                Key::Wechat(wechat) => query.filter(leads::wechat_id.eq(wechat.to_owned())),
                Key::License(license) => {
                    query.filter(leads::business_license_no.eq(license.to_owned()))
                }
                Key::Stall(market, stall) => query
                    .filter(leads::market.eq(market.to_owned()))
                    .filter(leads::stall_no.eq(stall.to_owned())),
            };
            Ok(query.limit(duplicates::PER_KEY).load(conn)?)
        },
    )
}

/// The stages a lead is no longer worked in (not [`Stage::is_open`]), as stored.
fn closed_stages() -> Vec<Stored> {
    Stage::ALL
        .into_iter()
        .filter(|stage| !stage.is_open())
        .map(Stored::from)
        .collect()
}

/// Ids of the leads inside `scope` merged into `survivor` (their history is the survivor's
/// too).
pub fn merged_into(
    conn: &mut DbConnection,
    scope: &TeamScope,
    survivor: &LeadId,
) -> Result<Vec<LeadId>, DbError> {
    let ids: Vec<Stored> = in_scope!(leads::table.into_boxed(), scope, leads::team_id)
        .filter(leads::merged_into_id.eq(survivor.as_str()))
        .select(leads::id)
        .load(conn)?;
    ids.into_iter()
        .map(|id| LeadId::try_from(id).map_err(DbError::from))
        .collect()
}

/// What logging a visit does to its lead, in one statement that needs no version check (so
/// concurrent visits on one lead never refuse each other, and the row is locked as briefly
/// as possible): `last_visit_at` moves forward only, `next_follow_up_at` takes the visit's
/// when it sets one, and the stage moves as [`Stage::after_visit`] says.
pub fn apply_visit(
    conn: &mut DbConnection,
    lead_id: &LeadId,
    visited_at: Timestamp,
    next_follow_up_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), DbError> {
    apply_visits(conn, lead_id, visited_at, next_follow_up_at, 1, now)
}

/// [`apply_visit`] for `visits` visits of one lead at once (a batch): the same row as
/// applying them one by one, in one statement. `latest_visited_at` is the latest of their
/// times, `next_follow_up_at` the last follow-up one of them set (in the order they are
/// logged), and the version moves by `visits`, once per visit as before.
pub fn apply_visits(
    conn: &mut DbConnection,
    lead_id: &LeadId,
    latest_visited_at: Timestamp,
    next_follow_up_at: Option<Timestamp>,
    visits: i64,
    now: Timestamp,
) -> Result<(), DbError> {
    let visited_at = latest_visited_at;
    use diesel::dsl::case_when;
    use diesel::sql_types::{Text, Timestamp as SqlTimestamp};
    let last_visit = case_when(
        leads::last_visit_at
            .is_null()
            .or(leads::last_visit_at.lt(visited_at)),
        visited_at.into_sql::<SqlTimestamp>().nullable(),
    )
    .otherwise(leads::last_visit_at);
    let stage = case_when(
        leads::stage.eq_any(moved_by_visit()),
        Stored::from(Stage::Visited).into_sql::<Text>(),
    )
    .otherwise(leads::stage);
    let target = leads::table.filter(leads::id.eq(lead_id.as_str()));
    let common = (
        leads::last_visit_at.eq(last_visit),
        leads::stage.eq(stage),
        leads::updated_at.eq(now),
        leads::version.eq(leads::version + visits),
    );
    match next_follow_up_at {
        Some(next) => diesel::update(target)
            .set((common, leads::next_follow_up_at.eq(next)))
            .execute(conn)?,
        None => diesel::update(target).set(common).execute(conn)?,
    };
    Ok(())
}

/// What visits stored together do to one lead: the arguments of [`apply_visits`].
#[derive(Debug, Clone)]
pub struct LeadVisits {
    pub lead_id: LeadId,
    /// The latest of the visits' times.
    pub latest_visited_at: Timestamp,
    /// The last follow-up one of them set, in the order they are logged.
    pub next_follow_up_at: Option<Timestamp>,
    pub visits: i64,
    /// When the last of them was received.
    pub now: Timestamp,
}

/// [`apply_visits`] for many leads (`leads` in id order, each once), leaving each row as
/// that function would. On PostgreSQL in two statements whatever their number, since each
/// statement there is a round trip: the rows are locked in id order (the order every
/// multi-lead writer takes, so two of them wait rather than deadlock), then updated by one
/// statement from arrays. On SQLite, in process, one statement per lead costs no more.
pub fn apply_visits_many(conn: &mut DbConnection, leads: &[LeadVisits]) -> Result<(), DbError> {
    let DbConnection::Postgresql(pg) = conn else {
        for lead in leads {
            apply_visits(
                conn,
                &lead.lead_id,
                lead.latest_visited_at,
                lead.next_follow_up_at,
                lead.visits,
                lead.now,
            )?;
        }
        return Ok(());
    };
    if leads.is_empty() {
        return Ok(());
    }
    use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamp as SqlTimestamp};
    let ids: Vec<&str> = leads.iter().map(|l| l.lead_id.as_str()).collect();
    leads::table
        .filter(leads::id.eq_any(&ids))
        .order(leads::id)
        .select(leads::id)
        .for_update()
        .load::<String>(pg)?;
    diesel::sql_query(
        "UPDATE leads SET \
           last_visit_at = CASE WHEN leads.last_visit_at IS NULL \
             OR leads.last_visit_at < v.visited_at THEN v.visited_at \
             ELSE leads.last_visit_at END, \
           stage = CASE WHEN leads.stage = ANY($6) THEN $7 ELSE leads.stage END, \
           updated_at = v.at, \
           version = leads.version + v.visits, \
           next_follow_up_at = COALESCE(v.next_follow_up_at, leads.next_follow_up_at) \
         FROM unnest($1, $2, $3, $4, $5) AS v (id, visited_at, next_follow_up_at, visits, at) \
         WHERE leads.id = v.id",
    )
    .bind::<Array<Text>, _>(&ids)
    .bind::<Array<SqlTimestamp>, _>(
        leads
            .iter()
            .map(|l| l.latest_visited_at)
            .collect::<Vec<_>>(),
    )
    .bind::<Array<Nullable<SqlTimestamp>>, _>(
        leads
            .iter()
            .map(|l| l.next_follow_up_at)
            .collect::<Vec<_>>(),
    )
    .bind::<Array<BigInt>, _>(leads.iter().map(|l| l.visits).collect::<Vec<_>>())
    .bind::<Array<SqlTimestamp>, _>(leads.iter().map(|l| l.now).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(moved_by_visit())
    .bind::<Text, _>(Stored::from(Stage::Visited).as_str())
    .execute(pg)?;
    Ok(())
}

/// The stages a visit moves (each to `visited`; the domain's tests hold it so).
fn moved_by_visit() -> Vec<Stored> {
    Stage::ALL
        .into_iter()
        .filter(|stage| stage.after_visit() != *stage)
        .map(Stored::from)
        .collect()
}

/// An owner's open leads inside `scope` whose follow-up falls before `before`, soonest first.
pub fn follow_ups_due(
    conn: &mut DbConnection,
    scope: &TeamScope,
    owner_id: &UserId,
    before: Timestamp,
    limit: i64,
) -> Result<Vec<LeadRow>, DbError> {
    Ok(in_scope!(leads::table.into_boxed(), scope, leads::team_id)
        .filter(leads::owner_id.eq(owner_id.as_str()))
        .filter(leads::archived_at.is_null())
        .filter(leads::stage.ne_all(closed_stages()))
        .filter(leads::next_follow_up_at.lt(before))
        .order(leads::next_follow_up_at.asc())
        .limit(limit)
        .select(LeadRow::as_select())
        .load(conn)?)
}

/// How many leads are stored, archived and merged ones included.
pub fn count(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(leads::table.count().get_result(conn)?)
}
