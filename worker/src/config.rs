//! Deployment settings from `wrangler.toml` vars and secrets, checked as a whole: a worker with
//! a bad setting refuses every request with a message naming it, rather than fail on the
//! first buyer's order.
//!
//! Test mode is asked for (`SANDBOX = "true"`), never assumed: a deployment that says nothing
//! is a live store, and a live store without its own seller key, origins and provider refuses
//! to serve. Messages name settings and what they need, never their values: they are public.
//!
//! Longer than 400 lines: every setting is checked in one pass so all problems are reported at
//! once; tests are the last 150 lines.

use gateways::{Provider, Settings};
use shared::Environment;

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
    /// Orders one client (an IPv4 address, an IPv6 /64) may create per minute.
    pub orders_per_minute_per_ip: u32,
    /// Product reads and quotes one client may make per minute.
    pub reads_per_minute_per_ip: u32,
    /// How long an `Idempotency-Key` is remembered.
    pub idempotency_seconds: u32,
    /// Where the seller hears of every order's events, when set.
    pub seller_webhooks: Option<SellerWebhooks>,
    /// Whether buyers' checkouts may open a live socket (`LIVE_SOCKETS`, on unless `false`);
    /// off, they poll.
    pub live_sockets: bool,
}

/// The seller's own endpoints for order events (`WEBHOOK_URL`), and how deliveries are signed
/// and retried.
#[derive(Clone, PartialEq, Eq)]
pub struct SellerWebhooks {
    pub urls: Vec<String>,
    /// `SELLER_WEBHOOK_SECRET`: the key of every delivery's `Tollgate-Signature`.
    pub secret: String,
    /// The waits between attempts; when they are spent, a delivery is given up.
    pub retry_seconds: Vec<u32>,
    /// An endpoint that has not answered in this long has failed the attempt.
    pub timeout_ms: u32,
}

impl std::fmt::Debug for SellerWebhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SellerWebhooks")
            .field("urls", &self.urls)
            .field("secret", &"(secret)")
            .field("retry_seconds", &self.retry_seconds)
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

/// 10 s, 1 min, 5 min, 30 min, 2 h, 6 h, then daily: about three and a half days in all.
pub const DEFAULT_RETRY_SECONDS: [u32; 9] = [10, 60, 300, 1800, 7200, 21_600, 86_400, 86_400, 86_400];

/// A var or a secret by name.
fn var(env: &worker::Env, name: &str) -> Option<String> {
    env.var(name).ok().map(|v| v.to_string()).or_else(|| env.secret(name).ok().map(|s| s.to_string()))
}

impl Config {
    pub fn from_env(env: &worker::Env) -> Result<Config, Vec<String>> {
        Config::from_vars(|k| var(env, k))
    }

    /// The settings, read and checked once per isolate: vars and secrets cannot change while an
    /// isolate lives (a new deployment starts new ones), and reading them is most of what a
    /// request as small as `/v1/health` costs.
    pub fn cached(env: &worker::Env) -> Result<Config, Vec<String>> {
        thread_local! {
            static CACHED: std::cell::OnceCell<Result<Config, Vec<String>>> = const { std::cell::OnceCell::new() };
        }
        CACHED.with(|c| c.get_or_init(|| Config::from_env(env)).clone())
    }

