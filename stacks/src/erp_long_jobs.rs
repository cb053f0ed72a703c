//! The ERP reference stack's private network and long jobs: the VPC
//! parameters its functions and tasks are placed with ([`ErpNetwork`]), the
//! VPC endpoints that let them reach AWS from private subnets, and the
//! month-end close as a [`FargateJob`] (it can run for hours, past Lambda's
//! 15 minutes).
//!
//! `ErpSchedules` calls [`add`] and places its Lambda jobs with the same
//! network, serving them with the same endpoints:
//!
//! ```
//! use cfn_gen::{App, Schedule, ScheduledLambda, Stack, Topic};
//! let app = App::new();
//! let stack = Stack::new(&app, "ErpSchedules");
//! let results = Topic::standard(&stack, "SyncResults");
//! let long_jobs = cloud_cron_stacks::erp_long_jobs::add(&stack, &results);
//! let sync = ScheduledLambda::new(&stack, "NightlySync")
//!     .image("123456789012.dkr.ecr.eu-west-2.amazonaws.com/erp-jobs:v1")
//!     .schedule(Schedule::cron("30 1 ? * MON-FRI *").in_time_zone("Europe/London"))
//!     .publishes_to("results", &results)
//!     .vpc(long_jobs.network.subnet_ids(), long_jobs.network.security_group_ids());
//! long_jobs.endpoints.serve(&sync);
//! let synthesis = app.synth().expect("valid");
//! assert!(!synthesis.warnings.iter().any(|w| w.message.contains("VPC")));
//! ```

use cfn_gen::{
    FargateJob, NetworkIds, Parameter, Schedule, SecretRef, Stack, StackParameter, Topic,
    VpcEndpoints,
};

/// The month-end job's image (the ERP jobs image, pinned by digest).
pub const IMAGE: &str = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/erp-jobs@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

/// Where the Odoo password lives (an SSM SecureString parameter).
pub const ODOO_PASSWORD: &str = "/erp/odoo/password";

/// The stack parameters naming the private network the ERP jobs run in.
#[derive(Debug, Clone)]
pub struct ErpNetwork {
    /// `ErpVpcId`: the VPC Odoo is reachable from.
    pub vpc_id: StackParameter,
    /// `ErpSubnetIds`: private subnets, one per availability zone.
    pub subnets: StackParameter,
    /// `ErpSecurityGroupId`: the jobs' security group (Odoo admits it).
    pub security_group: StackParameter,
    /// `ErpRouteTableIds`: the subnets' route tables (for the gateway endpoints).
    pub route_tables: StackParameter,
}

impl ErpNetwork {
    /// Declare the four parameters in `stack`.
    pub fn declare(stack: &Stack) -> ErpNetwork {
        ErpNetwork {
            vpc_id: stack.parameter(
                "ErpVpcId",
                Parameter::of_type("AWS::EC2::VPC::Id")
                    .description("The VPC the ERP jobs run in (Odoo is reachable from it)"),
            ),
            subnets: stack.parameter(
                "ErpSubnetIds",
                Parameter::of_type("List<AWS::EC2::Subnet::Id>").description(
                    "Private subnets of that VPC for the ERP jobs and the VPC endpoints, at most one per availability zone",
                ),
            ),
            security_group: stack.parameter(
                "ErpSecurityGroupId",
                Parameter::of_type("AWS::EC2::SecurityGroup::Id").description(
                    "The ERP jobs' security group: Odoo admits it, and the VPC endpoints admit HTTPS from it",
                ),
            ),
            route_tables: stack.parameter(
                "ErpRouteTableIds",
                Parameter::of_type("CommaDelimitedList")
                    .description("The route tables of those subnets (rtb-...), for the DynamoDB and S3 gateway endpoints"),
            ),
        }
    }

    /// The subnets, for `.vpc(..)`.
    pub fn subnet_ids(&self) -> NetworkIds {
        NetworkIds::from(&self.subnets)
    }

    /// The security group, for `.vpc(..)` (one by one, so the endpoints
    /// can admit it).
    pub fn security_group_ids(&self) -> NetworkIds {
        NetworkIds::each([self.security_group.value()])
    }
}

/// What [`add`] created.
#[derive(Clone)]
pub struct ErpLongJobs {
    /// The network parameters.
    pub network: ErpNetwork,
    /// The VPC endpoints; serve every ERP job placed in the network with
    /// them (`long_jobs.endpoints.serve(&job)`).
    pub endpoints: VpcEndpoints,
    /// The month-end close on Fargate.
    pub month_end: FargateJob,
}

/// Add the ERP network parameters, the VPC endpoints and the month-end
/// close (01:00 London time on the 1st of every month, on Fargate, its
/// outcome published to `results`) to `stack`.
pub fn add(stack: &Stack, results: &Topic) -> ErpLongJobs {
    let network = ErpNetwork::declare(stack);
    let month_end = FargateJob::new(stack, "MonthEndClose")
        .description("Close the ERP's books for the month: reconcile, post and lock the period")
        .image(IMAGE)
        .schedule(Schedule::cron("0 1 1 * ? *").in_time_zone("Europe/London"))
        .cpu_memory(1024, 4096)
        .vpc(network.subnet_ids(), network.security_group_ids())
        .command(["erp-job", "--job", "month-end-close"])
        .env("ODOO_URL", "https://erp.example.com")
        .env("ODOO_DB", "acme")
        .env("ODOO_LOGIN", "cron-bot")
        .secret("ODOO_PASSWORD", SecretRef::ssm(ODOO_PASSWORD))
        .publishes_to("results", results)
        .log_retention_days(90);
    let endpoints = VpcEndpoints::new(
        stack,
        "ErpEndpoints",
        network.vpc_id.value(),
        network.subnet_ids(),
    )
    .route_tables(NetworkIds::from(&network.route_tables))
    .serve(&month_end);
    ErpLongJobs {
        network,
        endpoints,
        month_end,
    }
}
