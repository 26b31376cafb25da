//! The portal's monthly figures of the demo's seller accounts: the last 12 closed months of
//! each shop and the month under way (a seller's shop is on the portal, as a free shop, before it takes a paid
//! membership), with a realistic share slipping so the at-risk list is worth a look: some
//! with falling GMV, some with few listings for their tier, some whose owner stopped signing
//! in, and some the portal stopped reporting. Written in batched transactions.

use super::BATCH;
use chrono::{Duration, Months, NaiveDate, NaiveDateTime};
use ironfield_domain::account::MembershipTier;
use ironfield_domain::calendar::Period;
use ironfield_domain::ids::SellerAccountId;
use ironfield_domain::time::{business_date, DEFAULT_TIMEZONE};
use ironfield_persistence::seller_performance::{self, PerformanceRow};
use ironfield_persistence::Db;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A demo account, as far as its figures need it.
pub struct Shop {
    pub id: SellerAccountId,
    pub tier: MembershipTier,
}

#[derive(Clone, Copy)]
enum Profile {
    Healthy,
    Falling,
    FewListings,
    Inactive,
    Silent,
}

const PROFILES: [(Profile, u32); 5] = [
    (Profile::Healthy, 62),
    (Profile::Falling, 12),
    (Profile::FewListings, 10),
    (Profile::Inactive, 9),
    (Profile::Silent, 7),
];

/// Writes 12 closed months and the month to date for each shop; answers the rows written.
pub fn figures(
    db: &Db,
    rng: &mut ChaCha8Rng,
    shops: &[Shop],
    now: NaiveDateTime,
    by: &str,
) -> anyhow::Result<usize> {
    let today = business_date(now.and_utc(), DEFAULT_TIMEZONE);
    let current = Period::of(today);
    let mut rows = Vec::with_capacity(shops.len() * 12);
    for shop in shops {
        let profile = *super::weighted(rng, &PROFILES);
        // Monthly GMV in fen and listings by tier.
        let (gmv_base, listings_base) = match shop.tier {
            MembershipTier::Premium => (
                rng.random_range(30_000_000..150_000_000),
                rng.random_range(150..400),
            ),
            MembershipTier::Gold => (
                rng.random_range(10_000_000..40_000_000),
                rng.random_range(60..160),
            ),
            MembershipTier::Standard => (
                rng.random_range(3_000_000..12_000_000),
                rng.random_range(25..70),
            ),
        };
        let growth: f64 = rng.random_range(-0.01..0.03);
        // The 12 closed months, and the month under way (the portal re-sends it as it goes).
        for back in (0..=12u32).rev() {
            if matches!(profile, Profile::Silent) && back <= 2 {
                continue;
            }
            let first: NaiveDate = current.first_day() - Months::new(back);
            let period = Period::of(first);
            let month_end = period.next_first_day().and_hms_opt(0, 0, 0).unwrap_or(now);
            let trend = 1.0 + growth * f64::from(12 - back);
            let noise: f64 = rng.random_range(0.85..1.15);
            let mut gmv = (gmv_base as f64 * trend * noise) as i64;
            let mut listings = (listings_base as f64 * rng.random_range(0.9..1.1)) as i64;
            if back == 0 {
                // Month to date.
                let elapsed = f64::from(today.signed_duration_since(first).num_days() as i32 + 1);
                gmv = (gmv as f64 * elapsed / 30.0) as i64;
            }
            if matches!(profile, Profile::Falling) && back <= 1 {
                gmv = (gmv as f64 * rng.random_range(0.35..0.65)) as i64;
            }
            if matches!(profile, Profile::FewListings) {
                listings = (listings as f64 * rng.random_range(0.15..0.4)) as i64;
            }
            // Inactive owners last signed in three to eight weeks ago.
            let latest_login = match profile {
                Profile::Inactive => now - Duration::days(rng.random_range(20..56)),
                _ => now - Duration::hours(rng.random_range(2..96)),
            };
            let login =
                month_end.min(now).min(latest_login) - Duration::hours(rng.random_range(0..48));
            let orders = (gmv / rng.random_range(80_000..250_000)).max(0);
            rows.push(PerformanceRow {
                seller_account_id: shop.id.clone(),
                period,
                inquiries: orders * rng.random_range(3..8),
                orders,
                gmv: gmv.max(0),
                gmv_currency: "CNY".into(),
                active_listings: listings.max(0),
                buyer_response_rate: (rng.random_range(0.55..0.99f64) * 100.0).round() / 100.0,
                last_seller_login_at: Some(login),
                updated_by: by.to_owned(),
                created_at: month_end.min(now),
                updated_at: month_end.min(now),
            });
        }
    }
    for batch in rows.chunks(BATCH) {
        db.write(|conn| -> anyhow::Result<()> {
            Ok(seller_performance::insert_many(conn, batch)?)
        })?;
    }
    Ok(rows.len())
}
