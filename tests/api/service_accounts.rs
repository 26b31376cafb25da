use crate::backend_tests;
use crate::helpers::{assert_problem, TestApp};
use serde_json::json;

backend_tests!(only_admins_manage_service_accounts, scopes_are_validated);

async fn only_admins_manage_service_accounts(app: TestApp) {
    let team = app.team("East", None).await;
    let manager = app.user("manager", Some(&team)).await;
    assert_problem(
        app.get("/service-accounts", &manager.token).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.post(
            "/service-accounts",
            &manager.token,
            json!({"name": "x", "scopes": ["leads:read"]}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
}

async fn scopes_are_validated(app: TestApp) {
    for scopes in [json!([]), json!(["leads:delete"])] {
        let problem = assert_problem(
            app.post(
                "/service-accounts",
                &app.admin_token,
                json!({"name": "x", "scopes": scopes}),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "scopes");
    }
}
