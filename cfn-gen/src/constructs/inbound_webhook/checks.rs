//! An inbound webhook's synth-time checks: at least one route, each path
//! well-formed and used once, each route's receiver settings and secrets,
//! its queue in the same stack, throttling and log retention bounds; each
//! receiver function checks itself.

use std::collections::BTreeSet;

use super::{synthesis, Inner, Props, Route};
use crate::constructs::{alarms, secret};
use crate::validate::Report;

/// The retention periods CloudWatch Logs accepts, in days.
const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

impl Inner {
    pub(super) fn check(&self, report: &mut Report) {
        let path = self.node.path();
        let path = path.as_str();
        let p = self.props.borrow();
        if p.routes.is_empty() {
            report.error(
                path,
                "the webhook endpoint has no route: nothing would be received",
                ".route(\"/hooks/NAME\", WebhookRoute::hmac(HmacSettings::hex(\"X-Signature\"), SecretRef::ssm(\"/app/webhook-secret\")), &work_queue)",
            );
        }
        let mut seen = BTreeSet::new();
        for route in &p.routes {
            if !seen.insert(route.path.as_str()) {
                report.error(
                    path,
                    format!("the path `{}` is routed twice", route.path),
                    "give each .route() its own path",
                );
            }
            self.check_route(path, route, report);
        }
        check_limits(path, &p, report);
        alarms::check_explicit(&self.node, p.alarm_topic.as_ref(), report);
    }

    fn check_route(&self, path: &str, route: &Route, report: &mut Report) {
        let at = format!("{path} (route {})", route.path);
        let valid = route.path.len() > 1
            && route.path.starts_with('/')
            && !route.path.ends_with('/')
            && !route.path.contains("//")
            && route.path[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
        if !valid {
            let fixed: String = route
                .path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.chars()
                        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
                        .collect::<String>()
                })
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("/");
            let fixed = if fixed.is_empty() {
                "hooks".to_owned()
            } else {
                fixed
            };
            report.error(
                &at,
                format!("`{}` is not a webhook path: `/` then segments of letters, digits, `-`, `_` and `.`", route.path),
                format!(".route(\"/{fixed}\", ...)"),
            );
        }
        if let Err(e) = route.verification.settings.validate() {
            report.error(
                &at,
                format!("receiver setting `{}`: {}", e.field, e.problem),
                format!("in the route's WebhookRoute, `{}`: {}", e.field, e.fix),
            );
        }
        for s in &route.verification.secrets {
            if let Err(message) = secret::check(s) {
                report.error(&at, message, "reference an SSM SecureString parameter (SecretRef::ssm(\"/path/name\")) or a Secrets Manager secret (SecretRef::secrets_manager(\"name-or-arn\"))");
            }
        }
        if !self.node.same_stack(route.queue.node()) {
            report.error(
                &at,
                format!(
                    "sends to work queue {} in another stack",
                    route.queue.node().path()
                ),
                "create the work queue in the webhook's stack",
            );
        }
        route.function.validate(self.env_bytes(route), report);
    }

    /// Bytes the receiver's variables take at most.
    fn env_bytes(&self, route: &Route) -> usize {
        let secrets: usize = route
            .verification
            .secrets
            .iter()
            .map(|s| s.to_string().len() + 1)
            .sum();
        synthesis::settings_json(route).len() + secrets + 256 + 80
    }
}

fn check_limits(path: &str, p: &Props, report: &mut Report) {
    if !(1..=10_000).contains(&p.rate_limit) || !(1..=5_000).contains(&p.burst_limit) {
        report.error(
            path,
            format!(
                "throttling of {} requests in a burst and {} per second is outside 1 to 5,000 and 1 to 10,000 (API Gateway's account defaults)",
                p.burst_limit, p.rate_limit
            ),
            ".throttling(50, 20)",
        );
    }
    if !RETENTION_DAYS.contains(&p.access_log_retention_days) {
        report.error(
            path,
            format!(
                "access log retention of {} days is not a value CloudWatch Logs accepts",
                p.access_log_retention_days
            ),
            ".access_log_retention_days(90) (or 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
        );
    }
}
