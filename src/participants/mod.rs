//! Participants files: the CSV an admin imports to invite the contact persons of the MINT-Regionen
//! to a wave.
//!
//! Pure: bytes in, validated rows (or every problem of every row) out; no database, no I/O. The
//! import command stores the rows, all or nothing. Accepts what German Excel writes (semicolons, a
//! byte order mark, CRLF) as well as plain RFC 4180 with commas, and names each problem by line and
//! column so that one round of corrections is enough.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;

use indexmap::IndexMap;

use crate::survey::LAENDER;

/// One valid row of a participants file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRow {
    /// Line number in the file where this record starts (the header is line 1).
    pub line: usize,
    /// Name of the MINT-Region, trimmed, inner whitespace collapsed to single spaces.
    pub region: String,
    /// ISO 3166-2 code of the Land, e.g. `DE-TH`.
    pub land_code: &'static str,
    /// Email address, trimmed; the domain part lower-cased, the local part kept as written.
    pub email: String,
    /// Contact person; `None` when the file has no such column or the cell is empty.
    pub name: Option<String>,
    /// Further columns by [`attribute_key`] of their header, in column order; empty cells are left
    /// out.
    pub attributes: IndexMap<String, String>,
}

/// Why a row (or the whole file) was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Line number where the record starts (the header is line 1).
    pub line: usize,
    /// The header name as written in the file, e.g. `E-Mail`; `None` for whole-row and whole-file
    /// problems.
    pub column: Option<String>,
    /// One sentence in English (the command line), lower-case start, no trailing period.
    pub message: String,
    /// The same in German (the admin pages).
    pub german: String,
}

impl RowError {
    /// A problem of `column` (or of the whole row) in `line`.
    pub fn new(line: usize, column: Option<String>, text: Text) -> RowError {
        RowError {
            line,
            column,
            message: text.english,
            german: text.german,
        }
    }

    /// The whole error in German, as the admin pages show it.
    pub fn in_german(&self) -> String {
        match &self.column {
            Some(column) => format!("Zeile {}, Spalte {column}: {}", self.line, self.german),
            None => format!("Zeile {}: {}", self.line, self.german),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, column {column}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// A problem's text in English (the command line) and German (the admin pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// English, lower-case start, no trailing period.
    pub english: String,
    /// German, lower-case start where the sentence allows, no trailing period.
    pub german: String,
}

/// A [`Text`] of both languages.
pub fn both(english: impl Into<String>, german: impl Into<String>) -> Text {
    Text {
        english: english.into(),
        german: german.into(),
    }
}

impl std::error::Error for RowError {}

/// Reads a participants file; all rows, or every problem of every row (sorted by line, then
/// column).
///
/// The file is UTF-8 (a byte order mark is stripped), separated by `;` or `,` (whichever the header
/// line uses more; a tie means `,`). The first non-blank record is the header; see the module's
/// tests for the accepted column names. Blank records are skipped.
pub fn parse_participants(bytes: &[u8]) -> Result<Vec<ParticipantRow>, Vec<RowError>> {
    let (rows, errors) = read_participants(bytes);
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Reads a participants file into its valid rows and every problem found, so that a caller can add
/// its own checks of the valid rows (against a wave) and report all problems together.
pub fn read_participants(bytes: &[u8]) -> (Vec<ParticipantRow>, Vec<RowError>) {
    let text = match decode(bytes) {
        Ok(text) => text,
        Err(error) => return (Vec::new(), vec![error]),
    };
    let records = match read_records(text, detect_delimiter(text)) {
        Ok(records) => records,
        Err(error) => return (Vec::new(), vec![error]),
    };
    let mut records = records
        .into_iter()
        .filter(|record| filled_width(&record.cells) > 0);
    let Some(header) = records.next() else {
        return (
            Vec::new(),
            vec![file_error(
                1,
                both(
                    "the file has no participants",
                    "die Datei enthält keine Teilnehmenden",
                ),
            )],
        );
    };
    let rows: Vec<Record> = records.collect();
    let layout = read_layout(&header, &rows);
    if rows.is_empty() {
        let mut errors = layout.err().unwrap_or_default();
        errors.push(file_error(
            header.line + 1,
            both(
                "the file has no participants",
                "die Datei enthält keine Teilnehmenden",
            ),
        ));
        return (Vec::new(), errors);
    }
    match layout {
        Ok(layout) => check_rows(&rows, &layout),
        Err(errors) => (Vec::new(), errors),
    }
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
    LAENDER
        .iter()
        .find(|(code, name)| {
            land_key(code) == wanted
                || land_key(name) == wanted
                || code
                    .strip_prefix("DE-")
                    .is_some_and(|short| land_key(short) == wanted)
        })
        .map(|&(code, _)| code)
}

/// The attribute key a column header becomes: lower-case ASCII letters, digits and single `_`.
///
/// Umlauts are transliterated (ä→ae, ö→oe, ü→ue, ß→ss); every other run of characters that are not
/// ASCII letters or digits becomes one `_`, and the key is trimmed of `_`: `Größe Netzwerk` →
/// `groesse_netzwerk`.
pub fn attribute_key(header: &str) -> String {
    let mut key = String::with_capacity(header.len());
    let mut gap = false;
    for c in fold(header).chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !key.is_empty() {
                key.push('_');
            }
            key.push(c);
            gap = false;
        } else {
            gap = true;
        }
    }
    key
}

/// The fields a participant row has, each found by one of several header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Region,
    Land,
    Email,
    Name,
}

