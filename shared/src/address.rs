//! Receiving-address checks per network, so a misconfigured address is refused before any
//! buyer is shown it.

use base64::Engine;
use sha3::{Digest, Keccak256};

use crate::chain::{Environment, Network};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("not a valid {network} address: {reason}")]
    Invalid { network: &'static str, reason: String },
    #[error("a {found} address where a {expected} address is needed")]
    WrongEnvironment { expected: &'static str, found: &'static str },
}

/// No address of a supported network is longer: segwit addresses are at most 90 characters
/// (BIP-173), the longest of all; raw TON addresses are 66, EVM 42, Solana 44, Tron 34.
pub const MAX_ADDRESS_LEN: usize = 90;

fn invalid(network: Network, reason: impl Into<String>) -> AddressError {
    AddressError::Invalid { network: network.display_name(), reason: reason.into() }
}

fn env_name(env: Environment) -> &'static str {
    match env {
        Environment::Mainnet => "mainnet",
        Environment::Testnet => "testnet",
    }
}

fn wrong_env(expected: Environment) -> AddressError {
    let found = match expected {
        Environment::Mainnet => Environment::Testnet,
        Environment::Testnet => Environment::Mainnet,
    };
    AddressError::WrongEnvironment { expected: env_name(expected), found: env_name(found) }
}

/// Checks that `address` is a well-formed address of `network` for `env`.
pub fn validate_address(network: Network, env: Environment, address: &str) -> Result<(), AddressError> {
    // Refused before any decoding: base58's is quadratic in the length, and a provider's
    // answer could carry any text.
    if address.len() > MAX_ADDRESS_LEN {
        return Err(invalid(network, format!("longer than {MAX_ADDRESS_LEN} characters")));
    }
    match network {
        Network::Bitcoin | Network::Litecoin => utxo(network, env, address),
        Network::Ethereum | Network::Bsc | Network::Polygon => evm(network, address),
        Network::Solana => solana(address),
        Network::Tron => tron(address),
        Network::Ton => ton(env, address),
    }
}

/// Segwit human-readable parts and base58check version bytes.
/// Sources: BIP-173 (bc, tb, bcrt) and Bitcoin Core `chainparams.cpp` (0x00, 0x05 mainnet;
/// 0x6f, 0xc4 testnet); Litecoin Core `chainparams.cpp` (ltc, tltc, rltc; 0x30, 0x32, 0x05
/// mainnet; 0x6f, 0x3a, 0xc4 testnet).
struct UtxoParams {
    hrps: &'static [&'static str],
    versions: &'static [u8],
}

fn utxo_params(network: Network, env: Environment) -> UtxoParams {
    match (network, env) {
        (Network::Bitcoin, Environment::Mainnet) => UtxoParams { hrps: &["bc"], versions: &[0x00, 0x05] },
        (Network::Bitcoin, Environment::Testnet) => UtxoParams { hrps: &["tb", "bcrt"], versions: &[0x6f, 0xc4] },
        (_, Environment::Mainnet) => UtxoParams { hrps: &["ltc"], versions: &[0x30, 0x32, 0x05] },
        (_, Environment::Testnet) => UtxoParams { hrps: &["tltc", "rltc"], versions: &[0x6f, 0x3a, 0xc4] },
    }
}

fn other(env: Environment) -> Environment {
    match env {
        Environment::Mainnet => Environment::Testnet,
        Environment::Testnet => Environment::Mainnet,
    }
}

fn utxo(network: Network, env: Environment, address: &str) -> Result<(), AddressError> {
    let params = utxo_params(network, env);
    let lower = address.to_ascii_lowercase();
    if let Some((hrp, _)) = lower.rsplit_once('1').filter(|(hrp, _)| !hrp.is_empty() && lower.len() > 14)
        && (params.hrps.contains(&hrp) || utxo_params(network, other(env)).hrps.contains(&hrp))
    {
        let (decoded_hrp, version, program) =
            bech32::segwit::decode(address).map_err(|e| invalid(network, e.to_string()))?;
        if !params.hrps.contains(&decoded_hrp.as_str().to_ascii_lowercase().as_str()) {
            return Err(wrong_env(env));
        }
        let _ = (version, program); // `segwit::decode` already checked bech32 vs bech32m and lengths
        return Ok(());
    }
    let bytes =
        bs58::decode(address).with_check(None).into_vec().map_err(|e| invalid(network, format!("base58check: {e}")))?;
    if bytes.len() != 21 {
        return Err(invalid(network, format!("{} bytes of payload, expected 21", bytes.len())));
    }
    if params.versions.contains(&bytes[0]) {
        Ok(())
    } else if utxo_params(network, other(env)).versions.contains(&bytes[0]) {
        Err(wrong_env(env))
    } else {
        Err(invalid(network, format!("unknown version byte 0x{:02x}", bytes[0])))
    }
}

