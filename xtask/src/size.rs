//! `cargo xtask size`, and the budget check of `cargo xtask test`: the gzipped size (level 9,
//! as `gzip -9`) of what a buyer downloads, against the budget. Over budget is a failure.

use std::path::Path;
use std::process::{Command, Stdio};

/// Everything a buyer downloads, gzipped.
const BUDGET_BYTES: u64 = 120 * 1024;
/// The loader alone, gzipped.
const LOADER_BUDGET_BYTES: u64 = 2 * 1024;
/// One locale's texts, gzipped (a buyer downloads at most one; English is in the wasm).
const LOCALE_BUDGET_BYTES: u64 = 3 * 1024;

/// Gzipped sizes of the built files a buyer downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub loader: u64,
    pub glue: u64,
    pub wasm: u64,
    /// The largest locale's texts.
    pub locale: u64,
}

impl Sizes {
    pub fn total(self) -> u64 {
        self.loader + self.glue + self.wasm + self.locale
    }

    /// What is over its budget, in words; empty when everything is within.
    pub fn over_budget(self) -> Vec<String> {
        let mut over = Vec::new();
        if self.loader > LOADER_BUDGET_BYTES {
            over.push(format!("the loader is {} B gzipped, over its {LOADER_BUDGET_BYTES} B", self.loader));
        }
        if self.locale > LOCALE_BUDGET_BYTES {
            over.push(format!("a locale's texts are {} B gzipped, over their {LOCALE_BUDGET_BYTES} B", self.locale));
        }
        if self.total() > BUDGET_BYTES {
            over.push(format!("what a buyer downloads is {} B gzipped, over its {BUDGET_BYTES} B", self.total()));
        }
        over
    }
}

/// The width of the report's first column: its longest name.
const WIDTH: usize = 58;

fn gzipped(path: &Path) -> Result<(u64, u64), String> {
    let raw = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.len();
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    Ok((raw, out.stdout.len() as u64))
}

/// Prints the sizes of the built widget and worker under `root`; an error when over budget.
pub fn check(root: &Path) -> Result<(), String> {
    let www = root.join("www");
    let rows = [
        ("loader   www/tollgate.js", www.join("tollgate.js")),
        ("JS glue  www/widget/tollgate_widget.js", www.join("widget/tollgate_widget.js")),
        ("wasm     www/widget/tollgate_widget_bg.wasm", www.join("widget/tollgate_widget_bg.wasm")),
        ("CSS      widget/src/widget.css (inside the wasm)", root.join("widget/src/widget.css")),
        ("worker   worker/build/index_bg.wasm (server side)", root.join("worker/build/index_bg.wasm")),
        // The seller's console: reported, not in the buyer's budget.
        ("console  www/dashboard/tollgate_dashboard.js (seller)", www.join("dashboard/tollgate_dashboard.js")),
        (
            "console  www/dashboard/tollgate_dashboard_bg.wasm (seller)",
            www.join("dashboard/tollgate_dashboard_bg.wasm"),
        ),
    ];
    println!("\n{:<WIDTH$} {:>10} {:>10}", "built file", "bytes", "gzipped");
    let mut gz = Vec::new();
    for (name, path) in &rows {
        let (raw, zipped) = gzipped(path)?;
        println!("{name:<WIDTH$} {raw:>10} {zipped:>10}");
        gz.push(zipped);
    }
    // A buyer downloads one locale at most: the largest counts.
    let mut largest = (String::new(), 0, 0);
    let locales = www.join("widget/locales");
    for entry in std::fs::read_dir(&locales).map_err(|e| format!("{}: {e}", locales.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let (raw, zipped) = gzipped(&path)?;
        if zipped > largest.2 {
            largest = (path.file_name().unwrap_or_default().to_string_lossy().into_owned(), raw, zipped);
        }
    }
    let name = "locale   www/widget/locales/".to_owned() + &largest.0 + " (largest)";
    println!("{name:<WIDTH$} {:>10} {:>10}", largest.1, largest.2);
    // The CSS ships inside the wasm, the worker is not downloaded and the console is the
    // seller's: none is added.
    let sizes = Sizes { loader: gz[0], glue: gz[1], wasm: gz[2], locale: largest.2 };
    println!("{:<WIDTH$} {:>10} {:>10}", "what a buyer downloads", "", sizes.total());
    let over = sizes.over_budget();
    if over.is_empty() {
        println!(
            "budget: within (loader {} of {LOADER_BUDGET_BYTES} B; a locale {} of {LOCALE_BUDGET_BYTES} B; everything {} of {BUDGET_BYTES} B)",
            sizes.loader,
            sizes.locale,
            sizes.total()
        );
        Ok(())
    } else {
        Err(format!("over the size budget: {}", over.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_enforced_to_the_byte() {
        let at_limit = Sizes {
            loader: LOADER_BUDGET_BYTES,
            glue: 6000,
            wasm: BUDGET_BYTES - LOADER_BUDGET_BYTES - 6000 - 2000,
            locale: 2000,
        };
        assert!(at_limit.over_budget().is_empty());
        let one_more = Sizes { wasm: at_limit.wasm + 1, ..at_limit };
        assert_eq!(one_more.over_budget().len(), 1);
        assert!(one_more.over_budget()[0].contains("over its 122880 B"));
        let big_loader = Sizes { loader: LOADER_BUDGET_BYTES + 1, wasm: at_limit.wasm - 1, ..at_limit };
        assert!(big_loader.over_budget()[0].starts_with("the loader"));
        let big_locale = Sizes { locale: LOCALE_BUDGET_BYTES + 1, wasm: at_limit.wasm - 1025, ..at_limit };
        assert!(big_locale.over_budget()[0].starts_with("a locale's texts"), "{:?}", big_locale.over_budget());
    }
}
