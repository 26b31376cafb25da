use crate::backend_tests;
use crate::helpers::{body, TestApp};

backend_tests!(served_spec_is_the_generated_one);

/// The committed `openapi/openapi.json` must be what the handlers generate. When it fails:
/// `cargo run -q -- openapi > openapi/openapi.json` and commit the result.
#[test]
fn committed_spec_is_current() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json is committed");
    let generated = ironfield_api::openapi::spec_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `cargo run -q -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_is_documented() {
    let spec: serde_json::Value =
        serde_json::from_str(&ironfield_api::openapi::spec_json()).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "{} paths", paths.len());
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{at}: summary"
            );
            assert!(
                operation["description"]
                    .as_str()
                    .is_some_and(|s| !s.is_empty()),
                "{at}: description"
            );
            let protected = path.starts_with("/api/v1/") && !path.starts_with("/api/v1/auth/")
                || path == "/api/v1/auth/logout";
            if protected {
                assert!(
                    operation["security"].is_array(),
                    "{at}: security requirement"
                );
                assert!(
                    operation["responses"]["401"].is_object(),
                    "{at}: 401 documented"
                );
                assert!(
                    operation["responses"]["503"].is_object(),
                    "{at}: 503 documented"
                );
            }
        }
    }
}

async fn served_spec_is_the_generated_one(app: TestApp) {
    let served = body(
        app.client
            .get(app.url("/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let generated: serde_json::Value =
        serde_json::from_str(&ironfield_api::openapi::spec_json()).unwrap();
    assert_eq!(served, generated);
}

/// What generators and linters need, checked here so it cannot regress between CI's lint runs:
/// every response described, public operations with `security: []`, every creating POST
/// naming `IdempotencyKeyReused`, every path id a UUID, every page size bounded.
#[test]
fn the_spec_says_what_the_server_enforces() {
    let spec: serde_json::Value =
        serde_json::from_str(&ironfield_api::openapi::spec_json()).unwrap();
    let public = [
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/token",
        "/health/live",
        "/health/ready",
        "/metrics",
    ];
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            for (status, response) in operation["responses"].as_object().unwrap() {
                assert!(
                    response["description"].is_string() || response["$ref"].is_string(),
                    "{at} {status}: description"
                );
            }
            if public.contains(&path.as_str()) {
                assert_eq!(operation["security"], serde_json::json!([]), "{at}");
            }
            let params = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let named = |name: &str| params.iter().find(|p| p["name"] == name).cloned();
            if named("Idempotency-Key").is_some() {
                assert_eq!(
                    operation["responses"]["422"]["$ref"],
                    "#/components/responses/IdempotencyKeyReused",
                    "{at}"
                );
            }
            for param in params.iter().filter(|p| p["in"] == "path") {
                let name = param["name"].as_str().unwrap();
                let schema = &param["schema"];
                if name == "period" {
                    assert!(schema["pattern"].is_string(), "{at} {name}");
                } else {
                    assert_eq!(schema["format"], "uuid", "{at} {name}");
                }
            }
            if let Some(limit) = named("limit") {
                assert_eq!(
                    (&limit["schema"]["minimum"], &limit["schema"]["maximum"]),
                    (&serde_json::json!(1), &serde_json::json!(200)),
                    "{at}"
                );
            }
        }
    }
    let reused = &spec["components"]["responses"]["IdempotencyKeyReused"];
    assert!(reused.is_object(), "the component is kept");
}
