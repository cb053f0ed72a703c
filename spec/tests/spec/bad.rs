//! Bad specs: each error names file, line, column, spec path, what is
//! wrong and a fix; where the fix is concrete, applying it gives a spec
//! that loads.

use cloud_cron_spec::{load_str, LoadedSpec, SpecError, SpecErrors};

/// A valid spec every case breaks in one place. Lines:
/// 1 stacks, 2 Jobs, 3 topics, 4 Alerts, 5 tasks, 6 NightlySync, 7 image,
/// 8 schedule, 9 timezone, 10 publishes_to, 11 channels, 12 OpsEmail,
/// 13 kind, 14 topic, 15 from, 16 to, 17 subject, 18 text.
const BASE: &str = r#"stacks:
  Jobs:
    topics:
      Alerts: { fifo: true }
    tasks:
      NightlySync:
        image: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/erp-sync:v1
        schedule: cron(30 1 ? * MON-FRI *)
        timezone: Europe/London
        publishes_to: { alerts: Alerts }
    channels:
      OpsEmail:
        kind: email
        topic: Alerts
        from: cloud-cron@example.com
        to: [ops@example.com]
        subject: "{{ task }}"
        text: "{{ payload | tojson }}"
"#;

const TASK: &str = "stacks.Jobs.tasks.NightlySync";
const CHANNEL: &str = "stacks.Jobs.channels.OpsEmail";

/// `BASE` with `from` replaced by `to` (which must occur).
fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from:?} is not in BASE");
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

/// The errors synth gives for a spec that loads.
fn synth_errors(yaml: &str) -> SpecErrors {
    let loaded = load(yaml).unwrap_or_else(|e| panic!("{e}"));
    match loaded.synth(&Default::default()) {
        Ok(_) => panic!("synth passed:\n{yaml}"),
        Err(e) => e,
    }
}

/// Assert where `e` is, what it says and its fix.
#[track_caller]
fn assert_at(e: &SpecError, line: usize, column: usize, path: &str, says: &str, fix: &str) {
    let at = e
        .location
        .as_ref()
        .unwrap_or_else(|| panic!("no location: {e}"));
    assert_eq!(at.file, "cloud-cron.yaml", "{e}");
    assert_eq!((at.line, at.column), (line, column), "{e}");
    assert_eq!(at.path, path, "{e}");
    assert!(e.message.contains(says), "message lacks {says:?}:\n{e}");
    let f = e.fix.as_deref().unwrap_or_else(|| panic!("no fix: {e}"));
    assert!(f.contains(fix), "fix lacks {fix:?}:\n{e}");
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!(
            "cloud-cron.yaml:{line}:{column} ({path}): error: "
        )),
        "{shown}"
    );
    assert!(shown.contains("\n  fix: "), "{shown}");
}

/// The spec loads (and synthesizes, without the built-in functions a
/// channel needs, only because of them).
#[track_caller]
fn assert_loads(yaml: &str) {
    if let Err(e) = load(yaml) {
        panic!("the fixed spec does not load:\n{e}\n{yaml}");
    }
}

#[test]
fn the_base_spec_loads() {
    assert_loads(BASE);
}

// --- YAML syntax --------------------------------------------------------

#[test]
fn unclosed_flow_sequence() {
    let e = error(&with("to: [ops@example.com]", "to: [ops@example.com"));
    let at = e.location.as_ref().expect("located");
    assert_eq!(at.file, "cloud-cron.yaml");
    assert_eq!((at.line, at.column), (17, 16), "{e}");
    assert_eq!(
        e.message,
        "did not find expected ',' or ']', while parsing a flow sequence"
    );
}

#[test]
fn tab_indentation() {
    let e = error(&with("        timezone:", "\ttimezone:"));
    let at = e.location.as_ref().expect("located");
    assert_eq!(at.line, 9, "{e}");
    assert!(e.message.contains("tab"), "{e}");
}

#[test]
fn empty_document() {
    let e = error("");
    assert!(e.location.is_some(), "{e}");
    assert!(
        e.message.contains("stacks") || e.message.contains("EOF"),
        "{e}"
    );
}

// --- wrong types --------------------------------------------------------

