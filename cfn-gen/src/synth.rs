//! Synthesis: validate the whole app, then render each stack's template.
//!
//! Each stack is built ([`Stack::build`]: constructs, then the stack-level
//! passes), checked for dangling references, split into nested stacks when
//! it would pass CloudFormation's limits ([`crate::split`]), checked for
//! template limits, and rendered; every problem of every stack is reported
//! together.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use crate::construct::{App, Stack};
use crate::passes::{references, Origins};
use crate::split;
use crate::template::Template;
use crate::validate::imports::Exports;
use crate::validate::physical_names::PhysicalNames;
use crate::validate::{alarms, ids, limits, quotas, Problem, Report, Severity};
use crate::writer::Format;

pub use crate::context::{ScheduleSummary, SynthContext};

/// One stack's synthesized template.
#[derive(Debug, Clone)]
pub struct SynthesizedStack {
    /// The stack name.
    pub name: String,
    /// The template model.
    pub template: Template,
    /// The rendered template in the requested format.
    pub text: String,
    /// The format of `text`.
    pub format: Format,
    /// The schedules the stack runs.
    pub schedules: Vec<ScheduleSummary>,
    /// The nested stacks the stack was split into when it would pass
    /// CloudFormation's limits (see [`crate::split`]); empty otherwise.
    pub nested: Vec<SynthesizedNested>,
}

/// One nested stack of a split stack, written next to the root template.
#[derive(Debug, Clone)]
pub struct SynthesizedNested {
    /// Its name, `<Stack>Part<bits>`.
    pub name: String,
    /// The logical ID of its `AWS::Serverless::Application` in the root.
    pub logical_id: String,
    /// The ids of the constructs placed in it.
    pub constructs: Vec<String>,
    /// The template model.
    pub template: Template,
    /// The rendered template.
    pub text: String,
    /// The format of `text`.
    pub format: Format,
}

impl SynthesizedNested {
    /// The file name `synth` writes: `<Stack>Part<bits>.template.<yaml|json>`,
    /// which the root's `Location` names.
    pub fn file_name(&self) -> String {
        format!("{}.template.{}", self.name, self.format.extension())
    }
}

impl SynthesizedStack {
    /// The file name `synth` writes: `<Stack>.template.<yaml|json>`.
    pub fn file_name(&self) -> String {
        format!("{}.template.{}", self.name, self.format.extension())
    }
}

/// The result of a successful synth.
#[derive(Debug, Clone)]
pub struct Synthesis {
    /// Every stack, in creation order.
    pub stacks: Vec<SynthesizedStack>,
    /// Problems that did not stop synthesis.
    pub warnings: Vec<Problem>,
}

/// Synth found errors; nothing should be written.
#[derive(Debug, Clone, thiserror::Error)]
pub struct SynthError {
    /// Every problem found, errors first.
    pub problems: Vec<Problem>,
}

impl SynthError {
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }
}

impl fmt::Display for SynthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "synth found {} error(s):", self.errors().count())?;
        for p in &self.problems {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

/// How to synthesize.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthOptions {
    /// The output format.
    pub format: Format,
    /// The directory the templates are written to: local code paths in the
    /// templates are relative to it.
    pub out_dir: PathBuf,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            format: Format::Yaml,
            out_dir: PathBuf::from("out"),
        }
    }
}

impl App {
    /// Validate everything and render every stack as YAML.
    pub fn synth(&self) -> Result<Synthesis, SynthError> {
        self.synth_as(Format::Yaml)
    }

    /// Validate everything and render every stack in `format`. Every problem
    /// in every stack is reported at once; nothing is returned when any of
    /// them is an error.
    pub fn synth_as(&self, format: Format) -> Result<Synthesis, SynthError> {
        self.synth_with(&SynthOptions {
            format,
            ..SynthOptions::default()
        })
    }

    /// Validate everything and render every stack as `options` say.
    pub fn synth_with(&self, options: &SynthOptions) -> Result<Synthesis, SynthError> {
        synthesize(&self.stacks(), options)
    }
}

