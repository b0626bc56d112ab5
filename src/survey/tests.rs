//! Every kind of broken definition, with the exact place and message the checker gives.

use super::*;

/// The smallest valid definition; the integration tests use the same file.
pub(super) const BASE: &str = include_str!("../../tests/fixtures/minimal.toml");

/// BASE plus a second page whose only question is `question` (TOML keys, one per line).
pub(super) fn with_page_two(question: &str) -> String {
    format!(
        "{BASE}\n[[pages]]\nid = \"p2\"\ntitle = \"Seite 2\"\n\n[[pages.questions]]\n{question}\n"
    )
}

fn problems(text: &str) -> Vec<String> {
    match parse_definition("t.toml", text.as_bytes(), Format::Toml) {
        Ok(survey) => panic!("accepted: {survey:?}"),
        Err(found) => found.iter().map(ToString::to_string).collect(),
    }
}

#[track_caller]
fn assert_one(text: &str, expected: &str) {
    assert_eq!(problems(text), [expected]);
}

#[test]
fn the_base_definition_is_valid() {
    let survey = parse_definition("t.toml", BASE.as_bytes(), Format::Toml).unwrap();
    assert_eq!(survey.questions().count(), 1);
}

#[test]
fn toml_syntax_error_names_its_line() {
    let text = BASE.replace("title = \"Kleine Umfrage\"", "title = \"Kleine Umfrage");
    assert_one(&text, "t.toml:2:24: invalid basic string, expected `\"`");
}

#[test]
fn misspelt_key_is_named_with_a_suggestion() {
    let text = BASE.replace("text = \"Frage 1\"", "text = \"Frage 1\"\nrequird = true");
    assert_one(
        &text,
        "t.toml:12:1: unknown key `requird` in question `q1` (did you mean `required`?)",
    );
}

#[test]
fn unknown_question_type_lists_the_known_ones() {
    let text = BASE.replace("type = \"single\"", "type = \"matrx\"");
    assert_one(
        &text,
        "t.toml:10:8: unknown question type `matrx` (did you mean `matrix`?); expected one of single, multiple, matrix, number, text, long_text, date, land",
    );
}

#[test]
fn duplicate_question_id_points_at_the_second() {
    let text = with_page_two("id = \"q1\"\ntype = \"text\"\ntext = \"Noch einmal\"");
    assert_one(
        &text,
        "t.toml:22:6: duplicate question id `q1` (first used on page 1)",
    );
}

#[test]
fn duplicate_option_code_points_at_the_second() {
    let text = BASE.replace("code = \"b\"", "code = \"a\"");
    assert_one(
        &text,
        "t.toml:14:12: duplicate option code `a` in question `q1`",
    );
}

#[test]
fn condition_naming_an_unknown_question_is_reported() {
    let text = with_page_two(
        "id = \"q2\"\ntype = \"text\"\ntext = \"x\"\nshow_if = { question = \"q7\", any_of = [\"a\"] }",
    );
    assert_one(
        &text,
        "t.toml:25:24: condition of question `q2` names question `q7` (did you mean `q1`?), which does not exist",
    );
}

#[test]
fn condition_naming_an_unknown_option_suggests_one() {
    let text = with_page_two(
        "id = \"q2\"\ntype = \"text\"\ntext = \"x\"\nshow_if = { question = \"q1\", any_of = [\"b\", \"c\"] }",
    );
    assert_one(
        &text,
        "t.toml:25:45: question `q1` has no option `c` (did you mean `a`?)",
    );
}

#[test]
fn condition_naming_a_later_question_is_reported() {
    let text = BASE.replace(
        "text = \"Frage 1\"",
        "text = \"Frage 1\"\nshow_if = { question = \"q2\", any_of = [\"a\"] }",
    );
    let text = with_page_two(
        "id = \"q2\"\ntype = \"single\"\ntext = \"x\"\noptions = [{ code = \"a\", label = \"A\" }]",
    )
    .replace(BASE, &text);
    assert_one(
        &text,
        "t.toml:12:24: condition of question `q1` names question `q2`, which comes later (page 2); a condition can only name a question on an earlier page",
    );
}

