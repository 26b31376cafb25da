//! The field app served by the binary: `/` redirects to `/app/`, the page and its files carry
//! the strict Content-Security-Policy and the right cache headers.

use crate::backend_tests;
use crate::helpers::TestApp;
use reqwest::StatusCode;

backend_tests!(
    root_redirects_to_the_app,
    the_app_page_has_a_strict_policy_and_is_revalidated,
    hashed_assets_are_cached_for_a_year,
    app_routes_fall_back_to_the_page_but_missing_assets_do_not,
);

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; manifest-src 'self'; worker-src 'self'; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'self'";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn root_redirects_to_the_app(app: TestApp) {
    for path in ["/", "/app"] {
        let response = no_redirects().get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND, "{path}");
        assert_eq!(header(&response, "location"), "/app/", "{path}");
    }
}

async fn the_app_page_has_a_strict_policy_and_is_revalidated(app: TestApp) {
    let response = app.client.get(app.url("/app/")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-security-policy"), CSP);
    assert_eq!(header(&response, "cache-control"), "no-cache");
    assert!(header(&response, "content-type").starts_with("text/html"));
    let page = response.text().await.unwrap();
    assert!(page.contains("<div id=\"app\">"));
    // No inline script: every script tag has a `src` on this origin.
    for tag in page.split("<script").skip(1) {
        let open = &tag[..tag.find('>').unwrap()];
        assert!(open.contains("src=\"/app/assets/"), "inline script: {open}");
    }
    for (path, kind) in [
        ("/app/sw.js", "text/javascript"),
        ("/app/manifest.webmanifest", "application/manifest+json"),
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&response, "cache-control"), "no-cache", "{path}");
        assert!(
            header(&response, "content-type").starts_with(kind),
            "{path}"
        );
    }
}

async fn hashed_assets_are_cached_for_a_year(app: TestApp) {
    let page = app
        .client
        .get(app.url("/app/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("/app/assets/").expect("an asset in the page");
    let end = start + page[start..].find('"').unwrap();
    let asset = &page[start..end];
    let response = app.client.get(app.url(asset)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{asset}");
    assert_eq!(
        header(&response, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let etag = header(&response, "etag");
    assert!(!etag.is_empty());
    let again = app
        .client
        .get(app.url(asset))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

async fn app_routes_fall_back_to_the_page_but_missing_assets_do_not(app: TestApp) {
    let response = app
        .client
        .get(app.url("/app/leads/0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(&response, "content-type").starts_with("text/html"));
    assert_eq!(header(&response, "content-security-policy"), CSP);
    let missing = app
        .client
        .get(app.url("/app/assets/index-gone.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
