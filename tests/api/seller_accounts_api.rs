use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp, TestUser};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Renewals, the renewal filter, concurrency and pagination.
mod renewals;

backend_tests!(
    create_refuses_a_duplicate_phone_written_differently,
    converted_leads_are_listed_as_accounts,
    another_teams_account_is_not_found,
    reps_change_only_their_own_accounts,
    churning_needs_a_reason,
    every_bad_fact_is_named_in_the_order_of_the_fields,
);

fn account(name: &str, start: &str, months: u32) -> Value {
    json!({
        "company_name": name, "membership_tier": "gold", "contract_start": start,
        "contract_months": months, "contract_value": {"amount": 1980000, "currency": "CNY"}
    })
}

/// Creates an account as `user` and returns its body.
async fn create(app: &TestApp, user: &TestUser, mut input: Value, extra: Value) -> Value {
    input
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let response = app.post("/seller-accounts", &user.token, input).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    body(response).await
}

fn path(account: &Value) -> String {
    format!("/seller-accounts/{}", account["id"].as_str().unwrap())
}

async fn create_refuses_a_duplicate_phone_written_differently(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let created = app
        .post(
            "/seller-accounts",
            &rep.token,
            json!({"company_name": "星辰饰品", "phone": "138 0013 8000", "membership_tier": "gold",
                   "contract_start": "2026-11-01", "contract_months": 12,
                   "contract_value": {"amount": 1980000, "currency": "cny"}}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["etag"], "\"1\"");
    let created = body(created).await;
    assert_eq!(created["phone"], "+8613800138000");
    assert_eq!(created["owner_id"], rep.id.as_str());
    assert_eq!(created["team_id"], team.as_str());
    assert_eq!(created["status"], "onboarding");
    assert_eq!(created["contract_end"], "2027-10-31");
    assert_eq!(created["contract_value"]["currency"], "CNY");

    let mut again = account("另一家", "2026-12-01", 6);
    again["phone"] = json!("+86 13800138000");
    let problem = assert_problem(
        app.post("/seller-accounts", &rep.token, again).await,
        409,
        "duplicate",
    )
    .await;
    assert_eq!(problem["existing"]["id"], created["id"]);

    // Every bad field at once, and unknown fields are refused.
    let problem = assert_problem(
        app.post(
            "/seller-accounts",
            &rep.token,
            json!({"contract_months": 61, "phone": "12"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "company_name",
        "membership_tier",
        "contract_months",
        "contract_value",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let mut typo = account("x", "2026-11-01", 12);
    typo["tier"] = json!("gold");
    assert_problem(
        app.post("/seller-accounts", &rep.token, typo).await,
        422,
        "validation_failed",
    )
    .await;
}

async fn converted_leads_are_listed_as_accounts(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let lead = body(
        app.post(
            "/leads",
            &rep.token,
            json!({"company_name": "义乌市星辰饰品厂", "phone": "13800138000"}),
        )
        .await,
    )
    .await;
    let converted = app
        .post(
            &format!("/leads/{}/convert", lead["id"].as_str().unwrap()),
            &rep.token,
            json!({"membership_tier": "premium", "contract_start": "2026-11-01",
                   "contract_months": 12, "contract_value": {"amount": 100, "currency": "CNY"}}),
        )
        .await;
    assert_eq!(converted.status(), StatusCode::CREATED);
    let converted = body(converted).await;

    let page = body(app.get("/seller-accounts", &rep.token).await).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], converted["id"]);
    assert_eq!(items[0]["lead_id"], lead["id"]);
    let premium = body(
        app.get(
            "/seller-accounts?membership_tier=premium&q=星辰",
            &rep.token,
        )
        .await,
    )
    .await;
    assert_eq!(premium["items"].as_array().unwrap().len(), 1);
    let gold = body(
        app.get("/seller-accounts?membership_tier=gold", &rep.token)
            .await,
    )
    .await;
    assert!(gold["items"].as_array().unwrap().is_empty());
}

async fn another_teams_account_is_not_found(app: TestApp) {
    let east = app.team("East", None).await;
    let west = app.team("West", None).await;
    let east_rep = app.user("rep", Some(&east)).await;
    let west_lead = app.user("team_lead", Some(&west)).await;
    let theirs = create(&app, &east_rep, account("东", "2026-11-01", 12), json!({})).await;

    for suffix in ["", "/history"] {
        let url = format!("{}{suffix}", path(&theirs));
        assert_problem(app.get(&url, &west_lead.token).await, 404, "not_found").await;
    }
    assert_problem(
        app.patch(&path(&theirs), &west_lead.token, json!({"notes": "x"}))
            .await,
        404,
        "not_found",
    )
    .await;
    let listed = body(app.get("/seller-accounts", &west_lead.token).await).await;
    assert!(listed["items"].as_array().unwrap().is_empty());
    assert_eq!(
        app.get(&path(&theirs), &east_rep.token).await.status(),
        StatusCode::OK
    );
}

async fn reps_change_only_their_own_accounts(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let other = app.user("rep", Some(&team)).await;
    let lead = app.user("team_lead", Some(&team)).await;
    let mine = create(&app, &rep, account("我的", "2026-11-01", 12), json!({})).await;

    // A teammate may look, not touch.
    assert_eq!(
        app.get(&path(&mine), &other.token).await.status(),
        StatusCode::OK
    );
    assert_problem(
        app.patch(&path(&mine), &other.token, json!({"notes": "mine now"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    // A rep cannot hand their account away, and nothing changes.
    assert_problem(
        app.patch(
            &path(&mine),
            &rep.token,
            json!({"owner_id": other.id, "notes": "x"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let unchanged = body(app.get(&path(&mine), &rep.token).await).await;
    assert_eq!(unchanged["version"], 1);
    assert_eq!(unchanged["notes"], Value::Null);

    let moved = app
        .patch(&path(&mine), &lead.token, json!({"owner_id": other.id}))
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    assert_eq!(body(moved).await["owner_id"], other.id.as_str());
}

async fn churning_needs_a_reason(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let mine = create(&app, &rep, account("走了", "2026-11-01", 12), json!({})).await;
    assert_problem(
        app.patch(&path(&mine), &rep.token, json!({"status": "churned"}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    let churned = app
        .patch(
            &path(&mine),
            &rep.token,
            json!({"status": "churned", "churn_reason": "moved to Guangzhou"}),
        )
        .await;
    assert_eq!(churned.status(), StatusCode::OK);
    assert_eq!(body(churned).await["churn_reason"], "moved to Guangzhou");
    // A churned seller cannot be renewed.
    assert_problem(
        app.post(
            &format!("{}/renew", path(&mine)),
            &rep.token,
            json!({"contract_months": 12, "contract_value": {"amount": 1, "currency": "CNY"}}),
        )
        .await,
        422,
        "invalid_transition",
    )
    .await;
}

async fn every_bad_fact_is_named_in_the_order_of_the_fields(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let long = |n: usize| "x".repeat(n);
    let bad = json!({
        "company_name": " ", "contact_name": long(101), "phone": "12", "wechat_id": "1",
        "business_license_no": "123", "market": long(101), "district": long(101),
        "stall_no": long(51), "location": {"lat": 200.0, "lng": 0.0}, "notes": long(4001)
    });
    let expected = [
        "company_name",
        "contact_name",
        "phone",
        "wechat_id",
        "business_license_no",
        "market",
        "district",
        "stall_no",
        "location",
        "notes",
    ];
    let fields = |problem: &Value| -> Vec<String> {
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut new = account("x", "2026-11-01", 12);
    new.as_object_mut()
        .unwrap()
        .extend(bad.as_object().unwrap().clone());
    let problem = assert_problem(
        app.post("/seller-accounts", &rep.token, new).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), expected, "{problem}");

    // A change is checked the same way, and nothing of it is stored.
    let created = create(
        &app,
        &rep,
        account("义乌市星辰饰品厂", "2026-11-01", 12),
        json!({}),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let problem = assert_problem(
        app.patch(&format!("/seller-accounts/{id}"), &rep.token, bad)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&problem), expected, "{problem}");
    let stored = body(app.get(&format!("/seller-accounts/{id}"), &rep.token).await).await;
    assert_eq!(stored["company_name"], "义乌市星辰饰品厂");
    assert_eq!(stored["version"], created["version"]);
}
