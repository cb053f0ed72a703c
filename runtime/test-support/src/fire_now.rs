//! "Fire now": what EventBridge Scheduler does when a stored schedule comes
//! due, done on demand against moto (whose Scheduler stores schedules but
//! never fires them), so a test can follow a schedule to its target.
//!
//! [`fire_now`] reads the schedule (`GetSchedule`) and makes the input the
//! Scheduler would deliver: its `Target.Input` with the context attributes
//! substituted (`<aws.scheduler.schedule-arn>`, `...scheduled-time>` from
//! its `at(...)` expression and zone, `...execution-id>`,
//! `...attempt-number>`). [`Firing::deliver`] hands that input to the
//! target as the Scheduler would: publish to an SNS topic, send to an SQS
//! queue; a Lambda target's event is returned for the test to pass to the
//! handler in-process ([`Delivered::Invoke`]). Delivering one firing twice
//! (an attempt's retry, or an at-least-once duplicate) keeps the schedule
//! ARN and scheduled time and changes the execution id, as the Scheduler
//! does.
//!
//! Feature `fire-now`. Test-only: failures panic with what went wrong.
//!
//! ```no_run
//! # async fn example(config: aws_config::SdkConfig) {
//! use cloud_cron_test_support::fire_now::{fire_now, Delivered};
//! let firing = fire_now(&config, "reminders", "acme.invoice-7.0123456789abcdef0123").await;
//! match firing.deliver(&config, 1).await {
//!     Delivered::Invoke(event) => println!("hand {event} to the handler"),
//!     Delivered::Published { message_id } | Delivered::Sent { message_id } => println!("{message_id}"),
//! }
//! # }
//! ```

use aws_config::SdkConfig;
use chrono::{NaiveDateTime, TimeZone};
use cloud_cron_contract::context;
use cloud_cron_schedule::Tz;

/// A stored schedule, ready to be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firing {
    /// The schedule's name.
    pub name: String,
    /// The schedule's ARN.
    pub schedule_arn: String,
    /// The target's ARN.
    pub target_arn: String,
    /// The instant it is due, RFC 3339 UTC with seconds and `Z`, as the
    /// Scheduler writes `<aws.scheduler.scheduled-time>`.
    pub scheduled_time: String,
    /// The stored `Target.Input`, placeholders and all.
    pub raw_input: String,
}

/// What [`Firing::deliver`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivered {
    /// A Lambda target: the event the Scheduler would invoke it with.
    Invoke(serde_json::Value),
    /// An SNS target: the message was published.
    Published {
        /// SNS's message id.
        message_id: String,
    },
    /// An SQS target: the message was sent.
    Sent {
        /// SQS's message id.
        message_id: String,
    },
}

/// Reads schedule `name` of `group` and works out its firing.
///
/// # Panics
///
/// When the schedule does not exist, has no target input, or its
/// expression is not a one-time `at(yyyy-mm-ddThh:mm:ss)` in a zone the
/// evaluator knows.
pub async fn fire_now(config: &SdkConfig, group: &str, name: &str) -> Firing {
    let stored = aws_sdk_scheduler::Client::new(config)
        .get_schedule()
        .group_name(group)
        .name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetSchedule {group}/{name}: {e:?}"));
    let target = stored
        .target()
        .unwrap_or_else(|| panic!("schedule {name} has no target"));
    let expression = stored.schedule_expression().unwrap_or_default();
    let zone = stored.schedule_expression_timezone().unwrap_or("UTC");
    Firing {
        name: name.to_owned(),
        schedule_arn: stored.arn().unwrap_or_default().to_owned(),
        target_arn: target.arn().to_owned(),
        scheduled_time: scheduled_time(expression, zone),
        raw_input: target
            .input()
            .unwrap_or_else(|| panic!("schedule {name} has no target input"))
            .to_owned(),
    }
}

