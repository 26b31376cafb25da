//! `GET /leads/export.csv`: the leads a list would show, as a CSV file for Excel, streamed in
//! batches so a large export never sits whole in memory.

use super::list::ListLeadsQuery;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpResponse};
use chrono::SecondsFormat;
use ironfield_auth::Scope;
use ironfield_domain::ids::{TeamId, UserId};
use ironfield_domain::{spreadsheet, Stage};
use ironfield_persistence::leads::{self, LeadRow};
use ironfield_persistence::DbError;
use serde::Deserialize;
use utoipa::IntoParams;

/// The columns of an export, in order; an import accepts the same names.
pub(crate) const COLUMNS: [&str; 22] = [
    "id",
    "company_name",
    "contact_name",
    "phone",
    "wechat_id",
    "email",
    "business_license_no",
    "market",
    "district",
    "stall_no",
    "lat",
    "lng",
    "product_categories",
    "source",
    "stage",
    "owner_id",
    "team_id",
    "estimated_value",
    "currency",
    "notes",
    "next_follow_up_at",
    "created_at",
];

/// Rows read from the database per batch (and per chunk of the response).
const BATCH: i64 = 500;
/// Chunks produced ahead of what the client has taken: bounds the memory of one export.
const CHUNKS_AHEAD: usize = 4;
/// UTF-8 byte order mark: Excel reads the file as UTF-8 (Chinese text) only with it.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The list filters, without paging: an export holds every matching lead.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportLeadsQuery {
    pub stage: Option<Stage>,
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub owner_id: Option<UserId>,
    #[param(value_type = Option<String>, format = Uuid)]
    #[serde(default, deserialize_with = "crate::routes::query_id")]
    pub team_id: Option<TeamId>,
    pub market: Option<String>,
    pub district: Option<String>,
    pub source: Option<String>,
    /// Searches company, contact, phone and stall number.
    pub q: Option<String>,
    /// Leads whose next follow-up is before this time (RFC 3339).
    pub follow_up_before: Option<String>,
    /// Leads changed at or after this time (RFC 3339).
    pub updated_since: Option<String>,
    /// `true`: archived leads instead of live ones.
    pub archived: Option<bool>,
}

impl From<ExportLeadsQuery> for ListLeadsQuery {
    fn from(q: ExportLeadsQuery) -> Self {
        ListLeadsQuery {
            stage: q.stage,
            owner_id: q.owner_id,
            team_id: q.team_id,
            market: q.market,
            district: q.district,
            source: q.source,
            q: q.q,
            follow_up_before: q.follow_up_before,
            updated_since: q.updated_since,
            archived: q.archived,
            limit: None,
            cursor: None,
        }
    }
}