    /// Reads the settings through `var` (a var or secret by name).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, Vec<String>> {
        let mut problems = Vec::new();
        // Unset means live: test mode must be asked for by name.
        let sandbox = match var("SANDBOX").as_deref().map(str::trim) {
            Some("true") => true,
            None | Some("false") => false,
            Some(_) => {
                problems.push("SANDBOX must be `true` (test mode) or `false` (live)".into());
                false
            }
        };
        let names: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
        let gateway = match var("GATEWAY").as_deref().map(str::trim).filter(|g| !g.is_empty()) {
            Some("sandbox") if sandbox => Gateway::Sandbox,
            Some("sandbox") => {
                problems.push(format!(
                    "GATEWAY=sandbox takes no real payments and needs SANDBOX=true (test mode); a live store sets \
                     GATEWAY to its provider: {}",
                    names.join(", ")
                ));
                Gateway::Sandbox
            }
            None if sandbox => Gateway::Sandbox,
            None => {
                problems.push(format!(
                    "GATEWAY is not set: a live store names its provider ({}); for test mode run \
                     `wrangler dev --env sandbox` (or `cargo xtask run`)",
                    names.join(", ")
                ));
                Gateway::Sandbox
            }
            Some(name) => match name.parse::<Provider>() {
                Ok(provider) => upstream_settings(provider, sandbox, &var, &mut problems),
                Err(_) => {
                    problems.push(format!("GATEWAY must be one of sandbox, {}", names.join(", ")));
                    Gateway::Sandbox
                }
            },
        };
        let allowed_origins = origins(var("ALLOWED_ORIGINS").unwrap_or_default(), sandbox, &mut problems);
        let mut seller_keys = Vec::new();
        match var("SELLER_API_KEY").map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()) {
            Some(k) if k == TEST_SELLER_KEY && !sandbox => problems.push(
                "SELLER_API_KEY is the public test key, which only test mode (SANDBOX=true) accepts; set a secret \
                 of your own (wrangler secret put SELLER_API_KEY)"
                    .into(),
            ),
            Some(k) if k.len() < 16 => problems.push("SELLER_API_KEY must be at least 16 characters".into()),
            Some(k) => seller_keys.push(k),
            None if !sandbox => problems
                .push("SELLER_API_KEY is not set: a live store needs one (wrangler secret put SELLER_API_KEY)".into()),
            None => {}
        }
        if sandbox {
            seller_keys.push(TEST_SELLER_KEY.into());
        }
        let invoice_seconds = var("INVOICE_SECONDS")
            .map(|_| i64::from(number(&var, "INVOICE_SECONDS", 1..=7 * 86_400, 1800, &mut problems)));
        // Zero would refuse every order: a limit is at least one.
        let orders_per_minute_per_ip = number(&var, "ORDERS_PER_MINUTE_PER_IP", 1..=10_000, 20, &mut problems);
        let reads_per_minute_per_ip = number(&var, "READS_PER_MINUTE_PER_IP", 1..=100_000, 120, &mut problems);
        let idempotency_seconds = number(&var, "IDEMPOTENCY_SECONDS", 1..=7 * 86_400, 86_400, &mut problems);
        let seller_webhooks = seller_webhooks(&var, sandbox, &mut problems);
        let live_sockets = match var("LIVE_SOCKETS").as_deref().map(str::trim) {
            None | Some("true") => true,
            Some("false") => false,
            Some(_) => {
                problems.push("LIVE_SOCKETS must be `true` or `false`".into());
                true
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Config {
            sandbox,
            gateway,
            allowed_origins,
            seller_keys,
            invoice_seconds,
            orders_per_minute_per_ip,
            reads_per_minute_per_ip,
            idempotency_seconds,
            seller_webhooks,
            live_sockets,
        })
    }
}

/// `WEBHOOK_URL` (comma-separated https endpoints; loopback http too in test mode) and what goes
/// with it. A URL without `SELLER_WEBHOOK_SECRET` is a problem: deliveries are always signed.
fn seller_webhooks(
    var: &impl Fn(&str) -> Option<String>,
    sandbox: bool,
    problems: &mut Vec<String>,
) -> Option<SellerWebhooks> {
    let list = var("WEBHOOK_URL").unwrap_or_default();
    let urls: Vec<String> = list.split(',').map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned).collect();
    if urls.is_empty() {
        return None;
    }
    if urls.iter().any(|u| !is_webhook_url(u, sandbox)) {
        problems.push(if sandbox {
            "WEBHOOK_URL must list https:// addresses (or http:// on this machine in test mode)".into()
        } else {
            "WEBHOOK_URL must list https:// addresses".into()
        });
    }
    let secret = required(
        var,
        "SELLER_WEBHOOK_SECRET",
        "WEBHOOK_URL is set, and every delivery is signed with it (wrangler secret put SELLER_WEBHOOK_SECRET)",
        problems,
    );
    if secret.as_ref().is_some_and(|s| s.len() < 16) {
        problems.push("SELLER_WEBHOOK_SECRET must be at least 16 characters".into());
    }
    let retry_seconds = match var("WEBHOOK_RETRY_SECONDS") {
        None => DEFAULT_RETRY_SECONDS.to_vec(),
        Some(list) => {
            let parsed: Option<Vec<u32>> =
                list.split(',').map(|s| s.trim().parse::<u32>().ok().filter(|n| (1..=86_400).contains(n))).collect();
            match parsed.filter(|l| (1..=20).contains(&l.len())) {
                Some(l) => l,
                None => {
                    problems.push(
                        "WEBHOOK_RETRY_SECONDS must be 1 to 20 waits in seconds (1 to 86400), comma-separated".into(),
                    );
                    DEFAULT_RETRY_SECONDS.to_vec()
                }
            }
        }
    };
    let timeout_ms = number(var, "WEBHOOK_TIMEOUT_MS", 100..=30_000, 10_000, problems);
    Some(SellerWebhooks { urls, secret: secret.unwrap_or_default(), retry_seconds, timeout_ms })
}

