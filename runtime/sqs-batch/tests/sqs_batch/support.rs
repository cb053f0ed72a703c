//! Records, events and a scripted handler.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use cloud_cron_sqs_batch::{Failure, Handled, Message, RecordHandler, SqsEvent, SqsMessage};

/// A record with this message id and body, in `group` when FIFO.
pub fn record(id: &str, body: &str, group: Option<&str>) -> SqsMessage {
    let mut r = SqsMessage::default();
    r.message_id = Some(id.to_owned());
    r.body = Some(body.to_owned());
    r.attributes
        .insert("ApproximateReceiveCount".into(), "1".into());
    if let Some(g) = group {
        r.attributes.insert("MessageGroupId".into(), g.to_owned());
    }
    r
}

pub fn event(records: Vec<SqsMessage>) -> SqsEvent {
    let mut e = SqsEvent::default();
    e.records = records;
    e
}

/// The message ids of the response's failures.
pub fn failures(response: &cloud_cron_sqs_batch::SqsBatchResponse) -> Vec<String> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect()
}

#[derive(Debug, PartialEq, Eq)]
pub enum TestError {
    Poisoned,
    Transient(String),
    Permanent(String),
}

impl std::fmt::Display for TestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TestError::Poisoned => write!(f, "the body is not a job"),
            TestError::Transient(k) => write!(f, "job {k}: throttled"),
            TestError::Permanent(k) => write!(f, "job {k}: refused"),
        }
    }
}

impl Failure for TestError {
    fn is_transient(&self) -> bool {
        matches!(self, TestError::Transient(_))
    }
}

/// A body `job:<key>`; bodies listed in `transient` / `permanent` fail so,
/// everything else is processed; it records what it processed and, when
/// `dead_letters` is set, what it dead-lettered itself.
#[derive(Default)]
pub struct Scripted {
    pub transient: HashSet<String>,
    pub permanent: HashSet<String>,
    pub durable_duplicates: HashSet<String>,
    pub dead_letters: bool,
    pub processed: Mutex<Vec<String>>,
    pub dead_lettered: Mutex<Vec<String>>,
    pub attempts: Mutex<HashMap<String, u32>>,
}

impl Scripted {
    pub fn failing(transient: &[&str], permanent: &[&str]) -> Scripted {
        Scripted {
            transient: transient.iter().map(|s| (*s).to_owned()).collect(),
            permanent: permanent.iter().map(|s| (*s).to_owned()).collect(),
            ..Scripted::default()
        }
    }

    pub fn processed(&self) -> Vec<String> {
        self.processed.lock().expect("lock").clone()
    }

    pub fn dead_lettered(&self) -> Vec<String> {
        self.dead_lettered.lock().expect("lock").clone()
    }

    pub fn attempts(&self, key: &str) -> u32 {
        self.attempts
            .lock()
            .expect("lock")
            .get(key)
            .copied()
            .unwrap_or(0)
    }
}

impl RecordHandler for Scripted {
    type Body = String;
    type Error = TestError;

    fn decode(&self, message: &Message<'_>) -> Result<String, TestError> {
        message
            .body()
            .strip_prefix("job:")
            .map(str::to_owned)
            .ok_or(TestError::Poisoned)
    }

    fn dedup_key(&self, _message: &Message<'_>, body: &String) -> Option<String> {
        Some(body.clone())
    }

    async fn handle(&self, _message: &Message<'_>, key: String) -> Result<Handled, TestError> {
        *self
            .attempts
            .lock()
            .expect("lock")
            .entry(key.clone())
            .or_default() += 1;
        if self.transient.contains(&key) {
            return Err(TestError::Transient(key));
        }
        if self.permanent.contains(&key) {
            return Err(TestError::Permanent(key));
        }
        if self.durable_duplicates.contains(&key) {
            return Ok(Handled::Duplicate);
        }
        self.processed.lock().expect("lock").push(key);
        Ok(Handled::Processed)
    }

    async fn dead_letter(&self, message: &Message<'_>, _error: &TestError) -> bool {
        if self.dead_letters {
            self.dead_lettered
                .lock()
                .expect("lock")
                .push(message.message_id.to_owned());
        }
        self.dead_letters
    }
}
