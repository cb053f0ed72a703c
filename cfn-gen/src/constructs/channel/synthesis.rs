//! A channel's resources, in template order: the dead-letter queue, the
//! queue (redriving to it), the alarms (dead-letter depth, queue age,
//! function errors, throttles and duration), the queue policy letting only the
//! topic send, the raw-delivery subscription, the templates' SSM
//! parameters, the delivery-record table, the notifier function with its
//! grants, the event source mapping, and the outputs.

use std::collections::BTreeMap;

use cloud_cron_contract::notifier::DEDUP_TABLE_ENV;

use super::{kinds, Inner, Props};
use crate::constructs::alarms::{self, FunctionRole, WatchedFunction};
use crate::constructs::dead_letter::SSE_SQS_REASON;
use crate::constructs::function::FunctionParts;
use crate::constructs::grant::RolePolicy;
use crate::constructs::queue::QueueRef;
use crate::constructs::secret::SecretGrants;
use crate::resources::{cloudwatch, iam, lambda, sns, sqs};
use crate::synth::SynthContext;
use crate::template::{DeletionPolicy, Output, Resource, Template};
use crate::value::Value;

impl Inner {
    /// The alarm on the age of the oldest notification waiting in the
    /// channel's queue: delivery is stuck or far behind.
    fn emit_queue_age_alarm(
        &self,
        queue_id: &str,
        age: std::time::Duration,
        max_receive_count: u32,
        template: &mut Template,
    ) {
        let path = self.node.path();
        let mut alarm = cloudwatch::Alarm {
            alarm_description: Some(format!(
                "{path}: the oldest notification in the channel's queue has waited more than {}s (SQS ApproximateAgeOfOldestMessage): notifications are not going out. The notifier may be failing (each message is retried {max_receive_count} times, then dead-lettered), throttled, or its event source mapping paused. Read the notifier's CloudWatch Logs and check the event source mapping is enabled.",
                age.as_secs()
            )),
            namespace: "AWS/SQS".into(),
            metric_name: "ApproximateAgeOfOldestMessage".into(),
            dimensions: vec![cloudwatch::Dimension {
                name: "QueueName".into(),
                value: Value::get_att(queue_id, "QueueName"),
            }],
            statistic: "Maximum".into(),
            period: 300,
            evaluation_periods: 1,
            threshold: age.as_secs() as f64,
            comparison_operator: "GreaterThanThreshold".into(),
            treat_missing_data: Some("notBreaching".into()),
            ..Default::default()
        };
        alarms::route(&mut alarm, self.dead_letter.alarm_target().as_ref());
        template.add_resource(
            self.node.child_logical_id("QueueAgeAlarm"),
            Resource::new(alarm),
        );
    }

