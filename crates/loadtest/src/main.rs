//! Ironfield's load harness: scenarios against a running server, one JSON line each.
//!
//! ```sh
//! ironfield-loadtest --url http://127.0.0.1:8080 --email admin@… --password … \
//!     [--concurrency 64] [--duration 20] [--server-pid PID] [--scenarios visits,batch,refresh,login]
//!     [--reps 1]
//! ```
//!
//! Set-up (through the API, as the admin): a team, a rep with one lead per client, a team
//! lead, this month's targets; with `--reps R` (default 1) the `visits` clients sign in as
//! R reps of the team instead, each lead its rep's. Then each scenario runs C clients for D
//! seconds:
//!
//! - `visits`: each client POSTs single visits on its own lead, one after the other;
//! - `batch`: each client POSTs batches of 200 visits (a phone's sync); then, alone, five
//!   batches of 500 are timed one by one (`batch500`);
//! - `refresh`: the team lead's month-end morning: progress, the leaderboard and two filtered
//!   lead lists, in turn;
//! - `login`: sign-ins with the right password (argon2 bound; failures would be rate-limited).
//!
//! Each prints `LOAD_RESULT {"scenario", "requests", "per_s", "items_per_s", "p50_ms",
//! "p95_ms", "p99_ms", "max_ms", "errors", "peak_rss_mb"}`; `peak_rss_mb` is the highest of
//! the server's VmRSS (`/proc/PID/status`) read every 50 ms while the scenario ran (a batch
//! scenario's two lines share one watch). With
//! `LOAD_DEBUG_ERRORS` set, every failed request is printed with its latency and its offset
//! in the scenario (to tell a server's answer from a connection-level timeout).

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Options {
    url: String,
    email: String,
    password: String,
    concurrency: usize,
    duration: Duration,
    server_pid: Option<u32>,
    scenarios: Vec<String>,
    /// How many reps the `visits` clients sign in as (client `i` as rep `i % reps`).
    reps: usize,
}

fn options() -> Result<Options, Error> {
    let mut o = Options {
        url: "http://127.0.0.1:8080".into(),
        email: "admin@ironfield.local".into(),
        password: std::env::var("IRONFIELD_ADMIN_PASSWORD").unwrap_or_default(),
        concurrency: 64,
        duration: Duration::from_secs(20),
        server_pid: None,
        scenarios: ["visits", "batch", "refresh", "login"]
            .map(String::from)
            .into(),
        reps: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => o.url = value()?,
            "--email" => o.email = value()?,
            "--password" => o.password = value()?,
            "--concurrency" | "-c" => o.concurrency = value()?.parse()?,
            "--duration" | "-d" => o.duration = Duration::from_secs_f64(value()?.parse()?),
            "--server-pid" => o.server_pid = Some(value()?.parse()?),
            "--scenarios" => o.scenarios = value()?.split(',').map(String::from).collect(),
            "--reps" => o.reps = value()?.parse::<usize>()?.max(1),
            other => {
                return Err(format!("unknown argument {other}; see the source's header").into())
            }
        }
    }
    Ok(o)
}

/// What the set-up made.
struct World {
    base: String,
    rep_token: String,
    lead_token: String,
    leads: Vec<String>,
    /// Per `visits` client: the token of a rep and a lead of theirs.
    visit_targets: Vec<(String, String)>,
    team: String,
    rep_email: String,
    password: String,
    period: String,
}

const PASSWORD: &str = "load-test-password-1";

async fn call(client: &Client, req: reqwest::RequestBuilder) -> Result<Value, Error> {
    let _ = client;
    let response = req.send().await?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(format!("{status}: {body}").into());
    }
    Ok(body)
}

async fn login(client: &Client, base: &str, email: &str, password: &str) -> Result<String, Error> {
    let body = call(
        client,
        client
            .post(format!("{base}/auth/login"))
            .json(&json!({"email": email, "password": password})),
    )
    .await?;
    Ok(body["access_token"]
        .as_str()
        .ok_or("no access_token")?
        .to_owned())
}

/// What the set-up signs in with: the API's base and the admin's token.
struct Admin<'a> {
    client: &'a Client,
    base: &'a str,
    token: &'a str,
}

