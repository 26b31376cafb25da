//! Ironfield's domain: the types that can only hold valid values and the rules between them.
//!
//! Nothing here touches a database, a socket or a clock other than through [`time::now`].

pub mod account;
pub mod calendar;
pub mod email;
pub mod geo;
pub mod health;
pub mod ids;
pub mod license;
pub mod meeting;
pub mod money;
pub mod pacing;
pub mod phone;
pub mod role;
pub mod scope;
pub mod spreadsheet;
pub mod stage;
pub mod team_tree;
pub mod time;
pub mod validation;
pub mod visit;
pub mod webhook;
pub mod wechat;

pub use calendar::{parse_weekday, weekday_name, Period, WorkCalendar, WorkingDays};
pub use email::Email;
pub use geo::{distance_m, GeoPoint};
pub use license::BusinessLicenseNo;
pub use money::Money;
pub use pacing::{progress, Metric, PaceStatus, Progress};
pub use phone::Phone;
pub use role::Role;
pub use stage::{Stage, TransitionError, UnknownStage};
pub use team_tree::TeamTree;
pub use validation::{FieldError, ValidationErrors};
pub use wechat::WechatId;
