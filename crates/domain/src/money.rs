//! Amounts of money, such as a won deal's value.

use iso_currency::{Currency, Flag};
use serde::{Deserialize, Serialize};

/// An amount in a currency's minor units (fen for CNY, cents for USD).
///
/// Integers, never floats: 0.1 + 0.2 is not 0.3 in binary floating point, and money that drifts
/// by a fen in a sum is money nobody can reconcile. `i64` fen reach far beyond any deal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(example = json!({"amount": 1980000, "currency": "CNY"}))
)]
pub struct Money {
    /// The amount in the currency's minor units: 1980000 in CNY is ¥19,800.00.
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 0, maximum = 100_000_000_000_000_i64)
    )]
    pub amount: i64,
    /// An ISO 4217 alphabetic code, such as `CNY`.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\s*[A-Za-z]{3}\s*$"))]
    pub currency: String,
}

impl Money {
    /// Money with a checked currency; negative amounts are refused, since a deal's value or a
    /// fee is never below zero (a refund is recorded as such, not as a negative deal).
    pub fn new(amount: i64, currency: &str) -> Result<Self, String> {
        if amount < 0 {
            return Err("must not be negative".into());
        }
        // A trillion yuan in fen: far above any contract, far below where sums could overflow.
        if amount > MAX_AMOUNT {
            return Err(format!("must be at most {MAX_AMOUNT} minor units"));
        }
        Ok(Self {
            amount,
            currency: self::currency(currency)?,
        })
    }
}

/// The largest amount accepted, in minor units.
pub const MAX_AMOUNT: i64 = 100_000_000_000_000;

/// Checks an ISO 4217 alphabetic currency code and returns it in its canonical upper-case form.
///
/// Surrounding spaces and lower case are forgiven (`" cny"` is `CNY`). The list is the
/// `iso_currency` crate's, which follows ISO's amendments; codes ISO has withdrawn in favour of
/// another (`HRK` for `EUR`) are refused with the replacement named, so no new amount is recorded
/// in a currency that no longer exists.
pub fn currency(code: &str) -> Result<String, String> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err("must be a three-letter ISO 4217 currency code, such as CNY".into());
    }
    let Some(currency) = Currency::from_code(&code) else {
        return Err(format!("`{code}` is not an ISO 4217 currency code"));
    };
    for flag in currency.flags() {
        if let Flag::Superseded(by) = flag {
            return Err(format!("`{code}` is no longer in use; use `{}`", by.code()));
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_currencies_are_accepted() {
        for code in [
            "CNY", "USD", "EUR", "HKD", "JPY", "KRW", "RUB", "AED", "GBP",
        ] {
            assert_eq!(currency(code).unwrap(), code);
        }
    }

    #[test]
    fn codes_are_trimmed_and_upper_cased() {
        assert_eq!(currency(" cny ").unwrap(), "CNY");
        assert_eq!(currency("Usd").unwrap(), "USD");
    }

    #[test]
    fn malformed_and_unknown_codes_are_refused() {
        for bad in ["", "CN", "CNYY", "C1Y", "¥", "RMB", "ABC", "XYZ", "元元元"] {
            assert!(currency(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            currency("RMB").unwrap_err(),
            "`RMB` is not an ISO 4217 currency code"
        );
        assert_eq!(
            currency("C1Y").unwrap_err(),
            "must be a three-letter ISO 4217 currency code, such as CNY"
        );
    }

    #[test]
    fn withdrawn_codes_name_their_replacement() {
        assert_eq!(
            currency("HRK").unwrap_err(),
            "`HRK` is no longer in use; use `EUR`"
        );
        assert!(currency("SLL").is_err());
        assert!(currency("SLE").is_ok());
    }

    #[test]
    fn money_is_non_negative_with_a_real_currency() {
        assert_eq!(
            Money::new(1_980_000, "cny").unwrap(),
            Money {
                amount: 1_980_000,
                currency: "CNY".into()
            }
        );
        assert_eq!(Money::new(0, "USD").unwrap().amount, 0);
        assert_eq!(Money::new(MAX_AMOUNT, "USD").unwrap().amount, MAX_AMOUNT);
        // Beyond a trillion yuan is a typo, and would let sums of amounts overflow.
        assert!(Money::new(MAX_AMOUNT + 1, "USD").is_err());
        assert!(Money::new(i64::MAX, "USD").is_err());
        assert_eq!(Money::new(-1, "CNY").unwrap_err(), "must not be negative");
        assert!(Money::new(100, "RMB").is_err());
    }

    #[test]
    fn money_serialises_as_amount_and_currency() {
        let money = Money::new(1_980_000, "CNY").unwrap();
        let json = serde_json::to_value(&money).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"amount": 1980000, "currency": "CNY"})
        );
        assert_eq!(serde_json::from_value::<Money>(json).unwrap(), money);
        // A fractional amount is not minor units: refused rather than rounded.
        assert!(
            serde_json::from_str::<Money>(r#"{"amount": 19800.5, "currency": "CNY"}"#).is_err()
        );
    }
}
