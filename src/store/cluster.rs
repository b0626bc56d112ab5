//! The private PostgreSQL cluster: used when no `DATABASE_URL` is configured.
//!
//! `var/postgres` is initialised on first use and started listening on a Unix socket only (no TCP
//! port). Initialisation happens in a temporary folder that is renamed into place when `initdb` has
//! finished, so an interrupted first start leaves nothing half-initialised. A file lock serialises
//! processes: the second `mint-survey` finds the running server and reuses it. PostgreSQL refuses
//! to run as root, so as root the server runs as the `postgres` system user.
//!
//! The server keeps running when the command that started it ends; `mint-survey db stop` stops it.

use std::fs::{self, File};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Unix socket paths longer than this do not fit in `sockaddr_un` (107 bytes plus the file name).
const MAX_SOCKET_DIR_LEN: usize = 90;
const SERVER_BINARIES: [&str; 3] = ["initdb", "pg_ctl", "postgres"];

/// Why the private cluster could not be brought up.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No PostgreSQL server binaries on this machine.
    #[error(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) were found on PATH or under /usr/lib/postgresql/*/bin. \
         Install PostgreSQL (Debian/Ubuntu: `apt-get install postgresql`) or set DATABASE_URL to an existing database"
    )]
    NoServerBinaries,
    /// Running as root, but there is no `postgres` user to run the server as.
    #[error(
        "PostgreSQL refuses to run as root and there is no `postgres` system user to run it as. \
         Create one (`useradd --system postgres`), run mint-survey as another user, or set DATABASE_URL"
    )]
    NoPostgresUser,
    /// A folder above the cluster cannot be entered by the user the server runs as.
    #[error(
        "the PostgreSQL server runs as the `postgres` user, which cannot enter {0}. \
         Allow it (`chmod o+x {0}`), move the project elsewhere, or set DATABASE_URL"
    )]
    NotTraversable(PathBuf),
    /// A folder is in the way where the data folder belongs.
    #[error("{0} exists but is not a PostgreSQL data folder; move it away or set DATABASE_URL")]
    NotADataDir(PathBuf),
    /// A PostgreSQL program failed.
    #[error("`{program}` failed: {detail}")]
    Command {
        /// The program and its first argument.
        program: String,
        /// What it printed (last lines).
        detail: String,
    },
    /// A file operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// To which path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

fn io<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> ClusterError + 'a {
    move |source| ClusterError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

/// How the private cluster is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusterOptions {
    /// `false` for throw-away test clusters: no fsync, no synchronous commit.
    pub durable: bool,
    /// Largest number of connections the server accepts.
    pub max_connections: u32,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            durable: true,
            max_connections: 100,
        }
    }
}

/// A running private cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    data_dir: PathBuf,
    socket_dir: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<(u32, u32)>,
}

impl Cluster {
    /// Initialises (on first use) and starts the cluster in `<var_dir>/postgres`, or finds it running.
    pub fn ensure_running(
        var_dir: &Path,
        options: ClusterOptions,
    ) -> Result<Cluster, ClusterError> {
        let bin_dir = find_server_binaries(
            &std::env::var_os("PATH").unwrap_or_default(),
            Path::new("/usr/lib/postgresql"),
        )?;
        fs::create_dir_all(var_dir).map_err(io("cannot create", var_dir))?;
        let var_dir = var_dir
            .canonicalize()
            .map_err(io("cannot resolve", var_dir))?;
        let run_as = if is_root() {
            Some(postgres_user()?)
        } else {
            None
        };
        if run_as.is_some() {
            check_traversable(&var_dir)?;
        }
        let data_dir = var_dir.join("postgres");
        let lock_path = var_dir.join("postgres.lock");
        let lock = File::create(&lock_path).map_err(io("cannot create", &lock_path))?;
        lock.lock().map_err(io("cannot lock", &lock_path))?;
        let cluster = Cluster {
            socket_dir: socket_dir_for(&data_dir),
            data_dir,
            bin_dir,
            run_as,
        };
        if !cluster.data_dir.join("PG_VERSION").exists() {
            cluster.initialise(&var_dir, options)?;
        }
        if !cluster.is_running()? {
            cluster.start(options)?;
        }
        drop(lock);
        Ok(cluster)
    }

    /// The cluster in `<var_dir>/postgres` if it has been initialised (it may or may not be running).
    pub fn existing(var_dir: &Path) -> Result<Option<Cluster>, ClusterError> {
        if !var_dir.join("postgres").join("PG_VERSION").exists() {
            return Ok(None);
        }
        let data_dir = var_dir
            .canonicalize()
            .map_err(io("cannot resolve", var_dir))?
            .join("postgres");
        let bin_dir = find_server_binaries(
            &std::env::var_os("PATH").unwrap_or_default(),
            Path::new("/usr/lib/postgresql"),
        )?;
        let run_as = if is_root() {
            Some(postgres_user()?)
        } else {
            None
        };
        Ok(Some(Cluster {
            socket_dir: socket_dir_for(&data_dir),
            data_dir,
            bin_dir,
            run_as,
        }))
    }

