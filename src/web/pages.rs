//! Plain pages: messages, the legal pages, health, the stylesheet.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::AppState;
use super::errors::AppError;
use super::shared::html;

/// A page with a heading and a few paragraphs (errors, notices).
#[derive(Template)]
#[template(path = "pages/message.html")]
pub struct MessagePage<'a> {
    heading: &'a str,
    paragraphs: &'a [&'a str],
}

impl<'a> MessagePage<'a> {
    /// A page saying `paragraphs` under `heading`.
    pub fn new(heading: &'a str, paragraphs: &'a [&'a str]) -> Self {
        MessagePage {
            heading,
            paragraphs,
        }
    }

    /// The page as a response with `status`.
    pub fn respond(&self, status: StatusCode) -> HttpResponse {
        html(status, self.render())
    }
}

/// `GET /healthz`: 200 when the database answers, 503 when not.
pub async fn show_health(state: web::Data<AppState>) -> HttpResponse {
    let answered = web::block(move || -> Result<(), AppError> {
        use diesel::connection::SimpleConnection;
        crate::web::shared::connection(&state)?
            .batch_execute("SELECT 1")
            .map_err(AppError::from)
    })
    .await;
    match answered {
        Ok(Ok(())) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("ok\n"),
        _ => HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body("database unavailable\n"),
    }
}

/// `GET /static/style.css`.
pub async fn show_stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(include_str!("../../static/style.css"))
}

/// `GET /datenschutz`: the privacy notice (the installation's own, or the built-in one).
pub async fn show_privacy(state: web::Data<AppState>) -> HttpResponse {
    if let Some(own) = &state.legal.privacy {
        let paragraphs: Vec<&str> = own.iter().map(String::as_str).collect();
        return MessagePage::new("Datenschutz", &paragraphs).respond(StatusCode::OK);
    }
    MessagePage::new(
        "Datenschutz",
        &[
            "Diese Umfragen führt der Länderbeirat der MINT-Regionen durch. Welche Angaben wir zu welchem Zweck verarbeiten, steht in den Datenschutzhinweisen am Anfang jedes Fragebogens; Antworten werden erst nach Ihrer Einwilligung gespeichert.",
            "Wir speichern keine IP-Adressen. Kontaktdaten (Name, E-Mail-Adresse) werden getrennt von den Antworten gehalten und nach dem Ende der Befragung gelöscht. Ergebnisse werden nur zusammengefasst je Land und nur für Gruppen von mindestens fünf Regionen veröffentlicht.",
            "Diese Seite setzt nur ein technisch notwendiges Cookie, das Formulare vor Missbrauch schützt.",
        ],
    )
    .respond(StatusCode::OK)
}

/// `GET /barrierefreiheit`: the accessibility statement with a feedback contact (the installation's
/// own, or the built-in one).
pub async fn show_accessibility(state: web::Data<AppState>) -> HttpResponse {
    if let Some(own) = &state.legal.accessibility {
        let paragraphs: Vec<&str> = own.iter().map(String::as_str).collect();
        return MessagePage::new("Erklärung zur Barrierefreiheit", &paragraphs)
            .respond(StatusCode::OK);
    }
    let contact = format!(
        "Barrieren gefunden? Schreiben Sie uns: {}. Wir antworten innerhalb von zwei Wochen.",
        state.settings.survey_contact
    );
    let paragraphs = [
        "Wir möchten, dass alle die Fragebögen ausfüllen können. Die Seiten sollen die Anforderungen der WCAG 2.1 in Stufe AA erfüllen (BITV 2.0, EN 301 549): Sie funktionieren ohne JavaScript, mit Tastatur und Bildschirmleser und auf kleinen Bildschirmen.",
        contact.as_str(),
    ];
    MessagePage::new("Erklärung zur Barrierefreiheit", &paragraphs).respond(StatusCode::OK)
}

/// Any other address.
pub async fn show_not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
