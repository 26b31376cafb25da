//! A small load test of `POST /api/v1/visits`: C concurrent clients logging visits for a
//! fixed time against a running server.
//!
//! ```sh
//! cargo run --release --example load_visits -- \
//!     --url http://127.0.0.1:8080 --email admin@ironfield.local --password '…' \
//!     --concurrency 16 --duration 20 [--leads 1] [--database-url sqlite://ironfield.db]
//! ```
//!
//! Every flag also reads an environment variable: `LOAD_URL`, `LOAD_ADMIN_EMAIL` (else
//! `IRONFIELD_ADMIN_EMAIL`), `LOAD_ADMIN_PASSWORD` (else `IRONFIELD_ADMIN_PASSWORD`),
//! `LOAD_CONCURRENCY`, `LOAD_DURATION_SECS`, `LOAD_LEADS`, `LOAD_DATABASE_URL`.
//!
//! It signs in as the admin, creates a team, a rep and `--leads` leads (default 1), signs in
//! as the rep, and runs the clients: each POSTs visits with fresh client UUIDs, one after the
//! other, until the time is up (a request started before the deadline is waited for and
//! counted). It prints one summary line and one JSON line (`LOAD_RESULT {...}`). With
//! `--database-url` it also counts the stored visits of the rep directly in the database and
//! checks the count equals the number of 201s.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Options {
    url: String,
    email: String,
    password: String,
    concurrency: usize,
    duration: Duration,
    leads: usize,
    database_url: Option<String>,
}

impl Options {
    fn parse() -> Result<Options, Error> {
        let env = |names: &[&str]| names.iter().find_map(|n| std::env::var(n).ok());
        let mut options = Options {
            url: env(&["LOAD_URL"]).unwrap_or_else(|| "http://127.0.0.1:8080".into()),
            email: env(&["LOAD_ADMIN_EMAIL", "IRONFIELD_ADMIN_EMAIL"])
                .unwrap_or_else(|| "admin@ironfield.local".into()),
            password: env(&["LOAD_ADMIN_PASSWORD", "IRONFIELD_ADMIN_PASSWORD"]).unwrap_or_default(),
            concurrency: env(&["LOAD_CONCURRENCY"]).map_or(Ok(16), |v| v.parse())?,
            duration: Duration::from_secs_f64(
                env(&["LOAD_DURATION_SECS"]).map_or(Ok(20.0), |v| v.parse())?,
            ),
            leads: env(&["LOAD_LEADS"]).map_or(Ok(1), |v| v.parse())?,
            database_url: env(&["LOAD_DATABASE_URL"]),
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or(format!("{flag} needs a value"));
            match flag.as_str() {
                "--url" => options.url = value()?,
                "--email" => options.email = value()?,
                "--password" => options.password = value()?,
                "--concurrency" | "-c" => options.concurrency = value()?.parse()?,
                "--duration" | "-d" => {
                    options.duration = Duration::from_secs_f64(value()?.parse()?)
                }
                "--leads" => options.leads = value()?.parse()?,
                "--database-url" => options.database_url = Some(value()?),
                "--help" | "-h" => {
                    println!(
                        "load_visits [--url U] [--email E] [--password P] [--concurrency C] \
                         [--duration SECS] [--leads N] [--database-url URL]"
                    );
                    std::process::exit(0);
                }
                other => return Err(format!("unknown argument {other}").into()),
            }
        }
        if options.password.is_empty() {
            return Err("the admin password is needed (--password or LOAD_ADMIN_PASSWORD)".into());
        }
        if options.concurrency == 0 || options.leads == 0 {
            return Err("--concurrency and --leads must be at least 1".into());
        }
        options.url = options.url.trim_end_matches('/').to_owned();
        Ok(options)
    }
}

/// POSTs `body` and returns the JSON answer, failing unless the status is `expect`.
async fn post(
    client: &Client,
    url: &str,
    token: Option<&str>,
    body: Value,
    expect: StatusCode,
) -> Result<Value, Error> {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    let status = response.status();
    let text = response.text().await?;
    if status != expect {
        return Err(format!("POST {url}: {status}: {text}").into());
    }
    Ok(serde_json::from_str(&text)?)
}

async fn login(client: &Client, base: &str, email: &str, password: &str) -> Result<String, Error> {
    let body = post(
        client,
        &format!("{base}/api/v1/auth/login"),
        None,
        json!({"email": email, "password": password}),
        StatusCode::OK,
    )
    .await?;
    Ok(body["access_token"]
        .as_str()
        .ok_or("no access_token")?
        .to_owned())
}

/// What one client saw.
#[derive(Default)]
struct ClientResult {
    latencies: Vec<Duration>,
    created: u64,
    errors: u64,
    first_error: Option<String>,
}

