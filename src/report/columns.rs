//! The columns of the report's tables and their headers in the two CSV dialects.

/// A column of the report's tables, with its two headers: the tidy name of DESIGN.md (`percent`,
/// for R and Python) and the German header of the Excel dialect ("Anteil (%)").
///
/// One enum rather than two lists of strings per table, so that every column has both headers
/// (the match below is exhaustive) and a column is called the same in every table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The wave's slug.
    Wave,
    /// The slug of the wave compared with.
    ComparedWave,
    /// Question id.
    QuestionId,
    /// Question text.
    Question,
    /// The page of a question (codebook).
    PageId,
    /// The question's type (codebook).
    Type,
    /// Matrix item id (`""` outside matrices).
    ItemId,
    /// Matrix item label.
    Item,
    /// Answer option code.
    OptionCode,
    /// Answer option label.
    OptionLabel,
    /// Land code, pool or total.
    LandCode,
    /// Land name, pool or total.
    Land,
    /// The attribute a breakdown is by (`landesnetzwerk`).
    Attribute,
    /// What the groups of the response table are ("land" or an attribute).
    Breakdown,
    /// A group's code (Land code or attribute value).
    GroupCode,
    /// A group's label.
    Group,
    /// Respondents shown the question.
    N,
    /// Invited personally (response rates).
    Invited,
    /// Submitted responses (response rates).
    Submitted,
    /// Submitted as percent of invited.
    Rate,
    /// n in the wave compared with.
    NCompared,
    /// Respondents who chose the option.
    Count,
    /// Share of n, in percent.
    Percent,
    /// Share of n in the wave compared with.
    PercentCompared,
    /// Change of the share, in percentage points.
    ChangePoints,
    /// Mean.
    Mean,
    /// Median.
    Median,
    /// Minimum.
    Min,
    /// Maximum.
    Max,
    /// An option's value on its scale (codebook).
    Value,
    /// Whether an option is "weiß nicht / keine Angabe", left out of means (codebook).
    Missing,
    /// Why a figure is hidden or empty (a German note, empty when shown).
    Suppressed,
    /// The ends of the scale a mean is on ("1 = sehr gut … 5 = sehr schlecht").
    Scale,
}

impl Column {
    /// The tidy header (DESIGN.md): `question_id`.
    pub fn name(self) -> &'static str {
        self.headers().0
    }

    /// The German header of the Excel dialect: "Frage-ID".
    pub fn german(self) -> &'static str {
        self.headers().1
    }

    fn headers(self) -> (&'static str, &'static str) {
        match self {
            Self::Wave => ("wave", "Welle"),
            Self::ComparedWave => ("compared_wave", "Vergleichswelle"),
            Self::QuestionId => ("question_id", "Frage-ID"),
            Self::Question => ("question", "Frage"),
            Self::PageId => ("page_id", "Seiten-ID"),
            Self::Type => ("type", "Fragetyp"),
            Self::ItemId => ("item_id", "Teilfrage-ID"),
            Self::Item => ("item", "Teilfrage"),
            Self::OptionCode => ("option_code", "Antwort-Code"),
            Self::OptionLabel => ("option", "Antwort"),
            Self::LandCode => ("land_code", "Land-Code"),
            Self::Land => ("land", "Land"),
            Self::Attribute => ("attribute", "Merkmal"),
            Self::Breakdown => ("breakdown", "Aufgliederung"),
            Self::GroupCode => ("group_code", "Gruppen-Code"),
            Self::Group => ("group", "Gruppe"),
            Self::N => ("n", "n"),
            Self::Invited => ("invited", "Eingeladen"),
            Self::Submitted => ("submitted", "Abgeschickt"),
            Self::Rate => ("rate_percent", "Rücklaufquote (%)"),
            Self::NCompared => ("n_compared", "n Vergleichswelle"),
            Self::Count => ("count", "Anzahl"),
            Self::Percent => ("percent", "Anteil (%)"),
            Self::PercentCompared => ("percent_compared", "Anteil Vergleichswelle (%)"),
            Self::ChangePoints => ("change_points", "Veränderung (Prozentpunkte)"),
            Self::Mean => ("mean", "Mittelwert"),
            Self::Median => ("median", "Median"),
            Self::Min => ("min", "Minimum"),
            Self::Max => ("max", "Maximum"),
            Self::Value => ("value", "Wert"),
            Self::Missing => ("missing", "weiß nicht (fehlender Wert)"),
            Self::Suppressed => ("suppressed", "Hinweis"),
            Self::Scale => ("scale", "Skala"),
        }
    }
}
