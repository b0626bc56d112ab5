//! Checking the rows under the header: region, Land, email address and attributes.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::OnceLock;

use indexmap::IndexMap;

use crate::survey::LAENDER;

use super::header::Layout;
use super::read::{Record, cell, filled_width};
use super::{ImportTarget, ParticipantRow, RowError, Text, both, fold};

/// Checks every row on its own and against the wave: the valid ones, and every problem of the
/// others sorted by line.
pub(super) fn check_rows(
    rows: &[Record],
    layout: &Layout,
    target: &ImportTarget,
) -> (Vec<ParticipantRow>, Vec<RowError>) {
    let mut seen = HashMap::new();
    let mut valid = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for record in rows {
        match check_row(record, layout, target, &mut seen) {
            Ok(row) => valid.push(row),
            Err(mut problems) => errors.append(&mut problems),
        }
    }
    errors.sort_by_key(|error| error.line);
    (valid, errors)
}

/// One row, or every problem with it: whole-row problems first, then by column.
///
/// `seen` maps each lower-cased email address met so far to its line, to find duplicates.
fn check_row(
    record: &Record,
    layout: &Layout,
    target: &ImportTarget,
    seen: &mut HashMap<String, usize>,
) -> Result<ParticipantRow, Vec<RowError>> {
    let (line, cells) = (record.line, record.cells.as_slice());
    let mut problems = Problems::default();
    let (width, header_width) = (filled_width(cells), layout.names.len());
    if width > header_width {
        problems.0.push((
            None,
            both(
                format!("the row has {width} cells, the header {header_width}"),
                format!("die Zeile hat {width} Zellen, die Kopfzeile {header_width}"),
            ),
        ));
    }
    let region = collapse_spaces(cell(cells, layout.region));
    if region.is_empty() {
        problems.0.push((
            Some(layout.region),
            both("the region is empty", "die Region ist leer"),
        ));
    }
    let land = problems.note(layout.land, check_land(cell(cells, layout.land)));
    let email = problems.note(
        layout.email,
        check_email(cell(cells, layout.email), line, seen),
    );
    // Whether the address is in the wave already is a question only when the region is known.
    let in_wave = match &email {
        Some(email) if !region.is_empty() => {
            let in_wave = check_in_wave(email, &region, &target.contacts);
            problems.note(layout.email, in_wave).unwrap_or(false)
        }
        _ => false,
    };
    let attributes = check_attributes(cells, layout, target, &mut problems);
    match (land, email) {
        (Some(land_code), Some(email)) if problems.0.is_empty() => Ok(ParticipantRow {
            line,
            region,
            land_code,
            email,
            name: layout
                .name
                .map(|index| collapse_spaces(cell(cells, index)))
                .filter(|name| !name.is_empty()),
            attributes,
            in_wave,
        }),
        _ => Err(problems.into_errors(line, &layout.names)),
    }
}

/// The problems of one row so far, each with its column (`None`: the whole row).
#[derive(Default)]
struct Problems(Vec<(Option<usize>, Text)>);

impl Problems {
    /// The value of a check, or `None` with its message noted against the column.
    fn note<T>(&mut self, column: usize, result: Result<T, Text>) -> Option<T> {
        result
            .map_err(|message| self.0.push((Some(column), message)))
            .ok()
    }

    /// The errors, whole-row ones first, then in column order.
    fn into_errors(mut self, line: usize, names: &[String]) -> Vec<RowError> {
        self.0.sort_by_key(|(column, _)| *column);
        let errors = self.0.into_iter().map(|(index, text)| {
            let column = index.and_then(|index| names.get(index).cloned());
            RowError::new(line, column, text)
        });
        errors.collect()
    }
}

/// The row's attributes: every further column's value, those the survey declares in the survey's
/// spelling (any case accepted); a value the survey does not allow is noted as a problem.
fn check_attributes(
    cells: &[String],
    layout: &Layout,
    target: &ImportTarget,
    problems: &mut Problems,
) -> IndexMap<String, String> {
    let mut attributes = IndexMap::new();
    for (column, key, value) in layout.attribute_cells(cells) {
        let Some(declared) = target.attributes.get(key) else {
            attributes.insert(key.to_owned(), value.to_owned());
            continue;
        };
        let lower = value.to_lowercase();
        match declared.values.iter().find(|v| v.to_lowercase() == lower) {
            Some(allowed) => {
                attributes.insert(key.to_owned(), allowed.clone());
            }
            None => {
                let allowed = declared.values.join(", ");
                problems.0.push((
                    Some(column),
                    both(
                        format!("`{value}` is not a value of {key}; the survey allows {allowed}"),
                        format!("„{value}“ ist kein Wert von {key}; die Umfrage erlaubt {allowed}"),
                    ),
                ));
            }
        }
    }
    attributes
}

