//! The generic SQS batch handler: partial failures, FIFO order on failure,
//! dedup, poisoned and dead-lettered messages, logs.

mod logs;
mod processor;
mod support;
