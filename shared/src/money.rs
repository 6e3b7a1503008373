//! Fiat currencies and exact decimal rounding.
//!
//! Every amount is a `rust_decimal::Decimal`; no floating point is used where money is computed.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// A fiat currency a product can be priced in.
///
/// Minor units are ISO 4217's (source: ISO 4217 "List One", current currency & funds code list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Fiat {
    Usd,
    Eur,
    Gbp,
    Chf,
    Cad,
    Aud,
    Sek,
    Nok,
    Pln,
    Brl,
    Inr,
    Jpy,
    Krw,
    Bhd,
    Kwd,
}

impl Fiat {
    pub const ALL: [Fiat; 15] = [
        Fiat::Usd,
        Fiat::Eur,
        Fiat::Gbp,
        Fiat::Chf,
        Fiat::Cad,
        Fiat::Aud,
        Fiat::Sek,
        Fiat::Nok,
        Fiat::Pln,
        Fiat::Brl,
        Fiat::Inr,
        Fiat::Jpy,
        Fiat::Krw,
        Fiat::Bhd,
        Fiat::Kwd,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Fiat::Usd => "USD",
            Fiat::Eur => "EUR",
            Fiat::Gbp => "GBP",
            Fiat::Chf => "CHF",
            Fiat::Cad => "CAD",
            Fiat::Aud => "AUD",
            Fiat::Sek => "SEK",
            Fiat::Nok => "NOK",
            Fiat::Pln => "PLN",
            Fiat::Brl => "BRL",
            Fiat::Inr => "INR",
            Fiat::Jpy => "JPY",
            Fiat::Krw => "KRW",
            Fiat::Bhd => "BHD",
            Fiat::Kwd => "KWD",
        }
    }

    /// ISO 4217 minor units: the number of decimal places an amount in this currency carries.
    pub fn minor_units(self) -> u32 {
        match self {
            Fiat::Jpy | Fiat::Krw => 0,
            Fiat::Bhd | Fiat::Kwd => 3,
            _ => 2,
        }
    }

    /// Rounds to this currency's minor unit, half away from zero: commercial rounding, the
    /// rule receipts and tax authorities use, so a buyer can redo any line with a calculator.
    pub fn round(self, amount: Decimal) -> Decimal {
        let mut rounded = amount.round_dp_with_strategy(self.minor_units(), RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(self.minor_units());
        rounded
    }

    /// Whether `amount` is already expressed in whole minor units.
    pub fn is_exact(self, amount: Decimal) -> bool {
        amount.normalize().scale() <= self.minor_units()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown currency `{0}`")]
pub struct UnknownCurrency(pub String);

impl FromStr for Fiat {
    type Err = UnknownCurrency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fiat::ALL.into_iter().find(|f| f.code() == s).ok_or_else(|| UnknownCurrency(s.to_owned()))
    }
}

impl TryFrom<String> for Fiat {
    type Error = UnknownCurrency;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Fiat> for String {
    fn from(f: Fiat) -> String {
        f.code().to_owned()
    }
}

impl fmt::Display for Fiat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Rounds `amount` up (towards +infinity) to `dp` decimal places.
pub fn ceil_dp(amount: Decimal, dp: u32) -> Decimal {
    let mut r = amount.round_dp_with_strategy(dp, RoundingStrategy::ToPositiveInfinity);
    r.rescale(dp);
    r
}

/// Formats a decimal as plain digits with no exponent and no trailing zeros
/// (`0.00045000` → `0.00045`, `30.0` → `30`): the form payment URIs carry.
pub fn plain(amount: Decimal) -> String {
    amount.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::dec;

    #[test]
    fn minor_units_follow_iso_4217() {
        let expect = [
            ("USD", 2),
            ("EUR", 2),
            ("GBP", 2),
            ("CHF", 2),
            ("CAD", 2),
            ("AUD", 2),
            ("SEK", 2),
            ("NOK", 2),
            ("PLN", 2),
            ("BRL", 2),
            ("INR", 2),
            ("JPY", 0),
            ("KRW", 0),
            ("BHD", 3),
            ("KWD", 3),
        ];
        assert_eq!(expect.len(), Fiat::ALL.len());
        for (code, units) in expect {
            let f: Fiat = code.parse().unwrap();
            assert_eq!(f.minor_units(), units, "{code}");
            assert_eq!(f.code(), code);
        }
    }

    #[test]
    fn unknown_currency_is_named() {
        assert_eq!("XYZ".parse::<Fiat>(), Err(UnknownCurrency("XYZ".into())));
        assert_eq!("usd".parse::<Fiat>(), Err(UnknownCurrency("usd".into())));
    }

    #[test]
    fn rounds_half_away_from_zero_to_minor_units() {
        assert_eq!(Fiat::Usd.round(dec("2.345")).to_string(), "2.35");
        assert_eq!(Fiat::Usd.round(dec("2.344")).to_string(), "2.34");
        assert_eq!(Fiat::Usd.round(dec("-2.345")).to_string(), "-2.35");
        assert_eq!(Fiat::Usd.round(dec("3")).to_string(), "3.00");
        assert_eq!(Fiat::Jpy.round(dec("1234.5")).to_string(), "1235");
        assert_eq!(Fiat::Bhd.round(dec("1.0005")).to_string(), "1.001");
    }

    #[test]
    fn ceil_and_plain() {
        assert_eq!(ceil_dp(dec("0.000451231"), 8).to_string(), "0.00045124");
        assert_eq!(ceil_dp(dec("0.00045123"), 8).to_string(), "0.00045123");
        assert_eq!(plain(dec("0.00045000")), "0.00045");
        assert_eq!(plain(dec("30.0")), "30");
        assert_eq!(plain(dec("0.000000000000000001")), "0.000000000000000001");
    }

    #[test]
    fn serde_uses_the_iso_code() {
        assert_eq!(serde_json::to_string(&Fiat::Eur).unwrap(), "\"EUR\"");
        assert_eq!(serde_json::from_str::<Fiat>("\"JPY\"").unwrap(), Fiat::Jpy);
        assert!(serde_json::from_str::<Fiat>("\"ABC\"").is_err());
    }
}
