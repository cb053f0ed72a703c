//! Functions in a VPC: `VpcConfig`, the network-interface permissions, the
//! checkov skip only outside a VPC, the id checks and the endpoints warning;
//! `VpcEndpoints` silencing it with the endpoints the grants need.

use cfn_gen::{
    App, EndpointService, Function, NetworkIds, Parameter, Schedule, ScheduledLambda, SecretRef,
    Severity, Stack, TimeUnit, Topic, Value as CfnValue, VpcEndpoints,
};
use serde_json::{json, Value};

use super::{errors, of_type, IMAGE};

fn worker(stack: &Stack, alerts: &Topic) -> Function {
    Function::new(stack, "Worker")
        .image(IMAGE)
        .publishes_to("alerts", alerts)
        .secret("ODOO_PASSWORD", SecretRef::ssm("/erp/odoo/password"))
}

fn warnings(app: &App) -> Vec<String> {
    app.synth()
        .expect("valid")
        .warnings
        .iter()
        .filter(|p| p.severity == Severity::Warning && p.path.contains('/'))
        .map(|p| format!("{}: {} -- {}", p.path, p.message, p.fix))
        .collect()
}

#[test]
fn a_function_in_a_vpc_gets_its_config_and_interface_permissions() {
    let app = App::new();
    let stack = Stack::new(&app, "Private");
    let alerts = Topic::standard(&stack, "Alerts");
    worker(&stack, &alerts).vpc(["subnet-0a1b2c3d", "subnet-4e5f6a7b"], ["sg-0a1b2c3d"]);
    let synthesis = app.synth().expect("valid");
    let t = synthesis.stacks[0].template.to_json();
    let (_, function) = of_type(&t, "AWS::Serverless::Function")[0];
    assert_eq!(
        function["Properties"]["VpcConfig"],
        json!({"SubnetIds": ["subnet-0a1b2c3d", "subnet-4e5f6a7b"], "SecurityGroupIds": ["sg-0a1b2c3d"]})
    );
    let skips = function["Metadata"].to_string();
    assert!(!skips.contains("CKV_AWS_117"), "{skips}");
    assert!(skips.contains("CKV_AWS_173"), "{skips}");

    let (_, role) = of_type(&t, "AWS::IAM::Role")[0];
    let statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].clone();
    let create = statements
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["Action"] == json!(["ec2:CreateNetworkInterface"]))
        .expect("create statement");
    let arn = |r: &str| json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:{r}")});
    assert_eq!(
        create["Resource"],
        json!([
            arn("network-interface/*"),
            arn("subnet/subnet-0a1b2c3d"),
            arn("subnet/subnet-4e5f6a7b"),
            arn("security-group/sg-0a1b2c3d")
        ])
    );
    let text = statements.to_string();
    assert!(text.contains("ec2:DeleteNetworkInterface"), "{text}");
    let describe = statements
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["Action"] == json!(["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]))
        .expect("describe statement");
    assert_eq!(describe["Resource"], json!(["*"]));

    // The warning names the endpoints the grants need, and the fix.
    let w: Vec<String> = synthesis
        .warnings
        .iter()
        .filter(|p| p.path.contains('/'))
        .map(|p| format!("{}: {} -- {}", p.path, p.message, p.fix))
        .collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with("Private/Worker: "), "{w:?}");
    assert!(w[0].contains("interface endpoints for sns, ssm"), "{w:?}");
    assert!(
        w[0].contains(
            "VpcEndpoints::new(&stack, \"Endpoints\", VPC_ID, SUBNET_IDS).serve(&function)"
        ),
        "{w:?}"
    );
}

