//! Owns [`handle`]: one API Gateway HTTP API request (payload format 2.0)
//! in, one response out, over any [`ScheduleStore`].
//!
//! Every request is first tied to the caller's tenant ([`Tenant`]), then
//! routed; every key the store sees is scoped to that tenant, and every
//! schedule read back is checked to belong to it, so a caller can neither
//! name nor see another tenant's schedules.

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::header::{
    HeaderValue, CACHE_CONTROL, CONTENT_TYPE, LOCATION, RETRY_AFTER,
};
use chrono::{DateTime, SecondsFormat, Utc};
use cloud_cron_scheduler::{ScheduledItem, SchedulerError};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::Value;

use crate::aws_store::AT_FORMAT;
use crate::model::{Schedule, ScheduleList, DEFAULT_LIMIT, MAX_LIMIT};
use crate::page_token;
use crate::problem::ApiError;
use crate::routes::{route, Route, COLLECTION};
use crate::settings::ApiSettings;
use crate::store::ScheduleStore;
use crate::tenant::Tenant;
use crate::validate;

/// Escaped in a key's path segment: everything but RFC 3986's unreserved
/// characters.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A successful answer.
struct Reply {
    status: u16,
    body: Option<Value>,
    location: Option<String>,
}

impl Reply {
    fn json(status: u16, body: &impl Serialize) -> Reply {
        Reply {
            status,
            body: Some(serde_json::to_value(body).unwrap_or(Value::Null)),
            location: None,
        }
    }
}

/// Answers one request.
///
/// ```
/// use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
/// use cloud_cron_scheduler_api::{handle, ApiSettings, ScheduleStore};
///
/// async fn answer(store: &impl ScheduleStore, event: serde_json::Value) -> i64 {
///     let request: ApiGatewayV2httpRequest = serde_json::from_value(event).expect("an HTTP API event");
///     handle(store, &ApiSettings::default(), &request).await.status_code
/// }
/// ```
pub async fn handle<S: ScheduleStore>(
    store: &S,
    settings: &ApiSettings,
    request: &ApiGatewayV2httpRequest,
) -> ApiGatewayV2httpResponse {
    let request_id = request.request_context.request_id.as_deref().unwrap_or("-");
    match answer(store, settings, request).await {
        Ok(reply) => response(reply.status, reply.body.as_ref(), reply.location, None),
        Err(error) => {
            if error.status >= 500 {
                tracing::error!(request_id, status = error.status, "request failed");
            } else {
                tracing::info!(request_id, status = error.status, error = %error.problem.error, field = ?error.problem.field, "request refused");
            }
            let body = serde_json::to_value(&error.problem).unwrap_or(Value::Null);
            response(error.status, Some(&body), None, error.retry_after)
        }
    }
}

