//! Checks on the synthesized templates for what the moto deploy test cannot
//! see: moto's CloudFormation skips `AWS::Scheduler::Schedule`, so the
//! schedule's target, roles, retry settings and dead-letter queue are checked
//! here, from the template itself. Also: every IAM statement is scoped to
//! exact resources, and each function may publish to exactly the topics its
//! environment names. The [`alarms`] module checks that every alarm reaches
//! a person.

#[path = "wiring/alarms.rs"]
mod alarms;

use cloud_cron_contract::{SchedulerInput, TOPIC_ARN_ENV_PREFIX};
use serde_json::{json, Value};

fn templates() -> Vec<(String, Value)> {
    cloud_cron_stacks::app()
        .synth()
        .expect("examples are valid")
        .stacks
        .into_iter()
        .map(|s| (s.name, s.template.to_json()))
        .collect()
}

fn resource<'a>(t: &'a Value, id: &str) -> &'a Value {
    t["Resources"]
        .get(id)
        .unwrap_or_else(|| panic!("resource {id} is missing"))
}

/// The logical ID inside `{"Fn::GetAtt": [ID, attr]}`.
fn get_att_id<'a>(v: &'a Value, attr: &str) -> &'a str {
    let pair = v["Fn::GetAtt"]
        .as_array()
        .unwrap_or_else(|| panic!("not a GetAtt: {v}"));
    assert_eq!(pair[1], attr, "{v}");
    pair[0].as_str().expect("id")
}

fn of_type<'a>(t: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

fn statements(role: &Value) -> Vec<&Value> {
    role["Properties"]["Policies"]
        .as_array()
        .expect("policies")
        .iter()
        .flat_map(|p| {
            p["PolicyDocument"]["Statement"]
                .as_array()
                .expect("statements")
        })
        .collect()
}

#[test]
fn every_schedule_invokes_its_function_with_its_own_role_and_dlq() {
    for (stack, t) in templates() {
        let schedules = of_type(&t, "AWS::Scheduler::Schedule");
        assert!(!schedules.is_empty(), "{stack} has schedules");
        for (id, schedule) in schedules {
            let props = &schedule["Properties"];
            let target = &props["Target"];
            if target.get("EcsParameters").is_some() {
                // A FargateJob's schedule runs a task on its cluster; its
                // wiring is checked in cfn-gen/tests/private_network.
                continue;
            }
            let function_id = get_att_id(&target["Arn"], "Arn");
            assert_eq!(
                resource(&t, function_id)["Type"],
                "AWS::Serverless::Function",
                "{stack}/{id}"
            );

            let role_id = get_att_id(&target["RoleArn"], "Arn");
            let role = resource(&t, role_id);
            let trust = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
            assert_eq!(trust["Principal"]["Service"], "scheduler.amazonaws.com");
            assert_eq!(
                trust["Condition"]["StringEquals"]["aws:SourceAccount"],
                json!({"Ref": "AWS::AccountId"}),
                "confused-deputy guard on {stack}/{role_id}"
            );

            let dlq_id = get_att_id(&target["DeadLetterConfig"]["Arn"], "Arn");
            let dlq = resource(&t, dlq_id);
            assert_eq!(dlq["Type"], "AWS::SQS::Queue");
            assert!(
                dlq["Properties"].get("FifoQueue").is_none(),
                "Scheduler DLQs must be standard queues"
            );

            let allowed: Vec<(Value, Value)> = statements(role)
                .iter()
                .map(|s| (s["Action"].clone(), s["Resource"].clone()))
                .collect();
            assert_eq!(
                allowed,
                vec![
                    (
                        json!(["lambda:InvokeFunction"]),
                        json!([{"Fn::GetAtt": [function_id, "Arn"]}])
                    ),
                    (
                        json!(["sqs:SendMessage"]),
                        json!([{"Fn::GetAtt": [dlq_id, "Arn"]}])
                    ),
                ],
                "{stack}/{role_id} may do exactly this"
            );

            let retry = &target["RetryPolicy"];
            let attempts = retry["MaximumRetryAttempts"].as_u64().expect("attempts");
            let age = retry["MaximumEventAgeInSeconds"].as_u64().expect("age");
            assert!(
                attempts <= 185 && (60..=86_400).contains(&age),
                "{stack}/{id}: {retry}"
            );

            let input: SchedulerInput =
                serde_json::from_str(target["Input"].as_str().expect("input text"))
                    .expect("contract input");
            let expected = match (&input.job, &input.input) {
                (Some(job), Some(value)) => SchedulerInput::job_template(job, value.clone()),
                _ => SchedulerInput::template(),
            };
            assert_eq!(input, expected, "{stack}/{id}");

            // The function's own retry layer ends in the same dead-letter queue.
            let function = resource(&t, function_id);
            let on_failure =
                &function["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"];
            assert_eq!(on_failure["Type"], "SQS");
            assert_eq!(get_att_id(&on_failure["Destination"], "Arn"), dlq_id);
        }
    }
}

