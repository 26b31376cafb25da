//! CSV export and import of leads.

use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

backend_tests!(
    export_then_import_round_trips_chinese_text,
    bom_and_quoted_fields_are_read,
    one_bad_row_imports_nothing,
    duplicates_within_the_file_are_reported,
    dry_run_stores_nothing,
    export_respects_visibility,
    import_limits_and_headers,
);

const BOM: &str = "\u{feff}";

async fn import(app: &TestApp, token: &str, query: &str, csv: &str) -> reqwest::Response {
    app.request(Method::POST, &format!("/leads/import{query}"), Some(token))
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap()
}

async fn export(app: &TestApp, token: &str, query: &str) -> String {
    let response = app.get(&format!("/leads/export.csv{query}"), token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "starts with a BOM");
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The export as header + rows of cells (BOM removed).
fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.trim_start_matches(BOM).as_bytes());
    let headers = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (headers, rows)
}

fn write_csv(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(headers).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

async fn leads(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app.get("/leads?limit=200", token).await;
    assert_eq!(response.status(), StatusCode::OK);
    body(response).await["items"].as_array().unwrap().clone()
}

async fn export_then_import_round_trips_chinese_text(app: TestApp) {
    let admin = app.admin_token.clone();
    let originals = [
        json!({"company_name": "义乌市星辰饰品厂", "contact_name": "陈海燕", "phone": "138 0013 8000",
               "wechat_id": "chenhy-yiwu", "market": "国际商贸城一区", "district": "1",
               "stall_no": "a-1023", "location": {"lat": 29.3321, "lng": 120.1078},
               "product_categories": ["饰品", "发饰"], "source": "walk_in", "stage": "visited",
               "estimated_value": {"amount": 1980000, "currency": "CNY"},
               "notes": "老板说\"下周再来\", 先看样品\n第二行",
               "next_follow_up_at": "2026-12-01T09:00:00+08:00"}),
        json!({"company_name": "义乌市小熊玩具有限公司", "contact_name": "王小明",
               "phone": "+86 139 0000 1111", "market": "国际商贸城二区", "stall_no": "B-7"}),
        json!({"company_name": "浙江袜业, 有限公司"}),
    ];
    for lead in &originals {
        let response = app.post("/leads", &admin, lead.clone()).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{lead}");
    }
    let before = leads(&app, &admin).await;

    let text = export(&app, &admin, "").await;
    let (headers, rows) = read_csv(&text);
    assert_eq!(headers[0], "id");
    assert_eq!(headers.len(), 22);
    assert_eq!(rows.len(), 3);
    let visited = rows
        .iter()
        .find(|r| r[1] == "义乌市星辰饰品厂")
        .expect("the jewellery lead is exported");
    // Neutralised against formula evaluation, still readable; the import restores it.
    assert_eq!(visited[3], "'+8613800138000");
    assert_eq!(visited[12], "饰品|发饰");
    assert_eq!(visited[17], "1980000");
    assert_eq!(visited[18], "CNY");
    assert_eq!(visited[20], "2026-12-01T01:00:00Z");

    // Into a fresh server: without the ids and owners of the old one.
    let fresh = TestApp::spawn(app.backend).await.unwrap();
    let keep: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| *h != "id" && *h != "owner_id")
        .map(|(i, _)| i)
        .collect();
    let headers2: Vec<String> = keep.iter().map(|i| headers[*i].clone()).collect();
    let rows2: Vec<Vec<String>> = rows
        .iter()
        .map(|r| keep.iter().map(|i| r[*i].clone()).collect())
        .collect();
    let file = format!("{BOM}{}", write_csv(&headers2, &rows2));
    let response = import(&fresh, &fresh.admin_token, "", &file).await;
    assert_eq!(response.status(), StatusCode::OK);
    let report = body(response).await;
    assert_eq!(report["created"], 3, "{report}");
    assert_eq!(report["dry_run"], false);
    assert!(report["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "ok" && r["id"].is_string()));

    let after = leads(&fresh, &fresh.admin_token).await;
    assert_eq!(after.len(), 3);
    let fields = [
        "company_name",
        "contact_name",
        "phone",
        "wechat_id",
        "market",
        "district",
        "stall_no",
        "location",
        "product_categories",
        "source",
        "stage",
        "estimated_value",
        "notes",
        "next_follow_up_at",
    ];
    for old in &before {
        let new = after
            .iter()
            .find(|l| l["company_name"] == old["company_name"])
            .expect("imported");
        for field in fields {
            assert_eq!(new[field], old[field], "{field} of {}", old["company_name"]);
        }
    }

    // The same file with its ids into the first server: every id exists, so nothing is stored.
    let response = import(&app, &admin, "", &text).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert!(problem.to_string().contains("rows[1].id"), "{problem}");
    assert_eq!(leads(&app, &admin).await.len(), 3);
}

async fn bom_and_quoted_fields_are_read(app: TestApp) {
    let file = format!(
        "{BOM}company_name,contact_name,notes,product_categories\r\n\
         \"义乌市\"\"金鼎\"\"工艺品厂\",\"李, 四\",\"第一行\r\n第二行, 有逗号\",工艺品|摆件\r\n\
         普通袜业,张三,,\r\n"
    );
    let response = import(&app, &app.admin_token, "", &file).await;
    assert_eq!(response.status(), StatusCode::OK);
    let report = body(response).await;
    assert_eq!(report["created"], 2, "{report}");
    let id = report["results"][0]["id"].as_str().unwrap();
    let lead = body(app.get(&format!("/leads/{id}"), &app.admin_token).await).await;
    assert_eq!(lead["company_name"], "义乌市\"金鼎\"工艺品厂");
    assert_eq!(lead["contact_name"], "李, 四");
    // Line breaks inside a cell arrive as CRLF from Windows; they are stored as LF.
    assert_eq!(lead["notes"], "第一行\n第二行, 有逗号");
    assert_eq!(lead["product_categories"], json!(["工艺品", "摆件"]));

    // And the export quotes them again so the file reads back the same.
    let (_, rows) = read_csv(&export(&app, &app.admin_token, "").await);
    let row = rows.iter().find(|r| r[0] == id).unwrap();
    assert_eq!(row[1], "义乌市\"金鼎\"工艺品厂");
    assert_eq!(row[19], "第一行\n第二行, 有逗号");
}

async fn one_bad_row_imports_nothing(app: TestApp) {
    let file = "company_name,phone,lat,lng,stage\n\
                好运饰品,13800138001,,,new\n\
                坏号码玩具,12345,,,contacted\n\
                ,13800138003,29.3,,won\n";
    let response = import(&app, &app.admin_token, "", file).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"rows[2].phone"), "{problem}");
    assert!(fields.contains(&"rows[3].lng"), "{problem}");
    assert!(
        !fields.iter().any(|f| f.starts_with("rows[1]")),
        "{problem}"
    );
    assert!(leads(&app, &app.admin_token).await.is_empty());
}

