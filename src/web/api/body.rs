//! Request bodies of the API: JSON read with a size limit, every error located.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::problem::{FieldProblem, Kind, Problem};
/// The largest body: that of the largest form, a participants file (2 MiB).
pub const MAX_BODY_BYTES: usize = crate::web::admin::participants::MAX_CSV_BYTES;

/// A body's bytes and media type, at most [`MAX_BODY_BYTES`].
#[derive(Debug)]
pub struct ApiBody {
    /// `application/json`, `text/csv`, … (without parameters).
    pub media_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl FromRequest for ApiBody {
    type Error = Problem;
    type Future = Pin<Box<dyn Future<Output = Result<ApiBody, Problem>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let media_type = request.content_type().to_ascii_lowercase();
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
                return Err(too_large());
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|_| {
                    Problem::new(Kind::InvalidJson, "Der Inhalt konnte nicht gelesen werden.")
                })?;
                if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(ApiBody { media_type, bytes })
        })
    }
}

fn too_large() -> Problem {
    Problem::new(
        Kind::TooLarge,
        "Der Inhalt ist größer als 2 MiB; bitte teilen Sie ihn auf mehrere Aufrufe auf.",
    )
}

/// A JSON body of type `T` (whose fields are `deny_unknown_fields`): anything else is a problem
/// naming the position (line, column) and the field's JSON pointer.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = Problem;
    type Future = Pin<Box<dyn Future<Output = Result<ApiJson<T>, Problem>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = ApiBody::from_request(request, payload);
        Box::pin(async move {
            let body = body.await?;
            if !is_json(&body.media_type) {
                return Err(not_json(&body.media_type));
            }
            parse(&body.bytes).map(ApiJson)
        })
    }
}

/// Whether a media type is JSON (`application/json` or `…+json`).
pub fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.ends_with("+json")
}

/// The problem of a body that is not JSON.
pub fn not_json(media_type: &str) -> Problem {
    let shown = if media_type.is_empty() {
        "keinen".to_owned()
    } else {
        format!("„{media_type}“")
    };
    Problem::new(
        Kind::UnsupportedMediaType,
        format!("Der Inhalt hat den Typ {shown}; erwartet wird „Content-Type: application/json“."),
    )
}

/// Reads `T` from JSON bytes; the problem names where and what.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(located)?;
    deserializer.end().map_err(|error| {
        Problem::new(
            Kind::InvalidJson,
            format!(
                "Nach dem JSON-Wert folgt noch etwas (Zeile {}, Spalte {}).",
                error.line(),
                error.column()
            ),
        )
    })?;
    Ok(value)
}

/// A deserialisation error as a problem: syntax errors by line and column, data errors also by
/// the field's JSON pointer.
fn located(error: serde_path_to_error::Error<serde_json::Error>) -> Problem {
    use serde_json::error::Category;
    let pointer = pointer_of(error.path());
    let inner = error.inner();
    let (line, column) = (inner.line(), inner.column());
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => Problem::new(
            Kind::InvalidJson,
            format!(
                "Kein gültiges JSON: {} (Zeile {line}, Spalte {column}).",
                syntax_german(inner)
            ),
        ),
        Category::Data => {
            let detail = data_german(&inner.to_string());
            let problem = Problem::new(
                Kind::InvalidJson,
                format!("{detail} (Zeile {line}, Spalte {column})."),
            );
            problem.with_errors(vec![FieldProblem {
                pointer,
                detail,
                ..FieldProblem::default()
            }])
        }
    }
}

/// The JSON pointer (RFC 6901) of a serde path.
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        pointer.push('/');
        match segment {
            Segment::Seq { index } => pointer.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Unknown => pointer.push('?'),
        }
    }
    pointer
}

fn syntax_german(error: &serde_json::Error) -> &'static str {
    let text = error.to_string();
    if text.starts_with("EOF") {
        "der Inhalt endet mitten im Wert"
    } else if text.starts_with("trailing comma") {
        "ein Komma zu viel"
    } else if text.starts_with("key must be a string") {
        "ein Schlüssel muss in Anführungszeichen stehen"
    } else if text.starts_with("expected `:`") {
        "ein Doppelpunkt fehlt"
    } else if text.starts_with("expected `,` or") {
        "ein Komma oder eine schließende Klammer fehlt"
    } else {
        "unerwartetes Zeichen"
    }
}

