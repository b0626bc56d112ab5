//! The survey definition: what a questionnaire asks, in which order, and under which conditions.
//!
//! The serde form of these types is the file format of `surveys/*.toml` (and its JSON twin), with one
//! difference: questions that use a named scale carry both the scale's name and its options, resolved.
//! That resolved form is what the store keeps, so nothing downstream has to look scales up.

use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// The ISO 3166-2 code and German short name of the 16 Länder, in ISO order.
pub const LAENDER: [(&str, &str); 16] = [
    ("DE-BW", "Baden-Württemberg"),
    ("DE-BY", "Bayern"),
    ("DE-BE", "Berlin"),
    ("DE-BB", "Brandenburg"),
    ("DE-HB", "Bremen"),
    ("DE-HH", "Hamburg"),
    ("DE-HE", "Hessen"),
    ("DE-MV", "Mecklenburg-Vorpommern"),
    ("DE-NI", "Niedersachsen"),
    ("DE-NW", "Nordrhein-Westfalen"),
    ("DE-RP", "Rheinland-Pfalz"),
    ("DE-SL", "Saarland"),
    ("DE-SN", "Sachsen"),
    ("DE-ST", "Sachsen-Anhalt"),
    ("DE-SH", "Schleswig-Holstein"),
    ("DE-TH", "Thüringen"),
];

/// One questionnaire, as loaded from a definition file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    /// Stable id (`fruehjahr-2020`): what waves, reports and comparisons refer to.
    pub id: String,
    /// Title shown on every page, in mails and reports.
    pub title: String,
    /// How respondents reach the questionnaire.
    #[serde(default)]
    pub access: Access,
    /// Text on the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    /// Privacy information to accept before the first question, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// Participant attributes the survey refers to, by name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub attributes: IndexMap<String, Attribute>,
    /// Named answer scales shared by several questions.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub scales: IndexMap<String, Scale>,
    /// The pages, in the order they are shown.
    pub pages: Vec<Page>,
}

/// How respondents reach a survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// A personal link per participant; Land and attributes come from the participant list.
    #[default]
    Token,
    /// One shared link; each browser session is an anonymous response that names its Land.
    Open,
}

/// The privacy information and the tick box that must be accepted before anything is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// The essentials in a few sentences, always shown; the full `text` is then folded on small
    /// screens (the first layer of a layered privacy notice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The information (DSGVO Art. 13).
    pub text: String,
    /// The label of the tick box.
    pub label: String,
}

/// A participant attribute (e.g. `landesnetzwerk`) and the values it may take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    /// Human-readable name, used in report breakdowns.
    pub label: String,
    /// The allowed values.
    pub values: Vec<String>,
}

/// A named answer scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// The scale's options, in order.
    pub options: Vec<ChoiceOption>,
    /// Which way the scale runs (what its first and last options mean).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// The code of the neutral option in the middle ("teils, teils"), if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neutral: Option<String>,
}

/// Which way an ordered scale runs: what its first option means, and its last. Charts colour by
/// meaning (positive blue, negative orange; decrease purple, increase green; low to high one
/// ramp), so the same meaning has the same colour in every chart of every wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// From the positive end ("sehr gut") to the negative one ("sehr schlecht").
    PositiveNegative,
    /// From the negative end to the positive one.
    NegativePositive,
    /// From a decrease ("deutlich zurückgehen") to an increase ("deutlich zunehmen").
    DecreaseIncrease,
    /// From an increase to a decrease.
    IncreaseDecrease,
    /// From little ("nie") to much ("sehr oft"), neither good nor bad.
    LowHigh,
    /// From much to little.
    HighLow,
}

impl Direction {
    /// Every direction as written in a definition.
    pub const NAMES: [&'static str; 6] = [
        "positive-negative",
        "negative-positive",
        "decrease-increase",
        "increase-decrease",
        "low-high",
        "high-low",
    ];

    /// The direction written as `name`.
    pub fn from_name(name: &str) -> Option<Direction> {
        let all = [
            Direction::PositiveNegative,
            Direction::NegativePositive,
            Direction::DecreaseIncrease,
            Direction::IncreaseDecrease,
            Direction::LowHigh,
            Direction::HighLow,
        ];
        Self::NAMES.iter().position(|n| *n == name).map(|i| all[i])
    }
}

