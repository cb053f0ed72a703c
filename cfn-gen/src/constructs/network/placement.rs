//! [`VpcPlacement`]: where a function or task runs in a VPC (subnets and
//! security groups), its checks, and the warning that names the AWS
//! services it calls which a private subnet cannot reach on its own.

use std::collections::BTreeSet;

use super::ids::{check_ids, NetworkIds, SECURITY_GROUPS, SUBNETS};
use super::services::{called_services, EndpointService};
use crate::resources::iam::Statement;
use crate::validate::Report;

/// Subnets and security groups a workload's network interfaces go in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VpcPlacement {
    pub subnets: NetworkIds,
    pub security_groups: NetworkIds,
    /// The subnets route to the internet through a NAT gateway: every AWS
    /// API is reachable without endpoints.
    pub behind_nat: bool,
}

impl VpcPlacement {
    /// Ids in range and well formed.
    pub fn check(&self, path: &str, report: &mut Report) {
        check_ids(path, &self.subnets, SUBNETS, report);
        check_ids(path, &self.security_groups, SECURITY_GROUPS, report);
    }
}

fn names(services: &BTreeSet<EndpointService>, gateway: bool) -> Vec<&'static str> {
    services
        .iter()
        .filter(|s| s.is_gateway() == gateway)
        .map(|s| s.endpoint_name())
        .collect()
}

/// Warns when a workload in a VPC calls AWS APIs that its subnets reach
/// only through a NAT gateway or VPC endpoints. `statements` are its
/// role's; `served_by` is the [`VpcEndpoints`](super::VpcEndpoints) path
/// serving it, if any; `client` how the fix names it (`&function`).
pub(crate) fn services_warning(
    path: &str,
    placement: Option<&VpcPlacement>,
    served_by: Option<&str>,
    statements: &[Statement],
    client: &str,
    report: &mut Report,
) {
    let Some(placement) = placement else { return };
    if placement.behind_nat {
        return;
    }
    let (reachable, nat_only) = called_services(statements);
    if !nat_only.is_empty() {
        let list: Vec<&str> = nat_only.iter().map(String::as_str).collect();
        report.warning(
            path,
            format!(
                "it runs in a VPC and calls {} ({}), which have no VPC endpoint here: without a NAT gateway these calls time out",
                list.join(", "),
                if list.len() == 1 { "from its grants" } else { "all from its grants" }
            ),
            "route the subnets through a NAT gateway and place it with .vpc_behind_nat(subnet_ids, security_group_ids), or drop the grants it does not use",
        );
    }
    if served_by.is_some() || reachable.is_empty() {
        return;
    }
    let interface = names(&reachable, false);
    let gateway = names(&reachable, true);
    let mut needs = Vec::new();
    if !interface.is_empty() {
        needs.push(format!("interface endpoints for {}", interface.join(", ")));
    }
    if !gateway.is_empty() {
        needs.push(format!("gateway endpoints for {}", gateway.join(", ")));
    }
    let route_tables = if gateway.is_empty() {
        ""
    } else {
        ".route_tables(ROUTE_TABLE_IDS)"
    };
    report.warning(
        path,
        format!(
            "it runs in a VPC and calls AWS APIs ({}) that private subnets reach only through a NAT gateway or VPC endpoints ({}); otherwise these calls time out",
            reachable.iter().map(|s| s.endpoint_name()).collect::<Vec<_>>().join(", "),
            needs.join("; ")
        ),
        format!(
            "add the endpoints: VpcEndpoints::new(&stack, \"Endpoints\", VPC_ID, SUBNET_IDS){route_tables}.serve({client}); or, if the subnets route through a NAT gateway, place it with .vpc_behind_nat(subnet_ids, security_group_ids)"
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placement(behind_nat: bool) -> VpcPlacement {
        VpcPlacement {
            subnets: NetworkIds::from(["subnet-0a1b2c3d"]),
            security_groups: NetworkIds::from(["sg-0a1b2c3d"]),
            behind_nat,
        }
    }

    fn warnings(p: Option<&VpcPlacement>, served: Option<&str>, s: &[Statement]) -> Vec<String> {
        let mut report = Report::default();
        services_warning("S/F", p, served, s, "&function", &mut report);
        report
            .problems_cloned()
            .iter()
            .map(|p| format!("{} -- {}", p.message, p.fix))
            .collect()
    }

    #[test]
    fn the_warning_lists_the_endpoints_and_goes_when_served_or_behind_nat() {
        let s = vec![Statement::allow(
            ["sns:Publish", "dynamodb:PutItem"],
            vec![],
        )];
        let w = warnings(Some(&placement(false)), None, &s);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("interface endpoints for sns"), "{w:?}");
        assert!(w[0].contains("gateway endpoints for dynamodb"), "{w:?}");
        assert!(
            w[0].contains(".route_tables(ROUTE_TABLE_IDS).serve(&function)"),
            "{w:?}"
        );
        assert!(warnings(Some(&placement(false)), Some("S/Endpoints"), &s).is_empty());
        assert!(warnings(Some(&placement(true)), None, &s).is_empty());
        assert!(warnings(None, None, &s).is_empty());
        let ses = vec![Statement::allow(["ses:SendEmail"], vec![])];
        let w = warnings(Some(&placement(false)), Some("S/Endpoints"), &ses);
        assert!(w[0].contains("calls ses"), "{w:?}");
    }
}
