//! Times as people in Germany read and write them: stored in UTC, shown and entered in Europe/Berlin.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Berlin;

/// Which moment of a day a date without a time means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayEdge {
    /// 00:00 of that day (an opening date).
    Start,
    /// The end of that day, i.e. 00:00 of the next (a closing date: "bis 05.05.2020").
    End,
}

/// Reads `2020-05-05`, `05.05.2020`, or either with a time (`2020-05-05 18:00`, `05.05.2020 18:00`,
/// `2020-05-05T18:00`) as a time in Europe/Berlin.
pub fn parse_berlin(text: &str, edge: DayEdge) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let (date, time) = match text.split_once([' ', 'T']) {
        Some((date, time)) => (date, Some(time.trim())),
        None => (text, None),
    };
    let date = parse_date(date)?;
    let local: NaiveDateTime = match time {
        Some(time) => date.and_time(
            NaiveTime::parse_from_str(time, "%H:%M")
                .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M:%S"))
                .ok()?,
        ),
        None => match edge {
            DayEdge::Start => date.and_time(NaiveTime::MIN),
            DayEdge::End => (date + Duration::days(1)).and_time(NaiveTime::MIN),
        },
    };
    // In the autumn hour that exists twice, take the earlier; in the spring gap, the hour after.
    Berlin
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            Berlin
                .from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// `05.05.2020, 18:00 Uhr` in Europe/Berlin.
pub fn format_berlin(time: DateTime<Utc>) -> String {
    time.with_timezone(&Berlin)
        .format("%d.%m.%Y, %H:%M Uhr")
        .to_string()
}

/// A deadline as a person reads it: an end-of-day closing time shows as the day itself
/// ("05.05.2020"), any other as date and time.
pub fn format_deadline(closes_at: DateTime<Utc>) -> String {
    let local = closes_at.with_timezone(&Berlin);
    if local.time() == NaiveTime::MIN {
        format_date(last_day(closes_at))
    } else {
        local.format("%d.%m.%Y, %H:%M Uhr").to_string()
    }
}

/// The last day a closing time leaves open, in Europe/Berlin: the day before for an end-of-day
/// closing (00:00), else the day itself.
pub fn last_day(closes_at: DateTime<Utc>) -> NaiveDate {
    let local = closes_at.with_timezone(&Berlin);
    if local.time() == NaiveTime::MIN {
        local.date_naive() - Duration::days(1)
    } else {
        local.date_naive()
    }
}

/// The day of a moment in Europe/Berlin.
pub fn berlin_day(time: DateTime<Utc>) -> NaiveDate {
    time.with_timezone(&Berlin).date_naive()
}

/// `05.05.2020`.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// Reads a date alone, `05.05.2020` or `2020-05-05`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()
}

/// A stored time as a form field shows it, so that it reads back as typed through [`parse_berlin`]:
/// a whole day as the date alone (an end date "18.12.2020", not "19.12.2020 00:00"), any other
/// time as date and time ("18.12.2020 18:00").
pub fn format_input(time: DateTime<Utc>, edge: DayEdge) -> String {
    let local = time.with_timezone(&Berlin);
    match (local.time() == NaiveTime::MIN, edge) {
        (true, DayEdge::Start) => local.format("%d.%m.%Y").to_string(),
        (true, DayEdge::End) => (local.date_naive() - Duration::days(1))
            .format("%d.%m.%Y")
            .to_string(),
        (false, _) => local.format("%d.%m.%Y %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_show_dates_as_they_were_typed() {
        for (typed, edge) in [
            ("18.12.2020", DayEdge::End),
            ("23.04.2020", DayEdge::Start),
            ("18.12.2020 18:00", DayEdge::End),
            ("29.03.2020 12:30", DayEdge::Start),
        ] {
            let stored = parse_berlin(typed, edge).unwrap();
            assert_eq!(format_input(stored, edge), typed);
        }
    }

    #[test]
    fn german_and_iso_dates_are_read_in_berlin_time() {
        let opens = parse_berlin("23.04.2020", DayEdge::Start).unwrap();
        assert_eq!(opens.to_rfc3339(), "2020-04-22T22:00:00+00:00");
        let closes = parse_berlin("2020-05-05", DayEdge::End).unwrap();
        assert_eq!(closes.to_rfc3339(), "2020-05-05T22:00:00+00:00");
        let winter = parse_berlin("2020-12-01 18:30", DayEdge::Start).unwrap();
        assert_eq!(winter.to_rfc3339(), "2020-12-01T17:30:00+00:00");
        assert_eq!(parse_berlin("5.5.20x", DayEdge::Start), None);
    }

    #[test]
    fn deadlines_read_as_the_last_day() {
        let closes = parse_berlin("05.05.2020", DayEdge::End).unwrap();
        assert_eq!(format_deadline(closes), "05.05.2020");
        let evening = parse_berlin("05.05.2020 18:00", DayEdge::End).unwrap();
        assert_eq!(format_deadline(evening), "05.05.2020, 18:00 Uhr");
    }
}

/// Where the scheduler and the mail senders read the time: the system clock, or (in tests) a clock
/// that stands still until it is moved. One place, so tests move time instead of sleeping.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<std::sync::Arc<std::sync::Mutex<DateTime<Utc>>>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that shows `at` until it is moved ([`Clock::set`], [`Clock::advance`]); clones share it.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock(Some(std::sync::Arc::new(std::sync::Mutex::new(at))))
    }

    /// The time now.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            None => Utc::now(),
            Some(at) => *at.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Moves a fixed clock to `at` (the system clock cannot be moved: nothing happens).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(time) = &self.0 {
            *time.lock().unwrap_or_else(|e| e.into_inner()) = at;
        }
    }

    /// Moves a fixed clock on by `by`.
    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }
}
