//! Visit logs: why a rep went to a stall, what came of it, and whether the phone's location
//! supports that they were there.

use crate::geo::{distance_m, GeoPoint};
use serde::{Deserialize, Serialize};

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

named_enum!(
    /// Why the rep went.
    Purpose { Prospecting => "prospecting", FollowUp => "follow_up", Signing => "signing", AccountService => "account_service" }
);

named_enum!(
    /// What came of it.
    Outcome {
        NoContact => "no_contact",
        NotInterested => "not_interested",
        Interested => "interested",
        FollowUpScheduled => "follow_up_scheduled",
        Signed => "signed",
        IssueResolved => "issue_resolved",
    }
);

named_enum!(
    /// Evidence, never a gate: stalls stand metres apart indoors and GPS proves little.
    LocationCheck { Verified => "verified", OutOfRange => "out_of_range", Unverifiable => "unverifiable" }
);

/// Slack added to the phone's reported accuracy: the stall's stored point is itself only
/// roughly where the stall is.
pub const LOCATION_TOLERANCE_M: f64 = 30.0;

/// Whether the reported point (with the phone's accuracy radius) lies at the known place.
pub fn check_location(
    reported: Option<GeoPoint>,
    accuracy_m: Option<f64>,
    known: Option<GeoPoint>,
) -> LocationCheck {
    match (reported, known) {
        (Some(reported), Some(known)) => {
            let allowed = accuracy_m.unwrap_or(0.0).max(0.0) + LOCATION_TOLERANCE_M;
            if distance_m(reported, known) <= allowed {
                LocationCheck::Verified
            } else {
                LocationCheck::OutOfRange
            }
        }
        _ => LocationCheck::Unverifiable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STALL: GeoPoint = GeoPoint {
        lat: 29.3321,
        lng: 120.1078,
    };

    #[test]
    fn a_point_within_accuracy_and_tolerance_is_verified() {
        // ~22 m north of the stall (0.0002° of latitude), reported with 10 m accuracy.
        let near = GeoPoint {
            lat: 29.3323,
            lng: 120.1078,
        };
        assert_eq!(
            check_location(Some(near), Some(10.0), Some(STALL)),
            LocationCheck::Verified
        );
        // ~111 m away with 20 m accuracy: 50 m allowed.
        let far = GeoPoint {
            lat: 29.3331,
            lng: 120.1078,
        };
        assert_eq!(
            check_location(Some(far), Some(20.0), Some(STALL)),
            LocationCheck::OutOfRange
        );
        // The same point with a poor fix (100 m) is within reach.
        assert_eq!(
            check_location(Some(far), Some(100.0), Some(STALL)),
            LocationCheck::Verified
        );
    }

    #[test]
    fn a_missing_side_is_unverifiable() {
        assert_eq!(
            check_location(None, Some(5.0), Some(STALL)),
            LocationCheck::Unverifiable
        );
        assert_eq!(
            check_location(Some(STALL), Some(5.0), None),
            LocationCheck::Unverifiable
        );
    }

    #[test]
    fn names_round_trip() {
        for outcome in ["no_contact", "signed", "issue_resolved"] {
            assert_eq!(Outcome::parse(outcome).unwrap().as_str(), outcome);
        }
        assert!(Purpose::parse("lunch").is_none());
    }
}
