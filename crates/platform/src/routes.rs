//! [`Routes`]: the only way a crate mounts HTTP routes.
//!
//! It accepts nothing but services that also describe themselves to OpenAPI
//! (handlers with `#[utoipa::path]`, `utoipa_actix_web::scope`s of them), so a
//! route cannot be mounted without appearing in `/openapi.json`: forgetting the
//! documentation is a compile error, not a review comment.

use actix_web::dev::HttpServiceFactory;
use utoipa_actix_web::OpenApiFactory;
use utoipa_actix_web::service_config::ServiceConfig;

/// Mounts documented services; given to each crate's `routes` function.
pub struct Routes<'config, 'app>(&'config mut ServiceConfig<'app>);

impl<'config, 'app> Routes<'config, 'app> {
    pub(crate) fn new(config: &'config mut ServiceConfig<'app>) -> Self {
        Self(config)
    }

    /// Mounts a documented handler or scope.
    pub fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        self.0.service(factory);
        self
    }
}

/// Registers routes on the App; each binary passes the list of its crates' `routes`.
pub type Mount = fn(&mut Routes<'_, '_>);
