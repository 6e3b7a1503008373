//! Crypto assets, the networks they travel on, and the one table of on-chain facts:
//! decimals, token contracts (mints, jetton masters) and EVM chain ids.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What the buyer sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Asset {
    Btc,
    Ltc,
    Eth,
    Sol,
    Usdt,
    Usdc,
}

impl Asset {
    pub fn ticker(self) -> &'static str {
        match self {
            Asset::Btc => "BTC",
            Asset::Ltc => "LTC",
            Asset::Eth => "ETH",
            Asset::Sol => "SOL",
            Asset::Usdt => "USDT",
            Asset::Usdc => "USDC",
        }
    }

    /// USD-pegged stablecoins: quoted 1:1 when the price is in USD.
    pub fn is_usd_stablecoin(self) -> bool {
        matches!(self, Asset::Usdt | Asset::Usdc)
    }
}

/// The chain a payment is made on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    Bitcoin,
    Litecoin,
    Ethereum,
    Solana,
    Tron,
    Bsc,
    Ton,
    Polygon,
}

impl Network {
    pub const ALL: [Network; 8] = [
        Network::Bitcoin,
        Network::Litecoin,
        Network::Ethereum,
        Network::Solana,
        Network::Tron,
        Network::Bsc,
        Network::Ton,
        Network::Polygon,
    ];

    /// The network's own name: "Ethereum", "TRON". A token's network is named with its token
    /// standard too ([`Coin::network_label`]).
    pub fn display_name(self) -> &'static str {
        match self {
            Network::Bitcoin => "Bitcoin",
            Network::Litecoin => "Litecoin",
            Network::Ethereum => "Ethereum",
            Network::Solana => "Solana",
            Network::Tron => "TRON",
            Network::Bsc => "BNB Smart Chain",
            Network::Ton => "TON",
            Network::Polygon => "Polygon PoS",
        }
    }

    /// The standard its tokens follow, as wallets and exchanges name it, where it has tokens.
    /// Polygon PoS runs the EVM, so its tokens are ERC20 contracts; Solana's are SPL tokens
    /// and TON's jettons (TEP-74).
    pub fn token_standard(self) -> Option<&'static str> {
        match self {
            Network::Ethereum | Network::Polygon => Some("ERC20"),
            Network::Tron => Some("TRC20"),
            Network::Bsc => Some("BEP20"),
            Network::Solana => Some("SPL"),
            Network::Ton => Some("Jetton"),
            Network::Bitcoin | Network::Litecoin => None,
        }
    }

    /// EVM chain id (EIP-155) for the networks that have one.
    /// Source: chainlist registry `ethereum-lists/chains` (eip155-1, -11155111, -56, -97, -137, -80002).
    pub fn evm_chain_id(self, env: Environment) -> Option<u64> {
        match (self, env) {
            (Network::Ethereum, Environment::Mainnet) => Some(1),
            (Network::Ethereum, Environment::Testnet) => Some(11_155_111), // Sepolia
            (Network::Bsc, Environment::Mainnet) => Some(56),
            (Network::Bsc, Environment::Testnet) => Some(97), // BSC testnet (Chapel)
            (Network::Polygon, Environment::Mainnet) => Some(137),
            (Network::Polygon, Environment::Testnet) => Some(80_002), // Polygon Amoy
            _ => None,
        }
    }

    /// The asset whose transfers carry no token contract on this network.
    pub fn native_asset(self) -> Option<Asset> {
        match self {
            Network::Bitcoin => Some(Asset::Btc),
            Network::Litecoin => Some(Asset::Ltc),
            Network::Ethereum => Some(Asset::Eth),
            Network::Solana => Some(Asset::Sol),
            _ => None,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// Real money or test money. The sandbox gateway only ever uses `Testnet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    #[default]
    Mainnet,
    Testnet,
}

/// An asset on a given network: what one payment method settles in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Coin {
    pub asset: Asset,
    pub network: Network,
}

