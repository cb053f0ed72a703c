//! Owns account-wide Lambda quotas checked across every stack of an app: reserved
//! concurrency against the default account limit (1,000 concurrent executions, of which
//! Lambda keeps 100 unreserved, so at most 900 can be reserved in total).
//!
//! Per-setting bounds are checked where the settings live (function memory, timeout and
//! log retention in `constructs/function.rs`; SQS retention, visibility, batch window and
//! maximum concurrency in `constructs/channel`; schedule retries in
//! `constructs/scheduled_lambda.rs`).

use crate::template::Template;
use crate::validate::Report;

/// Lambda's default concurrent executions per account and region.
pub const ACCOUNT_CONCURRENCY: u32 = 1_000;
/// Concurrency Lambda keeps unreserved.
pub const UNRESERVED_MINIMUM: u32 = 100;
/// The most an account can reserve in total by default.
pub const MAX_RESERVABLE: u32 = ACCOUNT_CONCURRENCY - UNRESERVED_MINIMUM;

/// The construct path of a function resource, read from its execution role's description
/// ("Execution role of PATH"); `STACK/LOGICAL_ID` when there is none.
fn function_path(stack: &str, template: &Template, id: &str) -> String {
    template
        .resources
        .get(id)
        .and_then(|f| f.property("Role"))
        .and_then(|r| r.pointer("/Fn::GetAtt/0"))
        .and_then(serde_json::Value::as_str)
        .and_then(|role| template.resources.get(role))
        .and_then(|role| role.property("Description"))
        .and_then(serde_json::Value::as_str)
        .and_then(|d| d.strip_prefix("Execution role of "))
        .map_or_else(|| format!("{stack}/{id}"), str::to_owned)
}

/// Warns where an SQS event source mapping's maximum concurrency is above the
/// reserved concurrency of its function: Lambda throttles the extra invocations, and the
/// throttled messages go back to the queue and count toward its receive limit.
pub fn check_mapping_concurrency(stack: &str, template: &Template, report: &mut Report) {
    for resource in template.resources.values() {
        if resource.resource_type() != "AWS::Lambda::EventSourceMapping" {
            continue;
        }
        let Some(maximum) = resource
            .property("ScalingConfig")
            .and_then(|c| c.get("MaximumConcurrency"))
            .and_then(serde_json::Value::as_u64)
        else {
            continue;
        };
        let Some(function) = resource
            .property("FunctionName")
            .and_then(|f| f.get("Ref"))
            .and_then(serde_json::Value::as_str)
        else {
            continue;
        };
        let Some(reserved) = template
            .resources
            .get(function)
            .and_then(|f| f.property("ReservedConcurrentExecutions"))
            .and_then(serde_json::Value::as_u64)
        else {
            continue;
        };
        if reserved < maximum {
            let path = function_path(stack, template, function);
            let fix = if reserved >= 2 {
                format!("pass {reserved} to .maximum_concurrency(), or .reserved_concurrency({maximum})")
            } else {
                format!(".reserved_concurrency({maximum}), or leave reserved concurrency unset")
            };
            report.warning(
                &path,
                format!("the queue's maximum concurrency {maximum} is above the function's reserved concurrency {reserved}: Lambda throttles the difference and throttled messages return to the queue, counting toward the dead-letter limit"),
                fix,
            );
        }
    }
}

/// The functions of a template that reserve concurrency: (construct path, reservation).
/// The path is read from the execution role's description ("Execution role of PATH");
/// `STACK/LOGICAL_ID` when there is none.
pub fn reserved_in_template(stack: &str, template: &Template) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for (id, resource) in &template.resources {
        if !matches!(
            resource.resource_type(),
            "AWS::Serverless::Function" | "AWS::Lambda::Function"
        ) {
            continue;
        }
        let Some(n) = resource
            .property("ReservedConcurrentExecutions")
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
        else {
            continue;
        };
        let path = function_path(stack, template, id);
        out.push((path, n));
    }
    out
}

/// Checks reservations across the app: each at most [`MAX_RESERVABLE`], and their sum too.
pub fn check_reserved_concurrency(reserved: &[(String, u32)], report: &mut Report) {
    for (path, n) in reserved {
        if *n > MAX_RESERVABLE {
            report.error(
                path,
                format!("reserved concurrency {n} is over the {MAX_RESERVABLE} an account can reserve by default (limit {ACCOUNT_CONCURRENCY}, {UNRESERVED_MINIMUM} kept unreserved)"),
                format!("pass at most {MAX_RESERVABLE} to .reserved_concurrency(), or raise the account's concurrency quota first"),
            );
        }
    }
    let total: u32 = reserved
        .iter()
        .map(|(_, n)| *n)
        .fold(0, u32::saturating_add);
    if total > MAX_RESERVABLE && reserved.iter().all(|(_, n)| *n <= MAX_RESERVABLE) {
        let Some((largest, n)) = reserved.iter().max_by_key(|(_, n)| *n) else {
            return;
        };
        let over = total - MAX_RESERVABLE;
        let list: Vec<String> = reserved.iter().map(|(p, n)| format!("{p} {n}")).collect();
        report.error(
            largest,
            format!("the app reserves {total} concurrent executions in total ({}); an account can reserve {MAX_RESERVABLE} by default", list.join(", ")),
            format!("lower reservations by {over}, e.g. .reserved_concurrency({}) on {largest}, or raise the account's concurrency quota first", n.saturating_sub(over).max(1)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(reserved: &[(&str, u32)]) -> Vec<crate::validate::Problem> {
        let owned: Vec<(String, u32)> = reserved
            .iter()
            .map(|(p, n)| ((*p).to_string(), *n))
            .collect();
        let mut r = Report::default();
        check_reserved_concurrency(&owned, &mut r);
        r.into_problems()
    }

    #[test]
    fn a_single_reservation_over_900() {
        let p = check(&[("A/Job", 950)]);
        assert_eq!(p.len(), 1);
        assert!(p[0].fix.contains("at most 900"));
        assert!(check(&[("A/Job", 900)]).is_empty());
    }

    #[test]
    fn the_sum_is_bounded_and_the_fix_brings_it_under() {
        let p = check(&[("A/One", 500), ("B/Two", 450)]);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].path, "A/One");
        assert!(p[0].message.contains("950"), "{}", p[0].message);
        assert!(
            p[0].fix.contains(".reserved_concurrency(450)"),
            "{}",
            p[0].fix
        );
        assert!(check(&[("A/One", 450), ("B/Two", 450)]).is_empty());
    }
}
