//! A stack: one template's worth of constructs, and the stack-level settings
//! that apply to all of them (tags, permissions boundary, overrides,
//! parameters: see [`crate::passes`]).

use std::any::Any;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use indexmap::{IndexMap, IndexSet};
use serde_json::Value as Json;

use crate::builtin_functions::{Builtin, BuiltinCode, SharedBuiltins};
use crate::construct::{AlarmDestination, App, Construct, Node, StackAlarms};
use crate::context::SynthContext;
use crate::json_path;
use crate::passes::overrides::Override;
use crate::passes::tags::ConstructTag;
use crate::passes::{boundary, overrides, tags, Origins, Snapshot};
use crate::template::{Parameter, Template, SAM_TRANSFORM};
use crate::validate::{names, Report};
use crate::value::Value;

/// Stack-level settings applied by the passes of [`crate::passes`].
#[derive(Debug, Clone, Default)]
pub(super) struct Settings {
    pub(super) tags: BTreeMap<String, String>,
    pub(super) construct_tags: Vec<ConstructTag>,
    pub(super) boundary: Option<Value>,
    pub(super) overrides: Vec<Override>,
    pub(super) parameters: IndexMap<String, Parameter>,
}

static NEXT_UID: AtomicU64 = AtomicU64::new(1);

struct Inner {
    uid: u64,
    name: String,
    description: RefCell<Option<String>>,
    region: Rc<RefCell<Option<String>>>,
    alarms: StackAlarms,
    constructs: RefCell<Vec<Rc<dyn Construct>>>,
    /// Every id claimed so far: a set, so each claim is checked in constant time.
    ids: RefCell<IndexSet<String>>,
    problems: RefCell<Report>,
    settings: RefCell<Settings>,
    builtins: SharedBuiltins,
    singletons: RefCell<BTreeMap<&'static str, Rc<dyn Any>>>,
}

/// One CloudFormation stack: the unit `sam deploy` deploys.
///
/// ```
/// use cfn_gen::{App, Stack};
/// let app = App::new();
/// let stack = Stack::new(&app, "Reports").description("Nightly reports");
/// assert_eq!(stack.name(), "Reports");
/// ```
#[derive(Clone)]
pub struct Stack {
    inner: Rc<Inner>,
}

impl Stack {
    /// A new stack in `app`. The name is the stack's name in `sam deploy`
    /// and the template's file name.
    pub fn new(app: &App, name: &str) -> Stack {
        let mut report = Report::default();
        if let Err(message) = names::STACK.check(name) {
            report.error(name, message, "rename the stack in Stack::new");
        }
        if app.stacks().iter().any(|s| s.name() == name) {
            report.error(
                name,
                format!("stack name `{name}` is used twice in this app"),
                "give each Stack::new a different name",
            );
        }
        let stack = Stack {
            inner: Rc::new(Inner {
                uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
                name: name.to_owned(),
                description: RefCell::new(None),
                region: Rc::new(RefCell::new(None)),
                alarms: StackAlarms::default(),
                constructs: RefCell::new(Vec::new()),
                ids: RefCell::new(IndexSet::new()),
                problems: RefCell::new(report),
                settings: RefCell::new(Settings::default()),
                builtins: app.builtins(),
                singletons: RefCell::new(BTreeMap::new()),
            }),
        };
        app.add_stack(stack.clone());
        stack
    }

    /// Set the template's description.
    pub fn description(self, description: impl Into<String>) -> Stack {
        *self.inner.description.borrow_mut() = Some(description.into());
        self
    }

    /// Declare the region the stack deploys to (e.g. `us-west-2`), so synth
    /// can check what must be in that region: a function's ECR image.
    /// Templates stay region-free; this is a check only.
    pub fn region(self, region: impl Into<String>) -> Stack {
        *self.inner.region.borrow_mut() = Some(region.into());
        self
    }

