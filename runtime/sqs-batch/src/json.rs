//! [`json_handler`]: a [`RecordHandler`] from a JSON body type and one async
//! function, with [`RecordError`], an error that says whether it is
//! transient.

use std::future::Future;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use crate::handler::{Failure, Handled, Message, MessageMeta, RecordHandler};

/// Why a record failed: transient (retry) or permanent (dead-letter), and
/// a message that must not quote the body or a secret.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct RecordError {
    message: String,
    transient: bool,
}

impl RecordError {
    /// A failure a retry may fix (throttling, a 5xx, a time-out).
    pub fn transient(message: impl std::fmt::Display) -> RecordError {
        RecordError {
            message: message.to_string(),
            transient: true,
        }
    }

    /// A failure that will happen again (a malformed message, a 4xx).
    pub fn permanent(message: impl std::fmt::Display) -> RecordError {
        RecordError {
            message: message.to_string(),
            transient: false,
        }
    }
}

impl Failure for RecordError {
    fn is_transient(&self) -> bool {
        self.transient
    }
}

/// The [`RecordHandler`] [`json_handler`] builds.
pub struct JsonHandler<T, F> {
    f: F,
    key: Option<fn(&Message<'_>, &T) -> Option<String>>,
    body: PhantomData<fn() -> T>,
}

/// A handler decoding each body as JSON into `T` (a body that does not
/// decode is a permanent failure whose message names the position, never
/// the content) and calling `f` with the record's metadata and the value.
pub fn json_handler<T, F, Fut>(f: F) -> JsonHandler<T, F>
where
    T: DeserializeOwned + Send,
    F: Fn(MessageMeta, T) -> Fut + Sync,
    Fut: Future<Output = Result<(), RecordError>> + Send,
{
    JsonHandler {
        f,
        key: None,
        body: PhantomData,
    }
}

impl<T, F> JsonHandler<T, F> {
    /// Deduplicate on this key (e.g. the provider's event id in the body or
    /// in a message attribute) instead of the SQS message id.
    pub fn dedup_on(mut self, key: fn(&Message<'_>, &T) -> Option<String>) -> JsonHandler<T, F> {
        self.key = Some(key);
        self
    }
}

impl<T, F, Fut> RecordHandler for JsonHandler<T, F>
where
    T: DeserializeOwned + Send,
    F: Fn(MessageMeta, T) -> Fut + Sync,
    Fut: Future<Output = Result<(), RecordError>> + Send,
{
    type Body = T;
    type Error = RecordError;

    fn decode(&self, message: &Message<'_>) -> Result<T, RecordError> {
        serde_json::from_str(message.body()).map_err(|e| {
            RecordError::permanent(format!(
                "the body does not decode ({:?} error at line {} column {})",
                e.classify(),
                e.line(),
                e.column()
            ))
        })
    }

    fn dedup_key(&self, message: &Message<'_>, body: &T) -> Option<String> {
        match self.key {
            Some(key) => key(message, body),
            None => Some(message.message_id.to_owned()).filter(|id| !id.is_empty()),
        }
    }

    fn handle(
        &self,
        message: &Message<'_>,
        body: T,
    ) -> impl Future<Output = Result<Handled, RecordError>> + Send {
        let fut = (self.f)(message.meta(), body);
        async move { fut.await.map(|()| Handled::Processed) }
    }
}
