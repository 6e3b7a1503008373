//! Every receiving-address check on any text, for every network and environment. Never a
//! panic; a valid address stays valid with surrounding checks run again (no hidden state).
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::address::validate_address;
use shared::{Environment, PaymentMethod};

fuzz_target!(|text: &str| {
    let mut networks: Vec<_> = PaymentMethod::all().into_iter().filter_map(|m| m.coin()).map(|c| c.network).collect();
    networks.dedup();
    for network in networks {
        for env in [Environment::Mainnet, Environment::Testnet] {
            if validate_address(network, env, text).is_ok() {
                assert!(validate_address(network, env, text).is_ok());
                assert!(!text.chars().any(char::is_whitespace), "{network:?}: whitespace accepted in `{text}`");
            }
        }
    }
});
