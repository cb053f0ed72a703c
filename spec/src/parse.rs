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
    let (line, column) = match inner.location() {
        Some(l) => (l.line(), l.column()),
        None => {
            let (_, at) = positions.nearest(&path);
            (at.line, at.column)
        }
    };
    let text = inner.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
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
    if message.starts_with("data did not match any variant of untagged enum ValueSpec") {
        return Some("give a string, or `{ parameter: NAME }`".to_owned());
    }
    None
}
