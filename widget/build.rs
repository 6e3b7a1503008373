//! The widget's stylesheet and English texts ship inside the wasm. The stylesheet's comments
//! and layout whitespace are removed here, so `src/widget.css` stays readable (about 250 B of
//! the gzipped download); English is turned into the shipped form of `locale_format.rs`.

#[path = "locale_format.rs"]
mod locale_format;

fn minify(css: &str) -> String {
    let mut without_comments = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        without_comments.push_str(&rest[..start]);
        rest = rest[start + 2..].split_once("*/").map_or("", |(_, after)| after);
    }
    without_comments.push_str(rest);
    let words: Vec<&str> = without_comments.split_whitespace().collect();
    let mut out = words.join(" ");
    // Spaces beside these never matter. A space before ':' can (`a :hover`), so it stays.
    for mark in ["{", "}", ";", ","] {
        out = out.replace(&(" ".to_owned() + mark), mark).replace(&(mark.to_owned() + " "), mark);
    }
    out.replace(": ", ":").replace(";}", "}")
}

fn main() {
    println!("cargo::rerun-if-changed=src/widget.css");
    println!("cargo::rerun-if-changed=locales/en.json");
    println!("cargo::rerun-if-changed=locale_format.rs");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let css = std::fs::read_to_string("src/widget.css").expect("src/widget.css");
    std::fs::write(out.join("widget.css"), minify(&css)).expect("the minified stylesheet");
    let english = std::fs::read_to_string("locales/en.json").expect("locales/en.json");
    std::fs::write(out.join("en.json"), locale_format::shipped(&english, &english)).expect("English, shipped");
}
