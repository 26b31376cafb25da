//! Typed values in TEXT columns: domain enums, business days and string lists, read and
//! written as the text both backends already hold.
//!
//! A row field keeps its own type (`Stage`, `Purpose`, `NaiveDate`, `Vec<String>`) and names
//! [`Stored`] as the form it travels in:
//!
//! ```ignore
//! #[diesel(serialize_as = Stored, deserialize_as = Stored)]
//! pub stage: Stage,
//! ```
//!
//! Why a go-between rather than diesel's traits on the domain types themselves: the orphan
//! rule lets only a crate that owns the trait or the type implement `AsExpression<Text>` for
//! `Stage`, and `domain` stays free of diesel (no I/O, no database types). `NaiveDate` and
//! `Vec<String>` belong to no crate of ours at all, so they need a go-between anyway; one for
//! every value keeps a single path. What it costs: diesel inserts and updates a row with
//! `serialize_as` fields only by value, so the writers clone the row first (a few short
//! strings; the database round trip dwarfs it).
//!
//! Reading never defaults: a stored text that does not parse fails the query with
//! [`Unreadable`] (a diesel deserialisation error, so a 500 `internal` with the value logged),
//! the same for every row type and every query.

use chrono::NaiveDate;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Nullable, Text};
use ironfield_domain::account::{AccountStatus, MembershipTier};
use ironfield_domain::calendar::Period;
use ironfield_domain::ids::{
    AuditEventId, DeliveryId, EventId, LeadId, MeetingId, RefreshTokenId, RenewalId,
    SellerAccountId, ServiceAccountId, TargetId, TeamId, TokenFamilyId, UserId, VisitId, WebhookId,
};
use ironfield_domain::meeting::AttendanceStatus;
use ironfield_domain::pacing::{Metric, SubjectType};
use ironfield_domain::scope::Scopes;
use ironfield_domain::visit::{LocationCheck, Outcome, Purpose};
use ironfield_domain::webhook::{CreatorType, DeliveryStatus};
use ironfield_domain::{Role, Stage};

/// A value as the text of its column.
#[derive(Debug, Clone, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct Stored(String);

impl Stored {
    /// The text as stored (for comparisons in queries).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// Generic over the backend, so the same two impls serve SQLite, PostgreSQL and the
// multi-connection's own backend (which has `String` impls of its own for `Text`).
impl<DB: Backend> FromSql<Text, DB> for Stored
where
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        String::from_sql(bytes).map(Stored)
    }
}

impl<DB: Backend> ToSql<Text, DB> for Stored
where
    String: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.0.to_sql(out)
    }
}

/// A value that may be absent as the text of a nullable column (`NULL` when absent), for row
/// fields such as `team_id: Option<TeamId>`:
///
/// ```ignore
/// #[diesel(serialize_as = StoredOption, deserialize_as = StoredOption)]
/// pub account_id: Option<SellerAccountId>,
/// ```
#[derive(Debug, Clone, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct StoredOption(Option<String>);

impl<DB: Backend> FromSql<Nullable<Text>, DB> for StoredOption
where
    Option<String>: FromSql<Nullable<Text>, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        Option::<String>::from_sql(bytes).map(StoredOption)
    }

    fn from_nullable_sql(bytes: Option<DB::RawValue<'_>>) -> deserialize::Result<Self> {
        Option::<String>::from_nullable_sql(bytes).map(StoredOption)
    }
}

impl<DB: Backend> ToSql<Text, DB> for StoredOption
where
    String: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        match &self.0 {
            Some(text) => text.to_sql(out),
            None => Ok(IsNull::Yes),
        }
    }
}

impl<T: TextForm> From<Option<T>> for StoredOption {
    fn from(value: Option<T>) -> Self {
        StoredOption(value.map(|value| value.to_text()))
    }
}

impl<T: TextForm> TryFrom<StoredOption> for Option<T> {
    type Error = Unreadable;

    fn try_from(stored: StoredOption) -> Result<Self, Unreadable> {
        stored
            .0
            .map(|text| {
                T::from_text(&text).ok_or(Unreadable {
                    what: T::WHAT,
                    text,
                })
            })
            .transpose()
    }
}

/// A stored text that is not a value of its type: corrupt or foreign data, never a client's
/// mistake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a stored {what} is unreadable: {text:?}")]
pub struct Unreadable {
    pub what: &'static str,
    pub text: String,
}

