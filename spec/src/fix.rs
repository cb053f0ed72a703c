//! Synth findings in the spec's terms: cfn-gen words its messages and fixes
//! for Rust (`pass 1 to 10 to .batch_size()`, `.secret(NAME,
//! SecretRef::ssm(..))`); [`in_spec_terms`] rewrites them with the spec key
//! that does the same thing (`batch_size`, `secrets: { NAME: ssm:.. }`).
//!
//! Three steps: whole fixes whose Rust has no one-to-one spec key (creating
//! an operators' topic, VPC endpoints, the functions package) are replaced
//! outright; Rust fragments that are not builder calls (`Topic::fifo`,
//! `WorkQueue::fifo(&stack, ID)`) are replaced by their spec words; then
//! every remaining call `.method(args)` is rendered from [`METHODS`], the
//! table from builder method to spec key, its arguments turned into YAML
//! values (`Duration::from_secs(N)` -> seconds, `SecretRef::ssm("/p")` ->
//! `ssm:/p`, `Schedule::cron("..")` -> `cron(..)`). A hand-written scanner
//! (no regex dependency): the calls are simple and the table is the point.
//!
//! ```
//! use cloud_cron_spec::fix::in_spec_terms;
//! assert_eq!(
//!     in_spec_terms("pass 1 to 10 to .batch_size()"),
//!     "pass 1 to 10 to `batch_size`"
//! );
//! assert_eq!(
//!     in_spec_terms("call .to([\"alice@example.com\"])"),
//!     "set `to: [alice@example.com]`"
//! );
//! assert_eq!(
//!     in_spec_terms(".worker_timeout(Duration::from_secs(120))"),
//!     "`worker_timeout_seconds: 120`"
//! );
//! ```

