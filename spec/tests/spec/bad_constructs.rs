//! Bad specs for the construct families beyond topics, tasks and channels
//! (images, tables, functions, work queues, inbound webhooks, one-off
//! schedules and their API, sync pipelines, Fargate jobs, VPC endpoints):
//! invalid values, unknown references, duplicate ids and unknown keys,
//! each error asserting file, line, column, spec path and fix.

use cloud_cron_spec::{load_str, LoadedSpec, SpecError, SpecErrors};

/// A valid spec using every one of those families.
///
/// The built-in functions' packages are this workspace's, relative to the
/// spec crate (where `cargo test` runs).
const BASE: &str = r#"functions:
  image_copier: ../runtime/image-copier
  webhook_receiver: ../runtime/webhook
  scheduler_api: ../runtime/scheduler-api
  watchdog: ../runtime/watchdog
stacks:
  Jobs:
    alarms:
      ops_topic: Ops
    topics:
      Due: {}
    images:
      Vendor:
        repository: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/vendor
        tag_or_digest: v1
    tables:
      Entries: { partition_key: { name: entryId, type: string } }
    functions:
      Worker:
        republished_image: Vendor
        tables:
          Entries: { access: read_write, env: TABLE_NAME }
    work_queues:
      Events:
        fifo: true
        consumer: Worker
    inbound_webhooks:
      Hooks:
        routes:
          /hooks/events:
            queue: Events
            hmac: { header: X-Signature, format: timestamped }
            secrets: [ssm:/app/webhook-secret]
            message_group: { json_pointer: /id }
    one_off_schedules:
      Reminders:
        target: { topic: Due }
        managed_by: [Nightly]
    schedules_apis:
      Api:
        schedules: Reminders
    sync_pipelines:
      Sync:
        image: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/sync:v1
        tenants: [acme]
        streams: [orders]
    fargate_jobs:
      Close:
        image: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/close:v1
        schedule: cron(0 1 1 * ? *)
        vpc:
          subnets: [subnet-0a1b2c3d]
          security_groups: [sg-0a1b2c3d]
    vpc_endpoints:
      Endpoints:
        vpc_id: vpc-0a1b2c3d
        subnets: [subnet-0a1b2c3d]
        route_tables: [rtb-0a1b2c3d]
        serves: [Close]
    tasks:
      Nightly:
        image: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/nightly:v1
        schedule: rate(1 day)
        tables:
          Entries: { access: read, env: ENTRIES_TABLE }
"#;

const STACK: &str = "stacks.Jobs";

/// `BASE` with `from` replaced by `to` (which must occur once).
fn with(from: &str, to: &str) -> String {
    assert_eq!(
        BASE.matches(from).count(),
        1,
        "{from:?} is not once in BASE"
    );
    BASE.replacen(from, to, 1)
}

fn load(yaml: &str) -> Result<LoadedSpec, SpecErrors> {
    load_str("cloud-cron.yaml", yaml)
}

/// The one error loading `yaml` gives.
fn error(yaml: &str) -> SpecError {
    match load(yaml) {
        Ok(_) => panic!("the spec loaded:\n{yaml}"),
        Err(e) => {
            assert_eq!(e.errors.len(), 1, "{e}");
            e.errors[0].clone()
        }
    }
}

/// Line and column (from 1) of the first `needle` on the first line of
/// `yaml` containing `line_text`.
fn where_is(yaml: &str, line_text: &str, needle: &str) -> (usize, usize) {
    let (i, line) = yaml
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(line_text))
        .unwrap_or_else(|| panic!("no line with {line_text:?}"));
    let column = line
        .find(needle)
        .unwrap_or_else(|| panic!("no {needle:?} in {line:?}"));
    (i + 1, column + 1)
}

