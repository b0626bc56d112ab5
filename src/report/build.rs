//! From raw figures to a [`Report`]: sums strata into breakdowns (per Land, per attribute value),
//! applies the suppression plan of each table and keeps only what may be published.

use super::figures::{Distribution, Figures, Stratum, Value, merge, stats};
use super::suppress::{self, Plan, Status};
use super::{
    Body, ChoiceReport, Dimension, Group, GroupKind, ItemReport, NumberReport, OptionInfo, POOL,
    QuestionReport, Rate, RateFigures, Report, Shown, TOTAL, Table, WaveInfo,
};
use crate::survey::definition::{LAENDER, QuestionKind, Survey};
use std::collections::BTreeMap;

/// Builds the report of a wave that answered `survey`, from its figures.
pub fn build(survey: &Survey, wave: WaveInfo, figures: &Figures) -> Report {
    let breakdowns = breakdowns(survey, figures);
    let threshold = wave.threshold;
    let responses_of = |b: &Breakdown| {
        let mut sizes = vec![0; b.groups.len()];
        for (stratum, n) in &figures.submitted {
            sizes[b.index(stratum)] += n;
        }
        let payloads = vec![Payload::default(); sizes.len()];
        table(b, &sizes, payloads, threshold)
    };
    let responses = responses_of(&breakdowns[0]);
    let rates = rates(&responses, &figures.invited);
    let responses_by_attribute = breakdowns[1..].iter().map(responses_of).collect();
    let submitted: u64 = figures.submitted.values().sum();
    let questions = survey
        .questions()
        .filter_map(|(_, q)| {
            let body = match &q.kind {
                QuestionKind::Single { choices } | QuestionKind::Multiple { choices, .. } => {
                    let multiple = matches!(q.kind, QuestionKind::Multiple { .. });
                    choice(
                        &q.id,
                        multiple,
                        choices,
                        &[],
                        &breakdowns,
                        figures,
                        threshold,
                    )
                }
                QuestionKind::Matrix { items, choices } => {
                    let items: Vec<(String, String)> = items
                        .iter()
                        .map(|i| (i.id.clone(), i.label.clone()))
                        .collect();
                    choice(
                        &q.id,
                        false,
                        choices,
                        &items,
                        &breakdowns,
                        figures,
                        threshold,
                    )
                }
                QuestionKind::Number { unit, .. } => {
                    number(&q.id, unit.clone(), &breakdowns, figures, threshold)
                }
                QuestionKind::Text { .. } | QuestionKind::LongText { .. } => Body::Text,
                QuestionKind::Date { .. } | QuestionKind::Land => return None,
            };
            // Free texts are listed without attribution once the wave as a whole is large enough.
            let (texts, texts_total) = if submitted >= threshold {
                let texts = figures.texts.get(&q.id).cloned().unwrap_or_default();
                let total = figures.text_totals.get(&q.id).copied();
                (texts.clone(), total.unwrap_or(texts.len() as u64))
            } else {
                (Vec::new(), 0)
            };
            Some(QuestionReport {
                id: q.id.clone(),
                text: q.text.clone(),
                body,
                texts,
                texts_total,
            })
        })
        .collect();
    Report {
        wave,
        responses,
        responses_by_attribute,
        rates,
        questions,
        empty: submitted == 0,
    }
}

/// The response rate of every group of the per-Land response table that has invitations, shown
/// exactly where its response count is (the same plan, so a rate never reveals a hidden count).
fn rates(responses: &Table, invited: &BTreeMap<String, u64>) -> Vec<Rate> {
    if invited.is_empty() {
        return Vec::new();
    }
    let of = |code: &str| invited.get(code).copied().unwrap_or(0);
    responses
        .groups
        .iter()
        .filter_map(|group| {
            let invited = match group.kind {
                GroupKind::Member => of(&group.code),
                GroupKind::Pool => group.members.iter().map(|code| of(code)).sum(),
                GroupKind::Total => invited.values().sum(),
            };
            // A Land nobody was invited from is no part of the sample.
            let answered = group.figures.as_ref().is_some_and(|f| f.n > 0);
            if group.kind == GroupKind::Member && invited == 0 && !answered {
                return None;
            }
            Some(Rate {
                code: group.code.clone(),
                label: group.label.clone(),
                kind: group.kind.clone(),
                note: group.note(),
                figures: group.figures.as_ref().map(|f| RateFigures {
                    invited,
                    submitted: f.n,
                }),
            })
        })
        .collect()
}

impl Stratum {
    /// The smallest stratum, to start a range over a question's strata.
    fn min() -> Stratum {
        Stratum {
            land: String::new(),
            attributes: Vec::new(),
        }
    }
}

