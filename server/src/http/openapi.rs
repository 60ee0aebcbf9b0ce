//! `GET /api/v1/openapi.json`: the API's OpenAPI 3.1 description, generated
//! from the `api` crate (`sealmail_api::openapi`) once, when first asked for.

use std::sync::LazyLock;

use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::{Error, Result};

/// The document as JSON (it does not change while the server runs).
static DOCUMENT: LazyLock<Result<Bytes, String>> = LazyLock::new(|| {
    serde_json::to_vec(&sealmail_api::openapi::document())
        .map(Bytes::from)
        .map_err(|e| e.to_string())
});

/// The document.
pub async fn document() -> Result<Response> {
    let json = DOCUMENT
        .as_ref()
        .map_err(|e| Error::Internal(format!("the OpenAPI document: {e}")))?;
    let json_type = HeaderValue::from_static("application/json");
    Ok(([(header::CONTENT_TYPE, json_type)], json.clone()).into_response())
}
