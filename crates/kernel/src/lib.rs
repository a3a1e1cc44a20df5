//! Pure domain primitives shared by every crate of the platform.
//!
//! Nothing here performs IO or knows about HTTP: these are the types the domain
//! crates speak in, so that a service written in `pets` and one written in
//! `appointments` agree on what an error or a caller is.
//!
//! - [`Error`] / [`Result`]: the one error type every service returns; the HTTP
//!   layer (`platform`) maps each variant to a status code and the error envelope.
//! - [`Principal`]: the authenticated caller a service authorizes against.

mod error;
mod principal;

pub use error::{Error, FieldErrors, Result};
pub use principal::Principal;

#[cfg(feature = "diesel")]
mod db_error;
