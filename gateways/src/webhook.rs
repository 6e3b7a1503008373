//! Webhooks: news from a provider about one order, checked before anything is believed.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha512;
use subtle::ConstantTimeEq;

use crate::settings::{Setting, Settings};
use crate::state::UpstreamState;

/// The shared secret of providers that sign their webhooks with HMAC-SHA512 of the raw body.
pub const WEBHOOK_SECRET: Setting = Setting {
    var: "WEBHOOK_SECRET",
    secret: true,
    required: Some("signs its webhooks with it (wrangler secret put WEBHOOK_SECRET)"),
};

/// A webhook whose signature or token has been checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookNews {
    pub state: UpstreamState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookRefusal {
    /// No or a wrong signature or token: 401.
    Unauthorized(String),
    /// Signed, but not readable: 400.
    Malformed(String),
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Checks a hex HMAC-SHA512 of the raw body, in constant time.
pub(crate) fn verify_hmac_sha512(secret: &str, body: &[u8], signature: Option<&str>) -> Result<(), WebhookRefusal> {
    let Some(sig) = signature.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(WebhookRefusal::Unauthorized("the webhook is not signed".into()));
    };
    let mismatch = || WebhookRefusal::Unauthorized("the webhook signature does not match".into());
    let sig = shared::signature::from_hex(sig).ok_or_else(mismatch)?;
    let mut mac = Hmac::<Sha512>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    mac.verify_slice(&sig).map_err(|_| mismatch())
}

/// Checks a webhook signed with HMAC-SHA512 of its raw body, then reads it with `read`.
pub(crate) fn signed_webhook(
    s: &Settings,
    signature: Option<String>,
    body: &[u8],
    read: impl FnOnce(&str) -> Result<UpstreamState, String>,
) -> Option<Result<WebhookNews, WebhookRefusal>> {
    let secret = s.get(&WEBHOOK_SECRET)?;
    Some(verify_hmac_sha512(secret, body, signature.as_deref()).and_then(|()| {
        let text = std::str::from_utf8(body).map_err(|_| WebhookRefusal::Malformed("not UTF-8".into()))?;
        Ok(WebhookNews { state: read(text).map_err(WebhookRefusal::Malformed)? })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_signatures() {
        // HMAC-SHA512("key", "The quick brown fox jumps over the lazy dog"), the example on
        // Wikipedia's HMAC page.
        let sig = "b42af09057bac1e2d41708e48a902e09b5ff7f12ab428a4fe86653c73dd248fb82f948a549f7b791a5b41915ee4d1ec3935357e4e2317250d0372afa2ebeeb3a";
        let body = b"The quick brown fox jumps over the lazy dog";
        assert_eq!(verify_hmac_sha512("key", body, Some(sig)), Ok(()));
        assert_eq!(verify_hmac_sha512("key", body, Some(&sig.to_uppercase())), Ok(()));
        let refused = |r: Result<(), WebhookRefusal>| matches!(r, Err(WebhookRefusal::Unauthorized(_)));
        assert!(refused(verify_hmac_sha512("key", b"The quick brown fox", Some(sig))));
        assert!(refused(verify_hmac_sha512("other", body, Some(sig))));
        assert!(refused(verify_hmac_sha512("key", body, None)));
        assert!(refused(verify_hmac_sha512("key", body, Some(&sig[1..]))));
        assert!(refused(verify_hmac_sha512("key", body, Some(&sig.replace('b', "g")))));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("tok_abc", "tok_abc"));
        assert!(!same_secret("tok_abc", "tok_abd") && !same_secret("tok_abc", "tok_ab") && !same_secret("", "x"));
    }
}
