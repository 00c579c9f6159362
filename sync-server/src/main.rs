//! `rempla-server`: the Rempla sync server binary. Parses the command line, environment and
//! configuration file, then serves or runs an operation (backup, restore, tenant export, staff account).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use rempla_server::{Config, ops};
use tracing_subscriber::EnvFilter;

/// Serveur de synchronisation Rempla : comptes, jetons par appareil, protocole de synchronisation v1
/// (push, pull, flux SSE), stockage SQLite (par défaut) ou PostgreSQL (plusieurs instances).
///
/// Sans sous-commande, le serveur démarre (`serve`). Chaque option a sa variable d'environnement
/// `REMPLA_*`; l'ordre de priorité est : option > variable > fichier `--config` > valeur par défaut.
/// Journaux : `RUST_LOG=info` (par défaut), `RUST_LOG=rempla_server=debug,tower_http=debug`…
#[derive(Debug, Parser)]
#[command(name = "rempla-server", version, about, long_about)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Args)]
struct Common {
    /// Fichier de configuration TOML (mêmes noms de clés que les options : listen, data,
    /// database_url, public_url, smtp_url, mail_from, token_ttl_days, max_drift_ms,
    /// rate_per_ip_per_minute, rate_per_account_per_minute, login_per_minute, terms_version,
    /// terms_file, trust_forwarded_for…).
    #[arg(long, global = true, env = "REMPLA_CONFIG")]
    config: Option<PathBuf>,
    /// Adresse d'écoute ADRESSE:PORT (défaut 127.0.0.1:8080).
    #[arg(long, global = true, env = "REMPLA_LISTEN")]
    listen: Option<SocketAddr>,
    /// Dossier des données : base SQLite `rempla.sqlite3`, boîte d'envoi `outbox/` (défaut ./rempla-data).
    #[arg(long, global = true, env = "REMPLA_DATA")]
    data: Option<PathBuf>,
    /// Base PostgreSQL `postgres://utilisateur:mot-de-passe@hôte/base` au lieu de SQLite
    /// (plusieurs instances peuvent partager la même base).
    #[arg(long, global = true, env = "REMPLA_DATABASE_URL")]
    database_url: Option<String>,
    /// URL publique mise dans les liens des e-mails (défaut http://127.0.0.1:8080).
    #[arg(long, global = true, env = "REMPLA_PUBLIC_URL")]
    public_url: Option<String>,
    /// Serveur SMTP : smtp://hôte:port (en clair, relais local), smtp://hôte:port?tls=required
    /// (STARTTLS), smtps://utilisateur:mot-de-passe@hôte. Sans lui, les e-mails sont écrits dans
    /// `<data>/outbox/`.
    #[arg(long, global = true, env = "REMPLA_SMTP_URL")]
    smtp_url: Option<String>,
    /// Démarre avec un jeu de démonstration (établissements, médecins, disponibilités, demandes)
    /// dans la base SQLite du dossier de données ; les comptes et mots de passe sont affichés.
    #[arg(long, global = true, env = "REMPLA_DEMO")]
    demo: bool,
    /// Durée de conservation des données de réservation après leur fin, en jours : 90, 120 ou 240
    /// (défaut 120).
    #[arg(long, global = true, env = "REMPLA_BOOKING_RETENTION_DAYS")]
    booking_retention_days: Option<u32>,
    /// Secondes entre deux passages des tâches périodiques (rappels, expiration des propositions,
    /// élargissement des alertes, rappel de contrat) ; 0 les désactive (défaut 30).
    #[arg(long, global = true, env = "REMPLA_JOBS_INTERVAL_SECS")]
    jobs_interval_secs: Option<u64>,
    /// Clé privée VAPID (PEM PKCS#8, P-256) pour Web Push ; remplace `notify.vapid_key_file`.
    #[arg(long, global = true, env = "REMPLA_VAPID_KEY_FILE")]
    vapid_key_file: Option<PathBuf>,
    /// Compte de service Firebase (JSON) pour FCM ; remplace `notify.fcm_service_account_file`.
    #[arg(long, global = true, env = "REMPLA_FCM_SERVICE_ACCOUNT_FILE")]
    fcm_service_account_file: Option<PathBuf>,
    /// Clé APNs `.p8` ; remplace `notify.apns_key_file` (identifiants dans le fichier de configuration).
    #[arg(long, global = true, env = "REMPLA_APNS_KEY_FILE")]
    apns_key_file: Option<PathBuf>,
    /// Passerelle SMS (protocole JSON de docs/api/notifications.md) ; remplace `notify.sms_gateway_url`.
    #[arg(long, global = true, env = "REMPLA_SMS_GATEWAY_URL")]
    sms_gateway_url: Option<String>,
    /// Fichier de la clé d'API de la passerelle SMS ; remplace `notify.sms_api_key_file`.
    #[arg(long, global = true, env = "REMPLA_SMS_API_KEY_FILE")]
    sms_api_key_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Démarre le serveur (par défaut).
    Serve,
    /// Sauvegarde cohérente à chaud de la base SQLite (VACUUM INTO) ; pour PostgreSQL, utilisez
    /// `pg_dump --format=custom`.
    Backup {
        /// Fichier à créer (ne doit pas exister).
        #[arg(long)]
        output: PathBuf,
    },
    /// Restaure une sauvegarde dans le dossier de données (serveur arrêté).
    Restore {
        /// Fichier de sauvegarde.
        #[arg(long)]
        input: PathBuf,
    },
    /// Exporte les données d'un établissement (SQL + fichiers dans un ZIP) pour restitution.
    ExportTenant {
        /// Identifiant de l'établissement.
        #[arg(long)]
        facility: String,
        /// Fichier ZIP à créer.
        #[arg(long)]
        output: PathBuf,
    },
    /// Crée un compte de l'équipe Rempla (back-office). Mot de passe lu dans REMPLA_STAFF_PASSWORD.
    AddStaff {
        /// E-mail du compte.
        #[arg(long)]
        email: String,
        /// Nom affiché.
        #[arg(long, default_value = "Équipe Rempla")]
        name: String,
    },
}

