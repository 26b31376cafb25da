//! The facts a stall owner is known by, shared by leads and seller accounts so a phone,
//! licence or stall reads the same across the pipeline: the checks of each (a PATCH-style
//! value, `None` inside meaning cleared; what is wrong recorded under its field; the stored
//! form returned), and [`StallFacts`], the one input both resources apply to their row.

use ironfield_domain::validation::{optional_text, required_text};
use ironfield_domain::{BusinessLicenseNo, Email, GeoPoint, Phone, ValidationErrors, WechatId};

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

/// Notes on a lead or an account: free text of at most 4000 characters.
pub fn notes(errors: &mut ValidationErrors, value: &Option<String>) -> Option<String> {
    text(errors, "notes", value, 4000)
}

/// Who the stall owner is and where their stall is, as a lead and a seller account both
/// hold it. Each field: absent (`None`) leaves the row alone, `Some(None)` clears it.
/// `company_name` cannot be cleared. Notes are not here: each resource checks its own after
/// its other fields, so the errors of a request keep the order the fields are listed in.
#[derive(Debug, Default, Clone)]
pub struct StallFacts {
    pub company_name: Option<String>,
    pub contact_name: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub wechat_id: Option<Option<String>>,
    /// Only a lead keeps an e-mail address; an account's input never carries one.
    pub email: Option<Option<String>>,
    pub business_license_no: Option<Option<String>>,
    pub market: Option<Option<String>>,
    pub district: Option<Option<String>>,
    pub stall_no: Option<Option<String>>,
    pub location: Option<Option<GeoPoint>>,
}

/// The columns of a row (a lead's, an account's) that [`StallFacts`] writes.
pub struct StallColumns<'a> {
    pub company_name: &'a mut String,
    pub contact_name: &'a mut Option<String>,
    pub phone: &'a mut Option<String>,
    pub wechat_id: &'a mut Option<String>,
    /// `None`: the row has no e-mail column.
    pub email: Option<&'a mut Option<String>>,
    pub business_license_no: &'a mut Option<String>,
    pub market: &'a mut Option<String>,
    pub district: &'a mut Option<String>,
    pub stall_no: &'a mut Option<String>,
    pub location_lat: &'a mut Option<f64>,
    pub location_lng: &'a mut Option<f64>,
}

impl StallFacts {
    /// Writes the facts that are present into `row`, in their stored form, collecting every
    /// invalid one (a field in error is left as it was or cleared; the caller refuses the
    /// request when `errors` is not empty).
    pub fn apply(self, row: StallColumns<'_>, errors: &mut ValidationErrors) {
        if let Some(name) = &self.company_name {
            if let Some(name) = errors.check("company_name", required_text(name, 200)) {
                *row.company_name = name;
            }
        }
        if let Some(v) = &self.contact_name {
            *row.contact_name = text(errors, "contact_name", v, 100);
        }
        if let Some(v) = self.phone {
            *row.phone = phone(errors, v);
        }
        if let Some(v) = self.wechat_id {
            *row.wechat_id = wechat_id(errors, v);
        }
        if let (Some(v), Some(column)) = (self.email, row.email) {
            *column = v.and_then(|e| {
                errors
                    .check("email", Email::parse(&e))
                    .map(Email::into_string)
            });
        }
        if let Some(v) = self.business_license_no {
            *row.business_license_no = business_license_no(errors, v);
        }
        if let Some(v) = &self.market {
            *row.market = text(errors, "market", v, 100);
        }
        if let Some(v) = &self.district {
            *row.district = text(errors, "district", v, 100);
        }
        if let Some(v) = &self.stall_no {
            *row.stall_no = stall_no(errors, v);
        }
        if let Some(v) = self.location {
            (*row.location_lat, *row.location_lng) = location(errors, v);
        }
    }
}
