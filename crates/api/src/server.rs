//! Assembles the actix-web application and starts the server.

use crate::error::ApiError;
use crate::extract::json::MAX_BODY_BYTES;
use crate::method_table::MethodTable;
use crate::metrics::Metrics;
use crate::openapi::ApiDoc;
use crate::request_id::{echo_header, RequestSpan};
use crate::state::AppState;
use crate::{idempotency, routes};
use actix_web::dev::Service;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use std::net::TcpListener;
use std::time::Duration;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

/// How often expired idempotency keys and idle rate-limit entries are swept.
const MAINTENANCE_EVERY: Duration = Duration::from_secs(600);

/// Starts serving on `listener`. Must be called inside an actix (or tokio) runtime; the
/// returned server runs until stopped.
pub fn start(
    listener: TcpListener,
    state: web::Data<AppState>,
    workers: Option<usize>,
) -> std::io::Result<actix_web::dev::Server> {
    let metrics = Metrics::new().map_err(std::io::Error::other)?;
    state.db.start_watchdog();
    // Webhook delivery runs in every process; claims keep each delivery to one sender.
    tokio::spawn(crate::webhooks::worker::run(state.clone()));
    // Events to deliveries: every process runs it, one at a time holds the lock.
    tokio::spawn(crate::webhooks::fanout::run(state.clone()));
    let spec = crate::openapi::spec();
    let methods = web::Data::new(MethodTable::from_spec(&spec));
    let factory_state = state;
    let mut server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .configure(routes::configure)
            .split_for_parts();
        app.app_data(factory_state.clone())
            .app_data(web::Data::new(metrics.clone()))
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .app_data(web::QueryConfig::default().error_handler(|error, _| {
                ApiError::invalid_field("query", error.to_string()).into()
            }))
            .app_data(
                web::PathConfig::default()
                    .error_handler(|_, _| ApiError::not_found("resource").into()),
            )
            .configure(crate::web_app::configure)
            .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", spec.clone()))
            .route(
                "/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header(("Location", "/docs/"))
                        .finish()
                }),
            )
            .app_data(methods.clone())
            // A known path with a method it does not have is 405 with `Allow`; anything else 404.
            .default_service(web::to(
                |req: HttpRequest, methods: web::Data<MethodTable>| async move {
                    methods.answer(&req)
                },
            ))
            .wrap(actix_web::middleware::from_fn(
                crate::query_guard::refuse_nul_in_query,
            ))
            .wrap(actix_web::middleware::from_fn(
                crate::method_table::refuse_undeclared_methods,
            ))
            .wrap(metrics.http.clone())
            .wrap(TracingLogger::<RequestSpan>::new())
            .wrap_fn(|req, srv| {
                let response = srv.call(req);
                async move { response.await.map(echo_header) }
            })
    })
    .listen(listener)?;
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}

/// Sweeps expired idempotency keys, idle rate-limit entries and events past their retention,
/// and refreshes the query planner's statistics, forever. The binary spawns it beside the server.
pub async fn run_maintenance(state: web::Data<AppState>) {
    let mut tick = actix_web::rt::time::interval(MAINTENANCE_EVERY);
    loop {
        tick.tick().await;
        sweep(&state).await;
    }
}

async fn sweep(state: &AppState) {
    let cutoff = (ironfield_domain::time::now() - idempotency::RETENTION).naive_utc();
    // A write (under SQLite's writer lock like every request's), and once across all
    // processes on the database: whoever holds the advisory lock sweeps.
    let purged = crate::blocking::write(state, move |conn| {
        use ironfield_persistence::{events, jobs};
        if !jobs::try_lock(conn, jobs::MAINTENANCE_LOCK)? {
            return Ok(None);
        }
        let keys = ironfield_persistence::idempotency::purge_before(conn, cutoff)?;
        let windows = crate::login_limit::forget_idle(conn)?;
        // Events are kept at least the retention the contract promises feed consumers.
        let events_cutoff = (ironfield_domain::time::now() - events::RETENTION).naive_utc();
        let old_events = events::purge_before(conn, events_cutoff)?;
        Ok(Some((keys, windows, old_events)))
    })
    .await;
    match purged {
        Ok(Some((keys, windows, old_events))) => {
            tracing::debug!(
                keys,
                windows,
                old_events,
                "expired idempotency keys, login windows and old events purged"
            )
        }
        Ok(None) => tracing::debug!("another process is sweeping"),
        Err(error) => tracing::warn!(%error, "idempotency key purge failed"),
    }
    let db = state.db.clone();
    match web::block(move || db.optimize()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(%error, "refreshing planner statistics failed"),
        Err(error) => tracing::warn!(%error, "refreshing planner statistics failed"),
    }
}