#[test]
fn functions_publish_to_exactly_the_topics_they_are_given() {
    for (stack, t) in templates() {
        for (id, function) in of_type(&t, "AWS::Serverless::Function") {
            let props = &function["Properties"];
            let mut env_topics: Vec<Value> = props["Environment"]["Variables"]
                .as_object()
                .map(|vars| {
                    vars.iter()
                        .filter(|(k, _)| k.starts_with(TOPIC_ARN_ENV_PREFIX))
                        .map(|(_, v)| v.clone())
                        .collect()
                })
                .unwrap_or_default();
            env_topics.sort_by_key(|v| v.to_string());
            let role = resource(&t, get_att_id(&props["Role"], "Arn"));
            let mut publish: Vec<Value> = statements(role)
                .iter()
                .filter(|s| s["Action"] == json!(["sns:Publish"]))
                .flat_map(|s| s["Resource"].as_array().expect("resources").clone())
                .collect();
            publish.sort_by_key(|v| v.to_string());
            assert_eq!(publish, env_topics, "{stack}/{id}");
            for topic in &publish {
                let topic_id = topic["Ref"].as_str().expect("a topic of this stack");
                assert_eq!(resource(&t, topic_id)["Type"], "AWS::SNS::Topic");
            }
        }
    }
}

#[test]
fn no_statement_grants_a_wildcard() {
    // The exceptions: ECR's login call, the watchdog's metric reads, the two
    // EC2 reads a function in a VPC needs and listing schedules have no
    // resource (type) to scope them to.
    let ecr_login = json!({
        "Sid": "EcrLoginHasNoResource",
        "Effect": "Allow",
        "Action": ["ecr:GetAuthorizationToken"],
        "Resource": ["*"]
    });
    let metric_reads = json!({
        "Sid": "MetricReadsHaveNoResource",
        "Effect": "Allow",
        "Action": ["cloudwatch:GetMetricData"],
        "Resource": ["*"]
    });
    let vpc_describes = json!({
        "Sid": "VpcDescribesHaveNoResource",
        "Effect": "Allow",
        "Action": ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
        "Resource": ["*"]
    });
    let list_schedules = json!({
        "Sid": "ListSchedulesHasNoResourceType",
        "Effect": "Allow",
        "Action": ["scheduler:ListSchedules"],
        "Resource": ["*"]
    });
    for (stack, t) in templates() {
        for (id, role) in of_type(&t, "AWS::IAM::Role") {
            for s in statements(role) {
                if *s == ecr_login
                    || *s == metric_reads
                    || *s == vpc_describes
                    || *s == list_schedules
                {
                    continue;
                }
                let text = s.to_string();
                assert!(
                    !text.contains("\"*\""),
                    "{stack}/{id} grants a wildcard: {text}"
                );
                for action in s["Action"].as_array().expect("actions") {
                    assert!(
                        !action.as_str().expect("action").ends_with(":*"),
                        "{stack}/{id}: {action}"
                    );
                }
            }
        }
    }
}

