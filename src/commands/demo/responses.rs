//! Demo answers: a realistic share of the demo waves filled in through the same steps as the web form
//! (form fields → `read_page` → `save_page` → `mark_submitted`), with choices drawn from a seeded
//! generator so every demo shows the same data.

use chrono::Utc;
use diesel::{Connection, PgConnection};

use super::participants::LAND_NETWORKS;
use crate::store::participants::{self, Participant};
use crate::store::responses;
use crate::store::surveys;
use crate::store::waves::Wave;
use crate::survey::answers::{self, Answers, Attributes, FormFields};
use crate::survey::{Choices, QuestionKind, Survey};

/// Free-text answers the demo draws from.
const TEXTS: [&str; 6] = [
    "Mehr Austausch mit anderen Regionen über digitale Formate.",
    "Die Zusammenarbeit mit den Schulen ist schwieriger geworden.",
    "Wir haben neue Partner aus der Wirtschaft gewonnen.",
    "Planungssicherheit bei der Förderung wäre wichtig.",
    "Online-Angebote erreichen nicht alle Kinder und Jugendlichen.",
    "Die Krise hat die Digitalisierung im Netzwerk beschleunigt.",
];

/// A small seeded generator (xorshift64*): the same participant always answers the same way.
struct Dice(u64);

impl Dice {
    fn new(seed: u64) -> Dice {
        Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        unit < p
    }
}

/// What the demo filled in for one wave.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filled {
    /// Submitted responses.
    pub submitted: usize,
    /// Responses left as drafts.
    pub drafts: usize,
}

/// Fills in about `share` of the wave's participants (more in the Land-network Länder, as in 2020) and
/// leaves a few drafts. Does nothing when the wave already has responses.
pub fn fill(conn: &mut PgConnection, wave: &Wave, share: f64) -> anyhow::Result<Filled> {
    let survey = surveys::find_by_id(conn, wave.survey_version_id)?.survey;
    let mut filled = Filled::default();
    for listing in participants::find_by_wave(conn, wave.id)? {
        let participant = listing.participant;
        if responses::find_for_participant(conn, participant.id)?.is_some() {
            return Ok(filled);
        }
        let mut dice = Dice::new(participant.id as u64 ^ (wave.id as u64) << 32);
        let weight = if LAND_NETWORKS.contains(&participant.land_code.as_str()) {
            1.12
        } else {
            0.62
        };
        if dice.chance(share * weight) {
            answer_all(conn, &survey, &participant, &mut dice, true)?;
            filled.submitted += 1;
        } else if dice.chance(0.15) {
            answer_all(conn, &survey, &participant, &mut dice, false)?;
            filled.drafts += 1;
        }
    }
    Ok(filled)
}

/// Consents and answers page after page; submits, or stops halfway as a draft.
fn answer_all(
    conn: &mut PgConnection,
    survey: &Survey,
    participant: &Participant,
    dice: &mut Dice,
    submit: bool,
) -> anyhow::Result<()> {
    let attributes = participant.condition_attributes();
    conn.transaction(|conn| {
        let response = responses::insert_for_participant(conn, participant, 0, Utc::now())?;
        let mut answers = Answers::new();
        let mut page = answers::visible_pages(survey, &answers, &attributes)
            .first()
            .copied();
        let mut pages_done = 0;
        while let Some(current) = page {
            let fields = fields_for_page(survey, current, &answers, &attributes, dice);
            let input = answers::read_page(survey, current, &fields, &answers, &attributes);
            anyhow::ensure!(
                input.errors.is_empty(),
                "demo answers were refused: {:?}",
                input.errors
            );
            let replaced =
                responses::apply_page(survey, &attributes, &mut answers, current, input.answers);
            let position = responses::PagePosition::default();
            responses::save_page(conn, response.id, &replaced, &answers, &position)?;
            pages_done += 1;
            let visible = answers::visible_pages(survey, &answers, &attributes);
            page = visible.into_iter().find(|&p| p > current);
            if !submit && pages_done >= 2 {
                responses::set_current_page(
                    conn,
                    response.id,
                    i32::try_from(page.unwrap_or(current)).unwrap_or(0),
                )?;
                return Ok(());
            }
        }
        responses::mark_submitted(conn, &response, Utc::now())?;
        Ok(())
    })
}

/// Form fields a respondent might post for a page: every shown question answered, most with a real
/// option, some with "weiß nicht", a few free texts.
fn fields_for_page(
    survey: &Survey,
    page: usize,
    answers: &Answers,
    attributes: &Attributes,
    dice: &mut Dice,
) -> FormFields {
    let mut fields = FormFields::new();
    for question in answers::visible_questions(survey, page, answers, attributes) {
        let name = answers::field_name(&question.id);
        match &question.kind {
            QuestionKind::Single { choices } => {
                fields.insert(name, vec![pick(choices, dice)]);
            }
            QuestionKind::Multiple {
                choices,
                max_choices,
            } => {
                let plain: Vec<&str> = choices
                    .options
                    .iter()
                    .filter(|o| !o.exclusive && !o.other && !o.missing)
                    .map(|o| o.code.as_str())
                    .collect();
                let wanted = 1 + dice.below(max_choices.map_or(3, |m| m as usize).min(3));
                let mut codes: Vec<String> = (0..wanted)
                    .map(|_| plain[dice.below(plain.len())].to_owned())
                    .collect();
                codes.dedup();
                fields.insert(name, codes);
            }
            QuestionKind::Matrix { items, choices } => {
                for item in items {
                    fields.insert(
                        answers::matrix_field_name(&question.id, &item.id),
                        vec![pick(choices, dice)],
                    );
                }
            }
            QuestionKind::Number { min, max, .. } => {
                let (low, high) = (min.unwrap_or(0.0), max.unwrap_or(20.0));
                let value = low + (high - low).min(40.0) * dice.below(100) as f64 / 100.0;
                fields.insert(name, vec![format!("{}", value.round() as i64)]);
            }
            QuestionKind::Text { .. } | QuestionKind::LongText { .. } if dice.chance(0.3) => {
                fields.insert(name, vec![TEXTS[dice.below(TEXTS.len())].to_owned()]);
            }
            QuestionKind::Text { .. } | QuestionKind::LongText { .. } => {}
            QuestionKind::Date { min, .. } => {
                let date = min.unwrap_or_else(|| Utc::now().date_naive());
                fields.insert(name, vec![date.format("%d.%m.%Y").to_string()]);
            }
            QuestionKind::Land => {
                fields.insert(
                    name,
                    vec![
                        attributes
                            .get("land")
                            .cloned()
                            .unwrap_or_else(|| "DE-BY".to_owned()),
                    ],
                );
            }
        }
    }
    fields
}

/// A single answer: mostly a real option (leaning to the middle of a scale), sometimes "weiß nicht".
fn pick(choices: &Choices, dice: &mut Dice) -> String {
    let missing = choices.options.iter().find(|o| o.missing);
    if let (Some(missing), true) = (missing, dice.chance(0.08)) {
        return missing.code.clone();
    }
    let real: Vec<&str> = choices
        .options
        .iter()
        .filter(|o| !o.missing && !o.other)
        .map(|o| o.code.as_str())
        .collect();
    // Two dice averaged: answers cluster around the middle like real ratings do.
    let index = (dice.below(real.len()) + dice.below(real.len())) / 2;
    real.get(index)
        .map_or_else(String::new, |c| (*c).to_owned())
}
