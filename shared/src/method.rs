//! Payment methods: the SellGate method strings (`crypto_btc`, `flexpay_USDT_TRC20`, `stripe`, …)
//! as typed values that format back to the same string.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::chain::{Asset, Coin, Network};

/// Who processes a crypto payment, in SellGate's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CryptoFamily {
    /// `crypto_*`: the store's own wallet, native coins only.
    Wallet,
    /// `flexpay_*`: native coins and stablecoins on several networks.
    FlexPay,
}

/// How a buyer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PaymentMethod {
    Crypto { family: CryptoFamily, coin: Coin },
    Stripe,
    PayPal,
}

/// What a buyer picks first, before a network: a coin or token, a card, or PayPal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssetChoice {
    Coin(Asset),
    Card,
    PayPal,
}

impl AssetChoice {
    /// The choices in the order the picker shows them.
    pub const ALL: [AssetChoice; 8] = [
        AssetChoice::Coin(Asset::Btc),
        AssetChoice::Coin(Asset::Ltc),
        AssetChoice::Coin(Asset::Eth),
        AssetChoice::Coin(Asset::Sol),
        AssetChoice::Coin(Asset::Usdt),
        AssetChoice::Coin(Asset::Usdc),
        AssetChoice::Card,
        AssetChoice::PayPal,
    ];

    /// Its name as a buyer knows it (the card's is translated by the widget).
    pub fn name(self) -> &'static str {
        match self {
            AssetChoice::Coin(Asset::Btc) => "Bitcoin",
            AssetChoice::Coin(Asset::Ltc) => "Litecoin",
            AssetChoice::Coin(Asset::Eth) => "Ether",
            AssetChoice::Coin(Asset::Sol) => "Solana",
            AssetChoice::Coin(Asset::Usdt) => "USDT",
            AssetChoice::Coin(Asset::Usdc) => "USDC",
            AssetChoice::Card => "Card",
            AssetChoice::PayPal => "PayPal",
        }
    }

    /// A short stable name, for icons and markup: "btc", "usdt", "card".
    pub fn key(self) -> &'static str {
        match self {
            AssetChoice::Coin(Asset::Btc) => "btc",
            AssetChoice::Coin(Asset::Ltc) => "ltc",
            AssetChoice::Coin(Asset::Eth) => "eth",
            AssetChoice::Coin(Asset::Sol) => "sol",
            AssetChoice::Coin(Asset::Usdt) => "usdt",
            AssetChoice::Coin(Asset::Usdc) => "usdc",
            AssetChoice::Card => "card",
            AssetChoice::PayPal => "paypal",
        }
    }
}

/// The methods a buyer chooses between, from a product's methods in the seller's order: one per
/// asset and network. Where two methods take the same asset on the same network (`crypto_btc`
/// and `flexpay_BTC`), the buyer sees one choice and the one the seller listed first is used.
pub fn buyer_choices(methods: &[PaymentMethod]) -> Vec<PaymentMethod> {
    let mut chosen: Vec<PaymentMethod> = Vec::new();
    for &m in methods {
        if !chosen.iter().any(|c| c.asset_choice() == m.asset_choice() && c.coin() == m.coin()) {
            chosen.push(m);
        }
    }
    chosen
}

/// How a method is grouped in the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MethodGroup {
    Crypto,
    Usdt,
    Usdc,
    Card,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown payment method `{0}`")]
pub struct UnknownMethod(pub String);

/// Network suffixes of the `flexpay_<ASSET>_<NETWORK>` strings.
const NETWORK_SUFFIXES: [(Network, &str); 6] = [
    (Network::Tron, "TRC20"),
    (Network::Ethereum, "ERC20"),
    (Network::Bsc, "BEP20"),
    (Network::Solana, "SOL"),
    (Network::Ton, "TON"),
    (Network::Polygon, "MATIC"),
];

impl PaymentMethod {
    /// Every method string of the SellGate Orders API, in its order.
    pub const ALL_STRINGS: [&'static str; 21] = [
        "crypto_btc",
        "crypto_ltc",
        "crypto_eth",
        "crypto_sol",
        "flexpay_BTC",
        "flexpay_LTC",
        "flexpay_ETH",
        "flexpay_SOL",
        "flexpay_USDT_TRC20",
        "flexpay_USDT_ERC20",
        "flexpay_USDT_BEP20",
        "flexpay_USDT_SOL",
        "flexpay_USDT_TON",
        "flexpay_USDT_MATIC",
        "flexpay_USDC_ERC20",
        "flexpay_USDC_BEP20",
        "flexpay_USDC_SOL",
        "flexpay_USDC_MATIC",
        "flexpay_USDC_TRC20",
        "stripe",
        "paypal",
    ];

    /// Every method, in the SellGate Orders API's order.
    pub fn all() -> Vec<PaymentMethod> {
        Self::ALL_STRINGS.iter().map(|s| s.parse().expect("the method table parses")).collect()
    }

