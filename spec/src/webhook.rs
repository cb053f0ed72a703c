//! `inbound_webhooks:` of a stack: HTTP APIs receiving a provider's
//! webhooks ([`cfn_gen::InboundWebhook`]), one `POST` route per path, each
//! verified (HMAC signature or shared token, the secret by reference) and
//! queued at once on a work queue of the stack.

use cfn_gen::{HmacSettings, InboundWebhook, SignedPayload, ValueSource, WebhookRoute};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::build::{Build, StackScope};
use crate::positions::join;
use crate::refs::resolve;
use crate::task::secret;

/// An HTTP API receiving webhooks.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundWebhookSpec {
    /// The routes, by path (`/hooks/entries/created`).
    pub routes: IndexMap<String, WebhookRouteSpec>,
    /// Throttling of every route (default burst 50, 20 requests a second).
    pub throttling: Option<WebhookThrottleSpec>,
    /// Keep access logs this many days (a value CloudWatch Logs accepts, default 90).
    #[schemars(example = 30)]
    pub access_log_retention_days: Option<u32>,
    /// Send the API's alarms to this topic instead of the stack's.
    #[schemars(example = &"Alerts")]
    pub alarm_to: Option<String>,
}

/// Throttling of an inbound webhook API.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookThrottleSpec {
    /// At most this many requests at once.
    #[schemars(example = 100)]
    pub burst: u32,
    /// At most this many requests a second (more are answered 429).
    #[schemars(example = 50)]
    pub rate: u32,
}

/// One path: how its sender is verified and where its events go. Give
/// exactly one of `hmac` and `token`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookRouteSpec {
    /// The work queue of this stack the events go to, by id.
    #[schemars(example = &"EntryEvents")]
    pub queue: String,
    /// Verify an HMAC-SHA256 signature.
    pub hmac: Option<HmacSpec>,
    /// Verify a shared token sent verbatim in this header.
    #[schemars(example = &"X-Webhook-Token")]
    pub token_header: Option<String>,
    /// Where the signing key or token is: `ssm:/PARAMETER` or
    /// `secretsmanager:NAME-OR-ARN`; more than one during a rotation.
    #[schemars(example = vec!["ssm:/time-tracking/tracker/webhook-secret"])]
    pub secrets: Vec<String>,
    /// Where the provider's event id is (default: the body's SHA-256).
    #[schemars(example = serde_json::json!({"header": "X-Event-Id"}))]
    pub event_id: Option<ValueSourceSpec>,
    /// FIFO queues: what the message group is (default: the path).
    #[schemars(example = serde_json::json!({"json_pointer": "/entryId"}))]
    pub message_group: Option<ValueSourceSpec>,
    /// The largest body accepted, in bytes (default 240 KiB).
    #[schemars(example = 65_536)]
    pub max_body_bytes: Option<usize>,
}

/// An HMAC-SHA256 signature check.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HmacSpec {
    /// The header carrying the signature.
    #[schemars(example = &"X-Signature")]
    pub header: String,
    /// `timestamped` (Stripe: `t=<unix>,v1=<hex>`, over `"{t}.{body}"`) or
    /// `hex` (GitHub: `sha256=<hex>`, over the body).
    #[schemars(example = &"timestamped")]
    pub format: HmacFormatSpec,
    /// What was signed: `timestamp_dot_body` (`"{t}.{body}"`) or `body`;
    /// default: `timestamp_dot_body` for `timestamped`, `body` for `hex`.
    #[schemars(example = &"body")]
    pub signed_payload: Option<SignedPayloadSpec>,
    /// `hex` only: the header carrying a signed Unix timestamp.
    #[schemars(example = &"X-Timestamp")]
    pub timestamp_header: Option<String>,
    /// How far a timestamp may be from the receiver's clock, in seconds (default 300).
    #[schemars(example = 300)]
    pub tolerance_seconds: Option<u64>,
    /// `hex` only: what precedes the digest (default `sha256=`; empty for none).
    #[schemars(example = &"sha256=")]
    pub prefix: Option<String>,
}

/// What an HMAC is computed over.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignedPayloadSpec {
    /// The timestamp, a dot, then the raw body: `"{t}.{body}"`.
    TimestampDotBody,
    /// The raw body only.
    Body,
}

/// How a signature header is written.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HmacFormatSpec {
    /// `t=<unix seconds>,v1=<hex>`.
    Timestamped,
    /// `<prefix><hex>`.
    Hex,
}

