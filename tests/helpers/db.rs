//! Test databases on real PostgreSQL.
//!
//! Without `DATABASE_URL` the harness runs the private cluster under `target/tmp/postgres` with
//! fsync off (the same code `mint-survey` uses for `var/postgres`). With `DATABASE_URL` it uses
//! that server, which must allow `CREATE DATABASE`. Once per migration set it builds a template
//! database (named by a hash of `migrations/`, built under an advisory lock and renamed into place
//! when complete); every test then gets `CREATE DATABASE … TEMPLATE …`, dropped when it ends.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mint_survey::store::{self, cluster};
use sha2::{Digest, Sha256};

/// Advisory lock key that serialises template builds across test processes.
const TEMPLATE_LOCK: i64 = 0x6d69_6e74_5f74_706c;

struct Server {
    /// URL of the server's `postgres` database, for creating and dropping databases.
    admin_url: String,
    template: String,
}

static SERVER: OnceLock<Server> = OnceLock::new();
static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Where test clusters and scratch folders go: `target/tmp`.
///
/// As root the server runs as `postgres`, which must be able to enter every folder above its data;
/// where the project lies somewhere it cannot (e.g. under `/root`), a folder under /tmp is used.
pub fn scratch_dir() -> PathBuf {
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let enterable = target
        .ancestors()
        .all(|dir| std::fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o001 != 0));
    if enterable {
        return target;
    }
    let digest = Sha256::digest(target.as_os_str().as_encoded_bytes());
    let dir =
        std::env::temp_dir().join(format!("mint-survey-tests-{}", &hex::encode(digest)[..12]));
    std::fs::create_dir_all(&dir).expect("create the scratch folder under /tmp");
    dir
}

/// A unique name for a scratch folder or database of this process.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn server() -> &'static Server {
    SERVER.get_or_init(|| {
        let admin_url = match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => with_database(&url, "postgres"),
            _ => {
                let options = cluster::ClusterOptions {
                    durable: false,
                    max_connections: 300,
                };
                let cluster = cluster::Cluster::ensure_running(&scratch_dir(), options)
                    .expect("start the test cluster under target/tmp");
                cluster.database_url("postgres")
            }
        };
        let template = build_template(&admin_url);
        Server {
            admin_url,
            template,
        }
    })
}

/// The same server URL with another database name.
pub fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let path_start = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(path_start);
    let query = path.find('?').map_or("", |i| &path[i..]);
    format!("{scheme}://{authority}/{name}{query}")
}

fn migrations_hash() -> String {
    let mut files: Vec<PathBuf> = Vec::new();
    collect_files(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")),
        &mut files,
    );
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&file).expect("read a migration"));
    }
    hex::encode(hasher.finalize())[..12].to_owned()
}

fn collect_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read migrations/").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, into);
        } else {
            into.push(path);
        }
    }
}

