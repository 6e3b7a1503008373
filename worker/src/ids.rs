//! Unguessable identifiers and secrets from the platform's cryptographic random source.

/// `n` random bytes.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).expect("the platform has a random source");
    b
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `ord_` and 128 random bits.
pub fn order_id() -> String {
    format!("ord_{}", hex(&random_bytes::<16>()))
}

/// Whether `s` has the shape of an order id (checked before any storage is touched).
pub fn is_order_id(s: &str) -> bool {
    s.strip_prefix("ord_")
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
}

/// The buyer's key to their order: 256 random bits.
pub fn client_secret() -> String {
    format!("cs_{}", hex(&random_bytes::<32>()))
}

/// SellGate-shaped human references: `INV-M5KX2H-ABC1`, `ORD-M5KX2H-XYZ9`
/// (base-36 time in milliseconds, then four random base-36 characters).
pub fn reference(prefix: &str, now_ms: i64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut t = now_ms.max(0) as u64;
    let mut time = Vec::new();
    loop {
        time.push(DIGITS[(t % 36) as usize]);
        t /= 36;
        if t == 0 {
            break;
        }
    }
    time.reverse();
    let tail: String = random_bytes::<4>().iter().map(|b| DIGITS[(*b as usize) % 36] as char).collect();
    format!("{prefix}-{}-{tail}", String::from_utf8(time).expect("ascii"))
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who a client is, for limits and idempotency: an IPv4 address as it is, an IPv6 address by
/// its /64 (one subscriber's prefix, within which addresses rotate freely). Anything else (no
/// address at all) is one shared client.
pub fn client_key(ip: &str) -> String {
    match ip.trim().parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => v4.to_string(),
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_ipv4_addresses_or_ipv6_prefixes() {
        assert_eq!(client_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(client_key("2001:db8:1:2:ffff:ffff:ffff:fffe"), "2001:db8:1:2::/64");
        assert_ne!(client_key("2001:db8:1:3::1"), client_key("2001:db8:1:2::1"));
        assert_eq!(client_key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(client_key("not an address"), "unknown");
    }

    #[test]
    fn shapes() {
        let id = order_id();
        assert!(is_order_id(&id), "{id}");
        assert_ne!(order_id(), id);
        assert!(!is_order_id("ord_abc123"));
        assert!(!is_order_id("ord_../../x"));
        assert_eq!(client_secret().len(), 3 + 64);
        let r = reference("INV", 1_735_468_200_000);
        assert!(r.starts_with("INV-M59GYHC0-") && r.len() == "INV-M59GYHC0-ABC1".len(), "{r}");
        assert!(constant_time_eq("abc", "abc") && !constant_time_eq("abc", "abd") && !constant_time_eq("abc", "ab"));
    }
}
