//! A Fargate job's synth-time checks: image, schedule, size, network,
//! variables and secrets, grants, logs and retries; and the warning about
//! the AWS endpoints its subnets must reach.

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use cloud_cron_contract as contract;
use cloud_cron_contract::ecr::EcrImage;
use cloud_cron_contract::task_secret::secret_env_var;

use super::{sizes, Inner, Props};
use crate::constructs::code::ImageSource;
use crate::constructs::function::{check_grants, is_kms_key_arn, RETENTION_DAYS};
use crate::constructs::image_uri_check::republish_call;
use crate::constructs::network::{services_warning, VpcUser};
use crate::constructs::secret;
use crate::validate::{names, secrets, Report};

impl Inner {
    pub(super) fn check(&self, report: &mut Report) {
        let path = self.node.path();
        let path = path.as_str();
        let statements = self.called_statements();
        let p = self.props.borrow();
        self.check_image(path, &p, report);
        check_schedule(path, &p, report);
        check_size(path, &p, report);
        match &p.vpc {
            None => report.error(
                path,
                "the job has no subnets and security groups: Fargate tasks run in a VPC",
                "call .vpc([\"subnet-0123456789abcdef0\"], [\"sg-0123456789abcdef0\"]) (or pass stack parameters)",
            ),
            Some(placement) => placement.check(path, report),
        }
        services_warning(
            path,
            p.vpc.as_ref(),
            p.served_by.as_deref(),
            &statements,
            "&job",
            report,
        );
        check_variables(path, &p, report);
        check_grants(path, &p.grants, report);
        for (_, topic) in &p.publishes {
            if !self.node.same_stack(topic.node()) {
                report.error(
                    path,
                    format!("publishes to topic {} from another stack", topic.node().path()),
                    format!("export it with .export_arn(\"NAME\") on the topic and import it in {} with Topic::from_arn(&stack, \"ID\", Value::import(\"NAME\"))", self.node.stack_name()),
                );
            }
        }
        if !RETENTION_DAYS.contains(&p.log_retention_days) {
            report.error(
                path,
                format!(
                    "log retention of {} days is not one CloudWatch Logs accepts",
                    p.log_retention_days
                ),
                format!("use one of {RETENTION_DAYS:?}"),
            );
        }
        check_retries(path, &p, report);
        if let Some(d) = &p.description {
            if d.chars().count() > 512 {
                report.error(
                    path,
                    "the description is longer than the Scheduler's 512 characters",
                    "shorten the text given to .description()",
                );
            }
        }
        self.dead_letter.validate(report);
    }

    fn check_image(&self, path: &str, p: &Props, report: &mut Report) {
        let fix = "pass a private ECR image (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG or REPO@sha256:DIGEST) or an ImageRepublish to .image() (let image = ImageRepublish::new(&stack, \"Image\").source_image(\"ghcr.io/ORG/APP:TAG\"))";
        match &p.image {
            None => report.error(path, "the job has no image", fix),
            Some(ImageSource::Uri(uri)) => {
                if let Err(e) = EcrImage::parse(uri) {
                    report.error(
                        path,
                        format!("image `{uri}` is not a private ECR image ({e}); the execution role may pull only from the job's own repository"),
                        republish_call(uri).map_or_else(
                            || fix.to_owned(),
                            |call| format!("copy it into the stack's ECR during deploy: {call}"),
                        ),
                    );
                }
            }
            Some(ImageSource::Build(_)) => report.error(
                path,
                "an ImageBuild is built by `sam build` for Lambda functions only; ECS task definitions are not built",
                "push the image to ECR and pass its URI to .image(), or copy it with ImageRepublish and pass &image",
            ),
            Some(ImageSource::Republished(r)) => {
                if !self.node.same_stack(&r.node) {
                    report.error(
                        path,
                        format!("uses the image republished by {} in another stack", r.node.path()),
                        "republish the image in this stack too (copies of one digest share storage in ECR)",
                    );
                }
                if let Some(a) = r.architecture.filter(|a| *a != p.architecture) {
                    report.error(
                        path,
                        format!("runs on {} but {} copies the {} image", p.architecture.lambda_name(), r.node.path(), a.lambda_name()),
                        "make the job's .architecture() and the ImageRepublish's .architecture() the same",
                    );
                }
            }
        }
    }
}

