//! Walks every operation of the OpenAPI spec as each kind of caller and compares the status
//! with `authz_matrix/table.txt`. An operation added to the spec without a row there fails.

use crate::backend_tests;
use crate::helpers::{body, TestApp, TestUser, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

backend_tests!(every_operation_answers_each_caller_as_the_table_says);

const TABLE: &str = include_str!("authz_matrix/table.txt");
const CALLERS: [&str; 7] = ["admin", "o_mgr", "o_lead", "t_rep", "o_rep", "sa", "anon"];
/// Denied callers go first, so a write the table allows changes nothing they are asked.
const ORDER: [usize; 7] = [6, 5, 4, 2, 1, 3, 0];
const PERIOD: &str = "2026-11";

struct Row {
    method: Method,
    /// The path with its query, as requested.
    target: String,
    expected: [u16; 7],
    body: String,
}

impl Row {
    /// `METHOD /path/{template}`, as the spec names the operation.
    fn operation(&self) -> String {
        let path = self.target.split('?').next().unwrap_or_default();
        format!("{} {path}", self.method)
    }
}

fn table() -> Vec<Row> {
    let mut rows = Vec::new();
    for line in TABLE.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, '|');
        let (operation, statuses, body) = (
            parts.next().unwrap().trim(),
            parts.next().expect("statuses").trim(),
            parts.next().expect("body").trim(),
        );
        let (method, target) = operation.split_once(' ').expect("METHOD PATH");
        let expected: Vec<u16> = statuses
            .split_whitespace()
            .map(|s| s.parse().expect("a status"))
            .collect();
        rows.push(Row {
            method: method.parse().expect("a method"),
            target: target.trim().to_owned(),
            expected: expected.try_into().expect("one status per caller"),
            body: body.to_owned(),
        });
    }
    rows
}

/// Every `METHOD /path` the generated spec declares.
fn spec_operations() -> BTreeSet<String> {
    let spec: Value = serde_json::from_str(&ironfield_api::openapi::spec_json()).unwrap();
    let mut operations = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations
}

#[test]
fn the_table_covers_the_spec_exactly() {
    let listed: BTreeSet<String> = table().iter().map(Row::operation).collect();
    let spec = spec_operations();
    let missing: Vec<_> = spec.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&spec).collect();
    assert!(
        missing.is_empty(),
        "operations without a row in authz_matrix/table.txt: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for operations the spec does not have: {stale:?}"
    );
}

/// The people and the service account who call, and the team whose records they call on.
struct World {
    team: String,
    r0: TestUser,
    tokens: [Option<String>; 7],
    users: Vec<TestUser>,
    client_id: String,
    client_secret: String,
}

async fn world(app: &TestApp) -> World {
    let branch = app.team("Branch B", None).await;
    let team = app.team("Team T", Some(&branch)).await;
    let other_branch = app.team("Branch B2", None).await;
    let other_team = app.team("Team T2", Some(&other_branch)).await;
    let r0 = app.user("rep", Some(&team)).await;
    let t_rep = app.user("rep", Some(&team)).await;
    let o_mgr = app.user("manager", Some(&other_branch)).await;
    let o_lead = app.user("team_lead", Some(&other_team)).await;
    let o_rep = app.user("rep", Some(&other_team)).await;
    let created = body(
        app.post(
            "/service-accounts",
            &app.admin_token,
            json!({"name": "no scope", "scopes": ["webhooks:manage"]}),
        )
        .await,
    )
    .await;
    let client_id = created["client_id"].as_str().unwrap().to_owned();
    // The loopback address the webhook rows subscribe is refused unless the setting allows it.
    let settings = app
        .patch(
            "/settings",
            &app.admin_token,
            json!({"webhook_allow_private": true}),
        )
        .await;
    assert_eq!(settings.status(), 200);
    let client_secret = created["client_secret"].as_str().unwrap().to_owned();
    let sa_token = service_token(app, &client_id, &client_secret).await;
    World {
        team,
        tokens: [
            Some(app.admin_token.clone()),
            Some(o_mgr.token.clone()),
            Some(o_lead.token.clone()),
            Some(t_rep.token.clone()),
            Some(o_rep.token.clone()),
            Some(sa_token),
            None,
        ],
        users: vec![o_mgr, o_lead, t_rep, o_rep],
        r0,
        client_id,
        client_secret,
    }
}

async fn service_token(app: &TestApp, client_id: &str, client_secret: &str) -> String {
    let response = app
        .request(Method::POST, "/auth/token", None)
        .json(
            &json!({"grant_type": "client_credentials", "client_id": client_id,
                      "client_secret": client_secret}),
        )
        .send()
        .await
        .unwrap();
    body(response).await["access_token"]
        .as_str()
        .expect("a service token")
        .to_owned()
}

