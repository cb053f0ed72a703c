//! Publishing a task's messages to its SNS topics, exactly once per scheduled run.
//!
//! Each topic key a task declares resolves to `SNS_TOPIC_ARN_<KEY>` at start
//! up (a missing variable stops the function before it handles anything).
//! Every message is wrapped in the [`Envelope`] and carries a deduplication id
//! derived from the scheduled run: FIFO topics get it as
//! `MessageDeduplicationId` (with `MessageGroupId` defaulting to the task's
//! name), standard topics as the `cloudcron.dedup-id` message attribute for
//! consumers to check. Publishing is never silent: the SDK retries with
//! backoff, and what still fails is returned as an error, which fails the run
//! so Lambda retries it and, in the end, sends it to the dead-letter queue.

use std::collections::BTreeMap;

use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry};
use serde::Serialize;

use crate::contract::{self, Envelope, InvalidTopicKey};
use crate::env::Environment;
use crate::event::ScheduledRun;
use crate::sdk_error::error_chain;

/// A topic a task may publish to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicTarget {
    /// The key the task uses.
    pub key: String,
    /// The topic ARN from `SNS_TOPIC_ARN_<KEY>`.
    pub arn: String,
    /// Whether it is a FIFO topic (its name ends in `.fifo`).
    pub fifo: bool,
}

/// The function is not configured the way the task needs.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A declared topic has no variable.
    #[error("the task declares topic `{key}` but {var} is not set; give the function the topic with ScheduledLambda::publishes_to(\"{key}\", &topic), or set {var} to the topic's ARN")]
    MissingTopicVariable {
        /// The topic key.
        key: String,
        /// The variable that should hold its ARN.
        var: String,
    },
    /// A declared key cannot be a variable name.
    #[error(transparent)]
    InvalidKey(#[from] InvalidTopicKey),
    /// The variable does not hold a topic ARN.
    #[error("{var} is `{value}`, which is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)")]
    InvalidArn {
        /// The variable.
        var: String,
        /// Its value.
        value: String,
    },
}

/// A message could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The key was not declared by the task.
    #[error("topic `{key}` is not one of the task's topics ({declared}); add it to Task::TOPICS and to the construct's publishes_to")]
    UnknownTopic {
        /// The key used.
        key: String,
        /// The declared keys.
        declared: String,
    },
    /// The message is over SNS's size limit.
    #[error("the message to topic `{key}` is {bytes} bytes with its attributes; SNS takes at most {max}: publish a reference (e.g. an S3 key) instead of the data", max = contract::SNS_MAX_MESSAGE_BYTES)]
    TooLarge {
        /// The topic key.
        key: String,
        /// The message size.
        bytes: usize,
    },
    /// The payload could not be serialized.
    #[error("the message to topic `{key}` cannot be serialized as JSON: {source}")]
    Serialize {
        /// The topic key.
        key: String,
        /// What serde said.
        source: serde_json::Error,
    },
    /// A message attribute is malformed.
    #[error("message attribute `{name}`: {problem}")]
    InvalidAttribute {
        /// The attribute name.
        name: String,
        /// What is wrong.
        problem: String,
    },
    /// SNS refused, or could not be reached after the SDK's retries.
    #[error("publishing to topic `{key}` failed after retries: {message}")]
    Sns {
        /// The topic key.
        key: String,
        /// The SDK's error, with its cause chain.
        message: String,
    },
    /// Some entries of a batch failed.
    #[error("{count} of the messages to topic `{key}` were not published: {detail}")]
    BatchEntriesFailed {
        /// The topic key.
        key: String,
        /// How many failed.
        count: usize,
        /// Their codes and messages.
        detail: String,
    },
}

/// A message ready to publish; add a subject, attributes or a message group
/// before sending it with [`RunContext::send`](crate::RunContext::send).
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingMessage {
    key: String,
    body: String,
    dedup_id: String,
    subject: Option<String>,
    attributes: BTreeMap<String, String>,
    group_id: Option<String>,
}

impl OutgoingMessage {
    /// The email-style subject (SNS delivers it to email subscriptions).
    pub fn subject(mut self, subject: impl Into<String>) -> OutgoingMessage {
        self.subject = Some(subject.into());
        self
    }

    /// A string message attribute (subscription filter policies match on these).
    pub fn attribute(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> OutgoingMessage {
        self.attributes.insert(name.into(), value.into());
        self
    }

    /// The FIFO message group (default: the task's name). Ignored on standard topics.
    pub fn group_id(mut self, group: impl Into<String>) -> OutgoingMessage {
        self.group_id = Some(group.into());
        self
    }

    /// The topic key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The envelope JSON that will be published.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The deduplication id.
    pub fn dedup_id(&self) -> &str {
        &self.dedup_id
    }

    /// Bytes SNS counts: body, subject, attribute names, types and values.
    pub fn size(&self, fifo: bool) -> usize {
        let dedup = if fifo {
            0
        } else {
            contract::DEDUP_ID_ATTRIBUTE.len() + "String".len() + self.dedup_id.len()
        };
        self.body.len()
            + self.subject.as_ref().map_or(0, String::len)
            + self
                .attributes
                .iter()
                .map(|(k, v)| k.len() + "String".len() + v.len())
                .sum::<usize>()
            + dedup
    }
}

/// A message SNS accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The topic key.
    pub key: String,
    /// The deduplication id it carried.
    pub dedup_id: String,
    /// SNS's message id.
    pub message_id: Option<String>,
}