async fn duplicates_within_the_file_are_reported(app: TestApp) {
    let file = "company_name,phone,market,stall_no\n\
                甲饰品,13800138001,一区,A-1\n\
                乙饰品,13800138001,一区,A-2\n\
                丙饰品,13800138002,一区,a-1\n";
    let response = import(&app, &app.admin_token, "", file).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["rows[2].phone", "rows[3].stall_no"], "{problem}");
    assert!(leads(&app, &app.admin_token).await.is_empty());
}

async fn dry_run_stores_nothing(app: TestApp) {
    let file = "company_name,phone\n星光饰品,13800138001\n月亮玩具,13800138002\n";
    let response = import(&app, &app.admin_token, "?dry_run=true", file).await;
    assert_eq!(response.status(), StatusCode::OK);
    let report = body(response).await;
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["created"], 2);
    assert_eq!(report["results"][1]["row"], 2);
    assert_eq!(report["results"][1]["status"], "ok");
    assert!(leads(&app, &app.admin_token).await.is_empty());

    // A dry run with a bad row says so the same way.
    let bad = "company_name,email\n星光饰品,not-an-email\n";
    let response = import(&app, &app.admin_token, "?dry_run=true", bad).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "rows[1].email");

    // The real import afterwards works: the dry run left nothing behind.
    let response = import(&app, &app.admin_token, "", file).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(leads(&app, &app.admin_token).await.len(), 2);
}

async fn export_respects_visibility(app: TestApp) {
    let east = app.team("东区", None).await;
    let west = app.team("西区", None).await;
    let rep_east = app.user("rep", Some(&east)).await;
    let rep_west = app.user("rep", Some(&west)).await;
    let response = app
        .post(
            "/leads",
            &rep_east.token,
            json!({"company_name": "东区饰品", "phone": "13800138001"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let file = "company_name,phone\n西区玩具,13800138002\n西区袜业,13800138003\n";
    let response = import(&app, &rep_west.token, "", file).await;
    assert_eq!(response.status(), StatusCode::OK);

    let (_, rows) = read_csv(&export(&app, &rep_east.token, "").await);
    let names: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names, ["东区饰品"]);
    let (_, rows) = read_csv(&export(&app, &rep_west.token, "").await);
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r[16] == west && r[15] == rep_west.id));
    // Filters apply as on the list.
    let (_, rows) = read_csv(&export(&app, &app.admin_token, "?q=袜业").await);
    assert_eq!(rows.len(), 1);
    let (headers, rows) = read_csv(&export(&app, &app.admin_token, "?stage=won").await);
    assert_eq!(headers.len(), 22);
    assert!(rows.is_empty());
    // Without a token: 401.
    let response = app
        .request(Method::GET, "/leads/export.csv", None)
        .send()
        .await
        .unwrap();
    assert_problem(response, 401, "unauthorized").await;
}

async fn import_limits_and_headers(app: TestApp) {
    let token = app.admin_token.clone();
    let response = import(&app, &token, "", "company_name,colour\n甲,红\n").await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert!(problem["detail"].as_str().unwrap().contains("colour"));

    let response = import(&app, &token, "", "contact_name\n张三\n").await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert!(problem["detail"].as_str().unwrap().contains("company_name"));

    let mut many = String::from("company_name\n");
    for i in 0..5001 {
        many.push_str(&format!("公司{i}\n"));
    }
    let response = import(&app, &token, "", &many).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert!(problem["detail"].as_str().unwrap().contains("5000"));

    let huge = format!("company_name,notes\n甲,{}\n", "x".repeat(1024 * 1024));
    let response = import(&app, &token, "", &huge).await;
    assert_problem(response, 413, "payload_too_large").await;

    let response = app
        .post("/leads/import", &token, json!({"company_name": "甲"}))
        .await;
    assert_problem(response, 422, "validation_failed").await;
    assert!(leads(&app, &token).await.is_empty());
}
