//! Leads: prospective sellers, from first contact at the stall to conversion.

mod archive;
mod assign;
mod convert;
mod create;
mod csv_export;
mod csv_import;
mod duplicates;
mod history;
pub mod input;
mod list;
mod merge;
mod read;
mod update;

use crate::error::{ApiError, ApiResult};
use crate::services::leads::find_visible;
use chrono::{DateTime, Utc};
use ironfield_domain::{GeoPoint, Money, Stage};
use ironfield_persistence::leads::LeadRow;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    // `/leads/duplicates`, `/leads/export.csv` and `/leads/import` before `/leads/{id}`, so
    // the literal paths win.
    cfg.service(duplicates::find_duplicates)
        .service(csv_export::export_leads)
        .service(csv_import::import_leads)
        .service(list::list_leads)
        .service(create::create_lead)
        .service(read::get_lead)
        .service(update::update_lead)
        .service(archive::archive_lead)
        .service(assign::assign_lead)
        .service(convert::convert_lead)
        .service(merge::merge_lead)
        .service(history::lead_history);
}

/// A prospective seller.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", "company_name": "义乌市星辰饰品厂",
    "contact_name": "陈海燕", "phone": "+8613800138000", "wechat_id": "chenhy-yiwu",
    "email": null, "business_license_no": null, "market": "国际商贸城一区", "district": "1",
    "stall_no": "A-1023", "location": {"lat": 29.3321, "lng": 120.1078},
    "product_categories": ["jewellery"], "source": "walk_in", "stage": "visited",
    "lost_reason": null, "owner_id": "0193a1b2-0000-7000-8000-0000000000a1",
    "team_id": "0193a1b2-0000-7000-8000-000000000001",
    "estimated_value": {"amount": 1980000, "currency": "CNY"}, "notes": null,
    "last_visit_at": "2026-11-03T02:10:00Z", "next_follow_up_at": "2026-11-06T01:00:00Z",
    "account_id": null, "archived": false, "merged_into_id": null,
    "created_at": "2026-11-01T03:00:00Z", "updated_at": "2026-11-03T02:10:00Z", "version": 3
}))]
pub struct Lead {
    #[schema(format = Uuid)]
    pub id: String,
    pub company_name: String,
    pub contact_name: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub wechat_id: Option<String>,
    pub email: Option<String>,
    /// The 18-character Unified Social Credit Code.
    pub business_license_no: Option<String>,
    pub market: Option<String>,
    pub district: Option<String>,
    pub stall_no: Option<String>,
    pub location: Option<GeoPoint>,
    pub product_categories: Vec<String>,
    pub source: Option<String>,
    pub stage: Stage,
    pub lost_reason: Option<String>,
    #[schema(format = Uuid)]
    pub owner_id: String,
    /// The team the lead belongs to: its owner's team when it was last assigned.
    #[schema(format = Uuid)]
    pub team_id: Option<String>,
    pub estimated_value: Option<Money>,
    pub notes: Option<String>,
    pub last_visit_at: Option<DateTime<Utc>>,
    pub next_follow_up_at: Option<DateTime<Utc>>,
    /// The seller account it converted into.
    #[schema(format = Uuid)]
    pub account_id: Option<String>,
    pub archived: bool,
    /// Set when this lead was merged into another as a duplicate.
    #[schema(format = Uuid)]
    pub merged_into_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl TryFrom<LeadRow> for Lead {
    type Error = ApiError;

    fn try_from(row: LeadRow) -> ApiResult<Self> {
        let location = match (row.location_lat, row.location_lng) {
            (Some(lat), Some(lng)) => Some(GeoPoint { lat, lng }),
            _ => None,
        };
        let estimated_value = match (row.estimated_value, row.estimated_currency) {
            (Some(amount), Some(currency)) => Some(Money { amount, currency }),
            _ => None,
        };
        Ok(Lead {
            stage: row.stage,
            product_categories: row.product_categories,
            archived: row.archived_at.is_some(),
            location,
            estimated_value,
            id: row.id.into(),
            company_name: row.company_name,
            contact_name: row.contact_name,
            phone: row.phone,
            wechat_id: row.wechat_id,
            email: row.email,
            business_license_no: row.business_license_no,
            market: row.market,
            district: row.district,
            stall_no: row.stall_no,
            source: row.source,
            lost_reason: row.lost_reason,
            owner_id: row.owner_id.into(),
            team_id: row.team_id,
            notes: row.notes,
            last_visit_at: row.last_visit_at.map(|t| t.and_utc()),
            next_follow_up_at: row.next_follow_up_at.map(|t| t.and_utc()),
            account_id: row.account_id.map(String::from),
            merged_into_id: row.merged_into_id.map(String::from),
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeadPage {
    pub items: Vec<Lead>,
    pub next_cursor: Option<String>,
}

/// The reply for one lead, with its ETag.
pub(crate) fn lead_reply(row: LeadRow) -> ApiResult<crate::reply::Reply> {
    let version = row.version;
    Ok(crate::reply::Reply::ok(&Lead::try_from(row)?).versioned(version))
}