#[test]
fn erp_jobs_share_one_function_role_queue_and_group() {
    let (_, t) = templates()
        .into_iter()
        .find(|(name, _)| name == "ErpSchedules")
        .expect("ErpSchedules");
    let all = of_type(&t, "AWS::Scheduler::Schedule");
    // The stack's other schedules: the month-end Fargate job and the
    // watchdog that checks the jobs' runs.
    let owner = |s: &Value| {
        s["Metadata"]["cloudCron"]["path"]
            .as_str()
            .map(str::to_owned)
    };
    let others: Vec<Option<String>> = all
        .iter()
        .filter(|(_, s)| owner(s).as_deref() != Some("ErpSchedules/OdooJobs"))
        .map(|(_, s)| owner(s))
        .collect();
    assert_eq!(
        others,
        [
            Some("ErpSchedules/MonthEndClose".to_owned()),
            Some("ErpSchedules/MissedRunWatchdog".to_owned())
        ]
    );
    let schedules: Vec<_> = all
        .into_iter()
        .filter(|(_, s)| owner(s).as_deref() == Some("ErpSchedules/OdooJobs"))
        .collect();
    let jobs: Vec<&str> = schedules
        .iter()
        .map(|(_, s)| s["Metadata"]["cloudCron"]["job"].as_str().expect("a job"))
        .collect();
    assert_eq!(
        jobs,
        ["send-invoices", "email-queue", "nightly-replenishment",]
    );
    let groups = of_type(&t, "AWS::Scheduler::ScheduleGroup");
    assert_eq!(groups.len(), 1);
    let mut shared = std::collections::BTreeSet::new();
    for (id, schedule) in &schedules {
        let props = &schedule["Properties"];
        assert_eq!(props["GroupName"], json!({"Ref": groups[0].0}), "{id}");
        assert_eq!(props["ScheduleExpressionTimezone"], "Europe/London", "{id}");
        assert!(
            !props["ScheduleExpression"]
                .as_str()
                .unwrap_or("")
                .starts_with("at("),
            "{id}: no one-time date that will pass"
        );
        shared.insert((
            props["Target"]["Arn"].to_string(),
            props["Target"]["RoleArn"].to_string(),
            props["Target"]["DeadLetterConfig"]["Arn"].to_string(),
        ));
    }
    assert_eq!(
        shared.len(),
        1,
        "one function, one Scheduler role, one queue: {shared:?}"
    );
    // The password: exactly its SSM parameter, by reference only.
    let text = t.to_string();
    assert!(text.contains("ssm:/erp/odoo/password"));
    assert!(
        text.contains(":parameter/erp/odoo/password"),
        "ssm:GetParameter on that parameter"
    );
}

#[test]
fn nothing_has_a_fixed_physical_name() {
    // One template must deploy twice into one account and region: names are
    // generated, references (an event source's FunctionName), or derived
    // from the stack's name.
    let names = [
        "TopicName",
        "QueueName",
        "FunctionName",
        "RoleName",
        "Name",
        "LogGroupName",
    ];
    for (stack, t) in templates() {
        for (id, r) in t["Resources"].as_object().expect("resources") {
            // An HTTP API authorizer's (required) name is scoped to its API, not the account.
            if r["Type"] == "AWS::ApiGatewayV2::Authorizer" {
                continue;
            }
            for name in names {
                assert!(
                    !r["Properties"].get(name).is_some_and(Value::is_string),
                    "{stack}/{id} sets {name}"
                );
            }
        }
    }
}

#[test]
fn every_dead_letter_queue_has_an_alarm_on_its_depth() {
    for (stack, t) in templates() {
        let alarms = of_type(&t, "AWS::CloudWatch::Alarm");
        // Dead-letter queues are the queues that redrive nowhere themselves.
        let dlqs = of_type(&t, "AWS::SQS::Queue")
            .into_iter()
            .filter(|(_, q)| q["Properties"].get("RedrivePolicy").is_none());
        for (dlq_id, _) in dlqs {
            let watching: Vec<&Value> = alarms
                .iter()
                .map(|(_, a)| &a["Properties"])
                .filter(|a| {
                    a["Dimensions"][0]["Value"] == json!({"Fn::GetAtt": [dlq_id, "QueueName"]})
                })
                .collect();
            assert_eq!(watching.len(), 1, "{stack}/{dlq_id} has one alarm");
            let a = watching[0];
            assert_eq!(a["Namespace"], "AWS/SQS");
            assert_eq!(a["MetricName"], "ApproximateNumberOfMessagesVisible");
            assert_eq!(a["ComparisonOperator"], "GreaterThanThreshold");
            assert_eq!(a["Threshold"], json!(0.0));
        }
    }
}

