//! README.md's "Escape hatches" example is `examples/escape_hatches.rs`,
//! which cargo compiles with the tests: the two must not drift apart.

use std::path::Path;

fn normalized(code: &str) -> Vec<String> {
    code.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_readme_example_is_the_compiled_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../README.md")).expect("README.md");
    let example =
        std::fs::read_to_string(root.join("examples/escape_hatches.rs")).expect("the example");
    let section = readme
        .split("\n## Escape hatches\n")
        .nth(1)
        .expect("README has an `## Escape hatches` section");
    let block = section
        .split("```rust\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the section opens with a rust block");
    let body = example
        .split("// README:start")
        .nth(1)
        .and_then(|b| b.split("// README:end").next())
        .expect("markers in the example");
    assert_eq!(normalized(block), normalized(body));
}

#[test]
fn the_readme_dangling_reference_error_is_what_synth_prints() {
    use cfn_gen::{App, Resource, Stack, Topic, Value};

    let app = App::new();
    let stack = Stack::new(&app, "Reports");
    Topic::standard(&stack, "Alerts");
    stack.add_resource(
        "Digest",
        Resource::raw(
            "AWS::SSM::Parameter",
            crate::map([
                ("Type", "String".into()),
                ("Value", Value::get_att("AlertsTopic", "TopicName")),
            ]),
        ),
    );
    let errs = crate::errors(&app);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let printed = errs[0].to_string();

    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .expect("README.md");
    let section = readme
        .split("\n## Escape hatches\n")
        .nth(1)
        .expect("the section");
    let shown = section
        .split("```text\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the section shows an error");
    assert_eq!(
        shown.trim_end(),
        printed,
        "README.md shows:\n{shown}\nsynth prints:\n{printed}"
    );
}
