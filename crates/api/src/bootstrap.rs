//! What a server needs before its first request: a signing secret and a first admin.

use ironfield_auth::{opaque, password};
use ironfield_domain::ids::UserId;
use ironfield_domain::time::now;
use ironfield_domain::{validation, Email, Role};
use ironfield_persistence::users::{self, NewUser};
use ironfield_persistence::{settings, Db, DbError};

const JWT_SECRET_KEY: &str = "jwt_signing_secret";
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@ironfield.local";

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{variable}: {message}")]
    Invalid {
        variable: &'static str,
        message: String,
    },
    #[error("password hashing failed: {0}")]
    Hash(#[from] password::HashError),
    #[error("a user with e-mail {0} already exists")]
    EmailTaken(String),
}

/// The signing secret: the configured one, else one generated on first start and kept in the
/// database so restarts do not sign everyone out. The flag says it came from the database.
pub fn jwt_secret(db: &Db, configured: Option<&str>) -> Result<(Vec<u8>, bool), BootstrapError> {
    if let Some(secret) = configured {
        if secret.len() < 32 {
            return Err(BootstrapError::Invalid {
                variable: "IRONFIELD_JWT_SECRET",
                message: "must be at least 32 bytes".into(),
            });
        }
        return Ok((secret.as_bytes().to_vec(), false));
    }
    let candidate = opaque::generate("");
    let stored = db.read(|conn| settings::get_or_insert(conn, JWT_SECRET_KEY, &candidate))?;
    Ok((stored.into_bytes(), true))
}

/// Credentials of an admin created at first start, when the password was generated.
pub struct GeneratedAdmin {
    pub email: String,
    pub password: String,
}

/// On an empty database, creates the first admin from the given e-mail and password, or
/// generates a password (returned, to be shown once). Does nothing once any user exists.
pub fn ensure_first_admin(
    db: &Db,
    email: Option<&str>,
    password: Option<&str>,
) -> Result<Option<GeneratedAdmin>, BootstrapError> {
    if db.read(users::count)? > 0 {
        return Ok(None);
    }
    let email = email.unwrap_or(DEFAULT_ADMIN_EMAIL);
    let (password, generated) = match password {
        Some(p) => (p.to_owned(), false),
        None => (opaque::generate(""), true),
    };
    match create_admin(db, email, &password) {
        Ok(()) => {}
        // Another server process created the first user meanwhile.
        Err(BootstrapError::EmailTaken(_)) => return Ok(None),
        Err(other) => return Err(other),
    }
    Ok(generated.then(|| GeneratedAdmin {
        email: email.to_owned(),
        password,
    }))
}

/// Creates an admin (the `create-admin` command, and first start).
pub fn create_admin(db: &Db, email: &str, password_text: &str) -> Result<(), BootstrapError> {
    let email = Email::parse(email).map_err(|message| BootstrapError::Invalid {
        variable: "IRONFIELD_ADMIN_EMAIL",
        message,
    })?;
    validation::password(password_text).map_err(|message| BootstrapError::Invalid {
        variable: "IRONFIELD_ADMIN_PASSWORD",
        message,
    })?;
    let hash = password::hash(password_text)?;
    let at = now().naive_utc();
    let result = db.write(|conn| {
        users::insert(
            conn,
            &NewUser {
                id: UserId::new(),
                email: email.as_str(),
                name: "Administrator",
                phone: None,
                role: Role::Admin,
                team_id: None,
                password_hash: &hash,
                created_at: at,
                updated_at: at,
            },
        )
    });
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.is_unique_on("users", &["email"]) => {
            Err(BootstrapError::EmailTaken(email.into_string()))
        }
        Err(e) => Err(e.into()),
    }
}
