//! Typed settings from the environment (and a `.env` file), validated once at start.
//!
//! Secrets never reach `Debug` output or logs: URLs are shown with their passwords masked.

use std::fmt;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use crate::store::redact_url;
use crate::tokens::{SecretKey, WeakKey};

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
    reason: String,
}

/// Addresses and networks separated by commas or spaces: `127.0.0.1, 10.0.0.0/8, ::1`.
fn networks(text: &str) -> Result<Vec<ipnet::IpNet>, String> {
    text.split([',', ' '])
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let part = part.trim();
            part.parse::<ipnet::IpNet>()
                .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("`{part}` is not an IP address or network (e.g. 10.0.0.0/8)"))
        })
        .collect()
}

/// A PostgreSQL URL from `name`, if set.
fn postgres_url(env: &impl Environment, name: &'static str) -> Result<Option<String>, ConfigError> {
    let url = env.var(name);
    if let Some(url) = &url
        && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
    {
        return Err(ConfigError {
            name,
            shown: redact_url(url),
            reason: "expected a URL starting with postgres:// or postgresql://".into(),
        });
    }
    Ok(url)
}

/// The installation's settings (see the configuration table in README.md).
#[derive(Clone)]
pub struct Settings {
    /// `DATABASE_URL`; `None`: the private cluster in `var/postgres`.
    pub database_url: Option<String>,
    /// `REPORT_DATABASE_URL`: where `report` and the board pages read (a replica); `None`: the
    /// database above.
    pub report_database_url: Option<String>,
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
    /// `SECRET_KEY`; `None`: generated once into `var/secret.key`.
    secret_key: Option<String>,
    /// `SURVEY_CONTACT`: how respondents reach the survey team, shown in every mail.
    pub survey_contact: String,
    /// `MAIL_CONNECTIONS`: SMTP connections used at once when sending (1–64).
    pub mail_connections: u32,
    /// `MAIL_RATE`: at most this many mails per second (providers that throttle); `None`: as fast as possible.
    pub mail_rate: Option<f64>,
    /// `MAIL_RETRY_SECONDS`: wait before the first retry of a mail the server deferred (doubles each time).
    pub mail_retry_seconds: f64,
    /// `PRIVACY_NOTICE_FILE`: plain text shown on /datenschutz instead of the built-in notice.
    pub privacy_notice_file: Option<PathBuf>,
    /// `ACCESSIBILITY_STATEMENT_FILE`: plain text shown on /barrierefreiheit instead of the built-in one.
    pub accessibility_statement_file: Option<PathBuf>,
    /// `TRUSTED_PROXIES`: addresses and networks (CIDR) of the proxies in front of `serve`; only
    /// from those is the client's address taken from `Forwarded` / `X-Forwarded-For`.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `API_RATE_LIMIT`: calls per minute one API key may make (1–1,000,000; default 600).
    pub api_rate_limit: u32,
    /// `DATABASE_CONNECTIONS`: database connections of one `serve` process (1–256); `None`: sized
    /// to the machine ([`Settings::database_connections`]).
    database_connections: Option<u32>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field(
                "database_url",
                &self.database_url.as_deref().map(redact_url),
            )
            .field(
                "report_database_url",
                &self.report_database_url.as_deref().map(redact_url),
            )
            .field("var_dir", &self.var_dir)
            .field("public_url", &self.public_url)
            .field("bind", &self.bind)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("suppress_below", &self.suppress_below)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("survey_contact", &self.survey_contact)
            .field("mail_connections", &self.mail_connections)
            .field("mail_rate", &self.mail_rate)
            .field("mail_retry_seconds", &self.mail_retry_seconds)
            .field("privacy_notice_file", &self.privacy_notice_file)
            .field(
                "accessibility_statement_file",
                &self.accessibility_statement_file,
            )
            .field("trusted_proxies", &self.trusted_proxies)
            .field("api_rate_limit", &self.api_rate_limit)
            .field("database_connections", &self.database_connections)
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
        let database_url = postgres_url(env, "DATABASE_URL")?;
        let report_database_url = postgres_url(env, "REPORT_DATABASE_URL")?;
        let public_url = env
            .var("PUBLIC_URL")
            .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError {
                name: "PUBLIC_URL",
                shown: public_url,
                reason: "expected a URL starting with http:// or https://".into(),
            });
        }
        let suppress_below = number(env, "SUPPRESS_BELOW", 5, 1.0, f64::from(u32::MAX))?;
        let mail_connections = number(env, "MAIL_CONNECTIONS", 8, 1.0, 64.0)?;
        let mail_rate = match env.var("MAIL_RATE") {
            None => None,
            Some(_) => Some(number(env, "MAIL_RATE", 0.0, 0.01, 100_000.0)?),
        };
        let mail_retry_seconds = number(env, "MAIL_RETRY_SECONDS", 30.0, 0.0, 86_400.0)?;
        let api_rate_limit = number(env, "API_RATE_LIMIT", 600, 1.0, 1_000_000.0)?;
        let database_connections = match env.var("DATABASE_CONNECTIONS") {
            None => None,
            Some(_) => Some(number(env, "DATABASE_CONNECTIONS", 0, 1.0, 256.0)?),
        };
        let mail_from = env
            .var("MAIL_FROM")
            .unwrap_or_else(|| "MINT-Umfragen <umfragen@localhost>".to_owned());
        let survey_contact = env
            .var("SURVEY_CONTACT")
            .unwrap_or_else(|| address_of(&mail_from));
        let trusted_proxies = match env.var("TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(text) => networks(&text).map_err(|reason| ConfigError {
                name: "TRUSTED_PROXIES",
                shown: text.clone(),
                reason,
            })?,
        };
        Ok(Settings {
            database_url,
            report_database_url,
            var_dir: env
                .var("VAR_DIR")
                .map_or_else(|| PathBuf::from("var"), PathBuf::from),
            public_url: public_url.trim_end_matches('/').to_owned(),
            bind: env
                .var("BIND")
                .unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            smtp_url: env.var("SMTP_URL"),
            mail_from,
            suppress_below,
            secret_key: env.var("SECRET_KEY"),
            survey_contact,
            mail_connections,
            mail_rate,
            mail_retry_seconds,
            privacy_notice_file: env.var("PRIVACY_NOTICE_FILE").map(PathBuf::from),
            accessibility_statement_file: env
                .var("ACCESSIBILITY_STATEMENT_FILE")
                .map(PathBuf::from),
            trusted_proxies,
            api_rate_limit,
            database_connections,
        })
    }

    /// Database connections of one `serve` process: `DATABASE_CONNECTIONS`, else twice the
    /// processor cores plus two (PostgreSQL's rule of thumb; at least 4, at most 32). More
    /// connections than the machine can run at once only make the requests take turns inside
    /// PostgreSQL: on 2 cores, 6 instead of 16 answered as many questionnaires per second, with a
    /// somewhat lower p99 latency (bench/submit.sh, `DATABASE_CONNECTIONS=16` for the comparison).
    pub fn database_connections(&self) -> u32 {
        self.database_connections.unwrap_or_else(|| {
            u32::try_from(2 * processor_cores() + 2)
                .unwrap_or(u32::MAX)
                .clamp(4, 32)
        })
    }

    /// The secret key: `SECRET_KEY`, or `var/secret.key`, generated on first use (readable by its owner only).
    pub fn secret_key(&self) -> Result<SecretKey, SecretKeyError> {
        if let Some(text) = &self.secret_key {
            return Ok(SecretKey::from_text(text)?);
        }
        let path = self.var_dir.join("secret.key");
        let io = |source| SecretKeyError::Io {
            path: path.clone(),
            source,
        };
        if !path.exists() {
            std::fs::create_dir_all(&self.var_dir).map_err(io)?;
            let generated =
                SecretKey::generate().map_err(|e| SecretKeyError::Random(e.to_string()))?;
            // Write beside it and rename, so a second process never reads a half-written key.
            let partial = self
                .var_dir
                .join(format!("secret.key.{}", std::process::id()));
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&partial)
                .map_err(io)?;
            file.write_all(generated.as_bytes()).map_err(io)?;
            file.sync_all().map_err(io)?;
            // hard_link fails when another process won the race: then its key is the key.
            if std::fs::hard_link(&partial, &path).is_err() && !path.exists() {
                std::fs::rename(&partial, &path).map_err(io)?;
            }
            let _ = std::fs::remove_file(&partial);
        }
        let text = std::fs::read_to_string(&path).map_err(io)?;
        Ok(SecretKey::from_text(&text)?)
    }
}

