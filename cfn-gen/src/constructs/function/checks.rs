//! A function's synth-time checks: its code, environment (names, reserved
//! names, secrets, Lambda's 4 KB), limits (timeout, memory, concurrency),
//! logging and names, and the topics it publishes to.

use std::collections::BTreeMap;

use cloud_cron_contract as contract;

use super::settings::FunctionSettings;
use crate::construct::Node;
use crate::constructs::code::{Code, ImageSource};
use crate::constructs::image_uri_check::check_image_uri;
use crate::constructs::Topic;
use crate::validate::{limits, names, secrets, Report};
use crate::value::Value;

/// Days CloudWatch Logs accepts as a retention period.
pub(crate) const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Variables Lambda sets itself; a function may not define them.
const RESERVED_ENV: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_REGION",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "LAMBDA_RUNTIME_DIR",
    "LAMBDA_TASK_ROOT",
];

/// Prefixes of the variables cloud-cron's own contract sets, and what for.
const RESERVED_PREFIXES: &[(&str, &str)] = &[
    (cloud_cron_contract::TOPIC_ARN_ENV_PREFIX, "topic ARNs"),
    ("CLOUDCRON_", "cloud-cron's own settings"),
];

/// What an intrinsic environment value (an ARN, a name) is estimated to
/// take once deployed.
pub(super) const INTRINSIC_VALUE_BYTES: usize = 256;

impl FunctionSettings {
    /// Checks the settings; `other_env_bytes` is what the variables set
    /// beside the user's literal ones take at most, `code_fix` how to give
    /// the function code.
    pub fn validate(
        &self,
        node: &Node,
        other_env_bytes: usize,
        code_fix: &str,
        report: &mut Report,
    ) {
        let path = node.path();
        let path = path.as_str();
        self.check_code(node, code_fix, report);
        for (name, value) in &self.env {
            check_env_name(path, name, ".env()", report);
            check_reserved_prefix(path, name, report);
            check_not_secret(path, name, value, report);
        }
        check_env_size(path, self.user_env_bytes() + other_env_bytes, report);
        self.check_limits(path, report);
        self.check_logging_and_names(path, report);
    }

    fn check_code(&self, node: &Node, code_fix: &str, report: &mut Report) {
        let path = node.path();
        let path = path.as_str();
        match &self.code {
            None => report.error(path, "the function has no code", code_fix),
            Some(Code::Image(ImageSource::Uri(uri))) => {
                check_image_uri(path, uri, node.region().as_deref(), report)
            }
            Some(Code::Image(ImageSource::Build(build))) => {
                for (message, fix) in build.problems(self.architecture) {
                    report.error(path, message, fix);
                }
            }
            Some(Code::Image(ImageSource::Republished(image))) => {
                image.check_use(node, self.architecture, report);
            }
            Some(Code::Rust(bin)) => {
                if let Some((message, fix)) = bin.problem() {
                    report.error(path, message, fix);
                }
            }
            Some(Code::Builtin(builtin)) => builtin.validate(path, report),
        }
    }

    fn check_limits(&self, path: &str, report: &mut Report) {
        let timeout = self.timeout.as_secs();
        if self.timeout.subsec_nanos() != 0 || !(1..=900).contains(&timeout) {
            report.error(
                path,
                format!(
                    "timeout {:?} is not a whole number of seconds from 1 to 900",
                    self.timeout
                ),
                "pass e.g. Duration::from_secs(60) to .timeout()",
            );
        }
        if !(128..=10_240).contains(&self.memory_mb) {
            report.error(
                path,
                format!(
                    "memory of {} MB is outside 128 to 10,240 MB",
                    self.memory_mb
                ),
                "pass a value in range to .memory_mb()",
            );
        }
        if self.reserved_concurrency == Some(0) {
            report.error(
                path,
                "reserved concurrency 0 stops the function from ever running",
                "reserve at least 1, or leave reserved concurrency unset",
            );
        }
    }

    fn check_logging_and_names(&self, path: &str, report: &mut Report) {
        if !RETENTION_DAYS.contains(&self.log_retention_days) {
            report.error(
                path,
                format!(
                    "log retention of {} days is not one CloudWatch Logs accepts",
                    self.log_retention_days
                ),
                format!("use one of {RETENTION_DAYS:?}"),
            );
        }
        if let Some(name) = &self.function_name {
            if let Err(message) = names::FUNCTION.check(name) {
                report.error(
                    path,
                    message,
                    "fix the name given to .function_name(), or leave it out",
                );
            }
        }
        if let Some(d) = &self.description {
            if d.chars().count() > 256 {
                report.error(
                    path,
                    "the description is longer than Lambda's 256 characters",
                    "shorten the text given to .description()",
                );
            }
        }
    }
}