#[test]
fn idempotency_tables_match_the_runtime_contract() {
    use cloud_cron_contract::{
        IDEMPOTENCY_KEY_ATTRIBUTE, IDEMPOTENCY_TABLE_ENV, IDEMPOTENCY_TTL_ATTRIBUTE,
    };
    let mut seen = 0;
    for (stack, t) in templates() {
        for (id, function) in of_type(&t, "AWS::Serverless::Function") {
            let props = &function["Properties"];
            let Some(table_ref) = props["Environment"]["Variables"].get(IDEMPOTENCY_TABLE_ENV)
            else {
                continue;
            };
            seen += 1;
            let table_id = table_ref["Ref"].as_str().expect("a table of this stack");
            let table = &resource(&t, table_id)["Properties"];
            assert_eq!(
                table["KeySchema"],
                json!([{"AttributeName": IDEMPOTENCY_KEY_ATTRIBUTE, "KeyType": "HASH"}])
            );
            assert_eq!(
                table["AttributeDefinitions"],
                json!([{"AttributeName": IDEMPOTENCY_KEY_ATTRIBUTE, "AttributeType": "S"}])
            );
            assert_eq!(
                table["TimeToLiveSpecification"],
                json!({"AttributeName": IDEMPOTENCY_TTL_ATTRIBUTE, "Enabled": true})
            );
            assert_eq!(
                table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
                true
            );
            assert_eq!(table["SSESpecification"]["SSEEnabled"], true);
            let role = resource(&t, get_att_id(&props["Role"], "Arn"));
            let on_table: Vec<&Value> = statements(role)
                .into_iter()
                .filter(|s| s["Resource"] == json!([{"Fn::GetAtt": [table_id, "Arn"]}]))
                .collect();
            assert_eq!(on_table.len(), 1, "{stack}/{id}");
            assert_eq!(
                on_table[0]["Action"],
                json!([
                    "dynamodb:DeleteItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem"
                ]),
                "{stack}/{id}: exactly what the guard calls"
            );
        }
    }
    assert!(seen > 0, "an example uses the idempotency guard");
}

#[test]
fn every_channel_is_wired_topic_to_queue_to_function() {
    use cloud_cron_contract::notifier::{ChannelConfig, SecretRef, CHANNEL_ENV};
    let mut seen = 0;
    let mut work_queues = 0;
    for (stack, t) in templates() {
        for (id, mapping) in of_type(&t, "AWS::Lambda::EventSourceMapping") {
            seen += 1;
            let m = &mapping["Properties"];
            assert_eq!(
                m["FunctionResponseTypes"],
                json!(["ReportBatchItemFailures"]),
                "{stack}/{id}"
            );
            assert!(
                m["BatchSize"].as_u64().expect("batch size") <= 10,
                "{stack}/{id}"
            );
            let queue_id = get_att_id(&m["EventSourceArn"], "Arn");
            let queue = &resource(&t, queue_id)["Properties"];
            let function_id = m["FunctionName"]["Ref"].as_str().expect("function ref");
            let function = &resource(&t, function_id)["Properties"];

            // The queue: redrive to a dead-letter queue of its own type, visibility >= 6x timeout.
            let fifo = queue.get("FifoQueue") == Some(&json!(true));
            let dlq_id = get_att_id(&queue["RedrivePolicy"]["deadLetterTargetArn"], "Arn");
            let dlq = &resource(&t, dlq_id)["Properties"];
            assert_eq!(
                dlq.get("FifoQueue") == Some(&json!(true)),
                fifo,
                "{stack}/{dlq_id}"
            );
            let timeout = function["Timeout"].as_u64().expect("timeout");
            assert!(queue["VisibilityTimeout"].as_u64().expect("visibility") >= 6 * timeout);
            assert_eq!(queue["SqsManagedSseEnabled"], true);

            // Exactly one raw subscription feeds it, from a topic of the same type,
            // and the queue policy lets exactly that topic send.
            let subs: Vec<&Value> = of_type(&t, "AWS::SNS::Subscription")
                .into_iter()
                .map(|(_, s)| &s["Properties"])
                .filter(|s| s["Endpoint"] == json!({"Fn::GetAtt": [queue_id, "Arn"]}))
                .collect();
            if function["Environment"]["Variables"]
                .get(CHANNEL_ENV)
                .is_none()
            {
                // A work queue (a WorkQueue, a SyncPipeline's queue): producers
                // send to it, no topic does. The rest is a channel's wiring.
                assert!(subs.is_empty(), "{stack}/{queue_id} is a work queue");
                work_queues += 1;
                continue;
            }
            assert_eq!(subs.len(), 1, "{stack}/{queue_id} has one subscription");
            let sub = subs[0];
            assert_eq!(sub["Protocol"], "sqs");
            assert_eq!(sub["RawMessageDelivery"], true);
            let topic_id = sub["TopicArn"]["Ref"].as_str().expect("topic ref");
            let topic_fifo =
                resource(&t, topic_id)["Properties"].get("FifoTopic") == Some(&json!(true));
            assert_eq!(
                topic_fifo, fifo,
                "{stack}/{queue_id}: queue type follows the topic"
            );
            let policies: Vec<&Value> = of_type(&t, "AWS::SQS::QueuePolicy")
                .into_iter()
                .map(|(_, p)| &p["Properties"])
                .filter(|p| {
                    p["Queues"]
                        .as_array()
                        .expect("queues")
                        .contains(&json!({"Ref": queue_id}))
                })
                .collect();
            assert_eq!(policies.len(), 1);
            let statement = &policies[0]["PolicyDocument"]["Statement"][0];
            assert_eq!(statement["Principal"]["Service"], "sns.amazonaws.com");
            assert_eq!(statement["Action"], json!(["sqs:SendMessage"]));
            assert_eq!(
                statement["Condition"]["ArnEquals"]["aws:SourceArn"],
                json!({"Ref": topic_id})
            );

            // The function reads exactly its queue and its own secrets.
            let vars = &function["Environment"]["Variables"];
            let config: ChannelConfig =
                serde_json::from_str(vars[CHANNEL_ENV].as_str().expect("channel settings"))
                    .expect("channel settings follow the contract");
            let role_id = get_att_id(&function["Role"], "Arn");
            let role = resource(&t, role_id);
            let receive = statements(role)
                .into_iter()
                .find(|s| {
                    s["Action"]
                        .as_array()
                        .expect("actions")
                        .contains(&json!("sqs:ReceiveMessage"))
                })
                .expect("receive statement");
            assert_eq!(
                receive["Resource"],
                json!([{"Fn::GetAtt": [queue_id, "Arn"]}])
            );
            for name in config.secrets() {
                let reference: SecretRef = vars[name.env_var()]
                    .as_str()
                    .expect("secret reference")
                    .parse()
                    .expect("a secret reference, never a value");
                let SecretRef::Ssm { name: parameter } = reference else {
                    continue;
                };
                let arn = json!({"Fn::Sub": format!(
                    "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{}",
                    parameter.trim_start_matches('/')
                )});
                assert!(
                    statements(role)
                        .iter()
                        .any(|s| s["Action"] == json!(["ssm:GetParameter"])
                            && s["Resource"].as_array().expect("resources").contains(&arn)),
                    "{stack}/{role_id} may read {parameter}"
                );
            }
        }
    }
    assert!(seen >= 2, "the examples have channels");
    assert_eq!(
        work_queues, 3,
        "TimeTracking's two work queues and OdooSync's pipeline queue"
    );
}