/// Fresh records of team T for one operation, so one operation's writes never decide
/// another's answer.
async fn records(app: &TestApp, world: &World, n: usize) -> BTreeMap<&'static str, String> {
    let r0 = &world.r0.token;
    let id = |v: Value| v["id"].as_str().expect("an id").to_owned();
    let lead = id(body(
        app.post(
            "/leads",
            r0,
            json!({"company_name": format!("Lead {n}"), "stage": "negotiating"}),
        )
        .await,
    )
    .await);
    let dup = id(body(
        app.post(
            "/leads",
            r0,
            json!({"company_name": format!("Lead {n} again")}),
        )
        .await,
    )
    .await);
    let account = id(body(
        app.post(
            "/seller-accounts",
            r0,
            json!({"company_name": format!("Account {n}"), "membership_tier": "gold",
                   "contract_start": "2026-11-01", "contract_months": 12,
                   "contract_value": {"amount": 1980000, "currency": "CNY"}}),
        )
        .await,
    )
    .await);
    let visit = id(body(
        app.post(
            "/visits",
            r0,
            json!({"lead_id": lead, "visited_at": "2026-11-20T10:00:00+08:00",
                   "purpose": "follow_up", "outcome": "interested"}),
        )
        .await,
    )
    .await);
    let meeting = id(body(
        app.post(
            "/meetings",
            &app.admin_token,
            json!({"team_id": world.team, "date": date(n, 0)}),
        )
        .await,
    )
    .await);
    let user = app.user("rep", Some(&world.team)).await.id;
    let sa = id(body(
        app.post(
            "/service-accounts",
            &app.admin_token,
            json!({"name": format!("to delete {n}"), "scopes": ["leads:read"]}),
        )
        .await,
    )
    .await);
    let refresh = body(app.login_response(&world.r0.email, PASSWORD).await).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    BTreeMap::from([
        ("lead", lead),
        ("dup", dup),
        ("account", account),
        ("visit", visit),
        ("meeting", meeting),
        ("user", user),
        ("sa", sa),
        ("refresh", refresh),
    ])
}

/// A subscription an admin made (made only for the rows that name one: the count is capped).
async fn admin_webhook(app: &TestApp) -> String {
    let created = body(
        app.post(
            "/webhooks",
            &app.admin_token,
            json!({"url": "https://127.0.0.1:9/matrix"}),
        )
        .await,
    )
    .await;
    created["id"].as_str().expect("a webhook id").to_owned()
}

/// A distinct day for each (operation, call), so meetings never collide.
fn date(n: usize, call: usize) -> String {
    let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        + chrono::Days::new((n * 8 + call) as u64);
    day.to_string()
}

/// The path with its ids: `{id}` is the record the segment before it names.
fn resolve_path(target: &str, records: &BTreeMap<&str, String>, world: &World) -> String {
    let mut out = Vec::new();
    let mut previous = "";
    for segment in target.split('/') {
        let resolved = match segment {
            "{id}" => match previous {
                "leads" => records["lead"].clone(),
                "seller-accounts" => records["account"].clone(),
                "visits" => records["visit"].clone(),
                "meetings" => records["meeting"].clone(),
                "teams" => world.team.clone(),
                "users" => records["user"].clone(),
                "service-accounts" => records["sa"].clone(),
                "webhooks" => records["webhook"].clone(),
                other => panic!("no record for `{other}/{{id}}`"),
            },
            "{user_id}" => world.r0.id.clone(),
            _ => segment.replace("{period}", PERIOD),
        };
        out.push(resolved);
        previous = segment;
    }
    out.join("/")
}

fn fill(
    text: &str,
    records: &BTreeMap<&str, String>,
    world: &World,
    n: usize,
    call: usize,
) -> String {
    let mut text = text
        .replace("{r0_email}", &world.r0.email)
        .replace("{r0}", &world.r0.id)
        .replace("{team}", &world.team)
        .replace("{client_id}", &world.client_id)
        .replace("{client_secret}", &world.client_secret)
        .replace("{unique}", &uuid::Uuid::new_v4().simple().to_string())
        .replace("{date}", &date(n, call + 1))
        .replace("{period}", PERIOD);
    for (name, value) in records {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

async fn every_operation_answers_each_caller_as_the_table_says(mut app: TestApp) {
    let mut world = world(&app).await;
    let mut mismatches = Vec::new();
    for (n, row) in table().iter().enumerate() {
        let mut records = records(&app, &world, n).await;
        if row.target.contains("/webhooks/{id}") {
            records.insert("webhook", admin_webhook(&app).await);
        }
        let path = resolve_path(&row.target, &records, &world);
        for (call, &caller) in ORDER.iter().enumerate() {
            // A refresh token is spent by its first use: each caller gets its own.
            let records = if row.body.contains("{refresh}") && call > 0 {
                let mut fresh = records.clone();
                let login = body(app.login_response(&world.r0.email, PASSWORD).await).await;
                fresh.insert(
                    "refresh",
                    login["refresh_token"].as_str().unwrap().to_owned(),
                );
                fresh
            } else {
                records.clone()
            };
            let url = app.url(&path);
            let mut request = app.client.request(row.method.clone(), url);
            if let Some(token) = &world.tokens[caller] {
                request = request.bearer_auth(token);
            }
            let filled = fill(&row.body, &records, &world, n, call);
            request = match filled.strip_prefix("csv:") {
                Some(csv) => request
                    .header("content-type", "text/csv")
                    .body(csv.replace("\\n", "\n")),
                None if filled.is_empty() => request,
                None => request
                    .header("content-type", "application/json")
                    .body(filled),
            };
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            if status != row.expected[caller] {
                let text = response.text().await.unwrap_or_default();
                mismatches.push(format!(
                    "{} as {}: expected {}, got {status}: {}",
                    row.operation(),
                    CALLERS[caller],
                    row.expected[caller],
                    text.chars().take(200).collect::<String>()
                ));
            }
        }
        if row.operation() == "POST /api/v1/auth/logout" {
            sign_in_again(&mut app, &mut world).await;
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} answers differ from authz_matrix/table.txt:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Signing out ended every session of the callers: new tokens for the rest of the walk.
async fn sign_in_again(app: &mut TestApp, world: &mut World) {
    app.admin_token = app.login(crate::helpers::ADMIN_EMAIL, PASSWORD).await;
    world.tokens[0] = Some(app.admin_token.clone());
    for (slot, user) in [1, 2, 3, 4].into_iter().zip(&world.users) {
        world.tokens[slot] = Some(app.login(&user.email, PASSWORD).await);
    }
}
