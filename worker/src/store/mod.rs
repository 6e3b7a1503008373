//! The store's Durable Object (one per deployment, named "store"): the seller's order index,
//! stock reservations, coupon uses, idempotency keys and per-client order counts, in SQLite.
//!
//! Each operation runs its SQL without awaiting in between, so it is atomic: two orders racing
//! for the last licence key cannot both get it.
//!
//! What is kept, and for how long: the seller's order records (the index, the stock delivered,
//! the coupon uses of orders that were not given up) are kept; idempotency keys for
//! `IDEMPOTENCY_SECONDS` (a day by default); per-client order counts for two minutes.

mod catalog;
mod requests;
mod sweep;

use std::cell::Cell;

use serde::Deserialize;
use shared::OrderStatus;
use worker::{DurableObject, Env, Request, Response, Result, SqlStorage, SqlStorageValue, State, durable_object};

pub use catalog::{MAX_ITEM_CHARS, MAX_ITEMS};
pub use requests::{
    Abort, Ask, AuditEntry, AuditPage, AuditRead, AuditRecord, CatalogDoc, CatalogEdit, CatalogRead, CouponUses,
    Edited, Fault, IndexUpdate, ListQuery, Listed, NotReserved, Reserve, Reserved, StockAdded, StockAppend, StockCount,
    StockItem, StockLevels, StockLevelsOf, StockStates, StockWithdraw, StoreRequest, Withdrawn, ask,
};
pub use sweep::ABANDONED_AFTER_MS;

use crate::limiter::{self, Verdict};
use crate::rpc;

pub const BINDING: &str = "STORE";
pub const NAME: &str = "store";

#[durable_object]
pub struct StoreObject {
    state: State,
    env: Env,
    ready: Cell<bool>,
    failing_updates: Cell<u32>,
    /// Test mode: reservations to make and then answer with an error, as if the request died.
    lost_reservations: Cell<u32>,
    lost_creates: Cell<u32>,
}

#[derive(Deserialize)]
struct Count {
    n: i64,
}

#[derive(Deserialize)]
struct Row {
    item: String,
}

#[derive(Deserialize)]
struct At {
    at_ms: i64,
}

#[derive(Deserialize)]
struct IdemRow {
    body_hash: String,
    order_id: String,
    created_ms: i64,
}

#[derive(Deserialize)]
struct DocRow {
    doc: String,
}

fn text(v: impl Into<String>) -> SqlStorageValue {
    SqlStorageValue::from(v.into())
}

fn opt(v: &Option<String>) -> SqlStorageValue {
    SqlStorageValue::from(v.clone())
}

fn int(v: i64) -> SqlStorageValue {
    SqlStorageValue::from(v)
}

impl StoreObject {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    /// Creates the tables and seeds the catalog when there is none, once per instance.
    fn prepare(&self) -> Result<()> {
        if self.ready.get() {
            return Ok(());
        }
        let sql = self.sql();
        // Stores made before a column existed: working data is dropped, records gain the column.
        if sql.exec("SELECT client FROM idempotency LIMIT 0", None).is_err() {
            sql.exec("DROP TABLE IF EXISTS idempotency", None)?;
        }
        if sql.exec("SELECT rev FROM orders LIMIT 0", None).is_err() {
            let _ = sql.exec("ALTER TABLE orders ADD COLUMN rev INTEGER NOT NULL DEFAULT 0", None);
        }
        for ddl in [
            "CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, status TEXT NOT NULL, email TEXT NOT NULL, product_id TEXT NOT NULL, doc TEXT NOT NULL, rev INTEGER NOT NULL DEFAULT 0)",
            "CREATE INDEX IF NOT EXISTS orders_created ON orders (created_ms DESC)",
            "CREATE TABLE IF NOT EXISTS stock (product_id TEXT NOT NULL, item TEXT NOT NULL, seq INTEGER NOT NULL, order_id TEXT, state TEXT NOT NULL, PRIMARY KEY (product_id, item))",
            "CREATE TABLE IF NOT EXISTS coupon_uses (order_id TEXT PRIMARY KEY, code TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS idempotency (client TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL, order_id TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY (client, key))",
            // Counts per clock minute, replaced by the times in `order_hits`.
            "DROP TABLE IF EXISTS hits",
            "CREATE TABLE IF NOT EXISTS order_hits (ip TEXT NOT NULL, at_ms INTEGER NOT NULL)",
            "CREATE INDEX IF NOT EXISTS order_hits_ip ON order_hits (ip, at_ms)",
            "CREATE INDEX IF NOT EXISTS order_hits_at ON order_hits (at_ms)",
            // Reservations whose order's object has not been heard from (see `sweep`).
            "CREATE TABLE IF NOT EXISTS unmade (order_id TEXT PRIMARY KEY, reserved_ms INTEGER NOT NULL)",
            // The catalog document (one row) and every change made to it or by the seller.
            "CREATE TABLE IF NOT EXISTS catalog (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS stock_item ON stock (item)",
            "CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL)",
        ] {
            sql.exec(ddl, None)?;
        }
        self.seed_catalog()?;
        self.ready.set(true);
        Ok(())
    }

