//! The cost of a large spec: a `cloud-cron.yaml` of 1,000 jobs in one stack
//! (the spec twin of `cloud_cron_stacks::large_app`), parsed, resolved and
//! built (`load_str`), then synthesized (split into nested stacks), with the
//! CPU time of each step and the process's peak memory.
//!
//! As `stacks/benches/synth.rs`: a bench binary rather than criterion, each
//! size in a fresh child process reading its own `VmHWM` and CPU time from
//! `/proc/self` (Linux). Run with `cargo bench -p cloud-cron-spec --bench
//! load`; set `CLOUDCRON_BENCH_JOBS=1000,5000` for other sizes.

use std::fmt::Write as _;
use std::process::Command;

const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(jobs) = args
        .iter()
        .position(|a| a == "--jobs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse::<usize>().ok())
    {
        measure(jobs);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        println!("load: bench");
        return;
    }
    let sizes = std::env::var("CLOUDCRON_BENCH_JOBS").unwrap_or_else(|_| "1000".into());
    let exe = std::env::current_exe().expect("the bench binary's path");
    println!(
        "jobs     spec bytes  load CPU (ms)  synth CPU (ms)  nested stacks  peak memory (MiB)"
    );
    for jobs in sizes
        .split(',')
        .filter_map(|s| s.trim().parse::<usize>().ok())
    {
        let out = Command::new(&exe)
            .args(["--jobs", &jobs.to_string()])
            .output()
            .expect("run the measuring child");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let row: Vec<f64> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|v| v.parse().ok())
            .collect();
        println!(
            "{jobs:<8} {:<11} {:<14.0} {:<15.0} {:<14} {:.0}",
            row[0], row[1], row[2], row[3], row[4]
        );
    }
}

/// The spec of `jobs` hourly jobs `Job0000`, ... publishing to `Results`,
/// with the operators' alarm routing of the reference stacks.
fn spec(jobs: usize) -> String {
    let mut yaml = String::from(
        "functions:\n  notifiers: notifiers\n  watchdog: runtime/watchdog\nstacks:\n  LargeApp:\n    description: \"cloud-cron example: many jobs in one stack, split into nested stacks\"\n    alarms:\n      ops_topic: Ops\n      channels:\n        OpsEmail:\n          kind: email\n          from: cloud-cron@example.com\n          to: [ops@example.com]\n          subject: \"[cloud-cron] {{ task }}\"\n          text: \"{{ task }} at {{ scheduled_time }}:\\n\\n{{ payload | tojson }}\"\n    topics:\n      Results: {}\n    tasks:\n",
    );
    for n in 0..jobs {
        let _ = write!(
            yaml,
            "      Job{n:04}:\n        image: {IMAGE}\n        schedule: rate(1 hour)\n        environment: {{ JOB_NUMBER: \"{n}\" }}\n        publishes_to: {{ results: Results }}\n"
        );
    }
    yaml
}

/// Load and synthesize `jobs` jobs; print spec bytes, load CPU ms, synth
/// CPU ms, nested stacks and peak MiB.
fn measure(jobs: usize) {
    let yaml = spec(jobs);
    let name = concat!(env!("CARGO_MANIFEST_DIR"), "/../cloud-cron.yaml");
    let start = cpu_ms();
    let loaded = cloud_cron_spec::load_str(name, &yaml).expect("the large spec loads");
    let loaded_at = cpu_ms();
    let out = loaded
        .synth(&Default::default())
        .expect("the large spec synthesizes");
    let synth_at = cpu_ms();
    println!(
        "{} {} {} {} {}",
        yaml.len(),
        loaded_at - start,
        synth_at - loaded_at,
        out.synthesis.stacks[0].nested.len(),
        peak_mib()
    );
}

/// CPU time this (single-threaded) process has run, in ms.
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e6)
}

/// The process's peak resident memory in MiB (0 where /proc is missing).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