    /// Send every alarm of the stack's constructs (dead-letter queue depth,
    /// function errors and throttles) to `destination`, both when it fires
    /// and when it clears. A construct's own `.alarm_to(..)` still wins.
    /// Synth fails when CloudWatch could not publish there (a FIFO topic,
    /// the AWS managed key, another stack's topic).
    ///
    /// ```
    /// use cfn_gen::{App, DeadLetterQueue, OpsTopic, Stack};
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Demo");
    /// let ops = OpsTopic::new(&stack, "Ops");
    /// stack.alarms_to(&ops);
    /// DeadLetterQueue::new(&stack, "Failed");
    /// let text = &app.synth().expect("valid").stacks[0].text;
    /// assert!(text.contains("OKActions"));
    /// ```
    pub fn alarms_to<D: AlarmDestination + Clone + 'static>(&self, destination: &D) -> &Stack {
        self.inner.alarms.set(Rc::new(destination.clone()));
        self
    }

    /// Set when the alarms on the stack's schedule group fire: at
    /// `threshold` failed deliveries in five minutes (default 1), or never
    /// (`None`). Every stack with scheduled tasks gets its own EventBridge
    /// Scheduler group, and the Scheduler's delivery metrics (target
    /// errors, throttles, dropped runs, failed dead-letter sends) are
    /// published per group.
    ///
    /// ```
    /// use cfn_gen::{App, Schedule, ScheduledLambda, Stack, TimeUnit};
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Demo");
    /// stack.schedule_delivery_alarms(Some(3));
    /// ScheduledLambda::new(&stack, "Report")
    ///     .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/report:v1")
    ///     .schedule(Schedule::rate(5, TimeUnit::Minutes));
    /// let text = &app.synth().expect("valid").stacks[0].text;
    /// assert!(text.contains("InvocationDroppedCount"));
    /// ```
    pub fn schedule_delivery_alarms(&self, threshold: Option<u32>) -> &Stack {
        crate::constructs::StackSchedules::of(self).set_threshold(threshold);
        self
    }

    /// The region declared with [`Stack::region`], if any.
    pub fn declared_region(&self) -> Option<String> {
        self.inner.region.borrow().clone()
    }

    /// The stack's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Claim `id` for a new construct and return its node. A duplicate or
    /// malformed id is recorded and reported at synth.
    pub fn claim(&self, id: &str) -> Node {
        let node = Node {
            stack_uid: self.inner.uid,
            stack: self.inner.name.clone(),
            region: self.inner.region.clone(),
            alarms: self.inner.alarms.clone(),
            id: id.to_owned(),
        };
        let mut problems = self.inner.problems.borrow_mut();
        if id.is_empty() || id.contains('/') {
            problems.error(
                &node.path(),
                format!("construct id `{id}` is empty or contains `/`"),
                "use a non-empty id without `/`, e.g. \"NightlyReport\"",
            );
        }
        let mut ids = self.inner.ids.borrow_mut();
        if !ids.insert(id.to_owned()) {
            let free = (2..)
                .map(|n| format!("{id}{n}"))
                .find(|candidate| !ids.contains(candidate))
                .unwrap_or_default();
            problems.error(
                &node.path(),
                format!(
                    "construct id `{id}` is used twice in stack {}: {} is already defined",
                    self.inner.name,
                    node.path()
                ),
                format!("give each construct in a stack a different id, e.g. \"{free}\""),
            );
        }
        node
    }

    /// A node for the stack itself (for checks made at stack level).
    fn claimless_node(&self) -> Node {
        Node {
            stack_uid: self.inner.uid,
            stack: self.inner.name.clone(),
            region: self.inner.region.clone(),
            alarms: self.inner.alarms.clone(),
            id: String::new(),
        }
    }

    /// The default code of a construct that runs one of cloud-cron's functions.
    pub(crate) fn builtin_code(&self, builtin: Builtin) -> BuiltinCode {
        self.inner.builtins.code(builtin)
    }

    /// The stack's one `T` under `key` (its schedule group, its watchdog),
    /// made by `make` on first use.
    pub(crate) fn singleton<T: 'static>(
        &self,
        key: &'static str,
        make: impl FnOnce(&Stack) -> Rc<T>,
    ) -> Rc<T> {
        let existing = self.inner.singletons.borrow().get(key).cloned();
        if let Some(found) = existing.and_then(|any| any.downcast::<T>().ok()) {
            return found;
        }
        let made = make(self);
        self.inner
            .singletons
            .borrow_mut()
            .insert(key, made.clone() as Rc<dyn Any>);
        made
    }

    /// Add a construct whose node came from [`Stack::claim`].
    pub fn add(&self, construct: Rc<dyn Construct>) {
        self.inner.constructs.borrow_mut().push(construct);
    }

    /// The constructs in the order they were created.
    pub fn constructs(&self) -> Vec<Rc<dyn Construct>> {
        self.inner.constructs.borrow().clone()
    }

    /// Check the stack and all its constructs.
    pub fn validate(&self, report: &mut Report) {
        report.extend(self.inner.problems.borrow().problems_cloned());
        if let Some(target) = self.inner.alarms.target() {
            let here = self.claimless_node();
            target.check(&here, self.name(), report);
        }
        for c in self.inner.constructs.borrow().iter() {
            c.validate(report);
        }
    }

    /// The template, without validation, for a template file in `out/`.
    pub fn template(&self) -> Template {
        self.template_with(&SynthContext::default())
    }

    /// The template, without validation.
    pub fn template_with(&self, ctx: &SynthContext) -> Template {
        self.build(ctx, &mut Report::default()).0
    }

    /// Build the template: parameters, every construct's resources, then the
    /// stack-level passes (tags, permissions boundary, overrides). Problems
    /// the passes find go to `report`; the [`Origins`] say which construct
    /// wrote which resource.
    pub fn build(&self, ctx: &SynthContext, report: &mut Report) -> (Template, Origins) {
        let settings = self.inner.settings.borrow().clone();
        let mut template = Template::default();
        template.description = self.inner.description.borrow().clone();
        template.transform = vec![SAM_TRANSFORM.to_owned()];
        template.parameters = settings.parameters.clone();
        let mut origins = Origins::new(self.name());
        let constructs = self.constructs();
        let mut built = HashSet::with_capacity(constructs.len());
        for c in &constructs {
            let before = Snapshot::of(&template);
            let collisions = template.collisions().len();
            c.synthesize(ctx, &mut template);
            if !built.insert(c.node().id()) {
                // A duplicate id was reported when it was claimed; the logical
                // IDs its resources collide on are that same mistake.
                template.forget_collisions_since(collisions);
            }
            origins.record(c.node().id(), &before, &template);
        }
        for name in template.parameters.keys() {
            if template.resources.contains_key(name) {
                report.error(
                    &format!("{}/{name}", self.name()),
                    format!(
                        "parameter `{name}` has the logical ID of a resource written by {}; parameters and resources share one namespace",
                        origins.resource_path(name)
                    ),
                    format!("rename the parameter, e.g. stack.parameter(\"{name}Param\", ..)"),
                );
            }
        }
        tags::apply(
            &mut template,
            &origins,
            &settings.tags,
            &settings.construct_tags,
            report,
        );
        if let Some(b) = &settings.boundary {
            boundary::apply(&mut template, b);
        }
        overrides::apply(&mut template, &origins, &settings.overrides, report);
        (template, origins)
    }

    /// Record a problem found while the stack was configured.
    pub(super) fn record_error(&self, path: &str, message: String, fix: String) {
        self.inner.problems.borrow_mut().error(path, message, fix);
    }

    pub(super) fn settings_mut(&self) -> std::cell::RefMut<'_, Settings> {
        self.inner.settings.borrow_mut()
    }

    /// Tag every taggable resource of the stack (see [`crate::passes::tags`]
    /// for the types and shapes). A key set twice keeps the last value.
    ///
    /// ```
    /// use cfn_gen::{App, Stack, Topic};
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Tagged");
    /// stack.tag("team", "reports").tag("cost-center", "42");
    /// Topic::standard(&stack, "Alerts");
    /// let text = &app.synth().expect("valid").stacks[0].text;
    /// assert!(text.contains("Key: cost-center"));
    /// ```
    pub fn tag(&self, key: impl Into<String>, value: impl Into<String>) -> &Stack {
        let (key, value) = (key.into(), value.into());
        if let Err(p) = tags::check(&key, &value) {
            self.record_error(
                self.name(),
                format!("stack tag `{key}`: {}", p.message),
                format!(
                    "use an accepted tag, e.g. stack.tag({:?}, {:?})",
                    p.suggestion.0, p.suggestion.1
                ),
            );
        }
        self.settings_mut().tags.insert(key, value);
        self
    }

    /// Tag the resources of one construct, named by its id or its path
    /// `Stack/Id`. A construct's tag beats a stack tag with the same key.
    pub fn tag_construct(
        &self,
        construct: impl Into<String>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> &Stack {
        let (target, key, value) = (construct.into(), key.into(), value.into());
        if let Err(p) = tags::check(&key, &value) {
            self.record_error(
                &format!("{}/{target}", self.name()),
                format!("tag `{key}`: {}", p.message),
                format!(
                    "use an accepted tag, e.g. stack.tag_construct({target:?}, {:?}, {:?})",
                    p.suggestion.0, p.suggestion.1
                ),
            );
        }
        self.settings_mut()
            .construct_tags
            .push(ConstructTag { target, key, value });
        self
    }

    /// Give every IAM role of the stack this permissions boundary (a managed
    /// policy ARN), including the roles SAM creates for functions that name
    /// none (see [`crate::passes::boundary`]).
    ///
    /// ```
    /// use cfn_gen::{App, Stack, Value};
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Bounded");
    /// stack.permissions_boundary(Value::sub(
    ///     "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/DeveloperBoundary",
    /// ));
    /// ```
    pub fn permissions_boundary(&self, policy_arn: impl Into<Value>) -> &Stack {
        let arn = policy_arn.into();
        if let Err((message, fix)) = boundary::check(&arn) {
            self.record_error(self.name(), message, fix);
        }
        self.settings_mut().boundary = Some(arn);
        self
    }

    /// Set a property of any resource in the template, as CDK's
    /// `addPropertyOverride`: `path` is dotted from `Properties`
    /// (`Environment.Variables.MODE`; `\.` for a dot in a key; a number
    /// indexes a list), and missing objects are created. `resource` is a
    /// logical ID or a construct path (`Report/Function`, see
    /// [`crate::passes::resolve_resource`]). Overrides run last, in order.
    ///
    /// ```
    /// use cfn_gen::{App, Stack, Topic};
    /// use serde_json::json;
    /// let app = App::new();
    /// let stack = Stack::new(&app, "Overridden");
    /// Topic::standard(&stack, "Alerts");
    /// stack.override_property("Alerts", "ArchivePolicy.MessageRetentionPeriod", json!(30));
    /// let t = &app.synth().expect("valid").stacks[0].template;
    /// let topic = t.resources.values().next().expect("the topic");
    /// assert_eq!(topic.properties()["ArchivePolicy"]["MessageRetentionPeriod"], 30);
    /// ```
    pub fn override_property(
        &self,
        resource: impl Into<String>,
        path: &str,
        value: impl Into<Json>,
    ) -> &Stack {
        self.push_override(
            resource.into(),
            Some("Properties"),
            path,
            Some(value.into()),
        )
    }

    /// Delete a property (dotted path from `Properties`) of any resource.
    pub fn delete_property(&self, resource: impl Into<String>, path: &str) -> &Stack {
        self.push_override(resource.into(), Some("Properties"), path, None)
    }

    /// Set anything in a resource's entry, as CDK's `addOverride`: the path
    /// starts at the entry's root (`Properties.Timeout`, `DeletionPolicy`,
    /// `Metadata.Owner`).
    pub fn add_override(
        &self,
        resource: impl Into<String>,
        path: &str,
        value: impl Into<Json>,
    ) -> &Stack {
        self.push_override(resource.into(), None, path, Some(value.into()))
    }

    /// Delete anything in a resource's entry (path from the entry's root).
    pub fn delete_override(&self, resource: impl Into<String>, path: &str) -> &Stack {
        self.push_override(resource.into(), None, path, None)
    }

    fn push_override(
        &self,
        target: String,
        root: Option<&str>,
        path: &str,
        value: Option<Json>,
    ) -> &Stack {
        match json_path::parse(path) {
            Ok(segments) => {
                let path = root
                    .map(str::to_owned)
                    .into_iter()
                    .chain(segments)
                    .collect();
                self.settings_mut().overrides.push(Override {
                    target,
                    path,
                    value,
                });
            }
            Err(e) => self.record_error(
                &format!("{}/{target}", self.name()),
                format!("override: {e}"),
                "write the path as dot-separated keys, e.g. \"Environment.Variables.MODE\""
                    .to_owned(),
            ),
        }
        self
    }
}
