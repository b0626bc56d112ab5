//! Personal links being answered right now, as their last request left them.
//!
//! Page by page, every POST would first read its link, response and answers, only to write the
//! page after checking it against them. The request before it has just written exactly that state,
//! so it leaves its context here, and the next page's save starts from it without reading
//! (bench/submit.sh, page by page: one statement per page instead of two). What makes that safe is
//! the save itself, not this memory: `save_page` stores nothing unless the response is still as
//! remembered (its `updated_at`) and the link still takes answers (not renewed or revoked, the
//! wave open), and the request then reads as usual. A remembered context is only used for a save
//! that moves on or submits; a page shown again with errors is rendered from a fresh read.
//!
//! A context is taken out while a request works with it (two tabs: the second one reads), holds a
//! respondent's answers, and is forgotten after [`MAX_AGE`] or when [`CAPACITY`] newer ones push
//! it out.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

use super::questionnaire::Context;

/// How many links are remembered at most (the least recently used is forgotten first): more than
/// the regions of a wave answering at the same minute.
pub const CAPACITY: usize = 1024;

/// How long a context is remembered after its request: a page takes minutes, not hours.
pub const MAX_AGE: Duration = Duration::from_secs(30 * 60);

/// The remembered contexts, by the SHA-256 of their personal link.
#[derive(Default)]
pub struct RecentLinks(Remembered<Context>);

impl std::fmt::Debug for RecentLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Holds answers and links' hashes: a debug print shows how many, never which.
        write!(f, "RecentLinks({} remembered)", self.0.len())
    }
}

impl RecentLinks {
    /// Takes the context remembered for a link out (`None`: none, or older than [`MAX_AGE`]).
    pub(super) fn take(&self, token_sha256: &[u8]) -> Option<Context> {
        self.0.take(token_sha256)
    }

    /// Remembers the context a request leaves for its link's next request.
    pub(super) fn keep(&self, token_sha256: Vec<u8>, context: Context) {
        self.0.keep(token_sha256, context);
    }
}

/// Values by key, at most `capacity` (the least recently used goes first), each for `max_age`.
struct Remembered<T> {
    entries: Mutex<LruCache<Vec<u8>, (Instant, T)>>,
    max_age: Duration,
}

impl<T> Default for Remembered<T> {
    fn default() -> Self {
        Self::new(CAPACITY, MAX_AGE)
    }
}

impl<T> Remembered<T> {
    fn new(capacity: usize, max_age: Duration) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: Mutex::new(LruCache::new(capacity)),
            max_age,
        }
    }

    fn take(&self, key: &[u8]) -> Option<T> {
        let (at, value) = self.lock().pop(key)?;
        (at.elapsed() < self.max_age).then_some(value)
    }

    fn keep(&self, key: Vec<u8>, value: T) {
        self.lock().put(key, (Instant::now(), value));
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<Vec<u8>, (Instant, T)>> {
        // A panic while the lock was held leaves nothing half-done in a map of whole entries.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_taken_once_and_the_least_recently_used_goes_first() {
        let remembered = Remembered::new(2, MAX_AGE);
        remembered.keep(b"a".to_vec(), 1);
        remembered.keep(b"b".to_vec(), 2);
        assert_eq!(remembered.take(b"a"), Some(1));
        assert_eq!(remembered.take(b"a"), None, "taken out");
        remembered.keep(b"a".to_vec(), 3);
        remembered.keep(b"c".to_vec(), 4);
        assert_eq!(remembered.len(), 2);
        assert_eq!(remembered.take(b"b"), None, "the least recently used went");
        assert_eq!(remembered.take(b"c"), Some(4));
        assert_eq!(remembered.take(b"a"), Some(3));
    }

    #[test]
    fn an_old_value_is_forgotten() {
        let remembered = Remembered::new(2, Duration::ZERO);
        remembered.keep(b"a".to_vec(), 1);
        assert_eq!(remembered.take(b"a"), None);
        assert_eq!(remembered.len(), 0);
    }
}
