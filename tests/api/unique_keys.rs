//! A unique key that refuses a write is named exactly, by its table and columns, on both
//! backends, so mapping a refusal to an answer (`duplicate`, `conflict`) never matches
//! another key of the same table by accident.

use crate::backend_tests;
use crate::helpers::{body, TestApp};
use diesel::RunQueryDsl;
use ironfield_persistence::DbError;
use reqwest::StatusCode;
use serde_json::{json, Value};

backend_tests!(each_refusing_key_is_named_by_its_table_and_columns);

/// What the database answers to `sql`, which a unique key must refuse.
fn refusal(app: &TestApp, sql: &str) -> DbError {
    let mut conn = app.db.conn().expect("a connection");
    let error = diesel::sql_query(sql)
        .execute(&mut *conn)
        .expect_err("a unique key refuses it");
    DbError::from(error)
}

async fn lead(app: &TestApp, token: &str, fields: Value) -> Value {
    let response = app.post("/leads", token, fields).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    body(response).await
}

async fn each_refusing_key_is_named_by_its_table_and_columns(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let first = lead(
        &app,
        &rep.token,
        json!({"company_name": "星辰饰品", "phone": "138 0013 8000",
               "market": "国际商贸城一区", "stall_no": "A-1023"}),
    )
    .await;
    let second = lead(&app, &rep.token, json!({"company_name": "月亮饰品"})).await;
    let (first, second) = (
        first["id"].as_str().unwrap(),
        second["id"].as_str().unwrap(),
    );

    let phone = refusal(
        &app,
        &format!("UPDATE leads SET phone = '+8613800138000' WHERE id = '{second}'"),
    );
    assert!(phone.is_unique_on("leads", &["phone"]), "{phone}");
    assert!(!phone.is_unique_on("leads", &["id"]), "{phone}");
    assert!(!phone.is_unique_on("leads", &["wechat_id"]), "{phone}");
    assert!(
        !phone.is_unique_on("seller_accounts", &["phone"]),
        "{phone}"
    );

    let stall = refusal(
        &app,
        &format!(
            "UPDATE leads SET market = '国际商贸城一区', stall_no = 'A-1023' WHERE id = '{second}'"
        ),
    );
    assert!(
        stall.is_unique_on("leads", &["market", "stall_no"]),
        "{stall}"
    );
    assert!(!stall.is_unique_on("leads", &["market"]), "{stall}");

    let id = refusal(
        &app,
        &format!("UPDATE leads SET id = '{first}' WHERE id = '{second}'"),
    );
    assert!(id.is_unique_on("leads", &["id"]), "{id}");
    assert!(!id.is_unique_on("leads", &["phone"]), "{id}");

    let email = refusal(
        &app,
        &format!(
            "UPDATE users SET email = (SELECT email FROM users WHERE role = 'admin') \
             WHERE id = '{}'",
            rep.id
        ),
    );
    assert!(email.is_unique_on("users", &["email"]), "{email}");
    assert!(!email.is_unique_on("users", &["id"]), "{email}");
}
