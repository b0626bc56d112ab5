//! The operations of the product: what staff can do, called by the command line (`commands/`) and
//! by the staff pages (`web/`) alike.
//!
//! An operation takes typed input and an [`Actor`], does its work in one transaction where it
//! changes data, writes its own audit entry, and returns a typed outcome or its area's typed error.
//! Every error knows its German text (pages) and its English text (command line) through
//! [`Bilingual`](crate::text::Bilingual). Operations never print and never render: wording for a
//! person is the edges' business, except refusals, which are worded here once for both.
//!
//! To add a staff action: write the operation here, then call it from a command and a handler.

pub mod accounts;
pub mod api_keys;
pub mod mailing;
pub mod participants;
pub mod progress;
pub mod reports;
pub mod schedule;
pub mod surveys;
pub mod waves;

use crate::store::users;

/// Who does something: a signed-in staff account, or the command line of this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A staff account (pages).
    Staff {
        /// The account's id.
        id: i64,
        /// Its address, as the audit log names it.
        email: String,
    },
    /// The command line, run by this system user.
    CommandLine {
        /// The system user's name (`$USER`), or "unbekannt".
        user: String,
    },
    /// A wave's schedule, run by a `serve` process.
    Schedule,
    /// An API key, acting for its account.
    ApiKey {
        /// The account's id.
        id: i64,
        /// The account's address.
        email: String,
        /// The key's name.
        key: String,
    },
}

impl Actor {
    /// The command line, named after the system user running it.
    pub fn command_line() -> Actor {
        let user = ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|u| !u.trim().is_empty()))
            .unwrap_or_else(|| "unbekannt".to_owned());
        Actor::CommandLine { user }
    }

    /// A staff account.
    pub fn staff(user: &users::User) -> Actor {
        Actor::Staff {
            id: user.id,
            email: user.email.clone(),
        }
    }

    /// The account's id, if the actor is one.
    pub fn account_id(&self) -> Option<i64> {
        match self {
            Actor::Staff { id, .. } | Actor::ApiKey { id, .. } => Some(*id),
            Actor::CommandLine { .. } | Actor::Schedule => None,
        }
    }

    /// How the audit log names the actor: the account's address, "Kommandozeile (user)",
    /// "Zeitplan" or "API-Schlüssel „name“ (address)".
    pub fn name(&self) -> String {
        match self {
            Actor::Staff { email, .. } => email.clone(),
            Actor::CommandLine { user } => format!("Kommandozeile ({user})"),
            Actor::Schedule => "Zeitplan".to_owned(),
            Actor::ApiKey { email, key, .. } => format!("API-Schlüssel „{key}“ ({email})"),
        }
    }

    /// Writes an audit entry in the actor's name.
    pub fn audit(
        &self,
        conn: &mut diesel::PgConnection,
        action: &str,
        subject: &str,
        details: &str,
    ) -> diesel::QueryResult<()> {
        users::audit(
            conn,
            self.account_id(),
            &self.name(),
            action,
            subject,
            details,
        )
    }
}

/// An operation's error: a refusal worded in both languages, or an unexpected failure underneath
/// (the database, the disk) that no wording can help with.
pub trait OperationError: crate::text::Bilingual + std::error::Error + Sized {
    /// The unexpected failure, if this is one; otherwise the refusal itself back.
    fn into_failure(self) -> Result<anyhow::Error, Self>;
}

/// Implements `From<diesel::result::Error>` (a failure), [`OperationError`] and
/// [`Bilingual::english`](crate::text::Bilingual) for an error enum with an `Internal(anyhow::Error)`
/// variant and a `german_text(&self) -> String` method.
macro_rules! operation_error {
    ($error:ident) => {
        impl From<diesel::result::Error> for $error {
            fn from(error: diesel::result::Error) -> Self {
                $error::Internal(error.into())
            }
        }

        impl $crate::app::OperationError for $error {
            fn into_failure(self) -> Result<anyhow::Error, Self> {
                match self {
                    $error::Internal(error) => Ok(error),
                    refusal => Err(refusal),
                }
            }
        }

        impl $crate::text::Bilingual for $error {
            fn german(&self) -> String {
                self.german_text()
            }

            fn english(&self) -> String {
                self.to_string()
            }
        }
    };
}
pub(crate) use operation_error;

/// `n` with the singular or plural noun: "1 problem", "2 problems".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
