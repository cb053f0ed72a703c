//! Odoo search domains: lists of `(field, operator, value)` conditions in prefix (Polish)
//! notation, with `&`, `|` and `!` as operators and an implicit AND between top-level terms.

use serde::Serialize;
use serde_json::Value;

/// A search domain, e.g. `[("write_date", ">", "2026-12-01 00:00:00"), ("active", "=", true)]`.
///
/// ```
/// use cloud_cron_odoo::Domain;
/// use serde_json::json;
///
/// let changed = Domain::new()
///     .filter("write_date", ">", "2026-12-01 00:00:00")
///     .filter("is_company", "=", true);
/// let either = Domain::new().filter("city", "=", "Fremont").or(Domain::new().filter("name", "ilike", "deco"));
/// assert_eq!(serde_json::to_value(&changed).unwrap(), json!([
///     ["write_date", ">", "2026-12-01 00:00:00"], ["is_company", "=", true]
/// ]));
/// assert_eq!(serde_json::to_value(&either).unwrap(), json!([
///     "|", ["city", "=", "Fremont"], ["name", "ilike", "deco"]
/// ]));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Domain(Vec<Value>);

impl Domain {
    /// The empty domain: every record.
    pub fn new() -> Self {
        Domain(Vec::new())
    }

    /// A domain from raw terms, as Odoo writes them (`["|", ["a", "=", 1], ["b", "=", 2]]`).
    pub fn from_terms(terms: Vec<Value>) -> Self {
        Domain(terms)
    }

    /// Adds a condition, ANDed with the others (`=`, `!=`, `>`, `>=`, `<`, `<=`, `in`,
    /// `not in`, `like`, `ilike`, `child_of`, ... as the server supports them).
    pub fn filter(mut self, field: &str, operator: &str, value: impl Into<Value>) -> Self {
        self.0.push(Value::Array(vec![
            field.into(),
            operator.into(),
            value.into(),
        ]));
        self
    }

    /// Records matching both domains.
    pub fn and(self, other: Domain) -> Self {
        if self.0.is_empty() {
            return other;
        }
        if other.0.is_empty() {
            return self;
        }
        let mut terms = vec![Value::from("&")];
        terms.extend(self.into_expression());
        terms.extend(other.into_expression());
        Domain(terms)
    }

    /// Records matching either domain. An empty side matches everything, and so does the result.
    pub fn or(self, other: Domain) -> Self {
        if self.0.is_empty() || other.0.is_empty() {
            return Domain::new();
        }
        let mut terms = vec![Value::from("|")];
        terms.extend(self.into_expression());
        terms.extend(other.into_expression());
        Domain(terms)
    }

    /// Records not matching this domain. The empty domain matches every record, so its
    /// negation is `[("id", "=", false)]`, which matches none.
    pub fn negate(self) -> Self {
        if self.0.is_empty() {
            return Domain::new().filter("id", "=", false);
        }
        let mut terms = vec![Value::from("!")];
        terms.extend(self.into_expression());
        Domain(terms)
    }

    /// The raw terms.
    pub fn terms(&self) -> &[Value] {
        &self.0
    }

    pub(crate) fn to_value(&self) -> Value {
        Value::Array(self.0.clone())
    }

    /// The domain as one prefix expression: implicit ANDs made explicit.
    fn into_expression(self) -> Vec<Value> {
        let count = top_level_expressions(&self.0);
        let mut terms: Vec<Value> = (1..count).map(|_| Value::from("&")).collect();
        terms.extend(self.0);
        terms
    }
}

/// How many complete expressions the terms hold at top level.
fn top_level_expressions(terms: &[Value]) -> usize {
    let mut count = 0;
    let mut open = 0usize;
    for term in terms {
        if open == 0 {
            count += 1;
            open = 1;
        }
        open -= 1;
        match term.as_str() {
            Some("&") | Some("|") => open += 2,
            Some("!") => open += 1,
            _ => {}
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn implicit_and_becomes_explicit_inside_or() {
        let left = Domain::new().filter("a", "=", 1).filter("b", "=", 2);
        let right = Domain::new().filter("c", "in", json!([1, 2]));
        assert_eq!(
            left.or(right).to_value(),
            json!(["|", "&", ["a", "=", 1], ["b", "=", 2], ["c", "in", [1, 2]]])
        );
    }

    #[test]
    fn nested_operators_count_as_one_expression() {
        let inner =
            Domain::from_terms(vec![json!("|"), json!(["a", "=", 1]), json!(["b", "=", 2])]);
        assert_eq!(top_level_expressions(inner.terms()), 1);
        let two = inner.clone().filter("c", "=", 3);
        assert_eq!(top_level_expressions(two.terms()), 2);
        assert_eq!(
            two.negate().to_value(),
            json!(["!", "&", "|", ["a", "=", 1], ["b", "=", 2], ["c", "=", 3]])
        );
    }

    #[test]
    fn empty_domains() {
        let a = Domain::new().filter("a", "=", 1);
        assert_eq!(a.clone().or(Domain::new()), Domain::new());
        assert_eq!(Domain::new().and(a.clone()), a);
        assert_eq!(a.clone().and(Domain::new()), a);
        assert_eq!(
            a.clone()
                .and(Domain::new().filter("b", "!=", false))
                .to_value(),
            json!(["&", ["a", "=", 1], ["b", "!=", false]])
        );
        assert_eq!(
            Domain::new().negate().to_value(),
            json!([["id", "=", false]])
        );
    }
}
