//! Short-lived access tokens: HS256 JWTs with the algorithm pinned and every registered claim
//! that matters (`exp`, `iat`, `iss`, `aud`) validated.

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "ironfield";
pub const AUDIENCE: &str = "ironfield-api";

/// Who a token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    User,
    Service,
}

/// The claims of an access token. Role and team are *not* in the token: they are read from
/// the database on every request, so a demotion or a team move takes effect at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub kind: PrincipalKind,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    pub jti: String,
    /// The user's session epoch when the token was issued; logging out everywhere or being
    /// deactivated bumps the epoch and so kills every token issued before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sep: Option<i64>,
    /// Space-separated scopes of a service account's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the access token is invalid or expired")]
    Invalid(#[source] jsonwebtoken::errors::Error),
    #[error("the access token could not be signed")]
    Signing(#[source] jsonwebtoken::errors::Error),
}

/// The signing secret in both its forms, and the validation rules.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// How long an access token lives.
    pub ttl: chrono::Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl: chrono::Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    /// Signs a token for `sub`, issued at `now`.
    pub fn issue(
        &self,
        sub: &str,
        kind: PrincipalKind,
        session_epoch: Option<i64>,
        scope: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<String, TokenError> {
        let claims = AccessClaims {
            sub: sub.to_owned(),
            kind,
            iat: now.timestamp(),
            exp: (now + self.ttl).timestamp(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            jti: uuid::Uuid::now_v7().to_string(),
            sep: session_epoch,
            scope,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(TokenError::Signing)
    }

    /// Checks signature, algorithm, expiry, issuer and audience.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(TokenError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn keys() -> TokenKeys {
        TokenKeys::new(
            b"a test secret that is long enough!",
            chrono::Duration::minutes(15),
        )
    }

    #[test]
    fn a_fresh_token_verifies() {
        let token = keys()
            .issue("user-1", PrincipalKind::User, Some(0), None, Utc::now())
            .unwrap();
        let claims = keys().verify(&token).unwrap();
        assert_eq!(claims.sub, "user-1");
        assert_eq!(claims.kind, PrincipalKind::User);
    }

    #[test]
    fn expired_foreign_and_unsigned_tokens_are_refused() {
        let an_hour_ago = Utc::now() - chrono::Duration::hours(1);
        let expired = keys()
            .issue("u", PrincipalKind::User, None, None, an_hour_ago)
            .unwrap();
        assert!(keys().verify(&expired).is_err());

        let other = TokenKeys::new(
            b"another secret entirely, also long",
            chrono::Duration::minutes(15),
        );
        let foreign = other
            .issue("u", PrincipalKind::User, None, None, Utc::now())
            .unwrap();
        assert!(keys().verify(&foreign).is_err());

        let good = keys()
            .issue("u", PrincipalKind::User, None, None, Utc::now())
            .unwrap();
        let payload = good.split('.').nth(1).unwrap();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys().verify(&format!("{header}.{payload}.")).is_err());
    }
}
