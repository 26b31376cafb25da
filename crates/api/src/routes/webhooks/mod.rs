//! `/webhooks`: signed event subscriptions of other internal tools.
//!
//! Who: admins, and service accounts holding `webhooks:manage`; anyone else is 403. What
//! they see: an admin every subscription; a service account the ones it created (another's
//! is 404). A subscription carries only events on records its creator can see (see
//! `crate::webhooks::enqueue`).

mod create;
mod delete;
mod deliveries;
mod read;
mod rotate;
mod test;
mod update;

use crate::services::webhooks::{creator_filter, find_visible, require_manager};
use crate::webhooks::ssrf::{self, Policy};
use chrono::{DateTime, Utc};
use ironfield_domain::ids::DeliveryId;
use ironfield_domain::{validation, ValidationErrors};
use ironfield_persistence::webhooks::{AttemptRow, DeliveryRow, WebhookRow};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub use ironfield_domain::webhook::{CreatorType, DeliveryStatus};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(read::list_webhooks)
        .service(create::create_webhook)
        .service(read::get_webhook)
        .service(update::update_webhook)
        .service(delete::delete_webhook)
        .service(rotate::rotate_secret)
        .service(deliveries::list_deliveries)
        .service(test::send_test);
}

/// The event types a subscription may name.
pub const EVENT_TYPES: &[&str] = &[
    "lead.created",
    "lead.updated",
    "lead.stage_changed",
    "lead.assigned",
    "lead.merged",
    "seller_account.signed",
    "seller_account.updated",
    "seller_account.renewed",
    "seller_account.churned",
    "visit.logged",
    "visit.corrected",
    "meeting.opened",
    "target.set",
    "target.achieved",
    "webhook.test",
];

pub const MAX_DESCRIPTION_LEN: usize = 500;

/// An event type a subscription may name.
#[derive(ToSchema)]
pub enum WebhookEventType {
    #[schema(rename = "lead.created")]
    LeadCreated,
    #[schema(rename = "lead.updated")]
    LeadUpdated,
    #[schema(rename = "lead.stage_changed")]
    LeadStageChanged,
    #[schema(rename = "lead.assigned")]
    LeadAssigned,
    #[schema(rename = "lead.merged")]
    LeadMerged,
    #[schema(rename = "seller_account.signed")]
    SellerAccountSigned,
    #[schema(rename = "seller_account.updated")]
    SellerAccountUpdated,
    #[schema(rename = "seller_account.renewed")]
    SellerAccountRenewed,
    #[schema(rename = "seller_account.churned")]
    SellerAccountChurned,
    #[schema(rename = "visit.logged")]
    VisitLogged,
    #[schema(rename = "visit.corrected")]
    VisitCorrected,
    #[schema(rename = "meeting.opened")]
    MeetingOpened,
    #[schema(rename = "target.set")]
    TargetSet,
    #[schema(rename = "target.achieved")]
    TargetAchieved,
    #[schema(rename = "webhook.test")]
    WebhookTest,
}

/// A webhook subscription. The signing secret is never shown here (only on create and
/// rotate).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-00000000f001",
    "url": "https://crm-tools.example.com/ironfield", "event_types": ["lead.stage_changed"],
    "active": true, "description": "stage changes to the BI tool",
    "created_by": "0193a1b2-0000-7000-8000-0000000000a1", "created_by_type": "user",
    "failure_streak": 0, "disabled_reason": null,
    "created_at": "2026-11-03T02:10:00Z", "updated_at": "2026-11-03T02:10:00Z", "version": 1}))]
pub struct Webhook {
    #[schema(format = Uuid)]
    pub id: String,
    pub url: String,
    /// The types delivered; empty: every type.
    #[schema(value_type = Vec<WebhookEventType>)]
    pub event_types: Vec<String>,
    /// Inactive subscriptions receive nothing; deliveries already due wait until re-enabled.
    pub active: bool,
    pub description: Option<String>,
    /// Who created it (a user or a service account id).
    #[schema(format = Uuid)]
    pub created_by: String,
    #[schema(value_type = CreatorType)]
    pub created_by_type: CreatorType,
    /// Consecutive failed attempts; at 20 the subscription is disabled.
    pub failure_streak: i64,
    /// Why the server disabled it (`null` when active or turned off by hand).
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<WebhookRow> for Webhook {
    fn from(row: WebhookRow) -> Self {
        Webhook {
            active: row.is_active(),
            event_types: row.event_types,
            id: row.id.into(),
            url: row.url,
            description: row.description,
            created_by: row.created_by,
            created_by_type: row.creator_kind,
            failure_streak: row.failure_streak,
            disabled_reason: row.disabled_reason,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
            version: row.version,
        }
    }
}

/// A subscription with its signing secret: answered only by create and rotate-secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The HMAC key of `X-Ironfield-Signature`, used whole (prefix included) as UTF-8 bytes.
    #[schema(example = "whsec_3q2-7wEXAMPLEsecretEXAMPLEsecretEXAMPLEsecr")]
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookPage {
    pub items: Vec<Webhook>,
    pub next_cursor: Option<String>,
}

/// One event sent (or being sent) to one subscription.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-00000000d001",
    "event_id": "0193a1b2-0000-7000-8000-00000000e001", "event_type": "webhook.test",
    "attempt": 2, "status": "succeeded", "response_status": 200, "duration_ms": 41,
    "error": null, "next_attempt_at": null, "created_at": "2026-11-03T02:10:00Z",
    "attempts": [
        {"attempt": 1, "attempted_at": "2026-11-03T02:10:01Z", "response_status": 500,
         "duration_ms": 35, "error": "HTTP 500"},
        {"attempt": 2, "attempted_at": "2026-11-03T02:10:09Z", "response_status": 200,
         "duration_ms": 41, "error": null}]}))]
