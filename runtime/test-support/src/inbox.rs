//! An inbox on moto: an SNS topic with an SQS queue subscribed to it, so a
//! test can read back what was published, and the queue reading tests do.
//!
//! [`Inbox::builder`] names the resources uniquely from a prefix (so tests
//! running at once on one moto server never share a queue) and creates
//! them: a standard or FIFO topic and queue, raw message delivery on (as a
//! notification channel subscribes) or off (SNS's JSON envelope, as an
//! email or ops subscription sees it), and optionally a dead-letter queue
//! the queue redrives to after `maxReceiveCount` receives.
//! [`Inbox::drain`] receives and deletes every message in the queue.
//!
//! Feature `inbox`. Test-only: failures panic with what went wrong.
//!
//! ```no_run
//! # async fn example(config: aws_config::SdkConfig) {
//! use cloud_cron_test_support::inbox::Inbox;
//! let alerts = Inbox::builder("alerts").fifo(true).dead_letter_after(2).create(&config).await;
//! // ... publish to alerts.topic_arn ...
//! for message in alerts.drain().await {
//!     println!("{}", message.body().unwrap_or_default());
//! }
//! # }
//! ```

use std::sync::atomic::{AtomicU32, Ordering};

use aws_config::SdkConfig;
use aws_sdk_sqs::types::{Message, QueueAttributeName};

/// A topic with a queue subscribed, created by [`InboxBuilder::create`].
#[derive(Debug, Clone)]
pub struct Inbox {
    /// The topic's ARN.
    pub topic_arn: String,
    /// The subscribed queue's URL.
    pub queue_url: String,
    /// The subscribed queue's ARN.
    pub queue_arn: String,
    /// The dead-letter queue's URL, when one was asked for
    /// ([`InboxBuilder::dead_letter_after`]).
    pub dlq_url: Option<String>,
    sqs: aws_sdk_sqs::Client,
}

/// What [`Inbox::builder`] will create; standard, raw delivery and no
/// dead-letter queue unless told otherwise.
#[derive(Debug, Clone)]
#[must_use = "an InboxBuilder creates nothing until `create` is awaited"]
pub struct InboxBuilder {
    prefix: String,
    fifo: bool,
    raw_delivery: bool,
    max_receive_count: Option<u32>,
}

impl Inbox {
    /// An inbox whose names start with `prefix`: topic `<prefix>-<unique>`,
    /// queue `<prefix>-<unique>-inbox`, dead-letter queue
    /// `<prefix>-<unique>-dlq` (each with `.fifo` when FIFO), where
    /// `<unique>` is the process id and a counter.
    pub fn builder(prefix: impl Into<String>) -> InboxBuilder {
        InboxBuilder {
            prefix: prefix.into(),
            fifo: false,
            raw_delivery: true,
            max_receive_count: None,
        }
    }

    /// Receives and deletes every message in the queue, in the order
    /// received, until a receive waiting one second finds none. Each
    /// message comes with all its message attributes and is deleted as soon
    /// as it is read, as a consumer would (an in-flight FIFO message holds
    /// back the rest of its group).
    ///
    /// # Panics
    ///
    /// When a call to SQS fails.
    pub async fn drain(&self) -> Vec<Message> {
        drain_queue(&self.sqs, &self.queue_url).await
    }

    /// Receives and deletes every message in the dead-letter queue, as
    /// [`Inbox::drain`] does.
    ///
    /// # Panics
    ///
    /// When the inbox has no dead-letter queue, or a call to SQS fails.
    pub async fn drain_dead_letters(&self) -> Vec<Message> {
        let url = self
            .dlq_url
            .as_deref()
            .expect("this inbox has no dead-letter queue: build it with dead_letter_after(n)");
        drain_queue(&self.sqs, url).await
    }
}

impl InboxBuilder {
    /// A FIFO topic and FIFO queues (`true`), or standard ones.
    pub fn fifo(mut self, fifo: bool) -> Self {
        self.fifo = fifo;
        self
    }