#[test]
fn condition_on_the_same_page_is_reported() {
    let text = format!(
        "{BASE}\n[[pages.questions]]\nid = \"q2\"\ntype = \"text\"\ntext = \"x\"\nshow_if = {{ question = \"q1\", any_of = [\"a\"] }}\n"
    );
    assert_one(
        &text,
        "t.toml:21:24: condition of question `q2` names question `q1`, which is on the same page (page 1); a condition can only name a question on an earlier page",
    );
}

#[test]
fn empty_choice_list_is_reported() {
    let text = BASE.replace(
        "options = [\n  { code = \"a\", label = \"A\" },\n  { code = \"b\", label = \"B\" },\n]",
        "options = []",
    );
    assert_one(&text, "t.toml:12:11: question `q1` has no options");
}

#[test]
fn min_greater_than_max_is_reported() {
    let text =
        with_page_two("id = \"n\"\ntype = \"number\"\ntext = \"Wie viele?\"\nmin = 10\nmax = 1");
    assert_one(
        &text,
        "t.toml:25:7: `min` (10) is greater than `max` (1) in question `n`",
    );
}

#[test]
fn text_that_is_not_utf8_names_the_byte() {
    let mut bytes = BASE.as_bytes().to_vec();
    let at = BASE.find("Frage").unwrap() + 2;
    bytes[at] = 0xE4; // "ä" in Windows-1252
    let found = parse_definition("t.toml", &bytes, Format::Toml).unwrap_err();
    assert_eq!(
        found[0].to_string(),
        "t.toml:11:11: the file is not UTF-8 (byte 0xE4); save it as UTF-8"
    );
}

#[test]
fn oversized_file_is_refused_without_parsing() {
    let bytes = vec![b'#'; MAX_DEFINITION_BYTES + 1];
    let found = parse_definition("big.toml", &bytes, Format::Toml).unwrap_err();
    assert_eq!(
        found[0].to_string(),
        "big.toml:1:1: the file is larger than 1024 KiB; a survey definition must not exceed that"
    );
}

#[test]
fn every_problem_is_reported_at_once_in_line_order() {
    let text = BASE
        .replace("type = \"single\"", "type = \"single\"\nhelpp = \"x\"")
        .replace("code = \"b\"", "code = \"a\"")
        .replace("id = \"p1\"", "id = \"P1\"");
    let found = problems(&text);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found[0].starts_with("t.toml:5:6: page id `P1`"),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with("t.toml:11:1: unknown key `helpp`"),
        "{found:#?}"
    );
    assert!(
        found[2].starts_with("t.toml:15:12: duplicate option code"),
        "{found:#?}"
    );
}

#[test]
fn a_broken_question_does_not_also_break_conditions_naming_it() {
    let text = with_page_two(
        "id = \"q2\"\ntype = \"text\"\ntext = \"x\"\nshow_if = { question = \"q1\", any_of = [\"a\"] }",
    )
    .replace("type = \"single\"", "type = \"singel\"");
    let found = problems(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
}

#[test]
fn scales_are_resolved_into_the_question() {
    let text = BASE
        .replace(
            "options = [\n  { code = \"a\", label = \"A\" },\n  { code = \"b\", label = \"B\" },\n]",
            "scale = \"ja_nein\"",
        )
        .replace(
            "[[pages]]",
            "[scales.ja_nein]\noptions = [{ code = \"ja\", label = \"ja\" }, { code = \"nein\", label = \"nein\" }]\n\n[[pages]]",
        );
    let survey = parse_definition("t.toml", text.as_bytes(), Format::Toml).unwrap();
    let choices = survey.pages[0].questions[0].kind.choices().unwrap();
    assert_eq!(choices.scale.as_deref(), Some("ja_nein"));
    assert_eq!(choices.options.len(), 2);
}

#[test]
fn mixed_values_and_valued_missing_options_are_reported() {
    let text = BASE
        .replace("{ code = \"a\", label = \"A\" }", "{ code = \"a\", label = \"A\", value = 1 }")
        .replace(
            "{ code = \"b\", label = \"B\" },",
            "{ code = \"b\", label = \"B\" },\n  { code = \"99\", label = \"weiß nicht\", missing = true, value = 9 },",
        );
    let text = text.replace(
        "options = [",
        "direction = \"positive-negative\"\noptions = [",
    );
    let found = problems(&text);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].contains("option `b` of question `q1` has no `value`"),
        "{found:#?}"
    );
    assert!(
        found[1].contains("`missing` (left out of means)"),
        "{found:#?}"
    );
}

