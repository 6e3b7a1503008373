//! Coupons: the list with uses so far, a new coupon (percent or fixed amount off, a limit on
//! uses, an expiry, the products it applies to), and archiving one.

use leptos::prelude::*;
use serde_json::{Map, Value, json};

use crate::api::{self, Body, enc};
use crate::i18n::t;
use crate::ui;
use crate::ui::field as s;

/// The new coupon's body from the form's texts; blank fields are left out.
pub fn body(code: &str, kind: &str, amount: &str, max_uses: &str, expires: &str, products: &str) -> Value {
    let mut m = Map::new();
    m.insert("code".into(), json!(code.trim()));
    m.insert(if kind == "fixed" { "fixed" } else { "percent" }.into(), json!(amount.trim()));
    if let Ok(n) = max_uses.trim().parse::<u64>() {
        m.insert("max_uses".into(), json!(n));
    } else if !max_uses.trim().is_empty() {
        m.insert("max_uses".into(), json!(max_uses.trim()));
    }
    if !expires.trim().is_empty() {
        // A date input's day ends the coupon at the end of that day, UTC.
        let at = if expires.len() == 10 { format!("{}T23:59:59Z", expires.trim()) } else { expires.trim().to_owned() };
        m.insert("expires_at".into(), json!(at));
    }
    let ids: Vec<&str> = products.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()).collect();
    if !ids.is_empty() {
        m.insert("products".into(), json!(ids));
    }
    Value::Object(m)
}

#[component]
pub fn Coupons() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let error = RwSignal::new(None::<String>);
    let list = LocalResource::new(move || {
        version.track();
        async move { api::call("GET", "/v1/coupons", None).await }
    });
    let archive = move |id: String| {
        leptos::task::spawn_local(async move {
            match api::call("DELETE", &format!("/v1/coupons/{}", enc(&id)), None).await {
                Ok(_) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(ui::describe(&e))),
            }
        });
    };
    let (code, kind, amount, max_uses, expires, products) = (
        RwSignal::new(String::new()),
        RwSignal::new("percent".to_owned()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let b = body(
            &code.get_untracked(),
            &kind.get_untracked(),
            &amount.get_untracked(),
            &max_uses.get_untracked(),
            &expires.get_untracked(),
            &products.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            match api::call("POST", "/v1/coupons", Some(Body::Json(b))).await {
                Ok(_) => {
                    error.set(None);
                    code.set(String::new());
                    amount.set(String::new());
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(ui::describe(&e))),
            }
        });
    };
    let input = |id: &'static str, label: &'static str, value: RwSignal<String>, kind: &'static str| {
        view! {
            <label for=id>{t(label)}</label>
            <input id=id type=kind prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        }
    };
    view! {
        <h1>{t("coupons.title")}</h1>
        {ui::answer(list, move |v| view! {
                    <div class="scroll"><table>
                        <thead><tr>
                            <th scope="col">{t("coupons.code")}</th>
                            <th scope="col">{t("coupons.discount")}</th>
                            <th scope="col">{t("coupons.uses")}</th>
                            <th scope="col">{t("coupons.expires")}</th>
                            <th scope="col">{t("coupons.products")}</th>
                            <th scope="col"><span class="visually-hidden">{t("coupons.archive")}</span></th>
                        </tr></thead>
                        <tbody>
                            {v["data"].as_array().cloned().unwrap_or_default().into_iter().map(|c| {
                                let id = s(&c, "id");
                                let archived = c["archived"].as_bool().unwrap_or(false);
                                let discount = if c["percent"].is_string() { format!("{} %", s(&c, "percent")) } else { s(&c, "fixed") };
                                let uses = match c["max_uses"].as_u64() { Some(m) => format!("{} / {m}", s(&c, "uses")), None => s(&c, "uses") };
                                let scope = c["products"].as_array().map(|p| p.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")).filter(|p| !p.is_empty()).unwrap_or_else(|| t("coupons.all_products"));
                                view! {
                                    <tr class:archived=archived data-coupon=s(&c, "code")>
                                        <td><code>{s(&c, "code")}</code></td>
                                        <td>{discount}</td>
                                        <td>{uses}</td>
                                        <td>{c["expires_at"].as_str().map(ui::when).unwrap_or_default()}</td>
                                        <td>{scope}</td>
                                        <td>{if archived {
                                            view! { <span class="badge">{t("products.archived")}</span> }.into_any()
                                        } else {
                                            view! { <button class="quiet" on:click=move |_| archive(id.clone())>{t("coupons.archive")}</button> }.into_any()
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            )}
        <section class="card">
            <h2>{t("coupons.new")}</h2>
            <form class="grid" on:submit=create>
                {input("c-code", "coupons.code", code, "text")}
                <label for="c-kind">{t("coupons.kind")}</label>
                <select id="c-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="percent">{t("coupons.percent")}</option>
                    <option value="fixed">{t("coupons.fixed")}</option>
                </select>
                {input("c-amount", "coupons.amount", amount, "text")}
                {input("c-max", "coupons.max_uses", max_uses, "number")}
                {input("c-expires", "coupons.expires", expires, "date")}
                {input("c-products", "coupons.products_ids", products, "text")}
                <ui::ErrorText error/>
                <button type="submit">{t("coupons.create")}</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_the_api_body() {
        assert_eq!(
            body(" SPRING ", "percent", "15", "5", "2030-01-31", "prod_a, prod_b"),
            json!({"code": "SPRING", "percent": "15", "max_uses": 5, "expires_at": "2030-01-31T23:59:59Z", "products": ["prod_a", "prod_b"]})
        );
        assert_eq!(body("X", "fixed", "2.00", "", "", ""), json!({"code": "X", "fixed": "2.00"}));
        // What is not a number goes as written, for the API to name.
        assert_eq!(body("X", "fixed", "2", "many", "", "")["max_uses"], "many");
    }
}
