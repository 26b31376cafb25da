use crate::blocking;
use crate::error::ApiResult;
use crate::extract::Caller;
use crate::reply::Reply;
use crate::services::facts;
use crate::state::AppState;
use actix_web::{get, web};
use ironfield_auth::Scope;
use ironfield_domain::ValidationErrors;
use ironfield_persistence::leads::{self, Identifiers};
use ironfield_persistence::seller_accounts;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DuplicatesQuery {
    /// Any common way of writing it; compared as E.164.
    #[param(min_length = 1, max_length = 64)]
    pub phone: Option<String>,
    #[param(pattern = r"^\s*[A-Za-z][A-Za-z0-9_-]{5,19}\s*$")]
    pub wechat_id: Option<String>,
    #[param(pattern = r"^\s*[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{18}\s*$")]
    pub business_license_no: Option<String>,
    /// With `stall_no`: an open lead on the same stall.
    #[param(min_length = 1, max_length = 100)]
    pub market: Option<String>,
    #[param(min_length = 1, max_length = 50)]
    pub stall_no: Option<String>,
}

/// A record that shares an identifier.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateMatch {
    /// `lead` or `seller_account`.
    #[serde(rename = "type")]
    #[schema(value_type = crate::spec_types::DuplicateType)]
    pub kind: &'static str,
    /// Only when the caller may see the record.
    #[schema(format = Uuid)]
    pub id: Option<String>,
    pub company_name: Option<String>,
    #[schema(format = Uuid)]
    pub owner_id: Option<String>,
    /// `phone`, `wechat_id`, `business_license_no`, `stall`.
    #[schema(value_type = Vec<crate::spec_types::MatchedOn>)]
    pub matched_on: Vec<&'static str>,
    /// `false`: it belongs to a team the caller cannot see.
    pub visible: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicatesAnswer {
    pub matches: Vec<DuplicateMatch>,
}

/// Find duplicates before creating a lead
///
/// Answers, before a rep types a whole lead, whether an open lead or a seller account already
/// has this phone, WeChat id, licence number or stall. Records the caller cannot see are
/// reported without their details.
#[utoipa::path(
    tag = "leads",
    params(DuplicatesQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The open leads and live accounts that match", body = DuplicatesAnswer),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/leads/duplicates")]
pub async fn find_duplicates(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<DuplicatesQuery>,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::LeadsRead)?;
    let query = query.into_inner();
    let mut errors = ValidationErrors::new();
    // An empty parameter asks nothing: say so rather than treat it as absent.
    for (field, value) in [
        ("phone", &query.phone),
        ("wechat_id", &query.wechat_id),
        ("business_license_no", &query.business_license_no),
        ("market", &query.market),
        ("stall_no", &query.stall_no),
    ] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            errors.add(field, "must not be empty; leave the parameter out instead");
        }
    }
    let ids = Identifiers {
        phone: facts::phone(&mut errors, query.phone),
        wechat_id: facts::wechat_id(&mut errors, query.wechat_id),
        business_license_no: facts::business_license_no(&mut errors, query.business_license_no),
        market: facts::text(&mut errors, "market", &query.market, 100),
        stall_no: facts::stall_no(&mut errors, &query.stall_no),
    };
    errors.into_result(())?;
    let matches = blocking::read(&state, move |conn| {
        let mut matches = Vec::new();
        for (lead, matched_on) in leads::open_duplicates(conn, &ids, None)? {
            let visible = caller.can_see_team(lead.team_id.as_ref());
            matches.push(DuplicateMatch {
                kind: "lead",
                id: visible.then(|| lead.id.to_string()),
                company_name: visible.then(|| lead.company_name.clone()),
                owner_id: visible.then(|| lead.owner_id.to_string()),
                matched_on,
                visible,
            });
        }
        for (account, matched_on) in seller_accounts::live_duplicates(conn, &ids, None)? {
            let visible = caller.can_see_team(account.team_id.as_ref())
                && caller.principal.has_scope(Scope::AccountsRead);
            matches.push(DuplicateMatch {
                kind: "seller_account",
                id: visible.then(|| account.id.to_string()),
                company_name: visible.then(|| account.company_name.clone()),
                owner_id: visible.then(|| account.owner_id.to_string()),
                matched_on,
                visible,
            });
        }
        Ok(matches)
    })
    .await?;
    Ok(Reply::ok(&DuplicatesAnswer { matches }))
}
