//! Staff accounts: add one (with a one-time link to set its password), disable or enable one, change
//! its role, list them, and the password links (first password, forgotten password).
//!
//! One set of guards for every caller: nobody changes their own account here, and the last active
//! admin stays (someone must be able to manage accounts).

use chrono::Utc;
use diesel::{Connection, PgConnection};

use super::{Actor, operation_error};
use crate::accounts::Role;
use crate::config::Settings;
use crate::mail::Transport;
use crate::mail::staff::{StaffContext, StaffSummary};
use crate::participants::land_code;
use crate::store::staff_mails::{self, StaffMailKind};
use crate::store::users::{self, AccountListing, User};
use crate::text::Bilingual;

/// Why an account cannot be added or changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The address is not one.
    #[error("`{0}` is not an email address")]
    NotAnEmail(String),
    /// No such role.
    #[error("there is no role `{0}`; the roles are admin, board and coordinator")]
    NoSuchRole(String),
    /// A coordinator without a Land.
    #[error("a coordinator needs --land (code or name, e.g. DE-TH or Thüringen)")]
    LandMissing,
    /// No such Land.
    #[error("there is no Land `{0}`")]
    NoSuchLand(String),
    /// A Land for another role.
    #[error("--land is only for coordinators")]
    LandNotForRole,
    /// The address has an account.
    #[error("there is already an account for {0}")]
    Exists(String),
    /// No account has this address (or id).
    #[error("there is no account for {0}")]
    NoSuchAccount(String),
    /// An admin changing their own account.
    #[error("you cannot disable or change your own account")]
    OwnAccount,
    /// Taking away the last active admin.
    #[error("that is the last active admin account; add or enable another admin first")]
    LastAdmin,
    /// The database or the machine failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AccountError {
    /// The field of the account forms it is about, if one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            AccountError::NotAnEmail(_) | AccountError::Exists(_) => Some("email"),
            AccountError::NoSuchRole(_) => Some("rolle"),
            AccountError::LandMissing
            | AccountError::NoSuchLand(_)
            | AccountError::LandNotForRole => Some("land"),
            _ => None,
        }
    }

    fn german_text(&self) -> String {
        match self {
            AccountError::NotAnEmail(email) => format!("„{email}“ ist keine E-Mail-Adresse."),
            AccountError::NoSuchRole(_) => "Bitte wählen Sie eine Rolle.".to_owned(),
            AccountError::LandMissing => {
                "Eine Landeskoordination braucht ein Land; bitte wählen Sie es aus.".to_owned()
            }
            AccountError::NoSuchLand(land) => format!("„{land}“ ist kein Land."),
            AccountError::LandNotForRole => {
                "Nur eine Landeskoordination hat ein Land; bitte lassen Sie das Feld leer."
                    .to_owned()
            }
            AccountError::Exists(email) => format!("Für {email} gibt es schon einen Zugang."),
            AccountError::NoSuchAccount(who) => format!("Es gibt keinen Zugang {who}."),
            AccountError::OwnAccount => {
                "Ihren eigenen Zugang können Sie hier weder sperren noch ändern.".to_owned()
            }
            AccountError::LastAdmin => {
                "Das ist der letzte aktive Zugang der Administration; bitte legen Sie zuerst einen weiteren an oder entsperren Sie einen."
                    .to_owned()
            }
            AccountError::Internal(_) => "Ein unerwarteter Fehler ist aufgetreten.".to_owned(),
        }
    }
}

operation_error!(AccountError);

/// The link that sets (or resets) a password.
pub fn password_link(public_url: &str, token: &str) -> String {
    format!("{public_url}/passwort/{token}")
}

