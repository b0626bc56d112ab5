//! `responses.sps` and `responses.R`: syntax that reads `responses.csv` into SPSS (or PSPP) and
//! into R with every variable labelled by its question, every option code by its text, and the
//! "weiß nicht / keine Angabe" codes declared missing, as LimeSurvey's SPSS export does.
//!
//! Both are generated from [`raw::columns`], the same list that writes the CSV's header and
//! cells, so a column can never be declared in one place and written differently in the other.
//! Variable names are the CSV's names made valid for both programs (`werkzeuge/video` →
//! `werkzeuge_video`); the R script keeps the original names in an attribute. R needs no package.

use std::collections::HashSet;
use std::fmt::Write;

use super::raw::{self, ColumnKind, RawColumn};
use crate::survey::definition::Survey;

/// SPSS accepts string missing values of at most this many bytes, and at most three of them.
const SPSS_MISSING_BYTES: usize = 8;
/// SPSS: the longest string variable.
const SPSS_MAX_STRING: usize = 32_767;
/// SPSS: variable labels up to 256 bytes, value labels up to 120.
const SPSS_VARIABLE_LABEL: usize = 255;
const SPSS_VALUE_LABEL: usize = 120;
/// Words SPSS reserves; a variable may not be called one of them.
const SPSS_RESERVED: [&str; 13] = [
    "ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH",
];

/// The names of the columns, valid in SPSS and R and unique: letters, digits and `_`, starting
/// with a letter, at most 64 bytes.
pub fn variable_names(columns: &[RawColumn]) -> Vec<String> {
    let mut seen = HashSet::new();
    columns
        .iter()
        .map(|c| {
            let mut name: String = c
                .name
                .chars()
                .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
                .collect();
            if !name.starts_with(|ch: char| ch.is_ascii_alphabetic()) {
                name.insert(0, 'v');
            }
            if SPSS_RESERVED.contains(&name.to_ascii_uppercase().as_str()) {
                name.push('_');
            }
            name.truncate(60);
            let base = name.clone();
            let mut n = 2;
            while !seen.insert(name.to_ascii_lowercase()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            name
        })
        .collect()
}

/// `text` cut to at most `bytes` bytes at a character boundary.
fn cut(text: &str, bytes: usize) -> &str {
    let mut end = text.len().min(bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A quoted SPSS string (`'` doubled).
fn spss_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''").replace(['\n', '\r'], " "))
}

/// A quoted R string.
fn r_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(ch),
        }
    }
    out.push('"');
    out
}

fn header_comment(prefix: &str, survey: &Survey, wave: &str, tool: &str) -> String {
    format!(
        "{prefix} mint-survey: liest responses.csv ({tool}).\n\
         {prefix} Umfrage: {} ({}), Welle: {wave}.\n\
         {prefix} Eine Zeile je abgeschickter Antwort; Texte, die mit =, +, - oder @ beginnen, tragen\n\
         {prefix} ein vorangestelltes ' (Schutz vor Tabellenformeln).\n",
        survey.title.replace('\n', " "),
        survey.id,
    )
}