/// Resource and parameter names of every stack but the `skip`th, with the
/// first stack that has each, for "that is in another stack" hints.
fn names_elsewhere(built: &[(Template, Origins)], skip: usize) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (j, (template, origins)) in built.iter().enumerate() {
        if j == skip {
            continue;
        }
        for name in template.resources.keys().chain(template.parameters.keys()) {
            out.entry(name.clone())
                .or_insert_with(|| origins.stack().to_owned());
        }
    }
    out
}

fn render(template: &Template, format: Format) -> String {
    match format {
        Format::Yaml => template.to_yaml(),
        Format::Json => template.to_json_string(),
    }
}

fn synthesize(stacks: &[Stack], options: &SynthOptions) -> Result<Synthesis, SynthError> {
    let format = options.format;
    let ctx = SynthContext::new(&options.out_dir);
    let mut report = Report::default();
    let mut exports = Vec::new();
    let mut reserved = Vec::new();
    let mut built = Vec::new();
    for stack in stacks {
        stack.validate(&mut report);
        let construct_ids: Vec<String> = stack
            .constructs()
            .iter()
            .map(|c| c.node().id().to_owned())
            .collect();
        ids::check_stack_ids(stack.name(), &construct_ids, &mut report);
        built.push(stack.build(&ctx, &mut report));
    }
    // Constructs with an error of their own: checks over whole templates
    // (dangling references) would only repeat that mistake in other words.
    let faulty: HashSet<String> = report
        .problems_cloned()
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.path)
        .collect();
    let mut app_exports = Exports::default();
    for (template, origins) in &built {
        app_exports.add_template(template, origins);
    }
    let mut physical_names = PhysicalNames::default();
    let mut out = Vec::new();
    for (i, (stack, (template, origins))) in stacks.iter().zip(built.iter()).enumerate() {
        for id in template.collisions() {
            report.error(
                stack.name(),
                format!("logical ID `{id}` is emitted twice"),
                "rename one of the constructs (or raw resources) that produce it",
            );
        }
        let elsewhere = names_elsewhere(&built, i);
        let mut dangling = Report::default();
        references::check(template, origins, &elsewhere, &mut dangling);
        report.extend(
            dangling
                .into_problems()
                .into_iter()
                .filter(|p| !faulty.contains(&p.path)),
        );
        app_exports.check_imports(template, origins, &mut report);
        physical_names.add_template(
            stack.declared_region().as_deref(),
            template,
            origins,
            &mut report,
        );
        // A template over the counts is split without rendering it whole.
        let mut text = if split::over_counts(template) {
            String::new()
        } else {
            render(template, format)
        };
        let mut root = template;
        let mut nested = Vec::new();
        let split = split::needs_split(template, text.len())
            .then(|| split::split(template, origins, format.extension()))
            .flatten();
        if text.is_empty() && split.is_none() {
            text = render(template, format);
        }
        if let Some(split) = &split {
            root = &split.root;
            text = render(root, format);
            for child in &split.nested {
                let child_text = render(&child.template, format);
                limits::check_nested_template(
                    &format!("{}/{}", stack.name(), child.name),
                    &child.template,
                    child_text.len(),
                    &mut report,
                );
                nested.push(SynthesizedNested {
                    name: child.name.clone(),
                    logical_id: child.logical_id.clone(),
                    constructs: child.constructs.clone(),
                    template: child.template.clone(),
                    text: child_text,
                    format,
                });
            }
        }
        limits::check_template(stack.name(), root, text.len(), &mut report);
        alarms::check_actions(stack.name(), template, &mut report);
        reserved.extend(quotas::reserved_in_template(stack.name(), template));
        quotas::check_mapping_concurrency(stack.name(), template, &mut report);
        let mut schedules = Vec::new();
        for c in stack.constructs() {
            for (output, name) in c.exports() {
                exports.push((stack.name().to_owned(), output, name));
            }
            schedules.extend(c.schedules());
        }
        out.push(SynthesizedStack {
            name: stack.name().to_owned(),
            template: root.clone(),
            text,
            format,
            schedules,
            nested,
        });
    }
    limits::check_exports(&exports, &mut report);
    quotas::check_reserved_concurrency(&reserved, &mut report);
    if report.has_errors() {
        return Err(SynthError {
            problems: report.into_problems(),
        });
    }
    Ok(Synthesis {
        stacks: out,
        warnings: report.into_problems(),
    })
}