fn check_schedule(path: &str, p: &Props, report: &mut Report) {
    let Some(schedule) = &p.schedule else {
        report.error(
            path,
            "the job has no schedule",
            "call .schedule(Schedule::cron(\"0 2 L * ? *\")) (or a rate or at schedule)",
        );
        return;
    };
    match schedule.validate() {
        Err(e) => report.error(path, format!("invalid schedule: {}", e.problem()), e.fix()),
        Ok(valid) => {
            let reference = Utc.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).single();
            let gap = reference.and_then(|r| {
                let times = valid.next_fire_times(r, 5);
                times.windows(2).map(|w| (w[1] - w[0]).num_seconds()).min()
            });
            if let Some(gap) = gap.filter(|g| *g < 3600) {
                report.warning(
                    path,
                    format!("runs start every {gap} s; a long job started this often can overlap the previous run, and each run pays Fargate's start-up of about a minute"),
                    "schedule it at most hourly, or use a ScheduledLambda for short frequent work",
                );
            }
        }
    }
}

fn check_size(path: &str, p: &Props, report: &mut Report) {
    if !sizes::is_valid(p.cpu, p.memory_mib) {
        let fix = match sizes::memory_for(p.cpu) {
            Some(range) => format!("with {} CPU units pass {range} to .cpu_memory()", p.cpu),
            None => format!(
                "pass CPU units of {:?} to .cpu_memory(), e.g. .cpu_memory(1024, 2048)",
                sizes::cpus()
            ),
        };
        report.error(
            path,
            format!(
                "{} CPU units with {} MiB is not a size Fargate runs",
                p.cpu, p.memory_mib
            ),
            fix,
        );
    }
}

fn check_variables(path: &str, p: &Props, report: &mut Report) {
    let mut seen = BTreeSet::new();
    for (name, value) in &p.env {
        if let Err(message) = names::ENV_VAR.check(name) {
            report.error(path, message, "rename the variable passed to .env()");
        }
        if !seen.insert(name.clone()) {
            report.error(
                path,
                format!("environment variable {name} is set twice"),
                "set it once",
            );
        }
        if let Some(kind) = secrets::find_secret(name, value) {
            report.error(
                path,
                format!("environment variable {name} holds a value that looks like {kind}; secrets must never be in a template"),
                "store it in SSM Parameter Store (SecureString) or Secrets Manager and pass it with .secret(NAME, SecretRef::ssm(\"/app/name\"))",
            );
        } else if secrets::is_secret_name(name) && !secrets::is_reference(value) {
            report.error(
                path,
                format!("environment variable {name} looks like a secret with a literal value; secrets must never be in a template"),
                "store it in SSM Parameter Store (SecureString) or Secrets Manager and pass it with .secret(NAME, SecretRef::ssm(\"/app/name\"))",
            );
        }
    }
    for (key, _) in &p.publishes {
        match contract::topic_env_var(key) {
            Err(e) => report.error(
                path,
                e.to_string(),
                "use a key of letters, digits, `-` and `_`, e.g. \"alerts\"",
            ),
            Ok(var) => {
                if !seen.insert(var.clone()) {
                    report.error(path, format!("environment variable {var} is set twice"), "give each publishes_to a distinct key, and do not set SNS_TOPIC_ARN_* with .env()");
                }
            }
        }
    }
    for s in &p.secrets {
        if let Err(e) = secret_env_var(&s.name) {
            report.error(
                path,
                e.to_string(),
                "pass a name like \"ODOO_PASSWORD\" to .secret()",
            );
        }
        if !seen.insert(s.name.clone()) {
            report.error(
                path,
                format!(
                    "variable {} is set by .secret() and by .env() or another .secret()",
                    s.name
                ),
                "set each variable once",
            );
        }
        if let Err(message) = secret::check(&s.reference) {
            report.error(
                path,
                format!("secret {}: {message}", s.name),
                "pass SecretRef::ssm(\"/app/parameter-name\") or SecretRef::secrets_manager(\"app/secret-name\")",
            );
        }
        if let Some(key) = s.kms_key_arn.as_deref().filter(|k| !is_kms_key_arn(k)) {
            report.error(
                path,
                format!("secret {}: `{key}` is not a KMS key ARN", s.name),
                "pass the key's ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID; not an alias) to .secret_with_key(), or use .secret() for a secret under an AWS managed key",
            );
        }
    }
}

fn check_retries(path: &str, p: &Props, report: &mut Report) {
    if p.retry_attempts > 185 {
        report.error(
            path,
            format!(
                "{} schedule retry attempts is over the Scheduler's 185",
                p.retry_attempts
            ),
            "pass 0 to 185 to .schedule_retries()",
        );
    }
    let age = p.max_event_age.as_secs();
    if !(60..=86_400).contains(&age) {
        report.error(
            path,
            format!("schedule retry age of {age} s is outside 60 to 86,400 s"),
            "pass 60 s to 24 h to .schedule_retries()",
        );
    }
}
