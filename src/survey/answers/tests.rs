use super::notation::{german_date, parse_number};
use super::*;
use crate::survey::definition::{Choices, Question, QuestionKind, Survey};
use crate::survey::{Format, parse_definition};
use proptest::prelude::*;

/// A personal-link survey with every question type but `land`, and conditions of every kind.
const SURVEY: &str = r#"
id = "test"
title = "Test"

[attributes.landesnetzwerk]
label = "Landesnetzwerk"
values = ["ja", "nein"]

[[pages]]
id = "p1"
title = "Seite 1"

[[pages.questions]]
id = "lage"
type = "single"
text = "Lage?"
required = true
options = [
  { code = "sehr_gut", label = "sehr gut" },
  { code = "gut", label = "gut" },
  { code = "99", label = "weiß nicht / keine Angabe", missing = true },
]

[[pages.questions]]
id = "art"
type = "single"
text = "Art?"
options = [
  { code = "verein", label = "Verein" },
  { code = "sonstiges", label = "Sonstiges", other = true },
]

[[pages.questions]]
id = "veraenderungen"
type = "multiple"
text = "Veränderungen?"
required = true
max_choices = 3
options = [
  { code = "online", label = "online" },
  { code = "webinare", label = "Webinare" },
  { code = "abgesagt", label = "abgesagt" },
  { code = "verschoben", label = "verschoben" },
  { code = "keine", label = "keine Veränderung", exclusive = true },
  { code = "sonstiges", label = "Sonstiges", other = true },
  { code = "99", label = "weiß nicht / keine Angabe", missing = true, exclusive = true },
]

[[pages.questions]]
id = "ausfall"
type = "matrix"
text = "Ausfall?"
required = true
items = [
  { id = "kita", label = "Kita" },
  { id = "schulen", label = "Schulen" },
  { id = "labore", label = "Labore" },
]
options = [
  { code = "nicht", label = "nicht betroffen" },
  { code = "ganz", label = "vollständig abgesagt" },
  { code = "na", label = "trifft nicht zu", missing = true },
]

[[pages]]
id = "p2"
title = "Seite 2"

[[pages.questions]]
id = "personen"
type = "number"
text = "Personen?"
required = true
min = 0
max = 50
decimals = 1
unit = "Personen"

[[pages.questions]]
id = "anzahl"
type = "number"
text = "Anzahl?"
min = 0.5

[[pages.questions]]
id = "betrag"
type = "number"
text = "Betrag?"
max = 1000
decimals = 2

[[pages.questions]]
id = "name"
type = "text"
text = "Name?"
required = true

[[pages.questions]]
id = "bemerkung"
type = "long_text"
text = "Bemerkung?"

[[pages.questions]]
id = "termin"
type = "date"
text = "Termin?"
required = true
min = 2020-04-01
max = 2021-12-31

[[pages.questions]]
id = "ab"
type = "date"
text = "Ab?"
min = 2020-04-01

[[pages.questions]]
id = "bis"
type = "date"
text = "Bis?"
max = 2021-12-31

[[pages]]
id = "p3"
title = "Seite 3"

[[pages.questions]]
id = "gruende"
type = "long_text"
text = "Gründe?"
required = true
show_if = { question = "ausfall", item = "schulen", any_of = ["ganz"] }

[[pages.questions]]
id = "webinar_details"
type = "text"
text = "Welche Webinare?"
show_if = { question = "veraenderungen", any_of = ["webinare", "online"] }

[[pages.questions]]
id = "gut_warum"
type = "text"
text = "Warum gut?"
show_if = [{ question = "lage", any_of = ["sehr_gut", "gut"] }, { attribute = "land", any_of = ["DE-TH"] }]

[[pages]]
id = "p4"
title = "Landesnetzwerk"
show_if = { attribute = "landesnetzwerk", any_of = ["ja"] }

[[pages.questions]]
id = "landesangebote"
type = "single"
text = "Angebote?"
options = [{ code = "ja", label = "ja" }, { code = "nein", label = "nein" }]

[[pages]]
id = "p5"
title = "Nur bei weiß nicht"

[[pages.questions]]
id = "unsicher"
type = "text"
text = "Warum unsicher?"
show_if = { question = "lage", any_of = ["99"] }

[[pages]]
id = "p6"
title = "Kette"

[[pages.questions]]
id = "gut_warum_ja"
type = "single"
text = "Kette?"
show_if = { question = "lage", any_of = ["sehr_gut"] }
options = [{ code = "ja", label = "ja" }, { code = "nein", label = "nein" }]

[[pages]]
id = "p7"
title = "Kette 2"

[[pages.questions]]
id = "kette_ende"
type = "text"
text = "Ende?"
show_if = { question = "gut_warum_ja", any_of = ["ja"] }
"#;

/// An open-link survey: the Land is asked, and a later question depends on it.
const OPEN: &str = r#"
id = "offen"
title = "Offen"
access = "open"

[[pages]]
id = "p1"
title = "Seite 1"

[[pages.questions]]
id = "land"
type = "land"
text = "Land?"
required = true

[[pages]]
id = "p2"
title = "Seite 2"

[[pages.questions]]
id = "thueringen"
type = "text"
text = "Thüringen?"
show_if = { question = "land", any_of = ["DE-TH"] }
"#;

const FRUEHJAHR: &str = include_str!("../../../surveys/fruehjahr-2020.toml");

fn parse(text: &str) -> Survey {
    match parse_definition("t.toml", text.as_bytes(), Format::Toml) {
        Ok(survey) => survey,
        Err(problems) => panic!("{problems:#?}"),
    }
}

fn survey() -> Survey {
    parse(SURVEY)
}

fn none() -> Attributes {
    Attributes::new()
}

fn attrs(pairs: &[(&str, &str)]) -> Attributes {
    pairs
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect()
}

