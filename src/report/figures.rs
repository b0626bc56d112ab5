//! The raw figures of one wave, as the store aggregates them: counts per stratum, before any
//! suppression. A stratum is the finest breakdown the report needs (Land × declared attributes), so
//! the store scans the answers once and every breakdown is a sum over strata.

use std::collections::BTreeMap;

/// The responses that share a Land and the values of the survey's declared attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Stratum {
    /// The Land code (`DE-BY`), empty when a response has none.
    pub land: String,
    /// One value per declared attribute, in the survey's order (None: not recorded).
    pub attributes: Vec<Option<String>>,
}

/// A value distribution: value → number of answers with it.
pub type Distribution = BTreeMap<Value, u64>;

/// A numeric answer value that can be a map key (numbers are read from `numeric`; no NaN).
#[derive(Debug, Clone, Copy)]
pub struct Value(pub f64);

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Value {}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Everything the report is computed from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Submitted responses per stratum.
    pub submitted: BTreeMap<Stratum, u64>,
    /// Submitted responses that were shown the question, per question id and stratum (for the
    /// questions reports count: choice and number questions).
    pub shown: BTreeMap<(String, Stratum), u64>,
    /// Answers per question id, item id (`""` outside matrices), option code and stratum.
    pub counts: BTreeMap<(String, String, String, Stratum), u64>,
    /// The values given to number questions, per question id and stratum.
    pub numbers: BTreeMap<(String, Stratum), Distribution>,
    /// Free-text answers per question id (text questions and "Sonstiges" specifications), sorted,
    /// without any link to the response, Land or region.
    pub texts: BTreeMap<String, Vec<String>>,
    /// How many free-text answers each question has in all (`texts` may hold only the first ones).
    pub text_totals: BTreeMap<String, u64>,
    /// Participants personally invited (given a personal link that was not revoked before they
    /// submitted), per Land code; empty when nobody was (an open-link wave).
    pub invited: BTreeMap<String, u64>,
}

impl Figures {
    /// Adds `count` submitted responses of `stratum` to every question in `shown`.
    pub fn add_shown<'a>(
        &mut self,
        stratum: &Stratum,
        questions: impl IntoIterator<Item = &'a str>,
        count: u64,
    ) {
        *self.submitted.entry(stratum.clone()).or_default() += count;
        for question in questions {
            *self
                .shown
                .entry((question.to_owned(), stratum.clone()))
                .or_default() += count;
        }
    }
}

/// Summary statistics of a distribution, leaving nothing out (callers pass only valid values).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// Number of values.
    pub n: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Median (the mean of the two middle values when n is even).
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// The statistics of a distribution; None when it is empty.
pub fn stats(distribution: &Distribution) -> Option<Stats> {
    let n: u64 = distribution.values().sum();
    if n == 0 {
        return None;
    }
    let sum: f64 = distribution.iter().map(|(v, c)| v.0 * *c as f64).sum();
    let nth = |k: u64| {
        let mut seen = 0;
        for (v, c) in distribution {
            seen += c;
            if seen > k {
                return v.0;
            }
        }
        f64::NAN
    };
    let median = if n % 2 == 1 {
        nth(n / 2)
    } else {
        (nth(n / 2 - 1) + nth(n / 2)) / 2.0
    };
    let present = || {
        distribution
            .iter()
            .filter(|(_, c)| **c > 0)
            .map(|(v, _)| v.0)
    };
    Some(Stats {
        n,
        mean: sum / n as f64,
        median,
        min: present().next().unwrap_or(f64::NAN),
        max: present().next_back().unwrap_or(f64::NAN),
    })
}

/// Adds `other` into `into`.
pub fn merge(into: &mut Distribution, other: &Distribution) {
    for (v, c) in other {
        *into.entry(*v).or_default() += c;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(pairs: &[(f64, u64)]) -> Distribution {
        pairs.iter().map(|&(v, c)| (Value(v), c)).collect()
    }

    #[test]
    fn statistics_of_a_distribution_match_the_values_spelt_out() {
        // 1, 2, 2, 4, 5, 5, 5 → mean 24/7, median 4, min 1, max 5.
        let s = stats(&dist(&[(1.0, 1), (2.0, 2), (4.0, 1), (5.0, 3)])).unwrap();
        assert_eq!(s.n, 7);
        assert!((s.mean - 24.0 / 7.0).abs() < 1e-12);
        assert_eq!((s.median, s.min, s.max), (4.0, 1.0, 5.0));
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let s = stats(&dist(&[(1.0, 1), (2.0, 1), (3.0, 1), (10.0, 1)])).unwrap();
        assert_eq!(s.median, 2.5);
        let s = stats(&dist(&[(2.0, 2), (3.0, 2)])).unwrap();
        assert_eq!(s.median, 2.5);
    }

    #[test]
    fn an_empty_distribution_has_no_statistics() {
        assert_eq!(stats(&dist(&[])), None);
        assert_eq!(stats(&dist(&[(3.0, 0)])), None);
    }
}
