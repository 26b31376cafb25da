use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

backend_tests!(
    targets_are_set_from_above,
    progress_matches_hand_computed_pacing,
    the_leaderboard_ranks_by_actual,
    settings_are_validated,
    bad_settings_are_422_whatever_the_version,
);

async fn put(app: &TestApp, path: &str, token: &str, body_json: Value) -> reqwest::Response {
    app.request(Method::PUT, path, Some(token))
        .json(&body_json)
        .send()
        .await
        .unwrap()
}

async fn targets_are_set_from_above(app: TestApp) {
    let branch = app.team("Branch", None).await;
    let east = app.team("East", Some(&branch)).await;
    let manager = app.user("manager", Some(&branch)).await;
    let lead = app.user("team_lead", Some(&east)).await;
    let rep = app.user("rep", Some(&east)).await;
    let other_rep = app.user("rep", Some(&east)).await;
    let mine =
        json!([{"subject_type": "user", "subject_id": rep.id, "metric": "visits", "value": 260}]);
    assert_problem(
        put(&app, "/targets/2026-11", &rep.token, mine.clone()).await,
        403,
        "forbidden",
    )
    .await;
    let set = put(&app, "/targets/2026-11", &lead.token, mine.clone()).await;
    assert_eq!(set.status(), StatusCode::OK);
    assert_eq!(body(set).await[0]["value"], 260);
    // Setting it again replaces it.
    let again = body(put(&app, "/targets/2026-11", &lead.token, json!([{"subject_type": "user", "subject_id": rep.id, "metric": "visits", "value": 280}])).await).await;
    assert_eq!(again[0]["value"], 280);
    assert_eq!(again[0]["version"], 2);
    let team_target =
        json!([{"subject_type": "team", "subject_id": east, "metric": "new_sellers", "value": 12}]);
    assert_problem(
        put(&app, "/targets/2026-11", &lead.token, team_target.clone()).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(
        put(&app, "/targets/2026-11", &manager.token, team_target)
            .await
            .status(),
        StatusCode::OK
    );
    assert_problem(
        put(&app, "/targets/2026-13", &manager.token, mine.clone()).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(put(&app, "/targets/2026-11", &manager.token, json!([{"subject_type": "user", "subject_id": rep.id, "metric": "visits", "value": -1}])).await, 422, "validation_failed").await;
    // Everyone sees their own: a rep sees theirs and the team's, not a teammate's.
    put(&app, "/targets/2026-11", &lead.token, json!([{"subject_type": "user", "subject_id": other_rep.id, "metric": "visits", "value": 200}])).await;
    let seen = body(app.get("/targets?period=2026-11", &rep.token).await).await;
    let subjects: Vec<&str> = seen["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["subject_id"].as_str().unwrap())
        .collect();
    assert_eq!(subjects.len(), 2);
    assert!(subjects.contains(&rep.id.as_str()) && subjects.contains(&east.as_str()));
    assert_eq!(
        body(app.get("/targets?period=2026-11", &lead.token).await).await["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

async fn visit(app: &TestApp, token: &str, lead_id: &str, at: &str) {
    let v = json!({"id": uuid::Uuid::now_v7().to_string(), "lead_id": lead_id, "visited_at": at, "purpose": "follow_up", "outcome": "interested"});
    assert_eq!(
        app.post("/visits", token, v).await.status(),
        StatusCode::CREATED
    );
}

async fn progress_matches_hand_computed_pacing(app: TestApp) {
    // October 2026 with the National Day holidays (1–7 Oct) off, Monday to Saturday worked:
    // 21 working days. As of Thursday 15 October: 6 over (8, 9, 10, 12, 13, 14), 15 left.
    let holidays: Vec<String> = (1..=7).map(|d| format!("2026-10-{d:02}")).collect();
    let settings = app
        .patch("/settings", &app.admin_token, json!({"holidays": holidays}))
        .await;
    assert_eq!(settings.status(), StatusCode::OK);
    let team = app.team("East", None).await;
    let lead = app.user("team_lead", Some(&team)).await;
    let rep = app.user("rep", Some(&team)).await;
    let second = app.user("rep", Some(&team)).await;
    let l = body(
        app.post("/leads", &rep.token, json!({"company_name": "华美工艺品"}))
            .await,
    )
    .await;
    let lead_id = l["id"].as_str().unwrap();
    for at in [
        "2026-10-08T10:00:00+08:00",
        "2026-10-09T10:00:00+08:00",
        "2026-10-14T23:30:00+08:00",
    ] {
        visit(&app, &rep.token, lead_id, at).await;
    }
    // Not October in Shanghai: 30 September 23:59, and 1 November 00:10.
    visit(&app, &rep.token, lead_id, "2026-09-30T23:59:00+08:00").await;
    visit(&app, &rep.token, lead_id, "2026-10-31T16:10:00Z").await;
    let theirs = body(
        app.post("/leads", &second.token, json!({"company_name": "金鹰玩具"}))
            .await,
    )
    .await;
    visit(
        &app,
        &second.token,
        theirs["id"].as_str().unwrap(),
        "2026-10-12T09:00:00+08:00",
    )
    .await;
    put(
        &app,
        "/targets/2026-10",
        &app.admin_token,
        json!([
            {"subject_type": "user", "subject_id": rep.id, "metric": "visits", "value": 42},
            {"subject_type": "team", "subject_id": team, "metric": "visits", "value": 100},
            {"subject_type": "team", "subject_id": team, "metric": "renewals", "value": 0},
        ]),
    )
    .await;

    let report = body(
        app.get(
            &format!("/targets/2026-10/progress?team_id={team}&as_of=2026-10-15"),
            &lead.token,
        )
        .await,
    )
    .await;
    assert_eq!(
        report["working_days"],
        json!({"total": 21, "elapsed": 6, "left": 15})
    );
    let mine = report["reps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == rep.id.as_str())
        .unwrap()["metrics"]["visits"]
        .clone();
    // target 42, actual 3: expected 42×6/21 = 12; projected 3×21/6 = 10.5 → 11;
    // needed ⌈39/15⌉ = 3; attainment 7.1 %; 3/12 = 0.25 of the pace and short of the target: at risk.
    assert_eq!(
        mine,
        json!({"target": 42, "actual": 3, "attainment_pct": 7.1, "expected_to_date": 12,
        "projected": 11, "needed_per_working_day": 3, "status": "at_risk"})
    );
    let team_visits = report["teams"][0]["metrics"]["visits"].clone();
    // target 100, actual 4: expected 100×6/21 = 28.57 → 29; projected 4×21/6 = 14; needed ⌈96/15⌉ = 7.
    assert_eq!(team_visits["actual"], 4);
    assert_eq!(team_visits["expected_to_date"], 29);
    assert_eq!(team_visits["projected"], 14);
    assert_eq!(team_visits["needed_per_working_day"], 7);
    // A zero target is met; a metric with no target set is `no_target`, never `achieved`.
    assert_eq!(
        report["teams"][0]["metrics"]["renewals"]["status"],
        "achieved"
    );
    let unset = &report["teams"][0]["metrics"]["new_sellers"];
    assert_eq!(unset["status"], "no_target", "{unset}");
    assert_eq!(unset["needed_per_working_day"], Value::Null, "{unset}");

    // The month over: nothing left, the rep missed it.
    let closed = body(
        app.get(
            &format!("/targets/2026-10/progress?team_id={team}&as_of=2026-11-02"),
            &lead.token,
        )
        .await,
    )
    .await;
    assert_eq!(
        closed["working_days"],
        json!({"total": 21, "elapsed": 21, "left": 0})
    );
    let mine = closed["reps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user_id"] == rep.id.as_str())
        .unwrap()["metrics"]["visits"]
        .clone();
    assert_eq!(mine["needed_per_working_day"], Value::Null);
    assert_eq!(mine["status"], "behind");

    let west = app.team("West", None).await;
    assert_problem(
        app.get(
            &format!("/targets/2026-10/progress?team_id={west}"),
            &lead.token,
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

async fn the_leaderboard_ranks_by_actual(app: TestApp) {
    let team = app.team("East", None).await;
    let lead = app.user("team_lead", Some(&team)).await;
    let first = app.user("rep", Some(&team)).await;
    let second = app.user("rep", Some(&team)).await;
    let l = body(
        app.post("/leads", &first.token, json!({"company_name": "金鹰玩具"}))
            .await,
    )
    .await;
    let lead_id = l["id"].as_str().unwrap();
    for at in ["2026-10-08T10:00:00+08:00", "2026-10-09T10:00:00+08:00"] {
        visit(&app, &first.token, lead_id, at).await;
    }
    let theirs = body(
        app.post(
            "/leads",
            &second.token,
            json!({"company_name": "华美工艺品"}),
        )
        .await,
    )
    .await;
    visit(
        &app,
        &second.token,
        theirs["id"].as_str().unwrap(),
        "2026-10-10T10:00:00+08:00",
    )
    .await;
    let board = body(
        app.get(
            &format!("/leaderboard?period=2026-10&metric=visits&team_id={team}"),
            &lead.token,
        )
        .await,
    )
    .await;
    let ranking: Vec<(i64, &str, i64)> = board["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["rank"].as_i64().unwrap(),
                e["user_id"].as_str().unwrap(),
                e["actual"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ranking[0], (1, first.id.as_str(), 2));
    assert_eq!(ranking[1], (2, second.id.as_str(), 1));
    assert_eq!(ranking.len(), 2, "reps only: the team lead is not ranked");
    // No targets exist yet: nobody has achieved anything.
    for entry in board["items"].as_array().unwrap() {
        assert_eq!(entry["status"], "no_target", "{entry}");
        assert_eq!(entry["attainment_pct"], Value::Null, "{entry}");
    }

    // Asked for, team leads are ranked too; with no target and no visits, last and no_target.
    let with_leads = body(
        app.get(
            &format!(
                "/leaderboard?period=2026-10&metric=visits&team_id={team}&include_team_leads=true"
            ),
            &lead.token,
        )
        .await,
    )
    .await;
    let items = with_leads["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[2]["user_id"], lead.id.as_str());
    assert_eq!(
        (items[2]["actual"].as_i64(), items[2]["rank"].as_i64()),
        (Some(0), Some(3))
    );
    assert_eq!(items[2]["status"], "no_target");

    // Progress, too, says no_target where none is set.
    let report = body(
        app.get(
            &format!("/targets/2026-10/progress?team_id={team}&as_of=2026-10-15"),
            &lead.token,
        )
        .await,
    )
    .await;
    for rep in report["reps"].as_array().unwrap() {
        assert_eq!(rep["metrics"]["visits"]["status"], "no_target", "{rep}");
    }
    assert_eq!(
        report["teams"][0]["metrics"]["visits"]["status"],
        "no_target"
    );
    assert_problem(
        app.get("/leaderboard?period=2026-10&metric=smiles", &lead.token)
            .await,
        422,
        "validation_failed",
    )
    .await;
}

async fn settings_are_validated(app: TestApp) {
    let current = app.get("/settings", &app.admin_token).await;
    assert_eq!(current.headers()["etag"], "\"1\"");
    let current = body(current).await;
    assert_eq!(current["timezone"], "Asia/Shanghai");
    assert_eq!(
        current["working_days"],
        json!(["mon", "tue", "wed", "thu", "fri", "sat"])
    );
    for bad in [
        json!({"timezone": "Mars/Olympus"}),
        json!({"working_days": ["mon", "funday"]}),
        json!({"working_days": []}),
        json!({"default_currency": "XYZ"}),
        json!({"holidays": ["2026-02-30"]}),
    ] {
        assert_problem(
            app.patch("/settings", &app.admin_token, bad).await,
            422,
            "validation_failed",
        )
        .await;
    }
    let team = app.team("East", None).await;
    let manager = app.user("manager", Some(&team)).await;
    assert_problem(app.get("/settings", &manager.token).await, 403, "forbidden").await;
    let changed = body(
        app.patch(
            "/settings",
            &app.admin_token,
            json!({"timezone": "Europe/Madrid", "working_days": ["Monday", "tue"]}),
        )
        .await,
    )
    .await;
    assert_eq!(changed["timezone"], "Europe/Madrid");
    assert_eq!(changed["working_days"], json!(["mon", "tue"]));
    let stale = app
        .request(Method::PATCH, "/settings", Some(&app.admin_token))
        .header("If-Match", "\"1\"")
        .json(&json!({"default_currency": "EUR"}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, 412, "precondition_failed").await;
    // New records are dated in the new zone: 23:30 UTC on 31 October is still the 31st in Madrid.
    let rep = app.user("rep", Some(&team)).await;
    let l = body(
        app.post("/leads", &rep.token, json!({"company_name": "x"}))
            .await,
    )
    .await;
    let v = json!({"id": uuid::Uuid::now_v7().to_string(), "lead_id": l["id"], "visited_at": "2026-10-31T22:30:00Z", "purpose": "follow_up", "outcome": "interested"});
    assert_eq!(
        body(app.post("/visits", &rep.token, v).await).await["business_date"],
        "2026-10-31"
    );
}

async fn bad_settings_are_422_whatever_the_version(app: TestApp) {
    let before = body(app.get("/settings", &app.admin_token).await).await;
    let stale = before["version"].as_i64().unwrap() + 7;
    for (change, field) in [
        (json!({"timezone": "Mars/Olympus_Mons"}), "timezone"),
        (json!({"working_days": []}), "working_days"),
        (json!({"default_currency": "yuan"}), "default_currency"),
    ] {
        let refused = app
            .patch_if_match("/settings", &app.admin_token, stale, change)
            .await;
        let problem = assert_problem(refused, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    // A valid change with the stale version is what 412 is for.
    assert_problem(
        app.patch_if_match(
            "/settings",
            &app.admin_token,
            stale,
            json!({"timezone": "Europe/Berlin"}),
        )
        .await,
        412,
        "precondition_failed",
    )
    .await;
    assert_eq!(
        body(app.get("/settings", &app.admin_token).await).await,
        before
    );
}
