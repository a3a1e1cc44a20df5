//! What the commerce API takes and shows. Amounts are decimal strings
//! (`"12.50"`) in the clinic's currency.

mod cart;
mod catalog;
mod invoices;
mod orders;
mod plans;
mod reports;

pub use cart::*;
pub use catalog::*;
pub use invoices::*;
pub use orders::*;
pub use plans::*;
pub use reports::*;

use rust_decimal::Decimal;
use validator::ValidationError;

/// The pattern of an amount in the API document.
pub const AMOUNT_PATTERN: &str = "^[0-9]{1,8}(\\.[0-9]{1,2})?$";

/// An amount of money as prices are given: 0 to 99,999,999.99 with at most
/// two decimals.
pub fn amount(value: &Decimal) -> Result<(), ValidationError> {
    if value.is_sign_negative() || value.scale() > 2 || *value >= Decimal::from(100_000_000) {
        return Err(
            ValidationError::new("amount").with_message("must be 0 to 99999999.99 with at most 2 decimals".into())
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_take_two_decimals_at_most() {
        let cases = [
            ("0", true),
            ("12.5", true),
            ("12.50", true),
            ("12.505", false),
            ("12.500", false),
            ("-1", false),
            ("99999999.99", true),
            ("100000000", false),
        ];
        for (text, valid) in cases {
            assert_eq!(amount(&text.parse().unwrap()).is_ok(), valid, "{text}");
        }
    }
}
