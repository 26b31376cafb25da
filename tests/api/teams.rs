use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp};
use reqwest::StatusCode;
use serde_json::json;

backend_tests!(
    managers_build_teams_inside_their_branch,
    a_team_cannot_move_under_itself,
    a_lead_must_be_a_member,
    a_bad_team_change_is_422_whatever_the_version,
    a_malformed_team_id_names_no_team,
    an_unreadable_stored_team_id_is_a_500_wherever_it_is_read,
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

/// A team id in a path that is not a UUID names nothing (404, as an unknown one); in a body
/// it is a 422 naming the field.
async fn a_malformed_team_id_names_no_team(app: TestApp) {
    for path in ["/teams/not-a-uuid", "/teams/not-a-uuid/members"] {
        assert_problem(app.get(path, &app.admin_token).await, 404, "not_found").await;
    }
    assert_problem(
        app.patch("/teams/not-a-uuid", &app.admin_token, json!({"name": "x"}))
            .await,
        404,
        "not_found",
    )
    .await;
    let team = app.team("East", None).await;
    for (path, sent, field, message) in [
        (
            "/teams".to_owned(),
            json!({"name": "x", "parent_id": "east"}),
            "parent_id",
            "must be a team id",
        ),
        (
            "/meetings".to_owned(),
            json!({"team_id": "east", "date": "2026-11-03"}),
            "team_id",
            "must be a team id",
        ),
        (
            format!("/teams/{team}"),
            json!({"parent_id": "east"}),
            "parent_id",
            "must be an id",
        ),
    ] {
        let response = if path == "/teams" || path == "/meetings" {
            app.post(&path, &app.admin_token, sent).await
        } else {
            app.patch(&path, &app.admin_token, sent).await
        };
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{path}: {problem}");
        assert_eq!(
            problem["errors"][0]["message"], message,
            "{path}: {problem}"
        );
    }
}

/// Every team id the server writes is canonical (lower-case, hyphenated), so any other stored
/// text is corrupt data: every read that meets it fails alike (500, logged), a manager's view
/// (the team tree) and the member's own sign-in included, never a guessed id.
async fn an_unreadable_stored_team_id_is_a_500_wherever_it_is_read(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let manager = app.user("manager", Some(&team)).await;
    let shouting = team.to_uppercase();
    // A copy of the team under its id in capitals, and the rep moved into it: the foreign
    // key holds, only the text is not canonical.
    app.execute_sql(&format!(
        "INSERT INTO teams (id, name, created_at, updated_at, version) \
         SELECT '{shouting}', 'East (copy)', created_at, updated_at, 1 FROM teams WHERE id = '{team}'; \
         UPDATE users SET team_id = '{shouting}' WHERE id = '{}';",
        rep.id
    ));
    for path in [
        "/teams".to_owned(),
        "/users".to_owned(),
        format!("/users/{}", rep.id),
    ] {
        assert_problem(app.get(&path, &app.admin_token).await, 500, "internal").await;
    }
    assert_problem(app.get("/me", &rep.token).await, 500, "internal").await;
    assert_problem(app.get("/leads", &manager.token).await, 500, "internal").await;

    app.execute_sql(&format!(
        "UPDATE users SET team_id = '{team}' WHERE id = '{}'; \
         DELETE FROM teams WHERE id = '{shouting}';",
        rep.id
    ));
    for (path, token) in [
        ("/teams", &app.admin_token),
        ("/me", &rep.token),
        ("/leads", &manager.token),
    ] {
        assert_eq!(
            app.get(path, token).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
}
