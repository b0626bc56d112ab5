//! Numbers and dates in German notation, as people type them and as the summary shows them.

use chrono::NaiveDate;

/// Most digits before the decimal separator a number answer may have (f64 is exact up to 15).
const MAX_INTEGER_DIGITS: usize = 15;

/// A number in German or English notation, normalised ("1.234,50" → "1234.5"), with the count of
/// digits after the point; `None` when it is not a number.
///
/// Where both `.` and `,` occur, the later one is the decimal separator and the other groups
/// thousands. A separator occurring several times groups thousands. A single `,` is the decimal
/// comma; a single `.` is a decimal point, except where it groups thousands correctly ("1.000",
/// "12.500"): this is a German questionnaire, and "1.000" means a thousand.
pub(super) fn parse_number(text: &str) -> Option<(String, usize)> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let allowed = |c: char| c.is_ascii_digit() || c == '.' || c == ',';
    if !body.chars().all(allowed) {
        return None;
    }
    let (dots, commas) = (body.matches('.').count(), body.matches(',').count());
    let (group, point) = match (dots, commas) {
        (0, 0) => (None, None),
        (1, 0) if is_grouped(body, '.') => (Some('.'), None),
        (1, 0) => (None, Some('.')),
        (_, 0) => (Some('.'), None),
        (0, 1) => (None, Some(',')),
        (0, _) => (Some(','), None),
        _ if body.rfind('.') > body.rfind(',') => (Some(','), Some('.')),
        _ => (Some('.'), Some(',')),
    };
    let (integer, fraction) = match point {
        Some(point) => body.split_once(point)?,
        None => (body, ""),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if integer.is_empty() || (point.is_some() && fraction.is_empty()) || !all_digits(fraction) {
        return None;
    }
    let integer = match group {
        Some(sep) if is_grouped(integer, sep) => integer.replace(sep, ""),
        Some(_) => return None,
        None if all_digits(integer) => integer.to_owned(),
        None => return None,
    };
    let integer = match integer.trim_start_matches('0') {
        "" => "0",
        digits if digits.len() > MAX_INTEGER_DIGITS => return None,
        digits => digits,
    };
    let fraction = fraction.trim_end_matches('0');
    let zero = integer == "0" && fraction.is_empty();
    let sign = if negative && !zero { "-" } else { "" };
    let point = if fraction.is_empty() { "" } else { "." };
    Some((format!("{sign}{integer}{point}{fraction}"), fraction.len()))
}

/// Whether `digits` are thousands grouped by `sep`: "1.234.567" (a first group of 1–3 digits not
/// starting with 0, then groups of exactly 3).
fn is_grouped(digits: &str, sep: char) -> bool {
    let mut groups = digits.split(sep);
    let first_ok = groups.next().is_some_and(|g| {
        (1..=3).contains(&g.len()) && !g.starts_with('0') && g.chars().all(|c| c.is_ascii_digit())
    });
    let mut rest = groups.peekable();
    first_ok
        && rest.peek().is_some()
        && rest.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
}

/// "5.5.2020", "05.05.2020" or "2020-05-05" (what `<input type=date>` posts).
pub(super) fn parse_date(text: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = text.split(['.', '-']).collect();
    let (year, month, day) = match parts.as_slice() {
        [d, m, y] if text.contains('.') => (*y, *m, *d),
        [y, m, d] if !text.contains('.') => (*y, *m, *d),
        _ => return None,
    };
    let digits = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit())
    };
    if !(digits(year, 4..=4) && digits(month, 1..=2) && digits(day, 1..=2)) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

pub(super) fn german_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// A decimal in `.` notation ("-1234.5") in German notation ("-1.234,5"); other text unchanged.
pub(super) fn german_decimal(value: &str) -> String {
    let (sign, unsigned) = match value.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", value),
    };
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if integer.is_empty() || !integer.chars().all(|c| c.is_ascii_digit()) {
        return value.to_owned();
    }
    let mut grouped = String::with_capacity(integer.len() + integer.len() / 3);
    for (i, digit) in integer.chars().enumerate() {
        if i > 0 && (integer.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    match fraction {
        "" => format!("{sign}{grouped}"),
        _ => format!("{sign}{grouped},{fraction}"),
    }
}
