//! `Topic`: an SNS topic created in the stack, or an existing one by ARN,
//! and the grant to publish to it (with its KMS key, if customer managed).

use std::cell::RefCell;
use std::rc::Rc;

use crate::construct::{Construct, Node, Stack};
use crate::constructs::grant::Grantee;
use crate::resources::{iam, sns};
use crate::synth::SynthContext;
use crate::template::{Output, Resource, Template};
use crate::validate::{names, Report};
use crate::value::Value;

/// How a topic's messages are encrypted at rest.
#[derive(Debug, Clone, PartialEq)]
pub enum TopicEncryption {
    /// The AWS managed key `alias/aws/sns` (the default).
    AwsManaged,
    /// A customer managed KMS key, by key ARN. Publishers get
    /// `kms:GenerateDataKey*` and `kms:Decrypt` on it.
    CustomerKey(Value),
}

#[derive(Debug, Clone)]
enum Source {
    New,
    Imported(Value),
}

#[derive(Debug, Clone)]
struct Props {
    source: Source,
    fifo: bool,
    content_based_deduplication: bool,
    name: Option<String>,
    display_name: Option<String>,
    encryption: TopicEncryption,
    export_name: Option<String>,
}

struct Inner {
    node: Node,
    props: RefCell<Props>,
}

/// An SNS topic that scheduled tasks publish to and channels subscribe to.
///
/// ```
/// use cfn_gen::{App, Stack, Topic};
/// let app = App::new();
/// let stack = Stack::new(&app, "Demo");
/// let alerts = Topic::fifo(&stack, "Alerts").content_based_deduplication();
/// let legacy = Topic::from_arn(&stack, "Legacy", "arn:aws:sns:us-east-1:123456789012:legacy");
/// assert!(alerts.is_fifo());
/// assert!(!legacy.is_fifo());
/// ```
#[derive(Clone)]
pub struct Topic(Rc<Inner>);

impl Topic {
    fn create(stack: &Stack, id: &str, source: Source, fifo: bool) -> Topic {
        let inner = Rc::new(Inner {
            node: stack.claim(id),
            props: RefCell::new(Props {
                source,
                fifo,
                content_based_deduplication: false,
                name: None,
                display_name: None,
                encryption: TopicEncryption::AwsManaged,
                export_name: None,
            }),
        });
        stack.add(inner.clone());
        Topic(inner)
    }

    /// A new standard topic.
    pub fn standard(stack: &Stack, id: &str) -> Topic {
        Topic::create(stack, id, Source::New, false)
    }

    /// A new FIFO topic: ordered per message group, deduplicated for five minutes.
    pub fn fifo(stack: &Stack, id: &str) -> Topic {
        Topic::create(stack, id, Source::New, true)
    }

    /// An existing topic. A literal ARN ending in `.fifo` makes a FIFO topic;
    /// for an intrinsic (for example [`Value::import`]) say so with
    /// [`Topic::fifo_topic`].
    pub fn from_arn(stack: &Stack, id: &str, arn: impl Into<Value>) -> Topic {
        let arn = arn.into();
        let fifo = arn.as_literal().is_some_and(|a| a.ends_with(".fifo"));
        Topic::create(stack, id, Source::Imported(arn), fifo)
    }

    fn update(self, f: impl FnOnce(&mut Props)) -> Topic {
        f(&mut self.0.props.borrow_mut());
        self
    }

    /// Mark an imported topic as FIFO (or not).
    pub fn fifo_topic(self, fifo: bool) -> Topic {
        self.update(|p| p.fifo = fifo)
    }

    /// Give the topic a fixed physical name. Without one CloudFormation
    /// generates a unique name, so the stack can be deployed twice in one
    /// account. A FIFO topic's name must end in `.fifo`.
    pub fn topic_name(self, name: impl Into<String>) -> Topic {
        let name = name.into();
        self.update(|p| p.name = Some(name))
    }

