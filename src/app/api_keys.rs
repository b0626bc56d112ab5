//! API keys: an admin makes one for an account (shown once, stored as a hash), lists them with
//! their last use, revokes one; the API looks a key up for every call ([`authenticate`]).
//!
//! A key acts with its account's role: an admin's key may change things, a board or coordinator
//! key only reads results (a coordinator's only for its Land). Changes made with a key are audited
//! in the key's name ([`Actor::ApiKey`]).

use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection};

use super::{Actor, operation_error};
use crate::store::api_keys::{self, ApiKey};
use crate::store::users::{self, AccountState, User};

/// What every key starts with, so that a leaked one is recognisable (and secret scanners find it).
pub const KEY_PREFIX: &str = "mint_";

/// Longest key name.
pub const MAX_NAME_CHARS: usize = 80;

/// Why a key cannot be made or revoked.
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    /// No account has this address.
    #[error("there is no account for {0}")]
    NoSuchAccount(String),
    /// The account is disabled.
    #[error("the account {0} is disabled; enable it first")]
    AccountDisabled(String),
    /// An empty or too long name.
    #[error("a key needs a name of 1 to 80 characters (what it is for, e.g. \"Website\")")]
    BadName,
    /// A live key has the name.
    #[error("there is already a key named \"{0}\"; revoke it first or choose another name")]
    NameTaken(String),
    /// No key has this id.
    #[error("there is no API key {0}")]
    NoSuchKey(i64),
    /// The key is revoked already.
    #[error("the API key {0} is revoked already")]
    Revoked(i64),
    /// The database or the machine failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiKeyError {
    /// The field of the key form it is about, if one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            ApiKeyError::NoSuchAccount(_) | ApiKeyError::AccountDisabled(_) => {
                Some("schluessel-konto")
            }
            ApiKeyError::BadName | ApiKeyError::NameTaken(_) => Some("schluessel-name"),
            _ => None,
        }
    }

    fn german_text(&self) -> String {
        match self {
            ApiKeyError::NoSuchAccount(email) => format!("Für {email} gibt es keinen Zugang."),
            ApiKeyError::AccountDisabled(email) => {
                format!("Der Zugang {email} ist gesperrt; bitte entsperren Sie ihn zuerst.")
            }
            ApiKeyError::BadName => {
                "Bitte geben Sie dem Schlüssel einen Namen (1 bis 80 Zeichen), z. B. „Website“."
                    .to_owned()
            }
            ApiKeyError::NameTaken(name) => format!(
                "Es gibt schon einen Schlüssel „{name}“; bitte widerrufen Sie ihn zuerst oder wählen Sie einen anderen Namen."
            ),
            ApiKeyError::NoSuchKey(_) => "Diesen Schlüssel gibt es nicht.".to_owned(),
            ApiKeyError::Revoked(_) => "Dieser Schlüssel ist schon widerrufen.".to_owned(),
            ApiKeyError::Internal(_) => "Der Schlüssel konnte nicht gespeichert werden.".to_owned(),
        }
    }
}

operation_error!(ApiKeyError);

/// A key just made: the stored row, its account and the key itself, which is shown this once.
#[derive(Debug)]
pub struct Created {
    /// The stored key.
    pub key: ApiKey,
    /// Its account.
    pub user: User,
    /// The key (`mint_…`); nowhere else after this.
    pub secret: String,
}

/// Makes a key named `name` for the account `email`; audited.
pub fn create(
    conn: &mut PgConnection,
    actor: &Actor,
    email: &str,
    name: &str,
) -> Result<Created, ApiKeyError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(ApiKeyError::BadName);
    }
    let secret = format!(
        "{KEY_PREFIX}{}",
        crate::accounts::random_token()
            .map_err(|e| ApiKeyError::Internal(anyhow::anyhow!("{e}")))?
    );
    conn.transaction(|conn| {
        let user = users::find_by_email(conn, email)?
            .ok_or_else(|| ApiKeyError::NoSuchAccount(email.trim().to_owned()))?;
        if user.state() == AccountState::Disabled {
            return Err(ApiKeyError::AccountDisabled(user.email));
        }
        if api_keys::live_name_taken(conn, name)? {
            return Err(ApiKeyError::NameTaken(name.to_owned()));
        }
        let key = api_keys::insert(conn, user.id, name, &secret, &actor.name())?;
        actor.audit(
            conn,
            "api_key_created",
            &user.email,
            &format!("Schlüssel „{name}“, Rolle {}", user.role),
        )?;
        Ok(Created { key, user, secret })
    })
}

/// Every key with its account, newest first.
pub fn list(conn: &mut PgConnection) -> Result<Vec<(ApiKey, User)>, ApiKeyError> {
    Ok(api_keys::find_all(conn)?)
}

/// Revokes the key `id`: it is refused from the next call on; audited.
pub fn revoke(conn: &mut PgConnection, actor: &Actor, id: i64) -> Result<ApiKey, ApiKeyError> {
    conn.transaction(|conn| {
        let key = api_keys::find_by_id(conn, id)?.ok_or(ApiKeyError::NoSuchKey(id))?;
        if !api_keys::revoke(conn, id, Utc::now())? {
            return Err(ApiKeyError::Revoked(id));
        }
        let user = users::find_by_id(conn, key.user_id)?;
        let owner = user.map(|u| u.email).unwrap_or_default();
        actor.audit(
            conn,
            "api_key_revoked",
            &owner,
            &format!("Schlüssel „{}“", key.name),
        )?;
        Ok(key)
    })
}

/// The caller behind an API key: the key and its account.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The key.
    pub key: ApiKey,
    /// Its account (enabled).
    pub user: User,
}

impl Caller {
    /// The caller as the audit log names it.
    pub fn actor(&self) -> Actor {
        Actor::ApiKey {
            id: self.user.id,
            email: self.user.email.clone(),
            key: self.key.name.clone(),
        }
    }
}

/// The live key `secret` with its enabled account, or `None`: unknown, revoked, or its account
/// disabled.
pub fn authenticate(conn: &mut PgConnection, secret: &str) -> diesel::QueryResult<Option<Caller>> {
    if !is_key(secret) {
        return Ok(None);
    }
    Ok(api_keys::find_live(conn, secret)?.map(|(key, user)| Caller { key, user }))
}

/// Notes that the key was used at `now` (what the admins' list shows as "zuletzt benutzt").
pub fn note_use(conn: &mut PgConnection, id: i64, now: DateTime<Utc>) -> diesel::QueryResult<()> {
    api_keys::touch(conn, id, now)
}

/// Whether `text` has the shape of a key (checked before any look-up).
pub fn is_key(text: &str) -> bool {
    text.strip_prefix(KEY_PREFIX)
        .is_some_and(crate::accounts::is_token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_a_recognisable_shape() {
        let key = format!("{KEY_PREFIX}{}", "ab".repeat(32));
        assert!(is_key(&key));
        assert!(!is_key(&"ab".repeat(32)));
        assert!(!is_key(&format!("{KEY_PREFIX}xyz")));
    }

    #[test]
    fn a_key_in_a_log_line_is_redacted() {
        let key = format!("{KEY_PREFIX}{}", "0123456789abcdef".repeat(4));
        let header = format!("Authorization: Bearer {key}");
        let line = crate::logging::redact(&header);
        assert!(!line.contains("0123456789abcdef"), "{line}");
    }
}
