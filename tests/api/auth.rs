use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp, ADMIN_EMAIL, JWT_SECRET, PASSWORD};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ironfield_auth::{PrincipalKind, TokenKeys};
use reqwest::{Method, StatusCode};
use serde_json::json;

backend_tests!(
    login_succeeds_and_fails_alike_for_wrong_password_and_unknown_email,
    refresh_rotates_and_reuse_revokes_the_chain,
    deactivated_user_is_locked_out_with_old_tokens,
    forged_expired_and_unsigned_tokens_are_refused,
    failed_logins_are_rate_limited,
    logout_everywhere_kills_access_tokens,
    service_accounts_get_scoped_tokens,
);

async fn login_succeeds_and_fails_alike_for_wrong_password_and_unknown_email(app: TestApp) {
    let ok = app.login_response(ADMIN_EMAIL, PASSWORD).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let tokens = body(ok).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert!(tokens["refresh_token"].as_str().unwrap().starts_with("rt_"));

    // Case does not matter in the e-mail.
    let upper = app
        .login_response(&ADMIN_EMAIL.to_uppercase(), PASSWORD)
        .await;
    assert_eq!(upper.status(), StatusCode::OK);

    let wrong = assert_problem(
        app.login_response(ADMIN_EMAIL, "not the password").await,
        401,
        "unauthorized",
    )
    .await;
    let unknown = assert_problem(
        app.login_response("nobody@test.ironfield.dev", PASSWORD)
            .await,
        401,
        "unauthorized",
    )
    .await;
    assert_eq!(
        wrong["detail"], unknown["detail"],
        "no hint which part was wrong"
    );

    let me = body(
        app.get("/me", tokens["access_token"].as_str().unwrap())
            .await,
    )
    .await;
    assert_eq!(me["email"], ADMIN_EMAIL);
    assert_eq!(me["role"], "admin");
    assert!(me.get("password_hash").is_none());
}