    /// The display name (used as the sender name of SMS messages).
    pub fn display_name(self, name: impl Into<String>) -> Topic {
        let name = name.into();
        self.update(|p| p.display_name = Some(name))
    }

    /// FIFO only: deduplicate by a hash of the message body instead of an
    /// explicit deduplication id.
    pub fn content_based_deduplication(self) -> Topic {
        self.update(|p| p.content_based_deduplication = true)
    }

    /// Encrypt with a customer managed KMS key (by key ARN) instead of `alias/aws/sns`.
    pub fn kms_key(self, key_arn: impl Into<Value>) -> Topic {
        let key = key_arn.into();
        self.update(|p| p.encryption = TopicEncryption::CustomerKey(key))
    }

    /// Export the topic's ARN under `name` so another stack can use
    /// `Topic::from_arn(&other, "Id", Value::import(name))`.
    pub fn export_arn(self, name: impl Into<String>) -> Topic {
        let name = name.into();
        self.update(|p| p.export_name = Some(name))
    }

    /// The topic's ARN.
    pub fn arn(&self) -> Value {
        self.arn_of(&self.0.props.borrow())
    }

    fn arn_of(&self, p: &Props) -> Value {
        match &p.source {
            Source::New => Value::reference(self.0.node.logical_id()),
            Source::Imported(arn) => arn.clone(),
        }
    }

    /// Whether the topic is FIFO.
    pub fn is_fifo(&self) -> bool {
        self.0.props.borrow().fifo
    }

    /// The customer managed key, when the topic uses one.
    pub fn kms_key_arn(&self) -> Option<Value> {
        match &self.0.props.borrow().encryption {
            TopicEncryption::CustomerKey(k) => Some(k.clone()),
            TopicEncryption::AwsManaged => None,
        }
    }

    /// Where the topic sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// Let `grantee` publish: `sns:Publish` on exactly this topic and, for
    /// a customer managed key, `kms:Decrypt` and `kms:GenerateDataKey*` on
    /// exactly that key.
    ///
    /// ```
    /// use cfn_gen::{App, RolePolicy, Stack, Topic};
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Demo");
    /// let topic = Topic::standard(&stack, "Alerts")
    ///     .kms_key("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    /// let policy = RolePolicy::new();
    /// topic.grant_publish(&policy);
    /// let statements = policy.statements();
    /// assert_eq!(statements[0].action, ["sns:Publish"]);
    /// assert_eq!(statements[1].action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
    /// ```
    pub fn grant_publish(&self, grantee: &dyn Grantee) {
        grantee.add_to_role_policy(iam::Statement::allow(["sns:Publish"], vec![self.arn()]));
        if let Some(key) = self.kms_key_arn() {
            grantee.add_to_role_policy(iam::Statement::allow(
                ["kms:Decrypt", "kms:GenerateDataKey*"],
                vec![key],
            ));
        }
    }
}

