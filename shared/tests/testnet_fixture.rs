//! `tests/support/testnet-addresses.json` holds the testnet addresses the fake upstream
//! providers hand out in the worker's tests. They are made here, from fixed seeds, so each is a
//! well-formed address of its network; `TOLLGATE_BLESS=1` rewrites the file.

use std::collections::BTreeMap;

use shared::Network;
use shared::address::validate_address;
use shared::chain::Environment;

#[test]
fn fixture_matches_the_generator() {
    let mut made: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for network in Network::ALL {
        let list = (1u8..=3).map(|n| shared::testnet::address(network, &[n; 32])).collect::<Vec<_>>();
        for a in &list {
            validate_address(network, Environment::Testnet, a).unwrap_or_else(|e| panic!("{a}: {e}"));
        }
        made.insert(serde_json::to_value(network).unwrap().as_str().unwrap().to_owned(), list);
    }
    let path = format!(
        "{}/../tests/support/testnet-addresses.json",
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR")
    );
    let text = serde_json::to_string_pretty(&made).unwrap() + "\n";
    if std::env::var_os("TOLLGATE_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), text, "{path} is stale: run with TOLLGATE_BLESS=1");
}
