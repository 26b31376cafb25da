//! The signed-in caller, decoded once per request from `Authorization: Bearer <jwt>`.
//!
//! The token proves who is calling; the database says what they are now. A deactivated user,
//! a user whose sessions were revoked after the token was issued, or a deleted service
//! account is refused even with an unexpired token.

use crate::blocking;
use crate::directory::{DirectoryCache, Snapshot};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use ironfield_auth::visibility::team_view;
use ironfield_auth::{AccessClaims, Principal, PrincipalKind, Scope, Scopes, TeamView};
use ironfield_domain::ids::{ServiceAccountId, TeamId, UserId};
use ironfield_domain::Role;
use ironfield_domain::TeamTree;
use ironfield_persistence::TeamScope;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    /// The teams whose records this caller may see.
    pub view: TeamView,
    /// The directory (teams, time zone) as it was when this request began; its work reads
    /// them from here.
    pub directory: Arc<Snapshot>,
}

impl Caller {
    /// Who acts, as audit and event records keep it (a user's or a service account's id).
    pub fn id(&self) -> &str {
        self.principal.id()
    }

    /// The person calling; `None` for a service account.
    pub fn user_id(&self) -> Option<&UserId> {
        self.principal.user_id()
    }

    /// A person's id, not a service account's; else 403 (as [`Caller::require_user`]).
    pub fn require_user_id(&self) -> ApiResult<&UserId> {
        self.require_user()?;
        self.user_id()
            .ok_or_else(|| ApiError::forbidden("service accounts cannot use this endpoint"))
    }

    /// A person, not a service account; else 403.
    pub fn require_user(&self) -> ApiResult<(Role, Option<&TeamId>)> {
        match &self.principal {
            Principal::User { role, team_id, .. } => Ok((*role, team_id.as_ref())),
            Principal::Service { .. } => Err(ApiError::forbidden(
                "service accounts cannot use this endpoint",
            )),
        }
    }

    /// A service account must hold `scope`; people are governed by their role.
    pub fn require_scope(&self, scope: Scope) -> ApiResult<()> {
        if self.principal.has_scope(scope) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the `{scope}` scope"
            )))
        }
    }

    pub fn require_admin(&self) -> ApiResult<()> {
        if self.principal.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden("only an admin may do this"))
        }
    }

    pub fn can_see_team(&self, team_id: Option<&TeamId>) -> bool {
        self.view.contains(team_id)
    }

    /// The caller's view as the scope persistence reads take: the one place a `TeamView`
    /// becomes a `TeamScope`.
    pub fn scope(&self) -> TeamScope {
        match &self.view {
            TeamView::All => TeamScope::everything(),
            TeamView::Teams(ids) => TeamScope::teams(ids.iter().cloned()),
        }
    }
}

fn bearer_token(req: &HttpRequest) -> ApiResult<String> {
    let header = req.headers().get(AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized("send an access token: Authorization: Bearer <token>")
    })?;
    let value = header
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not valid"))?;
    let (scheme, token) = value.split_once(' ').ok_or_else(|| {
        ApiError::unauthorized("the Authorization header must be `Bearer <token>`")
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized(
            "the Authorization header must be `Bearer <token>`",
        ));
    }
    Ok(token.trim().to_owned())
}

fn load(
    conn: &mut ironfield_persistence::DbConnection,
    directory: &DirectoryCache,
    claims: AccessClaims,
) -> ApiResult<Caller> {
    let rejected = || ApiError::unauthorized("the access token is no longer valid");
    // One statement when nothing in the directory changed since the last request.
    let directory = directory.current(conn)?;
    match claims.kind {
        PrincipalKind::User => {
            // Who the token names, before there is a view to read by.
            // Tokens are ours, so `sub` is a user id; one that is not names nobody.
            let id = UserId::parse(&claims.sub).ok_or_else(rejected)?;
            let user = directory.user(conn, &id).map_err(|e| match e {
                ironfield_persistence::DbError::NotFound => rejected(),
                other => other.into(),
            })?;
            if !user.is_active() || claims.sep != Some(user.session_epoch) {
                return Err(rejected());
            }
            let role = user.role;
            let principal = Principal::User {
                id: user.id.clone(),
                role,
                team_id: user.team_id.clone(),
            };
            // Only a manager's view depends on the hierarchy; spare everyone else the query.
            let view = if role == Role::Manager {
                team_view(&principal, &*directory.team_tree(conn)?)
            } else {
                team_view(&principal, &TeamTree::default())
            };
            Ok(Caller {
                principal,
                view,
                directory,
            })
        }
        PrincipalKind::Service => {
            let id = ServiceAccountId::parse(&claims.sub).ok_or_else(rejected)?;
            let account = directory.service_account(conn, &id).map_err(|e| match e {
                ironfield_persistence::DbError::NotFound => rejected(),
                other => other.into(),
            })?;
            let granted = &account.scopes;
            let in_token =
                Scopes::parse(claims.scope.as_deref().unwrap_or("")).map_err(|_| rejected())?;
            // A token never carries more than the account holds now.
            let scopes: Scopes = in_token.iter().filter(|s| granted.contains(*s)).collect();
            let principal = Principal::Service {
                id: account.id.clone(),
                scopes,
            };
            Ok(Caller {
                principal,
                view: TeamView::All,
                directory,
            })
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(MissingState))?;
            let claims = state
                .tokens
                .verify(&token?)
                .map_err(|_| ApiError::unauthorized("the access token is invalid or expired"))?;
            let directory = state.directory.clone();
            let caller = blocking::read(&state, move |conn| load(conn, &directory, claims)).await?;
            tracing::Span::current().record("caller", caller.id());
            Ok(caller)
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("application state is not configured")]
struct MissingState;
