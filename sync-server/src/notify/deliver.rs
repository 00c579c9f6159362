//! Delivery of the `notices` queue: fan-out (inbox record + one delivery per channel and target),
//! claiming (leases, so several instances never send the same delivery twice), sending, and
//! recording outcomes with retries and exponential backoff.

use rempla_core::domain::{Member, Right};
use rempla_core::sync::{EntityKind, Hlc};
use serde_json::{Map, Value, json};

use super::channel::{Destination, FailKind, Outgoing, SendError};
use super::queries::{credit_move_tx, credits_tx, prefs_tx, target_tx, targets_tx};
use super::sms::{compose, segments};
use crate::config::NotifyConfig;

use super::crypto;
use super::notice::{Notice, enqueue_tx};
use crate::db::feed::{FeedOwners, put_server_record_tx};
use crate::db::{StorageError, StoredChange, Tx, int, json, opt_text, text};
use crate::http::state::AppState;

/// How long a claimed delivery is reserved for the instance sending it.
const LEASE_MS: i64 = 5 * 60_000;
/// Notices fanned out per run.
const FAN_OUT_BATCH: i64 = 200;
/// Deliveries claimed per run.
const CLAIM_BATCH: i64 = 100;

/// What one [`deliver_due`] run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryRun {
    /// Notices fanned out (inbox records written).
    pub notices: usize,
    /// Deliveries sent.
    pub sent: usize,
    /// Deliveries that failed and will be retried.
    pub retried: usize,
    /// Deliveries kept as failed.
    pub failed: usize,
}

/// One claimed delivery, ready to send.
struct Job {
    id: String,
    channel: String,
    target_id: String,
    facility_id: Option<String>,
    segments: i64,
    attempts: i64,
    to: Destination,
    message: Outgoing,
}

