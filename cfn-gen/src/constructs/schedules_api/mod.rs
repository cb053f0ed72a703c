//! `SchedulesApi`: an API Gateway HTTP API in front of a
//! [`OneOffSchedules`]: callers create, read, list, move and cancel their
//! own tenant's one-off schedules over HTTP, authenticated by IAM (SigV4) or
//! a JWT issuer. No shared secret is in the template: identity is API
//! Gateway's, and the tenant comes from the authorizer, never the request.
//!
//! Resources, all named from the construct path: the handler function
//! (`scheduler-api`, one of cloud-cron's own functions: see
//! [`BuiltinFunctions`](crate::BuiltinFunctions)) with its role and log
//! group, the HTTP API, its Lambda integration, the five routes, the JWT
//! authorizer (with `.jwt(..)`), the `$default` stage with access logs and
//! throttling, its access log group, the permission for API Gateway to
//! invoke the handler, and the endpoint as an output.
//!
//! Modules: [`checks`] (synth-time checks), [`synthesis`] (the resources).

mod checks;
mod synthesis;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use crate::builtin_functions::Builtin;
use crate::construct::{Construct, Node, Stack};
use crate::constructs::code::Code;
use crate::constructs::function::{Function, FunctionIds, FunctionSettings};
use crate::constructs::one_off::OneOffSchedules;
use crate::synth::SynthContext;
use crate::template::Template;
use crate::validate::Report;
use crate::value::Value;

// The handler's variables and the IAM fields it reads a tenant from, as
// `cloud-cron-scheduler-api` reads them: one definition in the contract.
pub(crate) use cloud_cron_contract::schedules_api::{
    DEFAULT_IAM_TENANT_FIELD, DEFAULT_TENANT_CLAIM, IAM_TENANT_ENV, IAM_TENANT_FIELDS,
    TENANT_CLAIM_ENV,
};

/// The routes the handler serves (`{key+}`: keys may hold encoded `/`).
pub const ROUTES: [&str; 5] = [
    "POST /schedules",
    "GET /schedules",
    "GET /schedules/{key+}",
    "PUT /schedules/{key+}",
    "DELETE /schedules/{key+}",
];

/// How callers authenticate, and which authorizer value is their tenant.
#[derive(Debug, Clone, PartialEq)]
enum Auth {
    /// SigV4-signed requests (`AWS_IAM`); the tenant is a field of
    /// `requestContext.authorizer.iam`.
    Iam { tenant_field: String },
    /// Bearer JWTs of one issuer; the tenant is a claim.
    Jwt {
        issuer: String,
        audiences: Vec<String>,
        tenant_claim: String,
    },
}

#[derive(Debug, Clone)]
struct Props {
    auth: Auth,
    burst_limit: u32,
    rate_limit: f64,
    access_log_days: u32,
}

struct Inner {
    node: Node,
    schedules: OneOffSchedules,
    handler: Function,
    props: RefCell<Props>,
}

/// An HTTP API for one-off schedules: `POST /schedules`,
/// `GET /schedules/{key}`, `GET /schedules`, `PUT /schedules/{key}`,
/// `DELETE /schedules/{key}`, served by cloud-cron's `scheduler-api`.
///
/// ```
/// use cfn_gen::{App, BuiltinFunctions, OneOffSchedules, SchedulesApi, Stack, Topic};
/// let app = App::new().builtin_functions(BuiltinFunctions::package(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/../runtime/scheduler-api"
/// )));
/// let stack = Stack::new(&app, "Reminders");
/// let due = Topic::standard(&stack, "Due");
/// let schedules = OneOffSchedules::new(&stack, "Later", &due);
/// SchedulesApi::new(&stack, "Api", &schedules)
///     .jwt("https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Abc123", ["app-client-id"])
///     .tenant_claim("custom:tenant");
/// let text = &app.synth().expect("valid").stacks[0].text;
/// assert!(text.contains("AWS::ApiGatewayV2::Authorizer"));
/// assert!(text.contains("custom:tenant"));
/// ```
///
/// Defaults: IAM authorization with the caller's account as its tenant,
/// 20 requests a second sustained with bursts of 50, access logs kept 90
/// days, and a handler with 256 MB and a 29 s timeout (API Gateway waits 30 s
/// at most).
#[derive(Clone)]
pub struct SchedulesApi(Rc<Inner>);

