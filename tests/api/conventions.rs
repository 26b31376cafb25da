//! The conventions every endpoint shares: idempotency, optimistic concurrency, limits,
//! errors, pagination, request ids, operations endpoints.

use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::HashSet;

backend_tests!(
    idempotency_key_replays_and_refuses_reuse,
    concurrent_requests_with_one_key_create_one_record,
    stale_if_match_is_refused_and_changes_nothing,
    oversize_bodies_are_refused,
    unknown_fields_are_refused_by_name,
    request_ids_are_echoed_or_made,
    cursor_pagination_returns_each_record_once,
    operations_endpoints_answer,
);

async fn count_teams(app: &TestApp) -> usize {
    body(app.get("/teams?limit=200", &app.admin_token).await).await["items"]
        .as_array()
        .unwrap()
        .len()
}

async fn idempotency_key_replays_and_refuses_reuse(app: TestApp) {
    let send = |name: &'static str, key: &'static str| {
        app.request(Method::POST, "/teams", Some(&app.admin_token))
            .header("Idempotency-Key", key)
            .json(&json!({"name": name}))
            .send()
    };
    let first = send("North", "key-1").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_location = first.headers()["location"].clone();
    let first = body(first).await;

    let again = send("North", "key-1").await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"], first_location);
    assert_eq!(body(again).await, first, "the same body again");
    assert_eq!(count_teams(&app).await, 1);

    assert_problem(
        send("South", "key-1").await.unwrap(),
        422,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(count_teams(&app).await, 1);

    // Keys belong to their caller: another user's identical key is a new request.
    let manager = app
        .user("manager", Some(first["id"].as_str().unwrap()))
        .await;
    let theirs = app
        .request(Method::POST, "/teams", Some(&manager.token))
        .header("Idempotency-Key", "key-1")
        .json(&json!({"name": "Sub", "parent_id": first["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), StatusCode::CREATED);
    assert!(theirs.headers().get("idempotent-replayed").is_none());

    // A refused request is replayed as refused, too.
    let bad = || {
        app.request(Method::POST, "/teams", Some(&app.admin_token))
            .header("Idempotency-Key", "key-2")
            .json(&json!({"name": ""}))
            .send()
    };
    assert_problem(bad().await.unwrap(), 422, "validation_failed").await;
    let replayed = bad().await.unwrap();
    assert_eq!(replayed.headers()["idempotent-replayed"], "true");
    assert_problem(replayed, 422, "validation_failed").await;
}

async fn concurrent_requests_with_one_key_create_one_record(app: TestApp) {
    let send = || {
        app.request(Method::POST, "/teams", Some(&app.admin_token))
            .header("Idempotency-Key", "same-key-at-once")
            .json(&json!({"name": "Raced"}))
            .send()
    };
    let responses = futures_join(vec![send(), send(), send(), send(), send()]).await;
    let mut ids = HashSet::new();
    for response in responses {
        let response = response.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        ids.insert(body(response).await["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1, "every response names the one team");
    assert_eq!(count_teams(&app).await, 1);
}

async fn futures_join<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}

async fn stale_if_match_is_refused_and_changes_nothing(app: TestApp) {
    let team = app.team("East", None).await;
    let path = format!("/teams/{team}");
    let read = app.get(&path, &app.admin_token).await;
    assert_eq!(read.headers()["etag"], "\"1\"");

    let updated = app
        .request(Method::PATCH, &path, Some(&app.admin_token))
        .header("If-Match", "\"1\"")
        .json(&json!({"name": "East 1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(updated.headers()["etag"], "\"2\"");

    for stale in ["\"1\"", "\"not-a-version\""] {
        let refused = app
            .request(Method::PATCH, &path, Some(&app.admin_token))
            .header("If-Match", stale)
            .json(&json!({"name": "Lost update"}))
            .send()
            .await
            .unwrap();
        assert_problem(refused, 412, "precondition_failed").await;
    }
    let now = body(app.get(&path, &app.admin_token).await).await;
    assert_eq!(now["name"], "East 1");
    assert_eq!(now["version"], 2);
}

async fn oversize_bodies_are_refused(app: TestApp) {
    let huge = json!({"name": "x".repeat(1024 * 1024 + 10)});
    assert_problem(
        app.post("/teams", &app.admin_token, huge).await,
        413,
        "payload_too_large",
    )
    .await;
    assert_eq!(count_teams(&app).await, 0);
}

async fn unknown_fields_are_refused_by_name(app: TestApp) {
    let problem = assert_problem(
        app.post(
            "/teams",
            &app.admin_token,
            json!({"name": "East", "markt": "typo"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "markt");
    assert!(problem["detail"].as_str().unwrap().contains("markt"));
    assert_eq!(count_teams(&app).await, 0);

    let not_json = app
        .request(Method::POST, "/teams", Some(&app.admin_token))
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_problem(not_json, 422, "validation_failed").await;
    let wrong_type = assert_problem(
        app.post("/teams", &app.admin_token, json!({"name": 42}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(wrong_type["errors"][0]["field"], "name");
}

async fn request_ids_are_echoed_or_made(app: TestApp) {
    let echoed = app
        .request(Method::GET, "/me", Some(&app.admin_token))
        .header("X-Request-Id", "phone-42:retry-3")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "phone-42:retry-3");

    let made = app.request(Method::GET, "/me", None).send().await.unwrap();
    let id = made.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(
        uuid::Uuid::parse_str(&id).is_ok(),
        "a generated id on errors too: {id}"
    );

    let junk = app
        .request(Method::GET, "/me", Some(&app.admin_token))
        .header("X-Request-Id", "has spaces and <html>")
        .send()
        .await
        .unwrap();
    assert_ne!(junk.headers()["x-request-id"], "has spaces and <html>");

    let unknown_route = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert!(unknown_route.headers().get("x-request-id").is_some());
    assert_problem(unknown_route, 404, "not_found").await;
}

async fn cursor_pagination_returns_each_record_once(app: TestApp) {
    let mut made = HashSet::new();
    for i in 0..23 {
        made.insert(app.team(&format!("Team {i:02}"), None).await);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/teams?limit=5&cursor={c}"),
            None => "/teams?limit=5".to_owned(),
        };
        let page = body(app.get(&path, &app.admin_token).await).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 5);
        seen.extend(items.iter().map(|t| t["id"].as_str().unwrap().to_owned()));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 5);
    assert_eq!(seen.len(), 23);
    assert_eq!(
        seen.iter().cloned().collect::<HashSet<_>>(),
        made,
        "each exactly once"
    );
    let mut newest_first = seen.clone();
    newest_first.sort();
    newest_first.reverse();
    assert_eq!(
        seen, newest_first,
        "uuid v7 ids order like creation: newest first"
    );

    let too_many = assert_problem(
        app.get("/teams?limit=201", &app.admin_token).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(too_many["errors"][0]["field"], "limit");
    assert_problem(
        app.get("/teams?limit=0", &app.admin_token).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get("/teams?cursor=bogus", &app.admin_token).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get("/teams?limit=many", &app.admin_token).await,
        422,
        "validation_failed",
    )
    .await;
}

async fn operations_endpoints_answer(app: TestApp) {
    let live = app
        .client
        .get(app.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    let ready = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(body(ready).await["status"], "ok");

    app.get("/me", &app.admin_token).await;
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("ironfield_http_requests_total"),
        "{metrics}"
    );
    assert!(
        metrics.contains("endpoint=\"/api/v1/me\""),
        "requests by route"
    );
    assert!(metrics.contains("ironfield_http_requests_duration_seconds_bucket"));
    assert!(metrics.contains("ironfield_db_pool_connections"));

    let docs = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(
        docs.text().await.unwrap().contains("swagger"),
        "Swagger UI, served from the binary"
    );
}
