//! `work_queues:` of a stack: SQS queues drained by a function of the
//! stack ([`cfn_gen::WorkQueue`]: a dead-letter queue, alarms, partial
//! batch failures).

use std::time::Duration;

use cfn_gen::WorkQueue;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{Build, StackScope};
use crate::positions::join;
use crate::refs::resolve;

/// A work queue and the function consuming it.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkQueueSpec {
    /// A FIFO queue: in order within a message group, repeats of a
    /// deduplication id dropped for 5 minutes.
    #[serde(default)]
    #[schemars(example = true)]
    pub fifo: bool,
    /// The function of this stack (under `functions:`) that processes the
    /// messages, by id.
    #[schemars(example = &"EntryWorker")]
    pub consumer: Option<String>,
    /// A fixed queue name (otherwise CloudFormation generates one).
    #[schemars(example = &"entry-events.fifo")]
    pub queue_name: Option<String>,
    /// FIFO queues: deduplicate by content.
    #[serde(default)]
    #[schemars(example = false)]
    pub content_based_deduplication: bool,
    /// Messages per invocation (default 10).
    #[schemars(example = 10)]
    pub batch_size: Option<u32>,
    /// Wait up to this many seconds to fill a batch.
    #[schemars(example = 5)]
    pub batching_window_seconds: Option<u64>,
    /// Receives of a message before it moves to the dead-letter queue (default 5).
    #[schemars(example = 5)]
    pub max_receive_count: Option<u32>,
    /// The visibility timeout in seconds (default: from the consumer's timeout).
    #[schemars(example = 360)]
    pub visibility_timeout_seconds: Option<u64>,
    /// Keep messages this many seconds (default 4 days).
    #[schemars(example = 345_600)]
    pub retention_seconds: Option<u64>,
    /// Most concurrent consumer invocations (2 to 1,000).
    #[schemars(example = 2)]
    pub maximum_concurrency: Option<u32>,
    /// Alarm when the oldest message has waited this many seconds (default 1,800).
    #[schemars(example = 900)]
    pub age_alarm_after_seconds: Option<u64>,
    /// Send the queue's alarms to this topic instead of the stack's.
    #[schemars(example = &"Alerts")]
    pub alarm_to: Option<String>,
    /// Deploy the consumer's event source mapping switched off.
    #[serde(default)]
    #[schemars(example = false)]
    pub paused: bool,
}

/// Create the work queue `id` of `scope` and register it.
pub(crate) fn build(b: &mut Build, scope: &mut StackScope, id: &str, spec: &WorkQueueSpec) {
    let path = join(&join(&scope.path, "work_queues"), id);
    let at = |key: &str| join(&path, key);
    let mut q = if spec.fifo {
        WorkQueue::fifo(&scope.stack, id)
    } else {
        WorkQueue::standard(&scope.stack, id)
    };
    b.construct(q.node().path(), &path);
    if let Some(c) = &spec.consumer {
        if let Some(f) = resolve(
            b,
            &scope.functions,
            &at("consumer"),
            c,
            "function",
            "functions",
            scope,
        ) {
            q = q.consumer(&f);
        }
    }
    if let Some(n) = &spec.queue_name {
        q = q.queue_name(n);
    }
    if spec.content_based_deduplication {
        q = q.content_based_deduplication();
    }
    if let Some(n) = spec.batch_size {
        q = q.batch_size(n);
    }
    if let Some(s) = spec.batching_window_seconds {
        q = q.batching_window(Duration::from_secs(s));
    }
    if let Some(n) = spec.max_receive_count {
        q = q.max_receive_count(n);
    }
    if let Some(s) = spec.visibility_timeout_seconds {
        q = q.visibility_timeout(Duration::from_secs(s));
    }
    if let Some(s) = spec.retention_seconds {
        q = q.retention(Duration::from_secs(s));
    }
    if let Some(n) = spec.maximum_concurrency {
        q = q.maximum_concurrency(n);
    }
    if let Some(s) = spec.age_alarm_after_seconds {
        q = q.age_alarm_after(Duration::from_secs(s));
    }
    if let Some(to) = &spec.alarm_to {
        if let Some(t) = scope.topic(b, &at("alarm_to"), to) {
            q = q.alarm_to(&t);
        }
    }
    if spec.paused {
        q = q.paused();
    }
    scope.work_queues.insert(id.to_owned(), q);
}