/// One screen of the questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Id, unique among the pages.
    pub id: String,
    /// Heading of the page.
    pub title: String,
    /// Text above the questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    /// Conditions that must all hold for the page to be shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub show_if: Vec<Condition>,
    /// The questions, in order.
    pub questions: Vec<Question>,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Stable id, unique in the survey: aggregation and cross-wave comparison join on it.
    pub id: String,
    /// The question as shown.
    pub text: String,
    /// A hint shown under the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Whether an answer is needed to go on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Conditions that must all hold for the question to be asked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub show_if: Vec<Condition>,
    /// The type of question and what belongs to it.
    #[serde(flatten)]
    pub kind: QuestionKind,
}

/// The type of a question with its type-specific settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum QuestionKind {
    /// One answer from a list (radio buttons).
    Single {
        /// The answers to choose from.
        #[serde(flatten)]
        choices: Choices,
    },
    /// Any number of answers from a list (check boxes).
    Multiple {
        /// The answers to choose from.
        #[serde(flatten)]
        choices: Choices,
        /// At most this many may be ticked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_choices: Option<u32>,
    },
    /// Rows of items that share one answer scale.
    Matrix {
        /// The rows.
        items: Vec<Item>,
        /// The scale every row is answered on.
        #[serde(flatten)]
        choices: Choices,
    },
    /// A number, integer or decimal.
    Number {
        /// Smallest allowed value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        /// Largest allowed value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        /// Digits allowed after the decimal comma (0: whole numbers).
        #[serde(default, skip_serializing_if = "is_zero")]
        decimals: u8,
        /// Unit shown after the field ("Personen").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// One line of text.
    Text {
        /// Longest allowed answer in characters.
        max_length: u32,
    },
    /// A text area.
    LongText {
        /// Longest allowed answer in characters.
        max_length: u32,
    },
    /// A calendar date.
    Date {
        /// Earliest allowed date.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<NaiveDate>,
        /// Latest allowed date.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<NaiveDate>,
    },
    /// One of the 16 Länder (open-link surveys, whose respondents have no participant record).
    Land,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

/// The answers a choice question offers: inline, or taken from a named scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choices {
    /// The named scale the options come from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<String>,
    /// The options, resolved from the scale where one is named.
    pub options: Vec<ChoiceOption>,
    /// Which way the options run (from the scale where one is named).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// The code of the neutral option, if any (from the scale where one is named).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neutral: Option<String>,
}

/// One answer option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// Stable code, unique within the question.
    pub code: String,
    /// Text shown.
    pub label: String,
    /// Number used for means, where the scale is ordered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// "weiß nicht / keine Angabe": counted in frequencies, left out of means.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub missing: bool,
    /// Excludes every other option of a multiple-choice question.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclusive: bool,
    /// Asks the respondent to specify ("Sonstiges, bitte angeben").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub other: bool,
}

/// One row of a matrix question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Stable id, unique within the question.
    pub id: String,
    /// Text shown.
    pub label: String,
}

/// A condition under which a page or question is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// What the condition looks at.
    #[serde(flatten)]
    pub subject: Subject,
    /// The codes or values of which one must be given.
    pub any_of: Vec<String>,
}

/// What a condition looks at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Subject {
    /// The answer to an earlier question (or one row of a matrix question).
    Question {
        /// The question's id.
        question: String,
        /// The matrix row's id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        item: Option<String>,
    },
    /// A participant attribute (`land` is always available).
    Attribute {
        /// The attribute's name.
        attribute: String,
    },
}

impl Survey {
    /// Every question of the survey with the index of its page, in order.
    pub fn questions(&self) -> impl Iterator<Item = (usize, &Question)> {
        self.pages
            .iter()
            .enumerate()
            .flat_map(|(p, page)| page.questions.iter().map(move |q| (p, q)))
    }

    /// The question with this id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions().map(|(_, q)| q).find(|q| q.id == id)
    }
}

impl QuestionKind {
    /// The name of the type as written in files (`single`, `long_text`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            QuestionKind::Single { .. } => "single",
            QuestionKind::Multiple { .. } => "multiple",
            QuestionKind::Matrix { .. } => "matrix",
            QuestionKind::Number { .. } => "number",
            QuestionKind::Text { .. } => "text",
            QuestionKind::LongText { .. } => "long_text",
            QuestionKind::Date { .. } => "date",
            QuestionKind::Land => "land",
        }
    }

    /// The options of a choice question, if it is one (`land` questions list the 16 Länder elsewhere).
    pub fn choices(&self) -> Option<&Choices> {
        match self {
            QuestionKind::Single { choices }
            | QuestionKind::Multiple { choices, .. }
            | QuestionKind::Matrix { choices, .. } => Some(choices),
            _ => None,
        }
    }
}
