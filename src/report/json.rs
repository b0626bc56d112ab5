//! A report's published figures as JSON (the API's results): the same tables as the CSV files,
//! typed. Built from [`tables`](super::tables), so a hidden figure, which the tables show as ".",
//! is `null` here with the reason in `suppressed`: nothing the CSV hides can appear.

use serde::Serialize;
use utoipa::ToSchema;

use super::Report;
use super::columns::Column;
use super::tables::{self, Cell, HIDDEN, Sheet};

/// The per-Land results of a wave.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Results {
    /// The wave.
    pub wave: WaveHeader,
    /// The one Land the figures are restricted to (a coordinator's key), else `null`.
    pub land: Option<String>,
    /// Nothing was submitted yet.
    pub empty: bool,
    /// Submitted responses per Land (and per value of each attribute, without `land`).
    pub responses: Vec<GroupCount>,
    /// Response rates per Land; empty for open-link waves.
    pub rates: Vec<RateRow>,
    /// Per question, item, option and Land: n, count and percent.
    pub figures: Vec<Figure>,
    /// Per scale question (and item) or number question and Land: n, mean, median, min, max.
    pub means: Vec<Mean>,
}

/// The wave a result is about.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct WaveHeader {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// The survey's title.
    pub survey_title: String,
    /// The field period as shown ("23.04.2020 – 05.05.2020"), empty when open-ended.
    pub period: String,
    /// Smallest group shown.
    pub threshold: u64,
}

/// Submitted responses of a group.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GroupCount {
    /// `land`, or the attribute the groups are values of.
    pub breakdown: String,
    /// Land code (`DE-BY`), `weitere` (the hidden Länder together), `DE` (all), or the attribute value.
    pub group_code: String,
    /// Its name.
    pub group: String,
    /// Submitted responses; `null` when hidden.
    pub n: Option<u64>,
    /// Why it is hidden, else `null`.
    pub suppressed: Option<String>,
}

/// The response rate of a Land.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RateRow {
    /// Land code (`DE-BY`), `weitere` (the hidden Länder together) or `DE` (all).
    pub land_code: String,
    /// Its name.
    pub land: String,
    /// Invited personally; `null` when hidden.
    pub invited: Option<u64>,
    /// Submitted; `null` when hidden.
    pub submitted: Option<u64>,
    /// Submitted as percent of invited (one decimal); `null` when hidden.
    pub rate_percent: Option<f64>,
    /// Why it is hidden, else `null`.
    pub suppressed: Option<String>,
}

/// How many respondents of a Land chose an option.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Figure {
    /// Question id.
    pub question_id: String,
    /// Question text.
    pub question: String,
    /// Matrix item id (`""` outside matrices).
    pub item_id: String,
    /// Matrix item text.
    pub item: String,
    /// Option code.
    pub option_code: String,
    /// Option text.
    pub option: String,
    /// Land code (`DE-BY`), `weitere` (the hidden Länder together) or `DE` (all).
    pub land_code: String,
    /// Its name.
    pub land: String,
    /// Respondents shown the question; `null` when hidden.
    pub n: Option<u64>,
    /// Respondents who chose the option; `null` when hidden.
    pub count: Option<u64>,
    /// Share of n in percent (one decimal); `null` when hidden or n is 0.
    pub percent: Option<f64>,
    /// Why it is hidden, else `null`.
    pub suppressed: Option<String>,
}

/// The mean of a scale or number question in a Land.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Mean {
    /// Question id.
    pub question_id: String,
    /// Question text.
    pub question: String,
    /// Matrix item id (`""` outside matrices).
    pub item_id: String,
    /// Matrix item text.
    pub item: String,
    /// Land code (`DE-BY`), `weitere` (the hidden Länder together) or `DE` (all).
    pub land_code: String,
    /// Its name.
    pub land: String,
    /// Values counted; `null` when hidden or none.
    pub n: Option<u64>,
    /// Mean (two decimals).
    pub mean: Option<f64>,
    /// Median.
    pub median: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
    /// Why the figures are hidden or missing, else `null`.
    pub suppressed: Option<String>,
    /// The ends of the scale ("1 = sehr gut … 5 = sehr schlecht"), `""` for number questions.
    pub scale: String,
}

