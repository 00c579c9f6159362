//! Accounts and devices of the end-to-end runs.
//!
//! Accounts are created through the real API (`POST /v1/accounts/…`), activated with the token the server
//! e-mailed (read from its e-mail outbox folder), and signed in; terms are accepted when asked. A device is
//! a core [`Store`] file plus the core sync client, exactly what the phone and the CLI run; it tracks
//! which of its ops the server acknowledged, so the run can check that every acknowledged write survived.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use chrono_tz::Europe::Paris;
use rempla_client::{ClientConfig, NoEvents, RetryPolicy, SyncClient, SyncClientError, SyncReport};
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_core::domain::{
    Availability, AvailabilityId, AvailabilityStatus, BusyId, BusyPeriod, DoctorId, OpId,
};
use rempla_core::sync::OutboxOp;
use rempla_store::Store;
use serde_json::{Value, json};

use crate::rng::Rng;

/// Password of every test account.
pub const PASSWORD: &str = "motdepasse-e2e-solide";

pub use rempla_test_support::{rpps, siret};

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|_| reqwest::blocking::Client::new())
}

/// POSTs JSON and returns (status, body).
pub fn post(url: &str, body: &Value, token: Option<&str>) -> (u16, Value) {
    let mut req = http().post(url).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    match req.send() {
        Ok(r) => {
            let status = r.status().as_u16();
            let body = r.json::<Value>().unwrap_or(Value::Null);
            (status, body)
        }
        Err(e) => (0, json!({ "transport": e.to_string() })),
    }
}

/// Which kind of account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A replacement doctor.
    Doctor,
    /// The first admin member of a facility.
    Facility,
}

/// A signed-up, activated account.
#[derive(Clone, Debug)]
pub struct Account {
    /// Login e-mail.
    pub email: String,
    /// Kind.
    pub role: Role,
}

/// Signs up and activates an account on `server` (a direct URL, no proxy).
pub fn create_account(server: &str, data_dirs: &[&Path], role: Role, n: u64) -> Account {
    let email = format!("e2e-{n}-{}@exemple.fr", uuid::Uuid::now_v7().simple());
    let (status, body) = match role {
        Role::Doctor => post(
            &format!("{server}/v1/accounts/doctors"),
            &json!({"email": email, "password": PASSWORD, "rpps": rpps(n),
                    "first_name": "Camille", "last_name": format!("Martin{n}"),
                    "specialties": ["medecine-generale"]}),
            None,
        ),
        Role::Facility => post(
            &format!("{server}/v1/accounts/facilities"),
            &json!({"email": email, "password": PASSWORD, "display_name": "Claire Petit",
                    "facility": {"name": format!("Clinique du Parc {n}"), "siret": siret(n), "kind": "clinic"}}),
            None,
        ),
    };
    assert_eq!(status, 202, "sign-up of {email}: {body}");
    let tokens = crate::server::activation_tokens(data_dirs, &email);
    let token = tokens
        .last()
        .unwrap_or_else(|| panic!("no activation e-mail for {email}"));
    let (status, body) = post(
        &format!("{server}/v1/accounts/activate"),
        &json!({ "token": token }),
        None,
    );
    assert!(
        status == 204 || status == 200,
        "activation: {status} {body}"
    );
    Account { email, role }
}

/// One device: a store file and the sync client, signed in to one account.
pub struct Device {
    /// Name for messages (`a1`, `b1`…).
    pub name: String,
    /// The account.
    pub account: Account,
    /// The offline store.
    pub store: Store,
    /// The sync client (through the proxy).
    pub client: SyncClient,
    /// The doctor profile, for a doctor.
    pub doctor: Option<DoctorId>,
    /// Ops the server acknowledged as applied.
    pub acked: Vec<OutboxOp>,
    /// Ids of ops rejected (conflicts raised).
    pub rejected: HashSet<OpId>,
    /// Failed rounds by error code.
    pub errors: BTreeMap<&'static str, usize>,
}

/// The client settings of the runs: quick retries, so a schedule's rounds stay short.
pub fn e2e_config() -> ClientConfig {
    ClientConfig {
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(300),
        },
        connect_timeout: Duration::from_secs(3),
        request_timeout: Duration::from_secs(20),
    }
}