/// Assert where `e` is (file, line, column, path), what it says and its fix.
#[track_caller]
fn assert_at(e: &SpecError, at: (usize, usize), path: &str, says: &str, fix: &str) {
    let l = e
        .location
        .as_ref()
        .unwrap_or_else(|| panic!("no location: {e}"));
    assert_eq!(l.file, "cloud-cron.yaml", "{e}");
    assert_eq!((l.line, l.column), at, "{e}");
    assert_eq!(l.path, path, "{e}");
    assert!(e.message.contains(says), "message lacks {says:?}:\n{e}");
    let f = e.fix.as_deref().unwrap_or_else(|| panic!("no fix: {e}"));
    assert!(f.contains(fix), "fix lacks {fix:?}:\n{e}");
    assert!(
        e.to_string().starts_with(&format!(
            "cloud-cron.yaml:{}:{} ({path}): error: ",
            at.0, at.1
        )),
        "{e}"
    );
}

#[test]
fn the_base_spec_loads_and_synthesizes() {
    let loaded = load(BASE).unwrap_or_else(|e| panic!("{e}"));
    let out = loaded
        .synth(&Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let text = &out.synthesis.stacks[0].text;
    for resource in [
        "AWS::DynamoDB::Table",
        "AWS::ApiGatewayV2::Api",
        "AWS::Scheduler::ScheduleGroup",
        "AWS::ECS::TaskDefinition",
        "AWS::EC2::VPCEndpoint",
    ] {
        assert!(text.contains(resource), "{resource}");
    }
    let at = loaded.location_of("Jobs/Hooks").expect("located");
    assert_eq!(at.path, "stacks.Jobs.inbound_webhooks.Hooks");
}

// --- images ---------------------------------------------------------------

#[test]
fn unknown_republished_image() {
    let yaml = with("republished_image: Vendor", "republished_image: Vendr");
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "republished_image: Vendr", "republished_image"),
        &format!("{STACK}.functions.Worker.republished_image"),
        "no image `Vendr` in stack Jobs",
        "write `Vendor`",
    );
    // The fix works.
    load(&yaml.replace("Vendr", "Vendor")).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn image_id_taken_by_a_topic() {
    let yaml = with("      Vendor:\n", "      Due:\n")
        .replace("republished_image: Vendor", "republished_image: Due");
    let e = error(&yaml);
    assert_at(
        &e,
        (where_is(&yaml, "    images:", "images").0 + 1, 7),
        &format!("{STACK}.images.Due"),
        "id `Due` is used twice in this stack",
        "give each construct of a stack its own id",
    );
}

#[test]
fn function_with_two_images() {
    let yaml = with(
        "        republished_image: Vendor\n",
        "        republished_image: Vendor\n        image: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/w:v1\n",
    );
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "      Worker:", "Worker"),
        &format!("{STACK}.functions.Worker"),
        "gives more than one of `image`, `republished_image`, `rust_binary` and `dockerfile`",
        "keep exactly one of them",
    );
}

// --- tables and functions -----------------------------------------------

#[test]
fn unknown_table_of_a_task() {
    let yaml = with(
        "Entries: { access: read, env: ENTRIES_TABLE }",
        "Entry: { access: read, env: ENTRIES_TABLE }",
    );
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "Entry: { access: read,", "Entry"),
        &format!("{STACK}.tasks.Nightly.tables.Entry"),
        "no table `Entry` in stack Jobs; its tables are: Entries",
        "write `Entries`",
    );
}

#[test]
fn invalid_table_access() {
    let yaml = with("access: read_write", "access: readwrite");
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "access: readwrite", "readwrite"),
        &format!("{STACK}.functions.Worker.tables.Entries.access"),
        "unknown variant `readwrite`",
        "write `read_write`",
    );
}

#[test]
fn function_without_code() {
    let yaml = with("        republished_image: Vendor\n", "");
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "      Worker:", "Worker"),
        &format!("{STACK}.functions.Worker"),
        "function `Worker` has no code",
        "add `image:",
    );
}

#[test]
fn unknown_key_in_a_table() {
    let yaml = with(
        "Entries: { partition_key: { name: entryId, type: string } }",
        "Entries: { partition_key: { name: entryId, type: string }, sortkey: date }",
    );
    let e = error(&yaml);
    let l = e.location.as_ref().expect("located");
    assert_eq!(l.path, format!("{STACK}.tables.Entries.sortkey"), "{e}");
    assert_eq!(l.line, where_is(&yaml, "sortkey", "sortkey").0, "{e}");
    assert!(e.message.contains("unknown field `sortkey`"), "{e}");
    assert!(
        e.fix
            .as_deref()
            .is_some_and(|f| f.contains("write `sort_key`")),
        "{e}"
    );
}

