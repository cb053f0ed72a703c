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
