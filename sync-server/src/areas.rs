//! The one registry of the server's areas: their routes, their schema parts and their periodic jobs. An
//! area that adds an endpoint, a table or a job adds one line here; nothing below this file names an
//! area, so the layers stay one-way (see `ARCHITECTURE.md`, "Server areas").

use axum::Router;
use axum::routing::get;

use crate::db::schema;
use crate::http::state::AppState;
use crate::jobs::{self, Job, JobFuture, JobRun};
use crate::{
    accounts, audit, billing, documents, feeds, live, matching, members, notify, openapi, privacy,
    sync, workflow,
};

/// Every schema part, in creation order; `Storage::open` runs them all at start-up.
pub const SCHEMA: &[&[&str]] = &[
    schema::CORE,
    audit::SCHEMA,
    notify::SCHEMA,
    workflow::SCHEMA,
    matching::SCHEMA,
    documents::SCHEMA,
    privacy::SCHEMA,
    billing::SCHEMA,
    members::SCHEMA,
    feeds::SCHEMA,
];

/// Every route of the API, area by area.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/openapi.json", get(openapi::openapi_json))
        .route("/v1/events", get(live::stream::stream))
        .merge(accounts::http::routes())
        .merge(accounts::link_pages::routes())
        .merge(accounts::devices::routes())
        .merge(accounts::facility_verification::routes())
        .merge(sync::http::routes())
        .merge(notify::http::routes())
        .merge(workflow::http::routes())
        .merge(matching::http::routes())
        .merge(billing::http::routes())
        .merge(documents::routes())
        .merge(privacy::http::routes())
        .merge(members::routes())
        .merge(feeds::http::routes())
}

fn proposal_reminders(s: &AppState) -> JobFuture<'_> {
    Box::pin(workflow::jobs::remind_proposals(s))
}
fn proposal_expiry(s: &AppState) -> JobFuture<'_> {
    Box::pin(workflow::jobs::expire_proposals(s))
}
fn proposal_withdrawal(s: &AppState) -> JobFuture<'_> {
    Box::pin(workflow::jobs::withdraw_for_closed_requests(s))
}
fn request_tiers(s: &AppState) -> JobFuture<'_> {
    Box::pin(workflow::jobs::alert_tiers(s))
}
fn contract_reminders(s: &AppState) -> JobFuture<'_> {
    Box::pin(workflow::jobs::remind_contracts(s))
}
fn document_expiry(s: &AppState) -> JobFuture<'_> {
    Box::pin(async move { Ok(documents::alert_expiring(s).await?) })
}
fn privacy_purge(s: &AppState) -> JobFuture<'_> {
    Box::pin(async move {
        let done = privacy::jobs::purge_expired(s).await?;
        Ok(done.accounts + done.bookings)
    })
}
fn notification_delivery(s: &AppState) -> JobFuture<'_> {
    Box::pin(async move {
        let run = notify::deliver::deliver_due(s).await?;
        Ok(run.notices + run.sent + run.retried + run.failed)
    })
}

/// Every registered job, run in this order (reminders before expiry, so a proposal reminded and
/// expired in one late run gets both notices in order).
pub const JOBS: &[Job] = &[
    Job {
        name: "proposal_reminders",
        run: proposal_reminders,
    },
    Job {
        name: "proposal_expiry",
        run: proposal_expiry,
    },
    Job {
        name: "proposal_withdrawal",
        run: proposal_withdrawal,
    },
    Job {
        name: "request_tiers",
        run: request_tiers,
    },
    Job {
        name: "contract_reminders",
        run: contract_reminders,
    },
    Job {
        name: "document_expiry",
        run: document_expiry,
    },
    Job {
        name: "privacy_purge",
        run: privacy_purge,
    },
    // Last, so what the jobs above queued is delivered in the same run.
    Job {
        name: "notification_delivery",
        run: notification_delivery,
    },
];

/// Runs every registered job once, now (by `state.clock`); a failing job does not stop the others.
pub async fn run_due(state: &AppState) -> Vec<JobRun> {
    jobs::run(state, JOBS).await
}