/// The UTC instant of `at(local)` in `zone`, as the Scheduler writes it.
fn scheduled_time(expression: &str, zone: &str) -> String {
    let local = expression
        .strip_prefix("at(")
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("`{expression}` is not a one-time at(...) expression"));
    let local = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S")
        .unwrap_or_else(|e| panic!("`{expression}`: {e}"));
    let tz = Tz::named(zone).unwrap_or_else(|| panic!("unknown time zone `{zone}`"));
    let instant = tz
        .from_local_datetime(&local)
        .earliest()
        .unwrap_or_else(|| panic!("`{expression}` does not exist in {zone}"));
    instant
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

impl Firing {
    /// The input the Scheduler hands the target on attempt `attempt` (from
    /// 1): the same schedule ARN and scheduled time on every attempt, an
    /// execution id of its own.
    pub fn input(&self, attempt: u32) -> String {
        context::substitute(
            &self.raw_input,
            &self.schedule_arn,
            &self.scheduled_time,
            &format!("fire-now-{}-{attempt}", self.name),
            attempt,
        )
    }

    /// Delivers attempt `attempt` to the target: publishes to an SNS topic,
    /// sends to an SQS queue (given by ARN, as the Scheduler's target is),
    /// or returns a Lambda function's event.
    ///
    /// # Panics
    ///
    /// When the call fails or the target is of another kind.
    pub async fn deliver(&self, config: &SdkConfig, attempt: u32) -> Delivered {
        let input = self.input(attempt);
        let service = self.target_arn.split(':').nth(2).unwrap_or_default();
        match service {
            "lambda" => Delivered::Invoke(
                serde_json::from_str(&input)
                    .unwrap_or_else(|e| panic!("the input of {} is not JSON: {e}", self.name)),
            ),
            "sns" => {
                let published = aws_sdk_sns::Client::new(config)
                    .publish()
                    .topic_arn(&self.target_arn)
                    .message(input)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("Publish to {}: {e:?}", self.target_arn));
                Delivered::Published {
                    message_id: published.message_id().unwrap_or_default().to_owned(),
                }
            }
            "sqs" => {
                let sqs = aws_sdk_sqs::Client::new(config);
                let name = self.target_arn.rsplit(':').next().unwrap_or_default();
                let url = sqs
                    .get_queue_url()
                    .queue_name(name)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("GetQueueUrl {name}: {e:?}"))
                    .queue_url
                    .unwrap_or_default();
                let sent = sqs
                    .send_message()
                    .queue_url(url)
                    .message_body(input)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("SendMessage to {name}: {e:?}"));
                Delivered::Sent {
                    message_id: sent.message_id().unwrap_or_default().to_owned(),
                }
            }
            other => panic!(
                "fire_now delivers to Lambda, SNS and SQS targets, not `{other}` ({})",
                self.target_arn
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduled_times_are_the_utc_instant_of_the_local_time() {
        assert_eq!(
            scheduled_time("at(2031-07-01T09:00:00)", "Europe/London"),
            "2031-07-01T08:00:00Z"
        );
        assert_eq!(
            scheduled_time("at(2031-01-01T09:00:00)", "UTC"),
            "2031-01-01T09:00:00Z"
        );
        // A repeated local time is its first instant, as the client schedules it.
        assert_eq!(
            scheduled_time("at(2027-10-31T01:30:00)", "Europe/London"),
            "2027-10-31T00:30:00Z"
        );
    }

    #[test]
    fn attempts_share_the_firing_and_differ_in_execution() {
        let firing = Firing {
            name: "n".into(),
            schedule_arn: "arn:aws:scheduler:us-east-1:123456789012:schedule/g/n".into(),
            target_arn: "arn:aws:sns:us-east-1:123456789012:t".into(),
            scheduled_time: "2031-07-01T08:00:00Z".into(),
            raw_input: r#"{"a":"<aws.scheduler.schedule-arn>","t":"<aws.scheduler.scheduled-time>","e":"<aws.scheduler.execution-id>","n":"<aws.scheduler.attempt-number>"}"#.into(),
        };
        assert_eq!(
            firing.input(2),
            r#"{"a":"arn:aws:scheduler:us-east-1:123456789012:schedule/g/n","t":"2031-07-01T08:00:00Z","e":"fire-now-n-2","n":"2"}"#
        );
        assert_ne!(firing.input(1), firing.input(2));
    }
}
