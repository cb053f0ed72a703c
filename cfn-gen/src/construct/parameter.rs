//! Stack parameters: values given at deploy time (`sam deploy
//! --parameter-overrides Name=value`), referred to with `Ref`.

use crate::construct::Stack;
use crate::suggest;
use crate::template::Parameter;
use crate::value::Value;

/// The longest parameter name.
pub const MAX_NAME_LEN: usize = 255;
/// The longest parameter description.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;
/// The largest parameter value (its default, here).
pub const MAX_VALUE_BYTES: usize = 4096;

const AWS_TYPES: &[&str] = &[
    "AWS::EC2::AvailabilityZone::Name",
    "AWS::EC2::Image::Id",
    "AWS::EC2::Instance::Id",
    "AWS::EC2::KeyPair::KeyName",
    "AWS::EC2::SecurityGroup::GroupName",
    "AWS::EC2::SecurityGroup::Id",
    "AWS::EC2::Subnet::Id",
    "AWS::EC2::Volume::Id",
    "AWS::EC2::VPC::Id",
    "AWS::Route53::HostedZone::Id",
];

fn plain_type_ok(t: &str) -> bool {
    matches!(
        t,
        "String" | "Number" | "List<Number>" | "CommaDelimitedList"
    ) || AWS_TYPES.contains(&t)
        || t.strip_prefix("List<")
            .and_then(|r| r.strip_suffix('>'))
            .is_some_and(|inner| AWS_TYPES.contains(&inner))
}

/// Whether CloudFormation accepts `t` as a parameter type.
///
/// ```
/// use cfn_gen::construct::parameter_type_ok;
/// assert!(parameter_type_ok("List<AWS::EC2::Subnet::Id>"));
/// assert!(parameter_type_ok("AWS::SSM::Parameter::Value<List<String>>"));
/// assert!(!parameter_type_ok("Strin"));
/// ```
pub fn parameter_type_ok(t: &str) -> bool {
    if plain_type_ok(t) || t == "AWS::SSM::Parameter::Name" {
        return true;
    }
    t.strip_prefix("AWS::SSM::Parameter::Value<")
        .and_then(|r| r.strip_suffix('>'))
        .is_some_and(|inner| {
            matches!(inner, "String" | "List<String>" | "CommaDelimitedList")
                || plain_type_ok(inner)
        })
}

fn known_types() -> Vec<String> {
    let mut out: Vec<String> = ["String", "Number", "List<Number>", "CommaDelimitedList"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    out.extend(AWS_TYPES.iter().map(|s| (*s).to_owned()));
    out.extend(AWS_TYPES.iter().map(|s| format!("List<{s}>")));
    out.push("AWS::SSM::Parameter::Name".into());
    out.push("AWS::SSM::Parameter::Value<String>".into());
    out
}

/// A parameter declared with [`Stack::parameter`].
#[derive(Debug, Clone, PartialEq)]
pub struct StackParameter {
    name: String,
}

impl StackParameter {
    /// The parameter's name (its logical ID).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `Ref` to the parameter: its value at deploy time.
    pub fn value(&self) -> Value {
        Value::reference(&self.name)
    }
}

impl Stack {
    /// Declare a template parameter named `name` (its logical ID, as given).
    ///
    /// ```
    /// use cfn_gen::{App, Parameter, Stack};
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Params");
    /// let env = stack.parameter(
    ///     "Environment",
    ///     Parameter::string().allowed_values(["dev", "prod"]).default_value("dev"),
    /// );
    /// assert_eq!(serde_json::to_string(&env.value()).unwrap(), r#"{"Ref":"Environment"}"#);
    /// ```
    pub fn parameter(&self, name: &str, parameter: Parameter) -> StackParameter {
        let path = format!("{}/{name}", self.name());
        let mut errors: Vec<(String, String)> = Vec::new();
        if name.is_empty()
            || name.len() > MAX_NAME_LEN
            || !name.chars().all(|c| c.is_ascii_alphanumeric())
        {
            let cleaned: String = name
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(MAX_NAME_LEN)
                .collect();
            let cleaned = if cleaned.is_empty() {
                "Param".to_owned()
            } else {
                cleaned
            };
            errors.push((
                format!(
                    "parameter name `{name}` must be 1 to {MAX_NAME_LEN} ASCII letters and digits"
                ),
                format!("name it `{cleaned}`: stack.parameter(\"{cleaned}\", ..)"),
            ));
        }
        if self.settings_mut().parameters.contains_key(name) {
            errors.push((
                format!(
                    "parameter `{name}` is declared twice in stack {}",
                    self.name()
                ),
                "declare each parameter once and share the handle Stack::parameter returns"
                    .to_owned(),
            ));
        }
        let t = &parameter.parameter_type;
        if !parameter_type_ok(t) {
            let close = suggest::close_matches(t, known_types());
            let best = close
                .first()
                .cloned()
                .unwrap_or_else(|| "String".to_owned());
            errors.push((
                format!("parameter `{name}` has type `{t}`, which CloudFormation does not know"),
                format!("use Parameter::of_type(\"{best}\")"),
            ));
        }
        if let Some(d) = &parameter.description {
            if d.chars().count() > MAX_DESCRIPTION_CHARS {
                errors.push((
                    format!("parameter `{name}`'s description is {} characters; CloudFormation allows {MAX_DESCRIPTION_CHARS}", d.chars().count()),
                    "shorten the description".to_owned(),
                ));
            }
        }
        if let Some(default) = &parameter.default {
            if parameter.no_echo {
                errors.push((
                    format!("parameter `{name}` is NoEcho but has a default, which the template would carry in plain text"),
                    "drop the default and pass the value at deploy time (sam deploy --parameter-overrides), or use an `AWS::SSM::Parameter::Value<String>` parameter naming where the value is stored".to_owned(),
                ));
            } else if default.len() > MAX_VALUE_BYTES {
                errors.push((
                    format!("parameter `{name}`'s default is {} bytes; CloudFormation allows {MAX_VALUE_BYTES}", default.len()),
                    "shorten the default, or keep the value in SSM and use an `AWS::SSM::Parameter::Value<String>` parameter".to_owned(),
                ));
            }
            if !parameter.allowed_values.is_empty() && !parameter.allowed_values.contains(default) {
                let first = &parameter.allowed_values[0];
                errors.push((
                    format!(
                        "parameter `{name}`'s default `{default}` is not one of its allowed values"
                    ),
                    format!(
                        "use an allowed value as the default, e.g. .default_value(\"{first}\")"
                    ),
                ));
            }
        }
        for (message, fix) in errors {
            self.record_error(&path, message, fix);
        }
        self.settings_mut()
            .parameters
            .insert(name.to_owned(), parameter);
        StackParameter {
            name: name.to_owned(),
        }
    }
}