async fn refresh_rotates_and_reuse_revokes_the_chain(app: TestApp) {
    let first = body(app.login_response(ADMIN_EMAIL, PASSWORD).await).await;
    let refresh = |token: String| {
        app.request(Method::POST, "/auth/refresh", None)
            .json(&json!({"refresh_token": token}))
            .send()
    };
    let first_refresh = first["refresh_token"].as_str().unwrap().to_owned();
    let second = refresh(first_refresh.clone()).await.unwrap();
    assert_eq!(second.status(), StatusCode::OK);
    let second = body(second).await;
    let second_refresh = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, first_refresh, "rotated");
    assert_eq!(
        app.get("/me", second["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );

    // The spent token again: refused, and the whole chain dies with it.
    assert_problem(refresh(first_refresh).await.unwrap(), 401, "unauthorized").await;
    assert_problem(refresh(second_refresh).await.unwrap(), 401, "unauthorized").await;

    // Another sign-in's chain is unaffected.
    let other = body(app.login_response(ADMIN_EMAIL, PASSWORD).await).await;
    let other_refresh = other["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(
        refresh(other_refresh).await.unwrap().status(),
        StatusCode::OK
    );
    assert_problem(
        refresh("rt_made_up".into()).await.unwrap(),
        401,
        "unauthorized",
    )
    .await;
}

async fn deactivated_user_is_locked_out_with_old_tokens(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let tokens = body(app.login_response(&rep.email, PASSWORD).await).await;
    assert_eq!(app.get("/me", &rep.token).await.status(), StatusCode::OK);

    let response = app
        .post(
            &format!("/users/{}/deactivate", rep.id),
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await["active"], false);

    assert_problem(app.get("/me", &rep.token).await, 401, "unauthorized").await;
    assert_problem(
        app.login_response(&rep.email, PASSWORD).await,
        401,
        "unauthorized",
    )
    .await;
    let refreshed = app
        .request(Method::POST, "/auth/refresh", None)
        .json(&json!({"refresh_token": tokens["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_problem(refreshed, 401, "unauthorized").await;
}

async fn forged_expired_and_unsigned_tokens_are_refused(app: TestApp) {
    let me = body(app.get("/me", &app.admin_token).await).await;
    let admin_id = me["id"].as_str().unwrap();

    // Expired an hour ago, properly signed.
    let keys = TokenKeys::new(JWT_SECRET, chrono::Duration::minutes(15));
    let expired = keys
        .issue(
            admin_id,
            PrincipalKind::User,
            Some(0),
            None,
            chrono::Utc::now() - chrono::Duration::hours(1),
        )
        .unwrap();
    assert_problem(app.get("/me", &expired).await, 401, "unauthorized").await;

    // Signed with another secret.
    let foreign = TokenKeys::new(
        b"some other secret, also 32 bytes long",
        chrono::Duration::minutes(15),
    )
    .issue(
        admin_id,
        PrincipalKind::User,
        Some(0),
        None,
        chrono::Utc::now(),
    )
    .unwrap();
    assert_problem(app.get("/me", &foreign).await, 401, "unauthorized").await;

    // The admin's real token with its payload edited (role claims are not trusted anyway).
    let parts: Vec<&str> = app.admin_token.split('.').collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["sub"] = json!("00000000-0000-7000-8000-000000000000");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    );
    assert_problem(app.get("/me", &tampered).await, 401, "unauthorized").await;

    // `alg: none`, no signature.
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{none_header}.{}.", parts[1]);
    assert_problem(app.get("/me", &unsigned).await, 401, "unauthorized").await;

    // HS512 with the right secret is still not the pinned algorithm.
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET),
    )
    .unwrap();
    assert_problem(app.get("/me", &hs512).await, 401, "unauthorized").await;

    let garbage = app
        .request(Method::GET, "/me", None)
        .header("Authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_problem(garbage, 401, "unauthorized").await;
}

async fn failed_logins_are_rate_limited(app: TestApp) {
    // Successful logins spend nothing.
    for _ in 0..6 {
        app.login(ADMIN_EMAIL, PASSWORD).await;
    }
    for _ in 0..5 {
        assert_problem(
            app.login_response(ADMIN_EMAIL, "wrong password!").await,
            401,
            "unauthorized",
        )
        .await;
    }
    let limited = app.login_response(ADMIN_EMAIL, "wrong password!").await;
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    assert_problem(limited, 429, "rate_limited").await;
    // Even the right password waits: the account is being guessed at.
    assert_problem(
        app.login_response(ADMIN_EMAIL, PASSWORD).await,
        429,
        "rate_limited",
    )
    .await;
}

async fn logout_everywhere_kills_access_tokens(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let session = body(app.login_response(&rep.email, PASSWORD).await).await;

    // Ending one session revokes its refresh token only.
    let response = app
        .post(
            "/auth/logout",
            &rep.token,
            json!({"refresh_token": session["refresh_token"]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let refreshed = app
        .request(Method::POST, "/auth/refresh", None)
        .json(&json!({"refresh_token": session["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_problem(refreshed, 401, "unauthorized").await;
    assert_eq!(app.get("/me", &rep.token).await.status(), StatusCode::OK);

    // No body: every session ends, access tokens included.
    let response = app
        .request(Method::POST, "/auth/logout", Some(&rep.token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get("/me", &rep.token).await, 401, "unauthorized").await;
    assert_problem(
        app.get("/me", session["access_token"].as_str().unwrap())
            .await,
        401,
        "unauthorized",
    )
    .await;
    // Signing in again works.
    let fresh = app.login(&rep.email, PASSWORD).await;
    assert_eq!(app.get("/me", &fresh).await.status(), StatusCode::OK);
}

async fn service_accounts_get_scoped_tokens(app: TestApp) {
    let created = app
        .post(
            "/service-accounts",
            &app.admin_token,
            json!({"name": "warehouse-sync", "scopes": ["leads:read", "visits:read"]}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let account = body(created).await;
    let client_id = account["client_id"].as_str().unwrap().to_owned();
    let secret = account["client_secret"].as_str().unwrap().to_owned();

    // Listed without the secret.
    let listed = body(app.get("/service-accounts", &app.admin_token).await).await;
    assert_eq!(listed["items"][0]["client_id"], client_id.as_str());
    assert!(listed["items"][0].get("client_secret").is_none());

    // Form-encoded, as OAuth2 clients send it.
    let form = app
        .request(Method::POST, "/auth/token", None)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("grant_type=client_credentials&client_id={client_id}&client_secret={secret}&scope=leads:read"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let token = body(form).await;
    assert_eq!(token["scope"], "leads:read");
    let service_token = token["access_token"].as_str().unwrap().to_owned();

    // JSON works too; asking beyond the account's scopes does not.
    let json_token = app
        .request(Method::POST, "/auth/token", None)
        .json(&json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(body(json_token).await["scope"], "leads:read visits:read");
    let too_much = app
        .request(Method::POST, "/auth/token", None)
        .json(&json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "scope": "leads:write"}))
        .send()
        .await
        .unwrap();
    assert_problem(too_much, 422, "validation_failed").await;
    let wrong_secret = app
        .request(Method::POST, "/auth/token", None)
        .json(&json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": "cs_wrong"}))
        .send()
        .await
        .unwrap();
    assert_problem(wrong_secret, 401, "unauthorized").await;

    // A service account manages no users.
    assert_problem(app.get("/users", &service_token).await, 403, "forbidden").await;

    // Deleted: its token stops working.
    let id = account["id"].as_str().unwrap();
    let deleted = app
        .request(
            Method::DELETE,
            &format!("/service-accounts/{id}"),
            Some(&app.admin_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_problem(app.get("/users", &service_token).await, 401, "unauthorized").await;
}
