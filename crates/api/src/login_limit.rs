//! Login rate limiting, per account and per client address (GCRA via `governor`).
//!
//! Every login attempt spends from both budgets, so guessing is slow; a budget refills
//! steadily (e.g. 5 a minute: one every 12 s).

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

pub struct LoginLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<String>,
}

impl LoginLimiter {
    pub fn new(per_account_per_minute: u32, per_address_per_minute: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_account: RateLimiter::keyed(quota(per_account_per_minute)),
            per_address: RateLimiter::keyed(quota(per_address_per_minute)),
        }
    }

    /// Spends one attempt for this account and address; `Err(seconds)` says how long to wait.
    pub fn check(&self, account: &str, address: &str) -> Result<(), u64> {
        let now = DefaultClock::default().now();
        let wait = |limiter: &DefaultKeyedRateLimiter<String>, key: &str| {
            limiter
                .check_key(&key.to_owned())
                .err()
                .map(|not_until| not_until.wait_time_from(now).as_secs().max(1))
        };
        match (
            wait(&self.per_address, address),
            wait(&self.per_account, account),
        ) {
            (None, None) => Ok(()),
            (a, b) => Err(a.unwrap_or(0).max(b.unwrap_or(0))),
        }
    }

    /// Drops the state of keys that have fully refilled, so memory stays bounded.
    pub fn forget_idle(&self) {
        self.per_account.retain_recent();
        self.per_address.retain_recent();
    }
}
