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
            .map(|error| SyntaxError {
                span: error.span().unwrap_or(0..0),
                message: error.message().trim().trim_end_matches('.').to_owned(),
            })
            .collect());
    }
    let span = root.span();
    Ok(Node {
        value: table(root.into_inner()),
        span,
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