/// How a type is written as text and read back; each stored form is exactly what the columns
/// held before they were typed, so existing databases (and `move-data`) read unchanged.
pub trait TextForm: Sized {
    /// What the value is called in [`Unreadable`].
    const WHAT: &'static str;
    fn to_text(&self) -> String;
    fn from_text(text: &str) -> Option<Self>;
}

/// Bridges a [`TextForm`] type to [`Stored`] both ways (the orphan rule allows these impls
/// per type, not as one blanket impl).
macro_rules! stored_as_text {
    ($($ty:ty),+ $(,)?) => {$(
        impl From<$ty> for Stored {
            fn from(value: $ty) -> Self {
                Stored(value.to_text())
            }
        }

        impl TryFrom<Stored> for $ty {
            type Error = Unreadable;

            fn try_from(stored: Stored) -> Result<Self, Unreadable> {
                <$ty as TextForm>::from_text(&stored.0).ok_or(Unreadable {
                    what: <$ty as TextForm>::WHAT,
                    text: stored.0,
                })
            }
        }
    )+};
}

stored_as_text!(
    Stage,
    Purpose,
    Outcome,
    LocationCheck,
    MembershipTier,
    AccountStatus,
    Role,
    Metric,
    SubjectType,
    AttendanceStatus,
    DeliveryStatus,
    CreatorType,
    Period,
    NaiveDate,
    Vec<String>,
    Scopes,
    LeadId,
    SellerAccountId,
    VisitId,
    UserId,
    MeetingId,
    TargetId,
    ServiceAccountId,
    TeamId,
    WebhookId,
    DeliveryId,
    EventId,
    AuditEventId,
    RenewalId,
    RefreshTokenId,
    TokenFamilyId,
);

/// Record ids (`ironfield_domain::ids`): stored as their canonical UUID text, and read back
/// only in that form. Queries compare a column with the id's `as_str()`.
macro_rules! id_text_form {
    ($($ty:ty => $what:literal),+ $(,)?) => {$(
        impl TextForm for $ty {
            const WHAT: &'static str = $what;
            fn to_text(&self) -> String {
                self.as_str().to_owned()
            }
            fn from_text(text: &str) -> Option<Self> {
                <$ty>::from_canonical(text).ok()
            }
        }
    )+};
}

id_text_form!(
    LeadId => "lead id",
    SellerAccountId => "seller account id",
    VisitId => "visit id",
    UserId => "user id",
    MeetingId => "meeting id",
    TargetId => "target id",
    ServiceAccountId => "service account id",
    TeamId => "team id",
    WebhookId => "webhook id",
    DeliveryId => "delivery id",
    EventId => "event id",
    AuditEventId => "audit event id",
    RenewalId => "renewal id",
    RefreshTokenId => "refresh token id",
    TokenFamilyId => "token family id",
);

