//! Errors of the API as `application/problem+json` (RFC 9457): a stable `type` per kind of error,
//! a German `title` and `detail`, and where single fields are wrong, each with its JSON pointer.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::OperationError;
use crate::web::errors::AppError;

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The kinds of problem, each with its status and German title. The `type` of a problem document
/// is `/board/api#problem-<slug>`: a relative URI that names the kind for good and leads to its
/// description on the API's documentation page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No or a malformed `Authorization` header, an unknown or revoked key.
    Unauthorized,
    /// The key's role may not do this (or not for this Land).
    Forbidden,
    /// No such wave, survey, participant or path.
    NotFound,
    /// The method is not one the path takes.
    MethodNotAllowed,
    /// The body is not JSON, or not the JSON this call takes (position and path named).
    InvalidJson,
    /// The body's media type is not one the call takes.
    UnsupportedMediaType,
    /// A query parameter is wrong.
    InvalidParameter,
    /// The request is understood but refused by the operation (what it says, per field).
    Refused,
    /// The state changed since the preview (a mailing confirmed with an outdated count).
    Conflict,
    /// The body is over the limit.
    TooLarge,
    /// Too many calls with this key; `Retry-After` says when to go on.
    TooManyRequests,
    /// The database is away; try again shortly.
    Unavailable,
    /// Anything unexpected (logged, never described).
    Internal,
}

impl Kind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [Kind; 13] = [
        Kind::Unauthorized,
        Kind::Forbidden,
        Kind::NotFound,
        Kind::MethodNotAllowed,
        Kind::InvalidJson,
        Kind::UnsupportedMediaType,
        Kind::InvalidParameter,
        Kind::Refused,
        Kind::Conflict,
        Kind::TooLarge,
        Kind::TooManyRequests,
        Kind::Unavailable,
        Kind::Internal,
    ];

    /// The stable name in the `type` URI.
    pub fn slug(self) -> &'static str {
        match self {
            Kind::Unauthorized => "unauthorized",
            Kind::Forbidden => "forbidden",
            Kind::NotFound => "not-found",
            Kind::MethodNotAllowed => "method-not-allowed",
            Kind::InvalidJson => "invalid-json",
            Kind::UnsupportedMediaType => "unsupported-media-type",
            Kind::InvalidParameter => "invalid-parameter",
            Kind::Refused => "refused",
            Kind::Conflict => "conflict",
            Kind::TooLarge => "too-large",
            Kind::TooManyRequests => "too-many-requests",
            Kind::Unavailable => "unavailable",
            Kind::Internal => "internal",
        }
    }

    /// The HTTP status.
    pub fn status(self) -> StatusCode {
        match self {
            Kind::Unauthorized => StatusCode::UNAUTHORIZED,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Kind::InvalidJson | Kind::InvalidParameter => StatusCode::BAD_REQUEST,
            Kind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Kind::Refused => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The German title (the same for every problem of the kind).
    pub fn title(self) -> &'static str {
        match self {
            Kind::Unauthorized => "Schlüssel fehlt oder ist ungültig",
            Kind::Forbidden => "Keine Berechtigung",
            Kind::NotFound => "Nicht gefunden",
            Kind::MethodNotAllowed => "Methode nicht erlaubt",
            Kind::InvalidJson => "Ungültiges JSON",
            Kind::UnsupportedMediaType => "Nicht unterstütztes Format",
            Kind::InvalidParameter => "Ungültiger Parameter",
            Kind::Refused => "Abgelehnt",
            Kind::Conflict => "Zwischenzeitlich geändert",
            Kind::TooLarge => "Anfrage zu groß",
            Kind::TooManyRequests => "Zu viele Anfragen",
            Kind::Unavailable => "Vorübergehend nicht erreichbar",
            Kind::Internal => "Unerwarteter Fehler",
        }
    }

    /// When the documentation says this kind happens.
    pub fn description(self) -> &'static str {
        match self {
            Kind::Unauthorized => {
                "Kein Authorization: Bearer …-Kopf, ein unbekannter oder widerrufener Schlüssel oder ein gesperrter Zugang."
            }
            Kind::Forbidden => {
                "Die Rolle des Schlüssels erlaubt den Aufruf nicht (Länderbeirat und Landeskoordination lesen nur Ergebnisse, eine Landeskoordination nur die ihres Landes)."
            }
            Kind::NotFound => {
                "Die Welle, die Umfrage, die teilnehmende Person oder die Adresse gibt es nicht."
            }
            Kind::MethodNotAllowed => "Die Adresse gibt es, aber nicht mit dieser Methode.",
            Kind::InvalidJson => {
                "Der Inhalt ist kein JSON (mit Zeile und Spalte) oder passt nicht zum Aufruf: unbekannte Felder, falsche Typen (mit dem Pfad des Feldes)."
            }
            Kind::UnsupportedMediaType => "Der Inhalt hat einen Typ, den der Aufruf nicht annimmt.",
            Kind::InvalidParameter => {
                "Ein Parameter der Adresse (z. B. limit, cursor, land) ist ungültig."
            }
            Kind::Refused => {
                "Der Aufruf wurde verstanden, aber abgelehnt, z. B. ein Datum in der falschen Form oder Zeilen einer Teilnehmendenliste; errors nennt jedes Feld."
            }
            Kind::Conflict => {
                "Seit der Vorschau hat sich etwas geändert (z. B. die Zahl der E-Mails eines Versands); nichts wurde getan."
            }
            Kind::TooLarge => "Der Inhalt ist größer als erlaubt (2 MiB).",
            Kind::TooManyRequests => {
                "Zu viele Aufrufe mit diesem Schlüssel; Retry-After sagt, wann es weitergeht."
            }
            Kind::Unavailable => {
                "Die Datenbank ist gerade nicht erreichbar; bitte nach Retry-After Sekunden erneut versuchen."
            }
            Kind::Internal => "Ein unerwarteter Fehler; er ist protokolliert.",
        }
    }
}

