//! Where a lead stands in the pipeline, and which moves between stages are allowed.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A lead's pipeline stage, in the order a recruitment normally goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Known to us, not yet spoken to.
    New,
    /// Spoken to by phone or WeChat.
    Contacted,
    /// Visited at their shop.
    Visited,
    /// Discussing terms.
    Negotiating,
    /// Signed up. Reached only by converting the lead, which records the deal with it.
    Won,
    /// Gave up on, for now: a lost lead can be reopened.
    Lost,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::New,
        Stage::Contacted,
        Stage::Visited,
        Stage::Negotiating,
        Stage::Won,
        Stage::Lost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::Contacted => "contacted",
            Stage::Visited => "visited",
            Stage::Negotiating => "negotiating",
            Stage::Won => "won",
            Stage::Lost => "lost",
        }
    }

    /// Whether the lead is still being worked: everything but `won` and `lost`.
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Won | Stage::Lost)
    }

    /// Where a visit moves a lead: one not yet visited (`new`, `contacted`) becomes `visited`;
    /// a visit moves no other stage.
    pub fn after_visit(self) -> Stage {
        match self {
            Stage::New | Stage::Contacted => Stage::Visited,
            other => other,
        }
    }

    /// The position of an open stage along the pipeline; closed stages have none.
    fn rank(self) -> Option<u8> {
        match self {
            Stage::New => Some(0),
            Stage::Contacted => Some(1),
            Stage::Visited => Some(2),
            Stage::Negotiating => Some(3),
            Stage::Won | Stage::Lost => None,
        }
    }

    /// Checks a plain stage change (not a conversion).
    ///
    /// Open stages only move forward (skipping is fine: a first visit can turn straight into a
    /// negotiation), any open stage can be lost, and a lost lead is reopened by moving it back to
    /// `contacted`. `won` is never the target of a plain move, because winning a lead also records
    /// the deal: see [`Stage::check_convert`]. Nothing leaves `won`. Moving to the stage the lead
    /// is already in is a no-op and allowed, so that resending an unchanged stage is harmless.
    pub fn check_move(self, to: Stage) -> Result<(), TransitionError> {
        let allowed = match (self, to) {
            _ if self == to => true,
            (_, Stage::Won) | (Stage::Won, _) => false,
            (Stage::Lost, to) => to == Stage::Contacted,
            (_, Stage::Lost) => true,
            (from, to) => matches!((from.rank(), to.rank()), (Some(f), Some(t)) if f < t),
        };
        if allowed {
            Ok(())
        } else {
            Err(TransitionError { from: self, to })
        }
    }

    /// Checks converting the lead, which moves it to `won`: only an open lead can be converted.
    pub fn check_convert(self) -> Result<(), TransitionError> {
        if self.is_open() {
            Ok(())
        } else {
            Err(TransitionError {
                from: self,
                to: Stage::Won,
            })
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown stage `{0}`; expected one of new, contacted, visited, negotiating, won, lost")]
pub struct UnknownStage(pub String);

impl FromStr for Stage {
    type Err = UnknownStage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == s)
            .ok_or_else(|| UnknownStage(s.to_owned()))
    }
}

/// A refused stage change. The message says why, in words a client can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.reason())]
pub struct TransitionError {
    pub from: Stage,
    pub to: Stage,
}

