//! Numbers and times in the buyer's locale, by the browser's `Intl`: no locale data in the
//! wasm. Only what the buyer reads is formatted this way (fiat prices, the rate, a clock
//! time); what they copy or send (crypto amounts, addresses) keeps its exact machine form.

#[cfg(target_arch = "wasm32")]
mod browser {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        pub type NumberFormat;
        /// Throws on an unknown currency code: `catch` makes that an `Err`, not a trap.
        #[wasm_bindgen(catch, js_namespace = Intl, js_name = NumberFormat)]
        pub fn number_format(locale: &str, options: &js_sys::Object) -> Result<NumberFormat, JsValue>;
        /// Given a string, `format` reads it as an exact decimal (no rounding through a float).
        #[wasm_bindgen(method, js_name = format)]
        pub fn format_decimal(this: &NumberFormat, value: &str) -> String;

        pub type DateTimeFormat;
        #[wasm_bindgen(catch, js_namespace = Intl, js_name = DateTimeFormat)]
        pub fn date_time_format(locale: &str, options: &js_sys::Object) -> Result<DateTimeFormat, JsValue>;
        #[wasm_bindgen(method, js_name = format)]
        pub fn format_millis(this: &DateTimeFormat, millis: f64) -> String;

        /// Only with `new`; absent from older browsers, which `catch` makes an `Err`.
        pub type DurationFormat;
        #[wasm_bindgen(catch, constructor, js_namespace = Intl)]
        pub fn new(locale: &str, options: &js_sys::Object) -> Result<DurationFormat, JsValue>;
        #[wasm_bindgen(method, js_name = format)]
        pub fn format_duration(this: &DurationFormat, duration: &js_sys::Object) -> String;
    }

    pub fn options(pairs: &[(&str, &str)]) -> js_sys::Object {
        let o = js_sys::Object::new();
        for (k, v) in pairs {
            let _ = js_sys::Reflect::set(&o, &(*k).into(), &(*v).into());
        }
        o
    }

    thread_local! {
        /// The formatters made so far, by locale and what they write. Making one is the slow
        /// part (a fraction of a millisecond), and the payment screen asks for several at once
        /// and for the countdown's every second.
        static MADE: std::cell::RefCell<Vec<(String, JsValue)>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    /// The formatter for `what` in the buyer's locale, made by `make` the first time.
    pub fn made<F: JsCast>(what: &str, make: impl FnOnce(&str) -> Result<F, JsValue>) -> Option<F> {
        let locale = crate::i18n::current();
        let key = locale.to_owned() + " " + what;
        MADE.with(|m| {
            if let Some((_, f)) = m.borrow().iter().find(|(k, _)| *k == key) {
                return Some(f.clone().unchecked_into());
            }
            let f = make(locale).ok()?;
            m.borrow_mut().push((key, f.as_ref().clone()));
            Some(f)
        })
    }
}

/// A fiat amount as the buyer's locale writes it: "$29.99" in English, "29,99 $" in German.
pub fn money(amount: &str, currency: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let make =
            |l: &str| browser::number_format(l, &browser::options(&[("style", "currency"), ("currency", currency)]));
        if let Some(f) = browser::made(currency, make) {
            return f.format_decimal(amount);
        }
    }
    amount.to_owned() + " " + currency
}

/// A time of day (milliseconds since the epoch) as the buyer's locale writes it: "2:32 PM",
/// "14:32".
pub fn time(millis: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        if let Some(f) =
            browser::made("time", |l| browser::date_time_format(l, &browser::options(&[("timeStyle", "short")])))
        {
            return f.format_millis(millis);
        }
    }
    let minutes = (millis / 60_000.0).floor() as u64;
    crate::format::num(minutes / 60 % 24) + ":" + &crate::format::two(minutes % 60) + " UTC"
}

/// The time left as a clock ("30:00", "1:02:05") in the buyer's locale's digits and
/// separators; where the browser has no `Intl.DurationFormat`, the same with Latin digits.
pub fn countdown(seconds: u64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let make = |l: &str| {
            browser::DurationFormat::new(l, &browser::options(&[("style", "digital"), ("hoursDisplay", "auto")]))
        };
        if let Some(f) = browser::made("duration", make) {
            let duration = js_sys::Object::new();
            for (unit, n) in [("hours", seconds / 3600), ("minutes", seconds / 60 % 60), ("seconds", seconds % 60)] {
                let _ = js_sys::Reflect::set(&duration, &unit.into(), &(n as f64).into());
            }
            return f.format_duration(&duration);
        }
    }
    crate::format::countdown(seconds)
}