/// A breakdown: its groups and how strata map onto them.
struct Breakdown {
    dimension: Dimension,
    /// (code, label) per group; the last may be the "not recorded" group.
    groups: Vec<(String, String)>,
    /// Which part of a stratum decides the group: None for the Land, Some(k) for attribute k.
    attribute: Option<usize>,
    /// Per group: no submitted response in the whole wave.
    absent: Vec<bool>,
}

impl Breakdown {
    fn index(&self, stratum: &Stratum) -> usize {
        let value = match self.attribute {
            None => Some(stratum.land.as_str()),
            Some(k) => stratum.attributes.get(k).and_then(|v| v.as_deref()),
        };
        let found = value.and_then(|v| self.groups.iter().position(|(code, _)| code == v));
        found.unwrap_or(self.groups.len() - 1)
    }

    fn total_label(&self) -> &'static str {
        match self.dimension {
            Dimension::Land => "Deutschland gesamt",
            Dimension::Attribute { .. } => "alle",
        }
    }

    fn pool_label(&self) -> &'static str {
        match self.dimension {
            Dimension::Land => "weitere Länder",
            Dimension::Attribute { .. } => "weitere Gruppen",
        }
    }
}

/// The Land breakdown first, then one per declared attribute. A "not recorded" group is added
/// where some stratum has no (or an undeclared) value.
fn breakdowns(survey: &Survey, figures: &Figures) -> Vec<Breakdown> {
    let strata: Vec<&Stratum> = figures.submitted.keys().collect();
    let mut land = Breakdown {
        dimension: Dimension::Land,
        groups: LAENDER
            .iter()
            .map(|(c, n)| ((*c).to_owned(), (*n).to_owned()))
            .collect(),
        attribute: None,
        absent: Vec::new(),
    };
    if strata
        .iter()
        .any(|s| !LAENDER.iter().any(|(c, _)| *c == s.land))
    {
        land.groups.push((String::new(), "ohne Land".to_owned()));
    }
    let mut all = vec![land];
    for (k, (name, attribute)) in survey.attributes.iter().enumerate() {
        let mut groups: Vec<(String, String)> = attribute
            .values
            .iter()
            .map(|v| (v.clone(), format!("{}: {v}", attribute.label)))
            .collect();
        let unrecorded = strata.iter().any(|s| {
            let value = s.attributes.get(k).and_then(|v| v.as_deref());
            !value.is_some_and(|v| attribute.values.iter().any(|a| a == v))
        });
        if unrecorded {
            groups.push((String::new(), format!("{}: keine Angabe", attribute.label)));
        }
        all.push(Breakdown {
            dimension: Dimension::Attribute {
                name: name.clone(),
                label: attribute.label.clone(),
            },
            groups,
            attribute: Some(k),
            absent: Vec::new(),
        });
    }
    for b in &mut all {
        let mut sizes = vec![0u64; b.groups.len()];
        for (stratum, n) in &figures.submitted {
            sizes[b.index(stratum)] += n;
        }
        b.absent = sizes.iter().map(|n| *n == 0).collect();
    }
    all
}

/// What a group holds besides its n: counts per option, or a value distribution.
#[derive(Debug, Clone, Default)]
struct Payload {
    counts: Vec<u64>,
    values: Distribution,
}

fn choice(
    question: &str,
    multiple: bool,
    choices: &crate::survey::definition::Choices,
    items: &[(String, String)],
    breakdowns: &[Breakdown],
    figures: &Figures,
    threshold: u64,
) -> Body {
    let options = &choices.options;
    let values: Vec<Option<f64>> = options
        .iter()
        .map(|o| o.value.filter(|_| !o.missing))
        .collect();
    let scaled = !multiple && values.iter().any(Option::is_some);
    let single_item = [(String::new(), String::new())];
    let items = if items.is_empty() {
        &single_item[..]
    } else {
        items
    };
    let items = items
        .iter()
        .map(|(item_id, item_label)| {
            let tables: Vec<Table> = breakdowns
                .iter()
                .map(|b| {
                    let sizes = shown_sizes(b, question, figures);
                    let mut payloads = vec![
                        Payload {
                            counts: vec![0; options.len()],
                            values: Distribution::new(),
                        };
                        b.groups.len()
                    ];
                    for (o, option) in options.iter().enumerate() {
                        let key = (question.to_owned(), item_id.clone(), option.code.clone());
                        let range = figures
                            .counts
                            .range((key.0.clone(), key.1.clone(), key.2.clone(), Stratum::min())..);
                        for ((q, i, c, stratum), n) in range {
                            if (q, i, c) != (&key.0, &key.1, &key.2) {
                                break;
                            }
                            let p = &mut payloads[b.index(stratum)];
                            p.counts[o] += n;
                            if let (true, Some(v)) = (scaled, values[o]) {
                                *p.values.entry(Value(v)).or_default() += n;
                            }
                        }
                    }
                    table(b, &sizes, payloads, threshold)
                })
                .collect();
            let mut tables = tables.into_iter();
            ItemReport {
                id: item_id.clone(),
                label: item_label.clone(),
                by_land: tables.next().unwrap_or_else(empty_table),
                by_attribute: tables.collect(),
            }
        })
        .collect();
    Body::Choice(ChoiceReport {
        multiple,
        options: options
            .iter()
            .map(|o| OptionInfo {
                code: o.code.clone(),
                label: o.label.clone(),
                missing: o.missing,
                value: o.value.filter(|_| !o.missing),
            })
            .collect(),
        scaled,
        direction: choices.direction,
        neutral: choices
            .neutral
            .as_ref()
            .and_then(|code| options.iter().position(|o| &o.code == code)),
        items,
    })
}