#[test]
fn time_tracking_routes_each_signed_webhook_into_its_work_queue() {
    use cloud_cron_contract::webhook::{QUEUE_URL_ENV, SECRETS_ENV, SETTINGS_ENV};
    use cloud_cron_stacks::time_tracking::{WEBHOOK_PATHS, WEBHOOK_SECRET};
    let (_, t) = templates()
        .into_iter()
        .find(|(name, _)| name == "TimeTracking")
        .expect("TimeTracking");
    let routes = of_type(&t, "AWS::ApiGatewayV2::Route");
    assert_eq!(routes.len(), WEBHOOK_PATHS.len());
    for (path, queue) in WEBHOOK_PATHS {
        let (_, route) = routes
            .iter()
            .find(|(_, r)| r["Properties"]["RouteKey"] == format!("POST {path}"))
            .unwrap_or_else(|| panic!("a route for {path}"));
        // Route -> integration -> receiver function.
        let integration_id = route["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]
            .as_str()
            .expect("integration ref");
        let integration = &resource(&t, integration_id)["Properties"];
        let receiver_id = get_att_id(&integration["IntegrationUri"], "Arn");
        let receiver = &resource(&t, receiver_id)["Properties"];
        let vars = &receiver["Environment"]["Variables"];
        // Receiver -> exactly its queue, verified with the secret by reference.
        let queue_id = vars[QUEUE_URL_ENV]["Ref"].as_str().expect("queue ref");
        assert!(
            queue_id.starts_with(queue),
            "{path} feeds {queue}: {queue_id}"
        );
        assert_eq!(vars[SECRETS_ENV], format!("ssm:{WEBHOOK_SECRET}"));
        let settings: Value =
            serde_json::from_str(vars[SETTINGS_ENV].as_str().expect("settings")).expect("JSON");
        assert_eq!(settings["verification"]["mode"], "hmac");
        assert_eq!(settings["eventId"], json!({"header": "X-Tracker-Event-Id"}));
        let role = resource(&t, get_att_id(&receiver["Role"], "Arn"));
        let send: Vec<&Value> = statements(role)
            .into_iter()
            .filter(|s| s["Action"].to_string().contains("sqs:"))
            .collect();
        assert_eq!(send.len(), 1, "{path}");
        assert_eq!(send[0]["Action"], json!(["sqs:SendMessage"]));
        assert_eq!(
            send[0]["Resource"],
            json!([{"Fn::GetAtt": [queue_id, "Arn"]}])
        );
        // The work queue is FIFO and dead-letters after 5 receives.
        let q = &resource(&t, queue_id)["Properties"];
        assert_eq!(q["FifoQueue"], true);
        assert_eq!(q["RedrivePolicy"]["maxReceiveCount"], 5);
    }
    // Every alarm of the stack goes to its ops topic.
    let ops = json!([{"Ref": of_type(&t, "AWS::SNS::Topic")[0].0}]);
    let alarms = of_type(&t, "AWS::CloudWatch::Alarm");
    assert!(alarms.len() >= 20);
    for (id, alarm) in alarms {
        assert_eq!(alarm["Properties"]["AlarmActions"], ops, "{id}");
    }
    assert_eq!(of_type(&t, "AWS::DynamoDB::Table").len(), 4);
    let mut schedules: Vec<&str> = of_type(&t, "AWS::Scheduler::Schedule")
        .into_iter()
        .map(|(_, s)| {
            s["Properties"]["ScheduleExpression"]
                .as_str()
                .expect("expression")
        })
        .collect();
    schedules.sort_unstable();
    assert_eq!(
        schedules,
        // The pollers, the stack's missed-run watchdog, the cleanup.
        [
            "rate(1 minute)",
            "rate(1 minute)",
            "rate(15 minutes)",
            "rate(45 days)"
        ]
    );
}

#[test]
fn reminders_wire_the_api_and_the_follow_ups_to_one_schedule_group() {
    let (_, t) = templates()
        .into_iter()
        .find(|(name, _)| name == "Reminders")
        .expect("the Reminders stack");
    // The one-off schedules' group (the stack's own group, `ScheduleGroup`,
    // holds the template's schedules).
    let groups: Vec<_> = of_type(&t, "AWS::Scheduler::ScheduleGroup")
        .into_iter()
        .filter(|(id, _)| !id.starts_with("ScheduleGroup"))
        .collect();
    assert_eq!(groups.len(), 1);
    let group_ref = json!({"Ref": groups[0].0});
    let roles = of_type(&t, "AWS::IAM::Role");
    let delivery = roles
        .iter()
        .find(|(id, _)| id.starts_with("RemindersDeliveryRole"))
        .expect("the delivery role");
    let delivery_arn = json!({"Fn::GetAtt": [delivery.0, "Arn"]});
    // Both the API handler and the follow-up task manage the group, pass
    // exactly the delivery role, and are told the group in the environment.
    let functions = of_type(&t, "AWS::Serverless::Function");
    for prefix in ["ApiHandler", "FollowUpsFunction"] {
        let (id, f) = functions
            .iter()
            .find(|(id, _)| id.starts_with(prefix))
            .expect("function");
        let env = &f["Properties"]["Environment"]["Variables"];
        assert_eq!(env["CLOUDCRON_ONE_OFF_GROUP"], group_ref, "{id}");
        assert_eq!(env["CLOUDCRON_ONE_OFF_ROLE_ARN"], delivery_arn, "{id}");
        let role_id = f["Properties"]["Role"]["Fn::GetAtt"][0]
            .as_str()
            .expect("role");
        let (_, role) = roles.iter().find(|(r, _)| *r == role_id).expect("its role");
        let pass = statements(role)
            .into_iter()
            .find(|s| s["Action"] == json!(["iam:PassRole"]))
            .expect("iam:PassRole");
        assert_eq!(pass["Resource"], json!([delivery_arn]), "{id}");
    }
    // The delivery role reaches exactly the due-reminders topic and the DLQ.
    let actions: Vec<Value> = statements(delivery.1)
        .iter()
        .map(|s| s["Action"].clone())
        .collect();
    assert_eq!(
        actions,
        [json!(["sns:Publish"]), json!(["sqs:SendMessage"])]
    );
    // Every copy of one firing is one email whichever container gets it:
    // the email channel records delivered ids in a table.
    let (_, email) = functions
        .iter()
        .find(|(id, _)| id.starts_with("ReminderEmail"))
        .expect("the email channel's function");
    assert!(
        email["Properties"]["Environment"]["Variables"]
            .get("CLOUDCRON_DEDUP_TABLE")
            .is_some(),
        "{email}"
    );
}
