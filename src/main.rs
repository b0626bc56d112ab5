//! The `mint-survey` command line: parses arguments and calls into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mint_survey::commands;
use mint_survey::config::Settings;

/// Survey platform of the MINT-Regionen: survey definitions, waves, personal links, per-Land reports.
#[derive(Debug, Parser)]
#[command(name = "mint-survey", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Everything with demo data and zero configuration, then serves the application.
    Demo {
        /// Prepare the demo data and stop, without serving (for scripts).
        #[arg(long)]
        no_serve: bool,
    },
    /// The web application.
    Serve {
        /// Listen address (default: BIND, or 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply pending database migrations.
    Migrate,
    /// The private PostgreSQL cluster used when DATABASE_URL is not set.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Survey definition files.
    Survey {
        #[command(subcommand)]
        command: SurveyCommand,
    },
    /// Survey waves.
    Wave {
        #[command(subcommand)]
        command: WaveCommand,
    },
    /// The participants of a wave.
    Participants {
        #[command(subcommand)]
        command: ParticipantsCommand,
    },
    /// Send the invitations of a wave (each participant gets one, however often this runs).
    Invite {
        #[command(flatten)]
        mailing: MailingArgs,
    },
    /// Send reminders to those who have not answered, within the wave's reminder policy.
    Remind {
        #[command(flatten)]
        mailing: MailingArgs,
    },
    /// Write the per-Land report of a wave.
    Report {
        /// The wave's slug.
        #[arg(long)]
        wave: String,
        /// Output folder (default reports/WAVE).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Compare with this wave (e.g. herbst-2020 against fruehjahr-2020).
        #[arg(long)]
        compare: Option<String>,
        /// Also write responses.csv: one row per response, no names or emails (admins only),
        /// with responses.sps and responses.R.
        #[arg(long)]
        include_raw: bool,
        /// Add the trend over every earlier wave that asked the same questions (trend.csv, a
        /// section in index.html and report.pdf).
        #[arg(long)]
        trend: bool,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, clap::Args)]
struct MailingArgs {
    /// The wave's slug.
    #[arg(long)]
    wave: String,
    /// Show what would be sent; send and store nothing.
    #[arg(long)]
    dry_run: bool,
    /// Send without asking (needed when not run on a terminal).
    #[arg(long)]
    yes: bool,
    /// At most this many mails per second (default: MAIL_RATE, else no limit).
    #[arg(long)]
    rate: Option<f64>,
    /// SMTP connections at once, 1–64 (default: MAIL_CONNECTIONS, else 8).
    #[arg(long)]
    connections: Option<u32>,
}

/// A wave's settings; each left out keeps its value (or the copied wave's, or the default).
#[derive(Debug, Clone, clap::Args)]
struct WaveSettingsArgs {
    /// Opens by itself at this date (2020-04-23 or 23.04.2020, optionally with a time, Europe/Berlin).
    #[arg(long)]
    opens: Option<String>,
    /// Closes at the end of this day (or at the time given).
    #[arg(long)]
    closes: Option<String>,
    /// At most this many reminders per participant (default 2).
    #[arg(long)]
    reminders: Option<i32>,
    /// At least this many days between two mails to a participant (default 7).
    #[arg(long)]
    reminder_days: Option<i32>,
    /// Smallest group shown in reports (default SUPPRESS_BELOW, else 5).
    #[arg(long)]
    suppress_below: Option<i32>,
    /// Keep the answers until this date, promised as {{ loeschung }} in survey texts (default: 24
    /// months after the last day; "" for the default again).
    #[arg(long)]
    keep_answers_until: Option<String>,
    /// Subject of the invitation (placeholders like {{ wave }} allowed).
    #[arg(long)]
    invitation_subject: Option<String>,
    /// File with the plain text of the invitation.
    #[arg(long)]
    invitation_text: Option<PathBuf>,
    /// Subject of reminders.
    #[arg(long)]
    reminder_subject: Option<String>,
    /// File with the plain text of reminders.
    #[arg(long)]
    reminder_text: Option<PathBuf>,
}

