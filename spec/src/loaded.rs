//! A loaded spec: the app it built, where each construct came from, and
//! synth whose findings name the spec location.

use cfn_gen::{App, Problem, Severity, SynthOptions, Synthesis};

use crate::build::locate;
use crate::error::{SpecError, SpecErrors, SpecLocation, SpecSeverity};
use crate::fix::in_spec_terms;
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
            message: in_spec_terms(&problem.message),
            fix: Some(in_spec_terms(&problem.fix)).filter(|f| !f.is_empty()),
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
