//! The sync client against a local HTTP server (axum on 127.0.0.1:0) that speaks protocol v1 honestly —
//! per-field last-writer-wins with `sync::merge`, idempotent op ids, paginated pulls — and injects the
//! failures the client must survive: 503/429, connections cut after the server applied a push, client
//! mistakes (4xx) that must not be retried, revoked tokens, a server that is down.
//!
//! This is a test double of the network peer for unit-level behaviour; `tests/` (rempla-e2e) runs the
//! client against the real `rempla-server` through a fault-injecting proxy.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{TimeZone, Utc};
use chrono_tz::Europe::Paris;
use rempla_client::{
    ClientConfig, NoEvents, RetryPolicy, SyncClient, SyncEvent, SyncOptions, SyncPhase, login,
    logout,
};
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_core::domain::{Availability, AvailabilityId, AvailabilityStatus, DoctorId, OpId};
use rempla_core::sync::merge::{MergeState, merge};
use rempla_core::sync::protocol::{
    ApiError, Change, OpOutcome, OpResult, PullRequest, PullResponse, PushRequest, PushResponse,
};
use rempla_core::sync::{EntityKind, Hlc, OutboxOp};
use rempla_store::Store;
use serde_json::{Value, json};
use uuid::Uuid;

const TOKEN: &str = "jeton-de-test";

/// What the next request gets instead of a normal answer.
#[derive(Clone, Debug)]
enum Fault {
    /// Answer with this status (and an `ApiError` body with this code).
    Status(u16, &'static str),
    /// Process the request, then cut the connection halfway through the answer.
    CutAfterApply,
}

#[derive(Default)]
struct Model {
    records: BTreeMap<(EntityKind, Uuid), MergeState>,
    /// Change feed: the seq of each record's latest change.
    changed_at: BTreeMap<(EntityKind, Uuid), u64>,
    seq: u64,
    outcomes: HashMap<OpId, OpOutcome>,
    /// How many times each op id was merged (must stay ≤ 1).
    merges: HashMap<OpId, usize>,
    /// Records whose ops the server refuses, with the code.
    refuse: HashMap<Uuid, &'static str>,
    faults: VecDeque<Fault>,
    requests: Vec<&'static str>,
    revoked: bool,
    /// Logins that answer with an already revoked token (a replayed login won the race).
    stale_logins: usize,
}

impl Model {
    fn apply(&mut self, op: &OutboxOp) -> OpOutcome {
        if let Some(done) = self.outcomes.get(&op.op_id) {
            return done.clone();
        }
        let outcome = if let Some(code) = self.refuse.get(&op.entity_id) {
            OpOutcome::Rejected {
                code: (*code).to_owned(),
                reason: "refusé par le serveur de test".to_owned(),
            }
        } else {
            let key = (op.entity, op.entity_id);
            let state = self.records.get(&key).cloned().unwrap_or_default();
            match merge(&state, op) {
                Ok(next) => {
                    self.records.insert(key, next);
                    self.seq += 1;
                    self.changed_at.insert(key, self.seq);
                    *self.merges.entry(op.op_id).or_default() += 1;
                    OpOutcome::Applied
                }
                Err(_) => OpOutcome::Rejected {
                    code: "record_deleted".to_owned(),
                    reason: "supprimé".to_owned(),
                },
            }
        };
        self.outcomes.insert(op.op_id, outcome.clone());
        outcome
    }

    fn pull(&self, cursor: Option<&str>, limit: usize) -> PullResponse {
        let after: u64 = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
        let mut feed: Vec<(u64, (EntityKind, Uuid))> = self
            .changed_at
            .iter()
            .filter(|(_, s)| **s > after)
            .map(|(k, s)| (*s, *k))
            .collect();
        feed.sort();
        let has_more = feed.len() > limit;
        feed.truncate(limit);
        let last = feed.last().map_or(after, |(s, _)| *s);
        PullResponse {
            protocol: 1,
            changes: feed
                .iter()
                .map(|(_, key)| {
                    let state = &self.records[key];
                    Change {
                        entity: key.0,
                        entity_id: key.1,
                        record: state.is_live().then(|| Value::Object(state.fields.clone())),
                        hlc: state.newest().unwrap_or_else(|| Hlc::new(0, 0, device0())),
                    }
                })
                .collect(),
            cursor: last.to_string(),
            has_more,
        }
    }
}

fn device0() -> rempla_core::domain::DeviceId {
    rempla_core::domain::DeviceId::from_uuid(Uuid::from_u128(7))
}

type Shared = Arc<Mutex<Model>>;

fn api_error(status: u16, code: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap();
    let mut response = (
        status,
        axum::Json(ApiError {
            code: code.to_owned(),
            detail: None,
            message: "erreur de test".to_owned(),
        }),
    )
        .into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, "0".parse().unwrap());
    }
    response
}

