//! A seller account's standing on the portal: its membership tier and where it is in its life.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Membership tier on the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MembershipTier {
    Standard,
    Gold,
    Premium,
}

impl MembershipTier {
    pub const ALL: [MembershipTier; 3] = [
        MembershipTier::Standard,
        MembershipTier::Gold,
        MembershipTier::Premium,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MembershipTier::Standard => "standard",
            MembershipTier::Gold => "gold",
            MembershipTier::Premium => "premium",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|tier| tier.as_str() == text)
    }
}

/// Where the seller is in their life on the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Onboarding,
    Active,
    Suspended,
    Churned,
}

impl AccountStatus {
    pub const ALL: [AccountStatus; 4] = [
        AccountStatus::Onboarding,
        AccountStatus::Active,
        AccountStatus::Suspended,
        AccountStatus::Churned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Onboarding => "onboarding",
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::Churned => "churned",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Still a seller of ours: everything but `churned`.
    pub fn is_live(self) -> bool {
        self != AccountStatus::Churned
    }
}

/// The last day of a contract of `months` months starting on `start` (the day before its
/// anniversary); `None` past the calendar.
pub fn contract_end(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start
        .checked_add_months(Months::new(months))
        .and_then(|d| d.pred_opt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contracts_end_the_day_before_their_anniversary() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(contract_end(d("2026-11-01"), 12), Some(d("2027-10-31")));
        assert_eq!(contract_end(d("2026-01-15"), 1), Some(d("2026-02-14")));
        assert_eq!(contract_end(NaiveDate::MAX, 1), None);
    }

    #[test]
    fn names_round_trip_and_match_the_json() {
        for tier in MembershipTier::ALL {
            assert_eq!(MembershipTier::parse(tier.as_str()), Some(tier));
            let json = serde_json::to_string(&tier).unwrap();
            assert_eq!(json, format!("\"{}\"", tier.as_str()));
        }
        for status in AccountStatus::ALL {
            assert_eq!(AccountStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(MembershipTier::parse("Gold"), None);
        assert!(!AccountStatus::Churned.is_live());
    }
}
