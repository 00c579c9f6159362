//! The scheduler of periodic jobs: every area registers its job in [`JOBS`] (one line); `serve` starts
//! [`spawn`], which runs them all every `jobs_interval_secs`; tests call [`run_due`] after moving
//! `state.clock`. Jobs must be safe with several instances: each claims its rows inside one write
//! transaction (the global write lock serialises them) and dedupes what it tells users.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::app::AppState;
use crate::error::AppError;
use crate::{notify, workflow};

/// What a job returns: how many things it did (for logs and tests).
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<usize, AppError>> + Send + 'a>>;

/// One periodic job.
#[derive(Clone, Copy)]
pub struct Job {
    /// Stable name, in logs and [`run_due`]'s report.
    pub name: &'static str,
    /// The job.
    pub run: for<'a> fn(&'a AppState) -> JobFuture<'a>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
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
    Box::pin(async move { Ok(crate::documents::alert_expiring(s).await?) })
}
fn privacy_purge(s: &AppState) -> JobFuture<'_> {
    Box::pin(async move {
        let done = crate::privacy::purge_expired(s).await?;
        Ok(done.accounts + done.bookings)
    })
}
fn notification_delivery(s: &AppState) -> JobFuture<'_> {
    Box::pin(async move {
        let run = notify::deliver_due(s).await?;
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

/// What one run of one job did.
#[derive(Debug)]
pub struct JobRun {
    /// The job.
    pub name: &'static str,
    /// Things done, or the error (logged; the next run retries).
    pub outcome: Result<usize, String>,
}

/// Runs every registered job once, now (by `state.clock`); a failing job does not stop the others.
pub async fn run_due(state: &AppState) -> Vec<JobRun> {
    let mut report = Vec::with_capacity(JOBS.len());
    for job in JOBS {
        let outcome = (job.run)(state).await.map_err(|e| {
            tracing::warn!(job = job.name, error = %e, "periodic job failed");
            e.to_string()
        });
        if let Ok(n) = outcome
            && n > 0
        {
            tracing::info!(job = job.name, done = n, "periodic job");
        }
        report.push(JobRun {
            name: job.name,
            outcome,
        });
    }
    report
}

/// Starts the scheduler (unless `jobs_interval_secs` is 0); it stops when the server shuts down.
pub fn spawn(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    let secs = state.config.jobs_interval_secs;
    if secs == 0 {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(secs));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let stop = state.shutting_down();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => break,
                _ = tick.tick() => {
                    run_due(&state).await;
                }
            }
        }
    }))
}
