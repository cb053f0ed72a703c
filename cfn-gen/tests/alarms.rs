//! Nothing fails silently: where alarms go (`Stack::alarms_to`, `.alarm_to`),
//! the targets CloudWatch cannot publish to, the warning for alarms without
//! an action, the Lambda alarms, and the `OpsTopic` key policy.

use cfn_gen::{
    App, BuiltinFunctions, DeadLetterQueue, NotificationChannel, OpsTopic, Problem, Schedule,
    ScheduledLambda, Severity, Stack, TimeUnit, Topic,
};
use serde_json::{json, Value};

const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";
const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn new_app() -> App {
    App::new().builtin_functions(BuiltinFunctions::package(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../notifiers"
    )))
}

fn job(stack: &Stack, id: &str) -> ScheduledLambda {
    ScheduledLambda::new(stack, id)
        .image(IMAGE)
        .schedule(Schedule::rate(1, TimeUnit::Hours))
}

fn channel(stack: &Stack, id: &str, topic: &Topic) -> NotificationChannel<cfn_gen::Email> {
    NotificationChannel::email(stack, id, topic)
        .from("me@example.com")
        .to(["ops@example.com"])
        .subject("{{ task }}")
        .text("{{ payload }}")
}

fn errors(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.errors().cloned().collect(),
    }
}

fn alarms(t: &Value) -> Vec<(String, Value)> {
    t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::CloudWatch::Alarm")
        .map(|(id, r)| (id.clone(), r["Properties"].clone()))
        .collect()
}

fn one_error<'a>(errors: &'a [Problem], needle: &str) -> &'a Problem {
    let found: Vec<&Problem> = errors
        .iter()
        .filter(|p| p.message.contains(needle))
        .collect();
    assert_eq!(found.len(), 1, "{needle:?} in {errors:#?}");
    found[0]
}

#[test]
fn every_alarm_notifies_the_stack_target_when_it_fires_and_clears() {
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    let ops = OpsTopic::new(&stack, "Ops");
    stack.alarms_to(&ops);
    let alerts = Topic::standard(&stack, "Alerts");
    job(&stack, "Report").publishes_to("alerts", &alerts);
    channel(&stack, "Mail", &alerts);
    DeadLetterQueue::new(&stack, "Failed");
    let synthesis = app.synth().expect("valid");
    assert!(synthesis.warnings.is_empty(), "{:#?}", synthesis.warnings);
    let t = synthesis.stacks[0].template.to_json();
    let found = alarms(&t);
    // Report: DLQ, Errors, Throttles, Duration, missed run; Mail: DLQ,
    // Errors, Throttles, Duration, queue age; Failed: DLQ; the stack's
    // schedule group: 4 delivery alarms.
    assert_eq!(found.len(), 15, "{found:#?}");
    let to_ops = json!([{"Ref": ops.node().logical_id()}]);
    for (id, alarm) in &found {
        assert_eq!(alarm["AlarmActions"], to_ops, "{id}");
        assert_eq!(alarm["OKActions"], to_ops, "{id}");
    }
}

#[test]
fn an_explicit_alarm_to_wins_over_the_stack_target() {
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    let own = Topic::standard(&stack, "Own").kms_key(KEY);
    job(&stack, "Report").alarm_to(&own);
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    let found = alarms(&t);
    let (task, group): (Vec<_>, Vec<_>) =
        found.iter().partition(|(id, _)| id.starts_with("Report"));
    assert_eq!(task.len(), 5);
    for (id, alarm) in &task {
        assert_eq!(
            alarm["AlarmActions"],
            json!([{"Ref": own.node().logical_id()}]),
            "{id}"
        );
    }
    // The schedule group is the stack's: its alarms go to the stack's target.
    assert_eq!(group.len(), 4, "{group:#?}");
    for (id, alarm) in &group {
        assert!(id.starts_with("ScheduleGroup"), "{id}");
        assert_eq!(alarm["AlarmActions"], ops_ref(&t), "{id}");
    }
}

#[test]
fn lambda_alarms_use_metrics_aws_publishes() {
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    job(&stack, "Report");
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    for metric in ["Errors", "Throttles"] {
        let (_, alarm) = alarms(&t)
            .into_iter()
            .find(|(_, a)| a["MetricName"] == metric)
            .expect("the alarm");
        assert_eq!(alarm["Namespace"], "AWS/Lambda");
        assert_eq!(alarm["Dimensions"][0]["Name"], "FunctionName");
        let function = alarm["Dimensions"][0]["Value"]["Ref"]
            .as_str()
            .expect("ref");
        assert_eq!(
            t["Resources"][function]["Type"],
            "AWS::Serverless::Function"
        );
        assert_eq!(alarm["Statistic"], "Sum");
        assert_eq!(alarm["Period"], 300);
        assert_eq!(alarm["Threshold"], 1.0);
        assert_eq!(alarm["ComparisonOperator"], "GreaterThanOrEqualToThreshold");
        assert_eq!(alarm["TreatMissingData"], "notBreaching");
        let text = alarm["AlarmDescription"].as_str().expect("description");
        assert!(text.starts_with("Jobs/Report: scheduled task"), "{text}");
        assert!(
            text.contains("Raise") || text.contains("Read the function's CloudWatch Logs"),
            "{text}"
        );
    }
}

