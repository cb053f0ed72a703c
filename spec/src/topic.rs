//! `topics:` of a stack: SNS topics, new (standard or FIFO) or existing by
//! ARN ([`cfn_gen::Topic`]).

use cfn_gen::Topic;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{Build, StackScope};
use crate::positions::join;

/// An SNS topic tasks publish to and channels deliver.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicSpec {
    /// A FIFO topic (ordered, deduplicated): the usual choice for alerts.
    #[serde(default)]
    #[schemars(example = true)]
    pub fifo: bool,
    /// Deduplicate FIFO messages by content (FIFO topics only).
    #[serde(default)]
    #[schemars(example = false)]
    pub content_based_deduplication: bool,
    /// A fixed topic name (otherwise CloudFormation generates one).
    #[schemars(example = &"erp-alerts")]
    pub topic_name: Option<String>,
    /// The display name (the sender name of SMS subscriptions).
    #[schemars(example = &"ERP alerts")]
    pub display_name: Option<String>,
    /// A customer managed KMS key ARN to encrypt messages with (default:
    /// the AWS managed key).
    #[schemars(example = &"arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    pub kms_key: Option<String>,
    /// Export the topic's ARN under this name for other stacks.
    #[schemars(example = &"erp-alerts-arn")]
    pub export_arn: Option<String>,
    /// An existing topic, by ARN: nothing is created; the other settings
    /// must be left out.
    #[schemars(example = &"arn:aws:sns:eu-west-2:123456789012:legacy-alerts")]
    pub arn: Option<String>,
}

/// Create the topic `id` of `scope` and register it for references.
pub(crate) fn build(b: &mut Build, scope: &mut StackScope, id: &str, spec: &TopicSpec) {
    let path = join(&join(&scope.path, "topics"), id);
    let topic = match &spec.arn {
        Some(arn) => {
            let configured = spec.fifo
                || spec.content_based_deduplication
                || spec.topic_name.is_some()
                || spec.display_name.is_some()
                || spec.kms_key.is_some()
                || spec.export_arn.is_some();
            if configured {
                b.error(
                    &join(&path, "arn"),
                    format!("topic `{id}` is an existing topic (`arn`) and also has settings for a new one"),
                    "keep `arn` alone for an existing topic, or remove `arn` to create the topic here",
                );
            }
            Topic::from_arn(&scope.stack, id, arn.as_str())
        }
        None => {
            let mut t = if spec.fifo {
                Topic::fifo(&scope.stack, id)
            } else {
                Topic::standard(&scope.stack, id)
            };
            if spec.content_based_deduplication {
                t = t.content_based_deduplication();
            }
            if let Some(n) = &spec.topic_name {
                t = t.topic_name(n);
            }
            if let Some(n) = &spec.display_name {
                t = t.display_name(n);
            }
            if let Some(k) = &spec.kms_key {
                t = t.kms_key(k.as_str());
            }
            if let Some(e) = &spec.export_arn {
                t = t.export_arn(e);
            }
            t
        }
    };
    b.construct(topic.node().path(), &path);
    scope.topics.insert(id.to_owned(), topic);
}
