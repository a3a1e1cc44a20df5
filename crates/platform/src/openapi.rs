//! The OpenAPI document and the route table derived from it.
//!
//! Routes are mounted through `utoipa_actix_web`, so registering a handler *is*
//! documenting it: a handler without `#[utoipa::path]` does not compile into the
//! App, and the spec served at `/openapi.json` lists exactly the mounted routes.
//!
//! The same spec answers a question actix cannot: when no route matched, was it
//! an unknown path (404) or a known path with the wrong method (405 + `Allow`)?
//!
//! PostgreSQL cannot store the NUL character, so no text the API accepts may
//! hold one. Rather than every field repeating that, [`complete_document`]
//! adds it to each free-text schema of the finished document, and gives dates
//! and timestamps a pattern too: in OpenAPI 3.1 `format` is only an
//! annotation, and clients (and fuzzers) may ignore it.

use actix_web::{HttpRequest, web};
use utoipa::openapi::OpenApi as OpenApiDocument;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::ApiError;

/// The security scheme of API keys; an operation keys may call names it with
/// the scopes it needs: `security(("bearer" = []), ("api_key" = ["appointments:read"]))`.
pub const API_KEY_SCHEME: &str = "api_key";

/// The base document: title, version, the bearer and API key schemes and the
/// error envelope.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vet clinic platform API",
        description = "The single source of truth for pet owners, veterinarians, clinic staff and platform admins. \
                       Every error response has the body `{\"error\": {code, message, details, timestamp, request_id}}`."
    ),
    components(schemas(crate::error::ErrorEnvelope)),
    modifiers(&BearerScheme)
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApiDocument) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A Clerk session token (development: `make dev-token`)."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            API_KEY_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("vpk_…")
                    .description(Some(
                        "A clinic's API key, made by its admin: the caller acts as the clinic, on the operations \
                         whose `api_key` requirement lists scopes the key has (all of them), and on no other.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The error answers every endpoint can give, for `responses(...)`. With the
/// sets below, a handler lists only what is particular to it:
/// `responses((status = 200, body = PetView), NotFound, JsonBodyErrors, StandardErrors)`.
#[derive(utoipa::IntoResponses)]
pub enum StandardErrors {
    /// Malformed JSON, path or query.
    #[response(status = 400, description = "Malformed request")]
    BadRequest(crate::error::ErrorEnvelope),
    /// Missing or invalid token, or a deactivated account.
    #[response(status = 401, description = "Missing or invalid credentials")]
    Unauthenticated(crate::error::ErrorEnvelope),
    /// Over the caller's quota.
    #[response(status = 429, description = "Rate limited; see Retry-After")]
    RateLimited(crate::error::ErrorEnvelope),
    /// A dependency is down.
    #[response(status = 503, description = "Temporarily unavailable; see Retry-After")]
    Unavailable(crate::error::ErrorEnvelope),
}

/// The answers to a JSON body that cannot be taken.
#[derive(utoipa::IntoResponses)]
pub enum JsonBodyErrors {
    /// Over `server.json_limit_bytes`.
    #[response(status = 413, description = "The body is too large")]
    TooLarge(crate::error::ErrorEnvelope),
    /// Not `application/json`.
    #[response(status = 415, description = "The body is not JSON")]
    NotJson(crate::error::ErrorEnvelope),
    /// Well-formed, but a field breaks a rule (`details.fields` names it).
    #[response(status = 422, description = "A field breaks a rule; details.fields names it")]
    Invalid(crate::error::ErrorEnvelope),
}

/// A query string that parses but breaks a rule.
#[derive(utoipa::IntoResponses)]
pub enum InvalidQuery {
    /// A parameter breaks a rule (`details.fields` names it).
    #[response(status = 422, description = "A query parameter breaks a rule; details.fields names it")]
    Invalid(crate::error::ErrorEnvelope),
}

/// A resource that does not exist, or that the caller may not know exists.
#[derive(utoipa::IntoResponses)]
pub enum NotFound {
    /// Unknown, or not the caller's.
    #[response(status = 404, description = "No such resource, or not the caller's")]
    NotFound(crate::error::ErrorEnvelope),
}

/// The caller is known, but its role does not allow this.
#[derive(utoipa::IntoResponses)]
pub enum Forbidden {
    /// Not allowed for the caller's role.
    #[response(status = 403, description = "The caller's role does not allow this")]
    Forbidden(crate::error::ErrorEnvelope),
}

/// What a free-text string without a pattern of its own must match.
pub const NO_NUL_PATTERN: &str = "^[^\\x00]*$";
/// The shape of a `format: date` string (`2026-12-01`), in the years every
/// request date is checked against (`kernel::dates`, 1900 to 2199).
pub const DATE_PATTERN: &str = "^(19|2[01])[0-9]{2}-[0-9]{2}-[0-9]{2}$";
/// The shape of a `format: date-time` string (RFC 3339), in the same years.
pub const DATE_TIME_PATTERN: &str =
    "^(19|2[01])[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$";

/// Completes the generated document:
/// - every string schema without a `pattern` of its own gets the one its
///   values must match: [`DATE_PATTERN`] or [`DATE_TIME_PATTERN`] by format,
///   [`NO_NUL_PATTERN`] for free text (no `format`, `enum` or `const`), so the
///   document says what the server and the database enforce;
/// - every response without a description gets its status's reason phrase
///   ("OK", "Conflict"): OpenAPI 3.1 requires one, and client generators
///   refuse a document without.
pub fn complete_document(document: OpenApiDocument) -> OpenApiDocument {
    let Ok(mut json) = serde_json::to_value(&document) else { return document };
    add_patterns(&mut json);
    describe_responses(&mut json);
    serde_json::from_value(json).unwrap_or(document)
}

fn describe_responses(document: &mut serde_json::Value) {
    let Some(paths) = document.get_mut("paths").and_then(serde_json::Value::as_object_mut) else { return };
    let operations = paths.values_mut().filter_map(serde_json::Value::as_object_mut).flat_map(|item| item.values_mut());
    for responses in operations.filter_map(|operation| operation.get_mut("responses")?.as_object_mut()) {
        for (status, response) in responses.iter_mut() {
            let Some(response) = response.as_object_mut() else { continue };
            let described =
                response.get("description").and_then(serde_json::Value::as_str).is_some_and(|text| !text.is_empty());
            if !described {
                let reason = status
                    .parse::<u16>()
                    .ok()
                    .and_then(|code| actix_web::http::StatusCode::from_u16(code).ok())
                    .and_then(|code| code.canonical_reason())
                    .unwrap_or("Response");
                response.insert("description".to_owned(), reason.into());
            }
        }
    }
}

fn add_patterns(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(object) => {
            let is_string = match object.get("type") {
                Some(serde_json::Value::String(kind)) => kind == "string",
                Some(serde_json::Value::Array(kinds)) => kinds.iter().any(|kind| kind == "string"),
                _ => false,
            };
            let pattern = match object.get("format").and_then(serde_json::Value::as_str) {
                Some("date") => Some(DATE_PATTERN),
                Some("date-time") => Some(DATE_TIME_PATTERN),
                Some(_) => None,
                None if object.contains_key("enum") || object.contains_key("const") => None,
                None => Some(NO_NUL_PATTERN),
            };
            if let (true, false, Some(pattern)) = (is_string, object.contains_key("pattern"), pattern) {
                object.insert("pattern".to_owned(), pattern.into());
            }
            object.values_mut().for_each(add_patterns);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(add_patterns),
        _ => {}
    }
}

/// Every documented path with the methods it accepts, in a radix tree: the
/// route a path belongs to is found in one walk down its segments, where the
/// router tries each route's pattern (a regular expression) in turn.
pub struct RouteTable {
    routes: matchit::Router<Route>,
}

/// One documented path.
struct Route {
    /// As documented: `/api/v1/pets/{id}`.
    template: String,
    /// Its methods, as an `Allow` header lists them.
    allow: String,
    /// Each method, with the scopes an API key needs for it (`None`: keys may not call it).
    key_scopes: Vec<(&'static str, Option<Vec<String>>)>,
}

/// What a route asks of an API key.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyAccess<'a> {
    /// No documented route has the path (the router answers 404 or 405).
    NoRoute,
    /// Keys may not call it.
    Closed,
    /// Keys with all of these scopes may.
    Needs(&'a [String]),
}

impl RouteTable {
    /// Reads the paths and methods of `document`.
    pub fn from_document(document: &OpenApiDocument) -> Self {
        let mut routes = matchit::Router::new();
        for (path, item) in &document.paths.paths {
            let operations = operations_of(item);
            let allow = operations.iter().map(|(method, _)| *method).collect::<Vec<_>>().join(", ");
            let key_scopes = operations.iter().map(|(method, operation)| (*method, key_scopes_of(operation))).collect();
            let route = Route { template: path.clone(), allow, key_scopes };
            if let Err(error) = routes.insert(positional(path), route) {
                tracing::error!(%error, path, "a documented path is left out of the route table");
            }
        }
        Self { routes }
    }

    /// The documented template `path` belongs to (`/api/v1/pets/{id}` for
    /// `/api/v1/pets/0193…`), or `None` when no documented route has it.
    pub fn template(&self, path: &str) -> Option<&str> {
        self.routes.at(path).ok().map(|matched| matched.value.template.as_str())
    }

    /// What `method path` asks of an API key.
    pub fn key_access(&self, method: &str, path: &str) -> KeyAccess<'_> {
        let Ok(matched) = self.routes.at(path) else { return KeyAccess::NoRoute };
        match matched.value.key_scopes.iter().find(|(allowed, _)| *allowed == method) {
            Some((_, Some(scopes))) => KeyAccess::Needs(scopes),
            Some((_, None)) => KeyAccess::Closed,
            None => KeyAccess::NoRoute,
        }
    }

    /// The `Allow` value for `path`, or `None` when no documented route has it.
    pub fn allowed_methods(&self, path: &str) -> Option<&str> {
        self.routes.at(path).ok().map(|matched| matched.value.allow.as_str())
    }
}

/// `path` with its parameters named by their position (`/pets/{p0}/records/{p1}`):
/// the tree takes one name per position, and the documented names vary
/// (`/clinics/{id}` beside `/clinics/{clinic_id}/…`).
fn positional(path: &str) -> String {
    let mut position = 0;
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                let named = format!("{{p{position}}}");
                position += 1;
                named
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn operations_of(item: &PathItem) -> Vec<(&'static str, &Operation)> {
    [
        ("GET", &item.get),
        ("HEAD", &item.head),
        ("POST", &item.post),
        ("PUT", &item.put),
        ("PATCH", &item.patch),
        ("DELETE", &item.delete),
        ("OPTIONS", &item.options),
    ]
    .into_iter()
    .filter_map(|(method, operation)| Some((method, operation.as_ref()?)))
    .collect()
}

/// The scopes of the operation's [`API_KEY_SCHEME`] requirement, if it has one.
fn key_scopes_of(operation: &Operation) -> Option<Vec<String>> {
    operation.security.as_ref()?.iter().find_map(|requirement| {
        let requirement = serde_json::to_value(requirement).ok()?;
        serde_json::from_value(requirement.get(API_KEY_SCHEME)?.clone()).ok()
    })
}

/// The App's default service: 405 with `Allow` for a known path, 404 otherwise.
pub async fn unmatched_route(request: HttpRequest, routes: web::Data<RouteTable>) -> Result<web::Json<()>, ApiError> {
    Err(match routes.allowed_methods(request.path()) {
        Some(allow) => ApiError::MethodNotAllowed { allow: allow.to_owned() },
        None => ApiError::RouteNotFound,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_finds_its_documented_template_whatever_its_parameters_are_called() {
        let document: OpenApiDocument = serde_json::from_value(serde_json::json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": {
                "/clinics/{id}": { "get": { "responses": {} }, "put": { "responses": {} } },
                "/clinics/{clinic_id}/vets/{vet_id}": { "delete": { "responses": {} } },
                "/clinics/search": { "get": { "responses": {} } },
            },
        }))
        .unwrap();
        let table = RouteTable::from_document(&document);
        assert_eq!(table.template("/clinics/0193"), Some("/clinics/{id}"));
        assert_eq!(table.template("/clinics/search"), Some("/clinics/search"));
        assert_eq!(table.template("/clinics/0193/vets/0194"), Some("/clinics/{clinic_id}/vets/{vet_id}"));
        assert_eq!(table.allowed_methods("/clinics/0193"), Some("GET, PUT"));
        for unknown in ["/clinics", "/clinics/", "/clinics/0193/vets", "/clinics/0193/vets/0194/x"] {
            assert_eq!(table.template(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn an_operation_is_open_to_keys_with_all_the_scopes_its_api_key_requirement_lists() {
        let document: OpenApiDocument = serde_json::from_value(serde_json::json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": {
                "/pets/{id}": {
                    "get": { "responses": {}, "security": [{ "bearer": [] }, { "api_key": ["patients:read"] }] },
                    "put": { "responses": {}, "security": [{ "bearer": [] }] },
                },
                "/both": { "post": { "responses": {}, "security": [{ "api_key": ["a:read", "a:write"] }] } },
            },
        }))
        .unwrap();
        let table = RouteTable::from_document(&document);
        assert_eq!(table.key_access("GET", "/pets/0193"), KeyAccess::Needs(&["patients:read".to_owned()]));
        assert_eq!(table.key_access("PUT", "/pets/0193"), KeyAccess::Closed);
        assert_eq!(table.key_access("DELETE", "/pets/0193"), KeyAccess::NoRoute, "the router answers 405");
        assert_eq!(table.key_access("GET", "/elsewhere"), KeyAccess::NoRoute);
        assert_eq!(table.key_access("POST", "/both"), KeyAccess::Needs(&["a:read".to_owned(), "a:write".to_owned()]));
    }

    #[test]
    fn strings_get_the_pattern_of_their_shape_and_constrained_ones_keep_theirs() {
        let document: OpenApiDocument = serde_json::from_value(serde_json::json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": {},
            "components": { "schemas": { "Thing": { "type": "object", "properties": {
                "note": { "type": ["string", "null"] },
                "code": { "type": "string", "pattern": "^[A-Z]{3}$" },
                "id": { "type": "string", "format": "uuid" },
                "born": { "type": ["string", "null"], "format": "date" },
                "at": { "type": "string", "format": "date-time" },
                "kind": { "type": "string", "enum": ["a", "b"] },
                "count": { "type": "integer" },
                "tags": { "type": "array", "items": { "type": "string" } },
            } } } }
        }))
        .unwrap();
        let json = serde_json::to_value(complete_document(document)).unwrap();
        let properties = &json["components"]["schemas"]["Thing"]["properties"];
        assert_eq!(properties["note"]["pattern"], NO_NUL_PATTERN);
        assert_eq!(properties["tags"]["items"]["pattern"], NO_NUL_PATTERN);
        assert_eq!(properties["code"]["pattern"], "^[A-Z]{3}$");
        assert_eq!(properties["born"]["pattern"], DATE_PATTERN);
        assert_eq!(properties["at"]["pattern"], DATE_TIME_PATTERN);
        for untouched in ["id", "kind", "count"] {
            assert!(properties[untouched].get("pattern").is_none(), "{untouched}");
        }
    }

    #[test]
    fn every_response_gets_a_description_and_written_ones_stay() {
        let document: OpenApiDocument = serde_json::from_value(serde_json::json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": { "/things": { "get": { "responses": {
                "200": { "description": "" },
                "409": { "description": "The slot is taken" },
                "429": { "description": "" },
            } } } }
        }))
        .unwrap();
        let json = serde_json::to_value(complete_document(document)).unwrap();
        let responses = &json["paths"]["/things"]["get"]["responses"];
        assert_eq!(responses["200"]["description"], "OK");
        assert_eq!(responses["409"]["description"], "The slot is taken");
        assert_eq!(responses["429"]["description"], "Too Many Requests");
    }
}
