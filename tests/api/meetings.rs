use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

backend_tests!(
    one_meeting_per_team_per_day,
    attendance_is_for_members_only,
    reps_write_their_own_plan_only,
    the_summary_counts_what_really_happened,
    a_bad_meeting_change_is_422_whatever_the_version,
    an_unreadable_stored_meeting_date_is_a_500_wherever_it_is_read,
);

struct Team {
    id: String,
    lead: TestUser,
    reps: Vec<TestUser>,
}

async fn team(app: &TestApp, reps: usize) -> Team {
    let id = app.team("East", None).await;
    let lead = app.user("team_lead", Some(&id)).await;
    let mut members = Vec::new();
    for _ in 0..reps {
        members.push(app.user("rep", Some(&id)).await);
    }
    Team {
        id,
        lead,
        reps: members,
    }
}

async fn meeting(app: &TestApp, team: &Team, date: &str) -> Value {
    let response = app
        .post(
            "/meetings",
            &team.lead.token,
            json!({"team_id": team.id, "date": date, "agenda": "月底冲刺"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    body(response).await
}

async fn put(app: &TestApp, path: &str, token: &str, body_json: Value) -> reqwest::Response {
    app.request(Method::PUT, path, Some(token))
        .json(&body_json)
        .send()
        .await
        .unwrap()
}

async fn one_meeting_per_team_per_day(app: TestApp) {
    let t = team(&app, 1).await;
    let m = meeting(&app, &t, "2026-11-03").await;
    assert_eq!(m["date"], "2026-11-03");
    assert_problem(
        app.post(
            "/meetings",
            &t.lead.token,
            json!({"team_id": t.id, "date": "2026-11-03"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    meeting(&app, &t, "2026-11-04").await;
    assert_problem(
        app.post(
            "/meetings",
            &t.reps[0].token,
            json!({"team_id": t.id, "date": "2026-11-05"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let listed = body(
        app.get("/meetings?from=2026-11-01&to=2026-11-30", &t.reps[0].token)
            .await,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    let west = app.team("West", None).await;
    let outsider = app.user("team_lead", Some(&west)).await;
    assert_problem(
        app.get(
            &format!("/meetings/{}", m["id"].as_str().unwrap()),
            &outsider.token,
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

async fn attendance_is_for_members_only(app: TestApp) {
    let t = team(&app, 2).await;
    let m = meeting(&app, &t, "2026-11-03").await;
    let path = format!("/meetings/{}/attendance", m["id"].as_str().unwrap());
    let west = app.team("West", None).await;
    let stranger = app.user("rep", Some(&west)).await;
    let problem = assert_problem(
        put(
            &app,
            &path,
            &t.lead.token,
            json!([
                {"user_id": t.reps[0].id, "status": "present"},
                {"user_id": stranger.id, "status": "late"},
            ]),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "[1].user_id");
    let ok = put(
        &app,
        &path,
        &t.lead.token,
        json!([
            {"user_id": t.reps[0].id, "status": "present"},
            {"user_id": t.reps[1].id, "status": "late", "note": "堵车"},
        ]),
    )
    .await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_problem(
        put(&app, &path, &t.reps[0].token, json!([])).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        put(
            &app,
            &path,
            &t.lead.token,
            json!([{"user_id": t.reps[0].id, "status": "asleep"}]),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
}

async fn reps_write_their_own_plan_only(app: TestApp) {
    let t = team(&app, 2).await;
    let m = meeting(&app, &t, "2026-11-03").await;
    let id = m["id"].as_str().unwrap();
    let plan = json!({"planned_visits": 12, "planned_signings": 1, "focus_market": "二区"});
    let mine = put(
        &app,
        &format!("/meetings/{id}/plans/{}", t.reps[0].id),
        &t.reps[0].token,
        plan.clone(),
    )
    .await;
    assert_eq!(mine.status(), StatusCode::OK);
    assert_eq!(body(mine).await["planned_visits"], 12);
    assert_problem(
        put(
            &app,
            &format!("/meetings/{id}/plans/{}", t.reps[1].id),
            &t.reps[0].token,
            plan.clone(),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let by_lead = put(
        &app,
        &format!("/meetings/{id}/plans/{}", t.reps[1].id),
        &t.lead.token,
        plan.clone(),
    )
    .await;
    assert_eq!(by_lead.status(), StatusCode::OK);
    let west = app.team("West", None).await;
    let stranger = app.user("rep", Some(&west)).await;
    assert_problem(
        put(
            &app,
            &format!("/meetings/{id}/plans/{}", stranger.id),
            &t.lead.token,
            plan.clone(),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        put(
            &app,
            &format!("/meetings/{id}/plans/{}", t.reps[0].id),
            &t.reps[0].token,
            json!({"planned_visits": -1, "planned_signings": 0}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    // The rep's day carries the plan.
    let day = body(app.get("/me/day?date=2026-11-03", &t.reps[0].token).await).await;
    assert_eq!(day["plan"]["planned_visits"], 12);
    assert_eq!(day["plan"]["focus_market"], "二区");
}

async fn the_summary_counts_what_really_happened(app: TestApp) {
    let t = team(&app, 2).await;
    let m = meeting(&app, &t, "2026-11-03").await;
    let id = m["id"].as_str().unwrap();
    put(&app, &format!("/meetings/{id}/attendance"), &t.lead.token, json!([
        {"user_id": t.reps[0].id, "status": "present"}, {"user_id": t.reps[1].id, "status": "absent"}]))
    .await;
    put(
        &app,
        &format!("/meetings/{id}/plans/{}", t.reps[0].id),
        &t.reps[0].token,
        json!({"planned_visits": 3, "planned_signings": 1}),
    )
    .await;
    let lead = body(
        app.post(
            "/leads",
            &t.reps[0].token,
            json!({"company_name": "华美工艺品", "stage": "negotiating"}),
        )
        .await,
    )
    .await;
    let lead_id = lead["id"].as_str().unwrap();
    // 00:30 Shanghai time on the 3rd is still the 3rd; 23:59 on the 2nd is not.
    for at in [
        "2026-11-03T00:30:00+08:00",
        "2026-11-03T15:00:00+08:00",
        "2026-11-02T23:59:00+08:00",
    ] {
        let v = json!({"id": uuid::Uuid::now_v7().to_string(), "lead_id": lead_id, "visited_at": at, "purpose": "follow_up", "outcome": "interested"});
        assert_eq!(
            app.post("/visits", &t.reps[0].token, v).await.status(),
            StatusCode::CREATED
        );
    }
    let summary = body(
        app.get(&format!("/meetings/{id}/summary"), &t.lead.token)
            .await,
    )
    .await;
    let me = summary["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == t.reps[0].id.as_str())
        .unwrap()
        .clone();
    assert_eq!(me["attendance"], "present");
    assert_eq!(me["actual"]["visits"], 2);
    assert_eq!(me["plan"]["planned_visits"], 3);
    assert_eq!(me["versus_plan"]["visits"], -1);
    assert_eq!(summary["totals"]["actual_visits"], 2);
    assert_eq!(summary["totals"]["present"], 1);
    assert_eq!(summary["totals"]["absent"], 1);
    assert_eq!(
        summary["members"].as_array().unwrap().len(),
        3,
        "the lead is a member too"
    );
}

async fn a_bad_meeting_change_is_422_whatever_the_version(app: TestApp) {
    let t = team(&app, 1).await;
    let m = meeting(&app, &t, "2026-11-03").await;
    let path = format!("/meetings/{}", m["id"].as_str().unwrap());
    let before = body(app.get(&path, &t.lead.token).await).await;
    let stale = before["version"].as_i64().unwrap() + 7;
    for (change, field) in [
        (json!({"agenda": "议".repeat(2001)}), "agenda"),
        (json!({"location": "区".repeat(201)}), "location"),
        (json!({"notes": "记".repeat(4001)}), "notes"),
    ] {
        let refused = app
            .patch_if_match(&path, &t.lead.token, stale, change)
            .await;
        let problem = assert_problem(refused, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    // A valid change with the stale version is what 412 is for.
    assert_problem(
        app.patch_if_match(&path, &t.lead.token, stale, json!({"agenda": "复盘"}))
            .await,
        412,
        "precondition_failed",
    )
    .await;
    assert_eq!(body(app.get(&path, &t.lead.token).await).await, before);
}

/// A stored day that is not `YYYY-MM-DD` is corrupt data: every read of the meeting fails
/// alike (500, logged), never a guessed day.
async fn an_unreadable_stored_meeting_date_is_a_500_wherever_it_is_read(app: TestApp) {
    let t = team(&app, 1).await;
    let m = meeting(&app, &t, "2026-11-03").await;
    let id = m["id"].as_str().unwrap();
    let plant = |date: &str| {
        app.execute_sql(&format!(
            "UPDATE meetings SET date = '{date}' WHERE id = '{id}';"
        ));
    };
    plant("2026-11-3");
    for path in [
        format!("/meetings/{id}"),
        format!("/meetings/{id}/summary"),
        "/meetings".to_owned(),
    ] {
        assert_problem(app.get(&path, &t.lead.token).await, 500, "internal").await;
    }

    plant("2026-11-03");
    let read = body(app.get(&format!("/meetings/{id}"), &t.lead.token).await).await;
    assert_eq!(read["date"], "2026-11-03");
}
