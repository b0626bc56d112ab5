//! `index.html`: the whole report in one self-contained page (styles and charts inline, no
//! script): response counts, then every question's chart with the same numbers as a table beside
//! it, the suppression notes and free-text answers without attribution.

use askama::Template;

use super::compare::Comparison;
use super::trend::Trend;
use super::{Body, Group, GroupKind, Report, Shown, Table, german};

/// The style sheet inlined into `index.html` (the board serves the page with this sheet's hash in
/// its Content-Security-Policy, so no other inline style can run).
pub const REPORT_CSS: &str = include_str!("../../templates/report/report.css");

#[derive(Template)]
#[template(path = "report/index.html")]
struct IndexPage<'a> {
    report: &'a Report,
    css: &'a str,
    total: String,
    responses: Vec<TableView>,
    hints: Vec<String>,
    downloads: &'a [(String, String)],
    questions: Vec<QuestionView>,
    comparison: Option<ComparisonView>,
    trend: Vec<QuestionView>,
}

pub(super) struct QuestionView {
    pub(super) id: String,
    pub(super) text: String,
    pub(super) note: String,
    pub(super) items: Vec<ItemView>,
    pub(super) texts: Vec<String>,
    pub(super) texts_note: String,
}

pub(super) struct ItemView {
    pub(super) heading: String,
    pub(super) figure: Option<FigureView>,
    pub(super) tables: Vec<TableView>,
}

pub(super) struct FigureView {
    pub(super) svg: String,
    pub(super) file: String,
}

pub(super) struct TableView {
    pub(super) caption: String,
    pub(super) columns: Vec<String>,
    pub(super) rows: Vec<RowView>,
}

pub(super) struct RowView {
    pub(super) label: String,
    pub(super) cells: Vec<String>,
    pub(super) note: String,
    pub(super) total: bool,
}

struct ComparisonView {
    title: String,
    items: Vec<ItemView>,
}

/// A drawn chart to put inline.
pub struct InlineChart<'a> {
    /// File stem (`charts/<file>.svg`).
    pub file: &'a str,
    /// Text alternative.
    pub description: &'a str,
    /// The SVG document.
    pub svg: &'a str,
    /// The chart it was drawn from (the PDF draws it again natively).
    pub chart: &'a super::chart::Chart,
}