    pub fn coin(self) -> Option<Coin> {
        match self {
            PaymentMethod::Crypto { coin, .. } => Some(coin),
            _ => None,
        }
    }

    pub fn is_crypto(self) -> bool {
        self.coin().is_some()
    }

    /// What the buyer picks first to pay this way.
    pub fn asset_choice(self) -> AssetChoice {
        match self {
            PaymentMethod::Crypto { coin, .. } => AssetChoice::Coin(coin.asset),
            PaymentMethod::Stripe => AssetChoice::Card,
            PaymentMethod::PayPal => AssetChoice::PayPal,
        }
    }

    pub fn group(self) -> MethodGroup {
        match self.coin().map(|c| c.asset) {
            Some(Asset::Usdt) => MethodGroup::Usdt,
            Some(Asset::Usdc) => MethodGroup::Usdc,
            Some(_) => MethodGroup::Crypto,
            None => MethodGroup::Card,
        }
    }

    /// A short label for the picker: "Bitcoin", "Bitcoin (FlexPay)", "USDT · TRON (TRC20)",
    /// "Card", "PayPal". Two methods never share a label.
    pub fn label(self) -> String {
        match self {
            PaymentMethod::Stripe => "Card".into(),
            PaymentMethod::PayPal => "PayPal".into(),
            PaymentMethod::Crypto { family: CryptoFamily::Wallet, coin } => coin.network.display_name().into(),
            PaymentMethod::Crypto { coin, .. } if coin.is_native() => {
                format!("{} (FlexPay)", coin.network.display_name())
            }
            PaymentMethod::Crypto { coin, .. } => format!("{} · {}", coin.asset.ticker(), coin.network_label()),
        }
    }
}

fn native_coin(ticker: &str) -> Option<Coin> {
    let (asset, network) = match ticker {
        "BTC" => (Asset::Btc, Network::Bitcoin),
        "LTC" => (Asset::Ltc, Network::Litecoin),
        "ETH" => (Asset::Eth, Network::Ethereum),
        "SOL" => (Asset::Sol, Network::Solana),
        _ => return None,
    };
    Some(Coin::new(asset, network))
}

fn parse_flexpay(rest: &str) -> Option<Coin> {
    if let Some(coin) = native_coin(rest) {
        return Some(coin);
    }
    let (asset, net) = rest.split_once('_')?;
    let asset = match asset {
        "USDT" => Asset::Usdt,
        "USDC" => Asset::Usdc,
        _ => return None,
    };
    let network = NETWORK_SUFFIXES.iter().find(|(_, s)| *s == net)?.0;
    // USDC has no TON deployment, and SellGate offers no such method.
    if asset == Asset::Usdc && network == Network::Ton {
        return None;
    }
    Some(Coin::new(asset, network))
}

impl FromStr for PaymentMethod {
    type Err = UnknownMethod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownMethod(s.to_owned());
        match s {
            "stripe" => return Ok(PaymentMethod::Stripe),
            "paypal" => return Ok(PaymentMethod::PayPal),
            _ => {}
        }
        if let Some(rest) = s.strip_prefix("crypto_") {
            // Wallet method names are lower case in the API: `crypto_btc`.
            if rest.chars().any(|c| c.is_ascii_uppercase()) {
                return Err(unknown());
            }
            let coin = native_coin(&rest.to_ascii_uppercase()).ok_or_else(unknown)?;
            return Ok(PaymentMethod::Crypto { family: CryptoFamily::Wallet, coin });
        }
        if let Some(rest) = s.strip_prefix("flexpay_") {
            let coin = parse_flexpay(rest).ok_or_else(unknown)?;
            return Ok(PaymentMethod::Crypto { family: CryptoFamily::FlexPay, coin });
        }
        Err(unknown())
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaymentMethod::Stripe => f.write_str("stripe"),
            PaymentMethod::PayPal => f.write_str("paypal"),
            PaymentMethod::Crypto { family: CryptoFamily::Wallet, coin } => {
                write!(f, "crypto_{}", coin.asset.ticker().to_ascii_lowercase())
            }
            PaymentMethod::Crypto { family: CryptoFamily::FlexPay, coin } if coin.is_native() => {
                write!(f, "flexpay_{}", coin.asset.ticker())
            }
            PaymentMethod::Crypto { family: CryptoFamily::FlexPay, coin } => {
                let suffix =
                    NETWORK_SUFFIXES.iter().find(|(n, _)| *n == coin.network).map(|(_, s)| *s).ok_or(fmt::Error)?;
                write!(f, "flexpay_{}_{}", coin.asset.ticker(), suffix)
            }
        }
    }
}

