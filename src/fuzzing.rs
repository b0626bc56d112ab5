//! Checks for fuzzing the readers of untrusted input: each function takes arbitrary bytes, runs
//! one reader the way the application does, and panics when the reader panics or breaks one of
//! its promises. The targets in `fuzz/` (cargo-fuzz, libFuzzer) are one call each; the tests below
//! run every check over the seeds in `fuzz/seeds/` and random mutations of them, so that `cargo
//! test` exercises each one briefly on stable Rust.
//!
//! - [`definition`]: a survey definition, read as TOML and as JSON ([`parse_definition`]).
//! - [`participants`]: a participants file ([`read_participants`]).
//! - [`form`]: a questionnaire form body, read page by page and as one form ([`read_page`],
//!   [`read_all`]).
//! - [`multipart`]: a multipart upload ([`crate::web::upload::read`]).

use std::future::Future;
use std::pin::pin;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::web::Bytes;
use chrono::NaiveDate;

use crate::participants::{ImportTarget, ParticipantsFile, read_participants};
use crate::survey::answers::{
    Answer, Answers, Attributes, FormFields, MAX_OTHER_LENGTH, PageInput, field_names, read_all,
    read_page, visible_questions,
};
use crate::survey::{
    Diagnostic, Format, LAENDER, Question, QuestionKind, Survey, parse_definition,
};
use crate::web::errors::AppError;
use crate::web::respondent::view::Values;
use crate::web::upload::{self, Body, Upload};

/// Reads `bytes` as a TOML and as a JSON definition: every problem is located within the text
/// (sorted, without duplicates); an accepted survey survives the store's round trip through JSON
/// unchanged; a TOML definition that is accepted is accepted as its JSON twin too, as the same
/// survey.
pub fn definition(bytes: &[u8]) {
    let toml = parse_definition("fuzz.toml", bytes, Format::Toml);
    let json = parse_definition("fuzz.json", bytes, Format::Json);
    for (file, result) in [("fuzz.toml", &toml), ("fuzz.json", &json)] {
        match result {
            Ok(survey) => stored_unchanged(survey),
            Err(problems) => problems_located(file, bytes, problems),
        }
    }
    if let Ok(survey) = &toml
        && let Some(twin) = json_twin(bytes)
    {
        match parse_definition("twin.json", twin.as_bytes(), Format::Json) {
            Ok(read) => assert_eq!(&read, survey, "the JSON twin reads differently:\n{twin}"),
            Err(problems) => panic!("the JSON twin is refused: {problems:?}\n{twin}"),
        }
    }
}

/// The store keeps a survey as JSON (`serde_json::to_value`) and reads it back with serde.
fn stored_unchanged(survey: &Survey) {
    let stored = serde_json::to_value(survey).unwrap_or_else(|e| panic!("not storable: {e}"));
    let read: Survey =
        serde_json::from_value(stored.clone()).unwrap_or_else(|e| panic!("not readable: {e}"));
    assert_eq!(
        &read, survey,
        "the stored survey reads back differently: {stored}"
    );
}

fn problems_located(file: &str, bytes: &[u8], problems: &[Diagnostic]) {
    assert!(!problems.is_empty(), "refused without a problem");
    assert!(
        problems.is_sorted() && problems.windows(2).all(|w| w[0] != w[1]),
        "problems not sorted or repeated: {problems:?}"
    );
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    for problem in problems {
        assert_eq!(problem.file, file);
        assert!(
            !problem.message.is_empty() && !problem.german.is_empty(),
            "{problem:?}"
        );
        let line = problem.line.checked_sub(1).and_then(|i| lines.get(i));
        let Some(line) = line else {
            panic!("line {} of {}: {problem:?}", problem.line, lines.len());
        };
        // Columns count characters; a line that is no UTF-8 has at most as many as its bytes.
        let width = std::str::from_utf8(line).map_or(line.len(), |l| l.chars().count());
        assert!(
            (1..=width + 1).contains(&problem.column),
            "column {} of a line of {width} characters: {problem:?}",
            problem.column
        );
    }
}

/// The definition as JSON with the same structure (what a user converting it would write), or
/// `None` when the toml crate does not read it or it has what JSON cannot say (dates, NaN).
fn json_twin(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let value: serde_json::Value = toml::from_str(text).ok()?;
    let twin = serde_json::to_string_pretty(&value).ok()?;
    // The toml crate's serde form of a date; JSON definitions write dates as strings.
    (!twin.contains("$__toml_private_datetime")).then_some(twin)
}

