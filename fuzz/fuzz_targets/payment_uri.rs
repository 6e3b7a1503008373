//! Payment URIs: the parser on any text for every coin, and `payment_uri` → parse round trips
//! on well-formed testnet addresses with any amount. Never a panic; a URI Tollgate builds parses
//! back to the same address and exactly the same amount.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use shared::uri::{parse_payment_uri, payment_uri};
use shared::{Environment, PaymentMethod, testnet};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    text: &'a str,
    method: u8,
    seed: [u8; 32],
    mantissa: i64,
    scale: u8,
}

fuzz_target!(|input: Input| {
    let coins: Vec<_> = PaymentMethod::all().into_iter().filter_map(|m| m.coin()).collect();
    for coin in &coins {
        let _ = parse_payment_uri(input.text, *coin);
    }
    let coin = coins[usize::from(input.method) % coins.len()];
    let address = testnet::address(coin.network, &input.seed);
    let Ok(amount) = Decimal::try_from_i128_with_scale(i128::from(input.mantissa), u32::from(input.scale % 29)) else {
        return;
    };
    if let Ok(uri) = payment_uri(coin, Environment::Testnet, &address, amount) {
        let parsed = parse_payment_uri(&uri, coin).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!(parsed.address, address, "{uri}");
        if let Some(back) = parsed.amount {
            assert_eq!(back.normalize(), amount.normalize(), "{uri}");
        }
    }
});
