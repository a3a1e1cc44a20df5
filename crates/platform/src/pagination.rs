//! `?limit=&cursor=` as a query extractor for every list endpoint.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;

/// The pagination part of a list's query string.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page (default 20); clamped into 1 to 100.
    #[param(value_type = Option<u64>, minimum = 0, maximum = 4_294_967_295.0)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]{22}$")]
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The validated request; a cursor we did not issue is a 400.
    pub fn page_request(&self) -> Result<kernel::PageRequest, ApiError> {
        kernel::PageRequest::new(self.limit, self.cursor.as_deref()).map_err(|_| ApiError::BadRequest {
            code: "INVALID_PARAMETER",
            message: "cursor is not one this API returned".to_owned(),
        })
    }
}
