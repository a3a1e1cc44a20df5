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
//!
//! actix-web's router tries a scope's resources one after another, each
//! dynamic one with a regular expression. Inside the API, `mount_api`
//! therefore puts the services in one scope per first path segment (`pets`,
//! `clinics`, ...), each behind a guard that compares that segment: a request
//! skips every other segment's resources with one string comparison each.
//! The services of a segment keep their mount order, and a request can only
//! match a service whose first segment is its own, so what matches is what a
//! single scope would match.

use std::rc::Rc;

use actix_web::dev::HttpServiceFactory;
use actix_web::guard::{Guard, GuardContext};
use utoipa_actix_web::OpenApiFactory;
use utoipa_actix_web::service_config::ServiceConfig;

/// The prefix of every API route.
pub const API_PREFIX: &str = "/api/v1";

/// Where a [`Routes`] pass registers.
pub(crate) enum Area {
    /// Nowhere: notes the first path segment of each API service, in order.
    Survey(Vec<Option<String>>),
    /// Inside the API scope of `segment`: the services the survey found under it.
    Api { segment: Option<String>, plan: Rc<[Option<String>]> },
    /// At the root of the App (also where App-wide data goes).
    Root,
}

/// Mounts the API's services of `mount` in one guarded scope per first path
/// segment, the segments in the order their first service was mounted. A
/// service whose paths do not share one literal first segment (none does
/// today) goes in an unguarded scope after them.
pub(crate) fn mount_api(config: &mut ServiceConfig<'_>, mount: &impl Mount) {
    let mut survey = Routes::new(config, Area::Survey(Vec::new()));
    mount.mount(&mut survey);
    let plan: Rc<[Option<String>]> = match survey.area {
        Area::Survey(plan) => plan.into(),
        Area::Api { .. } | Area::Root => Rc::new([]),
    };
    let mut segments: Vec<Option<String>> = Vec::new();
    for segment in plan.iter() {
        if !segments.contains(segment) {
            segments.push(segment.clone());
        }
    }
    segments.sort_by_key(Option::is_none);
    for segment in segments {
        let scope = utoipa_actix_web::scope("");
        let scope = match &segment {
            Some(name) => scope.guard(FirstSegment(format!("{API_PREFIX}/{name}"))),
            None => scope,
        };
        let area = Area::Api { segment, plan: Rc::clone(&plan) };
        config.service(scope.configure(|config| mount.mount(&mut Routes::new(config, area))));
    }
}

/// The literal first segment shared by every path of `service`, if any.
fn first_segment(service: &impl OpenApiFactory) -> Option<String> {
    let paths = service.paths();
    let mut segments = paths.paths.keys().map(|path| {
        let segment = path.strip_prefix('/')?.split('/').next()?;
        (!segment.is_empty() && !segment.contains('{')).then_some(segment)
    });
    let first = segments.next()??;
    segments.all(|segment| segment == Some(first)).then(|| first.to_owned())
}

/// Passes requests whose path is the API prefix and one segment, or begins
/// with them and a slash (`/api/v1/pets`, `/api/v1/pets/...`, not
/// `/api/v1/petsitters`), as the router reads it (percent-decoded where it
/// decodes).
struct FirstSegment(String);

impl Guard for FirstSegment {
    fn check(&self, context: &GuardContext<'_>) -> bool {
        let uri = &context.head().uri;
        let begins = |path: &str| {
            path.strip_prefix(self.0.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if uri.path().contains('%') { begins(actix_web::dev::Url::new(uri.clone()).path()) } else { begins(uri.path()) }
    }
}

/// Mounts documented services; given to each crate's `routes` function, once
/// for the root and, inside the API scope, once per first path segment.
pub struct Routes<'config, 'app> {
    config: &'config mut ServiceConfig<'app>,
    area: Area,
    /// How many API services this pass has seen: the index into the plan.
    seen: usize,
}

impl<'config, 'app> Routes<'config, 'app> {
    pub(crate) fn new(config: &'config mut ServiceConfig<'app>, area: Area) -> Self {
        Self { config, area, seen: 0 }
    }

    /// Mounts a documented handler or scope under [`API_PREFIX`].
    pub fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        match &mut self.area {
            Area::Survey(plan) => plan.push(first_segment(&factory)),
            Area::Api { segment, plan } => {
                if plan.get(self.seen) == Some(segment) {
                    self.config.service(factory);
                }
            }
            Area::Root => {}
        }
        self.seen += 1;
        self
    }

    /// Mounts a documented handler at the path it names, outside the API.
    pub fn outside_api<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        if matches!(self.area, Area::Root) {
            self.config.service(factory);
        }
        self
    }

    /// Makes `data` reachable by every handler (`web::Data<T>`): a crate's
    /// settings and clients, given to its `routes` by the binary.
    pub fn app_data<T: 'static>(&mut self, data: actix_web::web::Data<T>) -> &mut Self {
        if matches!(self.area, Area::Root) {
            self.config.app_data(data);
        }
        self
    }
}

/// What a binary serves: every crate's routes, with the state each needs.
/// Any `Fn(&mut Routes) + Clone + Send` is one, so a binary (or a test) writes
/// `move |routes: &mut Routes| { pets::routes(routes, &pets); ... }`.
/// An App calls it once for the root and once per first path segment of the
/// API (see the module documentation), so registering is all it may do, in
/// the same order every time.
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

#[cfg(test)]
mod tests {
    use actix_web::{HttpResponse, get};

    use super::*;

    #[utoipa::path(responses((status = 200)))]
    #[get("/things/{id}")]
    async fn thing() -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    #[utoipa::path(responses((status = 200)))]
    #[get("/stuff")]
    async fn stuff() -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    #[utoipa::path(responses((status = 200)))]
    #[get("/{anything}")]
    async fn anything() -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    #[test]
    fn a_service_is_filed_under_the_literal_first_segment_all_its_paths_share() {
        assert_eq!(first_segment(&thing).as_deref(), Some("things"));
        assert_eq!(first_segment(&utoipa_actix_web::scope("/things").service(stuff)).as_deref(), Some("things"));
        assert_eq!(first_segment(&utoipa_actix_web::scope("").service(thing).service(stuff)), None);
        assert_eq!(first_segment(&anything), None);
    }
}
