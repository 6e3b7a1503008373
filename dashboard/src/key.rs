//! The seller's key, kept for this tab only (`sessionStorage`): never in a URL, a cookie or
//! `localStorage`, so closing the tab forgets it.

const NAME: &str = "tollgate.seller_key";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

pub fn get() -> Option<String> {
    storage()?.get_item(NAME).ok()?.filter(|k| !k.is_empty())
}

pub fn set(key: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(NAME, key.trim());
    }
}

pub fn clear() {
    if let Some(s) = storage() {
        let _ = s.remove_item(NAME);
    }
}