impl TransitionError {
    fn reason(&self) -> String {
        match (self.from, self.to) {
            (Stage::Won, Stage::Won) => "the lead is already `won`".into(),
            (Stage::Lost, Stage::Won) => {
                "a `lost` lead cannot be won; reopen it by moving it to `contacted` first".into()
            }
            (_, Stage::Won) => "`won` is reached only by converting the lead".into(),
            (from, to) => format!("a lead cannot move from `{from}` to `{to}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stage::*;

    /// Every move, written out by hand from the rules rather than derived from the code.
    /// Rows are `from`, columns are `to`, in the order new, contacted, visited, negotiating,
    /// won, lost.
    const TABLE: [(Stage, [bool; 6]); 6] = [
        //              new    contacted visited negotiating won    lost
        (New, [true, true, true, true, false, true]),
        (Contacted, [false, true, true, true, false, true]),
        (Visited, [false, false, true, true, false, true]),
        (Negotiating, [false, false, false, true, false, true]),
        (Won, [false, false, false, false, true, false]),
        (Lost, [false, true, false, false, false, true]),
    ];
    const COLUMNS: [Stage; 6] = [New, Contacted, Visited, Negotiating, Won, Lost];

    #[test]
    fn the_whole_transition_table() {
        let mut checked = 0;
        for (from, row) in TABLE {
            for (to, expected) in COLUMNS.into_iter().zip(row) {
                let result = from.check_move(to);
                assert_eq!(
                    result.is_ok(),
                    expected,
                    "{from} -> {to}: expected {}, got {result:?}",
                    if expected { "allowed" } else { "refused" }
                );
                if let Err(error) = result {
                    assert_eq!(error, TransitionError { from, to });
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 36);
    }

    #[test]
    fn the_table_covers_every_stage_once() {
        assert_eq!(COLUMNS, Stage::ALL);
        let rows: Vec<Stage> = TABLE.iter().map(|(from, _)| *from).collect();
        assert_eq!(rows, Stage::ALL);
    }

    #[test]
    fn only_open_stages_convert() {
        for (stage, allowed) in [
            (New, true),
            (Contacted, true),
            (Visited, true),
            (Negotiating, true),
            (Won, false),
            (Lost, false),
        ] {
            assert_eq!(
                stage.check_convert().is_ok(),
                allowed,
                "convert from {stage}"
            );
        }
        assert_eq!(
            Lost.check_convert(),
            Err(TransitionError {
                from: Lost,
                to: Won
            })
        );
    }

    #[test]
    fn open_means_not_won_or_lost() {
        let open: Vec<Stage> = Stage::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, [New, Contacted, Visited, Negotiating]);
    }

    #[test]
    fn a_visit_moves_only_unvisited_leads_and_only_forward() {
        let moved: Vec<Stage> = Stage::ALL
            .into_iter()
            .filter(|s| s.after_visit() != *s)
            .collect();
        assert_eq!(moved, [New, Contacted]);
        assert!(moved.iter().all(|s| s.after_visit() == Visited));
        for stage in Stage::ALL {
            assert!(stage.check_move(stage.after_visit()).is_ok(), "{stage}");
        }
    }

    #[test]
    fn errors_say_what_was_refused() {
        assert_eq!(
            Visited.check_move(New).unwrap_err().to_string(),
            "a lead cannot move from `visited` to `new`"
        );
        assert_eq!(
            Won.check_move(Lost).unwrap_err().to_string(),
            "a lead cannot move from `won` to `lost`"
        );
        assert_eq!(
            Negotiating.check_move(Won).unwrap_err().to_string(),
            "`won` is reached only by converting the lead"
        );
        let reopen_hint =
            "a `lost` lead cannot be won; reopen it by moving it to `contacted` first";
        assert_eq!(Lost.check_move(Won).unwrap_err().to_string(), reopen_hint);
        assert_eq!(Lost.check_convert().unwrap_err().to_string(), reopen_hint);
        assert_eq!(
            Won.check_convert().unwrap_err().to_string(),
            "the lead is already `won`"
        );
    }

    #[test]
    fn stages_round_trip_through_their_names() {
        for stage in Stage::ALL {
            assert_eq!(stage.as_str().parse::<Stage>().unwrap(), stage);
            assert_eq!(stage.to_string(), stage.as_str());
        }
        let error = "Won".parse::<Stage>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown stage `Won`; expected one of new, contacted, visited, negotiating, won, lost"
        );
        assert!("".parse::<Stage>().is_err());
    }

    #[test]
    fn stages_serialise_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&Negotiating).unwrap(),
            "\"negotiating\""
        );
        for stage in Stage::ALL {
            let json = serde_json::to_string(&stage).unwrap();
            assert_eq!(json, format!("\"{}\"", stage.as_str()));
            assert_eq!(serde_json::from_str::<Stage>(&json).unwrap(), stage);
        }
        assert!(serde_json::from_str::<Stage>("\"Lost\"").is_err());
    }
}
