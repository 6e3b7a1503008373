//! Project commands, run as `cargo xtask <command>`:
//!
//! - `setup`: installs what the build and tests need, skipping what is already there.
//! - `test`:  setup, then every test, the size budget included.
//! - `run`:   setup, build, and serve the demo store on http://127.0.0.1:8787.
//! - `size`:  build, and report the gzipped size of what a buyer downloads; fails over budget.
//! - `build`: build the widget, the seller console and the worker (or one: `build widget`,
//!   `build dashboard`, `build worker`).
//! - `stress`: build the worker, then load, fault and stock-race tests against it (`--soak`
//!   adds the 15-minute soak).
//! - `bench`: build, then the worker's throughput, latency and CPU per request against a
//!   reference worker, and the sizes; one table, also written as JSON.
//! - `fuzz`:  every fuzz target (or those named by `--only a,b`) for `--seconds N` each (60 by
//!   default); fails on a crash.

mod fuzz;
#[path = "../../widget/locale_format.rs"]
mod locale_format;
mod setup;
mod size;
mod steps;
mod wasm_trim;

use std::process::ExitCode;

/// `--seconds N` among `args`, else `default`.
fn seconds(args: &[String], default: u32) -> Result<u32, String> {
    match args.iter().position(|a| a == "--seconds") {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| "--seconds takes a whole number of seconds".into()),
    }
}

/// The fuzz targets named by `--only a,b`, or none (every target).
fn only(args: &[String]) -> Vec<String> {
    args.iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(|list| list.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::all(),
        Some("test") => setup::all().and_then(|()| steps::test()),
        Some("size") => setup::all()
            .and_then(|()| steps::build_widget())
            .and_then(|()| steps::build_dashboard())
            .and_then(|()| steps::build_worker())
            .and_then(|()| size::check(&steps::root())),
        Some("build") => setup::all().and_then(|()| match args.get(1).map(String::as_str) {
            None => steps::build_widget().and_then(|()| steps::build_dashboard()).and_then(|()| steps::build_worker()),
            Some("widget") => steps::build_widget(),
            Some("dashboard") => steps::build_dashboard(),
            Some("worker") => steps::build_worker(),
            Some(other) => Err(format!("nothing called `{other}` to build: widget, dashboard or worker")),
        }),
        Some("run") => setup::all().and_then(|()| steps::serve(&args[1..])),
        Some("stress") => setup::all()
            .and_then(|()| steps::build_worker())
            .and_then(|()| steps::stress(if args.iter().any(|a| a == "--soak") { "soak" } else { "full" })),
        Some("bench") => setup::all()
            .and_then(|()| setup::benching())
            .and_then(|()| steps::build_widget())
            .and_then(|()| steps::build_worker())
            .and_then(|()| steps::bench()),
        Some("fuzz") => setup::all()
            .and_then(|()| setup::fuzzing())
            .and_then(|()| fuzz::run(seconds(&args[1..], 60)?, &only(&args[1..]))),
        _ => {
            eprintln!(
                "usage: cargo xtask <setup|test|run [--port N]|size|build [widget|dashboard|worker]|stress [--soak]|bench|fuzz [--seconds N] [--only a,b]>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
