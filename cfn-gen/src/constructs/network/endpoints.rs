//! [`VpcEndpoints`]: the VPC endpoints that let functions and tasks in
//! private subnets reach the AWS APIs they call without a NAT gateway:
//! interface endpoints (private DNS, in a security group that admits HTTPS
//! from the served workloads' security groups only) and gateway endpoints
//! (DynamoDB, S3) on the given route tables.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use super::ids::{check_ids, is_ec2_id, IdKind, NetworkIds};
use super::placement::VpcPlacement;
use super::services::{called_services, EndpointService};
use crate::construct::{Construct, Node, Stack};
use crate::resources::ec2;
use crate::resources::iam::Statement;
use crate::synth::SynthContext;
use crate::template::{Resource, Template};
use crate::validate::Report;
use crate::value::Value;

/// What a workload in a VPC tells the endpoints serving it.
pub(crate) trait VpcUser {
    /// Where it sits.
    fn user_node(&self) -> Node;
    /// Its placement, if it has one.
    fn placement(&self) -> Option<VpcPlacement>;
    /// The statements of the calls its code makes.
    fn called_statements(&self) -> Vec<Statement>;
    /// Record that `endpoints` (a construct path) serves it.
    fn set_served_by(&self, endpoints: String);
}

/// A workload [`VpcEndpoints`] serves: a [`Function`](crate::Function), a
/// [`ScheduledLambda`](crate::ScheduledLambda) or a
/// [`FargateJob`](crate::FargateJob) (`&function` converts).
#[derive(Clone)]
pub struct VpcClient(pub(crate) Rc<dyn VpcUser>);

struct Props {
    vpc_id: Value,
    subnets: NetworkIds,
    route_tables: Option<NetworkIds>,
    services: BTreeSet<EndpointService>,
    clients: Vec<VpcClient>,
}

struct Inner {
    node: Node,
    props: RefCell<Props>,
}

/// VPC endpoints for the AWS services the workloads it serves call.
///
/// ```
/// use cfn_gen::{App, Function, Stack, Topic, VpcEndpoints};
/// let app = App::new();
/// let stack = Stack::new(&app, "Private");
/// let alerts = Topic::standard(&stack, "Alerts");
/// let worker = Function::new(&stack, "Worker")
///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/worker:v1")
///     .vpc(["subnet-0a1b2c3d"], ["sg-0a1b2c3d"])
///     .publishes_to("alerts", &alerts);
/// VpcEndpoints::new(&stack, "Endpoints", "vpc-0a1b2c3d", ["subnet-0a1b2c3d"]).serve(&worker);
/// let out = app.synth().expect("valid");
/// assert!(!out.warnings.iter().any(|w| w.message.contains("VPC")), "{:?}", out.warnings);
/// assert!(out.stacks[0].text.contains("com.amazonaws.${AWS::Region}.sns"));
/// ```
///
/// The services come from what each served workload is granted (a topic it
/// publishes to needs SNS, a secret SSM or Secrets Manager, an idempotency
/// table DynamoDB, a Fargate image ECR and S3, ...), plus any added with
/// [`service`](VpcEndpoints::service). Interface endpoints go in `subnets`
/// (at most one per availability zone) with private DNS, so SDKs reach them
/// under the usual names; gateway endpoints (DynamoDB, S3) add routes to the
/// route tables given with [`route_tables`](VpcEndpoints::route_tables).
#[derive(Clone)]
pub struct VpcEndpoints(Rc<Inner>);

impl VpcEndpoints {
    /// Endpoints in the VPC `vpc_id` (a literal `vpc-...`, a parameter's
    /// value or an import), their network interfaces in `subnets`.
    pub fn new(
        stack: &Stack,
        id: &str,
        vpc_id: impl Into<Value>,
        subnets: impl Into<NetworkIds>,
    ) -> VpcEndpoints {
        let node = stack.claim(id);
        let inner = Rc::new(Inner {
            node,
            props: RefCell::new(Props {
                vpc_id: vpc_id.into(),
                subnets: subnets.into(),
                route_tables: None,
                services: BTreeSet::new(),
                clients: Vec::new(),
            }),
        });
        stack.add(inner.clone());
        VpcEndpoints(inner)
    }

    /// The route tables of the subnets the workloads run in (for the
    /// DynamoDB and S3 gateway endpoints).
    pub fn route_tables(self, ids: impl Into<NetworkIds>) -> VpcEndpoints {
        self.0.props.borrow_mut().route_tables = Some(ids.into());
        self
    }

    /// An endpoint for `service` besides those the workloads need.
    pub fn service(self, service: EndpointService) -> VpcEndpoints {
        self.0.props.borrow_mut().services.insert(service);
        self
    }

    /// Serve `client`: endpoints for every service it calls, reachable
    /// from its security groups; its missing-endpoints warning goes.
    pub fn serve(self, client: impl Into<VpcClient>) -> VpcEndpoints {
        let client = client.into();
        client.0.set_served_by(self.0.node.path());
        self.0.props.borrow_mut().clients.push(client);
        self
    }

    /// Where it sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The endpoints' security group id (`Fn::GetAtt ... GroupId`).
    pub fn security_group_id(&self) -> Value {
        Value::get_att(self.0.node.child_logical_id("SecurityGroup"), "GroupId")
    }
}

impl Inner {
    /// Every service: added ones and those the clients call.
    fn services(&self) -> BTreeSet<EndpointService> {
        let p = self.props.borrow();
        let mut services = p.services.clone();
        for client in &p.clients {
            services.extend(called_services(&client.0.called_statements()).0);
        }
        services
    }

