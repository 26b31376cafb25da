use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

backend_tests!(
    a_visit_sent_three_times_is_stored_once,
    idempotency_key_replays_a_visit,
    concurrent_replays_of_one_batch_store_each_visit_once,
    single_visits_sent_at_once_are_each_their_senders,
    a_batch_stores_its_valid_items_around_invalid_ones,
    a_batch_repeating_an_id_stores_it_once_and_goes_on,
    a_batch_over_several_leads_answers_in_the_order_sent,
    a_batch_leaves_a_lead_as_its_visits_one_by_one_would,
    a_batch_answers_each_target_as_one_visit_would,
    business_dates_are_days_in_shanghai,
    visits_from_the_future_are_refused,
    a_visit_moves_the_lead_forward,
    a_new_stall_is_captured_with_its_first_visit,
    location_is_evidence_not_a_gate,
    reps_correct_their_own_visits_for_a_day,
    visits_are_private_to_the_rep_and_their_leads,
    my_day_lists_visits_and_follow_ups,
    a_bad_visit_correction_is_422_whatever_the_version,
    an_unreadable_stored_visit_is_a_500_wherever_it_is_read,
);

struct Fixture {
    rep: TestUser,
    lead_id: String,
    team: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let lead = body(
        app.post(
            "/leads",
            &rep.token,
            json!({"company_name": "义乌市星辰饰品厂", "market": "一区", "stall_no": "A-1023",
            "location": {"lat": 29.3321, "lng": 120.1078}}),
        )
        .await,
    )
    .await;
    Fixture {
        rep,
        lead_id: lead["id"].as_str().unwrap().to_owned(),
        team,
    }
}

fn visit(id: &str, lead_id: &str, visited_at: &str) -> Value {
    json!({"id": id, "lead_id": lead_id, "visited_at": visited_at, "purpose": "follow_up", "outcome": "interested"})
}

fn uuid() -> String {
    uuid::Uuid::now_v7().to_string()
}

