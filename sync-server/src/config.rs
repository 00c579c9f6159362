//! Server configuration: defaults, then a TOML file, then command-line flags and `REMPLA_*` environment
//! variables (clap merges the last two). Every field has a default so `rempla-server` runs with none.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

/// Everything the server needs to know at start.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on (loopback by default).
    pub listen: SocketAddr,
    /// Serve HTTPS directly (a small deployment without a reverse proxy): the `[tls]` table.
    pub tls: Option<TlsConfig>,
    /// Directory of the SQLite database, the mail outbox and backups.
    pub data: PathBuf,
    /// The server's secret key (base64, 32 bytes); default `<data>/server.key`, made at first start.
    /// Instances behind one balancer share it.
    pub server_key_file: Option<PathBuf>,
    /// `postgres://…` to use PostgreSQL instead of the embedded SQLite file.
    pub database_url: Option<String>,
    /// Base URL put in e-mail links (activation, reset).
    pub public_url: String,
    /// `smtp://host:port` (plain, for a local relay), `smtp://host:port?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host:465`; without it, mail is written to the outbox directory.
    pub smtp_url: Option<String>,
    /// Sender of every e-mail.
    pub mail_from: String,
    /// Where users write to the staff (named in e-mails that need a person, such as a disputed RPPS).
    pub support_email: String,
    /// Where mail goes without SMTP (default `<data>/outbox`).
    pub outbox_dir: Option<PathBuf>,
    /// Lifetime of a device token, in days.
    pub token_ttl_days: u32,
    /// Lifetime of activation and reset links, in hours.
    pub mail_token_ttl_hours: u32,
    /// How long an invitation to join a facility stays open, in days.
    pub invitation_ttl_days: u32,
    /// Largest accepted lead of an op's clock over the server clock, in ms (protocol: 5 minutes).
    pub max_drift_ms: u64,
    /// Requests per minute from one IP address.
    pub rate_per_ip_per_minute: u32,
    /// Requests per minute from one account.
    pub rate_per_account_per_minute: u32,
    /// Failed logins per minute for one e-mail from one address (the address is then slowed, never
    /// the account's owner elsewhere); password and link routes allow three times this per address.
    pub login_per_minute: u32,
    /// Privacy exports streaming at once on this instance (each holds up to about 25 MiB while it
    /// reads a 10 MiB document); more wait up to `export_wait_secs` for a place, then get
    /// `503 unavailable`. One account runs one export at a time.
    pub max_concurrent_exports: usize,
    /// How long an export waits for a place before `503` (a full vault streams in about 10 s).
    pub export_wait_secs: u64,
    /// Live-event streams (`GET /v1/events`) one account may hold open.
    pub max_streams_per_account: usize,
    /// Live-event streams open on this instance.
    pub max_streams: usize,
    /// How often an open live-event stream re-checks its token and scope, in ms (a revoked token's
    /// stream ends within this delay).
    pub live_recheck_ms: u64,
    /// argon2 computations running at once (each takes `argon2_memory_kib`); more wait up to 10 s.
    pub max_concurrent_hashes: usize,
    /// argon2id memory cost in KiB (OWASP: 19 MiB).
    pub argon2_memory_kib: u32,
    /// argon2id passes.
    pub argon2_iterations: u32,
    /// Version of the current terms (CGU); changing it requires a new acceptance from everyone.
    pub terms_version: String,
    /// File with the current terms text (default: the text built into the server).
    pub terms_file: Option<PathBuf>,
    /// Trust `X-Forwarded-For` for the client address (only behind your own reverse proxy).
    pub trust_forwarded_for: bool,
    /// Days before an insurance (RCP) document expires when its owner is alerted.
    pub document_expiry_alert_days: u32,
    /// Days booking data (availabilities, busy periods, proposals, missions) is kept after it ends:
    /// 90, 120 or 240 (checked by [`Config::validate`]).
    pub booking_retention_days: u32,
    /// Seconds between two runs of the periodic jobs (reminders, expiry, tier widening…); 0 disables
    /// the scheduler (tests call `jobs::run_due` themselves).
    pub jobs_interval_secs: u64,
    /// Business days a doctor (or facility) has to answer a proposal (product: 3).
    pub answer_business_days: u32,
    /// How many best-ranked candidates each alert tier of a new request reaches.
    pub tier_size: u32,
    /// Minutes without an answer before the next tier of candidates is alerted.
    pub tier_wait_minutes: u32,
    /// Hours before the deadline at which an unanswered proposal is reminded.
    pub reminder_hours: u32,
    /// Days before a mission's start at which the contract reminder (send it to the conseil
    /// départemental de l'Ordre) is given.
    pub contract_reminder_days: u32,
    /// Identity printed on invoices as their issuer (`[billing_issuer]` table).
    pub billing_issuer: crate::pdf::invoice::Issuer,
    /// Notification delivery: channels, keys (by file, never in the repository), retries.
    pub notify: NotifyConfig,
}

/// The `[tls]` table: PEM files of the certificate chain and its private key (PKCS#8, RSA or EC).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// The certificate chain, leaf first.
    pub cert_file: PathBuf,
    /// The private key of the leaf certificate.
    pub key_file: PathBuf,
}