// --- work queues and inbound webhooks -----------------------------------

#[test]
fn unknown_consumer() {
    let yaml = with("consumer: Worker", "consumer: Wroker");
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "consumer: Wroker", "consumer"),
        &format!("{STACK}.work_queues.Events.consumer"),
        "no function `Wroker` in stack Jobs; its functions are: Worker",
        "write `Worker`",
    );
}

#[test]
fn consumer_declared_further_down() {
    // Work queues before functions: the consumer does not exist yet.
    let queues = "    work_queues:\n      Events:\n        fifo: true\n        consumer: Worker\n";
    let yaml = BASE.replacen(queues, "", 1).replacen(
        "    functions:\n",
        &format!("{queues}    functions:\n"),
        1,
    );
    let e = load(&yaml).err().expect("error");
    let e = &e.errors[0];
    assert_at(
        e,
        where_is(&yaml, "consumer: Worker", "consumer"),
        &format!("{STACK}.work_queues.Events.consumer"),
        "function `Worker` is declared further down",
        "move `functions:` (or `Worker`) above this key",
    );
}

#[test]
fn webhook_route_to_an_unknown_queue() {
    let yaml = with("queue: Events", "queue: Event");
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "queue: Event", "queue"),
        &format!("{STACK}.inbound_webhooks.Hooks.routes./hooks/events.queue"),
        "no work queue `Event` in stack Jobs; its work_queues are: Events",
        "write `Events`",
    );
}

#[test]
fn webhook_route_with_two_verifiers() {
    let yaml = with(
        "            secrets: [ssm:/app/webhook-secret]\n",
        "            token_header: X-Token\n            secrets: [ssm:/app/webhook-secret]\n",
    );
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "/hooks/events:", "/hooks"),
        &format!("{STACK}.inbound_webhooks.Hooks.routes./hooks/events"),
        "exactly one of `hmac` and `token_header`",
        "token_header: X-Webhook-Token",
    );
}

#[test]
fn webhook_secret_in_plain_text() {
    let yaml = with("secrets: [ssm:/app/webhook-secret]", "secrets: [hunter2]");
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "secrets: [hunter2]", "hunter2"),
        &format!("{STACK}.inbound_webhooks.Hooks.routes./hooks/events.secrets[0]"),
        "secret reference",
        "ssm:/PARAMETER/NAME",
    );
    assert!(!e.to_string().contains("hunter2") || e.message.contains("`hunter2`"));
}

#[test]
fn message_group_from_two_places() {
    let yaml = with(
        "{ json_pointer: /id }",
        "{ json_pointer: /id, header: X-Group }",
    );
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "message_group:", "message_group"),
        &format!("{STACK}.inbound_webhooks.Hooks.routes./hooks/events.message_group"),
        "exactly one of `header`, `json_pointer` and `path: true`",
        "{ json_pointer: /id }",
    );
}

// --- one-off schedules and their API ------------------------------------

#[test]
fn one_off_target_unknown_topic() {
    let yaml = with("target: { topic: Due }", "target: { topic: Dew }");
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "target: { topic: Dew }", "topic"),
        &format!("{STACK}.one_off_schedules.Reminders.target.topic"),
        "no topic `Dew` in stack Jobs; its topics are: Ops, Due",
        "declare it under `topics:` of this stack",
    );
}

#[test]
fn one_off_target_both_topic_and_task() {
    let yaml = with(
        "target: { topic: Due }",
        "target: { topic: Due, task: Nightly }",
    );
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "target: {", "target"),
        &format!("{STACK}.one_off_schedules.Reminders.target"),
        "exactly one of `target.topic`, `target.task` and `target.queue`",
        "target: { topic: TOPIC-ID }",
    );
}

#[test]
fn one_off_managed_by_unknown_task() {
    let yaml = with("managed_by: [Nightly]", "managed_by: [Nighty]");
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "managed_by: [Nighty]", "Nighty"),
        &format!("{STACK}.one_off_schedules.Reminders.managed_by[0]"),
        "no task `Nighty` in stack Jobs; its tasks are: Nightly",
        "write `Nightly`",
    );
}

