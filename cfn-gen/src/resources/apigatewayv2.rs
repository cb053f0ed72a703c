//! `AWS::ApiGatewayV2::Api`, `::Stage`, `::Integration` and `::Route`: an
//! HTTP API in front of Lambda functions.

use serde::Serialize;

use crate::value::Value;

/// Properties of `AWS::ApiGatewayV2::Api`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Api {
    /// The API's name.
    pub name: Value,
    /// `HTTP`.
    pub protocol_type: &'static str,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
super::resource_type!(Api, "AWS::ApiGatewayV2::Api");

/// Where a stage writes its access logs, and in what format.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessLogSettings {
    /// The log group's ARN.
    pub destination_arn: Value,
    /// One line per request, with `$context` variables.
    pub format: String,
}

/// A stage's default route settings: throttling and metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteSettings {
    /// Requests allowed in a burst.
    pub throttling_burst_limit: u32,
    /// Steady-state requests per second.
    pub throttling_rate_limit: f64,
    /// Per-route CloudWatch metrics.
    pub detailed_metrics_enabled: bool,
}

/// Properties of `AWS::ApiGatewayV2::Stage`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Stage {
    /// The API.
    pub api_id: Value,
    /// `$default`: served at the API's root URL.
    pub stage_name: &'static str,
    /// Deploy every change.
    pub auto_deploy: bool,
    /// Access logs.
    pub access_log_settings: AccessLogSettings,
    /// Throttling and metrics of every route.
    pub default_route_settings: RouteSettings,
}
super::resource_type!(Stage, "AWS::ApiGatewayV2::Stage");

/// Properties of `AWS::ApiGatewayV2::Integration`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Integration {
    /// The API.
    pub api_id: Value,
    /// `AWS_PROXY`: a Lambda function gets the whole request.
    pub integration_type: &'static str,
    /// The function's ARN.
    pub integration_uri: Value,
    /// `2.0`: the HTTP API event format.
    pub payload_format_version: &'static str,
    /// How long API Gateway waits for the function (50 to 30,000 ms).
    pub timeout_in_millis: u32,
}
super::resource_type!(Integration, "AWS::ApiGatewayV2::Integration");

/// Properties of `AWS::ApiGatewayV2::Route`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Route {
    /// The API.
    pub api_id: Value,
    /// `POST /path`.
    pub route_key: String,
    /// `NONE`: the function verifies the sender itself.
    pub authorization_type: &'static str,
    /// `integrations/<id>`.
    pub target: Value,
}
super::resource_type!(Route, "AWS::ApiGatewayV2::Route");
