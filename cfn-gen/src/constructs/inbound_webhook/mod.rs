//! [`InboundWebhook`]: an API Gateway HTTP API receiving a SaaS provider's
//! webhooks, one `POST` route per path, each answered by cloud-cron's
//! webhook receiver function, which verifies the sender, acknowledges at
//! once and hands the body to a [`WorkQueue`].
//!
//! Outbound webhooks (notifications sent to a URL) are the
//! [`Webhook`](crate::Webhook) kind of notification channel; this is the
//! other direction. The builder lives here, with [`WebhookRoute`] (how one
//! path verifies its sender); [`checks`] holds the synth-time checks and
//! [`synthesis`] the resources.

mod checks;
mod synthesis;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use cloud_cron_contract::notifier::SecretRef;
use cloud_cron_contract::webhook::{
    HmacSettings, ReceiverSettings, TokenSettings, ValueSource, Verification,
};

use crate::builtin_functions::{Builtin, BuiltinCode};
use crate::construct::{Construct, Node, Stack};
use crate::constructs::code::Code;
use crate::constructs::function::{Function, FunctionIds, FunctionSettings};
use crate::constructs::work_queue::WorkQueue;
use crate::constructs::Topic;
use crate::synth::SynthContext;
use crate::template::Template;
use crate::validate::Report;
use crate::value::Value;

/// How one webhook path verifies its sender and identifies its events: the
/// receiver's [`ReceiverSettings`] and where its secrets live.
///
/// ```
/// use cfn_gen::{HmacSettings, SecretRef, WebhookRoute};
/// // Stripe-style `t=<unix>,v1=<hex>` signatures, the event id in the body.
/// let route = WebhookRoute::hmac(HmacSettings::timestamped("X-Signature"), SecretRef::ssm("/tt/webhook-secret"))
///     .event_id_pointer("/id");
/// // A shared token in a header, the event id in another header.
/// let legacy = WebhookRoute::token("X-Webhook-Token", SecretRef::ssm("/tt/webhook-token"))
///     .event_id_header("X-Event-Id");
/// # let _ = (route, legacy);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookRoute {
    settings: ReceiverSettings,
    secrets: Vec<SecretRef>,
}

impl WebhookRoute {
    /// An HMAC-SHA256 signature over the body (or `"{t}.{body}"`), keyed
    /// with the secret stored in `secret` (an SSM SecureString or a Secrets
    /// Manager secret; one secret per line during a rotation), compared in
    /// constant time, timestamps older than the tolerance refused.
    pub fn hmac(hmac: HmacSettings, secret: SecretRef) -> WebhookRoute {
        WebhookRoute {
            settings: ReceiverSettings::new(Verification::Hmac(hmac)),
            secrets: vec![secret],
        }
    }

    /// A shared token the provider sends verbatim in `header`, compared in
    /// constant time with the one stored in `secret`.
    pub fn token(header: impl Into<String>, secret: SecretRef) -> WebhookRoute {
        WebhookRoute {
            settings: ReceiverSettings::new(Verification::Token(TokenSettings {
                header: header.into(),
            })),
            secrets: vec![secret],
        }
    }

    /// Another place secrets are read from (all are accepted).
    pub fn also_secret(mut self, secret: SecretRef) -> WebhookRoute {
        self.secrets.push(secret);
        self
    }

    /// The provider's event id is in this request header.
    pub fn event_id_header(self, header: impl Into<String>) -> WebhookRoute {
        self.event_id(ValueSource::Header(header.into()))
    }

    /// The provider's event id is at this JSON pointer of the body (`/id`).
    pub fn event_id_pointer(self, pointer: impl Into<String>) -> WebhookRoute {
        self.event_id(ValueSource::JsonPointer(pointer.into()))
    }

    /// Where the provider's event id is (unset: the body's SHA-256). On a
    /// FIFO queue it is the message deduplication id, so a repeat within 5
    /// minutes is dropped; consumers dedup on the
    /// `cloudcron.webhook.event-id` attribute.
    pub fn event_id(mut self, source: ValueSource) -> WebhookRoute {
        self.settings.event_id = Some(source);
        self
    }

    /// FIFO queues: what the message group is (default: the path).
    pub fn message_group(mut self, source: ValueSource) -> WebhookRoute {
        self.settings.message_group = Some(source);
        self
    }

    /// The largest body accepted (default 240 KiB); larger ones get 413.
    pub fn max_body_bytes(mut self, bytes: usize) -> WebhookRoute {
        self.settings.max_body_bytes = bytes;
        self
    }

    /// The receiver's settings.
    pub fn settings(&self) -> &ReceiverSettings {
        &self.settings
    }
}

/// One path of the API.
struct Route {
    path: String,
    verification: WebhookRoute,
    queue: WorkQueue,
    function: Function,
}

struct Props {
    routes: Vec<Route>,
    burst_limit: u32,
    rate_limit: u32,
    access_log_retention_days: u32,
    alarm_topic: Option<Topic>,
}

struct Inner {
    node: Node,
    receiver_code: BuiltinCode,
    props: RefCell<Props>,
}

