//! Project commands, run as `cargo xtask <command>`:
//!
//! - `setup`: installs what the build and tests need, skipping what is already there.
//! - `test`:  setup, then every test, the size budget included.
//! - `run`:   setup, build, and serve the demo store on http://127.0.0.1:8787.
//! - `size`:  build, and report the gzipped size of what a buyer downloads; fails over budget.
//! - `build`: build the widget and the worker (or one: `build widget`, `build worker`).

mod setup;
mod size;
mod steps;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::all(),
        Some("test") => setup::all().and_then(|()| steps::test()),
        Some("size") => setup::all()
            .and_then(|()| steps::build_widget())
            .and_then(|()| steps::build_worker())
            .and_then(|()| size::check(&steps::root())),
        Some("build") => setup::all().and_then(|()| match args.get(1).map(String::as_str) {
            None => steps::build_widget().and_then(|()| steps::build_worker()),
            Some("widget") => steps::build_widget(),
            Some("worker") => steps::build_worker(),
            Some(other) => Err(format!("nothing called `{other}` to build: widget or worker")),
        }),
        Some("run") => setup::all().and_then(|()| steps::serve(&args[1..])),
        _ => {
            eprintln!("usage: cargo xtask <setup|test|run [--port N]|size|build [widget|worker]>");
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