impl Field {
    const ALL: [Self; 4] = [Self::Region, Self::Land, Self::Email, Self::Name];

    /// Header names of the field, one per spelling that differs in more than case.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Self::Region => &["region", "MINT-Region", "Regionsname", "Name der Region"],
            Self::Land => &["land", "Bundesland", "land_code", "Landeskürzel"],
            Self::Email => &["email", "E-Mail", "E-Mail-Adresse", "Mail"],
            Self::Name => &[
                "name",
                "Ansprechperson",
                "Ansprechpartner",
                "Ansprechpartnerin",
                "Kontakt",
                "Kontaktperson",
            ],
        }
    }

    fn what(self) -> &'static str {
        match self {
            Self::Region => "the region",
            Self::Land => "the Land",
            Self::Email => "the email address",
            Self::Name => "the contact person",
        }
    }

    /// The same in German.
    fn was(self) -> &'static str {
        match self {
            Self::Region => "die Region",
            Self::Land => "das Land",
            Self::Email => "die E-Mail-Adresse",
            Self::Name => "die Ansprechperson",
        }
    }

    /// The field a header names, matched case-insensitively or after [`attribute_key`].
    fn of_header(header: &str) -> Option<Self> {
        let lower = header.to_lowercase();
        let key = attribute_key(header);
        Self::ALL.into_iter().find(|field| {
            field
                .synonyms()
                .iter()
                .any(|synonym| synonym.to_lowercase() == lower || attribute_key(synonym) == key)
        })
    }
}

/// One CSV record with the line it starts on; cells as read, untrimmed.
struct Record {
    line: usize,
    cells: Vec<String>,
}

/// Which column holds what, as read from the header.
struct Layout {
    names: Vec<String>,
    region: usize,
    land: usize,
    email: usize,
    name: Option<usize>,
    attributes: Vec<(usize, String)>,
}

/// An error about the whole file or a whole row, not one cell.
fn file_error(line: usize, text: Text) -> RowError {
    RowError::new(line, None, text)
}

/// The text of the file without byte order mark, or the one error that says it is not UTF-8.
fn decode(bytes: &[u8]) -> Result<&str, RowError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').unwrap_or(text)),
        Err(error) => {
            let valid = bytes.get(..error.valid_up_to()).unwrap_or_default();
            let line = count_line_breaks(valid) + 1;
            let byte = bytes.get(error.valid_up_to()).copied().unwrap_or_default();
            let message = both(
                format!(
                    "the file is not UTF-8 (byte 0x{byte:02X}); in Excel save it as \
                     \"CSV UTF-8 (durch Trennzeichen getrennt)\""
                ),
                format!(
                    "die Datei ist nicht UTF-8 (Byte 0x{byte:02X}); speichern Sie sie in Excel als \
                     „CSV UTF-8 (durch Trennzeichen getrennt)“"
                ),
            );
            Err(file_error(line, message))
        }
    }
}

/// `;` when the first non-blank line has more semicolons than commas outside quotes, else `,`.
fn detect_delimiter(text: &str) -> u8 {
    let (mut semicolons, mut commas) = (0_usize, 0_usize);
    let (mut quoted, mut content) = (false, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted && content => break,
            ';' if !quoted => semicolons += 1,
            ',' if !quoted => commas += 1,
            _ => {}
        }
        content |= !c.is_whitespace();
    }
    if semicolons > commas { b';' } else { b',' }
}

/// Every record of the file with the line it starts on.
///
/// The line is counted from the record's byte offset, not taken from `Position::line()`: the csv
/// crate records a position before it skips the rest of a CRLF and any blank lines, so its line
/// lags behind.
fn read_records(text: &str, delimiter: u8) -> Result<Vec<Record>, RowError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut lines = LineCounter::default();
    let mut records = Vec::new();
    for result in reader.records() {
        let mut line_of = |position: Option<&csv::Position>| {
            position.map_or(1, |position| lines.line_at(text, position))
        };
        let record = result.map_err(|error| {
            let message = both(
                format!("the file cannot be read as CSV: {error}"),
                format!("die Datei lässt sich nicht als CSV lesen: {error}"),
            );
            file_error(line_of(error.position()), message)
        })?;
        let line = line_of(record.position());
        let cells = record.iter().map(str::to_owned).collect();
        records.push(Record { line, cells });
    }
    Ok(records)
}

/// Line numbers of byte offsets met in increasing order, counted without rescanning the text.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    breaks: usize,
}

impl LineCounter {
    /// The line where the record at `position` starts: after any line breaks that precede it.
    fn line_at(&mut self, text: &str, position: &csv::Position) -> usize {
        let bytes = text.as_bytes();
        let mut start = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        if start >= self.offset {
            self.breaks += count_line_breaks(bytes.get(self.offset..start).unwrap_or_default());
            self.offset = start;
        }
        self.breaks + 1
    }
}

