use crate::backend_tests;
use crate::helpers::{assert_problem, body, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;

backend_tests!(
    leads_move_only_by_the_stage_rules,
    duplicates_are_found_by_every_identifier,
    duplicates_in_another_team_are_named_without_their_id,
    a_rep_reads_the_team_but_changes_only_their_own,
    owner_team_and_stage_need_the_right_role,
    conversion_creates_an_account_and_wins_the_lead,
    a_failed_conversion_leaves_nothing_behind,
    merge_folds_a_duplicate_into_the_survivor,
    history_records_every_change,
    client_ids_make_creates_replay_safe,
    archived_leads_leave_the_list,
    pagination_over_hundreds_of_leads,
    filters_and_search,
    unreadable_stored_categories_are_a_500_not_an_empty_list,
    every_bad_fact_is_named_in_the_order_of_the_fields,
);

async fn lead(app: &TestApp, token: &str, body_json: Value) -> Value {
    let response = app.post("/leads", token, body_json).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    body(response).await
}

async fn move_to(app: &TestApp, token: &str, id: &str, stage: &str) -> reqwest::Response {
    let mut change = json!({"stage": stage});
    if stage == "lost" {
        change["lost_reason"] = json!("went with a competitor");
    }
    app.patch(&format!("/leads/{id}"), token, change).await
}

async fn leads_move_only_by_the_stage_rules(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let l = lead(
        &app,
        &rep.token,
        json!({"company_name": "义乌市星辰饰品厂"}),
    )
    .await;
    let id = l["id"].as_str().unwrap();
    assert_eq!(l["stage"], "new");
    assert_eq!(l["owner_id"], rep.id.as_str());
    assert_eq!(l["team_id"], team.as_str());

    // Forward with a skip, then no way back.
    assert_eq!(
        move_to(&app, &rep.token, id, "visited").await.status(),
        StatusCode::OK
    );
    for illegal in ["new", "contacted", "won"] {
        assert_problem(
            move_to(&app, &rep.token, id, illegal).await,
            422,
            "invalid_transition",
        )
        .await;
    }
    // Lost needs a reason.
    assert_problem(
        app.patch(
            &format!("/leads/{id}"),
            &rep.token,
            json!({"stage": "lost"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let lost = body(move_to(&app, &rep.token, id, "lost").await).await;
    assert_eq!(lost["lost_reason"], "went with a competitor");
    for illegal in ["new", "visited", "negotiating", "won"] {
        assert_problem(
            move_to(&app, &rep.token, id, illegal).await,
            422,
            "invalid_transition",
        )
        .await;
    }
    let reopened = body(move_to(&app, &rep.token, id, "contacted").await).await;
    assert_eq!(reopened["stage"], "contacted");
    assert!(reopened["lost_reason"].is_null());

    // A lead cannot be born lost or won.
    for stage in ["lost", "won"] {
        assert_problem(
            app.post(
                "/leads",
                &rep.token,
                json!({"company_name": "x", "stage": stage}),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
    }
}

async fn duplicates_are_found_by_every_identifier(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let original = lead(
        &app,
        &rep.token,
        json!({"company_name": "星辰饰品", "phone": "138 0013 8000", "wechat_id": "XingChen-Yiwu",
               "business_license_no": "91350100M000100Y43", "market": "国际商贸城一区", "stall_no": "a-1023"}),
    )
    .await;
    assert_eq!(original["phone"], "+8613800138000");
    assert_eq!(original["stall_no"], "A-1023");
    let id = original["id"].as_str().unwrap();

    for (field, value) in [
        ("phone", json!("+86 138-0013-8000")),
        ("phone", json!("0086 13800138000")),
        ("wechat_id", json!("xingchen-yiwu")),
        ("business_license_no", json!("91350100m000100y43")),
    ] {
        let mut attempt = json!({"company_name": "另一家"});
        attempt[field] = value;
        let problem = assert_problem(
            app.post("/leads", &rep.token, attempt).await,
            409,
            "duplicate",
        )
        .await;
        assert_eq!(problem["existing"]["id"], id, "{field}");
        assert_eq!(
            problem["existing"]["matched_on"][0],
            if field == "phone" { "phone" } else { field }
        );
    }
    let stall = app
        .post(
            "/leads",
            &rep.token,
            json!({"company_name": "x", "market": "国际商贸城一区", "stall_no": "A-1023"}),
        )
        .await;
    assert_eq!(
        assert_problem(stall, 409, "duplicate").await["existing"]["matched_on"][0],
        "stall"
    );
    // The same stall number in another market is another stall.
    let other_market = app
        .post(
            "/leads",
            &rep.token,
            json!({"company_name": "x", "market": "国际商贸城二区", "stall_no": "A-1023"}),
        )
        .await;
    assert_eq!(other_market.status(), StatusCode::CREATED);

    // An update that would duplicate is refused too, and changes nothing.
    let other_id = body(other_market).await["id"].as_str().unwrap().to_owned();
    assert_problem(
        app.patch(
            &format!("/leads/{other_id}"),
            &rep.token,
            json!({"phone": "13800138000"}),
        )
        .await,
        409,
        "duplicate",
    )
    .await;

    // Asked before typing the whole lead.
    let answer = body(app.get("/leads/duplicates?phone=13800138000&stall_no=A-1023&market=%E5%9B%BD%E9%99%85%E5%95%86%E8%B4%B8%E5%9F%8E%E4%B8%80%E5%8C%BA", &rep.token).await).await;
    let matches = answer["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 1);
    assert_eq!(matches[0]["id"], id);
    assert_eq!(matches[0]["matched_on"], json!(["phone", "stall"]));
    assert_problem(
        app.get("/leads/duplicates?phone=12", &rep.token).await,
        422,
        "validation_failed",
    )
    .await;

    // A lost lead no longer blocks a new one.
    move_to(&app, &rep.token, id, "lost").await;
    assert_eq!(
        app.post(
            "/leads",
            &rep.token,
            json!({"company_name": "new try", "phone": "13800138000"})
        )
        .await
        .status(),
        StatusCode::CREATED
    );
}

async fn duplicates_in_another_team_are_named_without_their_id(app: TestApp) {
    let east = app.team("East", None).await;
    let west = app.team("West", None).await;
    let east_rep = app.user("rep", Some(&east)).await;
    let west_rep = app.user("rep", Some(&west)).await;
    lead(
        &app,
        &east_rep.token,
        json!({"company_name": "东", "phone": "13900139000"}),
    )
    .await;
    let problem = assert_problem(
        app.post(
            "/leads",
            &west_rep.token,
            json!({"company_name": "西", "phone": "13900139000"}),
        )
        .await,
        409,
        "duplicate",
    )
    .await;
    assert!(problem["existing"].get("id").is_none());
    assert_eq!(problem["existing"]["visible"], false);
    assert!(problem["detail"].as_str().unwrap().contains("another team"));
    let answer = body(
        app.get("/leads/duplicates?phone=13900139000", &west_rep.token)
            .await,
    )
    .await;
    assert!(answer["matches"][0]["id"].is_null());
    assert!(answer["matches"][0]["company_name"].is_null());
}

async fn a_rep_reads_the_team_but_changes_only_their_own(app: TestApp) {
    let east = app.team("East", None).await;
    let west = app.team("West", None).await;
    let rep = app.user("rep", Some(&east)).await;
    let teammate = app.user("rep", Some(&east)).await;
    let stranger = app.user("rep", Some(&west)).await;
    let theirs = lead(&app, &teammate.token, json!({"company_name": "同事的"})).await;
    let far = lead(&app, &stranger.token, json!({"company_name": "别队的"})).await;
    let theirs_path = format!("/leads/{}", theirs["id"].as_str().unwrap());
    let far_path = format!("/leads/{}", far["id"].as_str().unwrap());

    assert_eq!(
        app.get(&theirs_path, &rep.token).await.status(),
        StatusCode::OK
    );
    assert_problem(
        app.patch(&theirs_path, &rep.token, json!({"notes": "mine now"}))
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(app.get(&far_path, &rep.token).await, 404, "not_found").await;
    assert_problem(
        app.patch(&far_path, &rep.token, json!({"notes": "x"}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get(&format!("{far_path}/history"), &rep.token).await,
        404,
        "not_found",
    )
    .await;
    let listed = body(app.get("/leads", &rep.token).await).await;
    let names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["company_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["同事的"]);
    let after = body(app.get(&theirs_path, &teammate.token).await).await;
    assert!(
        after["notes"].is_null(),
        "the refused write changed nothing"
    );
}

async fn owner_team_and_stage_need_the_right_role(app: TestApp) {
    let branch = app.team("Branch", None).await;
    let east = app.team("East", Some(&branch)).await;
    let west = app.team("West", Some(&branch)).await;
    let rep = app.user("rep", Some(&east)).await;
    let teammate = app.user("rep", Some(&east)).await;
    let lead_user = app.user("team_lead", Some(&east)).await;
    let west_rep = app.user("rep", Some(&west)).await;
    let manager = app.user("manager", Some(&branch)).await;
    let l = lead(&app, &rep.token, json!({"company_name": "自己的"})).await;
    let path = format!("/leads/{}", l["id"].as_str().unwrap());

    assert_problem(
        app.patch(&path, &rep.token, json!({"owner_id": teammate.id}))
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.patch(&path, &rep.token, json!({"team_id": west})).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.post(
            &format!("{path}/assign"),
            &rep.token,
            json!({"owner_id": teammate.id}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.post(
            "/leads",
            &rep.token,
            json!({"company_name": "for someone", "owner_id": teammate.id}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let unchanged = body(app.get(&path, &rep.token).await).await;
    assert_eq!(unchanged["owner_id"], rep.id.as_str());
    assert_eq!(unchanged["version"], 1);

    let assigned = body(
        app.post(
            &format!("{path}/assign"),
            &lead_user.token,
            json!({"owner_id": teammate.id}),
        )
        .await,
    )
    .await;
    assert_eq!(assigned["owner_id"], teammate.id.as_str());
    // A team lead cannot hand it outside the team, a manager can: the team follows the owner.
    assert_problem(
        app.post(
            &format!("{path}/assign"),
            &lead_user.token,
            json!({"owner_id": west_rep.id}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let moved = body(
        app.post(
            &format!("{path}/assign"),
            &manager.token,
            json!({"owner_id": west_rep.id}),
        )
        .await,
    )
    .await;
    assert_eq!(moved["team_id"], west.as_str());
    assert_problem(app.get(&path, &rep.token).await, 404, "not_found").await;
}

async fn conversion_creates_an_account_and_wins_the_lead(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let l = lead(
        &app,
        &rep.token,
        json!({"company_name": "义乌袜业", "phone": "13700137000", "stage": "negotiating"}),
    )
    .await;
    let id = l["id"].as_str().unwrap();
    let terms = json!({"membership_tier": "gold", "contract_value": {"amount": 1980000, "currency": "CNY"},
                       "contract_start": "2026-11-01", "contract_months": 12});
    let send = |key: &'static str| {
        app.request(
            Method::POST,
            &format!("/leads/{id}/convert"),
            Some(&rep.token),
        )
        .header("Idempotency-Key", key)
        .json(&terms)
        .send()
    };
    let first = send("convert-1").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let account = body(first).await;
    assert_eq!(account["lead_id"], id);
    assert_eq!(account["status"], "onboarding");
    assert_eq!(account["contract_end"], "2027-10-31");
    assert_eq!(
        account["contract_value"],
        json!({"amount": 1980000, "currency": "CNY"})
    );
    let again = send("convert-1").await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(body(again).await["id"], account["id"]);

    assert_eq!(app.count_seller_accounts(), 1);
    let won = body(app.get(&format!("/leads/{id}"), &rep.token).await).await;
    assert_eq!(won["stage"], "won");
    assert_eq!(won["account_id"], account["id"]);
    // Won is final; converting again without the key is refused.
    assert_problem(send("convert-2").await.unwrap(), 422, "invalid_transition").await;
    assert_problem(
        move_to(&app, &rep.token, id, "lost").await,
        422,
        "invalid_transition",
    )
    .await;
    // The signed seller's phone now blocks a new lead.
    assert_problem(
        app.post(
            "/leads",
            &rep.token,
            json!({"company_name": "again", "phone": "13700137000"}),
        )
        .await,
        409,
        "duplicate",
    )
    .await;
}

async fn a_failed_conversion_leaves_nothing_behind(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let l = lead(
        &app,
        &rep.token,
        json!({"company_name": "半途而废", "stage": "negotiating"}),
    )
    .await;
    let id = l["id"].as_str().unwrap();
    // Fault injection: the lead's move to `won` fails after the account was inserted.
    if app.is_postgres() {
        app.execute_sql(
            "CREATE FUNCTION refuse_won() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER refuse_won BEFORE UPDATE ON leads FOR EACH ROW WHEN (NEW.stage = 'won') EXECUTE FUNCTION refuse_won();",
        );
    } else {
        app.execute_sql(
            "CREATE TRIGGER refuse_won BEFORE UPDATE ON leads WHEN NEW.stage = 'won' BEGIN SELECT RAISE(ABORT, 'injected'); END;",
        );
    }
    let terms = json!({"membership_tier": "standard", "contract_value": {"amount": 500000, "currency": "CNY"},
                       "contract_start": "2026-11-01", "contract_months": 6});
    let failed = app
        .post(&format!("/leads/{id}/convert"), &rep.token, terms)
        .await;
    assert_problem(failed, 500, "internal").await;
    assert_eq!(app.count_seller_accounts(), 0, "no account");
    let after = body(app.get(&format!("/leads/{id}"), &rep.token).await).await;
    assert_eq!(after["stage"], "negotiating");
    assert_eq!(after["version"], 1);
    let history = body(app.get(&format!("/leads/{id}/history"), &rep.token).await).await;
    assert_eq!(
        history["items"].as_array().unwrap().len(),
        1,
        "only the creation"
    );
}

async fn merge_folds_a_duplicate_into_the_survivor(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let survivor = lead(
        &app,
        &rep.token,
        json!({"company_name": "星辰饰品厂", "phone": "13600136000"}),
    )
    .await;
    let duplicate = lead(&app, &rep.token, json!({"company_name": "星辰饰品", "wechat_id": "xingchen88", "market": "一区", "stall_no": "B-12"})).await;
    let (sid, did) = (
        survivor["id"].as_str().unwrap(),
        duplicate["id"].as_str().unwrap(),
    );
    app.patch(
        &format!("/leads/{did}"),
        &rep.token,
        json!({"notes": "met the owner's son"}),
    )
    .await;

    let merged = app
        .post(
            &format!("/leads/{sid}/merge"),
            &rep.token,
            json!({"duplicate_id": did}),
        )
        .await;
    assert_eq!(merged.status(), StatusCode::OK);
    let merged = body(merged).await;
    assert_eq!(
        merged["company_name"], "星辰饰品厂",
        "the survivor keeps its own values"
    );
    assert_eq!(
        merged["wechat_id"], "xingchen88",
        "and takes what it lacked"
    );
    assert_eq!(merged["stall_no"], "B-12");

    let folded = body(app.get(&format!("/leads/{did}"), &rep.token).await).await;
    assert_eq!(folded["archived"], true);
    assert_eq!(folded["merged_into_id"], sid);
    let listed = body(app.get("/leads", &rep.token).await).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    let history = body(
        app.get(&format!("/leads/{sid}/history?limit=200"), &rep.token)
            .await,
    )
    .await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"merged"));
    assert!(history["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["entity_id"] == did && e["changes"]["notes"]["new"] == "met the owner's son"));
    assert_problem(
        app.post(
            &format!("/leads/{sid}/merge"),
            &rep.token,
            json!({"duplicate_id": sid}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
}

async fn history_records_every_change(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let lead_user = app.user("team_lead", Some(&team)).await;
    let l = lead(
        &app,
        &rep.token,
        json!({"company_name": "玩具厂", "contact_name": "李"}),
    )
    .await;
    let path = format!("/leads/{}", l["id"].as_str().unwrap());
    app.patch(
        &path,
        &rep.token,
        json!({"contact_name": "李伟", "stage": "contacted"}),
    )
    .await;
    app.post(
        &format!("{path}/assign"),
        &lead_user.token,
        json!({"owner_id": lead_user.id}),
    )
    .await;
    let history = body(app.get(&format!("{path}/history"), &rep.token).await).await;
    let events = history["items"].as_array().unwrap();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["assigned", "stage_changed", "created"]);
    assert_eq!(
        events[1]["changes"]["contact_name"],
        json!({"old": "李", "new": "李伟"})
    );
    assert_eq!(
        events[1]["changes"]["stage"],
        json!({"old": "new", "new": "contacted"})
    );
    assert_eq!(events[1]["actor_id"], rep.id.as_str());
    assert_eq!(
        events[0]["changes"]["owner_id"]["new"],
        lead_user.id.as_str()
    );
}

async fn client_ids_make_creates_replay_safe(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let id = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b";
    let first = app
        .post(
            "/leads",
            &rep.token,
            json!({"id": id, "company_name": "离线录入"}),
        )
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let again = app
        .post(
            "/leads",
            &rep.token,
            json!({"id": id, "company_name": "离线录入"}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(body(again).await["id"], id);
    assert_eq!(
        body(app.get("/leads", &rep.token).await).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_problem(
        app.post(
            "/leads",
            &rep.token,
            json!({"id": "not-a-uuid", "company_name": "x"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
}

async fn archived_leads_leave_the_list(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let l = lead(
        &app,
        &rep.token,
        json!({"company_name": "歇业了", "phone": "13500135000"}),
    )
    .await;
    let path = format!("/leads/{}", l["id"].as_str().unwrap());
    let archived = app
        .request(Method::DELETE, &path, Some(&rep.token))
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        body(app.get("/leads", &rep.token).await).await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let shown = body(app.get("/leads?archived=true", &rep.token).await).await;
    assert_eq!(shown["items"][0]["archived"], true);
    // Archived leads block no one.
    assert_eq!(
        app.post(
            "/leads",
            &rep.token,
            json!({"company_name": "重新开业", "phone": "13500135000"})
        )
        .await
        .status(),
        StatusCode::CREATED
    );
}

async fn pagination_over_hundreds_of_leads(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let mut made = HashSet::new();
    for i in 0..230 {
        made.insert(
            lead(
                &app,
                &rep.token,
                json!({"company_name": format!("商户 {i}")}),
            )
            .await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = body(
            app.get(&format!("/leads?limit=40&cursor={cursor}"), &rep.token)
                .await,
        )
        .await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 230);
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), made);
}

async fn filters_and_search(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    lead(&app, &rep.token, json!({"company_name": "华美工艺品", "contact_name": "王芳", "market": "一区", "stall_no": "C-7", "source": "walk_in"})).await;
    let other = lead(&app, &rep.token, json!({"company_name": "金鹰玩具", "phone": "13300133000", "market": "二区", "stage": "visited",
        "next_follow_up_at": "2026-11-02T09:00:00+08:00"})).await;
    let names = |page: Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["company_name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(body(app.get("/leads?q=%E7%8E%8B%E8%8A%B3", &rep.token).await).await),
        ["华美工艺品"]
    );
    assert_eq!(
        names(body(app.get("/leads?q=133001", &rep.token).await).await),
        ["金鹰玩具"]
    );
    assert_eq!(
        names(body(app.get("/leads?q=c-7", &rep.token).await).await),
        ["华美工艺品"]
    );
    assert_eq!(
        names(body(app.get("/leads?stage=visited", &rep.token).await).await),
        ["金鹰玩具"]
    );
    assert_eq!(
        names(body(app.get("/leads?source=walk_in", &rep.token).await).await),
        ["华美工艺品"]
    );
    assert_eq!(
        names(
            body(
                app.get("/leads?follow_up_before=2026-11-02T02:00:00Z", &rep.token)
                    .await
            )
            .await
        ),
        ["金鹰玩具"]
    );
    assert_eq!(other["next_follow_up_at"], "2026-11-02T01:00:00Z");
    assert_eq!(
        names(
            body(
                app.get(&format!("/leads?owner_id={}", rep.id), &rep.token)
                    .await
            )
            .await
        )
        .len(),
        2
    );
    assert_problem(
        app.get("/leads?stage=closed", &rep.token).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get("/leads?updated_since=yesterday", &rep.token).await,
        422,
        "validation_failed",
    )
    .await;
}

/// A lead whose stored categories are not a JSON list is corrupt: every read that meets it
/// fails alike (500, logged), instead of showing the lead with no categories.
async fn unreadable_stored_categories_are_a_500_not_an_empty_list(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let l = lead(
        &app,
        &rep.token,
        json!({"company_name": "星辰饰品", "product_categories": ["饰品", "发饰"]}),
    )
    .await;
    let id = l["id"].as_str().unwrap();
    assert_eq!(l["product_categories"], json!(["饰品", "发饰"]));
    app.execute_sql(&format!(
        "UPDATE leads SET product_categories = '饰品|发饰' WHERE id = '{id}'"
    ));
    for path in [format!("/leads/{id}"), "/leads".to_owned()] {
        assert_problem(app.get(&path, &rep.token).await, 500, "internal").await;
    }
    app.execute_sql(&format!(
        "UPDATE leads SET product_categories = '[\"饰品\"]' WHERE id = '{id}'"
    ));
    let read = body(app.get(&format!("/leads/{id}"), &rep.token).await).await;
    assert_eq!(read["product_categories"], json!(["饰品"]));
}

/// The fields of a 422, in order.
fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn every_bad_fact_is_named_in_the_order_of_the_fields(app: TestApp) {
    let team = app.team("East", None).await;
    let rep = app.user("rep", Some(&team)).await;
    let long = |n: usize| "x".repeat(n);
    let bad = json!({
        "company_name": " ", "contact_name": long(101), "phone": "12", "wechat_id": "1",
        "email": "nope", "business_license_no": "123", "market": long(101),
        "district": long(101), "stall_no": long(51), "location": {"lat": 200.0, "lng": 0.0},
        "product_categories": [""], "source": long(51),
        "estimated_value": {"amount": 1, "currency": "XX"}, "notes": long(4001)
    });
    let expected = [
        "company_name",
        "contact_name",
        "phone",
        "wechat_id",
        "email",
        "business_license_no",
        "market",
        "district",
        "stall_no",
        "location",
        "product_categories[0]",
        "source",
        "estimated_value",
        "notes",
    ];
    let problem = assert_problem(
        app.post("/leads", &rep.token, bad.clone()).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&problem), expected, "{problem}");

    // A change is checked the same way, and nothing of it is stored.
    let l = lead(
        &app,
        &rep.token,
        json!({"company_name": "义乌市星辰饰品厂"}),
    )
    .await;
    let id = l["id"].as_str().unwrap();
    let problem = assert_problem(
        app.patch(&format!("/leads/{id}"), &rep.token, bad).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(error_fields(&problem), expected, "{problem}");
    let stored = body(app.get(&format!("/leads/{id}"), &rep.token).await).await;
    assert_eq!(stored["company_name"], "义乌市星辰饰品厂");
    assert_eq!(stored["version"], l["version"]);
}