async fn a_visit_sent_three_times_is_stored_once(app: TestApp) {
    let f = fixture(&app).await;
    let v = visit(&uuid(), &f.lead_id, "2026-11-01T10:00:00+08:00");
    let first = app.post("/visits", &f.rep.token, v.clone()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = body(first).await;
    for _ in 0..2 {
        let again = app.post("/visits", &f.rep.token, v.clone()).await;
        assert_eq!(again.status(), StatusCode::OK);
        assert_eq!(body(again).await, first);
    }
    assert_eq!(app.count_visits(), 1);
    assert_eq!(first["rep_id"], f.rep.id.as_str());
    assert_eq!(first["team_id"], f.team.as_str());
    assert_eq!(
        first["market"], "一区",
        "the lead's stall when the phone did not say"
    );
}

async fn idempotency_key_replays_a_visit(app: TestApp) {
    let f = fixture(&app).await;
    let send = || {
        app.request(Method::POST, "/visits", Some(&f.rep.token))
            .header("Idempotency-Key", "visit-abc")
            .json(&json!({"lead_id": f.lead_id, "visited_at": "2026-11-01T10:00:00+08:00", "purpose": "prospecting", "outcome": "no_contact"}))
            .send()
    };
    let first = body(send().await.unwrap()).await;
    let again = send().await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(body(again).await["id"], first["id"]);
    assert_eq!(app.count_visits(), 1);
}

async fn concurrent_replays_of_one_batch_store_each_visit_once(app: TestApp) {
    let f = fixture(&app).await;
    let visits: Vec<Value> = (0..40)
        .map(|i| {
            visit(
                &uuid(),
                &f.lead_id,
                &format!("2026-11-01T{:02}:{:02}:00+08:00", 8 + i / 60, i % 60),
            )
        })
        .collect();
    let batch = json!({"visits": visits});
    let send = |token: String, batch: Value, url: String| async move {
        reqwest::Client::new()
            .post(url)
            .bearer_auth(token)
            .json(&batch)
            .send()
            .await
            .unwrap()
    };
    let url = app.url("/api/v1/visits/batch");
    let a = tokio::spawn(send(f.rep.token.clone(), batch.clone(), url.clone()));
    let b = tokio::spawn(send(f.rep.token.clone(), batch.clone(), url.clone()));
    let (a, b) = (body(a.await.unwrap()).await, body(b.await.unwrap()).await);
    assert_eq!(app.count_visits(), 40);
    for i in 0..40 {
        let statuses = [
            a["results"][i]["status"].as_str().unwrap(),
            b["results"][i]["status"].as_str().unwrap(),
        ];
        assert!(
            statuses.contains(&"created") && statuses.contains(&"duplicate")
                || statuses == ["duplicate", "duplicate"],
            "item {i}: {statuses:?}"
        );
    }
    let again = body(send(f.rep.token.clone(), batch, url).await).await;
    assert!(again["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "duplicate"));
    assert_eq!(app.count_visits(), 40);
}

/// Single visits that arrive together are stored together (one transaction for the lot):
/// each must still be answered, checked and recorded as if it had come alone, from its own
/// sender. Many reps of two teams send at once: their own leads (created), a lead of the
/// other team (422 "no such lead": outside their view), a teammate's lead (403), and one
/// visit three times (stored once).
async fn single_visits_sent_at_once_are_each_their_senders(app: TestApp) {
    let east = app.team("East", None).await;
    let west = app.team("West", None).await;
    let mut reps = Vec::new();
    for (i, team) in [&east, &west, &east, &west, &east, &west]
        .into_iter()
        .enumerate()
    {
        let rep = app.user("rep", Some(team)).await;
        let lead = body(
            app.post(
                "/leads",
                &rep.token,
                json!({"company_name": format!("义乌市{i}号饰品厂"), "market": "一区", "stall_no": format!("G-{i}")}),
            )
            .await,
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        reps.push((rep, lead));
    }
    // (sender, lead, the status alone)
    let mut sends: Vec<(usize, usize, StatusCode)> = Vec::new();
    for round in 0..4 {
        for r in 0..reps.len() {
            sends.push((r, r, StatusCode::CREATED));
            if round == 0 {
                sends.push((r, (r + 1) % reps.len(), StatusCode::UNPROCESSABLE_ENTITY));
                sends.push((r, (r + 2) % reps.len(), StatusCode::FORBIDDEN));
            }
        }
    }
    let client = reqwest::Client::new();
    let url = app.url("/api/v1/visits");
    let post = |token: String, visit: Value| {
        let (client, url) = (client.clone(), url.clone());
        tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&visit)
                .send()
                .await
                .unwrap()
        })
    };
    let mut pending = Vec::new();
    for (n, &(r, l, status)) in sends.iter().enumerate() {
        let id = uuid();
        let at = format!("2026-11-02T09:{:02}:00+08:00", n % 60);
        pending.push((
            r,
            id.clone(),
            status,
            post(reps[r].0.token.clone(), visit(&id, &reps[l].1, &at)),
        ));
    }
    let thrice = uuid();
    let thrice_visit = visit(&thrice, &reps[0].1, "2026-11-02T10:00:00+08:00");
    let repeats: Vec<_> = (0..3)
        .map(|_| post(reps[0].0.token.clone(), thrice_visit.clone()))
        .collect();

    for (r, id, status, sent) in pending {
        let answer = sent.await.unwrap();
        assert_eq!(answer.status(), status, "visit {id} by rep {r}");
        let answer = body(answer).await;
        match status {
            StatusCode::CREATED => {
                assert_eq!(answer["id"], id.as_str());
                assert_eq!(answer["rep_id"], reps[r].0.id.as_str());
                assert_eq!(answer["lead_id"], reps[r].1.as_str());
            }
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(answer["errors"][0]["field"], "lead_id");
                assert_eq!(answer["errors"][0]["message"], "no such lead");
            }
            _ => assert_eq!(answer["code"], "forbidden"),
        }
    }
    let mut statuses = Vec::new();
    for sent in repeats {
        let answer = sent.await.unwrap();
        statuses.push(answer.status());
        assert_eq!(body(answer).await["id"], thrice.as_str());
    }
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::OK, StatusCode::CREATED]
    );

    assert_eq!(app.count_visits(), 4 * 6 + 1);
    for (r, (rep, lead)) in reps.iter().enumerate() {
        let history = body(app.get(&format!("/leads/{lead}/history"), &rep.token).await).await;
        let logged: Vec<&Value> = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|entry| entry["action"] == "visit_logged")
            .collect();
        assert_eq!(logged.len(), if r == 0 { 5 } else { 4 }, "rep {r}'s lead");
        assert!(
            logged
                .iter()
                .all(|entry| entry["actor_id"] == rep.id.as_str()),
            "rep {r}'s lead: {logged:?}"
        );
        let stored = body(app.get(&format!("/leads/{lead}"), &rep.token).await).await;
        assert_eq!(stored["stage"], "visited");
        assert_eq!(
            stored["version"],
            if r == 0 { 6 } else { 5 },
            "one version per visit"
        );
    }
}