/// serde's English message of a data error, in German (unknown and missing fields, wrong types;
/// the `ToSchema` types of the API only use these).
fn data_german(message: &str) -> String {
    // serde's messages are stable in shape: "unknown field `x`, expected one of `a`, `b`",
    // "missing field `x`", "invalid type: string \"a\", expected i32", "invalid value: …".
    let message = message.split(" at line ").next().unwrap_or(message);
    let ticked = |text: &str| -> Vec<String> {
        text.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let names = ticked(rest);
        let (field, allowed) = names
            .split_first()
            .map_or(("", &[][..]), |(f, a)| (f.as_str(), a));
        return if allowed.is_empty() {
            format!("Unbekanntes Feld „{field}“; dieser Aufruf nimmt keine Felder an")
        } else {
            format!(
                "Unbekanntes Feld „{field}“; erlaubt sind: {}",
                allowed.join(", ")
            )
        };
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let field = ticked(rest).into_iter().next().unwrap_or_default();
        return format!("Das Pflichtfeld „{field}“ fehlt");
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!(
            "Falscher Typ: {} statt {}",
            type_german(found),
            type_german(expected)
        );
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!(
            "Ungültiger Wert {}; erwartet: {}",
            type_german(found),
            type_german(expected)
        );
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let names = ticked(rest);
        let (value, allowed) = names
            .split_first()
            .map_or(("", &[][..]), |(f, a)| (f.as_str(), a));
        return format!(
            "Unbekannter Wert „{value}“; erlaubt sind: {}",
            allowed.join(", ")
        );
    }
    format!("Ungültiger Inhalt ({message})")
}

fn type_german(text: &str) -> String {
    let text = text.trim();
    let word = |w: &str| text == w || text.starts_with(&format!("{w} "));
    if word("string") || word("a string") {
        match text.split_once(' ') {
            Some((_, value)) if text.starts_with("string") => format!("Text {value}"),
            _ => "Text".to_owned(),
        }
    } else if text.starts_with("integer")
        || text.starts_with('i') && text[1..].parse::<u8>().is_ok()
        || text.starts_with('u') && text[1..].parse::<u8>().is_ok()
        || text == "usize"
    {
        match text.split_once(' ') {
            Some((_, value)) => format!("Zahl {value}"),
            None => "ganze Zahl".to_owned(),
        }
    } else if text.starts_with("floating point") {
        "Zahl".to_owned()
    } else if text.starts_with("boolean") || text == "a boolean" {
        "true/false".to_owned()
    } else if text == "a sequence" || text == "sequence" || text.starts_with("a sequence") {
        "Liste".to_owned()
    } else if text == "map" || text == "a map" || text.starts_with("struct ") {
        "Objekt".to_owned()
    } else if text == "null" || text == "unit value" {
        "null".to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Entry {
        email: String,
        count: Option<i32>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct List {
        participants: Vec<Entry>,
    }

    #[test]
    fn a_syntax_error_names_line_and_column() {
        let problem =
            parse::<List>(b"{\n  \"participants\": [\n    {\"email\": \"a\",}\n]}").unwrap_err();
        assert_eq!(problem.kind(), Some(Kind::InvalidJson));
        assert!(problem.detail.contains("Zeile 3"), "{}", problem.detail);
        assert!(problem.detail.contains("Komma"), "{}", problem.detail);
    }

    #[test]
    fn an_unknown_field_is_named_with_its_pointer() {
        let problem =
            parse::<List>(br#"{"participants": [{"email": "a"}, {"email": "b", "mail": 1}]}"#)
                .unwrap_err();
        assert_eq!(problem.errors[0].pointer, "/participants/1/mail");
        assert!(
            problem.errors[0].detail.contains("Unbekanntes Feld „mail“"),
            "{:?}",
            problem.errors
        );
        assert!(
            problem.errors[0].detail.contains("email"),
            "{:?}",
            problem.errors
        );
    }

    #[test]
    fn a_wrong_type_and_a_missing_field_are_worded_in_german() {
        let problem =
            parse::<List>(br#"{"participants": [{"email": "a", "count": "drei"}]}"#).unwrap_err();
        assert_eq!(problem.errors[0].pointer, "/participants/0/count");
        assert_eq!(
            problem.errors[0].detail,
            "Falscher Typ: Text \"drei\" statt ganze Zahl"
        );
        let problem = parse::<List>(br#"{"participants": [{}]}"#).unwrap_err();
        assert_eq!(problem.errors[0].detail, "Das Pflichtfeld „email“ fehlt");
        let problem = parse::<List>(br#"{"participants": {}}"#).unwrap_err();
        assert!(
            problem.errors[0].detail.contains("Objekt statt Liste"),
            "{:?}",
            problem.errors
        );
    }

    #[test]
    fn trailing_content_is_refused() {
        let problem = parse::<List>(br#"{"participants": []} []"#).unwrap_err();
        assert!(
            problem.detail.contains("Nach dem JSON-Wert"),
            "{}",
            problem.detail
        );
    }
}
