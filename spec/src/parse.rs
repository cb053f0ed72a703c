//! Reading the YAML into the spec types: `serde_yaml_ng` (the maintained
//! successor of `serde_yaml`, same API) gives the line and column of a
//! syntax or type error, `serde_path_to_error` the spec path, and the
//! message is turned into a fix where serde's words allow one.

use cfn_gen::suggest::close_matches;

use crate::error::{SpecError, SpecErrors, SpecLocation};
use crate::model::Spec;
use crate::positions::Positions;

/// Parse `yaml` (named `file` in errors).
pub(crate) fn parse(file: &str, yaml: &str, positions: &Positions) -> Result<Spec, SpecErrors> {
    let de = serde_yaml_ng::Deserializer::from_str(yaml);
    let error = match serde_path_to_error::deserialize::<_, Spec>(de) {
        Ok(spec) => return Ok(spec),
        Err(e) => e,
    };
    let path = match error.path().to_string() {
        p if p == "." => String::new(),
        p => p,
    };
    let inner = error.into_inner();
    let (line, column) = position(&inner, &path, positions);
    let text = without_marks(&inner.to_string());
    let text = text.as_str();
    // serde_yaml_ng puts the path in front of the message: it is shown once, in the location.
    let message = match text.split_once(": ") {
        Some((head, rest)) if !head.is_empty() && path.starts_with(head) => rest,
        _ => text,
    }
    .to_owned();
    let fix = fix_for(&message);
    let location = SpecLocation {
        file: file.to_owned(),
        line,
        column,
        path,
    };
    let error = SpecError::new(Some(location), message);
    Err(SpecErrors::one(match fix {
        Some(f) => error.with_fix(f),
        None => error,
    }))
}

/// Where the error is. serde_yaml_ng's own location is exact for syntax
/// errors and for values read in place, but not for values serde buffers
/// first (an untagged enum's content): its location is used when the file
/// did not scan (a syntax error), or when it is on the line of the key at
/// `path`; otherwise the key's position is.
fn position(inner: &serde_yaml_ng::Error, path: &str, positions: &Positions) -> (usize, usize) {
    let serde = inner.location().map(|l| (l.line(), l.column()));
    let key = positions.get(path);
    match (serde, key) {
        (Some(s), _) if !positions.complete() => s,
        (Some(s), Some(k)) if s.0 == k.line => s,
        (_, Some(k)) => (k.line, k.column),
        (Some(s), None) => s,
        (None, None) => {
            let (_, at) = positions.nearest(path);
            (at.line, at.column)
        }
    }
}

/// `text` without its ` at line N column M` marks: the location says it.
fn without_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let n = digits(after);
        let tail = &after[n..];
        match tail.strip_prefix(" column ") {
            Some(col) if n > 0 => rest = &col[digits(col)..],
            _ => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A fix for the serde messages that have one.
fn fix_for(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (wrong, expected) = rest.split_once('`')?;
        let keys: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return Some(match close_matches(wrong, keys.iter().copied()).first() {
            Some(best) => format!("write `{best}` instead of `{wrong}`"),
            None if keys.is_empty() => format!("remove `{wrong}`"),
            None => format!("remove `{wrong}`; the keys here are: {}", keys.join(", ")),
        });
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (wrong, expected) = rest.split_once('`')?;
        let values: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return Some(match close_matches(wrong, values.iter().copied()).first() {
            Some(best) => format!("write `{best}` instead of `{wrong}`"),
            None => format!("use one of: {}", values.join(", ")),
        });
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let (field, _) = rest.split_once('`')?;
        return Some(format!("add `{field}:`"));
    }
    if message.starts_with("invalid type") {
        let expected = message.rsplit_once(", expected ")?.1;
        return Some(format!("give {expected}"));
    }
    if message.starts_with("data did not match any variant of untagged enum TemplateSpec") {
        return Some(
            "give the template text, or `{ file: PATH }`, `{ url: URL }` or `{ s3: { bucket: B, key: K } }`"
                .to_owned(),
        );
    }
    if message.starts_with("data did not match any variant of untagged enum SecretSpec") {
        return Some(
            "give `ssm:/PARAMETER`, `secretsmanager:NAME-OR-ARN`, or `{ ref: .., kms_key: ARN }`"
                .to_owned(),
        );
    }
    if message.starts_with("data did not match any variant of untagged enum ValueSpec") {
        return Some("give a string, or `{ parameter: NAME }`".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_removed() {
        assert_eq!(
            without_marks("did not find expected ',' at line 17 column 16, while parsing a flow sequence at line 16 column 13"),
            "did not find expected ',', while parsing a flow sequence"
        );
        assert_eq!(without_marks("seen at line x"), "seen at line x");
    }
}