impl Device {
    /// Opens a store at `path` and signs it in to `account` on `server` (accepting the terms).
    pub fn sign_in(name: &str, path: &Path, server: &str, account: &Account) -> Self {
        let mut store = Store::open(path).unwrap();
        let answer = rempla_client::login(
            &mut store,
            server,
            &account.email,
            PASSWORD,
            name,
            "cli",
            &e2e_config(),
        )
        .unwrap_or_else(|e| panic!("login {name}: {e}"));
        let client = SyncClient::from_store(&store, &e2e_config()).unwrap();
        if answer.terms_required {
            let terms = client.api().current_terms().unwrap();
            client.api().accept_terms(&terms).unwrap();
        }
        let doctor = answer
            .doctor_id
            .as_deref()
            .map(|d| d.parse::<DoctorId>().unwrap());
        Self {
            name: name.to_owned(),
            account: account.clone(),
            store,
            client,
            doctor,
            acked: Vec::new(),
            rejected: HashSet::new(),
            errors: BTreeMap::new(),
        }
    }

    /// One sync round, recording which ops were acknowledged. Transient failures are expected under
    /// faults and counted; anything else is returned.
    pub fn sync(&mut self) -> Result<Option<SyncReport>, SyncClientError> {
        let before = self.store.pending_ops(usize::MAX).unwrap();
        let result = self.client.sync(&mut self.store, &NoEvents);
        let still: HashSet<OpId> = self
            .store
            .pending_ops(usize::MAX)
            .unwrap()
            .iter()
            .map(|o| o.op_id)
            .collect();
        let conflicts: HashSet<OpId> = self
            .store
            .sync_conflicts()
            .unwrap()
            .iter()
            .map(|c| c.op_id)
            .collect();
        for op in before {
            if still.contains(&op.op_id) {
                continue;
            }
            if conflicts.contains(&op.op_id) {
                self.rejected.insert(op.op_id);
            } else {
                self.acked.push(op);
            }
        }
        match result {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.is_transient() => {
                *self.errors.entry(e.code()).or_default() += 1;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// A few random local edits of this doctor's calendar (adds, note or kind changes, removals, busy-period
    /// re-imports).
    pub fn random_edits(&mut self, rng: &mut Rng, count: usize) {
        let Some(doctor) = self.doctor else {
            return;
        };
        for _ in 0..count {
            let mine = self.store.list_availabilities(doctor).unwrap();
            let roll = rng.below(10);
            if rng.chance(0.1) {
                // Re-import of an external calendar: replaces this device's busy periods of the source.
                let periods: Vec<BusyPeriod> = (0..rng.below(3))
                    .map(|k| {
                        let start = Utc
                            .with_ymd_and_hms(
                                2027,
                                2,
                                u32::try_from(1 + rng.below(27)).unwrap_or(1),
                                9,
                                0,
                                0,
                            )
                            .single()
                            .unwrap_or_else(Utc::now);
                        BusyPeriod {
                            id: BusyId::new(),
                            doctor_id: doctor,
                            interval: Interval::new(start, start + chrono::Duration::hours(2))
                                .unwrap(),
                            source_uid: format!("{}-{k}@agenda.example", self.name),
                            summary: Some("Dentiste".to_owned()),
                        }
                    })
                    .collect();
                self.store
                    .replace_busy_source(doctor, &format!("ics:{}", self.name), &periods)
                    .unwrap();
                continue;
            }
            if mine.is_empty() || roll < 4 {
                let day = u32::try_from(1 + rng.below(28)).unwrap_or(1);
                let month = u32::try_from(1 + rng.below(12)).unwrap_or(1);
                let a = slot(doctor, month, day, rng.below(1000));
                self.store.add_availability(&a).unwrap();
            } else {
                let pick = &mine[usize::try_from(rng.below(mine.len() as u64)).unwrap_or(0)];
                if pick.status == AvailabilityStatus::Booked {
                    continue;
                }
                if roll < 8 {
                    let mut edited = pick.clone();
                    if rng.chance(0.5) {
                        edited.note = Some(format!("{} note {}", self.name, rng.below(1000)));
                    } else {
                        edited.kind = [ShiftKind::Day, ShiftKind::Night, ShiftKind::GardeNight]
                            [usize::try_from(rng.below(3)).unwrap_or(0)];
                    }
                    self.store.update_availability(&edited).unwrap();
                } else {
                    self.store.remove_availability(pick.id).unwrap();
                }
            }
        }
    }
}

/// An availability of `doctor` on a day of 2027 (07:00–19:00 UTC).
pub fn slot(doctor: DoctorId, month: u32, day: u32, n: u64) -> Availability {
    let start = Utc
        .with_ymd_and_hms(2027, month, day, 7, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    Availability {
        id: AvailabilityId::new(),
        doctor_id: doctor,
        interval: Interval::new(start, start + chrono::Duration::hours(12)).unwrap(),
        zone: Paris,
        kind: ShiftKind::Day,
        recurrence: None,
        status: AvailabilityStatus::Open,
        note: Some(format!("créneau {n}")),
        revision: 0,
    }
}
