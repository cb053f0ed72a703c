//! `.job(name, schedule, input)`: names, duplicates, input size and secrets,
//! job schedules and the input key are checked at synth; and the wiring of
//! jobs (one schedule each, in a group, sharing one role and one queue).

use serde_json::{json, Value};

use super::*;
use cfn_gen::{ScheduleGroup, Severity};

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn erp(stack: &Stack) -> ScheduledLambda {
    ScheduledLambda::new(stack, "Erp").image(IMAGE)
}

fn nightly() -> Schedule {
    Schedule::cron("30 1 ? * MON-FRI *").in_time_zone("Europe/London")
}

fn template(app: &App) -> Value {
    app.synth().expect("valid").stacks[0].template.to_json()
}

fn of_type(t: &Value, ty: &str) -> Vec<(String, Value)> {
    t["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect()
}

#[test]
fn job_names_outside_the_schedule_name_alphabet() {
    for (name, needle) in [
        ("month end", "' '"),
        ("", "empty"),
        (&"x".repeat(65) as &str, "65 characters"),
        ("a/b", "'/'"),
    ] {
        let app = app_with(|s| {
            erp(s).job(name, nightly(), json!({}));
        });
        let p = with(&app, "job name");
        assert_eq!(p.len(), 1, "{name:?}: {p:#?}");
        assert_eq!(p[0].path, "Jobs/Erp");
        assert!(p[0].message.contains(needle), "{name:?}: {}", p[0].message);
        let fixed = app_with(|s| {
            erp(s).job(&quoted(&p[0].fix), nightly(), json!({}));
        });
        assert!(fixed.synth().is_ok(), "{:?}", p[0].fix);
    }
}

#[test]
fn a_job_name_used_twice_names_both() {
    let app = app_with(|s| {
        erp(s)
            .job("close", nightly(), json!({"a": 1}))
            .job("sync", nightly(), json!({}))
            .job("close", Schedule::rate(1, TimeUnit::Hours), json!({"a": 2}));
    });
    let p = with(&app, "defined twice");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(p[0].message.contains("calls #1 and #3"), "{}", p[0].message);
    let errors: Vec<Problem> = problems(&app)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "one mistake, one error: {errors:#?}");
    assert_eq!(p[0].path, "Jobs/Erp/close");
    assert!(p[0].message.contains("job `close`"), "{}", p[0].message);
    // Jobs of different functions may share a name: each is its own schedule.
    let ok = app_with(|s| {
        erp(s).job("close", nightly(), json!({}));
        ScheduledLambda::new(s, "Other")
            .image(IMAGE)
            .job("close", nightly(), json!({}));
    });
    assert!(ok.synth().is_ok());
}

#[test]
fn inputs_over_the_scheduler_limit() {
    let big = "x".repeat(300_000);
    let app = app_with(|s| {
        erp(s).job("bulky", nightly(), json!({ "rows": big }));
    });
    let p = with(&app, "bytes, over the 262144");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "Jobs/Erp/bulky");
    assert!(p[0].fix.contains("smaller input"), "{}", p[0].fix);
    // Just under the limit passes.
    let fits = app_with(|s| {
        erp(s).job("bulky", nightly(), json!({ "rows": "x".repeat(250_000) }));
    });
    assert!(fits.synth().is_ok());
}

#[test]
fn secrets_in_inputs_are_refused_and_not_echoed() {
    for (input, kind) in [
        (
            json!({"url": "postgres://odoo:hunter2secret@db:5432/erp"}),
            "connection string",
        ),
        (
            json!({"kwargs": {"password": "q8V#t2LmZ9x!Rk4pW7sN"}}),
            "random secret",
        ),
        (json!({"args": ["AKIAIOSFODNN7EXAMPLE"]}), "AWS access key"),
    ] {
        let text = input.to_string();
        let app = app_with(|s| {
            erp(s).job("sync", nightly(), input);
        });
        let p = with(&app, "plain text in the schedule");
        assert_eq!(p.len(), 1, "{text}: {p:#?}");
        assert!(p[0].message.contains(kind), "{}", p[0].message);
        for secret in [
            "hunter2secret",
            "q8V#t2LmZ9x!Rk4pW7sN",
            "AKIAIOSFODNN7EXAMPLE",
        ] {
            assert!(!p[0].message.contains(secret), "{}", p[0].message);
        }
        assert!(p[0].fix.contains(".secret(") && p[0].fix.contains("ctx.secret("));
    }
}

