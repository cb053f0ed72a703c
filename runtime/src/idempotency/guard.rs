//! [`Guard`](super::Guard): an attempt's hold on a run, finished by completing or
//! releasing it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;

use super::clock::{epoch_millis, Clock};
use super::error::dynamodb_error;
use super::record::{attr, n, record_state, s, STATUS_COMPLETED, STATUS_IN_PROGRESS};
use super::{IdempotencyError, KEY_ATTRIBUTE, TTL_ATTRIBUTE};

/// Proof that this attempt holds a scheduled run. Finish it with
/// [`Guard::complete`](super::Guard::complete) or [`Guard::release`](super::Guard::release).
///
/// Dropping it leaves the record `IN_PROGRESS` until the lease ends, as a
/// crash would: retries before then get [`Decision::InProgressElsewhere`](super::Decision::InProgressElsewhere).
#[derive(Debug)]
#[must_use = "call complete() after the work succeeded or release() after it failed"]
pub struct Guard {
    pub(super) client: Client,
    pub(super) table: String,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) record_ttl: Duration,
    pub(super) key: String,
    pub(super) token: String,
    pub(super) execution_id: String,
    pub(super) attempt_number: String,
    pub(super) lease_end: SystemTime,
    pub(super) took_over: bool,
}

impl Guard {
    /// The record key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// This attempt's random token, as written to the record.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// When this attempt's lease ends. Work still running after it may be
    /// duplicated by a retry that takes the run over.
    pub fn lease_end(&self) -> SystemTime {
        self.lease_end
    }

    /// Whether this attempt replaced an earlier attempt's expired record
    /// (that attempt crashed, or timed out, before completing or releasing).
    pub fn took_over(&self) -> bool {
        self.took_over
    }

    /// Marks the run `COMPLETED`: later attempts get [`Decision::AlreadyCompleted`](super::Decision::AlreadyCompleted)
    /// for the record's time to live, counted from now.
    ///
    /// # Errors
    ///
    /// [`IdempotencyError::LeaseLost`](super::IdempotencyError::LeaseLost) when another attempt took the run over
    /// (the record is left as it is), [`IdempotencyError::DynamoDb`](super::IdempotencyError::DynamoDb) when
    /// DynamoDB fails (the record stays `IN_PROGRESS` until the lease ends).
    pub async fn complete(self) -> Result<(), IdempotencyError> {
        let now = self.clock.now();
        let now_ms = epoch_millis(now);
        let expires_at = now_ms
            .saturating_add(u64::try_from(self.record_ttl.as_millis()).unwrap_or(u64::MAX))
            .div_ceil(1000);
        let mut update =
            "SET #status = :completed, #completedAt = :nowMs, #expiresAt = :expiresAt".to_owned();
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(KEY_ATTRIBUTE, s(&self.key))
            .condition_expression("#token = :token AND #status = :inProgress")
            .expression_attribute_names("#status", attr::STATUS)
            .expression_attribute_names("#completedAt", attr::COMPLETED_AT)
            .expression_attribute_names("#expiresAt", TTL_ATTRIBUTE)
            .expression_attribute_names("#token", attr::TOKEN)
            .expression_attribute_values(":completed", s(STATUS_COMPLETED))
            .expression_attribute_values(":inProgress", s(STATUS_IN_PROGRESS))
            .expression_attribute_values(":nowMs", n(now_ms))
            .expression_attribute_values(":expiresAt", n(expires_at))
            .expression_attribute_values(":token", s(&self.token))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        // Record who completed the run; a takeover may have replaced the ids.
        for (placeholder, name, value) in [
            ("executionId", attr::EXECUTION_ID, &self.execution_id),
            ("attemptNumber", attr::ATTEMPT_NUMBER, &self.attempt_number),
        ] {
            if !value.is_empty() {
                update.push_str(&format!(", #{placeholder} = :{placeholder}"));
                request = request
                    .expression_attribute_names(format!("#{placeholder}"), name)
                    .expression_attribute_values(format!(":{placeholder}"), s(value));
            }
        }
        match request.update_expression(update).send().await {
            Ok(_) => {
                tracing::debug!(key = %self.key, "idempotency: run completed");
                Ok(())
            }
            Err(SdkError::ServiceError(context)) => match context.err() {
                UpdateItemError::ConditionalCheckFailedException(failed) => {
                    Err(self.lease_lost(failed.item()))
                }
                _ => Err(dynamodb_error(
                    "UpdateItem",
                    &self.table,
                    SdkError::ServiceError(context),
                )),
            },
            Err(err) => Err(dynamodb_error("UpdateItem", &self.table, err)),
        }
    }

    /// Deletes the record after the work failed, so the next retry proceeds
    /// at once instead of waiting for the lease to end.
    ///
    /// # Errors
    ///
    /// [`IdempotencyError::LeaseLost`](super::IdempotencyError::LeaseLost) when another attempt holds the run now
    /// (nothing is deleted), [`IdempotencyError::DynamoDb`](super::IdempotencyError::DynamoDb) when DynamoDB
    /// fails (the record stays `IN_PROGRESS` until the lease ends).
    pub async fn release(self) -> Result<(), IdempotencyError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(KEY_ATTRIBUTE, s(&self.key))
            .condition_expression("#token = :token AND #status = :inProgress")
            .expression_attribute_names("#status", attr::STATUS)
            .expression_attribute_names("#token", attr::TOKEN)
            .expression_attribute_values(":inProgress", s(STATUS_IN_PROGRESS))
            .expression_attribute_values(":token", s(&self.token))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => {
                tracing::debug!(key = %self.key, "idempotency: run released");
                Ok(())
            }
            Err(SdkError::ServiceError(context)) => match context.err() {
                DeleteItemError::ConditionalCheckFailedException(failed) => {
                    Err(self.lease_lost(failed.item()))
                }
                _ => Err(dynamodb_error(
                    "DeleteItem",
                    &self.table,
                    SdkError::ServiceError(context),
                )),
            },
            Err(err) => Err(dynamodb_error("DeleteItem", &self.table, err)),
        }
    }

    fn lease_lost(&self, item: Option<&HashMap<String, AttributeValue>>) -> IdempotencyError {
        let found = match record_state(item) {
            Ok(state) => state,
            Err(problem) => {
                return IdempotencyError::MalformedRecord {
                    key: self.key.clone(),
                    table: self.table.clone(),
                    problem: problem.to_owned(),
                }
            }
        };
        tracing::warn!(key = %self.key, found = %found, "idempotency: lease lost");
        IdempotencyError::LeaseLost {
            key: self.key.clone(),
            found,
        }
    }
}
