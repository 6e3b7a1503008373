//! Deployment settings from `wrangler.toml` vars and secrets, checked as a whole: a worker with
//! a bad setting refuses every request with a message naming it, rather than fail on the
//! first buyer's order.

use shared::Environment;
use shared::upstream::Provider;

use crate::upstream::Settings;

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

/// Who takes the payments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gateway {
    /// The built-in test gateway.
    Sandbox,
    /// The seller's account at a provider.
    Upstream(Settings),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Test mode: testnet addresses, the public test seller key, any origin.
    pub sandbox: bool,
    pub gateway: Gateway,
    pub allowed_origins: Origins,
    /// Keys a seller may present; the test key is among them only in the sandbox.
    pub seller_keys: Vec<String>,
    /// Invoice lifetime override (tests); otherwise the catalog's `invoice_minutes`.
    pub invoice_seconds: Option<i64>,
    pub orders_per_minute_per_ip: u32,
}

/// A var or a secret by name.
fn var(env: &worker::Env, name: &str) -> Option<String> {
    env.var(name).ok().map(|v| v.to_string()).or_else(|| env.secret(name).ok().map(|s| s.to_string()))
}

impl Config {
    pub fn from_env(env: &worker::Env) -> Result<Config, Vec<String>> {
        Config::from_vars(|k| var(env, k))
    }

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
        let gateway = match var("GATEWAY").as_deref().map(str::trim) {
            None | Some("sandbox") => {
                if !sandbox {
                    problems
                        .push("the sandbox gateway is off (SANDBOX=false): set GATEWAY to an upstream provider".into());
                }
                Gateway::Sandbox
            }
            Some(name) => match name.parse::<Provider>() {
                Ok(provider) => upstream_settings(provider, sandbox, &var, &mut problems),
                Err(_) => {
                    let names: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
                    problems.push(format!("GATEWAY `{name}` is not one of sandbox, {}", names.join(", ")));
                    Gateway::Sandbox
                }
            },
        };
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
        Ok(Config { sandbox, gateway, allowed_origins, seller_keys, invoice_seconds, orders_per_minute_per_ip })
    }
}

/// A setting that must be there for this provider: its absence is named as a problem.
fn required(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    why: &str,
    problems: &mut Vec<String>,
) -> Option<String> {
    let value = var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if value.is_none() {
        problems.push(format!("{name} is not set: {why}"));
    }
    value
}

fn number(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    range: std::ops::RangeInclusive<u32>,
    default: u32,
    problems: &mut Vec<String>,
) -> u32 {
    match var(name) {
        None => default,
        Some(s) => match s.trim().parse::<u32>() {
            Ok(n) if range.contains(&n) => n,
            _ => {
                problems.push(format!(
                    "{name} must be a whole number from {} to {}, not `{s}`",
                    range.start(),
                    range.end()
                ));
                default
            }
        },
    }
}

fn upstream_settings(
    provider: Provider,
    sandbox: bool,
    var: &impl Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
) -> Gateway {
    let name = provider.display_name();
    let environment = if sandbox { Environment::Testnet } else { Environment::Mainnet };
    let api_key = required(
        var,
        "UPSTREAM_API_KEY",
        &format!("GATEWAY={provider} needs the seller's {name} API key (wrangler secret put UPSTREAM_API_KEY)"),
        problems,
    );
    let webhook_secret = if provider.signs_webhooks() {
        required(
            var,
            "WEBHOOK_SECRET",
            &format!("{name} signs its webhooks with it (wrangler secret put WEBHOOK_SECRET)"),
            problems,
        )
    } else {
        None
    };
    let store_id = if provider == Provider::SellSn {
        required(var, "SELLSN_STORE_ID", "SellSN's API names the store in every path", problems)
    } else {
        None
    };
    let base_url = var("UPSTREAM_URL")
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| provider.default_base_url(environment).to_owned());
    // Plain HTTP only in test mode, for a provider's stand-in on this machine.
    if !(base_url.starts_with("https://") || (sandbox && base_url.starts_with("http://"))) {
        problems.push(format!("UPSTREAM_URL must be an https:// address, not `{base_url}`"));
    }
    let refresh_seconds =
        number(var, "UPSTREAM_REFRESH_SECONDS", 0..=3600, provider.default_refresh_seconds(), problems);
    let timeout_ms = number(var, "UPSTREAM_TIMEOUT_MS", 100..=30_000, 8000, problems);
    Gateway::Upstream(Settings {
        provider,
        base_url,
        api_key: api_key.unwrap_or_default(),
        webhook_secret,
        store_id,
        merchant: var("SELLIX_MERCHANT").map(|m| m.trim().to_owned()).filter(|m| !m.is_empty()),
        refresh_seconds,
        timeout_ms,
        environment,
    })
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
    fn an_upstream_gateway_names_every_missing_setting() {
        let e = config(&[("GATEWAY", "sellsn")]).unwrap_err();
        assert!(e.iter().any(|m| m.starts_with("UPSTREAM_API_KEY is not set")), "{e:?}");
        assert!(e.iter().any(|m| m.starts_with("SELLSN_STORE_ID is not set")), "{e:?}");
        let e = config(&[("GATEWAY", "sellix"), ("UPSTREAM_API_KEY", "k")]).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("WEBHOOK_SECRET is not set"), "{e:?}");
        let e = config(&[("GATEWAY", "stripe")]).unwrap_err();
        assert!(e[0].contains("not one of sandbox, sellgate, sellix, sellsn, selly, coingate"), "{e:?}");
        let e = config(&[
            ("SANDBOX", "false"),
            ("GATEWAY", "coingate"),
            ("UPSTREAM_API_KEY", "k"),
            ("SELLER_API_KEY", "a-seller-key-of-16+"),
            ("UPSTREAM_URL", "http://127.0.0.1:9"),
        ])
        .unwrap_err();
        assert_eq!(e, ["UPSTREAM_URL must be an https:// address, not `http://127.0.0.1:9`"]);
    }

    #[test]
    fn upstream_defaults() {
        let c =
            config(&[("GATEWAY", "coingate"), ("UPSTREAM_API_KEY", "k"), ("UPSTREAM_REFRESH_SECONDS", "0")]).unwrap();
        let Gateway::Upstream(s) = c.gateway else { panic!("{c:?}") };
        assert_eq!(
            (s.base_url.as_str(), s.refresh_seconds, s.timeout_ms),
            ("https://api-sandbox.coingate.com", 0, 8000)
        );
        assert_eq!(s.environment, Environment::Testnet);
        assert_eq!(config(&[]).unwrap().gateway, Gateway::Sandbox);
        let e = config(&[
            ("GATEWAY", "selly"),
            ("UPSTREAM_API_KEY", "k"),
            ("WEBHOOK_SECRET", "w"),
            ("UPSTREAM_TIMEOUT_MS", "5"),
        ]);
        assert!(e.unwrap_err()[0].starts_with("UPSTREAM_TIMEOUT_MS must be a whole number from 100"));
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
