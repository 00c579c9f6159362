//! The privacy purge job registered in `crate::areas::JOBS`: closed accounts' identifiers after one
//! year, booking data after the configured retention.

use rempla_core::sync::merge::MergeState;

use super::model::booking_end;
use super::queries::tombstone_tx;
use crate::db::{StorageError, json as json_col, opt_text, text};
use crate::http::state::AppState;

/// What one run of [`purge_expired`] removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Closed accounts whose identifiers were purged.
    pub accounts: usize,
    /// Booking records (availabilities, busy periods, proposals, missions) erased after retention.
    pub bookings: usize,
}

/// The retention boundary: booking data that ended before this instant (Unix ms) is erased.
pub fn booking_cutoff_ms(state: &AppState) -> i64 {
    state.clock.now_ms() - i64::from(state.config.booking_retention_days) * 86_400_000
}

/// The purge job: (1) closed accounts one year after closure lose their last identifiers (account,
/// doctor profile with RPPS, identity key, terms proofs, tokens, op log, notices, feed rows);
/// (2) booking data (availabilities, busy periods, proposals, missions) that ended more than
/// `config.booking_retention_days` ago becomes a tombstone in the feed. Safe to run on several
/// instances at once (each step is one write transaction, and reruns find nothing left).
pub async fn purge_expired(state: &AppState) -> Result<PurgeReport, StorageError> {
    let now = state.clock.now_ms();
    let cutoff = booking_cutoff_ms(state);
    let hlc = state.next_hlc(None);
    let accounts = state
        .storage
        .write(move |tx| {
            let due = tx.query(
                "SELECT account_id, doctor_id FROM account_closures WHERE purged_ms IS NULL \
                 AND purge_after_ms <= $1",
                &[now.into()],
            )?;
            for r in &due {
                let account = text(r, 0)?;
                let a = || vec![crate::db::Val::from(&account)];
                for sql in [
                    "DELETE FROM tokens WHERE account_id = $1",
                    "DELETE FROM mail_tokens WHERE account_id = $1",
                    "DELETE FROM terms_acceptances WHERE account_id = $1",
                    "DELETE FROM ops WHERE account_id = $1",
                    "DELETE FROM notices WHERE account_id = $1",
                    "DELETE FROM records WHERE account_id = $1",
                    "DELETE FROM accounts WHERE id = $1",
                ] {
                    tx.execute(sql, &a())?;
                }
                if let Some(d) = opt_text(r, 1)? {
                    let p = || vec![crate::db::Val::from(&d)];
                    tx.execute("DELETE FROM records WHERE doctor_id = $1", &p())?;
                    tx.execute("DELETE FROM doctor_identities WHERE doctor_id = $1", &p())?;
                    tx.execute("DELETE FROM verification_decisions WHERE doctor_id = $1", &p())?;
                    tx.execute("DELETE FROM doctors WHERE id = $1", &p())?;
                    crate::matching::queries::doctor_removed_tx(tx, &d, now)?;
                }
                tx.execute(
                    "UPDATE account_closures SET purged_ms = $1, doctor_id = NULL WHERE account_id = $2",
                    &[now.into(), account.into()],
                )?;
            }
            // Removal marks of purged profiles are dropped once no matching index can need them.
            crate::matching::queries::prune_removed_tx(tx, now)?;
            Ok(due.len())
        })
        .await?;
    let bookings = state
        .storage
        .write(move |tx| {
            let rows = tx.query(
                "SELECT entity, id, state FROM records \
                 WHERE entity IN ('availability', 'busy_period', 'proposal', 'mission')",
                &[],
            )?;
            let mut purged = 0;
            for r in &rows {
                let state: MergeState = json_col(r, 2)?;
                if !state.is_live() {
                    continue;
                }
                if booking_end(&state.fields).is_some_and(|end| end.timestamp_millis() < cutoff) {
                    tombstone_tx(tx, &text(r, 0)?, &text(r, 1)?, hlc)?;
                    purged += 1;
                }
            }
            // The workflow's own rows of those bookings go too: missions ended before the cutoff
            // with their signatures and document shares, and answered proposals sent before it that
            // no longer back a mission. Invoices are accounting records (kept ten years) and carry
            // their own copy of what they bill, so they stay.
            for statement in [
                "DELETE FROM contract_signatures WHERE mission_id IN \
                 (SELECT id FROM missions WHERE end_ms < $1)",
                "DELETE FROM document_shares WHERE mission_id IN \
                 (SELECT id FROM missions WHERE end_ms < $1)",
                "DELETE FROM missions WHERE end_ms < $1",
                "DELETE FROM proposals WHERE state <> 'sent' AND sent_ms < $1 \
                 AND id NOT IN (SELECT proposal_id FROM missions)",
            ] {
                tx.execute(statement, &[cutoff.into()])?;
            }
            Ok(purged)
        })
        .await?;
    if accounts + bookings > 0 {
        tracing::info!(accounts, bookings, "purge: expired personal data erased");
    }
    Ok(PurgeReport { accounts, bookings })
}
