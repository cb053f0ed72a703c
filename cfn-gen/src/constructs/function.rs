//! What every Lambda function a construct emits has in common: its code
//! (image or Rust binary), settings (timeout, memory, architecture,
//! environment, logging), their synth-time checks, and the three resources
//! behind it: the function, its execution role and its log group.
//!
//! Constructs (`ScheduledLambda`, `NotificationChannel`, `ImageRepublish`)
//! own a [`FunctionSettings`], add their own permissions, variables and
//! invocation settings through [`FunctionParts`], and call
//! [`synthesize_function`].

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;

use crate::construct::Node;
use crate::constructs::code::{Code, ImageSource};
use crate::resources::{iam, logs, serverless};
use crate::synth::SynthContext;
use crate::template::{DeletionPolicy, Resource, Template};
use crate::validate::{limits, names, regions, secrets, Report};
use crate::value::Value;

/// The instruction set a function runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Architecture {
    /// `x86_64` (the default; most published images are built for it).
    #[default]
    X86_64,
    /// `arm64` (Graviton: cheaper per GB-second).
    Arm64,
}

impl Architecture {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

/// Days CloudWatch Logs accepts as a retention period.
const RETENTION_DAYS: &[u32] = &[
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

/// The builder methods every function construct shares. Expands inside an
/// `impl` whose type has `fn update(self, impl FnOnce(&mut Props)) -> Self`
/// and whose `Props` holds a `function: FunctionSettings`.
macro_rules! function_setters {
    () => {
        /// Set an environment variable. Never a secret: keep secrets in SSM
        /// Parameter Store (SecureString) or Secrets Manager and pass their names.
        pub fn env(self, name: impl Into<String>, value: impl Into<String>) -> Self {
            let (name, value) = (name.into(), value.into());
            self.update(|p| {
                p.function.env.insert(name, value);
            })
        }

        /// The function timeout, 1 to 900 whole seconds.
        pub fn timeout(self, timeout: std::time::Duration) -> Self {
            self.update(|p| p.function.timeout = timeout)
        }

        /// Memory in MB, 128 to 10,240.
        pub fn memory_mb(self, mb: u32) -> Self {
            self.update(|p| p.function.memory_mb = mb)
        }

        /// The instruction set; it must match the image's.
        pub fn architecture(self, architecture: $crate::Architecture) -> Self {
            self.update(|p| p.function.architecture = architecture)
        }

        /// Reserve concurrency for the function (and cap it there).
        pub fn reserved_concurrency(self, n: u32) -> Self {
            self.update(|p| p.function.reserved_concurrency = Some(n))
        }

        /// Keep logs this many days (a value CloudWatch Logs accepts, e.g. 30).
        pub fn log_retention_days(self, days: u32) -> Self {
            self.update(|p| p.function.log_retention_days = days)
        }

        /// A fixed function name (otherwise CloudFormation generates one).
        pub fn function_name(self, name: impl Into<String>) -> Self {
            let name = name.into();
            self.update(|p| p.function.function_name = Some(name))
        }
    };
}
pub(crate) use function_setters;

/// The settings every function construct exposes through its builder.
#[derive(Debug, Clone)]
pub(crate) struct FunctionSettings {
    pub code: Option<Code>,
    pub env: BTreeMap<String, String>,
    pub timeout: Duration,
    pub memory_mb: u32,
    pub architecture: Architecture,
    pub reserved_concurrency: Option<u32>,
    pub log_retention_days: u32,
    pub function_name: Option<String>,
    pub description: Option<String>,
}

impl FunctionSettings {
    /// Defaults: no code, `x86_64`, logs kept 30 days.
    pub fn new(timeout: Duration, memory_mb: u32) -> FunctionSettings {
        FunctionSettings {
            code: None,
            env: BTreeMap::new(),
            timeout,
            memory_mb,
            architecture: Architecture::X86_64,
            reserved_concurrency: None,
            log_retention_days: 30,
            function_name: None,
            description: None,
        }
    }

    /// Bytes the user's own variables take.
    pub fn user_env_bytes(&self) -> usize {
        self.env.iter().map(|(k, v)| k.len() + v.len()).sum()
    }

    /// Checks the settings; `contract_env_bytes` is what the construct's
    /// own variables take at most, `code_fix` how to give the function code.
    pub fn validate(
        &self,
        node: &Node,
        contract_env_bytes: usize,
        code_fix: &str,
        report: &mut Report,
    ) {
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
        }

        for (name, value) in &self.env {
            if let Err(message) = names::ENV_VAR.check(name) {
                report.error(path, message, "rename the variable passed to .env()");
            }
            if RESERVED_ENV.contains(&name.as_str()) {
                report.error(
                    path,
                    format!("environment variable {name} is reserved by Lambda"),
                    "choose another name",
                );
            }
            if let Some((_, what)) = RESERVED_PREFIXES.iter().find(|(p, _)| name.starts_with(p)) {
                report.error(
                    path,
                    format!("environment variable {name} uses the prefix reserved for {what}"),
                    "use the builder's own methods (e.g. .publishes_to(KEY, &topic)) for what cloud-cron wires, or another name",
                );
            }
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
        let env_bytes = self.user_env_bytes() + contract_env_bytes;
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

/// Logical ids of the function's resources.
pub(crate) struct FunctionIds {
    pub function: String,
    pub role: String,
    pub log_group: String,
}

/// What a construct adds to the common function.
pub(crate) struct FunctionParts {
    /// Permissions beyond writing its own logs.
    pub statements: Vec<iam::Statement>,
    /// Variables beyond the user's own.
    pub env: BTreeMap<String, Value>,
    /// Asynchronous invocation settings.
    pub event_invoke_config: Option<serverless::EventInvokeConfig>,
    /// Why checkov's CKV_AWS_116 (a function dead-letter queue) does not apply.
    pub dead_letter_reason: &'static str,
}

/// Emits the log group, the execution role and the function.
pub(crate) fn synthesize_function(
    ctx: &SynthContext,
    template: &mut Template,
    path: &str,
    ids: &FunctionIds,
    settings: &FunctionSettings,
    parts: FunctionParts,
) {
    template.add_resource(
        &ids.log_group,
        Resource::new(logs::LogGroup {
            retention_in_days: Some(settings.log_retention_days),
            ..Default::default()
        })
        .deletion_policy(DeletionPolicy::Retain)
        .update_replace_policy(DeletionPolicy::Retain)
        .skip_check(
            "CKV_AWS_158",
            "CloudWatch Logs encrypts log data at rest with its own keys; a customer managed key would need a key policy for the logs service and adds cost without protecting more here",
        ),
    );

    let mut statements = vec![iam::Statement::allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        vec![Value::get_att(&ids.log_group, "Arn")],
    )];
    statements.extend(parts.statements);
    template.add_resource(
        &ids.role,
        Resource::new(iam::Role {
            assume_role_policy_document: iam::PolicyDocument::new(vec![
                iam::Statement::assume_by_service("lambda.amazonaws.com"),
            ]),
            description: Some(format!("Execution role of {path}")),
            policies: vec![iam::Policy {
                policy_name: "run".into(),
                policy_document: iam::PolicyDocument::new(statements),
            }],
            role_name: None,
        }),
    );

    let mut variables: BTreeMap<String, Value> = settings
        .env
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    variables.extend(parts.env);

    let mut function = serverless::Function {
        function_name: settings.function_name.clone().map(Value::String),
        description: settings.description.clone(),
        package_type: None,
        image_uri: None,
        architectures: vec![settings.architecture.as_str()],
        memory_size: settings.memory_mb,
        timeout: u32::try_from(settings.timeout.as_secs()).unwrap_or(u32::MAX),
        role: Value::get_att(&ids.role, "Arn"),
        reserved_concurrent_executions: settings.reserved_concurrency,
        environment: (!variables.is_empty()).then_some(serverless::Environment { variables }),
        logging_config: Some(serverless::LoggingConfig {
            log_format: "JSON",
            log_group: Value::reference(&ids.log_group),
            application_log_level: None,
            system_log_level: None,
        }),
        code_uri: None,
        handler: None,
        runtime: None,
        event_invoke_config: parts.event_invoke_config,
    };
    let mut metadata = Vec::new();
    match &settings.code {
        Some(Code::Image(ImageSource::Uri(uri))) => {
            function.package_type = Some("Image");
            function.image_uri = Some(Value::String(uri.clone()));
        }
        Some(Code::Image(ImageSource::Republished(image))) => {
            function.package_type = Some("Image");
            function.image_uri = Some(image.image_uri.clone());
        }
        Some(Code::Image(ImageSource::Build(build))) => {
            // No ImageUri: `sam build` builds the image, `sam deploy` pushes it.
            function.package_type = Some("Image");
            metadata = build.metadata(ctx);
        }
        Some(Code::Rust(bin)) => {
            function.code_uri = Some(ctx.template_relative(bin.package_dir()));
            function.handler = Some("bootstrap".into());
            function.runtime = Some("provided.al2023".into());
            metadata = vec![
                ("BuildMethod", json!("rust-cargolambda")),
                ("BuildProperties", json!({ "Binary": bin.binary() })),
            ];
        }
        None => {}
    }

    let mut resource = Resource::new(function)
        .skip_check("CKV_AWS_116", parts.dead_letter_reason)
        .skip_check(
            "CKV_AWS_117",
            "the functions call only public APIs (SNS, SQS, SES, Twilio, Slack, Teams, webhooks); a VPC would need NAT or endpoints and adds no isolation here",
        )
        .skip_check(
            "CKV_AWS_173",
            "environment variables hold only resource names, ARNs and non-secret settings (synth rejects secret-looking values; secrets are SSM or Secrets Manager references read at run time); Lambda encrypts them at rest",
        );
    for (key, value) in metadata {
        resource = resource.metadata(key, value);
    }
    if settings.reserved_concurrency.is_none() {
        resource = resource.skip_check(
            "CKV_AWS_115",
            "no reserved concurrency by default: a reservation carves capacity out of the account pool and fails to deploy in accounts with low limits; opt in with .reserved_concurrency(n)",
        );
    }
    template.add_resource(&ids.function, resource);
}

/// Checks an image URI: a private ECR image, well formed, ideally pinned.
pub(crate) fn check_image_uri(path: &str, uri: &str, region: Option<&str>, report: &mut Report) {
    let fix = "use a private ECR image in the stack's region: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG or REPO@sha256:DIGEST (copy another registry's image into your ECR with ImageRepublish)";
    let Some((_, rest)) = uri.split_once('/') else {
        report.error(path, format!("image `{uri}` has no repository"), fix);
        return;
    };
    let host = uri.split('/').next().unwrap_or("");
    let region_problem = parse_ecr_uri(uri).and_then(|(_, r, _)| regions::check_region(r).err());
    if let Some(why) = region_problem.or_else(|| {
        host.contains(".dkr.ecr.")
            .then(|| regions::ecr_host_problem(host))
            .flatten()
    }) {
        report.error(path, format!("image `{uri}` is malformed: {why}"), fix);
        return;
    }
    let Some((_, image_region, _)) = parse_ecr_uri(uri) else {
        report.error(
            path,
            format!("image `{uri}` is not in a private ECR registry; Lambda runs only private ECR images"),
            fix,
        );
        return;
    };
    if let Some(region) = region.filter(|r| *r != image_region) {
        report.error(
            path,
            format!(
                "image `{uri}` is in region {image_region}, but the stack deploys to {region}; Lambda runs only images from its own region"
            ),
            format!("copy it into the stack with ImageRepublish::new(&stack, \"Image\").source(REPO, TAG_OR_DIGEST) and pass &image to .image(), or push it to ECR in {region}"),
        );
    }
    let (repo, reference) = match rest.split_once('@') {
        Some((repo, digest)) => {
            if !is_digest(digest) {
                report.error(
                    path,
                    format!("image `{uri}` has a malformed digest"),
                    "a digest is `sha256:` and 64 lower-case hex digits",
                );
            }
            (repo, None)
        }
        None => match rest.rsplit_once(':') {
            Some((repo, tag)) => (repo, Some(tag)),
            None => (rest, None),
        },
    };
    if !is_repository_name(repo) {
        report.error(
            path,
            format!("image `{uri}` has an invalid repository name `{repo}`"),
            "ECR repository names are lower-case letters, digits, `.`, `_`, `-` and `/`",
        );
    }
    match reference {
        Some(tag) if tag.is_empty() || tag.len() > 128 => {
            report.error(path, format!("image `{uri}` has an invalid tag"), "tags are 1 to 128 characters");
        }
        Some(tag) => report.warning(
            path,
            format!("image `{uri}` is referenced by tag `{tag}`; Lambda resolves a tag once, at deploy, so pushing a new image under the same tag changes nothing until the next deploy"),
            "pin the image by digest (REPO@sha256:DIGEST), or republish it with ImageRepublish, so every update is an explicit template change",
        ),
        None if !rest.contains('@') => report.error(
            path,
            format!("image `{uri}` has neither a tag nor a digest"),
            "add `:TAG` or `@sha256:DIGEST`",
        ),
        None => {}
    }
}

/// The parts of a private ECR URI (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/REST`):
/// account, region, and what follows the host.
pub(crate) fn parse_ecr_uri(uri: &str) -> Option<(&str, &str, &str)> {
    let (host, rest) = uri.split_once('/')?;
    let parts: Vec<&str> = host.split('.').collect();
    let ok = parts.len() >= 6
        && parts[0].len() == 12
        && parts[0].chars().all(|c| c.is_ascii_digit())
        && parts[1] == "dkr"
        && parts[2] == "ecr"
        && parts[4] == "amazonaws"
        && matches!(&parts[5..], ["com"] | ["com", "cn"]);
    ok.then(|| (parts[0], parts[3], rest))
}

/// `sha256:` and 64 lower-case hex digits.
pub(crate) fn is_digest(text: &str) -> bool {
    let hex = text.strip_prefix("sha256:").unwrap_or("");
    hex.len() == 64
        && hex
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

/// An ECR repository name: lower-case letters, digits, `.`, `_`, `-`, `/`.
pub(crate) fn is_repository_name(repo: &str) -> bool {
    (2..=256).contains(&repo.len())
        && repo
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c))
}
