//! Mail texts: the defaults in `templates/mail/` and a wave's own, with `{{ placeholder }}`s filled in.
//!
//! Placeholders are filled at run time (not compiled templates) because a wave's admin may replace
//! subject and text; both kinds use the same placeholders. The HTML part of a wave's own text is made
//! from the plain text: escaped, paragraphs at blank lines, addresses as links.

use std::fmt::Write as _;

use crate::text::Placeholder;

/// The placeholders a mail text may use.
pub const PLACEHOLDERS: [&str; 10] = [
    "greeting",
    "name",
    "region",
    "wave",
    "survey",
    "deadline",
    "deadline_note",
    "link",
    "optout_link",
    "contact",
];

/// The two kinds of mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// The first mail with the personal link.
    Invitation,
    /// A later mail to those who have not answered.
    Reminder,
}

impl MailKind {
    /// The name used in the outbox table and in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Invitation => "invitation",
            MailKind::Reminder => "reminder",
        }
    }
}

/// The default texts of one kind of mail.
struct Defaults {
    subject: &'static str,
    text: &'static str,
    html: &'static str,
}

fn defaults(kind: MailKind) -> Defaults {
    match kind {
        MailKind::Invitation => Defaults {
            subject: include_str!("../../templates/mail/invitation/subject.txt"),
            text: include_str!("../../templates/mail/invitation/body.txt"),
            html: include_str!("../../templates/mail/invitation/body.html"),
        },
        MailKind::Reminder => Defaults {
            subject: include_str!("../../templates/mail/reminder/subject.txt"),
            text: include_str!("../../templates/mail/reminder/body.txt"),
            html: include_str!("../../templates/mail/reminder/body.html"),
        },
    }
}

/// The values of the placeholders for one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailValues {
    /// The contact's name, if known.
    pub name: Option<String>,
    /// The region's name.
    pub region: String,
    /// The wave's title.
    pub wave: String,
    /// The title of the survey the wave asks.
    pub survey: String,
    /// The deadline as a person reads it ("05.05.2020"), if the wave has one.
    pub deadline: Option<String>,
    /// The personal link.
    pub link: String,
    /// The link that stops reminders.
    pub optout_link: String,
    /// How to reach the survey team.
    pub contact: String,
}

/// What fills a template's placeholders.
trait Placeholders {
    /// The value of `placeholder` ("" for an unknown one).
    fn get(&self, placeholder: &str) -> String;
}

impl Placeholders for MailValues {
    fn get(&self, placeholder: &str) -> String {
        match placeholder {
            "greeting" => match &self.name {
                Some(name) => format!("Guten Tag {name},"),
                None => "Guten Tag,".to_owned(),
            },
            "name" => self.name.clone().unwrap_or_default(),
            "region" => self.region.clone(),
            "wave" => self.wave.clone(),
            "survey" => self.survey.clone(),
            "deadline" => self.deadline.clone().unwrap_or_default(),
            "deadline_note" => self
                .deadline
                .as_ref()
                .map(|d| format!("Bitte antworten Sie bis zum {d}."))
                .unwrap_or_default(),
            "link" => self.link.clone(),
            "optout_link" => self.optout_link.clone(),
            "contact" => self.contact.clone(),
            _ => String::new(),
        }
    }
}

/// A mail's subject and its two bodies, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    /// The subject, one line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// A wave's own subject and text for one kind of mail (`None`: the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct Overrides<'a> {
    /// Subject.
    pub subject: Option<&'a str>,
    /// Plain text.
    pub text: Option<&'a str>,
}

/// Fills in a mail of `kind`, from the wave's own texts where it has them.
pub fn render(kind: MailKind, overrides: Overrides<'_>, values: &MailValues) -> RenderedMail {
    let defaults = defaults(kind);
    let subject = fill(overrides.subject.unwrap_or(defaults.subject), values, false);
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    match overrides.text {
        Some(text) => {
            let text = fill(text, values, false);
            let html = html_from_text(&text, &values.wave);
            RenderedMail {
                subject,
                text,
                html,
            }
        }
        None => RenderedMail {
            subject,
            text: fill(defaults.text, values, false),
            html: fill(defaults.html, values, true),
        },
    }
}

/// Every `{{ name }}` of `template` replaced by its value (HTML-escaped where `html`).
fn fill(template: &str, values: &impl Placeholders, html: bool) -> String {
    crate::text::fill_placeholders(template, |name| {
        let value = values.get(name);
        Some(if html { escape_html(&value) } else { value })
    })
}