#[test]
fn string_where_a_number_is_expected() {
    let e = error(&with(
        "        timezone:",
        "        memory_mb: lots\n        timezone:",
    ));
    assert_at(
        &e,
        9,
        20,
        &format!("{TASK}.memory_mb"),
        "invalid type: string \"lots\"",
        "give u32",
    );
}

#[test]
fn string_where_a_list_is_expected() {
    let e = error(&with("to: [ops@example.com]", "to: ops@example.com"));
    assert_at(
        &e,
        16,
        13,
        &format!("{CHANNEL}.to"),
        "invalid type: string",
        "give a sequence",
    );
}

#[test]
fn list_where_a_map_is_expected() {
    let e = error("stacks: [Jobs]\n");
    assert_at(&e, 1, 9, "stacks", "invalid type: sequence", "give a map");
}

#[test]
fn number_where_a_flag_is_expected() {
    let e = error(&with("Alerts: { fifo: true }", "Alerts: { fifo: 3 }"));
    assert_at(
        &e,
        4,
        23,
        "stacks.Jobs.topics.Alerts.fifo",
        "invalid type: integer `3`",
        "give a boolean",
    );
}

#[test]
fn template_of_no_known_form() {
    let e = error(&with(
        "text: \"{{ payload | tojson }}\"",
        "text: { fil: t.j2 }",
    ));
    assert_at(
        &e,
        18,
        9,
        &format!("{CHANNEL}.text"),
        "untagged enum TemplateSpec",
        "{ file: PATH }",
    );
}

// --- unknown keys and values ---------------------------------------------

#[test]
fn misspelled_task_key() {
    let yaml = with("        schedule:", "        shedule:");
    let e = error(&yaml);
    assert_at(
        &e,
        8,
        9,
        &format!("{TASK}.shedule"),
        "unknown field `shedule`",
        "write `schedule` instead of `shedule`",
    );
    assert_loads(&yaml.replace("shedule", "schedule"));
}

#[test]
fn misspelled_stack_key() {
    let yaml = with("    topics:", "    topcs:");
    let e = error(&yaml);
    assert_at(
        &e,
        3,
        5,
        "stacks.Jobs.topcs",
        "unknown field `topcs`",
        "write `topics`",
    );
}

#[test]
fn unknown_root_key() {
    let yaml = format!("version: 1\n{BASE}");
    let e = error(&yaml);
    assert_at(
        &e,
        1,
        1,
        "version",
        "unknown field `version`",
        "remove `version`",
    );
    assert!(e.fix.as_deref().unwrap_or("").contains("functions, stacks"));
    assert_loads(BASE);
}

#[test]
fn unknown_channel_key() {
    let yaml = with("        from:", "        form:");
    let e = error(&yaml);
    assert_at(
        &e,
        15,
        9,
        &format!("{CHANNEL}.form"),
        "unknown field `form`",
        "write `from` instead of `form`",
    );
    assert_loads(&yaml.replace("form:", "from:"));
}

#[test]
fn misspelled_channel_kind() {
    let yaml = with("kind: email", "kind: emial");
    let e = error(&yaml);
    assert_at(
        &e,
        13,
        15,
        &format!("{CHANNEL}.kind"),
        "unknown variant `emial`",
        "write `email` instead of `emial`",
    );
    assert_loads(&yaml.replace("emial", "email"));
}

#[test]
fn unknown_architecture() {
    let e = error(&with(
        "        timezone:",
        "        architecture: arm\n        timezone:",
    ));
    assert_at(
        &e,
        9,
        23,
        &format!("{TASK}.architecture"),
        "unknown variant `arm`",
        "arm64",
    );
}

#[test]
fn missing_channel_kind() {
    let e = error(&with("        kind: email\n", ""));
    assert_at(&e, 12, 7, CHANNEL, "missing field `kind`", "add `kind:`");
}

// --- references -----------------------------------------------------------

#[test]
fn task_publishes_to_an_unknown_topic() {
    let yaml = with("{ alerts: Alerts }", "{ alerts: Alert }");
    let e = error(&yaml);
    assert_at(
        &e,
        10,
        25,
        &format!("{TASK}.publishes_to.alerts"),
        "no topic `Alert` in stack Jobs; its topics are: Alerts",
        "write `Alerts`",
    );
    assert_loads(&yaml.replace("Alert }", "Alerts }"));
}

