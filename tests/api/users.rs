use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

backend_tests!(
    reps_and_team_leads_create_no_users,
    managers_staff_their_branch_only,
    another_teams_member_is_not_found,
    users_change_their_own_profile_but_not_their_role,
    validation_lists_every_bad_field,
    emails_are_unique,
    user_lists_follow_visibility,
    a_bad_user_change_is_422_whatever_the_version,
    an_unreadable_stored_role_is_a_500_wherever_it_is_read,
);

fn new_user(role: &str, team: Option<&str>) -> serde_json::Value {
    json!({
        "email": format!("{}@test.ironfield.dev", uuid::Uuid::new_v4().simple()),
        "name": "新同事", "role": role, "team_id": team, "password": PASSWORD
    })
}

async fn reps_and_team_leads_create_no_users(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let lead = app.user("team_lead", Some(&team)).await;
    for caller in [&rep, &lead] {
        assert_problem(
            app.post("/users", &caller.token, new_user("rep", Some(&team)))
                .await,
            403,
            "forbidden",
        )
        .await;
    }
    let members = body(
        app.get(&format!("/teams/{team}/members"), &app.admin_token)
            .await,
    )
    .await;
    assert_eq!(
        members["items"].as_array().unwrap().len(),
        2,
        "nothing was created"
    );
}

async fn managers_staff_their_branch_only(app: TestApp) {
    let branch = app.team("Branch", None).await;
    let east = app.team("East", Some(&branch)).await;
    let west = app.team("West", None).await;
    let manager = app.user("manager", Some(&branch)).await;

    let created = app
        .post("/users", &manager.token, new_user("team_lead", Some(&east)))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert!(created.headers().get("location").is_some());
    assert_eq!(created.headers()["etag"], "\"1\"");

    assert_problem(
        app.post("/users", &manager.token, new_user("rep", Some(&west)))
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.post("/users", &manager.token, new_user("admin", Some(&east)))
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.post("/users", &manager.token, new_user("rep", None))
            .await,
        403,
        "forbidden",
    )
    .await;
}

