//! `cargo xtask fuzz [--seconds N]`: every fuzz target in `fuzz/` (cargo fuzz, libFuzzer) for N
//! seconds each (60 by default), its corpus seeded from the documented examples and fixtures
//! and kept outside the clone, so runs add up. Prints each target's executions this run and in
//! all, and fails on a crash, naming the input that caused it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::steps::{Result, WIDGET_TOOLCHAIN, root, target_dir};

/// cargo-fuzz, at the version the targets are tested with.
pub const CARGO_FUZZ_VERSION: &str = "0.13.1";

/// Where corpora and the running totals live: beside the build cache, outside any clone.
fn state_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    home.join(".cache/tollgate/fuzz")
}

/// The files each target's corpus starts from (relative to the workspace root).
fn seeds(target: &str) -> Vec<PathBuf> {
    let files_in = |dir: &str| -> Vec<PathBuf> {
        fs::read_dir(root().join(dir)).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default()
    };
    match target {
        "wire_requests" => files_in("shared/tests/fixtures"),
        "provider_answers" => files_in("gateways/tests/fixtures"),
        "catalog" => vec![root().join("worker/catalog.toml")],
        "catalog_edit" => files_in("fuzz/seeds/catalog_edit"),
        "address" | "payment_uri" => vec![root().join("tests/support/testnet-addresses.json")],
        _ => Vec::new(),
    }
}

/// Executions so far per target, from earlier runs.
fn totals(path: &Path) -> Vec<(String, u64)> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' ').and_then(|(t, n)| Some((t.to_owned(), n.parse().ok()?))))
        .collect()
}

/// libFuzzer's final count of executions, from its `-print_final_stats=1` output.
pub fn executions(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|l| l.strip_prefix("stat::number_of_executed_units:")).and_then(|n| n.trim().parse().ok())
}

/// What a failed run says that matters: the panic and how to reproduce it.
fn crash_report(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    let panic = lines.iter().position(|l| l.contains("panicked at") || l.contains("ERROR: libFuzzer"));
    let reproduce = lines.iter().position(|l| l.starts_with("Reproduce with"));
    let mut report: Vec<&str> = Vec::new();
    if let Some(i) = panic {
        report.extend(lines[i..lines.len().min(i + 3)].iter());
    }
    if let Some(i) = reproduce {
        report.extend(lines[i..lines.len().min(i + 3)].iter());
    }
    if report.is_empty() { lines[lines.len().saturating_sub(30)..].join("\n") } else { report.join("\n") }
}

/// The targets are safe Rust: libFuzzer finds their panics, hangs and runaway memory without
/// AddressSanitizer, which would cost about half the executions.
const SANITIZER: [&str; 2] = ["--sanitizer", "none"];

fn cargo_fuzz(args: &[&str]) -> Command {
    let mut c = Command::new("cargo");
    c.arg(format!("+{WIDGET_TOOLCHAIN}")).arg("fuzz").args(args).current_dir(root().join("fuzz"));
    c
}

/// Runs every target, or only those in `only` when it names some.
pub fn run(seconds: u32, only: &[String]) -> Result {
    let list = cargo_fuzz(&["list"]).output().map_err(|e| format!("cargo fuzz list: {e}"))?;
    let all: Vec<String> = String::from_utf8_lossy(&list.stdout).lines().map(str::to_owned).collect();
    if let Some(unknown) = only.iter().find(|t| !all.contains(t)) {
        return Err(format!("no fuzz target `{unknown}` (there are: {})", all.join(", ")));
    }
    let targets: Vec<String> = all.into_iter().filter(|t| only.is_empty() || only.contains(t)).collect();
    if targets.is_empty() {
        return Err("cargo fuzz list found no targets".into());
    }
    let dir = target_dir().join("fuzz");
    let dir = dir.to_string_lossy();
    crate::steps::run(cargo_fuzz(&["build", "--release", SANITIZER[0], SANITIZER[1], "--target-dir", &dir]))?;
    let totals_path = state_dir().join("totals.txt");
    let mut all = totals(&totals_path);
    let mut rows = Vec::new();
    for target in &targets {
        let corpus = state_dir().join("corpus").join(target);
        fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        for seed in seeds(target) {
            if let Some(name) = seed.file_name() {
                let _ = fs::copy(&seed, corpus.join(name));
            }
        }
        println!("\n$ cargo fuzz run {target} ({seconds} s)");
        let out = cargo_fuzz(&["run", "--release", SANITIZER[0], SANITIZER[1], "--target-dir", &dir, target])
            .arg(&corpus)
            .args(["--", &format!("-max_total_time={seconds}"), "-print_final_stats=1", "-rss_limit_mb=2048"])
            .output()
            .map_err(|e| format!("cargo fuzz run {target}: {e}"))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            return Err(format!("fuzz target `{target}` failed:\n{}", crash_report(&stderr)));
        }
        let runs = executions(&stderr).unwrap_or(0);
        let total = match all.iter_mut().find(|(t, _)| t == target) {
            Some((_, n)) => {
                *n += runs;
                *n
            }
            None => {
                all.push((target.clone(), runs));
                runs
            }
        };
        let inputs = fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0);
        rows.push((target.clone(), runs, total, inputs));
    }
    let text: String = all.iter().map(|(t, n)| format!("{t} {n}\n")).collect();
    fs::write(&totals_path, text).map_err(|e| format!("{}: {e}", totals_path.display()))?;
    println!("\n{:<20} {:>14} {:>16} {:>8}", "fuzz target", "executions", "in all runs", "corpus");
    for (t, runs, total, inputs) in rows {
        println!("{t:<20} {runs:>14} {total:>16} {inputs:>8}");
    }
    println!("no crash ({seconds} s per target)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzers_final_stats() {
        let stderr =
            "#2\tINITED\nDone 1234 runs in 2 second(s)\nstat::number_of_executed_units: 1234\nstat::peak_rss_mb: 45\n";
        assert_eq!(executions(stderr), Some(1234));
        assert_eq!(executions("no stats"), None);
    }
}