/// A role with its Land, checked: a coordinator has one, the other roles have none.
pub fn role_with_land(
    role: &str,
    land: Option<&str>,
) -> Result<(Role, Option<&'static str>), AccountError> {
    let role_of = Role::parse(role).ok_or_else(|| AccountError::NoSuchRole(role.to_owned()))?;
    let land = land.map(str::trim).filter(|l| !l.is_empty());
    match (role_of, land) {
        (Role::Coordinator, None) => Err(AccountError::LandMissing),
        (Role::Coordinator, Some(l)) => land_code(l)
            .map(|code| (role_of, Some(code)))
            .ok_or_else(|| AccountError::NoSuchLand(l.to_owned())),
        (_, Some(_)) => Err(AccountError::LandNotForRole),
        (_, None) => Ok((role_of, None)),
    }
}

/// Where an account's latest staff mail stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailState {
    /// Waiting to be sent.
    Queued,
    /// Sent.
    Sent,
    /// Refused for good, with the server's answer.
    Failed(String),
}

impl Bilingual for MailState {
    fn german(&self) -> String {
        match self {
            MailState::Queued => "Mail in der Warteschlange".to_owned(),
            MailState::Sent => "Mail gesendet".to_owned(),
            MailState::Failed(error) => format!("Mail fehlgeschlagen: {error}"),
        }
    }

    fn english(&self) -> String {
        match self {
            MailState::Queued => "mail queued".to_owned(),
            MailState::Sent => "mail sent".to_owned(),
            MailState::Failed(error) => format!("mail failed: {error}"),
        }
    }
}

/// An account with its latest login and its latest staff mail.
#[derive(Debug, Clone)]
pub struct AccountOverview {
    /// The account.
    pub user: User,
    /// Its latest login.
    pub last_login: Option<chrono::DateTime<Utc>>,
    /// Its latest staff mail (password link), if it got one.
    pub mail: Option<MailState>,
}

/// Every account with its latest login and staff mail.
pub fn list(conn: &mut PgConnection) -> Result<Vec<AccountOverview>, AccountError> {
    let mails = staff_mails::find_latest(conn)?;
    Ok(users::find_accounts(conn)?
        .into_iter()
        .map(|AccountListing { user, last_login }| {
            let mail = mails
                .iter()
                .find(|(id, _, _)| *id == user.id)
                .map(|(_, status, error)| match status.as_str() {
                    "sent" => MailState::Sent,
                    "failed" => MailState::Failed(error.clone().unwrap_or_default()),
                    _ => MailState::Queued,
                });
            AccountOverview {
                user,
                last_login,
                mail,
            }
        })
        .collect())
}

/// A new account as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewAccount {
    /// Its address (any case).
    pub email: String,
    /// `admin`, `board` or `coordinator`.
    pub role: String,
    /// The Land of a coordinator (code or name).
    pub land: Option<String>,
}

/// An added account and the one-time token of its password link (48 hours).
#[derive(Debug, Clone)]
pub struct Added {
    /// The account.
    pub user: User,
    /// The token of its link (see [`password_link`]).
    pub token: String,
}

/// Adds an account with a one-time link to set its password, and queues the mail that carries the
/// link (sent by [`send_staff_mails`]); audited as `user_added`.
pub fn add(
    conn: &mut PgConnection,
    settings: &Settings,
    actor: &Actor,
    input: &NewAccount,
) -> Result<Added, AccountError> {
    let email = input.email.trim().to_lowercase();
    if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return Err(AccountError::NotAnEmail(email));
    }
    let (role, land) = role_with_land(&input.role, input.land.as_deref())?;
    let key = settings.secret_key().map_err(anyhow::Error::from)?;
    conn.transaction(|conn| {
        if users::find_by_email(conn, &email)?.is_some() {
            return Err(AccountError::Exists(email.clone()));
        }
        let user = users::insert(conn, &email, role, land)?;
        let (link_id, token) =
            users::insert_password_token(conn, user.id, "set", Utc::now(), &key)?;
        staff_mails::insert(conn, user.id, StaffMailKind::Welcome, link_id)?;
        let details = match land {
            Some(land) => format!("{} ({land})", role.as_str()),
            None => role.as_str().to_owned(),
        };
        actor.audit(conn, "user_added", &email, &details)?;
        Ok(Added { user, token })
    })
}

