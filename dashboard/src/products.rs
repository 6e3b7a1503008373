//! Products: the list with stock counts, a new product, and one product's panel: its name,
//! price and description, archive, its stock by state, keys loaded from a pasted list or a
//! file, and an available item withdrawn.

use leptos::prelude::*;
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api::{self, Body, enc};
use crate::i18n::{t, tf};
use crate::ui;
use crate::ui::field as s;

fn stock_text(p: &Value) -> String {
    match &p["stock"] {
        Value::Null => t("products.text_delivery"),
        st => tf(
            "products.stock_counts",
            &[
                ("available", &st["available"].to_string()),
                ("reserved", &st["reserved"].to_string()),
                ("delivered", &st["delivered"].to_string()),
                ("withdrawn", &st["withdrawn"].to_string()),
            ],
        ),
    }
}

#[component]
pub fn Products() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let selected = RwSignal::new(None::<String>);
    let list = LocalResource::new(move || {
        version.track();
        async move { api::call("GET", "/v1/products?archived=all", None).await }
    });
    view! {
        <h1>{t("products.title")}</h1>
        {ui::answer(list, move |v| view! {
                    <div class="scroll"><table class="products">
                        <thead><tr>
                            <th scope="col">{t("products.name")}</th>
                            <th scope="col" class="num">{t("products.price")}</th>
                            <th scope="col">{t("products.stock")}</th>
                            <th scope="col"><span class="visually-hidden">{t("products.manage")}</span></th>
                        </tr></thead>
                        <tbody>
                            {v["data"].as_array().cloned().unwrap_or_default().into_iter().map(|p| {
                                let id = s(&p, "id");
                                let row_id = id.clone();
                                let archived = p["archived"].as_bool().unwrap_or(false);
                                view! {
                                    <tr class:archived=archived data-product=row_id>
                                        <td>{s(&p, "name")} {archived.then(|| view! { " " <span class="badge">{t("products.archived")}</span> })}</td>
                                        <td class="num">{format!("{} {}", s(&p, "price"), s(&p, "currency"))}</td>
                                        <td>{stock_text(&p)}</td>
                                        <td><button class="quiet" on:click=move |_| selected.set(Some(id.clone()))>{t("products.manage")}</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            )}
        {move || selected.get().map(|id| view! { <ProductPanel id version/> })}
        <NewProduct version selected/>
    }
}

/// A new product: delivered as a text (a link) or from stock (keys loaded after).
#[component]
fn NewProduct(version: RwSignal<u32>, selected: RwSignal<Option<String>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let price = RwSignal::new(String::new());
    let currency = RwSignal::new("USD".to_owned());
    let by_stock = RwSignal::new(true);
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let delivery =
            if by_stock.get_untracked() { json!({"stock": []}) } else { json!({"text": text.get_untracked()}) };
        let body = json!({
            "name": name.get_untracked(), "price": price.get_untracked().trim(), "currency": currency.get_untracked().trim(),
            "methods": "all", "delivery": delivery,
        });
        leptos::task::spawn_local(async move {
            match api::call("POST", "/v1/products", Some(Body::Json(body))).await {
                Ok(v) => {
                    error.set(None);
                    name.set(String::new());
                    price.set(String::new());
                    version.update(|v| *v += 1);
                    selected.set(v["data"]["id"].as_str().map(str::to_owned));
                }
                Err(e) => error.set(Some(ui::describe(&e))),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{t("products.new")}</h2>
            <form on:submit=submit class="grid">
                <label for="p-name">{t("products.name")}</label>
                <input id="p-name" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <label for="p-price">{t("products.price")}</label>
                <input id="p-price" required inputmode="decimal" placeholder="19.00" prop:value=move || price.get() on:input=move |ev| price.set(event_target_value(&ev))/>
                <label for="p-currency">{t("products.currency")}</label>
                <input id="p-currency" required maxlength="3" prop:value=move || currency.get() on:input=move |ev| currency.set(event_target_value(&ev))/>
                <fieldset>
                    <legend>{t("products.delivery")}</legend>
                    <label><input type="radio" name="p-delivery" prop:checked=move || by_stock.get() on:change=move |_| by_stock.set(true)/> {t("products.by_stock")}</label>
                    <label><input type="radio" name="p-delivery" prop:checked=move || !by_stock.get() on:change=move |_| by_stock.set(false)/> {t("products.by_text")}</label>
                </fieldset>
                <Show when=move || !by_stock.get()>
                    <label for="p-text">{t("products.text")}</label>
                    <input id="p-text" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                </Show>
                <ui::ErrorText error/>
                <button type="submit">{t("products.create")}</button>
            </form>
        </section>
    }
}

/// Reads a chosen file's text.
async fn file_text(input: &web_sys::HtmlInputElement) -> Option<String> {
    let file = input.files()?.get(0)?;
    JsFuture::from(file.text()).await.ok()?.as_string()
}

/// One product: edit, archive, stock.
#[component]
fn ProductPanel(id: String, version: RwSignal<u32>) -> impl IntoView {
    let local = RwSignal::new(0u32);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let pid = id.clone();
    let data = LocalResource::new(move || {
        local.track();
        version.track();
        let id = pid.clone();
        async move {
            let p = api::call("GET", &format!("/v1/products/{}", enc(&id)), None).await?;
            let st = api::call("GET", &format!("/v1/products/{}/stock?items=true", enc(&id)), None).await?;
            Ok::<_, api::ApiError>((p["data"].clone(), st["data"].clone()))
        }
    });
    let keys = RwSignal::new(String::new());
    let file_input = NodeRef::<leptos::html::Input>::new();
    let send = {
        let id = id.clone();
        move |method: &'static str, path: String, body: Option<Body>, done: String| {
            let _ = &id;
            leptos::task::spawn_local(async move {
                match api::call(method, &path, body).await {
                    Ok(_) => {
                        error.set(None);
                        notice.set(Some(done));
                        local.update(|v| *v += 1);
                        version.update(|v| *v += 1);
                    }
                    Err(e) => error.set(Some(ui::describe(&e))),
                }
            });
        }
    };
    let load_keys = {
        let (id, send) = (id.clone(), send.clone());
        move |_| {
            let (id, send) = (id.clone(), send.clone());
            leptos::task::spawn_local(async move {
                let mut text = keys.get_untracked();
                if let Some(input) = file_input.get_untracked()
                    && let Some(more) = file_text(input.unchecked_ref()).await
                {
                    text.push('\n');
                    text.push_str(&more);
                }
                let n = text.lines().filter(|l| !l.trim().is_empty()).count();
                keys.set(String::new());
                send(
                    "POST",
                    format!("/v1/products/{}/stock", enc(&id)),
                    Some(Body::Text(text)),
                    tf("products.loaded", &[("n", &n.to_string())]),
                );
            });
        }
    };
    view! {
        <section class="card" aria-labelledby="panel-title">
            {ui::answer(data, move |(p, st)| {
                        let id = s(&p, "id");
                        let (send, send2, send3) = (send.clone(), send.clone(), send.clone());
                        let name = RwSignal::new(s(&p, "name"));
                        let price = RwSignal::new(s(&p, "price"));
                        let save = {
                            let id = id.clone();
                            move |ev: leptos::ev::SubmitEvent| {
                                ev.prevent_default();
                                let body = json!({"name": name.get_untracked(), "price": price.get_untracked().trim()});
                                send("PATCH", format!("/v1/products/{}", enc(&id)), Some(Body::Json(body)), t("products.saved"));
                            }
                        };
                        let archive = {
                            let id = id.clone();
                            move |_| send2("DELETE", format!("/v1/products/{}", enc(&id)), None, t("products.archived"))
                        };
                        let is_stock = st["delivery"] == "stock";
                        let items = st["items"].as_array().cloned().unwrap_or_default();
                        view! {
                            <h2 id="panel-title">{s(&p, "name")} " " <code>{id.clone()}</code></h2>
                            <form class="grid" on:submit=save>
                                <label for="e-name">{t("products.name")}</label>
                                <input id="e-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                                <label for="e-price">{t("products.price")}</label>
                                <input id="e-price" inputmode="decimal" prop:value=move || price.get() on:input=move |ev| price.set(event_target_value(&ev))/>
                                <button type="submit">{t("products.save")}</button>
                            </form>
                            <p><button class="danger" on:click=archive>{t("products.archive")}</button></p>
                            {is_stock.then(|| {
                                let send3 = send3.clone();
                                let id = id.clone();
                                view! {
                                    <h3>{t("products.stock")}</h3>
                                    <p data-stock=id.clone()>{stock_text(&json!({"stock": st.clone()}))}</p>
                                    <label for="keys">{t("products.paste")}</label>
                                    <textarea id="keys" rows="4" spellcheck="false" prop:value=move || keys.get() on:input=move |ev| keys.set(event_target_value(&ev))></textarea>
                                    <label for="keys-file">{t("products.file")}</label>
                                    <input id="keys-file" type="file" accept=".txt,.csv,text/plain" node_ref=file_input/>
                                    <p><button on:click=load_keys.clone()>{t("products.load")}</button></p>
                                    <ul class="items">
                                        {items.into_iter().map(|i| {
                                            let send3 = send3.clone();
                                            let item = s(&i, "id");
                                            let path = format!("/v1/products/{}/stock/{}", enc(&id), enc(&item));
                                            let available = s(&i, "state") == "available";
                                            view! {
                                                <li>
                                                    <code>{s(&i, "hint")}</code> " " {t(&format!("stock.{}", s(&i, "state")))}
                                                    {available.then(|| view! {
                                                        " " <button class="quiet" aria-label=tf("products.withdraw_item", &[("item", &item)])
                                                            on:click=move |_| send3("DELETE", path.clone(), None, t("products.withdrawn"))>{t("products.withdraw")}</button>
                                                    })}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }
                            })}
                        }.into_any()
                    }
                )}
            <p class="notice" role="status">{move || notice.get()}</p>
            <ui::ErrorText error/>
        </section>
    }
}
