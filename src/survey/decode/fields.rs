//! The decoder's readers of single values: a required or optional string, flag, number, count or
//! date, an array, a list of strings; each names the key and what it expected when the value is
//! of another kind.

use super::*;

impl Decoder {
    pub(super) fn required<'a>(&mut self, fields: &mut Fields<'a>, key: &str) -> Option<&'a Node> {
        let node = fields.get(key);
        if node.is_none() {
            let start = fields.span.start;
            self.problem(
                start..start,
                format!("{} has no `{key}`", fields.what.english),
                format!("{} fehlt „{key}“", fields.what.german_in),
            );
        }
        node
    }

    pub(super) fn string(&mut self, node: &Node, key: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            other => {
                self.expected(node, key, ("a string", "ein Text"), other);
                None
            }
        }
    }

    /// "`key` must be {expected}, found {what was found}"; `expected` in English and German.
    pub(super) fn expected(
        &mut self,
        node: &Node,
        key: &str,
        expected: (&str, &str),
        found: &Value,
    ) {
        self.problem(
            node.span.clone(),
            format!(
                "`{key}` must be {}, found {}",
                expected.0,
                found.type_name()
            ),
            format!(
                "„{key}“ muss {} sein, hier steht {}",
                expected.1,
                found.type_name_german()
            ),
        );
    }

    pub(super) fn req_string(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        let node = self.required(fields, key)?;
        self.string(node, key)
    }

    pub(super) fn opt_string(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        let node = fields.get(key)?;
        self.string(node, key)
    }

    pub(super) fn opt_bool(&mut self, fields: &mut Fields<'_>, key: &str) -> bool {
        match fields.get(key) {
            None => false,
            Some(Node {
                value: Value::Bool(b),
                ..
            }) => *b,
            Some(node) => {
                self.expected(
                    node,
                    key,
                    ("`true` or `false`", "„true“ oder „false“"),
                    &node.value,
                );
                false
            }
        }
    }

    pub(super) fn opt_number(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<f64> {
        let node = fields.get(key)?;
        let number = match node.value {
            Value::Int(i) => i as f64,
            Value::Float(f) => f,
            ref other => {
                self.expected(node, key, ("a number", "eine Zahl"), other);
                return None;
            }
        };
        if !number.is_finite() || number.abs() > 1e15 {
            self.problem(
                node.span.clone(),
                format!("`{key}` must be a number between -10^15 and 10^15"),
                format!("„{key}“ muss eine Zahl zwischen -10^15 und 10^15 sein"),
            );
            return None;
        }
        Some(number)
    }

    pub(super) fn opt_count(
        &mut self,
        fields: &mut Fields<'_>,
        key: &str,
        max: u32,
    ) -> Option<u32> {
        let node = fields.get(key)?;
        match node.value {
            Value::Int(i) if (0..=i64::from(max)).contains(&i) => u32::try_from(i).ok(),
            Value::Int(_) => {
                self.problem(
                    node.span.clone(),
                    format!("`{key}` must be between 0 and {max}"),
                    format!("„{key}“ muss zwischen 0 und {max} liegen"),
                );
                None
            }
            ref other => {
                self.expected(node, key, ("a whole number", "eine ganze Zahl"), other);
                None
            }
        }
    }

    pub(super) fn opt_date(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<NaiveDate> {
        let node = fields.get(key)?;
        let text = match &node.value {
            Value::Str(s) | Value::Datetime(s) => s,
            other => {
                self.expected(
                    node,
                    key,
                    ("a date (YYYY-MM-DD)", "ein Datum (JJJJ-MM-TT)"),
                    other,
                );
                return None;
            }
        };
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                self.problem(
                    node.span.clone(),
                    format!("`{key}` must be a date written YYYY-MM-DD, found `{text}`"),
                    format!(
                        "„{key}“ muss ein Datum in der Form JJJJ-MM-TT sein, hier steht „{text}“"
                    ),
                );
                None
            }
        }
    }

    pub(super) fn array<'a>(&mut self, node: &'a Node, key: &str) -> &'a [Node] {
        match &node.value {
            Value::Array(items) => items,
            other => {
                self.expected(
                    node,
                    key,
                    ("an array", "eine Liste in eckigen Klammern"),
                    other,
                );
                &[]
            }
        }
    }

    pub(super) fn strings(&mut self, node: &Node, key: &str) -> Vec<String> {
        self.array(node, key)
            .iter()
            .filter_map(|item| self.string(item, key))
            .collect()
    }
}
