//! What the OpenAPI contract promises about requests in general: 405 with `Allow` for a
//! method a path lacks, `If-Match` checked after the body, separate create and update
//! schemas (a create-only field in a PATCH is refused by name), `null` as a logout body.

use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

backend_tests!(
    undeclared_methods_are_405_with_allow,
    an_empty_if_match_is_refused_by_name,
    a_bad_body_is_422_even_with_a_stale_if_match,
    patch_refuses_the_fields_only_a_create_takes,
    logout_takes_a_null_body,
    assigning_an_archived_lead_is_409_as_documented,
    whole_number_floats_are_refused_as_the_spec_says,
);

async fn undeclared_methods_are_405_with_allow(app: TestApp) {
    let team = app.team("East", None).await;
    for (method, path, allow) in [
        (Method::PUT, "/api/v1/leads".to_owned(), "GET, POST"),
        (
            Method::DELETE,
            format!("/api/v1/teams/{team}"),
            "GET, PATCH",
        ),
        (Method::POST, "/api/v1/leads/duplicates".to_owned(), "GET"),
        // A literal path wins over `/leads/{id}`, whose PATCH would otherwise take it.
        (Method::PATCH, "/api/v1/leads/export.csv".to_owned(), "GET"),
        (Method::PATCH, "/api/v1/leads/import".to_owned(), "POST"),
        (Method::POST, "/health/live".to_owned(), "GET"),
        (Method::GET, "/api/v1/auth/login".to_owned(), "POST"),
    ] {
        let response = app
            .client
            .request(method.clone(), app.url(&path))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        assert_problem(response, 405, "method_not_allowed").await;
    }
    // An unknown path stays 404, whatever the method.
    for method in [Method::GET, Method::DELETE] {
        let response = app
            .client
            .request(method, app.url("/api/v1/nowhere"))
            .send()
            .await
            .unwrap();
        assert!(response.headers().get("allow").is_none());
        assert_problem(response, 404, "not_found").await;
    }
    // The team is untouched.
    let read = app.get(&format!("/teams/{team}"), &app.admin_token).await;
    assert_eq!(read.status(), StatusCode::OK);
}

async fn an_empty_if_match_is_refused_by_name(app: TestApp) {
    let team = app.team("East", None).await;
    for empty in ["", "  "] {
        let refused = app
            .request(
                Method::PATCH,
                &format!("/teams/{team}"),
                Some(&app.admin_token),
            )
            .header("If-Match", empty)
            .json(&json!({"name": "Renamed"}))
            .send()
            .await
            .unwrap();
        let problem = assert_problem(refused, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "If-Match", "{problem}");
    }
    let now = body(app.get(&format!("/teams/{team}"), &app.admin_token).await).await;
    assert_eq!(
        (now["name"].as_str(), now["version"].as_i64()),
        (Some("East"), Some(1))
    );
}

