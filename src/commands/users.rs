//! `user add`, `user list`, `user disable`, `user enable`: staff accounts. A new account gets a
//! one-time link to set its password, printed and sent by mail (to `var/outbox/staff/` without
//! `SMTP_URL`). The admin pages (`web/admin_accounts.rs`) add and change accounts through the same
//! functions.

use anyhow::{Context, bail};
use chrono::Utc;
use diesel::{Connection, PgConnection};

use crate::accounts::{Role, random_token};
use crate::config::Settings;
use crate::mail::{Transport, staff_message};
use crate::participants::land_code;
use crate::store::users;

/// Who the audit log names for command-line actions.
pub const COMMAND_LINE: &str = "Kommandozeile";

/// The link that sets (or resets) a password.
pub fn password_link(public_url: &str, token: &str) -> String {
    format!("{public_url}/passwort/{token}")
}

/// Why an account cannot be added or changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
}

impl AccountError {
    /// The field of the admin page's form it is about.
    pub fn field(&self) -> &'static str {
        match self {
            AccountError::NotAnEmail(_) | AccountError::Exists(_) => "email",
            AccountError::NoSuchRole(_) => "rolle",
            AccountError::LandMissing
            | AccountError::NoSuchLand(_)
            | AccountError::LandNotForRole => "land",
        }
    }

    /// The same in German, for the admin pages.
    pub fn german(&self) -> String {
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
        }
    }
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

/// Adds an account with a one-time link (48 h) to set its password, and records who did it.
/// Returns the account and the link's token.
pub fn insert_account(
    conn: &mut PgConnection,
    email: &str,
    role: &str,
    land: Option<&str>,
    actor: (Option<i64>, &str),
) -> anyhow::Result<Result<(users::User, String), AccountError>> {
    let email = email.trim().to_lowercase();
    if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return Ok(Err(AccountError::NotAnEmail(email)));
    }
    let (role, land) = match role_with_land(role, land) {
        Ok(checked) => checked,
        Err(error) => return Ok(Err(error)),
    };
    let token = random_token().map_err(|e| anyhow::anyhow!("no random numbers: {e}"))?;
    conn.transaction(|conn| {
        if users::find_by_email(conn, &email)?.is_some() {
            return Ok(Err(AccountError::Exists(email.clone())));
        }
        let user = users::insert(conn, &email, role, land)?;
        users::insert_password_token(conn, user.id, &token, "set", Utc::now())?;
        let details = match land {
            Some(land) => format!("{} ({land})", role.as_str()),
            None => role.as_str().to_owned(),
        };
        users::audit(conn, actor.0, actor.1, "user_added", &email, &details)?;
        Ok(Ok((user, token.clone())))
    })
}

/// Where a mail went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// To the SMTP server.
    Mailed,
    /// Into this folder (no `SMTP_URL`).
    Written(std::path::PathBuf),
}

/// Mails a new account its link to set the password.
pub fn send_welcome_mail(
    settings: &Settings,
    user: &users::User,
    token: &str,
) -> anyhow::Result<Delivery> {
    let link = password_link(&settings.public_url, token);
    let text = format!(
        "Guten Tag,\n\nfür Sie wurde ein Zugang zu den MINT-Umfragen des Länderbeirats eingerichtet \
         ({}). Bitte legen Sie über diesen Link Ihr Passwort fest (er gilt 48 Stunden und nur einmal):\n\n\
         {link}\n\nDanach melden Sie sich unter {}/login mit Ihrer E-Mail-Adresse an.\n\n\
         Fragen? {}\n",
        user.role().label(),
        settings.public_url,
        settings.survey_contact
    );
    let message = staff_message(
        &settings.mail_from,
        &user.email,
        "Ihr Zugang zu den MINT-Umfragen",
        &text,
    )?;
    let outbox = settings.var_dir.join("outbox");
    let transport = Transport::new(settings.smtp_url.as_deref(), 1, &outbox)?;
    transport
        .send(&message, &format!("staff/{}-zugang.eml", user.id))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(match settings.smtp_url {
        Some(_) => Delivery::Mailed,
        None => Delivery::Written(outbox.join("staff")),
    })
}

/// `user add --email E --role R [--land L]`: adds the account, prints its password link and mails it.
pub fn add(
    conn: &mut PgConnection,
    settings: &Settings,
    email: &str,
    role: &str,
    land: Option<&str>,
) -> anyhow::Result<()> {
    let (user, token) = insert_account(conn, email, role, land, (None, COMMAND_LINE))??;
    let link = password_link(&settings.public_url, &token);
    println!("Added {} as {}.", user.email, user.role().as_str());
    println!("Link to set the password (valid 48 hours, once): {link}");
    match send_welcome_mail(settings, &user, &token) {
        Ok(Delivery::Mailed) => println!("Mailed the link to {}.", user.email),
        Ok(Delivery::Written(folder)) => {
            println!("Wrote the mail to {} (no SMTP_URL set).", folder.display())
        }
        Err(error) => {
            eprintln!("The mail could not be sent ({error:#}); pass the link on yourself.")
        }
    }
    Ok(())
}

/// `user list`: every account with its role, Land, state and latest login.
pub fn list(conn: &mut PgConnection) -> anyhow::Result<()> {
    println!("EMAIL\tROLE\tLAND\tSTATE\tLAST LOGIN");
    for account in users::find_accounts(conn)? {
        let user = &account.user;
        println!(
            "{}\t{}\t{}\t{}\t{}",
            user.email,
            user.role().as_str(),
            user.land_code.as_deref().unwrap_or("-"),
            user.state().english(),
            account
                .last_login
                .map_or_else(|| "-".to_owned(), crate::time::format_berlin)
        );
    }
    Ok(())
}

/// `user disable --email E` (`disabled` true) or `user enable --email E`: an account that is
/// disabled cannot log in, and its sessions end at once.
pub fn set_disabled(conn: &mut PgConnection, email: &str, disabled: bool) -> anyhow::Result<()> {
    let email = email.trim().to_lowercase();
    conn.transaction(|conn| {
        let user = users::find_by_email(conn, &email)?
            .with_context(|| format!("there is no account for {email}"))?;
        if disabled && user.disabled_at.is_none() && user.role() == Role::Admin {
            ensure_another_admin(conn)?;
        }
        users::set_disabled(conn, user.id, disabled.then(Utc::now))?;
        let action = if disabled {
            "user_disabled"
        } else {
            "user_enabled"
        };
        users::audit(conn, None, COMMAND_LINE, action, &email, "")?;
        Ok::<_, anyhow::Error>(())
    })?;
    println!("{} {email}.", if disabled { "Disabled" } else { "Enabled" });
    Ok(())
}

/// Refuses to take away the last active admin account (nobody could manage accounts then).
fn ensure_another_admin(conn: &mut PgConnection) -> anyhow::Result<()> {
    if users::count_active_admins(conn)? <= 1 {
        bail!("that is the last active admin account; add or enable another admin first");
    }
    Ok(())
}