fn evm(network: Network, address: &str) -> Result<(), AddressError> {
    let hex = address.strip_prefix("0x").ok_or_else(|| invalid(network, "must start with 0x"))?;
    if hex.len() != 40 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid(network, "must be 0x followed by 40 hex digits"));
    }
    let mixed = hex.chars().any(|c| c.is_ascii_uppercase()) && hex.chars().any(|c| c.is_ascii_lowercase());
    if mixed && eip55_checksum(hex) != hex {
        return Err(invalid(network, "EIP-55 checksum mismatch"));
    }
    Ok(())
}

/// EIP-55 mixed-case checksum of 40 hex digits (without `0x`).
pub fn eip55_checksum(hex: &str) -> String {
    let lower = hex.to_ascii_lowercase();
    let hash = Keccak256::digest(lower.as_bytes());
    lower
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
            if c.is_ascii_alphabetic() && nibble >= 8 { c.to_ascii_uppercase() } else { c }
        })
        .collect()
}

fn solana(address: &str) -> Result<(), AddressError> {
    let bytes = bs58::decode(address).into_vec().map_err(|e| invalid(Network::Solana, format!("base58: {e}")))?;
    if bytes.len() != 32 {
        return Err(invalid(Network::Solana, format!("{} bytes, expected 32", bytes.len())));
    }
    Ok(())
}

/// TRON: base58check of 21 bytes whose first is 0x41 (source: TRON developer docs, "Account").
fn tron(address: &str) -> Result<(), AddressError> {
    let bytes = bs58::decode(address)
        .with_check(None)
        .into_vec()
        .map_err(|e| invalid(Network::Tron, format!("base58check: {e}")))?;
    if bytes.len() != 21 || bytes[0] != 0x41 {
        return Err(invalid(Network::Tron, "expected 21 bytes starting with 0x41 (T…)"));
    }
    Ok(())
}

/// TON user-friendly form: 36 bytes in base64 or base64url (flag, workchain, 32-byte account,
/// CRC16-XMODEM); flag 0x11 bounceable / 0x51 non-bounceable, +0x80 when testnet-only.
/// Source: TON documentation, "Smart contract addresses".
/// The raw form `workchain:hex64` is accepted too; it carries no network flag.
fn ton(env: Environment, address: &str) -> Result<(), AddressError> {
    if let Some((wc, hex)) = address.split_once(':') {
        let wc_ok = matches!(wc, "0" | "-1");
        if !wc_ok || hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(invalid(Network::Ton, "raw form must be <0|-1>:<64 hex digits>"));
        }
        return Ok(());
    }
    if address.len() != 48 {
        return Err(invalid(Network::Ton, "user-friendly form has 48 characters"));
    }
    let normalized: String = address
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(normalized)
        .map_err(|e| invalid(Network::Ton, format!("base64: {e}")))?;
    if bytes.len() != 36 {
        return Err(invalid(Network::Ton, "expected 36 bytes"));
    }
    let crc = u16::from_be_bytes([bytes[34], bytes[35]]);
    if crc16_xmodem(&bytes[..34]) != crc {
        return Err(invalid(Network::Ton, "checksum mismatch"));
    }
    let flag = bytes[0];
    if !matches!(flag & 0x7f, 0x11 | 0x51) {
        return Err(invalid(Network::Ton, format!("unknown flag 0x{flag:02x}")));
    }
    if !matches!(bytes[1], 0x00 | 0xff) {
        return Err(invalid(Network::Ton, "unknown workchain"));
    }
    let testnet_only = flag & 0x80 != 0;
    if testnet_only && env == Environment::Mainnet {
        return Err(wrong_env(env));
    }
    Ok(())
}