    /// A libpq URL for database `name` of this cluster, over its Unix socket.
    pub fn database_url(&self, name: &str) -> String {
        format!(
            "postgres://postgres@/{name}?host={}",
            percent_encode(&self.socket_dir.to_string_lossy())
        )
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Whether a server is running on the data folder.
    pub fn is_running(&self) -> Result<bool, ClusterError> {
        let output = self.pg_ctl(&["status"])?;
        // pg_ctl status: 0 running, 3 not running, 4 no accessible data folder.
        Ok(output.status.success())
    }

    /// Stops the server (fast shutdown: open sessions are ended, committed data is safe).
    pub fn stop(&self) -> Result<(), ClusterError> {
        if self.is_running()? {
            let output = self.pg_ctl(&["stop", "-m", "fast", "-w"])?;
            check_output("pg_ctl stop", &output)?;
        }
        Ok(())
    }

    fn initialise(&self, var_dir: &Path, options: ClusterOptions) -> Result<(), ClusterError> {
        if self.data_dir.exists() {
            let empty = fs::read_dir(&self.data_dir)
                .map_err(io("cannot read", &self.data_dir))?
                .next()
                .is_none();
            if !empty {
                return Err(ClusterError::NotADataDir(self.data_dir.clone()));
            }
            fs::remove_dir(&self.data_dir).map_err(io("cannot remove", &self.data_dir))?;
        }
        remove_leftovers(var_dir)?;
        let staging = var_dir.join(format!("postgres.init-{}", std::process::id()));
        self.private_dir(&staging)?;
        let mut initdb = Command::new(self.bin_dir.join("initdb"));
        initdb
            .arg("--pgdata")
            .arg(&staging)
            .args(["--username=postgres", "--auth=trust", "--encoding=UTF8"])
            .args(["--locale=C.UTF-8", "--no-instructions"]);
        if !options.durable {
            initdb.arg("--no-sync");
        }
        let output = self.run(initdb)?;
        check_output("initdb", &output)?;
        fs::rename(&staging, &self.data_dir).map_err(io("cannot rename", &staging))?;
        tracing::info!(data_dir = %self.data_dir.display(), "initialised the private PostgreSQL cluster");
        Ok(())
    }

    fn start(&self, options: ClusterOptions) -> Result<(), ClusterError> {
        self.private_dir(&self.socket_dir)?;
        let mut server_options = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c max_connections={}",
            self.socket_dir.display(),
            options.max_connections
        );
        if !options.durable {
            server_options
                .push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        let log = self.data_dir.join("server.log");
        let log = log.to_string_lossy();
        let output =
            self.pg_ctl(&["start", "-w", "-t", "60", "-l", &log, "-o", &server_options])?;
        check_output("pg_ctl start", &output).map_err(|error| match error {
            ClusterError::Command { program, detail } => ClusterError::Command {
                program,
                detail: format!("{detail} (server log: {log})"),
            },
            other => other,
        })?;
        tracing::info!(data_dir = %self.data_dir.display(), "started the private PostgreSQL cluster");
        Ok(())
    }

    fn pg_ctl(&self, args: &[&str]) -> Result<Output, ClusterError> {
        let mut command = Command::new(self.bin_dir.join("pg_ctl"));
        command.arg("-D").arg(&self.data_dir).args(args);
        self.run(command)
    }

    /// Runs a PostgreSQL program, as the `postgres` user where we are root.
    fn run(&self, mut command: Command) -> Result<Output, ClusterError> {
        if let Some((uid, gid)) = self.run_as {
            command.uid(uid).gid(gid);
        }
        if let Some(parent) = self.data_dir.parent() {
            command.current_dir(parent);
        }
        let program = command.get_program().to_string_lossy().into_owned();
        command.output().map_err(|source| ClusterError::Io {
            action: "cannot run",
            path: PathBuf::from(program),
            source,
        })
    }

    /// Creates a folder only the server's user may enter.
    fn private_dir(&self, dir: &Path) -> Result<(), ClusterError> {
        fs::create_dir_all(dir).map_err(io("cannot create", dir))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(io("cannot set permissions of", dir))?;
        if let Some((uid, gid)) = self.run_as {
            std::os::unix::fs::chown(dir, Some(uid), Some(gid))
                .map_err(io("cannot change the owner of", dir))?;
        }
        Ok(())
    }
}

/// The folder holding the server binaries: `/usr/lib/postgresql/<newest>/bin`, else where `pg_ctl` is on PATH.
pub fn find_server_binaries(
    path_env: &std::ffi::OsStr,
    versions_root: &Path,
) -> Result<PathBuf, ClusterError> {
    let has_all = |dir: &Path| SERVER_BINARIES.iter().all(|b| dir.join(b).is_file());
    let mut versioned: Vec<(u32, PathBuf)> = fs::read_dir(versions_root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_all(bin))
        .collect();
    versioned.sort();
    if let Some((_, bin)) = versioned.pop() {
        return Ok(bin);
    }
    std::env::split_paths(path_env)
        .filter_map(|dir| dir.join("pg_ctl").canonicalize().ok())
        .filter_map(|pg_ctl| pg_ctl.parent().map(Path::to_path_buf))
        .find(|dir| has_all(dir))
        .ok_or(ClusterError::NoServerBinaries)
}

/// Where the server's socket goes: the data folder, or a folder under /tmp when that path is too long.
fn socket_dir_for(data_dir: &Path) -> PathBuf {
    if data_dir.as_os_str().len() <= MAX_SOCKET_DIR_LEN {
        return data_dir.to_path_buf();
    }
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
    std::env::temp_dir().join(format!("mint-survey-{}", &hex::encode(digest)[..16]))
}

fn remove_leftovers(var_dir: &Path) -> Result<(), ClusterError> {
    for entry in fs::read_dir(var_dir)
        .map_err(io("cannot read", var_dir))?
        .flatten()
    {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("postgres.init-")
        {
            let path = entry.path();
            tracing::warn!(path = %path.display(), "removing an interrupted initialisation");
            fs::remove_dir_all(&path).map_err(io("cannot remove", &path))?;
        }
    }
    Ok(())
}

/// Whether this process runs as root (effective uid 0), read from `/proc/self/status`.
fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let uids = status
                .lines()
                .find_map(|l| l.strip_prefix("Uid:"))?
                .to_owned();
            uids.split_whitespace().nth(1).map(|euid| euid == "0")
        })
        .unwrap_or(false)
}