/// An https URL with a host, or in test mode an http URL on this machine. Checked by hand, not
/// with a URL parser, which the worker does not ship (its Unicode tables cost ~60 KB of wasm): a
/// host is ASCII letters, digits, `-`, `_` and dots (a trailing one too; an international name
/// in its `xn--` form) or a bracketed IPv6 address; no user or password; a port of 1 to 65535.
fn is_webhook_url(u: &str, sandbox: bool) -> bool {
    if u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((scheme, rest)) = u.split_once("://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = match authority.strip_prefix('[') {
        // After the brackets: nothing, or a port.
        Some(v6) => match v6.split_once(']') {
            Some((addr, after))
                if addr.contains(':')
                    && addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':')
                    && (after.is_empty() || after.starts_with(':')) =>
            {
                (&authority[..addr.len() + 2], after.strip_prefix(':'))
            }
            _ => return false,
        },
        None => match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let port_ok = port.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|n| n > 0));
    let name = host.strip_suffix('.').unwrap_or(host);
    let name_ok = host.starts_with('[')
        || (!name.is_empty()
            && name.split('.').all(|label| {
                !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }));
    let loopback = ["127.0.0.1", "localhost", "[::1]"].iter().any(|l| name.eq_ignore_ascii_case(l));
    let scheme_ok =
        scheme.eq_ignore_ascii_case("https") || (sandbox && scheme.eq_ignore_ascii_case("http") && loopback);
    port_ok && name_ok && scheme_ok
}

/// `ALLOWED_ORIGINS`: the seller pages' origins, comma-separated. `*` only in test mode; a live
/// store lists at least one, or the widget on its pages could not reach the API.
fn origins(list: String, sandbox: bool, problems: &mut Vec<String>) -> Origins {
    let list: Vec<String> =
        list.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).filter(|o| !o.is_empty()).collect();
    if list.iter().any(|o| o == "*") {
        if !sandbox {
            problems.push("ALLOWED_ORIGINS may be `*` only in test mode (SANDBOX=true)".into());
        }
        return Origins::Any;
    }
    if list.is_empty() && !sandbox {
        problems.push(
            "ALLOWED_ORIGINS is empty: list the origins of the pages that embed the checkout, such as \
             https://shop.example"
                .into(),
        );
    }
    if list.iter().any(|o| !is_origin(o)) {
        problems.push("ALLOWED_ORIGINS must list origins only: scheme and host, such as https://shop.example".into());
    }
    Origins::List(list)
}