/// Which account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// By address (any case): the command line.
    Email(String),
    /// By id: the pages.
    Id(i64),
}

/// What happens to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChange {
    /// It can no longer log in; its sessions end at once.
    Disable,
    /// It can log in again.
    Enable,
    /// A new role (and Land, for a coordinator), from the next page on.
    Role {
        /// `admin`, `board` or `coordinator`.
        role: String,
        /// The Land of a coordinator.
        land: Option<String>,
    },
}

/// Disables, enables or re-roles an account, audited as `user_disabled`, `user_enabled` or
/// `role_changed`. Refused for the actor's own account and for the last active admin.
pub fn change(
    conn: &mut PgConnection,
    actor: &Actor,
    account: &Account,
    change: &AccountChange,
) -> Result<User, AccountError> {
    conn.transaction(|conn| {
        let user = match account {
            Account::Email(email) => {
                let email = email.trim().to_lowercase();
                users::find_by_email(conn, &email)?.ok_or(AccountError::NoSuchAccount(email))?
            }
            Account::Id(id) => users::find_by_id(conn, *id)?
                .ok_or_else(|| AccountError::NoSuchAccount(format!("#{id}")))?,
        };
        if actor.account_id() == Some(user.id) {
            return Err(AccountError::OwnAccount);
        }
        let (action, details) = match change {
            AccountChange::Disable => {
                if user.disabled_at.is_none() && user.role() == Role::Admin {
                    ensure_another_admin(conn)?;
                }
                users::set_disabled(conn, user.id, Some(Utc::now()))?;
                ("user_disabled", String::new())
            }
            AccountChange::Enable => {
                users::set_disabled(conn, user.id, None)?;
                ("user_enabled", String::new())
            }
            AccountChange::Role { role, land } => {
                let (role, land) = role_with_land(role, land.as_deref())?;
                if user.role() == Role::Admin && role != Role::Admin && user.disabled_at.is_none() {
                    ensure_another_admin(conn)?;
                }
                users::set_role(conn, user.id, role, land)?;
                let details = match land {
                    Some(land) => format!("{} → {} ({land})", user.role, role.as_str()),
                    None => format!("{} → {}", user.role, role.as_str()),
                };
                ("role_changed", details)
            }
        };
        actor.audit(conn, action, &user.email, &details)?;
        Ok(users::find_by_id(conn, user.id)?.unwrap_or(user))
    })
}

/// Refuses to take away the last active admin account (nobody could manage accounts then).
fn ensure_another_admin(conn: &mut PgConnection) -> Result<(), AccountError> {
    if users::count_active_admins(conn)? <= 1 {
        return Err(AccountError::LastAdmin);
    }
    Ok(())
}

/// For a known, enabled account: a new one-time password link (48 hours) and the mail that carries
/// it queued (sent by [`send_staff_mails`]), audited as `password_reset_requested`. Whether there
/// was such an account is not returned: the caller says the same either way.
pub fn request_password_reset(
    conn: &mut PgConnection,
    settings: &Settings,
    email: &str,
) -> Result<(), AccountError> {
    let email = typed_address(email);
    let key = settings.secret_key().map_err(anyhow::Error::from)?;
    conn.transaction(|conn| {
        let Some(user) = users::find_by_email(conn, &email)?.filter(|u| u.disabled_at.is_none())
        else {
            return Ok(());
        };
        let (link_id, _) = users::insert_password_token(conn, user.id, "reset", Utc::now(), &key)?;
        staff_mails::insert(conn, user.id, StaffMailKind::Reset, link_id)?;
        Actor::staff(&user).audit(conn, "password_reset_requested", "", "")?;
        Ok(())
    })
}

