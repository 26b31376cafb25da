//! OAuth2 scopes of service accounts: what a service account may do, held in its row and
//! in its access tokens.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

macro_rules! scopes {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// One permission a service account may hold.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Scope {
            $(#[serde(rename = $name)] $variant,)+
        }

        impl Scope {
            pub const ALL: &'static [Scope] = &[$(Scope::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Scope::$variant => $name,)+
                }
            }

            pub fn parse(name: &str) -> Option<Scope> {
                match name {
                    $($name => Some(Scope::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

scopes! {
    LeadsRead => "leads:read",
    LeadsWrite => "leads:write",
    AccountsRead => "accounts:read",
    AccountsWrite => "accounts:write",
    VisitsRead => "visits:read",
    VisitsWrite => "visits:write",
    MeetingsRead => "meetings:read",
    MeetingsWrite => "meetings:write",
    TargetsRead => "targets:read",
    TargetsWrite => "targets:write",
    WebhooksManage => "webhooks:manage",
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes, written on the wire as one space-separated string (RFC 6749 §3.3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(BTreeSet<Scope>);

#[derive(Debug, thiserror::Error)]
#[error("unknown scope `{0}`")]
pub struct UnknownScope(pub String);

impl Scopes {
    pub fn parse(text: &str) -> Result<Self, UnknownScope> {
        text.split_whitespace()
            .map(|name| Scope::parse(name).ok_or_else(|| UnknownScope(name.to_owned())))
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Scopes)
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    pub fn is_subset(&self, other: &Scopes) -> bool {
        self.0.is_subset(&other.0)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    pub fn names(&self) -> Vec<String> {
        self.iter().map(|s| s.as_str().to_owned()).collect()
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(scopes: I) -> Self {
        Scopes(scopes.into_iter().collect())
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_from_and_print_to_a_space_separated_string() {
        let scopes = Scopes::parse("visits:write  leads:read").unwrap();
        assert!(scopes.contains(Scope::LeadsRead));
        assert!(!scopes.contains(Scope::LeadsWrite));
        assert_eq!(scopes.to_string(), "leads:read visits:write");
        assert!(Scopes::parse("leads:read leads:delete").is_err());
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(*scope));
        }
    }
}
