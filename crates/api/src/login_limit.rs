//! Login rate limiting, per account and per client address (GCRA via `governor`).
//!
//! Only failures spend from the budgets, so a person who types their password right is never
//! slowed down. Once a budget is spent, every attempt for that account or from that address
//! is refused with 429 until it refills (e.g. 5 a minute: one every 12 s), before any
//! password is checked.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<String>,
    /// Keys whose budget is spent, and when they may try again.
    blocked: Mutex<HashMap<String, Instant>>,
}

impl LoginLimiter {
    pub fn new(per_account_per_minute: u32, per_address_per_minute: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Self {
            per_account: RateLimiter::keyed(quota(per_account_per_minute)),
            per_address: RateLimiter::keyed(quota(per_address_per_minute)),
            blocked: Mutex::new(HashMap::new()),
        }
    }

    /// Before an attempt: `Err(seconds)` while the account or address is blocked.
    pub fn check(&self, account: &str, address: &str) -> Result<(), u64> {
        let now = Instant::now();
        let blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        let wait = [account_key(account), address_key(address)]
            .iter()
            .filter_map(|key| blocked.get(key))
            .filter(|until| **until > now)
            .map(|until| until.duration_since(now))
            .max();
        match wait {
            Some(wait) => Err(seconds(wait)),
            None => Ok(()),
        }
    }

    /// After a failed attempt: spends from both budgets. `Err(seconds)` when this failure
    /// used the last of one, so the caller answers 429 rather than 401.
    pub fn record_failure(&self, account: &str, address: &str) -> Result<(), u64> {
        let clock = DefaultClock::default();
        let mut longest = None;
        for (limiter, key) in [
            (&self.per_account, account_key(account)),
            (&self.per_address, address_key(address)),
        ] {
            if let Err(not_until) = limiter.check_key(&key) {
                let wait = not_until.wait_time_from(clock.now());
                self.blocked
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key, Instant::now() + wait);
                longest = longest.max(Some(wait));
            }
        }
        match longest {
            Some(wait) => Err(seconds(wait)),
            None => Ok(()),
        }
    }

    /// Drops the state of keys that have refilled, so memory stays bounded.
    pub fn forget_idle(&self) {
        self.per_account.retain_recent();
        self.per_address.retain_recent();
        let now = Instant::now();
        self.blocked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, until| *until > now);
    }
}

fn account_key(account: &str) -> String {
    format!("account:{account}")
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

fn seconds(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::LoginLimiter;

    #[test]
    fn failures_spend_the_budget_and_then_block() {
        let limiter = LoginLimiter::new(3, 100);
        for _ in 0..3 {
            assert!(limiter.check("a@x.io", "1.2.3.4").is_ok());
            assert!(limiter.record_failure("a@x.io", "1.2.3.4").is_ok());
        }
        assert!(limiter.record_failure("a@x.io", "1.2.3.4").is_err());
        assert!(
            limiter.check("a@x.io", "5.6.7.8").is_err(),
            "the account is blocked from anywhere"
        );
        assert!(limiter.check("b@x.io", "1.2.3.4").is_ok(), "others are not");
    }
}
