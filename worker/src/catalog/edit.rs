//! A seller's change to the catalog, applied to the catalog document (the JSON shape of
//! `catalog.toml`, as the store keeps it) and checked whole by the same validator as the seed:
//! a change that would leave any problem is refused, naming every one. Pure: the store runs it
//! between its reads and writes, with no await in between.
//!
//! Stock items never stay in the document: they are pulled out (`Applied::stock`) for the
//! store's stock table, which counts and holds them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Catalog, Problem, check_value};

/// What a seller may change.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum Edit {
    CreateProduct {
        product: Value,
    },
    /// A JSON merge patch (RFC 7396) of the product; its id stays.
    UpdateProduct {
        id: String,
        patch: Value,
    },
    /// Not sold any more; never removed (its orders name it).
    ArchiveProduct {
        id: String,
    },
    CreateCoupon {
        coupon: Value,
    },
    /// A JSON merge patch of the coupon; its id and code stay (uses are counted by code).
    UpdateCoupon {
        id: String,
        patch: Value,
    },
    ArchiveCoupon {
        id: String,
    },
    /// A whole catalog in place of the current one. What it leaves out is kept, archived.
    Import {
        doc: Value,
    },
}

impl Edit {
    /// For the audit log: what was done, and to what.
    pub fn describe(&self) -> (&'static str, String) {
        match self {
            Edit::CreateProduct { product } => ("product.create", str_field(product, "id").unwrap_or_default()),
            Edit::UpdateProduct { id, .. } => ("product.update", id.clone()),
            Edit::ArchiveProduct { id } => ("product.archive", id.clone()),
            Edit::CreateCoupon { coupon } => ("coupon.create", str_field(coupon, "id").unwrap_or_default()),
            Edit::UpdateCoupon { id, .. } => ("coupon.update", id.clone()),
            Edit::ArchiveCoupon { id } => ("coupon.archive", id.clone()),
            Edit::Import { .. } => ("catalog.import", "catalog".into()),
        }
    }
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Refused {
    NotFound {
        what: String,
        id: String,
    },
    Exists {
        what: String,
        id: String,
    },
    /// Problems with their paths; `at` is the path of the entry changed, so a problem's field
    /// can be named relative to it.
    Invalid {
        at: String,
        problems: Vec<Problem>,
    },
}

/// A change made: the new document, the entry as it now reads, and stock items to add.
#[derive(Debug)]
pub struct Applied {
    pub doc: Value,
    pub catalog: Catalog,
    pub entry: Value,
    pub stock: Vec<(String, String)>,
}

fn str_field(v: &Value, name: &str) -> Option<String> {
    v.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// RFC 7396: objects merge key by key, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let t = target.as_object_mut().expect("made an object above");
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

fn invalid(at: &str, field: &str, what: &str) -> Refused {
    Refused::Invalid { at: at.into(), problems: vec![(format!("{at}.{field}"), what.into())] }
}

fn list<'a>(doc: &'a mut Value, name: &str) -> &'a mut Vec<Value> {
    if !doc.get(name).is_some_and(Value::is_array) {
        doc[name] = Value::Array(Vec::new());
    }
    doc[name].as_array_mut().expect("made an array above")
}

fn find(items: &[Value], id: &str) -> Option<usize> {
    items.iter().position(|e| e.get("id").and_then(Value::as_str) == Some(id))
}

/// Moves every product's listed stock items out of the document: `(product id, item)`.
fn take_stock(doc: &mut Value) -> Vec<(String, String)> {
    let mut taken = Vec::new();
    for p in list(doc, "products") {
        let id = str_field(p, "id").unwrap_or_default();
        if let Some(Value::Array(items)) = p.pointer_mut("/delivery/stock") {
            taken.extend(items.drain(..).filter_map(|i| i.as_str().map(|s| (id.clone(), s.to_owned()))));
        }
    }
    taken
}

