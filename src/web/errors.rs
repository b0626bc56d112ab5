//! Errors as pages: every failure a visitor can meet gets a friendly German page with the right status.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use super::pages::MessagePage;
use crate::app::OperationError;

/// What can go wrong in a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Unknown or revoked link, unknown page: the same page for all, with no hint which.
    #[error("not found")]
    NotFound,
    /// The wave of the link has closed.
    #[error("the wave is closed")]
    Gone,
    /// A form without a valid CSRF token.
    #[error("the form's security token is missing or wrong")]
    Forbidden,
    /// A request body over the limit.
    #[error("the request is too large")]
    TooLarge,
    /// A malformed request (a form that cannot be read).
    #[error("the request cannot be read")]
    BadRequest,
    /// Too many link look-ups from one address.
    #[error("too many requests")]
    TooManyRequests(std::time::Duration),
    /// The database is unreachable or the pool exhausted.
    #[error("the database is unavailable")]
    Unavailable,
    /// Anything unexpected: logged once here, shown as a generic page.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// An operation's error where the page has no place for a refusal: its failure, or the refusal
    /// as an unexpected error (logged, the generic page).
    pub fn unexpected<E: OperationError>(error: E) -> AppError {
        match error.into_failure() {
            Ok(failure) => AppError::Internal(failure),
            Err(refusal) => AppError::Internal(anyhow::anyhow!("{}", refusal.english())),
        }
    }
}

/// Splits an operation's outcome for a page: `Ok(Ok(value))`, `Ok(Err(refusal))` to show on the
/// page in German, or `Err` (a failure) for the error page.
pub fn refusal<T, E: OperationError>(outcome: Result<T, E>) -> Result<Result<T, E>, AppError> {
    match outcome {
        Ok(value) => Ok(Ok(value)),
        Err(error) => match error.into_failure() {
            Ok(failure) => Err(AppError::Internal(failure)),
            Err(refusal) => Ok(Err(refusal)),
        },
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => AppError::NotFound,
            other if is_connection_failure(&other) => AppError::Unavailable,
            other => AppError::Internal(other.into()),
        }
    }
}

/// Whether a database error means the connection is gone (the server stopped or restarted), not
/// that the request was wrong: such a request gets 503, not 500.
fn is_connection_failure(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        error,
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        )
    )
}

impl AppError {
    /// Whether this is the database being away (or a connection that broke under the request).
    pub fn is_unavailable(&self) -> bool {
        matches!(self.effective(), AppError::Unavailable)
    }

    /// An unexpected failure that is really the database being away counts as [`AppError::Unavailable`].
    fn effective(&self) -> &AppError {
        match self {
            AppError::Internal(error)
                if error.chain().any(|cause| {
                    cause
                        .downcast_ref::<diesel::result::Error>()
                        .is_some_and(is_connection_failure)
                }) =>
            {
                &AppError::Unavailable
            }
            other => other,
        }
    }
}

/// What a 503 asks the browser to wait before trying again.
const RETRY_UNAVAILABLE_SECONDS: u32 = 5;

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(_: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        AppError::Internal(anyhow::anyhow!("{error}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self.effective() {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Gone => StatusCode::GONE,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(error) = self.effective() {
            tracing::error!(error = format!("{error:#}"), "request failed");
        }
        if let AppError::Unavailable = self.effective() {
            tracing::warn!("the database is unavailable: 503");
            let paragraphs = [
                "Die Umfrage ist gerade vorübergehend nicht erreichbar. Bitte versuchen Sie es in einigen Minuten noch einmal; was Sie schon gespeichert haben, bleibt erhalten.",
            ];
            let mut response = MessagePage::new("Vorübergehend nicht erreichbar", &paragraphs)
                .respond(StatusCode::SERVICE_UNAVAILABLE);
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(RETRY_UNAVAILABLE_SECONDS),
            );
            return response;
        }
        if let AppError::TooManyRequests(pause) = self {
            // The real pause, in the text and for the browser (rounded up to whole minutes).
            let minutes = pause.as_secs().div_ceil(60).max(1);
            let text = format!(
                "Von Ihrer Verbindung kamen sehr viele Anfragen in kurzer Zeit. Bitte versuchen Sie es in {} noch einmal.",
                if minutes == 1 {
                    "einer Minute".to_owned()
                } else {
                    format!("{minutes} Minuten")
                }
            );
            let paragraphs = [text.as_str()];
            let mut response = MessagePage::new("Bitte einen Moment Geduld", &paragraphs)
                .respond(self.status_code());
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(pause.as_secs().max(1)),
            );
            return response;
        }
        let (heading, paragraphs): (&str, &[&str]) = match self {
            AppError::NotFound => (
                "Seite nicht gefunden",
                &[
                    "Diese Adresse ist uns nicht bekannt. Wenn Sie einem Link aus einer E-Mail gefolgt sind, ist er vielleicht nicht mehr gültig oder wurde beim Kopieren gekürzt.",
                    "Bitte wenden Sie sich an das Team der Umfrage, wenn Sie einen neuen Link brauchen.",
                ],
            ),
            AppError::Gone => (
                "Die Umfrage ist beendet",
                &[
                    "Diese Umfrage ist abgeschlossen; Antworten sind nicht mehr möglich. Vielen Dank für Ihr Interesse.",
                ],
            ),
            AppError::Forbidden => (
                "Das Formular ist abgelaufen",
                &[
                    "Bitte laden Sie die Seite neu und senden Sie das Formular noch einmal. (Ihr Browser muss dafür Cookies dieser Seite erlauben.)",
                ],
            ),
            AppError::TooLarge => (
                "Zu viele Daten",
                &[
                    "Ihre Eingaben sind zu umfangreich, um sie auf einmal zu speichern. Bitte kürzen Sie lange Texte und senden Sie die Seite noch einmal.",
                ],
            ),
            AppError::BadRequest => (
                "Das Formular konnte nicht gelesen werden",
                &["Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."],
            ),
            AppError::TooManyRequests(_) => ("Bitte einen Moment Geduld", &[]),
            AppError::Unavailable => (
                "Vorübergehend nicht erreichbar",
                &[
                    "Die Umfrage ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten noch einmal.",
                ],
            ),
            AppError::Internal(_) => (
                "Ein Fehler ist aufgetreten",
                &[
                    "Ihre Anfrage konnte nicht bearbeitet werden. Bitte versuchen Sie es noch einmal; wenn der Fehler bleibt, wenden Sie sich an das Team der Umfrage.",
                ],
            ),
        };
        MessagePage::new(heading, paragraphs).respond(self.status_code())
    }
}