#[test]
fn channel_on_an_unknown_topic() {
    let e = error(&with("topic: Alerts", "topic: Reports"));
    assert_at(
        &e,
        14,
        9,
        &format!("{CHANNEL}.topic"),
        "no topic `Reports` in stack Jobs; its topics are: Alerts",
        "declare it under `topics:`",
    );
}

#[test]
fn channel_without_a_topic() {
    let yaml = with("        topic: Alerts\n", "");
    let e = error(&yaml);
    assert_at(
        &e,
        12,
        7,
        CHANNEL,
        "has no `topic`; the stack's topics are: Alerts",
        "add `topic: Alerts`",
    );
    assert_loads(&yaml.replace("kind: email\n", "kind: email\n        topic: Alerts\n"));
}

#[test]
fn task_alarms_to_an_unknown_topic() {
    let e = error(&with(
        "        timezone:",
        "        alarms: { to: Pager }\n        timezone:",
    ));
    assert_at(
        &e,
        9,
        19,
        &format!("{TASK}.alarms.to"),
        "no topic `Pager`",
        "declare it under `topics:`",
    );
}

#[test]
fn chatbot_on_an_unknown_parameter() {
    let yaml = format!(
        "{}    parameters:\n      SlackWorkspaceId: {{}}\n    alarms:\n      ops_topic: Ops\n      chatbot_slack:\n        OpsSlack:\n          workspace_id: {{ parameter: SlackWorkspace }}\n          channel_id: C07EZ1ABC23\n",
        BASE
    );
    let e = error(&yaml);
    assert_at(
        &e,
        25,
        27,
        "stacks.Jobs.alarms.chatbot_slack.OpsSlack.workspace_id.parameter",
        "no parameter `SlackWorkspace` in stack Jobs; its parameters are: SlackWorkspaceId",
        "write `SlackWorkspaceId`",
    );
    assert_loads(&yaml.replace("SlackWorkspace }", "SlackWorkspaceId }"));
}

// --- duplicate ids ----------------------------------------------------------

#[test]
fn key_given_twice() {
    let yaml = with(
        "    channels:",
        "      NightlySync:\n        image: x\n        schedule: rate(1 hour)\n    channels:",
    );
    let e = error(&yaml);
    assert_at(
        &e,
        11,
        7,
        TASK,
        "is given twice in one mapping (first at line 6, column 7)",
        "remove one of them",
    );
}

#[test]
fn id_used_by_a_topic_and_a_task() {
    let yaml = with("      NightlySync:", "      Alerts:");
    let e = error(&yaml);
    assert_at(
        &e,
        6,
        7,
        "stacks.Jobs.tasks.Alerts",
        "id `Alerts` is used twice in this stack: stacks.Jobs.topics.Alerts (4:7) has it already",
        "e.g. `Alerts2`",
    );
    assert_loads(&yaml.replace(
        "      Alerts:\n        image",
        "      Alerts2:\n        image",
    ));
}

#[test]
fn id_used_by_the_ops_topic_and_a_channel() {
    let yaml = format!("{BASE}    alarms:\n      ops_topic: OpsEmail\n");
    let e = error(&yaml);
    assert_at(
        &e,
        12,
        7,
        CHANNEL,
        "id `OpsEmail` is used twice in this stack: stacks.Jobs.alarms.ops_topic (20:7)",
        "give each construct of a stack its own id",
    );
}

// --- invalid values, checked while loading --------------------------------

#[test]
fn invalid_rate() {
    let yaml = with("cron(30 1 ? * MON-FRI *)", "rate(1 hours)");
    let e = error(&yaml);
    assert_at(
        &e,
        8,
        9,
        &format!("{TASK}.schedule"),
        "invalid rate expression `rate(1 hours)`",
        "rate(1 hour)",
    );
    assert_loads(&yaml.replace("rate(1 hours)", "rate(1 hour)"));
}

#[test]
fn invalid_cron() {
    let e = error(&with(
        "cron(30 1 ? * MON-FRI *)",
        "cron(30 1 * * MON-FRI *)",
    ));
    assert_at(
        &e,
        8,
        9,
        &format!("{TASK}.schedule"),
        "invalid cron expression",
        "?",
    );
}

