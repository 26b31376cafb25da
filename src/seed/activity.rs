//! The demo's day-to-day: visits over the last months, this month's targets, and the morning
//! meetings of the last two weeks, so progress, the leaderboard and meeting summaries have
//! something to show. Written in batched transactions, like the leads.

use super::{id_at, pick, Rep, BATCH};
use chrono::{Datelike, Duration, NaiveDateTime, NaiveTime, TimeZone};
use indicatif::ProgressBar;
use ironfield_domain::calendar::{Period, WorkCalendar};
use ironfield_domain::ids::{LeadId, TeamId};
use ironfield_domain::meeting::AttendanceStatus;
use ironfield_domain::pacing::{Metric, SubjectType};
use ironfield_domain::time::{business_date, DEFAULT_TIMEZONE};
use ironfield_domain::visit::{LocationCheck, Outcome, Purpose};
use ironfield_persistence::meetings::{self, AttendanceRow, MeetingRow, PlanRow};
use ironfield_persistence::targets::{self, TargetRow};
use ironfield_persistence::visits::{self, VisitRow};
use ironfield_persistence::{bulk, Db};
use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const PURPOSES: [(Purpose, u32); 4] = [
    (Purpose::Prospecting, 45),
    (Purpose::FollowUp, 40),
    (Purpose::Signing, 5),
    (Purpose::AccountService, 10),
];
const OUTCOMES: [(Outcome, u32); 6] = [
    (Outcome::NoContact, 20),
    (Outcome::NotInterested, 15),
    (Outcome::Interested, 30),
    (Outcome::FollowUpScheduled, 25),
    (Outcome::Signed, 3),
    (Outcome::IssueResolved, 7),
];

/// How many visits, over how many days back.
pub struct Spread {
    pub count: usize,
    pub days: i64,
}

/// Writes `count` visits spread over the last `days` days, during market hours (Shanghai),
/// each by a rep on a lead of their own team. `leads_by_team[i]` are team `i`'s lead ids.
pub fn visits(
    db: &Db,
    rng: &mut ChaCha8Rng,
    reps: &[Rep],
    leads_by_team: &[Vec<LeadId>],
    spread: Spread,
    now: NaiveDateTime,
    bar: &ProgressBar,
) -> anyhow::Result<usize> {
    let Spread { count, days } = spread;
    let calendar = WorkCalendar::default();
    let mut written = 0;
    // Oldest first, so the indexes grow at their ends.
    let mut offsets: Vec<i64> = (0..count).map(|_| rng.random_range(0..days)).collect();
    offsets.sort_unstable_by(|a, b| b.cmp(a));
    // One transaction, the indexes built once at the end (see `bulk::without_indexes`).
    db.write(|conn| -> anyhow::Result<()> {
        bulk::without_indexes(conn, &["visits"], |conn| {
            for chunk in offsets.chunks(BATCH) {
                let mut batch = Vec::with_capacity(chunk.len());
                for days_ago in chunk {
                    let rep = pick(rng, reps);
                    let Some(lead_id) = leads_by_team[rep.team].choose(rng) else {
                        continue;
                    };
                    let mut day = (now - Duration::days(*days_ago))
                        .and_utc()
                        .with_timezone(&DEFAULT_TIMEZONE)
                        .date_naive();
                    while !calendar.is_working_day(day) {
                        day = day.pred_opt().unwrap_or(day);
                    }
                    let minutes = rng.random_range(9 * 60..18 * 60);
                    let local = day.and_time(
                        NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).unwrap_or_default(),
                    );
                    let Some(at) = DEFAULT_TIMEZONE.from_local_datetime(&local).earliest() else {
                        continue;
                    };
                    let at = at.naive_utc().min(now);
                    let received = at + Duration::minutes(rng.random_range(0..30));
                    batch.push(VisitRow {
                        id: id_at(rng, at),
                        rep_id: rep.id.clone(),
                        team_id: Some(rep.team_id.clone()),
                        lead_id: Some(lead_id.clone()),
                        seller_account_id: None,
                        visited_at: at,
                        business_date: business_date(at.and_utc(), DEFAULT_TIMEZONE),
                        received_at: received,
                        location_lat: None,
                        location_lng: None,
                        location_accuracy_m: None,
                        location_check: LocationCheck::Unverifiable,
                        market: None,
                        district: None,
                        stall_no: None,
                        purpose: *super::weighted(rng, &PURPOSES),
                        outcome: *super::weighted(rng, &OUTCOMES),
                        notes: None,
                        next_follow_up_at: None,
                        duration_minutes: Some(rng.random_range(3..45)),
                        created_at: received,
                        updated_at: received,
                        version: 1,
                    });
                }
                visits::insert_many(conn, &batch)?;
                written += batch.len();
                bar.inc(chunk.len() as u64);
            }
            anyhow::Ok(())
        })
    })?;
    Ok(written)
}

