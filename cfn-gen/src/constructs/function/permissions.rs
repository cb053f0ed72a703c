//! Extra IAM statements given with `.grant(statement)`, and their check:
//! no `*` or `service:*` actions, and no `*` resource except for the few
//! AWS actions that cannot be scoped to a resource ([`UNSCOPED_ACTIONS`]).

use crate::resources::iam::Statement;
use crate::validate::Report;
use crate::value::Value;

/// Actions IAM only grants on `*`: they name no resource (the Service
/// Authorization Reference lists no resource type for them).
pub const UNSCOPED_ACTIONS: &[&str] = &[
    // An ECR login token is for the whole registry.
    "ecr:GetAuthorizationToken",
    // Custom metrics belong to no resource (scope with a cloudwatch:namespace condition).
    "cloudwatch:PutMetricData",
    // Metric reads name no resource.
    "cloudwatch:GetMetricData",
    // X-Ray segments and telemetry belong to no resource.
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    // Who am I: no resource.
    "sts:GetCallerIdentity",
    // EC2 Describe* calls name no resource.
    "ec2:DescribeNetworkInterfaces",
    // The account's SES sending quota: no resource.
    "ses:GetSendQuota",
    // EventBridge Scheduler defines no resource type for listing schedules
    // (Service Authorization Reference); it lists names and states, never inputs.
    "scheduler:ListSchedules",
];

fn is_unscoped(action: &str) -> bool {
    UNSCOPED_ACTIONS
        .iter()
        .any(|a| a.eq_ignore_ascii_case(action))
}

fn describe(index: usize, statement: &Statement) -> String {
    let resources: Vec<String> = statement
        .resource
        .iter()
        .map(|r| match r {
            Value::String(s) => s.clone(),
            other => serde_json::to_string(other).unwrap_or_else(|_| "(intrinsic)".into()),
        })
        .collect();
    format!(
        "grant #{} (Action {:?} on Resource {:?})",
        index + 1,
        statement.action,
        resources
    )
}

/// Each `Allow` statement: named actions, and resources that are exact ARNs.
pub(crate) fn check_grants(path: &str, grants: &[Statement], report: &mut Report) {
    for (index, statement) in grants.iter().enumerate() {
        if statement.effect != "Allow" {
            continue;
        }
        let what = describe(index, statement);
        if statement.action.is_empty() {
            report.error(
                path,
                format!("{what} names no action"),
                "list the exact actions, e.g. Statement::allow([\"s3:GetObject\"], vec![ARN])",
            );
        }
        for action in &statement.action {
            if action == "*" || action.ends_with(":*") {
                report.error(
                    path,
                    format!(
                        "{what} grants every action of {}",
                        if action == "*" {
                            "every service"
                        } else {
                            "a service"
                        }
                    ),
                    "list the exact actions the task calls, e.g. \"s3:GetObject\"",
                );
            }
        }
        if statement.resource.is_empty() {
            report.error(
                path,
                format!("{what} names no resource"),
                "scope the statement to the exact ARN, e.g. vec![Value::from(\"arn:aws:s3:::bucket/prefix/*\")]",
            );
        }
        let star = statement
            .resource
            .iter()
            .any(|r| r.as_literal() == Some("*"));
        if star {
            let scoped: Vec<&String> = statement
                .action
                .iter()
                .filter(|a| !is_unscoped(a))
                .collect();
            if !scoped.is_empty() {
                report.error(
                    path,
                    format!("{what} grants {scoped:?} on every resource (`*`)"),
                    format!(
                        "scope the statement to the exact ARN the task uses (e.g. arn:aws:s3:::bucket/prefix/*); only {UNSCOPED_ACTIONS:?} may be granted on `*`"
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Report;

    fn errors(statements: &[Statement]) -> Vec<String> {
        let mut report = Report::default();
        check_grants("Stack/Task", statements, &mut report);
        report
            .problems_cloned()
            .iter()
            .map(|i| format!("{} -- {}", i.message, i.fix))
            .collect()
    }

    #[test]
    fn wildcards_are_rejected_with_the_fix() {
        let any = errors(&[Statement::allow(["s3:GetObject"], vec![Value::from("*")])]);
        assert_eq!(any.len(), 1, "{any:?}");
        assert!(any[0].contains("grant #1"), "{any:?}");
        assert!(any[0].contains("s3:GetObject"), "{any:?}");
        assert!(
            any[0].contains("scope the statement to the exact ARN"),
            "{any:?}"
        );
        let arn = Value::from("arn:aws:s3:::bucket/x");
        assert_eq!(
            errors(&[Statement::allow(["s3:*"], vec![arn.clone()])]).len(),
            1
        );
        assert_eq!(
            errors(&[Statement::allow(["*"], vec![arn.clone()])]).len(),
            1
        );
        assert!(errors(&[Statement::allow(["s3:GetObject"], vec![arn])]).is_empty());
    }

    #[test]
    fn unscoped_actions_may_use_a_star_resource() {
        assert!(errors(&[Statement::allow(
            ["cloudwatch:PutMetricData", "xray:PutTraceSegments"],
            vec![Value::from("*")]
        )])
        .is_empty());
        let mixed = errors(&[Statement::allow(
            ["cloudwatch:PutMetricData", "sqs:SendMessage"],
            vec![Value::from("*")],
        )]);
        assert_eq!(mixed.len(), 1);
        assert!(
            mixed[0].contains("grants [\"sqs:SendMessage\"] on every resource"),
            "{mixed:?}"
        );
    }
}