/// How a builder method is written in the spec.
#[derive(Debug, Clone, Copy)]
pub enum SpecKey {
    /// The key, its value the method's (only) argument.
    Key(&'static str),
    /// A flag: `key: true`.
    Flag(&'static str),
    /// The key takes seconds; the argument is a `Duration`.
    Seconds(&'static str),
    /// The key takes minutes; the argument is a `Duration`.
    Minutes(&'static str),
    /// A rendering of its own (several arguments, nested keys).
    Custom(fn(&[String]) -> String),
    /// Text for a setting a spec does not make (the finding cannot come
    /// from a spec; the wording stays readable all the same).
    Words(&'static str),
}

/// Every builder method a cfn-gen message or fix names, and its spec key.
/// `tests/spec/fixes.rs` walks cfn-gen's sources and checks that no fix
/// keeps Rust syntax once rendered.
pub const METHODS: &[(&str, SpecKey)] = &[
    ("access_log_retention_days", SpecKey::Key("access_log_retention_days")),
    ("account_sid", SpecKey::Key("account_sid")),
    (
        "add_environment",
        SpecKey::Words("`environment` (or a table's `env`)"),
    ),
    ("age_alarm_after", SpecKey::Seconds("age_alarm_after_seconds")),
    ("alarm_description", SpecKey::Words("the alarm's description")),
    ("alarm_template", SpecKey::Custom(alarm_template)),
    ("alarms_to", SpecKey::Custom(|_| "`alarms: { ops_topic: Ops }`".into())),
    ("api_key", SpecKey::Custom(api_key)),
    ("architecture", SpecKey::Custom(architecture)),
    ("auth_token", SpecKey::Key("auth_token")),
    ("backlog_alarm_after", SpecKey::Seconds("backlog_alarm_after_seconds")),
    ("batch_limit", SpecKey::Key("batch_limit")),
    ("batch_size", SpecKey::Key("batch_size")),
    ("batching_window", SpecKey::Seconds("batching_window_seconds")),
    ("bcc", SpecKey::Key("bcc")),
    ("cc", SpecKey::Key("cc")),
    ("channel_id", SpecKey::Key("channel_id")),
    ("configuration_set", SpecKey::Key("configuration_set")),
    ("credentials", SpecKey::Key("credentials")),
    ("credentials_key", SpecKey::Key("credentials_key")),
    ("consumer", SpecKey::Key("consumer")),
    ("content_based_deduplication", SpecKey::Flag("content_based_deduplication")),
    ("cpu_memory", SpecKey::Custom(cpu_memory)),
    ("default_value", SpecKey::Key("default")),
    ("delivery_retries", SpecKey::Words("`delivery_retries: { attempts: .., max_age_seconds: .. }`")),
    ("description", SpecKey::Key("description")),
    ("dockerfile", SpecKey::Words("`dockerfile: { file: .. }`")),
    ("durable_dedup", SpecKey::Flag("durable_dedup")),
    ("duration_alarm", SpecKey::Custom(duration_alarm)),
    ("end_date", SpecKey::Key("end_date")),
    ("env", SpecKey::Key("environment")),
    ("expect_runs", SpecKey::Custom(expect_runs)),
    ("export_arn", SpecKey::Key("export_arn")),
    ("fifo_topic", SpecKey::Key("fifo")),
    ("from", SpecKey::Key("from")),
    ("function", SpecKey::Words("the task")),
    ("function_name", SpecKey::Key("function_name")),
    ("function_retries", SpecKey::Words("`retries: { function: { attempts: .., max_age_seconds: .. } }`")),
    ("grant_manage", SpecKey::Custom(|_| "`managed_by: [ID]` (a function or task id)".into())),
    ("group_name", SpecKey::Key("group_name")),
    ("guardrail_policies", SpecKey::Words("the Chatbot guardrail policies")),
    ("html", SpecKey::Custom(|a| template("html", a))),
    ("iam_tenant", SpecKey::Key("iam_tenant")),
    ("image", SpecKey::Key("image")),
    ("initial_range", SpecKey::Seconds("initial_range_seconds")),
    ("job", SpecKey::Custom(job)),
    ("jwt", SpecKey::Custom(jwt)),
    ("kms_key", SpecKey::Key("kms_key")),
    ("lease", SpecKey::Seconds("lease_seconds")),
    ("max_attempts", SpecKey::Key("max_attempts")),
    ("max_concurrency", SpecKey::Key("max_concurrency")),
    ("max_receive_count", SpecKey::Key("max_receive_count")),
    ("maximum_concurrency", SpecKey::Key("maximum_concurrency")),
    ("memory_mb", SpecKey::Key("memory_mb")),
    ("messaging_service", SpecKey::Key("messaging_service")),
    ("name", SpecKey::Words("the group's name")),
    ("no_missed_run_alarm", SpecKey::Custom(|_| "`alarms: { missed_runs: false }`".into())),
    ("override_property", SpecKey::Words("an override of the property (a Rust stack's `override_property`; the spec does not override properties)")),
    ("parameter", SpecKey::Custom(parameter)),
    ("partition_key", SpecKey::Custom(|a| key_spec("partition_key", a))),
    ("platform", SpecKey::Words("`dockerfile: { platform: .. }`")),
    ("publishes_to", SpecKey::Custom(publishes_to)),
    ("queue_age_alarm", SpecKey::Custom(queue_age_alarm)),
    ("queue_name", SpecKey::Key("queue_name")),
    ("refresh", SpecKey::Key("refresh")),
    ("reply_to", SpecKey::Key("reply_to")),
    ("reserved_concurrency", SpecKey::Key("reserved_concurrency")),
    ("retention", SpecKey::Seconds("retention_seconds")),
    ("route", SpecKey::Custom(route)),
    ("route_tables", SpecKey::Key("route_tables")),
    ("rust_binary", SpecKey::Custom(rust_binary)),
    ("schedule", SpecKey::Key("schedule")),
    ("schedule_delivery_alarms", SpecKey::Custom(schedule_delivery_alarms)),
    ("schedule_group", SpecKey::Words("the schedule group (cloud-cron's own, in a spec)")),
    ("schedule_input_key", SpecKey::Words("the schedule input key (a spec leaves it to cloud-cron)")),
    ("schedule_name", SpecKey::Key("schedule_name")),
    ("schedule_retries", SpecKey::Words("`retries: { schedule: { attempts: .., max_age_seconds: .. } }` (a Fargate job's `schedule_retries`)")),
    ("secret", SpecKey::Custom(secret)),
    ("secret_with_key", SpecKey::Custom(|_| "`secrets: { NAME: { ref: ssm:/PATH, kms_key: KEY-ARN } }`".into())),
    ("serve", SpecKey::Custom(|a| format!("`serves: [{}]`", a.first().map(String::as_str).unwrap_or("ID")))),
    ("service", SpecKey::Custom(|a| format!("`services: [{}]`", a.first().map(String::as_str).unwrap_or("SERVICE")))),
    ("signing_key", SpecKey::Key("signing_key")),
    ("sort_key", SpecKey::Custom(|a| key_spec("sort_key", a))),
    ("source", SpecKey::Custom(source)),
    ("source_image", SpecKey::Key("source_image")),
    ("start_date", SpecKey::Key("start_date")),
    ("stream", SpecKey::Key("stream")),
    ("table_name", SpecKey::Key("table_name")),
    ("tag", SpecKey::Custom(|a| format!("`tags: {{ {}: {} }}`", nth(a, 0, "KEY"), nth(a, 1, "VALUE")))),
    ("tag_construct", SpecKey::Words("`tags` on the stack (a spec tags whole stacks)")),
    ("add_resource_verbatim", SpecKey::Words("a resource of that name (not in the spec: declare it in a Rust stack)")),
    ("target", SpecKey::Words("`dockerfile: { target: .. }`")),
    ("tenant_claim", SpecKey::Key("tenant_claim")),
    ("text", SpecKey::Custom(|a| template("text", a))),
    ("throttle", SpecKey::Custom(throttle)),
    ("throttling", SpecKey::Custom(throttling)),
    ("timeout", SpecKey::Seconds("timeout_seconds")),
    ("to", SpecKey::Key("to")),
    ("topic", SpecKey::Custom(|_| "`ops_topic`".into())),
    ("topic_name", SpecKey::Key("topic_name")),
    ("ttl", SpecKey::Key("ttl")),
    ("url", SpecKey::Key("url")),
    ("value", SpecKey::Words("")),
    ("visibility_timeout", SpecKey::Seconds("visibility_timeout_seconds")),
    ("vpc", SpecKey::Custom(|a| vpc(a, false))),
    ("vpc_behind_nat", SpecKey::Custom(|a| vpc(a, true))),
    ("watchdog", SpecKey::Words("`functions: { watchdog: PATH }`")),
    ("webhook_url", SpecKey::Key("webhook_url")),
    ("whole_index", SpecKey::Flag("whole_index")),
    ("window_limits", SpecKey::Custom(window_limits)),
    ("worker_timeout", SpecKey::Seconds("worker_timeout_seconds")),
    ("workspace_id", SpecKey::Key("workspace_id")),
];

/// Whole fixes replaced outright: `(a fragment that identifies the fix,
/// the fix in spec terms)`.
const WHOLE: &[(&str, &str)] = &[
    (
        "builtin_functions(",
        "name the package that builds cloud-cron's functions at the top of the spec: `functions: { package: PATH }` (relative to the spec; see \"Use cloud-cron in your own repository\" in the README)",
    ),
    (
        "stack.alarms_to(&ops); (or call .no_missed_run_alarm() on those tasks)",
        "route the stack's alarms to an operators' topic: `alarms: { ops_topic: Ops }` under the stack (or set `alarms: { missed_runs: false }` on those tasks)",
    ),
    (
        "stack.alarms_to(&ops)",
        "route the stack's alarms to an operators' topic: `alarms: { ops_topic: Ops, channels: { OpsEmail: { kind: email, from: .., to: [..], subject: .., text: .. } } }` under the stack",
    ),
    (
        "VpcEndpoints::new(",
        "add the endpoints under the stack: `vpc_endpoints: { Endpoints: { vpc_id: VPC-ID, subnets: [SUBNET-ID], route_tables: [RTB-ID], serves: [THIS-ID] } }`; or, if the subnets route through a NAT gateway, set `behind_nat: true` in its `vpc`",
    ),
    (
        "NetworkIds::each(",
        "give that workload its security groups one by one: `security_groups: [{ parameter: NAME }]` with a stack parameter of type AWS::EC2::SecurityGroup::Id",
    ),
    (
        "FargateJob::new(",
        "if a run can take longer than 15 minutes, declare it under `fargate_jobs` instead (`image`, `schedule`, `vpc: { subnets: [..], security_groups: [..] }`): a Fargate job has no time limit",
    ),
    (
        "schedules.grant_manage(",
        "list the function or task that schedules work in the one-off schedules' `managed_by: [ID]`",
    ),
    (
        "WebhookRoute::hmac(",
        "`routes: { /hooks/NAME: { queue: QUEUE, hmac: { header: X-Signature, format: hex }, secrets: [ssm:/app/webhook-secret] } }`",
    ),
    (
        "let the function that schedules work",
        "list the function or task that schedules work in the one-off schedules' `managed_by: [ID]`",
    ),
];

/// Rust fragments that are not builder calls, in the spec's words.
const FRAGMENTS: &[(&str, &str)] = &[
    ("let image = ImageRepublish::new(", "ImageRepublish::new("),
    (
        "copy it into the stack with ImageRepublish::new(",
        "copy it into the stack as ImageRepublish::new(",
    ),
    (
        "; then pass &image to .image()",
        " and run it with `republished_image: Image` in place of `image`",
    ),
    (
        " and pass &image to .image()",
        " and run it with `republished_image: Image` in place of `image`",
    ),
    (
        "give the repository alone and the tag or digest as the second argument of .source()",
        "give the repository alone in `repository` and the tag or digest in `tag_or_digest`",
    ),
    (
        ".topic(&ops), where ops = OpsTopic::new(&stack, \"Ops\")",
        "`alarms: { ops_topic: Ops }` (the Chatbot channels under `alarms` use it)",
    ),
    (
        ".topic(&ops) with ops = OpsTopic::new(&stack, \"Ops\")",
        "`alarms: { ops_topic: Ops }` (the Chatbot channels under `alarms` use it)",
    ),
    ("its own OpsTopic::new(&stack, \"Ops\")", "its own `alarms: { ops_topic: Ops }`"),
    (
        "relative paths resolve against the directory synth runs in; prefer concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/templates/...\")",
        "in a spec, relative paths resolve against the spec file's directory",
    ),
    (
        "e.g. env!(\"CARGO_MANIFEST_DIR\")",
        "e.g. `rust_binary: { package: ../jobs, binary: NAME }` (relative to the spec file)",
    ),
    (
        "Statement::allow([\"s3:GetObject\"], vec![ARN])",
        "`grants: [{ actions: [s3:GetObject], resources: [ARN] }]`",
    ),
    (
        "vec![Value::from(\"arn:aws:s3:::bucket/prefix/*\")]",
        "`resources: [\"arn:aws:s3:::bucket/prefix/*\"]`",
    ),
    ("(Topic::from_arn, QueueRef::from_arn)", "(a topic with `arn:`)"),
    ("(Topic::standard)", "(a topic without `fifo: true`)"),
    (", or None to switch them off", ", or 0 to switch them off"),
    (
        "(an output with an export name, e.g. Topic::export_arn) and read it here with Value::import(\"<export name>\")",
        "(e.g. a topic's `export_arn`) and name it here by ARN (a topic's `arn:`) or import (a network id's `{ import: NAME }`)",
    ),
    ("(Value::Pseudo)", "(AWS::Region, AWS::AccountId, AWS::Partition ..)"),
    ("GlobalIndex::new()", "`global_indexes` entry"),
    (
        "copy it with ImageRepublish and pass &image",
        "copy it under `images` and name it in `republished_image`",
    ),
    ("with ImageRepublish", "under `images` (named by `republished_image`)"),
    (
        "s, or lower .timeout()",
        "s (a notifier's function timeout is cloud-cron's own)",
    ),
    (
        "lower .timeout() or .visibility_timeout()",
        "lower `visibility_timeout_seconds`",
    ),
    ("(lower .timeout)", "(lower `timeout_seconds`)"),
    (
        "import it in {} with Topic::from_arn(&stack, \"ID\", Value::import(\"NAME\"))",
        "name it in the other stack as a topic with `arn:`",
    ),
    (
        "Topic::from_arn(&stack, \"ID\", Value::import(\"NAME\"))",
        "a topic with `arn:`",
    ),
    ("with Topic::fifo", "with `fifo: true`"),
    ("WorkQueue::fifo(&stack, ID)", "`fifo: true`"),
    ("WorkQueue::standard(&stack, ID)", "`fifo: false`"),
    (
        "Function::new(&stack, \"Worker\")",
        "a function under `functions` (`Worker`)",
    ),
    (
        "and pass it to .consumer(&worker)",
        "and name it in `consumer: Worker`",
    ),
    (
        "GlobalIndex::new(..).partition_key(\"userId\", AttributeType::String)",
        "`global_indexes: { NAME: { partition_key: { name: userId, type: string } } }`",
    ),
    (
        "Projection::Include(vec![\"title\".into()])",
        "`projection: include` with `include: [title]`",
    ),
    ("Projection::KeysOnly", "`projection: keys_only`"),
    (
        "StatusAuth::jwt(..).tenant_claim(\"tenant\")",
        "`status_api: { issuer: .., audiences: [..], tenant_claim: tenant }`",
    ),
    ("the ImageRepublish's", "the `images` entry's"),
    ("on the ImageRepublish", "on the `images` entry"),
    (
        "or an ImageRepublish to .image()",
        "to `image`, or an `images` entry to `republished_image`",
    ),
    (
        "copy it with ImageRepublish and pass &image",
        "copy it under `images` and name it in `republished_image`",
    ),
    (
        "and subscribe a channel to ops.topic()",
        "and subscribe a channel to it under `alarms: { channels: .. }`",
    ),
    (" lower .timeout)", " lower `timeout_seconds`)"),
    (
        "; the task reads it with ctx.secret(",
        "; the task reads it with `ctx.secret(` (",
    ),
    (
        "stack.parameter(\"SlackWorkspaceId\", Parameter::string()).value()",
        "{ parameter: SlackWorkspaceId }",
    ),
    (
        "stack.parameter(\"SlackChannelId\", Parameter::string()).value()",
        "{ parameter: SlackChannelId }",
    ),
    (", Parameter::string())", ", { type: String })"),
    (
        "pass e.g. Duration::from_secs(60) to .timeout()",
        "set e.g. `timeout_seconds: 60`",
    ),
    (" (Duration::from_secs(1_209_600))", " (1209600 s)"),
];

/// Rust path calls that stand for a spec value wherever they appear.
const PATH_CALLS: &[&str] = &[
    "SecretRef::ssm(",
    "SecretRef::secrets_manager(",
    "Schedule::cron(",
    "Topic::export_arn(",
    "Parameter::of_type(",
    "Stack::permissions_boundary(",
    "Value::import(",
];

/// Replace each `path(args)` in `text` by its spec value.
fn rewrite_path_calls(text: &str, path: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(path) {
        out.push_str(&rest[..at]);
        let chars: Vec<char> = rest[at..].chars().collect();
        let open = path.chars().count() - 1;
        let Some(close) = matching_paren(&chars, open) else {
            out.push_str(&rest[at..]);
            return out;
        };
        let call: String = chars[..=close].iter().collect();
        let inner: String = chars[open + 1..close].iter().collect();
        let rendered = match path {
            "Topic::export_arn(" => format!("a topic's `export_arn: {}`", unquote(&inner)),
            "Parameter::of_type(" => format!("a parameter with `type: {}`", unquote(&inner)),
            "Stack::permissions_boundary(" => {
                let arn = call_args(&inner, "Value::sub").unwrap_or(inner);
                format!("`permissions_boundary: {}` on the stack", unquote(&arn))
            }
            "Value::import(" => format!("`{{ import: {} }}`", unquote(&inner)),
            _ => value(&call),
        };
        out.push_str(&rendered);
        rest = &rest[at + call.len()..];
    }
    out.push_str(rest);
    out
}

/// `ImageRepublish::new(&stack, "ID")` and the source call chained to it
/// (`.source_image(REF)` or `.source(REPO, TAG)`) as an `images` entry.
fn rewrite_image_republish(text: &str) -> String {
    const NEW: &str = "ImageRepublish::new(";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(NEW) {
        out.push_str(&rest[..at]);
        let chars: Vec<char> = rest[at..].chars().collect();
        let open = NEW.chars().count() - 1;
        let Some(close) = matching_paren(&chars, open) else {
            out.push_str(&rest[at..]);
            return out;
        };
        let inner: String = chars[open + 1..close].iter().collect();
        let id = value(&nth(&split_args(&inner), 1, "\"Image\""));
        let mut end = close + 1;
        let mut entry = "source_image: REPOSITORY:TAG".to_owned();
        for method in [".source_image(", ".source("] {
            let m: Vec<char> = method.chars().collect();
            if !chars[end..].starts_with(&m) {
                continue;
            }
            let open = end + m.len() - 1;
            if let Some(close) = matching_paren(&chars, open) {
                let inner: String = chars[open + 1..close].iter().collect();
                let args: Vec<String> = split_args(&inner).iter().map(|a| value(a)).collect();
                entry = if method == ".source(" {
                    format!(
                        "repository: {}, tag_or_digest: {}",
                        nth(&args, 0, "REPO"),
                        nth(&args, 1, "TAG")
                    )
                } else {
                    format!("source_image: {}", nth(&args, 0, "REPOSITORY:TAG"))
                };
                end = close + 1;
            }
            break;
        }
        out.push_str(&format!("`images: {{ {id}: {{ {entry} }} }}`"));
        let consumed: String = chars[..end].iter().collect();
        rest = &rest[at + consumed.len()..];
    }
    out.push_str(rest);
    out
}

/// `text` (a cfn-gen message or fix) in the spec's terms.
pub fn in_spec_terms(text: &str) -> String {
    if let Some((_, whole)) = WHOLE.iter().find(|(needle, _)| text.contains(needle)) {
        return (*whole).to_owned();
    }
    let mut text = text.to_owned();
    for (rust, spec) in FRAGMENTS {
        text = text.replace(rust, spec);
    }
    for path in PATH_CALLS {
        text = rewrite_path_calls(&text, path);
    }
    let text = rewrite_image_republish(&text);
    let text = rewrite_calls(&text);
    text.replace("call `", "set `")
        .replace(
            "; the task reads it with `ctx.secret(` (",
            "; the task reads it with ctx.secret(",
        )
        .replace(
            "(.url(...) for a webhook channel)",
            "(`url` for a webhook channel)",
        )
}

/// The spec key of a builder method, if [`METHODS`] has it.
pub fn spec_key(method: &str) -> Option<SpecKey> {
    METHODS
        .iter()
        .find(|(m, _)| *m == method)
        .map(|(_, key)| *key)
}

/// Rewrite each `[receiver].method(args)` call that [`METHODS`] knows.
fn rewrite_calls(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some((end, rendered)) = call_at(&chars, i) {
            out.push_str(&rendered);
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// A call starting at `i`: `.name(..)` or `stack.name(..)`, not preceded
/// by an identifier character (so `ctx.secret(` in prose is a receiver
/// the table does not rewrite). Returns the index after it and its rendering.
fn call_at(chars: &[char], i: usize) -> Option<(usize, String)> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    if i > 0 && (ident(chars[i - 1]) || chars[i - 1] == '.') {
        return None;
    }
    let mut j = i;
    for receiver in ["stack", "ops", "schedules", "task"] {
        let r: Vec<char> = receiver.chars().collect();
        if chars[i..].starts_with(&r) && chars.get(i + r.len()) == Some(&'.') {
            j = i + r.len();
            break;
        }
    }
    if chars.get(j) != Some(&'.') {
        return None;
    }
    let start = j + 1;
    let mut k = start;
    while k < chars.len() && ident(chars[k]) {
        k += 1;
    }
    if k == start || chars.get(k) != Some(&'(') {
        return None;
    }
    let method: String = chars[start..k].iter().collect();
    let key = spec_key(&method)?;
    let close = matching_paren(chars, k)?;
    let inner: String = chars[k + 1..close].iter().collect();
    let args: Vec<String> = split_args(&inner).iter().map(|a| value(a)).collect();
    let mut end = close + 1;
    // `.value()` after a parameter: the spec's `{ parameter: NAME }` is the value.
    let tail: String = chars[end..].iter().take(8).collect();
    if method == "parameter" && tail.starts_with(".value()") {
        end += 8;
    }
    Some((end, render(key, &args)))
}

fn matching_paren(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_str = false;
    let mut k = open;
    while k < chars.len() {
        let c = chars[k];
        if in_str {
            if c == '\\' {
                k += 1;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
        } else if c == '(' || c == '[' {
            depth += 1;
        } else if c == ')' || c == ']' {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(k);
            }
        }
        k += 1;
    }
    None
}

/// Top-level comma-separated arguments, trimmed; none for `()`.
fn split_args(inner: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut depth = 0i32;
    let mut in_str = false;
    let mut current = String::new();
    let mut escaped = false;
    for c in inner.chars() {
        if in_str {
            current.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        args.push(current.trim().to_owned());
    }
    args
}

/// A Rust argument as a YAML value.
fn value(arg: &str) -> String {
    let arg = arg.trim();
    if let Some(rest) = arg.strip_prefix('&') {
        return value(rest);
    }
    if let Some(inner) = call_args(arg, "Some") {
        return value(&inner);
    }
    if arg == "None" {
        return "0".into();
    }
    if let Some(inner) = call_args(arg, "Duration::from_secs") {
        return seconds(&inner);
    }
    if let Some(inner) = call_args(arg, "SecretRef::ssm") {
        return format!("ssm:{}", unquote(&inner).trim_start_matches("ssm:"));
    }
    if let Some(inner) = call_args(arg, "SecretRef::secrets_manager") {
        return format!("secretsmanager:{}", unquote(&inner));
    }
    if arg == "SecretRef" {
        return "ssm:/PATH".into();
    }
    if let Some(inner) = call_args(arg, "MessageTemplate::file") {
        return format!("{{ file: {} }}", unquote(&inner));
    }
    if let Some(inner) = call_args(arg, "Schedule::cron") {
        return format!("cron({})", unquote(&inner));
    }
    if let Some(inner) = call_args(arg, "Schedule::rate") {
        let a = split_args(&inner);
        let unit = a
            .get(1)
            .map(|u| u.trim_start_matches("TimeUnit::").to_lowercase());
        return format!(
            "rate({} {})",
            nth(&a, 0, "N"),
            unit.unwrap_or_else(|| "minutes".into())
        );
    }
    if let Some(inner) = call_args(arg, "RustBinary::new") {
        let a = split_args(&inner);
        return format!(
            "{{ package: {}, binary: {} }}",
            value(&nth(&a, 0, "DIR")),
            value(&nth(&a, 1, "NAME"))
        );
    }
    if arg == "env!(\"CARGO_MANIFEST_DIR\")" || arg == "DIR" {
        return "PACKAGE-DIR".into();
    }
    if let Some(v) = arg.strip_prefix("EndpointService::") {
        return v.to_lowercase();
    }
    for (prefix, _) in [
        ("AttributeType::", ()),
        ("StreamView::", ()),
        ("EndpointService::", ()),
        ("Architecture::", ()),
    ] {
        if let Some(v) = arg.strip_prefix(prefix) {
            return snake(v);
        }
    }
    if arg.starts_with('[') && arg.ends_with(']') {
        let items: Vec<String> = split_args(&arg[1..arg.len() - 1])
            .iter()
            .map(|a| value(a))
            .collect();
        return format!("[{}]", items.join(", "));
    }
    // A timestamp stays quoted: YAML would read it as a date.
    if arg.starts_with('"')
        && arg[1..].starts_with(|c: char| c.is_ascii_digit())
        && arg.contains('T')
    {
        return arg.to_owned();
    }
    unquote(arg)
}

/// `NAME(inner)` -> `inner`.
fn call_args(arg: &str, name: &str) -> Option<String> {
    let rest = arg.strip_prefix(name)?.strip_prefix('(')?;
    rest.strip_suffix(')').map(str::to_owned)
}

/// `"text"` -> `text` (and `"a" or "b"` -> `a or b`).
fn unquote(arg: &str) -> String {
    arg.replace("\\\"", "\u{0}")
        .replace('"', "")
        .replace('\u{0}', "\"")
}

/// Seconds from `N`, `N * M` or `1_209_600`.
fn seconds(expr: &str) -> String {
    let product = expr
        .split('*')
        .map(|p| p.trim().replace('_', "").parse::<u64>().ok())
        .try_fold(1u64, |acc, n| n.and_then(|n| acc.checked_mul(n)));
    match product {
        Some(n) => n.to_string(),
        None => expr.trim().to_owned(),
    }
}

fn snake(camel: &str) -> String {
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            if previous.is_some_and(|p| p != '_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
        previous = Some(c);
    }
    out
}

/// Argument `i`, or `default` where the call has fewer.
fn nth(args: &[String], i: usize, default: &str) -> String {
    args.get(i).cloned().unwrap_or_else(|| default.to_owned())
}

/// Whether the arguments say nothing (`()`, `(..)`, `(n)`): render the key alone.
fn no_value(args: &[String]) -> bool {
    args.is_empty() || args.iter().all(|a| a == ".." || a == "..." || a == "n")
}

fn render(key: SpecKey, args: &[String]) -> String {
    match key {
        SpecKey::Key(k) | SpecKey::Seconds(k) if no_value(args) => format!("`{k}`"),
        SpecKey::Key(k) | SpecKey::Seconds(k) => format!("`{k}: {}`", args.join(", ")),
        SpecKey::Minutes(k) if no_value(args) => format!("`{k}`"),
        SpecKey::Minutes(k) => format!("`{k}: {}`", minutes(&args[0])),
        SpecKey::Flag(k) => format!("`{k}: true`"),
        SpecKey::Custom(f) => f(args),
        SpecKey::Words(w) => w.to_owned(),
    }
}

fn minutes(secs: &str) -> String {
    match secs.parse::<u64>() {
        Ok(n) => (n / 60).to_string(),
        Err(_) => secs.to_owned(),
    }
}

fn alarm_template(a: &[String]) -> String {
    format!(
        "`alarm_templates: {{ {}: {} }}`",
        nth(a, 0, "PART").to_lowercase(),
        nth(a, 1, "..")
    )
}

fn api_key(a: &[String]) -> String {
    if no_value(a) {
        return "`api_key: { sid: SK.., secret: ssm:/.. }`".into();
    }
    format!(
        "`api_key: {{ sid: {}, secret: {} }}`",
        nth(a, 0, "SK.."),
        nth(a, 1, "ssm:/..")
    )
}

fn architecture(a: &[String]) -> String {
    if no_value(a) {
        return "`architecture`".into();
    }
    format!("`architecture: {}`", a[0].to_lowercase())
}

fn cpu_memory(a: &[String]) -> String {
    if no_value(a) || a.len() < 2 {
        return "`cpu` and `memory_mib`".into();
    }
    format!("`cpu: {}` and `memory_mib: {}`", a[0], a[1])
}

fn duration_alarm(a: &[String]) -> String {
    match a.first().map(String::as_str) {
        Some("0") => "`duration_percent: 0`".into(),
        Some(p) if !no_value(a) => format!("`duration_percent: {p}`"),
        _ => "`duration_percent`".into(),
    }
}

fn expect_runs(a: &[String]) -> String {
    match a.first() {
        Some(s) if !no_value(a) => {
            format!("`alarms: {{ missed_run_grace_minutes: {} }}`", minutes(s))
        }
        _ => "`alarms: { missed_run_grace_minutes: N }`".into(),
    }
}

fn queue_age_alarm(a: &[String]) -> String {
    match a.first().map(String::as_str) {
        Some("0") => "`queue_age_alarm_minutes: 0`".into(),
        Some(s) if !no_value(a) => format!("`queue_age_alarm_minutes: {}`", minutes(s)),
        _ => "`queue_age_alarm_minutes`".into(),
    }
}

fn schedule_delivery_alarms(a: &[String]) -> String {
    format!(
        "`schedule_delivery_alarm_threshold: {}` on the stack",
        nth(a, 0, "N")
    )
}

fn job(a: &[String]) -> String {
    if no_value(a) {
        return "`jobs`".into();
    }
    let schedule = a
        .get(1)
        .filter(|s| *s != "..")
        .cloned()
        .unwrap_or_else(|| "..".into());
    format!(
        "`jobs: {{ {}: {{ schedule: {schedule}, input: .. }} }}`",
        a[0]
    )
}

fn jwt(a: &[String]) -> String {
    if no_value(a) {
        return "`jwt`".into();
    }
    format!(
        "`jwt: {{ issuer: {}, audiences: {} }}`",
        nth(a, 0, "ISSUER"),
        nth(a, 1, "[AUDIENCE]")
    )
}

fn parameter(a: &[String]) -> String {
    format!("`parameters: {{ {}: .. }}`", nth(a, 0, "NAME"))
}

fn key_spec(key: &str, a: &[String]) -> String {
    if no_value(a) {
        return format!("`{key}`");
    }
    format!(
        "`{key}: {{ name: {}, type: {} }}`",
        a[0],
        nth(a, 1, "string")
    )
}

fn publishes_to(a: &[String]) -> String {
    format!("`publishes_to: {{ {}: TOPIC }}`", nth(a, 0, "KEY"))
}

fn route(a: &[String]) -> String {
    if no_value(a) {
        return "`routes`".into();
    }
    format!("`routes: {{ {}: .. }}`", a[0])
}

fn rust_binary(a: &[String]) -> String {
    format!(
        "`rust_binary: {}`",
        nth(a, 0, "{ package: DIR, binary: NAME }")
    )
}

fn secret(a: &[String]) -> String {
    if no_value(a) {
        return "`secrets`".into();
    }
    format!("`secrets: {{ {}: {} }}`", a[0], nth(a, 1, "ssm:/PATH"))
}

fn source(a: &[String]) -> String {
    format!(
        "`repository: {}` and `tag_or_digest: {}` (under `images`)",
        nth(a, 0, "REPO"),
        nth(a, 1, "TAG")
    )
}

fn template(key: &str, a: &[String]) -> String {
    format!("`{key}: {}`", nth(a, 0, ".."))
}

fn throttle(a: &[String]) -> String {
    if no_value(a) {
        return "`throttle: { burst: .., rate_per_second: .. }`".into();
    }
    format!(
        "`throttle: {{ burst: {}, rate_per_second: {} }}`",
        a[0],
        nth(a, 1, "..")
    )
}

fn throttling(a: &[String]) -> String {
    format!(
        "`throttling: {{ burst: {}, rate: {} }}`",
        nth(a, 0, ".."),
        nth(a, 1, "..")
    )
}

fn vpc(a: &[String], behind_nat: bool) -> String {
    let subnets = match a.first().map(String::as_str) {
        None | Some("subnet_ids") | Some("SUBNET_IDS") => "[SUBNET-ID]".to_owned(),
        Some(s) => s.to_owned(),
    };
    let groups = match a.get(1).map(String::as_str) {
        None | Some("security_group_ids") | Some("SECURITY_GROUP_IDS") => "[SG-ID]".to_owned(),
        Some(s) => s.to_owned(),
    };
    let nat = if behind_nat { ", behind_nat: true" } else { "" };
    format!("`vpc: {{ subnets: {subnets}, security_groups: {groups}{nat} }}`")
}

fn window_limits(a: &[String]) -> String {
    format!(
        "`window_limits: {{ min_seconds: {}, max_seconds: {} }}`",
        nth(a, 0, ".."),
        nth(a, 1, "..")
    )
}

#[cfg(test)]
mod tests {
    use super::in_spec_terms;

    #[test]
    fn secrets_and_durations_become_yaml_values() {
        assert_eq!(
            in_spec_terms(
                "store it in SSM and pass it with .secret(NAME, SecretRef::ssm(\"/app/name\"))"
            ),
            "store it in SSM and pass it with `secrets: { NAME: ssm:/app/name }`"
        );
        assert_eq!(
            in_spec_terms(".initial_range(Duration::from_secs(90 * 86400))"),
            "`initial_range_seconds: 7776000`"
        );
        assert_eq!(
            in_spec_terms(".queue_age_alarm(Some(Duration::from_secs(1800))), or .queue_age_alarm(None) to switch it off"),
            "`queue_age_alarm_minutes: 30`, or `queue_age_alarm_minutes: 0` to switch it off"
        );
    }
}
