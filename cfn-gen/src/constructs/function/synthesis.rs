//! A function's three resources: its log group, its execution role (writing
//! its own logs, plus every grant) and the `AWS::Serverless::Function`.

use std::collections::BTreeMap;

use serde_json::json;

use super::settings::FunctionSettings;
use super::FunctionIds;
use crate::constructs::code::{Code, ImageSource};
use crate::constructs::grant::{Grantee, RolePolicy};
use crate::resources::{iam, logs, serverless};
use crate::synth::SynthContext;
use crate::template::{DeletionPolicy, Resource, Template};
use crate::value::Value;

/// What the construct holding a function adds to it when it emits it.
#[derive(Default)]
pub(crate) struct FunctionParts {
    /// Permissions beyond writing its own logs.
    pub grants: RolePolicy,
    /// Variables beyond those set on the function.
    pub env: BTreeMap<String, Value>,
    /// Asynchronous invocation settings.
    pub event_invoke_config: Option<serverless::EventInvokeConfig>,
}

/// Everything the function resources are made of.
pub(super) struct Emit<'a> {
    pub path: &'a str,
    pub ids: &'a FunctionIds,
    pub settings: &'a FunctionSettings,
    /// The role's statements after writing logs, in order.
    pub statements: Vec<iam::Statement>,
    pub env: BTreeMap<String, Value>,
    pub event_invoke_config: Option<serverless::EventInvokeConfig>,
    /// Why checkov's CKV_AWS_116 (a function dead-letter queue) does not
    /// apply, if it does not.
    pub dead_letter_reason: Option<&'static str>,
    /// Subnets and security groups, for a function in a VPC.
    pub vpc_config: Option<serverless::VpcConfig>,
}

/// Emits the log group, the execution role and the function.
pub(super) fn emit(ctx: &SynthContext, template: &mut Template, e: Emit<'_>) {
    let Emit {
        path,
        ids,
        settings,
        ..
    } = e;
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

    let policy = RolePolicy::new();
    policy.add_to_role_policy(iam::Statement::allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        vec![Value::get_att(&ids.log_group, "Arn")],
    ));
    for statement in e.statements {
        policy.add_to_role_policy(statement);
    }
    template.add_resource(
        &ids.role,
        Resource::new(iam::Role {
            assume_role_policy_document: iam::PolicyDocument::new(vec![
                iam::Statement::assume_by_service("lambda.amazonaws.com"),
            ]),
            description: Some(format!("Execution role of {path}")),
            policies: vec![iam::Policy {
                policy_name: "run".into(),
                policy_document: iam::PolicyDocument::new(policy.statements()),
            }],
            role_name: None,
        }),
    );

    let mut variables: BTreeMap<String, Value> = settings
        .env
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    variables.extend(e.env);

    let mut function = serverless::Function {
        function_name: settings.function_name.clone().map(Value::String),
        description: settings.description.clone(),
        package_type: None,
        image_uri: None,
        architectures: vec![settings.architecture.lambda_name()],
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
        event_invoke_config: e.event_invoke_config,
        vpc_config: e.vpc_config,
    };
    let in_vpc = function.vpc_config.is_some();
    let metadata = code(ctx, settings, &mut function);

    let mut resource = Resource::new(function);
    if let Some(reason) = e.dead_letter_reason {
        resource = resource.skip_check("CKV_AWS_116", reason);
    }
    if !in_vpc {
        resource = resource.skip_check(
            "CKV_AWS_117",
            "the functions call only public APIs (SNS, SQS, SES, Twilio, Slack, Teams, webhooks); a VPC would need NAT or endpoints and adds no isolation here",
        );
    }
    resource = resource
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

/// Sets the function's code properties; returns SAM's build metadata.
fn code(
    ctx: &SynthContext,
    settings: &FunctionSettings,
    function: &mut serverless::Function,
) -> Vec<(&'static str, serde_json::Value)> {
    let code = settings.code.as_ref().and_then(Code::resolved);
    match &code {
        Some(Code::Image(ImageSource::Uri(uri))) => {
            function.package_type = Some("Image");
            function.image_uri = Some(Value::String(uri.clone()));
            Vec::new()
        }
        Some(Code::Image(ImageSource::Republished(image))) => {
            function.package_type = Some("Image");
            function.image_uri = Some(image.image_uri.clone());
            Vec::new()
        }
        Some(Code::Image(ImageSource::Build(build))) => {
            // No ImageUri: `sam build` builds the image, `sam deploy` pushes it.
            function.package_type = Some("Image");
            build.metadata(ctx)
        }
        Some(Code::Rust(bin)) => {
            function.code_uri = Some(ctx.template_relative(bin.package_dir()));
            function.handler = Some("bootstrap".into());
            function.runtime = Some("provided.al2023".into());
            vec![
                ("BuildMethod", json!("rust-cargolambda")),
                ("BuildProperties", json!({ "Binary": bin.binary() })),
            ]
        }
        Some(Code::Builtin(_)) | None => Vec::new(),
    }
}
