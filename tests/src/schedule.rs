//! One seeded schedule: several devices edit and sync through the fault-injecting proxy while servers
//! are SIGKILLed and restarted; then the faults stop, every device syncs, and the run checks:
//!
//! 1. **every acknowledged write is present**: for each account, the server's records (read by a fresh
//!    "witness" device) equal the per-field last-writer-wins merge of every op the server acknowledged
//!    as applied (`sync::merge`, the server's own rule), tombstones included;
//! 2. **all devices equal the server**: after a final sync, each device's synced records (canonical JSON)
//!    equal its account's witness, with an empty outbox;
//! 3. **no device holds data outside its scopes**: doctor B never holds doctor A's records (and the op B
//!    forges for A's calendar is rejected and rolled back as a conflict), the facility member holds no
//!    doctor calendar at all.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use rempla_core::sync::merge::{MergeState, merge};
use rempla_core::sync::rebase::canonical;
use rempla_core::sync::{EntityKind, OutboxOp};
use serde_json::Value;
use uuid::Uuid;

use crate::device::{Account, Device, Role, create_account, slot};
use crate::pg::PgCluster;
use crate::proxy::{FaultPlan, Proxy};
use crate::rng::Rng;
use crate::server::{ServerProcess, server_binary};

/// Which storage the servers run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One server on its embedded SQLite file.
    Sqlite,
    /// Two server instances on one throwaway PostgreSQL database, both behind the proxy.
    Postgres,
}

/// Sizes of a schedule.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Edit-and-sync rounds per device under faults.
    pub rounds: usize,
    /// Most edits per round.
    pub max_edits: u64,
    /// Server kills during the faulty phase.
    pub kills: usize,
}

impl Default for Shape {
    fn default() -> Self {
        Self {
            rounds: 6,
            max_edits: 4,
            kills: 2,
        }
    }
}

/// What a schedule did, for the log.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Ops acknowledged as applied, all devices.
    pub acked: usize,
    /// Ops rejected (conflicts), all devices.
    pub rejected: usize,
    /// Failed (transient) rounds, by code.
    pub transient: BTreeMap<&'static str, usize>,
    /// Conflicts raised, by the server's code: how many, and the first reason.
    pub conflicts: BTreeMap<String, (usize, String)>,
    /// Records on the server per account.
    pub records: Vec<usize>,
    /// The proxy's counters.
    pub proxy: String,
    /// Servers SIGKILLed (and restarted) during the faulty phase.
    pub kills: usize,
}

/// The expected server state of each synced record, by `(entity, id)`, from the acknowledged ops.
fn expected_records(acked: &[&OutboxOp]) -> BTreeMap<(String, Uuid), MergeState> {
    let mut states: BTreeMap<(String, Uuid), MergeState> = BTreeMap::new();
    for op in acked
        .iter()
        .filter(|o| matches!(o.entity, EntityKind::Availability | EntityKind::BusyPeriod))
    {
        let key = (op.entity.as_str().to_owned(), op.entity_id);
        let state = states.get(&key).cloned().unwrap_or_default();
        if let Ok(next) = merge(&state, op) {
            states.insert(key, next);
        }
    }
    states
}

fn snapshot_of(device: &Device) -> BTreeMap<(String, Uuid), Value> {
    device.store.synced_snapshot().unwrap()
}

