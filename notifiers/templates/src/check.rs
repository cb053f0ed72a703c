//! [`check`]: what synth verifies in a template before it ships, using the
//! notifier's own [`environment`] and [`context`](crate::context) so the
//! check and the notifier agree.
//!
//! Variables come from minijinja itself ([`minijinja::Template::undeclared_variables`]),
//! which knows what `set`, `for` and `macro` bind. minijinja does not say
//! where a variable is used, so the line is found by asking it again: each
//! occurrence of the name is renamed in turn, from the last one back, and the
//! occurrence whose renaming leaves the name declared is its first use from
//! the context. No template syntax is parsed here by hand.

use std::collections::HashSet;

use cloud_cron_contract::notifier::TemplatePart;
use minijinja::{Environment, ErrorKind, UndefinedBehavior};

use crate::context::MessageKind;
use crate::environment::{environment, template_name};

/// A variable a template uses that the notifier's context does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVariable {
    /// The name as written (`user` in `{{ user.name }}`).
    pub name: String,
    /// The line of its first use, from 1, when found.
    pub line: Option<usize>,
}

/// Why a template would fail in the notifier. `Display` says what is wrong
/// (without the part, which the caller names); [`CheckError::fix`] says how
/// to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The template does not compile.
    #[error("does not compile: {detail}")]
    Syntax {
        /// The line, from 1, when known.
        line: Option<usize>,
        /// minijinja's description.
        detail: String,
    },
    /// The template uses variables outside the context.
    #[error("{}", describe_unknown(.variables))]
    UnknownVariables {
        /// The kind of message the template is for (whose variables it may use).
        kind: MessageKind,
        /// The variables, in order of first use.
        variables: Vec<UnknownVariable>,
    },
    /// The template uses a filter, test or function the notifier does not have.
    #[error("uses something the notifier does not have: {detail}")]
    Unsupported {
        /// The line, from 1, when known.
        line: Option<usize>,
        /// minijinja's description.
        detail: String,
    },
    /// A filter or function is called with the wrong arguments.
    #[error("calls a filter or function with the wrong arguments: {detail}")]
    WrongArguments {
        /// The line, from 1, when known.
        line: Option<usize>,
        /// minijinja's description.
        detail: String,
    },
}

impl CheckError {
    /// The line the problem is on, from 1, when there is one line
    /// ([`CheckError::UnknownVariables`] gives a line per variable instead).
    pub fn line(&self) -> Option<usize> {
        match self {
            CheckError::Syntax { line, .. }
            | CheckError::Unsupported { line, .. }
            | CheckError::WrongArguments { line, .. } => *line,
            CheckError::UnknownVariables { .. } => None,
        }
    }

    /// How to fix it.
    pub fn fix(&self) -> String {
        match self {
            CheckError::Syntax { .. } => "fix the Jinja2 syntax there (minijinja renders it; see https://docs.rs/minijinja/latest/minijinja/syntax/)".to_owned(),
            CheckError::UnknownVariables {
                kind: MessageKind::Task,
                variables,
            } => {
                let first = variables.first().map_or("field", |v| v.name.as_str());
                format!(
                    "a template can use only {} (and what it binds itself with set, for or macro); a message's own fields are under payload: write `payload.{first}`",
                    MessageKind::Task.variables().join(", ")
                )
            }
            CheckError::UnknownVariables {
                kind: MessageKind::Alarm,
                variables,
            } => {
                let first = variables.first().map_or("field", |v| v.name.as_str());
                format!(
                    "an alarm template can use only {} (and what it binds itself with set, for or macro); the alarm's fields are under alarm: write `alarm.{first}`",
                    MessageKind::Alarm.variables().join(", ")
                )
            }
            CheckError::Unsupported { .. } => "use minijinja's built-in filters and tests or minijinja-contrib's (truncate, striptags, pluralize, filesizeformat); see https://docs.rs/minijinja/latest/minijinja/filters/".to_owned(),
            CheckError::WrongArguments { .. } => "check the filter's signature (e.g. truncate takes keywords: truncate(length=60))".to_owned(),
        }
    }
}

fn describe_unknown(variables: &[UnknownVariable]) -> String {
    let named: Vec<String> = variables
        .iter()
        .map(|v| match v.line {
            Some(line) => format!("`{}` at line {line}", v.name),
            None => format!("`{}`", v.name),
        })
        .collect();
    let (noun, verb) = if named.len() == 1 {
        ("the variable", "is not one the notifier provides")
    } else {
        ("the variables", "are not ones the notifier provides")
    };
    format!("uses {noun} {}, which {verb}", named.join(", "))
}

