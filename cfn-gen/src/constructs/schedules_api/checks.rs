//! Synth-time checks of the HTTP API, one concern each: the authorization
//! (a usable JWT issuer and audience, a tenant claim or IAM field the
//! handler reads), throttling, the access log retention, the schedules
//! being in the same stack, and the handler (its code package and settings).

use super::{Auth, Inner, IAM_TENANT_FIELDS as API_IAM_TENANT_FIELDS};
use crate::validate::Report;

/// Retention periods CloudWatch Logs accepts, in days.
const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

impl Inner {
    pub(super) fn check(&self, report: &mut Report) {
        let path = self.node.path();
        let path = path.as_str();
        let p = self.props.borrow();
        check_auth(path, &p.auth, report);
        if p.burst_limit == 0 || !(p.rate_limit > 0.0 && p.rate_limit <= 10_000.0) {
            report.error(
                path,
                format!(
                    "throttling of {} requests/s with bursts of {} lets no request through or exceeds API Gateway's account limit of 10,000/s",
                    p.rate_limit, p.burst_limit
                ),
                "pass a burst of at least 1 and a rate above 0 and at most 10,000 to .throttle(), e.g. .throttle(50, 20.0)",
            );
        }
        if !RETENTION_DAYS.contains(&p.access_log_days) {
            report.error(
                path,
                format!(
                    "{} days is not a retention CloudWatch Logs accepts",
                    p.access_log_days
                ),
                format!("pass one of {RETENTION_DAYS:?} to .access_log_retention_days()"),
            );
        }
        if !self.schedules.node().same_stack(&self.node) {
            report.error(
                path,
                format!(
                    "the schedules, {}, are in stack {}, not in this stack ({})",
                    self.schedules.node().path(),
                    self.schedules.node().stack_name(),
                    self.node.stack_name()
                ),
                "create the SchedulesApi in the stack of its OneOffSchedules",
            );
        }
        self.handler.validate(0, report);
    }
}

fn check_auth(path: &str, auth: &Auth, report: &mut Report) {
    match auth {
        Auth::Iam { tenant_field } => {
            if !API_IAM_TENANT_FIELDS.contains(&tenant_field.as_str()) {
                report.error(
                    path,
                    format!("`{tenant_field}` is not a field of the IAM authorizer context the handler reads"),
                    format!("pass one of {API_IAM_TENANT_FIELDS:?} to .iam_tenant() (accountId: one tenant per calling account)"),
                );
            }
        }
        Auth::Jwt {
            issuer,
            audiences,
            tenant_claim,
        } => {
            if issuer.is_empty() {
                report.error(
                    path,
                    "a tenant claim is set but no JWT issuer: the API uses IAM authorization, which has no claims",
                    "call .jwt(\"https://ISSUER\", [\"AUDIENCE\"]) before .tenant_claim(..), or drop .tenant_claim(..) and choose the IAM tenant with .iam_tenant(..)",
                );
                return;
            }
            let host = issuer.strip_prefix("https://").unwrap_or("");
            if host.is_empty() || host.starts_with('/') || issuer.contains(char::is_whitespace) {
                report.error(
                    path,
                    format!("JWT issuer `{issuer}` is not an https:// URL"),
                    "pass the issuer exactly as the tokens' `iss` claim, e.g. https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Abc123",
                );
            }
            if audiences.is_empty() || audiences.iter().any(|a| a.trim().is_empty()) {
                report.error(
                    path,
                    "the JWT authorizer has no (or a blank) audience, so API Gateway accepts no token",
                    "pass the app client id(s) or `aud` values as .jwt(issuer, [\"app-client-id\"])",
                );
            }
            if tenant_claim.trim().is_empty() {
                report.error(
                    path,
                    "the tenant claim is blank",
                    "pass the claim holding the tenant to .tenant_claim(), e.g. \"custom:tenant\"",
                );
            }
        }
    }
}
