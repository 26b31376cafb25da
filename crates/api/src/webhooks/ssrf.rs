//! The SSRF guard of webhook URLs: which URLs the server may POST to.
//!
//! Only `https` (or `http` when the setting `webhook_allow_http` is on), and no host that is,
//! or resolves to, an address inside the organisation's network or the machine itself
//! (loopback, RFC 1918 and unique-local, link-local including the cloud metadata address
//! 169.254.169.254, unspecified, carrier-grade NAT, multicast, reserved, and the IPv6 forms
//! that embed such an IPv4 address) unless `webhook_allow_private` is on. The check runs when
//! a subscription is created or changed and again on every send; on send the address checked
//! is the address connected to (see `client::GuardedResolver`), so a DNS answer that changes
//! between the check and the connection cannot slip past.

use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The two admin settings that loosen the guard (both off by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    pub allow_http: bool,
    pub allow_private: bool,
}

/// Longest URL a subscription may have.
pub const MAX_URL_LEN: usize = 2048;

/// Checks what can be checked without the network: the URL parses, its scheme is allowed, it
/// names a host, carries no credentials, and a literal IP address is not forbidden.
pub fn check_url(raw: &str, policy: Policy) -> Result<Url, String> {
    if raw.len() > MAX_URL_LEN {
        return Err(format!("at most {MAX_URL_LEN} characters"));
    }
    if raw.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    let url = Url::parse(raw).map_err(|e| format!("not an absolute URL: {e}"))?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        "http" => {
            return Err("must be https (http needs the setting `webhook_allow_http`)".to_owned())
        }
        other => return Err(format!("the scheme `{other}` is not allowed; use https")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password".to_owned());
    }
    if url.fragment().is_some() {
        return Err("must not carry a fragment (`#...`)".to_owned());
    }
    match url.host() {
        None => return Err("must name a host".to_owned()),
        Some(url::Host::Ipv4(ip)) => check_ip(IpAddr::V4(ip), policy)?,
        Some(url::Host::Ipv6(ip)) => check_ip(IpAddr::V6(ip), policy)?,
        Some(url::Host::Domain(_)) => {}
    }
    Ok(url)
}

/// Resolves the URL's host and refuses it when any address it resolves to is forbidden (one
/// bad answer is enough: the connection might pick it). Answers the addresses.
pub async fn resolve(url: &Url, policy: Policy) -> Result<Vec<SocketAddr>, String> {
    let port = url.port_or_known_default().unwrap_or(443);
    let host = match url.host() {
        None => return Err("must name a host".to_owned()),
        Some(url::Host::Ipv4(ip)) => return Ok(vec![SocketAddr::new(IpAddr::V4(ip), port)]),
        Some(url::Host::Ipv6(ip)) => return Ok(vec![SocketAddr::new(IpAddr::V6(ip), port)]),
        Some(url::Host::Domain(name)) => name.to_owned(),
    };
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|_| format!("the host `{host}` does not resolve"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("the host `{host}` does not resolve"));
    }
    for addr in &addrs {
        check_ip(addr.ip(), policy)
            .map_err(|reason| format!("the host `{host}` resolves to {reason}"))?;
    }
    Ok(addrs)
}

/// Refuses a forbidden address unless the policy allows private ones.
pub fn check_ip(ip: IpAddr, policy: Policy) -> Result<(), String> {
    match forbidden_kind(ip) {
        Some(kind) if !policy.allow_private => Err(format!(
            "{ip}, a {kind} address (allowed only with the setting `webhook_allow_private`)"
        )),
        _ => Ok(()),
    }
}

