//! Staff accounts, their sessions and password links, and the audit log.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use super::schema::{audit_log, password_tokens, staff_sessions, users};
use crate::accounts::Role;
use crate::tokens::{SecretKey, password_token, token_hash};

/// A staff account.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Login address (lower case).
    pub email: String,
    /// `admin`, `board` or `coordinator`.
    pub role: String,
    /// A coordinator's Land.
    pub land_code: Option<String>,
    /// argon2id hash; None until a password is set.
    pub password_hash: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Disabled accounts cannot log in.
    pub disabled_at: Option<DateTime<Utc>>,
}

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    /// It can log in.
    Active,
    /// Added, but no password set yet.
    Invited,
    /// Disabled: it cannot log in.
    Disabled,
}

impl crate::text::Bilingual for AccountState {
    /// The word the admin pages show.
    fn german(&self) -> String {
        match self {
            AccountState::Active => "aktiv",
            AccountState::Invited => "eingeladen",
            AccountState::Disabled => "gesperrt",
        }
        .to_owned()
    }

    /// The word the command line prints.
    fn english(&self) -> String {
        match self {
            AccountState::Active => "active",
            AccountState::Invited => "no password yet",
            AccountState::Disabled => "disabled",
        }
        .to_owned()
    }
}

impl User {
    /// Where the account stands: disabled wins over a missing password.
    pub fn state(&self) -> AccountState {
        match (&self.disabled_at, &self.password_hash) {
            (Some(_), _) => AccountState::Disabled,
            (None, None) => AccountState::Invited,
            (None, Some(_)) => AccountState::Active,
        }
    }

    /// The account's role (`Board` for an unknown word, which the table's check rules out).
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Board)
    }
}

/// A session is closed after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// A session is closed after this long in any case.
pub const MAX_AGE: Duration = Duration::hours(12);
/// A password link works this long.
pub const LINK_VALIDITY: Duration = Duration::hours(48);

/// Adds an account (the address lower-cased); fails on a duplicate address.
pub fn insert(
    conn: &mut PgConnection,
    email: &str,
    role: Role,
    land_code: Option<&str>,
) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values((
            users::email.eq(email.trim().to_lowercase()),
            users::role.eq(role.as_str()),
            users::land_code.eq(land_code),
        ))
        .returning(User::as_returning())
        .get_result(conn)
}

/// The account with this address (any case).
pub fn find_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Sets an account's password hash and ends its sessions (a new password logs everyone out).
pub fn set_password(conn: &mut PgConnection, user_id: i64, hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::password_hash.eq(hash))
        .execute(conn)?;
    diesel::delete(staff_sessions::table.filter(staff_sessions::user_id.eq(user_id)))
        .execute(conn)
        .map(drop)
}

/// A new password link of an account (`purpose`: `set` or `reset`), valid for 48 hours: its token
/// is derived from the key and the row's id, and only the token's hash is stored. Returns the id
/// and the token.
pub fn insert_password_token(
    conn: &mut PgConnection,
    user_id: i64,
    purpose: &str,
    now: DateTime<Utc>,
    key: &SecretKey,
) -> QueryResult<(i64, String)> {
    let id: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "nextval(pg_get_serial_sequence('password_tokens', 'id'))",
    ))
    .get_result(conn)?;
    let token = password_token(key, id);
    diesel::insert_into(password_tokens::table)
        .values((
            password_tokens::id.eq(id),
            password_tokens::token_sha256.eq(token_hash(&token)),
            password_tokens::user_id.eq(user_id),
            password_tokens::purpose.eq(purpose),
            password_tokens::expires_at.eq(now + LINK_VALIDITY),
        ))
        .execute(conn)?;
    Ok((id, token))
}

