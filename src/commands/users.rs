//! `user add`: staff accounts. The new account gets a one-time link to set its password, printed
//! and sent by mail (to `var/outbox/staff/` without `SMTP_URL`).

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

/// `user add --email E --role R [--land L]`: adds the account, prints its password link and mails it.
pub fn add(
    conn: &mut PgConnection,
    settings: &Settings,
    email: &str,
    role: &str,
    land: Option<&str>,
) -> anyhow::Result<()> {
    let email = email.trim().to_lowercase();
    if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        bail!("`{email}` is not an email address");
    }
    let Some(role) = Role::parse(role) else {
        bail!("there is no role `{role}`; the roles are admin, board and coordinator");
    };
    let land = match (role, land) {
        (Role::Coordinator, None) => {
            bail!("a coordinator needs --land (code or name, e.g. DE-TH or Thüringen)")
        }
        (Role::Coordinator, Some(l)) => {
            Some(land_code(l).with_context(|| format!("there is no Land `{l}`"))?)
        }
        (_, Some(_)) => bail!("--land is only for coordinators"),
        (_, None) => None,
    };
    let token = random_token().map_err(|e| anyhow::anyhow!("no random numbers: {e}"))?;
    let user = conn.transaction(|conn| -> anyhow::Result<users::User> {
        if users::find_by_email(conn, &email)?.is_some() {
            bail!("there is already an account for {email}");
        }
        let user = users::insert(conn, &email, role, land)?;
        users::insert_password_token(conn, user.id, &token, "set", Utc::now())?;
        let details = match land {
            Some(land) => format!("{} ({land})", role.as_str()),
            None => role.as_str().to_owned(),
        };
        users::audit(conn, None, COMMAND_LINE, "user_added", &email, &details)?;
        Ok(user)
    })?;
    let link = password_link(&settings.public_url, &token);
    println!("Added {} as {}.", user.email, role.as_str());
    println!("Link to set the password (valid 48 hours, once): {link}");
    let text = format!(
        "Guten Tag,\n\nfür Sie wurde ein Zugang zu den MINT-Umfragen des Länderbeirats eingerichtet \
         ({}). Bitte legen Sie über diesen Link Ihr Passwort fest (er gilt 48 Stunden und nur einmal):\n\n\
         {link}\n\nDanach melden Sie sich unter {}/login mit Ihrer E-Mail-Adresse an.\n\n\
         Fragen? {}\n",
        role.label(),
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
    match transport.send(&message, &format!("staff/{}-zugang.eml", user.id)) {
        Ok(()) if settings.smtp_url.is_some() => println!("Mailed the link to {}.", user.email),
        Ok(()) => println!(
            "Wrote the mail to {} (no SMTP_URL set).",
            outbox.join("staff").display()
        ),
        Err(error) => {
            eprintln!("The mail could not be sent ({error:?}); pass the link on yourself.")
        }
    }
    Ok(())
}
