//! Stand-in for the spec front end until cloud-cron-spec is in the workspace: spec files are refused.
use crate::exit::Exit;
use cloud_cron_cli::SynthArgs;
use std::io::Write;
use std::path::Path;
pub fn synth(
    _: &Path,
    _: &SynthArgs,
    _: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<Exit> {
    writeln!(err, "no spec yet")?;
    Ok(Exit::Usage)
}
pub fn validate(_: &Path, _: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<Exit> {
    writeln!(err, "no spec yet")?;
    Ok(Exit::Usage)
}
pub fn json_schema() -> String {
    "{}\n".to_owned()
}
