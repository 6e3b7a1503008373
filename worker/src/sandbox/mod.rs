//! The built-in sandbox gateway: testnet addresses and URIs for crypto, a hosted test page for
//! cards (`page`). Upstream providers are in the `gateways` crate.

pub mod page;

use sha2::{Digest, Sha256};
use shared::uri::payment_uri;
use shared::{Environment, Order, testnet};

use crate::catalog::Catalog;
use crate::ids;

/// Fills in how the buyer pays: address and URI for crypto, a checkout page for cards.
pub fn open_payment(order: &mut Order, catalog: &Catalog, origin: &str, client_secret: &str) {
    order.sandbox = true;
    match order.payment_method.coin() {
        Some(coin) => {
            let address = testnet::address(coin.network, &ids::random_bytes::<32>());
            let amount = order.crypto_amount.unwrap_or_default();
            // Some stablecoins have no official testnet contract: then the address alone.
            let uri = payment_uri(coin, Environment::Testnet, &address, amount).unwrap_or_else(|_| address.clone());
            order.network = Some(coin.network);
            order.payment_uri = Some(uri);
            order.payment_address = Some(address);
            order.confirmations_required = catalog.confirmations_for(coin.network);
        }
        None => {
            order.confirmations_required = 0;
            order.checkout_url =
                Some(format!("{origin}/sandbox/checkout/{}?token={}", order.id, checkout_token(client_secret)));
        }
    }
}

/// The token in a sandbox checkout link, derived from the client secret so the secret itself
/// never appears in a URL.
pub fn checkout_token(client_secret: &str) -> String {
    ids::hex(&Sha256::digest(format!("tollgate-checkout:{client_secret}").as_bytes())[..16])
}