    pub(super) fn emit(&self, ctx: &SynthContext, template: &mut Template) {
        let p = self.props.borrow();
        let path = self.node.path();
        let n = &self.node;
        let queue_id = n.child_logical_id("Queue");
        let policy_id = n.child_logical_id("QueuePolicy");
        let queue = QueueRef::from_arn(Value::get_att(&queue_id, "Arn"));
        let dlq_arn = self.dead_letter.arn();

        self.dead_letter.set_fifo(p.topic.is_fifo());
        self.dead_letter.emit_queue(template);
        template.add_resource(
            &queue_id,
            Resource::new(sqs::Queue {
                fifo_queue: p.topic.is_fifo().then_some(true),
                message_retention_period: u32::try_from(p.retention.as_secs()).ok(),
                visibility_timeout: u32::try_from(self.visibility_secs(&p)).ok(),
                sqs_managed_sse_enabled: Some(true),
                redrive_policy: Some(sqs::RedrivePolicy {
                    dead_letter_target_arn: dlq_arn.clone(),
                    max_receive_count: p.max_receive_count,
                }),
                ..Default::default()
            })
            .deletion_policy(DeletionPolicy::Delete)
            .update_replace_policy(DeletionPolicy::Delete)
            .skip_check("CKV_AWS_27", SSE_SQS_REASON),
        );
        self.dead_letter.emit_alarm(template);
        self.dead_letter.emit_function_alarms(
            template,
            &WatchedFunction {
                id: self.function.logical_id(),
                timeout: self.function.settings().timeout,
                duration_percent: p.duration_alarm,
            },
            FunctionRole::Channel,
        );
        if let Some(age) = p.queue_age_alarm {
            self.emit_queue_age_alarm(&queue_id, age, p.max_receive_count, template);
        }
        template.add_resource(
            &policy_id,
            Resource::new(sqs::QueuePolicy {
                queues: vec![Value::reference(&queue_id), self.dead_letter.url()],
                policy_document: iam::PolicyDocument::new(vec![iam::Statement::allow(
                    ["sqs:SendMessage"],
                    vec![queue.arn(), dlq_arn.clone()],
                )
                .principal_service("sns.amazonaws.com")
                .when("ArnEquals", "aws:SourceArn", p.topic.arn())]),
            }),
        );
        template.add_resource(
            n.child_logical_id("Subscription"),
            Resource::new(sns::Subscription {
                topic_arn: p.topic.arn(),
                protocol: "sqs",
                endpoint: queue.arn(),
                raw_message_delivery: Some(true),
                filter_policy: p.filter.clone(),
                filter_policy_scope: p.filter.as_ref().map(|_| "MessageAttributes"),
                redrive_policy: Some(sns::SubscriptionRedrivePolicy {
                    dead_letter_target_arn: dlq_arn,
                }),
            })
            // SNS checks the queue policy when it delivers the confirmation.
            .depends_on(&policy_id),
        );

        let grants = RolePolicy::new();
        queue.grant_consume(&grants);
        let env = self.emit_settings(&p, template, &grants);
        self.function.synthesize(
            ctx,
            template,
            FunctionParts {
                grants,
                env,
                event_invoke_config: None,
            },
        );

        template.add_resource(
            n.child_logical_id("EventSource"),
            Resource::new(lambda::EventSourceMapping {
                event_source_arn: queue.arn(),
                function_name: self.function.name(),
                batch_size: p.batch_size,
                function_response_types: vec!["ReportBatchItemFailures"],
                maximum_batching_window_in_seconds: None,
                scaling_config: p.maximum_concurrency.map(|n| lambda::ScalingConfig {
                    maximum_concurrency: n,
                }),
                enabled: p.enabled,
            }),
        );

        template.add_output(
            format!("{queue_id}Url"),
            Output::new(Value::reference(&queue_id), format!("Queue of {path}")),
        );
        template.add_output(
            format!("{}Url", self.dead_letter.queue_id()),
            Output::new(
                self.dead_letter.url(),
                format!("Dead-letter queue of {path}: notifications that failed after every retry"),
            ),
        );
    }

    /// The notifier's variables (channel settings, templates, secret
    /// references, the record table) and the grants to read what they name:
    /// template parameters and objects, secrets, the kind's own (SES), the
    /// record table (emitted here).
    fn emit_settings(
        &self,
        p: &Props,
        template: &mut Template,
        grants: &RolePolicy,
    ) -> BTreeMap<String, Value> {
        let loaded = self.load_templates(p, None);
        let (shipping, _) = self.ship(p, &loaded);
        let mut env: BTreeMap<String, Value> = BTreeMap::new();
        env.insert(
            "CLOUDCRON_CHANNEL".to_owned(),
            Value::String(Self::channel_json(p)),
        );
        self.emit_templates(&shipping, template, &mut env, grants);

        // Secrets: references in the environment, read rights on exactly
        // those (parameters first, then Secrets Manager secrets).
        for (name, secret) in &p.secrets {
            env.insert(name.env_var(), Value::String(secret.to_string()));
        }
        let (parameters, managed): (Vec<_>, Vec<_>) = p
            .secrets
            .values()
            .partition(|s| matches!(s, cloud_cron_contract::notifier::SecretRef::Ssm { .. }));
        for secret in parameters.into_iter().chain(managed) {
            secret.grant_read(grants);
        }
        kinds::grant(&p.config, grants);

        if p.durable_dedup {
            self.table.emit(template);
            env.insert(DEDUP_TABLE_ENV.to_owned(), self.table.name());
            self.table.grant_read_write(grants);
        }
        env
    }

    /// The queue's visibility timeout: as given, or 6 times the function's.
    pub(super) fn visibility_secs(&self, p: &Props) -> u64 {
        p.visibility_timeout
            .map(|v| v.as_secs())
            .unwrap_or_else(|| self.function.settings().timeout.as_secs().saturating_mul(6))
    }
}