/// Sends the queued staff mails now (SMTP, or `.eml` files in `var/outbox/staff/` without
/// `SMTP_URL`). `serve` runs this in the background; `user add` right away.
pub fn send_staff_mails(
    conn: &mut PgConnection,
    settings: &Settings,
) -> Result<StaffSummary, AccountError> {
    let transport = Transport::new(
        settings.smtp_url.as_deref(),
        1,
        &settings.var_dir.join("outbox"),
    )?;
    let context = StaffContext {
        public_url: settings.public_url.clone(),
        mail_from: settings.mail_from.clone(),
        survey_contact: settings.survey_contact.clone(),
        key: settings.secret_key().map_err(anyhow::Error::from)?,
    };
    Ok(crate::mail::staff::send_queued(conn, &transport, &context)?)
}

/// Sets an account's password hash (hashed by the caller, off the database connection), uses up
/// its open password links and ends its sessions; audited as `password_set`.
pub fn set_password(conn: &mut PgConnection, user: &User, hash: &str) -> Result<(), AccountError> {
    conn.transaction(|conn| {
        users::set_password(conn, user.id, hash)?;
        users::use_password_tokens(conn, user.id, Utc::now())?;
        Actor::staff(user).audit(conn, "password_set", "", "")?;
        Ok(())
    })
}

/// The brake kind of failed logins per client address (across accounts), counted by the web's
/// address brake.
pub const LOGIN_ADDRESS: &str = "login_address";
/// Failed logins of one account from one address.
const LOGIN_PAIR: &str = "login_pair";
/// Failed logins of one account from any address.
const LOGIN_ACCOUNT: &str = "login_account";
/// Successful logins of an account from an address: it is the owner's, known for 90 days.
const LOGIN_OK: &str = "login_ok";
/// The brake kinds kept for 90 days instead of one (see `store::brakes::purge`).
pub const LONG_LIVED_BRAKES: [&str; 1] = [LOGIN_OK];
/// Failed logins count for this long.
const LOGIN_WINDOW: chrono::Duration = chrono::Duration::hours(1);
/// Failures of an account (from all addresses) before addresses that never signed in to it wait too.
const ACCOUNT_FREE_FAILURES: i64 = 10;

/// How long an attempt must wait after the last of `failures` failed logins: nothing for the first
/// three, then 1 s, 2 s, 4 s, … up to five minutes. A guesser is slowed to a few tries an hour; the
/// owner who mistypes twice is not slowed at all.
pub fn login_delay(failures: i64) -> std::time::Duration {
    if failures < 3 {
        return std::time::Duration::ZERO;
    }
    let seconds = 1u64 << (failures - 3).clamp(0, 16);
    std::time::Duration::from_secs(seconds.min(300))
}

/// A valid argon2id hash of a random password: what unknown accounts are checked against, so the
/// time a login takes says nothing about whether the address has an account.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0V0f6w2cmR4pqfaYkvl8Q1GrvlRO1RmV9cItuC0rGNw";

/// A login in progress: the account of the address (if any) and its recent failed logins. Checking
/// the password ([`SignIn::admit`]) takes tens of milliseconds of argon2, so it runs between the
/// two database steps without holding a connection.
#[derive(Debug, Clone)]
pub struct SignIn {
    email: String,
    user: Option<User>,
    /// The client's address.
    address: String,
    /// How long this attempt still has to wait (zero: it may try).
    wait: std::time::Duration,
    /// When it began (the application's clock): what its failure or success is recorded at.
    now: chrono::DateTime<Utc>,
}

