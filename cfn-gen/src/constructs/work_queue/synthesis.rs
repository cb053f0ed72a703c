//! A work queue's resources, in template order: the dead-letter queue, the
//! queue (redriving to it), the alarms (dead-letter depth, age of the
//! oldest message, the consumer's errors, throttles and duration near its
//! timeout), the event source
//! mapping, and the outputs. The consumer function is emitted by its stack.

use super::{Inner, Props};
use crate::constructs::alarms::{self, FunctionRole, WatchedFunction};
use crate::constructs::dead_letter::SSE_SQS_REASON;
use crate::resources::{lambda, sqs};
use crate::template::{DeletionPolicy, Output, Resource, Template};
use crate::value::Value;

impl Inner {
    pub(super) fn emit(&self, template: &mut Template) {
        let p = self.props.borrow();
        let path = self.node.path();
        let queue_id = self.queue_id();

        self.dead_letter.set_fifo(p.fifo);
        self.dead_letter.emit_queue(template);
        template.add_resource(
            &queue_id,
            Resource::new(self.queue(&p))
                .deletion_policy(DeletionPolicy::Delete)
                .update_replace_policy(DeletionPolicy::Delete)
                .skip_check("CKV_AWS_27", SSE_SQS_REASON),
        );
        self.dead_letter.emit_alarm(template);
        let target = alarms::resolve(&self.node, p.alarm_topic.as_ref());
        alarms::emit_queue_age_alarm(
            &self.node,
            &queue_id,
            p.age_alarm.as_secs(),
            target.as_ref(),
            template,
        );
        if let Some(consumer) = &p.consumer {
            self.dead_letter.emit_function_alarms(
                template,
                &WatchedFunction {
                    id: consumer.logical_id(),
                    timeout: consumer.settings().timeout,
                    duration_percent: Some(alarms::DEFAULT_DURATION_PERCENT),
                },
                p.owner
                    .map_or(FunctionRole::Worker, |owner| owner.consumer_role),
            );
            template.add_resource(
                self.node.child_logical_id("EventSource"),
                Resource::new(Self::event_source(&p, consumer.name(), &queue_id)),
            );
        }

        template.add_output(
            format!("{queue_id}Url"),
            Output::new(Value::reference(&queue_id), format!("Work queue {path}")),
        );
        template.add_output(
            format!("{}Url", self.dead_letter.queue_id()),
            Output::new(
                self.dead_letter.url(),
                format!("Dead-letter queue of {path}: work that failed after every retry"),
            ),
        );
    }

    fn queue(&self, p: &Props) -> sqs::Queue {
        sqs::Queue {
            queue_name: p.queue_name.clone().map(Value::from),
            fifo_queue: p.fifo.then_some(true),
            content_based_deduplication: (p.fifo && p.content_based_deduplication).then_some(true),
            message_retention_period: u32::try_from(p.retention.as_secs()).ok(),
            visibility_timeout: u32::try_from(self.visibility_secs(p)).ok(),
            sqs_managed_sse_enabled: Some(true),
            redrive_policy: Some(sqs::RedrivePolicy {
                dead_letter_target_arn: self.dead_letter.arn(),
                max_receive_count: p.max_receive_count,
            }),
            ..Default::default()
        }
    }

    fn event_source(p: &Props, function: Value, queue_id: &str) -> lambda::EventSourceMapping {
        lambda::EventSourceMapping {
            event_source_arn: Value::get_att(queue_id, "Arn"),
            function_name: function,
            batch_size: p.batch_size,
            function_response_types: vec!["ReportBatchItemFailures"],
            maximum_batching_window_in_seconds: p
                .batching_window
                .and_then(|w| u32::try_from(w.as_secs()).ok()),
            scaling_config: p.maximum_concurrency.map(|n| lambda::ScalingConfig {
                maximum_concurrency: n,
            }),
            enabled: p.enabled,
        }
    }
}
