//! Property: every definition the checker accepts loads into the store and reads back equal,
//! whether it was written as TOML or as JSON.

use mint_survey::store::surveys::{self as stored, DefinitionSource, LoadOutcome};
use mint_survey::survey::definition::{
    Access, ChoiceOption, Choices, Condition, Item, Page, Question, QuestionKind, Subject, Survey,
};
use mint_survey::survey::{Format, parse_definition};
use proptest::prelude::*;

use crate::helpers::db::TestDb;

fn text() -> impl Strategy<Value = String> {
    // Umlauts, quotes, backslashes and line breaks: what German texts and careless editors bring.
    "[A-Za-zÄÖÜäöüß0-9 .,:;!?\"'\\\\–„“\n]{1,40}".prop_filter("not blank", |s| !s.trim().is_empty())
}

fn options() -> impl Strategy<Value = Vec<ChoiceOption>> {
    (1usize..6, any::<bool>(), any::<bool>(), text()).prop_map(
        |(n, valued, with_missing, label)| {
            let mut options: Vec<ChoiceOption> = (0..n)
                .map(|i| ChoiceOption {
                    code: format!("o{i}"),
                    label: format!("{label} {i}"),
                    value: valued.then_some(i as f64 + 0.5),
                    missing: false,
                    exclusive: false,
                    other: false,
                })
                .collect();
            if with_missing {
                options.push(ChoiceOption {
                    code: "99".into(),
                    label: "weiß nicht / keine Angabe".into(),
                    value: None,
                    missing: true,
                    exclusive: false,
                    other: false,
                });
            }
            options
        },
    )
}

fn kind() -> impl Strategy<Value = QuestionKind> {
    let choices = || {
        options().prop_map(|options| Choices {
            scale: None,
            direction: options
                .iter()
                .any(|o| o.value.is_some())
                .then_some(mint_survey::survey::definition::Direction::PositiveNegative),
            neutral: None,
            options,
        })
    };
    prop_oneof![
        choices().prop_map(|choices| QuestionKind::Single { choices }),
        (choices(), proptest::option::of(1u32..3)).prop_map(|(choices, max)| {
            let max_choices = max.map(|m| m.min(choices.options.len() as u32));
            QuestionKind::Multiple {
                choices,
                max_choices,
            }
        }),
        (choices(), 1usize..4).prop_map(|(choices, n)| QuestionKind::Matrix {
            items: (0..n)
                .map(|i| Item {
                    id: format!("i{i}"),
                    label: format!("Zeile {i}")
                })
                .collect(),
            choices,
        }),
        (
            proptest::option::of(-1000i32..1000),
            proptest::option::of(0i32..5000),
            0u8..4,
            proptest::option::of(text())
        )
            .prop_map(|(min, max, decimals, unit)| QuestionKind::Number {
                min: min.map(f64::from),
                max: max.map(f64::from),
                decimals,
                unit,
            }),
        (1u32..10_000).prop_map(|max_length| QuestionKind::Text { max_length }),
        (1u32..10_000).prop_map(|max_length| QuestionKind::LongText { max_length }),
        Just(QuestionKind::Date {
            min: chrono::NaiveDate::from_ymd_opt(2020, 4, 23),
            max: chrono::NaiveDate::from_ymd_opt(2020, 5, 5),
        }),
    ]
}

fn question() -> impl Strategy<Value = (QuestionKind, String, Option<String>, bool, bool)> {
    (
        kind(),
        text(),
        proptest::option::of(text()),
        any::<bool>(),
        any::<bool>(),
    )
}

fn survey() -> impl Strategy<Value = Survey> {
    (
        text(),
        proptest::option::of(text()),
        proptest::collection::vec(proptest::collection::vec(question(), 1..4), 1..4),
    )
        .prop_map(|(title, intro, pages)| {
            let mut number = 0;
            let mut earlier: Option<(String, String, Option<String>)> = None;
            let pages = pages
                .into_iter()
                .enumerate()
                .map(|(p, questions)| {
                    let mut choice_on_this_page = None;
                    let questions = questions
                        .into_iter()
                        .map(|(kind, text, help, required, conditional)| {
                            number += 1;
                            let id = format!("q{number}");
                            let show_if = match (&earlier, conditional) {
                                (Some((question, code, item)), true) => vec![Condition {
                                    subject: Subject::Question {
                                        question: question.clone(),
                                        item: item.clone(),
                                    },
                                    any_of: vec![code.clone()],
                                }],
                                _ => Vec::new(),
                            };
                            if let Some(choices) = kind.choices() {
                                let item = match &kind {
                                    QuestionKind::Matrix { items, .. } => Some(items[0].id.clone()),
                                    _ => None,
                                };
                                choice_on_this_page =
                                    Some((id.clone(), choices.options[0].code.clone(), item));
                            }
                            Question {
                                id,
                                text,
                                help,
                                required,
                                show_if,
                                kind,
                            }
                        })
                        .collect();
                    earlier = choice_on_this_page.or(earlier.take());
                    Page {
                        id: format!("seite_{p}"),
                        title: format!("Seite {p}"),
                        intro: None,
                        show_if: Vec::new(),
                        questions,
                    }
                })
                .collect();
            Survey {
                id: "eigenschaft".into(),
                title,
                access: Access::Token,
                intro,
                consent: None,
                attributes: Default::default(),
                scales: Default::default(),
                pages,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_accepted_definition_loads_and_reads_back_equal(survey in survey()) {
        let toml_text = toml::to_string(&survey).unwrap();
        let from_toml = parse_definition("p.toml", toml_text.as_bytes(), Format::Toml);
        let json_text = serde_json::to_string_pretty(&survey).unwrap();
        let from_json = parse_definition("p.json", json_text.as_bytes(), Format::Json);
        // The generator makes some definitions the checker rejects (min > max): those are not the property's.
        prop_assume!(from_toml.is_ok());
        let from_toml = from_toml.unwrap();
        prop_assert_eq!(&from_toml, &survey, "TOML:\n{}", toml_text);
        prop_assert_eq!(from_json.as_ref().ok(), Some(&survey));

        let db = TestDb::new();
        let mut conn = db.conn();
        let outcome = stored::insert_version_if_changed(
            &mut conn,
            DefinitionSource { survey: &from_toml, source_name: "p.toml", source_text: &toml_text },
        ).unwrap();
        prop_assert_eq!(outcome, LoadOutcome::Stored { version: 1 });
        let back = stored::find_latest(&mut conn, "eigenschaft").unwrap().unwrap();
        prop_assert_eq!(back.survey, survey);
    }
}
