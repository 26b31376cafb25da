//! Record identifiers.
//!
//! Every record's id is a UUID kept as its canonical text (lower-case, hyphenated), the form
//! the database columns and the API's JSON carry. Each kind of record has its own type
//! ([`LeadId`], [`UserId`], ...), so a lead's id cannot be passed where a user's is expected:
//! the compiler refuses it. An id is made in one of two ways only: [`LeadId::new`] (a new
//! UUID v7, so ids sort by creation time) or [`LeadId::parse`] (a client's or a path's text,
//! `None` unless it is a UUID). Reading one back from the database goes through
//! [`LeadId::from_canonical`], which accepts nothing but the canonical text.
//!
//! In JSON an id is its text (`#[serde(transparent)]` on the way out; on the way in, the text
//! must be a UUID and is made canonical).

use std::borrow::Borrow;
use std::fmt;
use uuid::Uuid;

/// A new server-made id: UUID v7, so ids sort by creation time.
pub fn new_id() -> String {
    Uuid::now_v7().to_string()
}

/// Parses a client- or path-supplied id into its canonical (lower-case, hyphenated) form.
pub fn parse_id(raw: &str) -> Option<String> {
    Uuid::parse_str(raw).ok().map(|id| id.to_string())
}

/// Whether `text` is a UUID written exactly as [`parse_id`] writes one.
fn is_canonical(text: &str) -> bool {
    let mut buffer = Uuid::encode_buffer();
    Uuid::try_parse(text).is_ok_and(|id| id.hyphenated().encode_lower(&mut buffer) == text)
}

/// What can be read from a client's or a path's id text: each id type, and (for the ids not
/// typed yet) the canonical text itself. Lets one helper parse a path or query id into
/// whichever type its handler asks for.
pub trait RecordId: Sized {
    /// A client's or a path's text, made canonical; `None` unless it is a UUID.
    fn parse_text(raw: &str) -> Option<Self>;
    /// A UUID made elsewhere (the demo seeder makes its own, reproducibly).
    fn from_uuid(id: Uuid) -> Self;
}

impl RecordId for String {
    fn parse_text(raw: &str) -> Option<Self> {
        parse_id(raw)
    }
    fn from_uuid(id: Uuid) -> Self {
        id.to_string()
    }
}

/// Text that is not an id of the kind asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a {what} id: {text:?}")]
pub struct NotAnId {
    pub what: &'static str,
    pub text: String,
}

macro_rules! id_types {
    ($($(#[$doc:meta])* $name:ident => $what:literal;)+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(#[serde(deserialize_with = "deserialize_canonical")] String);

        impl $name {
            /// What the id names, for messages (`"lead"`, `"user"`, ...).
            pub const WHAT: &'static str = $what;

            /// A new id: UUID v7, so ids sort by creation time.
            #[expect(
                clippy::new_without_default,
                reason = "a new id is made on purpose, never as a default value"
            )]
            pub fn new() -> Self {
                $name(new_id())
            }

            /// A client's or a path's text as an id, made canonical; `None` unless it is a
            /// UUID.
            pub fn parse(raw: &str) -> Option<Self> {
                parse_id(raw).map($name)
            }

            /// Stored text as an id: only the canonical form is accepted (it is the only form
            /// ever written), so a corrupt value is refused rather than quietly rewritten.
            pub fn from_canonical(text: &str) -> Result<Self, NotAnId> {
                if is_canonical(text) {
                    Ok($name(text.to_owned()))
                } else {
                    Err(NotAnId { what: $what, text: text.to_owned() })
                }
            }

            /// The canonical text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The canonical text, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl RecordId for $name {
            fn parse_text(raw: &str) -> Option<Self> {
                $name::parse(raw)
            }
            fn from_uuid(id: Uuid) -> Self {
                $name(id.to_string())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        /// Lets a set or map of ids be searched by text.
        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    )+};
}

/// Deserialises an id's text: it must be a UUID, and is kept in its canonical form.
fn deserialize_canonical<'de, D>(deserializer: D) -> Result<String, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw = <String as serde::Deserialize>::deserialize(deserializer)?;
    parse_id(&raw).ok_or_else(|| serde::de::Error::custom(format!("not a UUID: {raw:?}")))
}

