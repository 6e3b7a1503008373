//! The configuration reader on any vars (`NAME=value` lines). Never a panic; a configuration it
//! accepts is safe: a live one has its own seller key, real origins and a provider.
#![no_main]

use libfuzzer_sys::fuzz_target;
use worker_app::config::{Config, Gateway, Origins, TEST_SELLER_KEY};

fuzz_target!(|text: &str| {
    let vars: Vec<(&str, &str)> = text.lines().filter_map(|l| l.split_once('=')).collect();
    let Ok(c) = Config::from_vars(|k| vars.iter().rev().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())) else {
        return;
    };
    if !c.sandbox {
        assert!(!matches!(c.gateway, Gateway::Sandbox), "a live store on the sandbox gateway");
        assert!(!matches!(c.allowed_origins, Origins::Any), "a live store open to any origin");
        assert!(!c.seller_keys.is_empty() && !c.seller_keys.iter().any(|k| k == TEST_SELLER_KEY));
    }
    assert!(c.orders_per_minute_per_ip >= 1 && c.reads_per_minute_per_ip >= 1);
});
