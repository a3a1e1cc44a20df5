//! `[emergency]`: offer rounds, timeouts, radius steps, the fallback, shifts.

use serde::Deserialize;

/// Routing and on-call rules.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Vets offered a case in one round.
    pub offers_per_round: i64,
    /// Seconds an offer stays open; then the next round starts.
    pub accept_timeout_secs: i64,
    /// The search radius of each step, in kilometres, growing: a round takes
    /// the nearest vets not yet offered within the current step, and the step
    /// widens when there are none left.
    #[serde(deserialize_with = "platform::config::list")]
    pub radius_steps_km: Vec<f64>,
    /// Rounds before the owner is sent the fallback list.
    pub max_rounds: i32,
    /// Emergency clinics open now in the fallback list.
    pub fallback_clinics: u32,
    /// How far the fallback list looks, in kilometres.
    pub fallback_radius_km: f64,
    /// Longest on-call shift, in hours.
    pub max_shift_hours: i64,
    /// Shifts start at most this many days ahead.
    pub shift_horizon_days: i64,
    /// Hours "available now" lasts unless switched off.
    pub available_now_hours: i64,
    /// Clinics whose free slots one nearest-available search computes, at most.
    pub nearest_available_candidates: u32,
    /// Largest `within=` of a nearest-available search, in hours.
    pub nearest_available_max_hours: i64,
}

impl Settings {
    /// The radius of step `step` (the last step beyond the list).
    pub fn radius_km(&self, step: usize) -> f64 {
        self.radius_steps_km.get(step).or(self.radius_steps_km.last()).copied().unwrap_or(10.0)
    }
}

impl platform::config::Section for Settings {
    const NAME: &'static str = "emergency";

    fn check(&self, _: platform::config::Environment) -> Result<(), String> {
        let steps = &self.radius_steps_km;
        if steps.is_empty() || steps.iter().any(|km| !(*km > 0.0 && *km <= 500.0)) {
            return Err("radius_steps_km lists at least one radius, each above 0 and at most 500".to_owned());
        }
        if steps.windows(2).any(|pair| pair[0] >= pair[1]) {
            return Err("radius_steps_km must grow".to_owned());
        }
        if self.offers_per_round < 1 || self.accept_timeout_secs < 1 || self.max_rounds < 1 {
            return Err("offers_per_round, accept_timeout_secs and max_rounds must be at least 1".to_owned());
        }
        if self.max_shift_hours < 1 || self.shift_horizon_days < 1 || self.available_now_hours < 1 {
            return Err("max_shift_hours, shift_horizon_days and available_now_hours must be at least 1".to_owned());
        }
        if self.nearest_available_candidates < 1 || self.nearest_available_max_hours < 1 {
            return Err("nearest_available_candidates and nearest_available_max_hours must be at least 1".to_owned());
        }
        Ok(())
    }
}
