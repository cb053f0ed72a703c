//! `AWS::ApiGatewayV2::*`: an HTTP API, its Lambda integration, routes,
//! JWT authorizer and stage.

use serde_derive::Serialize;

use crate::value::Value;

/// Properties of `AWS::ApiGatewayV2::Api`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Api {
    /// The API's name.
    pub name: Value,
    /// `HTTP`.
    pub protocol_type: &'static str,
    /// What the API does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the `execute-api` endpoint is off (for a custom domain only).
    pub disable_execute_api_endpoint: bool,
}
super::resource_type!(Api, "AWS::ApiGatewayV2::Api");

/// Properties of `AWS::ApiGatewayV2::Integration`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Integration {
    /// The API's id.
    pub api_id: Value,
    /// `AWS_PROXY`.
    pub integration_type: &'static str,
    /// The Lambda function's ARN.
    pub integration_uri: Value,
    /// `2.0`.
    pub payload_format_version: &'static str,
    /// Milliseconds, 50 to 30,000.
    pub timeout_in_millis: u32,
}
super::resource_type!(Integration, "AWS::ApiGatewayV2::Integration");

/// `JwtConfiguration` of an authorizer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct JwtConfiguration {
    /// The token's `iss`.
    pub issuer: String,
    /// Accepted `aud` (or Cognito `client_id`) values.
    pub audience: Vec<String>,
}

/// Properties of `AWS::ApiGatewayV2::Authorizer`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Authorizer {
    /// The API's id.
    pub api_id: Value,
    /// `JWT`.
    pub authorizer_type: &'static str,
    /// Where the token is, e.g. `$request.header.Authorization`.
    pub identity_source: Vec<String>,
    /// The issuer and audiences.
    pub jwt_configuration: JwtConfiguration,
    /// The authorizer's name.
    pub name: String,
}
super::resource_type!(Authorizer, "AWS::ApiGatewayV2::Authorizer");

/// Properties of `AWS::ApiGatewayV2::Route`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Route {
    /// The API's id.
    pub api_id: Value,
    /// `METHOD /path`.
    pub route_key: String,
    /// `AWS_IAM` or `JWT`.
    pub authorization_type: &'static str,
    /// The JWT authorizer's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_id: Option<Value>,
    /// `integrations/<id>`.
    pub target: Value,
}
super::resource_type!(Route, "AWS::ApiGatewayV2::Route");

/// `AccessLogSettings` of a stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessLogSettings {
    /// The log group's ARN.
    pub destination_arn: Value,
    /// The line format.
    pub format: String,
}

/// `DefaultRouteSettings` of a stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteSettings {
    /// Requests at once.
    pub throttling_burst_limit: u32,
    /// Requests per second, sustained.
    pub throttling_rate_limit: f64,
    /// Per-route CloudWatch metrics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detailed_metrics_enabled: Option<bool>,
}

/// Properties of `AWS::ApiGatewayV2::Stage`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Stage {
    /// The API's id.
    pub api_id: Value,
    /// `$default`.
    pub stage_name: &'static str,
    /// Deploy every change.
    pub auto_deploy: bool,
    /// Access logs.
    pub access_log_settings: AccessLogSettings,
    /// Throttling of every route.
    pub default_route_settings: RouteSettings,
}
super::resource_type!(Stage, "AWS::ApiGatewayV2::Stage");
