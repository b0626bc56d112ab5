//! The header line: which column holds which field, and the attribute keys of the others.

use super::read::{Record, cell};
use super::{RowError, Text, both, file_error, fold};

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
pub(super) enum Field {
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
    pub(super) fn of_header(header: &str) -> Option<Self> {
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

/// Which column holds what, as read from the header.
pub(super) struct Layout {
    pub(super) names: Vec<String>,
    pub(super) region: usize,
    pub(super) land: usize,
    pub(super) email: usize,
    pub(super) name: Option<usize>,
    attributes: Vec<(usize, String)>,
}

impl Layout {
    /// The further columns of one row: column, attribute key and trimmed value, empty ones left
    /// out.
    pub(super) fn attribute_cells<'a>(
        &'a self,
        cells: &'a [String],
    ) -> impl Iterator<Item = (usize, &'a str, &'a str)> {
        let values = self
            .attributes
            .iter()
            .map(|(index, key)| (*index, key.as_str(), cell(cells, *index)));
        values.filter(|(_, _, value)| !value.is_empty())
    }
}

/// The column layout named by the header, or every problem with it (all reported at the header's
/// line).
pub(super) fn read_layout(header: &Record, rows: &[Record]) -> Result<Layout, Vec<RowError>> {
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
