//! Owns the grammar and limits of SNS subscription filter policies, as the Amazon SNS
//! developer guide documents them ("Filter policy constraints", "Filter policy
//! operators"): each key is an attribute (or `$or`) whose value is an array of
//! conditions, or, for message-body filtering only, a nested object; conditions are exact
//! strings, numbers, `true`/`false`/`null`, or one-key operator objects (`prefix`,
//! `suffix`, `anything-but`, `numeric`, `exists`, `equals-ignore-case`, `cidr`).
//! Limits: at most 5 keys, at most 150 combinations (the product of the array lengths),
//! 256 KB, numbers within ±1,000,000,000 with at most 5 decimal places.
//!
//! Written by hand: no crate checks SNS's filter grammar.

use serde_json::{Map, Value};

/// Keys (attribute names) a policy may use.
pub const MAX_KEYS: usize = 5;
/// The product of the lengths of every value array.
pub const MAX_COMBINATIONS: u64 = 150;
/// The size of the policy's JSON.
pub const MAX_BYTES: usize = 256 * 1024;
/// Numeric values lie within ± this.
pub const MAX_NUMBER: f64 = 1e9;
/// How deep a message-body policy may nest objects (our own bound, well above use).
pub const MAX_DEPTH: usize = 5;

/// Where SNS applies the policy (`FilterPolicyScope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Message attributes: flat policies only.
    MessageAttributes,
    /// The JSON message body: objects may nest.
    MessageBody,
}

/// One thing wrong with a policy: where (a JSON path such as `level[1]`), what, and a fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    /// What is wrong, naming the key.
    pub message: String,
    /// A change that makes the policy valid.
    pub fix: String,
}

/// Every problem with `policy` under `scope`; empty when SNS would accept it.
///
/// ```
/// use cfn_gen::validate::filter_policy::{check, Scope};
/// use serde_json::json;
///
/// assert!(check(&json!({"level": ["error", {"prefix": "crit"}]}), Scope::MessageAttributes).is_empty());
/// let problems = check(&json!({"level": "error"}), Scope::MessageAttributes);
/// assert!(problems[0].fix.contains("[\"error\"]"));
/// ```
pub fn check(policy: &Value, scope: Scope) -> Vec<PolicyProblem> {
    let mut out = Vec::new();
    let Some(object) = policy.as_object() else {
        out.push(problem(
            "the filter policy is not a JSON object",
            "pass an object of attribute names to arrays, e.g. json!({\"level\": [\"error\"]})",
        ));
        return out;
    };
    if object.is_empty() {
        out.push(problem(
            "the filter policy is empty",
            "leave the filter out to receive every message, or filter on a key, e.g. json!({\"level\": [\"error\"]})",
        ));
        return out;
    }
    let bytes = policy.to_string().len();
    if bytes > MAX_BYTES {
        out.push(problem(
            format!("the filter policy is {bytes} bytes; SNS allows {MAX_BYTES}"),
            "filter on fewer values, e.g. with `prefix` instead of long lists",
        ));
    }
    let mut walker = Walker {
        scope,
        keys: Vec::new(),
        out: &mut out,
    };
    let combinations = walker.object(object, "", 1);
    let all_keys = std::mem::take(&mut walker.keys);
    let keys = all_keys.len();
    if keys > MAX_KEYS {
        let kept = all_keys[..MAX_KEYS].join("`, `");
        out.push(problem(
            format!("the filter policy has {keys} keys (`{}`); SNS allows {MAX_KEYS}", all_keys.join("`, `")),
            format!("filter on at most {MAX_KEYS} keys, e.g. keep `{kept}` and filter the rest in the template or the sender"),
        ));
    }
    if combinations > MAX_COMBINATIONS {
        out.push(problem(
            format!("the filter policy has {combinations} combinations of values (the product of its array lengths); SNS allows {MAX_COMBINATIONS}"),
            "use fewer values per key, or `prefix`/`anything-but` to match many values with one condition",
        ));
    }
    out
}

fn problem(message: impl Into<String>, fix: impl Into<String>) -> PolicyProblem {
    PolicyProblem {
        message: message.into(),
        fix: fix.into(),
    }
}

struct Walker<'a> {
    scope: Scope,
    keys: Vec<String>,
    out: &'a mut Vec<PolicyProblem>,
}