fn build_template(admin_url: &str) -> String {
    let name = format!("mint_template_{}", migrations_hash());
    let mut admin = store::establish(admin_url).expect("connect to the test server");
    diesel::sql_query(format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
        .execute(&mut admin)
        .expect("lock");
    if !store::database_exists(&mut admin, &name).expect("query pg_database") {
        let building = format!("{name}_building");
        execute(
            &mut admin,
            &format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
        );
        execute(&mut admin, &format!("CREATE DATABASE {building}"));
        {
            let mut conn = store::establish(&with_database(admin_url, &building))
                .expect("connect to the template");
            store::run_migrations(&mut conn).expect("migrate the template");
        }
        execute(
            &mut admin,
            &format!("ALTER DATABASE {building} RENAME TO {name}"),
        );
    }
    diesel::sql_query(format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
        .execute(&mut admin)
        .expect("unlock");
    name
}

/// Runs one statement (CREATE/DROP DATABASE cannot share a transaction with another).
#[track_caller]
fn execute(conn: &mut PgConnection, sql: &str) {
    if let Err(error) = conn.batch_execute(sql) {
        panic!("{sql}: {error}");
    }
}

/// A database of its own for one test, dropped when the test ends.
pub struct TestDb {
    /// Its URL.
    pub url: String,
    /// A `VAR_DIR` of its own (secret key, mail outbox), so tests never share links or mails.
    pub var_dir: PathBuf,
    name: String,
    /// The server's `postgres` database, to drop this one when the test ends.
    admin_url: String,
}

impl TestDb {
    /// A fresh, migrated database (a copy of the template).
    pub fn new() -> TestDb {
        Self::create(Some(&server().template))
    }

    /// A fresh, empty database without any migration applied.
    pub fn empty() -> TestDb {
        Self::create(None)
    }

    fn create(template: Option<&str>) -> TestDb {
        let server = server();
        let name = unique("mint_test");
        let template = template.map_or(String::new(), |t| format!(" TEMPLATE {t}"));
        let mut admin = store::establish(&server.admin_url).expect("connect to the test server");
        execute(
            &mut admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        execute(&mut admin, &format!("CREATE DATABASE {name}{template}"));
        let var_dir = scratch_dir().join(format!("var_{name}"));
        TestDb {
            url: with_database(&server.admin_url, &name),
            var_dir,
            name,
            admin_url: server.admin_url.clone(),
        }
    }

    /// A copy of this database as it is now, read-only like a hot standby (a stand-in for a
    /// replica in `REPORT_DATABASE_URL`). Nobody may be connected to this one meanwhile.
    pub fn read_only_copy(&self) -> TestDb {
        let name = unique("mint_copy");
        let mut admin = store::establish(&self.admin_url).expect("connect to the test server");
        execute(
            &mut admin,
            &format!("CREATE DATABASE {name} TEMPLATE {}", self.name),
        );
        execute(
            &mut admin,
            &format!("ALTER DATABASE {name} SET default_transaction_read_only = on"),
        );
        TestDb {
            url: with_database(&self.admin_url, &name),
            var_dir: self.var_dir.clone(),
            name,
            admin_url: self.admin_url.clone(),
        }
    }

    /// A new connection to this database.
    pub fn conn(&self) -> PgConnection {
        store::establish(&self.url).expect("connect to the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = store::establish(&self.admin_url) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A PostgreSQL cluster of one test's own, for a test that stops and starts the server (the shared
/// cluster serves every other test meanwhile); stopped and removed when dropped.
pub struct PrivateCluster {
    /// The running cluster.
    pub cluster: cluster::Cluster,
    var_dir: PathBuf,
}

impl PrivateCluster {
    /// Initialises and starts a cluster under the scratch folder, with one migrated database.
    pub fn start() -> (PrivateCluster, TestDb) {
        let var_dir = scratch_dir().join(unique("cluster"));
        let cluster = cluster::Cluster::ensure_running(&var_dir, Self::OPTIONS)
            .expect("start a private cluster");
        let admin_url = cluster.database_url("postgres");
        let name = "mint_private".to_owned();
        let mut admin = store::establish(&admin_url).expect("connect to the private cluster");
        execute(&mut admin, &format!("CREATE DATABASE {name}"));
        let url = cluster.database_url(&name);
        store::run_migrations(&mut store::establish(&url).expect("connect"))
            .expect("migrate the database");
        let db = TestDb {
            url,
            var_dir: var_dir.join("var"),
            name,
            admin_url,
        };
        (PrivateCluster { cluster, var_dir }, db)
    }

    const OPTIONS: cluster::ClusterOptions = cluster::ClusterOptions {
        durable: false,
        max_connections: 50,
    };

    /// Stops the server (fast shutdown: sessions are ended, committed data is safe).
    pub fn stop(&self) {
        self.cluster.stop().expect("stop the private cluster");
    }

    /// Starts the server again; returns once it accepts connections.
    pub fn start_again(&self) {
        cluster::Cluster::ensure_running(&self.var_dir, Self::OPTIONS)
            .expect("start the private cluster again");
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = self.cluster.stop();
        let _ = std::fs::remove_dir_all(&self.var_dir);
    }
}
