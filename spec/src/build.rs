//! Building the `cfn_gen::App` from a parsed spec: the shared state every
//! construct family's builder uses ([`Build`]: errors with spec locations,
//! the construct-path-to-spec-path map, paths relative to the spec file)
//! and a stack's scope ([`StackScope`]: its topics and parameters by id,
//! resolved with errors that list the ids that exist).

use std::path::{Path, PathBuf};

use cfn_gen::{
    App, BuiltinFunctions, FargateJob, Function, ImageRepublish, OneOffSchedules, Parameter,
    ScheduledLambda, Stack, Table, Topic, Value, VpcEndpoints, WorkQueue,
};
use indexmap::IndexMap;

use crate::common::ValueSpec;
use crate::error::{SpecError, SpecLocation};
use crate::model::{FunctionsSpec, Spec, StackSpec};
use crate::positions::{join, Position, Positions};
use crate::{
    alarms, channel, fargate, functions, image, network, one_off, sync_pipeline, table, task,
    topic, webhook, work_queue,
};

/// What the builders share.
pub(crate) struct Build<'a> {
    file: &'a str,
    positions: &'a Positions,
    base_dir: PathBuf,
    /// Problems found so far.
    pub errors: Vec<SpecError>,
    /// `(construct path, spec path)` of every construct built.
    pub constructs: Vec<(String, String)>,
}

impl<'a> Build<'a> {
    pub(crate) fn new(file: &'a str, positions: &'a Positions, base_dir: PathBuf) -> Build<'a> {
        Build {
            file,
            positions,
            base_dir,
            errors: Vec::new(),
            constructs: Vec::new(),
        }
    }

    /// Where `path` is (or its nearest ancestor in the file).
    pub(crate) fn locate(&self, path: &str) -> SpecLocation {
        locate(self.file, self.positions, path)
    }

    /// Record an error at `path`.
    pub(crate) fn error(&mut self, path: &str, message: impl Into<String>, fix: impl Into<String>) {
        let error = SpecError::new(Some(self.locate(path)), message).with_fix(fix);
        self.errors.push(error);
    }

    /// Record that the construct at `construct_path` comes from `spec_path`.
    pub(crate) fn construct(&mut self, construct_path: String, spec_path: &str) {
        self.constructs.push((construct_path, spec_path.to_owned()));
    }

    /// Exactly where `path` is, if it is in the file.
    pub(crate) fn position(&self, path: &str) -> Option<Position> {
        self.positions.get(path)
    }

    /// A path of the spec, relative to the spec file's directory.
    pub(crate) fn file_path(&self, relative: &str) -> PathBuf {
        self.base_dir.join(relative)
    }
}

/// Where `path` is in `file` (or its nearest ancestor in the file).
pub(crate) fn locate(file: &str, positions: &Positions, path: &str) -> SpecLocation {
    let (_, at) = positions.nearest(path);
    SpecLocation {
        file: file.to_owned(),
        line: at.line,
        column: at.column,
        path: path.to_owned(),
    }
}

/// A stack being built: its topics and parameters by id.
pub(crate) struct StackScope {
    pub stack: Stack,
    /// `stacks.NAME`.
    pub path: String,
    pub topics: IndexMap<String, Topic>,
    pub tables: IndexMap<String, Table>,
    pub images: IndexMap<String, ImageRepublish>,
    parameters: IndexMap<String, Value>,
    /// `one_off_schedules:` built so far.
    pub one_offs: IndexMap<String, OneOffSchedules>,
    /// `tasks:` built so far.
    pub tasks: IndexMap<String, ScheduledLambda>,
    /// `fargate_jobs:` built so far.
    pub fargate_jobs: IndexMap<String, FargateJob>,
    /// `vpc_endpoints:` built so far.
    pub endpoints: IndexMap<String, VpcEndpoints>,
    /// `functions:` built so far.
    pub functions: IndexMap<String, Function>,
    /// `work_queues:` built so far.
    pub work_queues: IndexMap<String, WorkQueue>,
}

