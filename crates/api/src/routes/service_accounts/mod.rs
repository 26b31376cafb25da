//! Service accounts: other internal tools. Only admins manage them.

use crate::blocking;
use crate::error::ApiResult;
use crate::extract::{page_request, ApiJson, Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::service_accounts;
use crate::state::AppState;
use actix_web::{delete, get, post, web};
use chrono::{DateTime, Utc};
use ironfield_auth::{Scope, Scopes};
use ironfield_domain::ids::ServiceAccountId;
use ironfield_domain::{validation, ValidationErrors};
use ironfield_persistence::service_accounts::ServiceAccountRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_service_accounts)
        .service(create_service_account)
        .service(delete_service_account);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceAccount {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(example = "warehouse-sync")]
    pub name: String,
    /// The `client_id` for `POST /auth/token`.
    pub client_id: String,
    #[schema(example = json!(["leads:read", "visits:read"]))]
    pub scopes: Vec<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A new service account, with its secret: shown this once, stored only as a hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedServiceAccount {
    #[serde(flatten)]
    pub account: ServiceAccount,
    pub client_secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceAccountPage {
    pub items: Vec<ServiceAccount>,
    pub next_cursor: Option<String>,
}

impl From<ServiceAccountRow> for ServiceAccount {
    fn from(row: ServiceAccountRow) -> Self {
        ServiceAccount {
            scopes: row.scopes.names(),
            id: row.id.into(),
            name: row.name,
            client_id: row.client_id,
            created_by: row.created_by,
            created_at: row.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "warehouse-sync", "scopes": ["leads:read", "visits:read"]}))]
pub struct CreateServiceAccount {
    #[schema(pattern = r"\S", max_length = 100)]
    pub name: String,
    /// At least one of: leads:read leads:write accounts:read accounts:write visits:read
    /// visits:write meetings:read meetings:write targets:read targets:write webhooks:manage.
    #[schema(value_type = Vec<crate::spec_types::ScopeName>, min_items = 1)]
    pub scopes: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 200 (default 50); more is 422.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; absent for the first.
    pub cursor: Option<String>,
}

/// List service accounts
///
/// Admins only. Secrets are never shown again.
#[utoipa::path(
    tag = "service-accounts",
    params(ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of service accounts", body = ServiceAccountPage),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/service-accounts")]
async fn list_service_accounts(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> ApiResult<Reply> {
    caller.require_admin()?;
    let page = page_request(query.limit, query.cursor.as_deref())?;
    let page = blocking::read(&state, move |conn| {
        Ok(ironfield_persistence::service_accounts::list(conn, &page)?)
    })
    .await?;
    Ok(Reply::ok(&ServiceAccountPage {
        items: page.items.into_iter().map(ServiceAccount::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Create a service account
///
/// Admins only. The response carries the `client_secret` once; keep it safe.
#[utoipa::path(
    tag = "service-accounts",
    request_body = CreateServiceAccount,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]{1,255}$", description = "Makes a retry safe: the same key and body from the same caller replay the first response (with `Idempotent-Replayed: true`) and create nothing; 1 to 255 visible ASCII characters, kept at least 24 hours")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created: the new service account with its secret (shown only this once)", body = CreatedServiceAccount, headers(("Location" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::IdempotencyKeyReused),
    )
)]
#[post("/service-accounts")]
async fn create_service_account(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    body: ApiJson<CreateServiceAccount>,
) -> ApiResult<Reply> {
    caller.require_admin()?;
    idempotency::create_once(
        state,
        caller,
        key,
        body,
        |state, caller, input| async move {
            let mut errors = ValidationErrors::new();
            let name = errors.check("name", validation::required_text(&input.name, 100));
            let scopes = errors.check("scopes", Scopes::parse(&input.scopes.join(" ")));
            if input.scopes.is_empty() {
                errors.add(
                    "scopes",
                    format!("name at least one scope, e.g. {}", Scope::LeadsRead),
                );
            }
            errors.into_result(())?;
            let (name, scopes) = (name.unwrap_or_default(), scopes.unwrap_or_default());
            let account = blocking::write(&state, move |conn| {
                service_accounts::create(conn, &caller, &name, &scopes)
            })
            .await?;
            let (row, client_secret) = account;
            let location = format!("/api/v1/service-accounts/{}", row.id);
            Ok(Reply::created(
                &CreatedServiceAccount {
                    account: row.into(),
                    client_secret,
                },
                location,
            ))
        },
    )
    .await
}

/// Delete a service account
///
/// Admins only. Its tokens stop working at once.
#[utoipa::path(
    tag = "service-accounts",
    params(("id" = String, Path, format = Uuid, description = "Service account id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
    )
)]
#[delete("/service-accounts/{id}")]
async fn delete_service_account(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<Reply> {
    caller.require_admin()?;
    let id: ServiceAccountId = path_id(&id, "service account")?;
    blocking::write(&state, move |conn| {
        service_accounts::delete(conn, &caller, &id)
    })
    .await?;
    Ok(Reply::no_content())
}
