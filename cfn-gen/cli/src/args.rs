//! The synth command line's options: parsing them (with lexopt) and the help,
//! version and usage-error texts.
//!
//! Four options do not pay for clap in a newcomer's first `cargo run --bin
//! synth` (clap_builder alone was the third-largest crate of that build), so
//! lexopt, a small maintained argument lexer, splits the arguments and this
//! module writes the texts, in clap's words and layout. A front end that
//! embeds synth's options in its own clap command line (the `cloud-cron`
//! command) turns on this crate's `clap` feature for [`SynthArgs`]' clap
//! `Args` impl instead.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::{OutputFormat, SynthArgs, DEFAULT_OUT_DIR};

/// A command line that does not run synth: help or version (printed to
/// stdout, success) or a usage error (stderr, exit 2). Each holds the text
/// to print, newline-terminated.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    Help(String),
    Version(String),
    Usage(String),
}

const HELP_HINT: &str = "For more information, try '--help'.";
const POSSIBLE_FORMATS: &str = "  [possible values: yaml, json]";

/// Parse `args` (the first is the program name).
pub(crate) fn parse<I, T>(args: I) -> Result<SynthArgs, Stop>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let mut parser = lexopt::Parser::from_iter(args.into_iter().map(Into::into));
    let bin = parser
        .bin_name()
        .and_then(|name| Path::new(name).file_name()?.to_str().map(str::to_owned))
        .unwrap_or_else(|| "synth".to_owned());
    let mut out_dir: Option<PathBuf> = None;
    let mut format: Option<OutputFormat> = None;
    let mut stacks = Vec::new();
    let mut check = false;
    loop {
        let arg = match parser.next() {
            Ok(Some(arg)) => arg,
            Ok(None) => break,
            Err(e) => return Err(lexopt_error(&bin, e)),
        };
        match arg {
            lexopt::Arg::Short('h') => return Err(Stop::Help(short_help(&bin))),
            lexopt::Arg::Short('V') => return Err(Stop::Version(version())),
            lexopt::Arg::Long(flag @ ("help" | "version")) => {
                let flag = format!("--{flag}");
                // `--help=x` is a usage error: lexopt would report the unused
                // value only at the next argument, after help has stopped.
                if let Some(value) = parser.optional_value() {
                    return Err(unexpected_value(&bin, &flag, &value));
                }
                return Err(if flag == "--help" {
                    Stop::Help(long_help(&bin))
                } else {
                    Stop::Version(version())
                });
            }
            lexopt::Arg::Long("out-dir") => {
                const SHOWN: &str = "--out-dir <OUT_DIR>";
                if out_dir.is_some() {
                    return Err(repeated(&bin, SHOWN));
                }
                out_dir = Some(PathBuf::from(value(&mut parser, SHOWN, "", false)?));
            }
            lexopt::Arg::Long("format") => {
                const SHOWN: &str = "--format <FORMAT>";
                if format.is_some() {
                    return Err(repeated(&bin, SHOWN));
                }
                let raw = value(&mut parser, SHOWN, POSSIBLE_FORMATS, false)?;
                format = Some(match raw.to_str() {
                    Some("yaml") => OutputFormat::Yaml,
                    Some("json") => OutputFormat::Json,
                    _ => {
                        return Err(Stop::Usage(format!(
                            "error: invalid value '{}' for '{SHOWN}'\n{POSSIBLE_FORMATS}\n\n{HELP_HINT}\n",
                            raw.to_string_lossy()
                        )))
                    }
                });
            }
            lexopt::Arg::Long("stack") => {
                let raw = value(&mut parser, "--stack <NAME>", "", true)?;
                match raw.into_string() {
                    Ok(name) => stacks.push(name),
                    Err(raw) => return Err(non_unicode(&raw)),
                }
            }
            lexopt::Arg::Long("check") => {
                if check {
                    return Err(repeated(&bin, "--check"));
                }
                check = true;
            }
            lexopt::Arg::Short(c) => return Err(unexpected(&bin, &format!("-{c}"))),
            lexopt::Arg::Long(name) => return Err(unexpected(&bin, &format!("--{name}"))),
            lexopt::Arg::Value(value) => return Err(unexpected(&bin, &value.to_string_lossy())),
        }
    }
    Ok(SynthArgs {
        out_dir: out_dir.unwrap_or_else(|| PathBuf::from(DEFAULT_OUT_DIR)),
        format: format.unwrap_or(OutputFormat::Yaml),
        stacks,
        check,
    })
}

