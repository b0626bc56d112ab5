//! The report's tables as rows of cells: what `per-land.csv`, `per-attribute.csv`, `numeric.csv`,
//! `codebook.csv` (each also as `…-excel.csv`) and the sheets of `report.xlsx` contain. Hidden
//! figures are "." with the reason.

use super::columns::Column;
use super::{Body, Dimension, Group, Report, Table};
use crate::survey::definition::{QuestionKind, Survey};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (neutralised against formulas when written).
    Text(String),
    /// A whole number.
    Count(u64),
    /// A decimal number with this many decimals.
    Decimal(f64, usize),
}

/// A named table: one CSV file or one sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// File name without `.csv` (`per-land`).
    pub file: &'static str,
    /// Sheet name in the workbook ("Je Land").
    pub title: &'static str,
    /// The columns.
    pub header: Vec<Column>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// What a hidden figure shows.
pub const HIDDEN: &str = ".";

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// `per-land.csv`: one row per question × item × option × Land (pool and total included).
pub fn per_land(report: &Report) -> Sheet {
    let mut rows = Vec::new();
    for_each_choice_table(report, |prefix, options, table| {
        if table.dimension == Dimension::Land {
            frequency_rows(&mut rows, prefix, options, table, false);
        }
    });
    Sheet {
        file: "per-land",
        title: "Je Land",
        header: vec![
            Column::Wave,
            Column::QuestionId,
            Column::Question,
            Column::ItemId,
            Column::Item,
            Column::OptionCode,
            Column::OptionLabel,
            Column::LandCode,
            Column::Land,
            Column::N,
            Column::Count,
            Column::Percent,
            Column::Suppressed,
        ],
        rows,
    }
}

/// `per-attribute.csv`: the same per value of each declared attribute (e.g. `landesnetzwerk`).
pub fn per_attribute(report: &Report) -> Sheet {
    let mut rows = Vec::new();
    for_each_choice_table(report, |prefix, options, table| {
        if table.dimension != Dimension::Land {
            frequency_rows(&mut rows, prefix, options, table, true);
        }
    });
    Sheet {
        file: "per-attribute",
        title: "Je Merkmal",
        header: vec![
            Column::Wave,
            Column::QuestionId,
            Column::Question,
            Column::ItemId,
            Column::Item,
            Column::OptionCode,
            Column::OptionLabel,
            Column::Attribute,
            Column::GroupCode,
            Column::Group,
            Column::N,
            Column::Count,
            Column::Percent,
            Column::Suppressed,
        ],
        rows,
    }
}

/// `numeric.csv`: scale means (without "weiß nicht") and number questions per Land.
pub fn numeric(report: &Report) -> Sheet {
    let mut rows = Vec::new();
    let wave = &report.wave.slug;
    for q in &report.questions {
        let (tables, scale): (Vec<(&str, &str, &Table)>, String) = match &q.body {
            Body::Choice(c) if c.scaled => (
                c.items
                    .iter()
                    .map(|i| (i.id.as_str(), i.label.as_str(), &i.by_land))
                    .collect(),
                super::scale_anchors(&c.options).unwrap_or_default(),
            ),
            Body::Number(n) => (vec![("", "", &n.by_land)], String::new()),
            _ => continue,
        };
        for (item_id, item, table) in tables {
            for group in &table.groups {
                let mut row = vec![
                    text(wave),
                    text(&q.id),
                    text(&q.text),
                    text(item_id),
                    text(item),
                    text(&group.code),
                    text(&group.label),
                ];
                match group.figures.as_ref().and_then(|f| f.stats) {
                    Some(s) => {
                        row.push(Cell::Count(s.n));
                        row.extend([s.mean, s.median, s.min, s.max].map(|v| Cell::Decimal(v, 2)));
                        row.push(text(""));
                    }
                    None => {
                        let hidden = group.figures.is_none();
                        let dot = if hidden { HIDDEN } else { "" };
                        row.extend((0..5).map(|_| text(dot)));
                        row.push(text(if hidden { group.note() } else { "keine Werte" }));
                    }
                }
                row.push(text(&scale));
                rows.push(row);
            }
        }
    }
    Sheet {
        file: "numeric",
        title: "Kennzahlen",
        header: vec![
            Column::Wave,
            Column::QuestionId,
            Column::Question,
            Column::ItemId,
            Column::Item,
            Column::LandCode,
            Column::Land,
            Column::N,
            Column::Mean,
            Column::Median,
            Column::Min,
            Column::Max,
            Column::Suppressed,
            Column::Scale,
        ],
        rows,
    }
}

/// Submitted responses per Land and per attribute value.
pub fn responses(report: &Report) -> Sheet {
    let mut rows = Vec::new();
    for table in std::iter::once(&report.responses).chain(&report.responses_by_attribute) {
        for group in &table.groups {
            let (n, note) = match &group.figures {
                Some(f) => (Cell::Count(f.n), ""),
                None => (text(HIDDEN), group.note()),
            };
            rows.push(vec![
                text(dimension_name(&table.dimension)),
                text(&group.code),
                text(&group.label),
                n,
                text(note),
            ]);
        }
    }
    Sheet {
        file: "responses-per-group",
        title: "Rücklauf",
        header: vec![
            Column::Breakdown,
            Column::GroupCode,
            Column::Group,
            Column::N,
            Column::Suppressed,
        ],
        rows,
    }
}

