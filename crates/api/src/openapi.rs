//! The OpenAPI document: generated from the handlers' `#[utoipa::path]` annotations, collected
//! through utoipa-actix-web from the same `.service(...)` calls that route requests.

use crate::error::{ErrorCode, Problem, ProblemField};
use crate::spec_types::{
    Conflict, Forbidden, IdempotencyKeyReused, InsufficientStorage, NotFound, PayloadTooLarge,
    PreconditionFailed, RateLimited, Unauthorized, Unavailable, ValidationFailed,
};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ironfield API",
        description = "The REST API of Ironfield, a B2B sales CRM for field seller-recruitment \
teams: leads, seller accounts, visit logs, daily team meetings and monthly targets.\n\n\
Conventions: JSON with snake_case fields; errors are `application/problem+json` with a stable \
`code`; lists paginate with `limit` (default 50, max 200) and an opaque `cursor`; single \
records carry `ETag: \"<version>\"` and writes honour `If-Match` (412 on mismatch); creating \
`POST`s accept `Idempotency-Key`; every response carries `X-Request-Id`. A method a path \
does not have is 405 `method_not_allowed` with `Allow`.\n\n\
Numbers: fields typed `integer` take JSON integers only. A whole-number float such as `12.0` \
is refused with 422 `validation_failed`, although JSON Schema counts it as an integer: send \
`12`. Money is integer minor units plus an ISO 4217 currency, never a float.",
        license(name = "MIT", identifier = "MIT"),
    ),
    servers((url = "/", description = "This server")),
    modifiers(&BearerAuth),
    components(
        schemas(Problem, ProblemField, ErrorCode),
        responses(
            ValidationFailed,
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            PreconditionFailed,
            IdempotencyKeyReused,
            PayloadTooLarge,
            RateLimited,
            Unavailable,
            InsufficientStorage,
        )
    ),
    tags(
        (name = "auth", description = "Sign in, refresh, sign out, and service-account tokens"),
        (name = "users", description = "People and their roles"),
        (name = "teams", description = "Teams, arranged as a tree of branches"),
        (name = "service-accounts", description = "Other internal tools that call the API"),
        (name = "leads", description = "Prospective sellers, from first contact to conversion"),
        (name = "seller-accounts", description = "Signed sellers on the B2B portal"),
        (name = "seller-performance", description = "Monthly figures from the portal, per seller account"),
        (name = "visits", description = "Market-stall visits logged from the phone"),
        (name = "targets", description = "Monthly targets, month-end pacing and the leaderboard"),
        (name = "settings", description = "Organisation settings: time zone, working week, holidays, currency"),
        (name = "meetings", description = "The 8:30 morning meeting: attendance, plans, plan versus actual"),
        (name = "webhooks", description = "Signed event deliveries to other internal tools"),
        (name = "events", description = "The change feed: business events in commit order"),
        (name = "operations", description = "Health checks and metrics"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".into());
        scheme.description = Some(
            "An access token from `POST /api/v1/auth/login` (people) or `POST /api/v1/auth/token` \
             (service accounts)."
                .into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Every operation can meet a database fault: each documents 503, and each write 507.
struct DatabaseFaults;

impl Modify for DatabaseFaults {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{Ref, RefOr};
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            let operations = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ];
            for (operation, writes) in operations {
                let Some(operation) = operation.as_mut() else {
                    continue;
                };
                let responses = &mut operation.responses.responses;
                responses
                    .entry("503".into())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name("Unavailable")));
                if writes {
                    responses.entry("507".into()).or_insert_with(|| {
                        RefOr::Ref(Ref::from_response_name("InsufficientStorage"))
                    });
                }
            }
        }
    }
}

/// The whole specification, as served at `/openapi.json` and committed as
/// `openapi/openapi.json`.
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, mut spec) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    public_operations_say_so(&mut spec);
    DatabaseFaults.modify(&mut spec);
    spec
}

/// Operations that need no token declare `security(())` in their `#[utoipa::path]`, which
/// utoipa renders as `[{}]` ("anonymous allowed"). The document says `security: []` instead:
/// no requirement at all, which is what they mean and what linters expect.
fn public_operations_say_so(spec: &mut utoipa::openapi::OpenApi) {
    for item in spec.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            if let Some(security) = &mut operation.security {
                if security
                    .iter()
                    .all(|requirement| *requirement == SecurityRequirement::default())
                {
                    security.clear();
                }
            }
        }
    }
}

/// The specification as pretty-printed JSON with a trailing newline (the committed form).
pub fn spec_json() -> String {
    let mut json = spec().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
