//! Bad input caught at synth, one module per class: every error names the construct
//! path, says what is wrong, and its fix, applied, validates.

mod exports;
mod filter_policy;
mod follow_on;
mod ids;
mod image_uris;
mod jobs;
mod never_fires;
mod physical_names;
mod quotas;
mod secrets;
mod time_zones;

use cfn_gen::{App, Problem, Schedule, ScheduledLambda, Stack, TimeUnit};

/// A pinned private ECR image.
pub const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

/// Every problem of a synth: errors, or warnings when it succeeded.
pub fn problems(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(s) => s.warnings,
        Err(e) => e.problems,
    }
}

/// The problems whose message contains `needle`.
pub fn with(app: &App, needle: &str) -> Vec<Problem> {
    problems(app)
        .into_iter()
        .filter(|p| p.message.contains(needle))
        .collect()
}

/// An app with one stack `Jobs`.
pub fn app_with(f: impl FnOnce(&Stack)) -> App {
    let app = App::new();
    let stack = Stack::new(&app, "Jobs");
    f(&stack);
    app
}

/// A valid hourly job.
pub fn job(stack: &Stack, id: &str) -> ScheduledLambda {
    ScheduledLambda::new(stack, id)
        .image(IMAGE)
        .schedule(Schedule::rate(1, TimeUnit::Hours))
}

/// The text between the first pair of `"` in a fix.
pub fn quoted(fix: &str) -> String {
    fix.split('"')
        .nth(1)
        .unwrap_or_else(|| panic!("no quoted value in {fix}"))
        .to_string()
}
