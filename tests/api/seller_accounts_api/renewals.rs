use super::{account, create, path};
use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::HashSet;

backend_tests!(
    renewal_extends_the_contract_and_is_recorded,
    renewal_due_before_lists_live_lapsing_accounts,
    stale_if_match_changes_nothing,
    list_paginates_each_account_once,
);

fn renewal(months: u32, amount: i64) -> serde_json::Value {
    json!({"contract_months": months, "contract_value": {"amount": amount, "currency": "CNY"}})
}

async fn renewal_extends_the_contract_and_is_recorded(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    // Starts far ahead, so "the later of end and today" is the end whatever today is.
    let mine = create(&app, &rep, account("续约", "2030-01-01", 12), json!({})).await;
    assert_eq!(mine["contract_end"], "2030-12-31");
    let renew = format!("{}/renew", path(&mine));
    let send = |key: &'static str| {
        app.request(Method::POST, &renew, Some(&rep.token))
            .header("Idempotency-Key", key)
            .header("If-Match", "\"1\"")
            .json(&renewal(12, 2_400_000))
            .send()
    };

    let renewed = send("renew-1").await.unwrap();
    assert_eq!(renewed.status(), StatusCode::OK);
    assert_eq!(renewed.headers()["etag"], "\"2\"");
    let renewed = body(renewed).await;
    assert_eq!(renewed["contract_end"], "2031-12-31");
    assert_eq!(renewed["contract_value"]["amount"], 2_400_000);

    // A retry of the same renewal replays it instead of renewing twice.
    let again = send("renew-1").await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(body(again).await["contract_end"], "2031-12-31");

    let history = body(
        app.get(&format!("{}/history", path(&mine)), &rep.token)
            .await,
    )
    .await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["renewed", "created"]);
    let changes = &history["items"][0]["changes"]["contract_end"];
    assert_eq!(changes["old"], "2030-12-31");
    assert_eq!(changes["new"], "2031-12-31");

    assert_problem(
        app.post(&renew, &rep.token, renewal(0, 1)).await,
        422,
        "validation_failed",
    )
    .await;
}

async fn renewal_due_before_lists_live_lapsing_accounts(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let lapsing = create(&app, &rep, account("快到期", "2026-07-01", 12), json!({})).await;
    create(&app, &rep, account("还早", "2031-01-01", 12), json!({})).await;
    let gone = create(&app, &rep, account("已流失", "2026-01-01", 6), json!({})).await;
    let churned = app
        .patch(
            &path(&gone),
            &rep.token,
            json!({"status": "churned", "churn_reason": "closed the stall"}),
        )
        .await;
    assert_eq!(churned.status(), StatusCode::OK);

    let due = body(
        app.get("/seller-accounts?renewal_due_before=2028-01-01", &rep.token)
            .await,
    )
    .await;
    let ids: Vec<&str> = due["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [lapsing["id"].as_str().unwrap()]);
    assert_problem(
        app.get("/seller-accounts?renewal_due_before=soon", &rep.token)
            .await,
        422,
        "validation_failed",
    )
    .await;
}

async fn stale_if_match_changes_nothing(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let mine = create(&app, &rep, account("并发", "2030-01-01", 12), json!({})).await;
    let updated = app
        .patch(
            &path(&mine),
            &rep.token,
            json!({"membership_tier": "premium"}),
        )
        .await;
    assert_eq!(updated.headers()["etag"], "\"2\"");

    let stale = app
        .request(Method::PATCH, &path(&mine), Some(&rep.token))
        .header("If-Match", "\"1\"")
        .json(&json!({"notes": "from an old screen"}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, 412, "precondition_failed").await;
    let stale_renewal = app
        .request(
            Method::POST,
            &format!("{}/renew", path(&mine)),
            Some(&rep.token),
        )
        .header("If-Match", "\"1\"")
        .json(&renewal(6, 1))
        .send()
        .await
        .unwrap();
    assert_problem(stale_renewal, 412, "precondition_failed").await;

    let now = body(app.get(&path(&mine), &rep.token).await).await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["notes"], serde_json::Value::Null);
    assert_eq!(now["contract_end"], "2030-12-31");
}

async fn list_paginates_each_account_once(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let mut made = HashSet::new();
    for i in 0..7 {
        let created = create(
            &app,
            &rep,
            account(&format!("店 {i}"), "2030-01-01", 12),
            json!({}),
        )
        .await;
        made.insert(created["id"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/seller-accounts?limit=3&cursor={c}"),
            None => "/seller-accounts?limit=3".to_owned(),
        };
        let page = body(app.get(&url, &rep.token).await).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), made);
    assert_problem(
        app.get("/seller-accounts?limit=201", &rep.token).await,
        422,
        "validation_failed",
    )
    .await;
}
