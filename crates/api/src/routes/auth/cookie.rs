//! The refresh token as an `HttpOnly` cookie, for browser apps.
//!
//! A browser app asks for it at sign-in (`"refresh_cookie": true`). The refresh token then
//! travels only in this cookie, never in a JSON body, so a script running in the page (an
//! injected one included) can never read it: `HttpOnly` hides it from `document.cookie`,
//! `SameSite=Strict` keeps other sites from sending it, and `Path=/api/v1/auth` sends it to
//! the refresh and sign-out calls only. Native clients keep using the body fields.

use actix_web::http::header;
use actix_web::HttpRequest;

/// The cookie's name.
pub const REFRESH_COOKIE: &str = "ironfield_refresh";
/// The only path the browser sends it to.
pub const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";

/// `Set-Cookie` value carrying `token` for `max_age_secs`. `Secure` is set when the request
/// came over https (directly or as a proxy reports it); plain http is left without it so the
/// app works on a loopback address during development and tests.
pub fn set(req: &HttpRequest, token: &str, max_age_secs: i64) -> String {
    let secure = if req.connection_info().scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{REFRESH_COOKIE}={token}; Path={REFRESH_COOKIE_PATH}; Max-Age={max_age_secs}; HttpOnly; SameSite=Strict{secure}"
    )
}

/// `Set-Cookie` value that removes the cookie.
pub fn clear(req: &HttpRequest) -> String {
    set(req, "", 0)
}

/// The refresh token the request's `Cookie` header carries, if any.
pub fn read(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == REFRESH_COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn reads_the_cookie_among_others() {
        let req = TestRequest::default()
            .insert_header((header::COOKIE, "a=1; ironfield_refresh=rt_abc; b=2"))
            .to_http_request();
        assert_eq!(read(&req).as_deref(), Some("rt_abc"));
        let none = TestRequest::default()
            .insert_header((header::COOKIE, "ironfield_refresh="))
            .to_http_request();
        assert_eq!(read(&none), None);
    }

    #[test]
    fn secure_only_over_https() {
        let plain = TestRequest::default().to_http_request();
        let value = set(&plain, "rt_x", 60);
        assert!(value.contains("HttpOnly") && value.contains("SameSite=Strict"));
        assert!(!value.contains("Secure"));
        let proxied = TestRequest::default()
            .insert_header(("x-forwarded-proto", "https"))
            .to_http_request();
        assert!(set(&proxied, "rt_x", 60).ends_with("; Secure"));
    }
}