fn number(
    question: &str,
    unit: Option<String>,
    breakdowns: &[Breakdown],
    figures: &Figures,
    threshold: u64,
) -> Body {
    let mut tables = breakdowns.iter().map(|b| {
        let mut payloads = vec![Payload::default(); b.groups.len()];
        let range = figures
            .numbers
            .range((question.to_owned(), Stratum::min())..);
        for ((q, stratum), distribution) in range {
            if q != question {
                break;
            }
            merge(&mut payloads[b.index(stratum)].values, distribution);
        }
        let sizes: Vec<u64> = payloads.iter().map(|p| p.values.values().sum()).collect();
        table(b, &sizes, payloads, threshold)
    });
    Body::Number(NumberReport {
        unit,
        by_land: tables.next().unwrap_or_else(empty_table),
        by_attribute: tables.collect(),
    })
}

fn empty_table() -> Table {
    Table {
        dimension: Dimension::Land,
        groups: Vec::new(),
    }
}

/// Responses shown `question`, per group of `b`.
fn shown_sizes(b: &Breakdown, question: &str, figures: &Figures) -> Vec<u64> {
    let mut sizes = vec![0; b.groups.len()];
    let range = figures.shown.range((question.to_owned(), Stratum::min())..);
    for ((q, stratum), n) in range {
        if q != question {
            break;
        }
        sizes[b.index(stratum)] += n;
    }
    sizes
}

/// The published table of one breakdown: members with their plan status, the pool, the total.
fn table(b: &Breakdown, sizes: &[u64], payloads: Vec<Payload>, threshold: u64) -> Table {
    let plan: Plan = suppress::plan(sizes, &b.absent, threshold);
    let width = payloads.first().map_or(0, |p| p.counts.len());
    let mut pool = (
        0u64,
        Payload {
            counts: vec![0; width],
            values: Distribution::new(),
        },
    );
    let mut total = pool.clone();
    let mut groups = Vec::with_capacity(b.groups.len() + 2);
    let mut pooled = Vec::new();
    for (i, ((code, label), payload)) in b.groups.iter().zip(payloads).enumerate() {
        add(&mut total, sizes[i], &payload);
        let status = plan.status[i];
        if status != Status::Shown {
            add(&mut pool, sizes[i], &payload);
            pooled.push(code.clone());
        }
        // The "not recorded" group is listed only when it has responses.
        if code.is_empty() && sizes[i] == 0 {
            continue;
        }
        groups.push(Group {
            code: code.clone(),
            label: label.clone(),
            kind: GroupKind::Member,
            status,
            members: Vec::new(),
            figures: (status == Status::Shown).then(|| shown(sizes[i], payload)),
        });
    }
    if !pooled.is_empty() {
        let status = if plan.pool_shown {
            Status::Shown
        } else {
            Status::TooFew
        };
        groups.push(Group {
            code: POOL.to_owned(),
            label: b.pool_label().to_owned(),
            kind: GroupKind::Pool,
            status,
            members: pooled,
            figures: plan.pool_shown.then(|| shown(pool.0, pool.1)),
        });
    }
    let total_label = b.total_label().to_owned();
    groups.push(Group {
        code: TOTAL.to_owned(),
        label: total_label,
        kind: GroupKind::Total,
        members: Vec::new(),
        status: if plan.total_shown {
            Status::Shown
        } else {
            Status::TooFew
        },
        figures: plan.total_shown.then(|| shown(total.0, total.1)),
    });
    Table {
        dimension: b.dimension.clone(),
        groups,
    }
}

fn add(into: &mut (u64, Payload), n: u64, payload: &Payload) {
    into.0 += n;
    for (a, b) in into.1.counts.iter_mut().zip(&payload.counts) {
        *a += b;
    }
    merge(&mut into.1.values, &payload.values);
}

fn shown(n: u64, payload: Payload) -> Shown {
    Shown {
        n,
        stats: stats(&payload.values),
        counts: payload.counts,
    }
}
