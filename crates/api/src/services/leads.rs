//! Leads: the checks and records every lead write shares (visibility, who may write,
//! duplicates, the audit trail). Handlers call these; no route module reaches into another.

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::Caller;
use crate::services::audit::row_changes;
use crate::services::ownership::{check_may_write, owner_of_new};
use crate::services::record::{Change, Versioned};
use crate::services::seller_accounts::{account_changes, audit_account};
use chrono::NaiveDate;
use ironfield_auth::Scope;
use ironfield_domain::account::{AccountStatus, MembershipTier};
use ironfield_domain::ids::{LeadId, SellerAccountId, UserId};
use ironfield_domain::time::{business_date, now};
use ironfield_domain::Stage;
use ironfield_domain::{Money, ValidationErrors};
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::leads::{self, Identifiers, LeadRow};
use ironfield_persistence::seller_accounts::{AccountRow, Signing};
use ironfield_persistence::stored::TextForm;
use ironfield_persistence::TeamScope;
use ironfield_persistence::{seller_accounts, DbConnection, DbError};
use serde_json::json;

mod archive;
mod import;
pub mod input;
mod update;

pub use archive::{archive, merge};
pub use import::{import, Abort, ImportRow, Imported};
pub use input::LeadInput;
pub use update::{assign, update};

/// Loads a lead the caller can read (its team is in their view); any other is 404.
pub(crate) fn find_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &LeadId,
) -> ApiResult<LeadRow> {
    caller.require_scope(Scope::LeadsRead)?;
    match leads::find(conn, &caller.scope(), id) {
        Ok(lead) => Ok(lead),
        Err(DbError::NotFound) => Err(ApiError::not_found("lead")),
        Err(other) => Err(other.into()),
    }
}

/// Loads a lead the caller may change: 404 if they cannot see it, 403 if they only may look
/// (a rep and a teammate's lead), 422 once it is archived or merged away.
pub(crate) fn find_writable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &LeadId,
) -> ApiResult<LeadRow> {
    caller.require_scope(Scope::LeadsWrite)?;
    let lead = find_visible(conn, caller, id)?;
    let held = (&lead.owner_id, lead.team_id.as_deref());
    check_may_write(
        caller,
        held,
        "only the lead's owner or their team lead may change it",
    )?;
    if lead.archived_at.is_some() {
        return Err(ApiError::conflict("the lead is archived"));
    }
    Ok(lead)
}

pub(crate) fn identifiers(lead: &LeadRow) -> Identifiers {
    Identifiers {
        phone: lead.phone.clone(),
        wechat_id: lead.wechat_id.clone(),
        business_license_no: lead.business_license_no.clone(),
        market: lead.market.clone(),
        stall_no: lead.stall_no.clone(),
    }
}

/// Refuses with 409 `duplicate` when another open lead, or a seller account, shares an
/// identifier with `lead`. The existing record's id is named only when the caller may see it.
pub(crate) fn refuse_duplicates(
    conn: &mut DbConnection,
    caller: &Caller,
    lead: &LeadRow,
) -> ApiResult<()> {
    let ids = identifiers(lead);
    if let Some((existing, matched)) = leads::open_duplicates(conn, &ids, Some(&lead.id))?
        .into_iter()
        .next()
    {
        return Err(duplicate(
            caller,
            "lead",
            existing.id.as_str(),
            existing.team_id.as_deref(),
            &matched,
        ));
    }
    if let Some((existing, matched)) = seller_accounts::live_duplicates(conn, &ids, None)?
        .into_iter()
        .next()
    {
        return Err(duplicate(
            caller,
            "seller_account",
            existing.id.as_str(),
            existing.team_id.as_deref(),
            &matched,
        ));
    }
    Ok(())
}

pub(crate) fn duplicate(
    caller: &Caller,
    kind: &str,
    id: &str,
    team: Option<&str>,
    matched: &[&str],
) -> ApiError {
    let visible = caller.can_see_team(team);
    let what = kind.replace('_', " ");
    let detail = if visible {
        format!(
            "a {what} with the same {} already exists",
            matched.join(", ")
        )
    } else {
        format!(
            "a {what} with the same {} already exists in another team",
            matched.join(", ")
        )
    };
    let existing = if visible {
        json!({"type": kind, "id": id, "matched_on": matched, "visible": true})
    } else {
        json!({"type": kind, "matched_on": matched, "visible": false})
    };
    ApiError::new(ErrorCode::Duplicate, detail).with_existing(existing)
}

/// The unique indexes on open leads, one per identifier (`leads_open_*_uq` in the migrations).
const OPEN_LEAD_KEYS: [&[&str]; 4] = [
    &["phone"],
    &["wechat_id"],
    &["business_license_no"],
    &["market", "stall_no"],
];