#[test]
fn outside_a_vpc_nothing_changes() {
    let app = App::new();
    let stack = Stack::new(&app, "Public");
    let alerts = Topic::standard(&stack, "Alerts");
    worker(&stack, &alerts);
    let synthesis = app.synth().expect("valid");
    assert!(
        synthesis.warnings.iter().all(|w| !w.path.contains('/')),
        "{:?}",
        synthesis.warnings
    );
    let t = synthesis.stacks[0].template.to_json();
    let (_, function) = of_type(&t, "AWS::Serverless::Function")[0];
    assert!(function["Properties"].get("VpcConfig").is_none());
    assert!(function["Metadata"].to_string().contains("CKV_AWS_117"));
    assert!(!t.to_string().contains("ec2:"));
}

#[test]
fn parameters_and_imports_are_passed_through_and_scope_to_the_account() {
    let app = App::new();
    let stack = Stack::new(&app, "Private");
    let subnets = stack.parameter(
        "SubnetIds",
        Parameter::of_type("List<AWS::EC2::Subnet::Id>"),
    );
    let alerts = Topic::standard(&stack, "Alerts");
    worker(&stack, &alerts)
        .vpc_behind_nat(&subnets, NetworkIds::each([CfnValue::import("shared-sg")]));
    let synthesis = app.synth().expect("valid");
    assert!(
        synthesis.warnings.iter().all(|w| !w.path.contains('/')),
        "behind a NAT: {:?}",
        synthesis.warnings
    );
    let t = synthesis.stacks[0].template.to_json();
    let (_, function) = of_type(&t, "AWS::Serverless::Function")[0];
    assert_eq!(
        function["Properties"]["VpcConfig"],
        json!({"SubnetIds": {"Ref": "SubnetIds"}, "SecurityGroupIds": [{"Fn::ImportValue": "shared-sg"}]})
    );
    let text = t.to_string();
    assert!(text.contains(":subnet/*"), "{text}");
    assert!(text.contains(":security-group/*"), "{text}");
}

#[test]
fn ids_are_checked_with_fixes_that_work() {
    let bad = |subnets: Vec<&str>, sgs: Vec<&str>| {
        let app = App::new();
        let stack = Stack::new(&app, "Private");
        Function::new(&stack, "Worker")
            .image(IMAGE)
            .vpc(subnets, sgs);
        errors(&app)
            .iter()
            .map(|p| format!("{}: {} -- {}", p.path, p.message, p.fix))
            .collect::<Vec<_>>()
    };
    let e = bad(vec!["sg-0a1b2c3d"], vec!["subnet-0a1b2c3d"]);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("Private/Worker: `sg-0a1b2c3d` is not a subnet id"),
        "{e:?}"
    );
    assert!(
        e[1].contains("`subnet-0a1b2c3d` is not a security group id"),
        "{e:?}"
    );
    let e = bad(vec![], vec!["sg-0a1b2c3d"]);
    assert!(e[0].contains("no subnet is given"), "{e:?}");
    let six = vec![
        "sg-00000001",
        "sg-00000002",
        "sg-00000003",
        "sg-00000004",
        "sg-00000005",
        "sg-00000006",
    ];
    let e = bad(vec!["subnet-0a1b2c3d"], six);
    assert!(
        e[0].contains("6 security groups are given; at most 5"),
        "{e:?}"
    );
    // The fixes' example ids pass.
    assert!(bad(
        vec!["subnet-0123456789abcdef0"],
        vec!["sg-0123456789abcdef0"]
    )
    .is_empty());
}