    fn count(&self, query: &str, bindings: Vec<SqlStorageValue>) -> Result<i64> {
        Ok(self.sql().exec(query, bindings)?.one::<Count>()?.n)
    }

    fn reserve(&self, r: Reserve) -> Result<<Reserve as Ask>::Reply> {
        let sql = self.sql();
        let id = r.order.id.clone();
        if r.catalog_version != self.catalog_version()? {
            return Ok(Reserved::Refused { refusal: NotReserved::CatalogChanged });
        }
        let oldest_key_ms = r.now_ms - i64::from(r.idempotency_seconds) * 1000;
        sql.exec("DELETE FROM idempotency WHERE created_ms < ?", vec![int(oldest_key_ms)])?;
        if let Some((key, hash)) = &r.idempotency {
            let seen: Vec<IdemRow> = sql
                .exec(
                    "SELECT body_hash, order_id, created_ms FROM idempotency WHERE client = ? AND key = ?",
                    vec![text(&r.client), text(key)],
                )?
                .to_array()?;
            if let Some(row) = seen.first() {
                return Ok(if &row.body_hash == hash {
                    Reserved::Replay { order_id: row.order_id.clone(), reserved_ms: row.created_ms }
                } else {
                    Reserved::Refused { refusal: NotReserved::IdempotencyConflict }
                });
            }
        }
        let since = limiter::since(r.now_ms);
        sql.exec("DELETE FROM order_hits WHERE at_ms < ?", vec![int(since)])?;
        let recent: Vec<At> =
            sql.exec("SELECT at_ms FROM order_hits WHERE ip = ? ORDER BY at_ms", vec![text(&r.client)])?.to_array()?;
        let recent: Vec<i64> = recent.into_iter().map(|hit| hit.at_ms).collect();
        if let Verdict::Limited { retry_after } = limiter::verdict(&recent, r.limit_per_minute, r.now_ms) {
            return Ok(Reserved::Refused { refusal: NotReserved::RateLimited { retry_after } });
        }
        if let Some((code, max)) = &r.coupon {
            let used = self.coupon_uses(CouponUses { code: code.clone() })?;
            if used >= i64::from(*max) {
                return Ok(Reserved::Refused { refusal: NotReserved::CouponUsedUp });
            }
        }
        let mut items = Vec::new();
        if r.stock_units > 0 {
            let rows: Vec<Row> = sql
                .exec(
                    "SELECT item FROM stock WHERE product_id = ? AND state = 'available' ORDER BY seq LIMIT ?",
                    vec![text(&r.order.product_id), int(i64::from(r.stock_units))],
                )?
                .to_array()?;
            if rows.len() < r.stock_units as usize {
                let available = rows.len() as u32;
                return Ok(Reserved::Refused { refusal: NotReserved::OutOfStock { available } });
            }
            for row in rows {
                sql.exec(
                    "UPDATE stock SET state = 'reserved', order_id = ? WHERE product_id = ? AND item = ?",
                    vec![text(&id), text(&r.order.product_id), text(&row.item)],
                )?;
                items.push(row.item);
            }
        }
        if let Some((code, _)) = &r.coupon {
            sql.exec("INSERT INTO coupon_uses (order_id, code) VALUES (?, ?)", vec![text(&id), text(code)])?;
        }
        if let Some((key, hash)) = &r.idempotency {
            sql.exec(
                "INSERT INTO idempotency (client, key, body_hash, order_id, created_ms) VALUES (?, ?, ?, ?, ?)",
                vec![text(&r.client), text(key), text(hash), text(&id), int(r.now_ms)],
            )?;
        }
        sql.exec("INSERT INTO order_hits (ip, at_ms) VALUES (?, ?)", vec![text(&r.client), int(r.now_ms)])?;
        let o = &r.order;
        sql.exec(
            "INSERT INTO orders (id, created_ms, status, email, product_id, doc, rev) VALUES (?, ?, ?, ?, ?, ?, 0)",
            vec![
                text(&o.id),
                int(o.created_at.timestamp_millis()),
                text(o.status.as_str()),
                text(o.buyer_email.to_ascii_lowercase()),
                text(&o.product_id),
                text(serde_json::to_string(o)?),
            ],
        )?;
        sql.exec("INSERT INTO unmade (order_id, reserved_ms) VALUES (?, ?)", vec![text(&o.id), int(r.now_ms)])?;
        Ok(Reserved::Reserved { items, lose_answer: false })
    }