    /// The clients' security groups, each once.
    fn client_security_groups(&self) -> Vec<Value> {
        let p = self.props.borrow();
        let mut out: Vec<Value> = Vec::new();
        for client in &p.clients {
            let groups = client.0.placement().map(|pl| pl.security_groups);
            for sg in groups.iter().filter_map(NetworkIds::elements).flatten() {
                if !out.contains(sg) {
                    out.push(sg.clone());
                }
            }
        }
        out
    }
}

const ENDPOINT_SUBNETS: IdKind = IdKind {
    what: "subnet",
    prefix: "subnet-",
    max: 16,
    setter: "VpcEndpoints::new(..)",
};

const ROUTE_TABLES: IdKind = IdKind {
    what: "route table",
    prefix: "rtb-",
    max: 64,
    setter: ".route_tables(..)",
};

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        let path = self.node.path();
        let path = path.as_str();
        let services = self.services();
        let p = self.props.borrow();
        if let Some(id) = p.vpc_id.as_literal() {
            if !is_ec2_id(id, "vpc-") {
                report.error(
                    path,
                    format!("`{id}` is not a VPC id"),
                    "pass an id like vpc-0123456789abcdef0 (or a AWS::EC2::VPC::Id parameter's value) to VpcEndpoints::new",
                );
            }
        }
        check_ids(path, &p.subnets, ENDPOINT_SUBNETS, report);
        if let Some(tables) = &p.route_tables {
            check_ids(path, tables, ROUTE_TABLES, report);
        }
        let gateways: Vec<&str> = services
            .iter()
            .filter(|s| s.is_gateway())
            .map(|s| s.endpoint_name())
            .collect();
        if !gateways.is_empty() && p.route_tables.is_none() {
            report.error(
                path,
                format!(
                    "the gateway endpoints for {} need the route tables of the workloads' subnets",
                    gateways.join(", ")
                ),
                "add .route_tables([\"rtb-0123456789abcdef0\"]) (or a parameter's value) to the VpcEndpoints",
            );
        }
        if services.is_empty() {
            report.error(
                path,
                "no service needs an endpoint: nothing it serves calls an AWS API, and none was added",
                "serve the workloads in the VPC with .serve(&function), or add one with .service(EndpointService::Sqs)",
            );
        }
        for client in &p.clients {
            let node = client.0.user_node();
            let who = node.path();
            if !node.same_stack(&self.node) {
                report.error(
                    path,
                    format!("serves {who}, which is in another stack"),
                    format!(
                        "create the endpoints in {} and serve it there",
                        node.stack_name()
                    ),
                );
            }
            match client.0.placement() {
                None => report.error(
                    path,
                    format!("serves {who}, which does not run in a VPC"),
                    "place it first with .vpc(subnet_ids, security_group_ids), or do not serve it",
                ),
                Some(placement) => {
                    if placement.security_groups.elements().is_none() {
                        report.error(
                            path,
                            format!("serves {who}, whose security groups are one list-valued parameter: the endpoints cannot admit each of them"),
                            "give that workload its security groups one by one, e.g. .vpc(&subnets, NetworkIds::each([sg.value()])) with an AWS::EC2::SecurityGroup::Id parameter",
                        );
                    }
                }
            }
        }
    }

    fn synthesize(&self, _ctx: &SynthContext, template: &mut Template) {
        let services = self.services();
        let sg_id = self.node.child_logical_id("SecurityGroup");
        let p = self.props.borrow();
        let path = self.node.path();
        if services.iter().any(|s| !s.is_gateway()) {
            let ingress = self
                .client_security_groups()
                .into_iter()
                .map(|sg| ec2::SecurityGroupRule {
                    description: "HTTPS from a workload the endpoints serve".into(),
                    ip_protocol: "tcp",
                    from_port: 443,
                    to_port: 443,
                    cidr_ip: None,
                    source_security_group_id: Some(sg),
                })
                .collect();
            template.add_resource(
                &sg_id,
                Resource::new(ec2::SecurityGroup {
                    group_description: format!("Interface endpoints of {path}"),
                    vpc_id: p.vpc_id.clone(),
                    security_group_ingress: ingress,
                    // Endpoints only answer: no outbound traffic (a rule
                    // that matches nothing replaces the allow-all default).
                    security_group_egress: vec![ec2::SecurityGroupRule {
                        description: "No outbound traffic".into(),
                        ip_protocol: "icmp",
                        from_port: 252,
                        to_port: 86,
                        cidr_ip: Some("255.255.255.255/32".into()),
                        source_security_group_id: None,
                    }],
                }),
            );
        }
        for service in &services {
            let endpoint = if service.is_gateway() {
                ec2::VpcEndpoint {
                    service_name: service.service_name(),
                    vpc_endpoint_type: "Gateway",
                    vpc_id: p.vpc_id.clone(),
                    subnet_ids: None,
                    security_group_ids: None,
                    private_dns_enabled: None,
                    route_table_ids: p.route_tables.as_ref().map(NetworkIds::value),
                }
            } else {
                ec2::VpcEndpoint {
                    service_name: service.service_name(),
                    vpc_endpoint_type: "Interface",
                    vpc_id: p.vpc_id.clone(),
                    subnet_ids: Some(p.subnets.value()),
                    security_group_ids: Some(vec![Value::get_att(&sg_id, "GroupId")]),
                    private_dns_enabled: Some(true),
                    route_table_ids: None,
                }
            };
            template.add_resource(
                self.node
                    .child_logical_id(&format!("{}Endpoint", service.id())),
                Resource::new(endpoint),
            );
        }
    }
}
