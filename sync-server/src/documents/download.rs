//! The HTTP answer that carries a stored file (the doctor's own download, a facility's download of a
//! shared document, the staff's look at an identity document): type, name and no caching.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::model::DocumentMeta;

/// The file as an HTTP answer: its type, a safe `attachment` name, its checksum, never cached.
pub(crate) fn file_response(meta: &DocumentMeta, bytes: Vec<u8>) -> Response {
    let ascii: String = meta
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, meta.media_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::HeaderName::from_static("x-content-sha256"),
                meta.sha256.clone(),
            ),
        ],
        bytes,
    )
        .into_response()
}
