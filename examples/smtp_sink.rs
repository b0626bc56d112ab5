//! A standalone SMTP receiver for the mail benchmark (`bench/mail.sh`): the test suite's receiver,
//! run as its own process so the sender's memory and speed are measured alone.
//!
//! Usage: `smtp_sink EXPECTED [TIMEOUT_SECONDS]`: prints `port N` on the first line, then waits
//! until EXPECTED messages arrived (or the time-out) and prints what it saw.

// Test tooling: a failure should stop it with a message, and it uses only part of the receiver.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/helpers/smtp.rs"]
mod smtp;

use std::io::Write;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let expected: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let timeout = Duration::from_secs(args.next().and_then(|a| a.parse().ok()).unwrap_or(600));
    let server = smtp::SmtpServer::start();
    println!("port {}", server.port());
    let _ = std::io::stdout().flush();
    let started = Instant::now();
    let mut received = 0;
    while started.elapsed() < timeout {
        received = server.message_count();
        if received >= expected {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "received {received} messages; connections opened {}, at most {} at once",
        server.connections_opened(),
        server.max_concurrent_connections()
    );
}