/// Sends half of `body` then fails the stream: hyper aborts the connection mid-answer.
fn cut(body: &[u8]) -> Response {
    let half = body[..body.len() / 2].to_vec();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        vec![Ok(half), Err(std::io::Error::other("coupure volontaire"))];
    Response::builder()
        .status(200)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap()
}

/// Common gate: auth, then the next scheduled fault.
fn gate(
    model: &mut Model,
    headers: &HeaderMap,
    name: &'static str,
) -> Result<Option<Fault>, Response> {
    model.requests.push(name);
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if auth != format!("Bearer {TOKEN}") {
        return Err(api_error(401, "unauthorized"));
    }
    if model.revoked {
        return Err(api_error(401, "token_revoked"));
    }
    match model.faults.pop_front() {
        Some(Fault::Status(s, code)) => Err(api_error(s, code)),
        other => Ok(other),
    }
}

async fn push(
    State(model): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut m = model.lock().unwrap();
    let fault = match gate(&mut m, &headers, "push") {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Ok(request) = serde_json::from_slice::<PushRequest>(&body) else {
        return api_error(400, "malformed_json");
    };
    let results: Vec<OpResult> = request
        .ops
        .iter()
        .map(|op| OpResult {
            op_id: op.op_id,
            outcome: m.apply(op),
        })
        .collect();
    let answer = serde_json::to_vec(&PushResponse {
        protocol: 1,
        results,
        server_hlc: Hlc::new(
            u64::try_from(Utc::now().timestamp_millis()).unwrap(),
            0,
            device0(),
        ),
    })
    .unwrap();
    match fault {
        Some(Fault::CutAfterApply) => cut(&answer),
        _ => ([(header::CONTENT_TYPE, "application/json")], answer).into_response(),
    }
}

async fn pull(
    State(model): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut m = model.lock().unwrap();
    let fault = match gate(&mut m, &headers, "pull") {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Ok(request) = serde_json::from_slice::<PullRequest>(&body) else {
        return api_error(400, "malformed_json");
    };
    let limit = usize::try_from(request.limit.unwrap_or(200)).unwrap();
    let answer = serde_json::to_vec(&m.pull(request.cursor.as_deref(), limit)).unwrap();
    match fault {
        Some(Fault::CutAfterApply) => cut(&answer),
        _ => ([(header::CONTENT_TYPE, "application/json")], answer).into_response(),
    }
}

async fn login_route(State(model): State<Shared>, body: axum::body::Bytes) -> Response {
    let mut m = model.lock().unwrap();
    m.requests.push("login");
    let v: Value = serde_json::from_slice(&body).unwrap();
    if v["password"] != "motdepasse-solide" {
        return api_error(401, "unauthorized");
    }
    let token = if m.stale_logins > 0 {
        m.stale_logins -= 1;
        "jeton-deja-revoque"
    } else {
        TOKEN
    };
    axum::Json(json!({
        "token": token, "account_id": "acc-1", "role": "doctor",
        "doctor_id": Uuid::from_u128(42).to_string(), "memberships": [], "terms_required": false
    }))
    .into_response()
}

async fn logout_route(State(model): State<Shared>, headers: HeaderMap) -> Response {
    let mut m = model.lock().unwrap();
    m.requests.push("logout");
    let ok = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"));
    if !ok {
        return api_error(401, "unauthorized");
    }
    m.revoked = true;
    StatusCode::NO_CONTENT.into_response()
}

async fn me_route(headers: HeaderMap) -> Response {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if auth == format!("Bearer {TOKEN}") {
        axum::Json(json!({"account_id": "acc-1"})).into_response()
    } else {
        api_error(401, "token_revoked")
    }
}

struct TestServer {
    addr: SocketAddr,
    model: Shared,
    _runtime: tokio::runtime::Runtime,
}

impl TestServer {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let model: Shared = Arc::default();
        let app = Router::new()
            .route("/v1/sync/push", post(push))
            .route("/v1/sync/pull", post(pull))
            .route("/v1/auth/login", post(login_route))
            .route("/v1/auth/logout", post(logout_route))
            .route("/v1/me", axum::routing::get(me_route))
            .with_state(Arc::clone(&model));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            addr,
            model,
            _runtime: runtime,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn model(&self) -> std::sync::MutexGuard<'_, Model> {
        self.model.lock().unwrap()
    }
}

fn fast_config(attempts: u32) -> ClientConfig {
    ClientConfig {
        retry: RetryPolicy {
            max_attempts: attempts,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        },
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
    }
}

fn doctor() -> DoctorId {
    DoctorId::from_uuid(Uuid::from_u128(42))
}

fn slot(day: u32, note: &str) -> Availability {
    Availability {
        id: AvailabilityId::new(),
        doctor_id: doctor(),
        interval: Interval::new(
            Utc.with_ymd_and_hms(2027, 3, day, 7, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, day, 19, 0, 0).unwrap(),
        )
        .unwrap(),
        zone: Paris,
        kind: ShiftKind::Day,
        recurrence: None,
        status: AvailabilityStatus::Open,
        note: Some(note.to_owned()),
        revision: 0,
    }
}

fn signed_in(server: &TestServer, attempts: u32) -> (Store, SyncClient) {
    let mut store = Store::open_in_memory().unwrap();
    login(
        &mut store,
        &server.url(),
        "dr@exemple.fr",
        "motdepasse-solide",
        "test",
        "cli",
        &fast_config(attempts),
    )
    .unwrap();
    let client = SyncClient::from_store(&store, &fast_config(attempts)).unwrap();
    (store, client)
}

#[test]
fn login_saves_the_session_and_a_wrong_password_is_not_retried() {
    let server = TestServer::start();
    let (store, _) = signed_in(&server, 3);
    let session = store.sync_session().unwrap().unwrap();
    assert_eq!(session.account_id, "acc-1");
    assert_eq!(session.server, server.url());
    let mut other = Store::open_in_memory().unwrap();
    let err = login(
        &mut other,
        &server.url(),
        "dr@exemple.fr",
        "faux",
        "t",
        "cli",
        &fast_config(5),
    )
    .unwrap_err();
    assert_eq!(err.code(), "unauthorized");
    assert_eq!(
        server
            .model()
            .requests
            .iter()
            .filter(|r| **r == "login")
            .count(),
        2,
        "one attempt each"
    );
    assert!(other.sync_session().unwrap().is_none());
}

#[test]
fn two_devices_converge_and_a_second_round_moves_nothing() {
    let server = TestServer::start();
    let (mut phone, phone_client) = signed_in(&server, 3);
    let (mut desktop, desktop_client) = signed_in(&server, 3);
    let a = slot(1, "phone");
    phone.add_availability(&a).unwrap();
    let b = slot(2, "desktop");
    desktop.add_availability(&b).unwrap();
    let r = phone_client.sync(&mut phone, &NoEvents).unwrap();
    assert_eq!((r.pushed, r.applied, r.rejected, r.pulled), (1, 1, 0, 1));
    let r = desktop_client.sync(&mut desktop, &NoEvents).unwrap();
    assert_eq!((r.pushed, r.applied, r.pulled), (1, 1, 2));
    phone_client.sync(&mut phone, &NoEvents).unwrap();
    assert_eq!(
        phone.synced_snapshot().unwrap(),
        desktop.synced_snapshot().unwrap()
    );
    assert_eq!(phone.get_availability(b.id).unwrap().unwrap(), b);
    assert_eq!(phone.pending_op_count().unwrap(), 0);
    let again = phone_client.sync(&mut phone, &NoEvents).unwrap();
    assert_eq!((again.pushed, again.pulled), (0, 0));
    assert!(phone.sync_state("last_sync_at").unwrap().is_some());
}

#[test]
fn overload_and_gateway_errors_are_retried_then_succeed() {
    let server = TestServer::start();
    let (mut store, client) = signed_in(&server, 5);
    store.add_availability(&slot(3, "x")).unwrap();
    server.model().faults.extend([
        Fault::Status(503, "unavailable"),
        Fault::Status(429, "rate_limited"),
        Fault::Status(502, "bad_gateway"),
    ]);
    let report = client.sync(&mut store, &NoEvents).unwrap();
    assert_eq!(report.applied, 1);
    let m = server.model();
    assert_eq!(m.requests.iter().filter(|r| **r == "push").count(), 4);
}

#[test]
fn a_push_whose_answer_is_cut_is_resent_and_applied_once() {
    let server = TestServer::start();
    let (mut store, client) = signed_in(&server, 4);
    let a = slot(4, "a");
    let op = store.add_availability(&a).unwrap();
    server.model().faults.push_back(Fault::CutAfterApply);
    let report = client.sync(&mut store, &NoEvents).unwrap();
    assert_eq!(report.applied, 1);
    assert_eq!(store.pending_op_count().unwrap(), 0);
    let m = server.model();
    assert_eq!(m.requests.iter().filter(|r| **r == "push").count(), 2);
    assert_eq!(m.merges.get(&op), Some(&1), "the replay changed nothing");
}

#[test]
fn client_mistakes_are_not_retried_and_keep_the_outbox() {
    let server = TestServer::start();
    let (mut store, client) = signed_in(&server, 5);
    store.add_availability(&slot(5, "x")).unwrap();
    server
        .model()
        .faults
        .push_back(Fault::Status(400, "validation"));
    let err = client.sync(&mut store, &NoEvents).unwrap_err();
    assert_eq!(err.code(), "server_rejected");
    assert_eq!(err.server_code(), "validation");
    assert_eq!(store.pending_op_count().unwrap(), 1);
    assert_eq!(server.model().requests, ["login", "push"]);
    // 500 is a server bug: not retried either, reported as transient.
    server
        .model()
        .faults
        .push_back(Fault::Status(500, "internal"));
    let err = client.sync(&mut store, &NoEvents).unwrap_err();
    assert_eq!(err.code(), "server_unavailable");
    assert!(err.is_transient());
    assert_eq!(store.pending_op_count().unwrap(), 1);
    client.sync(&mut store, &NoEvents).unwrap();
    assert_eq!(store.pending_op_count().unwrap(), 0);
}

#[test]
fn revoked_tokens_and_a_dead_server_are_reported_with_stable_codes() {
    let server = TestServer::start();
    let (mut store, client) = signed_in(&server, 2);
    server.model().revoked = true;
    assert_eq!(
        client.sync(&mut store, &NoEvents).unwrap_err().code(),
        "token_revoked"
    );
    // A port nobody listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let mut session = store.sync_session().unwrap().unwrap();
    session.server = url;
    store.save_sync_session(&session).unwrap();
    store.add_availability(&slot(6, "x")).unwrap();
    let offline = SyncClient::from_store(&store, &fast_config(3)).unwrap();
    let err = offline.sync(&mut store, &NoEvents).unwrap_err();
    assert_eq!(err.code(), "offline");
    assert_eq!(store.pending_op_count().unwrap(), 1);
}

#[test]
fn rejected_ops_are_rolled_back_and_raised_as_conflicts() {
    let server = TestServer::start();
    let (mut store, client) = signed_in(&server, 3);
    // An accepted slot, then an edit the server refuses: the server's version comes back.
    let kept = slot(7, "avant");
    store.add_availability(&kept).unwrap();
    client.sync(&mut store, &NoEvents).unwrap();
    let mut edited = kept.clone();
    edited.note = Some("après".into());
    store.update_availability(&edited).unwrap();
    server
        .model()
        .refuse
        .insert(*kept.id.as_uuid(), "slot_booked");
    // A creation the server never accepts: it disappears.
    let refused = slot(8, "jamais");
    store.add_availability(&refused).unwrap();
    server
        .model()
        .refuse
        .insert(*refused.id.as_uuid(), "forbidden");
    let events = Mutex::new(Vec::new());
    let sink = |e: &SyncEvent| events.lock().unwrap().push(e.clone());
    let report = client.sync(&mut store, &sink).unwrap();
    assert_eq!((report.pushed, report.applied, report.rejected), (2, 0, 2));
    assert_eq!(
        store
            .get_availability(kept.id)
            .unwrap()
            .unwrap()
            .note
            .as_deref(),
        Some("avant")
    );
    assert_eq!(store.get_availability(refused.id).unwrap(), None);
    let events = events.into_inner().unwrap();
    let conflicts: Vec<(Uuid, String)> = events
        .iter()
        .filter_map(|e| match e {
            SyncEvent::Conflict {
                id, code, entity, ..
            } => {
                assert_eq!(entity, "availability");
                Some((*id, code.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        conflicts,
        [
            (*kept.id.as_uuid(), "slot_booked".to_owned()),
            (*refused.id.as_uuid(), "forbidden".to_owned())
        ]
    );
    assert!(matches!(events.last(), Some(SyncEvent::Completed(r)) if r.rejected == 2));
    assert!(events.iter().any(|e| matches!(
        e,
        SyncEvent::Progress {
            phase: SyncPhase::Push,
            done: 2,
            total: Some(2)
        }
    )));
    assert!(events.iter().any(|e| matches!(
        e,
        SyncEvent::Progress {
            phase: SyncPhase::Pull,
            ..
        }
    )));
    let stored = store.sync_conflicts().unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(
        store
            .dismiss_sync_conflicts(&stored.iter().map(|c| c.op_id).collect::<Vec<_>>())
            .unwrap(),
        2
    );
    assert!(store.sync_conflicts().unwrap().is_empty());
}

#[test]
fn a_pending_local_edit_survives_a_pull_of_another_devices_change() {
    let server = TestServer::start();
    let (mut phone, phone_client) = signed_in(&server, 3);
    let (mut desktop, desktop_client) = signed_in(&server, 3);
    let a = slot(9, "début");
    phone.add_availability(&a).unwrap();
    phone_client.sync(&mut phone, &NoEvents).unwrap();
    desktop_client.sync(&mut desktop, &NoEvents).unwrap();
    // The desktop moves the slot to a night; the phone, offline, edits the note.
    let mut moved = desktop.get_availability(a.id).unwrap().unwrap();
    moved.kind = ShiftKind::Night;
    desktop.update_availability(&moved).unwrap();
    desktop_client.sync(&mut desktop, &NoEvents).unwrap();
    let mut noted = phone.get_availability(a.id).unwrap().unwrap();
    noted.note = Some("parking B".into());
    phone.update_availability(&noted).unwrap();
    // Pull only (push blocked by a 400 would stop the round; instead apply a pull page directly).
    let page = {
        let m = server.model();
        m.pull(phone.sync_state("cursor").unwrap().as_deref(), 100)
    };
    let changes: Vec<rempla_core::sync::rebase::PulledChange> =
        serde_json::from_value(serde_json::to_value(&page.changes).unwrap()).unwrap();
    phone.apply_pulled_page(&changes, &page.cursor).unwrap();
    let local = phone.get_availability(a.id).unwrap().unwrap();
    assert_eq!(
        local.kind,
        ShiftKind::Night,
        "the other device's change arrived"
    );
    assert_eq!(
        local.note.as_deref(),
        Some("parking B"),
        "the pending edit stayed"
    );
    assert_eq!(phone.pending_op_count().unwrap(), 1);
    phone_client.sync(&mut phone, &NoEvents).unwrap();
    desktop_client.sync(&mut desktop, &NoEvents).unwrap();
    assert_eq!(
        phone.synced_snapshot().unwrap(),
        desktop.synced_snapshot().unwrap()
    );
    let both = desktop.get_availability(a.id).unwrap().unwrap();
    assert_eq!(
        (both.kind, both.note.as_deref()),
        (ShiftKind::Night, Some("parking B"))
    );
}

#[test]
fn an_interrupted_pull_resumes_from_the_last_applied_page() {
    let server = TestServer::start();
    let (mut writer, writer_client) = signed_in(&server, 3);
    for day in 10..17 {
        writer.add_availability(&slot(day, "n")).unwrap();
    }
    writer_client.sync(&mut writer, &NoEvents).unwrap();
    let (mut reader, _) = signed_in(&server, 1);
    let small = SyncClient::from_store(&reader, &fast_config(1))
        .unwrap()
        .with_options(SyncOptions {
            batch_size: 500,
            pull_limit: 3,
        });
    // Page 1 is answered; the sink arms a cut for page 2, which is not retried (one attempt).
    let n_before = server.model().requests.len();
    // Schedule by counting: a sink that arms the cut after the first page.
    let armed = Arc::clone(&server.model);
    let sink = move |e: &SyncEvent| {
        if matches!(e, SyncEvent::Progress { done: 3, .. }) {
            armed.lock().unwrap().faults.push_back(Fault::CutAfterApply);
        }
    };
    let err = small.sync(&mut reader, &sink).unwrap_err();
    assert_eq!(err.code(), "offline");
    assert_eq!(server.model().requests.len() - n_before, 2);
    assert_eq!(reader.sync_state("cursor").unwrap().as_deref(), Some("3"));
    assert_eq!(reader.synced_snapshot().unwrap().len(), 3);
    let report = small.sync(&mut reader, &NoEvents).unwrap();
    assert_eq!(report.pulled, 4);
    assert_eq!(
        reader.synced_snapshot().unwrap(),
        writer.synced_snapshot().unwrap()
    );
}

#[test]
fn batches_are_split_under_the_body_limit_and_an_oversized_op_is_refused_locally() {
    let server = TestServer::start();
    let (mut store, client) = signed_in(&server, 3);
    // Three ops of ~400 KiB: together above the 1 MiB limit, so the batch is split.
    let big: Vec<Availability> = (0..3)
        .map(|i| slot(20 + i, &"x".repeat(400 * 1024)))
        .collect();
    for a in &big {
        store.add_availability(a).unwrap();
    }
    // One op above the limit on its own: it can never be sent.
    let huge = slot(27, &"y".repeat(1024 * 1024 + 10));
    store.add_availability(&huge).unwrap();
    let report = client.sync(&mut store, &NoEvents).unwrap();
    assert_eq!((report.pushed, report.applied, report.rejected), (4, 3, 1));
    assert_eq!(report.conflicts[0].code, "body_too_large");
    assert_eq!(report.conflicts[0].entity_id, *huge.id.as_uuid());
    assert_eq!(
        store.get_availability(huge.id).unwrap(),
        None,
        "rolled back"
    );
    let m = server.model();
    assert!(m.requests.iter().filter(|r| **r == "push").count() >= 2);
    for a in &big {
        assert!(
            m.records
                .contains_key(&(EntityKind::Availability, *a.id.as_uuid()))
        );
    }
    assert_eq!(store.pending_op_count().unwrap(), 0);
}

#[test]
fn logout_revokes_the_token_and_keeps_pending_edits() {
    let server = TestServer::start();
    let (mut store, _) = signed_in(&server, 2);
    store.add_availability(&slot(28, "gardée")).unwrap();
    assert!(
        logout(&mut store, &fast_config(2)).unwrap(),
        "revoked on the server"
    );
    assert!(server.model().revoked);
    assert_eq!(store.sync_session().unwrap(), None);
    assert_eq!(
        SyncClient::from_store(&store, &fast_config(1))
            .unwrap_err()
            .code(),
        "not_logged_in"
    );
    assert_eq!(store.pending_op_count().unwrap(), 1);
    assert!(
        !logout(&mut store, &fast_config(1)).unwrap(),
        "already signed out"
    );
}

#[test]
fn a_login_answered_with_a_token_revoked_by_its_own_replay_is_done_again() {
    let server = TestServer::start();
    server.model().stale_logins = 1;
    let (store, client) = signed_in(&server, 2);
    assert_eq!(store.sync_session().unwrap().unwrap().token, TOKEN);
    assert_eq!(
        server
            .model()
            .requests
            .iter()
            .filter(|r| **r == "login")
            .count(),
        2
    );
    let mut store = store;
    client.sync(&mut store, &NoEvents).unwrap();
    // Three stale answers in a row: reported, nothing saved.
    server.model().stale_logins = 3;
    let mut other = Store::open_in_memory().unwrap();
    let err = login(
        &mut other,
        &server.url(),
        "dr@exemple.fr",
        "motdepasse-solide",
        "t",
        "cli",
        &fast_config(1),
    )
    .unwrap_err();
    assert_eq!(err.code(), "token_revoked");
    assert!(other.sync_session().unwrap().is_none());
}
