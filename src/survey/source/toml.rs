//! TOML documents read into a [`Node`] tree, with every syntax error the parser can recover from.

use ::toml::Spanned;
use ::toml::de::{DeTable, DeValue};

use super::{Key, Node, SyntaxError, Value};

/// Parses a TOML document into a [`Node`] tree.
///
/// On syntax errors it returns all of them (the parser recovers where it can), so that one run of
/// `survey check` shows every broken line.
pub fn parse_toml(text: &str) -> Result<Node, Vec<SyntaxError>> {
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|error| {
                let message = error.message().trim().trim_end_matches('.').to_owned();
                SyntaxError {
                    span: error.span().unwrap_or(0..0),
                    german: german(&message),
                    message,
                }
            })
            .collect());
    }
    let span = root.span();
    Ok(Node {
        value: table(root.into_inner()),
        span,
    })
}

/// The `toml` crate's English message in German: translated where it is one of the common ones,
/// else the library's own text behind a German lead.
///
/// The crate words a message as a description, optionally followed by ", expected A, B".
fn german(message: &str) -> String {
    const LEAD: &str = "die Datei ist kein gültiges TOML";
    let (description, expected) = match message.split_once(", expected ") {
        Some((description, expected)) => (description, Some(expected)),
        None => (message, None),
    };
    let translated = german_description(description).and_then(|(description, says_it)| {
        let Some(expected) = expected.filter(|_| !says_it) else {
            return Some(description.to_owned());
        };
        let alternatives = expected
            .split(", ")
            .map(german_expected)
            .collect::<Option<Vec<_>>>()?;
        Some(format!(
            "{description}; erwartet wurde {}",
            alternatives.join(" oder ")
        ))
    });
    match translated {
        Some(text) => format!("{LEAD}: {text}"),
        None => format!("{LEAD} (Meldung des TOML-Lesers: {message})"),
    }
}

/// The common descriptions of the `toml` crate's errors in German, and whether the German already
/// says what was expected (then the crate's "expected …" is left out).
fn german_description(description: &str) -> Option<(&'static str, bool)> {
    Some(match description {
        "invalid basic string" | "invalid multi-line basic string" => (
            "ein Text ist nicht abgeschlossen (das schließende Anführungszeichen fehlt)",
            true,
        ),
        "invalid literal string" | "invalid multi-line literal string" => (
            "ein Text in einfachen Anführungszeichen ist nicht abgeschlossen",
            true,
        ),
        "duplicate key" => ("dieser Schlüssel steht hier schon einmal", true),
        "invalid value" => ("ungültiger Wert", false),
        "invalid boolean" => ("ungültiger Wahrheitswert", false),
        "invalid float" | "invalid integer" => ("ungültige Zahl", true),
        "missing value" | "missing value for key" => ("nach dem „=“ fehlt der Wert", true),
        "key with no value" => ("nach dem Schlüssel fehlen das „=“ und der Wert", true),
        "string values must be quoted" => ("Texte müssen in Anführungszeichen stehen", true),
        "missing assignment between key-value pairs" | "invalid key-value pair" => {
            ("zwischen Schlüssel und Wert fehlt das „=“", true)
        }
        "extra assignment between key-value pairs" | "extra `=`" => ("ein „=“ zu viel", true),
        "unexpected `=` in array" => ("„=“ ist in einer Liste nicht erlaubt", true),
        "unexpected key or value" | "unexpected content" => ("unerwarteter Inhalt", false),
        "invalid unquoted key" => ("ungültiger Schlüssel", false),
        "missing key for inline table element" => ("in der Tabelle fehlt ein Schlüssel", true),
        "unclosed table" => ("der Tabellenname ist nicht mit „]“ abgeschlossen", true),
        "unclosed array table" => ("der Tabellenname ist nicht mit „]]“ abgeschlossen", true),
        "unclosed array" => ("die Liste ist nicht mit „]“ abgeschlossen", true),
        "unclosed inline table" => ("die Tabelle ist nicht mit „}“ abgeschlossen", true),
        "missing comma between array elements" => {
            ("zwischen zwei Listeneinträgen fehlt ein Komma", true)
        }
        "missing comma between key-value pairs" => {
            ("zwischen zwei Einträgen fehlt ein Komma", true)
        }
        "extra comma in array" | "extra comma in inline table" => ("ein Komma zu viel", true),
        "missing escaped value" => ("nach „\\“ fehlt das Zeichen", true),
        "unexpected leading zero" => (
            "Zahlen dürfen nicht mit einer führenden Null beginnen",
            true,
        ),
        _ => return None,
    })
}

/// One thing the `toml` crate expected, in German.
fn german_expected(expected: &str) -> Option<String> {
    Some(match expected {
        "newline" => "ein Zeilenende".to_owned(),
        "key" => "ein Schlüssel".to_owned(),
        "value" => "ein Wert".to_owned(),
        literal => {
            let inner = literal.strip_prefix('`')?.strip_suffix('`')?;
            format!("„{inner}“")
        }
    })
}

fn table(table: DeTable<'_>) -> Value {
    Value::Table(
        table
            .into_iter()
            .map(|(key, value)| {
                let key = Key {
                    span: key.span(),
                    name: key.into_inner().into_owned(),
                };
                (key, node(value))
            })
            .collect(),
    )
}

fn node(spanned: Spanned<DeValue<'_>>) -> Node {
    let span = spanned.span();
    let value = match spanned.into_inner() {
        DeValue::String(s) => Value::Str(s.into_owned()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(i) => Value::Int(i),
            // Out of the i64 range: keep it as a (lossy) number, the decoder's range checks reject it.
            Err(_) => Value::Float(i.as_str().parse().unwrap_or(f64::MAX)),
        },
        DeValue::Float(f) => Value::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => Value::Array(items.into_iter().map(node).collect()),
        DeValue::Table(t) => table(t),
    };
    Node { value, span }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(node: &'a Node, key: &str) -> &'a Node {
        match &node.value {
            Value::Table(entries) => &entries.iter().find(|(k, _)| k.name == key).unwrap().1,
            other => panic!("not a table: {other:?}"),
        }
    }

    #[test]
    fn values_keep_their_spans_and_order() {
        let text = "id = \"x\"\nn = 0x1F\nf = 1_000.5\nd = 2020-05-05\n[[pages]]\nid = \"p\"\n";
        let root = parse_toml(text).unwrap();
        let id = get(&root, "id");
        assert_eq!(id.value, Value::Str("x".into()));
        assert_eq!(&text[id.span.clone()], "\"x\"");
        assert_eq!(get(&root, "n").value, Value::Int(31));
        assert_eq!(get(&root, "f").value, Value::Float(1000.5));
        assert_eq!(get(&root, "d").value, Value::Datetime("2020-05-05".into()));
        let Value::Array(pages) = &get(&root, "pages").value else {
            panic!("pages is not an array")
        };
        let page_id = get(&pages[0], "id");
        assert_eq!(&text[page_id.span.clone()], "\"p\"");
        let Value::Table(entries) = &root.value else {
            panic!()
        };
        let keys: Vec<_> = entries.iter().map(|(k, _)| k.name.as_str()).collect();
        assert_eq!(keys, ["id", "n", "f", "d", "pages"]);
    }

    #[test]
    fn syntax_errors_are_all_reported_with_spans() {
        let text = "id = \"x\"\ntitle = \ntext = \"unterminated\n";
        let errors = parse_toml(text).unwrap_err();
        assert!(!errors.is_empty());
        assert!(errors[0].span.start >= 9, "{errors:?}");
    }
}
