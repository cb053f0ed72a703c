//! A small YAML emitter for template trees.
//!
//! It writes block style only, with two-space indentation, and quotes any
//! string that a YAML 1.1 or 1.2 parser could read as something other than a
//! string (`OFF`, `yes`, `~`, `0123`, `1e3`, `2027-01-01`, ...), so values
//! CloudFormation sees are exactly the values we wrote. Quoted strings use
//! JSON escaping, which is valid YAML double-quoted style.

use serde_json::Value as Json;

/// Write `value` as a YAML document, ending in a newline.
///
/// ```
/// use serde_json::json;
/// let text = cfn_gen::writer::yaml::to_string(&json!({"Mode": "OFF", "Ref": "Topic"}));
/// assert_eq!(text, "Mode: \"OFF\"\nRef: Topic\n");
/// ```
pub fn to_string(value: &Json) -> String {
    let mut out = String::new();
    match value {
        Json::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Json::Array(items) if !items.is_empty() => write_list(&mut out, items, 0),
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn is_block(value: &Json) -> bool {
    match value {
        Json::Object(m) => !m.is_empty(),
        Json::Array(a) => !a.is_empty(),
        _ => false,
    }
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Json>, level: usize) {
    for (i, (key, value)) in map.iter().enumerate() {
        // The first entry of a map inside a list item continues the `- ` line.
        if i > 0 || !out.ends_with("- ") {
            indent(out, level);
        }
        out.push_str(&string_text(key));
        out.push(':');
        write_value_after_key(out, value, level);
    }
}

fn write_value_after_key(out: &mut String, value: &Json, level: usize) {
    match value {
        Json::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, level + 1);
        }
        Json::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_list(out, items, level + 1);
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

fn write_list(out: &mut String, items: &[Json], level: usize) {
    for item in items {
        indent(out, level);
        out.push_str("- ");
        match item {
            Json::Object(m) if !m.is_empty() => write_map(out, m, level + 1),
            Json::Array(inner) if !inner.is_empty() => {
                // A list directly inside a list: start it on the next line.
                out.truncate(out.len() - 1);
                out.push('\n');
                write_list(out, inner, level + 1);
            }
            scalar => {
                debug_assert!(!is_block(scalar));
                out.push_str(&scalar_text(scalar));
                out.push('\n');
            }
        }
    }
}

fn scalar_text(value: &Json) -> String {
    match value {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => string_text(s),
        Json::Object(_) => "{}".into(),
        Json::Array(_) => "[]".into(),
    }
}

/// The YAML text of a string: plain when that is unambiguous, else double-quoted.
pub fn string_text(s: &str) -> String {
    if needs_quotes(s) {
        // JSON string escaping is valid YAML double-quoted style.
        serde_json::to_string(s).unwrap_or_default()
    } else {
        s.to_owned()
    }
}

/// Words YAML 1.1 reads as booleans or null, in every spelling it accepts.
const RESERVED: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
    "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
];

fn needs_quotes(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return true;
    };
    if RESERVED.contains(&s) || looks_numeric(s) {
        return true;
    }
    if s.starts_with(' ') || s.ends_with(' ') || s.ends_with(':') {
        return true;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return true;
    }
    if s.contains(": ") || s.contains(" #") {
        return true;
    }
    s.chars().any(|c| c.is_control() || c == '\u{feff}')
}

/// Anything made only of characters that YAML number, date, time or
/// sexagesimal forms use, and that starts like one, is quoted: a string that
/// merely looks like a number stays a string.
fn looks_numeric(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), ".inf" | ".nan") {
        return true;
    }
    let Some(first) = body.chars().next() else {
        return false;
    };
    if !(first.is_ascii_digit() || first == '.') {
        return false;
    }
    body.chars().all(|c| {
        c.is_ascii_hexdigit()
            || matches!(
                c,
                '.' | '_' | ':' | '-' | '+' | 'x' | 'X' | 'o' | 'O' | 'T' | 't' | 'Z' | 'z' | ' '
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "OFF",
            "off",
            "yes",
            "No",
            "y",
            "~",
            "null",
            "true",
            "0123",
            "1e3",
            "1.5",
            ".5",
            "-1",
            "+1",
            "0x1F",
            "0o17",
            "1_000",
            "12:30",
            "2027-01-01",
            "2027-01-01T09:00:00Z",
            ".inf",
            "-.Inf",
            ".NaN",
            "",
            " lead",
            "trail ",
            "a: b",
            "a #b",
            "- x",
            "*alias",
            "&anchor",
            "!tag",
            "%x",
            "@x",
            "`x",
            "{x",
            "[x",
            "'x",
            "\"x",
            "key:",
            "line\nbreak",
            "tab\there",
        ] {
            assert!(needs_quotes(s), "{s:?} should be quoted");
        }
        for s in [
            "ENABLED",
            "rate(5 minutes)",
            "cron(0 9 ? * MON-FRI *)",
            "at(2027-01-01T09:00:00)",
            "alias/aws/sns",
            "aws:SourceAccount",
            "sns:Publish",
            "123456789012.dkr.ecr.us-west-2.amazonaws.com/my-lambda:latest",
            "x86_64",
            "Europe/London",
            "AWS::Serverless-2016-10-31",
            "${AWS::StackName}-x",
            "bootstrap",
        ] {
            assert!(!needs_quotes(s), "{s:?} should stay plain");
        }
    }

    #[test]
    fn nested_structures_use_block_style() {
        let doc = json!({
            "Resources": {
                "Role": {
                    "Properties": {
                        "Statement": [
                            {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": {"Ref": "T"}},
                            {"Effect": "Deny", "Action": [], "Condition": {}}
                        ],
                        "Nested": [["a", "b"], 1, true, null]
                    }
                }
            }
        });
        let expected = "\
Resources:
  Role:
    Properties:
      Statement:
        - Effect: Allow
          Action:
            - sns:Publish
          Resource:
            Ref: T
        - Effect: Deny
          Action: []
          Condition: {}
      Nested:
        -
          - a
          - b
        - 1
        - true
        - null
";
        assert_eq!(to_string(&doc), expected);
    }

    #[test]
    fn quoted_strings_escape_like_json() {
        assert_eq!(string_text("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
        assert_eq!(
            string_text("{\"version\":\"1\"}"),
            "\"{\\\"version\\\":\\\"1\\\"}\""
        );
    }
}