/// An address as typed into a login or reset form, lower-cased, with control characters (which
/// PostgreSQL text cannot hold, e.g. NUL) replaced: such an address matches no account.
fn typed_address(email: &str) -> String {
    email
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// Starts a login for an address (any case) from the client `ip`. Failed logins are throttled per
/// account *and* client address with growing delays ([`login_delay`]): a guesser is slowed, while
/// the owner, from an address that signed in to the account before, is not slowed by anyone else's
/// failures. Addresses that never signed in to the account wait too once the account had many
/// failures from anywhere. Nothing is ever locked for good, and the answer is the same generic one.
pub fn begin_sign_in(
    conn: &mut PgConnection,
    email: &str,
    ip: std::net::IpAddr,
    now: chrono::DateTime<Utc>,
) -> Result<SignIn, AccountError> {
    use crate::store::brakes;
    let email = typed_address(email);
    let address = ip.to_string();
    let pair = format!("{email} {address}");
    let since = now - LOGIN_WINDOW;
    let user = users::find_by_email(conn, &email)?;
    let waits_until = |(failures, last): (i64, Option<chrono::DateTime<Utc>>)| {
        last.map(|last| {
            last + chrono::Duration::from_std(login_delay(failures)).unwrap_or_default()
        })
    };
    let mut until = waits_until(brakes::recent(conn, LOGIN_PAIR, &pair, since)?);
    let known = brakes::exists(conn, LOGIN_OK, &pair, now - chrono::Duration::days(90))?;
    if !known {
        let (failures, last) = brakes::recent(conn, LOGIN_ACCOUNT, &email, since)?;
        let account = waits_until((failures - ACCOUNT_FREE_FAILURES + 3, last));
        until = until.max(account);
    }
    let wait = until
        .and_then(|until| (until - now).to_std().ok())
        .unwrap_or_default();
    Ok(SignIn {
        email,
        user,
        address,
        wait,
        now,
    })
}

impl SignIn {
    /// The account, if the password matches, the account has a password and is enabled, this
    /// attempt need not wait, and the client address is not paused (`address_paused`). The
    /// password is checked in every case, so a throttled guess learns nothing.
    pub fn admit(&self, password: &str, address_paused: bool) -> Option<User> {
        let hash = self.user.as_ref().and_then(|u| u.password_hash.as_deref());
        let matches = crate::accounts::verify_password(password, hash.unwrap_or(DUMMY_HASH));
        self.user.clone().filter(|u| {
            matches
                && u.password_hash.is_some()
                && u.disabled_at.is_none()
                && self.wait.is_zero()
                && !address_paused
        })
    }

    /// How long this attempt had to wait (zero: it was checked).
    pub fn wait(&self) -> std::time::Duration {
        self.wait
    }
}

/// Ends a login: for an admitted account a session under `session_token` (its hash stored),
/// audited as `login`; otherwise `login_failed` for the address.
pub fn finish_sign_in(
    conn: &mut PgConnection,
    sign_in: &SignIn,
    admitted: Option<&User>,
    session_token: &str,
) -> Result<(), AccountError> {
    conn.transaction(|conn| {
        let pair = format!("{} {}", sign_in.email, sign_in.address);
        match admitted {
            Some(user) => {
                users::insert_session(conn, user.id, session_token)?;
                Actor::staff(user).audit(conn, "login", "", "")?;
                crate::store::brakes::add(conn, LOGIN_OK, &pair, sign_in.now)?;
            }
            None => {
                users::audit(conn, None, &sign_in.email, "login_failed", "", "")?;
                // An attempt that had to wait is not counted: the delay does not grow by itself.
                if sign_in.wait.is_zero() {
                    crate::store::brakes::add(conn, LOGIN_PAIR, &pair, sign_in.now)?;
                    crate::store::brakes::add(conn, LOGIN_ACCOUNT, &sign_in.email, sign_in.now)?;
                }
            }
        }
        Ok(())
    })
}

/// Ends the session of `session_token`, audited as `logout` (an unknown session: nothing).
pub fn sign_out(conn: &mut PgConnection, session_token: &str) -> Result<(), AccountError> {
    conn.transaction(|conn| {
        if let Some(user) = users::touch_session(conn, session_token, Utc::now())? {
            Actor::staff(&user).audit(conn, "logout", "", "")?;
        }
        Ok(users::delete_session(conn, session_token)?)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn login_delays_grow_from_the_fourth_failure_to_five_minutes() {
        let delays: Vec<u64> = (0..14).map(|n| super::login_delay(n).as_secs()).collect();
        assert_eq!(
            delays,
            [0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
        );
        assert_eq!(super::login_delay(1_000).as_secs(), 300);
    }
}