impl Walker<'_> {
    /// Checks an object of keys; returns its number of combinations.
    fn object(&mut self, object: &Map<String, Value>, prefix: &str, depth: usize) -> u64 {
        let mut combinations: u64 = 1;
        for (key, value) in object {
            let path = format!("{prefix}{key}");
            if key == "$or" {
                combinations = combinations.saturating_mul(self.or(value, prefix, depth));
                continue;
            }
            match value {
                Value::Array(conditions) => {
                    if !self.keys.contains(&path) {
                        self.keys.push(path.clone());
                    }
                    if conditions.is_empty() {
                        self.out.push(problem(
                            format!("key `{path}` has an empty array; SNS needs at least one condition"),
                            format!("give `{path}` a value, e.g. \"{path}\": [\"error\"], or drop the key"),
                        ));
                    }
                    for (i, c) in conditions.iter().enumerate() {
                        self.condition(&format!("{path}[{i}]"), c);
                    }
                    combinations = combinations.saturating_mul(conditions.len().max(1) as u64);
                }
                Value::Object(nested) if self.scope == Scope::MessageBody => {
                    if depth >= MAX_DEPTH {
                        self.out.push(problem(
                            format!("key `{path}` nests objects deeper than {MAX_DEPTH} levels"),
                            "filter on a shallower property of the message body",
                        ));
                    } else {
                        combinations = combinations
                            .saturating_mul(self.object(nested, &format!("{path}."), depth + 1));
                    }
                }
                Value::Object(_) => self.out.push(problem(
                    format!("key `{path}` holds a nested object, but attribute filter policies are flat"),
                    "filter on message attributes with flat keys, e.g. json!({\"level\": [\"error\"]})",
                )),
                other => self.out.push(problem(
                    format!("key `{path}` holds {}, not an array of conditions", kind(other)),
                    format!("wrap it in an array: \"{key}\": [{other}]"),
                )),
            }
        }
        combinations
    }

    fn or(&mut self, value: &Value, prefix: &str, depth: usize) -> u64 {
        let alternatives = value.as_array().map(Vec::as_slice).unwrap_or_default();
        if alternatives.len() < 2 || !alternatives.iter().all(Value::is_object) {
            self.out.push(problem(
                format!("`{prefix}$or` must be an array of at least two objects"),
                "write \"$or\": [{\"level\": [\"error\"]}, {\"source\": [\"billing\"]}]",
            ));
            return 1;
        }
        alternatives
            .iter()
            .filter_map(Value::as_object)
            .map(|alt| self.object(alt, prefix, depth))
            .fold(0u64, u64::saturating_add)
    }

    fn condition(&mut self, path: &str, condition: &Value) {
        match condition {
            Value::String(_) | Value::Bool(_) | Value::Null => {}
            Value::Number(n) => self.number(path, n.as_f64(), &n.to_string()),
            Value::Array(_) => self.out.push(problem(
                format!("`{path}` is an array inside an array"),
                "list the values directly: \"key\": [\"a\", \"b\"]",
            )),
            Value::Object(o) => self.operator(path, o),
        }
    }

    fn operator(&mut self, path: &str, o: &Map<String, Value>) {
        let known = "`prefix`, `suffix`, `anything-but`, `numeric`, `exists`, `equals-ignore-case` or `cidr`";
        if o.len() != 1 {
            self.out.push(problem(
                format!("`{path}` is an operator object with {} keys; each condition takes one operator", o.len()),
                format!("split it into one condition per operator: one of {known}"),
            ));
            return;
        }
        let Some((op, arg)) = o.iter().next() else {
            return;
        };
        let at = format!("{path}.{op}");
        match op.as_str() {
            "prefix" | "suffix" | "equals-ignore-case" => {
                if arg.as_str().is_none_or(str::is_empty) {
                    self.out.push(problem(
                        format!("`{at}` takes a non-empty string, not {}", kind(arg)),
                        format!("write {{\"{op}\": \"text\"}}"),
                    ));
                }
            }
            "exists" => {
                if !arg.is_boolean() {
                    self.out.push(problem(
                        format!("`{at}` takes true or false, not {}", kind(arg)),
                        "write {\"exists\": true} or {\"exists\": false}",
                    ));
                }
            }
            "anything-but" => self.anything_but(&at, arg),
            "numeric" => self.numeric(&at, arg),
            "cidr" => {
                if let Err(why) = arg.as_str().ok_or("not a string").and_then(check_cidr) {
                    self.out.push(problem(
                        format!("`{at}` is not an IP address range: {why}"),
                        "write {\"cidr\": \"10.0.0.0/24\"} (IPv4) or {\"cidr\": \"2001:db8::/32\"} (IPv6)",
                    ));
                }
            }
            other => self.out.push(problem(
                format!("`{path}` uses unknown operator `{other}`"),
                format!("use one of {known}"),
            )),
        }
    }

    fn anything_but(&mut self, at: &str, arg: &Value) {
        let ok = match arg {
            Value::String(_) => true,
            Value::Number(n) => {
                self.number(at, n.as_f64(), &n.to_string());
                true
            }
            Value::Array(values) => {
                !values.is_empty()
                    && values.iter().all(|v| {
                        if let Value::Number(n) = v {
                            self.number(at, n.as_f64(), &n.to_string());
                        }
                        v.is_string() || v.is_number()
                    })
            }
            Value::Object(o) => {
                o.len() == 1
                    && o.iter().all(|(k, v)| {
                        matches!(k.as_str(), "prefix" | "suffix")
                            && v.as_str().is_some_and(|s| !s.is_empty())
                    })
            }
            _ => false,
        };
        if !ok {
            self.out.push(problem(
                format!("`{at}` takes a string, a number, a non-empty array of them, or {{\"prefix\": ...}}/{{\"suffix\": ...}}; got {arg}"),
                "write e.g. {\"anything-but\": [\"debug\", \"info\"]} or {\"anything-but\": {\"prefix\": \"test-\"}}",
            ));
        }
    }

    fn numeric(&mut self, at: &str, arg: &Value) {
        let fix = "write {\"numeric\": [\">=\", 0, \"<\", 100]} or {\"numeric\": [\"=\", 5]}";
        let Some(items) = arg.as_array() else {
            self.out.push(problem(
                format!("`{at}` takes an array of operators and numbers"),
                fix,
            ));
            return;
        };
        let pairs: Vec<(Option<&str>, Option<f64>)> = items
            .chunks(2)
            .map(|c| (c[0].as_str(), c.get(1).and_then(Value::as_f64)))
            .collect();
        let shape_ok = matches!(items.len(), 2 | 4)
            && pairs
                .iter()
                .all(|(op, n)| n.is_some() && matches!(op, Some("=" | "<" | "<=" | ">" | ">=")));
        if !shape_ok {
            self.out.push(problem(
                format!("`{at}` must be [OPERATOR, NUMBER] or a range [\">\"|\">=\", LOW, \"<\"|\"<=\", HIGH]; got {arg}"),
                fix,
            ));
            return;
        }
        for v in items.iter().skip(1).step_by(2) {
            if let Value::Number(n) = v {
                self.number(at, n.as_f64(), &n.to_string());
            }
        }
        if let [(Some(lo_op), Some(lo)), (Some(hi_op), Some(hi))] = pairs.as_slice() {
            if !matches!(*lo_op, ">" | ">=") || !matches!(*hi_op, "<" | "<=") {
                self.out.push(problem(
                    format!("`{at}` is a range whose first operator is `{lo_op}` and second `{hi_op}`; a range is a lower bound (`>` or `>=`) then an upper bound (`<` or `<=`)"),
                    format!("write {{\"numeric\": [\">=\", {}, \"<=\", {}]}}", lo.min(*hi), lo.max(*hi)),
                ));
            } else if lo >= hi {
                self.out.push(problem(
                    format!("`{at}` is an empty range: {lo} is not below {hi}"),
                    format!(
                        "swap the bounds: {{\"numeric\": [\"{lo_op}\", {hi}, \"{hi_op}\", {lo}]}}"
                    ),
                ));
            }
        }
    }

    fn number(&mut self, at: &str, value: Option<f64>, text: &str) {
        let in_range = value.is_some_and(|v| v.abs() <= MAX_NUMBER);
        if !in_range {
            self.out.push(problem(
                format!("`{at}` has the number {text}, outside SNS's range of -1,000,000,000 to 1,000,000,000"),
                "scale the attribute (e.g. thousands instead of units) so values fit the range",
            ));
        }
        let decimals = text
            .split_once('.')
            .map(|(_, frac)| frac.split(['e', 'E']).next().unwrap_or("").len())
            .unwrap_or(0);
        if decimals > 5 {
            let rounded = value.map(|v| format!("{v:.5}")).unwrap_or_default();
            self.out.push(problem(
                format!(
                    "`{at}` has the number {text} with {decimals} decimal places; SNS compares 5"
                ),
                format!("round it to 5 decimal places: {rounded}"),
            ));
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An IPv4 or IPv6 address range in CIDR notation, e.g. `10.0.0.0/24`.
pub fn check_cidr(text: &str) -> Result<(), &'static str> {
    let (addr, bits) = text.split_once('/').ok_or("no `/PREFIX` length")?;
    let bits: u8 = bits
        .parse()
        .map_err(|_| "the prefix length is not a number")?;
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) if bits <= 32 => Ok(()),
        Ok(std::net::IpAddr::V6(_)) if bits <= 128 => Ok(()),
        Ok(_) => Err("the prefix length is too long for the address"),
        Err(_) => Err("the address is not an IPv4 or IPv6 address"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(policy: Value) -> Vec<PolicyProblem> {
        check(&policy, Scope::MessageAttributes)
    }

    #[test]
    fn documented_operators_are_accepted() {
        let ok = json!({
            "level": ["error", {"prefix": "crit"}, {"suffix": "-fatal"}, {"equals-ignore-case": "WARN"}],
            "source": [{"anything-but": ["test", "dev"]}, {"anything-but": {"prefix": "tmp-"}}],
            "price": [{"numeric": [">=", 0, "<", 100.5]}, {"numeric": ["=", 301.12345]}],
            "region": [{"exists": true}],
            "ip": [{"cidr": "10.0.0.0/24"}, {"cidr": "2001:db8::/32"}],
        });
        assert_eq!(attrs(ok), vec![]);
        let or = json!({"$or": [{"level": ["error"]}, {"source": ["billing"]}]});
        assert_eq!(attrs(or), vec![]);
        let body = json!({"order": {"status": ["paid"], "total": [{"numeric": [">", 10]}]}});
        assert_eq!(check(&body, Scope::MessageBody), vec![]);
    }

    #[test]
    fn bare_values_are_wrapped_by_the_fix() {
        let p = attrs(json!({"level": "error"}));
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("`level`"));
        assert_eq!(p[0].fix, "wrap it in an array: \"level\": [\"error\"]");
        assert_eq!(attrs(json!({"level": ["error"]})), vec![]);
    }

    #[test]
    fn keys_and_combinations_are_counted() {
        let six = json!({"a": ["1"], "b": ["1"], "c": ["1"], "d": ["1"], "e": ["1"], "f": ["1"]});
        let p = attrs(six);
        assert!(p[0].message.contains("6 keys"), "{p:?}");
        let many: Vec<String> = (0..20).map(|i| i.to_string()).collect();
        let p = attrs(json!({"a": many, "b": many}));
        assert!(p[0].message.contains("400 combinations"), "{p:?}");
        assert_eq!(attrs(json!({"a": many, "b": ["x", "y", "z"]})), vec![]);
    }

    #[test]
    fn numeric_rules_and_their_fixes() {
        let p = attrs(json!({"n": [{"numeric": ["<", 10, ">", 1]}]}));
        assert!(p[0].fix.contains("[\">=\", 1, \"<=\", 10]"), "{p:?}");
        assert_eq!(
            attrs(json!({"n": [{"numeric": [">=", 1, "<=", 10]}]})),
            vec![]
        );
        let p = attrs(json!({"n": [{"numeric": [">", 10, "<", 1]}]}));
        assert!(p[0].message.contains("empty range"), "{p:?}");
        assert!(attrs(json!({"n": [{"numeric": [">", 2000000000]}]}))[0]
            .message
            .contains("outside"));
        let p = attrs(json!({"n": [1.1234567]}));
        assert!(p[0].fix.contains("1.12346"), "{p:?}");
        assert_eq!(attrs(json!({"n": [1.12346]})), vec![]);
        assert!(!attrs(json!({"n": [{"numeric": ["~", 1]}]})).is_empty());
    }

    #[test]
    fn operators_are_checked() {
        assert!(attrs(json!({"a": [{"prefx": "x"}]}))[0]
            .message
            .contains("unknown operator `prefx`"));
        assert!(!attrs(json!({"a": [{"exists": "yes"}]})).is_empty());
        assert!(!attrs(json!({"a": [{"cidr": "10.0.0.0/33"}]})).is_empty());
        assert!(!attrs(json!({"a": [{"anything-but": {"middle": "x"}}]})).is_empty());
        assert!(attrs(json!({"a": {"b": ["x"]}}))[0]
            .message
            .contains("flat"));
        assert!(!attrs(json!({"$or": [{"a": ["x"]}]})).is_empty());
        assert!(!attrs(json!({})).is_empty());
        assert!(!attrs(json!(["x"])).is_empty());
    }
}
