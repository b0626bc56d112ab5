//! The private cluster, as a newcomer meets it: no DATABASE_URL, a fresh `VAR_DIR`.
//!
//! These tests run their own cluster (not the harness's) because they test its start-up.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::helpers::cli::{command, run};
use crate::helpers::db::{scratch_dir, unique};

fn mint_in(var_dir: &Path, args: &[&str]) -> crate::helpers::cli::Run {
    let mut command = command(args);
    command.env("VAR_DIR", var_dir);
    run(command)
}

fn postmaster_pid(var_dir: &Path) -> String {
    let pid_file = std::fs::read_to_string(var_dir.join("postgres/postmaster.pid")).unwrap();
    pid_file.lines().next().unwrap().to_owned()
}

/// Stops the test's cluster even when an assertion fails.
struct StopOnDrop<'a>(&'a Path);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        let _ = mint_in(self.0, &["db", "stop"]);
    }
}

#[test]
fn interrupted_first_start_is_cleaned_up_and_a_second_process_reuses_the_cluster() {
    let var_dir = scratch_dir().join(unique("cluster"));
    let _stop = StopOnDrop(&var_dir);

    // Kill a first start while initdb is running (its whole process group, initdb included).
    let mut first = command(&["survey", "list"]);
    first
        .env("VAR_DIR", &var_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut first, 0);
    let mut child = first.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let staging = loop {
        let found = std::fs::read_dir(&var_dir).ok().and_then(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().contains("postgres.init-"))
        });
        if let Some(found) = found {
            break found;
        }
        assert!(Instant::now() < deadline, "initdb never started");
        std::thread::sleep(Duration::from_millis(5));
    };
    let group = format!("-{}", child.id());
    std::process::Command::new("kill")
        .args(["-KILL", "--", &group])
        .status()
        .unwrap();
    child.wait().unwrap();
    assert!(
        !var_dir.join("postgres/PG_VERSION").exists(),
        "the data folder must not appear before initdb has finished"
    );

    // Two processes start at once: one initialises and starts, the other waits and reuses.
    let spawn = || {
        let mut c = command(&["survey", "list"]);
        c.env("VAR_DIR", &var_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c.spawn().unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("No surveys yet"), "{stdout}");
    }
    assert!(
        !staging.exists(),
        "the interrupted initialisation was not removed"
    );
    let pid = postmaster_pid(&var_dir);

    let out = mint_in(&var_dir, &["survey", "list"]);
    out.success();
    assert_eq!(
        postmaster_pid(&var_dir),
        pid,
        "a later process must reuse the running server"
    );
    let status = mint_in(&var_dir, &["db", "status"]);
    assert!(status.success().contains(": running."), "{status:?}");

    // The server listens on its Unix socket only: postmaster.opts records how it was started.
    let opts = std::fs::read_to_string(var_dir.join("postgres/postmaster.opts")).unwrap();
    assert!(opts.contains("\"listen_addresses=\""), "{opts}");
    assert!(opts.contains("unix_socket_directories="), "{opts}");

    mint_in(&var_dir, &["db", "stop"]).success();
    let status = mint_in(&var_dir, &["db", "status"]);
    assert!(status.success().contains(": stopped."), "{status:?}");
}