impl Admin<'_> {
    async fn post(&self, path: &str, token: &str, body: Value) -> Result<Value, Error> {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body);
        call(self.client, request).await
    }

    /// A user of `team` with the harness's password, signed in: their access token.
    async fn user(&self, email: &str, name: &str, role: &str, team: &str) -> Result<String, Error> {
        let body = json!({"email": email, "name": name, "role": role, "team_id": team,
                          "password": PASSWORD});
        self.post("/users", self.token, body).await?;
        login(self.client, self.base, email, PASSWORD).await
    }

    /// A lead created by `token`'s user: its id.
    async fn lead(
        &self,
        token: &str,
        name: String,
        market: &str,
        stall_no: String,
    ) -> Result<String, Error> {
        let body = json!({"company_name": name, "market": market, "stall_no": stall_no});
        let lead = self.post("/leads", token, body).await?;
        Ok(lead["id"].as_str().ok_or("no lead id")?.to_owned())
    }
}

async fn set_up(client: &Client, o: &Options) -> Result<World, Error> {
    let base = format!("{}/api/v1", o.url);
    let admin_token = login(client, &base, &o.email, &o.password).await?;
    let admin = Admin {
        client,
        base: &base,
        token: &admin_token,
    };
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let team = admin
        .post(
            "/teams",
            &admin_token,
            json!({"name": format!("Load {unique}")}),
        )
        .await?["id"]
        .as_str()
        .ok_or("no team id")?
        .to_owned();
    let rep_email = format!("rep-{unique}@load.ironfield.dev");
    let rep_token = admin.user(&rep_email, "rep", "rep", &team).await?;
    let lead_email = format!("team_lead-{unique}@load.ironfield.dev");
    let lead_token = admin
        .user(&lead_email, "team_lead", "team_lead", &team)
        .await?;
    // Stalls are unique per set-up (an open lead with the same market and stall is refused
    // 409 `duplicate`), so several set-ups can run against one server, e.g. the rounds of
    // scripts/memory.sh. The uuid's last characters are its random part.
    let stall_tag = &unique[unique.len() - 8..];
    let mut leads = Vec::new();
    for i in 0..o.concurrency.max(1) {
        let name = format!("Load stall {i} {unique}");
        leads.push(
            admin
                .lead(&rep_token, name, "一区", format!("L-{i}-{stall_tag}"))
                .await?,
        );
    }
    let visit_targets = if o.reps == 1 {
        leads
            .iter()
            .map(|l| (rep_token.clone(), l.clone()))
            .collect()
    } else {
        let mut tokens = Vec::new();
        for r in 0..o.reps {
            let email = format!("rep{r}-{unique}@load.ironfield.dev");
            tokens.push(
                admin
                    .user(&email, &format!("rep {r}"), "rep", &team)
                    .await?,
            );
        }
        let mut targets = Vec::new();
        for i in 0..o.concurrency.max(1) {
            let token = tokens[i % o.reps].clone();
            let name = format!("Rep stall {i} {unique}");
            let lead = admin
                .lead(&token, name, "二区", format!("R-{i}-{stall_tag}"))
                .await?;
            targets.push((token, lead));
        }
        targets
    };
    let period = chrono_period();
    Ok(World {
        base,
        rep_token,
        lead_token,
        leads,
        visit_targets,
        team,
        rep_email,
        password: PASSWORD.into(),
        period,
    })
}

/// This month as `YYYY-MM`.
fn chrono_period() -> String {
    chrono::Utc::now().format("%Y-%m").to_string()
}

fn visit(lead: &str, id: Option<String>) -> Value {
    let mut v = json!({"lead_id": lead, "visited_at": now_rfc3339(),
                       "purpose": "follow_up", "outcome": "interested"});
    if let Some(id) = id {
        v["id"] = json!(id);
    }
    v
}

/// A minute ago, so a phone's clock a little ahead of the server's never matters.
fn now_rfc3339() -> String {
    (chrono::Utc::now() - chrono::Duration::seconds(60)).to_rfc3339()
}

/// One request of a scenario: how many items it stored, or an error.
type Step = Arc<
    dyn Fn(
            Client,
            usize,
            u64,
        )
            -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<u64, Error>> + Send>>
        + Send
        + Sync,
