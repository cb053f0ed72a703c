//! What the tests share: HTTP API events as API Gateway sends them (the
//! payload format 2.0 examples of the AWS documentation, with a JWT or an
//! IAM authorizer), an in-memory [`ScheduleStore`] with the scheduler's own
//! validation and conflict rules, and a call helper.

use std::collections::BTreeMap;
use std::sync::Mutex;

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use aws_lambda_events::encodings::Body;
use chrono::{NaiveDateTime, Utc};
use cloud_cron_scheduler::name::{schedule_name, tenant_of, tenant_prefix};
use cloud_cron_scheduler::{
    PreparedSchedule, ScheduleHandle, ScheduledItem, SchedulerError, MAX_INPUT_BYTES,
};
use cloud_cron_scheduler_api::{handle, ApiSettings, ScheduleStore, StorePage};
use serde_json::{json, Value};

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A JWT authorizer with these claims.
    Jwt(Value),
    /// IAM authorization by this account (the docs' other fields kept).
    Iam { account: &'static str },
    /// No authorizer context at all.
    Anonymous,
}

/// A JWT caller whose `tenant` claim is `tenant`.
pub fn jwt(tenant: &str) -> Caller {
    Caller::Jwt(json!({
        "sub": "8e2bd3c2-0000-4000-8000-000000000001",
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
        "tenant": tenant,
        "scope": "schedules/write"
    }))
}

/// A payload format 2.0 event: the AWS documentation's example with this
/// method, raw path (already percent-encoded), raw query and body.
pub fn event(
    caller: &Caller,
    method: &str,
    raw_path: &str,
    raw_query: &str,
    body: Option<&Value>,
) -> ApiGatewayV2httpRequest {
    let authorizer = match caller {
        Caller::Jwt(claims) => {
            json!({ "jwt": { "claims": claims, "scopes": ["schedules/write"] } })
        }
        Caller::Iam { account } => json!({
            "iam": {
                "accessKey": "ASIA0000000000EXAMPLE",
                "accountId": account,
                "callerId": "AIDACKCEVSQ6C2EXAMPLE",
                "cognitoIdentity": null,
                "principalOrgId": "o-abcdefghij",
                "userArn": format!("arn:aws:iam::{account}:user/example-user"),
                "userId": "AIDACOSFODNN7EXAMPLE2"
            }
        }),
        Caller::Anonymous => Value::Null,
    };
    let query: serde_json::Map<String, Value> = form_urlencoded::parse(raw_query.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    let mut context = json!({
        "accountId": "123456789012",
        "apiId": "api-id",
        "domainName": "id.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "id",
        "http": {
            "method": method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": "192.0.2.1",
            "userAgent": "agent"
        },
        "requestId": "id",
        "routeKey": "$default",
        "stage": "$default",
        "time": "12/Mar/2020:19:03:58 +0000",
        "timeEpoch": 1583348638390_i64
    });
    if !authorizer.is_null() {
        context["authorizer"] = authorizer;
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": { "content-type": "application/json", "host": "id.execute-api.us-east-1.amazonaws.com" },
        "requestContext": context,
        "isBase64Encoded": false
    });
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    if let Some(body) = body {
        event["body"] = Value::String(body.to_string());
    }
    serde_json::from_value(event).expect("a payload format 2.0 event")
}

/// A response: status, JSON body (Null when there is none), headers.
#[derive(Debug)]
pub struct Answer {
    pub status: i64,
    pub body: Value,
    pub headers: aws_lambda_events::http::HeaderMap,
}

impl Answer {
    /// The problem's `field`.
    pub fn field(&self) -> Option<&str> {
        self.body["field"].as_str()
    }
}

/// Runs `request` through the handler with default settings.
pub async fn call(store: &MemoryStore, request: &ApiGatewayV2httpRequest) -> Answer {
    call_with(store, &ApiSettings::default(), request).await
}

/// Runs `request` through the handler.
pub async fn call_with(
    store: &impl ScheduleStore,
    settings: &ApiSettings,
    request: &ApiGatewayV2httpRequest,
) -> Answer {
    let response = handle(store, settings, request).await;
    let body = match &response.body {
        Some(Body::Text(text)) => serde_json::from_str(text).expect("a JSON body"),
        Some(other) => panic!("unexpected body {other:?}"),
        None => Value::Null,
    };
    if response.status_code != 204 {
        assert_eq!(
            response.headers.get("content-type").map(|v| v.as_bytes()),
            Some(&b"application/json"[..])
        );
    }
    Answer {
        status: response.status_code,
        body,
        headers: response.headers,
    }
}

/// A create body.
pub fn create_body(key: &str, at: &str, payload: Value) -> Value {
    json!({ "key": key, "at": at, "timeZone": "Europe/London", "payload": payload })
}

struct Stored {
    prepared: PreparedSchedule,
    payload: Value,
}

