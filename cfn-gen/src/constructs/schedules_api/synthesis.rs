//! The HTTP API's resources, in template order: the handler's alarms, the
//! handler, the access log group, the API, its integration, the JWT
//! authorizer, the routes, the stage, the invoke permission and the
//! endpoint output.

use std::collections::BTreeMap;

use super::{Auth, Inner, ROUTES};
use crate::constructs::alarms::{self, FunctionRole};
use crate::constructs::function::FunctionParts;
use crate::resources::{apigatewayv2 as apigw, lambda, logs};
use crate::synth::SynthContext;
use crate::template::{DeletionPolicy, Output, Resource, Template};
use crate::value::{Pseudo, Value};

/// One JSON line per request; never bodies, headers or query strings
/// (they can carry payloads and tokens).
const ACCESS_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","routeKey":"$context.routeKey","status":"$context.status","responseLength":"$context.responseLength","latencyMs":"$context.responseLatency","integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error"}"#;

impl Inner {
    pub(super) fn emit(&self, ctx: &SynthContext, template: &mut Template) {
        let p = self.props.borrow();
        let path = self.node.path();
        let n = &self.node;
        let api_id = self.api_id();
        let api = Value::reference(&api_id);

        let target = alarms::resolve(n, None);
        alarms::emit_function_alarms(
            n,
            &alarms::WatchedFunction {
                id: self.handler.logical_id(),
                timeout: self.handler.settings().timeout,
                duration_percent: Some(alarms::DEFAULT_DURATION_PERCENT),
            },
            FunctionRole::Api,
            target.as_ref(),
            template,
        );
        let env: BTreeMap<String, Value> = self
            .auth_env()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        self.handler.synthesize(
            ctx,
            template,
            FunctionParts {
                env,
                ..FunctionParts::default()
            },
        );

        let log_id = n.child_logical_id("AccessLogs");
        template.add_resource(
            &log_id,
            Resource::new(logs::LogGroup {
                retention_in_days: Some(p.access_log_days),
                ..Default::default()
            })
            .deletion_policy(DeletionPolicy::Retain)
            .update_replace_policy(DeletionPolicy::Retain)
            .skip_check(
                "CKV_AWS_158",
                "CloudWatch Logs encrypts log data at rest with its own keys; access log lines hold no bodies, headers or tokens",
            ),
        );

        template.add_resource(
            &api_id,
            Resource::new(apigw::Api {
                name: Value::sub(format!("${{AWS::StackName}}-{}", n.id())),
                protocol_type: "HTTP",
                description: Some(format!(
                    "One-off schedules of {}",
                    self.schedules.node().path()
                )),
                disable_execute_api_endpoint: false,
            }),
        );

        let integration_id = n.child_logical_id("Integration");
        template.add_resource(
            &integration_id,
            Resource::new(apigw::Integration {
                api_id: api.clone(),
                integration_type: "AWS_PROXY",
                integration_uri: self.handler.arn(),
                payload_format_version: "2.0",
                timeout_in_millis: 30_000,
            }),
        );

        let (authorization_type, authorizer_id) = match &p.auth {
            Auth::Iam { .. } => ("AWS_IAM", None),
            Auth::Jwt {
                issuer, audiences, ..
            } => {
                let authorizer_id = n.child_logical_id("Authorizer");
                template.add_resource(
                    &authorizer_id,
                    Resource::new(apigw::Authorizer {
                        api_id: api.clone(),
                        authorizer_type: "JWT",
                        identity_source: vec!["$request.header.Authorization".to_owned()],
                        jwt_configuration: apigw::JwtConfiguration {
                            issuer: issuer.clone(),
                            audience: audiences.clone(),
                        },
                        name: format!("{}-jwt", n.id()),
                    }),
                );
                ("JWT", Some(Value::reference(authorizer_id)))
            }
        };
        let route_target = Value::sub(format!("integrations/${{{integration_id}}}"));
        for route in ROUTES {
            let child = route_child_id(route);
            template.add_resource(
                n.child_logical_id(&child),
                Resource::new(apigw::Route {
                    api_id: api.clone(),
                    route_key: route.to_owned(),
                    authorization_type,
                    authorizer_id: authorizer_id.clone(),
                    target: route_target.clone(),
                }),
            );
        }

        template.add_resource(
            n.child_logical_id("Stage"),
            Resource::new(apigw::Stage {
                api_id: api.clone(),
                stage_name: "$default",
                auto_deploy: true,
                access_log_settings: apigw::AccessLogSettings {
                    destination_arn: Value::get_att(&log_id, "Arn"),
                    format: ACCESS_LOG_FORMAT.to_owned(),
                },
                default_route_settings: apigw::RouteSettings {
                    detailed_metrics_enabled: None,
                    throttling_burst_limit: p.burst_limit,
                    throttling_rate_limit: p.rate_limit,
                },
            }),
        );

        template.add_resource(
            n.child_logical_id("InvokePermission"),
            Resource::new(lambda::Permission {
                action: "lambda:InvokeFunction",
                function_name: self.handler.arn(),
                principal: "apigateway.amazonaws.com",
                source_arn: Value::sub(format!(
                    "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{api_id}}}/*/*/schedules*"
                )),
                source_account: Pseudo::AccountId.into(),
            }),
        );

        template.add_output(
            format!("{api_id}Url"),
            Output::new(
                Value::sub(format!(
                    "https://${{{api_id}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}"
                )),
                format!("Base URL of the one-off schedules HTTP API of {path} (routes under /schedules)"),
            ),
        );
    }
}

/// `POST /schedules/{key+}` -> `PostSchedulesKeyRoute`.
fn route_child_id(route: &str) -> String {
    let mut id = String::new();
    for word in route.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    id.push_str("Route");
    id
}

#[cfg(test)]
mod tests {
    #[test]
    fn route_ids_are_distinct_words() {
        let ids: Vec<String> = super::ROUTES
            .iter()
            .map(|r| super::route_child_id(r))
            .collect();
        assert_eq!(
            ids,
            [
                "PostSchedulesRoute",
                "GetSchedulesRoute",
                "GetSchedulesKeyRoute",
                "PutSchedulesKeyRoute",
                "DeleteSchedulesKeyRoute"
            ]
        );
    }
}
