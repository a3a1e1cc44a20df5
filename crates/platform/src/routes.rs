//! [`Routes`]: the only way a crate mounts HTTP routes, and [`Mount`]: what a
//! binary serves.
//!
//! `Routes` accepts nothing but services that also describe themselves to
//! OpenAPI (handlers with `#[utoipa::path]`, `utoipa_actix_web::scope`s of
//! them), so a route cannot be mounted without appearing in `/openapi.json`:
//! forgetting the documentation is a compile error, not a review comment.
//!
//! [`Routes::service`] mounts under [`API_PREFIX`], written here once: a
//! handler says `#[get("/pets/{id}")]` and serves `/api/v1/pets/{id}`.
//! [`Routes::outside_api`] is for the few paths others choose for us (a
//! provider's webhook, the health probes).

use actix_web::dev::HttpServiceFactory;
use utoipa_actix_web::OpenApiFactory;
use utoipa_actix_web::service_config::ServiceConfig;

/// The prefix of every API route.
pub const API_PREFIX: &str = "/api/v1";

/// Where a [`Routes`] pass registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Area {
    /// Inside the [`API_PREFIX`] scope.
    Api,
    /// At the root of the App (also where App-wide data goes).
    Root,
}

/// Mounts documented services; given to each crate's `routes` function, once
/// for the API scope and once for the root.
pub struct Routes<'config, 'app> {
    config: &'config mut ServiceConfig<'app>,
    area: Area,
}

impl<'config, 'app> Routes<'config, 'app> {
    pub(crate) fn new(config: &'config mut ServiceConfig<'app>, area: Area) -> Self {
        Self { config, area }
    }

    /// Mounts a documented handler or scope under [`API_PREFIX`].
    pub fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        if self.area == Area::Api {
            self.config.service(factory);
        }
        self
    }

    /// Mounts a documented handler at the path it names, outside the API.
    pub fn outside_api<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        if self.area == Area::Root {
            self.config.service(factory);
        }
        self
    }

    /// Makes `data` reachable by every handler (`web::Data<T>`): a crate's
    /// settings and clients, given to its `routes` by the binary.
    pub fn app_data<T: 'static>(&mut self, data: actix_web::web::Data<T>) -> &mut Self {
        if self.area == Area::Root {
            self.config.app_data(data);
        }
        self
    }
}

/// What a binary serves: every crate's routes, with the state each needs.
/// Any `Fn(&mut Routes) + Clone + Send` is one, so a binary (or a test) writes
/// `move |routes: &mut Routes| { pets::routes(routes, &pets); ... }`.
pub trait Mount: Clone + Send + 'static {
    /// Registers the routes.
    fn mount(&self, routes: &mut Routes<'_, '_>);
}

impl<F> Mount for F
where
    F: Fn(&mut Routes<'_, '_>) + Clone + Send + 'static,
{
    fn mount(&self, routes: &mut Routes<'_, '_>) {
        self(routes);
    }
}