/// Schedules in memory, with the client's validation
/// ([`PreparedSchedule::new`]) and its one-key-one-schedule rules; it
/// records every key it is asked about.
#[derive(Default)]
pub struct MemoryStore {
    schedules: Mutex<BTreeMap<String, Stored>>,
    seen: Mutex<Vec<String>>,
}

impl MemoryStore {
    /// Every key the handler passed to the store.
    pub fn keys_seen(&self) -> Vec<String> {
        self.seen.lock().expect("lock").clone()
    }

    fn see(&self, key: &str) {
        self.seen.lock().expect("lock").push(key.to_owned());
    }

    fn item(stored: &Stored) -> ScheduledItem<Value> {
        let p = &stored.prepared;
        ScheduledItem {
            key: p.key().to_owned(),
            tenant: tenant_of(p.key()).map(str::to_owned),
            name: p.name().to_owned(),
            arn: format!(
                "arn:aws:scheduler:us-east-1:123456789012:schedule/test/{}",
                p.name()
            ),
            at: p.at(),
            time_zone: p.time_zone().to_owned(),
            fires_at: Some(p.instant()),
            state: "ENABLED".to_owned(),
            action_after_completion: Some("DELETE".to_owned()),
            payload: stored.payload.clone(),
        }
    }

    fn handle(prepared: &PreparedSchedule, created: bool) -> ScheduleHandle {
        ScheduleHandle {
            key: prepared.key().to_owned(),
            name: prepared.name().to_owned(),
            arn: String::new(),
            fires_at: prepared.instant(),
            created,
        }
    }
}

impl ScheduleStore for MemoryStore {
    async fn create(
        &self,
        key: &str,
        at: NaiveDateTime,
        time_zone: &str,
        payload: &Value,
    ) -> Result<ScheduleHandle, SchedulerError> {
        self.see(key);
        let prepared =
            PreparedSchedule::new(key, at, time_zone, payload, Utc::now(), MAX_INPUT_BYTES)?;
        let mut schedules = self.schedules.lock().expect("lock");
        if let Some(existing) = schedules.get(prepared.name()) {
            let same = existing.prepared.expression() == prepared.expression()
                && existing.prepared.time_zone() == prepared.time_zone()
                && existing.prepared.input() == prepared.input();
            return if same {
                Ok(MemoryStore::handle(&prepared, false))
            } else {
                Err(SchedulerError::AlreadyScheduled {
                    key: key.to_owned(),
                    name: prepared.name().to_owned(),
                })
            };
        }
        let handle = MemoryStore::handle(&prepared, true);
        schedules.insert(
            prepared.name().to_owned(),
            Stored {
                prepared,
                payload: payload.clone(),
            },
        );
        Ok(handle)
    }

    async fn reschedule(
        &self,
        key: &str,
        at: NaiveDateTime,
        time_zone: &str,
        payload: &Value,
    ) -> Result<ScheduleHandle, SchedulerError> {
        self.see(key);
        let prepared =
            PreparedSchedule::new(key, at, time_zone, payload, Utc::now(), MAX_INPUT_BYTES)?;
        let mut schedules = self.schedules.lock().expect("lock");
        let Some(slot) = schedules.get_mut(prepared.name()) else {
            return Err(SchedulerError::NotScheduled {
                key: key.to_owned(),
                name: prepared.name().to_owned(),
            });
        };
        let handle = MemoryStore::handle(&prepared, false);
        *slot = Stored {
            prepared,
            payload: payload.clone(),
        };
        Ok(handle)
    }

    async fn get(&self, key: &str) -> Result<Option<ScheduledItem<Value>>, SchedulerError> {
        self.see(key);
        let schedules = self.schedules.lock().expect("lock");
        Ok(schedules.get(&schedule_name(key)).map(MemoryStore::item))
    }

    async fn cancel(&self, key: &str) -> Result<bool, SchedulerError> {
        self.see(key);
        let mut schedules = self.schedules.lock().expect("lock");
        Ok(schedules.remove(&schedule_name(key)).is_some())
    }

    /// Lists by name prefix, as `ListSchedules` does; the token is the
    /// name to start from.
    async fn list_page(
        &self,
        namespace: &str,
        limit: usize,
        next_token: Option<&str>,
    ) -> Result<StorePage, SchedulerError> {
        let prefix = tenant_prefix(Some(namespace));
        let schedules = self.schedules.lock().expect("lock");
        let mut matching = schedules
            .iter()
            .filter(|(name, _)| name.starts_with(&prefix))
            .filter(|(name, _)| next_token.is_none_or(|start| name.as_str() >= start));
        let page: Vec<ScheduledItem<Value>> = matching
            .by_ref()
            .take(limit)
            .map(|(_, stored)| MemoryStore::item(stored))
            .collect();
        Ok(StorePage {
            schedules: page,
            next_token: matching.next().map(|(name, _)| name.clone()),
        })
    }
}
