//! Trends over every wave: for each question asked in two or more waves with the same id, options
//! and rows, each Land's and Germany's figures wave by wave.
//!
//! A trend is built from the waves' finished [`Report`]s, each suppressed by its own wave's
//! threshold and secondary suppression, and it takes a point only where that wave's report shows
//! the group: a point hidden in one wave stays hidden (the line is broken there), and since every
//! wave's published figures are safe on their own, putting them side by side shows nothing new.
//! "weitere Länder" is left out: its members differ from wave to wave, so its line would join
//! different groups.

use super::columns::Column;
use super::tables::{Cell, HIDDEN, Sheet};
use super::{Body, ChoiceReport, GroupKind, OptionInfo, Report, Shown, WaveInfo};
use crate::report::chart::Palette;

/// The trend of a report's questions over every wave that asked them.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// The waves, oldest first.
    pub waves: Vec<WaveInfo>,
    /// The questions (one entry per matrix row) asked in two or more of them.
    pub questions: Vec<TrendQuestion>,
}

/// One question (or matrix row) over the waves that asked it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendQuestion {
    /// Question id.
    pub id: String,
    /// Question text (as in the newest wave).
    pub text: String,
    /// Matrix row id (`""` outside matrices).
    pub item_id: String,
    /// Matrix row label.
    pub item_label: String,
    /// Several answers per respondent.
    pub multiple: bool,
    /// The options (the same codes in every wave).
    pub options: Vec<OptionInfo>,
    /// Whether means are reported.
    pub scaled: bool,
    /// How the options are coloured.
    pub palette: Palette,
    /// Indexes into [`Trend::waves`] of the waves that asked it, oldest first.
    pub waves: Vec<usize>,
    /// Each Land and Deutschland gesamt.
    pub groups: Vec<TrendGroup>,
}

/// A group's points, one per wave of its question.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendGroup {
    /// Land code or [`super::TOTAL`].
    pub code: String,
    /// Its label.
    pub label: String,
    /// Member or total.
    pub kind: GroupKind,
    /// The wave's published figures, `None` where that wave hides the group (with the note why).
    pub points: Vec<(Option<Shown>, &'static str)>,
}

/// The trend of the questions of `reports` (oldest first), one entry per question and matrix row
/// that two or more of them asked with the same options and rows.
pub fn trend(reports: &[&Report]) -> Trend {
    let waves: Vec<WaveInfo> = reports.iter().map(|r| r.wave.clone()).collect();
    let mut questions = Vec::new();
    let Some(newest) = reports.last() else {
        return Trend { waves, questions };
    };
    for q in &newest.questions {
        let Body::Choice(choice) = &q.body else {
            continue;
        };
        let same = |other: &ChoiceReport| {
            other.multiple == choice.multiple
                && other
                    .options
                    .iter()
                    .map(|o| &o.code)
                    .eq(choice.options.iter().map(|o| &o.code))
                && other
                    .items
                    .iter()
                    .map(|i| &i.id)
                    .eq(choice.items.iter().map(|i| &i.id))
        };
        // The waves that asked it, with their figures of this question.
        let asked: Vec<(usize, &ChoiceReport)> = reports
            .iter()
            .enumerate()
            .filter_map(|(w, report)| {
                report
                    .questions
                    .iter()
                    .find(|c| c.id == q.id)
                    .and_then(|c| match &c.body {
                        Body::Choice(other) if same(other) => Some((w, other)),
                        _ => None,
                    })
            })
            .collect();
        if asked.len() < 2 {
            continue;
        }
        for (i, item) in choice.items.iter().enumerate() {
            let groups = item
                .by_land
                .groups
                .iter()
                .filter(|g| g.kind != GroupKind::Pool)
                .map(|g| TrendGroup {
                    code: g.code.clone(),
                    label: g.label.clone(),
                    kind: g.kind.clone(),
                    points: asked
                        .iter()
                        .map(|(_, c)| {
                            let found = c.items[i].by_land.groups.iter().find(|x| x.code == g.code);
                            match found {
                                Some(x) => (x.figures.clone(), x.note()),
                                None => (None, "zu wenige Antworten"),
                            }
                        })
                        .collect(),
                })
                .collect();
            questions.push(TrendQuestion {
                id: q.id.clone(),
                text: q.text.clone(),
                item_id: item.id.clone(),
                item_label: item.label.clone(),
                multiple: choice.multiple,
                options: choice.options.clone(),
                scaled: choice.scaled,
                palette: super::diagrams::palette(choice),
                waves: asked.iter().map(|(w, _)| *w).collect(),
                groups,
            });
        }
    }
    Trend { waves, questions }
}

/// `trend.csv` (and `trend-excel.csv`): per question × row × option × Land × wave, n, count,
/// percent and the mean, or "." with the reason where that wave hides the group.
pub fn sheet(trend: &Trend) -> Sheet {
    let text = |s: &str| Cell::Text(s.to_owned());
    let mut rows = Vec::new();
    for q in &trend.questions {
        for g in &q.groups {
            for (o, option) in q.options.iter().enumerate() {
                for (k, (point, note)) in g.points.iter().enumerate() {
                    let wave = &trend.waves[q.waves[k]];
                    let mut row = vec![
                        text(&wave.slug),
                        text(&q.id),
                        text(&q.text),
                        text(&q.item_id),
                        text(&q.item_label),
                        text(&option.code),
                        text(&option.label),
                        text(&g.code),
                        text(&g.label),
                    ];
                    match point {
                        Some(shown) => {
                            let mean = match shown.stats {
                                Some(s) if q.scaled => Cell::Decimal(s.mean, 2),
                                _ => text(""),
                            };
                            row.extend([
                                Cell::Count(shown.n),
                                Cell::Count(shown.counts.get(o).copied().unwrap_or(0)),
                                Cell::Decimal(shown.percent(o), 1),
                                mean,
                                text(note),
                            ]);
                        }
                        None => {
                            row.extend((0..4).map(|_| text(HIDDEN)));
                            row.push(text(note));
                        }
                    }
                    rows.push(row);
                }
            }
        }
    }
    Sheet {
        file: "trend",
        title: "Verlauf",
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
            Column::Mean,
            Column::Suppressed,
        ],
        rows,
    }
}
