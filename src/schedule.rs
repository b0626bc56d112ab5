//! When a wave's scheduled mails may go out: the sending window (hours on chosen weekdays, Europe/
//! Berlin) and the reminder days. Pure: no database, no clock (every function takes the time).

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Berlin;

use crate::text::Bilingual;

/// Weekdays as a set (bit 0 Monday … bit 6 Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weekdays(u8);

/// German and English two-letter names, Monday first.
const DAY_NAMES: [(&str, &str, &str); 7] = [
    ("mo", "mo", "Mo"),
    ("di", "tu", "Di"),
    ("mi", "we", "Mi"),
    ("do", "th", "Do"),
    ("fr", "fr", "Fr"),
    ("sa", "sa", "Sa"),
    ("so", "su", "So"),
];

impl Weekdays {
    /// Monday to Friday.
    pub const WORKDAYS: Weekdays = Weekdays(0b001_1111);
    /// Every day.
    pub const ALL: Weekdays = Weekdays(0b111_1111);

    /// From the stored bits (unknown bits dropped; none at all reads as Monday to Friday).
    pub fn from_bits(bits: i32) -> Weekdays {
        let bits = (bits & 0b111_1111) as u8;
        if bits == 0 {
            Weekdays::WORKDAYS
        } else {
            Weekdays(bits)
        }
    }

    /// The stored bits.
    pub fn bits(self) -> i32 {
        i32::from(self.0)
    }

    /// Whether `day` is in the set.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// Reads `mo-fr`, `mo-so`, `mo,mi,fr`, `sa` (German or English two-letter names, ranges and
    /// lists, in any case).
    pub fn parse(text: &str) -> Result<Weekdays, WindowError> {
        let bad = || WindowError::Days(text.trim().to_owned());
        let index = |name: &str| {
            let name = name.trim().to_lowercase();
            DAY_NAMES
                .iter()
                .position(|(de, en, _)| name == *de || name == *en)
        };
        let mut bits = 0u8;
        for part in text.split(',').filter(|p| !p.trim().is_empty()) {
            let (from, to) = match part.split_once(['-', '–']) {
                Some((from, to)) => (index(from).ok_or_else(bad)?, index(to).ok_or_else(bad)?),
                None => {
                    let day = index(part).ok_or_else(bad)?;
                    (day, day)
                }
            };
            if to < from {
                return Err(bad());
            }
            for day in from..=to {
                bits |= 1 << day;
            }
        }
        if bits == 0 {
            return Err(bad());
        }
        Ok(Weekdays(bits))
    }

    /// Runs of days: (first, last) indexes.
    fn runs(self) -> Vec<(usize, usize)> {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for day in (0..7).filter(|d| self.0 & (1 << d) != 0) {
            match runs.last_mut() {
                Some((_, last)) if *last + 1 == day => *last = day,
                _ => runs.push((day, day)),
            }
        }
        runs
    }