async fn another_teams_member_is_not_found(app: TestApp) {
    let east = app.team("East", None).await;
    let west = app.team("West", None).await;
    let east_lead = app.user("team_lead", Some(&east)).await;
    let east_rep = app.user("rep", Some(&east)).await;
    let west_rep = app.user("rep", Some(&west)).await;

    assert_eq!(
        app.get(&format!("/users/{}", east_rep.id), &east_lead.token)
            .await
            .status(),
        StatusCode::OK
    );
    assert_problem(
        app.get(&format!("/users/{}", west_rep.id), &east_lead.token)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get(&format!("/teams/{west}"), &east_lead.token).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get(&format!("/teams/{west}/members"), &east_lead.token)
            .await,
        404,
        "not_found",
    )
    .await;
    // A malformed id names nothing either.
    assert_problem(
        app.get("/users/not-a-uuid", &east_lead.token).await,
        404,
        "not_found",
    )
    .await;
    // Writes to what one cannot see are 404 too, not 403.
    assert_problem(
        app.patch(
            &format!("/users/{}", west_rep.id),
            &east_lead.token,
            json!({"name": "x"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

async fn users_change_their_own_profile_but_not_their_role(app: TestApp) {
    let team = app.team("East", None).await;
    let other = app.team("West", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let lead = app.user("team_lead", Some(&team)).await;
    let path = format!("/users/{}", rep.id);

    let renamed = app
        .patch(
            &path,
            &rep.token,
            json!({"name": "王小明", "phone": "+86 138 0013 8000"}),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_eq!(renamed.headers()["etag"], "\"2\"");
    let renamed = body(renamed).await;
    assert_eq!(renamed["name"], "王小明");

    for change in [
        json!({"role": "team_lead"}),
        json!({"team_id": other}),
        json!({"role": "admin", "name": "sneaky"}),
    ] {
        assert_problem(app.patch(&path, &rep.token, change).await, 403, "forbidden").await;
    }
    // The team lead sees the rep but manages no users.
    assert_problem(
        app.patch(&path, &lead.token, json!({"name": "x"})).await,
        403,
        "forbidden",
    )
    .await;

    let after = body(app.get(&path, &app.admin_token).await).await;
    assert_eq!(after["role"], "rep");
    assert_eq!(
        after["name"], "王小明",
        "the refused writes changed nothing"
    );
    assert_eq!(after["version"], 2);

    // An admin may move and promote; null clears the phone.
    let promoted = app
        .patch(
            &path,
            &app.admin_token,
            json!({"role": "team_lead", "team_id": other, "phone": null}),
        )
        .await;
    assert_eq!(promoted.status(), StatusCode::OK);
    let promoted = body(promoted).await;
    assert_eq!(promoted["role"], "team_lead");
    assert_eq!(promoted["team_id"], other.as_str());
    assert!(promoted["phone"].is_null());

    // A new password ends the user's sessions.
    let unproven = app
        .patch(
            &path,
            &rep.token,
            json!({"password": "another long passphrase"}),
        )
        .await;
    assert_eq!(
        assert_problem(unproven, 422, "validation_failed").await["errors"][0]["field"],
        "current_password"
    );
    let wrong = app
        .patch(
            &path,
            &rep.token,
            json!({"password": "another long passphrase", "current_password": "not it at all"}),
        )
        .await;
    assert_problem(wrong, 422, "validation_failed").await;
    let changed = app
        .patch(
            &path,
            &rep.token,
            json!({"password": "another long passphrase", "current_password": PASSWORD}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_problem(app.get("/me", &rep.token).await, 401, "unauthorized").await;
    app.login(&rep.email, "another long passphrase").await;
}

async fn validation_lists_every_bad_field(app: TestApp) {
    let response = app
        .post(
            "/users",
            &app.admin_token,
            json!({"email": "not-an-email", "name": "  ", "role": "rep", "password": "short", "team_id": "x"}),
        )
        .await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let mut fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(fields, ["email", "name", "password", "team_id"]);

    let bad_role = app
        .post("/users", &app.admin_token, new_user("superuser", None))
        .await;
    let problem = assert_problem(bad_role, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "role");

    let missing_team = app
        .post(
            "/users",
            &app.admin_token,
            new_user("rep", Some("0193a1b2-0000-7000-8000-000000000999")),
        )
        .await;
    let problem = assert_problem(missing_team, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "team_id");
}

async fn emails_are_unique(app: TestApp) {
    let user = new_user("rep", None);
    assert_eq!(
        app.post("/users", &app.admin_token, user.clone())
            .await
            .status(),
        StatusCode::CREATED
    );
    let mut shouting = user.clone();
    shouting["email"] = json!(user["email"].as_str().unwrap().to_uppercase());
    assert_problem(
        app.post("/users", &app.admin_token, shouting).await,
        409,
        "conflict",
    )
    .await;
}

async fn user_lists_follow_visibility(app: TestApp) {
    let branch = app.team("Branch", None).await;
    let east = app.team("East", Some(&branch)).await;
    let west = app.team("West", None).await;
    let manager = app.user("manager", Some(&branch)).await;
    let east_lead = app.user("team_lead", Some(&east)).await;
    app.user("rep", Some(&east)).await;
    app.user("rep", Some(&west)).await;

    let ids = |page: serde_json::Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["team_id"].as_str().unwrap_or("-").to_owned())
            .collect()
    };
    let lead_sees = ids(body(app.get("/users", &east_lead.token).await).await);
    assert_eq!(lead_sees.len(), 2);
    assert!(lead_sees.iter().all(|t| *t == east));

    let manager_sees = ids(body(app.get("/users", &manager.token).await).await);
    assert_eq!(
        manager_sees.len(),
        3,
        "the manager, the lead and the east rep"
    );
    assert!(!manager_sees.contains(&west));

    let everyone = body(app.get("/users?limit=200", &app.admin_token).await).await;
    assert_eq!(everyone["items"].as_array().unwrap().len(), 5);
    let reps = body(
        app.get(&format!("/users?role=rep&team_id={west}"), &app.admin_token)
            .await,
    )
    .await;
    assert_eq!(reps["items"].as_array().unwrap().len(), 1);
}

async fn a_bad_user_change_is_422_whatever_the_version(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let path = format!("/users/{}", rep.id);
    let before = body(app.get(&path, &app.admin_token).await).await;
    let stale = before["version"].as_i64().unwrap() + 7;
    let no_team = uuid::Uuid::now_v7().to_string();
    for (change, field) in [
        (json!({"name": ""}), "name"),
        (json!({"email": "not an e-mail"}), "email"),
        (json!({"team_id": no_team}), "team_id"),
    ] {
        let refused = app
            .patch_if_match(&path, &app.admin_token, stale, change.clone())
            .await;
        let problem = assert_problem(refused, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{change}: {problem}");
    }
    // A valid change with the stale version is what 412 is for.
    assert_problem(
        app.patch_if_match(&path, &app.admin_token, stale, json!({"name": "王芳"}))
            .await,
        412,
        "precondition_failed",
    )
    .await;
    assert_eq!(body(app.get(&path, &app.admin_token).await).await, before);
}

/// A stored role that is not one of the four is corrupt data: every read that meets it fails
/// alike (500, logged), the user's own sign-in included, never a guessed role.
async fn an_unreadable_stored_role_is_a_500_wherever_it_is_read(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    // The column's CHECK keeps such text out; step around it to plant it.
    let plant = |role: &str| {
        let update = format!("UPDATE users SET role = '{role}' WHERE id = '{}';", rep.id);
        if app.is_postgres() {
            app.execute_sql(&format!(
                "ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check; {update}"
            ));
        } else {
            app.execute_sql(&format!(
                "PRAGMA ignore_check_constraints = ON; {update} \
                 PRAGMA ignore_check_constraints = OFF;"
            ));
        }
    };
    plant("superuser");
    for path in [
        format!("/users/{}", rep.id),
        "/users".to_owned(),
        format!("/teams/{team}/members"),
    ] {
        assert_problem(app.get(&path, &app.admin_token).await, 500, "internal").await;
    }
    assert_problem(app.get("/me", &rep.token).await, 500, "internal").await;

    plant("rep");
    let read = body(
        app.get(&format!("/users/{}", rep.id), &app.admin_token)
            .await,
    )
    .await;
    assert_eq!(read["role"], "rep");
    assert_eq!(app.get("/me", &rep.token).await.status(), StatusCode::OK);
}
