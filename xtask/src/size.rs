//! `cargo xtask size`: builds the widget and the worker and reports what a buyer downloads,
//! gzipped (level 9, as `gzip -9`), against the budget.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::steps::{self, Result, root};

/// Everything a buyer downloads, gzipped.
const BUDGET_BYTES: u64 = 120 * 1024;
/// The loader alone, gzipped.
const LOADER_BUDGET_BYTES: u64 = 2 * 1024;

fn gzipped(path: &Path) -> Result<(u64, u64)> {
    let raw = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.len();
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    Ok((raw, out.stdout.len() as u64))
}

pub fn report() -> Result {
    steps::build_widget()?;
    steps::build_worker()?;
    let www = root().join("www");
    let rows = [
        ("loader   www/tollgate.js", www.join("tollgate.js")),
        ("JS glue  www/widget/tollgate_widget.js", www.join("widget/tollgate_widget.js")),
        ("wasm     www/widget/tollgate_widget_bg.wasm", www.join("widget/tollgate_widget_bg.wasm")),
        ("CSS      widget/src/widget.css (inside the wasm)", root().join("widget/src/widget.css")),
    ];
    println!("\n{:<52} {:>10} {:>10}", "what a buyer downloads", "bytes", "gzipped");
    let mut total = 0;
    for (i, (name, path)) in rows.iter().enumerate() {
        let (raw, gz) = gzipped(path)?;
        // The CSS ships inside the wasm: shown, not added twice.
        if i < 3 {
            total += gz;
        }
        println!("{name:<52} {raw:>10} {gz:>10}");
    }
    let (_, loader) = gzipped(&rows[0].1)?;
    println!("{:<52} {:>10} {total:>10}", "total", "");
    let (raw, gz) = gzipped(&root().join("worker/build/index_bg.wasm"))?;
    println!("{:<52} {raw:>10} {gz:>10}", "worker   worker/build/index_bg.wasm (server side)");
    let verdict = |ok: bool| if ok { "within" } else { "OVER" };
    println!(
        "\nbudget: loader {} {} B; everything {} {} B",
        verdict(loader <= LOADER_BUDGET_BYTES),
        LOADER_BUDGET_BYTES,
        verdict(total <= BUDGET_BYTES),
        BUDGET_BYTES
    );
    Ok(())
}
