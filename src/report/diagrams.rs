//! Which charts a report shows and what goes into each: a 100 % stacked bar per Land for single
//! questions and for every matrix row, bars per option for multiple-choice questions, and the
//! same for a comparison of two waves.

use super::chart::{BarChart, BarRow, Category, Chart, ChartRow, Palette, StackedChart};
use super::compare::{ComparedGroup, Comparison};
use super::{Body, ChoiceReport, Group, GroupKind, OptionInfo, Report, Shown};

/// A chart with the name of its files (`charts/<file>.svg`, `.png`).
pub struct Diagram {
    /// File stem: the question id, with `--<item id>` for a matrix row.
    pub file: String,
    /// Question id.
    pub question_id: String,
    /// Item id (`""` outside matrices).
    pub item_id: String,
    /// Short description for screen readers.
    pub description: String,
    /// The chart.
    pub chart: Chart,
}

/// Label of the remainder of a bar (respondents who skipped an optional question).
const NO_ANSWER: &str = "ohne Antwort";

/// Every chart of a report, in question order.
pub fn diagrams(report: &Report) -> Vec<Diagram> {
    let mut out = Vec::new();
    for q in &report.questions {
        let Body::Choice(choice) = &q.body else {
            continue;
        };
        for item in &choice.items {
            let title = if item.id.is_empty() {
                q.text.clone()
            } else {
                format!("{} – {}", q.text, item.label)
            };
            let file = file_name(&q.id, &item.id);
            let chart = if choice.multiple {
                let total = item
                    .by_land
                    .groups
                    .iter()
                    .find(|g| g.kind == GroupKind::Total);
                let Some(shown) = total.and_then(|g| g.figures.as_ref()) else {
                    continue;
                };
                Chart::Bars(BarChart {
                    title,
                    subtitle: format!(
                        "Deutschland gesamt, n = {}; Anteil der Befragten, Mehrfachnennungen möglich",
                        shown.n
                    ),
                    rows: choice
                        .options
                        .iter()
                        .enumerate()
                        .map(|(o, option)| BarRow {
                            label: option.label.clone(),
                            percent: shown.percent(o),
                        })
                        .collect(),
                })
            } else {
                let mut rows = Vec::new();
                let tables = std::iter::once(&item.by_land).chain(&item.by_attribute);
                for (t, table) in tables.enumerate() {
                    let mut first = t > 0;
                    for group in &table.groups {
                        // Each attribute breakdown's total equals Deutschland gesamt: drawn once.
                        if t > 0 && group.kind == GroupKind::Total {
                            continue;
                        }
                        let separator = group.kind == GroupKind::Total || first;
                        rows.push(stacked_row(group, choice, separator));
                        first = false;
                    }
                }
                let rest = rows.iter().any(has_rest);
                let rows = rows.into_iter().map(|(mut row, _)| {
                    if !rest && let Some(shares) = &mut row.shares {
                        shares.pop();
                    }
                    row
                });
                Chart::Stacked(StackedChart {
                    title,
                    palette: palette(choice),
                    categories: categories(&choice.options, rest),
                    rows: rows.collect(),
                })
            };
            out.push(Diagram {
                file,
                question_id: q.id.clone(),
                item_id: item.id.clone(),
                description: format!("Diagramm: {}", chart_title(&chart)),
                chart,
            });
        }
    }
    out
}

fn chart_title(chart: &Chart) -> &str {
    match chart {
        Chart::Stacked(c) => &c.title,
        Chart::Bars(c) => &c.title,
    }
}

/// The file stem of a question's (or matrix row's) chart.
pub fn file_name(question_id: &str, item_id: &str) -> String {
    if item_id.is_empty() {
        question_id.to_owned()
    } else {
        format!("{question_id}--{item_id}")
    }
}

