//! A freshly opened upstream order's payment details, checked into the local order.

use rust_decimal::Decimal;
use shared::address::validate_address;
use shared::uri::{is_wallet_link, parse_payment_uri, payment_uri};
use shared::{Environment, Order};

use crate::state::UpstreamState;

/// Takes the payment details of a freshly opened upstream order into the local one: the
/// address and amount (checked against the network before any buyer sees them), or the
/// provider's hosted page. The provider's prices win where it priced the order.
pub fn adopt(order: &mut Order, st: &UpstreamState, env: Environment) -> Result<(), String> {
    if let Some(total) = st.total_amount {
        order.total_amount = total;
    }
    if let Some(expires) = st.expires_at {
        order.expires_at = expires;
    }
    if let Some(url) = &st.checkout_url {
        // A buyer is sent there: https only, but for a stand-in on this machine in test mode.
        let local_test = env == Environment::Testnet && url.starts_with("http://");
        if !(url.starts_with("https://") || local_test) || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("a payment page that is not an https address: `{url}`"));
        }
        order.checkout_url = Some(url.clone());
    }
    if let Some(required) = st.confirmations_required {
        order.confirmations_required = required;
    }
    // A provider's "confirming" must never read as complete here.
    order.confirmations_required = order.confirmations_required.max(1);
    let Some(coin) = order.payment_method.coin() else {
        return if order.checkout_url.is_some() { Ok(()) } else { Err("no payment page for a card order".into()) };
    };
    match (&st.payment_address, st.crypto_amount) {
        (Some(address), Some(amount)) if amount > Decimal::ZERO => {
            validate_address(coin.network, env, address)
                .map_err(|e| format!("an invalid {} address `{address}`: {e}", coin.describe()))?;
            order.network = Some(coin.network);
            // The provider's own conversion: Tollgate's rate no longer describes the amount.
            if order.crypto_amount != Some(amount) {
                order.exchange_rate = None;
            }
            order.crypto_amount = Some(amount);
            order.payment_address = Some(address.clone());
            order.payment_uri = match payment_uri(coin, env, address, amount) {
                Ok(uri) => Some(uri),
                // Tollgate cannot build one: the provider's, only if it is a wallet link that
                // pays this address.
                Err(_) => match &st.payment_uri {
                    Some(uri) if provider_uri_pays(uri, coin, address) => Some(uri.clone()),
                    Some(uri) => {
                        return Err(format!("a payment URI that is not a wallet link to the address: `{uri}`"));
                    }
                    None => None,
                },
            };
            Ok(())
        }
        // Hosted: the buyer picks and pays on the provider's page.
        _ if order.checkout_url.is_some() => {
            order.crypto_amount = None;
            order.exchange_rate = None;
            Ok(())
        }
        _ => Err("neither an address and amount nor a payment page".into()),
    }
}

/// Whether a provider's payment URI is a wallet link that pays `address` in `coin`.
fn provider_uri_pays(uri: &str, coin: shared::Coin, address: &str) -> bool {
    is_wallet_link(uri) && parse_payment_uri(uri, coin).is_ok_and(|p| p.address == address)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::MappedStatus;
    use crate::test_support::order;

    const TB1: &str = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx";

    #[test]
    fn adopting_checks_the_address_and_builds_the_uri() {
        let mut o = order("crypto_btc");
        let mut st = UpstreamState::new("up_1", MappedStatus::of(shared::OrderStatus::Pending));
        st.payment_address = Some(TB1.into());
        st.crypto_amount = Some(Decimal::from_str_exact("0.00045200").unwrap());
        st.confirmations_required = Some(3);
        adopt(&mut o, &st, Environment::Testnet).unwrap();
        assert_eq!(o.payment_uri.as_deref(), Some(&*format!("bitcoin:{TB1}?amount=0.000452")));
        assert_eq!((o.confirmations_required, o.crypto_amount.unwrap().to_string().as_str()), (3, "0.00045200"));
        // A mainnet address in test mode, or garbage, never reaches a buyer.
        let mut bad = st.clone();
        bad.payment_address = Some("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4".into());
        assert!(adopt(&mut order("crypto_btc"), &bad, Environment::Testnet).unwrap_err().contains("invalid BTC"));
        bad.payment_address = None;
        assert!(adopt(&mut order("crypto_btc"), &bad, Environment::Testnet).is_err());
    }

    #[test]
    fn adopting_a_hosted_page() {
        let mut o = order("crypto_eth");
        let mut st = UpstreamState::new("1", MappedStatus::of(shared::OrderStatus::Pending));
        st.checkout_url = Some("https://pay.example/invoice/1".into());
        adopt(&mut o, &st, Environment::Mainnet).unwrap();
        assert_eq!((o.crypto_amount, o.payment_address.as_deref()), (None, None));
        assert_eq!(o.confirmations_required, 2);
        st.checkout_url = Some("javascript:alert(1)".into());
        assert!(adopt(&mut order("stripe"), &st, Environment::Mainnet).is_err());
        // Plain http is for a stand-in in test mode only.
        st.checkout_url = Some("http://pay.example/invoice/1".into());
        assert!(adopt(&mut order("stripe"), &st, Environment::Mainnet).unwrap_err().contains("https"));
        assert!(adopt(&mut order("stripe"), &st, Environment::Testnet).is_ok());
    }

    #[test]
    fn adopting_refuses_a_provider_uri_that_is_not_a_wallet_link() {
        // USDT on Sepolia has no official contract, so Tollgate builds no URI and would fall
        // back on the provider's.
        let mut st = UpstreamState::new("up_1", MappedStatus::of(shared::OrderStatus::Pending));
        st.payment_address = Some("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".into());
        st.crypto_amount = Some(Decimal::from_str_exact("29.99").unwrap());
        st.payment_uri = Some("javascript:alert(document.cookie)".into());
        let e = adopt(&mut order("flexpay_USDT_ERC20"), &st, Environment::Testnet).unwrap_err();
        assert!(e.contains("not a wallet link"), "{e}");
        // Nor a wallet link that pays someone else.
        st.payment_uri = Some("ethereum:0x0000000000000000000000000000000000000001@11155111?value=1".into());
        assert!(adopt(&mut order("flexpay_USDT_ERC20"), &st, Environment::Testnet).is_err());
        st.payment_uri = None;
        let mut o = order("flexpay_USDT_ERC20");
        adopt(&mut o, &st, Environment::Testnet).unwrap();
        assert_eq!(o.payment_uri, None);
    }
}
