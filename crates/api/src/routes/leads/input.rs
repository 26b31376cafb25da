//! What a client may send to create or change a lead, and how it is checked and applied.
//! Owner, team and stage are not applied here: who may set them is each endpoint's question.

use crate::routes::{double_option, facts};
use chrono::{DateTime, FixedOffset};
use ironfield_domain::{validation, GeoPoint, Money, Stage, ValidationErrors};
use ironfield_persistence::leads::LeadRow;
use serde::Deserialize;
use utoipa::ToSchema;

/// A lead as a client writes it: all of it on create (`company_name` required), any of it on
/// PATCH, where an absent field is left alone and `null` clears it. `id` is for create only
/// (a UUID made on the phone: sending it again returns the stored lead); `team_id` and
/// `lost_reason` are for PATCH.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "company_name": "义乌市星辰饰品厂", "contact_name": "陈海燕", "phone": "138 0013 8000",
    "market": "国际商贸城一区", "district": "1", "stall_no": "A-1023", "source": "walk_in"
}))]
pub struct LeadInput {
    /// Create only: a client-made UUID.
    #[schema(format = Uuid)]
    pub id: Option<String>,
    /// Create: default `new` (any open stage but `lost`). PATCH: moves by the stage rules;
    /// `lost` needs `lost_reason`.
    pub stage: Option<Stage>,
    pub lost_reason: Option<String>,
    /// Create: default the caller (a rep owns only their own leads). PATCH: reassigns (team
    /// leads and above); the team follows the new owner.
    #[schema(format = Uuid)]
    pub owner_id: Option<String>,
    /// PATCH only: moves the lead to another team (admins, managers within their branch).
    #[schema(format = Uuid)]
    pub team_id: Option<String>,
    pub company_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_name: Option<Option<String>>,
    /// Any common way of writing it; stored as E.164 (default region CN).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "138 0013 8000")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub wechat_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// The 18-character Unified Social Credit Code (统一社会信用代码), check character verified.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub business_license_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub market: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub district: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub stall_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<GeoPoint>)]
    pub location: Option<Option<GeoPoint>>,
    pub product_categories: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub source: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Money>)]
    pub estimated_value: Option<Option<Money>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// RFC 3339 with any offset.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<chrono::Utc>>)]
    pub next_follow_up_at: Option<Option<DateTime<FixedOffset>>>,
}

impl LeadInput {
    /// Applies the contact and stall facts that are present to `lead`, collecting every
    /// invalid one. `id`, `stage`, `lost_reason`, `owner_id` and `team_id` are the
    /// endpoint's to apply.
    pub fn apply_facts(&mut self, lead: &mut LeadRow, errors: &mut ValidationErrors) {
        if let Some(name) = &self.company_name {
            if let Some(name) = errors.check("company_name", validation::required_text(name, 200)) {
                lead.company_name = name;
            }
        }
        if let Some(v) = &self.contact_name {
            lead.contact_name = facts::text(errors, "contact_name", v, 100);
        }
        if let Some(v) = self.phone.take() {
            lead.phone = facts::phone(errors, v);
        }
        if let Some(v) = self.wechat_id.take() {
            lead.wechat_id = facts::wechat_id(errors, v);
        }
        if let Some(v) = self.email.take() {
            lead.email = v.and_then(|e| {
                errors
                    .check("email", ironfield_domain::Email::parse(&e))
                    .map(|e| e.into_string())
            });
        }
        if let Some(v) = self.business_license_no.take() {
            lead.business_license_no = facts::business_license_no(errors, v);
        }
        if let Some(v) = &self.market {
            lead.market = facts::text(errors, "market", v, 100);
        }
        if let Some(v) = &self.district {
            lead.district = facts::text(errors, "district", v, 100);
        }
        if let Some(v) = &self.stall_no {
            lead.stall_no = facts::stall_no(errors, v);
        }
        if let Some(v) = self.location.take() {
            (lead.location_lat, lead.location_lng) = facts::location(errors, v);
        }
        if let Some(categories) = self.product_categories.take() {
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
            lead.product_categories = serde_json::to_string(&clean).unwrap_or_else(|_| "[]".into());
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
            lead.notes = facts::text(errors, "notes", v, 4000);
        }
        if let Some(v) = self.next_follow_up_at.take() {
            lead.next_follow_up_at = v.map(|t| t.naive_utc());
        }
    }
}