#[test]
fn schedule_of_no_known_kind() {
    let e = error(&with("cron(30 1 ? * MON-FRI *)", "every day at 1:30"));
    assert_at(
        &e,
        8,
        9,
        &format!("{TASK}.schedule"),
        "unrecognised schedule expression",
        "cron(",
    );
}

#[test]
fn unknown_time_zone() {
    let yaml = with("Europe/London", "Europe/Londn");
    let e = error(&yaml);
    assert_at(
        &e,
        9,
        9,
        &format!("{TASK}.timezone"),
        "unknown time zone `Europe/Londn`",
        "Europe/London",
    );
    assert_loads(&yaml.replace("Europe/Londn", "Europe/London"));
}

#[test]
fn invalid_job_schedule() {
    let e = error(&with(
        "        timezone:",
        "        jobs:\n          invoices:\n            schedule: at(2027-02-30T09:00:00)\n        timezone:",
    ));
    assert_at(
        &e,
        11,
        13,
        &format!("{TASK}.jobs.invoices.schedule"),
        "invalid at expression",
        "",
    );
}

#[test]
fn time_zone_without_a_schedule() {
    let errors = load(&with("        schedule: cron(30 1 ? * MON-FRI *)\n", ""))
        .err()
        .expect("invalid");
    assert_eq!(errors.errors.len(), 2, "{errors}");
    assert_at(
        &errors.errors[0],
        6,
        7,
        TASK,
        "has neither a `schedule` nor `jobs`",
        "add `schedule: \"rate(1 hour)\"`",
    );
    assert_at(
        &errors.errors[1],
        8,
        9,
        &format!("{TASK}.timezone"),
        "has a `timezone` but no `schedule`",
        "or remove `timezone`",
    );
}

#[test]
fn secret_without_a_prefix() {
    let yaml = with(
        "        timezone:",
        "        secrets: { ODOO_PASSWORD: /erp/odoo/password }\n        timezone:",
    );
    let e = error(&yaml);
    assert_at(
        &e,
        9,
        20,
        &format!("{TASK}.secrets.ODOO_PASSWORD"),
        "has no `ssm:` or `secretsmanager:` prefix",
        "ssm:/PARAMETER/NAME",
    );
    assert!(!e.to_string().contains("/erp/odoo/password"), "{e}");
    assert_loads(&yaml.replace(": /erp", ": ssm:/erp"));
}

#[test]
fn sms_auth_token_of_an_unknown_store() {
    let yaml = format!(
        "{BASE}      Texts:\n        kind: sms\n        topic: Alerts\n        auth_token: vault:twilio\n"
    );
    let e = error(&yaml);
    assert_at(
        &e,
        22,
        9,
        "stacks.Jobs.channels.Texts.auth_token",
        "the prefix is neither `ssm:` nor `secretsmanager:`",
        "secretsmanager:NAME-OR-ARN",
    );
    assert!(!e.to_string().contains("twilio"), "{e}");
}

#[test]
fn key_of_another_channel_kind() {
    let yaml = with("kind: email", "kind: sms");
    let errors = load(&yaml).err().expect("invalid");
    let texts: Vec<String> = errors.errors.iter().map(|e| e.to_string()).collect();
    // subject and text are email keys; from and to are shared by sms.
    assert_eq!(errors.errors.len(), 2, "{errors}");
    assert_at(
        &errors.errors[0],
        17,
        9,
        &format!("{CHANNEL}.subject"),
        "`subject` is not a setting of sms channels; they take: account_sid, from",
        "remove `subject`, or change `kind`",
    );
    assert!(texts[1].contains("`text` is not a setting of sms channels"));
}

#[test]
fn task_without_code() {
    let yaml = with(
        "        image: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/erp-sync:v1\n",
        "",
    );
    let e = error(&yaml);
    assert_at(
        &e,
        6,
        7,
        TASK,
        "has no code",
        "rust_binary: { package: PATH",
    );
}

#[test]
fn task_with_two_kinds_of_code() {
    let e = error(&with(
        "        timezone:",
        "        rust_binary: { package: ., binary: sync }\n        timezone:",
    ));
    assert_at(
        &e,
        6,
        7,
        TASK,
        "more than one of `image`, `rust_binary`, `dockerfile` and `republished_image`",
        "keep exactly one",
    );
}

