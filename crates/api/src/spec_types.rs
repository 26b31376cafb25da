//! What the spec declares that no handler type carries: the problem responses every
//! operation shares, and the names the server reads as plain strings. Handlers name these
//! in their `#[utoipa::path]`; the document itself is assembled in `crate::openapi`, which
//! reads the handlers, so this module depends on neither.

use crate::error::Problem;
use utoipa::{ToResponse, ToSchema};

/// The request is not valid; `errors` lists every bad field.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct ValidationFailed(
    #[expect(dead_code, reason = "documents the body; never built")] Problem,
);

/// No valid access token was sent.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unauthorized(#[expect(dead_code, reason = "documents the body; never built")] Problem);

/// The caller may see the record but not do this to it.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Forbidden(#[expect(dead_code, reason = "documents the body; never built")] Problem);

/// No such record, or it is outside the caller's view.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotFound(#[expect(dead_code, reason = "documents the body; never built")] Problem);

/// The request conflicts with the current state (e.g. a unique field already taken).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Conflict(#[expect(dead_code, reason = "documents the body; never built")] Problem);

/// `If-Match` named a version that is no longer current; nothing was changed.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PreconditionFailed(
    #[expect(dead_code, reason = "documents the body; never built")] Problem,
);

/// The request is not valid (`validation_failed`: `errors` lists every bad field), or its
/// `Idempotency-Key` was used before by the same caller with a different request
/// (`idempotency_key_reused`). Every creating `POST` answers this.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct IdempotencyKeyReused(
    #[expect(dead_code, reason = "documents the body; never built")] Problem,
);

/// The request body is over 1 MiB.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PayloadTooLarge(
    #[expect(dead_code, reason = "documents the body; never built")] Problem,
);

/// Too many attempts; `Retry-After` says when to try again.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct RateLimited(#[expect(dead_code, reason = "documents the body; never built")] Problem);

/// The database cannot be reached, is busy, or lost the connection during the request;
/// `Retry-After` says when to try again (a retry with the same id or `Idempotency-Key` is
/// safe).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unavailable(#[expect(dead_code, reason = "documents the body; never built")] Problem);

/// The database has no space left; nothing was stored. Reads still work.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct InsufficientStorage(
    #[expect(dead_code, reason = "documents the body; never built")] Problem,
);

// Names the server reads as plain strings (or `&'static str`s it writes), listed here so the
// document can say which values exist. Documentation only: nothing is parsed into them.

/// What kind of record a duplicate is.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum DuplicateType {
    Lead,
    SellerAccount,
}

/// An identifier two stall owners' records share: `stall` is the same `market` and `stall_no`.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum MatchedOn {
    Phone,
    WechatId,
    BusinessLicenseNo,
    Stall,
}

/// A day of the week, as the settings name working days.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum WeekdayName {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

/// A permission a service account may hold.
#[derive(ToSchema)]
pub enum ScopeName {
    #[schema(rename = "leads:read")]
    LeadsRead,
    #[schema(rename = "leads:write")]
    LeadsWrite,
    #[schema(rename = "accounts:read")]
    AccountsRead,
    #[schema(rename = "accounts:write")]
    AccountsWrite,
    #[schema(rename = "visits:read")]
    VisitsRead,
    #[schema(rename = "visits:write")]
    VisitsWrite,
    #[schema(rename = "meetings:read")]
    MeetingsRead,
    #[schema(rename = "meetings:write")]
    MeetingsWrite,
    #[schema(rename = "targets:read")]
    TargetsRead,
    #[schema(rename = "targets:write")]
    TargetsWrite,
    #[schema(rename = "webhooks:manage")]
    WebhooksManage,
}