#[test]
fn a_fifo_target_is_an_error() {
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    let fifo = Topic::fifo(&stack, "Alerts").kms_key(KEY);
    stack.alarms_to(&fifo);
    job(&stack, "Report");
    let errs = errors(&app);
    let e = one_error(&errs, "FIFO topic Jobs/Alerts");
    assert_eq!(e.path, "Jobs");
    assert!(e.fix.contains("OpsTopic::new"));

    // The suggested fix validates.
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    job(&stack, "Report");
    assert!(errors(&app).is_empty());
}

#[test]
fn an_aws_managed_key_target_is_an_error() {
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    let plain = Topic::standard(&stack, "Plain");
    job(&stack, "Report").alarm_to(&plain);
    let errs = errors(&app);
    let e = one_error(&errs, "AWS managed key alias/aws/sns");
    assert_eq!(e.path, "Jobs/Report");
    assert!(e.fix.contains("OpsTopic::new"));

    // A topic under a customer managed key, or imported by ARN, is accepted.
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&Topic::standard(&stack, "Keyed").kms_key(KEY));
    let imported = Topic::from_arn(&stack, "Imported", "arn:aws:sns:us-east-1:123456789012:ops");
    job(&stack, "Report").alarm_to(&imported);
    job(&stack, "Other");
    assert!(errors(&app).is_empty(), "{:#?}", errors(&app));
}

#[test]
fn a_target_in_another_stack_is_an_error() {
    let app = new_app();
    let shared = Stack::new(&app, "Shared");
    let ops = OpsTopic::new(&shared, "Ops");
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&ops);
    job(&stack, "Report");
    let errs = errors(&app);
    let e = one_error(&errs, "to topic Shared/Ops from another stack");
    assert_eq!(e.path, "Jobs");
    assert!(e.fix.contains("OpsTopic::new(&stack"));
}

#[test]
fn alarms_without_an_action_are_a_warning() {
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    job(&stack, "Report");
    let synthesis = app.synth().expect("valid");
    let w: Vec<&Problem> = synthesis
        .warnings
        .iter()
        .filter(|p| p.message.contains("have no action"))
        .collect();
    assert_eq!(w.len(), 1, "{:#?}", synthesis.warnings);
    assert_eq!(w[0].severity, Severity::Warning);
    assert_eq!(w[0].path, "Jobs");
    assert!(w[0].message.starts_with("9 alarm(s)"), "{}", w[0].message);
    assert!(w[0].fix.contains("stack.alarms_to(&ops)"));
}

