//! The catalog document, its stock and its audit log, in the store's SQLite: seeded once from
//! the built-in catalog, changed only through `catalog::edit` (validated whole) and the stock
//! operations here, each change and its audit entry written in one run with no await between.

use serde::Deserialize;
use serde_json::Value;
use worker::Result;

use super::requests::{
    AuditEntry, AuditPage, AuditRead, AuditRecord, CatalogDoc, CatalogEdit, CatalogRead, Edited, StockAdded,
    StockAppend, StockItem, StockLevels, StockStates, StockWithdraw, Withdrawn,
};
use super::{StoreObject, int, text};
use crate::catalog::edit::{self, Applied};
use crate::catalog::{self, Delivery};
use crate::ids;

/// Most items one request may add, and the longest item: a licence key or a download link.
pub const MAX_ITEMS: usize = 10_000;
pub const MAX_ITEM_CHARS: usize = 1_000;

#[derive(Deserialize)]
struct DocRow {
    version: i64,
    doc: String,
}

#[derive(Deserialize)]
struct ItemRow {
    seq: i64,
    item: String,
    state: String,
    order_id: Option<String>,
}

#[derive(Deserialize)]
struct AuditRow {
    seq: i64,
    at_ms: i64,
    actor: String,
    action: String,
    target: String,
    detail: String,
}

/// A stock item's id, stable for its product: its place in the list.
pub fn item_id(seq: i64) -> String {
    format!("itm_{seq}")
}

/// The end of an item, enough for a seller to tell which one it is, never enough to use it.
pub fn hint(item: &str) -> String {
    let chars: Vec<char> = item.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    if chars.len() <= 8 { "…".into() } else { format!("…{tail}") }
}

