//! A document's stored content: base64 text in slices of [`CHUNK_CHARS`] (table `document_chunks`), so
//! a reader that streams (the privacy export) takes it slice by slice and nothing ever materialises a
//! whole 10 MiB value per read. A leaf: the vault's queries and the verification queue both use it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::db::{StorageError, Tx, text};

/// Base64 characters per stored slice of a document's content (256 KiB, a multiple of 4 so each slice
/// decodes on its own).
pub(crate) const CHUNK_CHARS: usize = 256 * 1024;

/// Stores a document's content as base64 slices of [`CHUNK_CHARS`].
pub(crate) fn write_content_tx(
    tx: &mut dyn Tx,
    document_id: &str,
    content: &[u8],
) -> Result<(), StorageError> {
    let encoded = STANDARD.encode(content);
    // Base64 is ASCII: any byte offset is a character boundary.
    for (seq, start) in (0..encoded.len().max(1)).step_by(CHUNK_CHARS).enumerate() {
        let end = (start + CHUNK_CHARS).min(encoded.len());
        tx.execute(
            "INSERT INTO document_chunks (document_id, seq, content) VALUES ($1, $2, $3)",
            &[
                document_id.into(),
                i64::try_from(seq).unwrap_or(i64::MAX).into(),
                encoded.get(start..end).unwrap_or_default().into(),
            ],
        )?;
    }
    Ok(())
}

/// A document's whole stored content (base64), its slices joined.
pub(crate) fn content_tx(tx: &mut dyn Tx, document_id: &str) -> Result<String, StorageError> {
    let rows = tx.query(
        "SELECT content FROM document_chunks WHERE document_id = $1 ORDER BY seq",
        &[document_id.into()],
    )?;
    let mut out = String::new();
    for r in &rows {
        out.push_str(&text(r, 0)?);
    }
    Ok(out)
}

/// Up to `count` slices of a document's stored content from slice `from`, decoded and joined: empty
/// past the end.
pub(crate) fn content_slices_tx(
    tx: &mut dyn Tx,
    document_id: &str,
    from: i64,
    count: i64,
) -> Result<Vec<u8>, StorageError> {
    let rows = tx.query(
        "SELECT content FROM document_chunks WHERE document_id = $1 AND seq >= $2 \
         ORDER BY seq LIMIT $3",
        &[document_id.into(), from.into(), count.into()],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let slice = STANDARD
            .decode(text(r, 0)?.as_bytes())
            .map_err(|e| StorageError::Corrupt(e.to_string()))?;
        out.extend_from_slice(&slice);
    }
    Ok(out)
}