/// The uid and gid of the `postgres` system user, from /etc/passwd.
fn postgres_user() -> Result<(u32, u32), ClusterError> {
    let passwd =
        fs::read_to_string("/etc/passwd").map_err(io("cannot read", Path::new("/etc/passwd")))?;
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.first() == Some(&"postgres"))
        .and_then(|fields| Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?)))
        .ok_or(ClusterError::NoPostgresUser)
}

/// Every folder from `/` down to `dir` must be enterable by a user who owns none of them.
fn check_traversable(dir: &Path) -> Result<(), ClusterError> {
    for ancestor in dir.ancestors() {
        let meta = fs::metadata(ancestor).map_err(io("cannot read", ancestor))?;
        if meta.mode() & 0o001 == 0 {
            return Err(ClusterError::NotTraversable(ancestor.to_path_buf()));
        }
    }
    Ok(())
}

fn check_output(program: &str, output: &Output) -> Result<(), ClusterError> {
    if output.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text
        .lines()
        .chain(stdout.lines())
        .filter(|l| !l.trim().is_empty())
        .collect();
    let detail = lines[lines.len().saturating_sub(4)..].join(" / ");
    Err(ClusterError::Command {
        program: program.to_owned(),
        detail: if detail.is_empty() {
            output.status.to_string()
        } else {
            detail
        },
    })
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_server_binaries_say_how_to_install_postgresql() {
        let empty = std::env::temp_dir().join(format!("mint-no-pg-{}", std::process::id()));
        fs::create_dir_all(&empty).unwrap();
        let error = find_server_binaries(empty.as_os_str(), &empty).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("apt-get install postgresql"), "{message}");
        assert!(message.contains("DATABASE_URL"), "{message}");
        fs::remove_dir_all(&empty).unwrap();
    }

    #[test]
    fn long_data_paths_get_a_short_socket_folder() {
        let short = Path::new("/work/main/var/postgres");
        assert_eq!(socket_dir_for(short), short);
        let long = PathBuf::from(format!("/{}/var/postgres", "x".repeat(120)));
        let socket = socket_dir_for(&long);
        assert!(
            socket.as_os_str().len() < MAX_SOCKET_DIR_LEN,
            "{}",
            socket.display()
        );
        assert_eq!(
            socket,
            socket_dir_for(&long),
            "the same data folder always gets the same socket folder"
        );
    }

    #[test]
    fn socket_folders_are_percent_encoded_in_urls() {
        assert_eq!(percent_encode("/a b/c%d"), "/a%20b/c%25d");
    }
}
