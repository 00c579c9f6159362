//! [`AppState`]: everything handlers share (configuration, database, mailer, clock, limits, live-event hub,
//! notification channels, matching index, the server's clock). The ground floor of the web layer: every
//! area's handlers and jobs take it, and it names only services below the areas.

use crate::server_key::ServerKey;
use std::sync::{Arc, Mutex};

use rempla_core::domain::DeviceId;
use rempla_core::sync::{Hlc, HlcClock};

use crate::auth::terms::Terms;
use crate::clock::Clock;
use crate::concurrency::KeyedGate;
use crate::config::Config;
use crate::db::Storage;
use crate::live::hub::EventHub;
use crate::mail::Mailer;
use crate::matching::MatchingService;
use crate::notify::channels::Channels;
use crate::ratelimit::{KnownAddresses, RateLimiter};

/// The rate limiters of one instance.
#[derive(Debug)]
pub struct Limits {
    /// Every request, per client address.
    pub per_ip: RateLimiter,
    /// Authenticated requests, per account.
    pub per_account: RateLimiter,
    /// Attempts on the password and link routes (login, lost password, reset, activation, sign-up),
    /// per client address.
    pub login_ip: RateLimiter,
    /// Failed logins per e-mail and client address: an attacker's address is slowed, the owner's is not.
    pub login_failures: RateLimiter,
    /// Failed logins per e-mail from every address an account never signed in from.
    pub login_failures_unknown: RateLimiter,
    /// Reset e-mails per address (no mail bombing), separate from logins so a guessing attacker never
    /// blocks the owner's reset.
    pub reset_mail: RateLimiter,
    /// Fetches of one calendar feed (calendar programs poll every few minutes at most).
    pub feed_reads: RateLimiter,
    /// Invitations sent per facility (each is an e-mail: no mail bombing from a facility account).
    pub invitations: RateLimiter,
    /// The addresses each e-mail recently signed in from: exempt from the per-account failure limit.
    pub known_addresses: KnownAddresses,
}

/// Bounds on costly work in progress on this instance.
#[derive(Debug)]
pub struct Gates {
    /// Privacy exports: one per account, `max_concurrent_exports` in all.
    pub exports: Arc<KeyedGate>,
    /// Live-event streams: `max_streams_per_account` per account, `max_streams` in all.
    pub streams: Arc<KeyedGate>,
    /// argon2 computations at once (`max_concurrent_hashes`).
    pub hashing: Arc<tokio::sync::Semaphore>,
}

/// Everything handlers share.
#[derive(Clone)]
pub struct AppState {
    /// Configuration.
    pub config: Arc<Config>,
    /// Database.
    pub storage: Storage,
    /// Outgoing mail.
    pub mailer: Arc<dyn Mailer>,
    /// Wall clock (adjustable in tests).
    pub clock: Arc<Clock>,
    /// Rate limits.
    pub limits: Arc<Limits>,
    /// Concurrency bounds.
    pub gates: Arc<Gates>,
    /// Live-update broadcast.
    pub events: EventHub,
    /// Terms in force.
    pub terms: Arc<Terms>,
    /// Notification channels (e-mail, push services, SMS gateway), built from the configuration.
    pub channels: Arc<Channels>,
    /// The in-memory matching index of this instance.
    pub matching: Arc<MatchingService>,
    /// The server's secret key (signs calendar feed addresses): set by the binary from its key file
    /// ([`Self::with_server_key`]); without it the feeds answer `unavailable`.
    pub server_key: Option<Arc<ServerKey>>,
    hlc: Arc<Mutex<HlcClock>>,
    shutdown: Arc<tokio::sync::watch::Sender<bool>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("storage", &self.storage)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Builds the state; must run inside a tokio runtime (it starts the change listener).
    pub fn new(config: Config, storage: Storage, mailer: Arc<dyn Mailer>, terms: Terms) -> Self {
        let clock = Arc::new(Clock::default());
        let time = Arc::clone(&clock);
        // The server's own clock identity: a fresh device id per process, so two instances never tie.
        let hlc = HlcClock::with_time_source(
            DeviceId::new(),
            Box::new(move || u64::try_from(time.now_ms()).unwrap_or(0)),
        );
        let limits = Limits {
            per_ip: RateLimiter::new(config.rate_per_ip_per_minute),
            per_account: RateLimiter::new(config.rate_per_account_per_minute),
            login_ip: RateLimiter::new(config.login_per_minute.saturating_mul(3)),
            login_failures: RateLimiter::new(config.login_per_minute),
            login_failures_unknown: RateLimiter::new(config.login_per_minute.saturating_mul(2)),
            reset_mail: RateLimiter::new(2),
            invitations: RateLimiter::new(10),
            feed_reads: RateLimiter::new(30),
            known_addresses: KnownAddresses::default(),
        };
        let gates = Gates {
            exports: KeyedGate::new(
                1,
                config.max_concurrent_exports,
                std::time::Duration::from_secs(config.export_wait_secs),
            ),
            streams: KeyedGate::new(
                config.max_streams_per_account,
                config.max_streams,
                std::time::Duration::ZERO,
            ),
            hashing: Arc::new(tokio::sync::Semaphore::new(
                config.max_concurrent_hashes.max(1),
            )),
        };
        let events = EventHub::start(&storage);
        let channels = Arc::new(Channels::from_config(&config, Arc::clone(&mailer)));
        Self {
            config: Arc::new(config),
            storage,
            mailer,
            clock,
            limits: Arc::new(limits),
            gates: Arc::new(gates),
            events,
            terms: Arc::new(terms),
            channels,
            matching: Arc::new(MatchingService::new()),
            server_key: None,
            hlc: Arc::new(Mutex::new(hlc)),
            shutdown: Arc::new(tokio::sync::watch::channel(false).0),
        }
    }

    /// The state with the server's secret key (see `crate::server_key`).
    #[must_use]
    pub fn with_server_key(mut self, key: ServerKey) -> Self {
        self.server_key = Some(Arc::new(key));
        self
    }

    /// Tells long-lived responses (SSE streams) to end, so a graceful shutdown does not wait forever.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Resolves when the server starts shutting down.
    pub fn shutting_down(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.shutdown.subscribe();
        async move {
            let _ = rx.wait_for(|down| *down).await;
        }
    }

    /// The server clock after observing the newest accepted op clock of a batch.
    pub fn next_hlc(&self, observed: Option<Hlc>) -> Hlc {
        let Ok(mut clock) = self.hlc.lock() else {
            return Hlc::new(
                u64::try_from(self.clock.now_ms()).unwrap_or(0),
                0,
                DeviceId::from_uuid(uuid::Uuid::nil()),
            );
        };
        match observed {
            Some(h) => clock.observe(&h).unwrap_or_else(|_| clock.now()),
            None => clock.now(),
        }
    }
}