impl StackScope {
    /// The topic `id`, or an error at `path` listing the topics there are.
    pub(crate) fn topic(&self, b: &mut Build, path: &str, id: &str) -> Option<Topic> {
        self.resolve(b, path, id, &self.topics, "topic", "topics")
    }

    /// The table `id`, or an error at `path` listing the tables there are.
    pub(crate) fn table(&self, b: &mut Build, path: &str, id: &str) -> Option<Table> {
        self.resolve(b, path, id, &self.tables, "table", "tables")
    }

    /// The republished image `id`, or an error at `path` listing the images there are.
    pub(crate) fn image(&self, b: &mut Build, path: &str, id: &str) -> Option<ImageRepublish> {
        self.resolve(b, path, id, &self.images, "image", "images")
    }

    fn resolve<T: Clone>(
        &self,
        b: &mut Build,
        path: &str,
        id: &str,
        known: &IndexMap<String, T>,
        what: &str,
        section: &str,
    ) -> Option<T> {
        // Also says when the construct is declared further down the file.
        crate::refs::resolve(b, known, path, id, what, section, self)
    }

    /// A literal, or the value of a parameter of the stack.
    pub(crate) fn value(&self, b: &mut Build, path: &str, value: &ValueSpec) -> Option<Value> {
        match value {
            ValueSpec::Literal(s) => Some(Value::from(s.as_str())),
            ValueSpec::Parameter(p) => {
                if let Some(v) = self.parameters.get(&p.parameter) {
                    return Some(v.clone());
                }
                let known: Vec<&str> = self.parameters.keys().map(String::as_str).collect();
                b.error(
                    &join(path, "parameter"),
                    format!(
                        "no parameter `{}` in stack {}; its parameters are: {}",
                        p.parameter,
                        self.stack.name(),
                        list(&known)
                    ),
                    fix_from(
                        &p.parameter,
                        &known,
                        "declare it under `parameters:` of this stack",
                    ),
                );
                None
            }
        }
    }
}

/// `a, b, c`, or `(none)`.
pub(crate) fn list(ids: &[&str]) -> String {
    if ids.is_empty() {
        "(none)".to_owned()
    } else {
        ids.join(", ")
    }
}

/// "write `closest`" when an id is close to `wrong`, else `otherwise`.
pub(crate) fn fix_from(wrong: &str, known: &[&str], otherwise: &str) -> String {
    match cfn_gen::suggest::close_matches(wrong, known.iter().copied()).first() {
        Some(best) => format!("write `{best}`, or {otherwise}"),
        None => match known.first() {
            Some(first) => format!("use one of the ids listed (e.g. `{first}`), or {otherwise}"),
            None => otherwise.to_owned(),
        },
    }
}

/// Build every stack of `spec` into `app`.
pub(crate) fn build_app(b: &mut Build, spec: &Spec, app: &App) {
    if let Some(functions) = &spec.functions {
        builtins(b, functions, app);
    }
    for (name, stack_spec) in &spec.stacks {
        build_stack(b, app, name, stack_spec);
    }
}

fn builtins(b: &Build, f: &FunctionsSpec, app: &App) {
    let mut functions = match &f.package {
        Some(p) => BuiltinFunctions::package(b.file_path(p)),
        None => BuiltinFunctions::default(),
    };
    let dir = |p: &str| -> PathBuf { b.file_path(p) };
    if let Some(p) = &f.notifiers {
        functions = functions.notifiers(dir(p));
    }
    if let Some(p) = &f.watchdog {
        functions = functions.watchdog(dir(p));
    }
    if let Some(p) = &f.image_copier {
        functions = functions.image_copier(dir(p));
    }
    if let Some(p) = &f.scheduler_api {
        functions = functions.scheduler_api(dir(p));
    }
    if let Some(p) = &f.webhook_receiver {
        functions = functions.webhook_receiver(dir(p));
    }
    // The setter returns the app; it shares its state with `app`.
    let _ = app.clone().builtin_functions(functions);
}

