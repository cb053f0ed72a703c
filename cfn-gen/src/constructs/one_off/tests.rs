//! Wiring of one-off schedules: the group, the delivery role scoped to the
//! target and the group, the grants and variables of managing functions,
//! and each synth check with its fix.

use std::time::Duration;

use serde_json::{json, Value as Json};

use super::OneOffSchedules;
use crate::validate::Severity;
use crate::{App, Function, Problem, QueueRef, ScheduledLambda, Stack, Topic};

const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/planner:v1";

fn template(app: &App) -> Json {
    app.synth().expect("valid").stacks[0].template.to_json()
}

fn problems(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(s) => s.warnings,
        Err(e) => e.problems,
    }
}

/// The JSON an intrinsic or literal is written as.
fn j(value: crate::Value) -> Json {
    serde_json::to_value(value).expect("serializes")
}

/// The one resource of `ty` whose logical ID starts with `prefix`.
fn resource<'a>(t: &'a Json, prefix: &str, ty: &str) -> (&'a String, &'a Json) {
    let found: Vec<_> = t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(id, r)| id.starts_with(prefix) && r["Type"] == ty)
        .collect();
    assert_eq!(found.len(), 1, "one {ty} starting {prefix}");
    found[0]
}

fn statements(t: &Json, prefix: &str) -> Vec<Json> {
    resource(t, prefix, "AWS::IAM::Role").1["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"]
        .as_array()
        .expect("statements")
        .clone()
}