/// The secret key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum SecretKeyError {
    /// Too short.
    #[error(transparent)]
    Weak(#[from] WeakKey),
    /// `var/secret.key` could not be read or written.
    #[error("cannot use {}: {source}", path.display())]
    Io {
        /// The key file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The operating system gave no random bytes.
    #[error("cannot generate a secret key: {0}")]
    Random(String),
}

/// The address part of `Name <address>` (or the whole text when it has no angle brackets).
pub fn address_of(mailbox: &str) -> String {
    match (mailbox.rfind('<'), mailbox.rfind('>')) {
        (Some(start), Some(end)) if start < end => mailbox[start + 1..end].trim().to_owned(),
        _ => mailbox.trim().to_owned(),
    }
}

/// A numeric setting within `min..=max`, or `default` when unset.
/// The processor cores this process may use (2 when the system does not say): what the server's
/// workers and database connections, and the threads drawing a report's charts, are sized by.
pub fn processor_cores() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
}

fn number<T>(
    env: &impl Environment,
    name: &'static str,
    default: T,
    min: f64,
    max: f64,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + Into<f64> + Copy,
{
    let Some(text) = env.var(name) else {
        return Ok(default);
    };
    text.trim()
        .parse::<T>()
        .ok()
        .filter(|n| (min..=max).contains(&(*n).into()))
        .ok_or(ConfigError {
            name,
            shown: text,
            reason: if default.into().fract() == 0.0 && min.fract() == 0.0 {
                format!("expected a whole number from {min} to {max}")
            } else {
                format!("expected a number from {min} to {max}")
            },
        })
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
            ("REPORT_DATABASE_URL", "postgres://r:replicapw@replica/x"),
        ]));
        let shown = format!("{:?}", Settings::from(&env).unwrap());
        assert!(
            !shown.contains("topsecret")
                && !shown.contains("hunter2")
                && !shown.contains("replicapw"),
            "{shown}"
        );
    }

    #[test]
    fn invalid_values_are_named_with_the_reason() {
        let env = Fake(HashMap::from([("SUPPRESS_BELOW", "zero")]));
        let error = Settings::from(&env).unwrap_err().to_string();
        assert_eq!(
            error,
            "SUPPRESS_BELOW is set to zero, which is not valid: expected a whole number from 1 to 4294967295"
        );
        let env = Fake(HashMap::from([("DATABASE_URL", "mysql://u:pw@h/db")]));
        let error = Settings::from(&env).unwrap_err().to_string();
        assert!(
            error.contains("DATABASE_URL") && !error.contains("pw@"),
            "{error}"
        );
        let env = Fake(HashMap::from([("REPORT_DATABASE_URL", "replica.example")]));
        let error = Settings::from(&env).unwrap_err().to_string();
        assert!(
            error.starts_with("REPORT_DATABASE_URL is set to"),
            "{error}"
        );
    }

    #[test]
    fn database_connections_follow_the_machine_unless_set() {
        let sized = Settings::from(&Fake(HashMap::new()))
            .unwrap()
            .database_connections();
        assert_eq!(
            usize::try_from(sized).unwrap(),
            (2 * processor_cores() + 2).clamp(4, 32)
        );
        let env = Fake(HashMap::from([("DATABASE_CONNECTIONS", "3")]));
        assert_eq!(Settings::from(&env).unwrap().database_connections(), 3);
        let env = Fake(HashMap::from([("DATABASE_CONNECTIONS", "0")]));
        let error = Settings::from(&env).unwrap_err().to_string();
        assert_eq!(
            error,
            "DATABASE_CONNECTIONS is set to 0, which is not valid: expected a whole number from 1 to 256"
        );
    }

    #[test]
    fn trusted_proxies_are_addresses_and_networks() {
        let env = Fake(HashMap::from([(
            "TRUSTED_PROXIES",
            "127.0.0.1, 10.0.0.0/8 ::1",
        )]));
        let proxies = Settings::from(&env).unwrap().trusted_proxies;
        let shown: Vec<String> = proxies.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
        let env = Fake(HashMap::from([(
            "TRUSTED_PROXIES",
            "10.0.0.0/8, proxy.local",
        )]));
        let error = Settings::from(&env).unwrap_err().to_string();
        assert!(
            error.contains("`proxy.local` is not an IP address"),
            "{error}"
        );
    }
}
