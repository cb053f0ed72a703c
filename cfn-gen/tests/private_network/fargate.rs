//! `FargateJob`: the wiring of its cluster, task definition, roles,
//! schedule, dead-letter queue, failed-task rule and alarms, its checks,
//! and the suggestion to use it for a 900 s Lambda.

use std::time::Duration;

use cfn_gen::resources::iam::Statement;
use cfn_gen::{
    App, BuiltinFunctions, FargateJob, ImageRepublish, OpsTopic, Schedule, ScheduledLambda,
    SecretRef, Stack, TimeUnit, Topic, Value as CfnValue, VpcEndpoints,
};
use serde_json::{json, Value};

use super::{errors, of_type};

const IMAGE: &str = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/erp-jobs@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";
const KEY: &str = "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn job(stack: &Stack) -> FargateJob {
    let results = Topic::standard(stack, "Results");
    FargateJob::new(stack, "MonthEnd")
        .image(IMAGE)
        .schedule(Schedule::cron("0 2 1 * ? *").in_time_zone("Europe/London"))
        .cpu_memory(2048, 8192)
        .vpc(["subnet-0a1b2c3d"], ["sg-0a1b2c3d"])
        .command(["erp-job", "month-end"])
        .env("ERP_JOB", "month-end-close")
        .secret("ODOO_PASSWORD", SecretRef::ssm("/erp/odoo/password"))
        .secret_with_key(
            "ODOO_API_KEY",
            SecretRef::secrets_manager("erp/odoo-api-key"),
            KEY,
        )
        .publishes_to("results", &results)
}

fn resource<'a>(t: &'a Value, ty: &str, id_part: &str) -> &'a Value {
    of_type(t, ty)
        .into_iter()
        .find(|(id, _)| id.contains(id_part))
        .unwrap_or_else(|| panic!("no {ty} named *{id_part}*"))
        .1
}