id_types! {
    /// A lead (`leads.id`, and every column that names one: a visit's or an account's
    /// `lead_id`, a merged lead's `merged_into_id`).
    LeadId => "lead";
    /// A seller account (`seller_accounts.id`, a lead's `account_id`, a visit's
    /// `seller_account_id`, ...).
    SellerAccountId => "seller account";
    /// A visit (`visits.id`).
    VisitId => "visit";
    /// A person who signs in (`users.id`, and the columns that name one: an owner, a rep, a
    /// team's lead, a plan's or an attendance's member, a refresh token's user).
    UserId => "user";
    /// A team's morning meeting (`meetings.id`, a plan's or an attendance's `meeting_id`).
    MeetingId => "meeting";
    /// A monthly target (`targets.id`).
    TargetId => "target";
    /// A service account (`service_accounts.id`; the subject of its access tokens).
    ServiceAccountId => "service account";
    /// A team (`teams.id`, and every column that names one: a team's `parent_id`, the
    /// `team_id` of a user, a lead, an account, a visit, a meeting, a target). A target's
    /// `subject_id` may name a user or a team, so it stays text.
    TeamId => "team";
    /// A webhook subscription (`webhooks.id`, a delivery's `webhook_id`).
    WebhookId => "webhook";
    /// One delivery of one event to one subscription (`webhook_deliveries.id`, an attempt's
    /// `delivery_id`).
    DeliveryId => "delivery";
    /// A business event (`events.event_id`, a delivery's `event_id`; a test delivery's event
    /// has one too, though it is never stored as an event).
    EventId => "event";
    /// One record of the audit trail (`audit_events.id`).
    AuditEventId => "audit event";
    /// A seller account's renewal (`renewals.id`).
    RenewalId => "renewal";
    /// A refresh token (`refresh_tokens.id`).
    RefreshTokenId => "refresh token";
    /// The refresh tokens descended from one sign-in (`refresh_tokens.family_id`): revoked
    /// together when a spent one comes back.
    TokenFamilyId => "token family";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_a_uuid_in_canonical_form() {
        let id = LeadId::parse("0190A5B6-1C2D-7E3F-8A9B-0C1D2E3F4A5B").unwrap();
        assert_eq!(id.as_str(), "0190a5b6-1c2d-7e3f-8a9b-0c1d2e3f4a5b");
        assert_eq!(id.to_string(), id.as_str());
        assert_eq!(LeadId::parse("not-an-id"), None);
        assert_eq!(LeadId::parse(""), None);
        let new = VisitId::new();
        assert_eq!(VisitId::parse(new.as_str()), Some(new));
    }

    #[test]
    fn stored_text_must_be_canonical() {
        let text = "0190a5b6-1c2d-7e3f-8a9b-0c1d2e3f4a5b";
        assert_eq!(LeadId::from_canonical(text).unwrap().as_str(), text);
        let error = LeadId::from_canonical(&text.to_uppercase()).unwrap_err();
        assert_eq!(error.what, "lead");
        assert!(SellerAccountId::from_canonical("east").is_err());
        assert!(SellerAccountId::from_canonical("0190a5b61c2d7e3f8a9b0c1d2e3f4a5b").is_err());
    }

    #[test]
    fn json_carries_the_text() {
        let id = LeadId::parse("0190a5b6-1c2d-7e3f-8a9b-0c1d2e3f4a5b").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"0190a5b6-1c2d-7e3f-8a9b-0c1d2e3f4a5b\"");
        let back: LeadId =
            serde_json::from_str("\"0190A5B6-1C2D-7E3F-8A9B-0C1D2E3F4A5B\"").unwrap();
        assert_eq!(back, id);
        assert!(serde_json::from_str::<LeadId>("\"east\"").is_err());
    }
}