#[test]
fn scales_with_values_need_a_direction_and_a_neutral_option_of_their_own() {
    let valued = BASE
        .replace(
            "{ code = \"a\", label = \"A\" }",
            "{ code = \"a\", label = \"A\", value = 1 }",
        )
        .replace(
            "{ code = \"b\", label = \"B\" }",
            "{ code = \"b\", label = \"B\", value = 2 }",
        );
    assert_one(
        &valued,
        "t.toml:8:1: question `q1` gives its options values, so reports show means: say which way it runs with `direction` (positive-negative, negative-positive, decrease-increase, increase-decrease, low-high, high-low)",
    );
    let typo = valued.replace(
        "options = [",
        "direction = \"positiv-negativ\"\noptions = [",
    );
    let found = problems(&typo);
    assert!(
        found.iter().any(|f| f.starts_with(
            "t.toml:12:13: unknown direction `positiv-negativ` (did you mean `positive-negative`?)"
        )),
        "{found:#?}"
    );
    let neutral = valued.replace(
        "options = [",
        "direction = \"positive-negative\"\nneutral = \"c\"\noptions = [",
    );
    assert_one(
        &neutral,
        "t.toml:13:11: `neutral` names `c`, which is not an option of question `q1` (or is `missing`)",
    );
    let fine = valued.replace(
        "options = [",
        "direction = \"negative-positive\"\nneutral = \"b\"\noptions = [",
    );
    let survey = parse_definition("t.toml", fine.as_bytes(), Format::Toml).unwrap();
    let choices = survey.pages[0].questions[0].kind.choices().unwrap();
    assert_eq!(
        (choices.direction, choices.neutral.as_deref()),
        (Some(definition::Direction::NegativePositive), Some("b"))
    );
}

#[test]
fn open_surveys_must_ask_the_land_and_token_surveys_must_not() {
    let open = BASE.replace(
        "title = \"Kleine Umfrage\"",
        "title = \"Kleine Umfrage\"\naccess = \"open\"",
    );
    assert_one(
        &open,
        "t.toml:3:10: an open-link survey must ask the Land: add one required question of type `land`",
    );
    let token =
        with_page_two("id = \"land\"\ntype = \"land\"\ntext = \"Bundesland\"\nrequired = true");
    assert!(problems(&token)[0].contains("`land` questions are for open-link surveys"));
}

#[test]
fn attribute_conditions_need_a_declared_attribute_and_value() {
    let text = with_page_two(
        "id = \"q2\"\ntype = \"text\"\ntext = \"x\"\nshow_if = { attribute = \"landesnetz\", any_of = [\"ja\"] }",
    );
    assert!(
        problems(&text)[0]
            .contains("names attribute `landesnetz`, which the survey does not declare")
    );
    let declared = text.replace(
        "[[pages]]\nid = \"p1\"",
        "[attributes.landesnetzwerk]\nlabel = \"L\"\nvalues = [\"ja\", \"nein\"]\n\n[[pages]]\nid = \"p1\"",
    );
    let fixed = declared
        .replace("landesnetz\"", "landesnetzwerk\"")
        .replace("[\"ja\"] }", "[\"jein\"] }");
    assert!(problems(&fixed)[0].contains("attribute `landesnetzwerk` has no option `jein`"));
}

#[test]
fn json_definitions_are_read_like_toml_ones() {
    let json = r#"{
  "id": "t",
  "title": "Test",
  "pages": [
    { "id": "p1", "title": "Seite 1", "questions": [
      { "id": "q1", "type": "single", "text": "Frage", "requird": true,
        "options": [ { "code": "a", "label": "A" } ] }
    ] }
  ]
}"#;
    let found = parse_definition("t.json", json.as_bytes(), Format::Json).unwrap_err();
    assert_eq!(
        found[0].to_string(),
        "t.json:6:56: unknown key `requird` in question `q1` (did you mean `required`?)"
    );
    let fixed = json.replace("requird", "required");
    let survey = parse_definition("t.json", fixed.as_bytes(), Format::Json).unwrap();
    assert!(survey.pages[0].questions[0].required);
}