impl TryFrom<String> for PaymentMethod {
    type Error = UnknownMethod;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<PaymentMethod> for String {
    fn from(m: PaymentMethod) -> String {
        m.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_method_round_trips() {
        for s in PaymentMethod::ALL_STRINGS {
            let m: PaymentMethod = s.parse().unwrap();
            assert_eq!(m.to_string(), s);
        }
        assert_eq!(PaymentMethod::all().len(), 21);
    }

    #[test]
    fn typed_values() {
        let m: PaymentMethod = "flexpay_USDT_TRC20".parse().unwrap();
        assert_eq!(
            m,
            PaymentMethod::Crypto { family: CryptoFamily::FlexPay, coin: Coin::new(Asset::Usdt, Network::Tron) }
        );
        assert_eq!(m.group(), MethodGroup::Usdt);
        assert_eq!(m.label(), "USDT · TRON (TRC20)");
        assert_eq!("crypto_eth".parse::<PaymentMethod>().unwrap().label(), "Ethereum");
        let m: PaymentMethod = "crypto_sol".parse().unwrap();
        assert_eq!(m.coin(), Some(Coin::new(Asset::Sol, Network::Solana)));
        assert_eq!(m.group(), MethodGroup::Crypto);
        let m: PaymentMethod = "flexpay_USDC_MATIC".parse().unwrap();
        assert_eq!(m.coin().unwrap().network, Network::Polygon);
        assert_eq!("stripe".parse::<PaymentMethod>().unwrap().group(), MethodGroup::Card);
        assert_eq!("paypal".parse::<PaymentMethod>().unwrap().label(), "PayPal");
    }

    #[test]
    fn labels_are_distinct() {
        let labels: std::collections::HashSet<String> = PaymentMethod::all().into_iter().map(|m| m.label()).collect();
        assert_eq!(labels.len(), PaymentMethod::ALL_STRINGS.len());
        assert_eq!("flexpay_BTC".parse::<PaymentMethod>().unwrap().label(), "Bitcoin (FlexPay)");
        assert_eq!("crypto_btc".parse::<PaymentMethod>().unwrap().label(), "Bitcoin");
    }

    #[test]
    fn the_buyer_sees_one_choice_per_asset_and_network_in_the_sellers_order() {
        let m = |s: &str| s.parse::<PaymentMethod>().unwrap();
        let offered = [m("flexpay_BTC"), m("crypto_eth"), m("crypto_btc"), m("flexpay_ETH"), m("flexpay_USDT_TRC20")];
        assert_eq!(buyer_choices(&offered), [m("flexpay_BTC"), m("crypto_eth"), m("flexpay_USDT_TRC20")]);
        let other_order = [m("crypto_btc"), m("flexpay_BTC")];
        assert_eq!(buyer_choices(&other_order), [m("crypto_btc")]);
        // USDT and USDC on one network, and one asset on two networks, are all distinct choices.
        let tokens =
            [m("flexpay_USDT_ERC20"), m("flexpay_USDC_ERC20"), m("flexpay_USDT_TRC20"), m("stripe"), m("paypal")];
        assert_eq!(buyer_choices(&tokens), tokens);
        assert_eq!(buyer_choices(&PaymentMethod::all()).len(), 21 - 4);
        assert_eq!(buyer_choices(&[]), []);
    }

    #[test]
    fn every_method_has_its_asset_choice() {
        for method in PaymentMethod::all() {
            let choice = method.asset_choice();
            assert!(AssetChoice::ALL.contains(&choice), "{method}");
            if let Some(coin) = method.coin() {
                assert_eq!(choice, AssetChoice::Coin(coin.asset));
            }
        }
        assert_eq!(m_name("crypto_eth"), "Ether");
        assert_eq!(m_name("stripe"), "Card");
        let keys: std::collections::HashSet<&str> = AssetChoice::ALL.iter().map(|c| c.key()).collect();
        assert_eq!(keys.len(), AssetChoice::ALL.len());
    }

    fn m_name(s: &str) -> &'static str {
        s.parse::<PaymentMethod>().unwrap().asset_choice().name()
    }

    #[test]
    fn unknown_strings_are_named() {
        for bad in [
            "",
            "crypto",
            "crypto_BTC",
            "crypto_usdt",
            "crypto_doge",
            "flexpay_btc",
            "flexpay_USDC_TON",
            "flexpay_USDT",
            "flexpay_USDT_",
            "flexpay_USDT_trc20",
            "flexpay_DAI_ERC20",
            "Stripe",
            "card",
            " stripe",
        ] {
            assert_eq!(bad.parse::<PaymentMethod>(), Err(UnknownMethod(bad.into())), "{bad:?}");
        }
        let msg = "bitcoin".parse::<PaymentMethod>().unwrap_err().to_string();
        assert_eq!(msg, "unknown payment method `bitcoin`");
    }

    #[test]
    fn serde_uses_the_method_string() {
        let m: PaymentMethod = serde_json::from_str("\"flexpay_USDC_SOL\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"flexpay_USDC_SOL\"");
        assert!(serde_json::from_str::<PaymentMethod>("\"nope\"").is_err());
    }
}
