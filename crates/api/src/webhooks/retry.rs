//! When a failed delivery is tried again: exponential back-off with jitter, for 24 hours.
//!
//! The n-th retry waits a random time between half and all of `base · 2^(n-1)`, capped at
//! `base · 360` (one hour at the default base of 10 s): the first retry comes within 10 s
//! (the contract asks for 30), and retries of many deliveries spread out instead of arriving
//! at a receiver together. A delivery whose next try would fall more than 24 hours after it
//! was enqueued is marked `failed`.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;

/// The default back-off base.
pub const DEFAULT_BASE: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a delivery is retried.
pub const RETRY_FOR: Duration = Duration::hours(24);

/// The wait before retry `attempt` (1 = the first retry), with jitter drawn from `rng`.
pub fn delay(attempt: i64, base: std::time::Duration, rng: &mut impl Rng) -> std::time::Duration {
    let cap = base.saturating_mul(360);
    let exponent = u32::try_from(attempt.clamp(1, 32) - 1).unwrap_or(31);
    let full = base.saturating_mul(2u32.saturating_pow(exponent)).min(cap);
    let half = full / 2;
    let spread = u64::try_from((full - half).as_millis()).unwrap_or(u64::MAX);
    half + std::time::Duration::from_millis(rng.random_range(0..=spread))
}

/// When to try again after `attempts` failed tries, or `None` when the 24 hours are up.
pub fn next_attempt(
    enqueued_at: DateTime<Utc>,
    attempts: i64,
    now: DateTime<Utc>,
    base: std::time::Duration,
    rng: &mut impl Rng,
) -> Option<DateTime<Utc>> {
    let wait = Duration::from_std(delay(attempts, base, rng)).ok()?;
    let next = now + wait;
    (next <= enqueued_at + RETRY_FOR).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    const BASE: std::time::Duration = std::time::Duration::from_secs(10);

    #[test]
    fn first_retry_within_thirty_seconds_and_growing() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..100 {
            let first = delay(1, BASE, &mut rng);
            assert!(first >= BASE / 2 && first <= BASE, "{first:?}");
            let fourth = delay(4, BASE, &mut rng);
            assert!(fourth >= BASE * 4 && fourth <= BASE * 8, "{fourth:?}");
        }
    }

    #[test]
    fn capped_at_an_hour() {
        let mut rng = StdRng::seed_from_u64(1);
        for attempt in [12, 20, 100, i64::MAX] {
            assert!(delay(attempt, BASE, &mut rng) <= std::time::Duration::from_secs(3600));
        }
    }

    #[test]
    fn gives_up_after_a_day() {
        let mut rng = StdRng::seed_from_u64(3);
        let start = Utc::now();
        assert!(next_attempt(start, 1, start, BASE, &mut rng).is_some());
        let late = start + Duration::hours(23) + Duration::minutes(59) + Duration::seconds(55);
        assert!(next_attempt(start, 1, late, BASE, &mut rng).is_none());
    }
}