async fn answer<S: ScheduleStore>(
    store: &S,
    settings: &ApiSettings,
    request: &ApiGatewayV2httpRequest,
) -> Result<Reply, ApiError> {
    let tenant = Tenant::from_context(&request.request_context, settings)?;
    let failed = |key: &str, e: SchedulerError| {
        let error = ApiError::from_scheduler(key, &e);
        if error.status >= 500 {
            // The detail stays in the log; the caller gets a generic message.
            tracing::error!(tenant = %tenant.namespace(), error = %e, transient = e.is_transient(), "schedule store failed");
        }
        error
    };
    match route(request)? {
        Route::Create => {
            let body = validate::body_object(request, settings)?;
            let valid = validate::create_request(body, settings)?;
            let req = valid.request;
            let handle = store
                .create(
                    &tenant.scoped_key(&req.key),
                    valid.at,
                    &req.time_zone,
                    &req.payload,
                )
                .await
                .map_err(|e| failed(&req.key, e))?;
            let location = format!(
                "{COLLECTION}/{}",
                utf8_percent_encode(&req.key, PATH_SEGMENT)
            );
            let schedule = Schedule {
                fires_at: Some(instant(handle.fires_at)),
                key: req.key,
                at: valid.at.format(AT_FORMAT).to_string(),
                time_zone: req.time_zone,
                payload: req.payload,
            };
            let mut reply = Reply::json(if handle.created { 201 } else { 200 }, &schedule);
            reply.location = Some(location);
            Ok(reply)
        }
        Route::Get(key) => {
            validate::key(&key)?;
            let item = store
                .get(&tenant.scoped_key(&key))
                .await
                .map_err(|e| failed(&key, e))?;
            match item.and_then(|item| schedule_of(&tenant, item)) {
                Some(schedule) => Ok(Reply::json(200, &schedule)),
                None => Err(ApiError::not_found(&key)),
            }
        }
        Route::Reschedule(key) => {
            validate::key(&key)?;
            let body = validate::body_object(request, settings)?;
            let valid = validate::reschedule_request(body, settings)?;
            let req = valid.request;
            let handle = store
                .reschedule(
                    &tenant.scoped_key(&key),
                    valid.at,
                    &req.time_zone,
                    &req.payload,
                )
                .await
                .map_err(|e| failed(&key, e))?;
            Ok(Reply::json(
                200,
                &Schedule {
                    fires_at: Some(instant(handle.fires_at)),
                    key,
                    at: valid.at.format(AT_FORMAT).to_string(),
                    time_zone: req.time_zone,
                    payload: req.payload,
                },
            ))
        }
        Route::Cancel(key) => {
            validate::key(&key)?;
            let deleted = store
                .cancel(&tenant.scoped_key(&key))
                .await
                .map_err(|e| failed(&key, e))?;
            if deleted {
                Ok(Reply {
                    status: 204,
                    body: None,
                    location: None,
                })
            } else {
                Err(ApiError::not_found(&key))
            }
        }
        Route::List => {
            let limit = limit(request)?;
            let namespace = tenant.namespace();
            let token = query(request, "nextToken")
                .map(|token| page_token::decode(&namespace, &token))
                .transpose()?;
            let page = store
                .list_page(&namespace, limit, token.as_deref())
                .await
                .map_err(|e| match e {
                    SchedulerError::Rejected { .. } if token.is_some() => ApiError::invalid(
                        "nextToken",
                        "nextToken has expired or is not valid: start again without it",
                    ),
                    e => failed("", e),
                })?;
            Ok(Reply::json(
                200,
                &ScheduleList {
                    schedules: page
                        .schedules
                        .into_iter()
                        .filter_map(|item| schedule_of(&tenant, item))
                        .collect(),
                    next_token: page
                        .next_token
                        .map(|next| page_token::encode(&namespace, &next)),
                },
            ))
        }
    }
}

/// The caller's view of `item`, if it belongs to the caller's tenant.
fn schedule_of(tenant: &Tenant, item: ScheduledItem<Value>) -> Option<Schedule> {
    let key = tenant.unscoped(&item.key)?.to_owned();
    if item.tenant.as_deref() != Some(tenant.namespace().as_str()) {
        return None;
    }
    Some(Schedule {
        key,
        at: item.at.format(AT_FORMAT).to_string(),
        time_zone: item.time_zone,
        fires_at: item.fires_at.map(instant),
        payload: item.payload,
    })
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A query parameter, from the decoded map or else the raw query string.
fn query(request: &ApiGatewayV2httpRequest, name: &str) -> Option<String> {
    if let Some(value) = request.query_string_parameters.first(name) {
        return Some(value.to_owned());
    }
    let raw = request.raw_query_string.as_deref()?;
    form_urlencoded::parse(raw.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn limit(request: &ApiGatewayV2httpRequest) -> Result<usize, ApiError> {
    let Some(value) = query(request, "limit") else {
        return Ok(DEFAULT_LIMIT);
    };
    value
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| {
            ApiError::invalid(
                "limit",
                format!("limit `{value}` must be a whole number from 1 to {MAX_LIMIT}"),
            )
        })
}

fn response(
    status: u16,
    body: Option<&Value>,
    location: Option<String>,
    retry_after: Option<u32>,
) -> ApiGatewayV2httpResponse {
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = i64::from(status);
    response
        .headers
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(body) = body {
        response
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response.body = Some(Body::Text(body.to_string()));
    }
    if let Some(value) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers.insert(LOCATION, value);
    }
    if let Some(seconds) = retry_after {
        response
            .headers
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
