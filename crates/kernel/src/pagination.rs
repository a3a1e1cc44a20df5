//! Cursor pagination: `?limit=&cursor=` in, `{"items": [...], "next_cursor": ...}` out.
//!
//! The cursor is the last returned row's UUID v7 id, encoded opaquely. Queries
//! read `WHERE id < cursor ORDER BY id DESC LIMIT limit + 1` (newest first), so
//! the cost of a page does not grow with how deep the client has paged.

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use uuid::Uuid;

use crate::Error;

/// Items per page when the client does not say.
pub const DEFAULT_LIMIT: usize = 20;
/// Most items per page; larger requests are clamped to this.
pub const MAX_LIMIT: usize = 100;

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Items wanted, within `1..=MAX_LIMIT`.
    pub limit: usize,
    /// Return rows strictly older (smaller id) than this one.
    pub after: Option<Uuid>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { limit: DEFAULT_LIMIT, after: None }
    }
}

impl PageRequest {
    /// Clamps `limit` into `1..=MAX_LIMIT` and decodes `cursor`.
    pub fn new(limit: Option<u32>, cursor: Option<&str>) -> Result<Self, Error> {
        let limit =
            limit.map_or(DEFAULT_LIMIT, |limit| usize::try_from(limit).unwrap_or(MAX_LIMIT).clamp(1, MAX_LIMIT));
        let after = cursor.map(decode_cursor).transpose()?;
        Ok(Self { limit, after })
    }

    /// How many rows to fetch: one more than the page, to know whether another follows.
    pub fn fetch_limit(&self) -> i64 {
        i64::try_from(self.limit + 1).unwrap_or(i64::MAX)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items, newest first.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `request.fetch_limit()` rows, `id_of` giving each row's id.
    pub fn from_rows(mut rows: Vec<T>, request: &PageRequest, id_of: impl Fn(&T) -> Uuid) -> Self {
        let has_more = rows.len() > request.limit;
        rows.truncate(request.limit);
        let next_cursor = if has_more { rows.last().map(|row| encode_cursor(id_of(row))) } else { None };
        Self { items: rows, next_cursor }
    }

    /// Converts every item, keeping the cursor.
    pub fn map<U>(self, convert: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(convert).collect(), next_cursor: self.next_cursor }
    }
}

fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// Accepts any 22-character base64url text (the documented cursor shape), so a
/// cursor that merely looks right never makes a request invalid.
const CURSOR_DECODER: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn decode_cursor(cursor: &str) -> Result<Uuid, Error> {
    CURSOR_DECODER
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| Error::invalid_field("cursor", "is not a cursor this API returned"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_clamped() {
        assert_eq!(PageRequest::new(None, None).unwrap().limit, DEFAULT_LIMIT);
        assert_eq!(PageRequest::new(Some(1_000_000), None).unwrap().limit, MAX_LIMIT);
        assert_eq!(PageRequest::new(Some(0), None).unwrap().limit, 1);
    }

    #[test]
    fn a_page_with_more_rows_points_at_its_last_item() {
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        let request = PageRequest::new(Some(3), None).unwrap();
        let page = Page::from_rows(ids.clone(), &request, |id| *id);
        assert_eq!(page.items.len(), 3);
        let next = PageRequest::new(None, page.next_cursor.as_deref()).unwrap();
        assert_eq!(next.after, Some(ids[2]));
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        let request = PageRequest::new(Some(5), None).unwrap();
        let page = Page::from_rows(vec![Uuid::now_v7()], &request, |id| *id);
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn a_forged_cursor_is_a_validation_error() {
        assert!(matches!(PageRequest::new(None, Some("not-a-cursor!")), Err(Error::Validation(_))));
    }
}