fn form(pairs: &[(&str, &str)]) -> FormFields {
    let mut fields = FormFields::new();
    for (name, value) in pairs {
        fields
            .entry((*name).into())
            .or_default()
            .push((*value).into());
    }
    fields
}

/// `base` with the fields named in `changes` replaced by their values there (`<none>`: removed).
fn changed(base: &[(&str, &str)], changes: &[(&str, &str)]) -> FormFields {
    let mut fields = form(base);
    for (name, _) in changes {
        fields.remove(*name);
    }
    let given = changes.iter().filter(|(_, v)| *v != "<none>");
    for (name, value) in given {
        fields
            .entry((*name).into())
            .or_default()
            .push((*value).into());
    }
    fields
}

/// Valid answers for page 1 of SURVEY, changed as [`changed`] says.
fn page1(changes: &[(&str, &str)]) -> FormFields {
    let base = [
        ("q_lage", "gut"),
        ("q_veraenderungen", "online"),
        ("q_ausfall__kita", "nicht"),
        ("q_ausfall__schulen", "nicht"),
        ("q_ausfall__labore", "na"),
    ];
    changed(&base, changes)
}

/// Valid answers for page 2 of SURVEY, changed as [`changed`] says.
fn page2(changes: &[(&str, &str)]) -> FormFields {
    let base = [
        ("q_personen", "3"),
        ("q_name", "Anna"),
        ("q_termin", "01.05.2020"),
    ];
    changed(&base, changes)
}

fn read(page: usize, fields: &FormFields) -> PageInput {
    read_page(&survey(), page, fields, &Answers::new(), &none())
}

/// The errors of reading `fields` on `page` as (field, message).
fn errors(page: usize, fields: &FormFields) -> Vec<(String, String)> {
    let found = read(page, fields).errors.into_iter();
    found.map(|e| (e.field, e.message)).collect()
}

#[track_caller]
fn assert_error(page: usize, fields: &FormFields, field: &str, message: &str) {
    assert_eq!(errors(page, fields), [(field.into(), message.into())]);
}

/// The answer read for `question` from a page that must be valid.
#[track_caller]
fn answer(page: usize, fields: &FormFields, question: &str) -> Option<Answer> {
    let input = read(page, fields);
    assert_eq!(input.errors, []);
    input.answers.get(question).cloned()
}

fn ids(answers: &Answers) -> Vec<&str> {
    answers.keys().map(String::as_str).collect()
}

fn single(code: &str, other: Option<&str>) -> Answer {
    let (code, other) = (code.into(), other.map(Into::into));
    Answer::Single { code, other }
}

fn multiple(codes: &[&str], other: Option<&str>) -> Answer {
    let codes = codes.iter().map(|c| (*c).into()).collect();
    Answer::Multiple {
        codes,
        other: other.map(Into::into),
    }
}

fn matrix(rows: &[(&str, &str)]) -> Answer {
    let rows = rows
        .iter()
        .map(|(i, c)| ((*i).into(), (*c).into()))
        .collect();
    Answer::Matrix { rows }
}

fn number(value: &str) -> Answer {
    Answer::Number {
        value: value.into(),
    }
}

fn text(value: &str) -> Answer {
    Answer::Text {
        value: value.into(),
    }
}

fn date(y: i32, m: u32, d: u32) -> Answer {
    Answer::Date {
        value: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
    }
}

#[test]
fn field_names_follow_the_shared_scheme() {
    assert_eq!(field_name("lage"), "q_lage");
    assert_eq!(other_field_name("art"), "q_art_other");
    assert_eq!(matrix_field_name("ausfall", "kita"), "q_ausfall__kita");
    let s = survey();
    let names = |id: &str| field_names(s.question(id).unwrap());
    assert_eq!(names("art"), ["q_art", "q_art_other"]);
    let rows = ["q_ausfall__kita", "q_ausfall__schulen", "q_ausfall__labore"];
    assert_eq!(names("ausfall"), rows);
    assert_eq!(names("personen"), ["q_personen"]);
}

#[test]
fn a_valid_page_gives_typed_answers_in_question_order() {
    let input = read(0, &page1(&[("q_art", "verein")]));
    assert!(input.is_valid());
    assert_eq!(
        ids(&input.answers),
        ["lage", "art", "veraenderungen", "ausfall"]
    );
    assert_eq!(input.answers["lage"], single("gut", None));
    let rows = [("kita", "nicht"), ("schulen", "nicht"), ("labore", "na")];
    assert_eq!(input.answers["ausfall"], matrix(&rows));
}

#[test]
fn required_single_without_answer_asks_to_choose() {
    let message = "Bitte wählen Sie eine Antwort aus.";
    assert_error(0, &page1(&[("q_lage", "<none>")]), "q_lage", message);
    assert_error(0, &page1(&[("q_lage", "  ")]), "q_lage", message);
}

#[test]
fn required_land_without_answer_asks_to_choose() {
    let input = read_page(&parse(OPEN), 0, &form(&[]), &Answers::new(), &none());
    let expected = ("q_land", "Bitte wählen Sie eine Antwort aus.");
    assert_eq!(input.errors.len(), 1);
    assert_eq!(
        (&*input.errors[0].field, &*input.errors[0].message),
        expected
    );
}

#[test]
fn required_number_text_and_date_without_answer_ask_for_an_answer() {
    let fields = page2(&[
        ("q_personen", ""),
        ("q_name", " \r\n "),
        ("q_termin", "<none>"),
    ]);
    let message = "Bitte beantworten Sie diese Frage.";
    let expected = ["q_personen", "q_name", "q_termin"].map(|f| (f.into(), message.into()));
    assert_eq!(errors(1, &fields), expected);
}

#[test]
fn required_multiple_without_ticks_asks_for_at_least_one() {
    let fields = page1(&[("q_veraenderungen", "<none>")]);
    let message = "Bitte wählen Sie mindestens eine Antwort aus.";
    assert_error(0, &fields, "q_veraenderungen", message);
}