    fn words(self, name: impl Fn(usize) -> &'static str, dash: &str) -> String {
        self.runs()
            .into_iter()
            .map(|(first, last)| match last - first {
                0 => name(first).to_owned(),
                1 => format!("{},{}", name(first), name(last)),
                _ => format!("{}{dash}{}", name(first), name(last)),
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl Bilingual for Weekdays {
    /// "Mo–Fr".
    fn german(&self) -> String {
        self.words(|d| DAY_NAMES[d].2, "–")
    }

    /// "mo-fr" (as `--days` takes it).
    fn english(&self) -> String {
        self.words(|d| DAY_NAMES[d].0, "-")
    }
}

/// When scheduled mails may go out: from `from` o'clock to `to` o'clock (24: midnight) on `days`,
/// Europe/Berlin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First hour (0–23).
    pub from: u8,
    /// End hour (1–24), after `from`.
    pub to: u8,
    /// The weekdays.
    pub days: Weekdays,
}

impl Default for Window {
    /// 8–18 Uhr, Monday to Friday.
    fn default() -> Window {
        Window {
            from: 8,
            to: 18,
            days: Weekdays::WORKDAYS,
        }
    }
}

/// A sending window that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// Hours that are not `8-18`.
    #[error("--window `{0}` is not a range of hours; write e.g. 8-18 (0-24: any time)")]
    Hours(String),
    /// The end is not after the start.
    #[error("--window {from}-{to} ends before it starts; the end hour must be after the start")]
    Backwards {
        /// Start hour.
        from: u8,
        /// End hour.
        to: u8,
    },
    /// Days that are not `mo-fr`.
    #[error("--days `{0}` are not weekdays; write e.g. mo-fr, mo-so or mo,mi,fr")]
    Days(String),
}

impl Bilingual for WindowError {
    fn german(&self) -> String {
        match self {
            WindowError::Hours(text) => format!(
                "Versandzeit: „{text}“ ist keine Zeitspanne; bitte z. B. 8–18 angeben (0–24: jederzeit)."
            ),
            WindowError::Backwards { from, to } => format!(
                "Versandzeit: {from}–{to} Uhr endet vor ihrem Beginn; das Ende muss nach dem Beginn liegen."
            ),
            WindowError::Days(text) if text.is_empty() => {
                "Versandtage: bitte mindestens einen Tag wählen.".to_owned()
            }
            WindowError::Days(text) => format!(
                "Versandtage: „{text}“ sind keine Wochentage; bitte z. B. Mo–Fr, Mo–So oder Mo,Mi,Fr angeben."
            ),
        }
    }

    fn english(&self) -> String {
        self.to_string()
    }
}

impl Window {
    /// Reads the hours `8-18` (also `8–18`, `08:00-18:00`, `8 - 18 Uhr`).
    pub fn parse_hours(text: &str) -> Result<(u8, u8), WindowError> {
        let bad = || WindowError::Hours(text.trim().to_owned());
        let cleaned = text.trim().trim_end_matches("Uhr").trim();
        let (from, to) = cleaned.split_once(['-', '–']).ok_or_else(bad)?;
        let hour = |part: &str| -> Result<u8, WindowError> {
            let part = part.trim();
            let part = part
                .strip_suffix(":00")
                .or_else(|| part.strip_suffix(".00"))
                .unwrap_or(part);
            part.parse::<u8>().ok().filter(|h| *h <= 24).ok_or_else(bad)
        };
        let (from, to) = (hour(from)?, hour(to)?);
        if to <= from || from > 23 {
            return Err(WindowError::Backwards { from, to });
        }
        Ok((from, to))
    }

    /// Whether mails may go out at all times.
    pub fn is_any_time(&self) -> bool {
        self.from == 0 && self.to == 24 && self.days == Weekdays::ALL
    }

    /// Whether `t` lies inside the window.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.next_open(t) == t
    }

    /// `t` itself if it lies inside the window, else the window's next start.
    pub fn next_open(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let mut day = t.with_timezone(&Berlin).date_naive();
        // A week and a day reach every weekday once more, whatever day `t` is.
        for _ in 0..8 {
            if self.days.contains(day.weekday()) {
                let start = berlin_hour(day, self.from);
                let end = berlin_hour(day, self.to);
                if t < start {
                    return start;
                }
                if t < end {
                    return t;
                }
            }
            day = day.succ_opt().unwrap_or(day);
        }
        t
    }
}

impl Bilingual for Window {
    /// "8–18 Uhr, Mo–Fr", or "jederzeit".
    fn german(&self) -> String {
        if self.is_any_time() {
            "jederzeit".to_owned()
        } else {
            format!("{}–{} Uhr, {}", self.from, self.to, self.days.german())
        }
    }

    /// "8-18 mo-fr", or "any time".
    fn english(&self) -> String {
        if self.is_any_time() {
            "any time".to_owned()
        } else {
            format!("{}-{} {}", self.from, self.to, self.days.english())
        }
    }
}

/// `hour` o'clock (24: the next midnight) of `day` in Europe/Berlin. An hour that the change to
/// summer time skips (2 o'clock on the last Sunday of March) is the first moment after the gap.
pub fn berlin_hour(day: NaiveDate, hour: u8) -> DateTime<Utc> {
    let (day, hour) = if hour >= 24 {
        (day.succ_opt().unwrap_or(day), 0)
    } else {
        (day, hour)
    };
    let naive = day.and_hms_opt(u32::from(hour), 0, 0).unwrap_or_default();
    match Berlin.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        // The autumn change repeats an hour: its first occurrence.
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => Berlin
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc)),
    }
}

/// The day (Europe/Berlin) of `t`.
pub fn berlin_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Berlin).date_naive()
}