/// `https://host[:port]` (or `http://` for a page on this machine), with nothing after the host.
fn is_origin(o: &str) -> bool {
    let Some((scheme, host)) = o.split_once("://") else { return false };
    matches!(scheme, "https" | "http")
        && !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
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
                problems.push(format!("{name} must be a whole number from {} to {}", range.start(), range.end()));
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
    let profile = provider.profile();
    let environment = if sandbox { Environment::Testnet } else { Environment::Mainnet };
    let api_key = required(
        var,
        "UPSTREAM_API_KEY",
        &format!(
            "GATEWAY={provider} needs the seller's {} API key (wrangler secret put UPSTREAM_API_KEY)",
            profile.display_name
        ),
        problems,
    );
    let base_url = var("UPSTREAM_URL")
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| provider.default_base_url(environment).to_owned());
    // Plain HTTP only in test mode, for a provider's stand-in on this machine.
    if !(base_url.starts_with("https://") || (sandbox && base_url.starts_with("http://"))) {
        problems.push("UPSTREAM_URL must be an https:// address (plain http:// only in test mode)".into());
    }
    let mut settings = Settings::new(provider, base_url, api_key.unwrap_or_default(), environment);
    settings.refresh_seconds = number(var, "UPSTREAM_REFRESH_SECONDS", 0..=3600, profile.refresh_seconds, problems);
    settings.timeout_ms = number(var, "UPSTREAM_TIMEOUT_MS", 100..=30_000, settings.timeout_ms, problems);
    // The provider's own settings, as its profile declares them.
    for own in profile.settings {
        let value = match own.required {
            Some(why) => required(var, own.var, &format!("{} {why}", profile.display_name), problems),
            None => var(own.var),
        };
        settings.set(own, value.as_deref().unwrap_or_default());
    }
    Gateway::Upstream(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, Vec<String>> {
        Config::from_vars(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
    }

    const LIVE_KEY: &str = "a-seller-key-of-16+";

    /// A complete live configuration with a provider, to which a test adds or changes one thing.
    fn live(extra: &[(&'static str, &'static str)]) -> Result<Config, Vec<String>> {
        let mut vars = vec![
            ("GATEWAY", "coingate"),
            ("UPSTREAM_API_KEY", "k"),
            ("SELLER_API_KEY", LIVE_KEY),
            ("ALLOWED_ORIGINS", "https://shop.example"),
        ];
        for (k, v) in extra {
            vars.retain(|(n, _)| n != k);
            vars.push((k, v));
        }
        config(&vars)
    }

    fn has(e: &[String], needle: &str) -> bool {
        e.iter().any(|m| m.contains(needle))
    }

    #[test]
    fn test_mode_is_asked_for() {
        let c = config(&[("SANDBOX", "true"), ("ALLOWED_ORIGINS", "*")]).unwrap();
        assert!(c.sandbox);
        assert_eq!(c.gateway, Gateway::Sandbox);
        assert_eq!(c.seller_keys, [TEST_SELLER_KEY]);
        assert!(c.allowed_origins.allows("https://shop.example"));
        assert_eq!((c.orders_per_minute_per_ip, c.reads_per_minute_per_ip, c.idempotency_seconds), (20, 120, 86_400));
        assert!(config(&[("SANDBOX", "true"), ("GATEWAY", "sandbox")]).unwrap().sandbox);
    }

    #[test]
    fn nothing_set_is_a_live_store_that_refuses_to_serve() {
        let e = config(&[]).unwrap_err();
        assert!(has(&e, "GATEWAY is not set"), "{e:?}");
        assert!(has(&e, "SELLER_API_KEY is not set"), "{e:?}");
        assert!(has(&e, "ALLOWED_ORIGINS is empty"), "{e:?}");
        // The sandbox gateway is never live, whatever GATEWAY says.
        let e =
            config(&[("GATEWAY", "sandbox"), ("SELLER_API_KEY", LIVE_KEY), ("ALLOWED_ORIGINS", "https://a.example")])
                .unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("needs SANDBOX=true"), "{e:?}");
    }

    #[test]
    fn the_test_key_is_accepted_only_in_test_mode() {
        // Unset SANDBOX with a provider: live, so the test key is refused.
        let e = live(&[("SELLER_API_KEY", TEST_SELLER_KEY)]).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("public test key") && e[0].contains("SANDBOX=true"), "{e:?}");
        let c = live(&[]).unwrap();
        assert!(!c.sandbox);
        assert_eq!(c.seller_keys, [LIVE_KEY]);
        let Gateway::Upstream(s) = c.gateway else { panic!() };
        assert_eq!(s.environment, Environment::Mainnet);
        // SANDBOX=false says the same explicitly.
        assert!(live(&[("SANDBOX", "false"), ("SELLER_API_KEY", TEST_SELLER_KEY)]).is_err());
        // Test mode with a provider's stand-in: the test key works, beside the seller's own.
        let c = live(&[("SANDBOX", "true")]).unwrap();
        assert_eq!(c.seller_keys, [LIVE_KEY, TEST_SELLER_KEY]);
    }

    #[test]
    fn live_origins_are_a_real_list() {
        assert!(has(&live(&[("ALLOWED_ORIGINS", "*")]).unwrap_err(), "`*` only in test mode"));
        assert!(has(&live(&[("ALLOWED_ORIGINS", " , ")]).unwrap_err(), "ALLOWED_ORIGINS is empty"));
        assert!(has(&live(&[("ALLOWED_ORIGINS", "shop.example")]).unwrap_err(), "origins only"));
        assert!(has(&live(&[("ALLOWED_ORIGINS", "https://shop.example/checkout")]).unwrap_err(), "origins only"));
        let c = live(&[("ALLOWED_ORIGINS", "https://a.example, https://b.example/")]).unwrap();
        assert!(c.allowed_origins.allows("https://b.example"));
        assert!(!c.allowed_origins.allows("https://c.example"));
    }

    #[test]
    fn limits_of_zero_are_refused() {
        let e = live(&[("ORDERS_PER_MINUTE_PER_IP", "0")]).unwrap_err();
        assert_eq!(e, ["ORDERS_PER_MINUTE_PER_IP must be a whole number from 1 to 10000"]);
        assert!(has(&live(&[("READS_PER_MINUTE_PER_IP", "0")]).unwrap_err(), "READS_PER_MINUTE_PER_IP"));
        assert!(has(&live(&[("IDEMPOTENCY_SECONDS", "0")]).unwrap_err(), "IDEMPOTENCY_SECONDS"));
        assert_eq!(live(&[("ORDERS_PER_MINUTE_PER_IP", "1")]).unwrap().orders_per_minute_per_ip, 1);
    }

    #[test]
    fn messages_never_echo_values() {
        let secretish = "sk_live_do_not_show_me";
        let e = config(&[
            ("SANDBOX", secretish),
            ("GATEWAY", secretish),
            ("ALLOWED_ORIGINS", secretish),
            ("SELLER_API_KEY", "short"),
            ("INVOICE_SECONDS", secretish),
            ("ORDERS_PER_MINUTE_PER_IP", secretish),
            ("UPSTREAM_URL", secretish),
        ])
        .unwrap_err();
        assert!(e.len() >= 6, "{e:?}");
        for m in &e {
            assert!(!m.contains(secretish) && !m.contains("short"), "{m}");
        }
        let e = live(&[("UPSTREAM_URL", "http://127.0.0.1:9")]).unwrap_err();
        assert_eq!(e, ["UPSTREAM_URL must be an https:// address (plain http:// only in test mode)"]);
    }

    #[test]
    fn an_upstream_gateway_names_every_missing_setting() {
        let e = config(&[("SANDBOX", "true"), ("GATEWAY", "sellsn")]).unwrap_err();
        assert!(e.iter().any(|m| m.starts_with("UPSTREAM_API_KEY is not set")), "{e:?}");
        assert!(e.iter().any(|m| m.starts_with("SELLSN_STORE_ID is not set")), "{e:?}");
        let e = config(&[("SANDBOX", "true"), ("GATEWAY", "sellix"), ("UPSTREAM_API_KEY", "k")]).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("WEBHOOK_SECRET is not set"), "{e:?}");
        let e = config(&[("SANDBOX", "true"), ("GATEWAY", "stripe")]).unwrap_err();
        assert!(e[0].contains("one of sandbox, sellgate, sellix, sellsn, selly, coingate"), "{e:?}");
    }

    #[test]
    fn a_providers_own_settings_are_read_as_it_declares_them() {
        let c = config(&[
            ("SANDBOX", "true"),
            ("GATEWAY", "sellix"),
            ("UPSTREAM_API_KEY", "k"),
            ("WEBHOOK_SECRET", " whsec "),
            ("SELLIX_MERCHANT", "My Shop"),
            ("SELLSN_STORE_ID", "not Sellix's"),
        ])
        .unwrap();
        let Gateway::Upstream(s) = c.gateway else { panic!("{c:?}") };
        assert_eq!(s.get(&gateways::sellix::MERCHANT), Some("My Shop"));
        assert_eq!(s.get(&gateways::sellsn::STORE_ID), None, "another provider's setting is not read");
        let shown = format!("{s:?}");
        assert!(shown.contains("My Shop") && !shown.contains("whsec"), "{shown}");
        // An optional setting may be left out.
        let c =
            config(&[("SANDBOX", "true"), ("GATEWAY", "sellix"), ("UPSTREAM_API_KEY", "k"), ("WEBHOOK_SECRET", "w")]);
        let Gateway::Upstream(s) = c.unwrap().gateway else { panic!() };
        assert_eq!(s.get(&gateways::sellix::MERCHANT), None);
    }

    #[test]
    fn upstream_defaults() {
        let c = config(&[
            ("SANDBOX", "true"),
            ("GATEWAY", "coingate"),
            ("UPSTREAM_API_KEY", "k"),
            ("UPSTREAM_REFRESH_SECONDS", "0"),
        ])
        .unwrap();
        let Gateway::Upstream(s) = c.gateway else { panic!("{c:?}") };
        assert_eq!(
            (s.base_url.as_str(), s.refresh_seconds, s.timeout_ms),
            ("https://api-sandbox.coingate.com", 0, 8000)
        );
        assert_eq!(s.environment, Environment::Testnet);
        let e = config(&[
            ("SANDBOX", "true"),
            ("GATEWAY", "selly"),
            ("UPSTREAM_API_KEY", "k"),
            ("WEBHOOK_SECRET", "w"),
            ("UPSTREAM_TIMEOUT_MS", "5"),
        ]);
        assert!(e.unwrap_err()[0].starts_with("UPSTREAM_TIMEOUT_MS must be a whole number from 100"));
    }

    #[test]
    fn seller_webhooks_are_https_and_signed() {
        let hooks = |vars: &[(&str, &str)]| {
            let mut all = vec![("SANDBOX", "true")];
            all.extend_from_slice(vars);
            config(&all).map(|c| c.seller_webhooks)
        };
        assert_eq!(hooks(&[]).unwrap(), None);
        let secret = ("SELLER_WEBHOOK_SECRET", "whsec_0123456789abcdef");
        let h = hooks(&[("WEBHOOK_URL", "https://a.example/hook, http://127.0.0.1:9/x"), secret]).unwrap().unwrap();
        assert_eq!(h.urls, ["https://a.example/hook", "http://127.0.0.1:9/x"]);
        assert_eq!((h.retry_seconds.as_slice(), h.timeout_ms), (DEFAULT_RETRY_SECONDS.as_slice(), 10_000));
        assert!(!format!("{h:?}").contains("whsec_0123"));
        // A URL with no secret, a plain-http host elsewhere, bad waits.
        let e = hooks(&[("WEBHOOK_URL", "https://a.example/hook")]).unwrap_err();
        assert!(e[0].starts_with("SELLER_WEBHOOK_SECRET is not set"), "{e:?}");
        let e = hooks(&[("WEBHOOK_URL", "http://shop.example/hook"), secret]).unwrap_err();
        assert!(e[0].starts_with("WEBHOOK_URL must list https://"), "{e:?}");
        let e = hooks(&[("WEBHOOK_URL", "https://a.example"), secret, ("WEBHOOK_RETRY_SECONDS", "1,0")]).unwrap_err();
        assert!(e[0].starts_with("WEBHOOK_RETRY_SECONDS"), "{e:?}");
        let short = hooks(&[("WEBHOOK_URL", "https://a.example"), secret, ("WEBHOOK_RETRY_SECONDS", "1, 2")]);
        assert_eq!(short.unwrap().unwrap().retry_seconds, [1, 2]);
        // Live: loopback is refused too.
        let live = config(&[
            ("GATEWAY", "coingate"),
            ("UPSTREAM_API_KEY", "k"),
            ("ALLOWED_ORIGINS", "https://shop.example"),
            ("SELLER_API_KEY", "sk_live_0123456789abcdef"),
            ("WEBHOOK_URL", "http://127.0.0.1:9/x"),
            secret,
        ]);
        assert_eq!(live.unwrap_err(), ["WEBHOOK_URL must list https:// addresses"]);
        // What a URL must be, checked without a URL parser.
        for good in [
            "https://a.example",
            "https://xn--bcher-kva.example:8443/h?x=1",
            "https://[2001:db8::1]/h",
            "https://my_host.example./h",
            "HTTPS://A.EXAMPLE:65535",
        ] {
            assert!(is_webhook_url(good, false), "{good}");
        }
        for bad in [
            "https://user:pw@a.example/h",
            "https://a..example/h",
            "https://bücher.example/h",
            "https://a.example:80x/h",
            "https:///h",
            "https://a.example /h",
            "ftp://a.example/h",
            "a.example/h",
            "https://[zz::1]/h",
            "https://[::1]junk/h",
            "https://[1]/h",
            "https://a.example:65536/h",
            "https://a.example:0/h",
        ] {
            assert!(!is_webhook_url(bad, true), "{bad}");
        }
        assert!(is_webhook_url("http://[::1]:9/x", true) && is_webhook_url("http://LOCALHOST/x", true));
    }

    #[test]
    fn bad_numbers() {
        let e = config(&[("SANDBOX", "true"), ("INVOICE_SECONDS", "soon")]).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(config(&[("SANDBOX", "true"), ("INVOICE_SECONDS", "3")]).unwrap().invoice_seconds, Some(3));
    }
}