/// Line breaks in `bytes`: LF, CRLF and a lone CR (old Mac files) each count once.
fn count_line_breaks(bytes: &[u8]) -> usize {
    let lone_crs = bytes
        .windows(2)
        .filter(|pair| pair[0] == b'\r' && pair[1] != b'\n');
    let lone_crs = lone_crs.count();
    let last_cr = usize::from(bytes.last() == Some(&b'\r'));
    bytes.iter().filter(|&&b| b == b'\n').count() + lone_crs + last_cr
}

/// The number of cells up to the last one that is not empty.
fn filled_width(cells: &[String]) -> usize {
    let last = cells.iter().rposition(|cell| !cell.trim().is_empty());
    last.map_or(0, |last| last + 1)
}

/// The column layout named by the header, or every problem with it (all reported at the header's
/// line).
fn read_layout(header: &Record, rows: &[Record]) -> Result<Layout, Vec<RowError>> {
    let names: Vec<String> = header
        .cells
        .iter()
        .map(|name| name.trim().to_owned())
        .collect();
    let mut columns = Columns::default();
    let mut problems: Vec<Text> = (0..names.len())
        .filter_map(|index| columns.place(index, &names, rows))
        .collect();
    let [region, land, email, name] = columns.fields;
    for (field, index) in Field::ALL.into_iter().zip(columns.fields).take(3) {
        if index.is_none() {
            problems.push(missing_column(field, &names));
        }
    }
    match (region, land, email) {
        (Some(region), Some(land), Some(email)) if problems.is_empty() => {
            let attributes = columns.attributes;
            Ok(Layout {
                names,
                region,
                land,
                email,
                name,
                attributes,
            })
        }
        _ => Err(problems
            .into_iter()
            .map(|message| file_error(header.line, message))
            .collect()),
    }
}

/// The header's columns placed so far: each field by its column, attributes by column and key.
#[derive(Default)]
struct Columns {
    fields: [Option<usize>; 4],
    attributes: Vec<(usize, String)>,
}

impl Columns {
    /// Places column `index` as a field or an attribute, or says why it cannot be placed.
    fn place(&mut self, index: usize, names: &[String], rows: &[Record]) -> Option<Text> {
        let name = names.get(index)?;
        let key = attribute_key(name);
        if key.is_empty() {
            return nameless_column(index, name, rows);
        }
        if let Some(field) = Field::of_header(name) {
            let first = *self.fields[field as usize].get_or_insert(index);
            return (first != index).then(|| {
                let (what, was, first) = (field.what(), field.was(), &names[first]);
                both(
                    format!("the columns `{first}` and `{name}` both hold {what}"),
                    format!("die Spalten „{first}“ und „{name}“ enthalten beide {was}"),
                )
            });
        }
        if let Some((first, _)) = self.attributes.iter().find(|(_, other)| *other == key) {
            let first = &names[*first];
            return Some(both(
                format!("the columns `{first}` and `{name}` both become the attribute `{key}`"),
                format!("die Spalten „{first}“ und „{name}“ ergeben beide das Merkmal „{key}“"),
            ));
        }
        self.attributes.push((index, key));
        None
    }
}

/// The problem with a column whose header gives no attribute key: none unless data stands under it.
fn nameless_column(index: usize, name: &str, rows: &[Record]) -> Option<Text> {
    let has_data = rows.iter().any(|row| !cell(&row.cells, index).is_empty());
    let number = index + 1;
    if !has_data {
        None
    } else if name.is_empty() {
        Some(both(
            format!("column {number} has no name"),
            format!("Spalte {number} hat keinen Namen"),
        ))
    } else {
        Some(both(
            format!("column {number} (`{name}`) needs letters or digits in its name"),
            format!("der Name von Spalte {number} („{name}“) braucht Buchstaben oder Ziffern"),
        ))
    }
}

fn missing_column(field: Field, names: &[String]) -> Text {
    let found = names
        .iter()
        .filter(|name| !name.is_empty())
        .map(String::as_str);
    let found = found.collect::<Vec<_>>().join(", ");
    let (found, gefunden) = if found.is_empty() {
        ("no named columns", "keine benannten Spalten")
    } else {
        (found.as_str(), found.as_str())
    };
    let (what, was, expected) = (field.what(), field.was(), field.synonyms().join(", "));
    both(
        format!("no column for {what} (expected one of {expected}); found: {found}"),
        format!("keine Spalte für {was} (erwartet: eine von {expected}); gefunden: {gefunden}"),
    )
}

fn check_rows(rows: &[Record], layout: &Layout) -> (Vec<ParticipantRow>, Vec<RowError>) {
    let mut seen = HashMap::new();
    let mut valid = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for record in rows {
        match check_row(record, layout, &mut seen) {
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
            attributes: layout.attributes_in(cells),
        }),
        _ => Err(problems.into_errors(line, &layout.names)),
    }
}

