//! What the loader passes for one checkout: the Buy button's attributes and the script tag's
//! settings.

use crate::model::Json;

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub product: Option<String>,
    pub variant: Option<String>,
    pub quantity: Option<u32>,
    pub email: Option<String>,
    pub method: Option<String>,
    pub coupon: Option<String>,
    pub api: String,
    /// `inline`, or a modal otherwise.
    pub mode: String,
    /// The locale asked for (`locale` on the element or in `Tollgate.open`, else the script
    /// tag's `data-locale`), if any.
    pub locale: Option<String>,
    /// The browser's languages, most preferred first.
    pub languages: Vec<String>,
    /// Where the widget's files are (`…/widget/`), and the locales' beside them.
    pub assets: String,
}

impl Options {
    pub fn read(json: &str) -> Option<Options> {
        let j = Json::parse(json)?;
        Some(Options {
            product: j.str("product"),
            variant: j.str("variant"),
            quantity: j.u32("quantity"),
            email: j.str("email"),
            method: j.str("method"),
            coupon: j.str("coupon"),
            api: j.str("api")?,
            mode: j.text("mode"),
            locale: j.str("locale").filter(|l| !l.is_empty()),
            languages: j.list("languages").iter().filter_map(|l| l.as_string()).collect(),
            assets: j.text("assets"),
        })
    }
}