>;

struct Outcome {
    latencies: Vec<Duration>,
    items: u64,
    errors: u64,
    first_error: Option<String>,
    elapsed: Duration,
}

async fn drive(concurrency: usize, duration: Duration, step: Step) -> Outcome {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for client_no in 0..concurrency {
        let step = step.clone();
        tasks.push(tokio::spawn(async move {
            #[expect(
                clippy::expect_used,
                reason = "a client with default TLS always builds; the harness stops if not"
            )]
            let client = Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("an HTTP client");
            let (mut latencies, mut items, mut errors, mut first_error) = (Vec::new(), 0, 0, None);
            let mut n = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                match step(client.clone(), client_no, n).await {
                    Ok(stored) => items += stored,
                    Err(e) => {
                        errors += 1;
                        if std::env::var_os("LOAD_DEBUG_ERRORS").is_some() {
                            eprintln!(
                                "DEBUGERR client {client_no} n {n} after {:?} at {:?}: {e}",
                                t.elapsed(),
                                started.elapsed()
                            );
                        }
                        first_error.get_or_insert(e.to_string());
                    }
                }
                latencies.push(t.elapsed());
                n += 1;
            }
            (latencies, items, errors, first_error)
        }));
    }
    let mut outcome = Outcome {
        latencies: Vec::new(),
        items: 0,
        errors: 0,
        first_error: None,
        elapsed: Duration::ZERO,
    };
    for task in tasks {
        if let Ok((l, i, e, f)) = task.await {
            outcome.latencies.extend(l);
            outcome.items += i;
            outcome.errors += e;
            if outcome.first_error.is_none() {
                outcome.first_error = f;
            }
        }
    }
    outcome.elapsed = started.elapsed();
    outcome
}

/// The server's resident memory while a scenario runs: its VmRSS (`/proc/PID/status`) read
/// every 50 ms, the highest kept. Not VmHWM: that keeps the peak since the server started,
/// which the set-up's password hashes (about 19 MiB each, two at once) would set.
struct RssWatch {
    peak_kb: Arc<std::sync::atomic::AtomicU64>,
    sampler: Option<tokio::task::JoinHandle<()>>,
}

