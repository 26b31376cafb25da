use super::input::AccountUpdate;
use super::{account_reply, SellerAccount};
use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller, IfMatch};
use crate::reply::Reply;
use crate::routes::path_id;
use crate::services::leads::check_owner;
use crate::services::seller_accounts::{find_writable, save, AccountInput};
use crate::state::AppState;
use actix_web::{patch, web};
use ironfield_auth::policy;
use ironfield_domain::ids::SellerAccountId;
use ironfield_domain::{validation, ValidationErrors};
use ironfield_persistence::seller_accounts::AccountRow;
use ironfield_persistence::DbConnection;

/// Update a seller account
///
/// Changes the fields sent (`null` clears one): the seller's contact facts, `membership_tier`,
/// `status`, `churn_reason`, `notes` and `owner_id`. Moving to `churned` needs a
/// `churn_reason` (422); leaving it clears the reason. The contract changes only by
/// `POST /seller-accounts/{id}/renew`. A rep changes only their own accounts; reassigning
/// (`owner_id`) needs a team lead or above: otherwise 403 and nothing changes. A live account
/// may not share a phone, WeChat id or licence with another (409 `duplicate`). Honours
/// `If-Match` (412).
#[utoipa::path(
    tag = "seller-accounts",
    params(
        ("id" = String, Path, format = Uuid, description = "Seller account id"),
        ("If-Match" = Option<String>, Header, min_length = 1, description = "The `ETag` last read, e.g. `\"3\"` (or `*`): a write to a record whose version has moved on is 412 and changes nothing; an empty value is 422"),
    ),
    request_body = AccountUpdate,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The seller account as changed", body = SellerAccount, headers(("ETag" = String))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 404, response = crate::spec_types::NotFound),
        (status = 409, response = crate::spec_types::Conflict),
        (status = 412, response = crate::spec_types::PreconditionFailed),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[patch("/seller-accounts/{id}")]
pub async fn update_account(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ApiJson<AccountUpdate>,
) -> ApiResult<Reply> {
    let id: SellerAccountId = path_id(&id, "seller account")?;
    let input = AccountInput::from(body.into_inner());
    let account = blocking::write(&state, move |conn| {
        let current = find_writable(conn, &caller, &id)?;
        apply_update(conn, &caller, &current, input, if_match)
    })
    .await?;
    account_reply(account)
}

fn apply_update(
    conn: &mut DbConnection,
    caller: &Caller,
    current: &AccountRow,
    mut input: AccountInput,
    if_match: IfMatch,
) -> ApiResult<AccountRow> {
    let mut errors = ValidationErrors::new();
    let mut account = current.clone();
    input.apply_facts(&mut account, &mut errors);
    if let Some(status) = input.status {
        account.status = status;
    }
    let churned = !account.status.is_live();
    match (churned, input.churn_reason.as_ref()) {
        (true, Some(Some(reason))) => {
            account.churn_reason =
                errors.check("churn_reason", validation::required_text(reason, 500));
        }
        (true, Some(None)) => errors.add("churn_reason", "a churned account needs a reason"),
        (true, None) if account.churn_reason.is_none() => {
            errors.add("churn_reason", "say why the seller churned");
        }
        (true, None) => {}
        (false, Some(Some(_))) => {
            errors.add("churn_reason", "only a churned account has a churn reason");
        }
        (false, _) => account.churn_reason = None,
    }
    if input
        .owner_id
        .as_deref()
        .is_some_and(|id| ironfield_domain::ids::parse_id(id).is_none())
    {
        errors.add("owner_id", "must be a UUID");
    }
    errors.into_result(())?;
    // A bad body is 422 whatever the version: only a valid change can be stale.
    if_match.check(current.version)?;

    if let Some(owner_id) = input
        .owner_id
        .as_deref()
        .filter(|o| *o != current.owner_id.as_str())
    {
        if !policy::may_assign(&caller.principal, &caller.view, current.team_id.as_ref()) {
            return Err(ApiError::forbidden(
                "only a team lead or above may reassign a seller account",
            ));
        }
        let owner = check_owner(conn, caller, owner_id)?;
        account.owner_id = owner.id;
        account.team_id = owner.team_id;
    }

    let action = if current.status != account.status {
        "status_changed"
    } else if current.owner_id != account.owner_id {
        "assigned"
    } else {
        "updated"
    };
    save(conn, caller, current, account, action, None)
}
