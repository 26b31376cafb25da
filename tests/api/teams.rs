use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp};
use reqwest::StatusCode;
use serde_json::json;

backend_tests!(
    managers_build_teams_inside_their_branch,
    a_team_cannot_move_under_itself,
    a_lead_must_be_a_member,
    a_bad_team_change_is_422_whatever_the_version,
);

async fn managers_build_teams_inside_their_branch(app: TestApp) {
    let branch = app.team("Yiwu Branch", None).await;
    let elsewhere = app.team("Elsewhere", None).await;
    let manager = app.user("manager", Some(&branch)).await;

    let created = app
        .post(
            "/teams",
            &manager.token,
            json!({"name": "District 1", "parent_id": branch, "market": "国际商贸城一区"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let district = body(created).await;
    assert_eq!(district["market"], "国际商贸城一区");

    assert_problem(
        app.post(
            "/teams",
            &manager.token,
            json!({"name": "Rogue", "parent_id": elsewhere}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.post("/teams", &manager.token, json!({"name": "Root"}))
            .await,
        403,
        "forbidden",
    )
    .await;

    let listed = body(app.get("/teams", &manager.token).await).await;
    let names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["District 1", "Yiwu Branch"],
        "newest first, branch only"
    );

    // A manager cannot move their own team out of (or around) their branch.
    assert_problem(
        app.patch(
            &format!("/teams/{branch}"),
            &manager.token,
            json!({"parent_id": elsewhere}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
}

async fn a_team_cannot_move_under_itself(app: TestApp) {
    let top = app.team("Top", None).await;
    let middle = app.team("Middle", Some(&top)).await;
    let bottom = app.team("Bottom", Some(&middle)).await;
    for parent in [&bottom, &top] {
        let problem = assert_problem(
            app.patch(
                &format!("/teams/{top}"),
                &app.admin_token,
                json!({"parent_id": parent}),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "parent_id");
    }
    let moved = app
        .patch(
            &format!("/teams/{bottom}"),
            &app.admin_token,
            json!({"parent_id": top}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    assert_eq!(body(moved).await["parent_id"], top.as_str());
}

async fn a_lead_must_be_a_member(app: TestApp) {
    let east = app.team("East", None).await;
    let west = app.team("West", None).await;
    let west_lead = app.user("team_lead", Some(&west)).await;
    let east_lead = app.user("team_lead", Some(&east)).await;
    let path = format!("/teams/{east}");
    let problem = assert_problem(
        app.patch(&path, &app.admin_token, json!({"lead_id": west_lead.id}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "lead_id");
    let ok = app
        .patch(&path, &app.admin_token, json!({"lead_id": east_lead.id}))
        .await;
    assert_eq!(body(ok).await["lead_id"], east_lead.id.as_str());
    // The lead runs the team but does not manage it.
    assert_problem(
        app.patch(&path, &east_lead.token, json!({"name": "Mine"}))
            .await,
        403,
        "forbidden",
    )
    .await;
}

async fn a_bad_team_change_is_422_whatever_the_version(app: TestApp) {
    let team = app.team("East", None).await;
    let outsider = app.user("rep", None).await;
    let path = format!("/teams/{team}");
    let before = body(app.get(&path, &app.admin_token).await).await;
    let stale = before["version"].as_i64().unwrap() + 7;
    let nowhere = uuid::Uuid::now_v7().to_string();
    for (change, field) in [
        (json!({"name": ""}), "name"),
        (json!({"parent_id": nowhere}), "parent_id"),
        (json!({"parent_id": team}), "parent_id"),
        (json!({"lead_id": outsider.id}), "lead_id"),
    ] {
        let refused = app
            .patch_if_match(&path, &app.admin_token, stale, change.clone())
            .await;
        let problem = assert_problem(refused, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{change}: {problem}");
    }
    // A valid change with the stale version is what 412 is for.
    assert_problem(
        app.patch_if_match(&path, &app.admin_token, stale, json!({"name": "West"}))
            .await,
        412,
        "precondition_failed",
    )
    .await;
    assert_eq!(body(app.get(&path, &app.admin_token).await).await, before);
}
