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
    /// Everything with demo data and zero configuration.
    Demo,
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
    /// Send the invitations of a wave.
    Invite {
        /// The wave's slug.
        #[arg(long)]
        wave: String,
        /// Show what would be sent, send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Send reminders to those who have not answered.
    Remind {
        /// The wave's slug.
        #[arg(long)]
        wave: String,
        /// Show what would be sent, send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the per-Land report of a wave.
    Report {
        /// The wave's slug.
        #[arg(long)]
        wave: String,
        /// Output folder (default reports/WAVE).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Compare with this earlier wave.
        #[arg(long)]
        compare: Option<String>,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
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
    /// Create a wave from a survey's current version.
    Create {
        /// The survey's id.
        #[arg(long)]
        survey: String,
        /// The wave's title.
        #[arg(long)]
        title: String,
        /// Opening date.
        #[arg(long)]
        opens: Option<String>,
        /// Closing date.
        #[arg(long)]
        closes: Option<String>,
        /// Copy settings, mail texts and participants from this wave.
        #[arg(long)]
        copy_from: Option<String>,
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
}

#[derive(Debug, Subcommand)]
enum ParticipantsCommand {
    /// Import contacts from a CSV file.
    Import {
        /// The wave's slug.
        #[arg(long)]
        wave: String,
        /// The CSV file.
        file: PathBuf,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
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
        Command::Demo => commands::demo::run(&settings),
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
        Command::Serve { .. } => not_yet("serve"),
        Command::Wave { .. } => not_yet("wave"),
        Command::Participants { .. } => not_yet("participants"),
        Command::Invite { .. } => not_yet("invite"),
        Command::Remind { .. } => not_yet("remind"),
        Command::Report { .. } => not_yet("report"),
        Command::User { .. } => not_yet("user"),
    }
}

fn not_yet(command: &str) -> anyhow::Result<()> {
    anyhow::bail!("`mint-survey {command}` is not yet available in this version")
}
