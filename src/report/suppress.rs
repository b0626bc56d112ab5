//! Small-group suppression: which groups of one table may be shown.
//!
//! The rule (DESIGN.md "Small groups"): a group with fewer than the threshold of responses shows no
//! figures. Such groups are pooled into one "weitere …" group. A table always shows its total, so
//! the pool's figures can be worked out as total minus the shown groups; the pool is therefore shown
//! itself, and only when it reaches the threshold. Where it does not, the smallest shown groups join
//! it (secondary suppression) until it does. Where even the total stays under the threshold, nothing
//! is shown. The result: every figure that can be read or worked out (group, pool, total) covers at
//! least `threshold` responses, and a hidden group is only ever known as part of a pool of at least
//! two groups.
//!
//! A group without any submitted response in the whole wave is *absent*: it shows n = 0 ("keine
//! Antworten") and takes no part in pooling, since there is nothing to protect. A group that has
//! responses in the wave but none in a table (nobody there was shown a follow-up question) is
//! hidden like any small group: that zero is itself a count, and can reveal answers to the
//! question that decides it.

/// What a table shows of one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Figures shown.
    Shown,
    /// Under the threshold: no figures ("zu wenige Antworten").
    TooFew,
    /// At or over the threshold, hidden so that a small group cannot be worked out from the total.
    Protecting,
}

/// The outcome for one table: a status per group, the pool, and whether the total is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Per group, in the order given.
    pub status: Vec<Status>,
    /// Whether the hidden groups are shown together as one pool (they are whenever some are hidden
    /// and the total is shown).
    pub pool_shown: bool,
    /// Whether the total is shown.
    pub total_shown: bool,
}

impl Plan {
    /// The indexes of the hidden groups: the pool's members.
    pub fn pooled(&self) -> impl Iterator<Item = usize> + '_ {
        self.status
            .iter()
            .enumerate()
            .filter(|(_, s)| **s != Status::Shown)
            .map(|(i, _)| i)
    }

    /// Whether group `index` is shown.
    pub fn shows(&self, index: usize) -> bool {
        self.status.get(index) == Some(&Status::Shown)
    }
}