#[test]
fn schedules_api_over_unknown_schedules() {
    let yaml = with("schedules: Reminders", "schedules: Reminder");
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "schedules: Reminder", "schedules"),
        &format!("{STACK}.schedules_apis.Api.schedules"),
        "no one-off schedules `Reminder` in stack Jobs; its one_off_schedules are: Reminders",
        "write `Reminders`",
    );
}

#[test]
fn schedules_api_throttle_wrong_type() {
    let yaml = with(
        "schedules: Reminders",
        "schedules: Reminders\n        throttle: { burst: many, rate_per_second: 1.0 }",
    );
    let e = error(&yaml);
    let l = e.location.as_ref().expect("located");
    assert_eq!(
        l.path,
        format!("{STACK}.schedules_apis.Api.throttle.burst"),
        "{e}"
    );
    assert_eq!(
        (l.line, l.column),
        where_is(&yaml, "burst: many", "many"),
        "{e}"
    );
    assert!(e.message.contains("invalid type"), "{e}");
    assert!(e.fix.as_deref().is_some_and(|f| f.contains("u32")), "{e}");
}

#[test]
fn schedules_api_synth_finding_names_its_spec_key() {
    // The tenant claim means nothing with IAM authorization: cfn-gen's synth
    // check reports it, located at the API in the spec.
    let yaml = with(
        "schedules: Reminders",
        "schedules: Reminders\n        jwt: { issuer: \"http://insecure.example.com\", audiences: [app] }",
    );
    let loaded = load(&yaml).unwrap_or_else(|e| panic!("{e}"));
    let Err(errors) = loaded.synth(&Default::default()) else {
        panic!("synth finds the issuer");
    };
    let e = errors
        .errors
        .iter()
        .find(|e| e.construct_path.as_deref() == Some("Jobs/Api"))
        .unwrap_or_else(|| panic!("{errors}"));
    let l = e.location.as_ref().expect("located");
    assert_eq!(l.path, format!("{STACK}.schedules_apis.Api"), "{e}");
    assert_eq!(
        (l.line, l.column),
        where_is(&yaml, "      Api:", "Api"),
        "{e}"
    );
    assert!(e.fix.is_some(), "{e}");
}

// --- sync pipelines -----------------------------------------------------

#[test]
fn sync_pipeline_invalid_schedule() {
    let yaml = with(
        "        streams: [orders]\n",
        "        streams: [orders]\n        schedule: rate(5 minute)\n",
    );
    let e = error(&yaml);
    let l = e.location.as_ref().expect("located");
    assert_eq!(
        l.path,
        format!("{STACK}.sync_pipelines.Sync.schedule"),
        "{e}"
    );
    assert_eq!(
        (l.line, l.column),
        where_is(&yaml, "schedule: rate(5 minute)", "schedule"),
        "{e}"
    );
    assert!(e.message.contains("rate(5 minute)"), "{e}");
    assert!(
        e.fix
            .as_deref()
            .is_some_and(|f| f.contains("rate(5 minutes)")),
        "{e}"
    );
}

#[test]
fn sync_pipeline_without_code() {
    let yaml = with(
        "        image: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/sync:v1\n",
        "",
    );
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "      Sync:", "Sync"),
        &format!("{STACK}.sync_pipelines.Sync"),
        "sync pipeline `Sync` has no code",
        "rust_binary: { package: PATH, binary: NAME }",
    );
}

#[test]
fn sync_pipeline_unknown_key() {
    let yaml = with("tenants: [acme]", "tenant: [acme]");
    let e = error(&yaml);
    let l = e.location.as_ref().expect("located");
    assert_eq!(l.path, format!("{STACK}.sync_pipelines.Sync.tenant"), "{e}");
    assert_eq!(l.line, where_is(&yaml, "tenant: [acme]", "tenant").0, "{e}");
    assert!(
        e.fix
            .as_deref()
            .is_some_and(|f| f.contains("write `tenants`")),
        "{e}"
    );
}

