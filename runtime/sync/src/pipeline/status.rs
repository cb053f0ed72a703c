//! A tenant's progress, from code ([`tenant_progress`]) and as the status endpoint's
//! API Gateway HTTP API (payload 2.0) response ([`respond`]): the tenant comes from the
//! JWT authorizer's claims, never from the request.
//!
//! The event is read as JSON rather than through `aws_lambda_events`' API Gateway types,
//! whose feature the workspace does not build (only `requestContext.authorizer.jwt.claims`
//! is read).

use serde::Serialize;
use serde_json::{json, Value};

use crate::checkpoint::CheckpointStore;
use crate::config::SyncConfig;
use crate::progress::Progress;
use crate::worker::{not_started_pending, SyncError};

/// `tenant`'s progress over `streams`, without a source (the status function has none).
pub async fn tenant_progress<C: CheckpointStore>(
    store: &C,
    tenant: &str,
    streams: &[String],
    config: &SyncConfig,
) -> Result<Progress, SyncError> {
    let checkpoints = store.list(tenant).await?;
    Ok(Progress::of(
        streams,
        &checkpoints,
        not_started_pending(config),
    ))
}

/// The endpoint's body.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusBody {
    /// The caller's tenant.
    pub tenant: String,
    /// Batches of every kind.
    pub total: u64,
    /// Batches written.
    pub completed: u64,
    /// Batches permanently failed.
    pub failed: u64,
    /// Estimated batches left.
    pub pending: u64,
    /// Processed share of `total`, in percent, one decimal.
    pub percentage: f64,
    /// `not_started`, `in_progress` or `done`.
    pub status: &'static str,
}

impl StatusBody {
    /// The body for `tenant`'s `progress`.
    pub fn new(tenant: &str, progress: &Progress) -> StatusBody {
        StatusBody {
            tenant: tenant.to_owned(),
            total: progress.total,
            completed: progress.completed,
            failed: progress.failed,
            pending: progress.pending,
            percentage: (progress.percent * 10.0).round() / 10.0,
            status: progress.status.as_str(),
        }
    }
}

/// The caller's tenant: claim `claim` of the JWT authorizer's claims.
pub fn tenant_of(event: &Value, claim: &str) -> Option<String> {
    event
        .pointer("/requestContext/authorizer/jwt/claims")?
        .get(claim)?
        .as_str()
        .filter(|tenant| cloud_cron_contract::sync::valid_tenant(tenant))
        .map(str::to_owned)
}

fn response(status: u16, body: Value) -> Value {
    json!({
        "statusCode": status,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        "body": body.to_string(),
    })
}

/// The HTTP response to an API Gateway v2 `event`: 200 with the [`StatusBody`] of the
/// caller's tenant, 403 without a tenant claim, 500 (details only in the logs) when the
/// checkpoints cannot be read.
pub async fn respond<C: CheckpointStore>(
    store: &C,
    streams: &[String],
    config: &SyncConfig,
    claim: &str,
    event: &Value,
) -> Value {
    let Some(tenant) = tenant_of(event, claim) else {
        return response(
            403,
            json!({"message": format!("the token has no `{claim}` claim naming a tenant")}),
        );
    };
    match tenant_progress(store, &tenant, streams, config).await {
        Ok(progress) => response(
            200,
            serde_json::to_value(StatusBody::new(&tenant, &progress)).unwrap_or(Value::Null),
        ),
        Err(error) => {
            tracing::error!(tenant, error = %error, "sync status failed");
            response(500, json!({"message": "sync status is unavailable"}))
        }
    }
}
