//! Insta snapshots of every example template, stored in `snapshots/` at the
//! repository root. Review changes with `cargo insta review`.

use cfn_gen::Format;

fn check(format: Format) {
    // Templates as `cargo run --bin synth` writes them: into out/ at the root.
    let options = cfn_gen::SynthOptions {
        format,
        out_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../out"),
    };
    let synthesis = cloud_cron_stacks::app()
        .synth_with(&options)
        .expect("the example stacks are valid");
    for stack in &synthesis.stacks {
        insta::with_settings!({
            snapshot_path => "../../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(stack.file_name(), stack.text);
        });
    }
}

#[test]
fn yaml_templates_match_snapshots() {
    check(Format::Yaml);
}

#[test]
fn json_templates_match_snapshots() {
    check(Format::Json);
}

/// The YAML writer is our own (`cfn_gen::writer::yaml`); a maintained YAML
/// parser reading every example template must see exactly the document the
/// JSON writer wrote: same keys, same order-insensitive values, strings that
/// look like YAML 1.1 booleans (`OFF`, `yes`) still strings.
#[test]
fn yaml_templates_parse_to_the_json_templates() {
    let synth = |format| {
        cloud_cron_stacks::app()
            .synth_as(format)
            .expect("the example stacks are valid")
    };
    let (yaml, json) = (synth(Format::Yaml), synth(Format::Json));
    assert_eq!(yaml.stacks.len(), json.stacks.len());
    for (y, j) in yaml.stacks.iter().zip(&json.stacks) {
        let from_yaml: serde_json::Value = serde_yaml_ng::from_str(&y.text)
            .unwrap_or_else(|e| panic!("{}: the YAML does not parse: {e}", y.name));
        let from_json: serde_json::Value = serde_json::from_str(&j.text)
            .unwrap_or_else(|e| panic!("{}: the JSON does not parse: {e}", j.name));
        assert_eq!(
            from_yaml, from_json,
            "{}: YAML and JSON templates differ",
            y.name
        );
    }
}

#[test]
fn yaml_1_1_booleans_and_numbers_stay_strings() {
    let mut template = cfn_gen::Template::default();
    let values = [
        "OFF", "yes", "No", "on", "y", "true", "0123", "1e3", "null", "~", "",
    ];
    let mut output = 0;
    for value in values {
        output += 1;
        template.add_output(
            format!("O{output}"),
            cfn_gen::Output::new(cfn_gen::Value::String(value.to_owned()), "a string"),
        );
    }
    let text = template.to_yaml();
    // The parser reads YAML 1.2, where `OFF` and `yes` are strings anyway;
    // CloudFormation reads YAML 1.1, where they are booleans: they must be quoted.
    for word in ["OFF", "yes", "No", "on", "y"] {
        assert!(
            !text.contains(&format!("Value: {word}\n")),
            "{word} is written bare:\n{text}"
        );
    }
    let parsed: serde_json::Value = serde_yaml_ng::from_str(&text).expect("the YAML parses");
    for (i, value) in values.iter().enumerate() {
        assert_eq!(
            parsed["Outputs"][format!("O{}", i + 1)]["Value"],
            serde_json::Value::String((*value).to_owned()),
            "{value:?} must stay a string"
        );
    }
}

/// A small split app (60 jobs: past 500 resources): the root template as
/// written, and each nested stack's file, parameters, outputs and resources.
#[test]
fn a_split_app_matches_its_snapshot() {
    let synthesis = cloud_cron_stacks::large_app::app(60)
        .synth()
        .expect("the large app is valid");
    let stack = &synthesis.stacks[0];
    assert!(stack.nested.len() >= 2, "60 jobs are split");
    let mut children = String::new();
    for child in &stack.nested {
        let t = &child.template;
        children.push_str(&format!(
            "{} ({}): {}\n  parameters: {}\n  outputs: {}\n  constructs: {}\n  resources: {}\n",
            child.file_name(),
            child.logical_id,
            t.description.as_deref().unwrap_or_default(),
            t.parameters.keys().cloned().collect::<Vec<_>>().join(", "),
            t.outputs.keys().cloned().collect::<Vec<_>>().join(", "),
            child.constructs.join(", "),
            t.resources.keys().cloned().collect::<Vec<_>>().join(", "),
        ));
    }
    insta::with_settings!({
        snapshot_path => "../../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("LargeApp60.template.yaml", stack.text);
        insta::assert_snapshot!("LargeApp60.nested.txt", children);
    });
}