pub struct Delivery {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub event_id: String,
    #[schema(value_type = WebhookEventType)]
    pub event_type: String,
    /// Tries made so far (0 until the first is made).
    pub attempt: i64,
    /// `pending` while a try is due, `succeeded` or `failed` (retried for 24 h) when done.
    #[schema(value_type = DeliveryStatus)]
    pub status: DeliveryStatus,
    /// The HTTP status of the last try; `null` when there was no answer.
    pub response_status: Option<i64>,
    /// How long the last try took.
    pub duration_ms: Option<i64>,
    /// Why the last try failed (`HTTP 500`, `no answer within 10 s`, ...).
    pub error: Option<String>,
    /// When the next try is due; `null` once done.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Every try so far, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

/// One try of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttempt {
    /// 1 for the first try.
    pub attempt: i64,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; `null` when there was no answer.
    pub response_status: Option<i64>,
    pub duration_ms: i64,
    /// Why the try failed; `null` when it succeeded.
    pub error: Option<String>,
}

impl From<AttemptRow> for DeliveryAttempt {
    fn from(row: AttemptRow) -> Self {
        DeliveryAttempt {
            attempt: row.attempt,
            attempted_at: row.attempted_at.and_utc(),
            response_status: row.response_status,
            duration_ms: row.duration_ms,
            error: row.error,
        }
    }
}

impl Delivery {
    /// Deliveries with their logged tries (`attempts` holds tries of any of them).
    fn with_attempts(rows: Vec<DeliveryRow>, attempts: Vec<AttemptRow>) -> Vec<Delivery> {
        let mut by_delivery: std::collections::HashMap<DeliveryId, Vec<DeliveryAttempt>> =
            std::collections::HashMap::new();
        for attempt in attempts {
            by_delivery
                .entry(attempt.delivery_id.clone())
                .or_default()
                .push(attempt.into());
        }
        rows.into_iter()
            .map(|row| {
                let tries = by_delivery.remove(&row.id).unwrap_or_default();
                Delivery {
                    attempts: tries,
                    ..Delivery::from(row)
                }
            })
            .collect()
    }
}

impl From<DeliveryRow> for Delivery {
    fn from(row: DeliveryRow) -> Self {
        Delivery {
            id: row.id.into(),
            event_id: row.event_id.into(),
            event_type: row.event_type,
            attempt: row.attempt,
            status: row.status,
            response_status: row.response_status,
            duration_ms: row.duration_ms,
            error: row.error,
            next_attempt_at: row.next_attempt_at.map(|t| t.and_utc()),
            created_at: row.created_at.and_utc(),
            attempts: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<Delivery>,
    pub next_cursor: Option<String>,
}

/// Checks `event_types` against the known list; answers them de-duplicated, in the given order.
fn check_event_types(types: &[String], errors: &mut ValidationErrors) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    if types.len() > EVENT_TYPES.len() {
        errors.add(
            "event_types",
            format!("at most {} types", EVENT_TYPES.len()),
        );
    }
    for (i, t) in types.iter().enumerate() {
        if !EVENT_TYPES.contains(&t.as_str()) {
            errors.add(
                format!("event_types[{i}]"),
                format!(
                    "unknown event type `{t}`; one of {}",
                    EVENT_TYPES.join(", ")
                ),
            );
        } else if !kept.contains(t) {
            kept.push(t.clone());
        }
    }
    kept
}

/// `None` for an empty or blank description; refuses NUL and over-long text.
fn check_description(text: &str, errors: &mut ValidationErrors) -> Option<String> {
    errors
        .check(
            "description",
            validation::optional_text(text, MAX_DESCRIPTION_LEN),
        )
        .filter(|t| !t.is_empty())
}

/// The URL guard as at create and update: syntax and scheme, then the host's addresses.
async fn check_url(raw: &str, policy: Policy, errors: &mut ValidationErrors) -> Option<String> {
    let url = match ssrf::check_url(raw, policy) {
        Ok(url) => url,
        Err(reason) => {
            errors.add("url", reason);
            return None;
        }
    };
    match ssrf::resolve(&url, policy).await {
        Ok(_) => Some(url.to_string()),
        Err(reason) => {
            errors.add("url", reason);
            None
        }
    }
}
