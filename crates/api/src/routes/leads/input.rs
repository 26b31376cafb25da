//! What a client may send to create or change a lead: the wire types with their schemas,
//! each converted into the service's [`LeadInput`], which checks and applies them.

use crate::routes::double_option;
use crate::services::facts::StallFacts;
use crate::services::leads::input::LeadInput;
use chrono::{DateTime, FixedOffset};
use ironfield_domain::{GeoPoint, Money, Stage};
use serde::Deserialize;
use utoipa::ToSchema;

/// The stages a lead may be created at: any open one but `lost`.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum OpenStage {
    New,
    Contacted,
    Visited,
    Negotiating,
}

/// A new lead. Only `company_name` is required; `stage` defaults to `new` and `owner_id` to
/// the caller. Send `id` (a UUID made on the phone) to make the create safe to repeat: the
/// same `id` again returns the stored lead (200).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b",
    "company_name": "义乌市星辰饰品厂", "contact_name": "陈海燕", "phone": "138 0013 8000",
    "market": "国际商贸城一区", "district": "1", "stall_no": "A-1023", "source": "walk_in",
    "product_categories": ["jewellery"]
}))]
pub struct LeadCreate {
    /// A client-made UUID; repeating it returns the stored lead.
    #[schema(format = Uuid)]
    pub id: Option<String>,
    /// An open stage other than `lost`; default `new`.
    #[schema(value_type = Option<OpenStage>)]
    pub stage: Option<Stage>,
    /// Default the caller (a rep owns only their own leads; naming another owner needs a team
    /// lead or above; a service account must name one). The lead belongs to its owner's team.
    #[schema(format = Uuid)]
    pub owner_id: Option<String>,
    #[schema(required = true, value_type = String, pattern = r"\S", max_length = 200)]
    pub company_name: Option<String>,
    #[schema(max_length = 100)]
    pub contact_name: Option<String>,
    /// Any common way of writing it; stored as E.164 (default region CN).
    #[schema(example = "138 0013 8000", max_length = 64)]
    pub phone: Option<String>,
    #[schema(pattern = r"^\s*[A-Za-z][A-Za-z0-9_-]{5,19}\s*$")]
    pub wechat_id: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    /// The 18-character Unified Social Credit Code (统一社会信用代码), check character verified.
    #[schema(pattern = r"^\s*[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{18}\s*$")]
    pub business_license_no: Option<String>,
    #[schema(max_length = 100)]
    pub market: Option<String>,
    #[schema(max_length = 100)]
    pub district: Option<String>,
    #[schema(max_length = 50)]
    pub stall_no: Option<String>,
    pub location: Option<GeoPoint>,
    /// At most 20, each 1 to 50 characters; repeats are dropped.
    #[schema(max_items = 20)]
    pub product_categories: Option<Vec<String>>,
    #[schema(max_length = 50)]
    pub source: Option<String>,
    pub estimated_value: Option<Money>,
    #[schema(max_length = 6400)]
    pub notes: Option<String>,
    /// RFC 3339 with any offset.
    #[schema(value_type = Option<DateTime<chrono::Utc>>)]
    pub next_follow_up_at: Option<DateTime<FixedOffset>>,
}

impl From<LeadCreate> for LeadInput {
    fn from(c: LeadCreate) -> Self {
        LeadInput {
            id: c.id,
            stage: c.stage,
            lost_reason: None,
            owner_id: c.owner_id,
            team_id: None,
            facts: StallFacts {
                company_name: c.company_name,
                contact_name: c.contact_name.map(Some),
                phone: c.phone.map(Some),
                wechat_id: c.wechat_id.map(Some),
                email: c.email.map(Some),
                business_license_no: c.business_license_no.map(Some),
                market: c.market.map(Some),
                district: c.district.map(Some),
                stall_no: c.stall_no.map(Some),
                location: c.location.map(Some),
            },
            product_categories: c.product_categories,
            source: c.source.map(Some),
            estimated_value: c.estimated_value.map(Some),
            notes: c.notes.map(Some),
            next_follow_up_at: c.next_follow_up_at.map(Some),
        }
    }
}

/// A change to a lead: every field optional; an absent field is left alone and `null` clears
/// it (`company_name` cannot be cleared). A field not listed here (`id`, ...) is 422.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stage": "negotiating", "next_follow_up_at": "2026-11-06T09:00:00+08:00"}))]
pub struct LeadUpdate {
    /// Moves by the stage rules; `won` only by conversion; `lost` needs `lost_reason`.
    pub stage: Option<Stage>,
    /// Only with (or on) a `lost` lead: why it was lost.
    #[schema(pattern = r"\S", max_length = 500)]
    pub lost_reason: Option<String>,
    /// Reassigns (team leads and above); the team follows the new owner.
    #[schema(format = Uuid)]
    pub owner_id: Option<String>,
    /// Moves the lead to another team (admins, managers within their branch).
    #[schema(format = Uuid)]
    pub team_id: Option<String>,
    #[schema(pattern = r"\S", max_length = 200)]
    pub company_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub contact_name: Option<Option<String>>,
    /// Any common way of writing it; stored as E.164 (default region CN).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "138 0013 8000", max_length = 64)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = r"^\s*[A-Za-z][A-Za-z0-9_-]{5,19}\s*$")]
    pub wechat_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub email: Option<Option<String>>,
    /// The 18-character Unified Social Credit Code (统一社会信用代码), check character verified.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = r"^\s*[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{18}\s*$")]
    pub business_license_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub market: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub district: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 50)]
    pub stall_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<GeoPoint>)]
    pub location: Option<Option<GeoPoint>>,
    /// Replaces the list: at most 20, each 1 to 50 characters.
    #[schema(max_items = 20)]
    pub product_categories: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 50)]
    pub source: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Money>)]
    pub estimated_value: Option<Option<Money>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 6400)]
    pub notes: Option<Option<String>>,
    /// RFC 3339 with any offset.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<chrono::Utc>>)]
    pub next_follow_up_at: Option<Option<DateTime<FixedOffset>>>,
}

impl From<LeadUpdate> for LeadInput {
    fn from(u: LeadUpdate) -> Self {
        LeadInput {
            id: None,
            stage: u.stage,
            lost_reason: u.lost_reason,
            owner_id: u.owner_id,
            team_id: u.team_id,
            facts: StallFacts {
                company_name: u.company_name,
                contact_name: u.contact_name,
                phone: u.phone,
                wechat_id: u.wechat_id,
                email: u.email,
                business_license_no: u.business_license_no,
                market: u.market,
                district: u.district,
                stall_no: u.stall_no,
                location: u.location,
            },
            product_categories: u.product_categories,
            source: u.source,
            estimated_value: u.estimated_value,
            notes: u.notes,
            next_follow_up_at: u.next_follow_up_at,
        }
    }
}
