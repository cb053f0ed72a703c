//! The minijinja environment every template is compiled in, at synth and in
//! the notifier alike, and the name each template part has in it.

use cloud_cron_contract::notifier::TemplatePart;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

/// The name a part's template has in the environment; the HTML part's name
/// turns on auto-escaping.
pub fn template_name(part: TemplatePart) -> &'static str {
    match part {
        TemplatePart::Subject => "subject",
        TemplatePart::Html => "html",
        TemplatePart::Text => "text",
        TemplatePart::Body => "body",
        TemplatePart::Title => "title",
    }
}

/// A new environment configured as the notifier renders:
///
/// - **strict undefined**: a variable or attribute the message does not have
///   is an error naming it, not an empty string;
/// - **auto-escaping** for the template named [`template_name`]`(Html)` only;
/// - minijinja's built-in filters, tests and functions plus
///   minijinja-contrib's (`truncate`, `striptags`, `pluralize`,
///   `filesizeformat`, `cycler`, `joiner`), and `tojson`;
/// - debug info on, so errors carry spans (read through
///   [`minijinja::Error::range`] to name the failing expression).
///
/// ```
/// use cloud_cron_contract::notifier::TemplatePart;
/// use cloud_cron_templates::{environment, template_name};
///
/// let env = environment();
/// let text = env.template_from_named_str(template_name(TemplatePart::Text), "{{ x }}")?;
/// assert!(text.render(()).is_err(), "undefined is an error");
/// let html = env.template_from_named_str(template_name(TemplatePart::Html), "{{ x }}")?;
/// assert_eq!(html.render(minijinja::context! { x => "<b>" })?, "&lt;b&gt;");
/// # Ok::<(), minijinja::Error>(())
/// ```
pub fn environment<'source>() -> Environment<'source> {
    let mut env = Environment::new();
    minijinja_contrib::add_to_environment(&mut env);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name == template_name(TemplatePart::Html) {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_debug(true);
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_html_part_is_escaped() {
        let env = environment();
        for part in [
            TemplatePart::Subject,
            TemplatePart::Html,
            TemplatePart::Text,
            TemplatePart::Body,
            TemplatePart::Title,
        ] {
            let out = env
                .template_from_named_str(template_name(part), "{{ v }}")
                .and_then(|t| t.render(minijinja::context! { v => "a&b" }))
                .expect("renders");
            let expected = if part == TemplatePart::Html {
                "a&amp;b"
            } else {
                "a&b"
            };
            assert_eq!(out, expected, "{part}");
        }
    }

    #[test]
    fn contrib_filters_are_there_and_undefined_is_strict() {
        let env = environment();
        let out = env
            .render_str("{{ 2 | pluralize }}|{{ '<b>x</b>' | striptags }}", ())
            .expect("contrib filters");
        assert_eq!(out, "s|x");
        let err = env.render_str("{{ nope }}", ()).expect_err("strict");
        assert_eq!(err.kind(), minijinja::ErrorKind::UndefinedError);
    }
}