/// How a question's options are coloured: by the meaning of the scale's ends where the survey
/// says which way it runs, else as unordered categories.
pub fn palette(choice: &ChoiceReport) -> Palette {
    match choice.direction {
        Some(direction) => {
            // The neutral option's place among the options that are not "weiß nicht".
            let neutral = choice
                .neutral
                .map(|n| choice.options[..n].iter().filter(|o| !o.missing).count());
            Palette::Ordered { direction, neutral }
        }
        // Versions stored before scales declared a direction: valued options read as running
        // from positive to negative, as their charts always showed them.
        None if choice.scaled => Palette::Ordered {
            direction: crate::survey::definition::Direction::PositiveNegative,
            neutral: None,
        },
        None => Palette::Nominal,
    }
}

fn categories(options: &[OptionInfo], rest: bool) -> Vec<Category> {
    let mut categories: Vec<Category> = options
        .iter()
        .map(|o| Category {
            label: o.label.clone(),
            missing: o.missing,
        })
        .collect();
    if rest {
        categories.push(Category {
            label: NO_ANSWER.to_owned(),
            missing: true,
        });
    }
    categories
}

/// A bar's shares: the options' percentages, plus what is left for those who did not answer.
fn shares(shown: &Shown, options: usize) -> (Vec<f64>, f64) {
    let shares: Vec<f64> = (0..options).map(|o| shown.percent(o)).collect();
    let rest = (100.0 - shares.iter().sum::<f64>()).max(0.0);
    (shares, if rest >= 0.05 { rest } else { 0.0 })
}

fn has_rest(row: &(ChartRow, f64)) -> bool {
    row.1 > 0.0
}

/// A chart row of a group; the second value is the "ohne Antwort" remainder.
fn stacked_row(group: &Group, choice: &ChoiceReport, separator: bool) -> (ChartRow, f64) {
    let (label, shares, rest) = match &group.figures {
        Some(shown) if shown.n > 0 => {
            let (mut s, rest) = shares(shown, choice.options.len());
            s.push(rest);
            (format!("{} (n = {})", group.label, shown.n), Some(s), rest)
        }
        _ => (group.label.clone(), None, 0.0),
    };
    (
        ChartRow {
            label,
            shares,
            note: group.note().to_owned(),
            separator_above: separator,
            emphasis: group.kind == GroupKind::Total,
        },
        rest,
    )
}

/// The charts of a trend: per question (and matrix row) Germany's bar in every wave that asked it.
pub fn trend_diagrams(trend: &super::trend::Trend) -> Vec<Diagram> {
    let mut out = Vec::new();
    // Multiple choice has no parts of a whole to stack; its shares per wave are in the tables.
    for q in trend.questions.iter().filter(|q| !q.multiple) {
        let Some(total) = q.groups.iter().find(|g| g.kind == GroupKind::Total) else {
            continue;
        };
        let title = if q.item_id.is_empty() {
            format!("{} – Deutschland gesamt je Welle", q.text)
        } else {
            format!(
                "{} – {} – Deutschland gesamt je Welle",
                q.text, q.item_label
            )
        };
        let mut rest = false;
        let mut rows: Vec<ChartRow> = total
            .points
            .iter()
            .zip(&q.waves)
            .map(|((point, note), &w)| {
                let wave = &trend.waves[w].title;
                match point {
                    Some(shown) if shown.n > 0 => {
                        let (mut s, r) = shares(shown, q.options.len());
                        rest |= r > 0.0;
                        s.push(r);
                        ChartRow {
                            label: format!("{wave} (n = {})", shown.n),
                            shares: Some(s),
                            note: String::new(),
                            separator_above: false,
                            emphasis: false,
                        }
                    }
                    _ => ChartRow {
                        label: wave.clone(),
                        shares: None,
                        note: (*note).to_owned(),
                        separator_above: false,
                        emphasis: false,
                    },
                }
            })
            .collect();
        if !rest {
            for row in &mut rows {
                if let Some(s) = &mut row.shares {
                    s.pop();
                }
            }
        }
        let chart = Chart::Stacked(StackedChart {
            title,
            palette: q.palette,
            categories: categories(&q.options, rest),
            rows,
        });
        out.push(Diagram {
            file: format!("trend--{}", file_name(&q.id, &q.item_id)),
            question_id: q.id.clone(),
            item_id: q.item_id.clone(),
            description: format!("Diagramm: {}", chart_title(&chart)),
            chart,
        });
    }
    out
}