/// Decrements a counter when dropped.
struct Finished<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Runs one schedule; panics (failing the test) with the seed in the message on any violation.
pub fn run(backend: Backend, seed: u64, shape: Shape) -> Outcome {
    println!("REMPLA_E2E_SEED={seed} backend={backend:?}");
    let binary = server_binary().expect("rempla-server binary (cargo build -p rempla-server)");
    let tmp = tempfile::tempdir().unwrap();
    let pg = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(PgCluster::start().unwrap_or_else(|e| panic!("{e}"))),
    };
    let instances = if pg.is_some() { 2 } else { 1 };
    let mut servers: Vec<ServerProcess> = (0..instances)
        .map(|i| {
            ServerProcess::start(
                &binary,
                &tmp.path().join(format!("server{i}")),
                pg.as_ref().map(PgCluster::url).as_deref(),
            )
            .unwrap_or_else(|e| panic!("server {i}: {e}"))
        })
        .collect();
    let data_dirs: Vec<PathBuf> = servers.iter().map(|s| s.data.clone()).collect();
    let data_refs: Vec<&std::path::Path> = data_dirs.iter().map(PathBuf::as_path).collect();
    let proxy = Proxy::start(
        servers.iter().map(|s| s.addr).collect(),
        FaultPlan::NONE,
        seed,
    )
    .unwrap();
    let mut rng = Rng::new(seed);
    let direct = servers[0].url();

    // Accounts: doctor A on two devices, doctor B on one, a facility admin on one.
    let n = seed.wrapping_mul(10);
    let doctor_a = create_account(&direct, &data_refs, Role::Doctor, n + 1);
    let doctor_b = create_account(&direct, &data_refs, Role::Doctor, n + 2);
    let facility = create_account(&direct, &data_refs, Role::Facility, n + 3);
    let dev_path = |name: &str| tmp.path().join(format!("{name}.sqlite3"));
    let mut devices = vec![
        Device::sign_in("a1", &dev_path("a1"), &proxy.url(), &doctor_a),
        Device::sign_in("a2", &dev_path("a2"), &proxy.url(), &doctor_a),
        Device::sign_in("b1", &dev_path("b1"), &proxy.url(), &doctor_b),
        Device::sign_in("f1", &dev_path("f1"), &proxy.url(), &facility),
    ];
    let a_id = devices[0].doctor.expect("doctor A has a doctor id");
    let b_id = devices[2].doctor.expect("doctor B has a doctor id");
    assert_ne!(a_id, b_id);

    // B forges an op for A's calendar: the server must refuse it and B must roll it back.
    let forged = slot(a_id, 6, 15, 0);
    let forged_op = devices[2].store.add_availability(&forged).unwrap();

    // Faulty phase: every device edits and syncs in its own thread; a killer thread SIGKILLs servers.
    proxy.set_plan(FaultPlan::HOSTILE);
    let servers_lock = Mutex::new(&mut servers);
    let kill_rx = proxy.kill_requests();
    let running = std::sync::atomic::AtomicUsize::new(devices.len());
    let kills = std::sync::atomic::AtomicUsize::new(0);
    let killer_rng = rng.fork();
    let device_rngs: Vec<Rng> = devices.iter().map(|_| rng.fork()).collect();
    std::thread::scope(|scope| {
        // The killer: SIGKILL + restart at random times, and whenever the proxy asks for it while a
        // push is in flight; it stops when every device has finished its rounds.
        let (servers_lock, running_ref, kills_ref) = (&servers_lock, &running, &kills);
        let mut killer_rng = killer_rng;
        scope.spawn(move || {
            let (running, kills) = (running_ref, kills_ref);
            let mut random_kills = shape.kills;
            let mut next_random = Duration::from_millis(50 + killer_rng.below(400));
            let started = std::time::Instant::now();
            while running.load(std::sync::atomic::Ordering::SeqCst) > 0 {
                let target = match kill_rx
                    .as_ref()
                    .map(|rx| rx.recv_timeout(Duration::from_millis(20)))
                {
                    Some(Ok(k)) => Some(k),
                    _ if random_kills > 0 && started.elapsed() >= next_random => {
                        random_kills -= 1;
                        next_random += Duration::from_millis(50 + killer_rng.below(400));
                        Some(usize::MAX)
                    }
                    Some(_) => None,
                    None => {
                        std::thread::sleep(Duration::from_millis(20));
                        None
                    }
                };
                let Some(target) = target else { continue };
                let mut guard = servers_lock.lock().unwrap();
                let k = if target == usize::MAX {
                    usize::try_from(killer_rng.below(guard.len() as u64)).unwrap_or(0)
                } else {
                    target.min(guard.len() - 1)
                };
                guard[k].kill();
                kills.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(killer_rng.below(200)));
                guard[k]
                    .restart()
                    .unwrap_or_else(|e| panic!("seed {seed}: restart: {e}"));
            }
        });
        for (device, mut drng) in devices.iter_mut().zip(device_rngs) {
            let running = &running;
            scope.spawn(move || {
                // Counts this device out even if it panics, so the killer thread stops.
                let _done = Finished(running);
                for _ in 0..shape.rounds {
                    let edits = usize::try_from(drng.below(shape.max_edits + 1)).unwrap_or(0);
                    device.random_edits(&mut drng, edits);
                    if let Err(e) = device.sync() {
                        panic!(
                            "seed {seed}: device {} failed: {e} [{}]",
                            device.name,
                            e.code()
                        );
                    }
                }
            });
        }
    });

    // Calm phase: no faults, everyone syncs until the outbox is empty, then once more to pull the rest.
    proxy.set_plan(FaultPlan::NONE);
    for _ in 0..2 {
        for device in &mut devices {
            let mut tries = 0;
            loop {
                tries += 1;
                match device.sync() {
                    Ok(Some(_)) if device.store.pending_op_count().unwrap() == 0 => break,
                    Ok(_) if tries < 20 => std::thread::sleep(Duration::from_millis(100)),
                    other => panic!(
                        "seed {seed}: {} cannot finish syncing: {other:?} (server log: {})",
                        device.name,
                        servers_lock.lock().unwrap()[0].log()
                    ),
                }
            }
        }
    }

    // Witnesses: fresh devices that download each account's whole scope.
    let witness = |name: &str, account: &Account| {
        let mut w = Device::sign_in(name, &dev_path(name), &direct, account);
        w.sync().unwrap();
        snapshot_of(&w)
    };
    let w_a = witness("wa", &doctor_a);
    let w_b = witness("wb", &doctor_b);
    let w_f = witness("wf", &facility);

    // 2. Every device equals its account's view of the server, with nothing pending.
    for (device, expected) in devices.iter().zip([&w_a, &w_a, &w_b, &w_f]) {
        assert_eq!(device.store.pending_op_count().unwrap(), 0, "seed {seed}");
        assert_eq!(
            &snapshot_of(device),
            expected,
            "seed {seed}: device {} differs from the server",
            device.name
        );
    }

    // 1. Every acknowledged write is on the server (per-field LWW of all acknowledged ops).
    for (witness, devs, doctor) in [(&w_a, &devices[0..2], a_id), (&w_b, &devices[2..3], b_id)] {
        let acked: Vec<&OutboxOp> = devs.iter().flat_map(|d| d.acked.iter()).collect();
        let expected = expected_records(&acked);
        for (key, state) in &expected {
            let id = key.1;
            if state.deleted.is_some() {
                assert!(
                    !witness.contains_key(key),
                    "seed {seed}: acknowledged delete of {id} undone"
                );
                continue;
            }
            let record = witness
                .get(key)
                .unwrap_or_else(|| panic!("seed {seed}: acknowledged record {id} missing"));
            for (field, value) in &canonical(state.fields.clone()) {
                assert_eq!(
                    record.get(field),
                    Some(value),
                    "seed {seed}: acknowledged write of {field} on {id} lost"
                );
            }
        }
        // And nothing on the server that nobody acknowledged.
        for key in witness.keys() {
            assert!(
                expected.get(key).is_some_and(|s| s.deleted.is_none()),
                "seed {seed}: server holds {key:?}, never acknowledged"
            );
        }
        // 3. Scope: only this doctor's records.
        for ((_, id), record) in witness {
            assert_eq!(
                record["doctor_id"],
                Value::String(doctor.to_string()),
                "seed {seed}: {id} outside the scope"
            );
        }
    }
    // Legitimate edits are accepted: the only refusals are the forged op, edits racing a delete made
    // on the other device of the same doctor, and random slots that repeat an offer the doctor already
    // made (the server refuses duplicate offers).
    for d in &devices {
        for c in d.store.sync_conflicts().unwrap() {
            let expected = (c.op_id == forged_op && c.code == "forbidden")
                || c.code == "record_deleted"
                || c.code == "creation_rejected"
                || c.code == "duplicate_offer";
            assert!(
                expected,
                "seed {seed}: {} had a legitimate op refused: [{}] {}",
                d.name, c.code, c.reason
            );
        }
    }
    // 3. Scope: the forged op was refused and rolled back; the facility sees no calendar.
    assert!(
        devices[2].rejected.contains(&forged_op),
        "seed {seed}: the forged op was not rejected"
    );
    assert!(
        !w_a.contains_key(&("availability".to_owned(), *forged.id.as_uuid())),
        "seed {seed}: forged record reached A"
    );
    assert!(
        devices[2]
            .store
            .get_availability(forged.id)
            .unwrap()
            .is_none(),
        "seed {seed}: forged record not rolled back"
    );
    assert!(
        w_f.keys()
            .all(|(e, _)| e != "availability" && e != "busy_period"),
        "seed {seed}: the facility holds doctors' calendars"
    );
    let disjoint = w_b.keys().all(|k| !w_a.contains_key(k));
    assert!(disjoint, "seed {seed}: B holds A's records");

    let mut outcome = Outcome {
        acked: devices.iter().map(|d| d.acked.len()).sum(),
        rejected: devices.iter().map(|d| d.rejected.len()).sum(),
        records: vec![w_a.len(), w_b.len(), w_f.len()],
        proxy: proxy.stats().summary(),
        kills: kills.load(std::sync::atomic::Ordering::SeqCst),
        ..Outcome::default()
    };
    for d in &devices {
        for c in d.store.sync_conflicts().unwrap() {
            let reasons = outcome.conflicts.entry(c.code).or_default();
            reasons.0 += 1;
            if reasons.1.is_empty() {
                reasons.1 = c.reason;
            }
        }
        for (k, v) in &d.errors {
            *outcome.transient.entry(k).or_default() += v;
        }
    }
    println!("seed {seed} {backend:?}: {outcome:?}");
    outcome
}
