//! Networks: VPC ids given as literals, stack parameters or imports
//! ([`NetworkIdsSpec`], [`NetworkIdSpec`] into [`cfn_gen::NetworkIds`]),
//! and `vpc_endpoints:` of a stack ([`cfn_gen::VpcEndpoints`]) serving the
//! tasks and Fargate jobs placed in private subnets.

use cfn_gen::{EndpointService, NetworkIds, Value, VpcClient, VpcEndpoints};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{fix_from, list, Build, StackScope};
use crate::common::{ParameterRef, ValueSpec};
use crate::positions::join;

/// One id: a literal (`subnet-0a1b2c3d`), a single-id stack parameter
/// (`{ parameter: SecurityGroupId }`) or another stack's export
/// (`{ import: shared-sg-id }`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum NetworkIdSpec {
    /// A literal id.
    Literal(String),
    /// The value of a stack parameter.
    Parameter(ParameterRef),
    /// An export of another stack (`Fn::ImportValue`).
    Import(ImportRef),
}

/// `{ import: EXPORT-NAME }`: a value another stack exports.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRef {
    /// The export's name.
    #[schemars(example = &"shared-network-private-subnet-a")]
    pub import: String,
}

/// Subnet, security group or route table ids: a list of ids (each a
/// literal, parameter or import), or one list-valued stack parameter
/// (`List<AWS::EC2::Subnet::Id>`, `CommaDelimitedList`) as `{ parameter: NAME }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum NetworkIdsSpec {
    /// Each id on its own.
    Each(Vec<NetworkIdSpec>),
    /// One list-valued stack parameter.
    List(ParameterRef),
}

/// The value of one id at `path`.
pub(crate) fn id(
    b: &mut Build,
    scope: &StackScope,
    path: &str,
    spec: &NetworkIdSpec,
) -> Option<Value> {
    match spec {
        NetworkIdSpec::Literal(s) => Some(Value::from(s.as_str())),
        NetworkIdSpec::Parameter(p) => scope.value(b, path, &ValueSpec::Parameter(p.clone())),
        NetworkIdSpec::Import(i) => Some(Value::import(i.import.as_str())),
    }
}

/// The ids at `path`; ids that do not resolve are left out after an error.
/// The subnets and security groups of a `vpc:` section at `path` (its
/// `subnets` and `security_groups` keys).
pub(crate) fn subnets_and_groups(
    b: &mut Build,
    scope: &StackScope,
    path: &str,
    subnets: &NetworkIdsSpec,
    groups: &NetworkIdsSpec,
) -> (NetworkIds, NetworkIds) {
    (
        ids(b, scope, &join(path, "subnets"), subnets),
        ids(b, scope, &join(path, "security_groups"), groups),
    )
}

pub(crate) fn ids(
    b: &mut Build,
    scope: &StackScope,
    path: &str,
    spec: &NetworkIdsSpec,
) -> NetworkIds {
    match spec {
        NetworkIdsSpec::Each(each) => NetworkIds::each(
            each.iter()
                .enumerate()
                .filter_map(|(i, s)| id(b, scope, &format!("{path}[{i}]"), s))
                .collect::<Vec<_>>(),
        ),
        NetworkIdsSpec::List(p) => match scope.value(b, path, &ValueSpec::Parameter(p.clone())) {
            Some(v) => NetworkIds::list(v),
            None => NetworkIds::each(Vec::<Value>::new()),
        },
    }
}

/// VPC endpoints (interface endpoints in private subnets, gateway
/// endpoints in route tables) for every AWS service the workloads they
/// serve call.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpcEndpointsSpec {
    /// The VPC: a literal `vpc-...`, `{ parameter: NAME }` or `{ import: EXPORT }`.
    #[schemars(example = serde_json::json!({"parameter": "ErpVpcId"}))]
    pub vpc_id: NetworkIdSpec,
    /// The subnets of the interface endpoints (at most one per availability zone).
    #[schemars(example = serde_json::json!({"parameter": "ErpSubnetIds"}))]
    pub subnets: NetworkIdsSpec,
    /// The route tables of the workloads' subnets (for the DynamoDB and S3
    /// gateway endpoints).
    #[schemars(example = serde_json::json!({"parameter": "ErpRouteTableIds"}))]
    pub route_tables: Option<NetworkIdsSpec>,
    /// The tasks, Fargate jobs and functions of this stack it serves, by id: each gets
    /// endpoints for the services it calls.
    #[serde(default)]
    #[schemars(example = vec!["MonthEndClose", "OdooJobs"])]
    pub serves: Vec<String>,
    /// Endpoints for services beyond those the served workloads call (a
    /// workload's own code calling S3 or STS, say).
    #[serde(default)]
    #[schemars(example = vec![EndpointServiceSpec::S3, EndpointServiceSpec::Sts])]
    pub services: Vec<EndpointServiceSpec>,
}

