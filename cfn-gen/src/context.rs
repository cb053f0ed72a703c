//! What constructs see while they synthesize: the [`SynthContext`] they write
//! with and the [`ScheduleSummary`] they report.
//!
//! Both the construct tree ([`crate::construct`]) and synthesis
//! ([`crate::synth`]) use these types, so they live here, below both: the
//! tree never imports the synthesis module.

use std::path::{Path, PathBuf};

use crate::schedule::{Schedule, ScheduleError};

/// A schedule in a synthesized stack, for summaries.
#[derive(Debug, Clone)]
pub struct ScheduleSummary {
    /// The construct path.
    pub path: String,
    /// The schedule.
    pub schedule: Schedule,
}

impl ScheduleSummary {
    /// The next `n` fire times after `after`, in the schedule's time zone.
    pub fn next_fire_times(
        &self,
        after: chrono::DateTime<chrono::Utc>,
        n: usize,
    ) -> Result<Vec<chrono::DateTime<crate::schedule::Tz>>, ScheduleError> {
        Ok(self.schedule.validate()?.next_fire_times(after, n))
    }
}

/// What constructs know while they write their resources.
#[derive(Debug, Clone)]
pub struct SynthContext {
    template_dir: PathBuf,
}

impl Default for SynthContext {
    fn default() -> Self {
        SynthContext::new(Path::new("out"))
    }
}

impl SynthContext {
    /// A context for templates written to `template_dir`.
    pub fn new(template_dir: &Path) -> SynthContext {
        SynthContext {
            template_dir: crate::paths::absolute(template_dir),
        }
    }

    /// `path` relative to the template file's directory, as `sam build` reads it.
    pub fn template_relative(&self, path: &Path) -> String {
        crate::paths::relative(&self.template_dir, path)
    }
}
