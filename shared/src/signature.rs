//! The signature on Tollgate's webhooks to the seller, in the scheme sellers know from Stripe:
//! `Tollgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
//!
//! The worker signs with [`sign`]; a seller's server written in Rust checks with [`verify`]
//! (the README has the same check in Node and Python). The time is signed with the body, so an
//! old delivery replayed later is refused by its age.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header's name.
pub const HEADER: &str = "Tollgate-Signature";

/// How old a signed delivery may be before [`verify`] refuses it (Stripe's default).
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a delivery's signature is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is missing or not `t=…,v1=…`")]
    Malformed,
    #[error("the signature is {age} s old, more than the {TOLERANCE_SECONDS} s allowed")]
    TooOld { age: i64 },
    #[error("no v1 signature matches the body")]
    Mismatch,
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` sent at `timestamp` (Unix seconds).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

/// Checks a delivery: the header's time is at most [`TOLERANCE_SECONDS`] from `now` (Unix
/// seconds), and one of its `v1` signatures (there are two while a secret is being rolled)
/// is the HMAC of `t.body`, compared in constant time.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => signatures.push(sig),
            _ => {}
        }
    }
    let Some(t) = timestamp.filter(|_| !signatures.is_empty()) else { return Err(SignatureError::Malformed) };
    let age = (now - t).abs();
    if age > TOLERANCE_SECONDS {
        return Err(SignatureError::TooOld { age });
    }
    let matches = |sig: &&str| from_hex(sig).is_some_and(|bytes| mac(secret, t, body).verify_slice(&bytes).is_ok());
    if signatures.iter().any(matches) { Ok(()) } else { Err(SignatureError::Mismatch) }
}

/// Bytes from hex (either case); `None` for an odd length or a character that is not hex.
/// The providers' webhook signatures are read with it too (`gateways::webhook`).
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"order.completed"}"#;

    #[test]
    fn a_signed_body_verifies() {
        let header = sign("whsec_test", 1_700_000_000, BODY);
        assert!(header.starts_with("t=1700000000,v1=") && header.len() == "t=1700000000,v1=".len() + 64);
        assert_eq!(verify("whsec_test", &header, BODY, 1_700_000_100), Ok(()));
        // A second v1 (a secret being rolled) is accepted alongside.
        let rolled = format!("{header},v1={}", "ab".repeat(32));
        assert_eq!(verify("whsec_test", &rolled, BODY, 1_700_000_000), Ok(()));
    }

    #[test]
    fn a_known_vector() {
        // HMAC-SHA256(key "key", "1.The quick brown fox jumps over the lazy dog"), computed
        // independently with Python's hmac module.
        let header = sign("key", 1, b"The quick brown fox jumps over the lazy dog");
        assert_eq!(header, "t=1,v1=3ff4d3cc115b639a16dc5b217aa5c89be41d1e4b54efc356d63d0cd2a65b30f1");
    }

    #[test]
    fn forgeries_are_refused() {
        let header = sign("whsec_test", 1_700_000_000, BODY);
        let now = 1_700_000_000;
        assert_eq!(verify("other", &header, BODY, now), Err(SignatureError::Mismatch));
        assert_eq!(verify("whsec_test", &header, br#"{"id":"evt_2"}"#, now), Err(SignatureError::Mismatch));
        // The time is signed: moving it breaks the signature.
        let moved = header.replace("t=1700000000", "t=1700000001");
        assert_eq!(verify("whsec_test", &moved, BODY, now), Err(SignatureError::Mismatch));
        assert_eq!(verify("whsec_test", &header, BODY, now + 301), Err(SignatureError::TooOld { age: 301 }));
        for bad in ["", "t=1", "v1=00", "t=x,v1=00", "garbage"] {
            assert_eq!(verify("whsec_test", bad, BODY, now), Err(SignatureError::Malformed), "{bad}");
        }
        assert_eq!(verify("whsec_test", "t=1700000000,v1=zz", BODY, now), Err(SignatureError::Mismatch));
    }
}