async fn run_client(
    client: Client,
    url: String,
    token: String,
    lead_id: String,
    deadline: Instant,
) -> ClientResult {
    let mut result = ClientResult::default();
    while Instant::now() < deadline {
        let body = json!({
            "id": uuid::Uuid::new_v4().to_string(),
            "lead_id": lead_id,
            "visited_at": chrono::Utc::now().to_rfc3339(),
            "purpose": "follow_up",
            "outcome": "interested",
        });
        let started = Instant::now();
        let outcome = client
            .post(&url)
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await;
        let outcome = match outcome {
            // Read the body whole: the request is done when the answer is in.
            Ok(response) => {
                let status = response.status();
                response.bytes().await.map(|b| (status, b))
            }
            Err(e) => Err(e),
        };
        result.latencies.push(started.elapsed());
        match outcome {
            Ok((StatusCode::CREATED, _)) => result.created += 1,
            Ok((status, body)) => {
                result.errors += 1;
                result
                    .first_error
                    .get_or_insert_with(|| format!("{status}: {}", String::from_utf8_lossy(&body)));
            }
            Err(e) => {
                result.errors += 1;
                result.first_error.get_or_insert_with(|| e.to_string());
                // A refused connection fails at once: do not spin on it.
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    result
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The rep's visits as stored, read straight from the database.
fn stored_visits(database_url: &str, rep_id: &str) -> Result<i64, Error> {
    let query = "SELECT COUNT(*) AS n FROM visits WHERE rep_id = ";
    let count: Count = if let Some(path) = database_url.strip_prefix("sqlite://") {
        let mut conn = SqliteConnection::establish(path)?;
        diesel::sql_query(format!("{query}?"))
            .bind::<Text, _>(rep_id)
            .get_result(&mut conn)?
    } else {
        let mut conn = PgConnection::establish(database_url)?;
        diesel::sql_query(format!("{query}$1"))
            .bind::<Text, _>(rep_id)
            .get_result(&mut conn)?
    };
    Ok(count.n)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let options = Options::parse()?;
    let base = options.url.as_str();
    let client = Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;

    // The cast: a team, a rep in it, and the leads the rep visits.
    let admin = login(&client, base, &options.email, &options.password).await?;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let team = post(
        &client,
        &format!("{base}/api/v1/teams"),
        Some(&admin),
        json!({"name": format!("Load {}", &tag[..8])}),
        StatusCode::CREATED,
    )
    .await?["id"]
        .as_str()
        .ok_or("no team id")?
        .to_owned();
    let rep_email = format!("load-rep-{tag}@load.ironfield.dev");
    let rep_password = "load-test-password-1";
    let rep_id = post(
        &client,
        &format!("{base}/api/v1/users"),
        Some(&admin),
        json!({"email": rep_email, "name": "Load Rep", "role": "rep",
               "team_id": team, "password": rep_password}),
        StatusCode::CREATED,
    )
    .await?["id"]
        .as_str()
        .ok_or("no user id")?
        .to_owned();
    let rep = login(&client, base, &rep_email, rep_password).await?;
    let mut leads = Vec::with_capacity(options.leads);
    for i in 0..options.leads {
        let lead = post(
            &client,
            &format!("{base}/api/v1/leads"),
            Some(&rep),
            json!({"company_name": format!("Load test stall {} #{i}", &tag[..8])}),
            StatusCode::CREATED,
        )
        .await?;
        leads.push(lead["id"].as_str().ok_or("no lead id")?.to_owned());
    }

    // The run.
    let url = format!("{base}/api/v1/visits");
    let started = Instant::now();
    let deadline = started + options.duration;
    let tasks: Vec<_> = (0..options.concurrency)
        .map(|i| {
            tokio::spawn(run_client(
                client.clone(),
                url.clone(),
                rep.clone(),
                leads[i % leads.len()].clone(),
                deadline,
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    let (mut created, mut errors, mut first_error) = (0u64, 0u64, None);
    for task in tasks {
        let result = task.await?;
        latencies.extend(result.latencies);
        created += result.created;
        errors += result.errors;
        first_error = first_error.or(result.first_error);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let requests = latencies.len() as u64;
    let rate = created as f64 / elapsed;
    let (p50, p90, p99) = (
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        percentile(&latencies, 99.0),
    );
    let max = latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0);

    let stored = match &options.database_url {
        Some(db) => Some(stored_visits(db, &rep_id)?),
        None => None,
    };
    println!(
        "visits: {created} created in {elapsed:.1} s = {rate:.0} visits/s; latency ms p50 {p50:.2} \
         p90 {p90:.2} p99 {p99:.2} max {max:.2}; errors {errors}; clients {}; leads {}{}",
        options.concurrency,
        options.leads,
        stored.map_or(String::new(), |n| format!("; stored {n}")),
    );
    if let Some(error) = &first_error {
        println!("first error: {error}");
    }
    println!(
        "LOAD_RESULT {}",
        json!({
            "requests": requests, "created": created, "errors": errors,
            "elapsed_s": elapsed, "visits_per_s": rate,
            "p50_ms": p50, "p90_ms": p90, "p99_ms": p99, "max_ms": max,
            "concurrency": options.concurrency, "leads": options.leads, "stored": stored,
        })
    );
    if let Some(n) = stored {
        if n != created as i64 {
            return Err(format!("{created} visits answered 201 but {n} are stored").into());
        }
    }
    Ok(())
}