impl RssWatch {
    fn start(pid: Option<u32>) -> RssWatch {
        let peak_kb = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let sampler = pid.map(|pid| {
            let peak_kb = peak_kb.clone();
            tokio::spawn(async move {
                loop {
                    if let Some(kb) = rss_kb(pid) {
                        peak_kb.fetch_max(kb, std::sync::atomic::Ordering::Relaxed);
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
        });
        RssWatch { peak_kb, sampler }
    }

    /// The highest RSS seen so far, in MiB (`None` without a server pid).
    fn peak_mb(&self) -> Option<f64> {
        let pid_known = self.sampler.is_some();
        let kb = self.peak_kb.load(std::sync::atomic::Ordering::Relaxed);
        (pid_known && kb > 0).then(|| kb as f64 / 1024.0)
    }
}

impl Drop for RssWatch {
    fn drop(&mut self) {
        if let Some(sampler) = &self.sampler {
            sampler.abort();
        }
    }
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn report(name: &str, mut outcome: Outcome, rss: &RssWatch) {
    outcome.latencies.sort();
    let pct = |p: f64| {
        let l = &outcome.latencies;
        if l.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * l.len() as f64).ceil() as usize;
        l[rank.clamp(1, l.len()) - 1].as_secs_f64() * 1000.0
    };
    let secs = outcome.elapsed.as_secs_f64();
    let result = json!({
        "scenario": name,
        "requests": outcome.latencies.len(),
        "per_s": outcome.latencies.len() as f64 / secs,
        "items_per_s": outcome.items as f64 / secs,
        "p50_ms": pct(50.0), "p95_ms": pct(95.0), "p99_ms": pct(99.0), "max_ms": pct(100.0),
        "errors": outcome.errors,
        "peak_rss_mb": rss.peak_mb(),
    });
    if let Some(e) = outcome.first_error {
        eprintln!("{name}: first error: {e}");
    }
    println!("LOAD_RESULT {result}");
}

async fn expect_status(
    req: reqwest::RequestBuilder,
    ok: StatusCode,
) -> Result<reqwest::Response, Error> {
    let response = req.send().await?;
    if response.status() != ok {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        return Err(format!("{status}: {body}").into());
    }
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let o = options()?;
    let client = Client::new();
    let world = Arc::new(set_up(&client, &o).await?);
    let (c, d, pid) = (o.concurrency, o.duration, o.server_pid);
    for scenario in &o.scenarios {
        let rss = RssWatch::start(pid);
        match scenario.as_str() {
            "visits" => {
                let w = world.clone();
                let step: Step = Arc::new(move |client, i, _| {
                    let w = w.clone();
                    Box::pin(async move {
                        let (token, lead) = &w.visit_targets[i % w.visit_targets.len()];
                        let req = client
                            .post(format!("{}/visits", w.base))
                            .bearer_auth(token)
                            .json(&visit(lead, None));
                        expect_status(req, StatusCode::CREATED).await?;
                        Ok(1)
                    })
                });
                report("visits", drive(c, d, step).await, &rss);
            }
            "batch" => {
                let w = world.clone();
                let step: Step = Arc::new(move |client, i, _| {
                    let w = w.clone();
                    Box::pin(async move { send_batch(&client, &w, i, 200).await })
                });
                report("batch200", drive(c, d, step).await, &rss);
                let mut timed = Outcome {
                    latencies: Vec::new(),
                    items: 0,
                    errors: 0,
                    first_error: None,
                    elapsed: Duration::ZERO,
                };
                let started = Instant::now();
                for n in 0..5 {
                    let t = Instant::now();
                    match send_batch(&client, &world, n, 500).await {
                        Ok(items) => timed.items += items,
                        Err(e) => {
                            timed.errors += 1;
                            timed.first_error.get_or_insert(e.to_string());
                        }
                    }
                    timed.latencies.push(t.elapsed());
                }
                timed.elapsed = started.elapsed();
                report("batch500_alone", timed, &rss);
            }
            "refresh" => {
                let w = world.clone();
                let step: Step = Arc::new(move |client, _, n| {
                    let w = w.clone();
                    Box::pin(async move {
                        let path = match n % 4 {
                            0 => format!("/targets/{}/progress", w.period),
                            1 => format!("/leaderboard?period={}&metric=visits", w.period),
                            2 => format!("/leads?stage=visited&team_id={}&limit=50", w.team),
                            _ => "/leads?market=%E4%B8%80%E5%8C%BA&archived=false&limit=50".into(),
                        };
                        let req = client
                            .get(format!("{}{path}", w.base))
                            .bearer_auth(&w.lead_token);
                        expect_status(req, StatusCode::OK).await?;
                        Ok(1)
                    })
                });
                report("refresh", drive(c, d, step).await, &rss);
            }
            "login" => {
                let w = world.clone();
                let step: Step = Arc::new(move |client, _, _| {
                    let w = w.clone();
                    Box::pin(async move {
                        let req = client
                            .post(format!("{}/auth/login", w.base))
                            .json(&json!({"email": w.rep_email, "password": w.password}));
                        expect_status(req, StatusCode::OK).await?;
                        Ok(1)
                    })
                });
                report("login", drive(c, d, step).await, &rss);
            }
            other => return Err(format!("unknown scenario {other}").into()),
        }
    }
    Ok(())
}

async fn send_batch(client: &Client, w: &World, i: usize, size: usize) -> Result<u64, Error> {
    let lead = &w.leads[i % w.leads.len()];
    let visits: Vec<Value> = (0..size)
        .map(|_| visit(lead, Some(uuid::Uuid::now_v7().to_string())))
        .collect();
    let req = client
        .post(format!("{}/visits/batch", w.base))
        .bearer_auth(&w.rep_token)
        .json(&json!({ "visits": visits }));
    let body: Value = expect_status(req, StatusCode::OK).await?.json().await?;
    let results = body["results"].as_array().ok_or("no results")?;
    let created = results.iter().filter(|r| r["status"] == "created").count();
    if created != size {
        return Err(format!("{created} of {size} created: {}", results[0]).into());
    }
    Ok(created as u64)
}