#[test]
fn required_matrix_names_the_unanswered_rows() {
    let fields = page1(&[("q_ausfall__kita", "<none>"), ("q_ausfall__schulen", "")]);
    let message = "Bitte beantworten Sie alle Zeilen (fehlt: Kita, Schulen).";
    assert_error(0, &fields, "q_ausfall__kita", message);
}

#[test]
fn a_required_matrix_with_open_rows_keeps_its_answered_rows_and_flags_only_a_gap() {
    let fields = page1(&[("q_ausfall__kita", "<none>"), ("q_ausfall__labore", "")]);
    let input = read(0, &fields);
    // What was given is kept, so that saving for later loses nothing typed.
    assert_eq!(input.answers["ausfall"], matrix(&[("schulen", "nicht")]));
    let gaps: Vec<(&str, bool)> = input
        .errors
        .iter()
        .map(|e| (e.field.as_str(), e.missing))
        .collect();
    assert_eq!(gaps, [("q_ausfall__kita", true)]);
    // A wrong row is not a gap: it is a wrong entry.
    let wrong = read(0, &page1(&[("q_ausfall__kita", "quatsch")]));
    assert_eq!(wrong.errors.len(), 1);
    assert!(!wrong.errors[0].missing);
    assert!(!wrong.answers.contains_key("ausfall"));
}

#[test]
fn required_answers_left_open_are_gaps_and_wrong_entries_are_not() {
    let input = read(
        0,
        &page1(&[("q_lage", "<none>"), ("q_veraenderungen", "quatsch")]),
    );
    let kinds: Vec<(&str, bool)> = input
        .errors
        .iter()
        .map(|e| (e.field.as_str(), e.missing))
        .collect();
    assert_eq!(kinds, [("q_lage", true), ("q_veraenderungen", false)]);
}

#[test]
fn optional_matrix_keeps_only_the_answered_rows() {
    let s = parse(&SURVEY.replacen("required = true\nitems", "items", 1));
    let fields = page1(&[
        ("q_ausfall__kita", "<none>"),
        ("q_ausfall__labore", "<none>"),
    ]);
    let input = read_page(&s, 0, &fields, &Answers::new(), &none());
    assert_eq!(input.errors, []);
    assert_eq!(input.answers["ausfall"], matrix(&[("schulen", "nicht")]));
}

#[test]
fn missing_option_satisfies_required() {
    let fields = page1(&[
        ("q_lage", "99"),
        ("q_veraenderungen", "99"),
        ("q_ausfall__kita", "na"),
    ]);
    let input = read(0, &fields);
    assert_eq!(input.errors, []);
    assert_eq!(input.answers["lage"], single("99", None));
    assert_eq!(input.answers["veraenderungen"], multiple(&["99"], None));
}

#[test]
fn unknown_codes_are_rejected() {
    let message = "Diese Antwort gibt es nicht.";
    assert_error(0, &page1(&[("q_lage", "sehr gut")]), "q_lage", message);
    let fields = page1(&[("q_veraenderungen", "online"), ("q_veraenderungen", "x")]);
    assert_error(0, &fields, "q_veraenderungen", message);
    let fields = page1(&[("q_ausfall__schulen", "vielleicht")]);
    assert_error(0, &fields, "q_ausfall__schulen", message);
    let fields = page1(&[("q_art", "Sonstiges")]);
    assert_error(0, &fields, "q_art", message);
}

#[test]
fn two_values_for_a_single_are_rejected() {
    let message = "Diese Antwort gibt es nicht.";
    let fields = page1(&[("q_lage", "gut"), ("q_lage", "sehr_gut")]);
    assert_error(0, &fields, "q_lage", message);
    let fields = page1(&[("q_lage", "gut"), ("q_lage", "gut")]);
    assert_error(0, &fields, "q_lage", message);
    let fields = page1(&[("q_ausfall__kita", "nicht"), ("q_ausfall__kita", "ganz")]);
    assert_error(0, &fields, "q_ausfall__kita", message);
}

#[test]
fn too_many_choices_are_rejected() {
    let ticks = ["online", "webinare", "abgesagt", "verschoben"].map(|t| ("q_veraenderungen", t));
    let message = "Bitte wählen Sie höchstens 3 Antworten aus.";
    assert_error(0, &page1(&ticks), "q_veraenderungen", message);
    assert_eq!(errors(0, &page1(&ticks[..3])), []);
}

#[test]
fn multiple_codes_follow_the_option_order_without_duplicates() {
    let ticks = ["abgesagt", "online", " online "].map(|t| ("q_veraenderungen", t));
    let expected = multiple(&["online", "abgesagt"], None);
    assert_eq!(answer(0, &page1(&ticks), "veraenderungen"), Some(expected));
}

#[test]
fn exclusive_option_cannot_be_combined() {
    let fields = page1(&[
        ("q_veraenderungen", "online"),
        ("q_veraenderungen", "keine"),
    ]);
    let message = "„keine Veränderung“ kann nicht mit anderen Antworten kombiniert werden.";
    assert_error(0, &fields, "q_veraenderungen", message);
    let fields = page1(&[("q_veraenderungen", "99"), ("q_veraenderungen", "keine")]);
    assert_error(0, &fields, "q_veraenderungen", message);
    assert_eq!(errors(0, &page1(&[("q_veraenderungen", "keine")])), []);
}

#[test]
fn other_option_needs_its_text() {
    let message = "Bitte geben Sie an, was Sie mit „Sonstiges“ meinen.";
    assert_error(0, &page1(&[("q_art", "sonstiges")]), "q_art_other", message);
    let fields = page1(&[
        ("q_veraenderungen", "sonstiges"),
        ("q_veraenderungen_other", " "),
    ]);
    assert_error(0, &fields, "q_veraenderungen_other", message);
    let fields = page1(&[("q_art", "sonstiges"), ("q_art_other", " Stiftung ")]);
    assert_eq!(
        answer(0, &fields, "art"),
        Some(single("sonstiges", Some("Stiftung")))
    );
    let fields = page1(&[
        ("q_veraenderungen", "sonstiges"),
        ("q_veraenderungen_other", "Podcast"),
    ]);
    let expected = multiple(&["sonstiges"], Some("Podcast"));
    assert_eq!(answer(0, &fields, "veraenderungen"), Some(expected));
}

