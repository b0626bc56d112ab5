//! Running the real `mint-survey` binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::db::TestDb;

/// What a run of the binary printed and how it ended.
#[derive(Debug)]
pub struct Run {
    /// Exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Asserts exit code 0 and returns stdout.
    #[track_caller]
    pub fn success(&self) -> &str {
        assert_eq!(self.code, Some(0), "expected success, got {self:#?}");
        &self.stdout
    }

    /// Asserts a non-zero exit code (and no panic) and returns stderr.
    #[track_caller]
    pub fn failure(&self) -> &str {
        assert_ne!(self.code, Some(0), "expected failure, got {self:#?}");
        assert!(self.code.is_some(), "killed: {self:#?}");
        assert!(!self.stderr.contains("panicked"), "panic: {}", self.stderr);
        &self.stderr
    }
}

/// The project folder: the binary runs there, so `surveys/...` paths work as in the README.
pub fn project_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A `mint-survey` command with a clean environment: no DATABASE_URL, no `.env` settings.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mint-survey"));
    command
        .args(args)
        .current_dir(project_dir())
        .env_remove("DATABASE_URL")
        .env_remove("SMTP_URL")
        .env("RUST_LOG", "warn");
    command
}

/// Runs a command to the end.
pub fn run(mut command: Command) -> Run {
    let output = command.output().expect("run mint-survey");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `mint-survey ARGS` against a test database, with the database's own `VAR_DIR`.
pub fn mint(db: &TestDb, args: &[&str]) -> Run {
    mint_env(db, args, &[])
}

/// Like [`mint`], with further environment variables (`SMTP_URL`, …).
pub fn mint_env(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> Run {
    run(db_command(db, args, env))
}

/// The command [`mint_env`] runs, to spawn it instead.
pub fn db_command(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = command(args);
    command
        .env("DATABASE_URL", &db.url)
        .env("VAR_DIR", &db.var_dir);
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

/// Runs `mint-survey ARGS` that must not need a database at all.
pub fn mint_offline(args: &[&str]) -> Run {
    let mut command = command(args);
    command
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env("VAR_DIR", scratch_var());
    run(command)
}

fn scratch_var() -> PathBuf {
    super::db::scratch_dir().join("var-unused")
}

/// Writes a scratch file for a test and returns its path.
pub fn scratch_file(name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let dir = super::db::scratch_dir().join(super::db::unique("files"));
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write a scratch file");
    path
}