/// Decides what a table with these group sizes (`n` per group) may show at `threshold`;
/// `absent[i]` marks a group without any response in the whole wave (a missing entry: present).
pub fn plan(sizes: &[u64], absent: &[bool], threshold: u64) -> Plan {
    let absent = |i: usize| absent.get(i).copied().unwrap_or(false) && sizes[i] == 0;
    let threshold = threshold.max(1);
    let total: u64 = sizes.iter().sum();
    if total < threshold {
        let status = sizes
            .iter()
            .map(|&n| {
                if n < threshold {
                    Status::TooFew
                } else {
                    Status::Protecting
                }
            })
            .collect();
        return Plan {
            status,
            pool_shown: false,
            total_shown: false,
        };
    }
    let mut status: Vec<Status> = sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            if n < threshold && !absent(i) {
                Status::TooFew
            } else {
                Status::Shown
            }
        })
        .collect();
    let mut pool: u64 = sizes
        .iter()
        .zip(&status)
        .filter(|(_, s)| **s == Status::TooFew)
        .map(|(n, _)| n)
        .sum();
    let any_hidden = status.contains(&Status::TooFew);
    // Smallest shown groups first; among equals the later one, so the order of the table decides
    // nothing about which Land is hidden beyond the sizes themselves.
    let mut shown_by_size: Vec<usize> = (0..sizes.len())
        .filter(|&i| status[i] == Status::Shown && !absent(i))
        .collect();
    shown_by_size.sort_by_key(|&i| (sizes[i], std::cmp::Reverse(i)));
    let mut candidates = shown_by_size.into_iter();
    while any_hidden && pool < threshold {
        match candidates.next() {
            Some(i) => {
                status[i] = Status::Protecting;
                pool += sizes[i];
            }
            // Unreachable while total >= threshold: every group in the pool means pool == total.
            None => break,
        }
    }
    Plan {
        status,
        pool_shown: any_hidden,
        total_shown: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn groups_at_the_threshold_are_shown_and_smaller_ones_pooled() {
        let p = plan(&[12, 5, 3, 2, 9], &[], 5);
        assert_eq!(
            p.status,
            [
                Status::Shown,
                Status::Shown,
                Status::TooFew,
                Status::TooFew,
                Status::Shown
            ]
        );
        assert!(p.pool_shown && p.total_shown);
    }

    #[test]
    fn a_pool_under_the_threshold_takes_in_the_smallest_shown_group() {
        // 3 alone would be total − 12 − 9 − 6; with the 6 it becomes a pool of 9.
        let p = plan(&[12, 3, 9, 6], &[], 5);
        assert_eq!(
            p.status,
            [
                Status::Shown,
                Status::TooFew,
                Status::Shown,
                Status::Protecting
            ]
        );
        assert!(p.pool_shown);
    }

    #[test]
    fn groups_without_responses_count_as_small() {
        let p = plan(&[0, 20, 30], &[], 5);
        assert_eq!(
            p.status,
            [Status::TooFew, Status::Protecting, Status::Shown]
        );
    }

    #[test]
    fn groups_absent_from_the_whole_wave_are_shown_empty_and_not_pooled() {
        // Only the middle group answered at all: nothing small to protect.
        let p = plan(&[0, 7, 0], &[true, false, true], 5);
        assert!(p.status.iter().all(|s| *s == Status::Shown));
        assert!(!p.pool_shown && p.total_shown);
        // A zero in a group that did answer the wave (a follow-up nobody there was shown) is small.
        let p = plan(&[0, 7, 0], &[false, false, true], 5);
        assert_eq!(
            p.status,
            [Status::TooFew, Status::Protecting, Status::Shown]
        );
    }

    #[test]
    fn nothing_is_shown_when_the_total_is_under_the_threshold() {
        let p = plan(&[2, 1, 0], &[], 5);
        assert!(!p.total_shown && !p.pool_shown);
        assert!(p.status.iter().all(|s| *s == Status::TooFew));
    }

    #[test]
    fn a_table_without_small_groups_has_no_pool() {
        let p = plan(&[5, 6, 7], &[], 5);
        assert!(p.status.iter().all(|s| *s == Status::Shown));
        assert!(!p.pool_shown && p.total_shown);
    }

    /// Everything a reader can see of a table with these per-group values (one option's counts,
    /// or the sizes themselves) and the plan: the shown groups' values, the pool's and the total.
    struct Published {
        known: Vec<Option<u64>>,
        pool: Option<u64>,
        total: Option<u64>,
    }

    fn publish(values: &[u64], p: &Plan) -> Published {
        let known = values
            .iter()
            .enumerate()
            .map(|(i, v)| p.shows(i).then_some(*v))
            .collect();
        let hidden: u64 = p.pooled().map(|i| values[i]).sum();
        let total = values.iter().sum();
        Published {
            known,
            pool: p.pool_shown.then_some(hidden),
            total: p.total_shown.then_some(total),
        }
    }

    /// The values of the hidden groups that a reader can pin down exactly: with the shown values,
    /// the pool and the total as the only equations, a hidden value is determined exactly when it
    /// is the only unknown of an equation (the hidden groups all appear in the same two).
    fn recoverable(published: &Published) -> usize {
        let unknown = published.known.iter().filter(|k| k.is_none()).count();
        let sum_known = published.pool.is_some() || published.total.is_some();
        if unknown == 1 && sum_known { 1 } else { 0 }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Over random per-Land sizes and counts: every published figure covers at least the
        /// threshold, and no hidden Land's size or count can be worked out.
        #[test]
        fn no_hidden_count_can_be_worked_out(
            sizes in proptest::collection::vec(0u64..40, 1..=17),
            threshold in 1u64..12,
            shares in proptest::collection::vec(0.0f64..=1.0, 17),
            absent_bits in proptest::collection::vec(proptest::bool::ANY, 17),
        ) {
            let absent: Vec<bool> = sizes.iter().zip(&absent_bits).map(|(n, a)| *n == 0 && *a).collect();
            let p = plan(&sizes, &absent, threshold);
            prop_assert_eq!(p.status.len(), sizes.len());
            let hidden: Vec<usize> = p.pooled().collect();
            let pool_n: u64 = hidden.iter().map(|&i| sizes[i]).sum();
            let total: u64 = sizes.iter().sum();
            for (i, &n) in sizes.iter().enumerate() {
                if p.shows(i) {
                    prop_assert!(n >= threshold || absent[i], "group {} shown with n = {}", i, n);
                }
                if n < threshold && !absent[i] {
                    prop_assert!(!p.shows(i));
                }
            }
            if p.total_shown {
                prop_assert!(total >= threshold);
            } else {
                prop_assert!(!p.pool_shown && p.status.iter().all(|s| *s != Status::Shown));
            }
            if p.pool_shown || (p.total_shown && !hidden.is_empty()) {
                prop_assert!(pool_n >= threshold, "pool of {} under {}", pool_n, threshold);
                // Even a reader who knows which hidden Länder have no responses at all cannot
                // isolate a small one: someone else in the pool always has responses too.
                for &i in &hidden {
                    if sizes[i] > 0 && sizes[i] < threshold {
                        prop_assert!(pool_n - sizes[i] > 0);
                    }
                }
            }
            // Sizes and every option's counts: nothing hidden is recoverable.
            let counts: Vec<u64> = sizes
                .iter()
                .zip(&shares)
                .map(|(&n, s)| (n as f64 * s).floor() as u64)
                .collect();
            for values in [&sizes, &counts] {
                let published = publish(values, &p);
                prop_assert_eq!(recoverable(&published), 0);
                // What the total and the shown groups leave over is exactly the pool, never less.
                if let (Some(total), Some(pool)) = (published.total, published.pool) {
                    let shown: u64 = published.known.iter().flatten().sum();
                    prop_assert_eq!(total - shown, pool);
                }
            }
            // Secondary suppression hides no more than needed: one Land fewer in the pool would
            // leave it under the threshold (or the Land was small itself).
            let protecting: Vec<usize> = (0..sizes.len())
                .filter(|&i| p.status[i] == Status::Protecting)
                .collect();
            if p.total_shown && !protecting.is_empty() {
                let largest = protecting.iter().map(|&i| sizes[i]).max().unwrap_or(0);
                prop_assert!(pool_n - largest < threshold);
            }
        }
    }
}