#[test]
fn other_text_without_its_option_is_ignored() {
    let fields = page1(&[("q_art", "verein"), ("q_art_other", "Stiftung")]);
    assert_eq!(answer(0, &fields, "art"), Some(single("verein", None)));
    assert_eq!(
        answer(0, &page1(&[("q_art_other", "Stiftung")]), "art"),
        None
    );
}

#[test]
fn other_text_is_limited_to_500_characters() {
    let long = "ä".repeat(501);
    let fields = page1(&[("q_art", "sonstiges"), ("q_art_other", &long)]);
    let message = "Bitte kürzen Sie Ihre Antwort auf höchstens 500 Zeichen (jetzt 501).";
    assert_error(0, &fields, "q_art_other", message);
    let fields = page1(&[("q_art", "sonstiges"), ("q_art_other", &long[2..])]);
    assert_eq!(errors(0, &fields), []);
}

#[test]
fn numbers_in_german_and_english_notation_are_read() {
    let typed = [
        ("12", "12"),
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        (" 7 ", "7"),
    ];
    let normalised = [
        ("-0", "0"),
        ("012,50", "12.5"),
        ("49,0", "49"),
        ("0,1", "0.1"),
    ];
    for (typed, value) in typed.into_iter().chain(normalised) {
        let fields = page2(&[("q_personen", typed)]);
        assert_eq!(
            answer(1, &fields, "personen"),
            Some(number(value)),
            "{typed}"
        );
    }
    let grouped = [
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1.000", "1000"),
    ];
    let more = [
        ("1.234.567", "1234567"),
        ("1,234,567", "1234567"),
        ("-3", "-3"),
    ];
    let points = [
        ("1234.567", "1234.567"),
        ("0.125", "0.125"),
        ("1,234", "1.234"),
    ];
    for (typed, value) in grouped.into_iter().chain(more).chain(points) {
        assert_eq!(
            parse_number(typed).map(|(v, _)| v).as_deref(),
            Some(value),
            "{typed}"
        );
    }
}

#[test]
fn malformed_numbers_are_rejected() {
    let message = "Bitte geben Sie eine Zahl ein, zum Beispiel 12 oder 12,5.";
    let bad = "zwölf 12a 1_2 12, ,5 . 1,2,3 1.2.3 1.23,4 1,5.000 1.000,5.5 --3 +3 3- 1e3 0x10 NaN inf ½ ١٢ -";
    for typed in bad.split(' ').chain(["1 2", "- 3"]) {
        let expected = [("q_personen".into(), message.into())];
        assert_eq!(
            errors(1, &page2(&[("q_personen", typed)])),
            expected,
            "{typed}"
        );
    }
    assert_eq!(parse_number(&"9".repeat(16)), None);
    assert!(parse_number(&"9".repeat(15)).is_some());
}

#[test]
fn too_many_decimals_are_rejected() {
    let message = "Bitte geben Sie höchstens 1 Nachkommastelle an.";
    assert_error(1, &page2(&[("q_personen", "2,25")]), "q_personen", message);
    let message = "Bitte geben Sie eine ganze Zahl ein.";
    assert_error(1, &page2(&[("q_anzahl", "2,5")]), "q_anzahl", message);
    let message = "Bitte geben Sie höchstens 2 Nachkommastellen an.";
    assert_error(1, &page2(&[("q_betrag", "2,125")]), "q_betrag", message);
    let fields = page2(&[("q_betrag", "2,1200")]);
    assert_eq!(answer(1, &fields, "betrag"), Some(number("2.12")));
}

#[test]
fn numbers_out_of_range_are_rejected() {
    let both = "Bitte geben Sie eine Zahl von 0 bis 50 ein.";
    assert_error(1, &page2(&[("q_personen", "50,5")]), "q_personen", both);
    assert_error(1, &page2(&[("q_personen", "-1")]), "q_personen", both);
    for edge in ["0", "50"] {
        let fields = page2(&[("q_personen", edge)]);
        assert_eq!(answer(1, &fields, "personen"), Some(number(edge)));
    }
    let min = "Bitte geben Sie eine Zahl von mindestens 0,5 ein.";
    assert_error(1, &page2(&[("q_anzahl", "0")]), "q_anzahl", min);
    let max = "Bitte geben Sie eine Zahl von höchstens 1.000 ein.";
    assert_error(1, &page2(&[("q_betrag", "1000,01")]), "q_betrag", max);
}

#[test]
fn text_longer_than_max_length_is_rejected() {
    let message = "Bitte kürzen Sie Ihre Antwort auf höchstens 200 Zeichen (jetzt 250).";
    assert_error(
        1,
        &page2(&[("q_name", &"x".repeat(250))]),
        "q_name",
        message,
    );
    let message = "Bitte kürzen Sie Ihre Antwort auf höchstens 5.000 Zeichen (jetzt 5.001).";
    assert_error(
        1,
        &page2(&[("q_bemerkung", &"ü".repeat(5001))]),
        "q_bemerkung",
        message,
    );
    let fields = page2(&[("q_name", &format!("  {}  ", "ß".repeat(200)))]);
    assert_eq!(errors(1, &fields), []);
}

#[test]
fn whitespace_only_text_counts_as_empty() {
    let input = read(1, &page2(&[("q_bemerkung", " \r\n\t ")]));
    assert_eq!(input.errors, []);
    assert_eq!(input.answers.get("bemerkung"), None);
}

