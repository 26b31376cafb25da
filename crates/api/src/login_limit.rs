//! Login rate limiting, per account and per client address, kept in the database.
//!
//! Only failures spend from the budgets, so a person who types their password right is never
//! slowed down. Each key (`account:<email>`, `address:<ip>`) may fail so many times in a
//! one-minute window that starts at its first failure; the failure past the budget, and every
//! attempt after it until the window ends, is refused with 429 and `Retry-After`, before any
//! password is checked. The counts live in the `login_failures` table, so several server
//! processes on one PostgreSQL database share one budget.

use crate::blocking;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use ironfield_domain::time::now;
use ironfield_persistence::login_failures::{self, FailureWindow};
use ironfield_persistence::{DbConnection, DbError, Timestamp};

/// How long one window of failures lasts.
pub const WINDOW: chrono::Duration = chrono::Duration::seconds(60);

pub struct LoginLimiter {
    per_account: i64,
    per_address: i64,
}

impl LoginLimiter {
    pub fn new(per_account_per_minute: u32, per_address_per_minute: u32) -> Self {
        Self {
            per_account: i64::from(per_account_per_minute.max(1)),
            per_address: i64::from(per_address_per_minute.max(1)),
        }
    }

    /// Before an attempt: 429 while the account or the address has spent its budget.
    pub async fn check(&self, state: &AppState, account: &str, address: &str) -> ApiResult<()> {
        let keys = self.keys(account, address);
        let at = now().naive_utc();
        let windows = blocking::read(state, move |conn| {
            let keys: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
            Ok(login_failures::current(conn, &keys, at - WINDOW)?)
        })
        .await?;
        self.verdict(&windows, at)
    }

    /// After a failed attempt: counts it for both keys. 429 when this failure went past a
    /// budget, so the caller answers that rather than 401.
    pub async fn record_failure(
        &self,
        state: &AppState,
        account: &str,
        address: &str,
    ) -> ApiResult<()> {
        let keys = self.keys(account, address);
        let at = now().naive_utc();
        let windows = blocking::read(state, move |conn| {
            let mut windows = Vec::with_capacity(keys.len());
            for (key, _) in &keys {
                windows.push(login_failures::record(conn, key, at, at - WINDOW)?);
            }
            Ok(windows)
        })
        .await?;
        self.verdict(&windows, at)
    }

    fn keys(&self, account: &str, address: &str) -> [(String, i64); 2] {
        [
            (format!("account:{account}"), self.per_account),
            (format!("address:{address}"), self.per_address),
        ]
    }

    fn budget(&self, key: &str) -> i64 {
        if key.starts_with("address:") {
            self.per_address
        } else {
            self.per_account
        }
    }

    fn verdict(&self, windows: &[FailureWindow], at: Timestamp) -> ApiResult<()> {
        let wait = windows
            .iter()
            .filter(|w| w.failures > self.budget(&w.key))
            .map(|w| w.window_start + WINDOW - at)
            .filter(|left| *left > chrono::Duration::zero())
            .max();
        match wait {
            Some(wait) => Err(ApiError::rate_limited(seconds(wait))),
            None => Ok(()),
        }
    }
}

/// Drops windows that are over, so the table stays small.
pub fn forget_idle(conn: &mut DbConnection) -> Result<usize, DbError> {
    login_failures::purge_before(conn, now().naive_utc() - WINDOW)
}

fn seconds(wait: chrono::Duration) -> u64 {
    let millis = wait.num_milliseconds().max(0) as u64;
    millis.div_ceil(1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(key: &str, failures: i64, age_secs: i64, at: Timestamp) -> FailureWindow {
        FailureWindow {
            key: key.to_owned(),
            failures,
            window_start: at - chrono::Duration::seconds(age_secs),
        }
    }

    #[test]
    fn only_a_spent_budget_in_a_live_window_blocks() {
        let limiter = LoginLimiter::new(3, 100);
        let at = now().naive_utc();
        assert!(limiter
            .verdict(&[window("account:a@x.io", 3, 10, at)], at)
            .is_ok());
        let blocked = limiter
            .verdict(&[window("account:a@x.io", 4, 10, at)], at)
            .unwrap_err();
        assert_eq!(blocked.retry_after_secs, Some(50));
        assert!(
            limiter
                .verdict(&[window("address:1.2.3.4", 4, 10, at)], at)
                .is_ok(),
            "an address has its own, larger budget"
        );
        assert!(limiter
            .verdict(&[window("account:a@x.io", 9, 61, at)], at)
            .is_ok());
    }
}