/// Reads `bytes` as a participants file: rows or problems, never both for one line, each problem at
/// a line of the file, in line order; valid rows at distinct lines after the header, with a Land, a region
/// and an address; the same file imported again finds every row in the wave; UTF-8 reads the
/// same with a byte order mark.
pub fn participants(bytes: &[u8]) {
    let file = read_participants(bytes, &ImportTarget::default());
    let lines = line_count(bytes);
    assert!(
        !file.rows.is_empty() || !file.errors.is_empty(),
        "neither rows nor errors"
    );
    for row in &file.rows {
        let refused = file.errors.iter().any(|e| e.line == row.line);
        assert!(
            !refused,
            "line {} is a row and has errors: {file:?}",
            row.line
        );
    }
    // The import stores the rows only when there are no errors.
    let parsed = crate::participants::parse_participants(bytes);
    assert_eq!(parsed.is_ok(), file.errors.is_empty());
    for error in &file.errors {
        // A file whose last line is the header has no participants "on the line after it".
        assert!(
            (1..=lines + 1).contains(&error.line),
            "line {} of {lines}: {error:?}",
            error.line
        );
        assert!(!error.message.is_empty() && !error.german.is_empty());
    }
    assert!(
        file.errors.is_sorted_by_key(|e| e.line),
        "errors not in line order: {:?}",
        file.errors
    );
    for row in &file.rows {
        assert!((2..=lines).contains(&row.line), "row at line {}", row.line);
        assert!(LAENDER.iter().any(|(code, _)| *code == row.land_code));
        assert!(!row.region.is_empty() && row.region.trim() == row.region);
        assert!(row.email.contains('@') && row.email.trim() == row.email);
        assert!(!row.in_wave);
    }
    assert!(
        file.rows.windows(2).all(|w| w[0].line < w[1].line),
        "rows not at increasing lines: {:?}",
        file.rows
    );
    if file.rows.is_empty() || !file.errors.is_empty() {
        return;
    }
    again_in_wave(bytes, &file);
    if file.encoding == crate::participants::Encoding::Utf8 && !bytes.starts_with(b"\xEF\xBB\xBF") {
        let marked = [b"\xEF\xBB\xBF", bytes].concat();
        let again = read_participants(&marked, &ImportTarget::default());
        assert_eq!(again, file, "a byte order mark changes the rows");
    }
}

/// Importing the same file into the wave it was imported into finds every row there.
fn again_in_wave(bytes: &[u8], file: &ParticipantsFile) {
    let target = ImportTarget {
        contacts: (file.rows.iter())
            .map(|row| (row.email.to_lowercase(), row.region.clone()))
            .collect(),
        ..ImportTarget::default()
    };
    let again = read_participants(bytes, &target);
    assert!(
        again.errors.is_empty(),
        "imported again: {:?}",
        again.errors
    );
    let expected: Vec<_> = (file.rows.iter().cloned())
        .map(|row| crate::participants::ParticipantRow {
            in_wave: true,
            ..row
        })
        .collect();
    assert_eq!(again.rows, expected, "imported again, rows differ");
}

