//! How an order is priced: the one rounding rule.
//!
//! Prices are before tax. Each line is priced on its own:
//! - `net = unit_price × quantity`, exact (two decimals times a whole number);
//! - `tax = net × rate`, rounded to the cent, half away from zero (0.005 →
//!   0.01), the rule of most tax authorities for a line;
//! - the order's `subtotal`, `tax_total` and `total` are the sums of the
//!   lines' rounded figures, so an invoice adds up line by line (a total
//!   taxed once could differ from the sum of its lines by a cent).

use rust_decimal::{Decimal, RoundingStrategy};

/// A line's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineAmounts {
    /// `unit_price × quantity`.
    pub net: Decimal,
    /// The tax, rounded to the cent.
    pub tax: Decimal,
}

impl LineAmounts {
    /// Prices `quantity` units at `unit_price` taxed at `rate` (0.2 is 20%).
    pub fn of(unit_price: Decimal, quantity: i32, rate: Decimal) -> Self {
        let net = cents(unit_price * Decimal::from(quantity));
        let tax = cents(net * rate);
        Self { net, tax }
    }

    /// `net + tax`.
    pub fn total(&self) -> Decimal {
        self.net + self.tax
    }
}

/// An order's figures: the sums of its lines'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// The lines' `net`.
    pub subtotal: Decimal,
    /// The lines' `tax`.
    pub tax_total: Decimal,
}

impl Totals {
    /// The sums of `lines`.
    pub fn of<'a>(lines: impl IntoIterator<Item = &'a LineAmounts>) -> Self {
        lines.into_iter().fold(Self::default(), |totals, line| Self {
            subtotal: totals.subtotal + line.net,
            tax_total: totals.tax_total + line.tax,
        })
    }

    /// `subtotal + tax_total`.
    pub fn total(&self) -> Decimal {
        self.subtotal + self.tax_total
    }
}

/// `price` less `percent` % (a plan's discount), rounded to the cent.
pub fn discounted(price: Decimal, percent: i32) -> Decimal {
    cents(price * Decimal::from(100 - percent.clamp(0, 100)) / Decimal::ONE_HUNDRED)
}

/// `amount` for `days` of a period of `of_days` days (an upgrade's
/// difference for the days left), rounded to the cent.
pub fn prorated(amount: Decimal, days: i64, of_days: i64) -> Decimal {
    if of_days <= 0 {
        return cents(amount);
    }
    cents(amount * Decimal::from(days.clamp(0, of_days)) / Decimal::from(of_days))
}

/// Rounded to the cent, half away from zero, with two decimals shown.
fn cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn each_line_is_taxed_and_rounded_on_its_own() {
        // (unit price, quantity, rate) → (net, tax)
        let table = [
            ("10.00", 1, "0.2", "10.00", "2.00"),
            ("0.05", 1, "0.1", "0.05", "0.01"),      // 0.005 rounds up, away from zero
            ("0.04", 1, "0.1", "0.04", "0.00"),      // 0.004 rounds down
            ("24.99", 3, "0.2", "74.97", "14.99"),   // 14.994
            ("24.99", 7, "0.055", "174.93", "9.62"), // 9.62115
            ("3.35", 3, "0.055", "10.05", "0.55"),   // 0.55275
            ("1.10", 5, "0.075", "5.50", "0.41"),    // 0.4125
            ("19.95", 2, "0.21", "39.90", "8.38"),   // 8.379
            ("9.99", 999, "0.2", "9980.01", "1996.00"), // 1996.002
            ("12.34", 4, "0", "49.36", "0.00"),
            ("0.00", 3, "0.2", "0.00", "0.00"),
            ("33.33", 3, "0.0750", "99.99", "7.50"), // 7.49925
        ];
        for (price, quantity, rate, net, tax) in table {
            let line = LineAmounts::of(decimal(price), quantity, decimal(rate));
            assert_eq!(
                (line.net.to_string(), line.tax.to_string()),
                (net.to_owned(), tax.to_owned()),
                "{price} × {quantity} at {rate}"
            );
            assert_eq!(line.total(), line.net + line.tax);
        }
    }

    #[test]
    fn discounts_and_prorations_round_to_the_cent() {
        assert_eq!(discounted(decimal("24.90"), 10).to_string(), "22.41");
        assert_eq!(discounted(decimal("0.05"), 10).to_string(), "0.05"); // 0.045 rounds up
        assert_eq!(discounted(decimal("10"), 0).to_string(), "10.00");
        assert_eq!(discounted(decimal("10"), 100).to_string(), "0.00");
        assert_eq!(prorated(decimal("20.00"), 15, 30).to_string(), "10.00");
        assert_eq!(prorated(decimal("10.00"), 10, 31).to_string(), "3.23"); // 3.2258
        assert_eq!(prorated(decimal("10.00"), 40, 31).to_string(), "10.00");
        assert_eq!(prorated(decimal("10.00"), -1, 31).to_string(), "0.00");
    }

    #[test]
    fn totals_are_the_sums_of_the_rounded_lines() {
        // Three lines of 0.05 at 10%: each line's tax is 0.01 (0.005 rounded),
        // so the order's tax is 0.03, where taxing the subtotal would give 0.02.
        let lines: Vec<LineAmounts> = (0..3).map(|_| LineAmounts::of(decimal("0.05"), 1, decimal("0.1"))).collect();
        let totals = Totals::of(&lines);
        assert_eq!(totals.subtotal.to_string(), "0.15");
        assert_eq!(totals.tax_total.to_string(), "0.03");
        assert_eq!(totals.total().to_string(), "0.18");
        let mixed = [
            LineAmounts::of(decimal("24.99"), 3, decimal("0.2")),
            LineAmounts::of(decimal("3.35"), 3, decimal("0.055")),
            LineAmounts::of(decimal("12.34"), 4, decimal("0")),
        ];
        let totals = Totals::of(&mixed);
        assert_eq!(
            (totals.subtotal.to_string(), totals.tax_total.to_string(), totals.total().to_string()),
            ("134.38".to_owned(), "15.54".to_owned(), "149.92".to_owned())
        );
    }
}
