//! What a spec error says: where (file, line, column, spec path), what is
//! wrong, and how to fix it.

use std::fmt;

/// A place in a spec file: `cloud-cron.yaml:12:5 (stacks.Jobs.tasks.NightlySync)`.
///
/// ```
/// use cloud_cron_spec::SpecLocation;
/// let at = SpecLocation {
///     file: "cloud-cron.yaml".into(),
///     line: 12,
///     column: 5,
///     path: "stacks.Jobs.tasks.NightlySync".into(),
/// };
/// assert_eq!(at.to_string(), "cloud-cron.yaml:12:5 (stacks.Jobs.tasks.NightlySync)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecLocation {
    /// The file name as given to [`load`](crate::load) or [`load_str`](crate::load_str).
    pub file: String,
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
    /// The spec path, keys joined by `.` (`stacks.Jobs.tasks.NightlySync.schedule`);
    /// empty for the document itself.
    pub path: String,
}

impl fmt::Display for SpecLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, " ({})", self.path)?;
        }
        Ok(())
    }
}

/// How bad a [`SpecError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SpecSeverity {
    /// The spec cannot be used.
    Error,
    /// A synth warning: templates are written anyway.
    Warning,
}

/// One problem in a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// Error or (for synth findings) warning.
    pub severity: SpecSeverity,
    /// Where in the spec: `None` only when the file could not be read.
    pub location: Option<SpecLocation>,
    /// The construct path in the built app (`Jobs/NightlySync`), for
    /// problems found by synth.
    pub construct_path: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, where there is a fix to suggest.
    pub fix: Option<String>,
}

impl SpecError {
    /// An error at `location`.
    pub fn new(location: Option<SpecLocation>, message: impl Into<String>) -> SpecError {
        SpecError {
            severity: SpecSeverity::Error,
            location,
            construct_path: None,
            message: message.into(),
            fix: None,
        }
    }

    /// The same error with a fix.
    pub fn with_fix(mut self, fix: impl Into<String>) -> SpecError {
        self.fix = Some(fix.into());
        self
    }

    /// The spec path of the error, if it has a location.
    pub fn path(&self) -> Option<&str> {
        self.location.as_ref().map(|l| l.path.as_str())
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            SpecSeverity::Error => "error",
            SpecSeverity::Warning => "warning",
        };
        match &self.location {
            Some(at) => write!(f, "{at}: {level}: {}", self.message)?,
            None => write!(f, "{level}: {}", self.message)?,
        }
        if let Some(path) = &self.construct_path {
            write!(f, "\n  construct: {path}")?;
        }
        if let Some(fix) = &self.fix {
            write!(f, "\n  fix: {fix}")?;
        }
        Ok(())
    }
}

/// Every problem found in a spec, errors first; displayed one block per
/// problem, separated by blank lines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecErrors {
    /// The problems, in the order they were found (errors before warnings).
    pub errors: Vec<SpecError>,
}

impl SpecErrors {
    /// One problem.
    pub fn one(error: SpecError) -> SpecErrors {
        SpecErrors {
            errors: vec![error],
        }
    }

    /// How many problems are errors (not warnings).
    pub fn error_count(&self) -> usize {
        self.errors
            .iter()
            .filter(|e| e.severity == SpecSeverity::Error)
            .count()
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}