/// Lines of a file as a text editor counts them (LF, CRLF and a lone CR end a line).
fn line_count(bytes: &[u8]) -> usize {
    let breaks = (0..bytes.len())
        .filter(|&i| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    breaks + 1
}

/// The surveys a form is read against: the shipped ones and one with every kind of question.
static SURVEYS: LazyLock<Vec<Survey>> = LazyLock::new(|| {
    let sources = [
        include_str!("../surveys/fruehjahr-2020.toml"),
        include_str!("../surveys/herbst-2020.toml"),
        include_str!("../surveys/herbst-2020-akteure.toml"),
        ALL_KINDS,
    ];
    (sources.iter())
        .map(
            |text| match parse_definition("s.toml", text.as_bytes(), Format::Toml) {
                Ok(survey) => survey,
                Err(problems) => panic!("{problems:?}"),
            },
        )
        .collect()
});

/// A survey with every kind of question, bounds and conditions, for [`form`].
const ALL_KINDS: &str = r#"
id = "alle-arten"
title = "Alle Fragearten"
access = "open"

[[pages]]
id = "p1"
title = "Eins"

[[pages.questions]]
id = "land"
type = "land"
text = "Land?"
required = true

[[pages.questions]]
id = "zahl"
type = "number"
text = "Wie viele?"
min = -10
max = 1000.5
decimals = 2

[[pages.questions]]
id = "ganz"
type = "number"
text = "Ganze Zahl?"
required = true

[[pages.questions]]
id = "datum"
type = "date"
text = "Wann?"
min = 2020-04-01
max = 2021-12-31

[[pages.questions]]
id = "name"
type = "text"
text = "Name?"
max_length = 12

[[pages]]
id = "p2"
title = "Zwei"
show_if = [{ question = "land", any_of = ["DE-TH", "DE-SN"] }]

[[pages.questions]]
id = "eins"
type = "single"
text = "Eine?"
required = true
options = [
  { code = "a", label = "A" },
  { code = "s", label = "Sonstiges", other = true },
]

[[pages.questions]]
id = "raster"
type = "matrix"
text = "Wie?"
required = true
items = [{ id = "i1", label = "I1" }, { id = "i2", label = "I2" }]
options = [{ code = "1", label = "gut" }, { code = "2", label = "schlecht" }]

[[pages.questions]]
id = "lang"
type = "long_text"
text = "Sonst?"
max_length = 40

[[pages]]
id = "p3"
title = "Drei"

[[pages.questions]]
id = "viele"
type = "multiple"
text = "Welche?"
max_choices = 2
show_if = [{ question = "eins", any_of = ["s"] }]
options = [
  { code = "x", label = "X" },
  { code = "y", label = "Y" },
  { code = "z", label = "Z", other = true },
  { code = "k", label = "keine", exclusive = true },
]
"#;

/// Reads `bytes` as a posted questionnaire form (urlencoded, as `web::Form` decodes it, grouped by
/// field name as the questionnaire does) against one of the surveys (chosen by the first byte),
/// page by page and as one form: no panic; answers only to shown questions, each valid for its
/// question; at most one problem per question; a page reads the same from the fields it keeps for
/// showing them again; an answer shown again in the form reads back as the same answer.
pub fn form(bytes: &[u8]) {
    let Some((&choice, body)) = bytes.split_first() else {
        return;
    };
    let survey = &SURVEYS[usize::from(choice) % SURVEYS.len()];
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else {
        return;
    };
    let mut fields = FormFields::new();
    for (name, value) in pairs {
        fields.entry(name).or_default().push(value);
    }
    let mut attributes = Attributes::new();
    if let Some(land) = fields.get("land").and_then(|v| v.first()) {
        attributes.insert("land".to_owned(), land.clone());
    }

    let all = read_all(survey, &fields, &attributes);
    answers_valid(survey, &all.answers, &all);
    if !all.is_valid() {
        assert_eq!(
            all.raw, fields,
            "a form with errors keeps everything posted"
        );
    }
    for page in 0..survey.pages.len() {
        let input = read_page(survey, page, &fields, &all.answers, &attributes);
        let shown = visible_questions(survey, page, &all.answers, &attributes);
        for id in input.answers.keys() {
            assert!(shown.iter().any(|q| &q.id == id), "answer to hidden {id}");
        }
        for error in &input.errors {
            assert!(shown.iter().any(|q| q.id == error.question_id), "{error:?}");
        }
        answers_valid(survey, &input.answers, &input);
        let kept = read_page(survey, page, &input.raw, &all.answers, &attributes);
        assert_eq!(
            kept, input,
            "the page reads differently from the fields it keeps"
        );
        shown_again(survey, page, &input.answers, &all.answers, &attributes);
    }
}

/// Every answer belongs to a question and is valid for it; at most one problem per question.
fn answers_valid(survey: &Survey, answers: &Answers, input: &PageInput) {
    let mut ids: Vec<&str> = input
        .errors
        .iter()
        .map(|e| e.question_id.as_str())
        .collect();
    ids.sort_unstable();
    assert!(
        ids.windows(2).all(|w| w[0] != w[1]),
        "more than one problem for a question: {:?}",
        input.errors
    );
    for (id, answer) in answers {
        let question = survey.questions().map(|(_, q)| q).find(|q| &q.id == id);
        let Some(question) = question else {
            panic!("answer to an unknown question {id}");
        };
        // A required answer may be incomplete (a matrix with rows left open) only together with
        // the gap reported for it: saving for later keeps what was given.
        let gap = input
            .errors
            .iter()
            .any(|e| e.question_id == *id && e.missing);
        answer_valid(question, answer, gap);
    }
}

fn answer_valid(question: &Question, answer: &Answer, gap: bool) {
    let codes = |choices: &crate::survey::Choices| -> Vec<String> {
        choices.options.iter().map(|o| o.code.clone()).collect()
    };
    let other_ok = |other: &Option<String>, wanted: bool| {
        assert_eq!(other.is_some(), wanted, "{answer:?}");
        if let Some(text) = other {
            assert!(!text.is_empty() && text.chars().count() <= MAX_OTHER_LENGTH);
        }
    };
    match (&question.kind, answer) {
        (QuestionKind::Single { choices }, Answer::Single { code, other }) => {
            let option = choices.options.iter().find(|o| &o.code == code);
            let Some(option) = option else {
                panic!("{answer:?}")
            };
            other_ok(other, option.other);
        }
        (
            QuestionKind::Multiple {
                choices,
                max_choices,
            },
            Answer::Multiple {
                codes: chosen,
                other,
            },
        ) => {
            let all = codes(choices);
            let in_order: Vec<&String> = all.iter().filter(|c| chosen.contains(c)).collect();
            assert!(!chosen.is_empty(), "{answer:?}");
            assert!(in_order.len() == chosen.len(), "{answer:?}");
            assert!(
                in_order.iter().zip(chosen).all(|(a, b)| *a == b),
                "{answer:?}"
            );
            assert!(max_choices.is_none_or(|max| chosen.len() <= max as usize));
            let ticked = || choices.options.iter().filter(|o| chosen.contains(&o.code));
            assert!(
                chosen.len() == 1 || !ticked().any(|o| o.exclusive),
                "{answer:?}"
            );
            other_ok(other, ticked().any(|o| o.other));
        }
        (QuestionKind::Matrix { items, choices }, Answer::Matrix { rows }) => {
            let all = codes(choices);
            assert!(!rows.is_empty());
            assert!(
                !question.required || rows.len() == items.len() || gap,
                "{answer:?}"
            );
            let item_ids: Vec<&String> = items.iter().map(|i| &i.id).collect();
            let in_order: Vec<&String> = item_ids
                .into_iter()
                .filter(|i| rows.contains_key(*i))
                .collect();
            assert!(in_order.iter().copied().eq(rows.keys()), "{answer:?}");
            assert!(rows.values().all(|c| all.contains(c)), "{answer:?}");
        }
        (
            QuestionKind::Number {
                min, max, decimals, ..
            },
            Answer::Number { value },
        ) => {
            let number: f64 = value.parse().unwrap_or_else(|_| panic!("{answer:?}"));
            assert!(
                min.is_none_or(|m| !m.is_finite() || number >= m),
                "{answer:?}"
            );
            assert!(
                max.is_none_or(|m| !m.is_finite() || number <= m),
                "{answer:?}"
            );
            let unsigned = value.strip_prefix('-').unwrap_or(value);
            let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
            assert!(fraction.len() <= usize::from(*decimals), "{answer:?}");
            assert!(!fraction.ends_with('0'), "{answer:?}");
            assert!(!value.ends_with('.'), "{answer:?}");
            assert!(integer == "0" || !integer.starts_with('0'), "{answer:?}");
            assert!(!integer.is_empty() && integer.chars().all(|c| c.is_ascii_digit()));
            assert!(value != "-0", "{answer:?}");
        }
        (
            QuestionKind::Text { max_length } | QuestionKind::LongText { max_length },
            Answer::Text { value },
        ) => {
            assert!(!value.is_empty() && value.trim() == value, "{answer:?}");
            assert!(value.chars().count() <= *max_length as usize, "{answer:?}");
            let control = |c: char| c.is_control() && c != '\n' && c != '\t';
            assert!(!value.chars().any(control), "{answer:?}");
        }
        (QuestionKind::Date { min, max }, Answer::Date { value }) => {
            let in_range = |d: NaiveDate| min.is_none_or(|m| d >= m) && max.is_none_or(|m| d <= m);
            assert!(in_range(*value), "{answer:?}");
        }
        (QuestionKind::Land, Answer::Land { code }) => {
            assert!(LAENDER.iter().any(|(c, _)| c == code), "{answer:?}");
        }
        _ => panic!("{answer:?} answers a {:?}", question.kind),
    }
}

/// The page's answers, shown again in the form (as for changing them) and posted unchanged, read
/// back as the same answers without problems.
fn shown_again(
    survey: &Survey,
    page: usize,
    page_answers: &Answers,
    answers: &Answers,
    attributes: &Attributes,
) {
    let values = Values::Stored(page_answers);
    let mut fields = FormFields::new();
    for question in visible_questions(survey, page, answers, attributes) {
        for name in field_names(question) {
            let shown = values.of(question, &name);
            if !shown.is_empty() {
                fields.insert(name, shown);
            }
        }
    }
    let again = read_page(survey, page, &fields, answers, attributes);
    // Required questions left unanswered (or a required matrix with rows left open) stay so;
    // everything answered must read back unchanged, with no wrong entry.
    let errors: Vec<_> = (again.errors.iter())
        .filter(|e| page_answers.contains_key(&e.question_id) && !e.missing)
        .collect();
    assert!(
        errors.is_empty(),
        "shown again, answers are refused: {errors:?}"
    );
    assert_eq!(
        &again.answers, page_answers,
        "shown again, answers read differently"
    );
}

/// The form field [`multipart`] reads as the file, as the upload pages do.
const FILE_FIELD: &str = "datei";

/// The boundary of [`multipart`]'s bodies.
pub const BOUNDARY: &str = "XyZ-1";

/// Reads `bytes` as a multipart body with boundary [`BOUNDARY`] (the first byte chooses the size
/// of the chunks it arrives in and the field limit): the reader finishes without waiting on a
/// body that is all there; the result does not depend on the chunk size; fields and file keep the
/// limit, and the file name has no folder.
pub fn multipart(bytes: &[u8]) {
    let Some((&choice, body)) = bytes.split_first() else {
        return;
    };
    let limit = if choice & 0x80 == 0 { 1024 } else { 16 };
    let chunk = usize::from(choice & 0x7F) + 1;
    let whole = read_multipart(body, body.len().max(1), limit);
    let chunked = read_multipart(body, chunk, limit);
    assert_eq!(
        summary(&whole),
        summary(&chunked),
        "the result depends on the chunk size ({chunk})"
    );
    if let Ok(upload) = &whole {
        assert!(upload.file.len() <= limit);
        assert!(!upload.oversized || upload.file.is_empty());
        assert!(!upload.file_name.contains(['/', '\\']), "{upload:?}");
        for value in upload.fields.values() {
            // Lossy decoding makes at most three bytes (U+FFFD) of one.
            assert!(value.len() <= 3 * limit);
        }
    }
}

fn read_multipart(body: &[u8], chunk: usize, limit: usize) -> Result<Upload, AppError> {
    let mut headers = HeaderMap::new();
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let content_type = HeaderValue::from_str(&content_type).unwrap_or_else(|_| unreachable!());
    headers.insert(header::CONTENT_TYPE, content_type);
    let chunks: Vec<Result<Bytes, PayloadError>> = (body.chunks(chunk))
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let stream = futures_util::stream::iter(chunks);
    run_ready(upload::read(Body::new(&headers, stream), FILE_FIELD, limit))
}

/// What a read gave, comparable.
fn summary(result: &Result<Upload, AppError>) -> String {
    match result {
        Ok(upload) => {
            let mut fields: Vec<_> = upload.fields.iter().collect();
            fields.sort();
            format!(
                "ok {fields:?} {:?} {:?} {}",
                upload.file_name, upload.file, upload.oversized
            )
        }
        Err(error) => format!("error {error:?}"),
    }
}

/// Runs a future whose input is all in memory: it must finish without waiting.
fn run_ready<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(value) = future.as_mut().poll(&mut context) {
            return value;
        }
    }
    panic!("the reader waits on a body that is all there");
}

/// The seed files of `fuzz/seeds/<target>/` (for `definition` also the shipped surveys in
/// `surveys/`), for the tests.
#[cfg(test)]
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let project = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let folder = project.join("fuzz/seeds").join(target);
    let mut folders = vec![folder.clone()];
    if target == "definition" {
        folders.push(project.join("surveys"));
    }
    let mut files: Vec<_> = (folders.iter())
        .flat_map(|folder| {
            std::fs::read_dir(folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        })
        .map(|entry| entry.map(|e| e.path()).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = (files.iter())
        .map(|path| std::fs::read(path).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert!(!seeds.is_empty(), "no seeds in {}", folder.display());
    seeds
}

#[cfg(test)]
mod tests;