/// The values of the open link's continue mail (a respondent asked for the link to go on with).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContinueValues {
    /// The survey's title.
    pub survey: String,
    /// The link to go on with.
    pub link: String,
    /// The last day, as a person reads it, if the wave has one.
    pub deadline: Option<String>,
    /// How to reach the survey team.
    pub contact: String,
}

impl Placeholders for ContinueValues {
    fn get(&self, placeholder: &str) -> String {
        match placeholder {
            "survey" => self.survey.clone(),
            "link" => self.link.clone(),
            "deadline_note" => self
                .deadline
                .as_ref()
                .map(|d| format!("Der Link gilt bis zum Ende der Umfrage am {d}."))
                .unwrap_or_default(),
            "contact" => self.contact.clone(),
            _ => String::new(),
        }
    }
}

/// The continue mail, from `templates/mail/continue/` (its HTML part made from the text).
pub fn render_continue(values: &ContinueValues) -> RenderedMail {
    let text = fill(
        include_str!("../../templates/mail/continue/body.txt"),
        values,
        false,
    );
    RenderedMail {
        subject: fill(
            include_str!("../../templates/mail/continue/subject.txt"),
            values,
            false,
        )
        .trim()
        .to_owned(),
        html: html_from_text(&text, &values.survey),
        text,
    }
}

/// The two mails to staff accounts, from `templates/mail/account/` and `templates/mail/password/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffMail {
    /// A new account's link to set its first password.
    Account,
    /// A forgotten password's link.
    Password,
}

/// The values of a staff mail's placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffValues {
    /// The account's address.
    pub email: String,
    /// The role's German name.
    pub role: String,
    /// The password link.
    pub link: String,
    /// The login page.
    pub login: String,
    /// How to reach the survey team.
    pub contact: String,
}

impl Placeholders for StaffValues {
    fn get(&self, placeholder: &str) -> String {
        match placeholder {
            "email" => self.email.clone(),
            "role" => self.role.clone(),
            "link" => self.link.clone(),
            "login" => self.login.clone(),
            "contact" => self.contact.clone(),
            _ => String::new(),
        }
    }
}

/// Fills in a staff mail.
pub fn render_staff(kind: StaffMail, values: &StaffValues) -> RenderedMail {
    let (subject, text, html) = match kind {
        StaffMail::Account => (
            include_str!("../../templates/mail/account/subject.txt"),
            include_str!("../../templates/mail/account/body.txt"),
            include_str!("../../templates/mail/account/body.html"),
        ),
        StaffMail::Password => (
            include_str!("../../templates/mail/password/subject.txt"),
            include_str!("../../templates/mail/password/body.txt"),
            include_str!("../../templates/mail/password/body.html"),
        ),
    };
    RenderedMail {
        subject: subject.trim().to_owned(),
        text: fill(text, values, false),
        html: fill(html, values, true),
    }
}

/// A mail text's placeholder that cannot be filled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceholderError {
    /// `{{` without `}}`; holds the text from there (at most 20 characters).
    #[error("a placeholder is not closed: `{0}`")]
    Unclosed(String),
    /// A name that is not one of [`PLACEHOLDERS`], with the closest known one.
    #[error("unknown placeholder `{{{{ {name} }}}}`{}; known are {}", suggestion.map(|s| format!(" (did you mean `{{{{ {s} }}}}`?)")).unwrap_or_default(), known_placeholders())]
    Unknown {
        /// The name as written.
        name: String,
        /// The closest known name, if one is close.
        suggestion: Option<&'static str>,
    },
}

fn known_placeholders() -> String {
    PLACEHOLDERS.map(|p| format!("{{{{ {p} }}}}")).join(", ")
}

impl crate::text::Bilingual for PlaceholderError {
    fn german(&self) -> String {
        match self {
            PlaceholderError::Unclosed(text) => {
                format!("ein Platzhalter ist nicht geschlossen: „{text}“")
            }
            PlaceholderError::Unknown { name, suggestion } => format!(
                "unbekannter Platzhalter „{{{{ {name} }}}}“{}; bekannt sind {}",
                suggestion
                    .map(|s| format!(" (gemeint ist wohl „{{{{ {s} }}}}“)"))
                    .unwrap_or_default(),
                known_placeholders()
            ),
        }
    }

    fn english(&self) -> String {
        self.to_string()
    }
}