fn load_config(common: &Common) -> Result<Config> {
    let mut cfg = match &common.config {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    if let Some(v) = common.listen {
        cfg.listen = v;
    }
    if let Some(v) = &common.data {
        cfg.data.clone_from(v);
    }
    if let Some(v) = &common.database_url {
        cfg.database_url = Some(v.clone());
    }
    if let Some(v) = &common.public_url {
        cfg.public_url.clone_from(v);
    } else if common.config.is_none() {
        cfg.public_url = format!("http://{}", cfg.listen);
    }
    if let Some(v) = &common.smtp_url {
        cfg.smtp_url = Some(v.clone());
    }
    if let Some(v) = common.booking_retention_days {
        cfg.booking_retention_days = v;
    }
    if let Some(v) = common.jobs_interval_secs {
        cfg.jobs_interval_secs = v;
    }
    let n = &mut cfg.notify;
    for (flag, field) in [
        (&common.vapid_key_file, &mut n.vapid_key_file),
        (
            &common.fcm_service_account_file,
            &mut n.fcm_service_account_file,
        ),
        (&common.apns_key_file, &mut n.apns_key_file),
        (&common.sms_api_key_file, &mut n.sms_api_key_file),
    ] {
        if let Some(v) = flag {
            *field = Some(v.clone());
        }
    }
    if let Some(v) = &common.sms_gateway_url {
        n.sms_gateway_url = Some(v.clone());
    }
    cfg.validate().map_err(anyhow::Error::msg)?;
    Ok(cfg)
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let cfg = load_config(&cli.common)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cfg, cli.common.demo).await,
        Command::Backup { output } => {
            let storage = rempla_server::open_storage(&cfg).await?;
            ops::backup(&storage, &output).await?;
            println!("sauvegarde écrite : {}", output.display());
            Ok(())
        }
        Command::Restore { input } => {
            if cfg.database_url.is_some() {
                bail!("restauration PostgreSQL : utilisez pg_restore (voir README)");
            }
            ops::restore_sqlite(&input, &cfg.sqlite_path())?;
            println!("base restaurée depuis {}", input.display());
            Ok(())
        }
        Command::ExportTenant { facility, output } => {
            let storage = rempla_server::open_storage(&cfg).await?;
            let n = ops::export_tenant(&storage, &facility, &output).await?;
            println!("{n} lignes exportées dans {}", output.display());
            Ok(())
        }
        Command::AddStaff { email, name } => {
            let password = std::env::var("REMPLA_STAFF_PASSWORD")
                .context("REMPLA_STAFF_PASSWORD doit contenir le mot de passe")?;
            let storage = rempla_server::open_storage(&cfg).await?;
            ops::add_staff(&storage, &cfg, &email, &name, &password).await?;
            println!("compte équipe créé : {email}");
            Ok(())
        }
    }
}

async fn serve(cfg: Config, with_demo: bool) -> Result<()> {
    if with_demo && cfg.database_url.is_some() {
        bail!("--demo utilise la base SQLite embarquée : retirez --database-url");
    }
    let storage = rempla_server::open_storage(&cfg)
        .await
        .context("ouverture de la base")?;
    let mailer = rempla_server::make_mailer(&cfg).context("configuration de l'e-mail")?;
    let terms = rempla_server::load_terms(&cfg).context("lecture des CGU")?;
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .with_context(|| format!("écoute sur {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    let key =
        rempla_server::server_key::ServerKey::load_or_create(&cfg).context("clé du serveur")?;
    let state = rempla_server::AppState::new(cfg, storage, mailer, terms).with_server_key(key);
    if with_demo {
        let summary = ops::demo::seed(&state)
            .await
            .context("jeu de démonstration")?;
        println!("{summary}");
    }
    tracing::info!(%addr, backend = state.storage.backend().name(), "rempla-server listening");
    let scheme = if state.config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    println!("rempla-server écoute sur {scheme}://{addr}");
    rempla_server::serve(listener, state).await?;
    tracing::info!("stopped");
    Ok(())
}