/// Token contracts, SPL mints and jetton masters for the stablecoins.
///
/// Sources: Tether, "Supported protocols" (tether.to/en/supported-protocols) for USDT;
/// Circle, "USDC contract addresses" (developers.circle.com/stablecoins/usdc-contract-addresses)
/// for USDC on Ethereum, Solana, Polygon PoS, TRON and for the testnet deployments;
/// BscScan's verified Binance-Peg token pages for the BEP20 pair.
/// `tests` check every entry against its network's address format and checksum.
const TOKENS: &[(Asset, Network, Environment, &str)] = &[
    (Asset::Usdt, Network::Ethereum, Environment::Mainnet, "0xdAC17F958D2ee523a2206206994597C13D831ec7"),
    (Asset::Usdt, Network::Tron, Environment::Mainnet, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
    (Asset::Usdt, Network::Bsc, Environment::Mainnet, "0x55d398326f99059fF775485246999027B3197955"),
    (Asset::Usdt, Network::Solana, Environment::Mainnet, "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB"),
    (Asset::Usdt, Network::Ton, Environment::Mainnet, "EQCxE6mUtQJKFnGfaROTKOt1lZbDiiX1kCixRv7Nw2Id_sDs"),
    (Asset::Usdt, Network::Polygon, Environment::Mainnet, "0xc2132D05D31c914a87C6611C10748AEb04B58e8F"),
    (Asset::Usdc, Network::Ethereum, Environment::Mainnet, "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"),
    (Asset::Usdc, Network::Tron, Environment::Mainnet, "TEkxiTehnzSmSe2XqrBj4w32RUN966rdz8"),
    (Asset::Usdc, Network::Bsc, Environment::Mainnet, "0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d"),
    (Asset::Usdc, Network::Solana, Environment::Mainnet, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"),
    (Asset::Usdc, Network::Polygon, Environment::Mainnet, "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359"),
    (Asset::Usdc, Network::Ethereum, Environment::Testnet, "0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238"),
    (Asset::Usdc, Network::Polygon, Environment::Testnet, "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582"),
    (Asset::Usdc, Network::Solana, Environment::Testnet, "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU"),
];

impl Coin {
    pub const fn new(asset: Asset, network: Network) -> Coin {
        Coin { asset, network }
    }

    pub fn is_native(self) -> bool {
        self.network.native_asset() == Some(self.asset)
    }

    /// The network as a buyer must read it to send this coin: "Ethereum" for ether, "TRON
    /// (TRC20)" for a token on TRON.
    pub fn network_label(self) -> String {
        match self.network.token_standard().filter(|_| !self.is_native()) {
            // Joined by hand: the widget uses this, and keeps Rust's formatting code out.
            Some(standard) => self.network.display_name().to_owned() + " (" + standard + ")",
            None => self.network.display_name().to_owned(),
        }
    }

    /// Decimals of the asset's smallest on-chain unit.
    /// BTC/LTC 8 (satoshi, litoshi), ETH 18 (wei), SOL 9 (lamports); USDT and USDC are 6 on
    /// every network here except BNB Smart Chain, where the Binance-Peg contracts use 18
    /// (sources: the token contracts in `TOKENS`, their `decimals()`).
    pub fn decimals(self) -> u32 {
        match (self.asset, self.network) {
            (Asset::Btc, _) | (Asset::Ltc, _) => 8,
            (Asset::Eth, _) => 18,
            (Asset::Sol, _) => 9,
            (Asset::Usdt | Asset::Usdc, Network::Bsc) => 18,
            (Asset::Usdt | Asset::Usdc, _) => 6,
        }
    }

    /// Decimals a quote is rounded up to: the on-chain decimals, capped at 8 for the native
    /// coins and at 6 for stablecoins, so an amount stays readable and typeable in a wallet.
    pub fn quote_decimals(self) -> u32 {
        if self.asset.is_usd_stablecoin() { self.decimals().min(6) } else { self.decimals().min(8) }
    }

    /// The token contract (mint, jetton master) for a token; `None` for native coins and for
    /// tokens with no official deployment on that environment.
    pub fn token_contract(self, env: Environment) -> Option<&'static str> {
        TOKENS.iter().find(|(a, n, e, _)| *a == self.asset && *n == self.network && *e == env).map(|t| t.3)
    }

    /// All token contracts known, for table checks.
    pub fn token_table() -> impl Iterator<Item = (Coin, Environment, &'static str)> {
        TOKENS.iter().map(|(a, n, e, addr)| (Coin::new(*a, *n), *e, *addr))
    }

    /// "USDT on TRON (TRC20)".
    pub fn describe(self) -> String {
        format!("{} on {}", self.asset.ticker(), self.network_label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::validate_address;

    #[test]
    fn decimals_table() {
        use Asset::*;
        use Network::*;
        let expect = [
            (Btc, Bitcoin, 8),
            (Ltc, Litecoin, 8),
            (Eth, Ethereum, 18),
            (Sol, Solana, 9),
            (Usdt, Ethereum, 6),
            (Usdt, Tron, 6),
            (Usdt, Solana, 6),
            (Usdt, Polygon, 6),
            (Usdt, Ton, 6),
            (Usdt, Bsc, 18),
            (Usdc, Ethereum, 6),
            (Usdc, Tron, 6),
            (Usdc, Solana, 6),
            (Usdc, Polygon, 6),
            (Usdc, Bsc, 18),
        ];
        for (a, n, d) in expect {
            assert_eq!(Coin::new(a, n).decimals(), d, "{a:?} on {n:?}");
        }
        assert_eq!(Coin::new(Eth, Ethereum).quote_decimals(), 8);
        assert_eq!(Coin::new(Sol, Solana).quote_decimals(), 8);
        assert_eq!(Coin::new(Usdt, Bsc).quote_decimals(), 6);
        assert_eq!(Coin::new(Btc, Bitcoin).quote_decimals(), 8);
    }

    #[test]
    fn chain_ids() {
        use Environment::*;
        assert_eq!(Network::Ethereum.evm_chain_id(Mainnet), Some(1));
        assert_eq!(Network::Ethereum.evm_chain_id(Testnet), Some(11155111));
        assert_eq!(Network::Bsc.evm_chain_id(Mainnet), Some(56));
        assert_eq!(Network::Bsc.evm_chain_id(Testnet), Some(97));
        assert_eq!(Network::Polygon.evm_chain_id(Mainnet), Some(137));
        assert_eq!(Network::Polygon.evm_chain_id(Testnet), Some(80002));
        for n in [Network::Bitcoin, Network::Litecoin, Network::Solana, Network::Tron, Network::Ton] {
            assert_eq!(n.evm_chain_id(Mainnet), None);
        }
    }

    #[test]
    fn every_token_contract_is_a_valid_address_of_its_network() {
        for (coin, env, addr) in Coin::token_table() {
            // TON jetton masters and TRON contracts have no testnet/mainnet distinction in form.
            validate_address(coin.network, env, addr)
                .unwrap_or_else(|e| panic!("{} {env:?} {addr}: {e}", coin.describe()));
        }
    }

    #[test]
    fn every_mainnet_stablecoin_has_a_contract() {
        use Network::*;
        for (asset, nets) in [
            (Asset::Usdt, &[Ethereum, Tron, Bsc, Solana, Ton, Polygon][..]),
            (Asset::Usdc, &[Ethereum, Tron, Bsc, Solana, Polygon][..]),
        ] {
            for n in nets {
                assert!(Coin::new(asset, *n).token_contract(Environment::Mainnet).is_some(), "{asset:?} on {n:?}");
            }
        }
        assert_eq!(Coin::new(Asset::Btc, Bitcoin).token_contract(Environment::Mainnet), None);
        assert!(Coin::new(Asset::Eth, Ethereum).is_native());
        assert!(!Coin::new(Asset::Usdt, Ethereum).is_native());
    }

    #[test]
    fn describes_for_buyers() {
        assert_eq!(Coin::new(Asset::Usdt, Network::Tron).describe(), "USDT on TRON (TRC20)");
        assert_eq!(Coin::new(Asset::Eth, Network::Ethereum).describe(), "ETH on Ethereum");
        assert_eq!(Coin::new(Asset::Usdc, Network::Ethereum).describe(), "USDC on Ethereum (ERC20)");
        assert_eq!(Coin::new(Asset::Usdt, Network::Bsc).network_label(), "BNB Smart Chain (BEP20)");
        assert_eq!(Coin::new(Asset::Usdc, Network::Solana).network_label(), "Solana (SPL)");
        assert_eq!(Coin::new(Asset::Sol, Network::Solana).network_label(), "Solana");
        assert_eq!(Coin::new(Asset::Usdt, Network::Ton).network_label(), "TON (Jetton)");
        assert_eq!(Coin::new(Asset::Usdc, Network::Polygon).network_label(), "Polygon PoS (ERC20)");
    }
}
