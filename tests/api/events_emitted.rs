//! Each business write emits its events: type, record, team, actor, the record as the API
//! returned it, and `changes` where the change moved fields. Refused writes emit nothing.

use crate::backend_tests;
use crate::events::{create_lead, drain, fixture, page, types_of, visit};
use crate::helpers::{assert_problem, body, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

backend_tests!(
    lead_changes_emit_their_events,
    seller_account_changes_emit_their_events,
    visit_corrections_and_meetings_emit_events,
    a_target_reached_is_announced_once,
    a_batch_reaching_a_target_announces_it_once,
    single_visits_of_many_reps_at_once_announce_their_team_target_once,
);

/// The events after `cursor`, as admin: every one committed so far.
async fn since(app: &TestApp, cursor: &str) -> Vec<Value> {
    drain(app, &app.admin_token, Some(cursor), "").await.0
}

/// A cursor after every event committed so far.
async fn latest(app: &TestApp) -> String {
    app.writers_settled().await;
    page(app, &app.admin_token, "?after=latest").await.1
}

async fn lead_changes_emit_their_events(app: TestApp) {
    let f = fixture(&app).await;
    let team_lead = app.user("team_lead", Some(&f.team)).await;
    let teammate = app.user("rep", Some(&f.team)).await;
    let lead = create_lead(&app, &f.rep.token, json!({"company_name": "星辰饰品"})).await;
    let id = lead["id"].as_str().unwrap();
    let path = format!("/leads/{id}");

    let cursor = latest(&app).await;
    let moved = app
        .patch(&path, &f.rep.token, json!({"stage": "contacted"}))
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let moved = body(moved).await;
    let events = since(&app, &cursor).await;
    assert_eq!(types_of(&events), ["lead.stage_changed"]);
    assert_eq!(
        events[0]["changes"],
        json!({"stage": {"from": "new", "to": "contacted"}})
    );
    assert_eq!(events[0]["data"], moved);
    assert_eq!(events[0]["actor"], json!({"type": "user", "id": f.rep.id}));
    assert_eq!(events[0]["team_id"], f.team.as_str());

    // Refused: a stale version (412), a move the stage rules forbid (422).
    let cursor = latest(&app).await;
    let stale = app
        .request(Method::PATCH, &path, Some(&f.rep.token))
        .header("If-Match", "\"1\"")
        .json(&json!({"notes": "stale"}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, 412, "precondition_failed").await;
    assert_eq!(
        app.patch(&path, &f.rep.token, json!({"stage": "won"}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert!(since(&app, &cursor).await.is_empty());

    let noted = body(
        app.patch(&path, &f.rep.token, json!({"notes": "老板下周回来"}))
            .await,
    )
    .await;
    let assigned = app
        .post(
            &format!("{path}/assign"),
            &team_lead.token,
            json!({"owner_id": teammate.id}),
        )
        .await;
    assert_eq!(assigned.status(), StatusCode::OK);
    let assigned = body(assigned).await;
    let events = since(&app, &cursor).await;
    assert_eq!(types_of(&events), ["lead.updated", "lead.assigned"]);
    assert_eq!(
        events[0]["changes"],
        json!({"notes": {"from": null, "to": "老板下周回来"}})
    );
    assert_eq!(events[0]["data"], noted);
    assert_eq!(
        events[1]["changes"]["owner_id"],
        json!({"from": f.rep.id, "to": teammate.id})
    );
    assert_eq!(events[1]["actor"]["id"], team_lead.id.as_str());
    assert_eq!(events[1]["data"], assigned);

    // A duplicate merged into the lead.
    let duplicate = create_lead(
        &app,
        &teammate.token,
        json!({"company_name": "星辰饰品 (重复)", "phone": "13900139000"}),
    )
    .await;
    let cursor = latest(&app).await;
    let merged = app
        .post(
            &format!("{path}/merge"),
            &teammate.token,
            json!({"duplicate_id": duplicate["id"]}),
        )
        .await;
    assert_eq!(merged.status(), StatusCode::OK);
    let events = since(&app, &cursor).await;
    assert_eq!(types_of(&events), ["lead.merged", "lead.updated"]);
    assert_eq!(events[0]["record_id"], duplicate["id"]);
    assert_eq!(
        events[0]["changes"],
        json!({"merged_into_id": {"from": null, "to": id}, "archived": {"from": false, "to": true}})
    );
    assert_eq!(events[0]["data"]["merged_into_id"], id);
    assert_eq!(events[1]["record_id"], id);
    assert_eq!(
        events[1]["changes"]["phone"],
        json!({"from": null, "to": "+8613900139000"})
    );

    // Conversion: the seller signed, the lead won.
    let cursor = latest(&app).await;
    let converted = app
        .post(
            &format!("{path}/convert"),
            &teammate.token,
            json!({"membership_tier": "gold", "contract_value": {"amount": 1980000, "currency": "CNY"},
                   "contract_start": "2026-11-01", "contract_months": 12}),
        )
        .await;
    assert_eq!(converted.status(), StatusCode::CREATED);
    let account = body(converted).await;
    let events = since(&app, &cursor).await;
    assert_eq!(
        types_of(&events),
        ["seller_account.signed", "lead.stage_changed"]
    );
    assert_eq!(events[0]["record_type"], "seller_account");
    assert_eq!(events[0]["data"], account);
    assert_eq!(
        events[1]["changes"],
        json!({"stage": {"from": "contacted", "to": "won"},
               "account_id": {"from": null, "to": account["id"]}})
    );
}

async fn seller_account_changes_emit_their_events(app: TestApp) {
    let f = fixture(&app).await;
    let cursor = latest(&app).await;
    let created = app
        .post(
            "/seller-accounts",
            &f.rep.token,
            json!({"company_name": "福田五金", "membership_tier": "gold",
                   "contract_start": "2026-11-01", "contract_months": 12,
                   "contract_value": {"amount": 1980000, "currency": "CNY"}}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let account = body(created).await;
    let path = format!("/seller-accounts/{}", account["id"].as_str().unwrap());
    let noted = body(
        app.patch(&path, &f.rep.token, json!({"notes": "喜欢喝茶"}))
            .await,
    )
    .await;
    let renewed = app
        .post(
            &format!("{path}/renew"),
            &f.rep.token,
            json!({"contract_months": 12, "contract_value": {"amount": 2000000, "currency": "CNY"}}),
        )
        .await;
    assert_eq!(renewed.status(), StatusCode::OK);
    let renewed = body(renewed).await;
    // Churning without a reason is refused and emits nothing.
    assert_eq!(
        app.patch(&path, &f.rep.token, json!({"status": "churned"}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let churned = app
        .patch(
            &path,
            &f.rep.token,
            json!({"status": "churned", "churn_reason": "moved to Guangzhou"}),
        )
        .await;
    assert_eq!(churned.status(), StatusCode::OK);
    let churned = body(churned).await;

    let events = since(&app, &cursor).await;
    assert_eq!(
        types_of(&events),
        [
            "seller_account.signed",
            "seller_account.updated",
            "seller_account.renewed",
            "seller_account.churned"
        ]
    );
    assert!(events.iter().all(|e| e["record_id"] == account["id"]
        && e["team_id"] == f.team.as_str()
        && e["record_type"] == "seller_account"));
    assert_eq!(events[0]["data"], account);
    assert_eq!(events[1]["data"], noted);
    assert_eq!(
        events[1]["changes"],
        json!({"notes": {"from": null, "to": "喜欢喝茶"}})
    );
    assert_eq!(events[2]["data"], renewed);
    assert_eq!(
        events[2]["changes"]["contract_end"],
        json!({"from": account["contract_end"], "to": renewed["contract_end"]})
    );
    assert_eq!(events[3]["data"], churned);
    assert_eq!(
        events[3]["changes"]["status"],
        json!({"from": account["status"], "to": "churned"})
    );
}

async fn visit_corrections_and_meetings_emit_events(app: TestApp) {
    let f = fixture(&app).await;
    let team_lead = app.user("team_lead", Some(&f.team)).await;
    let lead = create_lead(&app, &f.rep.token, json!({"company_name": "星辰饰品"})).await;
    let logged = body(
        app.post("/visits", &f.rep.token, visit(lead["id"].as_str().unwrap()))
            .await,
    )
    .await;
    let cursor = latest(&app).await;
    let path = format!("/visits/{}", logged["id"].as_str().unwrap());
    assert_eq!(
        app.patch(&path, &f.rep.token, json!({"outcome": "exploded"}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let fixed = app
        .patch(
            &path,
            &f.rep.token,
            json!({"outcome": "follow_up_scheduled"}),
        )
        .await;
    assert_eq!(fixed.status(), StatusCode::OK);
    let fixed = body(fixed).await;
    let meeting = app
        .post(
            "/meetings",
            &team_lead.token,
            json!({"team_id": f.team, "date": "2026-11-02", "agenda": "月底冲刺"}),
        )
        .await;
    assert_eq!(meeting.status(), StatusCode::CREATED);
    let meeting = body(meeting).await;

    let events = since(&app, &cursor).await;
    assert_eq!(types_of(&events), ["visit.corrected", "meeting.opened"]);
    assert_eq!(events[0]["data"], fixed);
    assert_eq!(
        events[0]["changes"],
        json!({"outcome": {"from": "interested", "to": "follow_up_scheduled"}})
    );
    assert_eq!(events[1]["record_type"], "meeting");
    assert_eq!(events[1]["record_id"], meeting["id"]);
    assert_eq!(events[1]["team_id"], f.team.as_str());
    assert_eq!(events[1]["actor"]["id"], team_lead.id.as_str());
    assert_eq!(events[1]["data"], meeting);
}

async fn a_target_reached_is_announced_once(app: TestApp) {
    let f = fixture(&app).await;
    let team_lead = app.user("team_lead", Some(&f.team)).await;
    let lead = create_lead(&app, &f.rep.token, json!({"company_name": "星辰饰品"})).await;
    let lead_id = lead["id"].as_str().unwrap().to_owned();
    // This month in the organisation's time zone (Asia/Shanghai, UTC+8 all year).
    let now = chrono::Utc::now();
    let period = (now + chrono::Duration::hours(8))
        .format("%Y-%m")
        .to_string();
    let put = |token: &str, targets: Value| {
        app.request(Method::PUT, &format!("/targets/{period}"), Some(token))
            .json(&targets)
            .send()
    };
    let visit_now = || {
        let mut v = visit(&lead_id);
        v["visited_at"] = json!((chrono::Utc::now() - chrono::Duration::seconds(5)).to_rfc3339());
        app.post("/visits", &f.rep.token, v)
    };

    let cursor = latest(&app).await;
    let set = put(
        &team_lead.token,
        json!([{"subject_type": "user", "subject_id": f.rep.id, "metric": "visits", "value": 2}]),
    )
    .await
    .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let stored = body(set).await;
    let team_set = put(
        &app.admin_token,
        json!([{"subject_type": "team", "subject_id": f.team, "metric": "visits", "value": 2}]),
    )
    .await
    .unwrap();
    assert_eq!(team_set.status(), StatusCode::OK);
    let events = since(&app, &cursor).await;
    assert_eq!(types_of(&events), ["target.set", "target.set"]);
    assert_eq!(events[0]["data"], stored[0]);
    assert_eq!(events[0]["record_type"], "target");
    assert_eq!(events[0]["team_id"], f.team.as_str());

    let cursor = latest(&app).await;
    assert_eq!(visit_now().await.status(), StatusCode::CREATED);
    assert_eq!(
        types_of(&since(&app, &cursor).await),
        ["visit.logged"],
        "one visit of two reaches nothing"
    );
    let cursor = latest(&app).await;
    assert_eq!(visit_now().await.status(), StatusCode::CREATED);
    let events = since(&app, &cursor).await;
    assert_eq!(
        types_of(&events),
        ["visit.logged", "target.achieved", "target.achieved"]
    );
    let achieved: Vec<&str> = events[1..]
        .iter()
        .map(|e| e["data"]["subject_type"].as_str().unwrap())
        .collect();
    assert_eq!(achieved.len(), 2);
    assert!(achieved.contains(&"user") && achieved.contains(&"team"));
    let rep_target = events[1..]
        .iter()
        .find(|e| e["data"]["subject_type"] == "user")
        .unwrap();
    assert_eq!(rep_target["record_id"], stored[0]["id"]);
    assert_eq!(rep_target["data"]["subject_id"], f.rep.id.as_str());

    // Beyond the target, and the target set again: no second announcement.
    let cursor = latest(&app).await;
    assert_eq!(visit_now().await.status(), StatusCode::CREATED);
    let again = put(
        &team_lead.token,
        json!([{"subject_type": "user", "subject_id": f.rep.id, "metric": "visits", "value": 2}]),
    )
    .await
    .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(
        types_of(&since(&app, &cursor).await),
        ["visit.logged", "target.set"]
    );
}

/// A batch's visits are stored together; a target they reach is announced once, after the
/// batch's `visit.logged` events, and a batch re-sent announces nothing.
async fn a_batch_reaching_a_target_announces_it_once(app: TestApp) {
    let f = fixture(&app).await;
    let team_lead = app.user("team_lead", Some(&f.team)).await;
    let lead = create_lead(&app, &f.rep.token, json!({"company_name": "星辰饰品"})).await;
    let lead_id = lead["id"].as_str().unwrap().to_owned();
    let now = chrono::Utc::now();
    let period = (now + chrono::Duration::hours(8))
        .format("%Y-%m")
        .to_string();
    let set = app
        .request(Method::PUT, &format!("/targets/{period}"), Some(&team_lead.token))
        .json(&json!([{"subject_type": "user", "subject_id": f.rep.id, "metric": "visits", "value": 2}]))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let visits: Vec<Value> = (0..3)
        .map(|i| {
            let mut v = visit(&lead_id);
            v["id"] = json!(uuid::Uuid::now_v7().to_string());
            v["visited_at"] = json!((now - chrono::Duration::seconds(30 + i)).to_rfc3339());
            v
        })
        .collect();
    let batch = json!({ "visits": visits });
    let cursor = latest(&app).await;
    let sent = app.post("/visits/batch", &f.rep.token, batch.clone()).await;
    assert_eq!(sent.status(), StatusCode::OK);
    let results = body(sent).await;
    let events = since(&app, &cursor).await;
    assert_eq!(
        types_of(&events),
        [
            "visit.logged",
            "visit.logged",
            "visit.logged",
            "target.achieved"
        ]
    );
    for (i, event) in events[..3].iter().enumerate() {
        assert_eq!(event["record_id"], results["results"][i]["id"], "event {i}");
        assert_eq!(event["data"]["lead_id"], lead_id.as_str());
        assert_eq!(event["actor"], json!({"type": "user", "id": f.rep.id}));
    }
    assert_eq!(events[3]["data"]["subject_id"], f.rep.id.as_str());

    let cursor = latest(&app).await;
    let again = body(app.post("/visits/batch", &f.rep.token, batch).await).await;
    assert!(again["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "duplicate"));
    assert!(since(&app, &cursor).await.is_empty());
}

/// Single visits that arrive together are stored together: a team target their reps reach
/// between them is announced once, by one of the reps whose visit counted, and each visit's
/// `visit.logged` names its own rep.
async fn single_visits_of_many_reps_at_once_announce_their_team_target_once(app: TestApp) {
    let f = fixture(&app).await;
    let now = chrono::Utc::now();
    let period = (now + chrono::Duration::hours(8))
        .format("%Y-%m")
        .to_string();
    let mut reps = Vec::new();
    for i in 0..6 {
        let rep = app.user("rep", Some(&f.team)).await;
        let lead = create_lead(
            &app,
            &rep.token,
            json!({"company_name": format!("星辰饰品 {i}"), "market": "一区", "stall_no": format!("T-{i}")}),
        )
        .await;
        reps.push((rep, lead["id"].as_str().unwrap().to_owned()));
    }
    let set = app
        .request(Method::PUT, &format!("/targets/{period}"), Some(&app.admin_token))
        .json(&json!([{"subject_type": "team", "subject_id": f.team, "metric": "visits", "value": 12}]))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let target_id = body(set).await[0]["id"].clone();

    let cursor = latest(&app).await;
    let client = reqwest::Client::new();
    let url = app.url("/api/v1/visits");
    let mut sent = Vec::new();
    for round in 0..3 {
        for (rep, lead) in &reps {
            let mut v = visit(lead);
            v["visited_at"] = json!((now - chrono::Duration::seconds(30 + round)).to_rfc3339());
            let request = client
                .post(url.clone())
                .bearer_auth(rep.token.clone())
                .json(&v);
            sent.push((rep.id.clone(), tokio::spawn(request.send())));
        }
    }
    let mut logged_by = std::collections::HashMap::new();
    for (rep_id, answer) in sent {
        let answer = answer.await.unwrap().unwrap();
        assert_eq!(answer.status(), StatusCode::CREATED);
        logged_by.insert(
            body(answer).await["id"].as_str().unwrap().to_owned(),
            rep_id,
        );
    }
    let events = since(&app, &cursor).await;
    let achieved: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "target.achieved")
        .collect();
    assert_eq!(achieved.len(), 1, "{:?}", types_of(&events));
    assert_eq!(achieved[0]["record_id"], target_id);
    let rep_ids: Vec<&str> = reps.iter().map(|(rep, _)| rep.id.as_str()).collect();
    assert!(rep_ids.contains(&achieved[0]["actor"]["id"].as_str().unwrap()));
    let logged: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "visit.logged")
        .collect();
    assert_eq!(logged.len(), 18);
    for event in logged {
        let rep_id = &logged_by[event["record_id"].as_str().unwrap()];
        assert_eq!(event["actor"], json!({"type": "user", "id": rep_id}));
    }
}