/// Applies `edit` to `doc`; `new_id` makes an id for an entry created without one.
pub fn apply(doc: &Value, edit: &Edit, new_id: impl Fn(&str) -> String) -> Result<Applied, Refused> {
    let mut next = doc.clone();
    let (kind, at, id) = match edit {
        Edit::CreateProduct { product } | Edit::CreateCoupon { coupon: product } => {
            let (kind, prefix) =
                if matches!(edit, Edit::CreateProduct { .. }) { ("products", "prod") } else { ("coupons", "cpn") };
            let mut entry = product.clone();
            let Some(fields) = entry.as_object_mut() else {
                return Err(invalid(kind, "body", "must be a JSON object"));
            };
            let id = match fields.get("id") {
                None => new_id(prefix),
                Some(Value::String(s)) => s.clone(),
                Some(_) => return Err(invalid(kind, "id", "must be a string")),
            };
            fields.insert("id".into(), Value::String(id.clone()));
            fields.remove("archived");
            let items = list(&mut next, kind);
            if find(items, &id).is_some() {
                return Err(Refused::Exists { what: kind.trim_end_matches('s').into(), id });
            }
            items.push(entry);
            (kind, format!("{kind}[{id}]"), id)
        }
        Edit::UpdateProduct { id, patch } | Edit::UpdateCoupon { id, patch } => {
            let kind = if matches!(edit, Edit::UpdateProduct { .. }) { "products" } else { "coupons" };
            let items = list(&mut next, kind);
            let Some(i) = find(items, id) else {
                return Err(Refused::NotFound { what: kind.trim_end_matches('s').into(), id: id.clone() });
            };
            let at = format!("{kind}[{id}]");
            if !patch.is_object() {
                return Err(invalid(&at, "body", "must be a JSON object"));
            }
            let before = items[i].clone();
            merge_patch(&mut items[i], patch);
            for fixed in ["id", "code"].iter().filter(|f| kind == "coupons" || **f == "id") {
                if items[i].get(*fixed) != before.get(*fixed) {
                    return Err(invalid(&at, fixed, "cannot be changed; create a new entry instead"));
                }
            }
            (kind, at, id.clone())
        }
        Edit::ArchiveProduct { id } | Edit::ArchiveCoupon { id } => {
            let kind = if matches!(edit, Edit::ArchiveProduct { .. }) { "products" } else { "coupons" };
            let items = list(&mut next, kind);
            let Some(i) = find(items, id) else {
                return Err(Refused::NotFound { what: kind.trim_end_matches('s').into(), id: id.clone() });
            };
            items[i]["archived"] = Value::Bool(true);
            (kind, format!("{kind}[{id}]"), id.clone())
        }
        Edit::Import { doc: imported } => {
            if !imported.is_object() {
                return Err(invalid("catalog", "body", "must be a JSON object"));
            }
            next = imported.clone();
            // A product or coupon the import leaves out is kept, archived: orders name them.
            for kind in ["products", "coupons"] {
                let kept: Vec<Value> = doc.get(kind).and_then(Value::as_array).cloned().unwrap_or_default();
                let items = list(&mut next, kind);
                for mut old in kept {
                    if find(items, &str_field(&old, "id").unwrap_or_default()).is_none() {
                        old["archived"] = Value::Bool(true);
                        items.push(old);
                    }
                }
            }
            ("catalog", "catalog".to_owned(), String::new())
        }
    };
    let stock = take_stock(&mut next);
    let catalog = check_value(next.clone()).map_err(|problems| Refused::Invalid { at: at.clone(), problems })?;
    let entry = match kind {
        "catalog" => Value::Null,
        _ => next[kind].as_array().and_then(|items| find(items, &id).map(|i| items[i].clone())).unwrap_or_default(),
    };
    Ok(Applied { doc: next, catalog, entry, stock })
}

/// The field a problem is about, relative to the entry `at` (`price`, `variants[v1].price`);
/// the whole path for a problem elsewhere.
pub fn field_of(at: &str, path: &str) -> String {
    match path.strip_prefix(at) {
        Some("") => "body".into(),
        Some(rest) => rest.trim_start_matches('.').to_owned(),
        None => path.to_owned(),
    }
}

