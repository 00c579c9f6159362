//! Test support for `mobile-bindings/test-kotlin.sh`: books an availability on a running `rempla-server`
//! (SQLite) the way the server itself does when a proposal is accepted (`Storage::book_availability`:
//! `status = booked`, a server clock, a new position in the change feed). It stands in for the proposal
//! workflow in the Kotlin conflict scenario until that workflow's endpoints exist; a second SQLite
//! connection is safe next to the server's (WAL, serialised writers, busy timeout).
//!
//! Usage: `server_book <server data dir> <availability id>`; exit 0 when booked, 1 when there is no live
//! availability with this id, 2 on a usage or storage error.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use rempla_core::domain::DeviceId;
use rempla_core::sync::Hlc;
use rempla_server::Storage;
use rempla_server::storage::sqlite::SqliteBackend;

async fn book(data: &Path, id: &str) -> Result<bool, String> {
    let backend = SqliteBackend::open(data.join("rempla.sqlite3")).map_err(|e| e.to_string())?;
    let storage = Storage::open(Arc::new(backend))
        .await
        .map_err(|e| e.to_string())?;
    let now = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
    let change = storage
        .book_availability(id, Hlc::new(now, 0, DeviceId::new()))
        .await
        .map_err(|e| e.to_string())?;
    Ok(change.is_some())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data, id] = args.as_slice() else {
        eprintln!("usage : server_book <répertoire de données du serveur> <id de disponibilité>");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tokio : {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(book(Path::new(data), id)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("aucune disponibilité active {id}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("stockage : {e}");
            ExitCode::from(2)
        }
    }
}
