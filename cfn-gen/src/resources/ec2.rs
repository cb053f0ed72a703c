//! `AWS::EC2::SecurityGroup` and `AWS::EC2::VPCEndpoint`.

use serde_derive::Serialize;

use crate::value::Value;

/// One ingress or egress rule of a security group.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroupRule {
    /// What the rule is for.
    pub description: String,
    /// `tcp`, `udp`, `icmp` or `-1`.
    pub ip_protocol: &'static str,
    /// First port (or ICMP type).
    pub from_port: i32,
    /// Last port (or ICMP code).
    pub to_port: i32,
    /// Traffic from (ingress) or to (egress) this IPv4 range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cidr_ip: Option<String>,
    /// Traffic from this security group (ingress).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_security_group_id: Option<Value>,
}

/// Properties of `AWS::EC2::SecurityGroup`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    /// What the group is for.
    pub group_description: String,
    /// The VPC.
    pub vpc_id: Value,
    /// Inbound rules.
    pub security_group_ingress: Vec<SecurityGroupRule>,
    /// Outbound rules.
    pub security_group_egress: Vec<SecurityGroupRule>,
}
super::resource_type!(SecurityGroup, "AWS::EC2::SecurityGroup");

/// Properties of `AWS::EC2::VPCEndpoint`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpoint {
    /// `com.amazonaws.REGION.SERVICE`.
    pub service_name: Value,
    /// `Interface` or `Gateway`.
    pub vpc_endpoint_type: &'static str,
    /// The VPC.
    pub vpc_id: Value,
    /// Interface endpoints: one subnet per availability zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_ids: Option<Value>,
    /// Interface endpoints: their security groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_ids: Option<Vec<Value>>,
    /// Interface endpoints: answer the service's public name inside the VPC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_dns_enabled: Option<bool>,
    /// Gateway endpoints: the route tables that get a route to the service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table_ids: Option<Value>,
}
super::resource_type!(VpcEndpoint, "AWS::EC2::VPCEndpoint");
