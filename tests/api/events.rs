//! Business events and the change feed (`GET /events`): what each write emits, what a refused
//! or replayed write does not, paging with the cursor, visibility, and the cursor over
//! concurrent writers.

use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;

backend_tests!(
    creating_a_lead_and_logging_a_visit_emit_events,
    a_service_account_is_the_actor_of_its_writes,
    refused_and_replayed_writes_emit_nothing,
    csv_import_and_visit_batches_emit_one_event_per_record,
    the_feed_pages_with_its_cursor,
    bad_feed_requests_are_refused,
    the_feed_shows_each_caller_what_it_may_see,
    the_cursor_holds_over_concurrent_writers,
    a_newer_open_transaction_hides_nothing_committed,
);

pub(crate) struct Fixture {
    pub team: String,
    pub rep: TestUser,
}

pub(crate) async fn fixture(app: &TestApp) -> Fixture {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    Fixture { team, rep }
}

pub(crate) async fn create_lead(app: &TestApp, token: &str, body_json: Value) -> Value {
    let response = app.post("/leads", token, body_json).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    body(response).await
}

fn uuid() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub(crate) fn visit(lead_id: &str) -> Value {
    json!({"id": uuid(), "lead_id": lead_id, "visited_at": "2026-11-02T09:00:00+08:00",
           "purpose": "follow_up", "outcome": "interested"})
}

/// One page of the feed, asserted 200.
pub(crate) async fn page(app: &TestApp, token: &str, query: &str) -> (Vec<Value>, String) {
    let response = app.get(&format!("/events{query}"), token).await;
    assert_eq!(response.status(), StatusCode::OK, "GET /events{query}");
    let page = body(response).await;
    let cursor = page["next_cursor"]
        .as_str()
        .expect("next_cursor is always returned")
        .to_owned();
    (page["items"].as_array().unwrap().clone(), cursor)
}

/// Every event committed so far after `after` (from the start when `None`), following the
/// cursor to the end. It first waits for the database's running writers
/// ([`TestApp::writers_settled`]), so the feed's horizon is past everything committed.
pub(crate) async fn drain(
    app: &TestApp,
    token: &str,
    after: Option<&str>,
    types: &str,
) -> (Vec<Value>, String) {
    app.writers_settled().await;
    let mut all = Vec::new();
    let mut cursor = after.map(str::to_owned);
    loop {
        let mut query = format!("?limit=200&types={types}");
        if let Some(c) = &cursor {
            query.push_str(&format!("&after={c}"));
        }
        let (items, next) = page(app, token, &query).await;
        let done = items.is_empty();
        all.extend(items);
        cursor = Some(next);
        if done {
            return (all, cursor.unwrap());
        }
    }
}

