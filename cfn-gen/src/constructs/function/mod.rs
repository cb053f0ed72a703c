//! [`Function`]: a Lambda function with its execution role and log group,
//! its settings and their checks, and the grants on and to it.
//!
//! Users create their own with [`Function::new`]. `ScheduledLambda`,
//! `NotificationChannel` and `ImageRepublish` each hold one
//! ([`Function::within`]): they validate and emit it themselves, adding
//! their own grants, variables and invocation settings ([`FunctionParts`]).
//!
//! Modules: [`settings`] (what the builder sets), [`checks`] (synth-time
//! checks), [`secrets`] (task secrets), [`permissions`] (extra statements
//! and their check), [`vpc`] (placement in a VPC), [`synthesis`] (the
//! three resources).

mod checks;
mod permissions;
mod secrets;
mod settings;
mod synthesis;
mod vpc;

use std::cell::{Ref, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use cloud_cron_contract as contract;
use cloud_cron_contract::notifier::SecretRef;

use crate::construct::{Construct, Node, Stack};
use crate::constructs::code::{Code, ImageSource, RustBinary};
use crate::constructs::grant::{Grantee, RolePolicy};
use crate::constructs::network::{services_warning, NetworkIds, VpcPlacement};
use crate::constructs::Topic;
use crate::resources::iam::Statement;
use crate::synth::SynthContext;
use crate::template::Template;
use crate::validate::Report;
use crate::value::Value;

pub(crate) use checks::RETENTION_DAYS;
pub(crate) use permissions::check_grants;
pub use permissions::UNSCOPED_ACTIONS;
pub(crate) use secrets::is_kms_key_arn;
use secrets::TaskSecret;
pub(crate) use settings::{function_setters, FunctionSettings};
pub(crate) use synthesis::FunctionParts;

/// Logical ids of a function's resources.
#[derive(Debug, Clone)]
pub(crate) struct FunctionIds {
    pub function: String,
    pub role: String,
    pub log_group: String,
}

impl FunctionIds {
    /// `<prefix>Function`-style ids: `Function`, `Role` and `LogGroup`
    /// children of `node`, each name prefixed (e.g. `Copier`).
    pub fn children(node: &Node, function: &str, prefix: &str) -> FunctionIds {
        FunctionIds {
            function: node.child_logical_id(function),
            role: node.child_logical_id(&format!("{prefix}Role")),
            log_group: node.child_logical_id(&format!("{prefix}LogGroup")),
        }
    }
}

struct Props {
    settings: FunctionSettings,
    /// Variables added with `add_environment`.
    env: BTreeMap<String, Value>,
    publishes: Vec<(String, Topic)>,
    /// Statements added with `add_to_role_policy` (and grants).
    policy: RolePolicy,
    /// Secrets added with `.secret()`.
    secrets: Vec<TaskSecret>,
    /// Statements added with `.grant()`, checked at synth.
    grants: Vec<Statement>,
    code_fix: &'static str,
    dead_letter_reason: Option<&'static str>,
    /// Where it runs in a VPC, if it does.
    vpc: Option<VpcPlacement>,
    /// The `VpcEndpoints` serving it.
    served_by: Option<String>,
    /// Calls its holder's code makes, for the endpoints it needs.
    holder_calls: Vec<Statement>,
}

struct Inner {
    node: Node,
    ids: FunctionIds,
    props: RefCell<Props>,
}

/// A Lambda function (`AWS::Serverless::Function`) with its own execution
/// role and log group (JSON logs).
///
/// ```
/// use std::time::Duration;
/// use cfn_gen::{App, Function, Stack, Topic};
/// let app = App::new();
/// let stack = Stack::new(&app, "Demo");
/// let alerts = Topic::standard(&stack, "Alerts");
/// let worker = Function::new(&stack, "Worker")
///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/worker:v1")
///     .timeout(Duration::from_secs(120))
///     .env("MODE", "nightly")
///     .publishes_to("alerts", &alerts);
/// worker.add_environment("ALERTS_TOPIC", alerts.arn());
/// let text = &app.synth().expect("valid").stacks[0].text;
/// assert!(text.contains("SNS_TOPIC_ARN_ALERTS"));
/// assert!(text.contains("sns:Publish"));
/// ```
///
/// Defaults: 30 s timeout, 256 MB, `x86_64`, logs kept 30 days. The role
/// may write the function's logs and nothing else until something is
/// granted: [`add_to_role_policy`](Function::add_to_role_policy), or a
/// resource's grant (`topic.grant_publish(&function)`,
/// `queue.grant_consume(&function)`, ...). How failures are kept depends on
/// how the function is invoked, so none is configured here.
#[derive(Clone)]
pub struct Function(Rc<Inner>);

impl Function {
    /// A new function in `stack`. Its logical ID derives from `id`; its
    /// role's and log group's from `id` and `Role` / `LogGroup`.
    pub fn new(stack: &Stack, id: &str) -> Function {
        let node = stack.claim(id);
        let ids = FunctionIds {
            function: node.logical_id(),
            role: node.child_logical_id("Role"),
            log_group: node.child_logical_id("LogGroup"),
        };
        let function = Function::within(
            &node,
            ids,
            FunctionSettings::new(Duration::from_secs(30), 256),
            "call .image(\"ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG\") or .rust_binary(RustBinary::new(env!(\"CARGO_MANIFEST_DIR\"), \"NAME\"))",
            None,
        );
        stack.add(Rc::new(Registered(function.clone())));
        function
    }

    /// The function of the construct at `node`, not registered in the
    /// stack: that construct validates and emits it.
    pub(crate) fn within(
        node: &Node,
        ids: FunctionIds,
        settings: FunctionSettings,
        code_fix: &'static str,
        dead_letter_reason: Option<&'static str>,
    ) -> Function {
        Function(Rc::new(Inner {
            node: node.clone(),
            ids,
            props: RefCell::new(Props {
                settings,
                env: BTreeMap::new(),
                publishes: Vec::new(),
                policy: RolePolicy::new(),
                secrets: Vec::new(),
                grants: Vec::new(),
                code_fix,
                dead_letter_reason,
                vpc: None,
                served_by: None,
                holder_calls: Vec::new(),
            }),
        }))
    }

    fn function_settings(self, f: impl FnOnce(&mut FunctionSettings)) -> Function {
        self.update_settings(f);
        self
    }

    /// Changes the settings in place (for the constructs holding one).
    pub(crate) fn update_settings(&self, f: impl FnOnce(&mut FunctionSettings)) {
        f(&mut self.0.props.borrow_mut().settings);
    }

    /// Why the function needs no dead-letter queue of its own (checkov's CKV_AWS_116),
    /// for constructs that hold a registered function invoked synchronously.
    pub(crate) fn set_dead_letter_reason(&self, reason: &'static str) {
        self.0.props.borrow_mut().dead_letter_reason = Some(reason);
    }

    /// The settings.
    pub(crate) fn settings(&self) -> Ref<'_, FunctionSettings> {
        Ref::map(self.0.props.borrow(), |p| &p.settings)
    }

    /// Run a container image: a private ECR image in the stack's region
    /// (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG` or `...@sha256:DIGEST`),
    /// an [`ImageBuild`](crate::ImageBuild) that `sam build` builds, or an
    /// [`ImageRepublish`](crate::ImageRepublish).
    pub fn image(self, image: impl Into<ImageSource>) -> Function {
        let image = image.into();
        self.function_settings(|s| s.code = Some(Code::Image(image)))
    }

    /// Run a Rust binary of this workspace, built by `sam build` with
    /// cargo-lambda for the function's architecture.
    pub fn rust_binary(self, code: RustBinary) -> Function {
        self.function_settings(|s| s.code = Some(Code::Rust(code)))
    }

    /// What the function does.
    pub fn description(self, text: impl Into<String>) -> Function {
        let text = text.into();
        self.function_settings(|s| s.description = Some(text))
    }

    function_setters!();

    /// Let the function publish to `topic`: its ARN arrives in
    /// `SNS_TOPIC_ARN_<KEY>` (`key` upper-cased, `-` as `_`, what
    /// `cloud_cron_runtime` reads), and the role gets
    /// [`Topic::grant_publish`].
    pub fn publishes_to(self, key: &str, topic: &Topic) -> Function {
        self.publish(key, topic);
        self
    }

    /// [`publishes_to`](Function::publishes_to), in place.
    pub(crate) fn publish(&self, key: &str, topic: &Topic) {
        let entry = (key.to_owned(), topic.clone());
        self.0.props.borrow_mut().publishes.push(entry);
    }

    /// Set an environment variable to a template value: a literal, or an
    /// intrinsic such as a resource's ARN or name (e.g. `topic.arn()`).
    /// Unlike [`env`](Function::env) it may set the variables of
    /// cloud-cron's contract (`CLOUDCRON_...`), for constructs of your own
    /// that wire them. For the 4 KB limit an intrinsic counts as 256 bytes.
    pub fn add_environment(&self, name: impl Into<String>, value: impl Into<Value>) {
        let (name, value) = (name.into(), value.into());
        self.0.props.borrow_mut().env.insert(name, value);
    }

    /// Add a statement to the execution role's policy. A statement that
    /// differs from an earlier one only in its resources is merged into it.
    pub fn add_to_role_policy(&self, statement: Statement) {
        self.0.props.borrow().policy.add_to_role_policy(statement);
    }

    /// Let the task read secret `name` (`ODOO_PASSWORD`: upper-case letters,
    /// digits, `_`) with `ctx.secret("ODOO_PASSWORD")`. Only the reference
    /// is in the environment (`CLOUDCRON_SECRET_ODOO_PASSWORD` =
    /// `ssm:/erp/odoo/password`); the role may read exactly that parameter
    /// (`ssm:GetParameter`) or secret (`secretsmanager:GetSecretValue`).
    ///
    /// ```
    /// use cfn_gen::{App, Function, SecretRef, Stack};
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Demo");
    /// Function::new(&stack, "Sync")
    ///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/sync:v1")
    ///     .secret("ODOO_PASSWORD", SecretRef::ssm("/erp/odoo/password"));
    /// let text = &app.synth().expect("valid").stacks[0].text;
    /// assert!(text.contains("CLOUDCRON_SECRET_ODOO_PASSWORD"));
    /// assert!(text.contains("ssm:/erp/odoo/password"));
    /// ```
    pub fn secret(self, name: &str, secret: SecretRef) -> Function {
        self.add_secret(name, secret, None);
        self
    }

    /// [`secret`](Function::secret) encrypted with a customer managed KMS
    /// key: the role may also `kms:Decrypt` with `key_arn`
    /// (`arn:aws:kms:REGION:ACCOUNT:key/ID`).
    pub fn secret_with_key(self, name: &str, secret: SecretRef, key_arn: &str) -> Function {
        self.add_secret(name, secret, Some(key_arn.to_owned()));
        self
    }

    /// [`secret`](Function::secret), in place.
    pub(crate) fn add_secret(&self, name: &str, reference: SecretRef, kms_key_arn: Option<String>) {
        self.0.props.borrow_mut().secrets.push(TaskSecret {
            name: name.to_owned(),
            reference,
            kms_key_arn,
        });
    }

    /// Grant the role an extra statement, checked at synth: no `*` or
    /// `service:*` action, and no `*` resource except for the actions AWS
    /// cannot scope to a resource (`cloudwatch:PutMetricData`,
    /// `xray:PutTraceSegments`, ...: [`UNSCOPED_ACTIONS`](crate::UNSCOPED_ACTIONS)).
    ///
    /// ```
    /// use cfn_gen::{App, Function, Stack, Value};
    /// use cfn_gen::resources::iam::Statement;
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Demo");
    /// Function::new(&stack, "Sync")
    ///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/sync:v1")
    ///     .grant(Statement::allow(["s3:GetObject"], vec![Value::from("arn:aws:s3:::erp-exports/*")]));
    /// assert!(app.synth().expect("valid").stacks[0].text.contains("erp-exports"));
    /// ```
    pub fn grant(self, statement: Statement) -> Function {
        self.add_grant(statement);
        self
    }

    /// [`grant`](Function::grant), in place.
    pub(crate) fn add_grant(&self, statement: Statement) {
        self.0.props.borrow_mut().grants.push(statement);
    }

    /// Run the function in a VPC: its network interfaces go in
    /// `subnet_ids` (1 to 16) with `security_group_ids` (1 to 5). Each is a
    /// list of literals (`subnet-0a1b2c3d`), single-id values (an
    /// `AWS::EC2::SecurityGroup::Id` parameter's, an import), or one
    /// `List<AWS::EC2::Subnet::Id>` parameter ([`NetworkIds`]).
    ///
    /// The role may create and delete network interfaces in the stack's
    /// account and region (on exactly the subnets and security groups when
    /// they are literals). Private subnets reach AWS APIs only through a NAT
    /// gateway or VPC endpoints: synth warns, naming the endpoints the
    /// function's grants need, until a [`VpcEndpoints`](crate::VpcEndpoints)
    /// serves it, or [`vpc_behind_nat`](Function::vpc_behind_nat) says the
    /// subnets have a NAT gateway.
    ///
    /// ```
    /// use cfn_gen::{App, Function, NetworkIds, Parameter, Stack, Value};
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Private");
    /// let subnets = stack.parameter("SubnetIds", Parameter::of_type("List<AWS::EC2::Subnet::Id>"));
    /// let sg = stack.parameter("SecurityGroupId", Parameter::of_type("AWS::EC2::SecurityGroup::Id"));
    /// Function::new(&stack, "Sync")
    ///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/sync:v1")
    ///     .vpc(&subnets, NetworkIds::each([sg.value()]));
    /// let text = &app.synth().expect("valid").stacks[0].text;
    /// assert!(text.contains("VpcConfig"));
    /// assert!(text.contains("ec2:CreateNetworkInterface"));
    /// ```
    pub fn vpc(
        self,
        subnet_ids: impl Into<NetworkIds>,
        security_group_ids: impl Into<NetworkIds>,
    ) -> Function {
        self.set_vpc(VpcPlacement {
            subnets: subnet_ids.into(),
            security_groups: security_group_ids.into(),
            behind_nat: false,
        });
        self
    }

    /// [`vpc`](Function::vpc) in subnets that route to the internet
    /// through a NAT gateway: every AWS API is reachable, so no endpoints
    /// are needed and synth does not warn.
    pub fn vpc_behind_nat(
        self,
        subnet_ids: impl Into<NetworkIds>,
        security_group_ids: impl Into<NetworkIds>,
    ) -> Function {
        self.set_vpc(VpcPlacement {
            subnets: subnet_ids.into(),
            security_groups: security_group_ids.into(),
            behind_nat: true,
        });
        self
    }

    /// Let `grantee` invoke the function: `lambda:InvokeFunction` on
    /// exactly its ARN.
    pub fn grant_invoke(&self, grantee: &dyn Grantee) {
        grantee.add_to_role_policy(Statement::allow(
            ["lambda:InvokeFunction"],
            vec![self.arn()],
        ));
    }

    /// Where the function sits in the construct tree (for a function held
    /// by another construct: that construct's node).
    pub fn node(&self) -> &Node {
        &self.0.node
    }

    /// The function's ARN (`Fn::GetAtt ... Arn`).
    pub fn arn(&self) -> Value {
        Value::get_att(&self.0.ids.function, "Arn")
    }

    /// The function's name (`Ref`).
    pub fn name(&self) -> Value {
        Value::reference(&self.0.ids.function)
    }

    /// The execution role's ARN (`Fn::GetAtt ... Arn`).
    pub fn role_arn(&self) -> Value {
        Value::get_att(&self.0.ids.role, "Arn")
    }

    /// The function's logical ID.
    pub(crate) fn logical_id(&self) -> &str {
        &self.0.ids.function
    }

    /// Bytes the environment takes at most, besides what the holding
    /// construct adds: literal variables, added ones (intrinsics
    /// estimated), topic ARNs at their longest.
    pub(crate) fn env_bytes(&self) -> usize {
        let p = self.0.props.borrow();
        let added: usize = p
            .env
            .iter()
            .map(|(name, value)| {
                name.len()
                    + value
                        .as_literal()
                        .map_or(checks::INTRINSIC_VALUE_BYTES, str::len)
            })
            .sum();
        let topics: usize = p
            .publishes
            .iter()
            .filter_map(|(key, topic)| {
                let var = contract::topic_env_var(key).ok()?;
                Some(var.len() + checks::estimated_arn_len(topic))
            })
            .sum();
        let secrets: usize = p.secrets.iter().map(TaskSecret::env_bytes).sum();
        p.settings.user_env_bytes() + added + topics + secrets
    }

    /// Checks the function; `other_env_bytes` is what the holding
    /// construct's variables take at most.
    pub(crate) fn validate(&self, other_env_bytes: usize, report: &mut Report) {
        let p = self.0.props.borrow();
        let node = &self.0.node;
        let own = self.env_bytes() - p.settings.user_env_bytes();
        p.settings
            .validate(node, own + other_env_bytes, p.code_fix, report);
        checks::check_added_env(&node.path(), &p.env, &p.settings, report);
        checks::check_publishes(node, &p.publishes, report);
        secrets::check_secrets(&node.path(), &p.secrets, &p.env, report);
        permissions::check_grants(&node.path(), &p.grants, report);
        if let Some(placement) = &p.vpc {
            placement.check(&node.path(), report);
        }
        let vpc = p.vpc.clone();
        let served_by = p.served_by.clone();
        drop(p);
        services_warning(
            &node.path(),
            vpc.as_ref(),
            served_by.as_deref(),
            &self.called_statements(),
            "&function",
            report,
        );
    }

    /// Emits the log group, role and function, with what the holding
    /// construct adds.
    pub(crate) fn synthesize(
        &self,
        ctx: &SynthContext,
        template: &mut Template,
        parts: FunctionParts,
    ) {
        let p = self.0.props.borrow();
        let path = self.0.node.path();
        // Publishing first, then the holder's grants, then the user's.
        let grants = RolePolicy::new();
        for (_, topic) in &p.publishes {
            topic.grant_publish(&grants);
        }
        for statement in parts.grants.statements() {
            grants.add_to_role_policy(statement);
        }
        for secret in &p.secrets {
            secret.grant(&grants);
        }
        for statement in p.policy.statements() {
            grants.add_to_role_policy(statement);
        }
        for statement in &p.grants {
            grants.add_to_role_policy(statement.clone());
        }
        if let Some(placement) = &p.vpc {
            for statement in vpc::eni_statements(placement) {
                grants.add_to_role_policy(statement);
            }
        }
        let mut env: BTreeMap<String, Value> = p
            .publishes
            .iter()
            .filter_map(|(key, topic)| {
                contract::topic_env_var(key)
                    .ok()
                    .map(|var| (var, topic.arn()))
            })
            .collect();
        env.extend(p.secrets.iter().filter_map(TaskSecret::env));
        env.extend(p.env.clone());
        env.extend(parts.env);
        synthesis::emit(
            ctx,
            template,
            synthesis::Emit {
                path: &path,
                ids: &self.0.ids,
                settings: &p.settings,
                statements: grants.statements(),
                env,
                event_invoke_config: parts.event_invoke_config,
                dead_letter_reason: p.dead_letter_reason,
                vpc_config: p.vpc.as_ref().map(vpc::vpc_config),
            },
        );
    }
}

impl Grantee for Function {
    fn add_to_role_policy(&self, statement: Statement) {
        Function::add_to_role_policy(self, statement);
    }
}

impl std::fmt::Debug for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Function({})", self.0.node.path())
    }
}

/// A function created with [`Function::new`], as its stack holds it.
struct Registered(Function);

impl Construct for Registered {
    fn node(&self) -> &Node {
        self.0.node()
    }

    fn validate(&self, report: &mut Report) {
        self.0.validate(0, report);
    }

    fn synthesize(&self, ctx: &SynthContext, template: &mut Template) {
        self.0.synthesize(ctx, template, FunctionParts::default());
    }
}
