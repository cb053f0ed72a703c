//! A loaded spec: the app it built, where each construct came from, and
//! synth whose findings name the spec location.

use cfn_gen::{App, Problem, Severity, SynthOptions, Synthesis};

use crate::build::locate;
use crate::error::{SpecError, SpecErrors, SpecLocation, SpecSeverity};
use crate::model::Spec;
use crate::positions::Positions;

/// A spec that parsed and resolved: its [`App`] is ready to synthesize.
pub struct LoadedSpec {
    app: App,
    spec: Spec,
    file: String,
    positions: Positions,
    /// `(construct path, spec path)`, in build order.
    constructs: Vec<(String, String)>,
}

/// A successful synth of a spec.
#[derive(Debug, Clone)]
pub struct SpecSynthesis {
    /// The templates, as [`App::synth_with`] gives them.
    pub synthesis: Synthesis,
    /// Synth's warnings, with their spec locations.
    pub warnings: Vec<SpecError>,
}

impl LoadedSpec {
    pub(crate) fn new(
        app: App,
        spec: Spec,
        file: String,
        positions: Positions,
        constructs: Vec<(String, String)>,
    ) -> LoadedSpec {
        LoadedSpec {
            app,
            spec,
            file,
            positions,
            constructs,
        }
    }

    /// The app the spec declares.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The parsed spec.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// The file name errors show.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The spec path a construct path (`Jobs/NightlySync`, or a path below
    /// a construct such as `Jobs/NightlySync/Function`) comes from:
    /// `stacks.Jobs.tasks.NightlySync`. Constructs cloud-cron adds itself
    /// (the schedule group, the watchdog) map to their stack.
    pub fn spec_path_of(&self, construct_path: &str) -> Option<&str> {
        let mut current = construct_path;
        loop {
            if let Some((_, spec)) = self.constructs.iter().find(|(c, _)| c == current) {
                return Some(spec);
            }
            current = current.rsplit_once('/')?.0;
        }
    }

    /// Where in the spec the construct at `construct_path` is declared.
    pub fn location_of(&self, construct_path: &str) -> Option<SpecLocation> {
        let path = self.spec_path_of(construct_path)?;
        Some(locate(&self.file, &self.positions, path))
    }

    /// A synth finding, located in the spec.
    pub fn locate_problem(&self, problem: &Problem) -> SpecError {
        SpecError {
            severity: match problem.severity {
                Severity::Error => SpecSeverity::Error,
                Severity::Warning => SpecSeverity::Warning,
            },
            location: self
                .location_of(&problem.path)
                .or_else(|| Some(locate(&self.file, &self.positions, ""))),
            construct_path: Some(problem.path.clone()),
            message: problem.message.clone(),
            fix: Some(spec_fix(&problem.fix)).filter(|f| !f.is_empty()),
        }
    }

    /// Synthesize the app; every finding names its spec location.
    pub fn synth(&self, options: &SynthOptions) -> Result<SpecSynthesis, SpecErrors> {
        match self.app.synth_with(options) {
            Ok(synthesis) => {
                let warnings = synthesis
                    .warnings
                    .iter()
                    .map(|p| self.locate_problem(p))
                    .collect();
                Ok(SpecSynthesis {
                    synthesis,
                    warnings,
                })
            }
            Err(e) => Err(SpecErrors {
                errors: e.problems.iter().map(|p| self.locate_problem(p)).collect(),
            }),
        }
    }
}

/// A synth fix in the spec's terms where cfn-gen's is written for Rust
/// code and the spec has its own key for it; otherwise cfn-gen's fix (its
/// builder method names match the spec's keys).
fn spec_fix(fix: &str) -> String {
    if fix.contains("builtin_functions(") {
        return "name the package that builds cloud-cron's functions at the top of the spec: `functions: { package: PATH }` (relative to the spec; see \"Use cloud-cron in your own repository\" in the README)".to_owned();
    }
    if fix.contains("stack.alarms_to(&ops)") {
        return "route the stack's alarms to an operators' topic: `alarms: { ops_topic: Ops, channels: { OpsEmail: { kind: email, from: .., to: [..], subject: .., text: .. } } }` under the stack".to_owned();
    }
    if fix.contains("VpcEndpoints::new(") {
        return "add the endpoints under the stack: `vpc_endpoints: { Endpoints: { vpc_id: VPC-ID, subnets: [SUBNET-ID], route_tables: [RTB-ID], serves: [THIS-ID] } }`; or, if the subnets route through a NAT gateway, set `behind_nat: true` in its `vpc`".to_owned();
    }
    if fix.contains(".vpc_behind_nat(") {
        return "route the subnets through a NAT gateway and set `behind_nat: true` in its `vpc`, or drop the grants it does not use".to_owned();
    }
    if fix.contains(".route_tables([") {
        return "add `route_tables: [rtb-0123456789abcdef0]` (or `{ parameter: NAME }`) to the VPC endpoints".to_owned();
    }
    if fix.contains(".start_date(") && fix.contains(".no_missed_run_alarm()") {
        return "give the task `start_date: \"2027-01-01T00:00:00Z\"` so the stack's watchdog can count its fire times, or set `alarms: { missed_runs: false }`".to_owned();
    }
    fix.to_owned()
}
