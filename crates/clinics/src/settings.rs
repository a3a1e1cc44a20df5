//! `[clinics]`: how long an invitation to a clinic's staff stays open.

use serde::Deserialize;

/// Clinics and their staff.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Days an invitation to join a clinic's staff stays open.
    pub invitation_ttl_days: i64,
}

impl platform::config::Section for Settings {
    const NAME: &'static str = "clinics";

    fn check(&self, _: platform::config::Environment) -> Result<(), String> {
        if self.invitation_ttl_days < 0 {
            return Err("invitation_ttl_days must not be negative".to_owned());
        }
        Ok(())
    }
}
