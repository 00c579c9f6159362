//! The scheduler of periodic jobs, and nothing else: areas register their jobs in `crate::areas::JOBS`
//! (one line each); `serve` starts [`spawn`] with that list, which runs them all every
//! `jobs_interval_secs`; tests call `crate::areas::run_due` (which is [`run`] over the list) after moving
//! `state.clock`. Jobs must be safe with several instances: each claims its rows inside one write
//! transaction (the global write lock serialises them) and dedupes what it tells users.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::http::error::AppError;
use crate::http::state::AppState;

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

/// What one run of one job did.
#[derive(Debug)]
pub struct JobRun {
    /// The job.
    pub name: &'static str,
    /// Things done, or the error (logged; the next run retries).
    pub outcome: Result<usize, String>,
}

/// Runs every job of `jobs` once, now (by `state.clock`); a failing job does not stop the others.
pub async fn run(state: &AppState, jobs: &[Job]) -> Vec<JobRun> {
    let mut report = Vec::with_capacity(jobs.len());
    for job in jobs {
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

/// Starts the scheduler over `jobs` (unless `jobs_interval_secs` is 0); it stops when the server shuts
/// down.
pub fn spawn(state: AppState, jobs: &'static [Job]) -> Option<tokio::task::JoinHandle<()>> {
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
                    run(&state, jobs).await;
                }
            }
        }
    }))
}