/// The seed document: the built-in catalog with its stock items moved out.
pub fn seed(source_json: &str) -> Result<(Value, Vec<(String, String)>), String> {
    let mut doc: Value = serde_json::from_str(source_json).map_err(|e| e.to_string())?;
    let stock = take_stock(&mut doc);
    check_value(doc.clone()).map_err(|p| super::messages(p).join("; "))?;
    Ok((doc, stock))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::catalog::SOURCE_JSON;

    fn seeded() -> Value {
        seed(SOURCE_JSON).unwrap().0
    }

    fn id(prefix: &str) -> String {
        format!("{prefix}_new")
    }

    fn product() -> Value {
        json!({"name": "E-book", "price": "12.50", "currency": "USD", "methods": "all", "delivery": {"text": "https://example.com/book"}})
    }

    #[test]
    fn the_seed_keeps_no_stock_items_in_the_document() {
        let (doc, stock) = seed(SOURCE_JSON).unwrap();
        assert!(stock.iter().filter(|(p, _)| p == "prod_xyz789").count() >= 50);
        assert_eq!(doc.pointer("/products/0/delivery/stock"), Some(&json!([])));
    }

    #[test]
    fn a_product_is_created_with_an_id_and_its_items_taken_out() {
        let mut body = product();
        body["delivery"] = json!({"stock": ["K-1", "K-2"]});
        let a = apply(&seeded(), &Edit::CreateProduct { product: body }, id).unwrap();
        assert_eq!(a.entry["id"], "prod_new");
        assert_eq!(a.stock, [("prod_new".to_owned(), "K-1".to_owned()), ("prod_new".to_owned(), "K-2".to_owned())]);
        assert_eq!(a.catalog.product("prod_new").unwrap().prices.price.to_string(), "12.50");
        let again = apply(&a.doc, &Edit::CreateProduct { product: a.entry.clone() }, id).unwrap_err();
        assert_eq!(again, Refused::Exists { what: "product".into(), id: "prod_new".into() });
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let body = json!({"name": " ", "price": "1,5", "currency": "XXX", "methods": ["crypto_doge"], "delivery": {}});
        let Err(Refused::Invalid { at, problems }) = apply(&seeded(), &Edit::CreateProduct { product: body }, id)
        else {
            panic!("must be refused")
        };
        let fields: Vec<String> = problems.iter().map(|(p, _)| field_of(&at, p)).collect();
        for f in ["name", "price", "currency", "methods", "delivery"] {
            assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
        }
        let not_object = apply(&seeded(), &Edit::CreateProduct { product: json!([1]) }, id).unwrap_err();
        assert!(matches!(not_object, Refused::Invalid { .. }));
    }

    #[test]
    fn a_patch_changes_what_it_names_and_not_the_id() {
        let doc = seeded();
        let patch =
            Edit::UpdateProduct { id: "prod_xyz789".into(), patch: json!({"price": "31.00", "description": null}) };
        let a = apply(&doc, &patch, id).unwrap();
        let p = a.catalog.product("prod_xyz789").unwrap();
        assert_eq!((p.prices.price.to_string().as_str(), p.description.as_str()), ("31.00", ""));
        assert_eq!(a.entry["name"], "Premium License");
        let renamed = Edit::UpdateProduct { id: "prod_xyz789".into(), patch: json!({"id": "other"}) };
        assert!(matches!(apply(&doc, &renamed, id), Err(Refused::Invalid { .. })));
        let missing = Edit::UpdateProduct { id: "nope".into(), patch: json!({}) };
        assert!(matches!(apply(&doc, &missing, id), Err(Refused::NotFound { .. })));
    }

    #[test]
    fn archived_entries_stay_and_are_not_sold() {
        let a = apply(&seeded(), &Edit::ArchiveProduct { id: "prod_xyz789".into() }, id).unwrap();
        assert!(a.catalog.product("prod_xyz789").is_none());
        assert!(a.catalog.products.iter().any(|p| p.id == "prod_xyz789" && p.archived));
        // A coupon naming an archived product is still valid.
        assert!(!a.catalog.coupons.is_empty());
    }

    #[test]
    fn coupons_keep_their_code_and_check_their_terms() {
        let doc = seeded();
        let c = json!({"code": "SPRING", "percent": "15", "max_uses": 5, "expires_at": "2030-01-01T00:00:00Z", "products": ["prod_xyz789"]});
        let a = apply(&doc, &Edit::CreateCoupon { coupon: c }, id).unwrap();
        let def = a.catalog.coupon("spring").unwrap();
        assert_eq!((def.max_uses, def.coupon.id.as_str()), (Some(5), "cpn_new"));
        let recode = Edit::UpdateCoupon { id: "cpn_new".into(), patch: json!({"code": "OTHER"}) };
        assert!(matches!(apply(&a.doc, &recode, id), Err(Refused::Invalid { .. })));
        let bad = json!({"code": "X Y", "percent": "150", "max_uses": 0, "expires_at": "soon", "products": ["nope"]});
        let Err(Refused::Invalid { at, problems }) = apply(&doc, &Edit::CreateCoupon { coupon: bad }, id) else {
            panic!("must be refused")
        };
        let fields: Vec<String> = problems.iter().map(|(p, _)| field_of(&at, p)).collect();
        for f in ["code", "percent", "max_uses", "expires_at", "products"] {
            assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn an_import_keeps_what_it_leaves_out_archived() {
        let doc = apply(&seeded(), &Edit::CreateProduct { product: product() }, id).unwrap().doc;
        let a = apply(&doc, &Edit::Import { doc: serde_json::from_str(SOURCE_JSON).unwrap() }, id).unwrap();
        assert!(a.catalog.products.iter().any(|p| p.id == "prod_new" && p.archived));
        assert!(a.stock.len() >= 50, "the seed's items come back to be added (the store ignores ones it has)");
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
    }
}
