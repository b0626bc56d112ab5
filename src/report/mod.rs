//! Reports: per-Land aggregation with small-group suppression, charts, CSV, Excel and HTML.
//!
//! Pure functions from the store's raw [`figures::Figures`] to bytes; no diesel, no actix, no
//! files. [`build::build`] turns figures into a [`Report`], deciding per table what may be shown
//! ([`suppress`]). Hidden groups carry no figures at all (`Group::figures` is `None`), so no writer
//! can leak what was suppressed. The writers ([`tables`] with their [`columns`], [`csv`] in a tidy
//! and a German Excel dialect, [`xlsx`], [`html`], [`chart`]) and the comparison of two waves
//! ([`compare`]) only read a `Report`; [`files`] puts together the set of files a report consists
//! of.

pub mod build;
pub mod chart;
pub mod columns;
pub mod compare;
pub mod csv;
pub mod diagrams;
pub mod figures;
pub mod files;
pub mod html;
pub mod json;
pub mod pdf;
pub mod raw;
pub mod suppress;
pub mod syntax;
pub mod tables;
pub mod timeline;
pub mod trend;
pub mod xlsx;

use figures::Stats;
use suppress::Status;

/// The wave a report is about.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveInfo {
    /// Slug (`fruehjahr-2020`).
    pub slug: String,
    /// Title ("Frühjahr 2020").
    pub title: String,
    /// The survey's title.
    pub survey_title: String,
    /// Field period as shown ("23.04.2020 – 05.05.2020"), empty when open-ended.
    pub period: String,
    /// Smallest group shown.
    pub threshold: u64,
}

/// One wave's report: every figure that may be published, and nothing else.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The wave.
    pub wave: WaveInfo,
    /// Submitted responses per Land and in total (groups carry n only).
    pub responses: Table,
    /// Submitted responses per value of each declared attribute.
    pub responses_by_attribute: Vec<Table>,
    /// Response rates per Land, pool and total, with the suppression of `responses`; empty when
    /// nobody was invited personally (an open link has no rate).
    pub rates: Vec<Rate>,
    /// The questions in survey order (`land` questions and date questions are left out: the
    /// response table covers the first, the raw export the second).
    pub questions: Vec<QuestionReport>,
    /// Nothing was submitted at all: the report says so (a total of zero identifies nobody).
    pub empty: bool,
}

/// The response rate of a Land, the pool or the total: a row of [`Report::rates`].
#[derive(Debug, Clone, PartialEq)]
pub struct Rate {
    /// Land code, [`POOL`] or [`TOTAL`].
    pub code: String,
    /// Its label.
    pub label: String,
    /// Member, pool or total.
    pub kind: GroupKind,
    /// Why its figures are hidden (empty when shown), as [`Group::note`].
    pub note: &'static str,
    /// Present exactly when the group's response count is shown.
    pub figures: Option<RateFigures>,
}

/// The published figures of a response rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateFigures {
    /// Invited personally.
    pub invited: u64,
    /// Submitted responses.
    pub submitted: u64,
}

impl RateFigures {
    /// Submitted as percent of invited (`None` when nobody was invited).
    pub fn percent(&self) -> Option<f64> {
        (self.invited > 0).then(|| self.submitted as f64 * 100.0 / self.invited as f64)
    }
}

/// The report of one question.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionReport {
    /// Question id.
    pub id: String,
    /// Question text.
    pub text: String,
    /// The figures.
    pub body: Body,
    /// Free-text answers ("Sonstiges" specifications or the answers to a text question), sorted,
    /// without attribution.
    pub texts: Vec<String>,
    /// How many free-text answers there are in all (`texts` may list only the first ones).
    pub texts_total: u64,
}

/// The figures of a question, by type.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Single, multiple and matrix questions.
    Choice(ChoiceReport),
    /// Number questions.
    Number(NumberReport),
    /// Text questions: only the listed answers.
    Text,
}

/// Frequencies of a choice question.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceReport {
    /// Several answers per respondent: percentages are of respondents and need not add up to 100.
    pub multiple: bool,
    /// The options in order.
    pub options: Vec<OptionInfo>,
    /// Whether the scale has values, so means are reported.
    pub scaled: bool,
    /// Which way the options run (what colours and means' anchors say); `None`: unordered.
    pub direction: Option<crate::survey::definition::Direction>,
    /// The index of the neutral option, if any.
    pub neutral: Option<usize>,
    /// One entry for single and multiple questions (item id `""`), one per row of a matrix.
    pub items: Vec<ItemReport>,
}

