//! [`EndpointService`]: the AWS services a workload in a VPC reaches through
//! VPC endpoints, and which of them its IAM actions call.
//!
//! A workload's calls are read from its role's statements: an action's
//! service prefix (`sns:Publish` -> SNS) names the API it calls. A few
//! prefixes are not network calls of the workload (`iam:PassRole` is checked
//! by the service it passes the role to) and are left out.

use std::collections::BTreeSet;

use crate::resources::iam::Statement;
use crate::value::Value;

/// An AWS service reachable through a VPC endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EndpointService {
    /// Amazon SNS (`sns`, interface).
    Sns,
    /// Amazon SQS (`sqs`, interface).
    Sqs,
    /// SSM Parameter Store (`ssm`, interface).
    Ssm,
    /// Secrets Manager (`secretsmanager`, interface).
    SecretsManager,
    /// AWS KMS (`kms`, interface).
    Kms,
    /// DynamoDB (`dynamodb`, gateway: routes in route tables, no charge).
    DynamoDb,
    /// Amazon S3 (`s3`, gateway), also where ECR keeps image layers.
    S3,
    /// CloudWatch metrics (`monitoring`, interface).
    CloudWatch,
    /// CloudWatch Logs (`logs`, interface).
    Logs,
    /// AWS X-Ray (`xray`, interface).
    XRay,
    /// AWS STS (`sts`, interface).
    Sts,
    /// AWS Lambda (`lambda`, interface).
    Lambda,
    /// ECR's API (`ecr.api`, interface).
    EcrApi,
    /// ECR's image registry (`ecr.dkr`, interface).
    EcrDkr,
    /// EventBridge (`events`, interface).
    Events,
    /// Step Functions (`states`, interface).
    StepFunctions,
}

impl EndpointService {
    /// The last part of the endpoint's service name
    /// (`com.amazonaws.REGION.<this>`).
    pub fn endpoint_name(self) -> &'static str {
        match self {
            EndpointService::Sns => "sns",
            EndpointService::Sqs => "sqs",
            EndpointService::Ssm => "ssm",
            EndpointService::SecretsManager => "secretsmanager",
            EndpointService::Kms => "kms",
            EndpointService::DynamoDb => "dynamodb",
            EndpointService::S3 => "s3",
            EndpointService::CloudWatch => "monitoring",
            EndpointService::Logs => "logs",
            EndpointService::XRay => "xray",
            EndpointService::Sts => "sts",
            EndpointService::Lambda => "lambda",
            EndpointService::EcrApi => "ecr.api",
            EndpointService::EcrDkr => "ecr.dkr",
            EndpointService::Events => "events",
            EndpointService::StepFunctions => "states",
        }
    }

    /// A gateway endpoint (route table entries) rather than an interface
    /// endpoint (network interfaces in the subnets).
    pub fn is_gateway(self) -> bool {
        matches!(self, EndpointService::DynamoDb | EndpointService::S3)
    }

    /// The endpoint's `ServiceName` in the stack's region.
    pub(crate) fn service_name(self) -> Value {
        Value::sub(format!(
            "com.amazonaws.${{AWS::Region}}.{}",
            self.endpoint_name()
        ))
    }

    /// Part of a logical ID (`SecretsManager`, `EcrApi`).
    pub(crate) fn id(self) -> &'static str {
        match self {
            EndpointService::Sns => "Sns",
            EndpointService::Sqs => "Sqs",
            EndpointService::Ssm => "Ssm",
            EndpointService::SecretsManager => "SecretsManager",
            EndpointService::Kms => "Kms",
            EndpointService::DynamoDb => "DynamoDb",
            EndpointService::S3 => "S3",
            EndpointService::CloudWatch => "CloudWatch",
            EndpointService::Logs => "Logs",
            EndpointService::XRay => "XRay",
            EndpointService::Sts => "Sts",
            EndpointService::Lambda => "Lambda",
            EndpointService::EcrApi => "EcrApi",
            EndpointService::EcrDkr => "EcrDkr",
            EndpointService::Events => "Events",
            EndpointService::StepFunctions => "StepFunctions",
        }
    }

    /// The endpoints an IAM action's calls go through: `Ok(empty)` when the
    /// action is no call of the workload's own, `Err(prefix)` when the
    /// service has no VPC endpoint here (a NAT gateway is needed).
    pub fn for_action(action: &str) -> Result<Vec<EndpointService>, String> {
        let prefix = action
            .split_once(':')
            .map_or(action, |(p, _)| p)
            .to_ascii_lowercase();
        let one = |s| Ok(vec![s]);
        match prefix.as_str() {
            "sns" => one(EndpointService::Sns),
            "sqs" => one(EndpointService::Sqs),
            "ssm" => one(EndpointService::Ssm),
            "secretsmanager" => one(EndpointService::SecretsManager),
            "kms" => one(EndpointService::Kms),
            "dynamodb" => one(EndpointService::DynamoDb),
            "s3" => one(EndpointService::S3),
            "cloudwatch" => one(EndpointService::CloudWatch),
            "logs" => one(EndpointService::Logs),
            "xray" => one(EndpointService::XRay),
            "sts" => one(EndpointService::Sts),
            "lambda" => one(EndpointService::Lambda),
            "events" => one(EndpointService::Events),
            "states" => one(EndpointService::StepFunctions),
            "ecr" => Ok(vec![
                EndpointService::EcrApi,
                EndpointService::EcrDkr,
                EndpointService::S3,
            ]),
            // Checked by the service the role is passed to: no call.
            "iam" => Ok(Vec::new()),
            _ => Err(prefix),
        }
    }
}

/// The services `statements` call: those with endpoints, and the prefixes
/// of those without (they need a NAT gateway).
pub(crate) fn called_services(
    statements: &[Statement],
) -> (BTreeSet<EndpointService>, BTreeSet<String>) {
    let mut reachable = BTreeSet::new();
    let mut nat_only = BTreeSet::new();
    for statement in statements.iter().filter(|s| s.effect == "Allow") {
        for action in &statement.action {
            match EndpointService::for_action(action) {
                Ok(services) => reachable.extend(services),
                Err(prefix) => {
                    nat_only.insert(prefix);
                }
            }
        }
    }
    (reachable, nat_only)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_map_to_their_endpoints() {
        let statements = vec![
            Statement::allow(["sns:Publish", "ssm:GetParameter"], vec![]),
            Statement::allow(["dynamodb:PutItem", "ses:SendEmail"], vec![]),
            Statement::allow(["iam:PassRole"], vec![]),
        ];
        let (reachable, nat) = called_services(&statements);
        assert_eq!(
            reachable.into_iter().collect::<Vec<_>>(),
            vec![
                EndpointService::Sns,
                EndpointService::Ssm,
                EndpointService::DynamoDb
            ]
        );
        assert_eq!(nat.into_iter().collect::<Vec<_>>(), vec!["ses".to_owned()]);
        assert!(EndpointService::DynamoDb.is_gateway());
        assert_eq!(EndpointService::CloudWatch.endpoint_name(), "monitoring");
        assert_eq!(
            EndpointService::for_action("ecr:BatchGetImage").map(|v| v.len()),
            Ok(3)
        );
    }
}
