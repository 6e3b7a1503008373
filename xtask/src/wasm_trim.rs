//! Trimming what the widget never uses from wasm-bindgen's output: a dependency's exports, the
//! glue's classes for them, and the glue's imports that the optimized wasm no longer imports.
//!
//! Why: a `#[wasm_bindgen]` export is a root of the module: wasm-opt keeps it and everything it reaches, used or not.
//! Leptos's server functions link wasm-streams, whose stream adapters (`IntoUnderlyingSource`,
//! `…Sink`, `…ByteSource`) are such exports, with their futures and formatting code behind
//! them. The widget has no server functions, so nothing calls them; without these roots
//! wasm-opt removes that code (1.6 KB of the gzipped wasm), and `drop_classes` their classes
//! from the glue.

/// Exports whose names start with one of these are dropped from the widget's wasm.
pub const UNUSED_EXPORTS: [&str; 2] = ["intounderlying", "__wbg_intounderlying"];

fn read_leb(bytes: &[u8], at: &mut usize) -> Option<u32> {
    let mut value = 0u32;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn write_leb(mut n: u32, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The module with every export named with one of `prefixes` removed, and the names removed;
/// `None` if the bytes are not a module this reader understands.
pub fn drop_exports(module: &[u8], prefixes: &[&str]) -> Option<(Vec<u8>, Vec<String>)> {
    const HEADER: usize = 8;
    const EXPORT_SECTION: u8 = 7;
    if module.len() < HEADER || &module[..4] != b"\0asm" {
        return None;
    }
    let mut out = module[..HEADER].to_vec();
    let mut dropped = Vec::new();
    let mut at = HEADER;
    while at < module.len() {
        let id = module[at];
        let mut body_at = at + 1;
        let size = read_leb(module, &mut body_at)? as usize;
        let end = body_at.checked_add(size).filter(|&e| e <= module.len())?;
        if id != EXPORT_SECTION {
            out.extend_from_slice(&module[at..end]);
            at = end;
            continue;
        }
        let mut p = body_at;
        let count = read_leb(module, &mut p)?;
        let mut kept = Vec::new();
        let mut kept_count = 0u32;
        for _ in 0..count {
            let start = p;
            let len = read_leb(module, &mut p)? as usize;
            let name = std::str::from_utf8(module.get(p..p + len)?).ok()?.to_owned();
            p += len + 1; // the name, then the export's kind
            read_leb(module, &mut p)?; // its index
            if prefixes.iter().any(|prefix| name.starts_with(prefix)) {
                dropped.push(name);
            } else {
                kept.extend_from_slice(&module[start..p]);
                kept_count += 1;
            }
        }
        let mut body = Vec::new();
        write_leb(kept_count, &mut body);
        body.extend(kept);
        out.push(EXPORT_SECTION);
        write_leb(u32::try_from(body.len()).ok()?, &mut out);
        out.extend(body);
        at = end;
    }
    Some((out, dropped))
}

/// One entry of a module's import section: where it lies in the module, and where its own
/// name (after the name of the module it is imported from) lies.
struct Import {
    start: usize,
    /// Where the name's length is written (before the name), however many bytes it takes.
    name_len_at: usize,
    name: std::ops::Range<usize>,
    end: usize,
}

/// The import section (from its id byte to its end) and its entries; `None` inside when the
/// module imports nothing.
fn import_section(module: &[u8]) -> Option<Option<(std::ops::Range<usize>, Vec<Import>)>> {
    const IMPORT_SECTION: u8 = 2;
    let mut at = 8;
    while at < module.len() {
        let id = module[at];
        let mut p = at + 1;
        let size = read_leb(module, &mut p)? as usize;
        let end = p.checked_add(size).filter(|&e| e <= module.len())?;
        if id == IMPORT_SECTION {
            let count = read_leb(module, &mut p)?;
            let mut entries = Vec::new();
            for _ in 0..count {
                let start = p;
                let len = read_leb(module, &mut p)? as usize;
                p += len; // the module's name
                let name_len_at = p;
                let len = read_leb(module, &mut p)? as usize;
                let name = p..p + len;
                std::str::from_utf8(module.get(name.clone())?).ok()?;
                p += len;
                match *module.get(p)? {
                    0 => {
                        p += 1;
                        read_leb(module, &mut p)?;
                    }
                    1 => {
                        p += 2; // a table: its element type, then its limits
                        let flags = read_leb(module, &mut p)?;
                        read_leb(module, &mut p)?;
                        if flags & 1 == 1 {
                            read_leb(module, &mut p)?;
                        }
                    }
                    2 => {
                        p += 1;
                        let flags = read_leb(module, &mut p)?;
                        read_leb(module, &mut p)?;
                        if flags & 1 == 1 {
                            read_leb(module, &mut p)?;
                        }
                    }
                    3 => p += 3,
                    _ => return None,
                }
                entries.push(Import { start, name_len_at, name, end: p });
            }
            return (p == end).then_some(Some((at..end, entries)));
        }
        at = end;
    }
    Some(None)
}

/// The names of the functions, tables, memories and globals the module imports.
pub fn import_names(module: &[u8]) -> Option<Vec<String>> {
    let Some((_, entries)) = import_section(module)? else { return Some(Vec::new()) };
    Some(entries.iter().map(|i| String::from_utf8_lossy(&module[i.name.clone()]).into_owned()).collect())
}

/// The `n`th short name: `a` to `z`, `A` to `Z`, then two letters.
fn short_name(n: usize) -> String {
    const LETTERS: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = String::new();
    let mut n = n;
    loop {
        name.insert(0, char::from(LETTERS[n % 52]));
        if n < 52 {
            return name;
        }
        n = n / 52 - 1;
    }
}

/// The module with each import renamed to a short name (wasm-bindgen's carry a 16-digit hash
/// each: random to gzip, and written twice, here and in the glue), and the glue with its
/// imports object's keys renamed to match. `None` if either is not what this reader expects:
/// each import must be a key of the (unminified) glue's imports object exactly once.
pub fn shorten_imports(module: &[u8], glue: &str) -> Option<(Vec<u8>, String)> {
    const INDENT: &str = "        ";
    let Some((section, entries)) = import_section(module)? else { return Some((module.to_vec(), glue.to_owned())) };
    let mut body = Vec::new();
    write_leb(u32::try_from(entries.len()).ok()?, &mut body);
    let mut glue = glue.to_owned();
    for (n, import) in entries.iter().enumerate() {
        let old = std::str::from_utf8(&module[import.name.clone()]).ok()?;
        let new = short_name(n);
        let key = |name: &str| "\n".to_owned() + INDENT + name + ": function";
        if glue.matches(&key(old)).count() != 1 {
            return None;
        }
        glue = glue.replace(&key(old), &key(&new));
        body.extend_from_slice(&module[import.start..import.name_len_at]);
        write_leb(u32::try_from(new.len()).ok()?, &mut body);
        body.extend_from_slice(new.as_bytes());
        body.extend_from_slice(&module[import.name.end..import.end]);
    }
    let mut out = module[..section.start].to_vec();
    out.push(module[section.start]);
    write_leb(u32::try_from(body.len()).ok()?, &mut out);
    out.extend(body);
    out.extend_from_slice(&module[section.end..]);
    Some((out, glue))
}

/// wasm-bindgen's (unminified) glue without the entries of its imports object that `imported`
/// does not name, and how many were removed. Each entry starts on a line of its own, indented
/// eight spaces (`        __wbg_fetch_…: function(…) {`), and ends on the next line that
/// starts with those eight spaces and `}`.
pub fn prune_glue(glue: &str, imported: &[String]) -> (String, usize) {
    const INDENT: &str = "        ";
    let mut out = String::with_capacity(glue.len());
    let mut skipping = false;
    let mut removed = 0;
    for line in glue.split_inclusive('\n') {
        if skipping {
            skipping = !line.starts_with(&(INDENT.to_owned() + "}"));
            continue;
        }
        let entry = line
            .strip_prefix(INDENT)
            .filter(|rest| !rest.starts_with(' '))
            .and_then(|rest| rest.split_once(": function"))
            .map(|(name, _)| name)
            .filter(|name| name.starts_with("__wbg_") || name.starts_with("__wbindgen_"));
        if let Some(name) = entry
            && !imported.iter().any(|i| i == name)
        {
            removed += 1;
            // An entry whose first line also closes it (`…{ … },`) is one line long.
            skipping = !line.trim_end().ends_with("},");
            continue;
        }
        out.push_str(line);
    }
    (out, removed)
}

/// The (unminified) glue without the classes that call an export in `dropped`, their
/// `Symbol.dispose` line and their `FinalizationRegistry`, and the names of those classes. A
/// class is `export class Name {` to the next line that is `}`; its registry is `const
/// NameFinalization = …` to the line that ends with `;`.
pub fn drop_classes(glue: &str, dropped: &[String]) -> (String, Vec<String>) {
    let lines: Vec<&str> = glue.split_inclusive('\n').collect();
    let mut gone: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(name) = lines[i].strip_prefix("export class ").and_then(|r| r.split_once(' ')).map(|(n, _)| n) {
            let end = (i..lines.len()).find(|&j| lines[j].trim_end() == "}").unwrap_or(i);
            let calls_dropped =
                lines[i..=end].iter().any(|l| dropped.iter().any(|d| l.contains(&("wasm.".to_owned() + d + "("))));
            if calls_dropped {
                gone.push(name.to_owned());
            }
            i = end;
        }
        i += 1;
    }
    let mut out = String::with_capacity(glue.len());
    let mut skip_until_semicolon = false;
    let mut in_class = false;
    for line in lines {
        if skip_until_semicolon {
            skip_until_semicolon = !line.trim_end().ends_with(';');
            continue;
        }
        if in_class {
            in_class = line.trim_end() != "}";
            continue;
        }
        let class = |prefix: &str| gone.iter().any(|c| line.starts_with(&(prefix.to_owned() + c)));
        if gone.iter().any(|c| line.starts_with(&("export class ".to_owned() + c + " "))) {
            in_class = true;
            continue;
        }
        if class("if (Symbol.dispose) ") {
            continue;
        }
        if gone.iter().any(|c| line.starts_with(&("const ".to_owned() + c + "Finalization "))) {
            skip_until_semicolon = !line.trim_end().ends_with(';');
            continue;
        }
        out.push_str(line);
    }
    (out, gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with a type, a function and three exports of it; `exports` names them.
    fn module(exports: &[&str]) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend([1, 4, 1, 0x60, 0, 0]); // type section: () -> ()
        m.extend([3, 2, 1, 0]); // function section: one function of type 0
        let mut body = Vec::new();
        write_leb(exports.len() as u32, &mut body);
        for name in exports {
            write_leb(name.len() as u32, &mut body);
            body.extend(name.as_bytes());
            body.extend([0, 0]); // a function, index 0
        }
        m.push(7);
        write_leb(body.len() as u32, &mut m);
        m.extend(body);
        m.extend([10, 4, 1, 2, 0, 0x0b]); // code section: an empty body
        m
    }

    #[test]
    fn drops_only_the_named_exports_and_keeps_the_rest_of_the_module() {
        let before = module(&["mount", "intounderlyingsource_pull", "__wbg_intounderlyingsink_free"]);
        let (after, dropped) = drop_exports(&before, &UNUSED_EXPORTS).unwrap();
        assert_eq!(dropped, ["intounderlyingsource_pull", "__wbg_intounderlyingsink_free"]);
        assert_eq!(after, module(&["mount"]));
        let (same, none) = drop_exports(&after, &UNUSED_EXPORTS).unwrap();
        assert_eq!((same, none.len()), (after, 0));
    }

    #[test]
    fn the_glue_keeps_only_what_the_wasm_imports() {
        let glue = "function imports() {\n    const import0 = {\n        __proto__: null,\n        __wbg_fetch_1: function(arg0) {\n            return fetch(arg0);\n        },\n        __wbg_enqueue_2: function() { return handleError(function (arg0, arg1) {\n            arg0.enqueue(arg1);\n        }, arguments); },\n        __wbindgen_cast_3: function(arg0) {\n            return arg0;\n        },\n    };\n}\n";
        let (kept, removed) = prune_glue(glue, &["__wbg_fetch_1".to_owned()]);
        assert_eq!(removed, 2);
        assert_eq!(
            kept,
            "function imports() {\n    const import0 = {\n        __proto__: null,\n        __wbg_fetch_1: function(arg0) {\n            return fetch(arg0);\n        },\n    };\n}\n"
        );
        let (all, none) =
            prune_glue(glue, &["__wbg_fetch_1".into(), "__wbg_enqueue_2".into(), "__wbindgen_cast_3".into()]);
        assert_eq!((all.as_str(), none), (glue, 0));
    }

    #[test]
    fn the_glue_loses_the_classes_of_dropped_exports() {
        let glue = "export class Source {\n    pull(c) {\n        return wasm.source_pull(this.__wbg_ptr, c);\n    }\n}\nif (Symbol.dispose) Source.prototype[Symbol.dispose] = Source.prototype.free;\n\nexport class MountHandle {\n    unmount() {\n        wasm.mounthandle_unmount(this.__wbg_ptr);\n    }\n}\nconst SourceFinalization = (typeof FinalizationRegistry === 'undefined')\n    ? { register: () => {}, unregister: () => {} }\n    : new FinalizationRegistry(ptr => wasm.__wbg_source_free(ptr, 1));\nconst MountHandleFinalization = 1;\n";
        let (kept, gone) = drop_classes(glue, &["source_pull".to_owned()]);
        assert_eq!(gone, ["Source"]);
        assert_eq!(
            kept,
            "\nexport class MountHandle {\n    unmount() {\n        wasm.mounthandle_unmount(this.__wbg_ptr);\n    }\n}\nconst MountHandleFinalization = 1;\n"
        );
        assert_eq!(drop_classes(glue, &[]).0, glue);
    }

    #[test]
    fn reads_the_names_a_module_imports() {
        // An import section: one function `m.f` of type 0, and a memory `m.mem`.
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend([1, 4, 1, 0x60, 0, 0]);
        let body = [&[2u8][..], &[1, b'm', 1, b'f', 0, 0], &[1, b'm', 3, b'm', b'e', b'm', 2, 0, 1]].concat();
        m.push(2);
        m.push(body.len() as u8);
        m.extend(body);
        assert_eq!(import_names(&m).unwrap(), ["f", "mem"]);
        assert_eq!(import_names(&module(&["mount"])).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn imports_get_short_names_in_the_module_and_the_glue_alike() {
        // Two functions imported from the glue, and the code section after them.
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend([1, 4, 1, 0x60, 0, 0]);
        let entry = |name: &str| [&[4u8][..], b"./bg", &[name.len() as u8], name.as_bytes(), &[0, 0]].concat();
        let long = "__wbg_fetch_967cb927b0c01d88";
        let body = [&[2u8][..], &entry(long), &entry("__wbindgen_init_externref_table")].concat();
        m.push(2);
        m.push(body.len() as u8);
        m.extend(body);
        m.extend([10, 4, 1, 2, 0, 0x0b]);
        let glue = "const import0 = {\n        __proto__: null,\n        __wbg_fetch_967cb927b0c01d88: function(arg0) {\n            return fetch(arg0);\n        },\n        __wbindgen_init_externref_table: function() {\n        },\n    };\n";
        let (module, glue) = shorten_imports(&m, glue).unwrap();
        assert_eq!(import_names(&module).unwrap(), ["a", "b"]);
        assert_eq!(module[module.len() - 6..], [10, 4, 1, 2, 0, 0x0b], "the rest of the module as it was");
        assert_eq!(
            glue,
            "const import0 = {\n        __proto__: null,\n        a: function(arg0) {\n            return fetch(arg0);\n        },\n        b: function() {\n        },\n    };\n"
        );
        // An import the glue does not name as a key is not guessed at.
        assert!(shorten_imports(&m, "const import0 = {};\n").is_none());
        assert_eq!([short_name(0), short_name(51), short_name(52), short_name(53)], ["a", "Z", "aa", "ab"]);
    }

    #[test]
    fn a_name_length_written_in_more_bytes_than_needed_is_replaced_whole() {
        // `f`'s length as two bytes (0x81 0x00): valid LEB128, if not the shortest.
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend([1, 4, 1, 0x60, 0, 0]);
        let body = [&[1u8][..], &[4], b"./bg", &[0x81, 0x00], b"f", &[0, 0]].concat();
        m.push(2);
        m.push(body.len() as u8);
        m.extend(body);
        let (module, _) = shorten_imports(&m, "\n        f: function() {},\n").unwrap();
        assert_eq!(import_names(&module).unwrap(), ["a"]);
    }

    #[test]
    fn refuses_what_is_not_a_module() {
        assert!(drop_exports(b"not wasm", &UNUSED_EXPORTS).is_none());
        let mut cut = module(&["mount"]);
        cut.truncate(cut.len() - 3);
        assert!(drop_exports(&cut, &UNUSED_EXPORTS).is_none());
    }
}