/// Maps a unique-index refusal (two concurrent creates of one stall owner) to `duplicate`.
pub(crate) fn unique_to_duplicate(error: DbError) -> ApiError {
    match error {
        e if e.is_unique_on("leads", &["id"]) => {
            ApiError::conflict("a lead with this id already exists")
        }
        e if OPEN_LEAD_KEYS
            .iter()
            .any(|key| e.is_unique_on("leads", key)) =>
        {
            ApiError::new(
                ErrorCode::Duplicate,
                "an open lead with the same phone, WeChat id, licence or stall already exists",
            )
        }
        other => other.into(),
    }
}

/// The fields that differ between `old` and `new` (every set field when there is no `old`),
/// for the audit trail.
pub(crate) fn lead_changes(old: Option<&LeadRow>, new: &LeadRow) -> ChangeSet {
    let mut changes = row_changes!(old, new;
        company_name,
        contact_name,
        phone,
        wechat_id,
        email,
        business_license_no,
        market,
        district,
        stall_no,
        location_lat,
        location_lng,
        source,
        stage,
        lost_reason,
        owner_id,
        team_id,
        estimated_value,
        estimated_currency,
        notes,
        next_follow_up_at,
        account_id,
        merged_into_id,
        archived_at
    );
    // The trail has always held the categories as their stored JSON text (a string, not an
    // array); kept so, so that old and new entries of one history read alike.
    let categories = |lead: &LeadRow| lead.product_categories.to_text();
    match old {
        Some(old) => changes.field("product_categories", &categories(old), &categories(new)),
        None => changes.set("product_categories", &categories(new)),
    };
    changes
}

/// Records one audit event about a lead.
pub(crate) fn audit(
    conn: &mut DbConnection,
    caller: &Caller,
    lead_id: &LeadId,
    action: &str,
    changes: ChangeSet,
    at: ironfield_persistence::Timestamp,
) -> ApiResult<()> {
    crate::services::audit::record(conn, caller, "lead", lead_id.as_str(), action, changes, at)
}

/// A lead with every field empty, to be filled by a create.
pub(crate) fn blank_lead(
    id: LeadId,
    owner_id: UserId,
    team_id: Option<String>,
    at: ironfield_persistence::Timestamp,
) -> LeadRow {
    LeadRow {
        id,
        company_name: String::new(),
        contact_name: None,
        phone: None,
        wechat_id: None,
        email: None,
        business_license_no: None,
        market: None,
        district: None,
        stall_no: None,
        location_lat: None,
        location_lng: None,
        product_categories: Vec::new(),
        source: None,
        stage: Stage::New,
        lost_reason: None,
        owner_id,
        team_id,
        estimated_value: None,
        estimated_currency: None,
        notes: None,
        last_visit_at: None,
        next_follow_up_at: None,
        account_id: None,
        merged_into_id: None,
        archived_at: None,
        search_text: String::new(),
        created_at: at,
        updated_at: at,
        version: 1,
    }
}

/// Stores a changed lead: duplicate rules when an identifier changed, the version check, and
/// one audit event naming the most telling change.
pub(crate) fn save(
    conn: &mut DbConnection,
    caller: &Caller,
    current: &LeadRow,
    lead: LeadRow,
) -> ApiResult<LeadRow> {
    let Some(change) = Change::of(current, lead) else {
        return Ok(current.clone());
    };
    let lead = change.row();
    let ids_changed = format!("{:?}", identifiers(current)) != format!("{:?}", identifiers(lead));
    let reopened = current.stage == Stage::Lost && lead.stage != Stage::Lost;
    if lead.is_open() && (ids_changed || reopened) {
        refuse_duplicates(conn, caller, lead)?;
    }
    let action = if current.stage != lead.stage {
        "stage_changed"
    } else if current.owner_id != lead.owner_id {
        "assigned"
    } else if current.archived_at.is_none() && lead.archived_at.is_some() {
        "archived"
    } else {
        "updated"
    };
    let at = now().naive_utc();
    let stored = change.write(conn, caller, action, at)?;
    crate::events::writes::lead_saved(conn, caller, current, &stored, at)?;
    Ok(stored)
}

impl Versioned for LeadRow {
    const ENTITY: &'static str = "lead";

    fn id_text(&self) -> &str {
        self.id.as_str()
    }

    fn changes(old: Option<&Self>, new: &Self) -> ChangeSet {
        lead_changes(old, new)
    }

    fn set_updated_at(&mut self, at: ironfield_persistence::Timestamp) {
        self.updated_at = at;
    }

    fn store(conn: &mut DbConnection, row: &Self) -> ApiResult<bool> {
        leads::save(conn, row).map_err(unique_to_duplicate)
    }

    fn reload(conn: &mut DbConnection, row: &Self) -> ApiResult<Self> {
        Ok(leads::find(conn, &TeamScope::everything(), &row.id)?)
    }
}

/// The contract a converted lead signs, its fields checked.
#[derive(Debug)]
pub struct Conversion {
    pub membership_tier: MembershipTier,
    pub contract_start: NaiveDate,
    pub contract_end: NaiveDate,
    pub value: Money,
}

