//! The README's `cloud-cron.yaml` example loads and synthesizes, and the
//! errors it shows are the ones a misspelling gives.

use crate::support::repo;

/// The first ```yaml block of the README's "cloud-cron.yaml" section.
fn readme_spec() -> String {
    let readme = std::fs::read_to_string(repo("README.md")).expect("README");
    let section = readme
        .split_once("## cloud-cron.yaml\n")
        .expect("section")
        .1;
    let block = section.split_once("```yaml\n").expect("yaml block").1;
    block.split_once("```").expect("block end").0.to_owned()
}

fn readme() -> String {
    std::fs::read_to_string(repo("README.md")).expect("README")
}

#[test]
fn readme_example_loads_and_synthesizes() {
    let yaml = readme_spec();
    // In this repository the built-in functions are the workspace's own
    // packages, and the template file is the example stacks' one.
    let yaml = yaml
        .replace(
            "  package: functions",
            "  notifiers: notifiers\n  watchdog: runtime/watchdog",
        )
        .replace("templates/alert.html.j2", "stacks/templates/alert.html.j2");
    let name = repo("cloud-cron.yaml").display().to_string();
    let spec = cloud_cron_spec::load_str(&name, &yaml).unwrap_or_else(|e| panic!("{e}"));
    let out = spec
        .synth(&Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let text = &out.synthesis.stacks[0].text;
    assert!(text.contains("cron(30 1 ? * MON-FRI *)"));
    assert!(text.contains("Europe/London"));
}

#[test]
fn readme_errors_are_what_the_spec_gives() {
    let yaml = readme_spec();
    let readme = readme();
    for (from, to) in [
        ("        schedule:", "        shedule:"),
        ("{ alerts: Alerts }", "{ alerts: Alert }"),
    ] {
        let bad = yaml.replacen(from, to, 1);
        let errors = cloud_cron_spec::load_str("cloud-cron.yaml", &bad)
            .err()
            .expect("invalid");
        let shown = errors.to_string();
        let (first, fix) = shown.split_once('\n').expect("two lines");
        let shown_first = first
            .split("expected one of `description`, `image`, ")
            .next()
            .unwrap_or(first);
        assert!(readme.contains(shown_first), "README lacks:\n{shown_first}");
        assert!(readme.contains(fix), "README lacks:\n{fix}");
    }
}