#[test]
fn existing_topic_with_settings() {
    let e = error(&with(
        "Alerts: { fifo: true }",
        "Alerts: { fifo: true, arn: \"arn:aws:sns:eu-west-2:123456789012:alerts\" }",
    ));
    assert_at(
        &e,
        4,
        29,
        "stacks.Jobs.topics.Alerts.arn",
        "is an existing topic (`arn`) and also has settings for a new one",
        "keep `arn` alone",
    );
}

#[test]
fn alarm_channel_with_a_topic() {
    let yaml = format!(
        "{BASE}    alarms:\n      ops_topic: Ops\n      channels:\n        OpsSms:\n          kind: slack\n          topic: Alerts\n          webhook_url: ssm:/ops/slack\n"
    );
    let e = error(&yaml);
    assert_at(
        &e,
        24,
        11,
        "stacks.Jobs.alarms.channels.OpsSms.topic",
        "delivers the ops topic `Ops`; it takes no `topic`",
        "remove `topic:`",
    );
    assert_loads(&yaml.replace("          topic: Alerts\n", ""));
}

#[test]
fn grace_without_missed_runs() {
    let e = error(&with(
        "        timezone:",
        "        alarms:\n          missed_runs: false\n          missed_run_grace_minutes: 30\n        timezone:",
    ));
    assert_at(
        &e,
        11,
        11,
        &format!("{TASK}.alarms.missed_run_grace_minutes"),
        "`missed_runs` is false",
        "remove `missed_run_grace_minutes`",
    );
}

// --- synth-time checks, located in the spec ---------------------------------

#[test]
fn synth_finding_on_a_task_names_its_spec_location() {
    let errors = synth_errors(&with(
        "        timezone:",
        "        memory_mb: 64\n        timezone:",
    ));
    let e = errors
        .errors
        .iter()
        .find(|e| e.message.contains("64"))
        .unwrap_or_else(|| panic!("{errors}"));
    let at = e.location.as_ref().expect("located");
    assert_eq!((at.line, at.column, at.path.as_str()), (6, 7, TASK), "{e}");
    assert_eq!(e.construct_path.as_deref(), Some("Jobs/NightlySync"));
    assert!(e.fix.is_some(), "{e}");
    // A fix written for Rust code is given in the spec's terms.
    let functions = errors
        .errors
        .iter()
        .find(|e| e.message.contains("notifier-email"))
        .unwrap_or_else(|| panic!("{errors}"));
    let fix = functions.fix.as_deref().unwrap_or_default();
    assert!(fix.contains("functions: { package: PATH }"), "{functions}");
    assert!(!fix.contains("App::new()"), "{functions}");
    assert!(
        e.to_string()
            .starts_with("cloud-cron.yaml:6:7 (stacks.Jobs.tasks.NightlySync): error: "),
        "{e}"
    );
}

#[test]
fn synth_finding_on_a_channel_names_its_spec_location() {
    let errors = synth_errors(&with("        to: [ops@example.com]\n", ""));
    let e = errors
        .errors
        .iter()
        .find(|e| e.construct_path.as_deref() == Some("Jobs/OpsEmail"))
        .unwrap_or_else(|| panic!("{errors}"));
    let at = e.location.as_ref().expect("located");
    assert_eq!(
        (at.line, at.column, at.path.as_str()),
        (12, 7, CHANNEL),
        "{e}"
    );
}

#[test]
fn synth_finding_on_a_flexible_window() {
    let errors = synth_errors(&with(
        "        timezone:",
        "        flexible_window_minutes: 5000\n        timezone:",
    ));
    let e = errors
        .errors
        .iter()
        .find(|e| e.message.contains("5000"))
        .unwrap_or_else(|| panic!("{errors}"));
    assert_eq!(e.path(), Some(TASK), "{e}");
}

#[test]
fn unreadable_file() {
    let e = cloud_cron_spec::load(std::path::Path::new("/nonexistent/cloud-cron.yaml"))
        .err()
        .expect("no file");
    assert_eq!(e.errors.len(), 1);
    assert!(e.errors[0].location.is_none());
    assert!(
        e.to_string()
            .contains("cannot read /nonexistent/cloud-cron.yaml"),
        "{e}"
    );
    assert!(e.errors[0].fix.is_some());
}