#[test]
fn the_2020_questionnaires_pass_the_checker() {
    for (name, text) in [
        (
            "fruehjahr-2020.toml",
            include_str!("../../surveys/fruehjahr-2020.toml"),
        ),
        (
            "herbst-2020.toml",
            include_str!("../../surveys/herbst-2020.toml"),
        ),
        (
            "herbst-2020-akteure.toml",
            include_str!("../../surveys/herbst-2020-akteure.toml"),
        ),
    ] {
        if let Err(found) = parse_definition(name, text.as_bytes(), Format::Toml) {
            panic!("{found:#?}");
        }
    }
}

#[test]
fn autumn_repeats_the_spring_items_unchanged() {
    let spring = parse_definition(
        "s",
        include_bytes!("../../surveys/fruehjahr-2020.toml"),
        Format::Toml,
    )
    .unwrap();
    let autumn = parse_definition(
        "a",
        include_bytes!("../../surveys/herbst-2020.toml"),
        Format::Toml,
    )
    .unwrap();
    for id in [
        "lage_gesamt",
        "existenz_bedroht",
        "zielgruppe_erreicht",
        "entwicklung_6_monate",
        "ausblick_persoenlich",
    ] {
        assert_eq!(
            spring.question(id),
            autumn.question(id),
            "{id} differs between the waves"
        );
        assert!(spring.question(id).is_some(), "{id} missing");
    }
}

#[test]
fn open_link_surveys_test_answers_not_attributes() {
    let text =
        with_page_two("id = \"land\"\ntype = \"land\"\ntext = \"Bundesland\"\nrequired = true")
            .replace(
                "title = \"Kleine Umfrage\"",
                "title = \"Kleine Umfrage\"\naccess = \"open\"",
            )
            .replace(
                "text = \"Frage 1\"",
                "text = \"Frage 1\"\nshow_if = { attribute = \"land\", any_of = [\"DE-TH\"] }",
            );
    assert_one(
        &text,
        "t.toml:13:25: open-link surveys have no participant attributes; test the answer to a question instead (the Land: the `land` question)",
    );
}

#[test]
fn question_ids_that_collide_with_form_fields_are_refused() {
    let text = with_page_two("id = \"q1_other\"\ntype = \"text\"\ntext = \"x\"");
    assert!(problems(&text)[0].contains("must not contain `__` or end in `_other`"));
    let text = with_page_two("id = \"a__b\"\ntype = \"text\"\ntext = \"x\"");
    assert!(problems(&text)[0].contains("must not contain `__`"));
}

#[test]
fn an_unknown_placeholder_is_named_at_its_line_and_column() {
    let text = BASE.replace(
        "title = \"Kleine Umfrage\"",
        "title = \"Kleine Umfrage\"\nintro = \"\"\"\nVom {{ beginn }} bis zum \\\n{{ ende }}, gelöscht am {{ loschung }}.\"\"\"",
    );
    assert_one(
        &text,
        "t.toml:5:25: unknown placeholder `{{ loschung }}` (did you mean `{{ loeschung }}`?); \
         known are {{ beginn }}, {{ ende }}, {{ loeschung }}, {{ kontakt }}",
    );
    let help =
        with_page_two("id = \"q2\"\ntype = \"text\"\ntext = \"Frage 2\"\nhelp = \"bis {{ ende\"");
    let found = problems(&help);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].ends_with(":13: a placeholder is not closed: `{{` without `}}`"),
        "{found:?}"
    );
    let fine = BASE.replace(
        "title = \"Kleine Umfrage\"",
        "title = \"Kleine Umfrage\"\nintro = \"Bis {{ ende }}, Fragen an {{kontakt}}\"",
    );
    assert!(parse_definition("t.toml", fine.as_bytes(), Format::Toml).is_ok());
}