impl TextForm for Stage {
    const WHAT: &'static str = "stage";
    fn to_text(&self) -> String {
        self.as_str().to_owned()
    }
    fn from_text(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

impl TextForm for Role {
    const WHAT: &'static str = "role";
    fn to_text(&self) -> String {
        self.as_str().to_owned()
    }
    fn from_text(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

/// The domain's visit and account enums share one shape (`as_str` / `parse`).
macro_rules! named_text_form {
    ($($ty:ty => $what:literal),+ $(,)?) => {$(
        impl TextForm for $ty {
            const WHAT: &'static str = $what;
            fn to_text(&self) -> String {
                self.as_str().to_owned()
            }
            fn from_text(text: &str) -> Option<Self> {
                <$ty>::parse(text)
            }
        }
    )+};
}

named_text_form!(
    Purpose => "visit purpose",
    Outcome => "visit outcome",
    LocationCheck => "location check",
    MembershipTier => "membership tier",
    AccountStatus => "account status",
    Metric => "target metric",
    SubjectType => "target subject type",
    AttendanceStatus => "attendance status",
    DeliveryStatus => "webhook delivery status",
    CreatorType => "webhook creator type",
);

/// A calendar month, `YYYY-MM` (a target's period).
impl TextForm for Period {
    const WHAT: &'static str = "period";
    fn to_text(&self) -> String {
        self.to_string()
    }
    fn from_text(text: &str) -> Option<Self> {
        Period::parse(text).ok()
    }
}

/// A business day: `YYYY-MM-DD` in the organisation's time zone. TEXT rather than diesel's
/// `Date`, because that is what both backends hold (PostgreSQL's column is `text`), and text
/// compares by day in the same order. Only that exact form reads back: chrono alone would
/// also take `2026-11-3`, which sorts out of order among the others.
impl TextForm for NaiveDate {
    const WHAT: &'static str = "business date";
    fn to_text(&self) -> String {
        self.format("%Y-%m-%d").to_string()
    }
    fn from_text(text: &str) -> Option<Self> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|day| day.to_text() == text)
    }
}

/// A list of strings as a JSON array (`["a","b"]`), e.g. a lead's product categories.
impl TextForm for Vec<String> {
    const WHAT: &'static str = "list of strings (JSON)";
    fn to_text(&self) -> String {
        serde_json::Value::from(self.clone()).to_string()
    }
    fn from_text(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

/// A service account's scopes: their names, space-separated (as in a token's `scope`).
impl TextForm for Scopes {
    const WHAT: &'static str = "scope list";
    fn to_text(&self) -> String {
        self.to_string()
    }
    fn from_text(text: &str) -> Option<Self> {
        Scopes::parse(text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T>(value: T, text: &str)
    where
        T: TextForm + Clone + PartialEq + std::fmt::Debug + Into<Stored> + TryFrom<Stored>,
        <T as TryFrom<Stored>>::Error: std::fmt::Debug,
    {
        let stored: Stored = value.clone().into();
        assert_eq!(stored.as_str(), text);
        assert_eq!(T::try_from(stored).unwrap(), value);
    }

    #[test]
    fn values_keep_the_text_they_were_stored_as() {
        round_trip(Stage::Negotiating, "negotiating");
        round_trip(Purpose::FollowUp, "follow_up");
        round_trip(Outcome::FollowUpScheduled, "follow_up_scheduled");
        round_trip(LocationCheck::OutOfRange, "out_of_range");
        round_trip(MembershipTier::Premium, "premium");
        round_trip(AccountStatus::Churned, "churned");
        round_trip(Role::TeamLead, "team_lead");
        round_trip(Metric::NewSellers, "new_sellers");
        round_trip(SubjectType::Team, "team");
        round_trip(AttendanceStatus::Excused, "excused");
        round_trip(DeliveryStatus::Succeeded, "succeeded");
        round_trip(CreatorType::ServiceAccount, "service_account");
        round_trip(Period::parse("2026-03").unwrap(), "2026-03");
        round_trip(NaiveDate::from_ymd_opt(2026, 3, 7).unwrap(), "2026-03-07");
        round_trip(
            vec!["饰品".to_owned(), "a \"b\"".to_owned()],
            r#"["饰品","a \"b\""]"#,
        );
        round_trip(Vec::<String>::new(), "[]");
        round_trip(
            Scopes::parse("visits:write leads:read").unwrap(),
            "leads:read visits:write",
        );
        let id = "0190a5b6-1c2d-7e3f-8a9b-0c1d2e3f4a5b";
        round_trip(LeadId::parse(id).unwrap(), id);
    }

    #[test]
    fn an_absent_value_is_null_and_a_present_one_its_text() {
        let id = LeadId::parse("0190a5b6-1c2d-7e3f-8a9b-0c1d2e3f4a5b").unwrap();
        let stored = StoredOption::from(Some(id.clone()));
        assert_eq!(stored.0.as_deref(), Some(id.as_str()));
        assert_eq!(Option::<LeadId>::try_from(stored).unwrap(), Some(id));
        let absent = StoredOption::from(None::<LeadId>);
        assert_eq!(absent.0, None);
        assert_eq!(Option::<LeadId>::try_from(absent).unwrap(), None);
        let error = Option::<VisitId>::try_from(StoredOption(Some("east".into()))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "a stored visit id is unreadable: \"east\""
        );
    }

    #[test]
    fn unreadable_text_is_an_error_naming_the_value() {
        let error = Stage::try_from(Stored("Won".into())).unwrap_err();
        assert_eq!(error.to_string(), "a stored stage is unreadable: \"Won\"");
        assert!(NaiveDate::try_from(Stored("2026-3-7x".into())).is_err());
        assert!(NaiveDate::try_from(Stored("2026-03-7".into())).is_err());
        assert!(Vec::<String>::try_from(Stored("jewellery".into())).is_err());
        assert!(Purpose::try_from(Stored("lunch".into())).is_err());
        assert!(Role::try_from(Stored("Admin".into())).is_err());
        assert!(Period::try_from(Stored("2026-3".into())).is_err());
        assert!(Metric::try_from(Stored("calls".into())).is_err());
        assert!(Scopes::try_from(Stored("leads:read leads:delete".into())).is_err());
    }
}