#[test]
fn sync_pipeline_synth_finding_names_its_spec_key() {
    let yaml = with(
        "streams: [orders]",
        "streams: [orders]\n        max_concurrency: 1",
    );
    let loaded = load(&yaml).unwrap_or_else(|e| panic!("{e}"));
    let Err(errors) = loaded.synth(&Default::default()) else {
        panic!("synth rejects 1");
    };
    let e = errors
        .errors
        .iter()
        .find(|e| {
            e.construct_path
                .as_deref()
                .is_some_and(|p| p.starts_with("Jobs/Sync"))
        })
        .unwrap_or_else(|| panic!("{errors}"));
    let l = e.location.as_ref().expect("located");
    assert_eq!(l.path, format!("{STACK}.sync_pipelines.Sync"), "{e}");
    assert_eq!(
        (l.line, l.column),
        where_is(&yaml, "      Sync:", "Sync"),
        "{e}"
    );
    assert!(e.fix.is_some(), "{e}");
}

// --- Fargate jobs and VPC endpoints ---------------------------------------

#[test]
fn fargate_subnets_from_an_unknown_parameter() {
    let yaml = with(
        "subnets: [subnet-0a1b2c3d]\n          security",
        "subnets: { parameter: SubnetIds }\n          security",
    );
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "subnets: { parameter: SubnetIds }", "parameter"),
        &format!("{STACK}.fargate_jobs.Close.vpc.subnets.parameter"),
        "no parameter `SubnetIds` in stack Jobs",
        "declare it under `parameters:` of this stack",
    );
    // The fix works.
    let fixed = yaml.replacen(
        "  Jobs:\n",
        "  Jobs:\n    parameters:\n      SubnetIds: { type: \"List<AWS::EC2::Subnet::Id>\" }\n",
        1,
    );
    load(&fixed).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn fargate_job_invalid_time_zone() {
    let yaml = with(
        "schedule: cron(0 1 1 * ? *)",
        "schedule: cron(0 1 1 * ? *)\n        timezone: Europe/Londn",
    );
    let e = error(&yaml);
    let l = e.location.as_ref().expect("located");
    assert_eq!(
        l.path,
        format!("{STACK}.fargate_jobs.Close.timezone"),
        "{e}"
    );
    assert_eq!(
        (l.line, l.column),
        where_is(&yaml, "timezone: Europe/Londn", "timezone"),
        "{e}"
    );
    assert!(
        e.fix
            .as_deref()
            .is_some_and(|f| f.contains("Europe/London")),
        "{e}"
    );
}

#[test]
fn endpoints_serve_an_unknown_workload() {
    let yaml = with("serves: [Close]", "serves: [Clos]");
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "serves: [Clos]", "Clos"),
        &format!("{STACK}.vpc_endpoints.Endpoints.serves[0]"),
        "no task, Fargate job or function `Clos` in stack Jobs; its tasks, Fargate jobs and functions are: Nightly, Close, Worker",
        "write `Close`",
    );
}

#[test]
fn duplicate_id_across_new_sections() {
    let yaml = with("      Endpoints:\n", "      Close:\n");
    let e = error(&yaml);
    assert_at(
        &e,
        where_is(&yaml, "vpc_id:", "vpc_id")
            .0
            .checked_sub(1)
            .map(|l| (l, 7))
            .expect("line"),
        &format!("{STACK}.vpc_endpoints.Close"),
        "id `Close` is used twice in this stack: stacks.Jobs.fargate_jobs.Close",
        "give each construct of a stack its own id",
    );
}

#[test]
fn task_uses_a_table_declared_further_down() {
    // `tables:` after `tasks:`: the task comes first, the table does not exist yet.
    let tables = "    tables:\n      Entries: { partition_key: { name: entryId, type: string } }\n";
    let yaml = BASE.replacen(tables, "", 1) + tables;
    let e = load(&yaml).err().expect("error");
    let e = e
        .errors
        .iter()
        .find(|e| e.path() == Some("stacks.Jobs.tasks.Nightly.tables.Entries"))
        .unwrap_or_else(|| panic!("{e}"));
    assert_at(
        e,
        where_is(&yaml, "Entries: { access: read,", "Entries"),
        &format!("{STACK}.tasks.Nightly.tables.Entries"),
        "table `Entries` is declared further down",
        "move `tables:` (or `Entries`) above this key",
    );
}

