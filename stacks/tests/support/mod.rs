//! Running the external tools the ignored tests need (paths exported by
//! `scripts/test`), with failure messages that say what to do.

#![allow(dead_code)] // each test binary uses a different part

pub mod sam;
pub mod validators;

use std::process::{Command, Output};

/// The path in `var`; panics saying `how` to get it.
pub fn tool(var: &str, how: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| panic!("{var} is not set: {how}"))
}

/// Run `cmd` to completion; panics naming the command if it cannot start.
pub fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    cmd.output()
        .unwrap_or_else(|e| panic!("could not run {shown}: {e}"))
}

/// Command output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