impl Layout {
    /// The attributes of one row: every further column's trimmed value, empty ones left out.
    fn attributes_in(&self, cells: &[String]) -> IndexMap<String, String> {
        let values = self
            .attributes
            .iter()
            .map(|(index, key)| (key, cell(cells, *index)));
        values
            .filter(|(_, value)| !value.is_empty())
            .map(|(key, value)| (key.clone(), value.to_owned()))
            .collect()
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

/// The trimmed cell in column `index`; empty when the row is shorter.
fn cell(cells: &[String], index: usize) -> &str {
    cells.get(index).map_or("", |cell| cell.trim())
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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
        .map(|&(code, name)| (edit_distance(&wanted, &land_key(name)), code, name))
        .filter(|&(distance, _, _)| distance <= 3)
        .min_by_key(|&(distance, _, _)| distance)
        .map(|(_, code, name)| (code, name))
}

/// Lower case, umlauts transliterated, only letters and digits: how Land inputs are compared.
fn land_key(text: &str) -> String {
    fold(text).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Lower case with umlauts and ß transliterated (also decomposed umlauts, as macOS writes them).
fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => folded.push_str("ae"),
            'ö' => folded.push_str("oe"),
            'ü' => folded.push_str("ue"),
            'ß' => folded.push_str("ss"),
            '\u{308}' => folded.push('e'),
            other => folded.push(other),
        }
    }
    folded
}