/// Converts a lead into a seller account: the stage rule, the duplicate rule for accounts,
/// the new account and its `created` event, the lead won with its `converted` event. Runs in
/// the caller's write transaction; two conversions of one lead at once: one wins, the other
/// is 409 `invalid_transition`.
pub fn convert(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &LeadId,
    conversion: Conversion,
) -> ApiResult<AccountRow> {
    let lead = find_writable(conn, caller, id)?;
    lead.stage
        .check_convert()
        .map_err(|e| ApiError::new(ErrorCode::InvalidTransition, e.to_string()))?;
    let signed = now();
    let at = signed.naive_utc();
    let tz = crate::org::timezone(conn)?;
    let account = AccountRow::signed_from(
        &lead,
        Signing {
            id: SellerAccountId::new(),
            membership_tier: conversion.membership_tier,
            status: AccountStatus::Onboarding,
            contract_start: conversion.contract_start,
            contract_end: conversion.contract_end,
            contract_value: conversion.value.amount,
            contract_currency: conversion.value.currency,
            signed_at: at,
            signed_business_date: business_date(signed, tz),
        },
    );
    // An account already holding the same phone, WeChat id or licence is a duplicate.
    let ids = identifiers(&lead);
    if let Some((existing, matched)) = seller_accounts::live_duplicates(conn, &ids, None)?
        .into_iter()
        .next()
    {
        return Err(duplicate(
            caller,
            "seller_account",
            existing.id.as_str(),
            existing.team_id.as_deref(),
            &matched,
        ));
    }
    seller_accounts::insert(conn, &account).map_err(|e| match e {
        // Two conversions of one lead at once: the other one won.
        e if e.is_unique_on("seller_accounts", &["lead_id"]) => ApiError::new(
            ErrorCode::InvalidTransition,
            "the lead is already converted",
        ),
        other => other.into(),
    })?;
    audit_account(
        conn,
        caller,
        &account.id,
        "created",
        account_changes(None, &account),
        at,
    )?;
    let stored = seller_accounts::find(conn, &TeamScope::everything(), &account.id)?;
    crate::events::writes::account_signed(conn, caller, &stored, at)?;

    let mut won = lead.clone();
    won.stage = Stage::Won;
    won.account_id = Some(account.id.clone());
    save(conn, caller, &lead, won)?;
    let mut converted = ChangeSet::new();
    converted.set("account_id", &account.id);
    audit(conn, caller, &lead.id, "converted", converted, at)?;
    Ok(seller_accounts::find(
        conn,
        &TeamScope::everything(),
        &account.id,
    )?)
}

/// A lead created, or found already stored under the client's id.
pub enum Created {
    New(LeadRow),
    Existing(LeadRow),
}

/// Creates a lead (shared with visit logging, which may capture a new stall inline, and with
/// CSV import): validation, the owner rules, duplicate refusal, the insert and its `created`
/// event. Runs in the caller's write transaction.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    mut input: LeadInput,
) -> ApiResult<Created> {
    let mut errors = ValidationErrors::new();
    let id = match input.id.as_deref() {
        Some(raw) => errors.check("id", LeadId::parse(raw).ok_or("must be a UUID")),
        None => Some(LeadId::new()),
    };
    if input.team_id.is_some() {
        errors.add(
            "team_id",
            "a lead belongs to its owner's team; choose the owner",
        );
    }
    if input.lost_reason.is_some() {
        errors.add("lost_reason", "a new lead cannot be lost");
    }
    let stage = input.stage.unwrap_or(Stage::New);
    if !stage.is_open() {
        errors.add(
            "stage",
            "a new lead starts at an open stage (new, contacted, visited or negotiating)",
        );
    }
    if input.facts.company_name.is_none() {
        errors.add("company_name", "is required");
    }
    let Some(id) = id.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };

    // A phone that synced late sends the same lead again: answer with what is stored. Every
    // team: an id taken in a team out of view is a conflict, not a fresh lead.
    match leads::find(conn, &TeamScope::everything(), &id) {
        Ok(existing) if caller.can_see_team(existing.team_id.as_deref()) => {
            return Ok(Created::Existing(existing));
        }
        Ok(_) => return Err(ApiError::conflict("a lead with this id already exists")),
        Err(DbError::NotFound) => {}
        Err(other) => return Err(other.into()),
    }

    let refusal = "you may create leads only for yourself";
    let owner = owner_of_new(conn, caller, input.owner_id.as_deref(), refusal)?;

    let at = now().naive_utc();
    let mut lead: LeadRow = blank_lead(id, owner.id, owner.team_id, at);
    lead.stage = stage;
    input.apply_facts(&mut lead, &mut errors);
    errors.into_result(())?;
    lead.search_text = lead.compute_search_text();
    refuse_duplicates(conn, caller, &lead)?;
    leads::insert(conn, &lead).map_err(unique_to_duplicate)?;
    audit(
        conn,
        caller,
        &lead.id,
        "created",
        lead_changes(None, &lead),
        at,
    )?;
    crate::events::writes::lead_created(conn, caller, &lead, at)?;
    Ok(Created::New(lead))
}