fn build_stack(b: &mut Build, app: &App, name: &str, spec: &StackSpec) {
    let path = join("stacks", name);
    let mut stack = Stack::new(app, name);
    if let Some(d) = &spec.description {
        stack = stack.description(d);
    }
    if let Some(r) = &spec.region {
        stack = stack.region(r);
    }
    b.construct(name.to_owned(), &path);
    for (key, value) in &spec.tags {
        stack.tag(key, value);
    }
    if let Some(arn) = &spec.permissions_boundary {
        stack.permissions_boundary(arn.as_str());
    }
    if let Some(n) = spec.schedule_delivery_alarm_threshold {
        stack.schedule_delivery_alarms((n > 0).then_some(n));
    }
    let mut parameters = IndexMap::new();
    for (pname, p) in &spec.parameters {
        let mut parameter = Parameter::of_type(p.parameter_type.as_str());
        if let Some(d) = &p.description {
            parameter = parameter.description(d);
        }
        if let Some(d) = &p.default {
            parameter = parameter.default_value(d);
        }
        if !p.allowed_values.is_empty() {
            parameter = parameter.allowed_values(p.allowed_values.iter().cloned());
        }
        if p.no_echo {
            parameter = parameter.no_echo();
        }
        parameters.insert(pname.clone(), stack.parameter(pname, parameter).value());
    }
    let mut scope = StackScope {
        stack,
        path,
        topics: IndexMap::new(),
        tables: IndexMap::new(),
        images: IndexMap::new(),
        parameters,
        one_offs: IndexMap::new(),
        tasks: IndexMap::new(),
        fargate_jobs: IndexMap::new(),
        endpoints: IndexMap::new(),
        functions: IndexMap::new(),
        work_queues: IndexMap::new(),
    };
    check_unique_ids(b, &scope.path, spec);
    if let Some(a) = &spec.alarms {
        alarms::build(b, &mut scope, a);
    }
    for section in sections_in_file_order(b, &scope.path) {
        build_section(b, &mut scope, spec, section);
    }
    for (id, o) in &spec.one_off_schedules {
        one_off::grant_managers(b, &scope, id, o);
    }
    for (id, e) in &spec.vpc_endpoints {
        network::serve(b, &scope, id, e);
    }
}

/// The sections of a stack holding constructs.
#[derive(Debug, Clone, Copy)]
enum Section {
    Topics,
    Tasks,
    Channels,
    Images,
    OneOffSchedules,
    SchedulesApis,
    SyncPipelines,
    FargateJobs,
    VpcEndpoints,
    Tables,
    Functions,
    WorkQueues,
    InboundWebhooks,
}

impl Section {
    const ALL: [Section; 13] = [
        Section::Topics,
        Section::Tasks,
        Section::Channels,
        Section::Images,
        Section::OneOffSchedules,
        Section::SchedulesApis,
        Section::SyncPipelines,
        Section::FargateJobs,
        Section::VpcEndpoints,
        Section::Tables,
        Section::Functions,
        Section::WorkQueues,
        Section::InboundWebhooks,
    ];

    fn key(self) -> &'static str {
        match self {
            Section::Topics => "topics",
            Section::Tasks => "tasks",
            Section::Channels => "channels",
            Section::Images => "images",
            Section::OneOffSchedules => "one_off_schedules",
            Section::SchedulesApis => "schedules_apis",
            Section::SyncPipelines => "sync_pipelines",
            Section::FargateJobs => "fargate_jobs",
            Section::VpcEndpoints => "vpc_endpoints",
            Section::Tables => "tables",
            Section::Functions => "functions",
            Section::WorkQueues => "work_queues",
            Section::InboundWebhooks => "inbound_webhooks",
        }
    }
}

/// The sections given in the stack at `stack_path`, in file order: the
/// order constructs are created in, hence the order of the template's
/// resources (a Rust stack's order of calls).
fn sections_in_file_order(b: &Build, stack_path: &str) -> Vec<Section> {
    let mut given: Vec<(Position, Section)> = Section::ALL
        .iter()
        .filter_map(|s| b.position(&join(stack_path, s.key())).map(|at| (at, *s)))
        .collect();
    given.sort_by_key(|(at, _)| (at.line, at.column));
    given.into_iter().map(|(_, s)| s).collect()
}

