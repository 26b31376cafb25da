//! `ironfield seed-demo`: a realistic, reproducible demo organisation on an empty database.
//!
//! A branch (义乌分公司) with three teams recruiting stall owners in Yiwu International Trade
//! City districts 1-5, a manager, three team leads, 20 reps, N leads across every stage and a
//! seller account for each won lead. The same seed gives the same data on every run.

mod activity;
mod performance;
mod words;

use anyhow::{ensure, Context};
use chrono::{Duration, Months, NaiveDateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use ironfield_domain::account::{AccountStatus, MembershipTier};
use ironfield_domain::ids::{LeadId, RecordId, TeamId, UserId};
use ironfield_domain::{Role, Stage};
use ironfield_persistence::leads::{self, LeadRow};
use ironfield_persistence::seller_accounts::{self, AccountRow, Signing};
use ironfield_persistence::teams::{self, NewTeam, TeamChanges};
use ironfield_persistence::users::{self, NewUser};
use ironfield_persistence::{bulk, Db, DbConnection, TeamScope};
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use words::*;

/// The demo password of every demo user.
pub const DEMO_PASSWORD: &str = "ironfield-demo-2026";
/// Rows per transaction (and per step of the progress bar).
const BATCH: usize = 10_000;
const SEED: u64 = 20_261_125;
const EMAIL_DOMAIN: &str = "demo.ironfield.local";

/// What was written, for the summary.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub teams: usize,
    pub users: usize,
    pub leads: usize,
    pub accounts: usize,
    pub visits: usize,
    pub targets: usize,
    pub meetings: usize,
    /// Monthly performance rows of the seller accounts.
    pub performance: usize,
    pub manager_email: String,
    pub rep_email: String,
}

struct Team {
    id: TeamId,
    markets: Vec<u8>,
}

/// Phones and stalls already handed out: both are unique among the demo leads.
#[derive(Default)]
struct Taken {
    phones: HashSet<String>,
    stalls: HashSet<(u8, String)>,
}

struct Rep {
    id: UserId,
    team: usize,
    team_id: TeamId,
}

/// How much to write.
#[derive(Debug, Clone)]
pub struct Options {
    pub leads: u32,
    /// Reps, spread evenly over the three teams.
    pub reps: u32,
    /// Visits over the last `visit_days` days (`None`: about twelve a working day for every
    /// rep over 120 days).
    pub visits: Option<u32>,
    /// How many days back the visits go (120 unless a benchmark says otherwise).
    pub visit_days: u32,
    /// The admin made on a database without users (`IRONFIELD_ADMIN_EMAIL` /
    /// `IRONFIELD_ADMIN_PASSWORD`); unset: `admin@demo.ironfield.local` with the demo password.
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
}

/// Ids as UUID v7 with the record's own time, the random part from the seeded generator.
fn id_at<I: RecordId>(rng: &mut ChaCha8Rng, at: NaiveDateTime) -> I {
    let mut random = [0u8; 10];
    rng.fill_bytes(&mut random);
    let millis = at.and_utc().timestamp_millis().max(0) as u64;
    I::from_uuid(uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid())
}

/// One of `items`, uniformly. The seeder's lists are constants and its reps a non-empty set,
/// so `items` is never empty (an empty list is a bug in the seeder: the index panics).
pub(crate) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (item, weight) in items {
        if pick < *weight {
            return item;
        }
        pick -= weight;
    }
    &items[items.len() - 1].0
}

fn person(rng: &mut ChaCha8Rng) -> String {
    format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN_NAMES))
}

fn district_name(district: u8) -> String {
    let numeral = ["一", "二", "三", "四", "五"][usize::from(district - 1)];
    format!("国际商贸城{numeral}区")
}