/// A problem document (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// `/board/api#problem-<kind>`: stable per kind of problem.
    #[serde(rename = "type")]
    pub kind_uri: String,
    /// The kind's German title.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened, in German.
    pub detail: String,
    /// The fields that are wrong, each with its JSON pointer (`/participants/3/email`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    #[serde(skip)]
    #[schema(ignore)]
    kind: Option<Kind>,
    #[serde(skip)]
    #[schema(ignore)]
    retry_after: Option<u64>,
    #[serde(skip)]
    #[schema(ignore)]
    invalid_token: bool,
}

/// One wrong field, or one place of an uploaded file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct FieldProblem {
    /// Its JSON pointer (RFC 6901) in the request body, the query parameter's name, or for a CSV
    /// body its row (`#row=3`, RFC 7111).
    pub pointer: String,
    /// What is wrong, in German.
    pub detail: String,
    /// The line of an uploaded text (a survey definition, a CSV file), from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The column in that line, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Problem {
    /// A problem of `kind` with its German `detail`.
    pub fn new(kind: Kind, detail: impl Into<String>) -> Problem {
        Problem {
            kind_uri: format!("/board/api#problem-{}", kind.slug()),
            title: kind.title().to_owned(),
            status: kind.status().as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            kind: Some(kind),
            retry_after: None,
            invalid_token: false,
        }
    }

    /// With the wrong fields.
    pub fn with_errors(mut self, errors: Vec<FieldProblem>) -> Problem {
        self.errors = errors;
        self
    }

    /// With one wrong field.
    pub fn at(self, pointer: impl Into<String>) -> Problem {
        let detail = self.detail.clone();
        self.with_errors(vec![FieldProblem {
            pointer: pointer.into(),
            detail,
            ..FieldProblem::default()
        }])
    }

    /// Telling the client when to try again.
    pub fn retry_after(mut self, seconds: u64) -> Problem {
        self.retry_after = Some(seconds);
        self
    }

    /// The kind (for tests and logs).
    pub fn kind(&self) -> Option<Kind> {
        self.kind
    }

    /// An operation's error: a refusal (422, worded in German, at `pointer` when it names a
    /// field) or a failure (500, logged), or the database away (503).
    pub fn of<E: OperationError>(error: E, pointer: Option<String>) -> Problem {
        match error.into_failure() {
            Ok(failure) => AppError::Internal(failure).into(),
            Err(refusal) => {
                let problem = Problem::new(Kind::Refused, refusal.german());
                match pointer {
                    Some(pointer) => problem.at(pointer),
                    None => problem,
                }
            }
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.title, self.status)
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Problem {
        if error.is_unavailable() {
            tracing::warn!("the database is unavailable: 503");
            return Problem::new(
                Kind::Unavailable,
                "Die Datenbank ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Sekunden noch einmal.",
            )
            .retry_after(5);
        }
        match error {
            AppError::NotFound => Problem::new(Kind::NotFound, "Diese Adresse gibt es nicht."),
            AppError::TooLarge => Problem::new(
                Kind::TooLarge,
                "Der Inhalt ist größer als 2 MiB; bitte teilen Sie ihn auf mehrere Aufrufe auf.",
            ),
            AppError::TooManyRequests(pause) => Problem::new(
                Kind::TooManyRequests,
                format!(
                    "Zu viele Aufrufe mit diesem Schlüssel. Bitte warten Sie {} Sekunden.",
                    pause.as_secs().max(1)
                ),
            )
            .retry_after(pause.as_secs().max(1)),
            AppError::Forbidden => Problem::new(Kind::Forbidden, "Das ist nicht erlaubt."),
            AppError::BadRequest | AppError::Gone => Problem::new(
                Kind::InvalidJson,
                "Die Anfrage konnte nicht gelesen werden.",
            ),
            AppError::Unavailable | AppError::Internal(_) => {
                if let AppError::Internal(error) = &error {
                    tracing::error!(error = format!("{error:#}"), "API request failed");
                }
                Problem::new(
                    Kind::Internal,
                    "Ein unerwarteter Fehler ist aufgetreten; er ist protokolliert.",
                )
            }
        }
    }
}

impl From<diesel::result::Error> for Problem {
    fn from(error: diesel::result::Error) -> Problem {
        AppError::from(error).into()
    }
}

impl From<actix_web::error::BlockingError> for Problem {
    fn from(error: actix_web::error::BlockingError) -> Problem {
        AppError::from(error).into()
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        if self.kind == Some(Kind::Unauthorized) {
            // RFC 6750: no error code when no key came, `invalid_token` for a wrong one.
            let challenge = if self.invalid_token {
                "Bearer realm=\"mint-survey\", error=\"invalid_token\""
            } else {
                "Bearer realm=\"mint-survey\""
            };
            response.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(seconds)));
        }
        response.body(serde_json::to_vec(self).unwrap_or_default())
    }
}

/// The pointer of a field name: `email` → `/email`, under `base` (`/participants/3`).
pub fn pointer(base: &str, field: &str) -> String {
    let escaped = field.replace('~', "~0").replace('/', "~1");
    format!("{base}/{escaped}")
}

/// A key that is malformed, unknown, revoked, or of a disabled account: one answer for all, so
/// that nothing tells which.
pub fn bad_key() -> Problem {
    let mut problem = Problem::new(
        Kind::Unauthorized,
        "Dieser API-Schlüssel ist ungültig oder widerrufen. Einen neuen vergibt die Administration unter /admin/konten.",
    );
    problem.invalid_token = true;
    problem
}