fn statements(role: &Value) -> Vec<Value> {
    role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_fargate_job_is_wired_with_least_privilege() {
    let app = App::new();
    let stack = Stack::new(&app, "Erp");
    let ops = OpsTopic::new(&stack, "Ops");
    stack.alarms_to(&ops);
    job(&stack);
    let t = app.synth().expect("valid").stacks[0].template.to_json();

    let cluster = resource(&t, "AWS::ECS::Cluster", "MonthEnd");
    assert_eq!(
        cluster["Properties"]["ClusterSettings"],
        json!([{"Name": "containerInsights", "Value": "enabled"}])
    );
    let (td_id, td) = of_type(&t, "AWS::ECS::TaskDefinition")[0];
    let p = &td["Properties"];
    assert_eq!(
        (p["Cpu"].as_str(), p["Memory"].as_str()),
        (Some("2048"), Some("8192"))
    );
    assert_eq!(p["NetworkMode"], "awsvpc");
    assert_eq!(p["RequiresCompatibilities"], json!(["FARGATE"]));
    assert_eq!(
        p["Family"],
        json!({"Fn::Sub": format!("${{AWS::StackName}}-{td_id}")})
    );
    let c = &p["ContainerDefinitions"][0];
    assert_eq!(c["Image"], IMAGE);
    assert_eq!(c["Command"], json!(["erp-job", "month-end"]));
    assert_eq!(c["ReadonlyRootFilesystem"], true);
    assert_eq!(c["LogConfiguration"]["LogDriver"], "awslogs");
    assert_eq!(
        c["Secrets"],
        json!([
            {"Name": "ODOO_API_KEY", "ValueFrom": {"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:erp/odoo-api-key"}},
            {"Name": "ODOO_PASSWORD", "ValueFrom": {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/erp/odoo/password"}}
        ])
    );
    let env = c["Environment"].to_string();
    assert!(
        env.contains("SNS_TOPIC_ARN_RESULTS") && env.contains("month-end-close"),
        "{env}"
    );

    // Execution role: pull exactly the repository, logs on exactly the group, the secrets.
    let exec = statements(resource(&t, "AWS::IAM::Role", "ExecutionRole"));
    let exec_text = serde_json::to_string(&exec).expect("json");
    assert!(
        exec.iter()
            .any(|s| s["Action"] == json!(["ecr:GetAuthorizationToken"])
                && s["Resource"] == json!(["*"])),
        "{exec_text}"
    );
    let pull = exec
        .iter()
        .find(|s| s["Action"].to_string().contains("ecr:BatchGetImage"))
        .expect("pull");
    assert_eq!(
        pull["Resource"],
        json!(["arn:aws:ecr:eu-west-2:123456789012:repository/erp-jobs"])
    );
    let logs = exec
        .iter()
        .find(|s| s["Action"] == json!(["logs:CreateLogStream", "logs:PutLogEvents"]))
        .expect("logs");
    let log_group = of_type(&t, "AWS::Logs::LogGroup")[0].0;
    assert_eq!(
        logs["Resource"],
        json!([{"Fn::GetAtt": [log_group, "Arn"]}])
    );
    assert!(exec_text.contains("ssm:GetParameters"), "{exec_text}");
    assert!(
        exec_text.contains("secret:erp/odoo-api-key-??????"),
        "{exec_text}"
    );
    assert!(
        exec.iter()
            .any(|s| s["Action"] == json!(["kms:Decrypt"]) && s["Resource"] == json!([KEY])),
        "{exec_text}"
    );
    assert!(
        !exec_text.contains("sns:"),
        "the code's grants are not ECS's: {exec_text}"
    );

    // Task role: what the code does, only.
    let task = statements(resource(&t, "AWS::IAM::Role", "TaskRole"));
    assert_eq!(task.len(), 1, "{task:?}");
    assert_eq!(task[0]["Action"], json!(["sns:Publish"]));

    // The schedule starts exactly this family in exactly this cluster.
    let schedule = resource(&t, "AWS::Scheduler::Schedule", "MonthEnd");
    let target = &schedule["Properties"]["Target"];
    let cluster_id = of_type(&t, "AWS::ECS::Cluster")[0].0;
    assert_eq!(target["Arn"], json!({"Fn::GetAtt": [cluster_id, "Arn"]}));
    let ecs = &target["EcsParameters"];
    assert_eq!(ecs["TaskDefinitionArn"], json!({"Ref": td_id}));
    assert_eq!(ecs["LaunchType"], "FARGATE");
    assert_eq!(
        ecs["NetworkConfiguration"]["AwsvpcConfiguration"],
        json!({"Subnets": ["subnet-0a1b2c3d"], "SecurityGroups": ["sg-0a1b2c3d"], "AssignPublicIp": "DISABLED"})
    );
    assert_eq!(target["RetryPolicy"]["MaximumRetryAttempts"], 185);
    let dlq_id = of_type(&t, "AWS::SQS::Queue")
        .into_iter()
        .find(|(id, _)| id.contains("MonthEnd"))
        .expect("dlq")
        .0;
    assert_eq!(
        target["DeadLetterConfig"]["Arn"],
        json!({"Fn::GetAtt": [dlq_id, "Arn"]})
    );
    assert_eq!(
        schedule["Properties"]["ScheduleExpressionTimezone"],
        "Europe/London"
    );

    let run = statements(resource(&t, "AWS::IAM::Role", "ScheduleRole"));
    let run_task = run
        .iter()
        .find(|s| s["Action"] == json!(["ecs:RunTask"]))
        .expect("RunTask");
    assert_eq!(
        run_task["Resource"],
        json!([{"Fn::Sub": format!("arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:task-definition/${{AWS::StackName}}-{td_id}:*")}])
    );
    assert_eq!(
        run_task["Condition"]["ArnEquals"]["ecs:cluster"],
        json!({"Fn::GetAtt": [cluster_id, "Arn"]})
    );
    let pass = run
        .iter()
        .find(|s| s["Action"] == json!(["iam:PassRole"]))
        .expect("PassRole");
    let roles: Vec<&str> = pass["Resource"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|r| r["Fn::GetAtt"][0].as_str())
        .collect();
    assert_eq!(roles.len(), 2);
    assert!(
        roles[0].contains("ExecutionRole") && roles[1].contains("TaskRole"),
        "{roles:?}"
    );
    assert_eq!(
        pass["Condition"]["StringEquals"]["iam:PassedToService"],
        "ecs-tasks.amazonaws.com"
    );
    assert!(run
        .iter()
        .any(|s| s["Action"] == json!(["sqs:SendMessage"])));
    assert_eq!(run.len(), 3, "{run:?}");

    // A failed task's stop event goes to the dead-letter queue; both alarm.
    let rule = resource(&t, "AWS::Events::Rule", "FailedTask");
    let pattern = &rule["Properties"]["EventPattern"];
    assert_eq!(pattern["source"], json!(["aws.ecs"]));
    assert_eq!(pattern["detail"]["lastStatus"], json!(["STOPPED"]));
    assert_eq!(
        pattern["detail"]["clusterArn"],
        json!([{"Fn::GetAtt": [cluster_id, "Arn"]}])
    );
    assert!(pattern["detail"]["$or"]
        .to_string()
        .contains("anything-but"));
    assert_eq!(
        rule["Properties"]["Targets"][0]["Arn"],
        json!({"Fn::GetAtt": [dlq_id, "Arn"]})
    );
    let policy = resource(&t, "AWS::SQS::QueuePolicy", "MonthEnd");
    let statement = &policy["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(
        statement["Principal"],
        json!({"Service": "events.amazonaws.com"})
    );
    assert!(
        statement["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::GetAtt"][0]
            .as_str()
            .is_some_and(|id| id.contains("FailedTaskRule"))
    );
    let alarms = of_type(&t, "AWS::CloudWatch::Alarm");
    let metrics: Vec<(&str, &str)> = alarms
        .iter()
        .filter(|(id, _)| id.contains("MonthEnd"))
        .map(|(_, a)| {
            assert!(
                a["Properties"]["AlarmActions"]
                    .as_array()
                    .is_some_and(|x| !x.is_empty()),
                "routed"
            );
            (
                a["Properties"]["Namespace"].as_str().unwrap_or_default(),
                a["Properties"]["MetricName"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        metrics.contains(&("AWS/SQS", "ApproximateNumberOfMessagesVisible")),
        "{metrics:?}"
    );
    assert!(
        metrics.contains(&("AWS/Events", "FailedInvocations")),
        "{metrics:?}"
    );
}

#[test]
fn a_given_cluster_and_a_republished_image_are_used() {
    let app = App::new().builtin_functions(BuiltinFunctions::default().image_copier(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../runtime/image-copier"
    )));
    let stack = Stack::new(&app, "Erp");
    let image = ImageRepublish::new(&stack, "Image").source(
        "123456789012.dkr.ecr.eu-west-2.amazonaws.com/vendor",
        "sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d",
    );
    FargateJob::new(&stack, "Job")
        .image(&image)
        .schedule(Schedule::rate(1, TimeUnit::Days))
        .vpc(["subnet-0a1b2c3d"], ["sg-0a1b2c3d"])
        .cluster("arn:aws:ecs:eu-west-2:123456789012:cluster/shared");
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    assert!(of_type(&t, "AWS::ECS::Cluster").is_empty());
    let schedule = resource(&t, "AWS::Scheduler::Schedule", "Job");
    assert_eq!(
        schedule["Properties"]["Target"]["Arn"],
        "arn:aws:ecs:eu-west-2:123456789012:cluster/shared"
    );
    let exec = statements(resource(&t, "AWS::IAM::Role", "ExecutionRole"));
    let pull = exec
        .iter()
        .find(|s| s["Action"].to_string().contains("ecr:BatchGetImage"))
        .expect("pull");
    assert!(
        pull["Resource"][0]["Fn::GetAtt"][0]
            .as_str()
            .is_some_and(|id| id.starts_with("ImageRepository")),
        "{pull}"
    );
}

#[test]
fn a_fargate_job_is_checked_with_fixes_that_work() {
    let problems = |f: &dyn Fn(FargateJob) -> FargateJob| {
        let app = App::new();
        let stack = Stack::new(&app, "Erp");
        f(FargateJob::new(&stack, "Job"));
        errors(&app)
            .iter()
            .map(|p| format!("{}: {} -- {}", p.path, p.message, p.fix))
            .collect::<Vec<_>>()
    };
    let e = problems(&|j| j);
    assert!(
        e.iter()
            .any(|e| e.starts_with("Erp/Job: the job has no image")),
        "{e:?}"
    );
    assert!(
        e.iter().any(|e| e.contains("the job has no schedule")),
        "{e:?}"
    );
    assert!(
        e.iter().any(|e| e.contains("Fargate tasks run in a VPC")),
        "{e:?}"
    );
    let ok = |j: FargateJob| {
        j.image(IMAGE)
            .schedule(Schedule::cron("0 2 L * ? *"))
            .vpc(["subnet-0123456789abcdef0"], ["sg-0123456789abcdef0"])
    };
    assert_eq!(problems(&|j| ok(j)), Vec::<String>::new());
    let e = problems(&|j| ok(j).cpu_memory(1024, 1024));
    assert_eq!(e, ["Erp/Job: 1024 CPU units with 1024 MiB is not a size Fargate runs -- with 1024 CPU units pass 2048 to 8192 MiB in steps of 1024 to .cpu_memory()"]);
    assert!(problems(&|j| ok(j).cpu_memory(1024, 2048)).is_empty());
    let e = problems(&|j| ok(j).cpu_memory(3000, 2048));
    assert!(e[0].contains("pass CPU units of [256, 512"), "{e:?}");
    let e = problems(&|j| ok(j).image("docker.io/library/busybox:1"));
    assert!(e[0].contains("is not a private ECR image"), "{e:?}");
    let e = problems(&|j| ok(j).env("API_TOKEN", "hunter2hunter2hunter2"));
    assert!(e[0].contains("looks like a secret"), "{e:?}");
    let e = problems(&|j| ok(j).grant(Statement::allow(["s3:*"], vec![CfnValue::from("*")])));
    assert_eq!(e.len(), 2, "{e:?}");
    let e = problems(&|j| ok(j).schedule_retries(200, Duration::from_secs(30)));
    assert_eq!(e.len(), 2, "{e:?}");
    let e = problems(&|j| {
        ok(j).secret_with_key(
            "ODOO_PASSWORD",
            SecretRef::ssm("/erp/odoo/password"),
            "alias/erp",
        )
    });
    assert!(e[0].contains("`alias/erp` is not a KMS key ARN"), "{e:?}");
    let e = problems(&|j| ok(j).log_retention_days(2));
    assert!(e[0].contains("log retention of 2 days"), "{e:?}");
}

#[test]
fn a_fargate_job_in_private_subnets_is_warned_until_endpoints_serve_it() {
    let app = App::new();
    let stack = Stack::new(&app, "Erp");
    let job = job(&stack);
    let w: Vec<String> = app
        .synth()
        .expect("valid")
        .warnings
        .iter()
        .filter(|p| p.path == "Erp/MonthEnd")
        .map(|p| format!("{} -- {}", p.message, p.fix))
        .collect();
    assert_eq!(w.len(), 1, "{w:?}");
    for service in [
        "sns",
        "ssm",
        "secretsmanager",
        "kms",
        "logs",
        "ecr.api",
        "ecr.dkr",
        "s3",
    ] {
        assert!(w[0].contains(service), "{service}: {w:?}");
    }
    assert!(w[0].contains(".serve(&job)"), "{w:?}");
    VpcEndpoints::new(&stack, "Endpoints", "vpc-0a1b2c3d", ["subnet-0a1b2c3d"])
        .route_tables(["rtb-0a1b2c3d"])
        .serve(&job);
    let synthesis = app.synth().expect("valid");
    assert!(
        !synthesis.warnings.iter().any(|p| p.path == "Erp/MonthEnd"),
        "{:?}",
        synthesis.warnings
    );
    let t = synthesis.stacks[0].template.to_json();
    assert_eq!(of_type(&t, "AWS::EC2::VPCEndpoint").len(), 8);
}

#[test]
fn a_lambda_at_the_900_s_limit_is_pointed_to_fargate() {
    let app = App::new();
    let stack = Stack::new(&app, "Erp");
    ScheduledLambda::new(&stack, "Close")
        .image(IMAGE)
        .schedule(Schedule::rate(1, TimeUnit::Days))
        .timeout(Duration::from_secs(900));
    ScheduledLambda::new(&stack, "Short")
        .image(IMAGE)
        .schedule(Schedule::rate(1, TimeUnit::Days))
        .timeout(Duration::from_secs(899));
    let w: Vec<String> = app
        .synth()
        .expect("valid")
        .warnings
        .iter()
        .filter(|p| p.message.contains("900 s"))
        .map(|p| format!("{}: {} -- {}", p.path, p.message, p.fix))
        .collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with("Erp/Close: "), "{w:?}");
    assert!(w[0].contains("FargateJob::new(&stack, ID)"), "{w:?}");
}

#[test]
fn stack_tags_reach_the_job_and_endpoint_resources() {
    let app = App::new();
    let stack = Stack::new(&app, "Erp");
    stack.tag("team", "erp");
    let job = job(&stack);
    VpcEndpoints::new(&stack, "Endpoints", "vpc-0a1b2c3d", ["subnet-0a1b2c3d"])
        .route_tables(["rtb-0a1b2c3d"])
        .serve(&job);
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    for ty in [
        "AWS::ECS::Cluster",
        "AWS::ECS::TaskDefinition",
        "AWS::EC2::SecurityGroup",
        "AWS::Events::Rule",
    ] {
        for (id, r) in of_type(&t, ty) {
            assert_eq!(
                r["Properties"]["Tags"],
                json!([{"Key": "team", "Value": "erp"}]),
                "{id} ({ty})"
            );
        }
    }
}
