//! Background work on plain threads (the core sync client is blocking and must not run inside tokio):
//!
//! - the **sync worker** runs a sync round when woken (a local change, a server event) and every
//!   [`PERIODIC`] otherwise, then tells the UI (`sync-status`, `requests-changed`, `notify`) and shows
//!   the server notifications that arrived as OS notifications (`announce`);
//! - the **event listener** keeps `GET /v1/events` (Server-Sent Events, through `rempla_client::live`)
//!   open and wakes the sync worker on every `change` or `resync`, so dashboards update live; when the
//!   stream drops, the app is offline until it reconnects (backoff up to 15 s).

use std::ops::ControlFlow;
use std::time::Duration;

use rempla_client::live::{self, LiveEvent};
use rempla_client::service::{self, SyncWorker};
use rempla_client::{ClientConfig, SyncClient, SyncEvent, SyncEventSink};
use rempla_store::NotificationOrder;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::error::DesktopError;
use crate::state::AppState;

/// A sync round happens at least this often while the app is open.
pub const PERIODIC: Duration = Duration::from_secs(30);

/// A notification shown in the app (and by the OS).
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    /// `info`, `success` or `warning`.
    #[ts(type = r#""info" | "success" | "warning""#)]
    pub level: &'static str,
    /// Short title.
    pub title: String,
    /// Body text.
    pub body: String,
}

/// Shows a notice inside the app and as an OS notification (best effort: a desktop without a
/// notification service still gets the in-app one).
pub fn notify(app: &AppHandle, notice: Notice) {
    if let Err(e) = app
        .notification()
        .builder()
        .title(&notice.title)
        .body(&notice.body)
        .show()
    {
        tracing::debug!(error = %e, "OS notification not shown");
    }
    let _ = app.emit("notify", notice);
}

struct Conflicts(AppHandle);

impl SyncEventSink for Conflicts {
    fn on_event(&self, event: &SyncEvent) {
        if let SyncEvent::Conflict { entity, reason, .. } = event {
            let what = if entity == "request" {
                "Une demande"
            } else {
                "Une modification"
            };
            notify(
                &self.0,
                Notice {
                    level: "warning",
                    title: format!("{what} a été refusée par le serveur"),
                    body: reason.clone(),
                },
            );
        }
    }
}

/// One sync round on the sync worker's connection; updates the online flag and tells the UI.
pub fn sync_round(app: &AppHandle) -> Result<(), DesktopError> {
    let state = app.state::<AppState>();
    let result = {
        let mut store = state.sync_side()?;
        if store.sync_session()?.is_none() {
            return Ok(());
        }
        service::round(
            &mut store,
            &ClientConfig::default(),
            &Conflicts(app.clone()),
        )
    };
    match result {
        Ok(report) => {
            state.set_online(true);
            if report.pulled > 0 || report.pushed > 0 {
                let _ = app.emit("requests-changed", report.pulled);
            }
            announce_notifications(app);
            if report.applied > 0 {
                notify(
                    app,
                    Notice {
                        level: "success",
                        title: "Envoyé".to_owned(),
                        body: format!(
                            "{} modification(s) acceptée(s) par le serveur.",
                            report.applied
                        ),
                    },
                );
            }
            emit_status(app);
            Ok(())
        }
        Err(e) => {
            let e = DesktopError::from(e);
            if e.is_offline() {
                state.set_online(false);
            }
            emit_status(app);
            Err(e)
        }
    }
}

/// Shows the server notifications that arrived with the last sync round (proposal answered, mission
/// confirmed…) as OS and in-app notices, each once (see `announce`).
fn announce_notifications(app: &AppHandle) {
    let state = app.state::<AppState>();
    let unread = match state.sync_side() {
        Ok(store) => store.list_notifications(NotificationOrder::UnreadFirst, 50),
        Err(_) => return,
    };
    let fresh = match (unread, state.announcer()) {
        (Ok(unread), Ok(mut announcer)) => announcer.fresh(&unread),
        _ => return,
    };
    for a in fresh {
        notify(
            app,
            Notice {
                level: "info",
                title: a.title,
                body: a.body,
            },
        );
    }
}

/// Sends the current sync status to the UI.
pub fn emit_status(app: &AppHandle) {
    if let Ok(status) = app.state::<AppState>().status() {
        let _ = app.emit("sync-status", status);
    }
}

/// Starts the sync worker (`rempla_client::service::SyncWorker`: a round at once, then when woken and
/// every [`PERIODIC`]) and the event listener (once, at app start).
pub fn start(app: &AppHandle) {
    let handle = app.clone();
    match SyncWorker::start("rempla-sync", PERIODIC, move || {
        if let Err(e) = sync_round(&handle) {
            tracing::debug!(code = %e.code, "sync round failed");
        }
    }) {
        // The app's state keeps a waker, which keeps the worker running for the app's lifetime.
        Ok(worker) => app.state::<AppState>().set_waker(worker.waker()),
        Err(e) => tracing::warn!(error = %e, "no sync worker"),
    }
    let handle = app.clone();
    std::thread::Builder::new()
        .name("rempla-events".into())
        .spawn(move || listen(&handle))
        .ok();
}

/// Keeps the live-events stream open (`rempla_client::live`, the same listener as every front end) and
/// wakes the sync worker on every event; offline while it is down, reconnecting with backoff.
fn listen(app: &AppHandle) {
    let mut backoff = live::Backoff::default();
    loop {
        let client = {
            let state = app.state::<AppState>();
            state
                .ui()
                .ok()
                .and_then(|store| SyncClient::from_store(&store, &ClientConfig::default()).ok())
        };
        let Some(client) = client else {
            std::thread::sleep(Duration::from_secs(1));
            continue;
        };
        let end = live::listen(
            client.api(),
            || {
                backoff.reset();
                let state = app.state::<AppState>();
                if state.set_online(true) {
                    emit_status(app);
                }
                // Whatever happened while disconnected: pull it.
                state.wake_sync();
            },
            |event| {
                app.state::<AppState>().wake_sync();
                if let LiveEvent::Change(data) = event {
                    let _ = app.emit("server-change", data);
                }
                ControlFlow::Continue(())
            },
        );
        tracing::debug!(?end, "event stream ended");
        let state = app.state::<AppState>();
        if state.set_online(false) {
            emit_status(app);
        }
        // A quick probe by a sync round tells whether only the stream or the whole server is down.
        state.wake_sync();
        std::thread::sleep(backoff.next_wait());
    }
}