    /// Follows an order's status: an order given up (expired, cancelled, or refunded before
    /// its goods went out) frees what it held; a completed one spends it. Every statement only
    /// moves items still in the state it expects, so an update sent twice changes nothing more.
    fn update(&self, u: IndexUpdate) -> Result<<IndexUpdate as Ask>::Reply> {
        let failing = self.failing_updates.get();
        if failing > 0 {
            self.failing_updates.set(failing - 1);
            return Err(worker::Error::RustError("the store is failing on purpose (test mode fault)".into()));
        }
        let o = &u.order;
        let sql = self.sql();
        // The order's object exists: its reservation is no longer in doubt.
        sql.exec("DELETE FROM unmade WHERE order_id = ?", vec![text(&o.id)])?;
        let rev = self.count("SELECT COALESCE(MAX(rev), -1) AS n FROM orders WHERE id = ?", vec![text(&o.id)])?;
        if rev >= u.rev as i64 {
            return Ok(());
        }
        sql.exec(
            "UPDATE orders SET status = ?, doc = ?, rev = ? WHERE id = ?",
            vec![text(o.status.as_str()), text(serde_json::to_string(o)?), int(u.rev as i64), text(&o.id)],
        )?;
        match o.status {
            OrderStatus::Expired | OrderStatus::Cancelled | OrderStatus::Refunded => {
                sql.exec(
                    "UPDATE stock SET state = 'available', order_id = NULL WHERE order_id = ? AND state = 'reserved'",
                    vec![text(&o.id)],
                )?;
                if o.status != OrderStatus::Refunded {
                    sql.exec("DELETE FROM coupon_uses WHERE order_id = ?", vec![text(&o.id)])?;
                }
            }
            OrderStatus::Completed => {
                sql.exec(
                    "UPDATE stock SET state = 'delivered' WHERE order_id = ? AND state = 'reserved'",
                    vec![text(&o.id)],
                )?;
            }
            OrderStatus::Pending | OrderStatus::Confirming => {}
        }
        Ok(())
    }

    /// Undoes a reservation whose order could not be created.
    fn abort(&self, a: Abort) -> Result<<Abort as Ask>::Reply> {
        let sql = self.sql();
        sql.exec("UPDATE stock SET state = 'available', order_id = NULL WHERE order_id = ?", vec![text(&a.order_id)])?;
        for table in ["coupon_uses", "idempotency", "orders", "unmade"] {
            let column = if table == "orders" { "id" } else { "order_id" };
            sql.exec(&format!("DELETE FROM {table} WHERE {column} = ?"), vec![text(&a.order_id)])?;
        }
        Ok(())
    }

    fn list(&self, q: ListQuery) -> Result<<ListQuery as Ask>::Reply> {
        let filter = "WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR email = ?2) AND (?3 IS NULL OR product_id = ?3) \
             AND (?4 IS NULL OR json_extract(doc, '$.payment_method') = ?4) \
             AND (?5 IS NULL OR created_ms >= ?5) AND (?6 IS NULL OR created_ms < ?6) \
             AND (?7 IS NULL OR id = ?7 OR json_extract(doc, '$.order_number') = ?7 OR json_extract(doc, '$.invoice_id') = ?7)";
        let email = q.email.as_ref().map(|e| e.to_ascii_lowercase());
        let ms = |t: Option<i64>| SqlStorageValue::from(t);
        let bind = || {
            vec![
                opt(&q.status),
                opt(&email),
                opt(&q.product_id),
                opt(&q.method),
                ms(q.from_ms),
                ms(q.to_ms),
                opt(&q.number),
            ]
        };
        let total = self.count(&format!("SELECT COUNT(*) AS n FROM orders {filter}"), bind())?;
        let mut b = bind();
        b.push(int(i64::from(q.limit)));
        b.push(int(q.offset as i64));
        let rows: Vec<DocRow> = self
            .sql()
            // Times are to the second: within one, the later insert (its rowid, which an update
            // keeps) is the newer order.
            .exec(
                &format!("SELECT doc FROM orders {filter} ORDER BY created_ms DESC, rowid DESC LIMIT ?8 OFFSET ?9"),
                b,
            )?
            .to_array()?;
        let orders = rows.iter().map(|r| shared::wire::read(&r.doc)).collect::<std::result::Result<_, _>>()?;
        Ok(Listed { total: total as u64, orders })
    }

