//! Webhooks through HTTP: who may manage which subscriptions, the SSRF guard, signed delivery
//! to a receiver on 127.0.0.1, retries, and disabling after repeated failures.

pub mod receiver;

use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp};
use receiver::{verify_signature, Receiver};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

backend_tests!(
    admins_and_managing_service_accounts_manage_their_subscriptions,
    people_other_than_admins_and_unscoped_accounts_are_refused,
    changes_honour_if_match_and_are_validated,
    create_is_idempotent_with_a_key,
    urls_reaching_inside_the_network_are_refused,
    a_test_event_arrives_signed,
    a_failed_delivery_is_retried_until_it_succeeds,
    repeated_failures_disable_the_subscription_until_re_enabled,
    a_business_write_reaches_the_subscriptions_whose_creator_may_see_it,
    unreadable_stored_event_types_are_a_500_not_every_type,
);

/// A service account holding `scopes`, and its token.
async fn service_account(app: &TestApp, scopes: &[&str]) -> (String, String) {
    let created = body(
        app.post(
            "/service-accounts",
            &app.admin_token,
            json!({"name": format!("tool {}", uuid::Uuid::new_v4()), "scopes": scopes}),
        )
        .await,
    )
    .await;
    let token = body(
        app.request(Method::POST, "/auth/token", None)
            .json(&json!({"grant_type": "client_credentials",
                "client_id": created["client_id"], "client_secret": created["client_secret"]}))
            .send()
            .await
            .unwrap(),
    )
    .await["access_token"]
        .as_str()
        .expect("a service token")
        .to_owned();
    (created["id"].as_str().unwrap().to_owned(), token)
}

async fn set_webhook_settings(app: &TestApp, allow_http: bool, allow_private: bool) {
    let response = app
        .patch(
            "/settings",
            &app.admin_token,
            json!({"webhook_allow_http": allow_http, "webhook_allow_private": allow_private}),
        )
        .await;
    let settings = body(response).await;
    assert_eq!(settings["webhook_allow_http"], allow_http, "{settings}");
    assert_eq!(
        settings["webhook_allow_private"], allow_private,
        "{settings}"
    );
}

async fn create(app: &TestApp, token: &str, body_json: Value) -> Value {
    let response = app.post("/webhooks", token, body_json).await;
    assert_eq!(response.status(), 201);
    body(response).await
}