/// Checks that a text uses only known placeholders, each closed: "unknown placeholder `{{ regon }}`".
pub fn check_placeholders(text: &str) -> Result<(), PlaceholderError> {
    for placeholder in crate::text::placeholders(text) {
        match placeholder {
            Placeholder::Unclosed { at } => {
                return Err(PlaceholderError::Unclosed(
                    text[at..].chars().take(20).collect(),
                ));
            }
            Placeholder::Named { name, .. } if !PLACEHOLDERS.contains(&name) => {
                return Err(PlaceholderError::Unknown {
                    name: name.to_owned(),
                    suggestion: crate::text::suggest(name, PLACEHOLDERS),
                });
            }
            Placeholder::Named { .. } => {}
        }
    }
    Ok(())
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML part for a plain text: paragraphs at blank lines, line breaks kept, http(s) addresses linked.
fn html_from_text(text: &str, title: &str) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"de\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n\
         <body style=\"font-family: Arial, Helvetica, sans-serif; font-size: 16px; line-height: 1.5; color: #1a1a1a; max-width: 40em;\">\n",
        escape_html(title)
    );
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let lines: Vec<String> = paragraph.lines().map(link_urls).collect();
        let _ = writeln!(html, "<p>{}</p>", lines.join("<br>\n"));
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// One line escaped, with every http(s) address as a link.
fn link_urls(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            if word.starts_with("https://") || word.starts_with("http://") {
                let url = escape_html(word);
                format!("<a href=\"{url}\">{url}</a>")
            } else {
                escape_html(word)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> MailValues {
        MailValues {
            name: Some("Dr. Anna Müller".into()),
            region: "MINT-Region <Jena> & Umland".into(),
            wave: "Frühjahr 2020".into(),
            survey: "Corona-Umfrage – MINT-Regionen".into(),
            deadline: Some("05.05.2020".into()),
            link: "http://127.0.0.1:8080/t/0b1c2d3e-0000-4000-8000-000000000000".into(),
            optout_link: "http://127.0.0.1:8080/t/0b1c2d3e-0000-4000-8000-000000000000/optout"
                .into(),
            contact: "umfragen@mint-regionen.example".into(),
        }
    }

    #[test]
    fn default_invitation_has_every_value_and_escapes_html() {
        let mail = render(MailKind::Invitation, Overrides::default(), &values());
        assert_eq!(
            mail.subject,
            "Ihr persönlicher Link: Corona-Umfrage – MINT-Regionen (Frühjahr 2020)"
        );
        assert!(
            mail.text
                .contains("an der Umfrage „Corona-Umfrage – MINT-Regionen“ (Frühjahr 2020)"),
            "{}",
            mail.text
        );
        assert!(mail.text.starts_with("Guten Tag Dr. Anna Müller,"));
        assert!(mail.text.contains("„MINT-Region <Jena> & Umland“"));
        assert!(
            mail.text
                .contains("Bitte antworten Sie bis zum 05.05.2020.")
        );
        assert!(mail.text.contains(&values().link) && mail.text.contains(&values().optout_link));
        assert!(mail.html.contains("MINT-Region &lt;Jena&gt; &amp; Umland"));
        assert!(!mail.html.contains("<Jena>"));
        assert!(!mail.text.contains("{{") && !mail.html.contains("{{"));
    }

    #[test]
    fn without_name_or_deadline_the_text_still_reads_well() {
        let v = MailValues {
            name: None,
            deadline: None,
            ..values()
        };
        let mail = render(MailKind::Reminder, Overrides::default(), &v);
        assert!(mail.text.starts_with("Guten Tag,\n"));
        assert!(!mail.text.contains("bis zum"));
    }

    #[test]
    fn a_waves_own_text_gets_an_html_part_with_links() {
        let text = "{{ greeting }}\n\nbitte hier entlang:\n{{ link }}\n\n<b>Danke</b>";
        let mail = render(
            MailKind::Invitation,
            Overrides {
                subject: Some("Umfrage {{ wave }}"),
                text: Some(text),
            },
            &values(),
        );
        assert_eq!(mail.subject, "Umfrage Frühjahr 2020");
        assert!(
            mail.html
                .contains(&format!("<a href=\"{0}\">{0}</a>", values().link)),
            "{}",
            mail.html
        );
        assert!(mail.html.contains("&lt;b&gt;Danke&lt;/b&gt;"));
    }

    #[test]
    fn unknown_placeholders_are_named_with_a_suggestion() {
        let error = check_placeholders("Hallo {{ regon }}")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("unknown placeholder `{{ regon }}` (did you mean `{{ region }}`?)"),
            "{error}"
        );
        assert!(check_placeholders("{{ link }} und {{optout_link}}").is_ok());
        assert!(check_placeholders("{{ link").is_err());
    }
}
