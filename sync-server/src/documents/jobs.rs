//! The `document_expiry` job: tells doctors (and the staff) about documents that expire soon.

use super::model::{META_SELECT, meta_from};
use crate::db::{StorageError, text};
use crate::http::state::AppState;
use crate::notify::{self, Notice};
use serde_json::json;

/// The expiry-alert job: queues one `document_expiring` notice per insurance (RCP) document that
/// expires within `config.document_expiry_alert_days`, once per document and expiry date (the dedupe
/// key makes reruns and concurrent instances harmless). Returns the number of notices newly queued.
pub async fn alert_expiring(state: &AppState) -> Result<usize, StorageError> {
    let now = state.clock.now_ms();
    let within = i64::from(state.config.document_expiry_alert_days) * 86_400_000;
    state
        .storage
        .write(move |tx| {
            let rows = tx.query(
                &format!(
                    "SELECT {META_SELECT}, account_id FROM documents WHERE kind = 'insurance' \
                     AND expires_ms IS NOT NULL AND expires_ms > $1 AND expires_ms <= $2 ORDER BY id"
                ),
                &[now.into(), now.saturating_add(within).into()],
            )?;
            let mut queued = 0;
            for r in &rows {
                let meta = meta_from(r)?;
                let account = text(r, 10)?;
                let day = meta.expires_on.clone().unwrap_or_default();
                let notice = Notice {
                    account_id: account,
                    kind: "document_expiring".into(),
                    title: "Votre assurance RCP arrive à échéance".into(),
                    body: format!(
                        "Votre attestation d'assurance « {} » est valable jusqu'au {day}. \
                         Déposez la nouvelle attestation dans Mon profil › Documents.",
                        meta.name
                    ),
                    payload: json!({"document_id": meta.id, "kind": meta.kind, "expires_on": day}),
                    dedupe_key: format!("document_expiring:{}:{day}", meta.id),
                    not_before_ms: now,
                    urgent: false,
                };
                if notify::enqueue_tx(tx, &notice, now)? {
                    queued += 1;
                }
            }
            Ok(queued)
        })
        .await
}
