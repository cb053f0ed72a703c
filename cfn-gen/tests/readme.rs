//! The README's examples of the building blocks are the compiled
//! `examples/queue_worker.rs`: every region marked `// README:<name>` ...
//! `// README:end` there must appear verbatim (dedented) in README.md.

use std::fs;
use std::path::Path;

/// The marked regions of `source`, each dedented.
fn regions(source: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in source.lines() {
        let marker = line.trim().strip_prefix("// README:");
        match (marker, current.take()) {
            (Some("end"), Some((name, lines))) => out.push((name, dedent(&lines))),
            (Some(name), None) => current = Some((name.to_owned(), Vec::new())),
            (None, Some((name, mut lines))) => {
                lines.push(line);
                current = Some((name, lines));
            }
            (Some(other), Some((name, _))) => panic!("README:{other} inside README:{name}"),
            (None, None) => {}
        }
    }
    assert!(current.is_none(), "a README region is not closed");
    out
}

fn dedent(lines: &[&str]) -> String {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn readme_building_block_examples_are_the_compiled_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = fs::read_to_string(root.join("examples/queue_worker.rs")).expect("example");
    let readme = fs::read_to_string(root.join("../README.md")).expect("README.md");
    let regions = regions(&example);
    assert_eq!(regions.len(), 2, "the function and construct regions");
    for (name, code) in regions {
        assert!(
            readme.contains(&code),
            "README.md lacks the `{name}` example of examples/queue_worker.rs:\n{code}"
        );
    }
}

#[test]
fn regions_are_found_and_dedented() {
    let found =
        regions("fn f() {\n    // README:x\n    let a = 1;\n        a;\n    // README:end\n}\n");
    assert_eq!(
        found,
        vec![("x".to_owned(), "let a = 1;\n    a;".to_owned())]
    );
}
