//! A brake on guessing links: an address whose link look-ups fail too often is paused for a while.
//!
//! Only failed look-ups (unknown or revoked tokens) count, so respondents and load tests with valid
//! links are never slowed; someone trying tokens gets "429 Too Many Requests" for every link request
//! after `limit` failures within `window`. Kept in memory per process: a brake, not an account lock.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::HttpRequest;

use super::errors::AppError;

/// Failed look-ups per address within a window.
#[derive(Debug)]
pub struct LookupBrake {
    failures: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    limit: u32,
    window: Duration,
}

/// Addresses remembered at most; older entries are dropped first when the map is full.
const MAX_ADDRESSES: usize = 100_000;

impl LookupBrake {
    /// At most `limit` failed look-ups per address within `window`.
    pub fn new(limit: u32, window: Duration) -> LookupBrake {
        LookupBrake {
            failures: Mutex::new(HashMap::new()),
            limit,
            window,
        }
    }

    /// Refuses an address that reached the limit within the window.
    pub fn check(&self, request: &HttpRequest) -> Result<(), AppError> {
        match request.peer_addr() {
            Some(address) if self.blocked(address.ip(), Instant::now()) => {
                Err(AppError::TooManyRequests)
            }
            _ => Ok(()),
        }
    }

    /// Counts one event (a failed look-up, a started response) for the request's address.
    pub fn record(&self, request: &HttpRequest) {
        if let Some(address) = request.peer_addr() {
            self.record_failure(address.ip(), Instant::now());
        }
    }

    fn blocked(&self, ip: IpAddr, now: Instant) -> bool {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.get(&ip).is_some_and(|(since, count)| {
            now.duration_since(*since) < self.window && *count >= self.limit
        })
    }

    fn record_failure(&self, ip: IpAddr, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() >= MAX_ADDRESSES {
            failures.retain(|_, (since, _)| now.duration_since(*since) < self.window);
        }
        let entry = failures.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_paused_after_the_limit_and_free_again_after_the_window() {
        let brake = LookupBrake::new(3, Duration::from_secs(60));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(!brake.blocked(ip, start));
            brake.record_failure(ip, start);
        }
        assert!(brake.blocked(ip, start));
        assert!(
            !brake.blocked(other, start),
            "other addresses are not affected"
        );
        assert!(!brake.blocked(ip, start + Duration::from_secs(61)));
    }
}
