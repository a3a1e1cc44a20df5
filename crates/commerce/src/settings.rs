//! `[commerce]`: how long an unpaid order holds its stock.

use serde::Deserialize;

/// Checkout and payment rules.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Hours an order paid at the clinic holds its stock before it is
    /// cancelled unpaid.
    pub offline_hold_hours: i64,
    /// Lines in one cart, at most.
    pub max_cart_lines: i64,
}

impl platform::config::Section for Settings {
    const NAME: &'static str = "commerce";

    fn check(&self, _: platform::config::Environment) -> Result<(), String> {
        if !(1..=24 * 30).contains(&self.offline_hold_hours) {
            return Err("offline_hold_hours must be 1 to 720".to_owned());
        }
        if !(1..=500).contains(&self.max_cart_lines) {
            return Err("max_cart_lines must be 1 to 500".to_owned());
        }
        Ok(())
    }
}
