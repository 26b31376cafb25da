//! Which events a change of a record makes, and what each says moved: pure functions of the
//! row before and after, so every write path (PATCH, assign, merge, convert, ...) classifies
//! a change the same way.

use super::{Changes, EventType};
use chrono::{DateTime, NaiveDateTime, Utc};
use ironfield_persistence::leads::LeadRow;
use ironfield_persistence::seller_accounts::AccountRow;
use ironfield_persistence::visits::VisitRow;
use serde_json::{json, Value};

fn utc(t: Option<NaiveDateTime>) -> Option<DateTime<Utc>> {
    t.map(|t| t.and_utc())
}

fn point(lat: Option<f64>, lng: Option<f64>) -> Value {
    match (lat, lng) {
        (Some(lat), Some(lng)) => json!({"lat": lat, "lng": lng}),
        _ => Value::Null,
    }
}

fn money(amount: Option<i64>, currency: Option<&str>) -> Value {
    match (amount, currency) {
        (Some(amount), Some(currency)) => json!({"amount": amount, "currency": currency}),
        _ => Value::Null,
    }
}

/// A lead's change as events, in the API's field names:
/// - `lead.merged` when it was merged into another lead (`merged_into_id`, `archived`);
/// - `lead.stage_changed` when its stage moved (`stage`, with `lost_reason` and the
///   `account_id` of a conversion);
/// - `lead.assigned` when its owner or team changed (`owner_id`, `team_id`);
/// - `lead.updated` for every other field that changed.
pub fn lead_events(old: &LeadRow, new: &LeadRow) -> Vec<(EventType, Changes)> {
    let merged = Changes::new()
        .field("merged_into_id", &old.merged_into_id, &new.merged_into_id)
        .field(
            "archived",
            &old.archived_at.is_some(),
            &new.archived_at.is_some(),
        );
    let merging = old.merged_into_id != new.merged_into_id;
    let stage = Changes::new()
        .field("stage", &old.stage, &new.stage)
        .field("lost_reason", &old.lost_reason, &new.lost_reason)
        .field("account_id", &old.account_id, &new.account_id);
    let assigned = Changes::new()
        .field("owner_id", &old.owner_id, &new.owner_id)
        .field("team_id", &old.team_id, &new.team_id);
    let mut updated = Changes::new()
        .field("company_name", &old.company_name, &new.company_name)
        .field("contact_name", &old.contact_name, &new.contact_name)
        .field("phone", &old.phone, &new.phone)
        .field("wechat_id", &old.wechat_id, &new.wechat_id)
        .field("email", &old.email, &new.email)
        .field(
            "business_license_no",
            &old.business_license_no,
            &new.business_license_no,
        )
        .field("market", &old.market, &new.market)
        .field("district", &old.district, &new.district)
        .field("stall_no", &old.stall_no, &new.stall_no)
        .field(
            "location",
            &point(old.location_lat, old.location_lng),
            &point(new.location_lat, new.location_lng),
        )
        .field(
            "product_categories",
            &old.product_categories,
            &new.product_categories,
        )
        .field("source", &old.source, &new.source)
        .field(
            "estimated_value",
            &money(old.estimated_value, old.estimated_currency.as_deref()),
            &money(new.estimated_value, new.estimated_currency.as_deref()),
        )
        .field("notes", &old.notes, &new.notes)
        .field(
            "next_follow_up_at",
            &utc(old.next_follow_up_at),
            &utc(new.next_follow_up_at),
        );
    if !merging {
        updated = updated.field(
            "archived",
            &old.archived_at.is_some(),
            &new.archived_at.is_some(),
        );
    }
    let mut events = Vec::new();
    if merging {
        events.push((EventType::LeadMerged, merged));
    }
    for (event, changes) in [
        (EventType::LeadStageChanged, stage),
        (EventType::LeadAssigned, assigned),
        (EventType::LeadUpdated, updated),
    ] {
        if !changes.is_empty() {
            events.push((event, changes));
        }
    }
    events
}