#[test]
fn every_problem_is_reported_at_once() {
    let yaml =
        with("{ alerts: Alerts }", "{ alerts: Nope }").replace("topic: Alerts", "topic: Gone");
    let errors = load(&yaml).err().expect("invalid");
    assert_eq!(errors.errors.len(), 2, "{errors}");
    let shown = errors.to_string();
    assert_eq!(shown.matches("\n\n").count(), 1, "{shown}");
}

// --- tables and images ------------------------------------------------------

/// `BASE` with a table `Entries` (lines 5-7, then `table_extra`) and an
/// image `Vendor` (then `image_extra`) declared before the tasks (sections
/// are created in file order, and the task refers to them).
fn with_table_and_image(table_extra: &str, image_extra: &str) -> String {
    with(
        "    tasks:\n",
        &format!(
            "    tables:\n      Entries:\n        partition_key: {{ name: pk, type: string }}\n{table_extra}    images:\n      Vendor:\n        repository: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/vendor\n        tag_or_digest: latest\n{image_extra}    tasks:\n"
        ),
    )
}

#[test]
fn task_uses_a_table_and_a_republished_image() {
    let yaml = with_table_and_image("", "").replace(
        "        image: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/erp-sync:v1\n",
        "        republished_image: Vendor\n        tables: { Entries: { access: read_write, env: TABLE_ENTRIES } }\n",
    );
    let loaded = load(&yaml).unwrap_or_else(|e| panic!("{e}"));
    let at = loaded.location_of("Jobs/Entries").expect("table located");
    // The tables and images come before the tasks.
    assert_eq!((at.line, at.column), (6, 7));
    assert_eq!(at.path, "stacks.Jobs.tables.Entries");
    let at = loaded.location_of("Jobs/Vendor").expect("image located");
    assert_eq!(at.path, "stacks.Jobs.images.Vendor");
}

#[test]
fn task_uses_an_unknown_table() {
    let yaml = with_table_and_image("", "").replace(
        "        timezone:",
        "        tables: { Entry: { access: read } }\n        timezone:",
    );
    let e = error(&yaml);
    assert_at(
        &e,
        16,
        19,
        &format!("{TASK}.tables.Entry"),
        "no table `Entry` in stack Jobs; its tables are: Entries",
        "write `Entries`",
    );
    assert_loads(&yaml.replace("Entry:", "Entries:"));
}

#[test]
fn task_uses_an_unknown_image() {
    let yaml = with_table_and_image("", "").replace(
        "        image: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/erp-sync:v1\n",
        "        republished_image: Vendr\n",
    );
    let e = error(&yaml);
    assert_at(
        &e,
        14,
        9,
        &format!("{TASK}.republished_image"),
        "no image `Vendr` in stack Jobs; its images are: Vendor",
        "write `Vendor`",
    );
    assert_loads(&yaml.replace("Vendr", "Vendor"));
}

#[test]
fn unknown_table_access() {
    let e = error(&with_table_and_image("", "").replace(
        "        timezone:",
        "        tables: { Entries: { access: readwrite } }\n        timezone:",
    ));
    assert_at(
        &e,
        16,
        38,
        &format!("{TASK}.tables.Entries.access"),
        "unknown variant `readwrite`",
        "write `read_write`",
    );
}

#[test]
fn unknown_key_type() {
    let e = error(&with_table_and_image("", "").replace("type: string", "type: text"));
    assert_at(
        &e,
        7,
        42,
        "stacks.Jobs.tables.Entries.partition_key.type",
        "unknown variant `text`",
        "use one of: string, number, binary",
    );
}

#[test]
fn index_include_without_its_projection() {
    let e = error(&with_table_and_image(
        "        global_indexes:\n          byUser:\n            partition_key: { name: user, type: string }\n            include: [status]\n",
        "",
    ));
    assert_at(
        &e,
        9,
        11,
        "stacks.Jobs.tables.Entries.global_indexes.byUser",
        "`include` lists attributes exactly when `projection` is `include`",
        "set `projection: include`",
    );
}