/// The value of the option just read: attached (`--format=json`) or the next
/// argument, unless that looks like an option (clap's rule: `--out-dir
/// --check` is a missing value, not a directory named `--check`). An empty
/// value counts as missing unless `empty_allowed` (clap's path and enum
/// parsers reject it; its string parser, `--stack`'s, takes it).
fn value(
    parser: &mut lexopt::Parser,
    shown: &str,
    possible: &str,
    empty_allowed: bool,
) -> Result<OsString, Stop> {
    let missing = || {
        let possible = if possible.is_empty() {
            String::new()
        } else {
            format!("{possible}\n")
        };
        Stop::Usage(format!(
            "error: a value is required for '{shown}' but none was supplied\n{possible}\n{HELP_HINT}\n"
        ))
    };
    let found = match parser.optional_value() {
        Some(attached) => Some(attached),
        None => match parser.raw_args() {
            Ok(mut raw) => match raw.peek() {
                Some(next) if !looks_like_option(next) => raw.next(),
                _ => None,
            },
            Err(_) => None,
        },
    };
    match found {
        Some(found) if empty_allowed || !found.is_empty() => Ok(found),
        _ => Err(missing()),
    }
}

fn looks_like_option(arg: &std::ffi::OsStr) -> bool {
    let bytes = arg.as_encoded_bytes();
    bytes.len() > 1 && bytes[0] == b'-'
}

fn lexopt_error(bin: &str, error: lexopt::Error) -> Stop {
    match error {
        lexopt::Error::UnexpectedValue { option, value } => unexpected_value(bin, &option, &value),
        lexopt::Error::NonUnicodeValue(value) => non_unicode(&value),
        other => unexpected(bin, &other.to_string()),
    }
}

/// `--check=yes`: a value given to a flag.
fn unexpected_value(bin: &str, option: &str, value: &std::ffi::OsStr) -> Stop {
    Stop::Usage(format!(
        "error: unexpected value '{}' for '{option}' found; no more were expected\n\nUsage: {bin} {option}\n\n{HELP_HINT}\n",
        value.to_string_lossy(),
    ))
}

fn version() -> String {
    format!("synth {}\n", env!("CARGO_PKG_VERSION"))
}

fn unexpected(bin: &str, arg: &str) -> Stop {
    Stop::Usage(format!(
        "error: unexpected argument '{arg}' found\n\n{}",
        usage_footer(bin)
    ))
}

fn repeated(bin: &str, shown: &str) -> Stop {
    Stop::Usage(format!(
        "error: the argument '{shown}' cannot be used multiple times\n\n{}",
        usage_footer(bin)
    ))
}

fn non_unicode(value: &std::ffi::OsStr) -> Stop {
    Stop::Usage(format!(
        "error: invalid UTF-8 was detected in '{}'\n\n{HELP_HINT}\n",
        value.to_string_lossy()
    ))
}

fn usage_footer(bin: &str) -> String {
    format!("Usage: {bin} [OPTIONS]\n\n{HELP_HINT}\n")
}

/// `-h`: one line per option.
fn short_help(bin: &str) -> String {
    format!(
        "Synthesize cloud-cron stacks into AWS SAM templates

Usage: {bin} [OPTIONS]

Options:
      --out-dir <OUT_DIR>  Where to write `<Stack>.template.<yaml|json>` [default: {DEFAULT_OUT_DIR}]
      --format <FORMAT>    Template format [default: yaml] [possible values: yaml, json]
      --stack <NAME>       Only this stack (repeatable)
      --check              Write nothing; exit 1 and show a diff when a file on disk differs from what would be written
  -h, --help               Print help (see more with '--help')
  -V, --version            Print version
"
    )
}

