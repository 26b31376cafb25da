//! The field app (`web/`): its built bundle (`web/dist`, committed) embedded in the binary
//! and served at `/app/`, with `/` redirecting there.
//!
//! Every answer carries a strict Content-Security-Policy (no inline script or style, no
//! other origin). Files under `assets/` have content hashes in their names and are cached
//! for a year; the page, the service worker and the manifest are revalidated every time, so
//! a new release reaches phones on their next start. Paths that name no file (the app's own
//! routes, e.g. `/app/leads/…`) answer the page, which routes them in the browser.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::Embed;

/// In debug builds rust-embed reads the folder from disk at run time (edit, rebuild the web
/// app, reload); release builds carry the files inside the binary.
#[derive(Embed)]
#[folder = "../../web/dist"]
struct Bundle;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; \
    worker-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(to_app)).service(
        web::scope("/app")
            .route("", web::get().to(to_app))
            .default_service(web::to(serve)),
    );
}

async fn to_app() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, "/app/"))
        .insert_header((header::CACHE_CONTROL, REVALIDATE))
        .finish()
}

async fn serve(req: HttpRequest) -> HttpResponse {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return with_policy(HttpResponse::MethodNotAllowed(), REVALIDATE)
            .insert_header((header::ALLOW, "GET, HEAD"))
            .finish();
    }
    let path = req.path().strip_prefix("/app/").unwrap_or_default();
    let wanted = if path.is_empty() { "index.html" } else { path };
    let (name, file) = match Bundle::get(wanted) {
        Some(file) => (wanted, file),
        // A missing hashed asset is a real 404 (an old page asking for a file of another
        // release), never the page in its place.
        None if wanted.starts_with("assets/") || wanted.contains("..") => {
            return with_policy(HttpResponse::NotFound(), REVALIDATE)
                .content_type("text/plain; charset=utf-8")
                .body("not found");
        }
        None => match Bundle::get("index.html") {
            Some(file) => ("index.html", file),
            None => {
                return with_policy(HttpResponse::ServiceUnavailable(), REVALIDATE)
                    .content_type("text/plain; charset=utf-8")
                    .body("the web app was not built into this binary (web/dist is empty)");
            }
        },
    };
    let cache = if name.starts_with("assets/") {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..12]));
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag));
    let mut response = with_policy(
        if fresh {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        },
        cache,
    );
    response.insert_header((header::ETAG, etag));
    if fresh {
        return response.finish();
    }
    response
        .insert_header((header::CONTENT_TYPE, content_type(name)))
        .body(file.data.into_owned())
}

fn with_policy(
    mut builder: actix_web::HttpResponseBuilder,
    cache: &'static str,
) -> actix_web::HttpResponseBuilder {
    builder
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, cache));
    builder
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("webmanifest") => "application/manifest+json",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