/// An inbound webhook endpoint: an API Gateway HTTP API (payload format
/// 2.0) whose `POST` routes each run cloud-cron's webhook receiver, which
/// verifies the sender ([`WebhookRoute`]), answers 202 at once and sends
/// the body to a [`WorkQueue`], so a slow or failing worker never loses an
/// event (the queue retries it, then dead-letters it, and alarms). The API
/// writes JSON access logs and throttles requests; an alarm fires on 5xx
/// answers (the provider is retrying).
///
/// ```
/// use std::time::Duration;
/// use cfn_gen::{App, BuiltinFunctions, Function, HmacSettings, InboundWebhook, OpsTopic, SecretRef, Stack, WebhookRoute, WorkQueue};
/// # let receiver = concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime/webhook");
/// // the package with the `webhook-receiver` binary (see BuiltinFunctions)
/// let app = App::new().builtin_functions(BuiltinFunctions::default().webhook_receiver(receiver));
/// let stack = Stack::new(&app, "Demo");
/// stack.alarms_to(&OpsTopic::new(&stack, "Operators"));
/// let worker = Function::new(&stack, "Worker")
///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/worker@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
/// let entries = WorkQueue::fifo(&stack, "Entries").consumer(&worker);
/// InboundWebhook::new(&stack, "Hooks")
///     .route(
///         "/entries",
///         WebhookRoute::hmac(HmacSettings::hex("X-Signature"), SecretRef::ssm("/demo/webhook-secret"))
///             .event_id_pointer("/id"),
///         &entries,
///     )
///     .throttling(20, 10);
/// let text = &app.synth().expect("valid").stacks[0].text;
/// assert!(text.contains("RouteKey: POST /entries"));
/// ```
///
/// Defaults: bursts of 50 requests and 20 per second, access logs kept 90
/// days, receivers with a 10 s timeout (API Gateway waits 30 s at most)
/// and 256 MB.
#[derive(Clone)]
pub struct InboundWebhook(Rc<Inner>);

impl InboundWebhook {
    /// A new HTTP API in `stack`.
    pub fn new(stack: &Stack, id: &str) -> InboundWebhook {
        let node = stack.claim(id);
        let inner = Rc::new(Inner {
            node,
            receiver_code: stack.builtin_code(Builtin::WebhookReceiver),
            props: RefCell::new(Props {
                routes: Vec::new(),
                burst_limit: 50,
                rate_limit: 20,
                access_log_retention_days: 90,
                alarm_topic: None,
            }),
        });
        stack.add(inner.clone());
        InboundWebhook(inner)
    }

    fn update(self, f: impl FnOnce(&mut Props)) -> InboundWebhook {
        f(&mut self.0.props.borrow_mut());
        self
    }

    /// Receive `POST path` (e.g. `/hooks/entries`), verified as `verification`
    /// says, into `queue`. The route's receiver may send to exactly that
    /// queue and read exactly those secrets.
    pub fn route(
        self,
        path: &str,
        verification: WebhookRoute,
        queue: &WorkQueue,
    ) -> InboundWebhook {
        let code = self.0.receiver_code.clone();
        let prefix = format!("Route{path}/");
        let function = Function::within(
            &self.0.node,
            FunctionIds::children(&self.0.node, &format!("{prefix}Receiver"), &prefix),
            FunctionSettings::new(Duration::from_secs(10), 256).with_code(Code::Builtin(code)),
            "BuiltinFunctions::webhook_receiver(DIR) on the app, with a package whose src/bin/webhook-receiver.rs calls cloud_cron_webhook::bin::main()",
            Some("invoked synchronously by API Gateway: a failure is answered 5xx, and the provider retries"),
        );
        queue.grant_send(&function);
        let route = Route {
            path: path.to_owned(),
            verification,
            queue: queue.clone(),
            function,
        };
        self.update(|p| p.routes.push(route))
    }

    /// Throttle every route: at most `burst` requests at once and `rate`
    /// per second (more are answered 429, which providers retry).
    pub fn throttling(self, burst: u32, rate: u32) -> InboundWebhook {
        self.update(|p| {
            p.burst_limit = burst;
            p.rate_limit = rate;
        })
    }

    /// Keep access logs this many days (a value CloudWatch Logs accepts).
    pub fn access_log_retention_days(self, days: u32) -> InboundWebhook {
        self.update(|p| p.access_log_retention_days = days)
    }

    /// Send the 5xx alarm to `topic` instead of the stack's
    /// [`alarms_to`](crate::Stack::alarms_to) destination.
    pub fn alarm_to(self, topic: &Topic) -> InboundWebhook {
        let topic = topic.clone();
        self.update(|p| p.alarm_topic = Some(topic))
    }

    /// Where it sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The API's base URL (`https://ID.execute-api.REGION.amazonaws.com`):
    /// give the provider this URL followed by a route's path.
    pub fn endpoint(&self) -> Value {
        synthesis::endpoint(&self.0.node.logical_id())
    }

    /// The receiver function of `path`, if routed.
    pub fn receiver(&self, path: &str) -> Option<Function> {
        self.0
            .props
            .borrow()
            .routes
            .iter()
            .find(|r| r.path == path)
            .map(|r| r.function.clone())
    }
}

impl Construct for Inner {
    fn node(&self) -> &Node {
        &self.node
    }

    fn validate(&self, report: &mut Report) {
        self.check(report);
    }

    fn synthesize(&self, ctx: &SynthContext, template: &mut Template) {
        self.emit(ctx, template);
    }
}

#[cfg(test)]
mod tests;