/// Publishes to the topics a task declared.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    client: aws_sdk_sns::Client,
    task: String,
    topics: BTreeMap<String, TopicTarget>,
}

impl Dispatcher {
    /// Resolve every declared topic key from `env`; fails on the first
    /// missing or malformed variable.
    pub fn new(
        client: aws_sdk_sns::Client,
        env: &Environment,
        task: &str,
        keys: &[&str],
    ) -> Result<Dispatcher, ConfigError> {
        let mut topics = BTreeMap::new();
        for key in keys {
            let var = contract::topic_env_var(key)?;
            let arn = env
                .get(&var)
                .ok_or_else(|| ConfigError::MissingTopicVariable {
                    key: (*key).to_owned(),
                    var: var.clone(),
                })?;
            let parts: Vec<&str> = arn.split(':').collect();
            if parts.len() != 6 || parts[0] != "arn" || parts[2] != "sns" || parts[5].is_empty() {
                return Err(ConfigError::InvalidArn {
                    var,
                    value: arn.to_owned(),
                });
            }
            topics.insert(
                (*key).to_owned(),
                TopicTarget {
                    key: (*key).to_owned(),
                    arn: arn.to_owned(),
                    fifo: arn.ends_with(".fifo"),
                },
            );
        }
        Ok(Dispatcher {
            client,
            task: task.to_owned(),
            topics,
        })
    }

    /// The declared topics.
    pub fn topics(&self) -> impl Iterator<Item = &TopicTarget> {
        self.topics.values()
    }

    fn topic(&self, key: &str) -> Result<&TopicTarget, PublishError> {
        self.topics
            .get(key)
            .ok_or_else(|| PublishError::UnknownTopic {
                key: key.to_owned(),
                declared: self.topics.keys().cloned().collect::<Vec<_>>().join(", "),
            })
    }

    /// Wrap `payload` for topic `key` as the `ordinal`-th message of `run`.
    pub fn message<T: Serialize>(
        &self,
        run: &ScheduledRun,
        key: &str,
        ordinal: u32,
        payload: &T,
    ) -> Result<OutgoingMessage, PublishError> {
        self.topic(key)?;
        let dedup_id = run.dedup_id(key, ordinal);
        let envelope = Envelope {
            cloud_cron: contract::ENVELOPE_VERSION,
            id: dedup_id.clone(),
            task: self.task.clone(),
            topic: key.to_owned(),
            schedule_arn: run.schedule_arn.clone(),
            scheduled_time: run.scheduled_time_text(),
            ordinal,
            payload,
        };
        let body = serde_json::to_string(&envelope).map_err(|source| PublishError::Serialize {
            key: key.to_owned(),
            source,
        })?;
        Ok(OutgoingMessage {
            key: key.to_owned(),
            body,
            dedup_id,
            subject: None,
            attributes: BTreeMap::new(),
            group_id: None,
        })
    }

    fn check(&self, message: &OutgoingMessage) -> Result<&TopicTarget, PublishError> {
        let topic = self.topic(&message.key)?;
        let bytes = message.size(topic.fifo);
        if bytes > contract::SNS_MAX_MESSAGE_BYTES {
            return Err(PublishError::TooLarge {
                key: message.key.clone(),
                bytes,
            });
        }
        for name in message.attributes.keys() {
            let valid = !name.is_empty()
                && name.len() <= 256
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
                && !name.starts_with('.')
                && !name.ends_with('.')
                && !name.contains("..")
                && !name.to_ascii_lowercase().starts_with("aws.")
                && !name.to_ascii_lowercase().starts_with("amazon.")
                && name != contract::DEDUP_ID_ATTRIBUTE;
            if !valid {
                return Err(PublishError::InvalidAttribute {
                    name: name.clone(),
                    problem: "SNS attribute names are 1-256 of a-z, A-Z, 0-9, `_`, `-`, `.` (no leading, trailing or double `.`, no `AWS.`/`Amazon.` prefix), and cloudcron.dedup-id is reserved".into(),
                });
            }
        }
        Ok(topic)
    }