/// Polls `GET path` until `done` holds for the body (panics after 20 s).
async fn wait_until(app: &TestApp, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let current = body(app.get(path, &app.admin_token).await).await;
        if done(&current) {
            return current;
        }
        assert!(
            Instant::now() < deadline,
            "gave up waiting on {path}: {current}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn admins_and_managing_service_accounts_manage_their_subscriptions(app: TestApp) {
    set_webhook_settings(&app, false, true).await;
    let mine = create(
        &app,
        &app.admin_token,
        json!({"url": "https://127.0.0.1:9/admin", "event_types": ["lead.created", "lead.created", "visit.logged"],
               "description": "  BI feed  "}),
    )
    .await;
    assert!(
        mine["secret"].as_str().unwrap().starts_with("whsec_"),
        "{mine}"
    );
    assert_eq!(mine["event_types"], json!(["lead.created", "visit.logged"]));
    assert_eq!(mine["description"], "BI feed");
    assert_eq!(mine["active"], true);
    assert_eq!(mine["created_by_type"], "user");
    assert_eq!(mine["version"], 1);
    let admin_hook = mine["id"].as_str().unwrap().to_owned();

    let (sa_id, sa) = service_account(&app, &["webhooks:manage"]).await;
    let theirs = create(
        &app,
        &sa,
        json!({"url": "https://127.0.0.1:9/tool", "active": false}),
    )
    .await;
    assert_eq!(theirs["created_by"], sa_id.as_str());
    assert_eq!(theirs["created_by_type"], "service_account");
    assert_eq!(theirs["event_types"], json!([]));
    assert_eq!(theirs["active"], false);
    let sa_hook = theirs["id"].as_str().unwrap().to_owned();

    // The secret is shown on create only.
    let read = app
        .get(&format!("/webhooks/{admin_hook}"), &app.admin_token)
        .await;
    assert_eq!(read.headers()["etag"], "\"1\"");
    let read = body(read).await;
    assert!(read.get("secret").is_none(), "{read}");
    assert_eq!(read["url"], "https://127.0.0.1:9/admin");

    // Admins see every subscription; a service account only its own (another's is 404).
    let all = body(app.get("/webhooks", &app.admin_token).await).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2, "{all}");
    let own = body(app.get("/webhooks", &sa).await).await;
    let ids: Vec<&str> = own["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [sa_hook.as_str()]);
    assert!(own["items"][0].get("secret").is_none());
    for path in [
        format!("/webhooks/{admin_hook}"),
        format!("/webhooks/{admin_hook}/deliveries"),
    ] {
        assert_problem(app.get(&path, &sa).await, 404, "not_found").await;
    }
    assert_problem(
        app.post(&format!("/webhooks/{admin_hook}/test"), &sa, json!({}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.patch(
            &format!("/webhooks/{admin_hook}"),
            &sa,
            json!({"active": false}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let deleted = app
        .request(
            Method::DELETE,
            &format!("/webhooks/{admin_hook}"),
            Some(&sa),
        )
        .send()
        .await
        .unwrap();
    assert_problem(deleted, 404, "not_found").await;
    assert_eq!(
        app.get(&format!("/webhooks/{sa_hook}"), &app.admin_token)
            .await
            .status(),
        200
    );

    // Rotating answers a new secret once and moves the version on.
    let rotated = app
        .post(
            &format!("/webhooks/{sa_hook}/rotate-secret"),
            &sa,
            json!({}),
        )
        .await;
    assert_eq!(rotated.status(), 200);
    assert_eq!(rotated.headers()["etag"], "\"2\"");
    let rotated = body(rotated).await;
    assert!(rotated["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_ne!(rotated["secret"], theirs["secret"]);

    // Delete with the current version; afterwards it is gone for everyone.
    let deleted = app
        .request(Method::DELETE, &format!("/webhooks/{sa_hook}"), Some(&sa))
        .header("If-Match", "\"2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_problem(
        app.get(&format!("/webhooks/{sa_hook}"), &app.admin_token)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get("/webhooks/not-a-uuid", &app.admin_token).await,
        404,
        "not_found",
    )
    .await;
}

async fn people_other_than_admins_and_unscoped_accounts_are_refused(app: TestApp) {
    set_webhook_settings(&app, false, true).await;
    let hook = create(
        &app,
        &app.admin_token,
        json!({"url": "https://127.0.0.1:9/x"}),
    )
    .await;
    let id = hook["id"].as_str().unwrap();
    let team = app.team("Hooks team", None).await;
    let manager = app.user("manager", Some(&team)).await;
    let rep = app.user("rep", Some(&team)).await;
    let (_, reader) = service_account(&app, &["leads:read", "accounts:read"]).await;
    for token in [&manager.token, &rep.token, &reader] {
        assert_problem(app.get("/webhooks", token).await, 403, "forbidden").await;
        assert_problem(
            app.post("/webhooks", token, json!({"url": "https://127.0.0.1:9/y"}))
                .await,
            403,
            "forbidden",
        )
        .await;
        assert_problem(
            app.get(&format!("/webhooks/{id}"), token).await,
            403,
            "forbidden",
        )
        .await;
        assert_problem(
            app.post(&format!("/webhooks/{id}/test"), token, json!({}))
                .await,
            403,
            "forbidden",
        )
        .await;
    }
    let all = body(app.get("/webhooks", &app.admin_token).await).await;
    assert_eq!(
        all["items"].as_array().unwrap().len(),
        1,
        "nothing was created: {all}"
    );
}

async fn changes_honour_if_match_and_are_validated(app: TestApp) {
    set_webhook_settings(&app, false, true).await;
    let hook = create(
        &app,
        &app.admin_token,
        json!({"url": "https://127.0.0.1:9/x"}),
    )
    .await;
    let path = format!("/webhooks/{}", hook["id"].as_str().unwrap());
    let stale = app
        .request(Method::PATCH, &path, Some(&app.admin_token))
        .header("If-Match", "\"7\"")
        .json(&json!({"description": "late"}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, 412, "precondition_failed").await;

    let bad = app
        .patch(
            &path,
            &app.admin_token,
            json!({"event_types": ["lead.created", "lead.exploded"],
            "description": "d".repeat(501)}),
        )
        .await;
    let problem = assert_problem(bad, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"event_types[1]") && fields.contains(&"description"),
        "{problem}"
    );
    let unknown = app
        .patch(&path, &app.admin_token, json!({"secret": "mine"}))
        .await;
    assert_problem(unknown, 422, "validation_failed").await;
    let created = app
        .post(
            "/webhooks",
            &app.admin_token,
            json!({"event_types": ["lead.created"]}),
        )
        .await;
    assert_problem(created, 422, "validation_failed").await;

    let changed = app
        .request(Method::PATCH, &path, Some(&app.admin_token))
        .header("If-Match", "\"1\"")
        .json(&json!({"description": "renamed", "event_types": ["seller_account.signed"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_eq!(changed.headers()["etag"], "\"2\"");
    let changed = body(changed).await;
    assert_eq!(changed["description"], "renamed");
    assert_eq!(changed["event_types"], json!(["seller_account.signed"]));
    let cleared = body(
        app.patch(&path, &app.admin_token, json!({"description": null}))
            .await,
    )
    .await;
    assert_eq!(cleared["description"], Value::Null);
    assert_eq!(cleared["version"], 3);
}

async fn create_is_idempotent_with_a_key(app: TestApp) {
    set_webhook_settings(&app, false, true).await;
    let send = |url: &'static str| {
        app.request(Method::POST, "/webhooks", Some(&app.admin_token))
            .header("Idempotency-Key", "hook-create-1")
            .json(&json!({"url": url}))
            .send()
    };
    let first = send("https://127.0.0.1:9/a").await.unwrap();
    assert_eq!(first.status(), 201);
    let first = body(first).await;
    let again = send("https://127.0.0.1:9/a").await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(body(again).await["id"], first["id"]);
    let other = send("https://127.0.0.1:9/b").await.unwrap();
    assert_problem(other, 422, "idempotency_key_reused").await;
    let all = body(app.get("/webhooks", &app.admin_token).await).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
}

async fn urls_reaching_inside_the_network_are_refused(app: TestApp) {
    let refused = |url: &'static str| {
        let app = &app;
        async move {
            let response = app
                .post("/webhooks", &app.admin_token, json!({"url": url}))
                .await;
            let problem = assert_problem(response, 422, "validation_failed").await;
            assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
            problem["errors"][0]["message"].as_str().unwrap().to_owned()
        }
    };
    // Defaults: https only, public addresses only.
    let plain = refused("http://127.0.0.1:9/hook").await;
    assert!(plain.contains("webhook_allow_http"), "{plain}");
    for url in [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://localhost/hook",
    ] {
        let message = refused(url).await;
        assert!(
            message.contains("webhook_allow_private"),
            "{url}: {message}"
        );
    }
    for url in [
        "ftp://example.com/x",
        "not a url",
        "https://user:pw@127.0.0.1/",
    ] {
        refused(url).await;
    }
    // http allowed, private still not.
    set_webhook_settings(&app, true, false).await;
    let private = refused("http://127.0.0.1:9/hook").await;
    assert!(private.contains("loopback"), "{private}");
    // Both on: accepted.
    set_webhook_settings(&app, true, true).await;
    create(
        &app,
        &app.admin_token,
        json!({"url": "http://127.0.0.1:9/hook"}),
    )
    .await;
    create(
        &app,
        &app.admin_token,
        json!({"url": "https://[::1]:9/hook"}),
    )
    .await;
    // Turning the setting off again holds at once for changes too.
    set_webhook_settings(&app, false, false).await;
    let all = body(app.get("/webhooks", &app.admin_token).await).await;
    let id = all["items"][0]["id"].as_str().unwrap();
    let change = app
        .patch(
            &format!("/webhooks/{id}"),
            &app.admin_token,
            json!({"url": "https://127.0.0.2/x"}),
        )
        .await;
    assert_problem(change, 422, "validation_failed").await;
}

async fn a_test_event_arrives_signed(app: TestApp) {
    set_webhook_settings(&app, true, true).await;
    let receiver = Receiver::start(&[200]).await;
    let hook = create(
        &app,
        &app.admin_token,
        json!({"url": receiver.url, "event_types": ["lead.created"]}),
    )
    .await;
    let id = hook["id"].as_str().unwrap();
    let secret = hook["secret"].as_str().unwrap();

    let queued = app
        .post(&format!("/webhooks/{id}/test"), &app.admin_token, json!({}))
        .await;
    assert_eq!(queued.status(), 202);
    let queued = body(queued).await;
    assert_eq!(queued["status"], "pending");
    assert_eq!(queued["event_type"], "webhook.test");

    let hits = receiver.wait_for(1, Duration::from_secs(10)).await;
    let hit = &hits[0];
    verify_signature(hit, secret);
    let event = hit.json();
    assert_eq!(event["type"], "webhook.test");
    assert_eq!(event["event_id"], queued["event_id"]);
    assert_eq!(
        hit.header("x-ironfield-event-id"),
        queued["event_id"].as_str().unwrap()
    );
    assert_eq!(hit.header("x-ironfield-event-type"), "webhook.test");
    assert_eq!(hit.header("content-type"), "application/json");
    assert_eq!(event["record_id"], id);
    assert_eq!(event["actor"]["type"], "user");
    assert!(event["data"].get("secret").is_none(), "{event}");

    let deliveries = wait_until(&app, &format!("/webhooks/{id}/deliveries"), |page| {
        page["items"][0]["status"] == "succeeded"
    })
    .await;
    let delivery = &deliveries["items"][0];
    assert_eq!(delivery["attempt"], 1);
    assert_eq!(delivery["response_status"], 200);
    assert_eq!(delivery["error"], Value::Null);
    assert_eq!(delivery["next_attempt_at"], Value::Null);
    assert!(delivery["duration_ms"].as_i64().unwrap() >= 0);

    // After a rotation the next delivery is signed with the new secret only.
    let rotated = body(
        app.post(
            &format!("/webhooks/{id}/rotate-secret"),
            &app.admin_token,
            json!({}),
        )
        .await,
    )
    .await;
    app.post(&format!("/webhooks/{id}/test"), &app.admin_token, json!({}))
        .await;
    let hits = receiver.wait_for(2, Duration::from_secs(10)).await;
    verify_signature(&hits[1], rotated["secret"].as_str().unwrap());
    assert_eq!(hits.len(), 2, "each event once");
}

async fn a_failed_delivery_is_retried_until_it_succeeds(app: TestApp) {
    set_webhook_settings(&app, true, true).await;
    let receiver = Receiver::start(&[500, 200]).await;
    let hook = create(&app, &app.admin_token, json!({"url": receiver.url})).await;
    let id = hook["id"].as_str().unwrap();
    app.post(&format!("/webhooks/{id}/test"), &app.admin_token, json!({}))
        .await;

    let hits = receiver.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(
        hits[0].header("x-ironfield-event-id"),
        hits[1].header("x-ironfield-event-id")
    );
    assert_eq!(hits[0].body, hits[1].body, "a retry sends the same body");
    verify_signature(&hits[1], hook["secret"].as_str().unwrap());
    let deliveries = wait_until(&app, &format!("/webhooks/{id}/deliveries"), |page| {
        page["items"][0]["status"] == "succeeded"
    })
    .await;
    assert_eq!(
        deliveries["items"].as_array().unwrap().len(),
        1,
        "one row per event"
    );
    let delivery = &deliveries["items"][0];
    assert_eq!(delivery["attempt"], 2);
    assert_eq!(delivery["response_status"], 200);
    // Every try is listed, oldest first, with its answer.
    let attempts = delivery["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{delivery}");
    assert_eq!(
        (&attempts[0]["attempt"], &attempts[0]["response_status"]),
        (&json!(1), &json!(500))
    );
    assert!(attempts[0]["error"].as_str().unwrap().contains("500"));
    assert_eq!(
        (&attempts[1]["attempt"], &attempts[1]["response_status"]),
        (&json!(2), &json!(200))
    );
    assert!(attempts[1]["error"].is_null());
    assert!(attempts[1]["duration_ms"].as_i64().unwrap() >= 0);
    let webhook = body(app.get(&format!("/webhooks/{id}"), &app.admin_token).await).await;
    assert_eq!(webhook["failure_streak"], 0, "a success resets the streak");
}

async fn repeated_failures_disable_the_subscription_until_re_enabled(app: TestApp) {
    set_webhook_settings(&app, true, true).await;
    let receiver = Receiver::start(&[503]).await;
    let hook = create(&app, &app.admin_token, json!({"url": receiver.url})).await;
    let id = hook["id"].as_str().unwrap();
    for _ in 0..8 {
        app.post(&format!("/webhooks/{id}/test"), &app.admin_token, json!({}))
            .await;
    }
    let disabled = wait_until(&app, &format!("/webhooks/{id}"), |w| w["active"] == false).await;
    assert!(
        disabled["failure_streak"].as_i64().unwrap() >= 20,
        "{disabled}"
    );
    assert!(
        disabled["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("20 consecutive"),
        "{disabled}"
    );
    let deliveries = body(
        app.get(&format!("/webhooks/{id}/deliveries"), &app.admin_token)
            .await,
    )
    .await;
    let items = deliveries["items"].as_array().unwrap();
    assert_eq!(items.len(), 8);
    assert!(
        items.iter().all(|d| d["status"] == "pending"),
        "{deliveries}"
    );
    assert!(
        items
            .iter()
            .any(|d| d["response_status"] == 503 && d["error"] == "HTTP 503"),
        "{deliveries}"
    );
    // Disabled: nothing more is sent (beyond one request already in flight at the time).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = receiver.hits().len();
    assert!((20..=21).contains(&sent), "{sent} attempts");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(receiver.hits().len(), sent, "no attempts after disabling");
    let disabled = body(app.get(&format!("/webhooks/{id}"), &app.admin_token).await).await;

    let version = disabled["version"].as_i64().unwrap();
    let enabled = app
        .request(
            Method::PATCH,
            &format!("/webhooks/{id}"),
            Some(&app.admin_token),
        )
        .header("If-Match", format!("\"{version}\""))
        .json(&json!({"active": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(enabled.status(), 200);
    let enabled = body(enabled).await;
    assert_eq!(enabled["active"], true);
    assert_eq!(enabled["failure_streak"], 0);
    assert_eq!(enabled["disabled_reason"], Value::Null);
    // Its pending deliveries resume.
    receiver.wait_for(sent + 1, Duration::from_secs(10)).await;
}

async fn a_business_write_reaches_the_subscriptions_whose_creator_may_see_it(app: TestApp) {
    set_webhook_settings(&app, true, true).await;
    let (admin_rx, reader_rx, blind_rx, other_type_rx) = (
        Receiver::start(&[200]).await,
        Receiver::start(&[200]).await,
        Receiver::start(&[200]).await,
        Receiver::start(&[200]).await,
    );
    let admin_hook = create(
        &app,
        &app.admin_token,
        json!({"url": admin_rx.url, "event_types": ["lead.created"]}),
    )
    .await;
    let (_, reader) = service_account(&app, &["webhooks:manage", "leads:read"]).await;
    let reader_hook = create(&app, &reader, json!({"url": reader_rx.url})).await;
    let (_, blind) = service_account(&app, &["webhooks:manage", "visits:read"]).await;
    create(&app, &blind, json!({"url": blind_rx.url})).await;
    create(
        &app,
        &app.admin_token,
        json!({"url": other_type_rx.url, "event_types": ["visit.logged"]}),
    )
    .await;

    let lead = app
        .post(
            "/leads",
            &app.admin_token,
            json!({"company_name": "义乌市星辰饰品厂"}),
        )
        .await;
    assert_eq!(lead.status(), 201);
    let lead = body(lead).await;

    for (rx, hook) in [(&admin_rx, &admin_hook), (&reader_rx, &reader_hook)] {
        let hits = rx.wait_for(1, Duration::from_secs(15)).await;
        verify_signature(&hits[0], hook["secret"].as_str().unwrap());
        let event = hits[0].json();
        assert_eq!(event["type"], "lead.created", "{event}");
        assert_eq!(event["record_type"], "lead");
        assert_eq!(event["record_id"], lead["id"]);
        assert_eq!(event["data"]["company_name"], "义乌市星辰饰品厂");
        assert_eq!(
            hits[0].header("x-ironfield-event-id"),
            event["event_id"].as_str().unwrap()
        );
    }
    assert_eq!(
        admin_rx.hits()[0].body,
        reader_rx.hits()[0].body,
        "one event, one body"
    );
    // The fan-out has passed this event for everyone: the others got nothing.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(blind_rx.hits().len(), 0, "visits:read does not cover leads");
    assert_eq!(other_type_rx.hits().len(), 0, "not a subscribed type");
    assert_eq!(admin_rx.hits().len(), 1, "each event once");
}

/// Stored event types that are not a JSON list are corrupt data: reading the subscription
/// fails (500, logged) rather than reading as "no types", which would mean every type.
async fn unreadable_stored_event_types_are_a_500_not_every_type(app: TestApp) {
    set_webhook_settings(&app, false, true).await;
    let hook = create(
        &app,
        &app.admin_token,
        json!({"url": "https://127.0.0.1:9/a", "event_types": ["lead.created"]}),
    )
    .await;
    let id = hook["id"].as_str().unwrap();
    let plant = |types: &str| {
        app.execute_sql(&format!(
            "UPDATE webhooks SET event_types = '{types}' WHERE id = '{id}';"
        ));
    };
    plant("lead.created");
    for path in [format!("/webhooks/{id}"), "/webhooks".to_owned()] {
        assert_problem(app.get(&path, &app.admin_token).await, 500, "internal").await;
    }

    plant(r#"["lead.created"]"#);
    let read = body(app.get(&format!("/webhooks/{id}"), &app.admin_token).await).await;
    assert_eq!(read["event_types"], json!(["lead.created"]));
}