async fn a_bad_body_is_422_even_with_a_stale_if_match(app: TestApp) {
    let lead = body(
        app.post(
            "/leads",
            &app.admin_token,
            json!({"company_name": "义乌市星辰饰品厂", "phone": "13800138000"}),
        )
        .await,
    )
    .await;
    let path = format!("/leads/{}", lead["id"].as_str().unwrap());
    let send = |body_json: serde_json::Value| {
        app.request(Method::PATCH, &path, Some(&app.admin_token))
            .header("If-Match", "\"7\"")
            .json(&body_json)
            .send()
    };
    let problem = assert_problem(
        send(json!({"phone": "not a phone"})).await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "phone", "{problem}");

    let account = body(
        app.post(
            "/seller-accounts",
            &app.admin_token,
            json!({
                "company_name": "义乌市金鹰玩具厂", "membership_tier": "gold",
                "contract_start": "2026-11-01", "contract_months": 12,
                "contract_value": {"amount": 1980000, "currency": "CNY"}
            }),
        )
        .await,
    )
    .await;
    let account_path = format!("/seller-accounts/{}", account["id"].as_str().unwrap());
    let refused = app
        .request(Method::PATCH, &account_path, Some(&app.admin_token))
        .header("If-Match", "\"7\"")
        .json(&json!({"status": "churned"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(refused, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "churn_reason", "{problem}");

    // A valid change with the stale version is what 412 is for; nothing changed.
    assert_problem(
        send(json!({"notes": "回访"})).await.unwrap(),
        412,
        "precondition_failed",
    )
    .await;
    let now = body(app.get(&path, &app.admin_token).await).await;
    assert_eq!(now["version"], lead["version"]);
    assert_eq!(now["notes"], serde_json::Value::Null);
}

async fn patch_refuses_the_fields_only_a_create_takes(app: TestApp) {
    let lead = body(
        app.post(
            "/leads",
            &app.admin_token,
            json!({"company_name": "义乌市星辰饰品厂"}),
        )
        .await,
    )
    .await;
    let path = format!("/leads/{}", lead["id"].as_str().unwrap());
    let problem = assert_problem(
        app.patch(
            &path,
            &app.admin_token,
            json!({"id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "id", "{problem}");

    // And a create refuses what only an update takes.
    for field in ["team_id", "lost_reason"] {
        let mut input = json!({"company_name": "义乌市金鹰玩具厂"});
        input[field] = json!("0193a1b2-0000-7000-8000-000000000001");
        let problem = assert_problem(
            app.post("/leads", &app.admin_token, input).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }

    let account = body(
        app.post(
            "/seller-accounts",
            &app.admin_token,
            json!({
                "company_name": "义乌市金鹰玩具厂", "membership_tier": "gold",
                "contract_start": "2026-11-01", "contract_months": 12,
                "contract_value": {"amount": 1980000, "currency": "CNY"}
            }),
        )
        .await,
    )
    .await;
    let account_path = format!("/seller-accounts/{}", account["id"].as_str().unwrap());
    for (field, value) in [
        ("contract_months", json!(24)),
        ("contract_start", json!("2026-12-01")),
        ("contract_value", json!({"amount": 1, "currency": "CNY"})),
    ] {
        let problem = assert_problem(
            app.patch(&account_path, &app.admin_token, json!({ field: value }))
                .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let now = body(app.get(&account_path, &app.admin_token).await).await;
    assert_eq!(now["version"], account["version"]);
    assert_eq!(now["contract_end"], account["contract_end"]);
}

async fn logout_takes_a_null_body(app: TestApp) {
    let response = app
        .request(Method::POST, "/auth/logout", Some(&app.admin_token))
        .header("content-type", "application/json")
        .body("null")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    // Signed out everywhere: the token no longer works.
    assert_eq!(
        app.get("/me", &app.admin_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn assigning_an_archived_lead_is_409_as_documented(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let lead = body(
        app.post(
            "/leads",
            &app.admin_token,
            json!({"company_name": "义乌市星辰饰品厂", "owner_id": rep.id}),
        )
        .await,
    )
    .await;
    let path = format!("/leads/{}", lead["id"].as_str().unwrap());

    // A bad owner is 422 even with a stale If-Match.
    let refused = app
        .request(
            Method::POST,
            &format!("{path}/assign"),
            Some(&app.admin_token),
        )
        .header("If-Match", "\"9\"")
        .json(&json!({"owner_id": "0193a1b2-0000-7000-8000-0000000000ff"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(refused, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "owner_id", "{problem}");

    let archived = app
        .request(Method::DELETE, &path, Some(&app.admin_token))
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.post(
            &format!("{path}/assign"),
            &app.admin_token,
            json!({"owner_id": rep.id}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    let spec: serde_json::Value =
        serde_json::from_str(&ironfield_api::openapi::spec_json()).unwrap();
    assert!(spec["paths"]["/api/v1/leads/{id}/assign"]["post"]["responses"]["409"].is_object());
}

/// The spec says integer fields take JSON integers only; `12.0` is refused, and nothing stored.
async fn whole_number_floats_are_refused_as_the_spec_says(app: TestApp) {
    let problem = assert_problem(
        app.post(
            "/seller-accounts",
            &app.admin_token,
            json!({
                "company_name": "义乌市金鹰玩具厂", "membership_tier": "gold",
                "contract_start": "2026-11-01", "contract_months": 12.0,
                "contract_value": {"amount": 1980000, "currency": "CNY"}
            }),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        problem["errors"][0]["field"], "contract_months",
        "{problem}"
    );
    assert_eq!(app.count_seller_accounts(), 0);
    let spec: serde_json::Value =
        serde_json::from_str(&ironfield_api::openapi::spec_json()).unwrap();
    assert!(spec["info"]["description"]
        .as_str()
        .unwrap()
        .contains("`12.0` is refused"));
}