/// A seller account's change as events: `seller_account.churned` when its status became
/// `churned` (`status`, `churn_reason`), else its other fields as `seller_account.updated`
/// (a status change that is not a churn included). Renewals emit `seller_account.renewed`
/// themselves.
pub fn account_events(old: &AccountRow, new: &AccountRow) -> Vec<(EventType, Changes)> {
    let churned = old.status.is_live() && !new.status.is_live();
    let mut updated = Changes::new()
        .field("company_name", &old.company_name, &new.company_name)
        .field("contact_name", &old.contact_name, &new.contact_name)
        .field("phone", &old.phone, &new.phone)
        .field("wechat_id", &old.wechat_id, &new.wechat_id)
        .field(
            "business_license_no",
            &old.business_license_no,
            &new.business_license_no,
        )
        .field("market", &old.market, &new.market)
        .field("district", &old.district, &new.district)
        .field("stall_no", &old.stall_no, &new.stall_no)
        .field(
            "location",
            &point(old.location_lat, old.location_lng),
            &point(new.location_lat, new.location_lng),
        )
        .field("owner_id", &old.owner_id, &new.owner_id)
        .field("team_id", &old.team_id, &new.team_id)
        .field(
            "membership_tier",
            &old.membership_tier,
            &new.membership_tier,
        )
        .field("contract_start", &old.contract_start, &new.contract_start)
        .field("contract_end", &old.contract_end, &new.contract_end)
        .field(
            "contract_value",
            &money(Some(old.contract_value), Some(&old.contract_currency)),
            &money(Some(new.contract_value), Some(&new.contract_currency)),
        )
        .field("notes", &old.notes, &new.notes);
    let status = Changes::new()
        .field("status", &old.status, &new.status)
        .field("churn_reason", &old.churn_reason, &new.churn_reason);
    let mut events = Vec::new();
    if churned {
        events.push((EventType::SellerAccountChurned, status));
    } else {
        for (field, value) in status.0 {
            updated.0.insert(field, value);
        }
    }
    if !updated.is_empty() {
        events.push((EventType::SellerAccountUpdated, updated));
    }
    events
}

/// What a visit's correction changed (`visit.corrected`), or nothing when nothing did.
pub fn visit_corrected(old: &VisitRow, new: &VisitRow) -> Option<Changes> {
    let changes = Changes::new()
        .field(
            "visited_at",
            &utc(Some(old.visited_at)),
            &utc(Some(new.visited_at)),
        )
        .field("purpose", &old.purpose, &new.purpose)
        .field("outcome", &old.outcome, &new.outcome)
        .field("notes", &old.notes, &new.notes)
        .field("market", &old.market, &new.market)
        .field("district", &old.district, &new.district)
        .field("stall_no", &old.stall_no, &new.stall_no)
        .field(
            "location",
            &point(old.location_lat, old.location_lng),
            &point(new.location_lat, new.location_lng),
        )
        .field(
            "next_follow_up_at",
            &utc(old.next_follow_up_at),
            &utc(new.next_follow_up_at),
        )
        .field(
            "duration_minutes",
            &old.duration_minutes,
            &new.duration_minutes,
        );
    (!changes.is_empty()).then_some(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::leads::blank_lead;
    use ironfield_domain::ids::{LeadId, TeamId, UserId};

    fn lead() -> LeadRow {
        let at = chrono::Utc::now().naive_utc();
        let mut lead = blank_lead(LeadId::new(), UserId::new(), Some(TeamId::new()), at);
        lead.company_name = "星辰饰品".into();
        lead
    }

    fn names(events: &[(EventType, Changes)]) -> Vec<&'static str> {
        events.iter().map(|(t, _)| t.as_str()).collect()
    }

    #[test]
    fn one_change_of_a_lead_can_make_several_events() {
        let old = lead();
        let mut new = old.clone();
        new.stage = ironfield_domain::Stage::Contacted;
        new.notes = Some("回访".into());
        new.owner_id = UserId::new();
        let events = lead_events(&old, &new);
        assert_eq!(
            names(&events),
            ["lead.stage_changed", "lead.assigned", "lead.updated"]
        );
        assert_eq!(
            Value::Object(events[0].1 .0.clone()),
            json!({"stage": {"from": "new", "to": "contacted"}})
        );
        assert!(lead_events(&old, &old).is_empty());
    }

    #[test]
    fn a_merge_is_not_also_an_archive() {
        let old = lead();
        let mut new = old.clone();
        new.archived_at = Some(old.created_at);
        new.merged_into_id = Some(LeadId::new());
        assert_eq!(names(&lead_events(&old, &new)), ["lead.merged"]);
        let mut archived = old.clone();
        archived.archived_at = Some(old.created_at);
        assert_eq!(names(&lead_events(&old, &archived)), ["lead.updated"]);
    }
}