impl std::fmt::Debug for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Topic({})", self.node().path())
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        let path = self.node.path();
        let p = self.props.borrow();
        if let Some(name) = &p.name {
            if let Err(message) = names::check_fifo_name(&names::TOPIC, name, p.fifo) {
                report.error(&path, message, "fix the name given to .topic_name(), or leave it out and let CloudFormation generate one");
            }
        }
        if p.content_based_deduplication && !p.fifo {
            report.error(
                &path,
                "content-based deduplication is only available on FIFO topics",
                "create the topic with Topic::fifo, or drop .content_based_deduplication()",
            );
        }
        if let Some(name) = &p.display_name {
            if name.chars().count() > 100 {
                report.error(
                    &path,
                    format!("display name `{name}` is longer than 100 characters"),
                    "shorten the display name",
                );
            }
        }
        if let Some(export) = &p.export_name {
            if let Err(message) = names::EXPORT.check(export) {
                report.error(&path, message, "fix the name given to .export_arn()");
            }
        }
        if let TopicEncryption::CustomerKey(key) = &p.encryption {
            check_kms_key_arn(&path, key, report);
        }
        if let Source::Imported(arn) = &p.source {
            if p.name.is_some() || p.content_based_deduplication || p.display_name.is_some() {
                report.error(
                    &path,
                    "an imported topic cannot be renamed or reconfigured here",
                    "change the topic where it is defined; here only .fifo_topic() and .kms_key() describe it",
                );
            }
            if let Some(literal) = arn.as_literal() {
                check_topic_arn(&path, literal, report);
            }
        }
    }

    fn synthesize(&self, _ctx: &SynthContext, template: &mut Template) {
        let p = self.props.borrow();
        let id = self.node.logical_id();
        if let Source::New = p.source {
            let kms = match &p.encryption {
                TopicEncryption::AwsManaged => Value::from("alias/aws/sns"),
                TopicEncryption::CustomerKey(k) => k.clone(),
            };
            let props = sns::Topic {
                topic_name: p.name.clone().map(Value::String),
                fifo_topic: p.fifo.then_some(true),
                content_based_deduplication: p.content_based_deduplication.then_some(true),
                kms_master_key_id: Some(kms),
                display_name: p.display_name.clone(),
            };
            template.add_resource(&id, Resource::new(props));
        }
        if let Some(name) = &p.export_name {
            let mut output = Output::new(
                Value::reference(&id),
                format!("ARN of topic {}", self.node.path()),
            );
            output.export_name = Some(Value::String(name.clone()));
            template.add_output(format!("{id}Arn"), output);
        }
    }

    fn exports(&self) -> Vec<(String, String)> {
        let p = self.props.borrow();
        p.export_name
            .iter()
            .map(|name| (format!("{}Arn", self.node.logical_id()), name.clone()))
            .collect()
    }
}

fn check_topic_arn(path: &str, arn: &str, report: &mut Report) {
    let parts: Vec<&str> = arn.split(':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "sns"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && !parts[5].is_empty();
    if !ok {
        report.error(
            path,
            format!("`{arn}` is not an SNS topic ARN"),
            "pass an ARN like arn:aws:sns:us-east-1:123456789012:my-topic",
        );
    }
}

pub(crate) fn check_kms_key_arn(path: &str, key: &Value, report: &mut Report) {
    if let Some(k) = key.as_literal() {
        let parts: Vec<&str> = k.splitn(6, ':').collect();
        let ok = parts.len() == 6
            && parts[0] == "arn"
            && parts[2] == "kms"
            && parts[5].starts_with("key/");
        if !ok {
            report.error(
                path,
                format!("`{k}` is not a KMS key ARN"),
                "pass the key's ARN (arn:aws:kms:REGION:ACCOUNT:key/ID); aliases cannot be granted in IAM",
            );
        }
    }
}

impl crate::construct::AlarmDestination for Topic {
    /// A topic created here is checked for FIFO and the AWS managed key; an
    /// imported one only when it is FIFO (its key is not known here, unless
    /// given with [`Topic::kms_key`]).
    fn alarm_target(&self) -> crate::construct::AlarmTarget {
        use crate::construct::TargetEncryption;
        let p = self.0.props.borrow();
        let encryption = match (&p.source, &p.encryption) {
            (_, TopicEncryption::CustomerKey(_)) => TargetEncryption::CustomerKey,
            (Source::New, TopicEncryption::AwsManaged) => TargetEncryption::AwsManaged,
            (Source::Imported(_), TopicEncryption::AwsManaged) => TargetEncryption::Unknown,
        };
        crate::construct::AlarmTarget {
            node: self.0.node.clone(),
            arn: self.arn_of(&p),
            fifo: p.fifo,
            encryption,
        }
    }

    fn topic(&self) -> Option<Topic> {
        Some(self.clone())
    }
}
