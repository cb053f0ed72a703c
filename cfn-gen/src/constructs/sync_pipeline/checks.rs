//! Synth-time checks of a [`SyncPipeline`](super::SyncPipeline): tenants and streams,
//! the engine knobs (the runtime's `SyncConfig::validate` rules, plus a lease longer
//! than the worker's timeout), queue limits, and the status endpoint's authorizer.

use cloud_cron_contract::sync::{valid_tenant, MAX_TENANT_LEN};

use super::{Inner, Props};
use crate::validate::Report;

/// Lambda's `MaximumConcurrency` range for SQS event sources.
const CONCURRENCY: std::ops::RangeInclusive<u32> = 2..=1000;
/// The most messages a FIFO event source hands one invocation.
const FIFO_BATCH: std::ops::RangeInclusive<u32> = 1..=10;
/// SQS's longest visibility timeout.
const MAX_VISIBILITY_SECS: u64 = 43_200;

pub(super) fn validate(inner: &Inner, p: &Props, report: &mut Report) {
    let path = inner.node.path();
    check_names(&path, "tenant", "tenants", &p.tenants, report);
    check_names(&path, "stream", "streams", &p.streams, report);
    check_settings(inner, p, report);

    if !CONCURRENCY.contains(&p.max_concurrency) {
        report.error(
            &path,
            format!(
                "max_concurrency is {}; Lambda accepts 2 to 1000 for an SQS event source",
                p.max_concurrency
            ),
            ".max_concurrency(2) (or up to 1000)",
        );
    }
    if !FIFO_BATCH.contains(&p.batch_size) {
        report.error(
            &path,
            format!(
                "batch_size is {}; a FIFO queue hands a function 1 to 10 messages",
                p.batch_size
            ),
            ".batch_size(1)",
        );
    }
    if !(1..=1000).contains(&p.max_receive_count) {
        report.error(
            &path,
            format!(
                "max_receive_count is {}; SQS accepts 1 to 1000",
                p.max_receive_count
            ),
            ".max_receive_count(5)",
        );
    }
    let visibility = inner.visibility_secs();
    if visibility > MAX_VISIBILITY_SECS {
        report.error(
            &path,
            format!("the queue's visibility timeout (6 x the worker's timeout) would be {visibility} s; SQS allows at most 43200 s"),
            ".worker_timeout(Duration::from_secs(120))",
        );
    }
    if p.backlog_alarm_after.as_secs() < 60 {
        report.error(
            &path,
            format!(
                "backlog_alarm_after is {:?}; CloudWatch's SQS metrics have 1-minute resolution",
                p.backlog_alarm_after
            ),
            ".backlog_alarm_after(Duration::from_secs(900))",
        );
    }
    if p.code.is_none() {
        report.error(
            &path,
            "no code: the dispatcher, worker and status functions run one binary serving the three roles",
            ".rust_binary(RustBinary::new(env!(\"CARGO_MANIFEST_DIR\"), \"NAME\")) or .image(\"ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG\")",
        );
    }
    if let Some(auth) = &p.status {
        if !auth.issuer.starts_with("https://") || auth.issuer.len() <= "https://".len() {
            report.error(
                &path,
                format!("status JWT issuer `{}` is not an https:// URL; API Gateway fetches the issuer's keys over HTTPS", auth.issuer),
                "StatusAuth::jwt(\"https://cognito-idp.REGION.amazonaws.com/POOL_ID\", [\"CLIENT_ID\"])",
            );
        }
        if auth.audience.is_empty() || auth.audience.iter().any(String::is_empty) {
            report.error(
                &path,
                "status JWT audience is empty; API Gateway needs at least one audience (client id) to accept a token",
                "StatusAuth::jwt(ISSUER, [\"CLIENT_ID\"])",
            );
        }
        if auth.tenant_claim.is_empty() {
            report.error(
                &path,
                "status tenant claim is empty",
                "StatusAuth::jwt(..).tenant_claim(\"tenant\")",
            );
        }
    }
}

fn check_names(path: &str, what: &str, setter: &str, names: &[String], report: &mut Report) {
    if names.is_empty() {
        report.error(
            path,
            format!("no {setter}: the dispatcher would have nothing to enqueue"),
            format!(".{setter}([\"a\", \"b\"])"),
        );
    }
    for (at, name) in names.iter().enumerate() {
        if !valid_tenant(name) {
            report.error(
                path,
                format!("{what} `{name}` is not 1 to {MAX_TENANT_LEN} ASCII letters, digits, `-` or `_` (it is a FIFO message group id and a key)"),
                format!("rename it in .{setter}(..), e.g. \"acme-eu\""),
            );
        }
        if names[..at].contains(name) {
            report.error(
                path,
                format!("{what} `{name}` is listed twice"),
                format!("list each {what} once in .{setter}(..)"),
            );
        }
    }
}

fn check_settings(inner: &Inner, p: &Props, report: &mut Report) {
    let path = inner.node.path();
    let s = &p.settings;
    if s.batch_limit == 0 || s.batch_limit > u64::from(u32::MAX) {
        report.error(
            &path,
            format!("batch_limit is {}", s.batch_limit),
            ".batch_limit(200)",
        );
    }
    if s.min_window_secs == 0 {
        report.error(
            &path,
            "the minimum window is under 1 s",
            ".window_limits(Duration::from_secs(1800), Duration::from_secs(86400))",
        );
    }
    if s.max_window_secs < s.min_window_secs {
        report.error(
            &path,
            format!(
                "the widest window ({} s) is narrower than the narrowest ({} s)",
                s.max_window_secs, s.min_window_secs
            ),
            ".window_limits(Duration::from_secs(1800), Duration::from_secs(86400))",
        );
    }
    if s.max_attempts == 0 {
        report.error(&path, "max_attempts is 0", ".max_attempts(4)");
    }
    if s.initial_range_secs == 0 {
        report.error(
            &path,
            "initial_range is 0",
            ".initial_range(Duration::from_secs(90 * 86400))",
        );
    }
    let timeout = inner.worker.settings().timeout.as_secs();
    if s.lease_secs <= timeout {
        report.error(
            &path,
            format!(
                "the lease ({} s) is not longer than the worker's timeout ({timeout} s): a lease could lapse while its batch is still being written, and a second worker take the tenant over",
                s.lease_secs
            ),
            format!(".lease(Duration::from_secs({}))", timeout.saturating_mul(2).max(300)),
        );
    }
}