#[test]
fn endpoints_without_route_tables_get_a_fix_in_the_specs_terms() {
    let yaml = with("        route_tables: [rtb-0a1b2c3d]\n", "");
    let loaded = load(&yaml).unwrap_or_else(|e| panic!("{e}"));
    let Err(errors) = loaded.synth(&Default::default()) else {
        panic!("synth needs the route tables");
    };
    let e = errors
        .errors
        .iter()
        .find(|e| e.construct_path.as_deref() == Some("Jobs/Endpoints"))
        .unwrap_or_else(|| panic!("{errors}"));
    let l = e.location.as_ref().expect("located");
    assert_eq!(l.path, format!("{STACK}.vpc_endpoints.Endpoints"), "{e}");
    assert_eq!(
        (l.line, l.column),
        where_is(&yaml, "      Endpoints:", "Endpoints"),
        "{e}"
    );
    assert!(e.message.contains("route tables"), "{e}");
    let fix = e.fix.as_deref().expect("fix");
    assert!(
        fix.contains("`route_tables: [rtb-0123456789abcdef0]`"),
        "{e}"
    );
    // The fix works.
    let fixed = with(
        "        serves: [Close]\n",
        "        route_tables: [rtb-0123456789abcdef0]\n        serves: [Close]\n",
    )
    .replacen("        route_tables: [rtb-0a1b2c3d]\n", "", 1);
    let loaded = load(&fixed).unwrap_or_else(|e| panic!("{e}"));
    loaded
        .synth(&Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn missed_run_fix_is_in_the_specs_terms() {
    let loaded = load(BASE).unwrap_or_else(|e| panic!("{e}"));
    let out = loaded
        .synth(&Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let w = out
        .warnings
        .iter()
        .find(|w| w.message.contains("missed runs of this rate schedule"))
        .unwrap_or_else(|| panic!("no missed-run warning"));
    assert_eq!(w.path(), Some("stacks.Jobs.tasks.Nightly"));
    let fix = w.fix.as_deref().expect("fix");
    assert!(
        fix.contains("`start_date: \"2027-01-01T00:00:00Z\"`"),
        "{fix}"
    );
    assert!(fix.contains("`alarms: { missed_runs: false }`"), "{fix}");
}

/// The first stack's template of a spec that synthesizes.
fn template(yaml: &str) -> String {
    let loaded = load(yaml).unwrap_or_else(|e| panic!("{e}"));
    let out = loaded
        .synth(&Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    out.synthesis.stacks[0].text.clone()
}

#[test]
fn vpc_endpoints_take_extra_services() {
    let yaml = with(
        "serves: [Close]",
        "serves: [Close]\n        services: [sts, s3]",
    );
    let text = template(&yaml);
    assert!(text.contains(".sts"), "no STS endpoint");
    assert!(!template(BASE).contains(".sts"), "STS without asking");
    let bad = with(
        "serves: [Close]",
        "serves: [Close]\n        services: [sts, ftp]",
    );
    let e = error(&bad);
    let l = e.location.as_ref().expect("located");
    assert!(
        l.path
            .starts_with(&format!("{STACK}.vpc_endpoints.Endpoints.services")),
        "{e}"
    );
    assert!(e.message.contains("unknown variant `ftp`"), "{e}");
}

#[test]
fn vpc_endpoints_serve_a_function_in_a_vpc() {
    let yaml = with(
        "        republished_image: Vendor\n",
        "        republished_image: Vendor\n        vpc: { subnets: [subnet-0a1b2c3d], security_groups: [sg-0a1b2c3d] }\n",
    )
    .replace("serves: [Close]", "serves: [Close, Worker]");
    let text = template(&yaml);
    assert!(
        text.contains("sg-0a1b2c3d") && text.contains("VpcConfig"),
        "no VpcConfig"
    );
    let bad = with(
        "        republished_image: Vendor\n",
        "        republished_image: Vendor\n        vpc: { subnets: [subnet-0a1b2c3d] }\n",
    );
    let e = error(&bad);
    assert_eq!(
        e.path(),
        Some(&*format!("{STACK}.functions.Worker.vpc")),
        "{e}"
    );
    assert!(e.message.contains("security_groups"), "{e}");
}

#[test]
fn a_function_built_from_a_dockerfile() {
    let yaml = with(
        "        republished_image: Vendor\n",
        "        dockerfile: { context: ../notifiers/docker }\n",
    );
    let text = template(&yaml);
    assert!(text.contains("PackageType: Image") || text.contains("\"PackageType\": \"Image\""));
    let bad = with(
        "        republished_image: Vendor\n",
        "        republished_image: Vendor\n        dockerfile: { context: . }\n",
    );
    let e = error(&bad);
    assert_eq!(e.path(), Some(&*format!("{STACK}.functions.Worker")), "{e}");
    assert!(e.message.contains("more than one of"), "{e}");
}

#[test]
fn fargate_secret_with_its_own_key() {
    let key = "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let yaml = with(
        "          security_groups: [sg-0a1b2c3d]\n",
        &format!("          security_groups: [sg-0a1b2c3d]\n        secrets:\n          API_KEY: {{ ref: \"secretsmanager:erp/api-key\", kms_key: \"{key}\" }}\n"),
    );
    assert!(template(&yaml).contains(key), "the key is not granted");
    let bad = yaml.replace(
        &format!(", kms_key: \"{key}\""),
        ", kms_key: \"{key}\", extra: 1",
    );
    let e = error(&bad);
    assert!(
        e.path()
            .is_some_and(|p| p.starts_with(&format!("{STACK}.fargate_jobs.Close.secrets"))),
        "{e}"
    );
}

#[test]
fn webhook_route_chooses_its_signed_payload() {
    let yaml = with(
        "hmac: { header: X-Signature, format: timestamped }",
        "hmac: { header: X-Signature, format: hex, signed_payload: timestamp_dot_body, timestamp_header: X-Timestamp }",
    );
    let text = template(&yaml);
    assert!(
        text.contains("timestampDotBody"),
        "signed payload not in the receiver's settings"
    );
    let bad = with(
        "hmac: { header: X-Signature, format: timestamped }",
        "hmac: { header: X-Signature, format: timestamped, signed_payload: headers }",
    );
    let e = error(&bad);
    assert_at(
        &e,
        where_is(&bad, "signed_payload: headers", "headers"),
        &format!("{STACK}.inbound_webhooks.Hooks.routes./hooks/events.hmac.signed_payload"),
        "unknown variant `headers`",
        "timestamp_dot_body",
    );
}

#[test]
fn one_off_schedules_deliver_to_a_work_queue() {
    let yaml = with(
        "        fifo: true\n        consumer: Worker\n",
        "        fifo: true\n        consumer: Worker\n      Later:\n        consumer: Worker\n",
    )
    .replace("target: { topic: Due }", "target: { queue: Later }");
    let text = template(&yaml);
    assert!(
        text.contains("sqs:SendMessage"),
        "the Scheduler may not send to the queue"
    );
    let bad = yaml.replace("target: { queue: Later }", "target: { queue: Latr }");
    let e = error(&bad);
    assert_at(
        &e,
        where_is(&bad, "target: { queue: Latr }", "queue"),
        &format!("{STACK}.one_off_schedules.Reminders.target.queue"),
        "no work queue `Latr` in stack Jobs",
        "Later",
    );
}

#[test]
fn a_task_reads_a_tables_change_stream() {
    let yaml = with(
        "Entries: { partition_key: { name: entryId, type: string } }",
        "Entries: { partition_key: { name: entryId, type: string }, stream: new_and_old_images }",
    )
    .replace(
        "Entries: { access: read, env: ENTRIES_TABLE }",
        "Entries: { access: stream_read, env: ENTRIES_STREAM }",
    );
    let text = template(&yaml);
    assert!(text.contains("dynamodb:GetRecords"), "no stream grant");
    assert!(text.contains("StreamArn"), "the stream's ARN is not passed");
    let bad = yaml.replace("access: stream_read", "access: stream");
    let e = error(&bad);
    assert_eq!(
        e.path(),
        Some(&*format!("{STACK}.tasks.Nightly.tables.Entries.access")),
        "{e}"
    );
    assert!(e.message.contains("unknown variant `stream`"), "{e}");
}
