//! The store's Durable Object (one per deployment, named "store"): the seller's order index,
//! stock reservations, coupon uses, idempotency keys and per-IP order counts, in SQLite.
//!
//! Each operation runs its SQL without awaiting in between, so it is atomic: two orders racing
//! for the last licence key cannot both get it.

use std::cell::Cell;

use serde::{Deserialize, Serialize};
use shared::{Order, OrderStatus};
use worker::{DurableObject, Env, Request, Response, Result, SqlStorage, SqlStorageValue, State, durable_object};

use crate::catalog::{self, Delivery};
use crate::rpc;

pub const BINDING: &str = "STORE";
pub const NAME: &str = "store";

#[derive(Debug, Serialize, Deserialize)]
pub struct Reserve {
    pub order: Order,
    /// `(Idempotency-Key, hash of the body)`.
    pub idempotency: Option<(String, String)>,
    pub ip: String,
    pub limit_per_minute: u32,
    /// Stock items to hold for the order (0 for text delivery).
    pub stock_units: u32,
    /// `(coupon code, lifetime maximum)` when the coupon is limited.
    pub coupon: Option<(String, u32)>,
    pub now_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Reserved {
    Reserved {
        items: Vec<String>,
    },
    /// The same key and body were seen: this is that order.
    Replay {
        order_id: String,
    },
    IdempotencyConflict,
    RateLimited {
        retry_after: i64,
    },
    CouponUsedUp,
    OutOfStock {
        available: u32,
    },
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ListQuery {
    pub status: Option<String>,
    pub email: Option<String>,
    pub product_id: Option<String>,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Listed {
    pub total: u64,
    pub orders: Vec<Order>,
}

#[durable_object]
pub struct StoreObject {
    state: State,
    ready: Cell<bool>,
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
struct IdemRow {
    body_hash: String,
    order_id: String,
}

#[derive(Deserialize)]
struct DocRow {
    doc: String,
}

fn s(v: impl Into<String>) -> SqlStorageValue {
    SqlStorageValue::from(v.into())
}

fn opt(v: &Option<String>) -> SqlStorageValue {
    SqlStorageValue::from(v.clone())
}

impl StoreObject {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    /// Creates the tables and loads the catalog's stock, once per instance.
    fn prepare(&self) -> Result<()> {
        if self.ready.get() {
            return Ok(());
        }
        let sql = self.sql();
        for ddl in [
            "CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, status TEXT NOT NULL, email TEXT NOT NULL, product_id TEXT NOT NULL, doc TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS orders_created ON orders (created_ms DESC)",
            "CREATE TABLE IF NOT EXISTS stock (product_id TEXT NOT NULL, item TEXT NOT NULL, seq INTEGER NOT NULL, order_id TEXT, state TEXT NOT NULL, PRIMARY KEY (product_id, item))",
            "CREATE TABLE IF NOT EXISTS coupon_uses (order_id TEXT PRIMARY KEY, code TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, order_id TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS hits (ip TEXT NOT NULL, window INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (ip, window))",
        ] {
            sql.exec(ddl, None)?;
        }
        let catalog = catalog::get().map_err(|e| worker::Error::RustError(e.join("; ")))?;
        for p in &catalog.products {
            if let Delivery::Stock(items) = &p.delivery {
                for (seq, item) in items.iter().enumerate() {
                    sql.exec(
                        "INSERT OR IGNORE INTO stock (product_id, item, seq, order_id, state) VALUES (?, ?, ?, NULL, 'available')",
                        vec![s(&p.id), s(item), SqlStorageValue::from(seq as i64)],
                    )?;
                }
            }
        }
        self.ready.set(true);
        Ok(())
    }

    fn count(&self, query: &str, bindings: Vec<SqlStorageValue>) -> Result<i64> {
        Ok(self.sql().exec(query, bindings)?.one::<Count>()?.n)
    }

    fn reserve(&self, r: Reserve) -> Result<Reserved> {
        let sql = self.sql();
        let id = r.order.id.clone();
        if let Some((key, hash)) = &r.idempotency {
            let seen: Vec<IdemRow> =
                sql.exec("SELECT body_hash, order_id FROM idempotency WHERE key = ?", vec![s(key)])?.to_array()?;
            if let Some(row) = seen.first() {
                return Ok(if &row.body_hash == hash {
                    Reserved::Replay { order_id: row.order_id.clone() }
                } else {
                    Reserved::IdempotencyConflict
                });
            }
        }
        let window = r.now_ms / 60_000;
        let hits = self.count(
            "SELECT COALESCE(SUM(n), 0) AS n FROM hits WHERE ip = ? AND window = ?",
            vec![s(&r.ip), SqlStorageValue::from(window)],
        )?;
        if hits >= i64::from(r.limit_per_minute) {
            return Ok(Reserved::RateLimited { retry_after: 60 - (r.now_ms / 1000) % 60 });
        }
        if let Some((code, max)) = &r.coupon {
            let used = self.count("SELECT COUNT(*) AS n FROM coupon_uses WHERE code = ?", vec![s(code)])?;
            if used >= i64::from(*max) {
                return Ok(Reserved::CouponUsedUp);
            }
        }
        let mut items = Vec::new();
        if r.stock_units > 0 {
            let rows: Vec<Row> = sql
                .exec(
                    "SELECT item FROM stock WHERE product_id = ? AND state = 'available' ORDER BY seq LIMIT ?",
                    vec![s(&r.order.product_id), SqlStorageValue::from(i64::from(r.stock_units))],
                )?
                .to_array()?;
            if rows.len() < r.stock_units as usize {
                return Ok(Reserved::OutOfStock { available: rows.len() as u32 });
            }
            for row in rows {
                sql.exec(
                    "UPDATE stock SET state = 'reserved', order_id = ? WHERE product_id = ? AND item = ?",
                    vec![s(&id), s(&r.order.product_id), s(&row.item)],
                )?;
                items.push(row.item);
            }
        }
        if let Some((code, _)) = &r.coupon {
            sql.exec("INSERT INTO coupon_uses (order_id, code) VALUES (?, ?)", vec![s(&id), s(code)])?;
        }
        if let Some((key, hash)) = &r.idempotency {
            sql.exec(
                "INSERT INTO idempotency (key, body_hash, order_id) VALUES (?, ?, ?)",
                vec![s(key), s(hash), s(&id)],
            )?;
        }
        sql.exec(
            "INSERT INTO hits (ip, window, n) VALUES (?, ?, 1) ON CONFLICT (ip, window) DO UPDATE SET n = n + 1",
            vec![s(&r.ip), SqlStorageValue::from(window)],
        )?;
        sql.exec("DELETE FROM hits WHERE window < ?", vec![SqlStorageValue::from(window - 1)])?;
        self.index(&r.order, true)?;
        Ok(Reserved::Reserved { items })
    }

    /// Writes the order into the seller's index.
    fn index(&self, o: &Order, insert: bool) -> Result<()> {
        let doc = serde_json::to_string(o)?;
        if insert {
            self.sql().exec(
                "INSERT INTO orders (id, created_ms, status, email, product_id, doc) VALUES (?, ?, ?, ?, ?, ?)",
                vec![
                    s(&o.id),
                    SqlStorageValue::from(o.created_at.timestamp_millis()),
                    s(o.status.as_str()),
                    s(o.buyer_email.to_ascii_lowercase()),
                    s(&o.product_id),
                    s(doc),
                ],
            )?;
        } else {
            self.sql().exec(
                "UPDATE orders SET status = ?, doc = ? WHERE id = ?",
                vec![s(o.status.as_str()), s(doc), s(&o.id)],
            )?;
        }
        Ok(())
    }

    /// Follows an order's status: final states release or spend what it held.
    fn update(&self, o: &Order) -> Result<()> {
        self.index(o, false)?;
        let sql = self.sql();
        match o.status {
            OrderStatus::Expired | OrderStatus::Cancelled => {
                sql.exec(
                    "UPDATE stock SET state = 'available', order_id = NULL WHERE order_id = ? AND state = 'reserved'",
                    vec![s(&o.id)],
                )?;
                sql.exec("DELETE FROM coupon_uses WHERE order_id = ?", vec![s(&o.id)])?;
            }
            OrderStatus::Completed => {
                sql.exec("UPDATE stock SET state = 'delivered' WHERE order_id = ?", vec![s(&o.id)])?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Undoes a reservation whose order could not be created.
    fn abort(&self, order_id: &str) -> Result<()> {
        let sql = self.sql();
        sql.exec("UPDATE stock SET state = 'available', order_id = NULL WHERE order_id = ?", vec![s(order_id)])?;
        for table in ["coupon_uses", "idempotency", "orders"] {
            let column = if table == "orders" { "id" } else { "order_id" };
            sql.exec(&format!("DELETE FROM {table} WHERE {column} = ?"), vec![s(order_id)])?;
        }
        Ok(())
    }

    fn list(&self, q: &ListQuery) -> Result<Listed> {
        let filter =
            "WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR email = ?2) AND (?3 IS NULL OR product_id = ?3)";
        let email = q.email.as_ref().map(|e| e.to_ascii_lowercase());
        let bind = || vec![opt(&q.status), opt(&email), opt(&q.product_id)];
        let total = self.count(&format!("SELECT COUNT(*) AS n FROM orders {filter}"), bind())?;
        let mut b = bind();
        b.push(SqlStorageValue::from(i64::from(q.limit)));
        b.push(SqlStorageValue::from(q.offset as i64));
        let rows: Vec<DocRow> = self
            .sql()
            .exec(&format!("SELECT doc FROM orders {filter} ORDER BY created_ms DESC, id LIMIT ?4 OFFSET ?5"), b)?
            .to_array()?;
        let orders = rows.iter().map(|r| serde_json::from_str(&r.doc)).collect::<std::result::Result<_, _>>()?;
        Ok(Listed { total: total as u64, orders })
    }
}

impl DurableObject for StoreObject {
    fn new(state: State, _env: Env) -> Self {
        StoreObject { state, ready: Cell::new(false) }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        self.prepare()?;
        let body = req.text().await?;
        match req.path().as_str() {
            "/reserve" => rpc::reply(&self.reserve(serde_json::from_str(&body)?)?),
            "/update" => rpc::reply(&self.update(&serde_json::from_str(&body)?)?),
            "/abort" => rpc::reply(&self.abort(&serde_json::from_str::<String>(&body)?)?),
            "/list" => rpc::reply(&self.list(&serde_json::from_str(&body)?)?),
            "/stock" => {
                let product: String = serde_json::from_str(&body)?;
                rpc::reply(&self.count(
                    "SELECT COUNT(*) AS n FROM stock WHERE product_id = ? AND state = 'available'",
                    vec![s(product)],
                )?)
            }
            "/coupon_uses" => {
                let code: String = serde_json::from_str(&body)?;
                rpc::reply(&self.count("SELECT COUNT(*) AS n FROM coupon_uses WHERE code = ?", vec![s(code)])?)
            }
            other => Response::error(format!("no store operation {other}"), 404),
        }
    }
}
