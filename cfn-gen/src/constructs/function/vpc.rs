//! A function in a VPC (`.vpc(subnet_ids, security_group_ids)`): its
//! `VpcConfig`, the network-interface permissions Lambda needs, the
//! warning naming the AWS endpoints its calls need, and how
//! [`VpcEndpoints`](crate::VpcEndpoints) sees it.
//!
//! The permissions are those of the managed policy
//! `AWSLambdaVPCAccessExecutionRole` minus its `logs:*` on every log group:
//! creating, deleting and re-addressing network interfaces is scoped to the
//! stack's account and region (and to exactly the subnets and security
//! groups when they are literals); the two `Describe` calls take no
//! resource.

use super::Function;
use crate::construct::Node;
use crate::constructs::grant::RolePolicy;
use crate::constructs::network::{VpcClient, VpcPlacement, VpcUser};
use crate::resources::iam::Statement;
use crate::resources::serverless;
use crate::value::Value;

/// `arn:PARTITION:ec2:REGION:ACCOUNT:<resource>`.
fn ec2_arn(resource: &str) -> Value {
    Value::sub(format!(
        "arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"
    ))
}

/// The ARNs of literal ids, or every one of the kind in the account and
/// region when any id is only known at deploy time.
fn scoped(ids: &crate::NetworkIds, kind: &str) -> Vec<Value> {
    let literals = ids.literals();
    if ids.count() == Some(literals.len()) && !literals.is_empty() {
        literals
            .iter()
            .map(|id| ec2_arn(&format!("{kind}/{id}")))
            .collect()
    } else {
        vec![ec2_arn(&format!("{kind}/*"))]
    }
}

/// What Lambda does with the execution role to attach the function to the
/// subnets.
pub(super) fn eni_statements(placement: &VpcPlacement) -> Vec<Statement> {
    let mut create = vec![ec2_arn("network-interface/*")];
    create.extend(scoped(&placement.subnets, "subnet"));
    create.extend(scoped(&placement.security_groups, "security-group"));
    vec![
        Statement::allow(["ec2:CreateNetworkInterface"], create),
        Statement::allow(
            [
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            vec![ec2_arn("network-interface/*")],
        ),
        Statement::allow(
            ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
            vec![Value::from("*")],
        )
        .sid("VpcDescribesHaveNoResource"),
    ]
}

/// The function's `VpcConfig`.
pub(super) fn vpc_config(placement: &VpcPlacement) -> serverless::VpcConfig {
    serverless::VpcConfig {
        subnet_ids: placement.subnets.value(),
        security_group_ids: placement.security_groups.value(),
    }
}

impl Function {
    /// The statements of the calls the function's code makes: publishing,
    /// secrets, grants, and what its holder's code calls.
    pub(crate) fn called_statements(&self) -> Vec<Statement> {
        let p = self.0.props.borrow();
        let policy = RolePolicy::new();
        for (_, topic) in &p.publishes {
            topic.grant_publish(&policy);
        }
        for secret in &p.secrets {
            secret.grant(&policy);
        }
        let mut out = policy.statements();
        out.extend(p.policy.statements());
        out.extend(p.grants.iter().cloned());
        out.extend(p.holder_calls.iter().cloned());
        out
    }

    /// Record a call the holder's code makes (e.g. the idempotency
    /// table's), for the endpoints it needs.
    pub(crate) fn note_call(&self, statement: Statement) {
        self.0.props.borrow_mut().holder_calls.push(statement);
    }

    /// Place the function in a VPC (see [`Function::vpc`]).
    pub(crate) fn set_vpc(&self, placement: VpcPlacement) {
        self.0.props.borrow_mut().vpc = Some(placement);
    }
}

impl VpcUser for Function {
    fn user_node(&self) -> Node {
        self.0.node.clone()
    }

    fn placement(&self) -> Option<VpcPlacement> {
        self.0.props.borrow().vpc.clone()
    }

    fn called_statements(&self) -> Vec<Statement> {
        Function::called_statements(self)
    }

    fn set_served_by(&self, endpoints: String) {
        self.0.props.borrow_mut().served_by = Some(endpoints);
    }
}

impl From<&Function> for VpcClient {
    fn from(function: &Function) -> Self {
        VpcClient(std::rc::Rc::new(function.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NetworkIds;

    #[test]
    fn literal_ids_scope_interface_creation_exactly() {
        let statements = eni_statements(&VpcPlacement {
            subnets: NetworkIds::from(["subnet-0a1b2c3d"]),
            security_groups: NetworkIds::from(["sg-0a1b2c3d"]),
            behind_nat: false,
        });
        let json = serde_json::to_string(&statements).expect("json");
        assert!(json.contains(":subnet/subnet-0a1b2c3d"), "{json}");
        assert!(json.contains(":security-group/sg-0a1b2c3d"), "{json}");
        assert!(!json.contains("subnet/*"), "{json}");
        let statements = eni_statements(&VpcPlacement {
            subnets: NetworkIds::list(Value::reference("Subnets")),
            security_groups: NetworkIds::each([Value::reference("Sg")]),
            behind_nat: false,
        });
        let json = serde_json::to_string(&statements).expect("json");
        assert!(json.contains(":subnet/*"), "{json}");
        assert!(json.contains(":security-group/*"), "{json}");
    }
}