/// The facility an SMS of this notice is sent for (and charged to): `sms_facility_id`, else
/// `facility_id` of the payload.
fn sms_facility(payload: &Value) -> Option<String> {
    payload
        .get("sms_facility_id")
        .or_else(|| payload.get("facility_id"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn created_at(ms: i64) -> Value {
    chrono::DateTime::from_timestamp_millis(ms).map_or(Value::Null, |d| {
        Value::String(d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    })
}

#[allow(clippy::too_many_arguments)]
fn insert_delivery(
    tx: &mut dyn Tx,
    notice_id: &str,
    account_id: &str,
    channel: &str,
    target_id: &str,
    facility_id: Option<&str>,
    at_ms: i64,
    now_ms: i64,
) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO deliveries (id, notice_id, account_id, channel, target_id, facility_id, state, \
         attempts, next_attempt_ms, lease_until_ms, segments, created_ms, updated_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, 0, 0, $8, $8) \
         ON CONFLICT (notice_id, channel, target_id) DO NOTHING",
        &[
            uuid::Uuid::now_v7().to_string().into(),
            notice_id.into(),
            account_id.into(),
            channel.into(),
            target_id.into(),
            facility_id.into(),
            at_ms.into(),
            now_ms.into(),
        ],
    )
    .map(|_| ())
}

/// Fans due notices out, inside one write transaction.
fn fan_out_tx(
    tx: &mut dyn Tx,
    now_ms: i64,
    hlc: &dyn Fn() -> Hlc,
) -> Result<Vec<StoredChange>, StorageError> {
    let rows = tx.query(
        "SELECT id, account_id, kind, title, body, payload, created_ms, urgent FROM notices \
         WHERE state = 'pending' AND not_before_ms <= $1 ORDER BY not_before_ms, id LIMIT $2",
        &[now_ms.into(), FAN_OUT_BATCH.into()],
    )?;
    let mut changes = Vec::new();
    for r in &rows {
        let id = text(r, 0)?;
        let account_id = text(r, 1)?;
        let kind = text(r, 2)?;
        let payload: Value = json(r, 5)?;
        let urgent = int(r, 7)? != 0;
        let account = tx.query(
            "SELECT activated FROM accounts WHERE id = $1",
            &[(&account_id).into()],
        )?;
        let Some(account) = account.first() else {
            tx.execute(
                "UPDATE notices SET state = 'dropped' WHERE id = $1",
                &[(&id).into()],
            )?;
            continue;
        };
        let activated = int(account, 0)? != 0;
        let mut fields = Map::new();
        fields.insert("id".into(), Value::String(id.clone()));
        fields.insert("kind".into(), Value::String(kind.clone()));
        fields.insert("title".into(), Value::String(text(r, 3)?));
        fields.insert("body".into(), Value::String(text(r, 4)?));
        fields.insert("created_at".into(), created_at(int(r, 6)?));
        fields.insert("payload".into(), payload.clone());
        changes.push(put_server_record_tx(
            tx,
            EntityKind::Notification,
            &id,
            &FeedOwners {
                account_id: Some(account_id.clone()),
                ..FeedOwners::default()
            },
            fields,
            hlc(),
        )?);
        let prefs = prefs_tx(tx, &account_id)?;
        let at = if urgent {
            now_ms
        } else {
            prefs.quiet_until(now_ms).unwrap_or(now_ms)
        };
        if activated && prefs.wants(&kind, "email") {
            insert_delivery(tx, &id, &account_id, "email", "email", None, at, now_ms)?;
        }
        if prefs.wants(&kind, "push") {
            for t in targets_tx(tx, &account_id)? {
                insert_delivery(tx, &id, &account_id, &t.kind, &t.id, None, at, now_ms)?;
            }
        }
        if prefs.sms_phone.is_some() && prefs.wants(&kind, "sms") {
            let facility = match sms_facility(&payload) {
                Some(f) => {
                    let known =
                        tx.query("SELECT 1 FROM facilities WHERE id = $1", &[(&f).into()])?;
                    (!known.is_empty()).then_some(f)
                }
                None => None,
            };
            insert_delivery(
                tx,
                &id,
                &account_id,
                "sms",
                "sms",
                facility.as_deref(),
                at,
                now_ms,
            )?;
        }
        tx.execute(
            "UPDATE notices SET state = 'fanned_out' WHERE id = $1",
            &[(&id).into()],
        )?;
    }
    Ok(changes)
}

fn fail_tx(
    tx: &mut dyn Tx,
    id: &str,
    code: &str,
    message: &str,
    attempts: i64,
    now_ms: i64,
) -> Result<(), StorageError> {
    tx.execute(
        "UPDATE deliveries SET state = 'failed', attempts = $2, last_code = $3, last_error = $4, \
         lease_until_ms = 0, updated_ms = $5 WHERE id = $1",
        &[
            id.into(),
            attempts.into(),
            code.into(),
            message.into(),
            now_ms.into(),
        ],
    )
    .map(|_| ())
}

/// Tells a facility's administrators that its SMS credits run low (once per top-up generation).
fn credit_alert_tx(
    tx: &mut dyn Tx,
    facility_id: &str,
    balance: i64,
    generation: i64,
    now_ms: i64,
) -> Result<(), StorageError> {
    let members = tx.query(
        "SELECT account_id, record FROM members WHERE facility_id = $1",
        &[facility_id.into()],
    )?;
    for m in &members {
        let account = text(m, 0)?;
        let Ok(member) = serde_json::from_value::<Member>(json(m, 1)?) else {
            continue;
        };
        if !member.can(Right::ManageMembers, None) {
            continue;
        }
        let body = if balance <= 0 {
            "Vos crédits SMS sont épuisés : les SMS ne sont plus envoyés. Rechargez-les auprès de l'équipe Rempla.".to_owned()
        } else {
            format!(
                "Il reste {balance} crédits SMS à votre établissement. Pensez à les recharger avant épuisement."
            )
        };
        enqueue_tx(
            tx,
            &Notice {
                account_id: account.clone(),
                kind: "sms_credits_low".into(),
                title: "Crédits SMS bientôt épuisés".into(),
                body,
                payload: json!({"credit_facility_id": facility_id, "balance": balance}),
                dedupe_key: format!("sms_credits_low:{facility_id}:{generation}:{account}"),
                not_before_ms: now_ms,
                urgent: false,
            },
            now_ms,
        )?;
    }
    Ok(())
}

/// Claims due deliveries (and ones whose sender's lease ran out) inside one write transaction,
/// resolving each destination and debiting SMS credits.
fn claim_tx(
    tx: &mut dyn Tx,
    now_ms: i64,
    cfg: &NotifyConfig,
) -> Result<(Vec<Job>, usize), StorageError> {
    let rows = tx.query(
        "SELECT d.id, d.notice_id, d.account_id, d.channel, d.target_id, d.facility_id, d.attempts, \
         d.state, d.segments, n.kind, n.title, n.body, n.payload, n.urgent FROM deliveries d \
         JOIN notices n ON n.id = d.notice_id \
         WHERE (d.state = 'pending' AND d.next_attempt_ms <= $1) \
         OR (d.state = 'sending' AND d.lease_until_ms <= $1) \
         ORDER BY d.next_attempt_ms, d.id LIMIT $2",
        &[now_ms.into(), CLAIM_BATCH.into()],
    )?;
    let mut jobs = Vec::new();
    let mut failed = 0;
    for r in &rows {
        let id = text(r, 0)?;
        let account_id = text(r, 2)?;
        let channel = text(r, 3)?;
        let target_id = text(r, 4)?;
        let facility_id = opt_text(r, 5)?;
        let attempts = int(r, 6)? + 1;
        let message = Outgoing {
            notice_id: text(r, 1)?,
            kind: text(r, 9)?,
            title: text(r, 10)?,
            body: text(r, 11)?,
            payload: json(r, 12)?,
            urgent: int(r, 13)? != 0,
            now_ms,
        };
        // A sender that died mid-send: give back what it debited before debiting again.
        if text(r, 7)? == "sending"
            && let Some(f) = &facility_id
        {
            refund_tx(tx, f, int(r, 8)?, &id, now_ms)?;
        }
        let mut fail = |tx: &mut dyn Tx, code: &str, msg: &str| {
            failed += 1;
            fail_tx(tx, &id, code, msg, attempts, now_ms)
        };
        let mut segs = 0;
        let to = match channel.as_str() {
            "email" => {
                let acc = tx.query(
                    "SELECT email, display_name FROM accounts WHERE id = $1",
                    &[(&account_id).into()],
                )?;
                let Some(a) = acc.first() else {
                    fail(tx, "account_gone", "compte supprimé")?;
                    continue;
                };
                Destination::Email {
                    address: text(a, 0)?,
                    name: text(a, 1)?,
                }
            }
            "webpush" | "fcm" | "apns" => {
                let Some(t) = target_tx(tx, &target_id)? else {
                    fail(tx, "target_removed", "cible push supprimée")?;
                    continue;
                };
                match channel.as_str() {
                    "webpush" => {
                        let key = |v: &Option<String>| {
                            v.as_deref()
                                .map(crypto::b64url_decode)
                                .transpose()
                                .ok()
                                .flatten()
                                .unwrap_or_default()
                        };
                        Destination::WebPush {
                            endpoint: t.address,
                            p256dh: key(&t.p256dh),
                            auth: key(&t.auth),
                        }
                    }
                    "fcm" => Destination::Fcm { token: t.address },
                    _ => Destination::Apns {
                        token: t.address,
                        topic: t.topic,
                    },
                }
            }
            "sms" => {
                let Some(phone) = prefs_tx(tx, &account_id)?.sms_phone else {
                    fail(tx, "no_phone", "aucun numéro pour les SMS")?;
                    continue;
                };
                let sender = match &facility_id {
                    Some(f) => tx
                        .query("SELECT record FROM facilities WHERE id = $1", &[f.into()])?
                        .first()
                        .map(|r| json::<Value>(r, 0))
                        .transpose()?
                        .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
                        .unwrap_or_else(|| cfg.sms_sender.clone()),
                    None => cfg.sms_sender.clone(),
                };
                let text = compose(&sender, &message.title, &message.body);
                segs = i64::from(segments(&text).1);
                if let Some(f) = &facility_id {
                    let (balance, generation) = credits_tx(tx, f)?.unwrap_or((0, 0));
                    if balance < segs {
                        credit_alert_tx(tx, f, balance, generation, now_ms)?;
                        fail(
                            tx,
                            "sms_credits_exhausted",
                            &format!("crédits SMS insuffisants ({balance} pour {segs} SMS)"),
                        )?;
                        continue;
                    }
                    tx.execute(
                        "UPDATE sms_credits SET balance = balance - $2, updated_ms = $3 WHERE facility_id = $1",
                        &[f.into(), segs.into(), now_ms.into()],
                    )?;
                    credit_move_tx(tx, f, -segs, "sms", Some(&id), None, now_ms)?;
                    if balance - segs <= cfg.sms_low_credit_threshold {
                        credit_alert_tx(tx, f, balance - segs, generation, now_ms)?;
                    }
                }
                Destination::Sms { phone, sender }
            }
            _ => {
                fail(tx, "unknown_channel", "canal inconnu")?;
                continue;
            }
        };
        tx.execute(
            "UPDATE deliveries SET state = 'sending', attempts = $2, lease_until_ms = $3, segments = $4, \
             updated_ms = $5 WHERE id = $1",
            &[
                (&id).into(),
                attempts.into(),
                (now_ms + LEASE_MS).into(),
                segs.into(),
                now_ms.into(),
            ],
        )?;
        jobs.push(Job {
            id,
            channel,
            target_id,
            facility_id,
            segments: segs,
            attempts,
            to,
            message,
        });
    }
    Ok((jobs, failed))
}

fn refund_tx(
    tx: &mut dyn Tx,
    facility_id: &str,
    segments: i64,
    delivery_id: &str,
    now_ms: i64,
) -> Result<(), StorageError> {
    if segments <= 0 {
        return Ok(());
    }
    tx.execute(
        "UPDATE sms_credits SET balance = balance + $2, updated_ms = $3 WHERE facility_id = $1",
        &[facility_id.into(), segments.into(), now_ms.into()],
    )?;
    credit_move_tx(
        tx,
        facility_id,
        segments,
        "refund",
        Some(delivery_id),
        None,
        now_ms,
    )
}

/// The delay before attempt `attempts + 1`: base × 2^(attempts − 1), at least what the service asked.
pub fn backoff_ms(base_secs: u64, attempts: i64, asked_ms: Option<i64>) -> i64 {
    let base = i64::try_from(base_secs).unwrap_or(60).saturating_mul(1000);
    let exp = u32::try_from((attempts - 1).clamp(0, 20)).unwrap_or(0);
    let delay = base.saturating_mul(1_i64 << exp);
    delay.max(asked_ms.unwrap_or(0))
}

/// Records the outcome of one send.
fn finish_tx(
    tx: &mut dyn Tx,
    job: &Job,
    result: &Result<(), SendError>,
    now_ms: i64,
    cfg: &NotifyConfig,
    run: &mut DeliveryRun,
) -> Result<(), StorageError> {
    let error = match result {
        Ok(()) => {
            run.sent += 1;
            return tx
                .execute(
                    "UPDATE deliveries SET state = 'sent', last_code = NULL, last_error = NULL, \
                     lease_until_ms = 0, updated_ms = $2 WHERE id = $1",
                    &[(&job.id).into(), now_ms.into()],
                )
                .map(|_| ());
        }
        Err(e) => e,
    };
    tracing::warn!(delivery = %job.id, channel = %job.channel, code = %error.code, "delivery failed");
    if let Some(f) = &job.facility_id {
        refund_tx(tx, f, job.segments, &job.id, now_ms)?;
    }
    match error.kind {
        FailKind::Retry { after_ms } if job.attempts < i64::from(cfg.max_attempts) => {
            run.retried += 1;
            let next = now_ms + backoff_ms(cfg.retry_base_secs, job.attempts, after_ms);
            tx.execute(
                "UPDATE deliveries SET state = 'pending', next_attempt_ms = $2, lease_until_ms = 0, \
                 last_code = $3, last_error = $4, updated_ms = $5 WHERE id = $1",
                &[
                    (&job.id).into(),
                    next.into(),
                    (&error.code).into(),
                    (&error.message).into(),
                    now_ms.into(),
                ],
            )?;
            Ok(())
        }
        FailKind::Unregistered => {
            run.failed += 1;
            tx.execute(
                "DELETE FROM push_targets WHERE id = $1",
                &[(&job.target_id).into()],
            )?;
            fail_tx(
                tx,
                &job.id,
                &error.code,
                &error.message,
                job.attempts,
                now_ms,
            )
        }
        _ => {
            run.failed += 1;
            fail_tx(
                tx,
                &job.id,
                &error.code,
                &error.message,
                job.attempts,
                now_ms,
            )
        }
    }
}

/// One delivery run: fans out due notices (inbox records published as live changes), claims due
/// deliveries, sends them concurrently, and records each outcome. Safe to run on several instances at
/// once: fan-out and claims happen in serialised write transactions, and a claim is a lease.
pub async fn deliver_due(state: &AppState) -> Result<DeliveryRun, StorageError> {
    let now_ms = state.clock.now_ms();
    let st = state.clone();
    let changes = state
        .storage
        .write(move |tx| fan_out_tx(tx, now_ms, &|| st.next_hlc(None)))
        .await?;
    let mut run = DeliveryRun {
        notices: changes.len(),
        ..DeliveryRun::default()
    };
    for change in changes {
        state.events.publish_local(change);
    }
    let cfg = state.config.notify.clone();
    let (jobs, failed) = state
        .storage
        .write(move |tx| claim_tx(tx, now_ms, &cfg))
        .await?;
    run.failed += failed;
    if jobs.is_empty() {
        return Ok(run);
    }
    let mut set = tokio::task::JoinSet::new();
    for job in jobs {
        let channel = state.channels.get(&job.channel);
        set.spawn(async move {
            let result = match channel {
                Some(c) => c.send(&job.to, &job.message).await,
                None => Err(SendError::permanent(
                    "channel_unconfigured",
                    format!("canal {} non configuré sur ce serveur", job.channel),
                )),
            };
            (job, result)
        });
    }
    let mut outcomes = Vec::new();
    while let Some(done) = set.join_next().await {
        match done {
            Ok(outcome) => outcomes.push(outcome),
            // A panicking send leaves its lease to expire: the delivery is retried later.
            Err(e) => tracing::error!(error = %e, "delivery task failed"),
        }
    }
    let cfg = state.config.notify.clone();
    let now_ms = state.clock.now_ms();
    state
        .storage
        .write(move |tx| {
            for (job, result) in &outcomes {
                finish_tx(tx, job, result, now_ms, &cfg, &mut run)?;
            }
            Ok(run)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_honours_retry_after() {
        assert_eq!(backoff_ms(60, 1, None), 60_000);
        assert_eq!(backoff_ms(60, 2, None), 120_000);
        assert_eq!(backoff_ms(60, 4, None), 480_000);
        assert_eq!(backoff_ms(60, 1, Some(300_000)), 300_000);
    }
}
