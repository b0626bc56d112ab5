//! Wording shared by the decoder and the checker: the things of a definition as messages name them,
//! in English and in German (which needs a form for "where": "in der Frage „q1“").

/// A part of a definition named in a message, in the forms the messages need.
#[derive(Debug, Clone)]
pub struct Noun {
    /// "question `q1`".
    pub english: String,
    /// "die Frage „q1“" (the subject of a German sentence).
    pub german: String,
    /// "in der Frage „q1“" (where something is).
    pub german_in: String,
}

impl Noun {
    fn new(english: String, german: String, german_in: String) -> Noun {
        Noun {
            english,
            german,
            german_in,
        }
    }

    /// The whole survey (the file's top level).
    pub fn survey() -> Noun {
        Noun::new(
            "the survey".into(),
            "die Umfrage".into(),
            "in der Umfrage".into(),
        )
    }

    /// A top-level table named by its key: `consent`, `attributes`, `scales`.
    pub fn key(key: &str) -> Noun {
        Noun::new(
            format!("`{key}`"),
            format!("„{key}“"),
            format!("in „{key}“"),
        )
    }

    /// A declared participant attribute.
    pub fn attribute(name: &str) -> Noun {
        Noun::new(
            format!("attribute `{name}`"),
            format!("das Merkmal „{name}“"),
            format!("im Merkmal „{name}“"),
        )
    }

    /// A named answer scale.
    pub fn scale(name: &str) -> Noun {
        Noun::new(
            format!("scale `{name}`"),
            format!("die Skala „{name}“"),
            format!("in der Skala „{name}“"),
        )
    }

    /// A page whose id is not (yet) known.
    pub fn a_page() -> Noun {
        Noun::new(
            "a page".into(),
            "eine Seite".into(),
            "auf einer Seite".into(),
        )
    }

    /// A page by its id.
    pub fn page(id: &str) -> Noun {
        Noun::new(
            format!("page `{id}`"),
            format!("die Seite „{id}“"),
            format!("auf der Seite „{id}“"),
        )
    }

    /// A question whose id is not (yet) known.
    pub fn a_question() -> Noun {
        Noun::new(
            "a question".into(),
            "eine Frage".into(),
            "in einer Frage".into(),
        )
    }

    /// A question by its id.
    pub fn question(id: &str) -> Noun {
        Noun::new(
            format!("question `{id}`"),
            format!("die Frage „{id}“"),
            format!("in der Frage „{id}“"),
        )
    }

    /// An answer option whose code is not (yet) known.
    pub fn an_option() -> Noun {
        Noun::new(
            "an option".into(),
            "eine Antwortmöglichkeit".into(),
            "in einer Antwortmöglichkeit".into(),
        )
    }

    /// An answer option by its code.
    pub fn option(code: &str) -> Noun {
        Noun::new(
            format!("option `{code}`"),
            format!("die Antwortmöglichkeit „{code}“"),
            format!("in der Antwortmöglichkeit „{code}“"),
        )
    }

    /// A row of a matrix question.
    pub fn an_item() -> Noun {
        Noun::new(
            "an item".into(),
            "eine Zeile der Matrix".into(),
            "in einer Zeile der Matrix".into(),
        )
    }

    /// A `show_if` condition.
    pub fn a_condition() -> Noun {
        Noun::new(
            "a condition".into(),
            "eine Bedingung".into(),
            "in einer Bedingung".into(),
        )
    }
}

/// The "did you mean" tail of a message, in English and German (both empty without a suggestion).
pub fn did_you_mean(suggestion: Option<&str>) -> (String, String) {
    match suggestion {
        Some(s) => (
            format!(" (did you mean `{s}`?)"),
            format!(" (gemeint ist wohl „{s}“)"),
        ),
        None => (String::new(), String::new()),
    }
}
