//! Leads: the checks and records every lead write shares (visibility, who may write,
//! duplicates, the audit trail). Handlers call these; no route module reaches into another.

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::Caller;
use ironfield_auth::{policy, Scope};
use ironfield_domain::Stage;
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::leads::{self, Identifiers, LeadRow};
use ironfield_persistence::{seller_accounts, DbConnection, DbError};
use serde_json::json;

/// Loads a lead the caller can read (its team is in their view); any other is 404.
pub(crate) fn find_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<LeadRow> {
    caller.require_scope(Scope::LeadsRead)?;
    match leads::find(conn, id) {
        Ok(lead) if caller.can_see_team(lead.team_id.as_deref()) => Ok(lead),
        Ok(_) | Err(DbError::NotFound) => Err(ApiError::not_found("lead")),
        Err(other) => Err(other.into()),
    }
}

/// Loads a lead the caller may change: 404 if they cannot see it, 403 if they only may look
/// (a rep and a teammate's lead), 422 once it is archived or merged away.
pub(crate) fn find_writable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<LeadRow> {
    caller.require_scope(Scope::LeadsWrite)?;
    let lead = find_visible(conn, caller, id)?;
    if !policy::may_write_record(
        &caller.principal,
        &caller.view,
        &lead.owner_id,
        lead.team_id.as_deref(),
    ) {
        return Err(ApiError::forbidden(
            "only the lead's owner or their team lead may change it",
        ));
    }
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
            &existing.id,
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
            &existing.id,
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

/// Maps a unique-index refusal (two concurrent creates of one stall owner) to `duplicate`.
pub(crate) fn unique_to_duplicate(error: DbError) -> ApiError {
    match error {
        DbError::UniqueViolation(what)
            if what.contains("leads_pkey") || what.contains("leads.id") =>
        {
            ApiError::conflict("a lead with this id already exists")
        }
        DbError::UniqueViolation(what)
            if what.contains("leads_open") || what.contains("leads.") =>
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
    let mut changes = ChangeSet::new();
    macro_rules! diff {
        ($($field:ident),+) => {$(
            match old {
                Some(old) => { changes.field(stringify!($field), &old.$field, &new.$field); }
                None => { changes.set(stringify!($field), &new.$field); }
            }
        )+};
    }
    diff!(
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
        product_categories,
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
    changes
}

/// Records one audit event about a lead.
pub(crate) fn audit(
    conn: &mut DbConnection,
    caller: &Caller,
    lead_id: &str,
    action: &str,
    changes: ChangeSet,
    at: ironfield_persistence::Timestamp,
) -> ApiResult<()> {
    crate::services::audit::record(conn, caller, "lead", lead_id, action, changes, at)
}

/// An owner named in a request: an active user whose team the caller can see.
pub(crate) fn check_owner(
    conn: &mut DbConnection,
    caller: &Caller,
    owner_id: &str,
) -> ApiResult<ironfield_persistence::users::UserRow> {
    let bad =
        || ApiError::invalid_field("owner_id", "must be an active user in a team you can see");
    let id = ironfield_domain::ids::parse_id(owner_id).ok_or_else(bad)?;
    match ironfield_persistence::users::find(conn, &id) {
        Ok(user)
            if user.is_active()
                && user.team_id.is_some()
                && caller.can_see_team(user.team_id.as_deref()) =>
        {
            Ok(user)
        }
        Ok(_) | Err(DbError::NotFound) => Err(bad()),
        Err(other) => Err(other.into()),
    }
}

/// A lead with every field empty, to be filled by a create.
pub(crate) fn blank_lead(
    id: String,
    owner_id: String,
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
        product_categories: "[]".into(),
        source: None,
        stage: Stage::New.as_str().into(),
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
