//! Brakes on guessing: failed link look-ups, open-link starts and staff-login failures are counted
//! per client address (see [`client`](super::client): behind a trusted proxy, the address it names).
//! An address that reaches a brake's limit within its window is paused: "429 Too Many Requests" with
//! `Retry-After` for the rest of the pause.
//!
//! The counting is in PostgreSQL (`store::brakes`), so the limits hold for the installation, not per
//! process. The pause itself is remembered in the process that saw the limit reached, so a valid
//! page view costs no database round trip: only counted events (a failure, a start) write. With N
//! processes an address gets at most N − 1 events beyond the limit: each other process pauses it at
//! the first event it sees once the installation's count is over the limit.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use diesel::PgConnection;

use super::errors::AppError;
use crate::store::brakes;

/// A brake: at most `limit` events of one kind per client address within `window`.
#[derive(Debug)]
pub struct Brake {
    kind: &'static str,
    limit: u32,
    window: Duration,
    /// Addresses this process knows to be paused, until when.
    paused: Mutex<HashMap<IpAddr, Instant>>,
}

/// Paused addresses remembered at most; expired ones are dropped first when the map is full.
const MAX_ADDRESSES: usize = 100_000;

impl Brake {
    /// At most `limit` events of `kind` per address within `window`.
    pub fn new(kind: &'static str, limit: u32, window: Duration) -> Brake {
        Brake {
            kind,
            limit,
            window,
            paused: Mutex::new(HashMap::new()),
        }
    }

    /// Refuses a paused address, with the rest of its pause. Memory only: no database round trip.
    pub fn check(&self, ip: IpAddr) -> Result<(), AppError> {
        match self.paused_for(ip, Instant::now()) {
            Some(rest) => Err(AppError::TooManyRequests(rest)),
            None => Ok(()),
        }
    }

    /// Counts one event for the address in the database; pauses it (for a window) when the
    /// installation's count within the window reached the limit.
    pub fn record(&self, conn: &mut PgConnection, ip: IpAddr) -> diesel::QueryResult<()> {
        let count = brakes::record(conn, self.kind, &ip.to_string(), self.window.as_secs_f64())?;
        if count >= i64::from(self.limit) {
            self.pause(ip, Instant::now());
        }
        Ok(())
    }

    fn paused_for(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let paused = self.paused.lock().unwrap_or_else(|e| e.into_inner());
        paused
            .get(&ip)
            .filter(|until| **until > now)
            .map(|until| *until - now)
    }

    fn pause(&self, ip: IpAddr, now: Instant) {
        let mut paused = self.paused.lock().unwrap_or_else(|e| e.into_inner());
        if paused.len() >= MAX_ADDRESSES {
            paused.retain(|_, until| *until > now);
        }
        paused.insert(ip, now + self.window);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pause_holds_for_its_window_and_names_the_rest() {
        let brake = Brake::new("test", 3, Duration::from_secs(600));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        let start = Instant::now();
        assert!(brake.paused_for(ip, start).is_none());
        brake.pause(ip, start);
        assert_eq!(brake.paused_for(ip, start), Some(Duration::from_secs(600)));
        assert!(brake.paused_for(other, start).is_none(), "others are free");
        assert!(
            brake
                .paused_for(ip, start + Duration::from_secs(601))
                .is_none()
        );
    }
}
