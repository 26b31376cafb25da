//! Seller accounts: signed sellers on the B2B portal, and their renewals.

use crate::duplicates::{self, Identifiers, Key};
use crate::error::DbError;
use crate::leads::{like_pattern, LIKE_ESCAPE};
use crate::pagination::{Page, PageRequest};
use crate::schema::{renewals, seller_accounts};
use crate::scope::{in_scope, TeamScope};
use crate::stored::{Stored, StoredOption};
use crate::{paginate, DbConnection, Timestamp};
use chrono::NaiveDate;
use diesel::prelude::*;
use ironfield_domain::account::{AccountStatus, MembershipTier};
use ironfield_domain::ids::{LeadId, RenewalId, SellerAccountId, TeamId, UserId};

// No `Identifiable` (see `LeadRow`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = seller_accounts, treat_none_as_null = true)]
pub struct AccountRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub id: SellerAccountId,
    pub company_name: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub wechat_id: Option<String>,
    pub business_license_no: Option<String>,
    pub market: Option<String>,
    pub district: Option<String>,
    pub stall_no: Option<String>,
    pub location_lat: Option<f64>,
    pub location_lng: Option<f64>,
    #[diesel(serialize_as = StoredOption, deserialize_as = StoredOption)]
    pub lead_id: Option<LeadId>,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub owner_id: UserId,
    #[diesel(serialize_as = StoredOption, deserialize_as = StoredOption)]
    pub team_id: Option<TeamId>,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub membership_tier: MembershipTier,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub status: AccountStatus,
    pub contract_start: NaiveDate,
    pub contract_end: NaiveDate,
    pub contract_value: i64,
    pub contract_currency: String,
    pub signed_at: Timestamp,
    /// The day of `signed_at` in the organisation's time zone.
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub signed_business_date: NaiveDate,
    pub churn_reason: Option<String>,
    pub notes: Option<String>,
    pub search_text: String,
    // `save` sets the version itself; writing it from the row too names the column twice,
    // which SQLite forgives and PostgreSQL refuses. A save never moves the creation time.
    #[diesel(skip_update)]
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[diesel(skip_update)]
    pub version: i64,
}

/// The terms a lead is signed on: what the account has that the lead did not.
#[derive(Debug, Clone)]
pub struct Signing {
    pub id: SellerAccountId,
    pub membership_tier: MembershipTier,
    pub status: AccountStatus,
    pub contract_start: NaiveDate,
    pub contract_end: NaiveDate,
    pub contract_value: i64,
    pub contract_currency: String,
    pub signed_at: Timestamp,
    /// The day of `signed_at` in the organisation's time zone.
    pub signed_business_date: NaiveDate,
}

impl AccountRow {
    /// The account a won lead becomes: the seller's facts and stall copied from the lead,
    /// owned by its owner in its team, on `signing`'s terms (version 1, search text filled).
    /// The one place that says what converting copies: the convert service and the demo
    /// seeder both build their accounts here.
    pub fn signed_from(lead: &crate::leads::LeadRow, signing: Signing) -> AccountRow {
        let mut account = AccountRow {
            id: signing.id,
            company_name: lead.company_name.clone(),
            contact_name: lead.contact_name.clone(),
            phone: lead.phone.clone(),
            wechat_id: lead.wechat_id.clone(),
            business_license_no: lead.business_license_no.clone(),
            market: lead.market.clone(),
            district: lead.district.clone(),
            stall_no: lead.stall_no.clone(),
            location_lat: lead.location_lat,
            location_lng: lead.location_lng,
            lead_id: Some(lead.id.clone()),
            owner_id: lead.owner_id.clone(),
            team_id: lead.team_id.clone(),
            membership_tier: signing.membership_tier,
            status: signing.status,
            contract_start: signing.contract_start,
            contract_end: signing.contract_end,
            contract_value: signing.contract_value,
            contract_currency: signing.contract_currency,
            signed_at: signing.signed_at,
            signed_business_date: signing.signed_business_date,
            churn_reason: None,
            notes: None,
            search_text: String::new(),
            created_at: signing.signed_at,
            updated_at: signing.signed_at,
            version: 1,
        };
        account.search_text = account.compute_search_text();
        account
    }

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
}