/// Export leads as CSV
///
/// Every lead the list would show for the same filters (and the same visibility: a caller
/// never exports another team's leads), newest first, as `text/csv` in UTF-8 with a byte
/// order mark so Excel shows Chinese text correctly. One header row, then one row per lead
/// with the columns `id, company_name, contact_name, phone, wechat_id, email,
/// business_license_no, market, district, stall_no, lat, lng, product_categories` (joined
/// by `|`), `source, stage, owner_id, team_id, estimated_value` (minor units), `currency,
/// notes, next_follow_up_at, created_at` (RFC 3339, UTC). The file is streamed as it is
/// read, so exports of any size start at once. `POST /leads/import` takes the same columns.
///
/// Text cells that a spreadsheet would evaluate (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) are written with a leading apostrophe (OWASP's advice against CSV
/// injection): a phone reads `'+8613800138000`. The import removes that apostrophe again, so
/// an exported file re-imports as the same values.
#[utoipa::path(
    tag = "leads",
    params(ExportLeadsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The leads as CSV (UTF-8 with BOM)",
         content_type = "text/csv; charset=utf-8", body = String,
         headers(("Content-Disposition" = String, description = "attachment; filename=\"leads.csv\""))),
        (status = 401, response = crate::spec_types::Unauthorized),
        (status = 403, response = crate::spec_types::Forbidden),
        (status = 422, response = crate::spec_types::ValidationFailed),
    )
)]
#[get("/leads/export.csv")]
pub async fn export_leads(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ExportLeadsQuery>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::LeadsRead)?;
    let filter = ListLeadsQuery::from(query.into_inner()).filter()?;
    let scope = caller.scope();

    let (sender, mut receiver) = tokio::sync::mpsc::channel::<ApiResult<Bytes>>(CHUNKS_AHEAD);
    let db = state.replica.as_ref().unwrap_or(&state.db).clone();
    // The reading runs on the blocking pool and hands over one chunk per batch; it stops
    // when the client goes away (the receiver is dropped and sending fails).
    actix_web::rt::task::spawn_blocking(move || {
        let result = db.read(|conn| {
            let header = encode(None).map_err(|e| DbError::Unavailable(e.to_string()))?;
            send(&sender, header)?;
            leads::for_each_batch(conn, &scope, &filter, BATCH, |rows| {
                let chunk = encode(Some(&rows)).map_err(|e| DbError::Unavailable(e.to_string()))?;
                send(&sender, chunk)
            })
        });
        if let Err(error) = result {
            // Either the client is gone (nobody to tell) or the database failed: the stream
            // ends with an error, which aborts the response.
            let _ = sender.blocking_send(Err(error.into()));
        }
    });

    // The first chunk decides the status: a failure before any data is a proper problem.
    let first = match receiver.recv().await {
        Some(Ok(chunk)) => chunk,
        Some(Err(error)) => return Err(error),
        None => {
            return Err(ApiError::new(
                ErrorCode::Internal,
                "the export stopped before it began",
            ))
        }
    };
    let rest = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    let body = futures_util::stream::once(async move { Ok::<_, ApiError>(first) });
    use futures_util::StreamExt;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"leads.csv\"",
        ))
        .streaming(body.chain(rest)))
}

fn send(sender: &tokio::sync::mpsc::Sender<ApiResult<Bytes>>, chunk: Bytes) -> Result<(), DbError> {
    sender
        .blocking_send(Ok(chunk))
        .map_err(|_| DbError::Unavailable("the client went away".into()))
}

/// `None`: the BOM and the header row. `Some(rows)`: those rows.
fn encode(rows: Option<&[LeadRow]>) -> Result<Bytes, csv::Error> {
    let mut buffer = Vec::with_capacity(256 * rows.map_or(1, <[_]>::len));
    if rows.is_none() {
        buffer.extend_from_slice(BOM);
    }
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(buffer);
    match rows {
        None => {
            writer.write_record(COLUMNS)?;
        }
        Some(rows) => {
            for row in rows {
                writer.write_record(record(row))?;
            }
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(Bytes::from(bytes))
}

fn time(t: Option<ironfield_persistence::Timestamp>) -> String {
    t.map(|t| t.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

/// One lead as the export's columns. Text cells a spreadsheet would evaluate as a formula
/// are neutralised (`ironfield_domain::spreadsheet`); numbers, ids and times cannot be one.
fn record(row: &LeadRow) -> [String; 22] {
    let cell = |v: &str| spreadsheet::neutralise(v).into_owned();
    let text = |v: &Option<String>| cell(v.as_deref().unwrap_or_default());
    let number = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
    [
        row.id.to_string(),
        cell(&row.company_name),
        text(&row.contact_name),
        text(&row.phone),
        text(&row.wechat_id),
        text(&row.email),
        text(&row.business_license_no),
        text(&row.market),
        text(&row.district),
        text(&row.stall_no),
        number(row.location_lat),
        number(row.location_lng),
        cell(&row.product_categories.join("|")),
        text(&row.source),
        row.stage.as_str().to_owned(),
        row.owner_id.to_string(),
        row.team_id
            .as_ref()
            .map(TeamId::to_string)
            .unwrap_or_default(),
        row.estimated_value
            .map(|v| v.to_string())
            .unwrap_or_default(),
        text(&row.estimated_currency),
        text(&row.notes),
        time(row.next_follow_up_at),
        time(Some(row.created_at)),
    ]
}
