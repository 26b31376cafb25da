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
