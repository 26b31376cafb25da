//! Browser sessions: the refresh token only in an `HttpOnly; SameSite=Strict` cookie.

use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp, PASSWORD};
use reqwest::{Method, Response, StatusCode};
use serde_json::json;

backend_tests!(
    a_cookie_session_never_shows_its_refresh_token,
    a_replayed_cookie_revokes_the_chain_and_is_cleared,
    body_sessions_are_unchanged,
    signing_out_revokes_and_clears_the_cookie,
    the_cookie_is_secure_behind_https,
);

fn set_cookie(response: &Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("ironfield_refresh="))
        .unwrap_or_default()
}

/// The cookie's value from a `Set-Cookie` header.
fn value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("ironfield_refresh=")
        .to_owned()
}

async fn cookie_login(app: &TestApp, email: &str) -> Response {
    app.request(Method::POST, "/auth/login", None)
        .json(&json!({"email": email, "password": PASSWORD, "refresh_cookie": true}))
        .send()
        .await
        .unwrap()
}

async fn refresh_with(app: &TestApp, token: &str) -> Response {
    app.request(Method::POST, "/auth/refresh", None)
        .header("cookie", format!("other=1; ironfield_refresh={token}"))
        .send()
        .await
        .unwrap()
}

async fn a_cookie_session_never_shows_its_refresh_token(app: TestApp) {
    let rep = app.user("rep", None).await;
    let login = cookie_login(&app, &rep.email).await;
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = set_cookie(&login);
    for part in [
        "Path=/api/v1/auth",
        "HttpOnly",
        "SameSite=Strict",
        "Max-Age=",
    ] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let tokens = body(login).await;
    assert!(tokens["access_token"].is_string());
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    let first = value(&cookie);
    assert!(first.starts_with("rt_"));

    // No body at all, or `{}`: the cookie is read, rotated, and still kept out of the body.
    let refreshed = refresh_with(&app, &first).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let second = value(&set_cookie(&refreshed));
    assert!(second.starts_with("rt_") && second != first);
    let tokens = body(refreshed).await;
    assert!(tokens.get("refresh_token").is_none());
    let me = app
        .get("/me", tokens["access_token"].as_str().unwrap())
        .await;
    assert_eq!(me.status(), StatusCode::OK);

    let with_empty_object = app
        .request(Method::POST, "/auth/refresh", None)
        .header("cookie", format!("ironfield_refresh={second}"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(with_empty_object.status(), StatusCode::OK);

    // Neither a body token nor a cookie: 401.
    let neither = app
        .request(Method::POST, "/auth/refresh", None)
        .send()
        .await
        .unwrap();
    assert_problem(neither, 401, "unauthorized").await;
}

async fn a_replayed_cookie_revokes_the_chain_and_is_cleared(app: TestApp) {
    let rep = app.user("rep", None).await;
    let first = value(&set_cookie(&cookie_login(&app, &rep.email).await));
    let second = value(&set_cookie(&refresh_with(&app, &first).await));
    // Someone replays the spent cookie: refused, the cookie is cleared, and the newer token
    // of the same sign-in stops working too.
    let replay = refresh_with(&app, &first).await;
    let cleared = set_cookie(&replay);
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(value(&cleared), "");
    assert_problem(replay, 401, "unauthorized").await;
    assert_problem(refresh_with(&app, &second).await, 401, "unauthorized").await;
}

async fn body_sessions_are_unchanged(app: TestApp) {
    let rep = app.user("rep", None).await;
    let login = app.login_response(&rep.email, PASSWORD).await;
    assert_eq!(set_cookie(&login), "", "no cookie unless asked for");
    let tokens = body(login).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let refreshed = app
        .request(Method::POST, "/auth/refresh", None)
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);
    assert_eq!(set_cookie(&refreshed), "");
    assert!(body(refreshed).await["refresh_token"].is_string());
}

async fn signing_out_revokes_and_clears_the_cookie(app: TestApp) {
    let rep = app.user("rep", None).await;
    let login = cookie_login(&app, &rep.email).await;
    let token = value(&set_cookie(&login));
    let access = body(login).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = app
        .request(Method::POST, "/auth/logout", Some(&access))
        .header("cookie", format!("ironfield_refresh={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(set_cookie(&out).contains("Max-Age=0"));
    assert_problem(refresh_with(&app, &token).await, 401, "unauthorized").await;
    // Only that session ended: the rep's other sign-ins go on.
    assert_eq!(app.get("/me", &rep.token).await.status(), StatusCode::OK);
}

async fn the_cookie_is_secure_behind_https(app: TestApp) {
    let rep = app.user("rep", None).await;
    let login = app
        .request(Method::POST, "/auth/login", None)
        .header("x-forwarded-proto", "https")
        .json(&json!({"email": rep.email, "password": PASSWORD, "refresh_cookie": true}))
        .send()
        .await
        .unwrap();
    assert!(set_cookie(&login).ends_with("; Secure"));
}
