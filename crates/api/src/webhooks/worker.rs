//! The delivery worker: claims due deliveries and POSTs them, in every server process.
//!
//! At most `MAX_IN_FLIGHT` requests are in flight per process and at most `PER_ENDPOINT` per
//! subscription, each bounded by `client::REQUEST_TIMEOUT`, all on their own tasks: a slow or
//! dead receiver holds two slots for ten seconds at worst and never an API request or another
//! subscription's delivery. Claims are leased (`LEASE`) so two processes never send one
//! delivery at once; a process that dies mid-send lets the lease lapse and another resends.

use super::client::Clients;
use super::{retry, settings, signature, ssrf};
use crate::blocking;
use crate::state::AppState;
use actix_web::web;
use ironfield_domain::ids::WebhookId;
use ironfield_domain::time::now;
use ironfield_persistence::webhooks::{self, AttemptOutcome, Claimed};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Requests in flight at once per process.
pub const MAX_IN_FLIGHT: usize = 16;
/// Requests in flight at once per subscription (per process).
pub const PER_ENDPOINT: usize = 2;
/// A subscription is disabled after this many consecutive failed attempts (any of its
/// deliveries; a success resets the count, so does re-enabling it).
pub const DISABLE_AFTER: i64 = 20;
/// How long a claim keeps other processes off a delivery: well past the request timeout.
const LEASE: Duration = Duration::from_secs(60);
/// How often the worker looks for due deliveries.
const POLL: Duration = Duration::from_millis(200);
/// Errors are stored at most this long (characters).
const MAX_ERROR_CHARS: usize = 500;

/// Subscription id → requests in flight.
type InFlight = Arc<Mutex<HashMap<WebhookId, usize>>>;

/// Runs forever; `server::start` spawns it.
pub async fn run(state: web::Data<AppState>) {
    let clients = match Clients::new() {
        Ok(clients) => clients,
        Err(error) => {
            tracing::error!(%error, "webhook delivery cannot start: no HTTP client");
            return;
        }
    };
    let in_flight: InFlight = Arc::default();
    loop {
        tokio::time::sleep(POLL).await;
        if let Err(error) = round(&state, &clients, &in_flight).await {
            tracing::warn!(%error, "webhook delivery round failed");
        }
    }
}

async fn round(
    state: &web::Data<AppState>,
    clients: &Clients,
    in_flight: &InFlight,
) -> crate::error::ApiResult<()> {
    let (free, busy) = {
        let map = in_flight.lock().unwrap_or_else(|p| p.into_inner());
        let total: usize = map.values().sum();
        let busy: Vec<WebhookId> = map
            .iter()
            .filter(|(_, n)| **n >= PER_ENDPOINT)
            .map(|(id, _)| id.clone())
            .collect();
        (MAX_IN_FLIGHT.saturating_sub(total), busy)
    };
    if free == 0 {
        return Ok(());
    }
    let at = now().naive_utc();
    if !blocking::read(state, move |conn| Ok(webhooks::has_due(conn, at)?)).await? {
        return Ok(());
    }
    let lease_until = at + chrono::Duration::from_std(LEASE).unwrap_or_default();
    let claimed = blocking::write(state, move |conn| {
        Ok(webhooks::claim_due(
            conn,
            at,
            lease_until,
            &busy,
            free,
            PER_ENDPOINT,
        )?)
    })
    .await?;
    for delivery in claimed {
        let slot = Slot::take(in_flight, &delivery.delivery.webhook_id);
        let (state, clients) = (state.clone(), clients.clone());
        tokio::spawn(async move {
            deliver(&state, &clients, delivery).await;
            drop(slot);
        });
    }
    Ok(())
}

/// One request's place in the in-flight count, given back when dropped.
struct Slot {
    in_flight: InFlight,
    webhook_id: WebhookId,
}

impl Slot {
    fn take(in_flight: &InFlight, webhook_id: &WebhookId) -> Slot {
        let mut map = in_flight.lock().unwrap_or_else(|p| p.into_inner());
        *map.entry(webhook_id.clone()).or_default() += 1;
        Slot {
            in_flight: in_flight.clone(),
            webhook_id: webhook_id.clone(),
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut map = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.webhook_id) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.webhook_id);
            }
        }
    }
}

async fn deliver(state: &web::Data<AppState>, clients: &Clients, claimed: Claimed) {
    let policy = match blocking::read(state, settings::policy).await {
        Ok(policy) => policy,
        Err(error) => {
            // The lease runs out and the delivery is claimed again later.
            tracing::warn!(%error, "webhook settings unreadable; delivery postponed");
            return;
        }
    };
    let started = Instant::now();
    let result = match ssrf::check_url(&claimed.url, policy) {
        Ok(url) => send(clients.for_policy(policy), url, &claimed).await,
        Err(reason) => Err(format!("refused by the URL guard: {reason}")),
    };
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let finished = now();
    let (succeeded, response_status, error) = match result {
        Ok(status) if (200..300).contains(&status) => (true, Some(status), None),
        Ok(status) => (false, Some(status), Some(format!("HTTP {status}"))),
        Err(error) => (false, None, Some(truncate(error))),
    };
    let next_attempt_at = if succeeded {
        None
    } else {
        retry::next_attempt(
            claimed.delivery.created_at.and_utc(),
            claimed.delivery.attempt + 1,
            finished,
            state.settings.webhook_retry_base,
            &mut rand::rng(),
        )
        .map(|t| t.naive_utc())
    };
    let outcome = AttemptOutcome {
        succeeded,
        response_status,
        duration_ms,
        error,
        next_attempt_at,
    };
    let delivery = claimed.delivery;
    let recorded = blocking::write(state, move |conn| {
        Ok(webhooks::record_attempt(
            conn,
            &delivery,
            &outcome,
            DISABLE_AFTER,
            finished.naive_utc(),
        )?
        .then_some(delivery.webhook_id))
    })
    .await;
    match recorded {
        Ok(Some(webhook_id)) => tracing::warn!(
            %webhook_id,
            "webhook disabled after {DISABLE_AFTER} consecutive failed attempts"
        ),
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "recording a webhook attempt failed"),
    }
}

/// POSTs the delivery; answers the response status, or why there was none.
async fn send(
    client: &reqwest::Client,
    url: reqwest::Url,
    claimed: &Claimed,
) -> Result<i64, String> {
    let delivery = &claimed.delivery;
    let t = now().timestamp();
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Ironfield-Event-Id", delivery.event_id.as_str())
        .header("X-Ironfield-Event-Type", &delivery.event_type)
        .header(
            "X-Ironfield-Signature",
            signature::header(&claimed.secret, t, delivery.payload.as_bytes()),
        )
        .body(delivery.payload.clone())
        .send()
        .await
        .map_err(describe)?;
    Ok(i64::from(response.status().as_u16()))
}

/// A request error with its causes, e.g. "timed out" or "connection refused".
fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        return format!(
            "no answer within {} s",
            super::client::REQUEST_TIMEOUT.as_secs()
        );
    }
    let mut text = String::from(if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    });
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(&error);
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

fn truncate(mut text: String) -> String {
    if let Some((cut, _)) = text.char_indices().nth(MAX_ERROR_CHARS) {
        text.truncate(cut);
    }
    text
}
