//! The exit statuses every subcommand shares, the same as synth's: 0 success,
//! 1 validation errors (or drift with `--check`), 2 usage errors.

use std::process::ExitCode;

/// How a subcommand ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked (warnings allowed).
    Success,
    /// The input is invalid, or (with `--check`) templates are out of date.
    Invalid,
    /// The command line is wrong: an unknown option, a missing file.
    Usage,
    /// Another program's exit status, passed through (`cargo run --bin synth`).
    Passed(u8),
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        match exit {
            Exit::Success => ExitCode::SUCCESS,
            Exit::Invalid => ExitCode::from(1),
            Exit::Usage => ExitCode::from(2),
            Exit::Passed(code) => ExitCode::from(code),
        }
    }
}
