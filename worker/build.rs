//! Turns `catalog.toml` into JSON at build time, so the worker reads its catalog with the JSON
//! parser it has anyway and ships no TOML parser (about 160 KB of wasm). Only the syntax is read
//! here: a file that is not TOML fails the build, naming the line; what the catalog means is
//! checked by `catalog::parse` in the worker, like any other input.

use std::path::PathBuf;
use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-changed=catalog.toml");
    let source = fs::read_to_string("catalog.toml").expect("worker/catalog.toml is readable");
    let value: toml::Value = toml::from_str(&source).unwrap_or_else(|e| panic!("worker/catalog.toml: {e}"));
    let json = serde_json::to_string(&value).expect("a TOML document is JSON");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("catalog.json");
    fs::write(out, json).expect("OUT_DIR is writable");
}
