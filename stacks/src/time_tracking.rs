//! `TimeTracking`: a time-tracking SaaS's webhooks relayed reliably, and a
//! second SaaS without webhooks polled.
//!
//! - Six signed webhook paths (timesheet entries created, updated, deleted;
//!   approvals submitted, approved, rejected) on one HTTP API, each verified
//!   (HMAC-SHA256 with a secret in SSM) and queued at once on a FIFO
//!   [`WorkQueue`] grouped by entry, so the events of one entry are applied
//!   in order and a repeat of the same event id within 5 minutes is dropped.
//! - Two workers consume those queues with partial batch failures; a message
//!   that keeps failing lands in its queue's dead-letter queue and alarms.
//! - Two `rate(1 minute)` pollers (timesheets and projects of the SaaS that
//!   has no webhooks) and a `rate(45 days)` cleanup.
//! - Four tables (entries, approvals, the pollers' sync cursors, and the
//!   relay log of processed event ids), each function granted only what it
//!   touches; credentials in SSM (`.secret`), read at run time.
//! - Every alarm (dead-letter queues, message age, function errors and
//!   throttles, webhook 5xx, missed runs) goes to the ops topic, posted to
//!   Slack through AWS Chatbot and emailed
//!   ([`crate::operators::route_alarms_to_slack`]).
//!
//! The workers and pollers run one image (by digest), told apart by
//! `TIME_TRACKING_JOB`.

use std::time::Duration;

use cfn_gen::{
    App, AttributeType, Function, GlobalIndex, HmacSettings, InboundWebhook, Schedule,
    ScheduledLambda, SecretRef, Stack, Table, TimeUnit, ValueSource, WebhookRoute, WorkQueue,
};

const IMAGE: &str = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/time-tracking@sha256:9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d";

/// Where the webhook signing secret lives (SSM SecureString).
pub const WEBHOOK_SECRET: &str = "/time-tracking/tracker/webhook-secret";

/// The webhook paths, with the queue each feeds: `(path, queue)`.
pub const WEBHOOK_PATHS: [(&str, &str); 6] = [
    ("/hooks/entries/created", "EntryEvents"),
    ("/hooks/entries/updated", "EntryEvents"),
    ("/hooks/entries/deleted", "EntryEvents"),
    ("/hooks/approvals/submitted", "ApprovalEvents"),
    ("/hooks/approvals/approved", "ApprovalEvents"),
    ("/hooks/approvals/rejected", "ApprovalEvents"),
];

/// The four tables.
struct Tables {
    entries: Table,
    approvals: Table,
    sync_state: Table,
    relay_log: Table,
}

fn tables(stack: &Stack) -> Tables {
    use AttributeType::String as S;
    Tables {
        entries: Table::new(stack, "Entries")
            .partition_key("entryId", S)
            .global_index(
                GlobalIndex::new("byUser")
                    .partition_key("userId", S)
                    .sort_key("date", S),
            ),
        approvals: Table::new(stack, "Approvals").partition_key("approvalId", S),
        sync_state: Table::new(stack, "SyncState").partition_key("source", S),
        relay_log: Table::new(stack, "RelayLog")
            .partition_key("eventId", S)
            .ttl("expiresAt"),
    }
}

/// A worker or poller function of the shared image.
fn job(function: Function, kind: &str) -> Function {
    function
        .image(IMAGE)
        .env("TIME_TRACKING_JOB", kind)
        .timeout(Duration::from_secs(60))
}