/// Checks one part's template as the notifier will render it: it compiles,
/// uses only the context's variables (and minijinja's and
/// minijinja-contrib's global functions), and, rendered once with every
/// variable undefined, calls no filter, test or function the notifier lacks.
/// What depends on a message's data is left to run time.
///
/// ```
/// use cloud_cron_contract::notifier::TemplatePart;
/// use cloud_cron_templates::{check, CheckError};
///
/// assert!(check(TemplatePart::Subject, "[{{ task }}] {{ payload.title | truncate(length=60) }}").is_ok());
/// // Variables the template binds itself are fine.
/// assert!(check(TemplatePart::Text, "{% for row in payload.rows %}{{ loop.index }}: {{ row }}\n{% endfor %}").is_ok());
/// let err = check(TemplatePart::Text, "Hello\n{{ user.name }}").unwrap_err();
/// assert_eq!(err.to_string(), "uses the variable `user` at line 2, which is not one the notifier provides");
/// ```
///
/// # Errors
///
/// The first kind of problem found, in the order syntax, variables, filters.
pub fn check(part: TemplatePart, text: &str) -> Result<(), CheckError> {
    check_for(MessageKind::Task, part, text)
}

/// [`check`] for a template of messages of `kind`: an alarm template may use
/// the alarm context's variables ([`MessageKind::variables`]) instead of a
/// task message's.
///
/// ```
/// use cloud_cron_contract::notifier::TemplatePart;
/// use cloud_cron_templates::{check_for, MessageKind};
///
/// assert!(check_for(MessageKind::Alarm, TemplatePart::Subject, "[{{ alarm.state }}] {{ alarm.task }}").is_ok());
/// let err = check_for(MessageKind::Alarm, TemplatePart::Subject, "{{ payload.x }}").unwrap_err();
/// assert!(err.fix().contains("alarm, finding, source"), "{}", err.fix());
/// ```
///
/// # Errors
///
/// As [`check`].
pub fn check_for(kind: MessageKind, part: TemplatePart, text: &str) -> Result<(), CheckError> {
    let env = environment();
    let template = env
        .template_from_named_str(template_name(part), text)
        .map_err(|e| CheckError::Syntax {
            line: e.line(),
            detail: detail(&e),
        })?;
    let unknown = unknown_variables(&env, kind, template.undeclared_variables(false), text);
    if !unknown.is_empty() {
        return Err(CheckError::UnknownVariables {
            kind,
            variables: unknown,
        });
    }
    dry_run(part, text)
}

/// Renders once with every variable undefined (chainable, so `payload.x.y`
/// is no error): minijinja looks filters, tests and functions up at render
/// time, so this finds unknown ones on the paths that run without data.
fn dry_run(part: TemplatePart, text: &str) -> Result<(), CheckError> {
    let mut env = environment();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    let template = env
        .template_from_named_str(template_name(part), text)
        .map_err(|e| CheckError::Syntax {
            line: e.line(),
            detail: detail(&e),
        })?;
    match template.render(()) {
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::UnknownFilter | ErrorKind::UnknownTest | ErrorKind::UnknownFunction
            ) =>
        {
            Err(CheckError::Unsupported {
                line: e.line(),
                detail: detail(&e),
            })
        }
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::TooManyArguments | ErrorKind::MissingArgument
            ) =>
        {
            Err(CheckError::WrongArguments {
                line: e.line(),
                detail: detail(&e),
            })
        }
        // Anything else depends on the message's data, known only at run time.
        _ => Ok(()),
    }
}

/// minijinja's detail, or the error kind when it has none.
fn detail(e: &minijinja::Error) -> String {
    e.detail()
        .map(str::to_owned)
        .unwrap_or_else(|| e.kind().to_string())
}

/// The undeclared names that are neither context variables nor globals,
/// ordered by first use.
fn unknown_variables(
    env: &Environment<'_>,
    kind: MessageKind,
    undeclared: HashSet<String>,
    text: &str,
) -> Vec<UnknownVariable> {
    let globals: HashSet<&str> = env.globals().map(|(name, _)| name).collect();
    let mut unknown: Vec<UnknownVariable> = undeclared
        .into_iter()
        .filter(|name| {
            !kind.variables().contains(&name.as_str()) && !globals.contains(name.as_str())
        })
        .map(|name| UnknownVariable {
            line: first_use(text, &name),
            name,
        })
        .collect();
    unknown.sort_by(|a, b| {
        (a.line.unwrap_or(usize::MAX), &a.name).cmp(&(b.line.unwrap_or(usize::MAX), &b.name))
    });
    unknown
}

/// The undeclared variables of `text`, or `None` when it does not compile.
fn undeclared(text: &str) -> Option<HashSet<String>> {
    let env = environment();
    let template = env.template_from_str(text).ok()?;
    Some(template.undeclared_variables(false))
}

/// The line of the first use of `name` that minijinja counts as undeclared.
///
/// Renaming occurrences from the last one back, the name stays undeclared
/// while any undeclared use of it remains unrenamed; it stops being
/// undeclared exactly when its first undeclared use is renamed. Occurrences
/// that are not variable uses (text, strings, attributes, keyword names)
/// rename harmlessly; a rename that breaks compilation (a block name) is
/// undone.
fn first_use(text: &str, name: &str) -> Option<usize> {
    let mut renamed = text.to_owned();
    for (i, start) in word_positions(text, name).into_iter().enumerate().rev() {
        let probe = format!("cloud_cron_probe_{i}_");
        let end = start + name.len();
        let mut attempt = renamed.clone();
        attempt.replace_range(start..end, &probe);
        let Some(names) = undeclared(&attempt) else {
            continue;
        };
        if !names.contains(name) {
            return Some(text.get(..start)?.matches('\n').count() + 1);
        }
        renamed = attempt;
    }
    None
}

