//! The German texts of the checker's problems, as the admin page `/admin/umfragen` shows them.

use super::tests::{BASE, with_page_two};
use super::*;

fn german(bytes: &[u8], format: Format) -> Vec<String> {
    match parse_definition("t.toml", bytes, format) {
        Ok(survey) => panic!("accepted: {survey:?}"),
        Err(found) => found.iter().map(Bilingual::german).collect(),
    }
}

#[track_caller]
fn assert_german(text: &str, expected: &str) {
    assert_eq!(german(text.as_bytes(), Format::Toml), [expected]);
}

#[test]
fn unknown_key_with_a_suggestion_in_german() {
    let text = BASE.replace("text = \"Frage 1\"", "text = \"Frage 1\"\nrequird = true");
    assert_german(
        &text,
        "t.toml, Zeile 12, Spalte 1: unbekannter Schlüssel „requird“ in der Frage „q1“ (gemeint ist wohl „required“)",
    );
}

#[test]
fn duplicate_question_id_in_german() {
    let text = with_page_two("id = \"q1\"\ntype = \"text\"\ntext = \"Noch einmal\"");
    assert_german(
        &text,
        "t.toml, Zeile 22, Spalte 6: die Fragen-ID „q1“ kommt doppelt vor (zuerst auf Seite 1)",
    );
}

#[test]
fn condition_naming_a_later_question_in_german() {
    let text = BASE.replace(
        "text = \"Frage 1\"",
        "text = \"Frage 1\"\nshow_if = { question = \"q2\", any_of = [\"a\"] }",
    );
    let text = with_page_two(
        "id = \"q2\"\ntype = \"single\"\ntext = \"x\"\noptions = [{ code = \"a\", label = \"A\" }]",
    )
    .replace(BASE, &text);
    assert_german(
        &text,
        "t.toml, Zeile 12, Spalte 24: in der Frage „q1“ nennt die Bedingung die Frage „q2“, die erst später kommt (Seite 2); eine Bedingung kann nur Fragen früherer Seiten nennen",
    );
}

#[test]
fn min_greater_than_max_in_german() {
    let text =
        with_page_two("id = \"n\"\ntype = \"number\"\ntext = \"Wie viele?\"\nmin = 10\nmax = 1");
    assert_german(
        &text,
        "t.toml, Zeile 25, Spalte 7: „min“ (10) ist größer als „max“ (1) in der Frage „n“",
    );
}

#[test]
fn toml_syntax_error_in_german() {
    let text = BASE.replace("title = \"Kleine Umfrage\"", "title = \"Kleine Umfrage");
    assert_german(
        &text,
        "t.toml, Zeile 2, Spalte 24: die Datei ist kein gültiges TOML: ein Text ist nicht abgeschlossen (das schließende Anführungszeichen fehlt)",
    );
}

#[test]
fn missing_equals_sign_in_german() {
    let text = BASE.replace("title = \"Kleine Umfrage\"", "title \"Kleine Umfrage\"");
    assert_german(
        &text,
        "t.toml, Zeile 2, Spalte 7: die Datei ist kein gültiges TOML: nach dem Schlüssel fehlen das „=“ und der Wert",
    );
}

#[test]
fn text_that_is_not_utf8_in_german() {
    let mut bytes = BASE.as_bytes().to_vec();
    let at = BASE.find("Frage").unwrap() + 2;
    bytes[at] = 0xE4; // "ä" in Windows-1252
    assert_eq!(
        german(&bytes, Format::Toml),
        [
            "t.toml, Zeile 11, Spalte 11: die Datei ist nicht in UTF-8 gespeichert (Byte 0xE4); speichern Sie sie im Editor mit der Kodierung UTF-8"
        ]
    );
}

#[test]
fn an_unknown_toml_error_keeps_the_library_text_behind_a_german_lead() {
    let text = BASE.replace("title = \"Kleine Umfrage\"", "datum = 2020-13-45");
    let found = german(text.as_bytes(), Format::Toml);
    assert!(
        found[0].starts_with(
            "t.toml, Zeile 2, Spalte 9: die Datei ist kein gültiges TOML (Meldung des TOML-Lesers: invalid date"
        ),
        "{found:?}"
    );
}

#[test]
fn json_syntax_error_in_german() {
    assert_eq!(
        german(br#"{"id": "x",}"#, Format::Json),
        ["t.toml, Zeile 1, Spalte 11: überzähliges Komma vor „}“"]
    );
}

#[test]
fn the_english_stays_as_the_command_line_prints_it() {
    let text = BASE.replace("text = \"Frage 1\"", "text = \"Frage 1\"\nrequird = true");
    let found = parse_definition("t.toml", text.as_bytes(), Format::Toml).unwrap_err();
    assert_eq!(found[0].english(), found[0].to_string());
}

/// Many kinds of broken definitions at once: every problem has German of its own, with keys in
/// „…“ and none of the English backticks.
#[test]
fn every_problem_has_its_own_german_text() {
    let broken = [
        BASE.replace("id = \"p1\"", "id = \"P1\"\nshow_if = { item = \"x\" }"),
        BASE.replace("type = \"single\"", "type = \"matrx\""),
        BASE.replace(
            "code = \"b\"",
            "code = \"a\"\nvalue = \"x\"\nmissing = true",
        ),
        BASE.replace(
            "title = \"Kleine Umfrage\"",
            "title = \" \"\naccess = \"offen\"\nscales = 3",
        ),
        with_page_two(
            "id = \"n\"\ntype = \"date\"\ntext = \"\"\nmin = 2020-05-05\nmax = \"2020-13-01\"",
        ),
        with_page_two(
            "id = \"m\"\ntype = \"matrix\"\ntext = \"x\"\nitems = []\nscale = \"gibtsnicht\"",
        ),
        with_page_two(
            "id = \"q2\"\ntype = \"multiple\"\ntext = \"x\"\nmax_choices = 5\nshow_if = { question = \"q1\", any_of = [\"c\"], attribute = \"land\" }\noptions = [{ code = \"ä\", label = \"\", exclusive = true, other = 1 }]",
        ),
        with_page_two(
            "id = \"q3\"\ntype = \"text\"\ntext = \"x\"\nmax_length = 0\nshow_if = { attribute = \"bereich\", any_of = [] }",
        ),
    ];
    for text in broken {
        let found = parse_definition("t.toml", text.as_bytes(), Format::Toml).unwrap_err();
        assert!(!found.is_empty());
        for problem in found {
            assert_ne!(problem.german, problem.message, "{problem}");
            assert!(!problem.german.contains('`'), "{}", problem.german);
            assert!(!problem.german.is_empty(), "{problem}");
        }
    }
}
