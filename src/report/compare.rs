//! Comparing two waves: for every question id both share (same type and option codes), each
//! Land's figures in both waves side by side and the change in percentage points.
//!
//! A group appears with figures only where both waves show it; a pool only where both pools hold
//! the same Länder. Each wave's report is already safe on its own, and the comparison shows no
//! figure that one of them hides, so nothing hidden can be worked out from the comparison either.

use super::columns::Column;
use super::tables::{Cell, HIDDEN, Sheet};
use super::{Body, GroupKind, OptionInfo, Report, Shown, WaveInfo};

/// The comparison of a report's wave with an earlier (or other) wave.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The report's wave.
    pub wave: WaveInfo,
    /// The wave compared with.
    pub compared: WaveInfo,
    /// The shared questions, in the report's order.
    pub questions: Vec<ComparedQuestion>,
}

/// A question both waves asked.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparedQuestion {
    /// Id.
    pub id: String,
    /// Text (as in the report's wave).
    pub text: String,
    /// Multiple choice.
    pub multiple: bool,
    /// Options (codes shared by both waves).
    pub options: Vec<OptionInfo>,
    /// Colours of the options, as in the report's wave.
    pub palette: super::chart::Palette,
    /// Items (one with id `""` outside matrices).
    pub items: Vec<ComparedItem>,
}

/// One item compared.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparedItem {
    /// Item id.
    pub id: String,
    /// Item label.
    pub label: String,
    /// Länder, pool, total.
    pub groups: Vec<ComparedGroup>,
}

/// One group in both waves; both figures are present or neither is.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparedGroup {
    /// Group code.
    pub code: String,
    /// Group label.
    pub label: String,
    /// Figures in the wave compared with.
    pub compared: Option<Shown>,
    /// Figures in the report's wave.
    pub this: Option<Shown>,
}

impl ComparedGroup {
    /// The note for a group hidden in the comparison.
    pub const HIDDEN_NOTE: &'static str = "in mindestens einer Welle zu wenige Antworten";
}

/// Compares `report` with `compared` (the change is report minus compared).
pub fn compare(report: &Report, compared: &Report) -> Comparison {
    let mut questions = Vec::new();
    for q in &report.questions {
        let Body::Choice(this) = &q.body else {
            continue;
        };
        let Some(Body::Choice(other)) = compared
            .questions
            .iter()
            .find(|c| c.id == q.id)
            .map(|c| &c.body)
        else {
            continue;
        };
        let codes =
            |c: &super::ChoiceReport| c.options.iter().map(|o| o.code.clone()).collect::<Vec<_>>();
        let item_ids =
            |c: &super::ChoiceReport| c.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
        if this.multiple != other.multiple
            || codes(this) != codes(other)
            || item_ids(this) != item_ids(other)
        {
            continue;
        }
        let items = this
            .items
            .iter()
            .zip(&other.items)
            .map(|(a, b)| ComparedItem {
                id: a.id.clone(),
                label: a.label.clone(),
                groups: a
                    .by_land
                    .groups
                    .iter()
                    .map(|g| {
                        let peer = b.by_land.groups.iter().find(|p| {
                            p.code == g.code
                                && (g.kind != GroupKind::Pool || p.members == g.members)
                        });
                        let both = match (&g.figures, peer.and_then(|p| p.figures.as_ref())) {
                            (Some(x), Some(y)) => Some((x.clone(), y.clone())),
                            _ => None,
                        };
                        ComparedGroup {
                            code: g.code.clone(),
                            label: g.label.clone(),
                            compared: both.as_ref().map(|(_, y)| y.clone()),
                            this: both.map(|(x, _)| x),
                        }
                    })
                    .collect(),
            })
            .collect();
        questions.push(ComparedQuestion {
            id: q.id.clone(),
            text: q.text.clone(),
            multiple: this.multiple,
            options: this.options.clone(),
            palette: super::diagrams::palette(this),
            items,
        });
    }
    Comparison {
        wave: report.wave.clone(),
        compared: compared.wave.clone(),
        questions,
    }
}

/// `compare-<wave>.csv` (and `compare-<wave>-excel.csv`): per question × item × option × Land,
/// both waves' n and percent and the change in percentage points.
pub fn sheet(comparison: &Comparison) -> Sheet {
    let mut rows = Vec::new();
    let text = |s: &str| Cell::Text(s.to_owned());
    for q in &comparison.questions {
        for item in &q.items {
            for (o, option) in q.options.iter().enumerate() {
                for g in &item.groups {
                    let mut row = vec![
                        text(&comparison.wave.slug),
                        text(&comparison.compared.slug),
                        text(&q.id),
                        text(&q.text),
                        text(&item.id),
                        text(&item.label),
                        text(&option.code),
                        text(&option.label),
                        text(&g.code),
                        text(&g.label),
                    ];
                    match (&g.compared, &g.this) {
                        (Some(before), Some(after)) => {
                            let (p0, p1) = (before.percent(o), after.percent(o));
                            row.extend([
                                Cell::Count(before.n),
                                Cell::Decimal(p0, 1),
                                Cell::Count(after.n),
                                Cell::Decimal(p1, 1),
                                Cell::Decimal(p1 - p0, 1),
                                text(""),
                            ]);
                        }
                        _ => {
                            row.extend((0..5).map(|_| text(HIDDEN)));
                            row.push(text(ComparedGroup::HIDDEN_NOTE));
                        }
                    }
                    rows.push(row);
                }
            }
        }
    }
    Sheet {
        file: "compare",
        title: "Vergleich",
        header: vec![
            Column::Wave,
            Column::ComparedWave,
            Column::QuestionId,
            Column::Question,
            Column::ItemId,
            Column::Item,
            Column::OptionCode,
            Column::OptionLabel,
            Column::LandCode,
            Column::Land,
            Column::NCompared,
            Column::PercentCompared,
            Column::N,
            Column::Percent,
            Column::ChangePoints,
            Column::Suppressed,
        ],
        rows,
    }
}