#[test]
fn table_with_two_keys() {
    let e = error(&with_table_and_image(
        "        aws_managed_key: true\n        kms_key: arn:aws:kms:eu-west-2:123456789012:key/k\n",
        "",
    ));
    assert_at(
        &e,
        8,
        9,
        "stacks.Jobs.tables.Entries.aws_managed_key",
        "sets both `kms_key` and `aws_managed_key`",
        "keep one of them",
    );
}

#[test]
fn image_whole_index_with_an_architecture() {
    let e = error(&with_table_and_image(
        "",
        "        whole_index: true\n        architecture: arm64\n",
    ));
    assert_at(
        &e,
        12,
        9,
        "stacks.Jobs.images.Vendor.whole_index",
        "copies the whole index and also one `architecture`",
        "remove `architecture`",
    );
}

#[test]
fn image_without_a_tag() {
    let e = error(&with_table_and_image("", "").replace("        tag_or_digest: latest\n", ""));
    assert_at(
        &e,
        9,
        7,
        "stacks.Jobs.images.Vendor",
        "missing field `tag_or_digest`",
        "add `tag_or_digest: TAG`",
    );
}

#[test]
fn image_credentials_in_ssm() {
    let yaml = with_table_and_image("", "        credentials: ssm:/registry/ghcr\n");
    let e = error(&yaml);
    assert_at(
        &e,
        12,
        9,
        "stacks.Jobs.images.Vendor.credentials",
        "are not a Secrets Manager secret",
        "`credentials: secretsmanager:NAME-OR-ARN`",
    );
    assert_loads(&yaml.replace("ssm:/registry/ghcr", "secretsmanager:registry/ghcr"));
}

#[test]
fn image_credentials_key_without_credentials() {
    let yaml = with_table_and_image(
        "",
        "        credentials_key: arn:aws:kms:eu-west-2:123456789012:key/k\n",
    );
    let e = error(&yaml);
    assert_at(
        &e,
        12,
        9,
        "stacks.Jobs.images.Vendor.credentials_key",
        "has a `credentials_key` but no `credentials` secret",
        "add `credentials: secretsmanager:NAME-OR-ARN`",
    );
    assert_loads(&yaml.replace(
        "        credentials_key:",
        "        credentials: secretsmanager:registry/ghcr\n        credentials_key:",
    ));
}

#[test]
fn image_credentials_with_a_malformed_reference() {
    let e = error(&with_table_and_image(
        "",
        "        credentials: registry/ghcr\n",
    ));
    assert_at(
        &e,
        12,
        9,
        "stacks.Jobs.images.Vendor.credentials",
        "credentials reference `…` is invalid: it has no `ssm:` or `secretsmanager:` prefix",
        "write `credentials: secretsmanager:NAME-OR-ARN`",
    );
}

#[test]
fn image_with_source_image_and_a_repository() {
    let yaml = with_table_and_image("", "        source_image: ghcr.io/vendor/app:v1\n");
    let e = error(&yaml);
    assert_at(
        &e,
        10,
        9,
        "stacks.Jobs.images.Vendor.repository",
        "has both `source_image` and `repository`",
        "keep `source_image` alone",
    );
    assert_loads(
        &yaml
            .replace(
                "        repository: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/vendor\n",
                "",
            )
            .replace("        tag_or_digest: latest\n", ""),
    );
}

#[test]
fn keyed_secret_with_a_bad_reference() {
    let e = error(&with(
        "        timezone:",
        "        secrets:\n          KEY: { ref: \"plain\", kms_key: arn:aws:kms:eu-west-2:123456789012:key/k }\n        timezone:",
    ));
    assert_at(
        &e,
        10,
        18,
        &format!("{TASK}.secrets.KEY.ref"),
        "has no `ssm:` or `secretsmanager:` prefix",
        "ssm:/PARAMETER/NAME",
    );
}

#[test]
fn secret_of_no_known_form() {
    let e = error(&with(
        "        timezone:",
        "        secrets:\n          KEY: { name: x }\n        timezone:",
    ));
    assert_at(
        &e,
        10,
        11,
        &format!("{TASK}.secrets.KEY"),
        "untagged enum SecretSpec",
        "{ ref: .., kms_key: ARN }",
    );
}