/// The first day a reminder may follow a mail sent at `last`: `days` calendar days later
/// (Europe/Berlin), so a mail at 8:00 and one at 8:05 of the same day are due on the same day.
pub fn reminder_day(last: DateTime<Utc>, days: i32) -> NaiveDate {
    berlin_day(last) + Duration::days(i64::from(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        Berlin
            .from_local_datetime(&naive)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn days_read_german_english_ranges_and_lists() {
        assert_eq!(Weekdays::parse("mo-fr").unwrap(), Weekdays::WORKDAYS);
        assert_eq!(Weekdays::parse("Mo–So").unwrap(), Weekdays::ALL);
        assert_eq!(
            Weekdays::parse("mon").unwrap_err(),
            WindowError::Days("mon".into())
        );
        let list = Weekdays::parse("mo,we,FR").unwrap();
        assert_eq!(list.german(), "Mo,Mi,Fr");
        assert_eq!(Weekdays::parse("mo-mi,fr").unwrap().english(), "mo-mi,fr");
        assert_eq!(Weekdays::parse("sa-so").unwrap().german(), "Sa,So");
        assert!(Weekdays::parse("fr-mo").is_err());
        assert!(Weekdays::parse("").is_err());
        assert_eq!(
            Weekdays::from_bits(Weekdays::WORKDAYS.bits()),
            Weekdays::WORKDAYS
        );
    }

    #[test]
    fn hours_read_and_refuse_backwards() {
        assert_eq!(Window::parse_hours("8-18").unwrap(), (8, 18));
        assert_eq!(Window::parse_hours("08:00–18:00 Uhr").unwrap(), (8, 18));
        assert_eq!(Window::parse_hours("0-24").unwrap(), (0, 24));
        assert_eq!(
            Window::parse_hours("18-8").unwrap_err(),
            WindowError::Backwards { from: 18, to: 8 }
        );
        assert!(matches!(
            Window::parse_hours("8"),
            Err(WindowError::Hours(_))
        ));
        assert!(matches!(
            Window::parse_hours("8-25"),
            Err(WindowError::Hours(_))
        ));
        assert!(
            WindowError::Backwards { from: 18, to: 8 }
                .german()
                .contains("18–8 Uhr")
        );
    }

    #[test]
    fn a_time_at_night_waits_for_eight_on_the_next_working_day() {
        let window = Window::default();
        // Tuesday 22:00 → Wednesday 8:00.
        assert_eq!(
            window.next_open(at("2027-05-04 22:00")),
            at("2027-05-05 08:00")
        );
        // Friday 18:00 (the end is not inside) → Monday 8:00.
        assert_eq!(
            window.next_open(at("2027-05-07 18:00")),
            at("2027-05-10 08:00")
        );
        // Saturday noon → Monday 8:00.
        assert_eq!(
            window.next_open(at("2027-05-08 12:00")),
            at("2027-05-10 08:00")
        );
        // Early on a working day → 8:00 the same day; inside stays.
        assert_eq!(
            window.next_open(at("2027-05-04 06:30")),
            at("2027-05-04 08:00")
        );
        assert!(window.contains(at("2027-05-04 17:59")));
        assert!(!window.contains(at("2027-05-04 18:00")));
        let any = Window {
            from: 0,
            to: 24,
            days: Weekdays::ALL,
        };
        assert!(any.is_any_time());
        assert!(any.contains(at("2027-05-08 03:00")));
        assert_eq!(any.german(), "jederzeit");
        assert_eq!(window.german(), "8–18 Uhr, Mo–Fr");
        assert_eq!(window.english(), "8-18 mo-fr");
    }

    #[test]
    fn the_window_follows_berlin_across_the_change_to_summer_time() {
        let window = Window::default();
        // Saturday before the change (2027-03-28): Monday 8:00 is 6:00 UTC, not 7:00.
        let monday = window.next_open(at("2027-03-27 10:00"));
        assert_eq!(
            monday,
            "2027-03-29T06:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        let friday = window.next_open(at("2027-03-25 20:00"));
        assert_eq!(
            friday,
            "2027-03-26T07:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        // A window from 2 o'clock on the changing Sunday starts when 2 o'clock is skipped to 3.
        let night = Window {
            from: 2,
            to: 5,
            days: Weekdays::ALL,
        };
        assert_eq!(
            night.next_open(at("2027-03-28 00:30")),
            "2027-03-28T01:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        // Back to winter time (2027-10-31): 8:00 is 7:00 UTC again.
        assert_eq!(
            window.next_open(at("2027-10-30 12:00")),
            "2027-11-01T07:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    #[test]
    fn reminder_days_are_calendar_days_in_berlin() {
        // 23:30 Berlin on the 4th is the 4th, although it is the 4th 21:30 UTC.
        assert_eq!(
            reminder_day(at("2027-05-04 23:30"), 7),
            NaiveDate::from_ymd_opt(2027, 5, 11).unwrap()
        );
        // Across the change to summer time a week is still seven days.
        assert_eq!(
            reminder_day(at("2027-03-22 08:00"), 7),
            NaiveDate::from_ymd_opt(2027, 3, 29).unwrap()
        );
    }
}