fn build_section(b: &mut Build, scope: &mut StackScope, spec: &StackSpec, section: Section) {
    match section {
        Section::Topics => {
            for (id, t) in &spec.topics {
                topic::build(b, scope, id, t);
            }
        }
        Section::Tasks => {
            for (id, t) in &spec.tasks {
                let task = task::build(b, scope, id, t);
                scope.tasks.insert(id.clone(), task);
            }
        }
        Section::Channels => {
            for (id, c) in &spec.channels {
                let path = join(&join(&scope.path, "channels"), id);
                channel::build(b, scope, &path, id, c, None);
            }
        }
        Section::Images => {
            for (id, i) in &spec.images {
                image::build(b, scope, id, i);
            }
        }
        Section::OneOffSchedules => {
            for (id, o) in &spec.one_off_schedules {
                one_off::build(b, scope, id, o);
            }
        }
        Section::SchedulesApis => {
            for (id, a) in &spec.schedules_apis {
                one_off::build_api(b, scope, id, a);
            }
        }
        Section::SyncPipelines => {
            for (id, p) in &spec.sync_pipelines {
                sync_pipeline::build(b, scope, id, p);
            }
        }
        Section::FargateJobs => {
            for (id, f) in &spec.fargate_jobs {
                fargate::build(b, scope, id, f);
            }
        }
        Section::VpcEndpoints => {
            for (id, e) in &spec.vpc_endpoints {
                network::build(b, scope, id, e);
            }
        }
        Section::Tables => {
            for (id, t) in &spec.tables {
                table::build(b, scope, id, t);
            }
        }
        Section::Functions => {
            for (id, f) in &spec.functions {
                functions::build(b, scope, id, f);
            }
        }
        Section::WorkQueues => {
            for (id, q) in &spec.work_queues {
                work_queue::build(b, scope, id, q);
            }
        }
        Section::InboundWebhooks => {
            for (id, w) in &spec.inbound_webhooks {
                webhook::build(b, scope, id, w);
            }
        }
    }
}

/// Ids are unique within a stack across topics, tasks, channels and the
/// alarm routing's constructs.
fn check_unique_ids(b: &mut Build, stack_path: &str, spec: &StackSpec) {
    let mut seen: IndexMap<String, String> = IndexMap::new();
    let mut claim = |b: &mut Build, id: &str, path: String| {
        if let Some(first) = seen.get(id) {
            let first_at = b.locate(first);
            b.error(
                &path,
                format!(
                    "id `{id}` is used twice in this stack: {first} ({}:{}) has it already",
                    first_at.line, first_at.column
                ),
                format!("give each construct of a stack its own id, e.g. `{id}2`"),
            );
        } else {
            seen.insert(id.to_owned(), path);
        }
    };
    if let Some(a) = &spec.alarms {
        for (id, path) in alarms::ids(stack_path, a) {
            claim(b, &id, path);
        }
    }
    let sections = [
        ("topics", spec.topics.keys().collect::<Vec<_>>()),
        ("tables", spec.tables.keys().collect()),
        ("images", spec.images.keys().collect()),
        ("tasks", spec.tasks.keys().collect()),
        ("channels", spec.channels.keys().collect()),
        ("one_off_schedules", spec.one_off_schedules.keys().collect()),
        ("schedules_apis", spec.schedules_apis.keys().collect()),
        ("sync_pipelines", spec.sync_pipelines.keys().collect()),
        ("fargate_jobs", spec.fargate_jobs.keys().collect()),
        ("vpc_endpoints", spec.vpc_endpoints.keys().collect()),
        ("functions", spec.functions.keys().collect()),
        ("work_queues", spec.work_queues.keys().collect()),
        ("inbound_webhooks", spec.inbound_webhooks.keys().collect()),
    ];
    for (section, ids) in sections {
        for id in ids {
            claim(b, id, join(&join(stack_path, section), id));
        }
    }
}

/// The directory relative paths of a spec file resolve against.
pub(crate) fn base_dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
