//! Whole-template limits of CloudFormation and Lambda, checked before writing.

use std::collections::BTreeMap;

use crate::template::Template;
use crate::validate::Report;

/// Resources in one template, counted after the SAM transform.
pub const MAX_RESOURCES: usize = 500;
/// Warn when a template reaches this many resources (80 % of the limit).
pub const WARN_RESOURCES: usize = MAX_RESOURCES * 4 / 5;
/// A template body passed inline to CloudFormation.
pub const MAX_INLINE_TEMPLATE_BYTES: usize = 51_200;
/// A template read from S3.
pub const MAX_S3_TEMPLATE_BYTES: usize = 1_000_000;
/// Outputs in one template.
pub const MAX_OUTPUTS: usize = 200;
/// Parameters in one template.
pub const MAX_PARAMETERS: usize = 200;
/// A template description.
pub const MAX_DESCRIPTION_BYTES: usize = 1024;
/// Lambda environment variables, names and values together.
pub const MAX_ENVIRONMENT_BYTES: usize = 4096;

/// Check one stack's template and its rendered size in bytes.
pub fn check_template(
    stack: &str,
    template: &Template,
    rendered_bytes: usize,
    report: &mut Report,
) {
    check(stack, template, rendered_bytes, true, report);
}

/// Check a nested stack's template: as [`check_template`], without the
/// warnings (`sam deploy` always uploads nested templates to S3, and a part
/// nearing 500 resources is split at the next synth).
pub fn check_nested_template(
    stack: &str,
    template: &Template,
    rendered_bytes: usize,
    report: &mut Report,
) {
    check(stack, template, rendered_bytes, false, report);
}

fn check(
    stack: &str,
    template: &Template,
    rendered_bytes: usize,
    top_level: bool,
    report: &mut Report,
) {
    let count = template.resource_count_after_transform();
    if count > MAX_RESOURCES {
        report.error(
            stack,
            format!("the template has {count} resources after the SAM transform; CloudFormation allows {MAX_RESOURCES}"),
            "split the constructs across two or more stacks",
        );
    } else if top_level && count >= WARN_RESOURCES {
        report.warning(
            stack,
            format!("the template has {count} resources after the SAM transform, {}% of CloudFormation's limit of {MAX_RESOURCES}", count * 100 / MAX_RESOURCES),
            "plan to split the stack before it reaches the limit",
        );
    }
    if rendered_bytes > MAX_S3_TEMPLATE_BYTES {
        report.error(
            stack,
            format!("the template is {rendered_bytes} bytes; CloudFormation reads at most {MAX_S3_TEMPLATE_BYTES} bytes even from S3"),
            "split the constructs across two or more stacks",
        );
    } else if top_level && rendered_bytes > MAX_INLINE_TEMPLATE_BYTES {
        report.warning(
            stack,
            format!("the template is {rendered_bytes} bytes, over the {MAX_INLINE_TEMPLATE_BYTES} bytes CloudFormation takes inline"),
            "deploy it through S3: `sam deploy --resolve-s3` (or `--s3-bucket NAME`) uploads the template for you",
        );
    }
    if template.outputs.len() > MAX_OUTPUTS {
        report.error(
            stack,
            format!(
                "the template has {} outputs; CloudFormation allows {MAX_OUTPUTS}",
                template.outputs.len()
            ),
            "export fewer values, or split the stack",
        );
    }
    if template.parameters.len() > MAX_PARAMETERS {
        report.error(
            stack,
            format!(
                "the template has {} parameters; CloudFormation allows {MAX_PARAMETERS}",
                template.parameters.len()
            ),
            "pass settings through the builders instead of parameters, or split the stack",
        );
    }
    if let Some(d) = &template.description {
        if d.len() > MAX_DESCRIPTION_BYTES {
            report.error(
                stack,
                format!("the stack description is {} bytes; CloudFormation allows {MAX_DESCRIPTION_BYTES}", d.len()),
                "shorten the description given to Stack::description",
            );
        }
    }
}

/// Check that no export name is used twice across all stacks of the app.
/// `exports` holds (stack name, output id, literal export name).
pub fn check_exports(exports: &[(String, String, String)], report: &mut Report) {
    let mut seen: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for (stack, output, name) in exports {
        match seen.get(name.as_str()) {
            Some((first_stack, first_output)) => report.error(
                &format!("{stack}/{output}"),
                format!("export name `{name}` is already used by {first_stack}/{first_output}; export names are unique per account and region"),
                "give one of the exports another name",
            ),
            None => {
                seen.insert(name, (stack, output));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Output, Resource};
    use crate::validate::Severity;
    use crate::value::Value;

    fn template_with(resources: usize, outputs: usize) -> Template {
        let mut t = Template::default();
        for i in 0..resources {
            t.resources.insert(
                format!("Q{i}"),
                Resource::raw("AWS::SQS::Queue", Value::Map(Default::default())),
            );
        }
        for i in 0..outputs {
            t.outputs
                .insert(format!("O{i}"), Output::new(Value::reference("Q0"), "o"));
        }
        t
    }

    fn problems(t: &Template, bytes: usize) -> Vec<crate::validate::Problem> {
        let mut r = Report::default();
        check_template("S", t, bytes, &mut r);
        r.into_problems()
    }

    #[test]
    fn resource_counts_warn_at_80_percent_and_fail_over_500() {
        assert!(problems(&template_with(399, 0), 10).is_empty());
        let warn = problems(&template_with(400, 0), 10);
        assert_eq!(warn[0].severity, Severity::Warning);
        assert!(
            warn[0].message.contains("400 resources"),
            "{}",
            warn[0].message
        );
        let err = problems(&template_with(501, 0), 10);
        assert_eq!(err[0].severity, Severity::Error);
        assert!(err[0].message.contains("501 resources"));
        assert!(err[0].fix.contains("split"));
    }

    #[test]
    fn sizes_and_outputs_are_bounded() {
        let big = problems(&template_with(1, 0), 60_000);
        assert_eq!(big[0].severity, Severity::Warning);
        assert!(big[0].fix.contains("--resolve-s3"));
        let huge = problems(&template_with(1, 0), 1_200_000);
        assert_eq!(huge[0].severity, Severity::Error);
        let outputs = problems(&template_with(1, 201), 10);
        assert!(outputs[0].message.contains("201 outputs"));
    }

    #[test]
    fn duplicate_exports_name_both_places() {
        let mut r = Report::default();
        check_exports(
            &[
                ("A".into(), "TopicArn".into(), "shared-arn".into()),
                ("B".into(), "Other".into(), "shared-arn".into()),
            ],
            &mut r,
        );
        let p = r.into_problems();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].path, "B/Other");
        assert!(p[0].message.contains("A/TopicArn"));
    }
}