/// Levenshtein distance between two strings, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, &cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<ParticipantRow>, Vec<RowError>> {
        parse_participants(text.as_bytes())
    }

    fn rows(text: &str) -> Vec<ParticipantRow> {
        match parse(text) {
            Ok(rows) => rows,
            Err(errors) => panic!("unexpected errors: {}", shown(&errors).join("\n")),
        }
    }

    /// Every error of the file, as the import command prints it.
    fn errors(text: &str) -> Vec<String> {
        errors_of(text.as_bytes())
    }

    fn errors_of(bytes: &[u8]) -> Vec<String> {
        match parse_participants(bytes) {
            Ok(rows) => panic!("expected errors, got {rows:?}"),
            Err(errors) => shown(&errors),
        }
    }

    fn shown(errors: &[RowError]) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }

    fn one_email(email: &str) -> Result<Vec<ParticipantRow>, Vec<RowError>> {
        parse(&format!("Region;Land;E-Mail\nJena;TH;{email}\n"))
    }

    #[test]
    fn semicolon_file_from_german_excel_is_read() {
        let file = "Region;Land;E-Mail;Ansprechperson\r\n\
                    MINT-Region  Jena ;Thüringen; Info@MINT-Jena.DE;Erika  Muster\r\n";
        let expected = ParticipantRow {
            line: 2,
            region: "MINT-Region Jena".to_owned(),
            land_code: "DE-TH",
            email: "Info@mint-jena.de".to_owned(),
            name: Some("Erika Muster".to_owned()),
            attributes: IndexMap::new(),
        };
        assert_eq!(rows(file), vec![expected]);
    }

    #[test]
    fn comma_file_with_english_headers_is_read() {
        let rows = rows(
            "region,land,email,name\nKiel,DE-SH,mint@kiel.de,\nLübeck,sh,info@luebeck.de,Max\n",
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].line, rows[0].land_code, rows[0].name.as_deref()),
            (2, "DE-SH", None)
        );
        assert_eq!(
            (rows[1].region.as_str(), rows[1].name.as_deref()),
            ("Lübeck", Some("Max"))
        );
    }

    #[test]
    fn byte_order_mark_is_stripped() {
        let file = "\u{feff}Region;Land;E-Mail\nJena;TH;a@jena.de\n;TH;b@jena.de\n";
        assert_eq!(errors(file), ["line 3, column Region: the region is empty"]);
        let rows = rows("\u{feff}Region;Land;E-Mail\nJena;TH;a@jena.de\n");
        assert_eq!(rows[0].region, "Jena");
    }

    #[test]
    fn crlf_line_endings_are_accepted() {
        let file =
            "Region;Land;E-Mail\r\n\"Jena\r\nSaale\";TH;a@jena.de\r\nErfurt;TH;b@erfurt.de\r\n";
        let rows = rows(file);
        assert_eq!((rows[0].line, rows[0].region.as_str()), (2, "Jena Saale"));
        assert_eq!((rows[1].line, rows[1].email.as_str()), (4, "b@erfurt.de"));
        let file = "Region;Land;E-Mail\r\n\r\n;;\r\nJena;TH;a@jena.de\r\n\r\nErfurt;TH;\r\n";
        assert_eq!(
            errors(file),
            ["line 6, column E-Mail: the email address is empty"]
        );
        let old_mac = "Region;Land;E-Mail\rJena;TH;a@jena.de\rErfurt;TH;\r";
        assert_eq!(
            errors(old_mac),
            ["line 3, column E-Mail: the email address is empty"]
        );
        assert_eq!(
            errors("Region;Land;E-Mail\r\nJena;TH;a@jena.de\r\nErfurt;TH;\r\n"),
            ["line 3, column E-Mail: the email address is empty"]
        );
    }

    #[test]
    fn quoted_fields_may_hold_delimiters_quotes_and_line_breaks() {
        let file = "Region;Land;E-Mail;Adresse\n\
                    \"Jena; Saale-Holzland\";TH;a@jena.de;\"Haus \"\"Zeiss\"\"\nCarl-Zeiss-Platz 1\"\n\
                    Weimar;TH;b@weimar.de;\n";
        let rows = rows(file);
        assert_eq!(rows[0].region, "Jena; Saale-Holzland");
        assert_eq!(
            rows[0].attributes["adresse"],
            "Haus \"Zeiss\"\nCarl-Zeiss-Platz 1"
        );
        assert_eq!((rows[1].line, rows[1].region.as_str()), (4, "Weimar"));

        let file = "region,land,email\n\"Kiel, Förde\",SH,a@kiel.de\n\"Flens-\nburg\",SH,\n";
        assert_eq!(
            errors(file),
            ["line 3, column email: the email address is empty"]
        );
    }

    #[test]
    fn delimiter_is_chosen_by_the_header_line_and_a_tie_means_comma() {
        assert_eq!(
            detect_delimiter("Region;Land;E-Mail\nJena, Saale,TH,a@b.de"),
            b';'
        );
        assert_eq!(detect_delimiter("\"Region; Name\",Land,E-Mail"), b',');
        assert_eq!(detect_delimiter("\n\nRegion;Land\n,,,,"), b';');
        assert_eq!(detect_delimiter("Region;Land,E-Mail"), b',');
        assert_eq!(detect_delimiter("E-Mail\na;b;c"), b',');
        let rows = rows("Region;Land;E-Mail\nJena, Saale;TH;a@jena.de\n");
        assert_eq!(rows[0].region, "Jena, Saale");
    }

    #[test]
    fn german_and_english_header_names_are_recognised() {
        let spellings: [&[&str]; 4] = [
            &[
                "region",
                "Region",
                "MINT-Region",
                "Regionsname",
                "Name der Region",
                "REGION",
                "mint_region",
            ],
            &[
                "land",
                "Land",
                "Bundesland",
                "land_code",
                "Landeskürzel",
                "LANDESKÜRZEL",
                "Landeskuerzel",
            ],
            &[
                "email",
                "E-Mail",
                "e-mail",
                "Email",
                "E-Mail-Adresse",
                "Mail",
                "EMAIL",
                "e-mail adresse",
            ],
            &[
                "name",
                "Name",
                "Ansprechperson",
                "Ansprechpartner",
                "Ansprechpartnerin",
                "Kontakt",
                "Kontaktperson",
                " KONTAKT ",
            ],
        ];
        for (position, headers) in spellings.into_iter().enumerate() {
            for header in headers {
                let mut names = ["Region", "Land", "E-Mail", "Name"];
                names[position] = header;
                let file = format!("{}\nJena;TH;a@jena.de;Erika\n", names.join(";"));
                let rows = rows(&file);
                assert_eq!(rows[0].name.as_deref(), Some("Erika"), "{header}");
                assert!(rows[0].attributes.is_empty(), "{header}");
            }
        }
        assert_eq!(Field::of_header("Netzwerk"), None);
    }

    #[test]
    fn further_columns_become_attributes_in_column_order_without_empty_cells() {
        let file = "Region;Landesnetzwerk;Land;E-Mail;Größe Netzwerk;Träger\nJena; ja ;TH;a@jena.de;;Verein e. V.\n";
        let rows = rows(file);
        let attributes: Vec<(&str, &str)> = rows[0]
            .attributes
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        assert_eq!(
            attributes,
            [("landesnetzwerk", "ja"), ("traeger", "Verein e. V.")]
        );
    }

    #[test]
    fn attribute_key_transliterates_umlauts_and_collapses_separators() {
        assert_eq!(attribute_key("Landesnetzwerk"), "landesnetzwerk");
        assert_eq!(attribute_key("Größe Netzwerk"), "groesse_netzwerk");
        assert_eq!(
            attribute_key("  ÄRZTE -- Öffnung (Übersicht) "),
            "aerzte_oeffnung_uebersicht"
        );
        assert_eq!(
            attribute_key("_Anzahl_Schulen_2020_"),
            "anzahl_schulen_2020"
        );
        assert_eq!(attribute_key("Gru\u{308}n"), "gruen");
        assert_eq!(attribute_key("?!"), "");
    }

    #[test]
    fn every_land_spelling_is_recognised() {
        for spelling in [
            "DE-TH",
            "de-th",
            "TH",
            "th",
            "Thüringen",
            "thueringen",
            "THÜRINGEN",
            " De Th ",
        ] {
            assert_eq!(land_code(spelling), Some("DE-TH"), "{spelling}");
        }
        for spelling in [
            "Baden-Württemberg",
            "baden wuerttemberg",
            "BADEN-WUERTTEMBERG",
            "BadenWürttemberg",
        ] {
            assert_eq!(land_code(spelling), Some("DE-BW"), "{spelling}");
        }
        assert_eq!(land_code("Nordrhein Westfalen"), Some("DE-NW"));
        for unknown in [
            "NRW",
            "",
            "  ",
            "DE",
            "Bayrn",
            "Thuringen",
            "DE-XX",
            "Deutschland",
        ] {
            assert_eq!(land_code(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn all_sixteen_codes_and_names_round_trip() {
        for (code, name) in LAENDER {
            let short = code.trim_start_matches("DE-");
            let transliterated = name.replace('ü', "ue");
            let spaced = name.replace('-', " ");
            for spelling in [
                code,
                &code.to_lowercase(),
                short,
                &short.to_lowercase(),
                name,
            ] {
                assert_eq!(land_code(spelling), Some(code), "{spelling}");
            }
            for spelling in [
                &name.to_uppercase(),
                &name.to_lowercase(),
                &transliterated,
                &spaced,
            ] {
                assert_eq!(land_code(spelling), Some(code), "{spelling}");
            }
            let file = format!("Region;Land;E-Mail\nA;{name};a@a.de\nB;{code};b@b.de\n");
            assert!(rows(&file).iter().all(|row| row.land_code == code));
        }
    }

    #[test]
    fn unknown_land_is_refused_with_the_closest_name_as_suggestion() {
        let file = "Region;Land;E-Mail\nJena;Thuringen;a@jena.de\nPassau;Bayrn;b@passau.de\n\
                    Köln;Nordrhein-Westphalen;c@koeln.de\n";
        assert_eq!(
            errors(file),
            [
                "line 2, column Land: `Thuringen` is not a Land; write the code (DE-TH) or the German name (Thüringen)",
                "line 3, column Land: `Bayrn` is not a Land; write the code (DE-BY) or the German name (Bayern)",
                "line 4, column Land: `Nordrhein-Westphalen` is not a Land; \
             write the code (DE-NW) or the German name (Nordrhein-Westfalen)",
            ]
        );
    }

    #[test]
    fn unknown_land_far_from_every_name_gets_a_general_hint() {
        let file = "Region;Land;E-Mail\nWien;Österreich;a@wien.at\nX;NRW;b@x.de\n";
        assert_eq!(
            errors(file),
            [
                "line 2, column Land: `Österreich` is not a Land; write an ISO code such as DE-BY or the German name",
                "line 3, column Land: `NRW` is not a Land; write an ISO code such as DE-BY or the German name",
            ]
        );
    }

    #[test]
    fn empty_cells_are_reported_each_in_its_column() {
        let file = "Region;Land;E-Mail\nJena;TH;a@jena.de\n  ; ;\n";
        assert_eq!(
            errors(&file.replace("  ; ;", " ;TH;b@b.de")),
            ["line 3, column Region: the region is empty"]
        );
        assert_eq!(
            errors(&file.replace("  ; ;", "Erfurt; ;b@b.de")),
            ["line 3, column Land: the Land is empty"]
        );
        assert_eq!(
            errors(&file.replace("  ; ;", "Erfurt;TH; ")),
            ["line 3, column E-Mail: the email address is empty"]
        );
    }

    #[test]
    fn invalid_email_addresses_are_refused() {
        let long_local = format!("{}@b.de", "a".repeat(65));
        let long_label = format!("a@{}.de", "b".repeat(64));
        let long_domain = format!("a@{}.de", vec!["b".repeat(60); 5].join("."));
        let long_total = format!(
            "{}@{}.de",
            "a".repeat(64),
            vec!["b".repeat(60); 4].join(".")
        );
        let invalid = [
            "max@",
            "@b.de",
            "max",
            "a@@b.de",
            "a@b@c.de",
            "max mustermann@b.de",
            "a@b",
            "a@b.d",
            "a@-b.de",
            "a@b-.de",
            "a@b..de",
            "a@.b.de",
            "a@b.de.",
            "a@b_c.de",
            "a@b .de",
            "a\u{7}@b.de",
        ];
        let long = [long_local.as_str(), &long_label, &long_domain, &long_total];
        for email in invalid.into_iter().chain(long) {
            let expected = format!("line 2, column E-Mail: `{email}` is not a valid email address");
            match one_email(email) {
                Ok(rows) => panic!("{email} was accepted as {rows:?}"),
                Err(errors) => assert_eq!(shown(&errors), [expected]),
            }
        }
    }

    #[test]
    fn valid_email_addresses_are_kept_with_the_domain_lower_cased() {
        let longest_local = format!("{}@b.de", "a".repeat(64));
        let cases = [
            ("Max.Mustermann@Example.DE", "Max.Mustermann@example.de"),
            ("info@müller.de", "info@müller.de"),
            ("Info@MÜLLER.de", "Info@müller.de"),
            ("a+tag@sub.Domain-1.org", "a+tag@sub.domain-1.org"),
            (" x@b.co ", "x@b.co"),
            (&longest_local, &longest_local),
        ];
        for (written, kept) in cases {
            match one_email(written) {
                Ok(rows) => assert_eq!(rows[0].email, kept),
                Err(errors) => panic!("{written} was refused: {errors:?}"),
            }
        }
    }

    #[test]
    fn duplicate_email_is_reported_on_the_later_row() {
        let file = "Region;Land;E-Mail\nJena;TH;a@b.de\nErfurt;TH;c@d.de\nGera;TH;A@B.DE\nSuhl;TH;a@b.de\n";
        assert_eq!(
            errors(file),
            [
                "line 4, column E-Mail: `A@B.DE` already appears in line 2",
                "line 5, column E-Mail: `a@b.de` already appears in line 2",
            ]
        );
    }

    #[test]
    fn several_errors_in_one_row_are_all_reported_in_column_order() {
        let file = "E-Mail;Land;Region;Träger\nmax@;Bayrn;;x;y\nok@b.de;BY;Passau\n";
        assert_eq!(
            errors(file),
            [
                "line 2: the row has 5 cells, the header 4",
                "line 2, column E-Mail: `max@` is not a valid email address",
                "line 2, column Land: `Bayrn` is not a Land; write the code (DE-BY) or the German name (Bayern)",
                "line 2, column Region: the region is empty",
            ]
        );
    }

    #[test]
    fn errors_of_all_rows_are_reported_sorted_by_line() {
        let file = "Region;Land;E-Mail\nJena;TH;a@jena.de\n;TH;b@jena.de\nGera;XX;c@gera.de\nSuhl;TH;d@suhl.de\n";
        let errors = parse(file).err().unwrap_or_default();
        assert_eq!(
            errors.iter().map(|error| error.line).collect::<Vec<_>>(),
            [3, 4]
        );
        assert_eq!(
            errors[0],
            RowError {
                line: 3,
                column: Some("Region".to_owned()),
                message: "the region is empty".to_owned(),
                german: "die Region ist leer".to_owned(),
            }
        );
    }

    #[test]
    fn blank_rows_and_trailing_delimiters_are_skipped() {
        let file = "Region;Land;E-Mail\n;;\n\nJena;TH;a@jena.de;;\n  ;  ; \n;;;\nErfurt;TH;b@erfurt.de\n;;\n";
        let lines: Vec<usize> = rows(file).iter().map(|row| row.line).collect();
        assert_eq!(lines, [4, 7]);
    }

    #[test]
    fn row_with_more_cells_than_the_header_is_refused() {
        let file = "Region;Land;E-Mail;Name;Träger\nJena;TH;a@jena.de;Erika;Verein;x;y\n";
        assert_eq!(errors(file), ["line 2: the row has 7 cells, the header 5"]);
    }

    #[test]
    fn row_with_fewer_cells_treats_the_missing_ones_as_empty() {
        let file = "Region;Land;E-Mail;Ansprechperson\nJena;TH\nErfurt;TH;b@erfurt.de\n";
        assert_eq!(
            errors(file),
            ["line 2, column E-Mail: the email address is empty"]
        );
        let rows = rows("Region;Land;E-Mail;Ansprechperson\nErfurt;TH;b@erfurt.de\n");
        assert_eq!(rows[0].name, None);
    }

    #[test]
    fn windows_1252_file_is_refused_with_one_error_at_the_line_of_the_bad_byte() {
        let file =
            b"Region;Land;E-Mail\nJena;Th\xFCringen;a@jena.de\nGera;Th\xFCringen;b@gera.de\n";
        assert_eq!(
            errors_of(file),
            [
                "line 2: the file is not UTF-8 (byte 0xFC); in Excel save it as \"CSV UTF-8 (durch Trennzeichen getrennt)\""
            ]
        );
    }

    #[test]
    fn empty_file_has_no_participants() {
        for file in [&b""[..], b"\xEF\xBB\xBF", b"\n\r\n", b";;;\n"] {
            assert_eq!(errors_of(file), ["line 1: the file has no participants"]);
        }
    }

    #[test]
    fn file_with_only_a_header_has_no_participants() {
        for file in [
            "Region;Land;E-Mail",
            "Region;Land;E-Mail\r\n",
            "Region;Land;E-Mail\n;;\n\n",
        ] {
            assert_eq!(
                errors(file),
                ["line 2: the file has no participants"],
                "{file:?}"
            );
        }
    }

    #[test]
    fn missing_column_is_named_with_the_columns_found() {
        let file = "Region;Land;Kontakt\nJena;XX;Erika\n";
        assert_eq!(
            errors(file),
            [
                "line 1: no column for the email address (expected one of email, E-Mail, \
             E-Mail-Adresse, Mail); found: Region, Land, Kontakt"
            ]
        );
        let errors = errors("Netzwerk\nJena\n");
        assert_eq!(errors.len(), 3);
        assert_eq!(
            errors[0],
            "line 1: no column for the region (expected one of region, MINT-Region, Regionsname, \
             Name der Region); found: Netzwerk"
        );
    }

    #[test]
    fn two_columns_for_the_same_field_are_refused() {
        let file = "Region;Land;E-Mail;Mail;Kontakt;Name\nJena;TH;a@jena.de;b@jena.de;Erika;Max\n";
        assert_eq!(
            errors(file),
            [
                "line 1: the columns `E-Mail` and `Mail` both hold the email address",
                "line 1: the columns `Kontakt` and `Name` both hold the contact person",
            ]
        );
    }

    #[test]
    fn two_columns_with_the_same_attribute_key_are_refused() {
        let file = "Region;Land;E-Mail;Größe;groesse\nJena;TH;a@jena.de;1;2\n";
        assert_eq!(
            errors(file),
            ["line 1: the columns `Größe` and `groesse` both become the attribute `groesse`"]
        );
    }

    #[test]
    fn nameless_column_is_refused_only_when_it_holds_data() {
        let file =
            "Region;Land;E-Mail;;Träger;?\nJena;TH;a@jena.de;;Verein;\nGera;TH;b@gera.de;x;;y\n";
        assert_eq!(
            errors(file),
            [
                "line 1: column 4 has no name",
                "line 1: column 6 (`?`) needs letters or digits in its name",
            ]
        );
        let rows = rows("Region;Land;E-Mail;;?\nJena;TH;a@jena.de;;\n");
        assert!(rows[0].attributes.is_empty());
    }

    #[test]
    fn row_error_display_names_line_and_column_in_english_and_german() {
        let bad = both("`max@` is bad", "„max@“ ist falsch");
        let error = RowError::new(4, Some("E-Mail".to_owned()), bad);
        assert_eq!(error.to_string(), "line 4, column E-Mail: `max@` is bad");
        assert_eq!(
            error.in_german(),
            "Zeile 4, Spalte E-Mail: „max@“ ist falsch"
        );
        let error = RowError {
            column: None,
            ..error
        };
        assert_eq!(error.to_string(), "line 4: `max@` is bad");
        assert_eq!(error.in_german(), "Zeile 4: „max@“ ist falsch");
    }

    #[test]
    fn every_problem_has_a_german_text() {
        let files = [
            "Region;Land;E-Mail;Region\nJena;TH;a@jena.de;x\n",
            "Region;Land;E-Mail;Merkmal;merkmal\nJena;TH;a@jena.de;1;2\n",
            "Region;Land;E-Mail;;?\nJena;TH;a@jena.de;1;2\n",
            "Region;E-Mail\nJena;a@jena.de\n",
            "Region;Land;E-Mail\nJena;TH;a@jena.de;zu viel\n;;b@jena.de\nA;Thüringn;c@\nB;;a@jena.de\nC;XX;\n",
            "Region;Land;E-Mail\n",
        ];
        for file in files {
            for error in parse(file).err().unwrap_or_default() {
                assert!(!error.german.is_empty(), "{error}");
                assert_ne!(error.german, error.message, "{error}");
                assert!(error.in_german().starts_with("Zeile "), "{error}");
            }
        }
        let errors = parse(files[4]).err().unwrap_or_default();
        let german: Vec<String> = errors.iter().map(RowError::in_german).collect();
        assert_eq!(
            german,
            [
                "Zeile 2: die Zeile hat 4 Zellen, die Kopfzeile 3",
                "Zeile 3, Spalte Region: die Region ist leer",
                "Zeile 3, Spalte Land: das Land ist leer",
                "Zeile 4, Spalte Land: „Thüringn“ ist kein Land; schreiben Sie das Kürzel (DE-TH) \
                 oder den Namen (Thüringen)",
                "Zeile 4, Spalte E-Mail: „c@“ ist keine gültige E-Mail-Adresse",
                "Zeile 5, Spalte Land: das Land ist leer",
                "Zeile 5, Spalte E-Mail: „a@jena.de“ steht schon in Zeile 2",
                "Zeile 6, Spalte Land: „XX“ ist kein Land; schreiben Sie ein Kürzel wie DE-BY oder \
                 den Namen",
                "Zeile 6, Spalte E-Mail: die E-Mail-Adresse ist leer",
            ]
        );
    }

    /// Bytes that make up files with headers, quotes, line breaks and windows-1252 umlauts.
    fn file_bytes() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        let alphabet = b"Region;Land,E-Mail\"x@b.de TH \r\n\xFC\xC3\xBC".to_vec();
        proptest::collection::vec(proptest::sample::select(alphabet), 0..200)
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_give_rows_or_errors_sorted_by_line(bytes in file_bytes()) {
            match parse_participants(&bytes) {
                Ok(rows) => proptest::prop_assert!(!rows.is_empty()),
                Err(errors) => {
                    proptest::prop_assert!(!errors.is_empty());
                    let sorted = errors.windows(2).all(|pair| pair[0].line <= pair[1].line);
                    proptest::prop_assert!(sorted);
                }
            }
        }

        #[test]
        fn attribute_keys_are_lower_case_words_joined_by_single_underscores(
            header in "\\PC{0,30}",
        ) {
            let key = attribute_key(&header);
            let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
            proptest::prop_assert!(key.chars().all(allowed));
            proptest::prop_assert!(!key.starts_with('_') && !key.ends_with('_'));
            proptest::prop_assert!(!key.contains("__"));
            proptest::prop_assert_eq!(attribute_key(&key), key.clone());
        }

        #[test]
        fn quoted_regions_come_back_with_the_line_they_start_on(
            regions in proptest::collection::vec("[a-zäöüß;,\" \n-]{0,12}[A-Z]", 1..8),
            semicolon in proptest::bool::ANY,
            crlf in proptest::bool::ANY,
        ) {
            let delimiter = if semicolon { ";" } else { "," };
            let newline = if crlf { "\r\n" } else { "\n" };
            let mut file = ["Region", "Land", "E-Mail"].join(delimiter) + newline;
            let mut expected = Vec::new();
            let mut line = 2;
            for (i, region) in regions.iter().enumerate() {
                let quoted = format!("\"{}\"", region.replace('"', "\"\""));
                file += &([quoted, "TH".to_owned(), format!("r{i}@b.de")].join(delimiter) + newline);
                expected.push((line, collapse_spaces(region)));
                line += 1 + region.matches('\n').count();
            }
            let found: Vec<(usize, String)> =
                rows(&file).into_iter().map(|row| (row.line, row.region)).collect();
            proptest::prop_assert_eq!(found, expected);
        }
    }
}
