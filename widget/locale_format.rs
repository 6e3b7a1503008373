//! The form the locales' texts ship in, shared by the widget's build script (English, built
//! into the wasm), `cargo xtask` (the other locales, served beside the widget) and the widget's
//! tests.
//!
//! `widget/locales/<tag>.json` keep one text a line, `"key": "text",`, for people to write and
//! review. What ships is a JSON array: first a fingerprint of English's keys, then each text in
//! English's key order, so the widget looks a text up by its key's number and no key name is
//! downloaded (about a third of a locale file). A file whose fingerprint is not the widget's
//! (a widget and a locale file of different releases) is not used: English shows instead.

/// A source file's `(key, text)` pairs in their order; the text is its JSON string literal,
/// quotes and escapes included.
pub fn entries(source: &str) -> Vec<(&str, &str)> {
    source
        .lines()
        .filter_map(|line| {
            let line = line.trim().trim_end_matches(',');
            let rest = line.strip_prefix('"')?;
            let (key, text) = rest.split_once("\": ")?;
            (text.len() >= 2 && text.starts_with('"') && text.ends_with('"')).then_some((key, text))
        })
        .collect()
}

/// FNV-1a (32 bits) over the keys in order, as 8 hex digits: any key added, removed, renamed or
/// moved changes it.
pub fn fingerprint<'a>(keys: impl IntoIterator<Item = &'a str>) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for key in keys {
        for b in key.bytes().chain([b'\n']) {
            hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
    }
    format!("{hash:08x}")
}

/// `source`'s texts as shipped, in `english`'s key order; a key the locale lacks is `null`
/// (English shows for it).
pub fn shipped(source: &str, english: &str) -> String {
    let english = entries(english);
    let texts = entries(source);
    let mut out = "[\"".to_owned() + &fingerprint(english.iter().map(|(k, _)| *k)) + "\"";
    for (key, _) in &english {
        out.push(',');
        out.push_str(texts.iter().find(|(k, _)| k == key).map_or("null", |(_, t)| t));
    }
    out + "]"
}