/// A batch is one transaction with a savepoint per item: the repeated id's failed insert
/// (on PostgreSQL an error that would abort a plain transaction) must leave the items before
/// and after it stored.
async fn a_batch_repeating_an_id_stores_it_once_and_goes_on(app: TestApp) {
    let f = fixture(&app).await;
    let (a, b) = (uuid(), uuid());
    let batch = json!({"visits": [
        visit(&a, &f.lead_id, "2026-11-01T09:00:00+08:00"),
        visit(&a, &f.lead_id, "2026-11-01T09:00:00+08:00"),
        visit(&uuid(), "0193a1b2-0000-7000-8000-00000000dead", "2026-11-01T09:45:00+08:00"),
        visit(&b, &f.lead_id, "2026-11-01T10:00:00+08:00"),
    ]});
    let response = app.post("/visits/batch", &f.rep.token, batch).await;
    assert_eq!(response.status(), StatusCode::OK);
    let results = body(response).await["results"].as_array().unwrap().clone();
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["created", "duplicate", "invalid", "created"]);
    assert_eq!(results[1]["id"], a.as_str());
    assert_eq!(results[3]["id"], b.as_str());
    assert_eq!(app.count_visits(), 2);
}

/// The batch stores its items lead by lead in id order (so concurrent batches lock leads in
/// one order); the answer still lists them in the order sent, each lead's visits counted.
async fn a_batch_over_several_leads_answers_in_the_order_sent(app: TestApp) {
    let f = fixture(&app).await;
    let other = body(
        app.post(
            "/leads",
            &f.rep.token,
            json!({"company_name": "义乌市明月袜业", "market": "二区", "stall_no": "B-2201"}),
        )
        .await,
    )
    .await;
    let other_id = other["id"].as_str().unwrap().to_owned();
    // The lead with the larger id first, so the stored order differs from the sent one.
    let (high, low) = if other_id > f.lead_id {
        (other_id.clone(), f.lead_id.clone())
    } else {
        (f.lead_id.clone(), other_id.clone())
    };
    let ids: Vec<String> = (0..5).map(|_| uuid()).collect();
    let batch = json!({"visits": [
        visit(&ids[0], &high, "2026-11-01T09:00:00+08:00"),
        visit(&ids[1], &low, "2026-11-01T09:10:00+08:00"),
        visit(&ids[2], "0193a1b2-0000-7000-8000-00000000dead", "2026-11-01T09:20:00+08:00"),
        visit(&ids[3], &high, "2026-11-01T09:30:00+08:00"),
        visit(&ids[4], &low, "2026-11-01T09:40:00+08:00"),
    ]});
    let response = app.post("/visits/batch", &f.rep.token, batch).await;
    assert_eq!(response.status(), StatusCode::OK);
    let results = body(response).await["results"].as_array().unwrap().clone();
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["created", "created", "invalid", "created", "created"]
    );
    for i in [0, 1, 3, 4] {
        assert_eq!(results[i]["id"], ids[i].as_str(), "result {i}");
    }
    assert_eq!(results[2]["errors"][0]["field"], "lead_id");
    assert_eq!(app.count_visits(), 4);
    for lead in [&high, &low] {
        let visits = body(
            app.get(&format!("/visits?lead_id={lead}"), &f.rep.token)
                .await,
        )
        .await;
        assert_eq!(visits["items"].as_array().unwrap().len(), 2, "lead {lead}");
    }
}

