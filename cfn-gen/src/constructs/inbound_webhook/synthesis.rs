//! An inbound webhook's resources, in template order: the HTTP API, its
//! access log group and `$default` stage (access logs, throttling), the
//! 5xx alarm, then per route the receiver function, its Lambda
//! integration, the route and the permission letting exactly that route
//! invoke it; and the endpoint output.

use std::collections::BTreeMap;

use cloud_cron_contract::webhook::{QUEUE_URL_ENV, SECRETS_ENV, SETTINGS_ENV};

use super::{Inner, Route};
use crate::constructs::alarms;
use crate::constructs::function::FunctionParts;
use crate::constructs::grant::RolePolicy;
use crate::constructs::secret::SecretGrants;
use crate::resources::{apigatewayv2 as apigw, cloudwatch, lambda, logs};
use crate::synth::SynthContext;
use crate::template::{DeletionPolicy, Output, Resource, Template};
use crate::value::{Pseudo, Value};

/// One JSON line per request: who, what, the answer, the receiver's status.
const ACCESS_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","routeKey":"$context.routeKey","status":"$context.status","responseLength":"$context.responseLength","integrationStatus":"$context.integrationStatus","integrationError":"$context.integrationErrorMessage"}"#;

impl Inner {
    pub(super) fn emit(&self, ctx: &SynthContext, template: &mut Template) {
        let p = self.props.borrow();
        let n = &self.node;
        let path = n.path();
        let api_id = n.logical_id();
        let log_group_id = n.child_logical_id("AccessLogs");

        template.add_resource(
            &api_id,
            Resource::new(apigw::Api {
                disable_execute_api_endpoint: false,
                name: Value::sub(format!("${{AWS::StackName}}-{}", n.id())),
                protocol_type: "HTTP",
                description: Some(format!("Inbound webhooks of {path}")),
            }),
        );
        template.add_resource(
            &log_group_id,
            Resource::new(logs::LogGroup {
                retention_in_days: Some(p.access_log_retention_days),
                ..Default::default()
            })
            .deletion_policy(DeletionPolicy::Retain)
            .update_replace_policy(DeletionPolicy::Retain)
            .skip_check(
                "CKV_AWS_158",
                "CloudWatch Logs encrypts log data at rest with its own keys; access logs hold no bodies, headers or secrets",
            ),
        );
        template.add_resource(
            n.child_logical_id("Stage"),
            Resource::new(apigw::Stage {
                api_id: Value::reference(&api_id),
                stage_name: "$default",
                auto_deploy: true,
                access_log_settings: apigw::AccessLogSettings {
                    destination_arn: Value::get_att(&log_group_id, "Arn"),
                    format: ACCESS_LOG_FORMAT.to_owned(),
                },
                default_route_settings: apigw::RouteSettings {
                    throttling_burst_limit: p.burst_limit,
                    throttling_rate_limit: f64::from(p.rate_limit),
                    detailed_metrics_enabled: Some(true),
                },
            }),
        );
        self.emit_alarm(template, &api_id);

        // A path routed twice is a synth error; emit its first route only.
        let mut emitted = std::collections::BTreeSet::new();
        for route in p.routes.iter().filter(|r| emitted.insert(r.path.as_str())) {
            Self::emit_route(ctx, template, n, &api_id, route);
        }

        template.add_output(
            format!("{api_id}Endpoint"),
            Output::new(
                endpoint(&api_id),
                format!("Base URL of {path}: give providers this URL and a route's path"),
            ),
        );
    }

    fn emit_alarm(&self, template: &mut Template, api_id: &str) {
        let p = self.props.borrow();
        let path = self.node.path();
        let target = alarms::resolve(&self.node, p.alarm_topic.as_ref());
        let mut alarm = cloudwatch::Alarm {
            alarm_description: Some(format!("{path}: webhook requests were answered 5xx (>= 1 in 5 minutes): a receiver could not read its secrets or send to its work queue, or failed; providers retry, but may give up. Read the receivers' CloudWatch Logs and the API's access logs.")),
            namespace: "AWS/ApiGateway".into(),
            metric_name: "5xx".into(),
            // Per API (every stage: the API has only `$default`).
            dimensions: vec![cloudwatch::Dimension {
                name: "ApiId".into(),
                value: Value::reference(api_id),
            }],
            statistic: "Sum".into(),
            period: 300,
            evaluation_periods: 1,
            threshold: 1.0,
            comparison_operator: "GreaterThanOrEqualToThreshold".into(),
            treat_missing_data: Some("notBreaching".into()),
            ..Default::default()
        };
        alarms::route(&mut alarm, target.as_ref());
        template.add_resource(
            self.node.child_logical_id("ServerErrorsAlarm"),
            Resource::new(alarm),
        );
    }

    fn emit_route(
        ctx: &SynthContext,
        template: &mut Template,
        n: &crate::construct::Node,
        api_id: &str,
        route: &Route,
    ) {
        let prefix = format!("Route{}/", route.path);
        let grants = RolePolicy::new();
        for secret in &route.verification.secrets {
            secret.grant_read(&grants);
        }
        let mut env = BTreeMap::new();
        env.insert(SETTINGS_ENV.to_owned(), Value::String(settings_json(route)));
        env.insert(QUEUE_URL_ENV.to_owned(), route.queue.url());
        env.insert(
            SECRETS_ENV.to_owned(),
            Value::String(
                route
                    .verification
                    .secrets
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        );
        route.function.synthesize(
            ctx,
            template,
            FunctionParts {
                grants,
                env,
                event_invoke_config: None,
            },
        );

        let integration_id = n.child_logical_id(&format!("{prefix}Integration"));
        template.add_resource(
            &integration_id,
            Resource::new(apigw::Integration {
                api_id: Value::reference(api_id),
                integration_type: "AWS_PROXY",
                integration_uri: route.function.arn(),
                payload_format_version: "2.0",
                timeout_in_millis: 29_000,
            }),
        );
        template.add_resource(
            n.child_logical_id(&format!("{prefix}Route")),
            Resource::new(apigw::Route {
                authorizer_id: None,
                api_id: Value::reference(api_id),
                route_key: format!("POST {}", route.path),
                authorization_type: "NONE",
                target: Value::join(
                    "/",
                    [
                        Value::from("integrations"),
                        Value::reference(&integration_id),
                    ],
                ),
            }),
        );
        template.add_resource(
            n.child_logical_id(&format!("{prefix}Permission")),
            Resource::new(lambda::Permission {
                source_account: Pseudo::AccountId.into(),
                action: "lambda:InvokeFunction",
                function_name: route.function.name(),
                principal: "apigateway.amazonaws.com",
                source_arn: Value::sub(format!(
                    "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{api_id}}}/*/POST{}",
                    route.path
                )),
            }),
        );
    }
}

/// The receiver's settings as JSON (never a secret: only references).
pub(super) fn settings_json(route: &Route) -> String {
    serde_json::to_string(&route.verification.settings).unwrap_or_default()
}

/// The API's base URL: what `Fn::GetAtt <api>.ApiEndpoint` returns, written
/// with `Fn::Sub` so tools that do not model the API can still resolve it.
pub(super) fn endpoint(api_id: &str) -> Value {
    Value::sub(format!(
        "https://${{{api_id}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}"
    ))
}