/// The results of `report`, all Länder, or only the rows of `land` (a Land code).
pub fn results(report: &Report, land: Option<&str>) -> Results {
    let keep = |code: &str| land.is_none_or(|l| l == code);
    let responses = rows(&tables::responses(report))
        .filter(|r| land.is_none() || r.text(Column::Breakdown) == "land")
        .filter(|r| keep(&r.text(Column::GroupCode)))
        .map(|r| GroupCount {
            breakdown: r.text(Column::Breakdown),
            group_code: r.text(Column::GroupCode),
            group: r.text(Column::Group),
            n: r.count(Column::N),
            suppressed: r.note(),
        })
        .collect();
    let rates = tables::rates(report)
        .map(|sheet| {
            rows(&sheet)
                .filter(|r| keep(&r.text(Column::LandCode)))
                .map(|r| RateRow {
                    land_code: r.text(Column::LandCode),
                    land: r.text(Column::Land),
                    invited: r.count(Column::Invited),
                    submitted: r.count(Column::Submitted),
                    rate_percent: r.decimal(Column::Rate),
                    suppressed: r.note(),
                })
                .collect()
        })
        .unwrap_or_default();
    let figures = rows(&tables::per_land(report))
        .filter(|r| keep(&r.text(Column::LandCode)))
        .map(|r| r.figure())
        .collect();
    let means = rows(&tables::numeric(report))
        .filter(|r| keep(&r.text(Column::LandCode)))
        .map(|r| Mean {
            question_id: r.text(Column::QuestionId),
            question: r.text(Column::Question),
            item_id: r.text(Column::ItemId),
            item: r.text(Column::Item),
            land_code: r.text(Column::LandCode),
            land: r.text(Column::Land),
            n: r.count(Column::N),
            mean: r.decimal(Column::Mean),
            median: r.decimal(Column::Median),
            min: r.decimal(Column::Min),
            max: r.decimal(Column::Max),
            suppressed: r.note(),
            scale: r.text(Column::Scale),
        })
        .collect();
    Results {
        wave: WaveHeader {
            slug: report.wave.slug.clone(),
            title: report.wave.title.clone(),
            survey_title: report.wave.survey_title.clone(),
            period: report.wave.period.clone(),
            threshold: report.wave.threshold,
        },
        land: land.map(str::to_owned),
        empty: report.empty,
        responses,
        rates,
        figures,
        means,
    }
}

/// A row of a sheet, read by column.
struct Row<'a> {
    header: &'a [Column],
    cells: &'a [Cell],
}

fn rows(sheet: &Sheet) -> impl Iterator<Item = Row<'_>> {
    sheet.rows.iter().map(|cells| Row {
        header: &sheet.header,
        cells,
    })
}

impl Row<'_> {
    fn cell(&self, column: Column) -> Option<&Cell> {
        let at = self.header.iter().position(|c| *c == column)?;
        self.cells.get(at)
    }

    fn text(&self, column: Column) -> String {
        match self.cell(column) {
            Some(Cell::Text(text)) => text.clone(),
            Some(Cell::Count(n)) => n.to_string(),
            Some(Cell::Decimal(v, _)) => v.to_string(),
            None => String::new(),
        }
    }

    /// A whole number; `None` for a hidden (".") or empty cell.
    fn count(&self, column: Column) -> Option<u64> {
        match self.cell(column)? {
            Cell::Count(n) => Some(*n),
            Cell::Decimal(..) | Cell::Text(_) => None,
        }
    }

    /// A decimal rounded as the CSV shows it; `None` for a hidden (".") or empty cell.
    fn decimal(&self, column: Column) -> Option<f64> {
        match self.cell(column)? {
            Cell::Decimal(v, places) => {
                let scale = 10f64.powi(i32::try_from(*places).unwrap_or(2));
                Some((v * scale).round() / scale)
            }
            Cell::Count(n) => Some(*n as f64),
            Cell::Text(_) => None,
        }
    }

    /// The row of an option's frequency (`per-land.csv`, `trend.csv`).
    fn figure(&self) -> Figure {
        Figure {
            question_id: self.text(Column::QuestionId),
            question: self.text(Column::Question),
            item_id: self.text(Column::ItemId),
            item: self.text(Column::Item),
            option_code: self.text(Column::OptionCode),
            option: self.text(Column::OptionLabel),
            land_code: self.text(Column::LandCode),
            land: self.text(Column::Land),
            n: self.count(Column::N),
            count: self.count(Column::Count),
            percent: self.decimal(Column::Percent),
            suppressed: self.note(),
        }
    }

    fn note(&self) -> Option<String> {
        Some(self.text(Column::Suppressed)).filter(|t| !t.is_empty() && t != HIDDEN)
    }
}

/// A wave's figures over every earlier wave that asked the same questions.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TrendResults {
    /// The waves, oldest first (slugs).
    pub waves: Vec<String>,
    /// The one Land the figures are restricted to, else `null`.
    pub land: Option<String>,
    /// Per wave, question, item, option and Land: exactly what that wave's own results show.
    pub points: Vec<TrendPoint>,
}

/// One wave's figure in a trend.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TrendPoint {
    /// The wave's slug.
    pub wave: String,
    /// The figure, as that wave's own results show it.
    #[serde(flatten)]
    pub figure: Figure,
    /// The item's mean on its scale, where it has one; `null` when hidden or none.
    pub mean: Option<f64>,
}

/// The trend's points, all Länder, or only the rows of `land`.
pub fn trend(trend: &super::trend::Trend, land: Option<&str>) -> TrendResults {
    let points = rows(&super::trend::sheet(trend))
        .filter(|r| land.is_none_or(|l| l == r.text(Column::LandCode)))
        .map(|r| TrendPoint {
            wave: r.text(Column::Wave),
            figure: r.figure(),
            mean: r.decimal(Column::Mean),
        })
        .collect();
    TrendResults {
        waves: trend.waves.iter().map(|w| w.slug.clone()).collect(),
        land: land.map(str::to_owned),
        points,
    }
}