/// The batch writes a lead's visits together (one UPDATE of the lead, one INSERT of the
/// audit records): the lead and its history end as when the same visits are sent one by one.
async fn a_batch_leaves_a_lead_as_its_visits_one_by_one_would(app: TestApp) {
    let f = fixture(&app).await;
    let twin = body(
        app.post(
            "/leads",
            &f.rep.token,
            json!({"company_name": "义乌市星辰饰品二厂", "market": "一区", "stall_no": "A-1024"}),
        )
        .await,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let visits = |lead: &str| {
        let mut first = visit(&uuid(), lead, "2026-11-02T10:00:00+08:00");
        first["next_follow_up_at"] = json!("2026-11-09T10:00:00+08:00");
        let mut second = visit(&uuid(), lead, "2026-11-03T10:00:00+08:00");
        second["next_follow_up_at"] = json!("2026-11-06T10:00:00+08:00");
        // Earlier than the others, and sets no follow-up: changes neither.
        let third = visit(&uuid(), lead, "2026-11-01T10:00:00+08:00");
        [first, second, third]
    };
    for v in visits(&f.lead_id) {
        assert_eq!(
            app.post("/visits", &f.rep.token, v).await.status(),
            StatusCode::CREATED
        );
    }
    let batch = json!({"visits": visits(&twin)});
    let results = body(app.post("/visits/batch", &f.rep.token, batch).await).await;
    assert!(results["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "created"));
    let one_by_one = body(
        app.get(&format!("/leads/{}", f.lead_id), &f.rep.token)
            .await,
    )
    .await;
    let batched = body(app.get(&format!("/leads/{twin}"), &f.rep.token).await).await;
    for field in ["stage", "last_visit_at", "next_follow_up_at", "version"] {
        assert_eq!(batched[field], one_by_one[field], "{field}");
    }
    assert_eq!(batched["stage"], "visited");
    assert_eq!(batched["next_follow_up_at"], "2026-11-06T02:00:00Z");
    // The history: each visit's record, the stage move on the first one only.
    let single = visit_stage_moves(&app, &f.rep.token, &f.lead_id).await;
    let together = visit_stage_moves(&app, &f.rep.token, &twin).await;
    assert_eq!(together.len(), 3);
    assert_eq!(together, single);
    assert_eq!(together[0], Some(json!({"new": "visited"})));
}

/// The `stage` change of each `visit_logged` record in a lead's history, oldest first.
async fn visit_stage_moves(app: &TestApp, token: &str, lead: &str) -> Vec<Option<Value>> {
    let history = body(app.get(&format!("/leads/{lead}/history"), token).await).await;
    let mut moves: Vec<Option<Value>> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "visit_logged")
        .map(|e| e["changes"].get("stage").cloned())
        .collect();
    moves.reverse();
    moves
}

/// Each item of a batch gets what the same visit sent alone would: a teammate's lead is
/// refused (403 alone, `invalid` with the same message in a batch), a lead merged away counts
/// for the lead it was merged into.
async fn a_batch_answers_each_target_as_one_visit_would(app: TestApp) {
    let f = fixture(&app).await;
    let teammate = app.user("rep", Some(&f.team)).await;
    let theirs = body(
        app.post(
            "/leads",
            &teammate.token,
            json!({"company_name": "义乌市明月袜业", "market": "二区", "stall_no": "B-2201"}),
        )
        .await,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let alone = app
        .post(
            "/visits",
            &f.rep.token,
            visit(&uuid(), &theirs, "2026-11-01T09:00:00+08:00"),
        )
        .await;
    let refusal = assert_problem(alone, 403, "forbidden").await;
    let duplicate = body(
        app.post(
            "/leads",
            &f.rep.token,
            json!({"company_name": "义乌市星辰饰品厂 (重复)", "market": "三区", "stall_no": "C-1"}),
        )
        .await,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let merged = app
        .post(
            &format!("/leads/{}/merge", f.lead_id),
            &f.rep.token,
            json!({"duplicate_id": duplicate}),
        )
        .await;
    assert_eq!(merged.status(), StatusCode::OK);
    let ids: Vec<String> = (0..3).map(|_| uuid()).collect();
    let batch = json!({"visits": [
        visit(&ids[0], &theirs, "2026-11-01T09:00:00+08:00"),
        visit(&ids[1], &f.lead_id, "2026-11-01T09:10:00+08:00"),
        visit(&ids[2], &duplicate, "2026-11-01T09:20:00+08:00"),
    ]});
    let results = body(app.post("/visits/batch", &f.rep.token, batch).await).await;
    let results = results["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "invalid");
    assert_eq!(results[0]["errors"][0]["field"], "visit");
    assert_eq!(results[0]["errors"][0]["message"], refusal["detail"]);
    assert_eq!(results[1]["status"], "created");
    assert_eq!(results[2]["status"], "created");
    assert_eq!(app.count_visits(), 2);
    let survivor = body(
        app.get(&format!("/visits?lead_id={}", f.lead_id), &f.rep.token)
            .await,
    )
    .await;
    assert_eq!(survivor["items"].as_array().unwrap().len(), 2);
}

async fn a_batch_stores_its_valid_items_around_invalid_ones(app: TestApp) {
    let f = fixture(&app).await;
    let (a, c) = (uuid(), uuid());
    let batch = json!({"visits": [
        visit(&a, &f.lead_id, "2026-11-01T09:00:00+08:00"),
        {"id": uuid(), "lead_id": f.lead_id, "visited_at": "2026-11-01T09:30:00+08:00", "purpose": "lunch", "outcome": "interested"},
        {"lead_id": f.lead_id, "visited_at": "2026-11-01T09:40:00+08:00", "purpose": "follow_up", "outcome": "interested"},
        visit(&uuid(), "0193a1b2-0000-7000-8000-00000000dead", "2026-11-01T09:45:00+08:00"),
        visit(&c, &f.lead_id, "2026-11-01T10:00:00+08:00"),
    ]});
    let response = app.post("/visits/batch", &f.rep.token, batch).await;
    assert_eq!(response.status(), StatusCode::OK);
    let results = body(response).await["results"].as_array().unwrap().clone();
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["created", "invalid", "invalid", "invalid", "created"]
    );
    assert_eq!(results[0]["id"], a.as_str());
    assert_eq!(results[1]["errors"][0]["field"], "purpose");
    assert_eq!(results[2]["errors"][0]["field"], "id");
    assert_eq!(results[3]["errors"][0]["field"], "lead_id");
    assert_eq!(results[4]["id"], c.as_str());
    assert_eq!(app.count_visits(), 2);

    let too_many: Vec<Value> = (0..501)
        .map(|_| visit(&uuid(), &f.lead_id, "2026-11-01T09:00:00+08:00"))
        .collect();
    assert_problem(
        app.post("/visits/batch", &f.rep.token, json!({"visits": too_many}))
            .await,
        422,
        "validation_failed",
    )
    .await;
}

async fn business_dates_are_days_in_shanghai(app: TestApp) {
    let f = fixture(&app).await;
    let late = body(
        app.post(
            "/visits",
            &f.rep.token,
            visit(&uuid(), &f.lead_id, "2026-10-31T23:30:00Z"),
        )
        .await,
    )
    .await;
    assert_eq!(late["business_date"], "2026-11-01");
    assert_eq!(late["visited_at"], "2026-10-31T23:30:00Z");
    let early = body(
        app.post(
            "/visits",
            &f.rep.token,
            visit(&uuid(), &f.lead_id, "2026-11-01T07:59:00+08:00"),
        )
        .await,
    )
    .await;
    assert_eq!(early["business_date"], "2026-11-01");
    assert_eq!(early["visited_at"], "2026-10-31T23:59:00Z");
    let day = body(
        app.get("/visits?business_date=2026-11-01", &f.rep.token)
            .await,
    )
    .await;
    assert_eq!(day["items"].as_array().unwrap().len(), 2);
}

async fn visits_from_the_future_are_refused(app: TestApp) {
    let f = fixture(&app).await;
    let in_ten = (chrono::Utc::now() + chrono::Duration::minutes(10)).to_rfc3339();
    let problem = assert_problem(
        app.post("/visits", &f.rep.token, visit(&uuid(), &f.lead_id, &in_ten))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "visited_at");
    let in_two = (chrono::Utc::now() + chrono::Duration::minutes(2)).to_rfc3339();
    assert_eq!(
        app.post("/visits", &f.rep.token, visit(&uuid(), &f.lead_id, &in_two))
            .await
            .status(),
        StatusCode::CREATED
    );
    // A week-old visit synced late is welcome, and says when it arrived.
    let last_week = (chrono::Utc::now() - chrono::Duration::days(7)).to_rfc3339();
    let late = body(
        app.post(
            "/visits",
            &f.rep.token,
            visit(&uuid(), &f.lead_id, &last_week),
        )
        .await,
    )
    .await;
    assert_ne!(late["received_at"], late["visited_at"]);
    assert_eq!(app.count_visits(), 2);
}

async fn a_visit_moves_the_lead_forward(app: TestApp) {
    let f = fixture(&app).await;
    let mut v = visit(&uuid(), &f.lead_id, "2026-11-01T10:00:00+08:00");
    v["next_follow_up_at"] = json!("2026-11-05T10:00:00+08:00");
    app.post("/visits", &f.rep.token, v).await;
    let lead = body(
        app.get(&format!("/leads/{}", f.lead_id), &f.rep.token)
            .await,
    )
    .await;
    assert_eq!(lead["stage"], "visited");
    assert_eq!(lead["last_visit_at"], "2026-11-01T02:00:00Z");
    assert_eq!(lead["next_follow_up_at"], "2026-11-05T02:00:00Z");
    // An older visit synced later does not move last_visit_at back.
    app.post(
        "/visits",
        &f.rep.token,
        visit(&uuid(), &f.lead_id, "2026-10-30T10:00:00+08:00"),
    )
    .await;
    let lead = body(
        app.get(&format!("/leads/{}", f.lead_id), &f.rep.token)
            .await,
    )
    .await;
    assert_eq!(lead["last_visit_at"], "2026-11-01T02:00:00Z");
    let history = body(
        app.get(&format!("/leads/{}/history", f.lead_id), &f.rep.token)
            .await,
    )
    .await;
    assert_eq!(history["items"][0]["action"], "visit_logged");
    // A lead further along is not moved back.
    let path = format!("/leads/{}", f.lead_id);
    app.patch(&path, &f.rep.token, json!({"stage": "negotiating"}))
        .await;
    app.post(
        "/visits",
        &f.rep.token,
        visit(&uuid(), &f.lead_id, "2026-11-02T10:00:00+08:00"),
    )
    .await;
    assert_eq!(
        body(app.get(&path, &f.rep.token).await).await["stage"],
        "negotiating"
    );
}

async fn a_new_stall_is_captured_with_its_first_visit(app: TestApp) {
    let f = fixture(&app).await;
    let v = json!({"id": uuid(), "new_lead": {"company_name": "金鹰玩具", "phone": "13300133000", "market": "二区", "stall_no": "B-7"},
                   "visited_at": "2026-11-01T11:00:00+08:00", "purpose": "prospecting", "outcome": "interested"});
    let created = body(app.post("/visits", &f.rep.token, v).await).await;
    let lead = body(
        app.get(
            &format!("/leads/{}", created["lead_id"].as_str().unwrap()),
            &f.rep.token,
        )
        .await,
    )
    .await;
    assert_eq!(lead["company_name"], "金鹰玩具");
    assert_eq!(lead["stage"], "visited");
    let dup = json!({"id": uuid(), "new_lead": {"company_name": "又一个", "phone": "133 0013 3000"},
                     "visited_at": "2026-11-01T11:30:00+08:00", "purpose": "prospecting", "outcome": "interested"});
    assert_problem(
        app.post("/visits", &f.rep.token, dup).await,
        409,
        "duplicate",
    )
    .await;
    assert_eq!(
        app.count_visits(),
        1,
        "the refused visit was not stored either"
    );
    let both = json!({"id": uuid(), "lead_id": f.lead_id, "new_lead": {"company_name": "x"},
                      "visited_at": "2026-11-01T11:30:00+08:00", "purpose": "prospecting", "outcome": "interested"});
    assert_problem(
        app.post("/visits", &f.rep.token, both).await,
        422,
        "validation_failed",
    )
    .await;
}

async fn location_is_evidence_not_a_gate(app: TestApp) {
    let f = fixture(&app).await;
    let at = |lat: f64, accuracy: f64| {
        let mut v = visit(&uuid(), &f.lead_id, "2026-11-01T10:00:00+08:00");
        v["location"] = json!({"lat": lat, "lng": 120.1078, "accuracy_m": accuracy});
        v
    };
    let near = body(app.post("/visits", &f.rep.token, at(29.3322, 10.0)).await).await;
    assert_eq!(near["location_check"], "verified");
    let far = body(app.post("/visits", &f.rep.token, at(29.3400, 10.0)).await).await;
    assert_eq!(far["location_check"], "out_of_range", "stored all the same");
    let none = body(
        app.post(
            "/visits",
            &f.rep.token,
            visit(&uuid(), &f.lead_id, "2026-11-01T10:00:00+08:00"),
        )
        .await,
    )
    .await;
    assert_eq!(none["location_check"], "unverifiable");
    assert_problem(
        app.post("/visits", &f.rep.token, at(95.0, 10.0)).await,
        422,
        "validation_failed",
    )
    .await;
}

async fn reps_correct_their_own_visits_for_a_day(app: TestApp) {
    let f = fixture(&app).await;
    let lead_user = app.user("team_lead", Some(&f.team)).await;
    let v = body(
        app.post(
            "/visits",
            &f.rep.token,
            visit(&uuid(), &f.lead_id, "2026-11-01T10:00:00+08:00"),
        )
        .await,
    )
    .await;
    let path = format!("/visits/{}", v["id"].as_str().unwrap());
    let fixed = app
        .patch(
            &path,
            &f.rep.token,
            json!({"outcome": "follow_up_scheduled", "notes": "老板下周回来"}),
        )
        .await;
    assert_eq!(fixed.status(), StatusCode::OK);
    assert_eq!(body(fixed).await["version"], 2);
    // A day and more later, only the team lead may.
    let id = v["id"].as_str().unwrap();
    let two_days_ago = (chrono::Utc::now() - chrono::Duration::hours(25))
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    app.execute_sql(&format!(
        "UPDATE visits SET received_at = '{two_days_ago}' WHERE id = '{id}'"
    ));
    assert_problem(
        app.patch(&path, &f.rep.token, json!({"notes": "too late"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    let by_lead = app
        .patch(
            &path,
            &lead_user.token,
            json!({"notes": "checked with the owner"}),
        )
        .await;
    assert_eq!(body(by_lead).await["notes"], "checked with the owner");
    assert_problem(
        app.patch(
            &path,
            &lead_user.token,
            json!({"visited_at": "2026-11-01T10:00:00+08:00"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
}

async fn visits_are_private_to_the_rep_and_their_leads(app: TestApp) {
    let f = fixture(&app).await;
    let west = app.team("West", None).await;
    let stranger = app.user("rep", Some(&west)).await;
    let teammate = app.user("rep", Some(&f.team)).await;
    let west_lead = app.user("team_lead", Some(&west)).await;
    let east_lead = app.user("team_lead", Some(&f.team)).await;
    let v = body(
        app.post(
            "/visits",
            &f.rep.token,
            visit(&uuid(), &f.lead_id, "2026-11-01T10:00:00+08:00"),
        )
        .await,
    )
    .await;
    let path = format!("/visits/{}", v["id"].as_str().unwrap());
    assert_problem(app.get(&path, &stranger.token).await, 404, "not_found").await;
    assert_problem(app.get(&path, &west_lead.token).await, 404, "not_found").await;
    assert_problem(app.get(&path, &teammate.token).await, 404, "not_found").await;
    assert_eq!(
        app.get(&path, &east_lead.token).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        body(app.get("/visits", &stranger.token).await).await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        body(app.get("/visits", &east_lead.token).await).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // A teammate's lead is read-only to a rep: logging a visit on it would move its
    // follow-up and stage, so it is refused and the lead is untouched.
    let refused = app
        .post(
            "/visits",
            &teammate.token,
            visit(&uuid(), &f.lead_id, "2026-11-01T11:00:00+08:00"),
        )
        .await;
    assert_problem(refused, 403, "forbidden").await;
    assert_eq!(
        body(
            app.get(&format!("/leads/{}", f.lead_id), &f.rep.token)
                .await
        )
        .await["version"],
        2
    );
    // Nor may anyone log a visit on a lead they cannot see.
    assert_problem(
        app.post(
            "/visits",
            &stranger.token,
            visit(&uuid(), &f.lead_id, "2026-11-01T10:00:00+08:00"),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
}

async fn my_day_lists_visits_and_follow_ups(app: TestApp) {
    let f = fixture(&app).await;
    let mut v = visit(&uuid(), &f.lead_id, "2026-11-03T00:30:00+08:00");
    v["next_follow_up_at"] = json!("2026-11-03T15:00:00+08:00");
    app.post("/visits", &f.rep.token, v).await;
    app.post(
        "/visits",
        &f.rep.token,
        visit(&uuid(), &f.lead_id, "2026-11-02T23:30:00+08:00"),
    )
    .await;
    let day = body(app.get("/me/day?date=2026-11-03", &f.rep.token).await).await;
    assert_eq!(day["date"], "2026-11-03");
    assert_eq!(
        day["visits"].as_array().unwrap().len(),
        1,
        "00:30 Shanghai time is that day; 23:30 the day before is not"
    );
    assert_eq!(day["follow_ups_due"][0]["id"], f.lead_id.as_str());
    let before = body(app.get("/me/day?date=2026-11-02", &f.rep.token).await).await;
    assert_eq!(before["visits"].as_array().unwrap().len(), 1);
    assert_eq!(before["follow_ups_due"].as_array().unwrap().len(), 0);
    assert_problem(
        app.get("/me/day?date=tomorrow", &f.rep.token).await,
        422,
        "validation_failed",
    )
    .await;
}

async fn a_bad_visit_correction_is_422_whatever_the_version(app: TestApp) {
    let f = fixture(&app).await;
    let created = app
        .post(
            "/visits",
            &f.rep.token,
            visit(&uuid(), &f.lead_id, "2026-11-01T10:00:00+08:00"),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let path = format!("/visits/{}", body(created).await["id"].as_str().unwrap());
    let before = body(app.get(&path, &f.rep.token).await).await;
    let stale = before["version"].as_i64().unwrap() + 7;
    for (change, field) in [
        (json!({"duration_minutes": 1441}), "duration_minutes"),
        (json!({"notes": "记".repeat(4001)}), "notes"),
    ] {
        let refused = app.patch_if_match(&path, &f.rep.token, stale, change).await;
        let problem = assert_problem(refused, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    // A valid correction with the stale version is what 412 is for.
    assert_problem(
        app.patch_if_match(&path, &f.rep.token, stale, json!({"duration_minutes": 30}))
            .await,
        412,
        "precondition_failed",
    )
    .await;
    assert_eq!(body(app.get(&path, &f.rep.token).await).await, before);
}

/// Corrupt stored data is the server's fault: a 500 on every read that meets it (one visit,
/// the list), never a default value in its place.
async fn an_unreadable_stored_visit_is_a_500_wherever_it_is_read(app: TestApp) {
    let f = fixture(&app).await;
    let id = uuid();
    let created = app
        .post(
            "/visits",
            &f.rep.token,
            visit(&id, &f.lead_id, "2026-11-01T10:00:00+08:00"),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    // The enum columns have CHECK constraints; the day is free text to the database.
    for text in ["2026-11-31", "01/11/2026", ""] {
        app.execute_sql(&format!(
            "UPDATE visits SET business_date = '{text}' WHERE id = '{id}'"
        ));
        for path in [format!("/visits/{id}"), "/visits".to_owned()] {
            assert_problem(app.get(&path, &f.rep.token).await, 500, "internal").await;
        }
    }
    app.execute_sql(&format!(
        "UPDATE visits SET business_date = '2026-11-01' WHERE id = '{id}'"
    ));
    let read = app.get(&format!("/visits/{id}"), &f.rep.token).await;
    assert_eq!(body(read).await["business_date"], "2026-11-01");
}