#[test]
fn text_is_trimmed_with_line_breaks_normalised() {
    let fields = page2(&[("q_bemerkung", "\r\n Zeile 1\r\nZeile 2\rZeile 3\0 \n")]);
    let expected = text("Zeile 1\nZeile 2\nZeile 3");
    assert_eq!(answer(1, &fields, "bemerkung"), Some(expected));
}

#[test]
fn dates_in_german_and_iso_notation_are_read() {
    for typed in ["05.05.2020", "5.5.2020", "2020-05-05", " 05.5.2020 "] {
        let fields = page2(&[("q_termin", typed)]);
        assert_eq!(
            answer(1, &fields, "termin"),
            Some(date(2020, 5, 5)),
            "{typed}"
        );
    }
}

#[test]
fn invalid_dates_are_rejected() {
    let message = "Bitte geben Sie ein Datum im Format TT.MM.JJJJ ein.";
    let bad = "31.02.2021 5.5.20 2020-5-5x 05/05/2020 morgen 05.05.2020. +5.5.2020 2020.05.05 \
                   05-05-2020 005.05.2020 2020-05 1.1.-200";
    for typed in bad.split_whitespace() {
        let expected = [("q_termin".into(), message.into())];
        assert_eq!(
            errors(1, &page2(&[("q_termin", typed)])),
            expected,
            "{typed}"
        );
    }
}

#[test]
fn dates_out_of_range_are_rejected() {
    let between = "Bitte geben Sie ein Datum zwischen dem 01.04.2020 und dem 31.12.2021 ein.";
    assert_error(
        1,
        &page2(&[("q_termin", "31.03.2020")]),
        "q_termin",
        between,
    );
    assert_error(
        1,
        &page2(&[("q_termin", "2022-01-01")]),
        "q_termin",
        between,
    );
    let fields = page2(&[("q_termin", "31.12.2021")]);
    assert_eq!(answer(1, &fields, "termin"), Some(date(2021, 12, 31)));
    let earliest = "Bitte geben Sie frühestens den 01.04.2020 an.";
    assert_error(1, &page2(&[("q_ab", "1.3.2020")]), "q_ab", earliest);
    let latest = "Bitte geben Sie spätestens den 31.12.2021 an.";
    assert_error(1, &page2(&[("q_bis", "1.1.2022")]), "q_bis", latest);
}

#[test]
fn land_must_be_one_of_the_16_laender() {
    let s = parse(OPEN);
    for code in ["DE-XX", "de-th", "Thüringen", "DE"] {
        let input = read_page(&s, 0, &form(&[("q_land", code)]), &Answers::new(), &none());
        assert_eq!(
            input.errors[0].message, "Diese Antwort gibt es nicht.",
            "{code}"
        );
    }
    let input = read_page(
        &s,
        0,
        &form(&[("q_land", " DE-TH ")]),
        &Answers::new(),
        &none(),
    );
    assert_eq!(input.errors, []);
    assert_eq!(
        input.answers["land"],
        Answer::Land {
            code: "DE-TH".into()
        }
    );
    let next = read_page(
        &s,
        1,
        &form(&[("q_thueringen", "ja")]),
        &input.answers,
        &none(),
    );
    assert_eq!(next.answers.get("thueringen"), Some(&text("ja")));
    let hessen = Answers::from([(
        "land".into(),
        Answer::Land {
            code: "DE-HE".into(),
        },
    )]);
    assert_eq!(visible_pages(&s, &hessen, &none()), [0]);
}

#[test]
fn hidden_questions_are_not_read_or_validated() {
    let s = survey();
    let earlier = read(0, &page1(&[("q_veraenderungen", "abgesagt")])).answers;
    let fields = form(&[("q_gruende", ""), ("q_webinar_details", &"x".repeat(300))]);
    let input = read_page(&s, 2, &fields, &earlier, &none());
    assert_eq!(input, PageInput::default());
    let earlier = read(0, &page1(&[("q_ausfall__schulen", "ganz")])).answers;
    let input = read_page(&s, 2, &fields, &earlier, &none());
    let questions: Vec<&str> = input
        .errors
        .iter()
        .map(|e| e.question_id.as_str())
        .collect();
    assert_eq!(questions, ["gruende", "webinar_details"]);
}

#[test]
fn empty_optional_questions_give_no_answer_and_no_error() {
    let empty = [
        ("q_anzahl", " "),
        ("q_betrag", ""),
        ("q_ab", ""),
        ("q_bemerkung", ""),
    ];
    let input = read(1, &page2(&empty));
    assert_eq!(input.errors, []);
    assert_eq!(ids(&input.answers), ["personen", "name", "termin"]);
    let input = read(0, &page1(&[("q_art", ""), ("q_art_other", "")]));
    assert_eq!((input.errors, input.answers.get("art")), (vec![], None));
}

#[test]
fn all_errors_are_reported_in_question_order_with_the_raw_values() {
    let fields = form(&[
        ("q_bis", "gestern"),
        ("q_personen", "viele"),
        ("q_name", " Anna "),
        ("q_betrag", "12,5"),
        ("q_lage", "gut"),
    ]);
    let input = read(1, &fields);
    let failed: Vec<&str> = input.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(failed, ["q_personen", "q_termin", "q_bis"]);
    assert_eq!(ids(&input.answers), ["betrag", "name"]);
    let mut expected = fields.clone();
    expected.remove("q_lage");
    assert_eq!(input.raw, expected);
    assert!(!input.is_valid());
}

#[test]
fn a_page_out_of_range_reads_nothing() {
    assert_eq!(read(99, &page1(&[])), PageInput::default());
    assert_eq!(
        visible_questions(&survey(), 99, &Answers::new(), &none()).len(),
        0
    );
}

