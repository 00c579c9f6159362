//! `rempla login`, `logout`, `sync`, `status`: the CLI as a headless device of the sync server, on the same
//! `--store` file as `rempla calendar`.
//!
//! The password is read from standard input (`--password-stdin`) or typed at a prompt without echo, never
//! taken as an argument (arguments are visible to every user in `ps`). The token is kept in the store and
//! never printed.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use rempla_client::session::{self, Credentials, SignInError, TermsChoice, TermsState};
use rempla_client::{ClientConfig, NoEvents, SyncClient, SyncClientError, SyncReport};
use rempla_store::{Store, settings};
use serde_json::json;

use crate::cli::{LoginArgs, StoreArg};
use crate::failure::Failure;

impl From<SyncClientError> for Failure {
    fn from(e: SyncClientError) -> Self {
        match &e {
            SyncClientError::Store(inner) => Self::from(inner.clone()),
            SyncClientError::ServerRejected { code, .. } if code == "terms_not_accepted" => {
                Self::rejected("terms_not_accepted", e.to_string())
            }
            _ if e.is_transient() || e.code() == "protocol" => Self::io(e.code(), e.to_string()),
            _ => Self::rejected(e.code(), e.to_string()),
        }
    }
}

fn open(store: &StoreArg) -> Result<Store, Failure> {
    Ok(Store::open(&store.store)?)
}

fn read_password(from_stdin: bool) -> Result<String, Failure> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::io("stdin", format!("lecture du mot de passe : {e}")))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        rpassword::prompt_password("Mot de passe : ")
            .map_err(|e| Failure::io("stdin", format!("lecture du mot de passe : {e}")))?
    };
    if password.is_empty() {
        return Err(Failure::rejected("validation", "mot de passe vide"));
    }
    Ok(password)
}

/// `rempla login`: the shared sign-in of `rempla_client::session` (so the CLI adopts a calendar typed
/// before the first sign-in exactly as the phones do, and never another account's).
pub fn login(args: &LoginArgs, json: bool) -> Result<ExitCode, Failure> {
    let mut store = open(&args.store)?;
    let password = read_password(args.password_stdin)?;
    let config = ClientConfig::default();
    let terms = if args.accept_terms {
        TermsChoice::Accept
    } else {
        TermsChoice::Refuse
    };
    let signed_in = session::sign_in(
        &mut store,
        Credentials {
            server: &args.server,
            email: &args.email,
            password: &password,
            device_name: &args.device_name,
            platform: "cli",
        },
        terms,
        &config,
    )
    .map_err(|e| match e {
        SignInError::TermsNotAccepted { terms } => Failure::rejected(
            "terms_not_accepted",
            format!(
                "les conditions générales d'utilisation (version {}) doivent être acceptées : \
                 lisez-les puis relancez avec --accept-terms",
                terms.version.clone()
            ),
        ),
        SignInError::Client(e) => Failure::from(e),
        SignInError::Store(e) => Failure::from(e),
    })?;
    let answer = &signed_in.answer;
    let adopted = signed_in.adopted;
    let terms_version = match &signed_in.terms {
        TermsState::Accepted(t) => Some(t.version.clone()),
        TermsState::UpToDate | TermsState::Pending(_) => None,
    };
    if json {
        println!(
            "{}",
            json!({
                "account_id": answer.account_id,
                "role": answer.role,
                "doctor_id": answer.doctor_id,
                "terms_accepted": terms_version,
                "adopted_local_records": adopted,
            })
        );
    } else {
        println!(
            "Connecté à {} (compte {}, rôle {}).",
            args.server.trim_end_matches('/'),
            answer.account_id,
            answer.role
        );
        if let Some(v) = terms_version {
            println!("Conditions générales version {v} acceptées.");
        }
        if adopted > 0 {
            println!("{adopted} enregistrement(s) saisi(s) hors ligne rattaché(s) à ce compte.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `rempla logout`.
pub fn logout(store: &StoreArg, json: bool) -> Result<ExitCode, Failure> {
    let mut store = open(store)?;
    let revoked = session::sign_out(&mut store, &ClientConfig::default())?;
    if json {
        println!("{}", json!({ "revoked_on_server": revoked }));
    } else if revoked {
        println!("Déconnecté : le jeton de cet appareil est révoqué.");
    } else {
        println!(
            "Déconnecté localement (serveur injoignable ou déjà déconnecté) ; \
             les modifications en attente sont conservées."
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn entity_fr(entity: &str) -> &str {
    match entity {
        "availability" => "disponibilité",
        "busy_period" => "période occupée",
        "notification_read" => "lecture de notification",
        "request" => "demande",
        other => other,
    }
}

fn print_report(report: &SyncReport) {
    println!(
        "Envoyées : {} (appliquées {}, refusées {})",
        report.pushed, report.applied, report.rejected
    );
    println!("Reçues : {}", report.pulled);
    for c in &report.conflicts {
        println!(
            "Conflit [{}] {} {} : {} (modification annulée sur cet appareil)",
            c.code,
            entity_fr(&c.entity),
            c.entity_id,
            c.reason
        );
    }
}

/// `rempla sync`: one round.
pub fn sync(store: &StoreArg, json: bool) -> Result<ExitCode, Failure> {
    let mut store = open(store)?;
    let client = SyncClient::from_store(&store, &ClientConfig::default())?;
    let report = client.sync(&mut store, &NoEvents)?;
    if json {
        let conflicts: Vec<_> = report
            .conflicts
            .iter()
            .map(|c| {
                json!({"entity": c.entity, "id": c.entity_id, "op_id": c.op_id.to_string(),
                       "code": c.code, "reason": c.reason})
            })
            .collect();
        println!(
            "{}",
            json!({
                "pushed": report.pushed, "applied": report.applied, "rejected": report.rejected,
                "pulled": report.pulled, "conflicts": conflicts, "cursor": report.cursor,
            })
        );
    } else {
        print_report(&report);
    }
    std::io::stdout().flush().ok();
    Ok(ExitCode::SUCCESS)
}

/// `rempla status`.
pub fn status(store: &StoreArg, json: bool) -> Result<ExitCode, Failure> {
    let store = open(store)?;
    let session = store.sync_session()?;
    let pending = store.pending_op_count()?;
    let last = store.setting(&settings::LAST_SYNC_AT)?;
    let cursor = store.setting(&settings::CURSOR)?;
    let conflicts = store.sync_conflicts()?.len();
    if json {
        println!(
            "{}",
            json!({
                "server": session.as_ref().map(|s| &s.server),
                "account_id": session.as_ref().map(|s| &s.account_id),
                "role": session.as_ref().map(|s| &s.role),
                "signed_in": session.is_some(),
                "pending_ops": pending,
                "last_sync_at": last,
                "cursor": cursor,
                "conflicts": conflicts,
                "device_id": store.device_id().to_string(),
            })
        );
        return Ok(ExitCode::SUCCESS);
    }
    match &session {
        Some(s) => {
            println!("Serveur : {}", s.server);
            println!("Compte : {} (rôle {})", s.account_id, s.role);
        }
        None => println!("Non connecté (rempla login --server URL --email E)"),
    }
    println!("Appareil : {}", store.device_id());
    println!("Modifications en attente : {pending}");
    println!(
        "Dernière synchronisation : {}",
        last.as_deref().unwrap_or("jamais")
    );
    println!("Curseur : {}", cursor.as_deref().unwrap_or("aucun"));
    println!("Conflits à consulter : {conflicts}");
    Ok(ExitCode::SUCCESS)
}