/// What kind of non-public address `ip` is, or `None` for a public one.
pub fn forbidden_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let kind = match (a, b, c) {
        _ if ip.is_unspecified() => "unspecified",
        (0, _, _) => "\"this network\"",
        (127, _, _) => "loopback",
        (10, _, _) => "private",
        (172, 16..=31, _) => "private",
        (192, 168, _) => "private",
        (169, 254, _) => "link-local",
        (100, 64..=127, _) => "carrier-grade NAT",
        (192, 0, 0) => "IETF protocol",
        (198, 18..=19, _) => "benchmarking",
        (224..=239, _, _) => "multicast",
        (240..=255, _, _) => "reserved",
        _ => return None,
    };
    Some(kind)
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible (::a.b.c.d) forms
    // reach the IPv4 address inside them.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    let segments = ip.segments();
    if segments[..6].iter().all(|s| *s == 0) {
        return forbidden_v4(embedded_v4(segments[6], segments[7]));
    }
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) also lead to an embedded IPv4 address.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return forbidden_v4(embedded_v4(segments[6], segments[7]));
    }
    if segments[0] == 0x2002 {
        return forbidden_v4(embedded_v4(segments[1], segments[2]));
    }
    match segments[0] {
        s if s & 0xfe00 == 0xfc00 => Some("unique-local (private)"),
        s if s & 0xffc0 == 0xfe80 => Some("link-local"),
        s if s & 0xffc0 == 0xfec0 => Some("site-local"),
        s if s & 0xff00 == 0xff00 => Some("multicast"),
        _ => None,
    }
}

fn embedded_v4(high: u16, low: u16) -> Ipv4Addr {
    let [a, b] = high.to_be_bytes();
    let [c, d] = low.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: Policy = Policy {
        allow_http: false,
        allow_private: false,
    };

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn refuses_every_non_public_range() {
        for text in [
            "127.0.0.1",
            "127.255.0.9",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.1.2.3",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
        ] {
            assert!(forbidden_kind(ip(text)).is_some(), "{text} must be refused");
            assert!(check_ip(ip(text), STRICT).is_err(), "{text}");
        }
    }

    #[test]
    fn lets_public_addresses_through() {
        for text in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "172.15.255.255",
            "100.63.255.255",
            "100.128.0.1",
            "169.253.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "2001:db8::1",
        ] {
            assert_eq!(forbidden_kind(ip(text)), None, "{text} is public");
        }
    }

    #[test]
    fn private_setting_allows_private_addresses() {
        let open = Policy {
            allow_http: false,
            allow_private: true,
        };
        assert!(check_ip(ip("127.0.0.1"), open).is_ok());
        assert!(check_ip(ip("::1"), open).is_ok());
    }

    #[test]
    fn scheme_rules() {
        assert!(check_url("https://example.com/hook", STRICT).is_ok());
        let http = check_url("http://example.com/hook", STRICT).unwrap_err();
        assert!(http.contains("webhook_allow_http"), "{http}");
        let allowed = Policy {
            allow_http: true,
            allow_private: false,
        };
        assert!(check_url("http://example.com/hook", allowed).is_ok());
        for bad in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "gopher://example.com",
            "example.com/hook",
            "https://user:pw@example.com/",
            "https://example.com/#frag",
        ] {
            assert!(check_url(bad, allowed).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn literal_addresses_are_checked_without_dns() {
        for bad in [
            "https://127.0.0.1/",
            "https://10.0.0.8:8443/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://0x7f000001/",
            "https://2130706433/",
        ] {
            let refused = check_url(bad, STRICT).unwrap_err();
            assert!(
                refused.contains("webhook_allow_private"),
                "{bad}: {refused}"
            );
        }
    }

    #[test]
    fn overlong_url_is_refused() {
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert!(check_url(&long, STRICT).is_err());
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused() {
        let url = check_url("https://localhost:9/", STRICT).unwrap();
        let refused = resolve(&url, STRICT).await.unwrap_err();
        assert!(refused.contains("loopback"), "{refused}");
        let open = Policy {
            allow_http: false,
            allow_private: true,
        };
        assert!(!resolve(&url, open).await.unwrap().is_empty());
    }
}