/// The charts of a comparison: per question (and matrix row) the two waves' bars per Land.
pub fn comparison_diagrams(comparison: &Comparison) -> Vec<Diagram> {
    let mut out = Vec::new();
    let (this, other) = (&comparison.wave.title, &comparison.compared.title);
    for q in &comparison.questions {
        for item in &q.items {
            let title = if item.id.is_empty() {
                q.text.clone()
            } else {
                format!("{} – {}", q.text, item.label)
            };
            let mut rows = Vec::new();
            let mut rest = false;
            for group in &item.groups {
                let separator = group.code == super::TOTAL;
                match (&group.compared, &group.this) {
                    (Some(before), Some(after)) => {
                        for (wave, shown, first) in [(other, before, true), (this, after, false)] {
                            let (mut s, r) = shares(shown, q.options.len());
                            rest |= r > 0.0;
                            s.push(r);
                            rows.push(ChartRow {
                                label: format!("{} – {wave} (n = {})", group.label, shown.n),
                                shares: Some(s),
                                note: String::new(),
                                separator_above: first && (separator || !rows.is_empty()),
                                emphasis: separator,
                            });
                        }
                    }
                    _ => rows.push(ChartRow {
                        label: group.label.clone(),
                        shares: None,
                        note: ComparedGroup::HIDDEN_NOTE.to_owned(),
                        separator_above: separator || !rows.is_empty(),
                        emphasis: separator,
                    }),
                }
            }
            if !rest {
                for row in &mut rows {
                    if let Some(s) = &mut row.shares {
                        s.pop();
                    }
                }
            }
            let chart = if q.multiple {
                multiple_comparison(&title, q, item, this, other)
            } else {
                Chart::Stacked(StackedChart {
                    title: title.clone(),
                    palette: q.palette,
                    categories: categories(&q.options, rest),
                    rows,
                })
            };
            let Some(chart) = chart_or_none(chart) else {
                continue;
            };
            out.push(Diagram {
                file: format!(
                    "compare-{}--{}",
                    comparison.compared.slug,
                    file_name(&q.id, &item.id)
                ),
                question_id: q.id.clone(),
                item_id: item.id.clone(),
                description: format!("Vergleichsdiagramm: {title}"),
                chart,
            });
        }
    }
    out
}

fn chart_or_none(chart: Chart) -> Option<Chart> {
    match &chart {
        Chart::Bars(b) if b.rows.is_empty() => None,
        _ => Some(chart),
    }
}

/// Multiple choice compared: per option one bar per wave (Deutschland gesamt).
fn multiple_comparison(
    title: &str,
    q: &super::compare::ComparedQuestion,
    item: &super::compare::ComparedItem,
    this: &str,
    other: &str,
) -> Chart {
    let total = item.groups.iter().find(|g| g.code == super::TOTAL);
    let (Some(before), Some(after)) = (
        total.and_then(|g| g.compared.as_ref()),
        total.and_then(|g| g.this.as_ref()),
    ) else {
        return Chart::Bars(BarChart {
            title: title.to_owned(),
            subtitle: String::new(),
            rows: Vec::new(),
        });
    };
    let mut rows = Vec::new();
    for (o, option) in q.options.iter().enumerate() {
        rows.push(BarRow {
            label: format!("{} – {other}", option.label),
            percent: before.percent(o),
        });
        rows.push(BarRow {
            label: format!("{} – {this}", option.label),
            percent: after.percent(o),
        });
    }
    Chart::Bars(BarChart {
        title: title.to_owned(),
        subtitle: format!(
            "Deutschland gesamt, n = {} ({other}) und {} ({this}); Anteil der Befragten",
            before.n, after.n
        ),
        rows,
    })
}