#[test]
fn conditions_test_answers_rows_and_attributes() {
    let s = survey();
    let changes = [
        ("q_veraenderungen", "webinare"),
        ("q_ausfall__schulen", "ganz"),
    ];
    let answers = read(0, &page1(&changes)).answers;
    let cond = |id: &str| s.question(id).unwrap().show_if.clone();
    assert!(conditions_hold(&cond("gruende"), &answers, &none()));
    assert!(conditions_hold(&cond("webinar_details"), &answers, &none()));
    let both = cond("gut_warum");
    assert!(!conditions_hold(&both, &answers, &none()));
    assert!(conditions_hold(
        &both,
        &answers,
        &attrs(&[("land", " DE-TH ")])
    ));
    assert!(!conditions_hold(
        &both,
        &answers,
        &attrs(&[("land", "de-th")])
    ));
    assert!(!conditions_hold(
        &both,
        &Answers::new(),
        &attrs(&[("land", "DE-TH")])
    ));
    assert!(conditions_hold(&[], &Answers::new(), &none()));
    let page4 = &s.pages[3].show_if;
    assert!(conditions_hold(
        page4,
        &answers,
        &attrs(&[("landesnetzwerk", "ja")])
    ));
    assert!(!conditions_hold(
        page4,
        &answers,
        &attrs(&[("landesnetzwerk", "nein")])
    ));
    let wrong_type = Answers::from([("ausfall".into(), single("ganz", None))]);
    assert!(!conditions_hold(&cond("gruende"), &wrong_type, &none()));
}

#[test]
fn pages_are_shown_when_their_condition_holds_and_a_question_is_shown() {
    let s = survey();
    let answers = read(0, &page1(&[])).answers;
    assert_eq!(visible_pages(&s, &answers, &none()), [0, 1, 2]);
    let yes = attrs(&[("landesnetzwerk", "ja")]);
    assert_eq!(visible_pages(&s, &answers, &yes), [0, 1, 2, 3]);
    let shown = |p, a: &Attributes| -> Vec<String> {
        visible_questions(&s, p, &answers, a)
            .iter()
            .map(|q| q.id.clone())
            .collect()
    };
    assert_eq!(shown(2, &yes), ["webinar_details"]);
    assert_eq!(shown(3, &none()), Vec::<String>::new());
    let unsure = read(
        0,
        &page1(&[("q_lage", "99"), ("q_veraenderungen", "abgesagt")]),
    )
    .answers;
    assert_eq!(visible_pages(&s, &unsure, &none()), [0, 1, 4]);
}

#[test]
fn an_answer_sheet_shows_what_the_free_functions_show() {
    let s = survey();
    let yes = attrs(&[("landesnetzwerk", "ja")]);
    for answers in [
        read(0, &page1(&[])).answers,
        read(
            0,
            &page1(&[("q_lage", "99"), ("q_veraenderungen", "abgesagt")]),
        )
        .answers,
    ] {
        for attributes in [none(), yes.clone()] {
            let sheet = AnswerSheet::new(&s, &answers, &attributes);
            let pages = visible_pages(&s, &answers, &attributes);
            assert_eq!(sheet.visible_pages(), pages);
            for page in 0..s.pages.len() + 1 {
                let ids = |qs: Vec<&Question>| qs.iter().map(|q| q.id.clone()).collect::<Vec<_>>();
                assert_eq!(
                    ids(sheet.visible_questions(page)),
                    ids(visible_questions(&s, page, &answers, &attributes))
                );
            }
            assert_eq!(
                sheet.missing_required(),
                missing_required(&s, &answers, &attributes)
            );
            assert_eq!(
                sheet.shown_questions(),
                &shown_questions(&s, &answers, &attributes)
            );
        }
    }
}

#[test]
fn prune_hidden_drops_answers_of_hidden_and_unknown_questions() {
    let s = survey();
    let mut answers = read(0, &page1(&[("q_ausfall__schulen", "ganz")])).answers;
    answers.insert("gruende".into(), text("Lockdown"));
    answers.insert("webinar_details".into(), text("Löten"));
    answers.insert("geloescht".into(), text("alt"));
    answers.insert("landesangebote".into(), single("ja", None));
    let dropped = prune_hidden(&s, &mut answers, &none());
    assert_eq!(dropped, ["geloescht", "landesangebote"]);
    answers.insert("ausfall".into(), matrix(&[("kita", "ganz")]));
    let dropped = prune_hidden(&s, &mut answers, &attrs(&[("landesnetzwerk", "ja")]));
    assert_eq!(dropped, ["gruende"]);
    assert!(answers.contains_key("webinar_details"));
    assert_eq!(
        prune_hidden(&s, &mut answers, &none()),
        Vec::<String>::new()
    );
}

#[test]
fn a_stale_answer_to_a_hidden_question_shows_nothing_further() {
    let s = survey();
    let mut answers = read(0, &page1(&[("q_lage", "sehr_gut")])).answers;
    answers.insert("gut_warum_ja".into(), single("ja", None));
    assert_eq!(visible_pages(&s, &answers, &none()), [0, 1, 2, 5, 6]);
    answers.insert("lage".into(), single("gut", None));
    assert_eq!(visible_pages(&s, &answers, &none()), [0, 1, 2]);
    answers.insert("kette_ende".into(), text("x"));
    let dropped = prune_hidden(&s, &mut answers, &none());
    assert_eq!(dropped, ["gut_warum_ja", "kette_ende"]);
}

#[test]
fn missing_required_lists_required_questions_of_shown_pages() {
    let s = survey();
    let mut answers = read(0, &page1(&[("q_ausfall__schulen", "ganz")])).answers;
    let expected = [(1, "personen"), (1, "name"), (1, "termin"), (2, "gruende")];
    let expected = expected.map(|(p, q)| (p, q.to_owned()));
    assert_eq!(missing_required(&s, &answers, &none()), expected);
    answers.extend(read(1, &page2(&[])).answers);
    answers.insert("gruende".into(), text("Lockdown"));
    assert_eq!(missing_required(&s, &answers, &none()), []);
    answers.insert(
        "ausfall".into(),
        matrix(&[("kita", "nicht"), ("schulen", "ganz")]),
    );
    assert_eq!(
        missing_required(&s, &answers, &none()),
        [(0, "ausfall".into())]
    );
    answers.insert("lage".into(), text("gut"));
    assert_eq!(
        missing_required(&s, &answers, &none())[0],
        (0, "lage".into())
    );
}

