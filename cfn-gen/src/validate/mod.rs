//! Synth-time validation: problems found over the whole app, reported together.
//!
//! Every [`Problem`] names the construct path, what is wrong and how to fix
//! it. Constructs add their own problems; [`limits`] checks whole templates
//! (sizes, counts, exports) and [`names`] holds the naming rules of the AWS
//! services we emit. Bad input of one kind each: [`filter_policy`] (SNS filter
//! grammar), [`secrets`] (secret-looking literals, never echoed), [`schedules`]
//! (legacy time zones, schedules that never fire), [`quotas`] (account-wide
//! reserved concurrency), [`regions`] (AWS regions, malformed ECR hosts) and
//! [`ids`] (construct ids that break logical ids or IAM descriptions),
//! [`physical_names`] (user-set names two resources would both claim) and
//! [`imports`] (imports of export names no stack of the app defines);
//! [`alarms`] warns about alarms that notify nobody; [`sqs`] holds the queue
//! bounds the queue-owning constructs share.

pub mod address;
pub mod alarms;
pub mod filter_policy;
pub mod ids;
pub mod imports;
pub mod limits;
pub mod names;
pub mod physical_names;
pub mod quotas;
pub mod regions;
pub mod schedules;
pub mod secrets;
pub mod sqs;

use std::fmt;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Synth stops; nothing is written.
    Error,
    /// Written anyway; worth a look.
    Warning,
}

/// One validation finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The construct path, e.g. `CloudCronExample/Report`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{level}: {}: {}\n  fix: {}",
            self.path, self.message, self.fix
        )
    }
}

/// Collects problems while constructs and templates are checked.
#[derive(Debug, Default)]
pub struct Report {
    problems: Vec<Problem>,
}

impl Report {
    /// Record an error at `path`.
    pub fn error(&mut self, path: &str, message: impl Into<String>, fix: impl Into<String>) {
        self.push(Severity::Error, path, message.into(), fix.into());
    }

    /// Record a warning at `path`.
    pub fn warning(&mut self, path: &str, message: impl Into<String>, fix: impl Into<String>) {
        self.push(Severity::Warning, path, message.into(), fix.into());
    }

    fn push(&mut self, severity: Severity, path: &str, message: String, fix: String) {
        let problem = Problem {
            severity,
            path: path.to_owned(),
            message,
            fix,
        };
        if !self.problems.contains(&problem) {
            self.problems.push(problem);
        }
    }

    /// Add problems found elsewhere.
    pub fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        for p in problems {
            self.push(p.severity, &p.path, p.message, p.fix);
        }
    }

    /// The problems so far, in the order found.
    pub fn problems_cloned(&self) -> Vec<Problem> {
        self.problems.clone()
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// Every problem, errors first, each group in the order found.
    pub fn into_problems(mut self) -> Vec<Problem> {
        self.problems.sort_by_key(|p| p.severity);
        self.problems
    }
}