/// Whether `email` is in the wave already for `region` (an import run again); in the wave for
/// another region is a problem.
fn check_in_wave(
    email: &str,
    region: &str,
    contacts: &HashMap<String, String>,
) -> Result<bool, Text> {
    match contacts.get(&email.to_lowercase()) {
        None => Ok(false),
        Some(existing) if existing.to_lowercase() == region.to_lowercase() => Ok(true),
        Some(existing) => Err(both(
            format!("`{email}` is already in this wave, for region {existing}"),
            format!("„{email}“ ist in dieser Welle schon für die Region {existing} eingetragen"),
        )),
    }
}

pub(super) fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The ISO code of a Land written as code or German name, tolerant of case, umlaut spelling, spaces
/// and hyphens.
///
/// `DE-TH`, `de-th`, `TH`, `Thüringen`, `thueringen` and `THÜRINGEN` all give `DE-TH`; `baden
/// wuerttemberg` gives `DE-BW`. Abbreviations that are neither code nor name (`NRW`) give `None`.
pub fn land_code(input: &str) -> Option<&'static str> {
    let wanted = land_key(input);
    if wanted.is_empty() {
        return None;
    }
    land_keys()
        .iter()
        .find(|(key, _)| *key == wanted)
        .map(|&(_, code)| code)
}

/// Every spelling key of every Land (code, code without `DE-`, name) with its code, made once: an
/// import of 100,000 rows looks a Land up 100,000 times.
fn land_keys() -> &'static [(String, &'static str)] {
    static KEYS: OnceLock<Vec<(String, &'static str)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let spellings = LAENDER.iter().flat_map(|&(code, name)| {
            let short = code.strip_prefix("DE-").unwrap_or(code);
            [code, short, name].map(|spelling| (land_key(spelling), code))
        });
        spellings.collect()
    })
}

fn check_land(value: &str) -> Result<&'static str, Text> {
    if value.is_empty() {
        return Err(both("the Land is empty", "das Land ist leer"));
    }
    land_code(value).ok_or_else(|| match closest_land(value) {
        Some((code, name)) => both(
            format!("`{value}` is not a Land; write the code ({code}) or the German name ({name})"),
            format!(
                "„{value}“ ist kein Land; schreiben Sie das Kürzel ({code}) oder den Namen ({name})"
            ),
        ),
        None => both(
            format!("`{value}` is not a Land; write an ISO code such as DE-BY or the German name"),
            format!("„{value}“ ist kein Land; schreiben Sie ein Kürzel wie DE-BY oder den Namen"),
        ),
    })
}

/// The Land whose name is nearest to `value`, if at most three edits away.
fn closest_land(value: &str) -> Option<(&'static str, &'static str)> {
    let wanted = land_key(value);
    LAENDER
        .iter()
        .map(|&(code, name)| (strsim::levenshtein(&wanted, &land_key(name)), code, name))
        .filter(|&(distance, _, _)| distance <= 3)
        .min_by_key(|&(distance, _, _)| distance)
        .map(|(_, code, name)| (code, name))
}

/// Lower case, umlauts transliterated, only letters and digits: how Land inputs are compared.
fn land_key(text: &str) -> String {
    fold(text).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The normalised address, or why it is refused; `seen` catches the same address twice in one file.
fn check_email(
    value: &str,
    line: usize,
    seen: &mut HashMap<String, usize>,
) -> Result<String, Text> {
    if value.is_empty() {
        return Err(both(
            "the email address is empty",
            "die E-Mail-Adresse ist leer",
        ));
    }
    let email = normalise_email(value).ok_or_else(|| {
        both(
            format!("`{value}` is not a valid email address"),
            format!("„{value}“ ist keine gültige E-Mail-Adresse"),
        )
    })?;
    match seen.entry(email.to_lowercase()) {
        Entry::Occupied(first) => Err(both(
            format!("`{value}` already appears in line {}", first.get()),
            format!("„{value}“ steht schon in Zeile {}", first.get()),
        )),
        Entry::Vacant(slot) => {
            slot.insert(line);
            Ok(email)
        }
    }
}

/// The address with its domain lower-cased, if it is a plausible deliverable address.
fn normalise_email(value: &str) -> Option<String> {
    let (local, domain) = value.split_once('@')?;
    let local_ok = (1..=64).contains(&local.chars().count())
        && !local.chars().any(|c| c.is_whitespace() || c.is_control());
    let valid = local_ok && valid_domain(domain) && value.chars().count() <= 254;
    valid.then(|| format!("{local}@{}", domain.to_lowercase()))
}

/// A domain of at least two labels (letters, digits, hyphens) whose last label has two or more
/// characters.
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    (1..=253).contains(&domain.chars().count())
        && labels.len() >= 2
        && labels.iter().all(|label| valid_label(label))
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2)
}

fn valid_label(label: &str) -> bool {
    (1..=63).contains(&label.chars().count())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_alphanumeric() || c == '-')
}
