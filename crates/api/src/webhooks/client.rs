//! The outbound HTTP client of webhook delivery.
//!
//! Its DNS resolver is the SSRF guard's: the addresses a connection is made to are the ones
//! that were checked, in the same lookup, so a name that answers a public address to the
//! check and a private one to the connection (DNS rebinding) cannot get through. URLs with a
//! literal IP address skip DNS; `ssrf::check_url` checks those before each send. Redirects
//! are never followed, proxies from the environment never used (a proxy would make the
//! connection somewhere else than the address checked).

use super::ssrf::{self, Policy};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::sync::Arc;
use std::time::Duration;

/// A receiver must answer within this long; slower is a failed attempt.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// One client per value of `webhook_allow_private`, so a pooled connection opened while the
/// setting was on is never reused after it is turned off.
#[derive(Clone)]
pub struct Clients {
    strict: reqwest::Client,
    open: reqwest::Client,
}

impl Clients {
    pub fn new() -> reqwest::Result<Self> {
        Ok(Clients {
            strict: build(false)?,
            open: build(true)?,
        })
    }

    pub fn for_policy(&self, policy: Policy) -> &reqwest::Client {
        if policy.allow_private {
            &self.open
        } else {
            &self.strict
        }
    }
}

fn build(allow_private: bool) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(REQUEST_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(30))
        .user_agent("Ironfield-Webhooks/1")
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        .build()
}

/// Resolves like the system does, then refuses the name if any answer is forbidden.
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Policy {
            allow_http: true,
            allow_private: self.allow_private,
        };
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<_> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?
                .collect();
            for addr in &addrs {
                ssrf::check_ip(addr.ip(), policy).map_err(|reason| {
                    Box::new(Refused(format!("`{host}` resolves to {reason}")))
                        as Box<dyn std::error::Error + Send + Sync>
                })?;
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(String);
