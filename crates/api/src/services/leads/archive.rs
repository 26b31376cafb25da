//! The two ways a lead leaves the open set without being won: archived by hand, or merged
//! into the lead it duplicates.

use super::{audit, find_visible, find_writable, save};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, IfMatch};
use crate::services::ownership::check_may_write;
use crate::services::record::Change;
use ironfield_auth::Scope;
use ironfield_domain::ids::LeadId;
use ironfield_domain::time::now;
use ironfield_domain::Stage;
use ironfield_persistence::audit::ChangeSet;
use ironfield_persistence::leads::{self, LeadRow};
use ironfield_persistence::{DbConnection, TeamScope};

/// Archives a lead: its owner or their team lead (403 otherwise), under If-Match (412).
/// Archiving an archived lead changes nothing. Runs in the caller's write transaction.
pub fn archive(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &LeadId,
    if_match: &IfMatch,
) -> ApiResult<()> {
    caller.require_scope(Scope::LeadsWrite)?;
    let current = find_visible(conn, caller, id)?;
    let held = (&current.owner_id, current.team_id.as_deref());
    check_may_write(
        caller,
        held,
        "only the lead's owner or their team lead may archive it",
    )?;
    if_match.check(current.version)?;
    if current.archived_at.is_some() {
        return Ok(());
    }
    let at = now().naive_utc();
    let mut lead = current.clone();
    lead.archived_at = Some(at);
    let Some(change) = Change::of(&current, lead) else {
        return Ok(());
    };
    let stored = change.write(conn, caller, "archived", at)?;
    crate::events::writes::lead_saved(conn, caller, &current, &stored, at)
}

/// Folds the lead `duplicate_id` into the lead `id` (the survivor): the duplicate is archived
/// with `merged_into_id` and its visits move to the survivor, which takes the duplicate's
/// values where it has none, and a `merged` event is recorded on it. The caller must be
/// allowed to change both; a won lead cannot be merged away (422), nor a lead into itself.
/// A bad `duplicate_id` is refused whatever the version: only a valid merge can be stale
/// (412). Runs in the caller's write transaction.
pub fn merge(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &LeadId,
    duplicate_id: &LeadId,
    if_match: &IfMatch,
) -> ApiResult<LeadRow> {
    if duplicate_id == id {
        return Err(ApiError::invalid_field(
            "duplicate_id",
            "a lead cannot be merged into itself",
        ));
    }
    let survivor = find_writable(conn, caller, id)?;
    let duplicate = find_writable(conn, caller, duplicate_id)?;
    if duplicate.stage == Stage::Won {
        return Err(ApiError::invalid_field(
            "duplicate_id",
            "a won lead has a seller account; merge the other way",
        ));
    }
    if_match.check(survivor.version)?;
    let at = now().naive_utc();

    // Archive the duplicate first: its identifiers must leave the open set before the
    // survivor can take them over.
    let mut folded = duplicate.clone();
    folded.archived_at = Some(at);
    folded.merged_into_id = Some(survivor.id.clone());
    save(conn, caller, &duplicate, folded)?;
    ironfield_persistence::visits::move_to_lead(conn, &duplicate.id, &survivor.id)?;

    // Unchanged by the fill: not written, no event.
    let survivor = save(conn, caller, &survivor, filled(&survivor, &duplicate))?;
    let mut changes = ChangeSet::new();
    changes.set("duplicate_id", &duplicate.id);
    audit(conn, caller, &survivor.id, "merged", changes, at)?;
    Ok(leads::find(conn, &TeamScope::everything(), &survivor.id)?)
}

/// The survivor with the duplicate's values where it has none; an estimate is taken only
/// whole (value and currency together).
fn filled(survivor: &LeadRow, duplicate: &LeadRow) -> LeadRow {
    let mut merged = survivor.clone();
    macro_rules! fill {
        ($($field:ident),+) => {$( if merged.$field.is_none() { merged.$field = duplicate.$field.clone(); } )+};
    }
    fill!(
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
        estimated_value,
        estimated_currency,
        notes,
        last_visit_at,
        next_follow_up_at
    );
    if merged.estimated_value.is_some() != merged.estimated_currency.is_some() {
        merged.estimated_value = survivor.estimated_value;
        merged.estimated_currency = survivor.estimated_currency.clone();
    }
    merged
}
