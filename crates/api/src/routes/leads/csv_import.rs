//! `POST /leads/import`: a CSV file of leads, each row created exactly as `POST /leads` would,
//! all in one transaction: every row is stored, or none.

use super::csv_export::COLUMNS;
use crate::error::{ApiError, ApiResult, ProblemField};
use crate::extract::json::{body_error, NUL_MESSAGE};
use crate::extract::{Caller, IdempotencyKey};
use crate::idempotency;
use crate::reply::Reply;
use crate::services::leads::{self, Abort, ImportRow, Imported, LeadInput};
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{post, web, FromRequest, HttpMessage, HttpRequest};
use chrono::DateTime;
use futures_util::future::LocalBoxFuture;
use ironfield_auth::Scope;
use ironfield_domain::{spreadsheet, FieldError, GeoPoint, Money, Stage, ValidationErrors};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// The most data rows one import takes.
pub const MAX_ROWS: usize = 5_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: check every row (including duplicates) and report, but store nothing.
    pub dry_run: Option<bool>,
}

/// What an import did, row by row.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "dry_run": false, "created": 2,
    "results": [
        {"row": 1, "status": "ok", "id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"},
        {"row": 2, "status": "ok", "id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6c"}
    ]
}))]
pub struct ImportReport {
    pub dry_run: bool,
    /// Leads created; in a dry run, the leads that would be created (none are stored).
    pub created: usize,
    /// One result per data row, in file order.
    pub results: Vec<ImportRowResult>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRowResult {
    /// The data row's number, from 1 (the header row is not counted).
    pub row: usize,
    pub status: RowStatus,
    /// The created lead (absent in a dry run unless the row named its own `id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Uuid)]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<ProblemField>)]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Ok,
    Invalid,
}

/// A `text/csv` body of at most 1 MiB, with a fingerprint for Idempotency-Key checks.
pub struct CsvBody {
    bytes: web::Bytes,
    fingerprint: String,
}

impl idempotency::Fingerprinted for CsvBody {
    type Value = web::Bytes;
    fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
    fn into_value(self) -> web::Bytes {
        self.bytes
    }
}

impl FromRequest for CsvBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req.content_type().trim().to_ascii_lowercase();
        let body = web::Bytes::from_request(req, payload);
        let target = format!("{} {}", req.method(), req.uri());
        Box::pin(async move {
            let bytes = body.await.map_err(body_error)?;
            if content_type != "text/csv" {
                return Err(ApiError::invalid_field(
                    "Content-Type",
                    "send the file as text/csv",
                ));
            }
            let mut hasher = Sha256::new();
            hasher.update(target.as_bytes());
            hasher.update(b"\n");
            hasher.update(&bytes);
            Ok(CsvBody {
                bytes,
                fingerprint: hex::encode(hasher.finalize()),
            })
        })
    }
}

