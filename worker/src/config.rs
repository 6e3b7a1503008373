//! Deployment settings from `wrangler.toml` vars and secrets, checked as a whole: a worker with
//! a bad setting refuses every request with a message naming it, rather than fail on the
//! first buyer's order.

/// The documented sandbox seller key: accepted only while the sandbox is on.
pub const TEST_SELLER_KEY: &str = "sg_test_sandbox";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origins {
    Any,
    List(Vec<String>),
}

impl Origins {
    pub fn allows(&self, origin: &str) -> bool {
        match self {
            Origins::Any => true,
            Origins::List(list) => list.iter().any(|o| o == origin),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub sandbox: bool,
    pub allowed_origins: Origins,
    /// Keys a seller may present; the test key is among them only in the sandbox.
    pub seller_keys: Vec<String>,
    /// Invoice lifetime override (tests); otherwise the catalog's `invoice_minutes`.
    pub invoice_seconds: Option<i64>,
    pub orders_per_minute_per_ip: u32,
}

impl Config {
    /// Reads the settings through `var` (a var or secret by name).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, Vec<String>> {
        let mut problems = Vec::new();
        let sandbox = match var("SANDBOX").as_deref().map(str::trim) {
            None | Some("true") => true,
            Some("false") => false,
            Some(other) => {
                problems.push(format!("SANDBOX must be `true` or `false`, not `{other}`"));
                true
            }
        };
        match var("GATEWAY").as_deref().map(str::trim) {
            None | Some("sandbox") if sandbox => {}
            None | Some("sandbox") => {
                problems.push("the sandbox gateway is off (SANDBOX=false): set GATEWAY to an upstream provider".into())
            }
            Some(other) => problems.push(format!("GATEWAY `{other}` is not available in this build")),
        }
        let origins = var("ALLOWED_ORIGINS").unwrap_or_default();
        let list: Vec<String> =
            origins.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).filter(|o| !o.is_empty()).collect();
        let allowed_origins = if list.iter().any(|o| o == "*") {
            if !sandbox {
                problems.push("ALLOWED_ORIGINS may be `*` only in the sandbox".into());
            }
            Origins::Any
        } else {
            Origins::List(list)
        };
        let mut seller_keys = Vec::new();
        match var("SELLER_API_KEY").map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()) {
            Some(k) if k == TEST_SELLER_KEY && !sandbox => {
                problems.push("SELLER_API_KEY is the public test key; set a secret of your own".into())
            }
            Some(k) if k.len() < 16 => problems.push("SELLER_API_KEY must be at least 16 characters".into()),
            Some(k) => seller_keys.push(k),
            None if !sandbox => problems.push("SELLER_API_KEY is not set (wrangler secret put SELLER_API_KEY)".into()),
            None => {}
        }
        if sandbox {
            seller_keys.push(TEST_SELLER_KEY.into());
        }
        let invoice_seconds = match var("INVOICE_SECONDS") {
            None => None,
            Some(s) => match s.trim().parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    problems.push(format!("INVOICE_SECONDS must be a positive whole number, not `{s}`"));
                    None
                }
            },
        };
        let orders_per_minute_per_ip = match var("ORDERS_PER_MINUTE_PER_IP") {
            None => 20,
            Some(s) => s.trim().parse().unwrap_or_else(|_| {
                problems.push(format!("ORDERS_PER_MINUTE_PER_IP must be a whole number, not `{s}`"));
                20
            }),
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Config { sandbox, allowed_origins, seller_keys, invoice_seconds, orders_per_minute_per_ip })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, Vec<String>> {
        Config::from_vars(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn sandbox_defaults() {
        let c = config(&[("ALLOWED_ORIGINS", "*")]).unwrap();
        assert!(c.sandbox);
        assert_eq!(c.seller_keys, [TEST_SELLER_KEY]);
        assert!(c.allowed_origins.allows("https://shop.example"));
        assert_eq!(c.orders_per_minute_per_ip, 20);
    }

    #[test]
    fn production_refuses_the_test_key_missing_keys_and_wildcards() {
        let e =
            config(&[("SANDBOX", "false"), ("SELLER_API_KEY", TEST_SELLER_KEY), ("ALLOWED_ORIGINS", "*")]).unwrap_err();
        assert!(e.iter().any(|m| m.contains("public test key")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("`*` only in the sandbox")), "{e:?}");
        let e = config(&[("SANDBOX", "false")]).unwrap_err();
        assert!(e.iter().any(|m| m.contains("SELLER_API_KEY is not set")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("set GATEWAY")), "{e:?}");
    }

    #[test]
    fn origins_list_and_bad_numbers() {
        let c = config(&[("ALLOWED_ORIGINS", "https://a.example, https://b.example/")]).unwrap();
        assert!(c.allowed_origins.allows("https://b.example"));
        assert!(!c.allowed_origins.allows("https://c.example"));
        let e = config(&[("INVOICE_SECONDS", "soon"), ("SANDBOX", "maybe")]).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(config(&[("INVOICE_SECONDS", "3")]).unwrap().invoice_seconds, Some(3));
    }
}
