//! The build and test steps, and small helpers to run commands loudly.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root. Read at run time: with a shared `CARGO_TARGET_DIR`, a binary built in
/// another clone is reused as fresh, and a path compiled in would point at that clone.
pub fn root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    PathBuf::from(manifest_dir).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// A command to run from the workspace root.
pub fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args).current_dir(root());
    c
}

/// Runs a command, echoing it; any failure is an error naming it.
pub fn run(mut c: Command) -> Result {
    let shown = format!(
        "{} {}",
        c.get_program().display(),
        c.get_args().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
    );
    println!("\n$ {shown}");
    let started = Instant::now();
    let status = c.status().map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if !status.success() {
        return Err(format!("`{shown}` exited with {status}"));
    }
    println!("  (took {:.1} s)", started.elapsed().as_secs_f64());
    Ok(())
}

pub fn run_cmd(program: &str, args: &[&str]) -> Result {
    run(cmd(program, args))
}

/// A command's standard output, or `None` if it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Every test: formatting, native unit/property/fixture tests, the wasm32 builds, and the
/// worker's integration tests against `wrangler dev` on loopback.
pub fn test() -> Result {
    let started = Instant::now();
    run_cmd("cargo", &["fmt", "--all", "--check"])?;
    run_cmd(
        "cargo",
        &[
            "test",
            "--package",
            "shared",
            "--package",
            "gateways",
            "--package",
            "worker-app",
            "--package",
            "widget",
            "--package",
            "dashboard",
            "--package",
            "xtask",
        ],
    )?;
    // Each fuzz target for a few seconds: they keep building, and a quick crash shows.
    crate::setup::fuzzing()?;
    crate::fuzz::run(3, &[])?;
    // The shared model must build for the browser and the worker alike.
    run_cmd("cargo", &["build", "--target", "wasm32-unknown-unknown", "--package", "shared"])?;
    // Widget components in headless Debian Chromium, against a fake API.
    run_cmd("wasm-pack", &["test", "--headless", "--chrome", "--chromedriver", "/usr/bin/chromedriver", "widget"])?;
    build_widget()?;
    build_dashboard()?;
    build_worker()?;
    // The widget's size budget is part of the tests: over it, the command fails.
    crate::size::check(&root())?;
    // One file at a time: each starts its own workerd (and the e2e files a Chromium), and two
    // cores are enough for one.
    // Node 20 has its WebSocket client behind a flag (the live socket's tests use it).
    run_cmd("node", &["--experimental-websocket", "--test", "--test-concurrency=1", "tests/worker/", "tests/e2e/"])?;
    // The buyer's flows again at a phone's size (390×844; the tests above run at a desktop's).
    let mut phone = cmd("node", &["--experimental-websocket", "--test", "--test-concurrency=1", "tests/e2e/"]);
    phone.env("TOLLGATE_VIEWPORT", "390x844");
    run(phone)?;
    // Load, faults and the stock race, reduced: 100 pollers for 10 s, one kill-and-restart.
    stress("smoke")?;
    println!("\nxtask: all tests passed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The stress tests (tests/stress) at a scale: `smoke` (the test command), `full` (`cargo xtask
/// stress`: a few minutes) or `soak` (adds the 15-minute soak).
pub fn stress(scale: &str) -> Result {
    let mut c = cmd("node", &["--experimental-websocket", "--test", "--test-concurrency=1", "tests/stress/"]);
    c.env("TOLLGATE_STRESS", scale);
    run(c)
}

/// `cargo xtask bench`'s measuring part (tests/bench/bench.mjs, then the browser timings of
/// tests/bench/timing.mjs); the JSON goes beside the builds.
pub fn bench() -> Result {
    let json = target_dir().join("bench.json");
    run_cmd("node", &["tests/bench/bench.mjs", &json.to_string_lossy()])?;
    // The checkout's readiness in headless Chromium (tests/bench/timing.mjs).
    let timing = target_dir().join("bench-timing.json");
    run_cmd("node", &["tests/bench/timing.mjs", &timing.to_string_lossy()])
}

/// Where cargo puts build outputs.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

/// wasm-opt from npm's `binaryen` (version 132): Debian's (108) breaks wasm-bindgen's externref
/// table and cannot read the worker's exception handling.
fn wasm_opt() -> PathBuf {
    root().join("node_modules/.bin/wasm-opt")
}

/// The WebAssembly features Rust's wasm32 target emits; wasm-opt may use these and no others.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The toolchain of the widget's release build: a pinned nightly, for the size flags below.
pub const WIDGET_TOOLCHAIN: &str = "nightly-2026-05-20";

/// What the widget's release build gives up for size: panic messages and their locations,
/// `{:?}` output, and unwinding (a panic traps at once). The standard library is rebuilt with
/// them (`-Zbuild-std`), which takes about a fifth off the gzipped wasm.
const WIDGET_RUSTFLAGS: &str = "-Zlocation-detail=none -Zfmt-debug=none -Zunstable-options -Cpanic=immediate-abort";

/// wasm-opt's passes for the widget. `--low-memory-unused` holds for Rust, whose data starts at
/// 1 MiB; `--ignore-implicit-traps` holds because Rust checks bounds and division itself and
/// never relies on a trap.
/// `--flatten --rereloop` then `-Oz` again rebuilds the control flow before shrinking it anew:
/// each of the two rounds took about 1.1 KB off the gzipped wasm, for a slower build.
const WIDGET_WASM_OPT: [&str; 14] = [
    "-Oz",
    "--converge",
    "--flatten",
    "--rereloop",
    "-Oz",
    "--converge",
    "--flatten",
    "--rereloop",
    "-Oz",
    "--converge",
    "--low-memory-unused",
    "--ignore-implicit-traps",
    "--strip-debug",
    "--strip-producers",
];

/// Builds the widget into `www/widget` (served by the worker): a release wasm32 build on the
/// widget toolchain, wasm-bindgen's browser glue (minified by esbuild), then wasm-opt.
pub fn build_widget() -> Result {
    // Its own target directory: the nightly's artifacts never evict the stable build's.
    let target = target_dir().join("widget-release");
    let mut build = cmd(
        "cargo",
        &[
            &format!("+{WIDGET_TOOLCHAIN}"),
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--package",
            "widget",
            "-Zbuild-std=std,panic_abort",
            // The standard library's smaller forms of its algorithms (sorting, formatting):
            // 0.5 KB off the gzipped wasm.
            "-Zbuild-std-features=optimize_for_size",
        ],
    );
    build.env("CARGO_TARGET_DIR", &target).env("RUSTFLAGS", WIDGET_RUSTFLAGS);
    run(build)?;
    let wasm = target.join("wasm32-unknown-unknown/release/widget.wasm");
    let out = root().join("www/widget");
    bind_web(&wasm, &out, "tollgate_widget")?;
    let bg = out.join("tollgate_widget_bg.wasm").to_string_lossy().into_owned();
    let module = std::fs::read(&bg).map_err(|e| format!("{bg}: {e}"))?;
    let (module, dropped) = crate::wasm_trim::drop_exports(&module, &crate::wasm_trim::UNUSED_EXPORTS)
        .ok_or_else(|| format!("{bg}: not a wasm module"))?;
    println!("dropped {} unused exports of dependencies", dropped.len());
    std::fs::write(&bg, module).map_err(|e| format!("{bg}: {e}"))?;
    let mut args = WIDGET_WASM_OPT.to_vec();
    args.extend(WASM_FEATURES);
    args.extend([bg.as_str(), "-o", bg.as_str()]);
    run_cmd(&wasm_opt().to_string_lossy(), &args)?;
    // The glue's imports that the optimized wasm no longer imports go, then it is minified.
    let imported = std::fs::read(&bg).ok().and_then(|m| crate::wasm_trim::import_names(&m)).ok_or("no imports")?;
    let glue = out.join("tollgate_widget.js").to_string_lossy().into_owned();
    let text = std::fs::read_to_string(&glue).map_err(|e| format!("{glue}: {e}"))?;
    let (text, removed) = crate::wasm_trim::prune_glue(&text, &imported);
    let (text, classes) = crate::wasm_trim::drop_classes(&text, &dropped);
    println!("dropped {removed} imports the wasm no longer uses and the classes {classes:?} from the glue");
    std::fs::write(&glue, text).map_err(|e| format!("{glue}: {e}"))?;
    shorten_imports(&bg, &glue)?;
    minify_module(&glue)?;
    copy_locales(&out.join("locales"))?;
    // The loader is written with its comments (widget/loader.js) and served minified.
    let loader = root().join("widget/loader.js").to_string_lossy().into_owned();
    let served = root().join("www/tollgate.js").to_string_lossy().into_owned();
    run_cmd(&esbuild().to_string_lossy(), &[&loader, "--minify", "--target=es2020", &format!("--outfile={served}")])
}

/// Builds the seller console into `www/dashboard` (served at `/dashboard`): a release wasm32
/// build on the stable toolchain (it is not in the buyer's budget, so none of the widget's
/// nightly size work), wasm-bindgen's glue, wasm-opt, and its page, boot script, styles and
/// locales.
pub fn build_dashboard() -> Result {
    run_cmd("cargo", &["build", "--release", "--target", "wasm32-unknown-unknown", "--package", "dashboard"])?;
    let wasm = target_dir().join("wasm32-unknown-unknown/release/dashboard.wasm");
    let out = root().join("www/dashboard");
    bind_web(&wasm, &out, "tollgate_dashboard")?;
    let bg = out.join("tollgate_dashboard_bg.wasm").to_string_lossy().into_owned();
    let mut args = vec!["-Oz", "--strip-debug", "--strip-producers"];
    args.extend(WASM_FEATURES);
    args.extend([bg.as_str(), "-o", bg.as_str()]);
    run_cmd(&wasm_opt().to_string_lossy(), &args)?;
    let glue = out.join("tollgate_dashboard.js").to_string_lossy().into_owned();
    shorten_imports(&bg, &glue)?;
    minify_module(&glue)?;
    let copy =
        |from: &Path, to: &Path| std::fs::copy(from, to).map(drop).map_err(|e| format!("{}: {e}", from.display()));
    for name in ["index.html", "boot.js", "dashboard.css", "favicon.svg"] {
        copy(&root().join("dashboard/static").join(name), &out.join(name))?;
    }
    let locales = out.join("locales");
    std::fs::create_dir_all(&locales).map_err(|e| format!("{}: {e}", locales.display()))?;
    // English is built into the wasm; the others are fetched by the language chosen.
    for entry in std::fs::read_dir(root().join("dashboard/locales")).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if name.ends_with(".json") && name != "en.json" {
            copy(&path, &locales.join(&name))?;
        }
    }
    Ok(())
}

/// Renames the imports of the wasm at `bg` and the keys of its (unminified) glue at `glue`
/// alike, to short names (`wasm_trim::shorten_imports`).
fn shorten_imports(bg: &str, glue: &str) -> Result {
    let module = std::fs::read(bg).map_err(|e| format!("{bg}: {e}"))?;
    let text = std::fs::read_to_string(glue).map_err(|e| format!("{glue}: {e}"))?;
    let (module, text) = crate::wasm_trim::shorten_imports(&module, &text)
        .ok_or_else(|| format!("{glue}: its imports object does not match the wasm's imports"))?;
    std::fs::write(bg, module).map_err(|e| format!("{bg}: {e}"))?;
    std::fs::write(glue, text).map_err(|e| format!("{glue}: {e}"))
}

/// wasm-bindgen's browser glue for `wasm`, named `name`, into a fresh `out`.
fn bind_web(wasm: &Path, out: &Path, name: &str) -> Result {
    let _ = std::fs::remove_dir_all(out);
    let (out, wasm) = (out.to_string_lossy(), wasm.to_string_lossy());
    run_cmd("wasm-bindgen", &["--target", "web", "--no-typescript", "--out-name", name, "--out-dir", &out, &wasm])
}

/// An ES module minified in place by esbuild.
fn minify_module(path: &str) -> Result {
    run_cmd(
        &esbuild().to_string_lossy(),
        &[path, "--minify", "--format=esm", "--target=es2020", "--allow-overwrite", &format!("--outfile={path}")],
    )
}

/// The locales' texts beside the widget, one file each, in their shipped form
/// (`widget/locale_format.rs`; English is built into the wasm and not copied).
fn copy_locales(to: &Path) -> Result {
    let from = root().join("widget/locales");
    let english = std::fs::read_to_string(from.join("en.json")).map_err(|e| format!("en.json: {e}"))?;
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(&from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        if name == "en.json" || !name.ends_with(".json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let shipped = crate::locale_format::shipped(&text, &english);
        std::fs::write(to.join(name), shipped).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

/// esbuild from npm (worker-build would otherwise download its own).
fn esbuild() -> PathBuf {
    root().join("node_modules/@esbuild/linux-x64/bin/esbuild")
}

/// Builds the worker with worker-build into `worker/build`, on locally installed tools only:
/// without the `*_BIN` overrides worker-build downloads its own from GitHub releases.
pub fn build_worker() -> Result {
    let bindgen = output("which", &["wasm-bindgen"]).ok_or("wasm-bindgen is not installed")?;
    let mut c = cmd("worker-build", &["--release"]);
    c.current_dir(root().join("worker"))
        .env("WASM_BINDGEN_BIN", bindgen.trim())
        .env("ESBUILD_BIN", esbuild())
        .env("WASM_OPT_BIN", wasm_opt());
    run(c)?;
    // worker-build keeps the function names (`--debuginfo`): 288 KB, 18 % of the wasm, that
    // only a trap's stack trace would show. A panic still logs its message and where it was
    // (workers-rs's panic hook), so they go; nothing else is changed.
    let wasm = root().join("worker/build/index_bg.wasm").to_string_lossy().into_owned();
    let mut args = vec!["--strip-debug"];
    args.extend(WASM_FEATURES);
    args.extend(["--enable-exception-handling", wasm.as_str(), "-o", wasm.as_str()]);
    run_cmd(&wasm_opt().to_string_lossy(), &args)
}

/// Builds everything and serves the demo store on 127.0.0.1 (port 8787 unless `--port N`).
pub fn serve(args: &[String]) -> Result {
    let port = match args {
        [] => "8787".to_owned(),
        [flag, n] if flag == "--port" && n.parse::<u16>().is_ok() => n.clone(),
        _ => return Err("usage: cargo xtask run [--port N]".into()),
    };
    build_widget()?;
    build_dashboard()?;
    build_worker()?;
    println!("\nxtask: serving the demo store on http://127.0.0.1:{port} (Ctrl-C stops it)");
    // Test mode is wrangler.toml's `sandbox` environment: the top level is the live store.
    let mut c = cmd("node_modules/.bin/wrangler", &["dev", "--env", "sandbox", "--ip", "127.0.0.1", "--port", &port]);
    c.env("WRANGLER_SEND_METRICS", "false");
    run(c)
}