/// Import leads from CSV
///
/// Creates one lead per row of a `text/csv` file (UTF-8, with or without a byte order mark,
/// quoted fields allowed; at most 1 MiB, 413 beyond; at most 5,000 data rows, 422 beyond).
/// The header row names the columns, as `GET /leads/export.csv` writes them: `company_name`
/// is required; any of `id, contact_name, phone, wechat_id, email, business_license_no,
/// market, district, stall_no, lat, lng, product_categories` (separated by `|`), `source,
/// stage, owner_id, estimated_value` (minor units), `currency, notes, next_follow_up_at` may
/// follow; `team_id` and `created_at` are accepted and ignored (a lead belongs to its owner's
/// team and is created now). An unknown column is 422 naming it. An empty cell is no value.
///
/// Every row is checked and created exactly like `POST /leads` (the same validation, the same
/// duplicate refusal, including duplicates within the file itself), all in one transaction:
/// when any row is invalid the answer is 422 `validation_failed` with `errors` naming
/// `rows[<n>].<field>` for every bad field, and nothing is stored. `dry_run=true` checks
/// everything the same way and answers with the report, storing nothing.
#[utoipa::path(
    tag = "leads",
    params(
        ImportQuery,
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]{1,255}$", description = "Makes a retry safe: the same key and body from the same caller replay the first response (with `Idempotent-Replayed: true`) and create nothing; 1 to 255 visible ASCII characters, kept at least 24 hours"),
    ),
    request_body(content = String, content_type = "text/csv",
        example = "company_name,contact_name,phone,market,stall_no,product_categories\n义乌市星辰饰品厂,陈海燕,13800138000,国际商贸城一区,A-1023,饰品|发饰\n"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every row is valid: created (or, in a dry run, checked)", body = ImportReport),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 413, response = crate::spec_types::PayloadTooLarge),
        (status = 422, response = crate::spec_types::IdempotencyKeyReused),
    )
)]
#[post("/leads/import")]
pub async fn import_leads(
    state: web::Data<AppState>,
    caller: Caller,
    key: IdempotencyKey,
    query: web::Query<ImportQuery>,
    body: CsvBody,
) -> ApiResult<Reply> {
    caller.require_scope(Scope::LeadsWrite)?;
    let dry_run = query.dry_run.unwrap_or(false);
    idempotency::create_once(
        state,
        caller,
        key,
        body,
        |state, caller, bytes| async move {
            let rows = parse(&bytes)?;
            let db = state.db.clone();
            let outcome =
                web::block(move || db.write(|conn| leads::import(conn, &caller, rows, dry_run)))
                    .await
                    .map_err(ApiError::from)?;
            match outcome {
                Ok(report) | Err(Abort::RolledBack(report)) => report_reply(report.into()),
                Err(Abort::Failed(error)) => Err(error),
            }
        },
    )
    .await
}

impl From<Imported> for ImportReport {
    fn from(imported: Imported) -> Self {
        ImportReport {
            dry_run: imported.dry_run,
            created: imported.created,
            results: imported
                .rows
                .into_iter()
                .map(|outcome| match outcome.result {
                    Ok(id) => ImportRowResult {
                        row: outcome.row,
                        status: RowStatus::Ok,
                        id,
                        errors: Vec::new(),
                    },
                    Err(errors) => ImportRowResult {
                        row: outcome.row,
                        status: RowStatus::Invalid,
                        id: None,
                        errors,
                    },
                })
                .collect(),
        }
    }
}

