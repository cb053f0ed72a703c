//! A work queue's synth-time checks, one concern each: the consumer, the
//! queue's name and type, the event source's batching, and the bounds of
//! receive count, visibility, retention, concurrency and the age alarm. The
//! dead-letter queue checks itself; the consumer function is checked by its
//! stack.

use super::{Inner, Props};
use crate::constructs::alarms;
use crate::validate::sqs::{QueueBounds, MAX_VISIBILITY_SECS};
use crate::validate::Report;

impl Inner {
    pub(super) fn check(&self, report: &mut Report) {
        let path = self.node.path();
        let path = path.as_str();
        let p = self.props.borrow();
        self.check_consumer(path, &p, report);
        check_name(path, &p, report);
        if p.owner.is_none() {
            check_batching(path, &p, report);
            self.check_visibility(path, &p, report);
            check_bounds(path, &p, report);
        }
        alarms::check_explicit(&self.node, p.alarm_topic.as_ref(), report);
        self.dead_letter.validate(report);
    }

    fn check_consumer(&self, path: &str, p: &Props, report: &mut Report) {
        let Some(consumer) = &p.consumer else {
            report.error(
                path,
                "the work queue has no consumer: its messages would wait until they expire",
                "create the worker with Function::new(&stack, \"Worker\") and pass it to .consumer(&worker)",
            );
            return;
        };
        if !self.node.same_stack(consumer.node()) {
            report.error(
                path,
                format!(
                    "its consumer {} is in another stack",
                    consumer.node().path()
                ),
                "create the consumer function in the work queue's stack",
            );
        }
    }

    /// The visibility timeout against the consumer's timeout (Lambda refuses
    /// an event source whose queue hides a message for less time than the
    /// function may run; AWS advises 6 times) and SQS's maximum.
    fn check_visibility(&self, path: &str, p: &Props, report: &mut Report) {
        let visibility = self.visibility_secs(p);
        if let (Some(consumer), Some(given)) = (&p.consumer, p.visibility_timeout) {
            let timeout = consumer.settings().timeout.as_secs();
            let six_times = timeout.saturating_mul(6);
            if given.as_secs() < timeout {
                report.error(
                    path,
                    format!("visibility timeout of {} s is under the consumer's timeout of {timeout} s: a message would reappear while it is still being processed, and Lambda refuses such an event source", given.as_secs()),
                    format!("raise .visibility_timeout() to {six_times} s (6 times the consumer's timeout, AWS's guidance), or drop it to get that default"),
                );
            } else if given.as_secs() < six_times {
                report.warning(
                    path,
                    format!("visibility timeout of {} s is under 6 times the consumer's timeout ({six_times} s): a message retried while Lambda is throttled may be received again too early", given.as_secs()),
                    format!("raise .visibility_timeout() to {six_times} s, or drop it to get that default"),
                );
            }
        }
        if visibility > MAX_VISIBILITY_SECS {
            report.error(
                path,
                format!("visibility timeout of {visibility} s is over SQS's {MAX_VISIBILITY_SECS} s"),
                "lower the consumer's .timeout() (at most 7,200 s gives 6 x 7,200 = 43,200 s) or pass .visibility_timeout() of at most 43,200 s",
            );
        }
    }
}

/// A fixed name: SQS's characters and length, `.fifo` exactly on FIFO queues.
fn check_name(path: &str, p: &Props, report: &mut Report) {
    if p.content_based_deduplication && !p.fifo {
        report.error(
            path,
            "content-based deduplication is set on a standard queue; only FIFO queues deduplicate",
            "create the queue with WorkQueue::fifo(&stack, ID), or drop .content_based_deduplication()",
        );
    }
    let Some(name) = &p.queue_name else {
        return;
    };
    let stem = name.strip_suffix(".fifo");
    match (p.fifo, stem) {
        (true, None) => report.error(
            path,
            format!("FIFO queue name `{name}` does not end in `.fifo`, which SQS requires"),
            format!(".queue_name(\"{name}.fifo\")"),
        ),
        (false, Some(stem)) => report.error(
            path,
            format!(
                "standard queue name `{name}` ends in `.fifo`, which SQS keeps for FIFO queues"
            ),
            format!(
                ".queue_name(\"{stem}\"), or create the queue with WorkQueue::fifo(&stack, ID)"
            ),
        ),
        _ => {}
    }
    let stem = stem.unwrap_or(name);
    let valid = stem
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if stem.is_empty() || !valid || name.len() > 80 {
        let mut fixed: String = stem
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .take(if p.fifo { 75 } else { 80 })
            .collect();
        if fixed.is_empty() {
            fixed.push_str("work");
        }
        if p.fifo {
            fixed.push_str(".fifo");
        }
        report.error(
            path,
            format!("queue name `{name}` is not 1 to 80 letters, digits, `-` and `_` (plus `.fifo` for a FIFO queue)"),
            format!(".queue_name(\"{fixed}\")"),
        );
    }
}

/// Batch size and batching window for the queue's type.
fn check_batching(path: &str, p: &Props, report: &mut Report) {
    let max = if p.fifo { 10 } else { 10_000 };
    if !(1..=max).contains(&p.batch_size) {
        report.error(
            path,
            format!(
                "batch size {} is outside 1 to {max} ({} queue)",
                p.batch_size,
                if p.fifo { "FIFO" } else { "standard" }
            ),
            format!("pass 1 to {max} to .batch_size()"),
        );
    }
    match p.batching_window {
        Some(_) if p.fifo => report.error(
            path,
            "a batching window is set on a FIFO queue; Lambda gathers batches only from standard queues",
            "drop .batching_window(), or create the queue with WorkQueue::standard(&stack, ID)",
        ),
        Some(w) if w.as_secs() > 300 || w.subsec_nanos() != 0 => report.error(
            path,
            format!("batching window of {w:?} is not 0 to 300 whole seconds"),
            ".batching_window(Duration::from_secs(N)) with N from 0 to 300",
        ),
        _ if !p.fifo
            && p.batch_size > 10
            && p.batching_window.is_none_or(|w| w.as_secs() == 0) =>
        {
            report.error(
                path,
                format!(
                    "batch size {} needs a batching window: Lambda refuses batches over 10 without one",
                    p.batch_size
                ),
                ".batching_window(Duration::from_secs(1)) (or more, up to 300 s)",
            )
        }
        _ => {}
    }
}

/// Receive count, retention, concurrency and age alarm bounds.
fn check_bounds(path: &str, p: &Props, report: &mut Report) {
    QueueBounds {
        max_receive_count: p.max_receive_count,
        retention: p.retention,
        maximum_concurrency: p.maximum_concurrency,
    }
    .check(path, report);
    let retention = p.retention.as_secs();
    let age = p.age_alarm.as_secs();
    if age < 60 || age >= retention.max(61) {
        report.error(
            path,
            format!("the age alarm's threshold of {age} s is not between 60 s and the queue's retention ({retention} s): it would fire on every message or never"),
            format!(
                "pass .age_alarm_after(Duration::from_secs(N)) with N from 60 to {}",
                retention.max(61) - 1
            ),
        );
    }
}