#[test]
fn the_ops_topic_key_lets_cloudwatch_encrypt_for_this_account_only() {
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    let ops = OpsTopic::new(&stack, "Ops");
    stack.alarms_to(&ops);
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    let topic = &t["Resources"][ops.node().logical_id()];
    assert_eq!(topic["Type"], "AWS::SNS::Topic");
    assert!(topic["Properties"].get("FifoTopic").is_none());
    let key_id = ops.node().child_logical_id("Key");
    assert_eq!(
        topic["Properties"]["KmsMasterKeyId"],
        json!({"Fn::GetAtt": [key_id, "Arn"]})
    );
    let key = &t["Resources"][&key_id];
    assert_eq!(key["Type"], "AWS::KMS::Key");
    assert_eq!(key["Properties"]["EnableKeyRotation"], true);
    let statements = key["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .expect("statements");
    assert_eq!(statements.len(), 2);
    assert_eq!(
        statements[0]["Principal"]["AWS"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"})
    );
    assert_eq!(
        statements[1]["Principal"]["Service"],
        "cloudwatch.amazonaws.com"
    );
    assert_eq!(
        statements[1]["Action"],
        json!(["kms:Decrypt", "kms:GenerateDataKey*"])
    );
    assert_eq!(
        statements[1]["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    let alias = &t["Resources"][ops.node().child_logical_id("KeyAlias")];
    assert_eq!(alias["Type"], "AWS::KMS::Alias");
    assert_eq!(alias["Properties"]["TargetKeyId"], json!({"Ref": key_id}));
    let policy = &t["Resources"][ops.node().child_logical_id("Policy")];
    assert_eq!(policy["Type"], "AWS::SNS::TopicPolicy");
    let publish = &policy["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(publish["Principal"]["Service"], "cloudwatch.amazonaws.com");
    assert_eq!(publish["Action"], json!(["sns:Publish"]));
    assert_eq!(
        publish["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    assert_eq!(ops.arn(), ops.topic().arn());
}

fn resource_types(t: &Value) -> Vec<String> {
    t["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .map(|r| r["Type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The logical ID of the one resource of type `ty` whose ID starts with `prefix`.
fn only(t: &Value, ty: &str, prefix: &str) -> String {
    let ids: Vec<&String> = t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(id, r)| r["Type"] == ty && id.starts_with(prefix))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids.len(), 1, "{ty} {prefix}: {ids:?}");
    ids[0].clone()
}

/// `[{"Ref": <the Ops topic>}]`.
fn ops_ref(t: &Value) -> Value {
    json!([{"Ref": only(t, "AWS::SNS::Topic", "Ops")}])
}

fn alarm_on<'a>(found: &'a [(String, Value)], metric: &str) -> &'a (String, Value) {
    let hits: Vec<&(String, Value)> = found
        .iter()
        .filter(|(_, a)| a["MetricName"] == metric)
        .collect();
    assert_eq!(hits.len(), 1, "{metric}: {found:#?}");
    hits[0]
}

#[test]
fn the_duration_alarm_fires_before_the_timeout_and_can_be_tuned_or_switched_off() {
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    job(&stack, "Report").timeout(std::time::Duration::from_secs(120));
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    let found = alarms(&t);
    let (id, alarm) = alarm_on(&found, "Duration");
    assert!(id.starts_with("ReportDurationAlarm"), "{id}");
    assert_eq!(alarm["Namespace"], "AWS/Lambda");
    assert_eq!(alarm["Dimensions"][0]["Name"], "FunctionName");
    assert_eq!(alarm["Statistic"], "Maximum");
    // 80% of 120 s, in milliseconds (Lambda's Duration unit).
    assert_eq!(alarm["Threshold"], 96_000.0);
    assert_eq!(alarm["ComparisonOperator"], "GreaterThanThreshold");
    let text = alarm["AlarmDescription"].as_str().expect("description");
    assert!(
        text.starts_with(
            "Jobs/Report: scheduled task's function ran longer than 80% of its 120s timeout"
        ),
        "{text}"
    );
    assert!(text.contains("raise the timeout"), "{text}");

    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    job(&stack, "Tuned").duration_alarm(Some(50));
    job(&stack, "Quiet").duration_alarm(None);
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    let found = alarms(&t);
    let (id, alarm) = alarm_on(&found, "Duration");
    assert!(id.starts_with("TunedDurationAlarm"), "{id}");
    assert_eq!(alarm["Threshold"], 30_000.0);
}

#[test]
fn a_duration_threshold_outside_1_to_99_percent_is_an_error() {
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    job(&stack, "Report").duration_alarm(Some(100));
    let errs = errors(&app);
    let e = one_error(&errs, "Duration alarm threshold is 100%");
    assert_eq!(e.path, "Jobs/Report");
    assert!(e.fix.contains(".duration_alarm(Some(80))"), "{}", e.fix);
}

#[test]
fn a_channel_alarms_on_the_age_of_its_oldest_notification() {
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    let alerts = Topic::standard(&stack, "Alerts");
    channel(&stack, "Mail", &alerts);
    channel(&stack, "Slow", &alerts).queue_age_alarm(Some(std::time::Duration::from_secs(7200)));
    channel(&stack, "Quiet", &alerts).queue_age_alarm(None);
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    let found: Vec<_> = alarms(&t)
        .into_iter()
        .filter(|(_, a)| a["MetricName"] == "ApproximateAgeOfOldestMessage")
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    let (id, alarm) = &found[0];
    assert!(id.starts_with("MailQueueAgeAlarm"), "{id}");
    assert_eq!(alarm["Namespace"], "AWS/SQS");
    assert_eq!(
        alarm["Dimensions"][0],
        json!({"Name": "QueueName", "Value": {"Fn::GetAtt": [only(&t, "AWS::SQS::Queue", "MailQueue"), "QueueName"]}})
    );
    assert_eq!(alarm["Threshold"], 1800.0);
    assert_eq!(alarm["AlarmActions"], ops_ref(&t));
    assert_eq!(alarm["OKActions"], ops_ref(&t));
    let text = alarm["AlarmDescription"].as_str().expect("description");
    assert!(
        text.starts_with("Jobs/Mail: the oldest notification"),
        "{text}"
    );
    assert!(found[1].0.starts_with("SlowQueueAgeAlarm"));
    assert_eq!(found[1].1["Threshold"], 7200.0);
}

#[test]
fn each_stack_puts_its_schedules_in_its_own_group_with_delivery_alarms() {
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    job(&stack, "Report");
    job(&stack, "Sync");
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    let group = only(&t, "AWS::Scheduler::ScheduleGroup", "ScheduleGroup");
    for schedule in ["ReportSchedule", "SyncSchedule"] {
        let id = only(&t, "AWS::Scheduler::Schedule", schedule);
        assert_eq!(
            t["Resources"][id]["Properties"]["GroupName"],
            json!({"Ref": group}),
            "{schedule}"
        );
    }
    let found = alarms(&t);
    for metric in [
        "TargetErrorCount",
        "InvocationThrottleCount",
        "InvocationDroppedCount",
        "InvocationsFailedToBeSentToDeadLetterCount",
    ] {
        let (id, alarm) = alarm_on(&found, metric);
        assert!(id.starts_with("ScheduleGroup"), "{id}");
        assert_eq!(alarm["Namespace"], "AWS/Scheduler");
        assert_eq!(
            alarm["Dimensions"],
            json!([{"Name": "ScheduleGroup", "Value": {"Ref": group}}])
        );
        assert_eq!(alarm["Statistic"], "Sum");
        assert_eq!(alarm["Threshold"], 1.0);
        assert_eq!(alarm["AlarmActions"], ops_ref(&t));
        let text = alarm["AlarmDescription"].as_str().expect("description");
        assert!(
            text.starts_with("Jobs/ScheduleGroup: schedules of Jobs/Report, Jobs/Sync: "),
            "{text}"
        );
    }

    // A stack without scheduled tasks has no group; the threshold is tunable.
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    stack.schedule_delivery_alarms(Some(5));
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    assert!(!resource_types(&t).contains(&"AWS::Scheduler::ScheduleGroup".to_owned()));
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    stack.schedule_delivery_alarms(Some(5));
    job(&stack, "Report");
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    assert_eq!(
        alarm_on(&alarms(&t), "InvocationDroppedCount").1["Threshold"],
        5.0
    );

    // ... or switched off (the group stays).
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    job(&stack, "Report");
    stack.schedule_delivery_alarms(None);
    let t = app.synth().expect("valid").stacks[0].template.to_json();
    only(&t, "AWS::Scheduler::ScheduleGroup", "ScheduleGroup");
    assert!(alarms(&t)
        .iter()
        .all(|(_, a)| a["Namespace"] != "AWS/Scheduler"));
}

/// A watched job: path, function, expression, zone, grace, late after.
/// A watched job's path, job name, expression, zone and grace.
type JobRow<'a> = (&'a str, Option<&'a str>, &'a str, Option<&'a str>, u32);

type WatchedRow<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, u32, Option<u32>);

fn watchdog_app() -> App {
    App::new().builtin_functions(
        BuiltinFunctions::default()
            .notifiers(concat!(env!("CARGO_MANIFEST_DIR"), "/../notifiers"))
            .watchdog(concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime/watchdog")),
    )
}

fn resources_of_type(t: &Value, ty: &str) -> Vec<(String, Value)> {
    t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect()
}

fn missed_run_alarms(t: &Value) -> Vec<(String, Value)> {
    alarms(t)
        .into_iter()
        .filter(|(id, _)| id.contains("MissedRunAlarm"))
        .collect()
}

#[test]
fn a_rate_task_alarms_when_no_run_succeeded_in_one_interval_plus_the_grace() {
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    job(&stack, "Hourly");
    job(&stack, "Patient")
        .schedule(Schedule::rate(5, TimeUnit::Minutes))
        .flexible_window(10)
        .expect_runs(std::time::Duration::from_secs(30 * 60));
    job(&stack, "Quiet").no_missed_run_alarm();
    job(&stack, "Off").disabled();
    let synthesis = app.synth().expect("valid");
    let t = synthesis.stacks[0].template.to_json();
    let found = missed_run_alarms(&t);
    assert_eq!(found.len(), 2, "{found:#?}");
    let (id, alarm) = &found[0];
    assert!(id.starts_with("HourlyMissedRunAlarm"), "{id}");
    let queries = alarm["Metrics"].as_array().expect("metric math");
    assert_eq!(queries.len(), 3);
    let function = only(&t, "AWS::Serverless::Function", "HourlyFunction");
    for (query, metric) in queries.iter().zip(["Invocations", "Errors"]) {
        let stat = &query["MetricStat"];
        assert_eq!(stat["Metric"]["Namespace"], "AWS/Lambda");
        assert_eq!(stat["Metric"]["MetricName"], metric);
        assert_eq!(
            stat["Metric"]["Dimensions"],
            json!([{"Name": "FunctionName", "Value": {"Ref": function}}])
        );
        // One hour plus the default grace: 15 minutes, plus two Lambda
        // retries of up to the 60 s timeout after up to 2 minutes each.
        assert_eq!(stat["Period"], 3600 + 900 + 2 * (60 + 120));
        assert_eq!(stat["Stat"], "Sum");
        assert_eq!(query["ReturnData"], false);
    }
    assert_eq!(
        queries[2]["Expression"],
        "FILL(invocations, 0) - FILL(errors, 0)"
    );
    assert_eq!(queries[2]["ReturnData"], true);
    assert_eq!(alarm["Threshold"], 1.0);
    assert_eq!(alarm["ComparisonOperator"], "LessThanThreshold");
    assert_eq!(alarm["TreatMissingData"], "breaching");
    assert_eq!(alarm["AlarmActions"], ops_ref(&t));
    assert_eq!(alarm["OKActions"], ops_ref(&t));
    let text = alarm["AlarmDescription"].as_str().expect("description");
    assert!(
        text.starts_with("Jobs/Hourly: no successful run in the last 4860 s (schedule rate(1 hour) plus a 1260 s grace period"),
        "{text}"
    );

    // The explicit grace replaces the default (which includes the window).
    let (id, alarm) = &found[1];
    assert!(id.starts_with("PatientMissedRunAlarm"), "{id}");
    assert_eq!(alarm["Metrics"][0]["MetricStat"]["Period"], 300 + 1800);
    // Rate tasks need no watchdog.
    assert!(resources_of_type(&t, "AWS::Serverless::Function")
        .iter()
        .all(|(id, _)| !id.starts_with("MissedRunWatchdog")));
}

#[test]
fn cron_and_at_tasks_are_checked_by_one_watchdog_per_stack() {
    let app = watchdog_app();
    let stack = Stack::new(&app, "Erp");
    let ops = OpsTopic::new(&stack, "Ops");
    stack.alarms_to(&ops);
    job(&stack, "NightlySync")
        .schedule(Schedule::cron("30 1 ? * MON-FRI *").in_time_zone("Europe/London"))
        .flexible_window(15);
    job(&stack, "YearEnd")
        .schedule(Schedule::at("2027-12-31T18:00:00").in_time_zone("Europe/London"))
        .expect_runs(std::time::Duration::from_secs(3600));
    job(&stack, "Manual")
        .schedule(Schedule::cron("0 9 * * ? *"))
        .no_missed_run_alarm();
    let synthesis = app.synth().expect("valid");
    assert!(synthesis.warnings.is_empty(), "{:#?}", synthesis.warnings);
    let t = synthesis.stacks[0].template.to_json();
    let functions = resources_of_type(&t, "AWS::Serverless::Function");
    let watchdogs: Vec<&(String, Value)> = functions
        .iter()
        .filter(|(id, _)| id.starts_with("MissedRunWatchdog"))
        .collect();
    assert_eq!(watchdogs.len(), 1, "one watchdog per stack");
    let (watchdog_id, watchdog) = watchdogs[0];
    let vars = &watchdog["Properties"]["Environment"]["Variables"];
    assert_eq!(
        vars["SNS_TOPIC_ARN_OPS"],
        json!({"Ref": ops.node().logical_id()})
    );

    // The configuration: the contract's WatchdogConfig, with the function
    // names filled in by Fn::Sub.
    let text = vars["CLOUDCRON_WATCHDOG"]["Fn::Sub"]
        .as_str()
        .expect("an Fn::Sub");
    let sync_fn = only(&t, "AWS::Serverless::Function", "NightlySyncFunction");
    let year_fn = only(&t, "AWS::Serverless::Function", "YearEndFunction");
    let filled = text
        .replace(&format!("${{{sync_fn}}}"), "sync-fn")
        .replace(&format!("${{{year_fn}}}"), "year-fn");
    assert!(
        !filled.contains("${"),
        "only function names are substituted: {filled}"
    );
    let config: cloud_cron_contract::watchdog::WatchdogConfig =
        serde_json::from_str(&filled).expect("the contract's config");
    assert_eq!(config.ops_topic_env, "SNS_TOPIC_ARN_OPS");
    assert_eq!(config.schedule.expression, "rate(15 minutes)");
    let jobs: Vec<WatchedRow<'_>> = config
        .jobs
        .iter()
        .map(|j| {
            (
                j.path.as_str(),
                j.function_name.as_str(),
                j.expression.as_str(),
                j.time_zone.as_deref(),
                j.grace_seconds,
                j.late_after_seconds,
            )
        })
        .collect();
    assert_eq!(
        jobs,
        [
            (
                "Erp/NightlySync",
                "sync-fn",
                "cron(30 1 ? * MON-FRI *)",
                Some("Europe/London"),
                // 15 minutes, the 15-minute flexible window, two retries.
                900 + 900 + 2 * (60 + 120),
                Some(900 + 300)
            ),
            (
                "Erp/YearEnd",
                "year-fn",
                "at(2027-12-31T18:00:00)",
                Some("Europe/London"),
                3600,
                Some(300)
            ),
        ]
    );
    // Covers one watchdog interval, the longest grace and the settle time.
    assert!(config.lookback_seconds >= 900 + 3600 + config.settle_seconds);

    // Least privilege: metric reads (no resource exists for them),
    // publishing to exactly the ops topic, and its key.
    let role_id = watchdog["Properties"]["Role"]["Fn::GetAtt"][0]
        .as_str()
        .expect("own role");
    let role = &t["Resources"][role_id];
    let statements: Vec<Value> = role["Properties"]["Policies"]
        .as_array()
        .expect("policies")
        .iter()
        .flat_map(|p| {
            p["PolicyDocument"]["Statement"]
                .as_array()
                .expect("statements")
                .clone()
        })
        .collect();
    let on_star: Vec<&Value> = statements
        .iter()
        .filter(|s| s["Resource"] == json!(["*"]))
        .collect();
    assert_eq!(on_star.len(), 1, "{statements:#?}");
    assert_eq!(on_star[0]["Action"], json!(["cloudwatch:GetMetricData"]));
    assert!(statements
        .iter()
        .any(|s| s["Action"] == json!(["sns:Publish"])
            && s["Resource"] == json!([{"Ref": ops.node().logical_id()}])));
    assert!(statements.iter().any(|s| s["Action"]
        == json!(["kms:Decrypt", "kms:GenerateDataKey*"])
        && s["Resource"] == json!([{"Fn::GetAtt": [ops.node().child_logical_id("Key"), "Arn"]}])));

    // It runs on its own schedule, in the stack's group, and is watched by
    // its own rate alarm; so are its errors.
    let schedules = resources_of_type(&t, "AWS::Scheduler::Schedule");
    let own = schedules
        .iter()
        .find(|(id, _)| id.starts_with("MissedRunWatchdogSchedule"))
        .expect("the watchdog's schedule");
    assert_eq!(
        own.1["Properties"]["ScheduleExpression"],
        "rate(15 minutes)"
    );
    assert_eq!(
        own.1["Properties"]["Target"]["Arn"],
        json!({"Fn::GetAtt": [watchdog_id, "Arn"]})
    );
    let watchdog_alarms: Vec<String> = alarms(&t)
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| id.starts_with("MissedRunWatchdog"))
        .collect();
    assert!(watchdog_alarms
        .iter()
        .any(|id| id.starts_with("MissedRunWatchdogErrorsAlarm")));
    assert!(watchdog_alarms
        .iter()
        .any(|id| id.starts_with("MissedRunWatchdogMissedRunAlarm")));
    // Cron tasks get no metric-math alarm of their own.
    assert!(missed_run_alarms(&t)
        .iter()
        .all(|(id, _)| id.starts_with("MissedRunWatchdog")));
}

#[test]
fn a_stack_whose_tasks_all_run_on_rates_deploys_no_watchdog() {
    let app = watchdog_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    job(&stack, "Report");
    let synthesis = app.synth().expect("valid");
    assert!(synthesis.stacks[0]
        .schedules
        .iter()
        .all(|s| !s.path.contains("Watchdog")));
    assert!(!synthesis.stacks[0].text.contains("MissedRunWatchdog"));
}

#[test]
fn a_watchdog_that_cannot_be_deployed_is_a_warning_naming_the_tasks() {
    // No alarm topic to report to.
    let app = watchdog_app();
    let stack = Stack::new(&app, "Erp");
    job(&stack, "Sync").schedule(Schedule::cron("0 9 ? * MON-FRI *"));
    let synthesis = app.synth().expect("valid");
    let w = synthesis
        .warnings
        .iter()
        .find(|p| {
            p.message
                .starts_with("missed runs of Erp/Sync are not detected")
        })
        .expect("the warning");
    assert_eq!(w.path, "Erp/MissedRunWatchdog");
    assert!(w.fix.contains("stack.alarms_to(&ops)"), "{}", w.fix);
    assert!(!synthesis.stacks[0].text.contains("CLOUDCRON_WATCHDOG"));

    // No package builds the watchdog.
    let app = new_app_without_watchdog();
    let stack = Stack::new(&app, "Erp");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    job(&stack, "Sync").schedule(Schedule::cron("0 9 ? * MON-FRI *"));
    let synthesis = app.synth().expect("valid");
    let w = synthesis
        .warnings
        .iter()
        .find(|p| p.message.contains("builds cloud-cron's watchdog"))
        .expect("the warning");
    assert!(w.fix.contains("src/bin/watchdog.rs"), "{}", w.fix);
    assert!(!synthesis.stacks[0].text.contains("CLOUDCRON_WATCHDOG"));
}

fn new_app_without_watchdog() -> App {
    App::new().builtin_functions(
        BuiltinFunctions::default().notifiers(concat!(env!("CARGO_MANIFEST_DIR"), "/../notifiers")),
    )
}

#[test]
fn a_rate_too_long_for_an_alarm_warns_and_a_start_date_lets_the_watchdog_count() {
    let app = watchdog_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    job(&stack, "Weekly").schedule(Schedule::rate(7, TimeUnit::Days));
    let synthesis = app.synth().expect("valid: the task is only unwatched");
    let w: Vec<_> = synthesis
        .warnings
        .iter()
        .filter(|p| p.message.contains("longer than CloudWatch's one day"))
        .collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].path, "Jobs/Weekly");
    assert!(w[0].fix.contains(".start_date("), "{}", w[0].fix);
    assert!(!synthesis.stacks[0].text.contains("MissedRunAlarm"));

    // The fix: a start date, so the watchdog counts the fire times.
    let app = watchdog_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    job(&stack, "Weekly")
        .schedule(Schedule::rate(7, TimeUnit::Days))
        .start_date("2027-01-01T00:00:00Z");
    let synthesis = app.synth().expect("valid");
    assert!(synthesis.stacks[0].text.contains("CLOUDCRON_WATCHDOG"));
}

/// The watchdog configuration of the only stack, function names filled in as `fn`.
fn watchdog_config(t: &Value) -> cloud_cron_contract::watchdog::WatchdogConfig {
    let functions = resources_of_type(t, "AWS::Serverless::Function");
    let (_, watchdog) = functions
        .iter()
        .find(|(id, _)| id.starts_with("MissedRunWatchdog"))
        .expect("the watchdog");
    let mut text = watchdog["Properties"]["Environment"]["Variables"]["CLOUDCRON_WATCHDOG"]
        ["Fn::Sub"]
        .as_str()
        .expect("an Fn::Sub")
        .to_owned();
    for (id, _) in &functions {
        text = text.replace(&format!("${{{id}}}"), "fn");
    }
    serde_json::from_str(&text).expect("the contract's config")
}

#[test]
fn each_job_of_a_function_is_watched_on_its_own_schedule_and_job_name() {
    let app = watchdog_app();
    let stack = Stack::new(&app, "Erp");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    ScheduledLambda::new(&stack, "Odoo")
        .image(IMAGE)
        .flexible_window(5)
        .job(
            "send-invoices",
            Schedule::cron("0 7 ? * MON-FRI *").in_time_zone("Europe/London"),
            json!({"id": 5}),
        )
        .job(
            "close",
            Schedule::at("2027-12-31T18:00:00").in_time_zone("Europe/London"),
            json!(null),
        );
    ScheduledLambda::new(&stack, "Quiet")
        .image(IMAGE)
        .job("ping", Schedule::cron("0 8 * * ? *"), json!(null))
        .no_missed_run_alarm();
    let synthesis = app.synth().expect("valid");
    assert!(synthesis.warnings.is_empty(), "{:#?}", synthesis.warnings);
    let t = synthesis.stacks[0].template.to_json();
    let config = watchdog_config(&t);
    let rows: Vec<JobRow<'_>> = config
        .jobs
        .iter()
        .map(|j| {
            (
                j.path.as_str(),
                j.job.as_deref(),
                j.expression.as_str(),
                j.time_zone.as_deref(),
                j.grace_seconds,
            )
        })
        .collect();
    // 15 minutes, the 5-minute flexible window, two retries of 60 s + 120 s.
    let grace = 900 + 300 + 2 * (60 + 120);
    assert_eq!(
        rows,
        [
            (
                "Erp/Odoo/send-invoices",
                Some("send-invoices"),
                "cron(0 7 ? * MON-FRI *)",
                Some("Europe/London"),
                grace
            ),
            (
                "Erp/Odoo/close",
                Some("close"),
                "at(2027-12-31T18:00:00)",
                Some("Europe/London"),
                grace
            ),
        ],
        "Quiet switched its missed-run detection off"
    );
    assert!(config.jobs.iter().all(|j| j.function_name == "fn"));
    // Jobs need no metric-math alarm: the function's metrics mix them.
    assert!(missed_run_alarms(&t)
        .iter()
        .all(|(id, _)| id.starts_with("MissedRunWatchdog")));
}

#[test]
fn a_rate_job_without_a_start_date_is_unwatched_with_a_warning() {
    let app = watchdog_app();
    let stack = Stack::new(&app, "Erp");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    ScheduledLambda::new(&stack, "Odoo").image(IMAGE).job(
        "hourly",
        Schedule::rate(1, TimeUnit::Hours),
        json!(null),
    );
    let synthesis = app.synth().expect("valid: the job is only unwatched");
    let w: Vec<_> = synthesis
        .warnings
        .iter()
        .filter(|p| {
            p.message
                .starts_with("missed runs of this job are not detected")
        })
        .collect();
    assert_eq!(w.len(), 1, "{:#?}", synthesis.warnings);
    assert_eq!(w[0].path, "Erp/Odoo/hourly");
    assert!(w[0].fix.contains(".start_date("), "{}", w[0].fix);
    assert!(!synthesis.stacks[0].text.contains("CLOUDCRON_WATCHDOG"));

    // With a start date the watchdog counts its fire times.
    let app = watchdog_app();
    let stack = Stack::new(&app, "Erp");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    ScheduledLambda::new(&stack, "Odoo")
        .image(IMAGE)
        .start_date("2027-01-01T00:00:00Z")
        .job("hourly", Schedule::rate(1, TimeUnit::Hours), json!(null));
    let synthesis = app.synth().expect("valid");
    assert!(synthesis.warnings.is_empty(), "{:#?}", synthesis.warnings);
    let config = watchdog_config(&synthesis.stacks[0].template.to_json());
    assert_eq!(config.jobs.len(), 1);
    assert_eq!(config.jobs[0].job.as_deref(), Some("hourly"));
    assert_eq!(
        config.jobs[0].start_date.as_deref(),
        Some("2027-01-01T00:00:00Z")
    );
}

#[test]
fn a_grace_under_a_minute_is_an_error() {
    let app = new_app();
    let stack = Stack::new(&app, "Jobs");
    stack.alarms_to(&OpsTopic::new(&stack, "Ops"));
    job(&stack, "Report").expect_runs(std::time::Duration::from_secs(30));
    let errs = errors(&app);
    let e = one_error(&errs, "missed-run grace period is 30 s");
    assert_eq!(e.path, "Jobs/Report");
    assert!(e.fix.contains(".expect_runs(Duration::from_secs(15 * 60))"));
}

// moto does not implement AWS::Chatbot, so the Slack channel's wiring is
// checked here, on the template itself.
#[test]
fn a_slack_channel_posts_the_ops_topic_through_chatbot_with_least_privilege() {
    use cfn_gen::{ChatbotLogging, Parameter, SlackChannel};
    let app = new_app();
    let stack = Stack::new(&app, "Erp");
    let ops = OpsTopic::new(&stack, "Ops");
    stack.alarms_to(&ops);
    let workspace = stack.parameter("SlackWorkspaceId", Parameter::string());
    SlackChannel::new(&stack, "OpsSlack")
        .workspace_id(workspace.value())
        .channel_id("C07EZ1ABC23")
        .topic(&ops)
        .logging(ChatbotLogging::Info);
    let synthesis = app.synth().expect("valid");
    assert!(synthesis.warnings.is_empty(), "{:#?}", synthesis.warnings);
    let t = synthesis.stacks[0].template.to_json();
    let id = only(&t, "AWS::Chatbot::SlackChannelConfiguration", "OpsSlack");
    let p = &t["Resources"][&id]["Properties"];
    assert_eq!(p["SlackWorkspaceId"], json!({"Ref": "SlackWorkspaceId"}));
    assert_eq!(p["SlackChannelId"], "C07EZ1ABC23");
    assert_eq!(p["SnsTopicArns"], ops_ref(&t));
    assert_eq!(
        p["GuardrailPolicies"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"}])
    );
    assert_eq!(p["LoggingLevel"], "INFO");
    assert_eq!(p["UserRoleRequired"], false);
    assert_eq!(
        p["ConfigurationName"],
        json!({"Fn::Sub": "${AWS::StackName}-OpsSlack"})
    );
    let role_id = p["IamRoleArn"]["Fn::GetAtt"][0].as_str().expect("own role");
    let role = &t["Resources"][role_id]["Properties"];
    let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(trust["Principal"]["Service"], "chatbot.amazonaws.com");
    assert_eq!(
        trust["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    let statements = role["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements");
    assert_eq!(statements.len(), 1);
    assert_eq!(
        statements[0]["Action"],
        json!(["cloudwatch:DescribeAlarms"])
    );
    assert_eq!(
        statements[0]["Resource"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"}])
    );
}

#[test]
fn a_slack_channel_checks_its_ids_and_topics() {
    use cfn_gen::SlackChannel;
    let app = new_app();
    let stack = Stack::new(&app, "Erp");
    let fifo = Topic::fifo(&stack, "Fifo").kms_key(KEY);
    let plain = Topic::standard(&stack, "Plain");
    SlackChannel::new(&stack, "Bad")
        .workspace_id("my-workspace")
        .channel_id("#ops")
        .topic(&fifo)
        .topic(&plain)
        .guardrail_policies([]);
    SlackChannel::new(&stack, "Empty");
    let errs = errors(&app);
    for needle in [
        "Slack workspace id `my-workspace` is not a workspace id",
        "Slack channel id `#ops` is not a channel id",
        "posts FIFO topic Erp/Fifo",
        "posts topic Erp/Plain, encrypted with the AWS managed key",
        "no guardrail policy",
        "the Slack channel has no workspace id",
        "the Slack channel has no channel id",
        "the Slack channel has no topic",
    ] {
        let e = one_error(&errs, needle);
        assert!(e.path.starts_with("Erp/"), "{e:?}");
        assert!(!e.fix.is_empty());
    }

    // The fixes the messages suggest validate.
    let app = new_app();
    let stack = Stack::new(&app, "Erp");
    let ops = OpsTopic::new(&stack, "Ops");
    stack.alarms_to(&ops);
    SlackChannel::new(&stack, "Good")
        .workspace_id("T07EA123LEP")
        .channel_id("C07EZ1ABC23")
        .topic(&ops);
    assert!(errors(&app).is_empty(), "{:#?}", errors(&app));
}
