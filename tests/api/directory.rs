//! The server keeps users, teams and settings in memory between requests (the directory,
//! `crates/api/src/directory.rs`). These tests change them behind the API's back, in SQL,
//! after a request has read them, and expect the very next request to act on the change:
//! whoever writes (another server process, a command, an operator), nothing stale is served.

use crate::backend_tests;
use crate::helpers::{body, TestApp};
use serde_json::json;

backend_tests!(
    a_session_ended_in_sql_is_refused_on_the_next_request,
    a_team_moved_in_sql_moves_a_managers_view_on_the_next_request,
    a_time_zone_set_in_sql_dates_the_next_visit,
);

/// A lead of the rep's; its id.
async fn new_lead(app: &TestApp, token: &str) -> String {
    let lead = body(
        app.post(
            "/leads",
            token,
            json!({"company_name": "义乌市星辰饰品厂", "market": "一区", "stall_no": "A-1023"}),
        )
        .await,
    )
    .await;
    lead["id"].as_str().unwrap().to_owned()
}

async fn a_session_ended_in_sql_is_refused_on_the_next_request(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    assert_eq!(app.get("/leads", &rep.token).await.status(), 200);
    app.execute_sql(&format!(
        "UPDATE users SET session_epoch = session_epoch + 1 WHERE id = '{}'",
        rep.id
    ));
    assert_eq!(app.get("/leads", &rep.token).await.status(), 401);
}

async fn a_team_moved_in_sql_moves_a_managers_view_on_the_next_request(app: TestApp) {
    let branch = app.team("Branch", None).await;
    let east = app.team("East", Some(&branch)).await;
    let manager = app.user("manager", Some(&branch)).await;
    let rep = app.user("rep", Some(&east)).await;
    let path = format!("/leads/{}", new_lead(&app, &rep.token).await);
    assert_eq!(app.get(&path, &manager.token).await.status(), 200);
    app.execute_sql(&format!(
        "UPDATE teams SET parent_id = NULL WHERE id = '{east}'"
    ));
    assert_eq!(
        app.get(&path, &manager.token).await.status(),
        404,
        "East left the manager's branch"
    );
}

async fn a_time_zone_set_in_sql_dates_the_next_visit(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let lead = new_lead(&app, &rep.token).await;
    // 02:00 UTC: already the 10th in Shanghai, still the 9th in New York.
    let business_date_of_a_visit = || async {
        let visit = json!({"id": uuid::Uuid::new_v4().to_string(), "lead_id": lead,
            "visited_at": "2026-01-10T02:00:00Z", "purpose": "follow_up", "outcome": "interested"});
        body(app.post("/visits", &rep.token, visit).await).await["business_date"].clone()
    };
    assert_eq!(business_date_of_a_visit().await, "2026-01-10");
    app.execute_sql(
        "DELETE FROM settings WHERE key = 'timezone'; \
         INSERT INTO settings (key, value, updated_at) \
         VALUES ('timezone', 'America/New_York', CURRENT_TIMESTAMP);",
    );
    assert_eq!(business_date_of_a_visit().await, "2026-01-09");
}
