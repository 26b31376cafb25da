//! Checks for the facts a stall owner is known by, shared by leads and seller accounts so a
//! phone, licence or stall reads the same across the pipeline. Each takes a PATCH-style
//! value (`None` inside: cleared), records what is wrong under its field, and yields the
//! stored form.

use ironfield_domain::validation::optional_text;
use ironfield_domain::{BusinessLicenseNo, GeoPoint, Phone, ValidationErrors, WechatId};

/// Free text of at most `max` characters; empty reads as cleared.
pub fn text(
    errors: &mut ValidationErrors,
    field: &str,
    value: &Option<String>,
    max: usize,
) -> Option<String> {
    value
        .as_deref()
        .and_then(|v| errors.check(field, optional_text(v, max)))
        .filter(|v| !v.is_empty())
}

/// A phone in any common writing, stored as E.164 (default region CN).
pub fn phone(errors: &mut ValidationErrors, value: Option<String>) -> Option<String> {
    value.and_then(|p| {
        errors
            .check("phone", Phone::parse(&p))
            .map(Phone::into_string)
    })
}

pub fn wechat_id(errors: &mut ValidationErrors, value: Option<String>) -> Option<String> {
    value.and_then(|w| {
        errors
            .check("wechat_id", WechatId::parse(&w))
            .map(WechatId::into_string)
    })
}

pub fn business_license_no(errors: &mut ValidationErrors, value: Option<String>) -> Option<String> {
    value.and_then(|l| {
        errors
            .check("business_license_no", BusinessLicenseNo::parse(&l))
            .map(BusinessLicenseNo::into_string)
    })
}

/// A stall number, upper-cased so `a-1023` and `A-1023` are one stall.
pub fn stall_no(errors: &mut ValidationErrors, value: &Option<String>) -> Option<String> {
    text(errors, "stall_no", value, 50).map(|s| s.to_uppercase())
}

/// A valid point, as its stored `(lat, lng)` columns.
pub fn location(
    errors: &mut ValidationErrors,
    value: Option<GeoPoint>,
) -> (Option<f64>, Option<f64>) {
    let point = value.and_then(|p| errors.check("location", p.validate().map(|_| p)));
    (point.map(|p| p.lat), point.map(|p| p.lng))
}