/// A valid variable name that Lambda does not reserve.
fn check_env_name(path: &str, name: &str, setter: &str, report: &mut Report) {
    if let Err(message) = names::ENV_VAR.check(name) {
        report.error(
            path,
            message,
            format!("rename the variable passed to {setter}"),
        );
    }
    if RESERVED_ENV.contains(&name) {
        report.error(
            path,
            format!("environment variable {name} is reserved by Lambda"),
            "choose another name",
        );
    }
}

/// A literal variable must not take a name cloud-cron wires itself.
fn check_reserved_prefix(path: &str, name: &str, report: &mut Report) {
    if let Some((_, what)) = RESERVED_PREFIXES.iter().find(|(p, _)| name.starts_with(p)) {
        report.error(
            path,
            format!("environment variable {name} uses the prefix reserved for {what}"),
            "use the builder's own methods (e.g. .publishes_to(KEY, &topic)) for what cloud-cron wires, or another name",
        );
    }
}

/// A secret-looking name must hold a reference (a parameter name or ARN).
fn check_not_secret(path: &str, name: &str, value: &str, report: &mut Report) {
    if let Some(kind) = secrets::find_secret(name, value) {
        report.error(
            path,
            format!("environment variable {name} holds a value that looks like {kind}; secrets must never be in a template or an environment variable"),
            "store the secret in SSM Parameter Store (SecureString) or Secrets Manager and pass its name or ARN instead (e.g. /myapp/api-token)",
        );
    } else if secrets::is_secret_name(name) && !secrets::is_reference(value) {
        report.error(
            path,
            format!("environment variable {name} looks like a secret with a literal value; secrets must never be in a template or an environment variable"),
            "store the secret in SSM Parameter Store (SecureString) or Secrets Manager and pass its name or ARN instead (e.g. /myapp/api-token)",
        );
    }
}

/// Lambda's 4 KB for all variables together.
fn check_env_size(path: &str, env_bytes: usize, report: &mut Report) {
    if env_bytes > limits::MAX_ENVIRONMENT_BYTES {
        report.error(
            path,
            format!(
                "environment variables take up to {env_bytes} bytes; Lambda allows {} in total",
                limits::MAX_ENVIRONMENT_BYTES
            ),
            "move large settings to SSM Parameter Store or S3 and pass their names",
        );
    }
}

/// Variables added with `add_environment`: valid, not reserved by Lambda,
/// not set twice, literal ones not secret-looking.
pub(super) fn check_added_env(
    path: &str,
    added: &BTreeMap<String, Value>,
    settings: &FunctionSettings,
    report: &mut Report,
) {
    for (name, value) in added {
        check_env_name(path, name, ".add_environment()", report);
        if settings.env.contains_key(name) {
            report.error(
                path,
                format!("environment variable {name} is set by both .env() and .add_environment()"),
                "set it once",
            );
        }
        if let Some(literal) = value.as_literal() {
            check_not_secret(path, name, literal, report);
        }
    }
}

/// The topics a function publishes to: keys that make distinct variable
/// names, topics of the function's own stack.
pub(super) fn check_publishes(node: &Node, publishes: &[(String, Topic)], report: &mut Report) {
    let path = node.path();
    let path = path.as_str();
    let mut vars: BTreeMap<String, &str> = BTreeMap::new();
    for (key, topic) in publishes {
        match contract::topic_env_var(key) {
            Err(e) => report.error(
                path,
                e.to_string(),
                "use a key of letters, digits, `-` and `_`, e.g. \"alerts\"",
            ),
            Ok(var) => {
                if let Some(first) = vars.insert(var.clone(), key) {
                    report.error(
                        path,
                        format!("topic keys `{first}` and `{key}` both map to {var}"),
                        "give each publishes_to a distinct key",
                    );
                }
            }
        }
        if !node.same_stack(topic.node()) {
            report.error(
                path,
                format!(
                    "publishes to topic {} from another stack; a template can only reference resources of its own stack",
                    topic.node().path()
                ),
                format!(
                    "export it with .export_arn(\"NAME\") on the topic and import it in {} with Topic::from_arn(&stack, \"ID\", Value::import(\"NAME\"))",
                    node.stack_name()
                ),
            );
        }
    }
}

/// The longest an SNS topic ARN can be once deployed.
pub(super) fn estimated_arn_len(topic: &Topic) -> usize {
    // arn:aws-us-gov:sns:ap-southeast-2:123456789012: is the longest prefix.
    const PREFIX: usize = 48;
    match topic.arn() {
        Value::String(arn) => arn.len(),
        // A generated name is `<stack>-<logical id>-<13 random>`, capped at 256.
        Value::Ref(id) => PREFIX + (topic.node().stack_name().len() + id.len() + 15 + 5).min(256),
        _ => PREFIX + 256,
    }
}