impl WaveSettingsArgs {
    /// The settings, with the mail texts read from their files.
    fn read(self) -> anyhow::Result<mint_survey::app::waves::WaveSettings> {
        let files = commands::waves::TextFiles {
            invitation: self.invitation_text,
            reminder: self.reminder_text,
        };
        files.read_into(mint_survey::app::waves::WaveSettings {
            opens: self.opens,
            closes: self.closes,
            reminders: self.reminders,
            reminder_days: self.reminder_days,
            suppress_below: self.suppress_below,
            keep_answers_until: self.keep_answers_until,
            invitation_subject: self.invitation_subject,
            reminder_subject: self.reminder_subject,
            ..Default::default()
        })
    }
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Where the data is, and whether the private cluster is running.
    Status,
    /// Stop the private cluster.
    Stop,
}

#[derive(Debug, Subcommand)]
enum SurveyCommand {
    /// Validate definition files; store nothing.
    Check {
        /// Definition files (.toml or .json).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Validate and store definition files (an unchanged file stores no new version).
    Load {
        /// Definition files (.toml or .json).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the stored surveys.
    List,
}

#[derive(Debug, Subcommand)]
enum WaveCommand {
    /// Create a wave from a survey's current version; prints its slug.
    Create {
        /// The survey's id.
        #[arg(long)]
        survey: String,
        /// The wave's title (the slug is made from it).
        #[arg(long)]
        title: String,
        /// Copy settings, mail texts and participants (with new links) from this wave.
        #[arg(long)]
        copy_from: Option<String>,
        #[command(flatten)]
        settings: WaveSettingsArgs,
    },
    /// Change a wave's dates, reminder policy, threshold or mail texts.
    Set {
        /// The wave's slug.
        wave: String,
        #[command(flatten)]
        settings: WaveSettingsArgs,
    },
    /// Open a wave now.
    Open {
        /// The wave's slug.
        wave: String,
    },
    /// Close a wave now.
    Close {
        /// The wave's slug.
        wave: String,
    },
    /// List the waves.
    List,
    /// Drop names and emails after the field period; answers stay.
    PurgeContacts {
        /// The wave's slug.
        wave: String,
    },
    /// Print the wave's test link: the real questionnaire, whose answers never count.
    TestLink {
        /// The wave's slug.
        wave: String,
    },
    /// Let the wave run by itself: `serve` sends invitations when it opens and reminders under its
    /// policy, inside a sending window. Without options: show the schedule and what it sends next.
    Schedule {
        /// The wave's slug.
        wave: String,
        #[command(flatten)]
        schedule: ScheduleArgs,
    },
}

/// A wave's schedule; each left out keeps its value.
#[derive(Debug, Clone, clap::Args)]
struct ScheduleArgs {
    /// Invitations: `auto` (when the wave opens) or `manual`.
    #[arg(long, value_parser = ["auto", "manual"])]
    invitations: Option<String>,
    /// Reminders: `auto` (under the wave's policy) or `manual`.
    #[arg(long, value_parser = ["auto", "manual"])]
    reminders: Option<String>,
    /// A last reminder this many days before the end (0: none).
    #[arg(long)]
    last_reminder_days: Option<i32>,
    /// Send between these hours, Europe/Berlin (default 8-18; 0-24: any time).
    #[arg(long)]
    window: Option<String>,
    /// Send on these weekdays (default mo-fr; mo-so: every day).
    #[arg(long)]
    days: Option<String>,
    /// Pause the schedule: it sends nothing until resumed.
    #[arg(long, conflicts_with = "resume")]
    pause: bool,
    /// Resume a paused schedule.
    #[arg(long)]
    resume: bool,
}

impl ScheduleArgs {
    fn read(self) -> anyhow::Result<mint_survey::app::schedule::ScheduleInput> {
        use mint_survey::schedule::{Weekdays, Window};
        let auto = |value: Option<String>| value.map(|v| v == "auto");
        Ok(mint_survey::app::schedule::ScheduleInput {
            invitations_auto: auto(self.invitations),
            reminders_auto: auto(self.reminders),
            last_reminder_days: self.last_reminder_days,
            hours: self
                .window
                .as_deref()
                .map(Window::parse_hours)
                .transpose()?,
            days: self.days.as_deref().map(Weekdays::parse).transpose()?,
            pause: match (self.pause, self.resume) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
        })
    }
}

#[derive(Debug, Subcommand)]
enum ParticipantsCommand {
    /// Import contacts from a CSV file (all rows or none).
    Import {
        /// The wave's slug.
        #[arg(long)]
        wave: String,
        /// The CSV file (UTF-8, comma or semicolon).
        file: PathBuf,
    },
    /// List a wave's participants with the state of their mails.
    List {
        /// The wave's slug.
        #[arg(long)]
        wave: String,
    },
    /// Every working personal link as CSV (region, land, email, link), for your own mail merge.
    Links {
        /// The wave's slug.
        #[arg(long)]
        wave: String,
    },
    /// Print a participant's personal link.
    Link {
        /// The wave's slug.
        #[arg(long)]
        wave: String,
        /// The participant's address.
        #[arg(long)]
        email: String,
    },
    /// Give a participant a new link (the old one stops working).
    Renew {
        /// The wave's slug.
        #[arg(long)]
        wave: String,
        /// The participant's address.
        #[arg(long)]
        email: String,
    },
    /// Stop a participant's link from working; no more mails to them.
    Revoke {
        /// The wave's slug.
        #[arg(long)]
        wave: String,
        /// The participant's address.
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a staff account.
    Add {
        /// The account's email.
        #[arg(long)]
        email: String,
        /// admin, board or coordinator.
        #[arg(long)]
        role: String,
        /// The coordinator's Land.
        #[arg(long)]
        land: Option<String>,
    },
    /// List the staff accounts.
    List,
    /// Disable an account: it cannot log in, and its sessions end.
    Disable {
        /// The account's email.
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account again.
    Enable {
        /// The account's email.
        #[arg(long)]
        email: String,
    },
    /// Keys for the JSON API (/api/v1/): create, list, revoke.
    #[command(name = "api-key")]
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ApiKeyCommand {
    /// Make a key for an account; it acts with the account's role and is printed once.
    Create {
        /// The account's email.
        #[arg(long)]
        email: String,
        /// What the key is for ("Website", "CRM"); the audit log names it.
        #[arg(long)]
        name: String,
    },
    /// List the keys with their account, role and last use.
    List,
    /// Revoke a key (by the ID that `list` prints); it is refused from the next call on.
    Revoke {
        /// The key's ID.
        id: i64,
    },
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = Cli::parse();
    init_logging();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            if error.downcast_ref::<commands::Unconfirmed>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// `mint-survey participants list | head`: when the reader of the output goes away, stop quietly
/// instead of printing a panic. Rust ignores SIGPIPE, so `println!` panics on the broken pipe;
/// restoring the signal's default needs unsafe code, which this crate forbids, so the panic is
/// recognised here instead (only a failed write to stdout or stderr; every other panic is reported).
fn quiet_on_broken_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to std") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        report(info);
    }));
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(mint_survey::logging::RedactedStderr)
        .init();
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // `survey check` needs no settings and no database.
    if let Command::Survey {
        command: SurveyCommand::Check { files },
    } = &cli.command
    {
        return commands::surveys::check(files);
    }
    let settings = Settings::from_env()?;
    match cli.command {
        Command::Demo { no_serve } => commands::demo::run(&settings, !no_serve),
        Command::Migrate => commands::database::migrate(&settings),
        Command::Db { command } => match command {
            DbCommand::Status => commands::database::status(&settings),
            DbCommand::Stop => commands::database::stop(&settings),
        },
        Command::Survey { command } => {
            let mut conn = commands::open_store(&settings)?;
            match command {
                SurveyCommand::Load { files } => commands::surveys::load(&mut conn, &files),
                SurveyCommand::List => commands::surveys::list(&mut conn),
                SurveyCommand::Check { files } => commands::surveys::check(&files),
            }
        }
        Command::Serve { bind } => commands::serve::run(&settings, bind.as_deref()),
        Command::Wave { command } => {
            let mut conn = commands::open_store(&settings)?;
            run_wave(&mut conn, &settings, command)
        }
        Command::Participants { command } => {
            let mut conn = commands::open_store(&settings)?;
            run_participants(&mut conn, &settings, command)
        }
        Command::Invite { mailing } => run_mailing(&settings, mailing, true),
        Command::Remind { mailing } => run_mailing(&settings, mailing, false),
        Command::Report {
            wave,
            out,
            compare,
            include_raw,
            trend,
        } => {
            let mut conn = commands::open_store(&settings)?;
            let options = mint_survey::app::reports::ReportOptions {
                wave,
                out,
                compare,
                include_raw,
                trend,
            };
            let mut replica = mint_survey::store::establish_report(&settings)?;
            commands::report::run(&mut conn, replica.as_mut(), &options)
        }
        Command::User { command } => {
            let mut conn = commands::open_store(&settings)?;
            match command {
                UserCommand::Add { email, role, land } => {
                    let input = mint_survey::app::accounts::NewAccount { email, role, land };
                    commands::users::add(&mut conn, &settings, &input)
                }
                UserCommand::List => commands::users::list(&mut conn),
                UserCommand::Disable { email } => {
                    commands::users::set_disabled(&mut conn, &email, true)
                }
                UserCommand::Enable { email } => {
                    commands::users::set_disabled(&mut conn, &email, false)
                }
                UserCommand::ApiKey { command } => match command {
                    ApiKeyCommand::Create { email, name } => {
                        commands::users::create_api_key(&mut conn, &email, &name)
                    }
                    ApiKeyCommand::List => commands::users::list_api_keys(&mut conn),
                    ApiKeyCommand::Revoke { id } => commands::users::revoke_api_key(&mut conn, id),
                },
            }
        }
    }
}

fn run_wave(
    conn: &mut diesel::PgConnection,
    settings: &Settings,
    command: WaveCommand,
) -> anyhow::Result<()> {
    use commands::waves;
    match command {
        WaveCommand::Create {
            survey,
            title,
            copy_from,
            settings: options,
        } => {
            let input = mint_survey::app::waves::NewWave {
                survey,
                title,
                copy_from,
                settings: options.read()?,
                open_now: false,
                // Scripts run `wave create` each half year with the same title: `-2` is wanted.
                same_title: true,
            };
            waves::create(conn, settings, &input)?;
        }
        WaveCommand::Set {
            wave,
            settings: options,
        } => waves::set(conn, &wave, &options.read()?)?,
        WaveCommand::Open { wave } => waves::open(conn, &wave)?,
        WaveCommand::Close { wave } => waves::close(conn, &wave)?,
        WaveCommand::List => waves::list(conn, settings)?,
        WaveCommand::PurgeContacts { wave } => waves::purge_contacts(conn, &wave)?,
        WaveCommand::TestLink { wave } => waves::test_link(conn, settings, &wave)?,
        WaveCommand::Schedule { wave, schedule } => waves::schedule(conn, &wave, schedule.read()?)?,
    }
    Ok(())
}

fn run_participants(
    conn: &mut diesel::PgConnection,
    settings: &Settings,
    command: ParticipantsCommand,
) -> anyhow::Result<()> {
    use commands::participants;
    match command {
        ParticipantsCommand::Import { wave, file } => {
            let summary = participants::import(conn, settings, &wave, &file)?;
            println!(
                "Imported {} participants into wave `{wave}` ({} new regions); {} were already in the wave.",
                summary.imported, summary.new_regions, summary.already_there
            );
        }
        ParticipantsCommand::List { wave } => participants::list(conn, &wave)?,
        ParticipantsCommand::Links { wave } => participants::links(conn, settings, &wave)?,
        ParticipantsCommand::Link { wave, email } => {
            participants::link(conn, settings, &wave, &email)?
        }
        ParticipantsCommand::Renew { wave, email } => {
            participants::renew(conn, settings, &wave, &email)?
        }
        ParticipantsCommand::Revoke { wave, email } => {
            participants::revoke(conn, settings, &wave, &email)?
        }
    }
    Ok(())
}

fn run_mailing(settings: &Settings, args: MailingArgs, invitation: bool) -> anyhow::Result<()> {
    let (url, mut conn) = commands::open_store_with_url(settings)?;
    let options = commands::mailing::MailingOptions {
        dry_run: args.dry_run,
        yes: args.yes,
        rate: args.rate,
        connections: args.connections,
    };
    let kind = if invitation {
        mint_survey::mail::templates::MailKind::Invitation
    } else {
        mint_survey::mail::templates::MailKind::Reminder
    };
    commands::mailing::run(&mut conn, &url, settings, &args.wave, kind, &options)
}