#[test]
fn endpoints_serve_the_functions_and_silence_the_warning() {
    let app = App::new();
    let stack = Stack::new(&app, "Private");
    let alerts = Topic::standard(&stack, "Alerts");
    let function = worker(&stack, &alerts).vpc(["subnet-0a1b2c3d"], ["sg-0a1b2c3d"]);
    let scheduled = ScheduledLambda::new(&stack, "Sync")
        .image(IMAGE)
        .schedule(Schedule::rate(1, TimeUnit::Hours))
        .idempotency()
        .vpc(["subnet-0a1b2c3d"], ["sg-4e5f6a7b"]);
    // The fix the warning gives, applied.
    VpcEndpoints::new(&stack, "Endpoints", "vpc-0a1b2c3d", ["subnet-0a1b2c3d"])
        .route_tables(["rtb-0a1b2c3d"])
        .serve(&function)
        .serve(&scheduled)
        .service(EndpointService::Logs);
    assert_eq!(warnings(&app), Vec::<String>::new());
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    let endpoints = of_type(&t, "AWS::EC2::VPCEndpoint");
    let services: Vec<String> = endpoints
        .iter()
        .map(|(_, e)| {
            e["Properties"]["ServiceName"]["Fn::Sub"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let expected: Vec<String> = ["sns", "ssm", "dynamodb", "logs"]
        .iter()
        .map(|s| format!("com.amazonaws.${{AWS::Region}}.{s}"))
        .collect();
    assert_eq!(services.len(), 4, "{services:?}");
    for e in &expected {
        assert!(services.contains(e), "{services:?} lacks {e}");
    }
    for (_, e) in &endpoints {
        let p = &e["Properties"];
        assert_eq!(p["VpcId"], "vpc-0a1b2c3d");
        if p["ServiceName"]["Fn::Sub"]
            .as_str()
            .unwrap_or_default()
            .ends_with("dynamodb")
        {
            assert_eq!(p["VpcEndpointType"], "Gateway");
            assert_eq!(p["RouteTableIds"], json!(["rtb-0a1b2c3d"]));
            assert!(p.get("SubnetIds").is_none());
        } else {
            assert_eq!(p["VpcEndpointType"], "Interface");
            assert_eq!(p["PrivateDnsEnabled"], true);
            assert_eq!(p["SubnetIds"], json!(["subnet-0a1b2c3d"]));
        }
    }
    let (_, sg) = of_type(&t, "AWS::EC2::SecurityGroup")[0];
    let ingress = &sg["Properties"]["SecurityGroupIngress"];
    let sources: Vec<&Value> = ingress
        .as_array()
        .expect("ingress")
        .iter()
        .map(|r| {
            assert_eq!(
                (r["FromPort"].as_i64(), r["ToPort"].as_i64()),
                (Some(443), Some(443))
            );
            &r["SourceSecurityGroupId"]
        })
        .collect();
    assert_eq!(sources, [&json!("sg-0a1b2c3d"), &json!("sg-4e5f6a7b")]);
    assert!(!sg["Properties"].to_string().contains("0.0.0.0/0"));
}

#[test]
fn endpoints_report_what_they_cannot_build() {
    let app = App::new();
    let stack = Stack::new(&app, "Private");
    let sgs = stack.parameter(
        "SecurityGroupIds",
        Parameter::of_type("List<AWS::EC2::SecurityGroup::Id>"),
    );
    let scheduled = ScheduledLambda::new(&stack, "Sync")
        .image(IMAGE)
        .schedule(Schedule::rate(1, TimeUnit::Hours))
        .idempotency()
        .vpc(["subnet-0a1b2c3d"], &sgs);
    let outside = Function::new(&stack, "Outside").image(IMAGE);
    VpcEndpoints::new(&stack, "Endpoints", "vpc-nope", ["subnet-0a1b2c3d"])
        .serve(&scheduled)
        .serve(&outside);
    let e: Vec<String> = errors(&app)
        .iter()
        .map(|p| format!("{}: {} -- {}", p.path, p.message, p.fix))
        .collect();
    assert_eq!(e.len(), 4, "{e:?}");
    assert!(
        e.iter().any(|e| e.contains("`vpc-nope` is not a VPC id")),
        "{e:?}"
    );
    assert!(
        e.iter().any(
            |e| e.contains("gateway endpoints for dynamodb need the route tables")
                && e.contains(".route_tables(")
        ),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|e| e.contains("serves Private/Outside, which does not run in a VPC")),
        "{e:?}"
    );
    assert!(
        e.iter().any(|e| e.contains("one list-valued parameter")),
        "{e:?}"
    );
}
