//! Seller performance from the portal, and account health: the at-risk list, health on the
//! account, `accounts_to_service` in `/me/day`, and the thresholds in `/settings`.

use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp, TestUser};
use chrono::{Datelike, Duration, Months, NaiveDate, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

backend_tests!(
    a_month_sent_twice_is_one_record_with_the_second_values,
    figures_are_validated_field_by_field,
    a_bulk_report_is_all_or_nothing,
    figures_are_read_by_whoever_reads_the_account,
    service_accounts_need_accounts_write_to_report,
    at_risk_lists_the_slipping_accounts_worst_first_with_their_reasons,
    health_thresholds_are_settings,
);

/// Today in the organisation's default zone (Asia/Shanghai, UTC+8 all year).
fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

/// The month `n` months before this one, `YYYY-MM`.
fn month(n: u32) -> String {
    let first = today().with_day(1).unwrap();
    let m = first.checked_sub_months(Months::new(n)).unwrap();
    format!("{:04}-{:02}", m.year(), m.month())
}

fn figures(gmv: i64, listings: i64, login_days_ago: i64) -> Value {
    json!({
        "inquiries": 40, "orders": 12, "gmv": {"amount": gmv, "currency": "CNY"},
        "active_listings": listings, "buyer_response_rate": 0.9,
        "last_seller_login_at": (Utc::now() - Duration::days(login_days_ago)).to_rfc3339(),
    })
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.request(Method::PUT, path, Some(token))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn account(app: &TestApp, rep: &TestUser, name: &str, start: NaiveDate) -> String {
    let response = app
        .post(
            "/seller-accounts",
            &rep.token,
            json!({"company_name": name, "membership_tier": "gold", "market": "国际商贸城一区",
                   "contract_start": start.to_string(), "contract_months": 36,
                   "contract_value": {"amount": 1980000, "currency": "CNY"}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    body(response).await["id"].as_str().unwrap().to_owned()
}

fn long_ago() -> NaiveDate {
    today().checked_sub_months(Months::new(14)).unwrap()
}

/// A service account holding `scopes`, and its token.
async fn service(app: &TestApp, scopes: &[&str]) -> String {
    let created = body(
        app.post(
            "/service-accounts",
            &app.admin_token,
            json!({"name": "portal", "scopes": scopes}),
        )
        .await,
    )
    .await;
    let response = app
        .request(Method::POST, "/auth/token", None)
        .json(&json!({"grant_type": "client_credentials",
                      "client_id": created["client_id"], "client_secret": created["client_secret"]}))
        .send()
        .await
        .unwrap();
    body(response).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn fields(problem: &Value) -> Vec<String> {
    let mut fields: Vec<String> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    fields.sort();
    fields
}

async fn a_month_sent_twice_is_one_record_with_the_second_values(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let id = account(&app, &rep, "星辰饰品", long_ago()).await;
    let path = format!("/seller-accounts/{id}/performance/{}", month(1));
    let first = put(&app, &path, &app.admin_token, figures(100_000, 50, 1)).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first = body(first).await;
    assert_eq!(first["seller_account_id"], id.as_str());
    assert_eq!(first["period"], month(1));
    assert_eq!(first["gmv"], json!({"amount": 100000, "currency": "CNY"}));
    let mut again = figures(80_000, 45, 1);
    again["gmv"]["currency"] = json!("cny");
    let second = put(&app, &path, &app.admin_token, again).await;
    assert_eq!(second.status(), StatusCode::OK);
    let second = body(second).await;
    assert_eq!(second["gmv"], json!({"amount": 80000, "currency": "CNY"}));
    assert_eq!(second["active_listings"], 45);

    let list = body(
        app.get(&format!("/seller-accounts/{id}/performance"), &rep.token)
            .await,
    )
    .await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one record per account and month: {list}");
    assert_eq!(items[0]["gmv"]["amount"], 80000);
    assert_eq!(items[0]["active_listings"], 45);

    // Months are read back oldest first, within the range asked.
    put(
        &app,
        &format!("/seller-accounts/{id}/performance/{}", month(3)),
        &app.admin_token,
        figures(1, 1, 1),
    )
    .await;
    let list = body(
        app.get(&format!("/seller-accounts/{id}/performance"), &rep.token)
            .await,
    )
    .await;
    let periods: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, vec![month(3), month(1)]);
    let ranged = body(
        app.get(
            &format!(
                "/seller-accounts/{id}/performance?from={}&to={}",
                month(2),
                month(1)
            ),
            &rep.token,
        )
        .await,
    )
    .await;
    assert_eq!(ranged["items"].as_array().unwrap().len(), 1);
    let backwards = app
        .get(
            &format!(
                "/seller-accounts/{id}/performance?from={}&to={}",
                month(1),
                month(3)
            ),
            &rep.token,
        )
        .await;
    assert_problem(backwards, 422, "validation_failed").await;
}

async fn figures_are_validated_field_by_field(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let id = account(&app, &rep, "星辰饰品", long_ago()).await;
    let bad = json!({
        "inquiries": -1, "orders": 10_000_001, "gmv": {"amount": -5, "currency": "RMB"},
        "active_listings": 2_000_000, "buyer_response_rate": 1.5,
        "last_seller_login_at": (Utc::now() + Duration::days(2)).to_rfc3339(),
    });
    let response = put(
        &app,
        &format!("/seller-accounts/{id}/performance/{}", month(1)),
        &app.admin_token,
        bad,
    )
    .await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(
        fields(&problem),
        vec![
            "active_listings",
            "buyer_response_rate",
            "gmv",
            "inquiries",
            "last_seller_login_at",
            "orders"
        ]
    );
    let future = today().checked_add_months(Months::new(1)).unwrap();
    for period in [
        format!("{:04}-{:02}", future.year(), future.month()),
        "2026-13".to_owned(),
        "26-11".to_owned(),
    ] {
        let response = put(
            &app,
            &format!("/seller-accounts/{id}/performance/{period}"),
            &app.admin_token,
            figures(1, 1, 1),
        )
        .await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(fields(&problem), vec!["period"], "{period}");
    }
    let unknown = put(
        &app,
        &format!(
            "/seller-accounts/{}/performance/{}",
            uuid::Uuid::new_v4(),
            month(1)
        ),
        &app.admin_token,
        figures(1, 1, 1),
    )
    .await;
    assert_problem(unknown, 404, "not_found").await;
    let mut typo = figures(1, 1, 1);
    typo["gmv_amount"] = json!(5);
    let response = put(
        &app,
        &format!("/seller-accounts/{id}/performance/{}", month(1)),
        &app.admin_token,
        typo,
    )
    .await;
    assert_problem(response, 422, "validation_failed").await;
    let list = body(
        app.get(&format!("/seller-accounts/{id}/performance"), &rep.token)
            .await,
    )
    .await;
    assert_eq!(list["items"], json!([]));
}

async fn a_bulk_report_is_all_or_nothing(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let a = account(&app, &rep, "A", long_ago()).await;
    let b = account(&app, &rep, "B", long_ago()).await;
    let item = |id: &str, gmv: i64| {
        let mut item = figures(gmv, 30, 1);
        item["seller_account_id"] = json!(id);
        item
    };
    let mut bad = item(&b, 5);
    bad["orders"] = json!(-3);
    let path = format!("/seller-performance/{}", month(1));
    let response = put(
        &app,
        &path,
        &app.admin_token,
        json!({"items": [item(&a, 1), bad, item(&uuid::Uuid::new_v4().to_string(), 1), item(&a, 2)]}),
    )
    .await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(
        fields(&problem),
        vec![
            "items[1].orders",
            "items[2].seller_account_id",
            "items[3].seller_account_id"
        ]
    );
    for id in [&a, &b] {
        let list = body(
            app.get(&format!("/seller-accounts/{id}/performance"), &rep.token)
                .await,
        )
        .await;
        assert_eq!(
            list["items"],
            json!([]),
            "nothing stored from a refused batch"
        );
    }

    let batch = json!({"items": [item(&a, 100), item(&b, 200)]});
    let response = put(&app, &path, &app.admin_token, batch.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let stored = body(response).await;
    assert_eq!(stored["items"][0]["seller_account_id"], a.as_str());
    assert_eq!(stored["items"][1]["gmv"]["amount"], 200);
    // Sent again: still one record each.
    assert_eq!(
        put(&app, &path, &app.admin_token, batch).await.status(),
        StatusCode::OK
    );
    let list = body(
        app.get(&format!("/seller-accounts/{b}/performance"), &rep.token)
            .await,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    let empty = put(&app, &path, &app.admin_token, json!({"items": []})).await;
    assert_problem(empty, 422, "validation_failed").await;
    let many: Vec<Value> = (0..501).map(|_| item(&a, 1)).collect();
    let too_many = put(&app, &path, &app.admin_token, json!({"items": many})).await;
    assert_problem(too_many, 422, "validation_failed").await;
}

async fn figures_are_read_by_whoever_reads_the_account(app: TestApp) {
    let team = app.team("East", None).await;
    let other = app.team("West", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let mate = app.user("rep", Some(&team)).await;
    let stranger = app.user("rep", Some(&other)).await;
    let id = account(&app, &rep, "A", long_ago()).await;
    put(
        &app,
        &format!("/seller-accounts/{id}/performance/{}", month(1)),
        &app.admin_token,
        figures(100, 3, 1),
    )
    .await;
    let path = format!("/seller-accounts/{id}/performance");
    assert_eq!(app.get(&path, &mate.token).await.status(), StatusCode::OK);
    assert_problem(app.get(&path, &stranger.token).await, 404, "not_found").await;
    // People other than admins report no figures, for their own accounts or others'.
    for user in [&rep, &stranger] {
        let response = put(
            &app,
            &format!("/seller-accounts/{id}/performance/{}", month(1)),
            &user.token,
            figures(1, 1, 1),
        )
        .await;
        assert_problem(response, 403, "forbidden").await;
        let mut item = figures(1, 1, 1);
        item["seller_account_id"] = json!(id);
        let response = put(
            &app,
            &format!("/seller-performance/{}", month(1)),
            &user.token,
            json!({"items": [item]}),
        )
        .await;
        assert_problem(response, 403, "forbidden").await;
    }
    let list = body(app.get(&path, &rep.token).await).await;
    assert_eq!(list["items"][0]["gmv"]["amount"], 100, "nothing changed");
}

async fn service_accounts_need_accounts_write_to_report(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let id = account(&app, &rep, "A", long_ago()).await;
    let reader = service(&app, &["accounts:read"]).await;
    let writer = service(&app, &["accounts:write"]).await;
    let path = format!("/seller-accounts/{id}/performance/{}", month(1));
    assert_problem(
        put(&app, &path, &reader, figures(1, 1, 1)).await,
        403,
        "forbidden",
    )
    .await;
    let mut item = figures(1, 1, 1);
    item["seller_account_id"] = json!(id);
    let bulk = put(
        &app,
        &format!("/seller-performance/{}", month(1)),
        &reader,
        json!({"items": [item.clone()]}),
    )
    .await;
    assert_problem(bulk, 403, "forbidden").await;
    assert_eq!(
        put(&app, &path, &writer, figures(7, 1, 1)).await.status(),
        StatusCode::OK
    );
    let bulk = put(
        &app,
        &format!("/seller-performance/{}", month(2)),
        &writer,
        json!({"items": [item]}),
    )
    .await;
    assert_eq!(bulk.status(), StatusCode::OK);
    let read = format!("/seller-accounts/{id}/performance");
    assert_eq!(app.get(&read, &reader).await.status(), StatusCode::OK);
    assert_problem(app.get(&read, &writer).await, 403, "forbidden").await;
    let list = body(app.get(&read, &rep.token).await).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

/// Six accounts of one team, market and tier, each slipping in its own way (or not).
struct Fixture {
    rep: TestUser,
    steady: String,
    falling: String,
    silent: String,
    few: String,
    inactive: String,
    renewing: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let steady = account(app, &rep, "Steady", long_ago()).await;
    let falling = account(app, &rep, "Falling", long_ago()).await;
    let silent = account(app, &rep, "Silent", long_ago()).await;
    let few = account(app, &rep, "Few", long_ago()).await;
    let inactive = account(app, &rep, "Inactive", long_ago()).await;
    // Its 36-month contract ends in 9 days.
    let renewing_start = (today() + Duration::days(10))
        .checked_sub_months(Months::new(36))
        .unwrap();
    let renewing = account(app, &rep, "Renewing", renewing_start).await;
    for n in 1..=4 {
        let mut items = Vec::new();
        for (id, gmv, listings, login) in [
            (&steady, 100_000, 50, 1),
            // 60% of its 3-month average: GMV down 40%.
            (&falling, if n == 1 { 60_000 } else { 100_000 }, 50, 1),
            (&few, 100_000, 10, 1),
            (&inactive, 100_000, 50, 20),
            (&renewing, 100_000, 50, 1),
        ] {
            let mut item = figures(gmv, listings, login);
            item["seller_account_id"] = json!(id);
            items.push(item);
        }
        let response = put(
            app,
            &format!("/seller-performance/{}", month(n)),
            &app.admin_token,
            json!({"items": items}),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    Fixture {
        rep,
        steady,
        falling,
        silent,
        few,
        inactive,
        renewing,
    }
}

fn summary(items: &Value) -> Vec<(String, String, i64, Vec<String>)> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["account"]["id"].as_str().unwrap().to_owned(),
                item["health"].as_str().unwrap().to_owned(),
                item["score"].as_i64().unwrap(),
                item["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["code"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

async fn at_risk_lists_the_slipping_accounts_worst_first_with_their_reasons(app: TestApp) {
    let f = fixture(&app).await;
    let expected = vec![
        (
            f.silent.clone(),
            "dormant".into(),
            35,
            vec!["no_data".into()],
        ),
        (
            f.falling.clone(),
            "at_risk".into(),
            65,
            vec!["gmv_falling".into()],
        ),
        (
            f.inactive.clone(),
            "slipping".into(),
            70,
            vec!["seller_inactive".into()],
        ),
        (
            f.renewing.clone(),
            "slipping".into(),
            75,
            vec!["renewal_due_unvisited".into()],
        ),
        (
            f.few.clone(),
            "slipping".into(),
            80,
            vec!["few_listings".into()],
        ),
    ];
    let page = body(app.get("/seller-accounts/at-risk", &f.rep.token).await).await;
    assert_eq!(summary(&page["items"]), expected, "{page}");
    assert!(page["next_cursor"].is_null());
    let first = &page["items"][0];
    assert_eq!(first["account"]["company_name"], "Silent");
    assert_eq!(first["account"]["health"], "dormant");
    for item in page["items"].as_array().unwrap() {
        let reason = &item["reasons"][0];
        assert!(!reason["detail"].as_str().unwrap().is_empty());
        assert!(!reason["talking_point"].as_str().unwrap().is_empty());
    }

    // Pages of two follow the same ranking.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/seller-accounts/at-risk?limit=2&cursor={c}"),
            None => "/seller-accounts/at-risk?limit=2".to_owned(),
        };
        let page = body(app.get(&path, &app.admin_token).await).await;
        seen.extend(summary(&page["items"]));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, expected);
    assert_problem(
        app.get("/seller-accounts/at-risk?limit=201", &f.rep.token)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get("/seller-accounts/at-risk?cursor=garbage", &f.rep.token)
            .await,
        422,
        "validation_failed",
    )
    .await;

    // Each account carries its health on its own read and in the list.
    let steady = body(
        app.get(&format!("/seller-accounts/{}", f.steady), &f.rep.token)
            .await,
    )
    .await;
    assert_eq!(steady["health"], "healthy");
    let list = body(app.get("/seller-accounts", &f.rep.token).await).await;
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["health"].is_string()));

    // The owner's day lists the same accounts, worst first; another team's rep sees none.
    let day = body(app.get("/me/day", &f.rep.token).await).await;
    assert_eq!(summary(&day["accounts_to_service"]), expected);
    let other = app.team("West", None).await;
    let stranger = app.user("rep", Some(&other)).await;
    let page = body(app.get("/seller-accounts/at-risk", &stranger.token).await).await;
    assert_eq!(page["items"], json!([]));
    let day = body(app.get("/me/day", &stranger.token).await).await;
    assert_eq!(day["accounts_to_service"], json!([]));
    let by_owner = body(
        app.get(
            &format!("/seller-accounts/at-risk?owner_id={}", stranger.id),
            &app.admin_token,
        )
        .await,
    )
    .await;
    assert_eq!(by_owner["items"], json!([]));

    // A visit takes the renewal off the list.
    let visit = app
        .post(
            "/visits",
            &f.rep.token,
            json!({"seller_account_id": f.renewing, "visited_at": Utc::now().to_rfc3339(),
                   "purpose": "account_service", "outcome": "interested"}),
        )
        .await;
    assert_eq!(visit.status(), StatusCode::CREATED);
    let page = body(app.get("/seller-accounts/at-risk", &f.rep.token).await).await;
    let ids: Vec<String> = summary(&page["items"]).into_iter().map(|s| s.0).collect();
    assert_eq!(ids, vec![f.silent, f.falling, f.inactive, f.few]);
}

async fn health_thresholds_are_settings(app: TestApp) {
    let f = fixture(&app).await;
    let settings = body(app.get("/settings", &app.admin_token).await).await;
    assert_eq!(
        settings["account_health"],
        json!({"gmv_drop_pct": 30, "listings_median_ratio": 0.5, "seller_inactive_days": 14,
               "renewal_window_days": 30, "visit_recency_days": 14})
    );
    let bad = app
        .patch(
            "/settings",
            &app.admin_token,
            json!({"account_health": {"gmv_drop_pct": 0, "listings_median_ratio": 1.5,
                                      "seller_inactive_days": 400}}),
        )
        .await;
    let problem = assert_problem(bad, 422, "validation_failed").await;
    assert_eq!(
        fields(&problem),
        vec![
            "account_health.gmv_drop_pct",
            "account_health.listings_median_ratio",
            "account_health.seller_inactive_days"
        ]
    );
    let changed = app
        .patch(
            "/settings",
            &app.admin_token,
            json!({"account_health": {"gmv_drop_pct": 50, "seller_inactive_days": 30}}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed = body(changed).await;
    assert_eq!(changed["account_health"]["gmv_drop_pct"], 50);
    assert_eq!(changed["account_health"]["renewal_window_days"], 30);
    // GMV down 40% and 20 days without a login are no longer worth a visit.
    let page = body(app.get("/seller-accounts/at-risk", &f.rep.token).await).await;
    let ids: Vec<String> = summary(&page["items"]).into_iter().map(|s| s.0).collect();
    assert_eq!(ids, vec![f.silent, f.renewing, f.few]);
    let falling = body(
        app.get(&format!("/seller-accounts/{}", f.falling), &f.rep.token)
            .await,
    )
    .await;
    assert_eq!(falling["health"], "healthy");
    let _ = f.inactive;
}