#[test]
fn a_topic_target_gets_a_group_a_scoped_role_and_a_dead_letter_queue() {
    let app = App::new();
    let stack = Stack::new(&app, "Reminders");
    let due = Topic::standard(&stack, "Due");
    let planner = Function::new(&stack, "Planner").image(IMAGE);
    let schedules = OneOffSchedules::new(&stack, "Later", &due).group_name("later");
    schedules.grant_manage(&planner);
    let t = template(&app);

    let (group_id, group) = resource(&t, "LaterGroup", "AWS::Scheduler::ScheduleGroup");
    assert_eq!(group["Properties"], json!({"Name": "later"}));
    assert_eq!(j(schedules.group()), json!({"Ref": group_id}));
    resource(&t, "LaterDeadLetterQueue", "AWS::SQS::Queue");
    resource(&t, "LaterDeadLetterAlarm", "AWS::CloudWatch::Alarm");

    let (role_id, role) = resource(&t, "LaterDeliveryRole", "AWS::IAM::Role");
    assert_eq!(
        j(schedules.role_arn()),
        json!({"Fn::GetAtt": [role_id, "Arn"]})
    );
    let assume = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(
        assume["Principal"],
        json!({"Service": "scheduler.amazonaws.com"})
    );
    assert_eq!(
        assume["Condition"]["ArnEquals"]["aws:SourceArn"],
        j(schedules.group_arn())
    );
    assert_eq!(
        assume["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    let deliver = statements(&t, "LaterDeliveryRole");
    assert_eq!(
        deliver,
        vec![
            json!({"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [j(due.arn())]}),
            json!({"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [j(schedules.dead_letter_queue_arn())]}),
        ]
    );

    let planner_role = statements(&t, "PlannerRole");
    let manage = planner_role
        .iter()
        .find(|s| s["Action"].to_string().contains("scheduler:CreateSchedule"))
        .expect("manage statement");
    assert_eq!(
        manage["Action"],
        json!([
            "scheduler:CreateSchedule",
            "scheduler:DeleteSchedule",
            "scheduler:GetSchedule",
            "scheduler:UpdateSchedule"
        ])
    );
    assert_eq!(
        manage["Resource"][0],
        json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:scheduler:${{AWS::Region}}:${{AWS::AccountId}}:schedule/${{{group_id}}}/*")})
    );
    let list = planner_role
        .iter()
        .find(|s| s["Action"] == json!(["scheduler:ListSchedules"]))
        .expect("list statement");
    assert_eq!(list["Resource"], json!(["*"]));
    assert_eq!(list["Sid"], "ListSchedulesHasNoResourceType");
    let pass = planner_role
        .iter()
        .find(|s| s["Action"] == json!(["iam:PassRole"]))
        .expect("pass role");
    assert_eq!(pass["Resource"], json!([j(schedules.role_arn())]));
    assert_eq!(
        pass["Condition"],
        json!({"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}})
    );

    let env = &resource(&t, "Planner", "AWS::Serverless::Function").1["Properties"]["Environment"]
        ["Variables"];
    assert_eq!(env["CLOUDCRON_ONE_OFF_GROUP"], j(schedules.group()));
    assert_eq!(env["CLOUDCRON_ONE_OFF_TARGET_ARN"], j(due.arn()));
    assert_eq!(env["CLOUDCRON_ONE_OFF_ROLE_ARN"], j(schedules.role_arn()));
    assert_eq!(
        env["CLOUDCRON_ONE_OFF_DLQ_ARN"],
        j(schedules.dead_letter_queue_arn())
    );
    assert_eq!(env["CLOUDCRON_ONE_OFF_MAX_RETRY_ATTEMPTS"], "185");
    assert_eq!(env["CLOUDCRON_ONE_OFF_MAX_EVENT_AGE_SECONDS"], "86400");
    assert_eq!(
        t["Outputs"][format!("{group_id}Name")]["Value"],
        j(schedules.group())
    );
}

#[test]
fn a_task_target_is_invoked_and_retries_set_later_reach_the_managers() {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let task = ScheduledLambda::new(&stack, "FollowUp")
        .image(IMAGE)
        .schedule(crate::Schedule::rate(1, crate::TimeUnit::Days));
    let schedules = OneOffSchedules::new(&stack, "Later", &task);
    schedules.grant_manage(task.function());
    let schedules = schedules.delivery_retries(3, Duration::from_secs(600));
    let t = template(&app);
    let deliver = statements(&t, "LaterDeliveryRole");
    assert_eq!(deliver[0]["Action"], json!(["lambda:InvokeFunction"]));
    assert_eq!(deliver[0]["Resource"], json!([j(task.function_arn())]));
    let env = &resource(&t, "FollowUpFunction", "AWS::Serverless::Function").1["Properties"]
        ["Environment"]["Variables"];
    assert_eq!(env["CLOUDCRON_ONE_OFF_MAX_RETRY_ATTEMPTS"], "3");
    assert_eq!(env["CLOUDCRON_ONE_OFF_MAX_EVENT_AGE_SECONDS"], "600");
    assert_eq!(env["CLOUDCRON_ONE_OFF_TARGET_ARN"], j(task.function_arn()));
    assert_eq!(j(schedules.target_arn()), j(task.function_arn()));
}

#[test]
fn each_bad_setting_is_one_error_naming_the_path_and_a_fix() {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let fifo = Topic::fifo(&stack, "Ordered");
    let planner = Function::new(&stack, "Planner").image(IMAGE);
    let schedules = OneOffSchedules::new(&stack, "Later", &fifo)
        .group_name("no spaces")
        .delivery_retries(186, Duration::from_secs(30));
    schedules.grant_manage(&planner);
    let found = problems(&app);
    let later: Vec<&Problem> = found.iter().filter(|p| p.path == "Jobs/Later").collect();
    let says = |text: &str| {
        later
            .iter()
            .find(|p| p.message.contains(text))
            .unwrap_or_else(|| panic!("no problem saying `{text}` in {later:?}"))
    };
    assert!(says("schedule group name").fix.contains(".group_name()"));
    assert!(says("186 delivery retry attempts").fix.contains("0 to 185"));
    assert!(says("30 s is outside").fix.contains("60 s to 24 h"));
    assert!(says("is FIFO").fix.contains("Topic::standard"));
    assert!(later.iter().all(|p| p.severity == Severity::Error));
    assert_eq!(later.len(), 4, "{later:?}");

    // The fixes, applied, leave nothing to report.
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    let standard = Topic::standard(&stack, "Ordered");
    let planner = Function::new(&stack, "Planner").image(IMAGE);
    OneOffSchedules::new(&stack, "Later", &standard)
        .group_name("later")
        .delivery_retries(185, Duration::from_secs(60))
        .grant_manage(&planner);
    let left: Vec<Problem> = problems(&app)
        .into_iter()
        .filter(|p| p.path == "Jobs/Later")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_fifo_queue_a_foreign_target_and_no_manager_are_reported() {
    let app = App::new();
    let home = Stack::new(&app, "Home");
    let away = Stack::new(&app, "Away");
    let elsewhere = Function::new(&away, "Worker").image(IMAGE);
    OneOffSchedules::new(&home, "ToWorker", &elsewhere);
    let queue = QueueRef::from_arn("arn:aws:sqs:us-east-1:123456789012:jobs.fifo");
    OneOffSchedules::new(&home, "ToQueue", &queue).group_name("default");
    let found = problems(&app);
    let at = |path: &str, text: &str| {
        found
            .iter()
            .find(|p| p.path == path && p.message.contains(text))
            .unwrap_or_else(|| panic!("no problem at {path} saying `{text}` in {found:?}"))
    };
    assert!(at("Home/ToWorker", "is in stack Away")
        .fix
        .contains("in the target's stack"));
    assert!(at("Home/ToQueue", "is FIFO").fix.contains("standard"));
    assert!(at("Home/ToQueue", "`default`").fix.contains("another name"));
    let nothing = at("Home/ToWorker", "no function may create schedules");
    assert_eq!(nothing.severity, Severity::Warning);
    assert!(nothing.fix.contains("grant_manage"));
}
