//! Every route, declared once: `.service(handler)` both routes the request and adds the
//! handler's operation to the OpenAPI document.

pub mod audit;
pub mod auth;
pub mod events;
pub mod health;
pub mod leads;
pub mod meetings;
pub mod seller_accounts;
pub mod seller_performance;
pub mod service_accounts;
pub mod settings;
pub mod targets;
pub mod teams;
pub mod users;
pub mod visits;
pub mod webhooks;

use crate::error::{ApiError, ApiResult};
use ironfield_domain::ids::RecordId;
use serde::{Deserialize, Deserializer};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    health::configure(cfg);
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .configure(auth::configure)
            .configure(users::configure)
            .configure(teams::configure)
            .configure(service_accounts::configure)
            .configure(leads::configure)
            .configure(seller_accounts::configure)
            .configure(seller_performance::configure)
            .configure(visits::configure)
            .configure(meetings::configure)
            .configure(settings::configure)
            .configure(targets::configure)
            .configure(webhooks::configure)
            .configure(events::configure),
    );
}

/// A record id from the path. A malformed id names no record, so it is a 404.
pub fn path_id<I: RecordId>(raw: &str, what: &str) -> ApiResult<I> {
    I::parse_text(raw).ok_or_else(|| ApiError::not_found(what))
}

/// For id filters in a query string: absent is `None`; present, it must be a UUID (an empty
/// or malformed id is a 422 naming the parameter, never "no filter").
pub fn query_id<'de, D, I>(deserializer: D) -> Result<Option<I>, D::Error>
where
    D: Deserializer<'de>,
    I: RecordId,
{
    let raw = String::deserialize(deserializer)?;
    I::parse_text(&raw)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("`{raw}` is not a UUID")))
}

/// For PATCH bodies: tells "absent" (`None`) from "set to null" (`Some(None)`).
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
