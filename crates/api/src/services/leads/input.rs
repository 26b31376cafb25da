//! A lead's writable fields as every lead write takes them, and how they are checked and
//! applied. Owner, team and stage are not applied here: who may set them is each write's
//! question.

use crate::services::facts::{self, StallColumns, StallFacts};
use chrono::{DateTime, FixedOffset};
use ironfield_domain::{validation, Money, Stage, ValidationErrors};
use ironfield_persistence::leads::LeadRow;

/// A lead's writable fields as the create and update paths apply them (also filled by CSV
/// import and by a visit's inline `new_lead`). Clients send `LeadCreate` or `LeadUpdate`
/// (`routes::leads::input`), each with its own schema; both convert into this.
#[derive(Debug, Default, Clone)]
pub struct LeadInput {
    pub id: Option<String>,
    pub stage: Option<Stage>,
    pub lost_reason: Option<String>,
    pub owner_id: Option<String>,
    pub team_id: Option<String>,
    /// Who the stall owner is and where, as a seller account holds it too.
    pub facts: StallFacts,
    pub product_categories: Option<Vec<String>>,
    pub source: Option<Option<String>>,
    pub estimated_value: Option<Option<Money>>,
    pub notes: Option<Option<String>>,
    pub next_follow_up_at: Option<Option<DateTime<FixedOffset>>>,
}

impl<'a> From<&'a mut LeadRow> for StallColumns<'a> {
    fn from(lead: &'a mut LeadRow) -> Self {
        StallColumns {
            company_name: &mut lead.company_name,
            contact_name: &mut lead.contact_name,
            phone: &mut lead.phone,
            wechat_id: &mut lead.wechat_id,
            email: Some(&mut lead.email),
            business_license_no: &mut lead.business_license_no,
            market: &mut lead.market,
            district: &mut lead.district,
            stall_no: &mut lead.stall_no,
            location_lat: &mut lead.location_lat,
            location_lng: &mut lead.location_lng,
        }
    }
}

impl LeadInput {
    /// Applies the facts that are present to `lead`, collecting every invalid one. `id`,
    /// `stage`, `lost_reason`, `owner_id` and `team_id` are the write's to apply.
    pub fn apply_facts(&mut self, lead: &mut LeadRow, errors: &mut ValidationErrors) {
        std::mem::take(&mut self.facts).apply(StallColumns::from(&mut *lead), errors);
        if let Some(categories) = self.product_categories.take() {
            lead.product_categories = categories_checked(errors, &categories);
        }
        if let Some(v) = &self.source {
            lead.source = facts::text(errors, "source", v, 50);
        }
        if let Some(v) = self.estimated_value.take() {
            let money =
                v.and_then(|m| errors.check("estimated_value", Money::new(m.amount, &m.currency)));
            lead.estimated_value = money.as_ref().map(|m| m.amount);
            lead.estimated_currency = money.map(|m| m.currency);
        }
        if let Some(v) = &self.notes {
            lead.notes = facts::notes(errors, v);
        }
        if let Some(v) = self.next_follow_up_at.take() {
            lead.next_follow_up_at = v.map(|t| t.naive_utc());
        }
    }
}

/// At most 20 categories, each 1 to 50 characters; repeats are dropped.
fn categories_checked(errors: &mut ValidationErrors, categories: &[String]) -> Vec<String> {
    let mut clean = Vec::new();
    if categories.len() > 20 {
        errors.add("product_categories", "at most 20 categories");
    }
    for (i, category) in categories.iter().enumerate() {
        if let Some(c) = errors.check(
            &format!("product_categories[{i}]"),
            validation::required_text(category, 50),
        ) {
            if !clean.contains(&c) {
                clean.push(c);
            }
        }
    }
    clean
}