    fn available(&self, s: StockCount) -> Result<<StockCount as Ask>::Reply> {
        self.count(
            "SELECT COUNT(*) AS n FROM stock WHERE product_id = ? AND state = 'available'",
            vec![text(s.product_id)],
        )
    }

    fn coupon_uses(&self, c: CouponUses) -> Result<<CouponUses as Ask>::Reply> {
        self.count("SELECT COUNT(*) AS n FROM coupon_uses WHERE code = ?", vec![text(c.code)])
    }

    fn fault(&self, f: Fault) -> Result<<Fault as Ask>::Reply> {
        self.failing_updates.set(f.updates);
        self.lost_reservations.set(f.lost_reservations);
        self.lost_creates.set(f.lost_creates);
        Ok(())
    }

    fn handle(&self, request: StoreRequest) -> Result<Response> {
        match request {
            StoreRequest::Reserve(r) => {
                let mut reserved = self.reserve(*r)?;
                let lost = self.lost_reservations.get();
                if lost > 0 && matches!(reserved, Reserved::Reserved { .. }) {
                    self.lost_reservations.set(lost - 1);
                    // Kept, but answered as an error: the reservation is made and its order never is.
                    return Response::error("the reservation's answer is lost on purpose (test mode fault)", 500);
                }
                let lost = self.lost_creates.get();
                if let Reserved::Reserved { lose_answer, .. } = &mut reserved
                    && lost > 0
                {
                    self.lost_creates.set(lost - 1);
                    *lose_answer = true;
                }
                rpc::reply(&reserved)
            }
            StoreRequest::Update(u) => rpc::reply(&self.update(*u)?),
            StoreRequest::Abort(a) => rpc::reply(&self.abort(a)?),
            StoreRequest::List(q) => rpc::reply(&self.list(q)?),
            StoreRequest::Stock(s) => rpc::reply(&self.available(s)?),
            StoreRequest::StockLevels(s) => rpc::reply(&self.levels(s)?),
            StoreRequest::StockLevelsOf(s) => rpc::reply(
                &s.product_ids
                    .into_iter()
                    .map(|product_id| self.levels(StockLevels { product_id, items: false }))
                    .collect::<Result<Vec<_>>>()?,
            ),
            StoreRequest::CouponUses(c) => rpc::reply(&self.coupon_uses(c)?),
            StoreRequest::Fault(f) => rpc::reply(&self.fault(f)?),
            StoreRequest::CatalogRead(c) => rpc::reply(&self.read_catalog(c)?),
            StoreRequest::CatalogEdit(e) => rpc::reply(&self.edit_catalog(*e)?),
            StoreRequest::StockAppend(a) => rpc::reply(&self.append_stock(a)?),
            StoreRequest::StockWithdraw(w) => rpc::reply(&self.withdraw_stock(w)?),
            StoreRequest::AuditRead(q) => rpc::reply(&self.read_audit(q)?),
            StoreRequest::AuditRecord(r) => rpc::reply(&self.record_audit(r)?),
        }
    }
}

impl DurableObject for StoreObject {
    fn new(state: State, env: Env) -> Self {
        StoreObject {
            state,
            env,
            ready: Cell::new(false),
            failing_updates: Cell::new(0),
            lost_reservations: Cell::new(0),
            lost_creates: Cell::new(0),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let first = !self.ready.get();
        self.prepare()?;
        let request: StoreRequest = rpc::request(req).await?;
        let reserving = matches!(request, StoreRequest::Reserve(_));
        let response = self.handle(request);
        // After a restart, or with a new reservation: make sure a sweep is due.
        // A sweep that cannot be planned now is planned by the next reservation; the answer
        // stands either way.
        if (first || reserving)
            && let Err(e) = self.plan_sweep().await
        {
            worker::console_warn!("the reservation sweep could not be planned: {e}");
        }
        response
    }

    async fn alarm(&self) -> Result<Response> {
        self.prepare()?;
        self.sweep().await?;
        Response::ok("")
    }
}
