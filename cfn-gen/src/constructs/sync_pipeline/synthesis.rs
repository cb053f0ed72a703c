//! A sync pipeline's own resources: the status HTTP API (API, JWT authorizer, integration,
//! route, stage with access logs, invoke permission, the status function's alarms) and
//! its output. The parts registered in the stack (dispatcher, worker, tables, the FIFO
//! work queue with its dead-letter queue, event source mapping and alarms, status
//! function) emit themselves.

use std::collections::BTreeMap;

use super::{Inner, Props};
use crate::constructs::alarms::{self, FunctionRole};
use crate::resources::logs;
use crate::synth::SynthContext;
use crate::template::{DeletionPolicy, Output, Resource, Template};
use crate::value::Value;

/// A map value from literal keys.
fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect::<BTreeMap<_, _>>(),
    )
}

impl Inner {
    /// The queue's visibility timeout: 6 times the worker's timeout (AWS's advice for an
    /// SQS event source).
    pub(super) fn visibility_secs(&self) -> u64 {
        self.worker.settings().timeout.as_secs().saturating_mul(6)
    }

    pub(super) fn emit(&self, _ctx: &SynthContext, template: &mut Template) {
        let p = self.props.borrow();
        let target = alarms::resolve(&self.node, p.alarm_topic.as_ref());
        self.status_api(&p, template, target.as_ref());
    }

    /// `GET /status` on an HTTP API with a JWT authorizer, proxied to the status function.
    fn status_api(
        &self,
        p: &Props,
        template: &mut Template,
        target: Option<&crate::construct::AlarmTarget>,
    ) {
        let (Some(auth), Some(function)) = (&p.status, self.status.borrow().clone()) else {
            return;
        };
        let path = self.node.path();
        let n = &self.node;
        let api_id = n.child_logical_id("StatusApi");
        let authorizer_id = n.child_logical_id("StatusAuthorizer");
        let integration_id = n.child_logical_id("StatusIntegration");
        let log_group_id = n.child_logical_id("StatusAccessLogs");
        let api = Value::reference(&api_id);

        template.add_resource(
            &api_id,
            Resource::raw(
                "AWS::ApiGatewayV2::Api",
                map([
                    (
                        "Description",
                        Value::String(format!("{path}: sync status of the caller's tenant")),
                    ),
                    (
                        "Name",
                        Value::sub(format!("${{AWS::StackName}}-{}", n.id())),
                    ),
                    ("ProtocolType", "HTTP".into()),
                ]),
            ),
        );
        template.add_resource(
            &authorizer_id,
            Resource::raw(
                "AWS::ApiGatewayV2::Authorizer",
                map([
                    ("ApiId", api.clone()),
                    ("AuthorizerType", "JWT".into()),
                    (
                        "IdentitySource",
                        Value::strings(["$request.header.Authorization"]),
                    ),
                    (
                        "JwtConfiguration",
                        map([
                            ("Audience", Value::strings(auth.audience.clone())),
                            ("Issuer", auth.issuer.as_str().into()),
                        ]),
                    ),
                    ("Name", "tenant-jwt".into()),
                ]),
            ),
        );
        template.add_resource(
            &integration_id,
            Resource::raw(
                "AWS::ApiGatewayV2::Integration",
                map([
                    ("ApiId", api.clone()),
                    ("IntegrationType", "AWS_PROXY".into()),
                    ("IntegrationUri", function.arn()),
                    ("PayloadFormatVersion", "2.0".into()),
                ]),
            ),
        );
        template.add_resource(
            n.child_logical_id("StatusRoute"),
            Resource::raw(
                "AWS::ApiGatewayV2::Route",
                map([
                    ("ApiId", api.clone()),
                    ("AuthorizationType", "JWT".into()),
                    ("AuthorizerId", Value::reference(&authorizer_id)),
                    ("RouteKey", "GET /status".into()),
                    (
                        "Target",
                        Value::join(
                            "/",
                            [
                                Value::from("integrations"),
                                Value::reference(&integration_id),
                            ],
                        ),
                    ),
                ]),
            ),
        );
        template.add_resource(
            &log_group_id,
            Resource::new(logs::LogGroup {
                retention_in_days: Some(30),
                ..Default::default()
            })
            .deletion_policy(DeletionPolicy::Retain)
            .update_replace_policy(DeletionPolicy::Retain)
            .skip_check(
                "CKV_AWS_158",
                "CloudWatch Logs encrypts log data at rest with its own keys; access logs hold no secrets (tokens are not logged)",
            ),
        );
        template.add_resource(
            n.child_logical_id("StatusStage"),
            Resource::raw(
                "AWS::ApiGatewayV2::Stage",
                map([
                    (
                        "AccessLogSettings",
                        map([
                            ("DestinationArn", Value::get_att(&log_group_id, "Arn")),
                            (
                                "Format",
                                r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","routeKey":"$context.routeKey","status":"$context.status","error":"$context.authorizer.error"}"#.into(),
                            ),
                        ]),
                    ),
                    ("ApiId", api.clone()),
                    ("AutoDeploy", true.into()),
                    (
                        "DefaultRouteSettings",
                        map([
                            ("ThrottlingBurstLimit", 20u32.into()),
                            ("ThrottlingRateLimit", 10u32.into()),
                        ]),
                    ),
                    ("StageName", "$default".into()),
                ]),
            ),
        );
        template.add_resource(
            n.child_logical_id("StatusPermission"),
            Resource::raw(
                "AWS::Lambda::Permission",
                map([
                    ("Action", "lambda:InvokeFunction".into()),
                    ("FunctionName", function.arn()),
                    ("Principal", "apigateway.amazonaws.com".into()),
                    (
                        "SourceArn",
                        Value::sub(format!(
                            "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{api_id}}}/*/GET/status"
                        )),
                    ),
                ]),
            ),
        );
        alarms::emit_prefixed_function_alarms(
            n,
            "Status",
            &alarms::WatchedFunction {
                id: function.logical_id(),
                timeout: function.settings().timeout,
                duration_percent: None,
            },
            FunctionRole::SyncStatus,
            target,
            template,
        );
        template.add_output(
            format!("{api_id}Url"),
            Output::new(
                Value::sub(format!(
                    "https://${{{api_id}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/status"
                )),
                format!("Status endpoint of {path} (GET, Authorization: Bearer JWT)"),
            ),
        );
    }
}