/// 200 with the report, or 422 naming every bad field of every invalid row.
fn report_reply(report: ImportReport) -> ApiResult<Reply> {
    let mut errors = ValidationErrors::new();
    for result in &report.results {
        for error in &result.errors {
            errors.add(
                format!("rows[{}].{}", result.row, error.field),
                &error.message,
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    Ok(Reply::ok(&report))
}

/// Reads the file into one `LeadInput` per data row (or the errors of that row). A file that
/// cannot be read as a whole (not UTF-8, unknown columns, too many rows) is refused outright.
fn parse(bytes: &[u8]) -> ApiResult<Vec<ImportRow>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ApiError::invalid_field("body", format!("the file is not UTF-8: {e}")))?;
    if text.trim().is_empty() {
        return Err(ApiError::invalid_field(
            "body",
            "the file is empty; it needs a header row and at least one data row",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ApiError::invalid_field("header", e.to_string()))?
        .clone();
    let mut errors = ValidationErrors::new();
    let mut columns = Vec::with_capacity(headers.len());
    for (i, name) in headers.iter().enumerate() {
        let name = name.to_ascii_lowercase();
        if !COLUMNS.contains(&name.as_str()) {
            errors.add(
                format!("header[{}]", i + 1),
                format!(
                    "unknown column `{name}`; expected some of {}",
                    COLUMNS.join(", ")
                ),
            );
        } else if columns.contains(&name) {
            errors.add(
                format!("header[{}]", i + 1),
                format!("column `{name}` appears twice"),
            );
        }
        columns.push(name);
    }
    if !columns.iter().any(|c| c == "company_name") {
        errors.add("header", "the column `company_name` is required");
    }
    errors.into_result(())?;

    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 1;
        if row > MAX_ROWS {
            return Err(ApiError::invalid_field(
                "body",
                format!("an import takes at most {MAX_ROWS} rows; split the file"),
            ));
        }
        let parsed = match record {
            Ok(record) if record.len() != columns.len() => Err(ValidationErrors::single(
                "row",
                format!(
                    "has {} fields, the header has {}",
                    record.len(),
                    columns.len()
                ),
            )),
            Ok(record) => to_input(&columns, &record),
            Err(error) => Err(ValidationErrors::single("row", error.to_string())),
        };
        rows.push((row, parsed));
    }
    if rows.is_empty() {
        return Err(ApiError::invalid_field(
            "body",
            "the file has a header row but no data rows",
        ));
    }
    Ok(rows)
}

/// One row as the body of a create.
fn to_input(columns: &[String], record: &csv::StringRecord) -> Result<LeadInput, ValidationErrors> {
    let mut input = LeadInput::default();
    let mut errors = ValidationErrors::new();
    // A line break inside a quoted cell is often CRLF (Windows): stored as LF.
    // A cell an export neutralised against formula evaluation reads as the text it was.
    let owned: Vec<(&str, String)> = columns
        .iter()
        .map(String::as_str)
        .zip(record.iter())
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| (name, spreadsheet::restore(value).replace("\r\n", "\n")))
        .collect();
    for (name, value) in &owned {
        if value.contains('\0') {
            errors.add(*name, NUL_MESSAGE);
        }
    }
    let cells: HashMap<&str, &str> = owned.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let text = |name: &str| cells.get(name).map(|v| Some((*v).to_owned()));
    let number = |errors: &mut ValidationErrors, name: &str| {
        cells
            .get(name)
            .and_then(|v| errors.check(name, v.parse::<f64>().map_err(|_| "must be a number")))
    };

    input.id = cells.get("id").map(|v| (*v).to_owned());
    input.owner_id = cells.get("owner_id").map(|v| (*v).to_owned());
    input.facts.company_name = cells.get("company_name").map(|v| (*v).to_owned());
    input.facts.contact_name = text("contact_name");
    input.facts.phone = text("phone");
    input.facts.wechat_id = text("wechat_id");
    input.facts.email = text("email");
    input.facts.business_license_no = text("business_license_no");
    input.facts.market = text("market");
    input.facts.district = text("district");
    input.facts.stall_no = text("stall_no");
    input.source = text("source");
    input.notes = text("notes");
    input.stage = cells
        .get("stage")
        .and_then(|v| errors.check("stage", v.parse::<Stage>()));
    input.product_categories = cells.get("product_categories").map(|v| {
        v.split('|')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    });
    match (number(&mut errors, "lat"), number(&mut errors, "lng")) {
        (Some(lat), Some(lng)) => input.facts.location = Some(Some(GeoPoint { lat, lng })),
        (Some(_), None) if !cells.contains_key("lng") => errors.add("lng", "is required with lat"),
        (None, Some(_)) if !cells.contains_key("lat") => errors.add("lat", "is required with lng"),
        _ => {}
    }
    let amount = cells.get("estimated_value").and_then(|v| {
        errors.check(
            "estimated_value",
            v.parse::<i64>()
                .map_err(|_| "must be a whole number of minor units (fen for CNY)"),
        )
    });
    match (amount, cells.get("currency")) {
        (Some(amount), Some(currency)) => {
            input.estimated_value = Some(Some(Money {
                amount,
                currency: (*currency).to_owned(),
            }))
        }
        (Some(_), None) => errors.add("currency", "is required with estimated_value"),
        (None, Some(_)) if !cells.contains_key("estimated_value") => {
            errors.add("estimated_value", "is required with currency")
        }
        _ => {}
    }
    input.next_follow_up_at = cells.get("next_follow_up_at").and_then(|v| {
        errors
            .check(
                "next_follow_up_at",
                DateTime::parse_from_rfc3339(v).map_err(|_| "must be an RFC 3339 time"),
            )
            .map(Some)
    });
    errors.into_result(input)
}