/// The lines of a pasted list as items: trimmed, blank lines skipped; every line at fault is
/// named (1-based), with what is wrong.
pub fn lines(
    items: &[String],
    taken: impl Fn(&str) -> bool,
) -> std::result::Result<Vec<String>, Vec<(String, String)>> {
    let mut seen = std::collections::HashSet::new();
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (i, raw) in items.iter().enumerate() {
        let item = raw.trim();
        let at = format!("items[{}]", i + 1);
        if item.is_empty() {
            continue;
        }
        if item.chars().count() > MAX_ITEM_CHARS {
            problems.push((at, format!("is longer than {MAX_ITEM_CHARS} characters")));
        } else if !seen.insert(item.to_owned()) {
            problems.push((at, "repeats an earlier line".into()));
        } else if taken(item) {
            problems.push((at, "is already in stock (or was withdrawn or delivered)".into()));
        }
        out.push(item.to_owned());
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(("items".into(), "has no item".into()));
    }
    if out.len() > MAX_ITEMS {
        problems.push(("items".into(), format!("has more than {MAX_ITEMS} items; send them in parts")));
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

impl StoreObject {
    /// The catalog's first version, from the built-in seed, when the store has none.
    pub(super) fn seed_catalog(&self) -> Result<()> {
        if self.count("SELECT COUNT(*) AS n FROM catalog", vec![])? > 0 {
            return Ok(());
        }
        let (doc, stock) = edit::seed(catalog::SOURCE_JSON).map_err(worker::Error::RustError)?;
        self.add_items(&stock)?;
        self.sql().exec(
            "INSERT INTO catalog (id, version, doc) VALUES (1, 1, ?)",
            vec![text(serde_json::to_string(&doc)?)],
        )?;
        let now_ms = worker::Date::now().as_millis() as i64;
        self.audit("tollgate", "catalog.seed", "catalog", &serde_json::json!({"stock_items": stock.len()}), now_ms)?;
        Ok(())
    }

    /// Adds items to products' stock, skipping ones already there; the ids given.
    fn add_items(&self, items: &[(String, String)]) -> Result<Vec<StockItem>> {
        let sql = self.sql();
        let mut added = Vec::new();
        for (product_id, item) in items {
            if self.count("SELECT COUNT(*) AS n FROM stock WHERE item = ?", vec![text(item)])? > 0 {
                continue;
            }
            let seq = self.count(
                "SELECT COALESCE(MAX(seq), -1) + 1 AS n FROM stock WHERE product_id = ?",
                vec![text(product_id)],
            )?;
            sql.exec(
                "INSERT INTO stock (product_id, item, seq, order_id, state) VALUES (?, ?, ?, NULL, 'available')",
                vec![text(product_id), text(item), int(seq)],
            )?;
            added.push(StockItem { id: item_id(seq), state: "available".into(), hint: hint(item), order_id: None });
        }
        Ok(added)
    }

    fn audit(&self, actor: &str, action: &str, target: &str, detail: &Value, now_ms: i64) -> Result<()> {
        self.sql().exec(
            "INSERT INTO audit (at_ms, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
            vec![int(now_ms), text(actor), text(action), text(target), text(detail.to_string())],
        )?;
        Ok(())
    }

    fn doc(&self) -> Result<(u64, Value)> {
        let row: DocRow = self.sql().exec("SELECT version, doc FROM catalog WHERE id = 1", None)?.one()?;
        Ok((row.version as u64, serde_json::from_str(&row.doc)?))
    }

    pub(super) fn catalog_version(&self) -> Result<u64> {
        Ok(self.count("SELECT version AS n FROM catalog WHERE id = 1", vec![])? as u64)
    }

    pub(super) fn read_catalog(&self, _: CatalogRead) -> Result<CatalogDoc> {
        let row: DocRow = self.sql().exec("SELECT version, doc FROM catalog WHERE id = 1", None)?.one()?;
        Ok(CatalogDoc { version: row.version as u64, doc: row.doc })
    }

    pub(super) fn edit_catalog(&self, e: CatalogEdit) -> Result<Edited> {
        let (version, doc) = self.doc()?;
        let new_id = |prefix: &str| format!("{prefix}_{}", &ids::hex(&ids::random_bytes::<8>()));
        let Applied { doc, entry, stock, .. } = match edit::apply(&doc, &e.edit, new_id) {
            Ok(a) => a,
            Err(refused) => return Ok(Edited::Refused { refused }),
        };
        let added = self.add_items(&stock)?;
        let version = version + 1;
        let doc = serde_json::to_string(&doc)?;
        self.sql()
            .exec("UPDATE catalog SET version = ?, doc = ? WHERE id = 1", vec![int(version as i64), text(&doc)])?;
        let (action, target) = e.edit.describe();
        let target = entry.get("id").and_then(Value::as_str).map_or(target, str::to_owned);
        // The change as asked, less stock items: the log never holds a deliverable.
        let mut detail = serde_json::to_value(&e.edit)?;
        for pointer in ["/product/delivery/stock", "/patch/delivery/stock"] {
            if let Some(v) = detail.pointer_mut(pointer) {
                *v = Value::from(v.as_array().map_or(0, Vec::len));
            }
        }
        if let Some(v) = detail.get_mut("doc") {
            *v = Value::from("(a whole catalog)");
        }
        detail["stock_items_added"] = Value::from(added.len());
        self.audit(&e.actor, action, &target, &detail, e.now_ms)?;
        Ok(Edited::Done { version, doc, entry })
    }

    /// The product as the catalog has it, archived or not, and whether it is sold by stock.
    fn stock_product(&self, product_id: &str) -> Result<Option<bool>> {
        let (_, doc) = self.doc()?;
        let catalog =
            catalog::check_value(doc).map_err(|p| worker::Error::RustError(catalog::messages(p).join("; ")))?;
        Ok(catalog.products.iter().find(|p| p.id == product_id).map(|p| matches!(p.delivery, Delivery::Stock(_))))
    }

    pub(super) fn append_stock(&self, a: StockAppend) -> Result<StockAdded> {
        match self.stock_product(&a.product_id)? {
            None => return Ok(StockAdded::NoSuchProduct),
            Some(false) => return Ok(StockAdded::NotStock),
            Some(true) => {}
        }
        let taken = |item: &str| {
            self.count("SELECT COUNT(*) AS n FROM stock WHERE item = ?", vec![text(item)]).unwrap_or(1) > 0
        };
        let items = match lines(&a.items, taken) {
            Ok(items) => items,
            Err(problems) => return Ok(StockAdded::Refused { problems }),
        };
        let pairs: Vec<(String, String)> = items.into_iter().map(|i| (a.product_id.clone(), i)).collect();
        let added = self.add_items(&pairs)?;
        let ids: Vec<&str> = added.iter().map(|i| i.id.as_str()).collect();
        self.audit(&a.actor, "stock.append", &a.product_id, &serde_json::json!({"items": ids}), a.now_ms)?;
        Ok(StockAdded::Added { levels: self.levels(StockLevels { product_id: a.product_id, items: false })?, added })
    }

    pub(super) fn withdraw_stock(&self, w: StockWithdraw) -> Result<Withdrawn> {
        let seq = match w.item_id.strip_prefix("itm_").and_then(|s| s.parse::<i64>().ok()) {
            Some(seq) => seq,
            None => return Ok(Withdrawn::NoSuchItem),
        };
        let rows: Vec<ItemRow> = self
            .sql()
            .exec(
                "SELECT seq, item, state, order_id FROM stock WHERE product_id = ? AND seq = ?",
                vec![text(&w.product_id), int(seq)],
            )?
            .to_array()?;
        let Some(row) = rows.first() else { return Ok(Withdrawn::NoSuchItem) };
        if row.state != "available" {
            return Ok(Withdrawn::NotAvailable { state: row.state.clone() });
        }
        // Kept as withdrawn, never deleted: the same key cannot be loaded again by mistake.
        self.sql().exec(
            "UPDATE stock SET state = 'withdrawn' WHERE product_id = ? AND seq = ? AND state = 'available'",
            vec![text(&w.product_id), int(seq)],
        )?;
        self.audit(&w.actor, "stock.withdraw", &w.product_id, &serde_json::json!({"item": w.item_id}), w.now_ms)?;
        Ok(Withdrawn::Done { levels: self.levels(StockLevels { product_id: w.product_id, items: false })? })
    }

    pub(super) fn levels(&self, s: StockLevels) -> Result<StockStates> {
        let count = |state: &str| {
            self.count(
                "SELECT COUNT(*) AS n FROM stock WHERE product_id = ? AND state = ?",
                vec![text(&s.product_id), text(state)],
            )
        };
        let items = if s.items {
            let rows: Vec<ItemRow> = self
                .sql()
                .exec(
                    "SELECT seq, item, state, order_id FROM stock WHERE product_id = ? ORDER BY seq",
                    vec![text(&s.product_id)],
                )?
                .to_array()?;
            Some(
                rows.into_iter()
                    .map(|r| StockItem {
                        id: item_id(r.seq),
                        state: r.state,
                        hint: hint(&r.item),
                        order_id: r.order_id,
                    })
                    .collect(),
            )
        } else {
            None
        };
        Ok(StockStates {
            available: count("available")?,
            reserved: count("reserved")?,
            delivered: count("delivered")?,
            withdrawn: count("withdrawn")?,
            items,
        })
    }

    pub(super) fn read_audit(&self, q: AuditRead) -> Result<AuditPage> {
        let total = self.count("SELECT COUNT(*) AS n FROM audit", vec![])?;
        let rows: Vec<AuditRow> = self
            .sql()
            .exec(
                "SELECT seq, at_ms, actor, action, target, detail FROM audit ORDER BY seq DESC LIMIT ? OFFSET ?",
                vec![int(i64::from(q.limit)), int(q.offset as i64)],
            )?
            .to_array()?;
        let entries = rows
            .into_iter()
            .map(|r| AuditEntry {
                seq: r.seq,
                at_ms: r.at_ms,
                actor: r.actor,
                action: r.action,
                target: r.target,
                detail: serde_json::from_str(&r.detail).unwrap_or(Value::Null),
            })
            .collect();
        Ok(AuditPage { total: total as u64, entries })
    }

    pub(super) fn record_audit(&self, r: AuditRecord) -> Result<()> {
        self.audit(&r.actor, &r.action, &r.target, &r.detail, r.now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_never_shows_a_short_item() {
        assert_eq!(hint("TG-14D1-3731-7969-6DAE"), "…6DAE");
        assert_eq!(hint("SECRET12"), "…");
    }

    #[test]
    fn pasted_lines_name_each_problem() {
        let taken = |i: &str| i == "OLD";
        let ok = lines(&[" A ".into(), "".into(), "B".into()], taken).unwrap();
        assert_eq!(ok, ["A", "B"]);
        let e = lines(&["A".into(), "A".into(), "OLD".into(), "x".repeat(1001)], taken).unwrap_err();
        let at: Vec<&str> = e.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(at, ["items[2]", "items[3]", "items[4]"]);
        assert_eq!(lines(&["  ".into()], taken).unwrap_err()[0].0, "items");
    }
}