/// `response-rates.csv`: invited, submitted and the rate per Land, pool and total; `None` when
/// nobody was invited personally.
pub fn rates(report: &Report) -> Option<Sheet> {
    if report.rates.is_empty() {
        return None;
    }
    let rows = report
        .rates
        .iter()
        .map(|rate| {
            let mut row = vec![text(&report.wave.slug), text(&rate.code), text(&rate.label)];
            match &rate.figures {
                Some(f) => row.extend([
                    Cell::Count(f.invited),
                    Cell::Count(f.submitted),
                    f.percent()
                        .map_or_else(|| text(""), |p| Cell::Decimal(p, 1)),
                ]),
                None => row.extend([text(HIDDEN), text(HIDDEN), text(HIDDEN)]),
            }
            row.push(text(rate.note));
            row
        })
        .collect();
    Some(Sheet {
        file: "response-rates",
        title: "Rücklaufquote",
        header: vec![
            Column::Wave,
            Column::LandCode,
            Column::Land,
            Column::Invited,
            Column::Submitted,
            Column::Rate,
            Column::Suppressed,
        ],
        rows,
    })
}

/// `codebook.csv`: every question, item and option of the survey with ids, codes and texts.
pub fn codebook(survey: &Survey) -> Sheet {
    let mut rows = Vec::new();
    for (page, q) in survey.questions() {
        let page = survey.pages.get(page).map_or("", |p| p.id.as_str());
        let base = |item_id: &str, item: &str| {
            vec![
                text(&q.id),
                text(page),
                text(q.kind.type_name()),
                text(&q.text),
                text(item_id),
                text(item),
            ]
        };
        let items: Vec<(&str, &str)> = match &q.kind {
            QuestionKind::Matrix { items, .. } => items
                .iter()
                .map(|i| (i.id.as_str(), i.label.as_str()))
                .collect(),
            _ => vec![("", "")],
        };
        for (item_id, item) in items {
            match q.kind.choices() {
                Some(choices) => {
                    for o in &choices.options {
                        let mut row = base(item_id, item);
                        row.push(text(&o.code));
                        row.push(text(&o.label));
                        row.push(o.value.map_or(text(""), |v| Cell::Decimal(v, 0)));
                        row.push(text(if o.missing { "ja" } else { "" }));
                        rows.push(row);
                    }
                }
                None => {
                    let mut row = base(item_id, item);
                    row.extend([text(""), text(""), text(""), text("")]);
                    rows.push(row);
                }
            }
        }
    }
    Sheet {
        file: "codebook",
        title: "Codebuch",
        header: vec![
            Column::QuestionId,
            Column::PageId,
            Column::Type,
            Column::Question,
            Column::ItemId,
            Column::Item,
            Column::OptionCode,
            Column::OptionLabel,
            Column::Value,
            Column::Missing,
        ],
        rows,
    }
}

/// The name of a breakdown in tables ("land", or the attribute's name).
pub fn dimension_name(dimension: &Dimension) -> &str {
    match dimension {
        Dimension::Land => "land",
        Dimension::Attribute { name, .. } => name,
    }
}

/// Calls `each` with (wave, question id, question, item id, item), the options and each table of
/// every choice question.
fn for_each_choice_table(
    report: &Report,
    mut each: impl FnMut([&str; 5], &[super::OptionInfo], &Table),
) {
    for q in &report.questions {
        let Body::Choice(choice) = &q.body else {
            continue;
        };
        for item in &choice.items {
            let prefix = [
                report.wave.slug.as_str(),
                q.id.as_str(),
                q.text.as_str(),
                item.id.as_str(),
                item.label.as_str(),
            ];
            for table in std::iter::once(&item.by_land).chain(&item.by_attribute) {
                each(prefix, &choice.options, table);
            }
        }
    }
}

fn frequency_rows(
    rows: &mut Vec<Vec<Cell>>,
    prefix: [&str; 5],
    options: &[super::OptionInfo],
    table: &Table,
    with_dimension: bool,
) {
    for (o, option) in options.iter().enumerate() {
        for group in &table.groups {
            let mut row: Vec<Cell> = prefix.iter().map(|s| text(*s)).collect();
            row.push(text(&option.code));
            row.push(text(&option.label));
            if with_dimension {
                row.push(text(dimension_name(&table.dimension)));
            }
            row.push(text(&group.code));
            row.push(text(&group.label));
            row.extend(figures(group, o));
            rows.push(row);
        }
    }
}

/// n, count, percent and the suppression note of one group and option.
fn figures(group: &Group, option: usize) -> [Cell; 4] {
    match &group.figures {
        Some(f) => [
            Cell::Count(f.n),
            Cell::Count(f.counts.get(option).copied().unwrap_or(0)),
            if f.n == 0 {
                text("")
            } else {
                Cell::Decimal(f.percent(option), 1)
            },
            text(group.note()),
        ],
        None => [text(HIDDEN), text(HIDDEN), text(HIDDEN), text(group.note())],
    }
}