/// The ends of the scale means of `options` are on: "1 = sehr gut … 5 = sehr schlecht" (`None`:
/// no values).
pub fn scale_anchors(options: &[OptionInfo]) -> Option<String> {
    let valued: Vec<(f64, &str)> = options
        .iter()
        .filter_map(|o| o.value.map(|v| (v, o.label.as_str())))
        .collect();
    let low = valued.iter().min_by(|a, b| a.0.total_cmp(&b.0))?;
    let high = valued.iter().max_by(|a, b| a.0.total_cmp(&b.0))?;
    let number = |v: f64| german(v, if v.fract() == 0.0 { 0 } else { 1 });
    (low.0 < high.0).then(|| {
        format!(
            "{} = {} … {} = {}",
            number(low.0),
            low.1,
            number(high.0),
            high.1
        )
    })
}

/// An answer option as reports show it.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionInfo {
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
    /// "weiß nicht / keine Angabe": counted, left out of means.
    pub missing: bool,
    /// Its value on the scale (means), if any.
    pub value: Option<f64>,
}

/// The figures of one item (matrix row) or of a whole single/multiple question.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemReport {
    /// Item id (`""` outside matrices).
    pub id: String,
    /// Item label (`""` outside matrices).
    pub label: String,
    /// Per Land, pool and Deutschland gesamt.
    pub by_land: Table,
    /// Per value of each declared attribute.
    pub by_attribute: Vec<Table>,
}

/// Statistics of a number question.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberReport {
    /// Unit ("Personen").
    pub unit: Option<String>,
    /// Per Land, pool and Deutschland gesamt (groups carry stats).
    pub by_land: Table,
    /// Per value of each declared attribute.
    pub by_attribute: Vec<Table>,
}

/// One breakdown of one item: the groups in order, then the pool (if any), then the total.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// What the groups are.
    pub dimension: Dimension,
    /// Groups, pool and total.
    pub groups: Vec<Group>,
}

/// What a breakdown's groups are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dimension {
    /// The 16 Länder.
    Land,
    /// The values of a participant attribute.
    Attribute {
        /// The attribute's name (`landesnetzwerk`).
        name: String,
        /// Its label ("Mitglied eines der fünf Landesnetzwerke").
        label: String,
    },
}

/// A column of a table: a Land (or attribute value), the pool or the total.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Code: Land code, attribute value, [`POOL`] or [`TOTAL`].
    pub code: String,
    /// Label: Land name, attribute value, "weitere Länder", "Deutschland gesamt".
    pub label: String,
    /// Member, pool or total.
    pub kind: GroupKind,
    /// Whether and why it is hidden.
    pub status: Status,
    /// For the pool: the codes of the groups it holds (every group not shown on its own). The
    /// label names none of them: which Länder are small is itself a count.
    pub members: Vec<String>,
    /// The figures; present exactly when `status` is [`Status::Shown`].
    pub figures: Option<Shown>,
}

/// The code of the pool of hidden groups.
pub const POOL: &str = "weitere";
/// The code of the total.
pub const TOTAL: &str = "DE";

/// What a group is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupKind {
    /// A Land or attribute value.
    Member,
    /// The hidden members together.
    Pool,
    /// Everyone.
    Total,
}

/// The published figures of a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// Responses that were shown the question (for numbers: that gave a value).
    pub n: u64,
    /// Per option (choice questions), in option order; empty otherwise.
    pub counts: Vec<u64>,
    /// Scale mean etc. (scaled choice questions, without "weiß nicht"), or number statistics.
    pub stats: Option<Stats>,
}

impl Shown {
    /// `counts[option]` as percent of n (0 when n is 0).
    pub fn percent(&self, option: usize) -> f64 {
        let count = self.counts.get(option).copied().unwrap_or(0);
        if self.n == 0 {
            0.0
        } else {
            count as f64 * 100.0 / self.n as f64
        }
    }
}

impl Group {
    /// The note shown in place of a hidden group's figures.
    pub fn note(&self) -> &'static str {
        match self.status {
            Status::Shown if self.figures.as_ref().is_some_and(|f| f.n == 0) => "keine Antworten",
            Status::Shown => "",
            Status::Protecting => "ausgeblendet, damit kleine Gruppen geschützt bleiben",
            Status::TooFew => "zu wenige Antworten",
        }
    }
}

/// A number with `decimals` decimals, a decimal comma and no digit grouping ("42,5", "-2,50",
/// "1234,0"): how German pages and German Excel write numbers.
///
/// The one place numbers get their German spelling: the HTML report, the Excel dialect of the CSV
/// files ([`csv::Dialect::Excel`]) and the staff pages all call it, so they never disagree. German
/// Excel reads the result as a number; a digit grouping point would turn it into text or a date.
pub fn german(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}").replace('.', ",")
}

#[cfg(test)]
mod tests;