pub(crate) fn types_of(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

/// A service account holding `scopes`, and its token.
pub(crate) async fn service(app: &TestApp, scopes: &[&str]) -> (String, String) {
    let created = body(
        app.post(
            "/service-accounts",
            &app.admin_token,
            json!({"name": "integration", "scopes": scopes}),
        )
        .await,
    )
    .await;
    let response = app
        .request(Method::POST, "/auth/token", None)
        .json(&json!({"grant_type": "client_credentials",
                      "client_id": created["client_id"], "client_secret": created["client_secret"]}))
        .send()
        .await
        .unwrap();
    let token = body(response).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    (created["id"].as_str().unwrap().to_owned(), token)
}

async fn creating_a_lead_and_logging_a_visit_emit_events(app: TestApp) {
    let f = fixture(&app).await;
    let lead = create_lead(
        &app,
        &f.rep.token,
        json!({"company_name": "义乌市星辰饰品厂", "market": "一区", "stall_no": "A-1"}),
    )
    .await;
    let lead_id = lead["id"].as_str().unwrap();
    let logged = app.post("/visits", &f.rep.token, visit(lead_id)).await;
    assert_eq!(logged.status(), StatusCode::CREATED);
    let stored_visit = body(logged).await;

    let (events, _) = drain(&app, &app.admin_token, None, "").await;
    assert_eq!(types_of(&events), ["lead.created", "visit.logged"]);
    let created = &events[0];
    assert_eq!(created["record_type"], "lead");
    assert_eq!(created["record_id"], lead_id);
    assert_eq!(created["team_id"], f.team.as_str());
    assert_eq!(created["actor"], json!({"type": "user", "id": f.rep.id}));
    // The record as the API returned it.
    assert_eq!(created["data"], lead);
    assert!(created["changes"].is_null());
    assert!(uuid::Uuid::parse_str(created["event_id"].as_str().unwrap()).is_ok());
    assert!(created["occurred_at"].as_str().unwrap().ends_with('Z'));

    let logged = &events[1];
    assert_eq!(logged["record_type"], "visit");
    assert_eq!(logged["record_id"], stored_visit["id"]);
    assert_eq!(logged["team_id"], f.team.as_str());
    assert_eq!(logged["data"], stored_visit);
    assert_ne!(logged["event_id"], created["event_id"]);
}

async fn a_service_account_is_the_actor_of_its_writes(app: TestApp) {
    let f = fixture(&app).await;
    let (service_id, token) = service(&app, &["leads:write"]).await;
    let lead = create_lead(
        &app,
        &token,
        json!({"company_name": "福田五金", "owner_id": f.rep.id}),
    )
    .await;
    let (events, _) = drain(&app, &app.admin_token, None, "").await;
    assert_eq!(types_of(&events), ["lead.created"]);
    assert_eq!(
        events[0]["actor"],
        json!({"type": "service_account", "id": service_id})
    );
    assert_eq!(events[0]["data"]["owner_id"], f.rep.id.as_str());
    assert_eq!(events[0]["record_id"], lead["id"]);
}

async fn refused_and_replayed_writes_emit_nothing(app: TestApp) {
    let f = fixture(&app).await;
    let first = json!({"company_name": "星辰饰品", "phone": "13800138000"});
    let key = uuid();
    let created = app
        .request(Method::POST, "/leads", Some(&f.rep.token))
        .header("Idempotency-Key", &key)
        .json(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let lead_id = body(created).await["id"].as_str().unwrap().to_owned();
    let (_, cursor) = drain(&app, &app.admin_token, None, "").await;

    // A replay with the same key answers the first response and emits nothing.
    let replay = app
        .request(Method::POST, "/leads", Some(&f.rep.token))
        .header("Idempotency-Key", &key)
        .json(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    // A duplicate (409), an invalid lead (422), a visit to a lead out of reach (422).
    assert_problem(
        app.post(
            "/leads",
            &f.rep.token,
            json!({"company_name": "又一家", "phone": "13800138000"}),
        )
        .await,
        409,
        "duplicate",
    )
    .await;
    assert_problem(
        app.post("/leads", &f.rep.token, json!({"company_name": ""}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    let mut bad_visit = visit(&lead_id);
    bad_visit["purpose"] = json!("lunch");
    assert_problem(
        app.post("/visits", &f.rep.token, bad_visit).await,
        422,
        "validation_failed",
    )
    .await;
    // A visit sent twice (the phone retrying) is logged once.
    let v = visit(&lead_id);
    assert_eq!(
        app.post("/visits", &f.rep.token, v.clone()).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        app.post("/visits", &f.rep.token, v).await.status(),
        StatusCode::OK
    );

    let (events, _) = drain(&app, &app.admin_token, Some(&cursor), "").await;
    assert_eq!(types_of(&events), ["visit.logged"]);
}

async fn csv_import_and_visit_batches_emit_one_event_per_record(app: TestApp) {
    let f = fixture(&app).await;
    let import = |csv: &'static str| {
        app.request(Method::POST, "/leads/import", Some(&f.rep.token))
            .header("content-type", "text/csv")
            .body(csv)
            .send()
    };
    // One bad row: nothing is imported, nothing emitted.
    let refused = import("company_name,stage\n甲,new\n乙,signed\n")
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (events, cursor) = drain(&app, &app.admin_token, None, "").await;
    assert!(events.is_empty(), "{events:?}");

    let imported = import("company_name\n甲\n乙\n丙\n").await.unwrap();
    assert_eq!(imported.status(), StatusCode::OK);
    let (events, cursor) = drain(&app, &app.admin_token, Some(&cursor), "").await;
    assert_eq!(types_of(&events), ["lead.created"; 3]);
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["data"]["company_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["甲", "乙", "丙"]);

    let lead_id = events[0]["record_id"].as_str().unwrap();
    let mut invalid = visit(lead_id);
    invalid["purpose"] = json!("lunch");
    // The first visit again at the end (a repeated id in one batch, one transaction): stored
    // once, announced once.
    let first = visit(lead_id);
    let batch = json!({"visits": [first.clone(), invalid, visit(lead_id), first]});
    let response = app.post("/visits/batch", &f.rep.token, batch).await;
    assert_eq!(response.status(), StatusCode::OK);
    let results = body(response).await["results"].as_array().unwrap().clone();
    assert_eq!(results[3]["status"], "duplicate");
    let (events, _) = drain(&app, &app.admin_token, Some(&cursor), "").await;
    assert_eq!(types_of(&events), ["visit.logged"; 2]);
    assert_eq!(events[0]["record_id"], results[0]["id"]);
    assert_eq!(events[1]["record_id"], results[2]["id"]);
}

async fn the_feed_pages_with_its_cursor(app: TestApp) {
    let f = fixture(&app).await;
    // An empty feed still answers a cursor, and it works.
    let (items, empty_cursor) = page(&app, &app.admin_token, "").await;
    assert!(items.is_empty());
    let mut ids = Vec::new();
    for n in 0..5 {
        let lead = create_lead(
            &app,
            &f.rep.token,
            json!({"company_name": format!("店{n}")}),
        )
        .await;
        ids.push(lead["id"].as_str().unwrap().to_owned());
    }
    app.writers_settled().await;
    let (first, cursor) = page(&app, &app.admin_token, "?limit=2").await;
    let (second, cursor) = page(&app, &app.admin_token, &format!("?limit=2&after={cursor}")).await;
    let (third, cursor) = page(&app, &app.admin_token, &format!("?limit=2&after={cursor}")).await;
    let (fourth, end) = page(&app, &app.admin_token, &format!("?limit=2&after={cursor}")).await;
    assert_eq!((first.len(), second.len(), third.len()), (2, 2, 1));
    assert!(fourth.is_empty());
    let seen: Vec<&str> = first
        .iter()
        .chain(&second)
        .chain(&third)
        .map(|e| e["record_id"].as_str().unwrap())
        .collect();
    assert_eq!(seen, ids, "every event once, in commit order");
    // From the empty feed's cursor: the same five.
    let (from_empty, _) = drain(&app, &app.admin_token, Some(&empty_cursor), "").await;
    assert_eq!(from_empty.len(), 5);
    // The end's cursor is stable while nothing happens.
    let (none, same) = page(&app, &app.admin_token, &format!("?after={end}")).await;
    assert!(none.is_empty());
    assert_eq!(same, end);

    // `after=latest`: an empty page at the current end; only later events follow it.
    app.writers_settled().await;
    let (latest_items, latest) = page(&app, &app.admin_token, "?after=latest").await;
    assert!(latest_items.is_empty());
    let newer = create_lead(&app, &f.rep.token, json!({"company_name": "新店"})).await;
    app.post(
        "/visits",
        &f.rep.token,
        visit(newer["id"].as_str().unwrap()),
    )
    .await;
    let (after_latest, _) = drain(&app, &app.admin_token, Some(&latest), "").await;
    assert_eq!(types_of(&after_latest), ["lead.created", "visit.logged"]);
    assert_eq!(after_latest[0]["record_id"], newer["id"]);

    // `types` keeps only those; the cursor still moves past the others.
    let (visits, visits_end) = drain(&app, &app.admin_token, None, "visit.logged").await;
    assert_eq!(types_of(&visits), ["visit.logged"]);
    let (both, _) = drain(
        &app,
        &app.admin_token,
        Some(&latest),
        "visit.logged,lead.created",
    )
    .await;
    assert_eq!(both.len(), 2);
    let (nothing, _) = page(&app, &app.admin_token, &format!("?after={visits_end}")).await;
    assert!(nothing.is_empty());
}

async fn bad_feed_requests_are_refused(app: TestApp) {
    for (query, field) in [
        ("?after=not-a-cursor", "after"),
        // A list cursor is not a feed cursor.
        (
            "?after=eyJ0IjoiMjAyNi0xMS0wMVQwMDowMDowMCIsImkiOiJ4In0",
            "after",
        ),
        ("?types=lead.created,lead.exploded", "types"),
        ("?types=lead.created,,visit.logged", "types"),
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
    ] {
        let problem = assert_problem(
            app.get(&format!("/events{query}"), &app.admin_token).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
    }
    assert_problem(
        app.request(Method::GET, "/events", None)
            .send()
            .await
            .unwrap(),
        401,
        "unauthorized",
    )
    .await;
}

async fn the_feed_shows_each_caller_what_it_may_see(app: TestApp) {
    let f = fixture(&app).await;
    let lead = create_lead(&app, &f.rep.token, json!({"company_name": "可见"})).await;
    app.post("/visits", &f.rep.token, visit(lead["id"].as_str().unwrap()))
        .await;

    for role in ["rep", "team_lead", "manager"] {
        let user = app.user(role, Some(&f.team)).await;
        assert_problem(app.get("/events", &user.token).await, 403, "forbidden").await;
    }
    let (_, webhooks_only) = service(&app, &["webhooks:manage", "leads:write"]).await;
    assert_problem(app.get("/events", &webhooks_only).await, 403, "forbidden").await;

    let (admin_sees, _) = drain(&app, &app.admin_token, None, "").await;
    assert_eq!(types_of(&admin_sees), ["lead.created", "visit.logged"]);
    let (_, visits_reader) = service(&app, &["visits:read"]).await;
    let (visits_seen, _) = drain(&app, &visits_reader, None, "").await;
    assert_eq!(types_of(&visits_seen), ["visit.logged"]);
    // Asking for a type it may not see is no error: just nothing.
    let (leads_for_visits_reader, _) = drain(&app, &visits_reader, None, "lead.created").await;
    assert!(leads_for_visits_reader.is_empty());
    let (_, leads_reader) = service(&app, &["leads:read"]).await;
    let (leads_seen, _) = drain(&app, &leads_reader, None, "").await;
    assert_eq!(types_of(&leads_seen), ["lead.created"]);
}

/// Writers commit concurrently (on PostgreSQL one of them deliberately slow, holding an event
/// allocated before everyone else's) while a consumer follows `next_cursor`: it must see every
/// event exactly once, each writer's events in the order they were committed, and never an
/// event committed after a position it had already passed.
async fn the_cursor_holds_over_concurrent_writers(app: TestApp) {
    const WRITERS: usize = 6;
    const LEADS_EACH: usize = 8;
    let f = fixture(&app).await;
    let (_, start) = page(&app, &app.admin_token, "?after=latest").await;

    // The slow writer: a transaction that appends an event first and commits last.
    let slow = app.is_postgres().then(|| {
        let db = app.db.clone();
        let (appended_tx, appended_rx) = std::sync::mpsc::channel();
        let (commit_tx, commit_rx) = std::sync::mpsc::channel::<()>();
        let team = f.team.clone();
        let thread = std::thread::spawn(move || slow_event(db, team, appended_tx, commit_rx));
        let event_id = appended_rx.recv().expect("the slow writer appended");
        (event_id, commit_tx, thread)
    });

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let client = app.client.clone();
            let url = app.url("/api/v1/leads");
            let token = f.rep.token.clone();
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for n in 0..LEADS_EACH {
                    let response = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&json!({"company_name": format!("并发{w}-{n}")}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), StatusCode::CREATED);
                    let lead: Value = response.json().await.unwrap();
                    ids.push(lead["id"].as_str().unwrap().to_owned());
                }
                ids
            })
        })
        .collect();

    // The consumer polls while the writers run.
    let mut seen: Vec<Value> = Vec::new();
    let mut cursor = start.clone();
    let mut polls = 0;
    while !writers.iter().all(|w| w.is_finished()) {
        let (items, next) = page(&app, &app.admin_token, &format!("?limit=7&after={cursor}")).await;
        seen.extend(items);
        cursor = next;
        polls += 1;
    }
    let mut written: Vec<Vec<String>> = Vec::new();
    for writer in writers {
        written.push(writer.await.unwrap());
    }
    let slow_event_id = match slow {
        Some((event_id, commit, thread)) => {
            // Everyone else has committed; the slow event is still invisible, so the feed must
            // not have moved past anything committed after it was allocated.
            let (items, next) = page(&app, &app.admin_token, &format!("?after={cursor}")).await;
            seen.extend(items);
            cursor = next;
            assert!(
                !seen.iter().any(|e| e["event_id"] == event_id.as_str()),
                "an uncommitted event was served"
            );
            commit.send(()).unwrap();
            thread.join().unwrap();
            Some(event_id)
        }
        None => None,
    };
    let (rest, _) = drain(&app, &app.admin_token, Some(&cursor), "").await;
    seen.extend(rest);
    assert!(polls > 1, "the consumer polled while writers ran");

    // Every event exactly once.
    let ids: Vec<&str> = seen
        .iter()
        .map(|e| e["event_id"].as_str().unwrap())
        .collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "an event was served twice");
    let expected = WRITERS * LEADS_EACH + usize::from(slow_event_id.is_some());
    assert_eq!(ids.len(), expected, "every event is served");
    if let Some(slow) = &slow_event_id {
        assert!(unique.contains(slow.as_str()), "the slow event was lost");
    }
    // Each writer's leads in the order it committed them (a lead's transaction began only
    // after the previous one committed).
    let order: Vec<&str> = seen
        .iter()
        .filter(|e| e["type"] == "lead.created")
        .map(|e| e["record_id"].as_str().unwrap())
        .collect();
    for leads in &written {
        let positions: Vec<usize> = leads
            .iter()
            .map(|id| order.iter().position(|o| o == id).expect("lead event seen"))
            .collect();
        assert!(
            positions.windows(2).all(|p| p[0] < p[1]),
            "one writer's events out of commit order: {positions:?}"
        );
    }
    // A consumer starting from the beginning now sees the same set, once each.
    let (replay, _) = drain(&app, &app.admin_token, Some(&start), "").await;
    assert_eq!(replay.len(), expected);
}

/// On PostgreSQL: appends an event in a transaction that stays open until told to commit.
/// PostgreSQL: transactions that took their ids after the latest completed one and are still
/// open (writers in progress, under load nearly always) hold back only what may commit after
/// them. A second such transaction once collapsed the feed's horizon: the feed served
/// nothing while it ran.
async fn a_newer_open_transaction_hides_nothing_committed(app: TestApp) {
    let f = fixture(&app).await;
    let lead = create_lead(&app, &f.rep.token, json!({"company_name": "星辰饰品"})).await;
    app.writers_settled().await;
    let held = app.is_postgres().then(|| {
        let db = app.db.clone();
        let (open_tx, open_rx) = std::sync::mpsc::channel();
        let (end_tx, end_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            use diesel::connection::SimpleConnection;
            // Two transaction ids taken now, one after the other: the snapshot's xmax is
            // the first (nothing newer has completed), so the second is above it.
            let mut first = db.conn().expect("a connection");
            let mut second = db.conn().expect("a connection");
            for conn in [&mut first, &mut second] {
                let conn: &mut ironfield_persistence::DbConnection = conn;
                conn.batch_execute("BEGIN; SELECT pg_current_xact_id();")
                    .unwrap();
            }
            open_tx.send(()).unwrap();
            end_rx.recv().unwrap();
            for conn in [&mut first, &mut second] {
                let conn: &mut ironfield_persistence::DbConnection = conn;
                conn.batch_execute("ROLLBACK").unwrap();
            }
        });
        open_rx.recv().expect("the transaction is open");
        (end_tx, thread)
    });
    // One page, not `drain`: that waits for open transactions to end.
    let (items, _) = page(&app, &app.admin_token, "").await;
    if let Some((end, thread)) = held {
        end.send(()).unwrap();
        thread.join().unwrap();
    }
    assert_eq!(
        items
            .iter()
            .map(|e| e["record_id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [lead["id"].as_str().unwrap()],
        "the committed lead.created is served while a newer transaction is open"
    );
}

fn slow_event(
    db: ironfield_persistence::Db,
    team: String,
    appended: std::sync::mpsc::Sender<String>,
    commit: std::sync::mpsc::Receiver<()>,
) {
    use diesel::connection::SimpleConnection;
    let team = ironfield_domain::ids::TeamId::parse(&team).expect("the fixture's team id");
    let mut pooled = db.conn().expect("a connection");
    let conn: &mut ironfield_persistence::DbConnection = &mut pooled;
    conn.batch_execute("BEGIN").unwrap();
    let event_id = ironfield_domain::ids::EventId::new();
    ironfield_persistence::events::append(
        conn,
        &ironfield_persistence::events::NewEvent {
            event_id: &event_id,
            event_type: "lead.updated",
            occurred_at: chrono::Utc::now().naive_utc(),
            actor_type: ironfield_domain::webhook::CreatorType::User,
            actor_id: &uuid(),
            record_type: "lead",
            record_id: &uuid(),
            team_id: Some(&team),
            data: &json!({"slow": true}),
            changes: None,
        },
    )
    .unwrap();
    appended.send(event_id.into_string()).unwrap();
    commit.recv().unwrap();
    conn.batch_execute("COMMIT").unwrap();
}