#[test]
fn job_schedules_are_checked_like_the_function_schedule() {
    let app = app_with(|s| {
        erp(s)
            .job("broken", Schedule::cron("0 9 * * *"), json!({}))
            .job("past", Schedule::at("2001-01-01T09:00:00"), json!({}));
    });
    let broken = with(&app, "invalid schedule");
    assert_eq!(broken.len(), 1, "{broken:#?}");
    assert_eq!(broken[0].path, "Jobs/Erp/broken");
    let past = with(&app, "in the past");
    assert_eq!(past.len(), 1, "{past:#?}");
    assert_eq!(past[0].path, "Jobs/Erp/past");
}

#[test]
fn a_function_with_jobs_needs_no_schedule_of_its_own() {
    let app = app_with(|s| {
        erp(s).job("sync", nightly(), json!({}));
    });
    assert!(with(&app, "no schedule").is_empty());
    let none = app_with(|s| {
        erp(s);
    });
    let p = with(&none, "no schedule");
    assert_eq!(p.len(), 1);
    assert!(p[0].fix.contains(".job("), "{}", p[0].fix);
}

#[test]
fn input_keys_must_be_key_arns() {
    for bad in [
        "arn:aws:kms:us-east-1:123456789012:alias/erp",
        "1234abcd-12ab-34cd-56ef-1234567890ab",
    ] {
        let app = app_with(|s| {
            erp(s)
                .job("sync", nightly(), json!({}))
                .schedule_input_key(bad);
        });
        let p = with(&app, "is not a KMS key ARN");
        assert_eq!(p.len(), 1, "{bad}: {p:#?}");
        assert_eq!(p[0].path, "Jobs/Erp");
    }
}

#[test]
fn a_group_of_another_stack_is_refused() {
    let app = App::new();
    let a = Stack::new(&app, "A");
    let b = Stack::new(&app, "B");
    let group = ScheduleGroup::new(&a, "Group");
    erp(&b)
        .schedule_group(&group)
        .job("sync", nightly(), json!({}));
    let p = with(&app, "in another stack");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].path, "B/Erp");
}

#[test]
fn each_job_is_a_schedule_sharing_one_role_and_one_queue() {
    let app = app_with(|s| {
        erp(s)
            .job(
                "close",
                nightly(),
                json!({"model": "account.move", "method": "close"}),
            )
            .job(
                "sync",
                Schedule::rate(30, TimeUnit::Minutes),
                json!(["a", 1]),
            );
        erp_two(s);
    });
    let t = template(&app);
    let schedules = of_type(&t, "AWS::Scheduler::Schedule");
    assert_eq!(
        schedules.len(),
        3,
        "two jobs and one job of Two, no job-less schedule"
    );
    let groups = of_type(&t, "AWS::Scheduler::ScheduleGroup");
    assert_eq!(groups.len(), 1, "one default group per stack");
    let group_ref = json!({ "Ref": groups[0].0 });
    let erp_schedules: Vec<&Value> = schedules
        .iter()
        .map(|(_, r)| r)
        .filter(|r| r["Metadata"]["cloudCron"]["path"] == "Jobs/Erp")
        .collect();
    assert_eq!(erp_schedules.len(), 2);
    let roles: std::collections::BTreeSet<String> = erp_schedules
        .iter()
        .map(|r| r["Properties"]["Target"]["RoleArn"].to_string())
        .collect();
    let queues: std::collections::BTreeSet<String> = erp_schedules
        .iter()
        .map(|r| r["Properties"]["Target"]["DeadLetterConfig"]["Arn"].to_string())
        .collect();
    assert_eq!((roles.len(), queues.len()), (1, 1), "one role, one queue");
    for schedule in &erp_schedules {
        assert_eq!(schedule["Properties"]["GroupName"], group_ref);
        let input: Value = serde_json::from_str(
            schedule["Properties"]["Target"]["Input"]
                .as_str()
                .expect("input text"),
        )
        .expect("input JSON");
        assert_eq!(input["version"], 2);
        let job = schedule["Metadata"]["cloudCron"]["job"].clone();
        assert_eq!(input["job"], job);
        let expected = if job == "close" {
            json!({"model": "account.move", "method": "close"})
        } else {
            json!(["a", 1])
        };
        assert_eq!(input["input"], expected);
    }
    let scheduler_roles: Vec<_> = of_type(&t, "AWS::IAM::Role")
        .into_iter()
        .filter(|(_, r)| {
            r["Properties"]["AssumeRolePolicyDocument"]
                .to_string()
                .contains("scheduler.amazonaws.com")
        })
        .collect();
    assert_eq!(scheduler_roles.len(), 2, "one Scheduler role per function");
    assert_eq!(
        of_type(&t, "AWS::SQS::Queue").len(),
        2,
        "one queue per function"
    );
}