/// Renders `index.html`. `charts` are the report's drawn charts, `downloads` the (file name,
/// description) pairs to link.
pub fn index(
    report: &Report,
    charts: &[InlineChart<'_>],
    comparison: Option<(&Comparison, &[InlineChart<'_>])>,
    trend: Option<(&Trend, &[InlineChart<'_>])>,
    downloads: &[(String, String)],
) -> askama::Result<String> {
    let (total, responses) = summary(report);
    let questions = report
        .questions
        .iter()
        .map(|q| question_view(q, charts))
        .collect();
    let comparison = comparison.map(|(c, diagrams)| comparison_view(c, diagrams));
    let trend = trend.map_or_else(Vec::new, |(t, diagrams)| trend_views(t, diagrams));
    IndexPage {
        report,
        css: REPORT_CSS,
        total,
        responses,
        hints: hints(report),
        downloads,
        questions,
        comparison,
        trend,
    }
    .render()
}

/// The report's lead figure ("94 von 130 Eingeladenen (72,3 %)", or the count) and its response
/// tables (the rates per Land where there are personal invitations), for the page and the PDF.
pub(super) fn summary(report: &Report) -> (String, Vec<TableView>) {
    let total_rate = report
        .rates
        .iter()
        .find(|r| r.kind == GroupKind::Total)
        .and_then(|r| r.figures);
    let total = match (total_rate, total_rate.and_then(|f| f.percent())) {
        (Some(f), Some(percent)) => format!(
            "{} von {} Eingeladenen ({} %)",
            f.submitted,
            f.invited,
            german(percent, 1)
        ),
        _ if report.empty => {
            "keine; für diese Welle liegen noch keine abgeschlossenen Fragebögen vor".to_owned()
        }
        _ => report
            .responses
            .groups
            .iter()
            .find(|g| g.kind == GroupKind::Total)
            .and_then(|g| g.figures.as_ref())
            .map_or_else(
                || "weniger als die Mindestzahl".to_owned(),
                |f| f.n.to_string(),
            ),
    };
    let responses = std::iter::once(&report.responses)
        .chain(&report.responses_by_attribute)
        .map(|t| match t.dimension {
            super::Dimension::Land if !report.rates.is_empty() => rate_table(report),
            _ => count_table(t, "Abgeschlossene Fragebögen"),
        })
        .collect();
    (total, responses)
}

/// The notes on how figures are shown, for the page and the PDF.
pub(super) fn hints(report: &Report) -> Vec<String> {
    let mut hints = vec![
        "Gezählt werden nur abgeschlossene Fragebögen; begonnene, nicht abgesendete zählen nie.".to_owned(),
        "n ist die Zahl der Befragten, denen eine Frage gestellt wurde (bei Folgefragen nur die, auf die sie zutraf). Anteile sind Prozent von n.".to_owned(),
        format!("Gruppen mit weniger als {} Antworten werden nicht ausgewiesen („.“, „zu wenige Antworten“). Sie sind unter „weitere Länder“ zusammengefasst (alle Länder, die nicht einzeln ausgewiesen sind), wenn diese Gruppe die Mindestzahl erreicht.", report.wave.threshold),
        "Damit sich eine ausgeblendete Gruppe nicht aus der Gesamtzahl und den übrigen Ländern errechnen lässt, wird wo nötig auch die kleinste weitere Gruppe ausgeblendet („ausgeblendet, damit kleine Gruppen geschützt bleiben“).".to_owned(),
    ];
    if !report.rates.is_empty() {
        hints.push("Rücklaufquote: abgeschlossene Fragebögen je persönlich eingeladener Region (Links, die vor dem Absenden zurückgezogen wurden, zählen nicht). Sie steht nur, wo auch die Zahl der Fragebögen steht.".to_owned());
    }
    hints.push(
        "Freitextantworten stehen ohne Zuordnung zu Land oder Region, alphabetisch sortiert."
            .to_owned(),
    );
    hints.push(
        "„weiß nicht / keine Angabe“ zählt bei den Anteilen mit, nicht aber bei Mittelwerten."
            .to_owned(),
    );
    hints
}

fn figure(charts: &[InlineChart<'_>], file: &str) -> Option<FigureView> {
    charts.iter().find(|c| c.file == file).map(|c| FigureView {
        svg: accessible_svg(c.svg, c.description),
        file: c.file.to_owned(),
    })
}

/// The SVG without its XML prolog, marked as an image with a text alternative (the table beside
/// it holds the same numbers).
fn accessible_svg(svg: &str, description: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let body = &svg[start..];
    let label = askama::filters::escape(description, askama::filters::Html)
        .map(|s| s.to_string())
        .unwrap_or_default();
    body.replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"{label}\" focusable=\"false\""),
        1,
    )
}

pub(super) fn question_view(q: &super::QuestionReport, charts: &[InlineChart<'_>]) -> QuestionView {
    let mut note = String::new();
    let items = match &q.body {
        Body::Choice(c) => {
            note = if c.multiple {
                "Mehrfachnennungen möglich; Anteile in Prozent der Befragten, denen die Frage gestellt wurde.".to_owned()
            } else {
                "Anteile in Prozent der Befragten, denen die Frage gestellt wurde.".to_owned()
            };
            if let Some(anchors) = super::scale_anchors(&c.options).filter(|_| c.scaled) {
                note.push_str(&format!(
                    " Mittelwert auf der Skala {anchors}, ohne „weiß nicht / keine Angabe“."
                ));
            }
            c.items
                .iter()
                .map(|item| {
                    let file = super::diagrams::file_name(&q.id, &item.id);
                    let mut columns: Vec<String> =
                        c.options.iter().map(|o| o.label.clone()).collect();
                    if c.scaled {
                        columns.push("Mittelwert".to_owned());
                    }
                    let tables = std::iter::once(&item.by_land)
                        .chain(&item.by_attribute)
                        .map(|t| frequency_table(t, &columns, c.options.len(), c.scaled))
                        .collect();
                    ItemView {
                        heading: item.label.clone(),
                        figure: figure(charts, &file),
                        tables,
                    }
                })
                .collect()
        }
        Body::Number(n) => {
            let unit = n.unit.clone().unwrap_or_default();
            note = format!(
                "Kennzahlen der angegebenen Werte{}.",
                if unit.is_empty() {
                    String::new()
                } else {
                    format!(" (in {unit})")
                }
            );
            vec![ItemView {
                heading: String::new(),
                figure: None,
                tables: std::iter::once(&n.by_land)
                    .chain(&n.by_attribute)
                    .map(stats_table)
                    .collect(),
            }]
        }
        Body::Text => Vec::new(),
    };
    let texts_note = if q.texts.is_empty() {
        if matches!(q.body, Body::Text) {
            "Keine Antworten (oder zu wenige, um sie zu zeigen).".to_owned()
        } else {
            String::new()
        }
    } else if q.texts_total > q.texts.len() as u64 {
        format!(
            "Die ersten {} von {} Antworten, alphabetisch, ohne Zuordnung zu Land oder Region; alle im Rohdatenexport.",
            q.texts.len(),
            q.texts_total
        )
    } else {
        format!(
            "{} Antworten, alphabetisch, ohne Zuordnung zu Land oder Region.",
            q.texts.len()
        )
    };
    QuestionView {
        id: q.id.clone(),
        text: q.text.clone(),
        note,
        items,
        texts: q.texts.clone(),
        texts_note,
    }
}

fn caption(table: &Table) -> String {
    match &table.dimension {
        super::Dimension::Land => "Nach Land".to_owned(),
        super::Dimension::Attribute { label, .. } => format!("Nach Merkmal: {label}"),
    }
}

fn row(group: &Group, cells: Vec<String>) -> RowView {
    RowView {
        label: match &group.figures {
            Some(f) => format!("{} (n = {})", group.label, f.n),
            None => group.label.clone(),
        },
        cells,
        note: group.note().to_owned(),
        total: group.kind == GroupKind::Total,
    }
}

fn count_table(table: &Table, column: &str) -> TableView {
    TableView {
        caption: caption(table),
        columns: vec![column.to_owned()],
        rows: table
            .groups
            .iter()
            .map(|g| {
                let cell = g
                    .figures
                    .as_ref()
                    .map_or(".".to_owned(), |f| f.n.to_string());
                RowView {
                    label: g.label.clone(),
                    cells: vec![cell],
                    note: g.note().to_owned(),
                    total: g.kind == GroupKind::Total,
                }
            })
            .collect(),
    }
}

/// Invited, submitted and the rate per Land (for waves with personal links).
fn rate_table(report: &Report) -> TableView {
    TableView {
        caption: "Nach Land: Rücklaufquote".to_owned(),
        columns: vec![
            "Eingeladen".to_owned(),
            "Abgeschlossene Fragebögen".to_owned(),
            "Rücklaufquote".to_owned(),
        ],
        rows: report
            .rates
            .iter()
            .map(|r| RowView {
                label: r.label.clone(),
                cells: match &r.figures {
                    Some(f) => vec![
                        f.invited.to_string(),
                        f.submitted.to_string(),
                        f.percent()
                            .map_or_else(String::new, |p| format!("{} %", german(p, 1))),
                    ],
                    None => vec![".".to_owned(); 3],
                },
                note: r.note.to_owned(),
                total: r.kind == GroupKind::Total,
            })
            .collect(),
    }
}

/// A group's cells in a frequency table: the share per option and the mean (scales); "–" for
/// nobody, "." for a hidden group.
fn share_cells(figures: Option<&Shown>, options: usize, scaled: bool) -> Vec<String> {
    let width = options + usize::from(scaled);
    match figures {
        Some(f) if f.n == 0 => vec!["–".to_owned(); width],
        Some(f) => {
            let mut cells: Vec<String> = (0..options)
                .map(|o| format!("{} %", german(f.percent(o), 1)))
                .collect();
            if scaled {
                cells.push(f.stats.map_or("–".to_owned(), |s| german(s.mean, 2)));
            }
            cells
        }
        None => vec![".".to_owned(); width],
    }
}

fn frequency_table(table: &Table, columns: &[String], options: usize, scaled: bool) -> TableView {
    let rows = table
        .groups
        .iter()
        .map(|g| row(g, share_cells(g.figures.as_ref(), options, scaled)))
        .collect();
    TableView {
        caption: caption(table),
        columns: columns.to_vec(),
        rows,
    }
}

fn stats_table(table: &Table) -> TableView {
    let columns = ["Mittelwert", "Median", "Minimum", "Maximum"]
        .map(str::to_owned)
        .to_vec();
    let rows = table
        .groups
        .iter()
        .map(|g| {
            let cells = match g.figures.as_ref().and_then(|f| f.stats) {
                Some(s) => vec![
                    german(s.mean, 2),
                    german(s.median, 2),
                    german(s.min, 2),
                    german(s.max, 2),
                ],
                None => vec![".".to_owned(); 4],
            };
            row(g, cells)
        })
        .collect();
    TableView {
        caption: caption(table),
        columns,
        rows,
    }
}

/// The trend as sections like the questions': per question its rows (matrix) with Germany's bar
/// per wave, Germany's shares per wave, and for scales each Land's mean per wave.
pub(super) fn trend_views(trend: &Trend, charts: &[InlineChart<'_>]) -> Vec<QuestionView> {
    let mut views: Vec<QuestionView> = Vec::new();
    for q in &trend.questions {
        let titles: Vec<String> = q
            .waves
            .iter()
            .map(|&w| trend.waves[w].title.clone())
            .collect();
        let mut columns: Vec<String> = q.options.iter().map(|o| o.label.clone()).collect();
        if q.scaled {
            columns.push("Mittelwert".to_owned());
        }
        let mut tables = Vec::new();
        if let Some(total) = q.groups.iter().find(|g| g.kind == GroupKind::Total) {
            let rows = total
                .points
                .iter()
                .zip(&titles)
                .map(|((point, note), title)| {
                    let cells = share_cells(point.as_ref(), q.options.len(), q.scaled);
                    RowView {
                        label: match point {
                            Some(f) => format!("{title} (n = {})", f.n),
                            None => title.clone(),
                        },
                        cells,
                        note: (*note).to_owned(),
                        total: false,
                    }
                })
                .collect();
            tables.push(TableView {
                caption: "Deutschland gesamt je Welle".to_owned(),
                columns: columns.clone(),
                rows,
            });
        }
        if q.scaled {
            let rows = q
                .groups
                .iter()
                .map(|g| {
                    let cells = g
                        .points
                        .iter()
                        .map(|(point, _)| match point.as_ref().and_then(|f| f.stats) {
                            Some(s) => german(s.mean, 2),
                            None if point.is_some() => "–".to_owned(),
                            None => ".".to_owned(),
                        })
                        .collect();
                    let hidden = g.points.iter().filter(|(p, _)| p.is_none()).count();
                    RowView {
                        label: g.label.clone(),
                        cells,
                        note: match hidden {
                            0 => String::new(),
                            _ => "„.“: in dieser Welle nicht ausgewiesen".to_owned(),
                        },
                        total: g.kind == GroupKind::Total,
                    }
                })
                .collect();
            tables.push(TableView {
                caption: "Mittelwert je Land und Welle".to_owned(),
                columns: titles.clone(),
                rows,
            });
        }
        let file = format!("trend--{}", super::diagrams::file_name(&q.id, &q.item_id));
        let item = ItemView {
            heading: q.item_label.clone(),
            figure: figure(charts, &file),
            tables,
        };
        match views.last_mut() {
            Some(view) if view.id == q.id => view.items.push(item),
            _ => {
                let mut note = format!("Wellen: {}.", titles.join(", "));
                if let Some(anchors) = super::scale_anchors(&q.options).filter(|_| q.scaled) {
                    note.push_str(&format!(" Mittelwert auf der Skala {anchors}."));
                }
                note.push_str(" Jede Welle ist nach ihrer eigenen Mindestzahl ausgeblendet; „weitere Länder“ fehlt, weil diese Gruppe von Welle zu Welle andere Länder enthält.");
                views.push(QuestionView {
                    id: q.id.clone(),
                    text: q.text.clone(),
                    note,
                    items: vec![item],
                    texts: Vec::new(),
                    texts_note: String::new(),
                });
            }
        }
    }
    views
}

fn comparison_view(c: &Comparison, charts: &[InlineChart<'_>]) -> ComparisonView {
    let mut items = Vec::new();
    for q in &c.questions {
        for item in &q.items {
            let file = format!(
                "compare-{}--{}",
                c.compared.slug,
                super::diagrams::file_name(&q.id, &item.id)
            );
            let heading = if item.id.is_empty() {
                q.text.clone()
            } else {
                format!("{} – {}", q.text, item.label)
            };
            let mut columns: Vec<String> = Vec::new();
            for o in &q.options {
                columns.push(format!("{}: {}", o.label, c.compared.title));
                columns.push(format!("{}: {}", o.label, c.wave.title));
                columns.push(format!("{}: Veränderung", o.label));
            }
            let rows = item
                .groups
                .iter()
                .map(|g| {
                    let (cells, note, label) = match (&g.compared, &g.this) {
                        (Some(a), Some(b)) => {
                            let cells = (0..q.options.len())
                                .flat_map(|o| {
                                    let (p0, p1) = (a.percent(o), b.percent(o));
                                    [
                                        format!("{} %", german(p0, 1)),
                                        format!("{} %", german(p1, 1)),
                                        format!(
                                            "{}{} Pkt.",
                                            if p1 - p0 > 0.0 { "+" } else { "" },
                                            german(p1 - p0, 1)
                                        ),
                                    ]
                                })
                                .collect();
                            (
                                cells,
                                String::new(),
                                format!("{} (n = {} / {})", g.label, a.n, b.n),
                            )
                        }
                        _ => (
                            vec![".".to_owned(); columns.len()],
                            super::compare::ComparedGroup::HIDDEN_NOTE.to_owned(),
                            g.label.clone(),
                        ),
                    };
                    RowView {
                        label,
                        cells,
                        note,
                        total: g.code == super::TOTAL,
                    }
                })
                .collect();
            items.push(ItemView {
                heading,
                figure: figure(charts, &file),
                tables: vec![TableView {
                    caption: "Nach Land".to_owned(),
                    columns,
                    rows,
                }],
            });
        }
    }
    ComparisonView {
        title: format!("Vergleich: {} gegenüber {}", c.wave.title, c.compared.title),
        items,
    }
}
