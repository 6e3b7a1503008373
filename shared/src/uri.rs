//! Payment URIs a wallet understands, with exact plain-decimal amounts:
//! BIP-21 (`bitcoin:`, `litecoin:`), EIP-681 (`ethereum:`), Solana Pay (`solana:`) and TON
//! transfer links (`ton://transfer/`). TRON has no standard URI, so its "URI" is the address.

use rust_decimal::Decimal;

use crate::chain::{Coin, Environment, Network};
use crate::money::plain;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    #[error("no token contract for {coin} on {env:?}")]
    NoTokenContract { coin: String, env: Environment },
    #[error("{0} has no chain id")]
    NoChainId(String),
    #[error("amount {0} has more decimals than the asset")]
    TooPrecise(Decimal),
    #[error("amount {0} is too large for a payment URI")]
    TooLarge(Decimal),
    #[error("malformed payment URI: {0}")]
    Malformed(String),
}

/// Converts an amount in coin units to the smallest on-chain unit (wei, lamports, …) exactly.
pub fn to_atomic(amount: Decimal, decimals: u32) -> Result<u128, UriError> {
    let a = amount.normalize();
    if a.scale() > decimals || a.is_sign_negative() {
        return Err(UriError::TooPrecise(amount));
    }
    let mantissa = u128::try_from(a.mantissa()).map_err(|_| UriError::TooPrecise(amount))?;
    mantissa.checked_mul(10u128.pow(decimals - a.scale())).ok_or(UriError::TooPrecise(amount))
}

/// Converts a smallest-unit integer back to coin units.
pub fn from_atomic(atomic: u128, decimals: u32) -> Result<Decimal, UriError> {
    let m = i128::try_from(atomic).map_err(|_| UriError::Malformed("amount too large".into()))?;
    Decimal::try_from_i128_with_scale(m, decimals)
        .map(|d| d.normalize())
        .map_err(|_| UriError::Malformed("amount too large".into()))
}

/// Builds the payment URI for sending `amount` (in coin units) of `coin` to `address`.
pub fn payment_uri(coin: Coin, env: Environment, address: &str, amount: Decimal) -> Result<String, UriError> {
    let token = || coin.token_contract(env).ok_or_else(|| UriError::NoTokenContract { coin: coin.describe(), env });
    let chain_id = || coin.network.evm_chain_id(env).ok_or_else(|| UriError::NoChainId(coin.describe()));
    // Every amount must be sendable (no more decimals than the coin's smallest unit) and read
    // back exactly by a wallet, and by `parse_payment_uri`, as what was asked.
    let atomic = to_atomic(amount, coin.decimals())?;
    if amount > crate::status::max_amount() || from_atomic(atomic, coin.decimals()).is_err() {
        return Err(UriError::TooLarge(amount));
    }
    match coin.network {
        Network::Bitcoin => Ok(format!("bitcoin:{address}?amount={}", plain(amount))),
        Network::Litecoin => Ok(format!("litecoin:{address}?amount={}", plain(amount))),
        Network::Ethereum | Network::Bsc | Network::Polygon => {
            if coin.is_native() {
                Ok(format!("ethereum:{address}@{}?value={atomic}", chain_id()?))
            } else {
                Ok(format!("ethereum:{}@{}/transfer?address={address}&uint256={atomic}", token()?, chain_id()?))
            }
        }
        Network::Solana => {
            let mut uri = format!("solana:{address}?amount={}", plain(amount));
            if !coin.is_native() {
                uri.push_str("&spl-token=");
                uri.push_str(token()?);
            }
            Ok(uri)
        }
        Network::Ton => Ok(format!("ton://transfer/{address}?jetton={}&amount={atomic}", token()?)),
        Network::Tron => Ok(address.to_owned()),
    }
}

/// The schemes a wallet registers for, and so the only ones a checkout may link to. TRON has
/// none: its QR code carries the bare address, and no link is shown.
pub const WALLET_SCHEMES: [&str; 5] = ["bitcoin:", "litecoin:", "ethereum:", "solana:", "ton:"];

/// Whether `uri` may be the target of an "Open in wallet" link: one of [`WALLET_SCHEMES`]
/// followed by something, with no whitespace or control characters. Anything else (a bare
/// address, which a browser would read as a relative link; an empty string; `javascript:`) is
/// never a link.
pub fn is_wallet_link(uri: &str) -> bool {
    let lower = uri.get(..12).unwrap_or(uri).to_ascii_lowercase();
    WALLET_SCHEMES.iter().any(|s| lower.starts_with(s) && uri.len() > s.len())
        && !uri.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// What a payment URI asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUri {
    /// The recipient.
    pub address: String,
    /// In coin units.
    pub amount: Option<Decimal>,
    pub chain_id: Option<u64>,
    /// Token contract, SPL mint or jetton master.
    pub token: Option<String>,
}