/// The `[notify]` section: how notices reach users. A channel whose key or URL is missing is off, and
/// its deliveries fail with `channel_unconfigured` (visible in the deliveries list).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    /// Attempts of one delivery before it is kept as failed.
    pub max_attempts: u32,
    /// First retry delay in seconds; doubled at each attempt.
    pub retry_base_secs: u64,
    /// Accept `http://` and loopback push endpoints (local test servers only; every other private or
    /// reserved address stays refused).
    pub allow_loopback_http: bool,
    /// When not empty, the only push-service hosts (and their subdomains) a Web Push / UnifiedPush
    /// endpoint may name, e.g. `["fcm.googleapis.com", "push.services.mozilla.com",
    /// "web.push.apple.com", "notify.windows.com"]`. Empty: any public host.
    pub push_allowed_hosts: Vec<String>,
    /// Push targets one account may hold (all its devices and kinds together).
    pub max_push_targets: usize,
    /// VAPID private key (PKCS#8 PEM, P-256) file for Web Push.
    pub vapid_key_file: Option<PathBuf>,
    /// VAPID `sub` claim: a contact URL of the operator.
    pub vapid_subject: String,
    /// Firebase service-account JSON file (FCM HTTP v1).
    pub fcm_service_account_file: Option<PathBuf>,
    /// FCM API base URL.
    pub fcm_base_url: String,
    /// APNs provider key (`.p8`, PKCS#8 PEM) file.
    pub apns_key_file: Option<PathBuf>,
    /// APNs key id (the `kid` of the provider token).
    pub apns_key_id: String,
    /// Apple team id (the `iss` of the provider token).
    pub apns_team_id: String,
    /// APNs base URL (production `https://api.push.apple.com`, sandbox `https://api.sandbox.push.apple.com`).
    pub apns_base_url: String,
    /// App bundle id used as `apns-topic` when a target names none.
    pub apns_topic: String,
    /// Extra PEM root certificate trusted by the APNs client (a local test CA).
    pub apns_ca_file: Option<PathBuf>,
    /// SMS gateway base URL (generic JSON protocol, `docs/api/notifications.md`).
    pub sms_gateway_url: Option<String>,
    /// File holding the SMS gateway's API key.
    pub sms_api_key_file: Option<PathBuf>,
    /// Name in texts not sent on behalf of a facility.
    pub sms_sender: String,
    /// A facility is alerted when its SMS credit balance falls to this or below.
    pub sms_low_credit_threshold: i64,
}

impl NotifyConfig {
    /// The guard on the push endpoints users register.
    pub fn outbound_policy(&self) -> crate::outbound::OutboundPolicy {
        crate::outbound::OutboundPolicy {
            allow_loopback: self.allow_loopback_http,
            allowed_hosts: self.push_allowed_hosts.clone(),
        }
    }
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            retry_base_secs: 60,
            allow_loopback_http: false,
            push_allowed_hosts: Vec::new(),
            max_push_targets: 10,
            vapid_key_file: None,
            vapid_subject: "mailto:contact@rempla.fr".into(),
            fcm_service_account_file: None,
            fcm_base_url: "https://fcm.googleapis.com".into(),
            apns_key_file: None,
            apns_key_id: String::new(),
            apns_team_id: String::new(),
            apns_base_url: "https://api.push.apple.com".into(),
            apns_topic: "fr.rempla.app".into(),
            apns_ca_file: None,
            sms_gateway_url: None,
            sms_api_key_file: None,
            sms_sender: "Rempla".into(),
            sms_low_credit_threshold: 50,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tls: None,
            data: PathBuf::from("rempla-data"),
            server_key_file: None,
            database_url: None,
            public_url: "http://127.0.0.1:8080".into(),
            smtp_url: None,
            mail_from: "Rempla <ne-pas-repondre@rempla.fr>".into(),
            support_email: "support@rempla.fr".into(),
            outbox_dir: None,
            token_ttl_days: 90,
            mail_token_ttl_hours: 48,
            invitation_ttl_days: 7,
            max_drift_ms: 5 * 60 * 1000,
            rate_per_ip_per_minute: 1_200,
            rate_per_account_per_minute: 1_200,
            login_per_minute: 10,
            max_concurrent_exports: 2,
            export_wait_secs: 120,
            max_streams_per_account: 8,
            max_streams: 20_000,
            live_recheck_ms: 10_000,
            max_concurrent_hashes: std::thread::available_parallelism()
                .map_or(2, |n| n.get().max(2)),
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            terms_version: crate::auth::terms::BUILTIN_VERSION.into(),
            terms_file: None,
            trust_forwarded_for: false,
            document_expiry_alert_days: 30,
            booking_retention_days: 120,
            jobs_interval_secs: 30,
            answer_business_days: 3,
            tier_size: 5,
            tier_wait_minutes: 240,
            reminder_hours: 24,
            contract_reminder_days: 7,
            billing_issuer: crate::pdf::invoice::Issuer::default(),
            notify: NotifyConfig::default(),
        }
    }
}

/// The booking-data retention periods the operator may choose, in days.
pub const BOOKING_RETENTION_CHOICES: &[u32] = &[90, 120, 240];

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("configuration {path} : {reason}")]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

impl Config {
    /// Reads a TOML file over the defaults.
    pub fn from_file(path: &std::path::Path) -> Result<Self, ConfigError> {
        let err = |reason: String| ConfigError {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        toml::from_str(&text).map_err(|e| err(e.to_string()))
    }

    /// Checks values serde cannot: the booking retention is one of 90, 120 or 240 days.
    pub fn validate(&self) -> Result<(), String> {
        if !BOOKING_RETENTION_CHOICES.contains(&self.booking_retention_days) {
            return Err(format!(
                "booking_retention_days = {} : valeurs possibles 90, 120 ou 240",
                self.booking_retention_days
            ));
        }
        if self.document_expiry_alert_days == 0 || self.document_expiry_alert_days > 365 {
            return Err("document_expiry_alert_days : entre 1 et 365".into());
        }
        Ok(())
    }

    /// The directory of mail files when no SMTP server is configured.
    pub fn outbox(&self) -> PathBuf {
        self.outbox_dir
            .clone()
            .unwrap_or_else(|| self.data.join("outbox"))
    }

    /// The SQLite database file.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data.join("rempla.sqlite3")
    }
}