#[test]
fn display_answer_shows_labels_units_and_dates() {
    let s = survey();
    let show = |id: &str, a: Answer| display_answer(s.question(id).unwrap(), &a);
    assert_eq!(show("lage", single("sehr_gut", None)), "sehr gut");
    let other = multiple(&["webinare", "sonstiges"], Some("Lernplattform"));
    assert_eq!(
        show("veraenderungen", other),
        "Webinare, Sonstiges: Lernplattform"
    );
    assert_eq!(
        show("art", single("sonstiges", Some("Stiftung"))),
        "Sonstiges: Stiftung"
    );
    assert_eq!(show("personen", number("12.5")), "12,5 Personen");
    assert_eq!(show("betrag", number("-1234.5")), "-1.234,5");
    assert_eq!(show("betrag", number("999")), "999");
    assert_eq!(show("termin", date(2020, 5, 5)), "05.05.2020");
    assert_eq!(show("name", text("Anna")), "Anna");
    let rows = matrix(&[("kita", "nicht"), ("labore", "na")]);
    assert_eq!(
        show("ausfall", rows),
        "Kita: nicht betroffen; Labore: trifft nicht zu"
    );
    assert_eq!(show("lage", single("weg", None)), "weg");
    let open = parse(OPEN);
    let land = display_answer(
        open.question("land").unwrap(),
        &Answer::Land {
            code: "DE-TH".into(),
        },
    );
    assert_eq!(land, "Thüringen");
}