/// Add the `TimeTracking` stack to `app`.
pub fn stack(app: &App) -> Stack {
    let stack = Stack::new(app, "TimeTracking").description(
        "cloud-cron reference: time-tracking webhooks relayed through work queues, pollers and tables",
    );
    crate::operators::route_alarms_to_slack(&stack);
    let t = tables(&stack);

    // Workers: one per queue, each with the tables it writes.
    let entry_worker = job(Function::new(&stack, "EntryWorker"), "entries")
        .description("Apply timesheet entry events to the entries table")
        .secret(
            "TRACKER_API_KEY",
            SecretRef::ssm("/time-tracking/tracker/api-key"),
        );
    let approval_worker = job(Function::new(&stack, "ApprovalWorker"), "approvals")
        .description("Apply approval events and relay approved time to the ERP")
        .secret("ERP_API_KEY", SecretRef::ssm("/time-tracking/erp/api-key"));
    for (worker, own) in [
        (&entry_worker, &t.entries),
        (&approval_worker, &t.approvals),
    ] {
        own.grant_read_write(worker);
        t.relay_log.grant_read_write(worker);
        worker.add_environment("TABLE_NAME", own.name());
        worker.add_environment("RELAY_LOG_TABLE", t.relay_log.name());
    }
    t.entries.grant_read(&approval_worker);
    approval_worker.add_environment("ENTRIES_TABLE", t.entries.name());

    let entry_events = WorkQueue::fifo(&stack, "EntryEvents")
        .consumer(&entry_worker)
        .max_receive_count(5);
    let approval_events = WorkQueue::fifo(&stack, "ApprovalEvents")
        .consumer(&approval_worker)
        .max_receive_count(5)
        .maximum_concurrency(2);

    // Six signed paths into the two queues, grouped by entry so one
    // entry's events are applied in order.
    let mut hooks = InboundWebhook::new(&stack, "TrackerHooks").throttling(100, 50);
    for (path, queue) in WEBHOOK_PATHS {
        let queue = if queue == "EntryEvents" {
            &entry_events
        } else {
            &approval_events
        };
        hooks = hooks.route(
            path,
            WebhookRoute::hmac(
                HmacSettings::timestamped("X-Tracker-Signature"),
                SecretRef::ssm(WEBHOOK_SECRET),
            )
            .event_id_header("X-Tracker-Event-Id")
            .message_group(ValueSource::JsonPointer("/entryId".into())),
            queue,
        );
    }

    // The SaaS without webhooks: polled every minute, cursors in SyncState.
    let timesheets = ScheduledLambda::new(&stack, "PollTimesheets")
        .description("Pull timesheets changed since the last cursor from the ERP")
        .image(IMAGE)
        .env("TIME_TRACKING_JOB", "poll-timesheets")
        .schedule(Schedule::rate(1, TimeUnit::Minutes))
        .timeout(Duration::from_secs(50))
        .secret("ERP_API_KEY", SecretRef::ssm("/time-tracking/erp/api-key"));
    let projects = ScheduledLambda::new(&stack, "PollProjects")
        .description("Pull projects changed since the last cursor from the ERP")
        .image(IMAGE)
        .env("TIME_TRACKING_JOB", "poll-projects")
        .schedule(Schedule::rate(1, TimeUnit::Minutes))
        .timeout(Duration::from_secs(50))
        .secret("ERP_API_KEY", SecretRef::ssm("/time-tracking/erp/api-key"));
    for poller in [&timesheets, &projects] {
        let f = poller.function();
        t.sync_state.grant_read_write(f);
        t.entries.grant_read_write(f);
        f.add_environment("SYNC_STATE_TABLE", t.sync_state.name());
        f.add_environment("ENTRIES_TABLE", t.entries.name());
    }

    let cleanup = ScheduledLambda::new(&stack, "Cleanup")
        .description("Delete entries and approvals past retention")
        .image(IMAGE)
        .env("TIME_TRACKING_JOB", "cleanup")
        .schedule(Schedule::rate(45, TimeUnit::Days))
        // A start date lets the stack's watchdog count its fire times (an
        // alarm cannot look back 45 days).
        .start_date("2027-01-01T00:00:00Z")
        .timeout(Duration::from_secs(600));
    let f = cleanup.function();
    t.entries.grant_read_write(f);
    t.approvals.grant_read_write(f);
    f.add_environment("ENTRIES_TABLE", t.entries.name());
    f.add_environment("APPROVALS_TABLE", t.approvals.name());
    stack
}