/// CRC-16/XMODEM (poly 0x1021, init 0).
pub fn crc16_xmodem(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in data {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use Environment::*;

    fn ok(n: Network, env: Environment, a: &str) {
        assert_eq!(validate_address(n, env, a), Ok(()), "{n:?} {env:?} {a}");
    }
    fn bad(n: Network, env: Environment, a: &str) -> AddressError {
        validate_address(n, env, a).expect_err(a)
    }

    #[test]
    fn a_text_longer_than_any_address_is_refused_before_decoding() {
        // 10,000 base58 characters would cost ~10^8 steps to decode; refused at once instead.
        let long = "1".repeat(10_000);
        for n in [Network::Bitcoin, Network::Solana, Network::Tron, Network::Ethereum, Network::Ton] {
            assert!(
                matches!(bad(n, Mainnet, &long), AddressError::Invalid { reason, .. } if reason.starts_with("longer than 90"))
            );
        }
    }

    #[test]
    fn bitcoin() {
        // BIP-173 / BIP-350 test vectors and well-known addresses.
        ok(Network::Bitcoin, Mainnet, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
        ok(Network::Bitcoin, Mainnet, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4");
        ok(Network::Bitcoin, Mainnet, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0");
        ok(Network::Bitcoin, Mainnet, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
        ok(Network::Bitcoin, Mainnet, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy");
        ok(Network::Bitcoin, Testnet, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx");
        ok(Network::Bitcoin, Testnet, "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn");
        // Taproot (v1) with a bech32 (not bech32m) checksum is refused (BIP-350).
        bad(Network::Bitcoin, Mainnet, "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx");
        // One character changed.
        bad(Network::Bitcoin, Mainnet, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5");
        bad(Network::Bitcoin, Mainnet, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb");
        assert!(matches!(
            bad(Network::Bitcoin, Mainnet, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"),
            AddressError::WrongEnvironment { .. }
        ));
        assert!(matches!(
            bad(Network::Bitcoin, Testnet, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
            AddressError::WrongEnvironment { .. }
        ));
        bad(Network::Bitcoin, Mainnet, "");
        bad(Network::Bitcoin, Mainnet, "ltc1qg82tq4mfq8e0x7nq6cvx7k0aldhgk0mpyt2r9l");
    }

    #[test]
    fn litecoin() {
        ok(Network::Litecoin, Mainnet, "LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9");
        ok(Network::Litecoin, Mainnet, "MGxNPPB7eBoWPUaprtX9v9CXJZoD2465zN");
        assert!(matches!(
            bad(Network::Litecoin, Mainnet, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"),
            AddressError::Invalid { .. }
        ));
        bad(Network::Litecoin, Mainnet, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
    }

    #[test]
    fn evm_checksums() {
        // EIP-55's own examples.
        for a in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            ok(Network::Ethereum, Mainnet, a);
            assert_eq!(format!("0x{}", eip55_checksum(&a[2..])), a);
        }
        ok(Network::Ethereum, Mainnet, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
        ok(Network::Bsc, Testnet, "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED");
        bad(Network::Ethereum, Mainnet, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD");
        bad(Network::Polygon, Mainnet, "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
        bad(Network::Polygon, Mainnet, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA");
        bad(Network::Polygon, Mainnet, "0xzaAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    }

    #[test]
    fn solana_and_tron() {
        ok(Network::Solana, Mainnet, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");
        ok(Network::Solana, Testnet, "11111111111111111111111111111111");
        // No checksum in a Solana address: only the length (32 bytes) can be checked.
        bad(Network::Solana, Mainnet, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZ");
        bad(Network::Solana, Mainnet, "0OIl");
        ok(Network::Tron, Mainnet, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
        bad(Network::Tron, Mainnet, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u");
        bad(Network::Tron, Mainnet, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
    }

    #[test]
    fn ton_forms() {
        ok(Network::Ton, Mainnet, "EQCxE6mUtQJKFnGfaROTKOt1lZbDiiX1kCixRv7Nw2Id_sDs");
        ok(Network::Ton, Mainnet, "0:b113a994b5024a16719f69139328eb759596c38a25f59028b146fecdc3621dfe");
        bad(Network::Ton, Mainnet, "EQCxE6mUtQJKFnGfaROTKOt1lZbDiiX1kCixRv7Nw2Id_sDt");
        bad(Network::Ton, Mainnet, "EQCxE6mUtQJKFnGfaROTKOt1lZbDiiX1kCixRv7Nw2Id_sD");
        bad(Network::Ton, Mainnet, "2:b113a994b5024a16719f69139328eb759596c38a25f59028b146fecdc3621dfe");
        assert_eq!(crc16_xmodem(b"123456789"), 0x31c3);
    }
}