/// `responses.sps`: SPSS (or PSPP) syntax for `responses.csv` in the same folder.
pub fn spss(survey: &Survey, wave: &str) -> String {
    let columns = raw::columns(survey);
    let names = variable_names(&columns);
    let mut out = header_comment("*", survey, wave, "SPSS- oder PSPP-Syntax");
    out.push_str(
        "* Vor dem Ausführen in den Ordner von responses.csv wechseln (CD 'Ordner').\n\
         SET UNICODE=ON.\n\
         GET DATA\n  /TYPE=TXT\n  /FILE='responses.csv'\n  /ENCODING='UTF8'\n  /DELCASE=LINE\n  \
         /DELIMITERS=\",\"\n  /QUALIFIER='\"'\n  /ARRANGEMENT=DELIMITED\n  /FIRSTCASE=2\n  /VARIABLES=\n",
    );
    for (column, name) in columns.iter().zip(&names) {
        let format = match &column.kind {
            ColumnKind::Id => "F12.0".to_owned(),
            ColumnKind::Ticked => "F1.0".to_owned(),
            ColumnKind::Number(decimals) => format!("F18.{decimals}"),
            ColumnKind::Date => "A10".to_owned(),
            ColumnKind::Text(chars) => {
                // UTF-8: up to four bytes a character; an apostrophe may be added in front.
                let bytes = chars.saturating_mul(4).saturating_add(1);
                format!("A{}", bytes.clamp(1, SPSS_MAX_STRING))
            }
            ColumnKind::Code(options) => {
                let widest = options.iter().map(|o| o.code.len()).max().unwrap_or(1);
                format!("A{}", widest.max(1))
            }
        };
        let _ = writeln!(out, "    {name} {format}");
    }
    out.push_str(".\n\nVARIABLE LABELS\n");
    let labels: Vec<String> = columns
        .iter()
        .zip(&names)
        .map(|(c, name)| format!("{name} {}", spss_quote(cut(&c.label, SPSS_VARIABLE_LABEL))))
        .collect();
    out.push_str("  ");
    out.push_str(&labels.join("\n  /"));
    out.push_str(".\n\n");
    let mut value_labels = Vec::new();
    let mut missing = Vec::new();
    for (column, name) in columns.iter().zip(&names) {
        match &column.kind {
            ColumnKind::Code(options) if !options.is_empty() => {
                let pairs: Vec<String> = options
                    .iter()
                    .map(|o| {
                        format!(
                            "{} {}",
                            spss_quote(&o.code),
                            spss_quote(cut(&o.label, SPSS_VALUE_LABEL))
                        )
                    })
                    .collect();
                value_labels.push(format!("{name} {}", pairs.join(" ")));
                let codes = raw::missing_codes(options);
                if !codes.is_empty() {
                    if codes.len() <= 3 && codes.iter().all(|c| c.len() <= SPSS_MISSING_BYTES) {
                        let quoted: Vec<String> = codes.iter().map(|c| spss_quote(c)).collect();
                        missing.push(format!("MISSING VALUES {name} ({}).", quoted.join(" ")));
                    } else {
                        missing.push(format!(
                            "* {name}: fehlende Werte {} (für SPSS zu lang oder zu viele; bitte selbst umkodieren).",
                            codes.join(", ")
                        ));
                    }
                }
            }
            ColumnKind::Ticked => {
                value_labels.push(format!("{name} 0 'nicht gewählt' 1 'gewählt'"));
            }
            _ => {}
        }
    }
    if !value_labels.is_empty() {
        out.push_str("VALUE LABELS\n  ");
        out.push_str(&value_labels.join("\n  /"));
        out.push_str(".\n\n");
    }
    for line in missing {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("EXECUTE.\n");
    out
}

/// `responses.R`: base R that reads `responses.csv` in the working folder into `responses`: option
/// codes as factors labelled with their texts (levels in scale order), every column's question
/// in `attr(, "label")`, the "weiß nicht" codes in `attr(, "missing_codes")`, and for scales with
/// values a numeric `<name>_wert` (missing codes as `NA`) for means.
pub fn r(survey: &Survey, wave: &str) -> String {
    let columns = raw::columns(survey);
    let names = variable_names(&columns);
    let mut out = header_comment("#", survey, wave, "R-Skript, ohne Zusatzpakete");
    out.push_str("# Aufruf: setwd(\"Ordner mit responses.csv\"); source(\"responses.R\")\n\n");
    let classes: Vec<&str> = columns
        .iter()
        .map(|c| match c.kind {
            ColumnKind::Id | ColumnKind::Ticked => "integer",
            ColumnKind::Number(_) => "numeric",
            _ => "character",
        })
        .collect();
    let quoted = |items: &[&str]| -> String {
        items
            .iter()
            .map(|s| r_quote(s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "responses <- read.csv(\"responses.csv\", fileEncoding = \"UTF-8\", check.names = FALSE,\n  \
         na.strings = \"\", colClasses = c({}))",
        quoted(&classes)
    );
    let original: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let renamed: Vec<&str> = names.iter().map(String::as_str).collect();
    let _ = writeln!(out, "csv_names <- c({})", quoted(&original));
    let _ = writeln!(out, "names(responses) <- c({})\n", quoted(&renamed));
    for (column, name) in columns.iter().zip(&names) {
        let at = format!("responses[[{}]]", r_quote(name));
        match &column.kind {
            ColumnKind::Code(options) if !options.is_empty() => {
                let codes: Vec<&str> = options.iter().map(|o| o.code.as_str()).collect();
                let labels: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
                let valued: Vec<String> = options
                    .iter()
                    .filter_map(|o| {
                        o.value
                            .filter(|_| !o.missing)
                            .map(|v| format!("{} = {v}", r_quote(&o.code)))
                    })
                    .collect();
                if !valued.is_empty() {
                    let _ = writeln!(
                        out,
                        "responses[[{}]] <- unname(c({})[{at}])",
                        r_quote(&format!("{name}_wert")),
                        valued.join(", ")
                    );
                    let _ = writeln!(
                        out,
                        "attr(responses[[{}]], \"label\") <- {}",
                        r_quote(&format!("{name}_wert")),
                        r_quote(&format!("{} (Wert auf der Skala)", column.label))
                    );
                }
                let _ = writeln!(
                    out,
                    "{at} <- factor({at}, levels = c({}), labels = c({}))",
                    quoted(&codes),
                    quoted(&labels)
                );
                let missing = raw::missing_codes(options);
                if !missing.is_empty() {
                    let _ = writeln!(
                        out,
                        "attr({at}, \"missing_codes\") <- c({})",
                        quoted(&missing)
                    );
                }
            }
            ColumnKind::Date => {
                let _ = writeln!(out, "{at} <- as.Date({at})");
            }
            _ => {}
        }
        let _ = writeln!(out, "attr({at}, \"label\") <- {}", r_quote(&column.label));
    }
    out.push_str("attr(responses, \"csv_names\") <- csv_names\nrm(csv_names)\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey() -> Survey {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/surveys/fruehjahr-2020.toml"
        ))
        .unwrap();
        crate::survey::parse_definition(
            "fruehjahr-2020.toml",
            text.as_bytes(),
            crate::survey::Format::Toml,
        )
        .unwrap()
    }

    #[test]
    fn names_are_valid_in_spss_and_r_and_unique() {
        let column = |name: &str| RawColumn {
            name: name.to_owned(),
            label: String::new(),
            kind: ColumnKind::Ticked,
        };
        let columns = [
            column("werkzeuge/video"),
            column("werkzeuge-video"),
            column("1frage"),
            column("to"),
        ];
        assert_eq!(
            variable_names(&columns),
            ["werkzeuge_video", "werkzeuge_video_2", "v1frage", "to_"]
        );
    }

    /// The golden copy: SPSS is not installable here, so its syntax is compared with a reviewed
    /// copy (`snapshots/`); R runs the other file in the integration tests.
    #[test]
    fn spss_syntax_matches_the_reviewed_copy() {
        insta::assert_snapshot!(spss(&survey(), "fruehjahr-2020"));
    }

    #[test]
    fn the_r_script_labels_factors_and_declares_missing_codes() {
        let script = r(&survey(), "fruehjahr-2020");
        assert!(script.contains(
            "responses[[\"lage_gesamt\"]] <- factor(responses[[\"lage_gesamt\"]], levels = c(\"sehr_gut\", \"eher_gut\", \"teils\", \"eher_schlecht\", \"sehr_schlecht\", \"99\"), labels = c(\"sehr gut\", \"eher gut\", \"teils, teils\", \"eher schlecht\", \"sehr schlecht\", \"weiß nicht / keine Angabe\"))"
        ), "{script}");
        assert!(
            script.contains("attr(responses[[\"lage_gesamt\"]], \"missing_codes\") <- c(\"99\")")
        );
        assert!(script.contains("responses[[\"lage_gesamt_wert\"]] <- unname(c(\"sehr_gut\" = 1, \"eher_gut\" = 2, \"teils\" = 3, \"eher_schlecht\" = 4, \"sehr_schlecht\" = 5)[responses[[\"lage_gesamt\"]]])"));
    }
}