    fn attributes(
        &self,
        message: &OutgoingMessage,
        fifo: bool,
    ) -> Result<Option<std::collections::HashMap<String, MessageAttributeValue>>, PublishError>
    {
        let mut pairs: Vec<(&str, &str)> = message
            .attributes
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if !fifo {
            pairs.push((contract::DEDUP_ID_ATTRIBUTE, &message.dedup_id));
        }
        if pairs.is_empty() {
            return Ok(None);
        }
        let mut out = std::collections::HashMap::new();
        for (name, value) in pairs {
            let v = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| PublishError::InvalidAttribute {
                    name: name.to_owned(),
                    problem: e.to_string(),
                })?;
            out.insert(name.to_owned(), v);
        }
        Ok(Some(out))
    }

    fn group(&self, message: &OutgoingMessage, fifo: bool) -> Option<String> {
        fifo.then(|| {
            message
                .group_id
                .clone()
                .unwrap_or_else(|| self.task.clone())
        })
    }

    /// Publish one message.
    pub async fn send(&self, message: OutgoingMessage) -> Result<Published, PublishError> {
        let topic = self.check(&message)?;
        let fifo = topic.fifo;
        let response = self
            .client
            .publish()
            .topic_arn(&topic.arn)
            .message(&message.body)
            .set_subject(message.subject.clone())
            .set_message_attributes(self.attributes(&message, fifo)?)
            .set_message_group_id(self.group(&message, fifo))
            .set_message_deduplication_id(fifo.then(|| message.dedup_id.clone()))
            .send()
            .await
            .map_err(|e| PublishError::Sns {
                key: message.key.clone(),
                message: error_chain(&e),
            })?;
        tracing::info!(topic = %message.key, dedup_id = %message.dedup_id, "published");
        Ok(Published {
            key: message.key,
            dedup_id: message.dedup_id,
            message_id: response.message_id,
        })
    }

    /// Publish many messages with `PublishBatch` (up to 10 per call and
    /// 256 KB per call). Every message is checked before anything is sent.
    pub async fn send_batch(
        &self,
        messages: Vec<OutgoingMessage>,
    ) -> Result<Vec<Published>, PublishError> {
        for m in &messages {
            self.check(m)?;
        }
        let mut by_key: BTreeMap<String, Vec<OutgoingMessage>> = BTreeMap::new();
        for m in messages {
            by_key.entry(m.key.clone()).or_default().push(m);
        }
        let mut published = Vec::new();
        for (key, messages) in by_key {
            let topic = self.topic(&key)?.clone();
            for chunk in chunks(&messages, topic.fifo) {
                published.extend(self.publish_chunk(&topic, chunk).await?);
            }
        }
        Ok(published)
    }

    async fn publish_chunk(
        &self,
        topic: &TopicTarget,
        chunk: &[OutgoingMessage],
    ) -> Result<Vec<Published>, PublishError> {
        let mut entries = Vec::with_capacity(chunk.len());
        for (i, m) in chunk.iter().enumerate() {
            let entry = PublishBatchRequestEntry::builder()
                .id(format!("m{i}"))
                .message(&m.body)
                .set_subject(m.subject.clone())
                .set_message_attributes(self.attributes(m, topic.fifo)?)
                .set_message_group_id(self.group(m, topic.fifo))
                .set_message_deduplication_id(topic.fifo.then(|| m.dedup_id.clone()))
                .build()
                .map_err(|e| PublishError::Sns {
                    key: topic.key.clone(),
                    message: e.to_string(),
                })?;
            entries.push(entry);
        }
        let response = self
            .client
            .publish_batch()
            .topic_arn(&topic.arn)
            .set_publish_batch_request_entries(Some(entries))
            .send()
            .await
            .map_err(|e| PublishError::Sns {
                key: topic.key.clone(),
                message: error_chain(&e),
            })?;
        let failed = response.failed();
        if !failed.is_empty() {
            return Err(PublishError::BatchEntriesFailed {
                key: topic.key.clone(),
                count: failed.len(),
                detail: failed
                    .iter()
                    .map(|f| format!("{}: {}", f.code(), f.message().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join("; "),
            });
        }
        let ids: BTreeMap<&str, Option<String>> = response
            .successful()
            .iter()
            .filter_map(|s| Some((s.id()?, s.message_id().map(str::to_owned))))
            .collect();
        tracing::info!(topic = %topic.key, count = chunk.len(), "published batch");
        Ok(chunk
            .iter()
            .enumerate()
            .map(|(i, m)| Published {
                key: m.key.clone(),
                dedup_id: m.dedup_id.clone(),
                message_id: ids.get(format!("m{i}").as_str()).cloned().flatten(),
            })
            .collect())
    }
}

/// Split messages into batches of at most 10 entries and 256 KB.
fn chunks(messages: &[OutgoingMessage], fifo: bool) -> Vec<&[OutgoingMessage]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, m) in messages.iter().enumerate() {
        let size = m.size(fifo);
        if i > start && (i - start == 10 || bytes + size > contract::SNS_MAX_MESSAGE_BYTES) {
            out.push(&messages[start..i]);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < messages.len() {
        out.push(&messages[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(bytes: usize) -> OutgoingMessage {
        OutgoingMessage {
            key: "k".into(),
            body: "x".repeat(bytes),
            dedup_id: "d".into(),
            subject: None,
            attributes: BTreeMap::new(),
            group_id: None,
        }
    }

    #[test]
    fn batches_hold_ten_messages_and_256_kb_at_most() {
        let small: Vec<OutgoingMessage> = (0..23).map(|_| message(10)).collect();
        let sizes: Vec<usize> = chunks(&small, true).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, [10, 10, 3]);
        let big: Vec<OutgoingMessage> = (0..3).map(|_| message(100_000)).collect();
        let sizes: Vec<usize> = chunks(&big, true).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, [2, 1]);
    }
}