/// Writes the demo organisation. Refuses unless the database holds no lead.
pub fn run(db: &Db, options: Options, progress: bool) -> anyhow::Result<Summary> {
    let n_leads = options.leads;
    let existing = db.read(leads::count).context("counting leads")?;
    ensure!(
        existing == 0,
        "the database already holds {existing} leads; seed-demo only fills an empty database"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let now = Utc::now().naive_utc();
    // Everyone joined the branch half a year ago.
    let founded = now - Duration::days(200);
    let hash = ironfield_auth::password::hash(DEMO_PASSWORD)
        .map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))?;
    let mut summary = Summary {
        manager_email: format!("manager@{EMAIL_DOMAIN}"),
        rep_email: format!("rep01@{EMAIL_DOMAIN}"),
        ..Summary::default()
    };

    // The organisation: branch, teams, people.
    let team_specs: [(&str, &[u8]); 3] = [
        ("一二区招商组", &[1, 2]),
        ("三区招商组", &[3]),
        ("四五区招商组", &[4, 5]),
    ];
    let (teams_made, reps) = db.write(|conn| -> anyhow::Result<(Vec<Team>, Vec<Rep>)> {
        let no_users = users::count(conn)? == 0;
        let branch_id: TeamId = id_at(&mut rng, founded);
        teams::insert(
            conn,
            &NewTeam {
                id: branch_id.clone(),
                name: "义乌分公司",
                parent_id: None,
                lead_id: None,
                market: Some("义乌国际商贸城"),
                created_at: founded,
                updated_at: founded,
            },
        )?;
        let mut made = Vec::new();
        for (name, markets) in team_specs {
            let id: TeamId = id_at(&mut rng, founded);
            teams::insert(
                conn,
                &NewTeam {
                    id: id.clone(),
                    name,
                    parent_id: Some(branch_id.clone()),
                    lead_id: None,
                    market: Some(&district_name(markets[0])),
                    created_at: founded,
                    updated_at: founded,
                },
            )?;
            made.push(Team {
                id,
                markets: markets.to_vec(),
            });
        }
        let user = |conn: &mut DbConnection,
                    email: String,
                    role: Role,
                    team: &TeamId,
                    rng: &mut ChaCha8Rng| {
            let id: UserId = id_at(rng, founded);
            let name = person(rng);
            users::insert(
                conn,
                &NewUser {
                    id: id.clone(),
                    email: &email,
                    name: &name,
                    phone: None,
                    role,
                    team_id: Some(team.clone()),
                    password_hash: &hash,
                    created_at: founded,
                    updated_at: founded,
                },
            )
            .with_context(|| format!("creating {email}"))?;
            anyhow::Ok(id)
        };
        if no_users {
            // `serve` makes a first admin only on a database without users.
            let id: UserId = id_at(&mut rng, founded);
            let admin_email = options
                .admin_email
                .clone()
                .unwrap_or_else(|| format!("admin@{EMAIL_DOMAIN}"));
            let admin_hash = match &options.admin_password {
                Some(password) => ironfield_auth::password::hash(password)
                    .map_err(|e| anyhow::anyhow!("hashing IRONFIELD_ADMIN_PASSWORD: {e}"))?,
                None => hash.clone(),
            };
            users::insert(
                conn,
                &NewUser {
                    id,
                    email: &admin_email,
                    name: "系统管理员",
                    phone: None,
                    role: Role::Admin,
                    team_id: None,
                    password_hash: &admin_hash,
                    created_at: founded,
                    updated_at: founded,
                },
            )?;
        }
        let manager = user(
            conn,
            format!("manager@{EMAIL_DOMAIN}"),
            Role::Manager,
            &branch_id,
            &mut rng,
        )?;
        let mut leads_of = vec![(branch_id.clone(), manager)];
        for (i, team) in made.iter().enumerate() {
            let lead = user(
                conn,
                format!("lead{:02}@{EMAIL_DOMAIN}", i + 1),
                Role::TeamLead,
                &team.id,
                &mut rng,
            )?;
            leads_of.push((team.id.clone(), lead));
        }
        let mut reps = Vec::new();
        let n_reps = options.reps.max(1);
        for r in 0..n_reps {
            let team = (r * 3 / n_reps) as usize;
            let id = user(
                conn,
                format!("rep{:02}@{EMAIL_DOMAIN}", r + 1),
                Role::Rep,
                &made[team].id,
                &mut rng,
            )?;
            reps.push(Rep {
                id,
                team,
                team_id: made[team].id.clone(),
            });
        }
        for (team, lead) in leads_of {
            teams::update(
                conn,
                &team,
                1,
                &TeamChanges {
                    lead_id: Some(Some(lead.into())),
                    updated_at: Some(founded),
                    ..TeamChanges::default()
                },
            )?;
        }
        Ok((made, reps))
    })?;
    summary.teams = teams_made.len() + 1;
    summary.users = 1 + teams_made.len() + reps.len();

    // The leads, a batch per transaction.
    let bar = if progress {
        let bar = ProgressBar::new(u64::from(n_leads));
        bar.set_style(
            ProgressStyle::with_template("leads {bar:40} {pos}/{len} ({per_sec}, {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut taken = Taken::default();
    // Creation times drawn up front and written oldest first: the id and created_at indexes
    // then grow at their ends instead of splitting pages all over (10x faster at 100k).
    // Newer leads are more common: the square pulls the spread towards today.
    let mut ages: Vec<i64> = (0..n_leads)
        .map(|_| (rng.random::<f64>().powi(2) * 180.0 * 86_400.0) as i64)
        .collect();
    ages.sort_unstable_by(|a, b| b.cmp(a));
    let mut made = 0u32;
    let mut leads_by_team: Vec<Vec<LeadId>> = vec![Vec::new(); teams_made.len()];
    let mut shops: Vec<performance::Shop> = Vec::new();
    // All leads and accounts in one transaction, their secondary indexes built once at the
    // end rather than updated row by row (`bulk::without_indexes`; figures in
    // docs/performance.md, round 4). A failure rolls everything back, indexes included.
    db.write(|conn| -> anyhow::Result<()> {
        bulk::without_indexes(conn, &["leads", "seller_accounts"], |conn| {
            while made < n_leads {
                let size = (n_leads - made).min(BATCH as u32);
                let mut batch = Vec::with_capacity(size as usize);
                for i in made..made + size {
                    batch.push(lead(
                        &mut rng,
                        i,
                        now,
                        ages[i as usize],
                        &teams_made,
                        &reps,
                        &mut taken,
                    ));
                }
                // Multi-row INSERTs: one statement per row and a commit per thousand took 100,000
                // leads well past the 10 s goal.
                let lead_rows: Vec<_> = batch.iter().map(|(lead, _)| lead.clone()).collect();
                let account_rows: Vec<_> = batch.iter().filter_map(|(_, a)| a.clone()).collect();
                leads::insert_many(conn, &lead_rows)?;
                seller_accounts::insert_many(conn, &account_rows)?;
                summary.accounts += account_rows.len();
                shops.extend(batch.iter().filter_map(|(_, a)| a.as_ref()).map(|a| {
                    performance::Shop {
                        id: a.id.clone(),
                        tier: a.membership_tier,
                    }
                }));
                for (lead, _) in &batch {
                    if let Some(team) = teams_made
                        .iter()
                        .position(|t| Some(&t.id) == lead.team_id.as_ref())
                    {
                        if lead.stage.is_open() {
                            leads_by_team[team].push(lead.id.clone());
                        }
                    }
                }
                made += size;
                bar.inc(u64::from(size));
            }
            anyhow::Ok(())
        })
    })?;
    bar.finish();

    // The day-to-day: about twelve visits a working day per rep over 120 days by default.
    let n_visits = options
        .visits
        .map(|v| v as usize)
        .unwrap_or(reps.len() * 100 * 12);
    let visit_bar = if progress {
        let bar = ProgressBar::new(n_visits as u64);
        bar.set_style(
            ProgressStyle::with_template("visits {bar:40} {pos}/{len} ({per_sec}, {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    summary.visits = activity::visits(
        db,
        &mut rng,
        &reps,
        &leads_by_team,
        activity::Spread {
            count: n_visits,
            days: i64::from(options.visit_days.max(1)),
        },
        now,
        &visit_bar,
    )?;
    visit_bar.finish();
    let team_ids: Vec<TeamId> = teams_made.iter().map(|t| t.id.clone()).collect();
    let leads_of_teams: Vec<(TeamId, String)> = db.read(|conn| -> anyhow::Result<_> {
        team_ids
            .iter()
            .map(|id| {
                let team = teams::find(conn, &TeamScope::everything(), id)?;
                Ok((team.id, team.lead_id.map(String::from).unwrap_or_default()))
            })
            .collect()
    })?;
    let set_by = leads_of_teams
        .first()
        .map(|(_, lead)| lead.clone())
        .unwrap_or_default();
    summary.targets = activity::targets(db, &mut rng, &reps, &team_ids, now, &set_by)?;
    summary.meetings = activity::meetings(db, &mut rng, &reps, &leads_of_teams, now)?;
    summary.performance = performance::figures(db, &mut rng, &shops, now, &set_by)?;
    // Fresh statistics, so the planner walks the created_at index for a manager's lists.
    db.analyze().context("analysing the tables")?;
    summary.leads = made as usize;
    Ok(summary)
}

/// One lead (and its seller account when won).
fn lead(
    rng: &mut ChaCha8Rng,
    index: u32,
    now: NaiveDateTime,
    age_secs: i64,
    teams: &[Team],
    reps: &[Rep],
    taken: &mut Taken,
) -> (LeadRow, Option<AccountRow>) {
    let rep = pick(rng, reps);
    let team = &teams[rep.team];
    let district = *pick(rng, &team.markets);
    let market = district_name(district);
    let stall_no = loop {
        let stall = format!(
            "{}F-{:02}-{:04}",
            rng.random_range(1..=5),
            rng.random_range(1..=60),
            rng.random_range(1..=9999)
        );
        if taken.stalls.insert((district, stall.clone())) {
            break stall;
        }
    };
    let phone = loop {
        let phone = format!(
            "+86{}{:08}",
            pick(rng, MOBILE_PREFIXES),
            rng.random_range(0..100_000_000u32)
        );
        if taken.phones.insert(phone.clone()) {
            break phone;
        }
    };
    let industry = pick(rng, INDUSTRIES);
    let company_name = format!(
        "义乌市{}{}",
        pick(rng, BRAND_WORDS),
        pick(rng, industry.suffixes)
    );
    let how_many = rng.random_range(1..=3);
    let mut categories: Vec<&str> = industry
        .categories
        .choose_multiple(rng, how_many)
        .copied()
        .collect();
    categories.sort_unstable();

    let created_at = now - Duration::seconds(age_secs);
    let stage = *weighted(
        rng,
        &[
            (Stage::New, 28),
            (Stage::Contacted, 24),
            (Stage::Visited, 20),
            (Stage::Negotiating, 12),
            (Stage::Won, 9),
            (Stage::Lost, 7),
        ],
    );
    let worked_days = rng.random_range(0..=30).min(age_secs / 86_400);
    let updated_at =
        (created_at + Duration::days(worked_days) + Duration::minutes(rng.random_range(0..600)))
            .min(now);
    let id: LeadId = id_at(rng, created_at);
    let contact_name = person(rng);
    let wechat_id = rng.random_bool(0.45).then(|| {
        format!(
            "yw{}{:06}",
            ["sh", "lb", "zj", "gm"][index as usize % 4],
            index
        )
    });
    let open = stage.is_open();
    // Stages a lead reaches after its first visit, in the demo's story.
    let visited = matches!(stage, Stage::Visited | Stage::Negotiating | Stage::Won);
    let value = rng.random_range(50..=600) * 100 * 100;
    let lat = 29.33 + f64::from(district) * 0.004 + rng.random_range(-0.002..0.002);
    let lng = 120.10 + f64::from(district) * 0.003 + rng.random_range(-0.002..0.002);

    let mut lead = LeadRow {
        id: id.clone(),
        company_name,
        contact_name: Some(contact_name),
        phone: Some(phone),
        wechat_id,
        email: None,
        business_license_no: None,
        market: Some(market),
        district: Some(district.to_string()),
        stall_no: Some(stall_no),
        location_lat: rng.random_bool(0.7).then_some(lat),
        location_lng: None,
        product_categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        source: Some((*weighted(rng, SOURCES)).to_owned()),
        stage,
        lost_reason: (stage == Stage::Lost).then(|| (*pick(rng, LOST_REASONS)).to_owned()),
        owner_id: rep.id.clone(),
        team_id: Some(team.id.clone()),
        estimated_value: (stage != Stage::New || rng.random_bool(0.3)).then_some(value),
        estimated_currency: None,
        notes: rng.random_bool(0.3).then(|| (*pick(rng, NOTES)).to_owned()),
        last_visit_at: visited.then(|| updated_at - Duration::hours(rng.random_range(0..48))),
        next_follow_up_at: open.then(|| now + Duration::hours(rng.random_range(-72..240))),
        account_id: None,
        merged_into_id: None,
        archived_at: None,
        search_text: String::new(),
        created_at,
        updated_at,
        version: 1 + worked_days.min(6),
    };
    lead.location_lng = lead.location_lat.map(|_| lng);
    lead.estimated_currency = lead.estimated_value.map(|_| "CNY".to_owned());
    lead.last_visit_at = lead.last_visit_at.map(|t| t.max(created_at));
    lead.search_text = lead.compute_search_text();

    let account = (stage == Stage::Won).then(|| {
        let (tier, yuan) = *weighted(
            rng,
            &[
                ((MembershipTier::Standard, 9_800), 60),
                ((MembershipTier::Gold, 19_800), 30),
                ((MembershipTier::Premium, 39_800), 10),
            ],
        );
        let signed_at = updated_at;
        let start = (signed_at + Duration::hours(8)).date();
        let months = [12u32, 12, 12, 24][rng.random_range(0..4)];
        // The organisation's day (Asia/Shanghai has no daylight saving).
        let signing = Signing {
            id: id_at(rng, signed_at),
            membership_tier: tier,
            status: if now - signed_at > Duration::days(14) {
                AccountStatus::Active
            } else {
                AccountStatus::Onboarding
            },
            contract_start: start,
            contract_end: start + Months::new(months),
            contract_value: i64::from(yuan) * 100 * i64::from(months / 12),
            contract_currency: "CNY".into(),
            signed_at,
            signed_business_date: start,
        };
        let account = AccountRow::signed_from(&lead, signing);
        lead.account_id = Some(account.id.clone());
        account
    });
    (lead, account)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ironfield_persistence::leads::LeadFilter;
    use ironfield_persistence::PageRequest;

    #[test]
    fn seeds_a_small_organisation_and_refuses_a_second_time() {
        let path = std::env::temp_dir().join(format!("ironfield-seed-{}.db", uuid::Uuid::new_v4()));
        let db = Db::connect(&format!("sqlite://{}", path.display()), 2).unwrap();
        let summary = run(
            &db,
            Options {
                leads: 1_500,
                reps: 20,
                visits: Some(3_000),
                visit_days: 120,
                admin_email: None,
                admin_password: None,
            },
            false,
        )
        .unwrap();
        assert_eq!(summary.leads, 1_500);
        assert_eq!(summary.teams, 4);
        assert_eq!(summary.users, 24);
        assert!(
            summary.accounts > 50 && summary.accounts < 300,
            "{summary:?}"
        );
        assert_eq!(db.read(leads::count).unwrap(), 1_500);
        assert_eq!(
            summary.visits, 3_000,
            "every visit on an open lead of the rep's team"
        );
        assert_eq!(
            summary.targets,
            20 * 4 + 3 * 4,
            "four metrics per rep and per team"
        );
        assert!(
            summary.meetings >= 3 * 10,
            "two weeks of meetings per team: {summary:?}"
        );
        // 12 closed months and the month to date per shop; those the portal stopped
        // reporting have 10.
        assert!(
            summary.performance <= summary.accounts * 13
                && summary.performance > summary.accounts * 12,
            "{summary:?}"
        );
        assert_eq!(
            db.read(users::count).unwrap(),
            25,
            "24 demo users and an admin"
        );

        let all = db
            .read(|conn| {
                leads::list(
                    conn,
                    &TeamScope::everything(),
                    &LeadFilter::default(),
                    &PageRequest {
                        limit: 2_000,
                        after: None,
                    },
                )
            })
            .unwrap()
            .items;
        assert_eq!(all.len(), 1_500);
        let won = all.iter().filter(|l| l.stage == Stage::Won).count();
        assert_eq!(won, summary.accounts);
        for stage in Stage::ALL {
            assert!(all.iter().any(|l| l.stage == stage), "{stage}");
        }
        assert!(all
            .iter()
            .all(|l| l.stage != Stage::Lost || l.lost_reason.is_some()));
        let phones: HashSet<_> = all.iter().map(|l| l.phone.clone()).collect();
        assert_eq!(phones.len(), 1_500);
        for lead in all.iter().take(50) {
            let phone = lead.phone.as_deref().unwrap();
            assert_eq!(
                ironfield_domain::Phone::parse(phone).unwrap().into_string(),
                phone
            );
        }
        let oldest = all.iter().map(|l| l.created_at).min().unwrap();
        assert!(Utc::now().naive_utc() - oldest > Duration::days(90));

        let again = run(
            &db,
            Options {
                leads: 10,
                reps: 20,
                visits: Some(0),
                visit_days: 120,
                admin_email: None,
                admin_password: None,
            },
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(again.contains("already holds 1500 leads"), "{again}");
        drop(db);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    #[test]
    fn the_same_seed_makes_the_same_leads() {
        let team = TeamId::new();
        let teams = vec![Team {
            id: team.clone(),
            markets: vec![1, 2],
        }];
        let reps = vec![Rep {
            id: UserId::new(),
            team: 0,
            team_id: team,
        }];
        let now = NaiveDateTime::default();
        let make = || {
            let mut rng = ChaCha8Rng::seed_from_u64(SEED);
            let mut taken = Taken::default();
            (0..20)
                .map(|i| {
                    let age = i64::from(i) * 3_600;
                    lead(&mut rng, i, now, age, &teams, &reps, &mut taken).0
                })
                .map(|l| (l.id, l.company_name, l.phone, l.stall_no))
                .collect::<Vec<_>>()
        };
        assert_eq!(make(), make());
    }
}
