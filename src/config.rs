//! Typed settings from the environment (and a `.env` file), validated once at start.
//!
//! Secrets never reach `Debug` output or logs: URLs are shown with their passwords masked.

use std::fmt;
use std::path::PathBuf;

use crate::store::redact_url;

/// Where settings come from: the process environment, after reading `.env` if present.
pub trait Environment {
    /// The value of a variable, if set and not empty.
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Environment for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

/// A setting has a value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{name} is set to {shown}, which is not valid: {reason}")]
pub struct ConfigError {
    name: &'static str,
    shown: String,
    reason: &'static str,
}

/// The installation's settings (see the configuration table in README.md).
#[derive(Clone)]
pub struct Settings {
    /// `DATABASE_URL`; `None`: the private cluster in `var/postgres`.
    pub database_url: Option<String>,
    /// `VAR_DIR`: the folder for the private cluster, the outbox and generated keys (default `var`).
    pub var_dir: PathBuf,
    /// `PUBLIC_URL`: base of every link in a mail, without a trailing slash.
    pub public_url: String,
    /// `BIND`: listen address of `serve`.
    pub bind: String,
    /// `SMTP_URL`; `None`: mails are written as `.eml` files to `var/outbox/`.
    pub smtp_url: Option<String>,
    /// `MAIL_FROM`: the sender of every mail.
    pub mail_from: String,
    /// `SUPPRESS_BELOW`: smallest group shown in reports.
    pub suppress_below: u32,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field("var_dir", &self.var_dir)
            .field("public_url", &self.public_url)
            .field("bind", &self.bind)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("suppress_below", &self.suppress_below)
            .finish()
    }
}

impl Settings {
    /// Reads `.env` (if present) and the process environment.
    pub fn from_env() -> Result<Settings, ConfigError> {
        // A missing .env is normal; a broken one is reported by the variables it failed to set.
        let _ = dotenvy::dotenv();
        Settings::from(&ProcessEnv)
    }

    /// Reads and validates the settings from `env`.
    pub fn from(env: &impl Environment) -> Result<Settings, ConfigError> {
        let database_url = env.var("DATABASE_URL");
        if let Some(url) = &database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(ConfigError {
                name: "DATABASE_URL",
                shown: redact_url(url),
                reason: "expected a URL starting with postgres:// or postgresql://",
            });
        }
        let public_url = env
            .var("PUBLIC_URL")
            .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError {
                name: "PUBLIC_URL",
                shown: public_url,
                reason: "expected a URL starting with http:// or https://",
            });
        }
        let suppress_below = match env.var("SUPPRESS_BELOW") {
            None => 5,
            Some(text) => text
                .trim()
                .parse()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or(ConfigError {
                    name: "SUPPRESS_BELOW",
                    shown: text,
                    reason: "expected a whole number of at least 1",
                })?,
        };
        Ok(Settings {
            database_url,
            var_dir: env
                .var("VAR_DIR")
                .map_or_else(|| PathBuf::from("var"), PathBuf::from),
            public_url: public_url.trim_end_matches('/').to_owned(),
            bind: env
                .var("BIND")
                .unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            smtp_url: env.var("SMTP_URL"),
            mail_from: env
                .var("MAIL_FROM")
                .unwrap_or_else(|| "MINT-Umfragen <umfragen@localhost>".to_owned()),
            suppress_below,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct Fake(HashMap<&'static str, &'static str>);

    impl Environment for Fake {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| (*v).to_owned())
        }
    }

    #[test]
    fn defaults_need_no_configuration() {
        let settings = Settings::from(&Fake(HashMap::new())).unwrap();
        assert_eq!(settings.database_url, None);
        assert_eq!(settings.var_dir, PathBuf::from("var"));
        assert_eq!(settings.public_url, "http://127.0.0.1:8080");
        assert_eq!(settings.suppress_below, 5);
    }

    #[test]
    fn debug_output_masks_passwords() {
        let env = Fake(HashMap::from([
            ("DATABASE_URL", "postgres://u:topsecret@db/x"),
            ("SMTP_URL", "smtp://mailer:hunter2@mail:587"),
        ]));
        let shown = format!("{:?}", Settings::from(&env).unwrap());
        assert!(
            !shown.contains("topsecret") && !shown.contains("hunter2"),
            "{shown}"
        );
    }

    #[test]
    fn invalid_values_are_named_with_the_reason() {
        let env = Fake(HashMap::from([("SUPPRESS_BELOW", "zero")]));
        let error = Settings::from(&env).unwrap_err().to_string();
        assert_eq!(
            error,
            "SUPPRESS_BELOW is set to zero, which is not valid: expected a whole number of at least 1"
        );
        let env = Fake(HashMap::from([("DATABASE_URL", "mysql://u:pw@h/db")]));
        let error = Settings::from(&env).unwrap_err().to_string();
        assert!(
            error.contains("DATABASE_URL") && !error.contains("pw@"),
            "{error}"
        );
    }
}