impl SchedulesApi {
    /// An API in `stack` over `schedules`; the handler is granted
    /// [`OneOffSchedules::grant_manage`].
    pub fn new(stack: &Stack, id: &str, schedules: &OneOffSchedules) -> SchedulesApi {
        let node = stack.claim(id);
        let mut settings = FunctionSettings::new(Duration::from_secs(29), 256)
            .with_code(Code::Builtin(stack.builtin_code(Builtin::SchedulerApi)));
        settings.description = Some(format!(
            "One-off schedules HTTP API of {} (cloud-cron scheduler-api)",
            node.path()
        ));
        let handler = Function::within(
            &node,
            FunctionIds::children(&node, "Handler", "Handler"),
            settings,
            "the handler is runtime/scheduler-api of this workspace",
            Some("API Gateway invokes the handler synchronously and returns its errors to the caller, so there is no event to dead-letter"),
        );
        schedules.grant_manage(&handler);
        let inner = Rc::new(Inner {
            node,
            schedules: schedules.clone(),
            handler,
            props: RefCell::new(Props {
                auth: Auth::Iam {
                    tenant_field: DEFAULT_IAM_TENANT_FIELD.to_owned(),
                },
                burst_limit: 50,
                rate_limit: 20.0,
                access_log_days: 90,
            }),
        });
        stack.add(inner.clone());
        SchedulesApi(inner)
    }

    fn update(self, f: impl FnOnce(&mut Props)) -> SchedulesApi {
        f(&mut self.0.props.borrow_mut());
        self
    }

    /// Authenticate callers with JWTs of `issuer` (an `https://` URL; for
    /// Cognito `https://cognito-idp.REGION.amazonaws.com/POOL_ID`) whose
    /// `aud` (or Cognito `client_id`) is one of `audiences`. The tenant is
    /// the claim `tenant` unless [`tenant_claim`](Self::tenant_claim) says.
    pub fn jwt<I, S>(self, issuer: impl Into<String>, audiences: I) -> SchedulesApi
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let issuer = issuer.into();
        let audiences = audiences.into_iter().map(Into::into).collect();
        self.update(|p| {
            let tenant_claim = match &p.auth {
                Auth::Jwt { tenant_claim, .. } => tenant_claim.clone(),
                Auth::Iam { .. } => DEFAULT_TENANT_CLAIM.to_owned(),
            };
            p.auth = Auth::Jwt {
                issuer,
                audiences,
                tenant_claim,
            };
        })
    }

    /// With [`jwt`](Self::jwt): the claim that names the caller's tenant
    /// (e.g. `custom:tenant` for Cognito).
    pub fn tenant_claim(self, claim: impl Into<String>) -> SchedulesApi {
        let claim = claim.into();
        self.update(|p| match &mut p.auth {
            Auth::Jwt { tenant_claim, .. } => *tenant_claim = claim,
            // Kept to be reported at synth (a claim means nothing to IAM).
            Auth::Iam { .. } => {
                p.auth = Auth::Jwt {
                    issuer: String::new(),
                    audiences: Vec::new(),
                    tenant_claim: claim,
                }
            }
        })
    }

    /// With IAM authorization (the default): which caller value is the
    /// tenant: `accountId` (the default), `principalOrgId`, `userArn`,
    /// `userId` or `callerId`.
    pub fn iam_tenant(self, field: impl Into<String>) -> SchedulesApi {
        let field = field.into();
        self.update(|p| {
            p.auth = Auth::Iam {
                tenant_field: field,
            }
        })
    }

    /// Throttle every route to `rate_per_second` sustained with bursts of
    /// `burst` requests.
    pub fn throttle(self, burst: u32, rate_per_second: f64) -> SchedulesApi {
        self.update(|p| {
            p.burst_limit = burst;
            p.rate_limit = rate_per_second;
        })
    }

    /// Keep access logs this many days (a value CloudWatch Logs accepts).
    pub fn access_log_retention_days(self, days: u32) -> SchedulesApi {
        self.update(|p| p.access_log_days = days)
    }

    /// Where it sits in the construct tree.
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The handler function (e.g. to give it more memory or a grant).
    pub fn handler(&self) -> &Function {
        &self.0.handler
    }

    /// The API's id.
    pub fn api_id(&self) -> Value {
        Value::reference(self.0.api_id())
    }

    /// The API's base URL, `https://ID.execute-api.REGION.amazonaws.com`
    /// (the API's `ApiEndpoint`, written from its id so that tools which do
    /// not model API Gateway v2, such as moto, can resolve it).
    pub fn url(&self) -> Value {
        Value::sub(format!(
            "https://${{{}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}",
            self.0.api_id()
        ))
    }

    /// The ARN pattern that grants calling every route with `execute-api:Invoke`
    /// (for IAM authorization: give it to the callers' roles).
    pub fn invoke_arn(&self) -> Value {
        Value::sub(format!(
            "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{}}}/$default/*/schedules*",
            self.0.api_id()
        ))
    }
}

impl Inner {
    fn api_id(&self) -> String {
        self.node.child_logical_id("Api")
    }

    /// The handler's variables for the authorization chosen.
    fn auth_env(&self) -> Vec<(&'static str, Value)> {
        match &self.props.borrow().auth {
            Auth::Iam { tenant_field } => {
                vec![(IAM_TENANT_ENV, Value::from(tenant_field.as_str()))]
            }
            Auth::Jwt { tenant_claim, .. } => {
                vec![(TENANT_CLAIM_ENV, Value::from(tenant_claim.as_str()))]
            }
        }
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
