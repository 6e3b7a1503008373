//! Idempotent set-up of a fresh machine. Every tool comes from a package registry (crates.io,
//! npm, Debian); nothing is downloaded from release pages or browser CDNs.

use std::fs;
use std::path::Path;

use crate::steps::{Result, WIDGET_TOOLCHAIN, output, root, run_cmd};

/// wasm-pack has no Cargo.lock entry; this is the version the project is tested with.
const WASM_PACK_VERSION: &str = "0.15.1";
/// twiggy, for the worker wasm's largest parts in `cargo xtask bench`.
const TWIGGY_VERSION: &str = "0.7.0";

pub fn all() -> Result {
    wasm_target()?;
    widget_toolchain()?;
    let lock = fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let bindgen = locked_version(&lock, "wasm-bindgen").ok_or("wasm-bindgen is not in Cargo.lock")?;
    let worker = locked_version(&lock, "worker").ok_or("worker is not in Cargo.lock")?;
    cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &bindgen)?;
    cargo_tool("worker-build", "worker-build", &worker)?;
    cargo_tool("wasm-pack", "wasm-pack", WASM_PACK_VERSION)?;
    npm_packages()?;
    debian_packages()
}

fn wasm_target() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    run_cmd("rustup", &["target", "add", "wasm32-unknown-unknown"])
}

/// The widget's pinned nightly with the standard library's source, which `-Zbuild-std` needs.
fn widget_toolchain() -> Result {
    let installed = output("rustup", &["component", "list", "--installed", "--toolchain", WIDGET_TOOLCHAIN]);
    if installed.is_some_and(|list| list.lines().any(|l| l.trim() == "rust-src")) {
        return Ok(());
    }
    run_cmd("rustup", &["toolchain", "install", WIDGET_TOOLCHAIN, "--profile", "minimal", "--component", "rust-src"])
}

/// What `cargo xtask fuzz` and the test command's fuzz smoke need besides the rest: cargo-fuzz
/// (the pinned nightly, which it builds with, is the widget's).
pub fn fuzzing() -> Result {
    let have = output("cargo", &[&format!("+{WIDGET_TOOLCHAIN}"), "fuzz", "--version"]).unwrap_or_default();
    if have.split_whitespace().any(|w| w == crate::fuzz::CARGO_FUZZ_VERSION) {
        return Ok(());
    }
    println!("xtask: installing cargo-fuzz {} (a few minutes, once)", crate::fuzz::CARGO_FUZZ_VERSION);
    run_cmd("cargo", &["install", "cargo-fuzz", "--version", crate::fuzz::CARGO_FUZZ_VERSION])
}

/// What `cargo xtask bench` needs besides the rest: wrk (Debian) and twiggy (crates.io).
pub fn benching() -> Result {
    if !Path::new("/usr/bin/wrk").exists() {
        run_cmd("apt-get", &["install", "-y", "-qq", "wrk"])?;
    }
    cargo_tool("twiggy", "twiggy", TWIGGY_VERSION)
}

/// The version Cargo.lock pins for `name`.
pub fn locked_version(lock: &str, name: &str) -> Option<String> {
    let needle = format!("name = \"{name}\"\n");
    let at = lock.find(&needle)? + needle.len();
    let line = lock[at..].lines().next()?;
    Some(line.strip_prefix("version = \"")?.trim_end_matches('"').to_owned())
}

/// Installs `krate` at `version` unless `bin --version` already reports it.
fn cargo_tool(bin: &str, krate: &str, version: &str) -> Result {
    let have = output(bin, &["--version"]).unwrap_or_default();
    if have.split_whitespace().any(|w| w.trim_start_matches('v') == version) {
        return Ok(());
    }
    println!("xtask: installing {krate} {version} (a few minutes, once)");
    // Not `--locked`: the tools' own lock files name versions the registry may not serve.
    run_cmd("cargo", &["install", krate, "--version", version])
}

/// `npm ci` from package-lock.json, skipped when node_modules was made from the same lock.
fn npm_packages() -> Result {
    let root = root();
    let lock = fs::read(root.join("package-lock.json")).map_err(|e| format!("package-lock.json: {e}"))?;
    let stamp = root.join("node_modules/.tollgate-lock");
    if fs::read(&stamp).ok().as_deref() == Some(&lock[..]) {
        return Ok(());
    }
    run_cmd("npm", &["ci", "--no-audit", "--no-fund"])?;
    fs::write(&stamp, &lock).map_err(|e| format!("{}: {e}", stamp.display()))
}

/// Chromium and its driver for browser tests.
fn debian_packages() -> Result {
    let wanted = [("/usr/bin/chromium", "chromium"), ("/usr/bin/chromedriver", "chromium-driver")];
    let missing: Vec<&str> = wanted.iter().filter(|(p, _)| !Path::new(p).exists()).map(|(_, pkg)| *pkg).collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: installing Debian packages {missing:?}");
    run_cmd("apt-get", &["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(&missing);
    run_cmd("apt-get", &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_locked_versions() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.80\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(locked_version(lock, "wasm-bindgen-futures").as_deref(), Some("0.4.80"));
        assert_eq!(locked_version(lock, "worker"), None);
    }
}