/// Where a value is in a request: exactly one of `{ header: NAME }`,
/// `{ json_pointer: /id }` and `{ path: true }`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueSourceSpec {
    /// A request header.
    #[schemars(example = &"X-Event-Id")]
    pub header: Option<String>,
    /// A JSON pointer (RFC 6901) into the body.
    #[schemars(example = &"/entryId")]
    pub json_pointer: Option<String>,
    /// The request path.
    #[serde(default)]
    #[schemars(example = false)]
    pub path: bool,
}

/// The value source at `at`, or `None` after an error.
fn value_source(b: &mut Build, at: &str, v: &ValueSourceSpec) -> Option<ValueSource> {
    match (&v.header, &v.json_pointer, v.path) {
        (Some(h), None, false) => Some(ValueSource::Header(h.clone())),
        (None, Some(p), false) => Some(ValueSource::JsonPointer(p.clone())),
        (None, None, true) => Some(ValueSource::Path),
        _ => {
            b.error(
                at,
                "give exactly one of `header`, `json_pointer` and `path: true`",
                "write `{ header: X-Event-Id }`, `{ json_pointer: /id }` or `{ path: true }`",
            );
            None
        }
    }
}

/// Create the inbound webhook `id` of `scope`.
pub(crate) fn build(b: &mut Build, scope: &StackScope, id: &str, spec: &InboundWebhookSpec) {
    let path = join(&join(&scope.path, "inbound_webhooks"), id);
    let mut hooks = InboundWebhook::new(&scope.stack, id);
    b.construct(hooks.node().path(), &path);
    if let Some(t) = &spec.throttling {
        hooks = hooks.throttling(t.burst, t.rate);
    }
    for (route_path, r) in &spec.routes {
        let at = join(&join(&path, "routes"), route_path);
        let Some(route) = route(b, &at, r) else {
            continue;
        };
        if let Some(q) = resolve(
            b,
            &scope.work_queues,
            &join(&at, "queue"),
            &r.queue,
            "work queue",
            "work_queues",
            scope,
        ) {
            hooks = hooks.route(route_path, route, &q);
        }
    }
    if let Some(d) = spec.access_log_retention_days {
        hooks = hooks.access_log_retention_days(d);
    }
    if let Some(to) = &spec.alarm_to {
        if let Some(t) = scope.topic(b, &join(&path, "alarm_to"), to) {
            hooks.alarm_to(&t);
        }
    }
}

/// The route's verification, or `None` after an error.
fn route(b: &mut Build, at: &str, r: &WebhookRouteSpec) -> Option<WebhookRoute> {
    let mut secrets = Vec::new();
    for (i, text) in r.secrets.iter().enumerate() {
        secrets.push(secret(b, &format!("{}[{i}]", join(at, "secrets")), text)?);
    }
    let mut secrets = secrets.into_iter();
    let Some(first) = secrets.next() else {
        b.error(
            &join(at, "secrets"),
            "a webhook route needs the secret its signatures or tokens are checked with",
            "write `secrets: [ssm:/PARAMETER/NAME]`",
        );
        return None;
    };
    let mut route = match (&r.hmac, &r.token_header) {
        (Some(h), None) => {
            let mut s = match h.format {
                HmacFormatSpec::Timestamped => HmacSettings::timestamped(h.header.as_str()),
                HmacFormatSpec::Hex => HmacSettings::hex(h.header.as_str()),
            };
            s.signed_payload = h.signed_payload.map(|p| match p {
                SignedPayloadSpec::TimestampDotBody => SignedPayload::TimestampDotBody,
                SignedPayloadSpec::Body => SignedPayload::Body,
            });
            s.timestamp_header = h.timestamp_header.clone();
            if let Some(t) = h.tolerance_seconds {
                s.tolerance_seconds = t;
            }
            if let Some(p) = &h.prefix {
                s.prefix = p.clone();
            }
            WebhookRoute::hmac(s, first)
        }
        (None, Some(header)) => WebhookRoute::token(header.as_str(), first),
        _ => {
            b.error(
                at,
                "a webhook route needs exactly one of `hmac` and `token_header`",
                "write `hmac: { header: X-Signature, format: timestamped }` or `token_header: X-Webhook-Token`",
            );
            return None;
        }
    };
    for s in secrets {
        route = route.also_secret(s);
    }
    if let Some(e) = &r.event_id {
        route = route.event_id(value_source(b, &join(at, "event_id"), e)?);
    }
    if let Some(g) = &r.message_group {
        route = route.message_group(value_source(b, &join(at, "message_group"), g)?);
    }
    if let Some(n) = r.max_body_bytes {
        route = route.max_body_bytes(n);
    }
    Some(route)
}