    /// Raw message delivery (the default, `true`): a queue message's body
    /// is the published message and its SNS message attributes are SQS
    /// message attributes. `false`: the body is SNS's JSON envelope
    /// (`Message`, `Subject`, `MessageAttributes`, ...).
    pub fn raw_delivery(mut self, raw: bool) -> Self {
        self.raw_delivery = raw;
        self
    }

    /// A dead-letter queue the queue moves a message to once it has been
    /// received `max_receive_count` times without being deleted.
    pub fn dead_letter_after(mut self, max_receive_count: u32) -> Self {
        self.max_receive_count = Some(max_receive_count);
        self
    }

    /// Creates the topic, the queues and the subscription.
    ///
    /// # Panics
    ///
    /// When a call to SNS or SQS fails.
    pub async fn create(self, config: &SdkConfig) -> Inbox {
        let sns = aws_sdk_sns::Client::new(config);
        let sqs = aws_sdk_sqs::Client::new(config);
        let base = format!("{}-{}", self.prefix, unique());
        let suffix = if self.fifo { ".fifo" } else { "" };

        let mut topic = sns.create_topic().name(format!("{base}{suffix}"));
        if self.fifo {
            topic = topic.attributes("FifoTopic", "true");
        }
        let topic_arn = topic
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateTopic {base}{suffix}: {e:?}"))
            .topic_arn
            .unwrap_or_else(|| panic!("CreateTopic {base}{suffix} returned no ARN"));

        let dead_letters = match self.max_receive_count {
            Some(count) => {
                let url = create_queue(&sqs, &format!("{base}-dlq{suffix}"), self.fifo, None).await;
                let arn = queue_arn(&sqs, &url).await;
                let redrive = serde_json::json!({
                    "deadLetterTargetArn": arn,
                    "maxReceiveCount": count,
                });
                Some((url, redrive.to_string()))
            }
            None => None,
        };
        let queue_url = create_queue(
            &sqs,
            &format!("{base}-inbox{suffix}"),
            self.fifo,
            dead_letters.as_ref().map(|(_, redrive)| redrive.as_str()),
        )
        .await;
        let queue_arn = queue_arn(&sqs, &queue_url).await;

        let mut subscribe = sns
            .subscribe()
            .topic_arn(&topic_arn)
            .protocol("sqs")
            .endpoint(&queue_arn);
        if self.raw_delivery {
            subscribe = subscribe.attributes("RawMessageDelivery", "true");
        }
        subscribe
            .send()
            .await
            .unwrap_or_else(|e| panic!("Subscribe {queue_arn} to {topic_arn}: {e:?}"));

        Inbox {
            topic_arn,
            queue_url,
            queue_arn,
            dlq_url: dead_letters.map(|(url, _)| url),
            sqs,
        }
    }
}

async fn drain_queue(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Vec<Message> {
    let mut out = Vec::new();
    loop {
        let messages = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .message_attribute_names("All")
            .visibility_timeout(300)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap_or_else(|e| panic!("ReceiveMessage {queue_url}: {e:?}"))
            .messages
            .unwrap_or_default();
        if messages.is_empty() {
            return out;
        }
        for message in messages {
            sqs.delete_message()
                .queue_url(queue_url)
                .receipt_handle(message.receipt_handle().unwrap_or_default())
                .send()
                .await
                .unwrap_or_else(|e| panic!("DeleteMessage {queue_url}: {e:?}"));
            out.push(message);
        }
    }
}

/// `<process id>-<counter>`: unique among the inboxes of every test process
/// running against one moto server.
fn unique() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

async fn create_queue(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    fifo: bool,
    redrive_policy: Option<&str>,
) -> String {
    let mut queue = sqs.create_queue().queue_name(name);
    if fifo {
        queue = queue.attributes(QueueAttributeName::FifoQueue, "true");
    }
    if let Some(policy) = redrive_policy {
        queue = queue.attributes(QueueAttributeName::RedrivePolicy, policy);
    }
    queue
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateQueue {name}: {e:?}"))
        .queue_url
        .unwrap_or_else(|| panic!("CreateQueue {name} returned no URL"))
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> String {
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetQueueAttributes {url}: {e:?}"))
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .unwrap_or_else(|| panic!("GetQueueAttributes {url} returned no QueueArn"))
        .clone()
}
