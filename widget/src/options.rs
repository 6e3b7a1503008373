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
        })
    }
}