#[test]
fn answers_serialise_with_a_type_tag() {
    let json = |a: Answer| serde_json::to_string(&a).unwrap();
    assert_eq!(
        json(single("ja", None)),
        r#"{"type":"single","code":"ja","other":null}"#
    );
    assert_eq!(
        json(matrix(&[("kita", "nicht")])),
        r#"{"type":"matrix","rows":{"kita":"nicht"}}"#
    );
    assert_eq!(
        json(date(2020, 5, 5)),
        r#"{"type":"date","value":"2020-05-05"}"#
    );
    assert_eq!(json(number("-3")), r#"{"type":"number","value":"-3"}"#);
}

/// A valid value for every question given, with `changes` (field, value) replacing some.
fn complete_form(questions: &[&Question], changes: &[(&str, &str)]) -> FormFields {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for q in questions {
        let first = |c: &Choices| c.options.iter().find(|o| !o.other).unwrap().code.clone();
        let mut put = |name: String, value: String| pairs.push((name, value));
        match &q.kind {
            QuestionKind::Single { choices } | QuestionKind::Multiple { choices, .. } => {
                put(field_name(&q.id), first(choices))
            }
            QuestionKind::Matrix { items, choices } => items
                .iter()
                .for_each(|i| put(matrix_field_name(&q.id, &i.id), first(choices))),
            QuestionKind::Number { .. } => put(field_name(&q.id), "1".into()),
            QuestionKind::Text { .. } | QuestionKind::LongText { .. } => {
                put(field_name(&q.id), "Antwort".into())
            }
            QuestionKind::Date { min, .. } => put(
                field_name(&q.id),
                min.map_or("05.05.2020".into(), german_date),
            ),
            QuestionKind::Land => put(field_name(&q.id), "DE-TH".into()),
        }
    }
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let known = changes
        .iter()
        .filter(|(n, _)| pairs.iter().any(|(p, _)| p == n));
    changed(&pairs, &known.copied().collect::<Vec<_>>())
}

/// Fills every shown page of `survey` in order, asserting that each is read without errors.
fn fill(survey: &Survey, attributes: &Attributes, changes: &[(&str, &str)]) -> Answers {
    let mut answers = Answers::new();
    for page in 0..survey.pages.len() {
        if !visible_pages(survey, &answers, attributes).contains(&page) {
            continue;
        }
        let shown = visible_questions(survey, page, &answers, attributes);
        let fields = complete_form(&shown, changes);
        let input = read_page(survey, page, &fields, &answers, attributes);
        assert_eq!(input.errors, [], "page {page}");
        assert_eq!(input.answers.len(), shown.len(), "page {page}");
        answers.extend(input.answers);
    }
    answers
}

#[test]
fn fruehjahr_2020_complete_forms_are_valid() {
    let s = parse(FRUEHJAHR);
    for network in ["ja", "nein"] {
        let attributes = attrs(&[("land", "DE-TH"), ("landesnetzwerk", network)]);
        let answers = fill(&s, &attributes, &[]);
        assert_eq!(missing_required(&s, &answers, &attributes), []);
        assert_eq!(
            answers.contains_key("landesnetzwerk_angebote"),
            network == "ja"
        );
        assert!(!answers.contains_key("existenz_hilfe"));
    }
}

#[test]
fn fruehjahr_2020_existenz_bedroht_shows_and_hides_the_follow_up() {
    let s = parse(FRUEHJAHR);
    let attributes = attrs(&[("land", "DE-BY"), ("landesnetzwerk", "nein")]);
    let support = s
        .pages
        .iter()
        .position(|p| p.id == "unterstuetzung")
        .unwrap();
    let follow_up = |answers: &Answers| {
        let shown = visible_questions(&s, support, answers, &attributes);
        shown.iter().any(|q| q.id == "existenz_hilfe")
    };
    let mut answers = fill(&s, &attributes, &[("q_existenz_bedroht", "ja")]);
    assert!(follow_up(&answers));
    assert_eq!(answers.get("existenz_hilfe"), Some(&text("Antwort")));
    answers.insert("existenz_bedroht".into(), single("nein", None));
    assert!(!follow_up(&answers));
    assert_eq!(
        prune_hidden(&s, &mut answers, &attributes),
        ["existenz_hilfe"]
    );
    assert_eq!(missing_required(&s, &answers, &attributes), []);
}

#[test]
fn one_form_reads_every_page_with_the_answers_before_it() {
    let s = parse(FRUEHJAHR);
    let attributes = attrs(&[("land", "DE-BY"), ("landesnetzwerk", "nein")]);
    // The answers the page flow would end with, posted at once (the follow-up typed in although
    // its condition fails, and a Land-network row although the attribute hides that page).
    let mut fields = FormFields::new();
    for page in 0..s.pages.len() {
        let none = Answers::new();
        for q in visible_questions(&s, page, &none, &attrs(&[("landesnetzwerk", "ja")])) {
            for name in field_names(q) {
                let value = match q.kind.choices() {
                    Some(c) => c.options[0].code.clone(),
                    None => "Antwort".to_owned(),
                };
                fields.insert(name, vec![value]);
            }
        }
    }
    fields.insert("q_existenz_bedroht".into(), vec!["nein".into()]);
    fields.insert("q_existenz_hilfe".into(), vec!["Antwort".into()]);
    let input = read_all(&s, &fields, &attributes);
    assert_eq!(input.errors, []);
    assert!(input.answers.contains_key("lage_gesamt"));
    assert!(!input.answers.contains_key("existenz_hilfe"));
    assert!(!input.answers.contains_key("landesnetzwerk_angebote"));
    assert!(input.raw.is_empty(), "a valid form needs no refilling");

    // With "ja" the follow-up is kept; without the first question, it is reported first.
    fields.insert("q_existenz_bedroht".into(), vec!["ja".into()]);
    fields.remove("q_lage_gesamt");
    let input = read_all(&s, &fields, &attributes);
    assert_eq!(input.answers.get("existenz_hilfe"), Some(&text("Antwort")));
    let ids: Vec<&str> = input
        .errors
        .iter()
        .map(|e| e.question_id.as_str())
        .collect();
    assert_eq!(ids, ["lage_gesamt"]);
    assert_eq!(
        input.raw, fields,
        "everything posted comes back to refill the form"
    );
}

#[test]
fn one_form_notes_say_when_a_follow_up_applies() {
    let s = parse(FRUEHJAHR);
    let question = s.question("existenz_hilfe").unwrap();
    assert_eq!(
        condition_note(&s, &question.show_if).as_deref(),
        Some(
            "Nur beantworten, wenn Sie bei „Ist die Existenz Ihres Netzwerks durch die \
                 Corona-Pandemie derzeit bedroht?“ „eher ja“ oder „ja“ gewählt haben."
        )
    );
    let shown = one_form_questions(&s, &attrs(&[("landesnetzwerk", "nein")]));
    assert!(
        shown
            .iter()
            .all(|(p, _)| s.pages[*p].id != "landesnetzwerk")
    );
    let shown = one_form_questions(&s, &attrs(&[("landesnetzwerk", "ja")]));
    assert!(
        shown
            .iter()
            .any(|(p, _)| s.pages[*p].id == "landesnetzwerk")
    );
}

/// Values a form could post: codes of the test surveys, numbers, dates and arbitrary text.
fn value() -> impl Strategy<Value = String> {
    let samples = "gut 99 sonstiges keine online webinare ganz na DE-TH 12,5 1.000 -0 \
                       31.12.2021 2020-02-30 ja eher_ja homeoffice";
    let samples: Vec<String> = samples.split_whitespace().map(Into::into).collect();
    prop_oneof![
        prop::sample::select(samples),
        "[0-9.,\\- ]{0,12}",
        any::<String>(),
    ]
}

/// Form fields named like the survey's (and a few others), with any values.
fn fields_for(survey: &Survey) -> impl Strategy<Value = FormFields> {
    let names: Vec<String> = survey
        .questions()
        .flat_map(|(_, q)| field_names(q))
        .collect();
    let name = prop_oneof![4 => prop::sample::select(names), 1 => any::<String>()];
    prop::collection::hash_map(name, prop::collection::vec(value(), 0..4), 0..16)
}

proptest! {
    #[test]
    fn read_page_never_panics_and_accepted_answers_round_trip(
        fields in fields_for(&survey()),
        page in 0usize..8,
        network in prop::bool::ANY,
    ) {
        let s = survey();
        let attributes = attrs(&[("landesnetzwerk", if network { "ja" } else { "nein" })]);
        let earlier = read_page(&s, 0, &fields, &Answers::new(), &attributes).answers;
        let input = read_page(&s, page, &fields, &earlier, &attributes);
        for (id, answer) in &input.answers {
            let json = serde_json::to_string(answer).unwrap();
            let back: Answer = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, answer);
            display_answer(s.question(id).unwrap(), answer);
        }
        for key in input.raw.keys() {
            prop_assert!(fields.contains_key(key));
        }
    }

    #[test]
    fn fruehjahr_2020_pages_never_panic(fields in fields_for(&parse(FRUEHJAHR)), page in 0usize..7) {
        let s = parse(FRUEHJAHR);
        let attributes = attrs(&[("landesnetzwerk", "ja")]);
        let input = read_page(&s, page, &fields, &Answers::new(), &attributes);
        let json = serde_json::to_string(&input.answers).unwrap();
        let back: Answers = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, input.answers);
    }

    #[test]
    fn accepted_numbers_are_normalised_and_read_again_unchanged(typed in "-?[0-9.,]{1,20}") {
        if let Some((value, digits)) = parse_number(&typed) {
            // A stored number is shown again in German notation (decimal comma): reading that
            // back gives the same value. ("1.001" alone would read as one thousand and one.)
            let shown = value.replace('.', ",");
            prop_assert_eq!(parse_number(&shown), Some((value.clone(), digits)));
            prop_assert!(value.parse::<f64>().is_ok());
        }
    }
}