/// `--help`: each option's text under it, the formats described (clap's
/// layout, blank lines inside an option's text indented as clap does).
fn long_help(bin: &str) -> String {
    const INDENT: &str = "          ";
    format!(
        "Synthesize cloud-cron stacks into AWS SAM templates

Usage: {bin} [OPTIONS]

Options:
      --out-dir <OUT_DIR>
          Where to write `<Stack>.template.<yaml|json>`
{INDENT}
          [default: {DEFAULT_OUT_DIR}]

      --format <FORMAT>
          Template format

          Possible values:
          - yaml: YAML (the default)
          - json: JSON
{INDENT}
          [default: yaml]

      --stack <NAME>
          Only this stack (repeatable)

      --check
          Write nothing; exit 1 and show a diff when a file on disk differs from what would be written

  -h, --help
          Print help (see a summary with '-h')

  -V, --version
          Print version
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<SynthArgs, Stop> {
        parse(std::iter::once("synth").chain(args.iter().copied()))
    }

    fn usage(args: &[&str]) -> String {
        match parse_strs(args) {
            Err(Stop::Usage(text)) => text,
            other => panic!("{args:?}: expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_and_every_option() {
        let args = parse_strs(&[]).expect("no options");
        assert_eq!(args.out_dir, PathBuf::from("out"));
        assert_eq!(args.format, OutputFormat::Yaml);
        assert!(args.stacks.is_empty() && !args.check);

        let args = parse_strs(&[
            "--out-dir",
            "o",
            "--format=json",
            "--stack",
            "A",
            "--stack=B",
            "--check",
        ])
        .expect("all options");
        assert_eq!(
            args,
            SynthArgs {
                out_dir: PathBuf::from("o"),
                format: OutputFormat::Json,
                stacks: vec!["A".into(), "B".into()],
                check: true,
            }
        );
    }

    #[test]
    fn help_and_version_stop_before_later_arguments() {
        for flag in ["-h", "--help"] {
            let Err(Stop::Help(text)) = parse_strs(&[flag, "--bogus"]) else {
                panic!("{flag} is help");
            };
            assert!(text.starts_with("Synthesize cloud-cron stacks"), "{text}");
            assert!(text.contains("\nUsage: synth [OPTIONS]\n"), "{text}");
        }
        for flag in ["-V", "--version"] {
            assert_eq!(
                parse_strs(&[flag]),
                Err(Stop::Version(format!(
                    "synth {}\n",
                    env!("CARGO_PKG_VERSION")
                )))
            );
        }
    }

    #[test]
    fn usage_errors_in_clap_words() {
        let footer = "Usage: synth [OPTIONS]\n\nFor more information, try '--help'.\n";
        assert_eq!(
            usage(&["--bogus"]),
            format!("error: unexpected argument '--bogus' found\n\n{footer}")
        );
        assert_eq!(
            usage(&["extra"]),
            format!("error: unexpected argument 'extra' found\n\n{footer}")
        );
        assert_eq!(
            usage(&["--check", "--check"]),
            format!("error: the argument '--check' cannot be used multiple times\n\n{footer}")
        );
        assert_eq!(
            usage(&["--format", "xml"]),
            "error: invalid value 'xml' for '--format <FORMAT>'\n  [possible values: yaml, json]\n\nFor more information, try '--help'.\n"
        );
        assert_eq!(
            usage(&["--format"]),
            "error: a value is required for '--format <FORMAT>' but none was supplied\n  [possible values: yaml, json]\n\nFor more information, try '--help'.\n"
        );
        assert_eq!(
            usage(&["--out-dir", "--check"]),
            "error: a value is required for '--out-dir <OUT_DIR>' but none was supplied\n\nFor more information, try '--help'.\n"
        );
        assert_eq!(
            usage(&["--out-dir="]),
            "error: a value is required for '--out-dir <OUT_DIR>' but none was supplied\n\nFor more information, try '--help'.\n"
        );
        assert_eq!(
            usage(&["--format", ""]),
            "error: a value is required for '--format <FORMAT>' but none was supplied\n  [possible values: yaml, json]\n\nFor more information, try '--help'.\n"
        );
        assert_eq!(
            usage(&["--check=yes"]),
            "error: unexpected value 'yes' for '--check' found; no more were expected\n\nUsage: synth --check\n\nFor more information, try '--help'.\n"
        );
        assert_eq!(
            usage(&["--help=x"]),
            "error: unexpected value 'x' for '--help' found; no more were expected\n\nUsage: synth --help\n\nFor more information, try '--help'.\n"
        );
    }
}
