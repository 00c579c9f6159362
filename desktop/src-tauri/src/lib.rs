//! Rempla's desktop app for facility coordinators: a Tauri 2 shell whose Rust side is a device of the
//! sync server like a phone (core's store and sync client, see `commands`), and whose `ui/` (TypeScript)
//! only draws and calls. Business rules stay in core and on the server.
//!
//! Environment: `REMPLA_DESKTOP_DATA` (folder of the local store; default: the OS app-data folder),
//! `REMPLA_DESKTOP_SERVER`, `REMPLA_DESKTOP_EMAIL`, `REMPLA_DESKTOP_PASSWORD` (sign in at start, as the
//! demo does), `REMPLA_DESKTOP_ACCEPT_TERMS=1` (accept the terms then, demo only), `RUST_LOG`.

pub mod account;
pub mod announce;
pub mod bindings;
pub mod calendar;
pub mod commands;
pub mod doctor_account;
pub mod doctor_work;
pub mod downloads;
pub mod drafts;
pub mod error;
pub mod feeds;
pub mod invitations;
pub mod missions;
pub mod state;
pub mod worker;

pub use error::DesktopError;

use std::path::PathBuf;

use tauri::Manager;

/// Starts the app; returns when its window is closed.
pub fn run() -> Result<(), DesktopError> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init()
        .ok();
    tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            let dir = match std::env::var_os("REMPLA_DESKTOP_DATA") {
                Some(d) => PathBuf::from(d),
                None => app.path().app_data_dir()?,
            };
            let state = state::AppState::open(&dir.join("rempla-desktop.sqlite3"))?;
            tracing::info!(store = %state.path().display(), "local store open");
            app.manage(state);
            worker::start(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::sign_in,
            commands::auto_sign_in,
            commands::lost_password,
            commands::accept_terms,
            commands::session,
            commands::sign_out,
            commands::facility,
            commands::list_requests,
            commands::create_request,
            commands::sync_now,
            commands::sync_status,
            commands::candidates,
            commands::send_proposal,
            commands::missions,
            commands::proposals,
            commands::area_list,
            commands::verification_decide,
            commands::facility_decide,
            commands::verification_document,
            commands::invoice_pdf,
            commands::member_change,
            commands::member_remove,
            commands::member_invite,
            invitations::invitation_revoke,
            invitations::invitation_answer,
            feeds::feed_create,
            feeds::feed_rotate,
            feeds::feed_revoke,
            missions::mission_open,
            missions::contract_sign,
            missions::contract_pdf,
            calendar::doctor_space,
            calendar::calendar_range,
            calendar::availability_add,
            calendar::availability_remove,
            calendar::occurrence_remove,
            calendar::busy_range,
            drafts::draft_save,
            drafts::draft_load,
            drafts::draft_clear,
            calendar::busy_import,
            doctor_account::doctor_sign_up,
            doctor_account::my_vault,
            doctor_account::document_upload,
            doctor_account::document_delete,
            doctor_account::my_profile,
            doctor_account::profile_update,
            doctor_account::my_audit,
            doctor_account::data_export,
            doctor_account::account_close,
            doctor_work::requests_near_me,
            doctor_work::request_apply,
            doctor_account::matching_preferences,
            doctor_account::matching_preferences_set,
            doctor_work::doctor_proposals,
            doctor_work::doctor_missions,
            doctor_work::proposal_answer,
            account::my_devices,
            account::notification_preferences,
            account::notification_preferences_set,
            account::device_sign_out,
            account::password_change,
            commands::catalogue,
        ])
        .run(tauri::generate_context!())
        .map_err(|e| {
            DesktopError::new(
                "startup",
                format!("L'application n'a pas pu démarrer : {e}"),
            )
        })
}