/// An AWS service a VPC endpoint reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EndpointServiceSpec {
    /// SNS (interface endpoint).
    Sns,
    /// SQS (interface endpoint).
    Sqs,
    /// SSM Parameter Store (interface endpoint).
    Ssm,
    /// Secrets Manager (interface endpoint).
    SecretsManager,
    /// KMS (interface endpoint).
    Kms,
    /// DynamoDB (gateway endpoint: needs `route_tables`).
    DynamoDb,
    /// S3 (gateway endpoint: needs `route_tables`).
    S3,
    /// CloudWatch metrics (interface endpoint).
    #[serde(alias = "monitoring")]
    CloudWatch,
    /// CloudWatch Logs (interface endpoint).
    Logs,
    /// X-Ray (interface endpoint).
    XRay,
    /// STS (interface endpoint).
    Sts,
    /// Lambda (interface endpoint).
    Lambda,
}

impl From<EndpointServiceSpec> for EndpointService {
    fn from(s: EndpointServiceSpec) -> EndpointService {
        match s {
            EndpointServiceSpec::Sns => EndpointService::Sns,
            EndpointServiceSpec::Sqs => EndpointService::Sqs,
            EndpointServiceSpec::Ssm => EndpointService::Ssm,
            EndpointServiceSpec::SecretsManager => EndpointService::SecretsManager,
            EndpointServiceSpec::Kms => EndpointService::Kms,
            EndpointServiceSpec::DynamoDb => EndpointService::DynamoDb,
            EndpointServiceSpec::S3 => EndpointService::S3,
            EndpointServiceSpec::CloudWatch => EndpointService::CloudWatch,
            EndpointServiceSpec::Logs => EndpointService::Logs,
            EndpointServiceSpec::XRay => EndpointService::XRay,
            EndpointServiceSpec::Sts => EndpointService::Sts,
            EndpointServiceSpec::Lambda => EndpointService::Lambda,
        }
    }
}

/// Create the endpoints `id` of `scope` and register them; what they serve
/// is wired by [`serve`] once every construct of the stack exists.
pub(crate) fn build(b: &mut Build, scope: &mut StackScope, id_: &str, spec: &VpcEndpointsSpec) {
    let path = join(&join(&scope.path, "vpc_endpoints"), id_);
    let vpc = id(b, scope, &join(&path, "vpc_id"), &spec.vpc_id);
    let subnets = ids(b, scope, &join(&path, "subnets"), &spec.subnets);
    let Some(vpc) = vpc else { return };
    let mut endpoints = VpcEndpoints::new(&scope.stack, id_, vpc, subnets);
    b.construct(endpoints.node().path(), &path);
    if let Some(r) = &spec.route_tables {
        endpoints = endpoints.route_tables(ids(b, scope, &join(&path, "route_tables"), r));
    }
    for service in &spec.services {
        endpoints = endpoints.service((*service).into());
    }
    scope.endpoints.insert(id_.to_owned(), endpoints);
}

/// Serve the workloads `serves` names with the endpoints `id`.
pub(crate) fn serve(b: &mut Build, scope: &StackScope, id_: &str, spec: &VpcEndpointsSpec) {
    let Some(endpoints) = scope.endpoints.get(id_) else {
        return;
    };
    let path = join(&join(&join(&scope.path, "vpc_endpoints"), id_), "serves");
    for (i, workload) in spec.serves.iter().enumerate() {
        let client: Option<VpcClient> = match (
            scope.tasks.get(workload),
            scope.fargate_jobs.get(workload),
            scope.functions.get(workload),
        ) {
            (Some(t), _, _) => Some(VpcClient::from(t)),
            (None, Some(f), _) => Some(VpcClient::from(f)),
            (None, None, Some(f)) => Some(VpcClient::from(f)),
            (None, None, None) => None,
        };
        match client {
            Some(c) => {
                endpoints.clone().serve(c);
            }
            None => {
                let known: Vec<&str> = scope
                    .tasks
                    .keys()
                    .chain(scope.fargate_jobs.keys())
                    .chain(scope.functions.keys())
                    .map(String::as_str)
                    .collect();
                b.error(
                    &format!("{path}[{i}]"),
                    format!(
                        "no task, Fargate job or function `{workload}` in stack {}; its tasks, Fargate jobs and functions are: {}",
                        scope.stack.name(),
                        list(&known)
                    ),
                    fix_from(
                        workload,
                        &known,
                        "declare it under `tasks:`, `fargate_jobs:` or `functions:` of this stack",
                    ),
                );
            }
        }
    }
}