fn query_pairs(q: &str) -> impl Iterator<Item = (&str, &str)> {
    q.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, "")))
}

fn malformed(uri: &str) -> UriError {
    UriError::Malformed(uri.to_owned())
}

fn decimal(s: &str, uri: &str) -> Result<Decimal, UriError> {
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(malformed(uri));
    }
    Decimal::from_str_exact(s).map_err(|_| malformed(uri))
}

/// EIP-681 numbers: plain integers, or with an exponent (`2.014e18`).
fn eip681_number(s: &str, uri: &str) -> Result<u128, UriError> {
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<u32>().map_err(|_| malformed(uri))?),
        None => (s, 0),
    };
    let m = decimal(mantissa, uri)?.normalize();
    let shift = exp.checked_sub(m.scale()).ok_or_else(|| malformed(uri))?;
    let base = u128::try_from(m.mantissa()).map_err(|_| malformed(uri))?;
    base.checked_mul(10u128.checked_pow(shift).ok_or_else(|| malformed(uri))?).ok_or_else(|| malformed(uri))
}

/// Parses a URI made by [`payment_uri`] (or any wallet's URI of the same forms) for `coin`.
pub fn parse_payment_uri(uri: &str, coin: Coin) -> Result<ParsedUri, UriError> {
    let (scheme, rest) = match uri.split_once(':') {
        Some((s, r)) if s.chars().all(|c| c.is_ascii_alphabetic()) => (s, r),
        _ => {
            return Ok(ParsedUri { address: uri.to_owned(), amount: None, chain_id: None, token: None });
        }
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let param = |name: &str| query_pairs(query).find(|(k, _)| *k == name).map(|(_, v)| v);
    match scheme {
        "bitcoin" | "litecoin" => Ok(ParsedUri {
            address: path.to_owned(),
            amount: param("amount").map(|a| decimal(a, uri)).transpose()?,
            chain_id: None,
            token: None,
        }),
        "solana" => Ok(ParsedUri {
            address: path.to_owned(),
            amount: param("amount").map(|a| decimal(a, uri)).transpose()?,
            chain_id: None,
            token: param("spl-token").map(str::to_owned),
        }),
        "ethereum" => {
            let path = path.strip_prefix("pay-").unwrap_or(path);
            let (target_chain, function) = path.split_once('/').unwrap_or((path, ""));
            let (target, chain_id) = match target_chain.split_once('@') {
                Some((t, c)) => (t, Some(c.parse::<u64>().map_err(|_| malformed(uri))?)),
                None => (target_chain, None),
            };
            if function == "transfer" {
                let to = param("address").ok_or_else(|| malformed(uri))?;
                let amount = param("uint256")
                    .map(|a| eip681_number(a, uri).and_then(|n| from_atomic(n, coin.decimals())))
                    .transpose()?;
                Ok(ParsedUri { address: to.to_owned(), amount, chain_id, token: Some(target.to_owned()) })
            } else if function.is_empty() {
                let amount = param("value")
                    .map(|a| eip681_number(a, uri).and_then(|n| from_atomic(n, coin.decimals())))
                    .transpose()?;
                Ok(ParsedUri { address: target.to_owned(), amount, chain_id, token: None })
            } else {
                Err(malformed(uri))
            }
        }
        "ton" => {
            let address = path.strip_prefix("//transfer/").ok_or_else(|| malformed(uri))?;
            let amount = param("amount")
                .map(|a| eip681_number(a, uri).and_then(|n| from_atomic(n, coin.decimals())))
                .transpose()?;
            Ok(ParsedUri {
                address: address.to_owned(),
                amount,
                chain_id: None,
                token: param("jetton").map(str::to_owned),
            })
        }
        _ => Err(malformed(uri)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::Asset;
    use crate::test_util::dec;
    use Environment::*;

    const EVM_TO: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

    /// Found by the `payment_uri` fuzz target: 81,741,470,607,608.0165 ETH made a URI whose
    /// `value` (8.17e31 wei) no parser could read back as an amount.
    #[test]
    fn an_amount_too_large_to_read_back_is_refused() {
        let eth = Coin::new(Asset::Eth, Network::Ethereum);
        let address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
        let huge = dec("81741470607608.01657");
        assert_eq!(payment_uri(eth, Testnet, address, huge), Err(UriError::TooLarge(huge)));
        let most = crate::status::max_amount();
        assert_eq!(
            payment_uri(eth, Testnet, address, most + Decimal::ONE),
            Err(UriError::TooLarge(most + Decimal::ONE))
        );
        let fine = dec("1.5");
        let uri = payment_uri(eth, Testnet, address, fine).unwrap();
        assert_eq!(parse_payment_uri(&uri, eth).unwrap().amount, Some(fine));
    }

    #[test]
    fn bip21() {
        let btc = Coin::new(Asset::Btc, Network::Bitcoin);
        let uri = payment_uri(btc, Testnet, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", dec("0.00045120")).unwrap();
        assert_eq!(uri, "bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.0004512");
        let ltc = Coin::new(Asset::Ltc, Network::Litecoin);
        let uri = payment_uri(ltc, Mainnet, "LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9", dec("1.5")).unwrap();
        assert_eq!(uri, "litecoin:LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9?amount=1.5");
        // Tiny amounts never use an exponent.
        let uri = payment_uri(btc, Mainnet, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", dec("0.00000001")).unwrap();
        assert!(uri.ends_with("amount=0.00000001"), "{uri}");
    }

    #[test]
    fn amounts_finer_than_the_coin_are_refused() {
        let btc = Coin::new(Asset::Btc, Network::Bitcoin);
        let to = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx";
        assert!(matches!(payment_uri(btc, Testnet, to, dec("0.000000001")), Err(UriError::TooPrecise(_))));
        let sol = Coin::new(Asset::Sol, Network::Solana);
        assert!(payment_uri(sol, Mainnet, "11111111111111111111111111111111", dec("0.0000000001")).is_err());
        assert!(payment_uri(btc, Testnet, to, dec("-1")).is_err());
    }

    #[test]
    fn eip681_native_and_tokens() {
        let eth = Coin::new(Asset::Eth, Network::Ethereum);
        assert_eq!(
            payment_uri(eth, Mainnet, EVM_TO, dec("0.01")).unwrap(),
            format!("ethereum:{EVM_TO}@1?value=10000000000000000")
        );
        assert_eq!(
            payment_uri(eth, Testnet, EVM_TO, dec("0.00999667")).unwrap(),
            format!("ethereum:{EVM_TO}@11155111?value=9996670000000000")
        );
        let usdt = Coin::new(Asset::Usdt, Network::Ethereum);
        assert_eq!(
            payment_uri(usdt, Mainnet, EVM_TO, dec("29.99")).unwrap(),
            format!("ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7@1/transfer?address={EVM_TO}&uint256=29990000")
        );
        let usdc_bsc = Coin::new(Asset::Usdc, Network::Bsc);
        assert_eq!(
            payment_uri(usdc_bsc, Mainnet, EVM_TO, dec("29.99")).unwrap(),
            format!(
                "ethereum:0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d@56/transfer?address={EVM_TO}&uint256=29990000000000000000"
            )
        );
        let usdc_amoy = Coin::new(Asset::Usdc, Network::Polygon);
        assert!(payment_uri(usdc_amoy, Testnet, EVM_TO, dec("1")).unwrap().contains("@80002/transfer"));
        // No official USDT on Sepolia: a typed error, never a mainnet contract.
        assert!(matches!(payment_uri(usdt, Testnet, EVM_TO, dec("1")), Err(UriError::NoTokenContract { .. })));
    }

    #[test]
    fn solana_pay_ton_tron() {
        let sol = Coin::new(Asset::Sol, Network::Solana);
        let to = "11111111111111111111111111111111";
        assert_eq!(payment_uri(sol, Mainnet, to, dec("0.25")).unwrap(), format!("solana:{to}?amount=0.25"));
        let usdc = Coin::new(Asset::Usdc, Network::Solana);
        assert_eq!(
            payment_uri(usdc, Mainnet, to, dec("29.99")).unwrap(),
            format!("solana:{to}?amount=29.99&spl-token=EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")
        );
        let ton = Coin::new(Asset::Usdt, Network::Ton);
        let ton_to = "EQCxE6mUtQJKFnGfaROTKOt1lZbDiiX1kCixRv7Nw2Id_sDs";
        assert_eq!(
            payment_uri(ton, Mainnet, ton_to, dec("29.99")).unwrap(),
            format!("ton://transfer/{ton_to}?jetton={ton_to}&amount=29990000")
        );
        let tron = Coin::new(Asset::Usdt, Network::Tron);
        assert_eq!(
            payment_uri(tron, Mainnet, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", dec("1")).unwrap(),
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
        );
    }

    #[test]
    fn only_wallet_schemes_are_links() {
        for ok in ["bitcoin:tb1q?amount=1", "ton://transfer/EQ?amount=1", "ethereum:0xabc@1?value=1", "SOLANA:x"] {
            assert!(is_wallet_link(ok), "{ok}");
        }
        let bad = [
            "",
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
            "javascript:alert(1)",
            "bitcoin:",
            "https://x.example",
            "bitcoin:tb1q javascript:",
            "bitcoin:tb1q\n",
            "//evil.example/bitcoin:x",
            "tron:TR7N",
        ];
        for uri in bad {
            assert!(!is_wallet_link(uri), "{uri:?}");
        }
        // Every URI Tollgate builds is a link, except TRON's bare address.
        let tron = Coin::new(Asset::Usdt, Network::Tron);
        assert!(!is_wallet_link(&payment_uri(tron, Mainnet, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", dec("1")).unwrap()));
    }

    #[test]
    fn atomic_conversion_is_exact() {
        assert_eq!(to_atomic(dec("1"), 18).unwrap(), 1_000_000_000_000_000_000);
        assert_eq!(to_atomic(dec("0.000000000000000001"), 18).unwrap(), 1);
        assert!(to_atomic(dec("0.0000001"), 6).is_err());
        assert_eq!(from_atomic(29_990_000, 6).unwrap().to_string(), "29.99");
    }

    #[test]
    fn parses_wallet_forms() {
        let eth = Coin::new(Asset::Eth, Network::Ethereum);
        let p = parse_payment_uri(&format!("ethereum:{EVM_TO}@1?value=2.014e18"), eth).unwrap();
        assert_eq!(p.amount.unwrap().to_string(), "2.014");
        assert_eq!(p.chain_id, Some(1));
        assert!(parse_payment_uri("ethereum:0xabc/approve?x=1", eth).is_err());
        assert!(parse_payment_uri("bitcoin:bc1q?amount=1e-3", Coin::new(Asset::Btc, Network::Bitcoin)).is_err());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn built_uris_parse_back(units in 1u64..10_000_000_000_000, which in 0usize..9) {
                let cases = [
                    (Coin::new(Asset::Btc, Network::Bitcoin), Testnet, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"),
                    (Coin::new(Asset::Ltc, Network::Litecoin), Mainnet, "LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9"),
                    (Coin::new(Asset::Eth, Network::Ethereum), Testnet, EVM_TO),
                    (Coin::new(Asset::Usdt, Network::Bsc), Mainnet, EVM_TO),
                    (Coin::new(Asset::Usdc, Network::Polygon), Testnet, EVM_TO),
                    (Coin::new(Asset::Sol, Network::Solana), Mainnet, "11111111111111111111111111111111"),
                    (Coin::new(Asset::Usdc, Network::Solana), Testnet, "11111111111111111111111111111111"),
                    (Coin::new(Asset::Usdt, Network::Ton), Mainnet, "EQCxE6mUtQJKFnGfaROTKOt1lZbDiiX1kCixRv7Nw2Id_sDs"),
                    (Coin::new(Asset::Usdt, Network::Ethereum), Mainnet, EVM_TO),
                ];
                let (coin, env, to) = cases[which];
                let amount = Decimal::new(units as i64, coin.quote_decimals());
                let uri = payment_uri(coin, env, to, amount).unwrap();
                let query = uri.split_once('?').map_or("", |(_, q)| q);
                for (k, v) in query_pairs(query).filter(|(k, _)| matches!(*k, "amount" | "value" | "uint256")) {
                    prop_assert!(v.chars().all(|c| c.is_ascii_digit() || c == '.'), "{}={} in {}", k, v, uri);
                }
                let p = parse_payment_uri(&uri, coin).unwrap();
                prop_assert_eq!(p.address, to);
                prop_assert_eq!(p.amount.unwrap(), amount.normalize());
                prop_assert_eq!(p.token.as_deref(), coin.token_contract(env));
                prop_assert_eq!(p.chain_id, coin.network.evm_chain_id(env));
            }
        }
    }
}