/// Byte offsets where `name` occurs as a whole identifier (ASCII, as
/// minijinja's default identifiers are).
fn word_positions(text: &str, name: &str) -> Vec<usize> {
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = text.as_bytes();
    text.match_indices(name)
        .map(|(start, _)| start)
        .filter(|&start| {
            let end = start + name.len();
            (start == 0 || !is_ident(bytes[start - 1]))
                && bytes.get(end).is_none_or(|&b| !is_ident(b))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::CONTEXT_VARIABLES;

    fn unknown(text: &str) -> Vec<(String, Option<usize>)> {
        match check(TemplatePart::Text, text) {
            Err(CheckError::UnknownVariables { variables, .. }) => {
                variables.into_iter().map(|v| (v.name, v.line)).collect()
            }
            Ok(()) => Vec::new(),
            Err(other) => panic!("{text}: {other}"),
        }
    }

    #[test]
    fn context_variables_and_globals_are_known() {
        assert!(unknown(
            "{{ payload.a }}{{ task }}{{ topic }}{{ id }}{{ scheduled_time }}{{ schedule_arn }}{{ ordinal }}"
        )
        .is_empty());
        assert!(unknown(
            "{% for i in range(3) %}{{ i }}{% endfor %}{{ dict(a=1) }}{{ namespace() }}"
        )
        .is_empty());
        assert!(unknown(
            "{% set c = cycler('a', 'b') %}{{ c.next() }}{% set j = joiner() %}{{ j() }}"
        )
        .is_empty());
    }

    #[test]
    fn variables_the_template_binds_are_not_flagged() {
        for text in [
            "{% set greeting = 'hi' %}{{ greeting }} {{ task }}",
            "{% for row in payload.rows %}{{ loop.index }} {{ row.name }}{% endfor %}",
            "{% for k, v in payload|items %}{{ k }}={{ v }}{% endfor %}",
            "{% macro line(label, value='-') %}{{ label }}: {{ value }}{% endmacro %}{{ line('task', task) }}",
            "{% set ns = namespace(n=0) %}{% for r in payload.rows %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}",
            "{% with total = payload.rows|length %}{{ total }}{% endwith %}",
        ] {
            assert_eq!(unknown(text), Vec::new(), "{text}");
        }
    }

    #[test]
    fn unknown_variables_are_named_with_their_line() {
        assert_eq!(
            unknown("Hi\n\n{{ user.name }}"),
            [("user".to_owned(), Some(3))]
        );
        // Not fooled by the same word in text, strings, attributes or keyword names.
        assert_eq!(
            unknown("user: {{ 'user' }} {{ payload.user }} {{ payload.x | truncate(length=3) }}\n{{ length }}"),
            [("length".to_owned(), Some(2))]
        );
        // A name bound by a loop and also used after it: the free use is the one found.
        assert_eq!(
            unknown("{% for row in payload.rows %}\n{{ row }}\n{% endfor %}\n{{ row }}"),
            [("row".to_owned(), Some(4))]
        );
        // Several, in order of first use.
        assert_eq!(
            unknown("{{ b }}\n{{ a }}\n{{ b }}"),
            [("b".to_owned(), Some(1)), ("a".to_owned(), Some(2))]
        );
        // Loop variables outside their loop.
        assert_eq!(unknown("{{ loop.index }}"), [("loop".to_owned(), Some(1))]);
    }

    #[test]
    fn the_fix_names_every_context_variable_and_the_payload_path() {
        let err = check(TemplatePart::Subject, "{{ level }}").expect_err("unknown");
        let fix = err.fix();
        for name in CONTEXT_VARIABLES {
            assert!(fix.contains(name), "{fix}");
        }
        assert!(fix.contains("`payload.level`"), "{fix}");
        // The fix works: the suggested template passes.
        assert_eq!(check(TemplatePart::Subject, "{{ payload.level }}"), Ok(()));
    }

    #[test]
    fn syntax_filters_and_arguments() {
        let err = check(TemplatePart::Html, "<p>\n{{ payload.text }\n</p>").expect_err("syntax");
        assert!(
            matches!(err, CheckError::Syntax { line: Some(2), .. }),
            "{err:?}"
        );
        let err = check(TemplatePart::Subject, "{{ payload.text | shout }}").expect_err("filter");
        assert!(
            matches!(err, CheckError::Unsupported { line: Some(1), .. }),
            "{err:?}"
        );
        let err =
            check(TemplatePart::Subject, "{{ payload.text | truncate(60) }}").expect_err("args");
        assert!(err.to_string().contains("too many arguments"), "{err}");
        assert_eq!(
            check(TemplatePart::Html, "{{ payload.html | striptags }}"),
            Ok(())
        );
    }

    #[test]
    fn word_positions_are_whole_words() {
        assert_eq!(word_positions("user users _user user", "user"), [0, 17]);
    }
}