/// The account of a password link that is unused and not expired.
pub fn find_by_password_token(
    conn: &mut PgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<User>> {
    password_tokens::table
        .inner_join(users::table)
        .filter(password_tokens::token_sha256.eq(token_hash(token)))
        .filter(password_tokens::used_at.is_null())
        .filter(password_tokens::expires_at.gt(now))
        .filter(users::disabled_at.is_null())
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Marks every open link of the account used (after a password was set).
pub fn use_password_tokens(
    conn: &mut PgConnection,
    user_id: i64,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(
        password_tokens::table
            .filter(password_tokens::user_id.eq(user_id))
            .filter(password_tokens::used_at.is_null()),
    )
    .set(password_tokens::used_at.eq(now))
    .execute(conn)
    .map(drop)
}

/// Starts a session for an account under the hash of `token`.
pub fn insert_session(conn: &mut PgConnection, user_id: i64, token: &str) -> QueryResult<()> {
    diesel::insert_into(staff_sessions::table)
        .values((
            staff_sessions::token_sha256.eq(token_hash(token)),
            staff_sessions::user_id.eq(user_id),
        ))
        .execute(conn)
        .map(drop)
}

/// The account of a live session, noting the request (idle and absolute limits applied).
pub fn touch_session(
    conn: &mut PgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> QueryResult<Option<User>> {
    let hash = token_hash(token);
    let live = staff_sessions::table
        .filter(staff_sessions::token_sha256.eq(&hash))
        .filter(staff_sessions::last_seen_at.gt(now - IDLE_TIMEOUT))
        .filter(staff_sessions::created_at.gt(now - MAX_AGE));
    let user_id: Option<i64> = diesel::update(live)
        .set(staff_sessions::last_seen_at.eq(now))
        .returning(staff_sessions::user_id)
        .get_result(conn)
        .optional()?;
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    users::table
        .find(user_id)
        .filter(users::disabled_at.is_null())
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Ends the session of `token`.
pub fn delete_session(conn: &mut PgConnection, token: &str) -> QueryResult<()> {
    diesel::delete(staff_sessions::table.filter(staff_sessions::token_sha256.eq(token_hash(token))))
        .execute(conn)
        .map(drop)
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    /// Row id.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// The account, while it exists.
    pub user_id: Option<i64>,
    /// Who: the account's address, `command line`, or the address tried at a failed login.
    pub actor: String,
    /// What (`login`, `login_failed`, `user_added`, `report_downloaded`, …).
    pub action: String,
    /// On what (a wave, a file, an account).
    pub subject: String,
    /// Anything else worth knowing (never passwords, tokens or answers).
    pub details: String,
}

/// An account as the admins' list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountListing {
    /// The account.
    pub user: User,
    /// Its latest login, from the audit log.
    pub last_login: Option<DateTime<Utc>>,
}

/// Every account, by address, with its latest login.
pub fn find_accounts(conn: &mut PgConnection) -> QueryResult<Vec<AccountListing>> {
    let last_login = audit_log::table
        .filter(audit_log::user_id.eq(users::id.nullable()))
        .filter(audit_log::action.eq("login"))
        .select(diesel::dsl::max(audit_log::at))
        .single_value();
    let rows: Vec<(User, Option<DateTime<Utc>>)> = users::table
        .select((User::as_select(), last_login.assume_not_null().nullable()))
        .order(users::email)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(user, last_login)| AccountListing { user, last_login })
        .collect())
}

/// The account with this id.
pub fn find_by_id(conn: &mut PgConnection, id: i64) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Admin accounts that are not disabled.
pub fn count_active_admins(conn: &mut PgConnection) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::disabled_at.is_null())
        .count()
        .get_result(conn)
}

/// Disables an account (`Some`: since then) and ends its sessions, or enables it again (`None`).
pub fn set_disabled(
    conn: &mut PgConnection,
    user_id: i64,
    disabled_at: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::disabled_at.eq(disabled_at))
        .execute(conn)?;
    if disabled_at.is_some() {
        diesel::delete(staff_sessions::table.filter(staff_sessions::user_id.eq(user_id)))
            .execute(conn)?;
    }
    Ok(())
}

/// Gives an account another role (a coordinator's Land with it). Its sessions go on: every request
/// reads the role afresh.
pub fn set_role(
    conn: &mut PgConnection,
    user_id: i64,
    role: Role,
    land_code: Option<&str>,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::role.eq(role.as_str()),
            users::land_code.eq(land_code),
        ))
        .execute(conn)
        .map(drop)
}

/// Records an action.
pub fn audit(
    conn: &mut PgConnection,
    user_id: Option<i64>,
    actor: &str,
    action: &str,
    subject: &str,
    details: &str,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::user_id.eq(user_id),
            audit_log::actor.eq(actor),
            audit_log::action.eq(action),
            audit_log::subject.eq(subject),
            audit_log::details.eq(details),
        ))
        .execute(conn)
        .map(drop)
}

/// The newest audit entries, filtered by action and by text in actor or subject.
pub fn find_audit(
    conn: &mut PgConnection,
    action: Option<&str>,
    text: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<AuditEntry>> {
    let mut query = audit_log::table.into_boxed();
    if let Some(action) = action.filter(|a| !a.is_empty()) {
        query = query.filter(audit_log::action.eq(action.to_owned()));
    }
    if let Some(text) = text.filter(|t| !t.is_empty()) {
        let pattern = format!("%{}%", text.replace(['%', '_', '\\'], ""));
        query = query.filter(
            audit_log::actor
                .ilike(pattern.clone())
                .or(audit_log::subject.ilike(pattern)),
        );
    }
    query
        .order(audit_log::id.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)
}