/// This month's targets for every rep and team.
pub fn targets(
    db: &Db,
    rng: &mut ChaCha8Rng,
    reps: &[Rep],
    team_ids: &[TeamId],
    now: NaiveDateTime,
    set_by: &str,
) -> anyhow::Result<usize> {
    let today = now.and_utc().with_timezone(&DEFAULT_TIMEZONE).date_naive();
    let period = Period::of(today);
    let mut rows = Vec::new();
    let mut target = |subject_type: SubjectType,
                      subject_id: &str,
                      team_id: &TeamId,
                      metric: Metric,
                      value: i64| {
        rows.push(TargetRow {
            id: id_at(rng, now),
            period,
            subject_type,
            subject_id: subject_id.into(),
            metric,
            value,
            team_id: Some(team_id.clone()),
            set_by: set_by.into(),
            created_at: now,
            updated_at: now,
            version: 1,
        });
    };
    for rep in reps {
        target(
            SubjectType::User,
            rep.id.as_str(),
            &rep.team_id,
            Metric::Visits,
            260,
        );
        target(
            SubjectType::User,
            rep.id.as_str(),
            &rep.team_id,
            Metric::NewSellers,
            4,
        );
        target(
            SubjectType::User,
            rep.id.as_str(),
            &rep.team_id,
            Metric::ContractValue,
            4 * 1_980_000,
        );
        target(
            SubjectType::User,
            rep.id.as_str(),
            &rep.team_id,
            Metric::Renewals,
            2,
        );
    }
    for team in team_ids {
        let members = reps.iter().filter(|r| &r.team_id == team).count() as i64;
        // A team's target names the team by its id's text (a subject is a user or a team).
        let subject = team.as_str();
        target(
            SubjectType::Team,
            subject,
            team,
            Metric::Visits,
            260 * members,
        );
        target(
            SubjectType::Team,
            subject,
            team,
            Metric::NewSellers,
            4 * members,
        );
        target(
            SubjectType::Team,
            subject,
            team,
            Metric::ContractValue,
            4 * 1_980_000 * members,
        );
        target(
            SubjectType::Team,
            subject,
            team,
            Metric::Renewals,
            2 * members,
        );
    }
    db.write(|conn| -> anyhow::Result<()> {
        for row in &rows {
            targets::upsert(conn, row)?;
        }
        Ok(())
    })?;
    Ok(rows.len())
}

/// The morning meetings of the last two weeks' working days, with attendance and plans.
pub fn meetings(
    db: &Db,
    rng: &mut ChaCha8Rng,
    reps: &[Rep],
    teams: &[(TeamId, String)],
    now: NaiveDateTime,
) -> anyhow::Result<usize> {
    let calendar = WorkCalendar::default();
    let today = now.and_utc().with_timezone(&DEFAULT_TIMEZONE).date_naive();
    let mut written = 0;
    for (team_id, lead_id) in teams {
        for back in 0..14 {
            let day = today - Duration::days(back);
            if !calendar.is_working_day(day) {
                continue;
            }
            let held = DEFAULT_TIMEZONE
                .with_ymd_and_hms(day.year(), day.month(), day.day(), 8, 30, 0)
                .earliest()
                .map(|t| t.naive_utc())
                .unwrap_or(now);
            let meeting = MeetingRow {
                id: id_at(rng, held),
                team_id: team_id.clone(),
                date: day,
                held_at: Some(held),
                location: Some("市场东门集合点".into()),
                agenda: Some("昨日复盘，今日计划，月底冲刺".into()),
                notes: None,
                created_by: lead_id.clone(),
                created_at: held,
                updated_at: held,
                version: 1,
            };
            let members: Vec<&Rep> = reps.iter().filter(|r| &r.team_id == team_id).collect();
            db.write(|conn| -> anyhow::Result<()> {
                meetings::insert(conn, &meeting)?;
                let mut attendance = Vec::new();
                for rep in &members {
                    let status = *super::weighted(
                        rng,
                        &[
                            (AttendanceStatus::Present, 85),
                            (AttendanceStatus::Late, 8),
                            (AttendanceStatus::Absent, 4),
                            (AttendanceStatus::Excused, 3),
                        ],
                    );
                    attendance.push(AttendanceRow {
                        meeting_id: meeting.id.clone(),
                        user_id: rep.id.clone(),
                        status,
                        note: None,
                        updated_at: held,
                    });
                    meetings::put_plan(
                        conn,
                        &PlanRow {
                            meeting_id: meeting.id.clone(),
                            user_id: rep.id.clone(),
                            planned_visits: rng.random_range(8..16),
                            planned_signings: rng.random_range(0..2),
                            focus_market: None,
                            notes: None,
                            updated_by: rep.id.to_string(),
                            updated_at: held,
                        },
                    )?;
                }
                meetings::replace_attendance(conn, &meeting.id, &attendance)?;
                Ok(())
            })?;
            written += 1;
        }
    }
    Ok(written)
}