pub fn insert(conn: &mut DbConnection, account: &AccountRow) -> Result<(), DbError> {
    // By value: typed fields (`Stored`) make diesel's insert owned-only.
    diesel::insert_into(seller_accounts::table)
        .values(account.clone())
        .execute(conn)?;
    Ok(())
}

/// Columns of `seller_accounts` (at the time of writing; see `BULK_BIND_PARAMETERS` for the headroom).
const ACCOUNT_COLUMNS: usize = 29;

/// Inserts many accounts with multi-row INSERTs (bulk loads such as the demo seeder).
pub fn insert_many(conn: &mut DbConnection, rows: &[AccountRow]) -> Result<(), DbError> {
    for chunk in rows.chunks(crate::BULK_BIND_PARAMETERS / ACCOUNT_COLUMNS) {
        // Per backend: diesel's multi-connection has no multi-row INSERT of its own.
        let insert = diesel::insert_into(seller_accounts::table).values(chunk.to_vec());
        match conn {
            DbConnection::Postgresql(conn) => insert.execute(conn)?,
            DbConnection::Sqlite(conn) => insert.execute(conn)?,
        };
    }
    Ok(())
}

/// The account `id` if it is inside `scope` (else `NotFound`).
/// The seller accounts of `ids` inside `scope` (any order; ids not found or out of scope are left
/// out): one query for a batch instead of one per record.
pub fn find_many(
    conn: &mut DbConnection,
    scope: &TeamScope,
    ids: &[SellerAccountId],
) -> Result<Vec<AccountRow>, DbError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(crate::BULK_BIND_PARAMETERS) {
        let query = seller_accounts::table
            .filter(
                seller_accounts::id.eq_any(
                    chunk
                        .iter()
                        .map(SellerAccountId::as_str)
                        .collect::<Vec<_>>(),
                ),
            )
            .into_boxed();
        found.extend(
            in_scope!(query, scope, seller_accounts::team_id)
                .select(AccountRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

pub fn find(
    conn: &mut DbConnection,
    scope: &TeamScope,
    id: &SellerAccountId,
) -> Result<AccountRow, DbError> {
    let query = seller_accounts::table.find(id.as_str()).into_boxed();
    Ok(in_scope!(query, scope, seller_accounts::team_id)
        .select(AccountRow::as_select())
        .first(conn)?)
}

pub fn find_by_lead(
    conn: &mut DbConnection,
    lead_id: &LeadId,
) -> Result<Option<AccountRow>, DbError> {
    Ok(seller_accounts::table
        .filter(seller_accounts::lead_id.eq(lead_id.as_str()))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

/// Writes `account` whole if the stored row is still at `account.version`; bumps the version.
pub fn save(conn: &mut DbConnection, account: &AccountRow) -> Result<bool, DbError> {
    let mut row = account.clone();
    row.search_text = row.compute_search_text();
    let updated = diesel::update(
        seller_accounts::table
            .filter(seller_accounts::id.eq(account.id.as_str()))
            .filter(seller_accounts::version.eq(account.version)),
    )
    .set((row, seller_accounts::version.eq(account.version + 1)))
    .execute(conn)?;
    Ok(updated == 1)
}

/// List filters, each optional; the teams come from the list's `TeamScope`.
#[derive(Debug, Default, Clone)]
pub struct AccountFilter {
    pub status: Option<AccountStatus>,
    pub membership_tier: Option<MembershipTier>,
    pub owner_id: Option<UserId>,
    pub team_id: Option<TeamId>,
    pub market: Option<String>,
    pub q: Option<String>,
    pub renewal_due_before: Option<NaiveDate>,
    pub updated_since: Option<Timestamp>,
}

pub fn list(
    conn: &mut DbConnection,
    scope: &TeamScope,
    filter: &AccountFilter,
    page: &PageRequest,
) -> Result<Page<AccountRow>, DbError> {
    let query = seller_accounts::table
        .select(AccountRow::as_select())
        .into_boxed();
    let mut query = in_scope!(query, scope, seller_accounts::team_id);
    if let Some(status) = filter.status {
        query = query.filter(seller_accounts::status.eq(Stored::from(status)));
    }
    if let Some(tier) = filter.membership_tier {
        query = query.filter(seller_accounts::membership_tier.eq(Stored::from(tier)));
    }
    if let Some(owner) = &filter.owner_id {
        query = query.filter(seller_accounts::owner_id.eq(owner.as_str().to_owned()));
    }
    if let Some(team) = &filter.team_id {
        query = query.filter(seller_accounts::team_id.eq(team.as_str().to_owned()));
    }
    if let Some(market) = &filter.market {
        query = query.filter(seller_accounts::market.eq(market.clone()));
    }
    if let Some(q) = &filter.q {
        query = query.filter(
            seller_accounts::search_text
                .like(like_pattern(q))
                .escape(LIKE_ESCAPE),
        );
    }
    if let Some(before) = filter.renewal_due_before {
        // Lapsing: the contract ends before the date, and the seller has not churned.
        query = query
            .filter(seller_accounts::contract_end.lt(before))
            .filter(seller_accounts::status.ne(Stored::from(AccountStatus::Churned)));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(seller_accounts::updated_at.ge(since));
    }
    let rows = paginate!(query, seller_accounts, page).load(conn)?;
    Ok(Page::from_rows(rows, page.limit, |a: &AccountRow| {
        (a.created_at, a.id.to_string())
    }))
}

/// Accounts (not churned) sharing phone, WeChat id or licence number with the given ones.
pub fn live_duplicates(
    conn: &mut DbConnection,
    ids: &Identifiers,
    except_id: Option<&SellerAccountId>,
) -> Result<Vec<(AccountRow, Vec<&'static str>)>, DbError> {
    duplicates::matches(
        ids,
        |r: &AccountRow| r.id.as_str(),
        |key| {
            let mut query = seller_accounts::table
                .filter(seller_accounts::status.ne(Stored::from(AccountStatus::Churned)))
                .select(AccountRow::as_select())
                .into_boxed();
            if let Some(id) = except_id {
                query = query.filter(seller_accounts::id.ne(id.as_str().to_owned()));
            }
            let query = match key {
                Key::Phone(phone) => query.filter(seller_accounts::phone.eq(phone.to_owned())),
                Key::Wechat(wechat) => {
                    query.filter(seller_accounts::wechat_id.eq(wechat.to_owned()))
                }
                Key::License(license) => {
                    query.filter(seller_accounts::business_license_no.eq(license.to_owned()))
                }
                // A signed seller may take over a neighbour's stall: not a duplicate.
                Key::Stall(..) => return Ok(Vec::new()),
            };
            Ok(query.limit(duplicates::PER_KEY).load(conn)?)
        },
    )
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = renewals)]
pub struct RenewalRow {
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub id: RenewalId,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub account_id: SellerAccountId,
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub owner_id: UserId,
    #[diesel(serialize_as = StoredOption, deserialize_as = StoredOption)]
    pub team_id: Option<TeamId>,
    pub actor_id: String,
    pub contract_months: i64,
    pub contract_value: i64,
    pub contract_currency: String,
    pub previous_end: NaiveDate,
    pub new_end: NaiveDate,
    pub renewed_at: Timestamp,
    /// The day of `renewed_at` in the organisation's time zone.
    #[diesel(serialize_as = Stored, deserialize_as = Stored)]
    pub business_date: NaiveDate,
}

pub fn insert_renewal(conn: &mut DbConnection, renewal: &RenewalRow) -> Result<(), DbError> {
    diesel::insert_into(renewals::table)
        .values(renewal.clone())
        .execute(conn)?;
    Ok(())
}
