//! How Tollgate reaches the seller's account at a provider: the settings every provider takes,
//! and those a provider declares for itself in its [`Profile`](crate::Profile).

use std::collections::BTreeMap;

use shared::Environment;

use crate::Provider;

/// A setting one provider needs, read by the worker's `config` from a var or secret of this
/// name. A required one that is missing is named with `why`; values are never shown.
#[derive(Debug)]
pub struct Setting {
    pub var: &'static str,
    /// Left out of `Debug` output, so no log line can carry it.
    pub secret: bool,
    /// Why the provider cannot work without it, as the rest of a sentence that begins with the
    /// provider's name; `None` for an optional setting.
    pub required: Option<&'static str>,
}

/// The seller's account at a provider (from vars and secrets). Its `Debug` output leaves the
/// secrets out.
#[derive(Clone, PartialEq, Eq)]
pub struct Settings {
    pub provider: Provider,
    /// The API base, without a trailing slash.
    pub base_url: String,
    pub api_key: String,
    /// An order is read from the provider at most once per this many seconds.
    pub refresh_seconds: u32,
    /// Every call to the provider is abandoned after this long.
    pub timeout_ms: u32,
    /// Testnet addresses while the worker runs in test mode.
    pub environment: Environment,
    /// The provider's own settings that are set, by variable name.
    own: BTreeMap<&'static str, String>,
}

impl Settings {
    pub fn new(provider: Provider, base_url: String, api_key: String, environment: Environment) -> Settings {
        Settings {
            provider,
            base_url,
            api_key,
            refresh_seconds: provider.profile().refresh_seconds,
            timeout_ms: 8000,
            environment,
            own: BTreeMap::new(),
        }
    }

    /// Sets one of the provider's own settings (trimmed; empty means unset).
    pub fn set(&mut self, setting: &'static Setting, value: &str) {
        let value = value.trim();
        if !value.is_empty() {
            self.own.insert(setting.var, value.to_owned());
        }
    }

    /// One of the provider's own settings, if set.
    pub fn get(&self, setting: &Setting) -> Option<&str> {
        self.own.get(setting.var).map(String::as_str)
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secret = |var: &str| self.provider.profile().settings.iter().any(|s| s.var == var && s.secret);
        let own: BTreeMap<&str, &str> =
            self.own.iter().map(|(k, v)| (*k, if secret(k) { "(secret)" } else { v.as_str() })).collect();
        f.debug_struct("Settings")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("api_key", &"(secret)")
            .field("refresh_seconds", &self.refresh_seconds)
            .field("timeout_ms", &self.timeout_ms)
            .field("environment", &self.environment)
            .field("own", &own)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use crate::Provider;
    use crate::test_support::settings;

    #[test]
    fn debug_output_has_no_secrets() {
        for p in Provider::ALL {
            let shown = format!("{:?}", settings(p));
            assert!(!shown.contains("key_live_123") && !shown.contains("whsec"), "{shown}");
            assert!(shown.contains("https://up.example"));
        }
        assert!(format!("{:?}", settings(Provider::SellSn)).contains("123e4567"), "not secret, so shown");
    }

    #[test]
    fn each_provider_names_a_setting_once() {
        for p in Provider::ALL {
            let vars: Vec<&str> = p.profile().settings.iter().map(|s| s.var).collect();
            let mut unique = vars.clone();
            unique.dedup();
            assert_eq!(vars, unique, "{p}");
            assert!(vars.iter().all(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_uppercase() || c == '_')));
        }
    }
}
