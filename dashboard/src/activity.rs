//! The audit log: who (which key) changed what, and when, newest first.

use leptos::prelude::*;

use crate::api;
use crate::i18n::t;
use crate::ui;
use crate::ui::field as s;

#[component]
pub fn Activity() -> impl IntoView {
    let log = LocalResource::new(|| api::call("GET", "/v1/audit?limit=100", None));
    view! {
        <h1>{t("activity.title")}</h1>
        {ui::answer(log, move |v| view! {
                    // Focusable, so a keyboard can scroll it on a narrow screen: it holds no
                    // link or button.
                    <div class="scroll" tabindex="0" role="region" aria-label=t("activity.title")><table>
                        <thead><tr>
                            <th scope="col">{t("activity.when")}</th>
                            <th scope="col">{t("activity.who")}</th>
                            <th scope="col">{t("activity.what")}</th>
                            <th scope="col">{t("activity.target")}</th>
                        </tr></thead>
                        <tbody>
                            {v["data"].as_array().cloned().unwrap_or_default().into_iter().map(|e| {
                                let at = e["at_ms"].as_f64().unwrap_or(0.0);
                                let iso = String::from(js_sys::Date::new(&at.into()).to_iso_string());
                                view! {
                                    <tr>
                                        <td>{ui::when(&iso)}</td>
                                        <td><code>{s(&e, "actor")}</code></td>
                                        <td>{s(&e, "action")}</td>
                                        <td><code>{s(&e, "target")}</code></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            )}
    }
}
