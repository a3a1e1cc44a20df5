//! A document built once at start (the OpenAPI spec) and served the way HTTP
//! clients and caches expect: gzipped once, for every client that accepts
//! gzip, and answered `304 Not Modified` to a client that already holds it.
//!
//! The spec is 570 KB of JSON. Served plain, copying it is the request: the
//! bench moved it about 7,000 times a second. Gzipped it is 64 KB, and a
//! revalidation sends no body at all.

use std::io::Write;

use actix_web::http::header::{
    self, AcceptEncoding, CacheControl, CacheDirective, ContentEncoding, ContentType, ETag, Encoding, EntityTag,
    Header, IfNoneMatch,
};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::write::GzEncoder;

/// One JSON document, plain and gzipped, with the tag that names its content.
#[derive(Clone)]
pub struct StaticDocument {
    plain: Bytes,
    gzipped: Option<Bytes>,
    tag: EntityTag,
}

impl StaticDocument {
    /// Compresses `plain` once. The tag is weak (`W/"…"`): the gzipped and the
    /// plain bytes are one representation, and one tag must validate both.
    pub fn new(plain: Vec<u8>) -> Self {
        let tag = EntityTag::new_weak(URL_SAFE_NO_PAD.encode(&digest(&SHA256, &plain).as_ref()[..16]));
        let gzipped = gzip(&plain)
            .inspect_err(|error| tracing::error!(%error, "the document does not compress; it is served plain"))
            .ok()
            .map(Bytes::from);
        Self { plain: Bytes::from(plain), gzipped, tag }
    }

    /// `304` when the request names this content in `If-None-Match`, else the
    /// document: gzipped when `Accept-Encoding` prefers gzip to no coding.
    pub fn respond(&self, request: &HttpRequest) -> HttpResponse {
        let held = self.is_held_by(request);
        let mut response = if held { HttpResponse::NotModified() } else { HttpResponse::Ok() };
        response
            .insert_header(ETag(self.tag.clone()))
            .insert_header(CacheControl(vec![CacheDirective::NoCache]))
            .insert_header((header::VARY, "Accept-Encoding"));
        if held {
            return response.finish();
        }
        response.content_type(ContentType::json());
        match &self.gzipped {
            Some(gzipped) if accepts_gzip(request) => {
                response.insert_header(ContentEncoding::Gzip).body(gzipped.clone())
            }
            _ => response.body(self.plain.clone()),
        }
    }

    fn is_held_by(&self, request: &HttpRequest) -> bool {
        match IfNoneMatch::parse(request) {
            Ok(IfNoneMatch::Any) => true,
            Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(&self.tag)),
            Err(_) => false,
        }
    }
}

fn accepts_gzip(request: &HttpRequest) -> bool {
    AcceptEncoding::parse(request)
        .ok()
        .and_then(|accepted| accepted.negotiate([Encoding::gzip(), Encoding::identity()].iter()))
        .is_some_and(|chosen| chosen == Encoding::gzip())
}

fn gzip(plain: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(plain.len() / 8), Compression::best());
    encoder.write_all(plain)?;
    encoder.finish()
}