fn erp_two(stack: &Stack) {
    ScheduledLambda::new(stack, "Two")
        .image(IMAGE)
        .job("close", nightly(), json!(null));
}

#[test]
fn a_given_group_and_an_input_key() {
    let app = app_with(|s| {
        let group = ScheduleGroup::new(s, "ErpJobs").name("erp-jobs");
        erp(s)
            .schedule_group(&group)
            .schedule_input_key(KEY)
            .job("close", nightly(), json!({}));
    });
    let t = template(&app);
    let groups: Vec<(String, Value)> = of_type(&t, "AWS::Scheduler::ScheduleGroup")
        .into_iter()
        .filter(|(_, g)| g["Properties"]["Name"] == "erp-jobs")
        .collect();
    assert_eq!(groups.len(), 1, "the given group: {groups:?}");
    let schedules = of_type(&t, "AWS::Scheduler::Schedule");
    assert_eq!(schedules[0].1["Properties"]["KmsKeyArn"], KEY);
    assert_eq!(
        schedules[0].1["Properties"]["GroupName"],
        json!({"Ref": groups[0].0})
    );
    let scheduler_role = of_type(&t, "AWS::IAM::Role")
        .into_iter()
        .find(|(_, r)| {
            r["Properties"]["AssumeRolePolicyDocument"]
                .to_string()
                .contains("scheduler.amazonaws.com")
        })
        .expect("scheduler role");
    let decrypt: Vec<Value> = scheduler_role.1["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .filter(|st| st["Action"].to_string().contains("kms:Decrypt"))
        .cloned()
        .collect();
    assert_eq!(decrypt.len(), 1, "{decrypt:?}");
    let resource = &decrypt[0]["Resource"];
    assert!(
        resource == &json!(KEY) || resource == &json!([KEY]),
        "{resource}"
    );
    let bad_group = app_with(|s| {
        ScheduleGroup::new(s, "G").name("default");
    });
    assert_eq!(with(&bad_group, "account's own schedule group").len(), 1);
}

#[test]
fn the_summary_lists_each_job_with_its_path() {
    let app = app_with(|s| {
        erp(s).job("close", nightly(), json!({})).job(
            "sync",
            Schedule::rate(30, TimeUnit::Minutes),
            json!({}),
        );
    });
    let synthesis = app.synth().expect("valid");
    let paths: Vec<&str> = synthesis.stacks[0]
        .schedules
        .iter()
        .map(|s| s.path.as_str())
        .collect();
    assert_eq!(paths, ["Jobs/Erp/close", "Jobs/Erp/sync"]);
    let next = synthesis.stacks[0].schedules[0]
        .next_fire_times(chrono::Utc::now(), 3)
        .expect("valid");
    assert_eq!(next.len(), 3);
}
