//! `user add|list|disable|enable` and `user api-key create|list|revoke`: the operations of
//! `app::accounts` and `app::api_keys`, printed. A new account's one-time link to set its password
//! is printed and mailed (to `var/outbox/staff/` without `SMTP_URL`); a new API key is printed once.

use diesel::PgConnection;

use crate::app::Actor;
use crate::app::accounts::{self, Account, AccountChange, NewAccount, password_link};
use crate::app::api_keys;
use crate::config::Settings;
use crate::text::Bilingual;

/// `user add --email E --role R [--land L]`: adds the account, prints its password link and mails it.
pub fn add(conn: &mut PgConnection, settings: &Settings, input: &NewAccount) -> anyhow::Result<()> {
    let added = accounts::add(conn, settings, &Actor::command_line(), input)?;
    let link = password_link(&settings.public_url, &added.token);
    println!(
        "Added {} as {}.",
        added.user.email,
        added.user.role().english()
    );
    println!("Link to set the password (valid 48 hours, once): {link}");
    match accounts::send_staff_mails(conn, settings) {
        Ok(summary) if summary.sent > 0 => match &settings.smtp_url {
            Some(_) => println!("Mailed the link to {}.", added.user.email),
            None => println!(
                "Wrote the mail to {} (no SMTP_URL set).",
                settings.var_dir.join("outbox/staff").display()
            ),
        },
        Ok(summary) => eprintln!(
            "The mail is queued ({}); `serve` sends it when the server answers, or pass the link on yourself.",
            summary.stopped.as_deref().unwrap_or("not sent")
        ),
        Err(error) => {
            eprintln!("The mail could not be sent ({error}); pass the link on yourself.")
        }
    }
    Ok(())
}

/// `user list`: every account with its role, Land, state and latest login.
pub fn list(conn: &mut PgConnection) -> anyhow::Result<()> {
    println!("EMAIL\tROLE\tLAND\tSTATE\tLAST LOGIN");
    for account in accounts::list(conn)? {
        let user = &account.user;
        println!(
            "{}\t{}\t{}\t{}\t{}",
            user.email,
            user.role().english(),
            user.land_code.as_deref().unwrap_or("-"),
            user.state().english(),
            account
                .last_login
                .map_or_else(|| "-".to_owned(), crate::time::format_berlin)
        );
    }
    Ok(())
}

/// `user disable --email E` (`disabled` true) or `user enable --email E`: a disabled account cannot
/// log in, and its sessions end at once; the last active admin stays.
pub fn set_disabled(conn: &mut PgConnection, email: &str, disabled: bool) -> anyhow::Result<()> {
    let change = if disabled {
        AccountChange::Disable
    } else {
        AccountChange::Enable
    };
    let account = Account::Email(email.to_owned());
    let user = accounts::change(conn, &Actor::command_line(), &account, &change)?;
    let done = if disabled { "Disabled" } else { "Enabled" };
    println!("{done} {}.", user.email);
    Ok(())
}

/// `user api-key create --email E --name N`: makes a key for the account and prints it once.
pub fn create_api_key(conn: &mut PgConnection, email: &str, name: &str) -> anyhow::Result<()> {
    let created = api_keys::create(conn, &Actor::command_line(), email, name)?;
    println!(
        "Created API key {} \"{}\" for {} ({}).",
        created.key.id,
        created.key.name,
        created.user.email,
        created.user.role().english()
    );
    println!(
        "Key (shown only now; keep it in a secret store): {}",
        created.secret
    );
    println!("Use it as: Authorization: Bearer <key>");
    Ok(())
}

/// `user api-key list`: every key with its account, role, state and last use.
pub fn list_api_keys(conn: &mut PgConnection) -> anyhow::Result<()> {
    println!("ID\tNAME\tACCOUNT\tROLE\tSTATE\tCREATED\tLAST USED");
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or_else(|| "-".to_owned(), crate::time::format_berlin)
    };
    for (key, user) in api_keys::list(conn)? {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            key.id,
            key.name,
            user.email,
            user.role().english(),
            if key.revoked_at.is_some() {
                "revoked"
            } else {
                "live"
            },
            crate::time::format_berlin(key.created_at),
            when(key.last_used_at)
        );
    }
    Ok(())
}

/// `user api-key revoke ID`: the key is refused from the next call on.
pub fn revoke_api_key(conn: &mut PgConnection, id: i64) -> anyhow::Result<()> {
    let key = api_keys::revoke(conn, &Actor::command_line(), id)?;
    println!("Revoked API key {} \"{}\".", key.id, key.name);
    Ok(())
}
