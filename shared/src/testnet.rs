//! Testnet receiving addresses made from random bytes, for the sandbox gateway: each order gets
//! a fresh, well-formed address that no mainnet wallet would accept.

use base64::Engine;
use bech32::Hrp;

use crate::address::{crc16_xmodem, eip55_checksum};
use crate::chain::Network;

/// A testnet address of `network` derived from `seed` (random bytes from the caller).
pub fn address(network: Network, seed: &[u8; 32]) -> String {
    let twenty: [u8; 20] = seed[..20].try_into().expect("20 of 32 bytes");
    match network {
        Network::Bitcoin => segwit_v0("tb", &twenty),
        Network::Litecoin => segwit_v0("tltc", &twenty),
        Network::Ethereum | Network::Bsc | Network::Polygon => {
            let hex: String = twenty.iter().map(|b| format!("{b:02x}")).collect();
            format!("0x{}", eip55_checksum(&hex))
        }
        Network::Solana => bs58::encode(seed).into_string(),
        Network::Tron => {
            let mut payload = vec![0x41];
            payload.extend_from_slice(&twenty);
            bs58::encode(payload).with_check().into_string()
        }
        Network::Ton => {
            // Non-bounceable (0x51) with the testnet-only bit (0x80), workchain 0.
            let mut raw = vec![0x51 | 0x80, 0x00];
            raw.extend_from_slice(seed);
            let crc = crc16_xmodem(&raw);
            raw.extend_from_slice(&crc.to_be_bytes());
            base64::engine::general_purpose::URL_SAFE.encode(raw)
        }
    }
}

fn segwit_v0(hrp: &str, program: &[u8; 20]) -> String {
    let hrp = Hrp::parse(hrp).expect("static hrp");
    bech32::segwit::encode_v0(hrp, program).expect("a 20-byte v0 program encodes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::validate_address;
    use crate::chain::Environment;

    #[test]
    fn every_network_gives_a_valid_testnet_address() {
        for (i, network) in Network::ALL.into_iter().enumerate() {
            for seed in [[0u8; 32], [0xff; 32], [(i as u8).wrapping_mul(37).wrapping_add(1); 32]] {
                let a = address(network, &seed);
                assert_eq!(validate_address(network, Environment::Testnet, &a), Ok(()), "{network:?} {a}");
            }
        }
    }

    #[test]
    fn never_a_mainnet_address_where_the_form_tells() {
        let seed = [7u8; 32];
        for network in [Network::Bitcoin, Network::Litecoin, Network::Ton] {
            let a = address(network, &seed);
            assert!(validate_address(network, Environment::Mainnet, &a).is_err(), "{network:?} {a}");
        }
        assert!(address(Network::Bitcoin, &seed).starts_with("tb1q"));
        assert!(address(Network::Litecoin, &seed).starts_with("tltc1q"));
    }

    #[test]
    fn different_seeds_give_different_addresses() {
        for network in Network::ALL {
            assert_ne!(address(network, &[1; 32]), address(network, &[2; 32]), "{network:?}");
        }
    }
}
