//! The storage suite: every case runs against SQLite and PostgreSQL (a throwaway cluster started by
//! the test helper, or `REMPLA_TEST_DATABASE_URL`). PostgreSQL cases fail, never skip, when the
//! database cannot be started.

// Cases are generic functions called by the #[test]s below (so clippy does not see them as tests): a
// panic in them is a test failure, which the test-only unwrap allowance intends. Short names (a, b, s,
// t, v) keep the many small assertions readable.
#![allow(
    clippy::many_single_char_names,
    clippy::unwrap_used,
    clippy::expect_used
)]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::{Db, backend_tests, open_db, second_instance};
use rempla_core::domain::{DeviceId, DoctorId, FacilityId, Member, MemberId, MemberRole, OpId};
use rempla_core::sync::protocol::OpOutcome;
use rempla_core::sync::{EntityKind, Hlc, OpKind, OutboxOp};
use rempla_server::accounts::queries::{Account, AccountKind, MailTokenUse, NewToken};
use rempla_server::db::{Scope, Storage, StorageError};
use rempla_server::sync::rules::PushContext;
use serde_json::{Value, json};
use uuid::Uuid;

fn now_ms() -> i64 {
    i64::try_from(rempla_core::sync::hlc::system_time_ms()).unwrap()
}

fn account(email: &str, kind: AccountKind, doctor: Option<String>) -> Account {
    Account {
        id: Uuid::now_v7().to_string(),
        email: email.into(),
        password_hash: Some("x".into()),
        kind,
        doctor_id: doctor,
        display_name: "T".into(),
        activated: true,
        created_ms: now_ms(),
    }
}

fn doctor_ctx(doctor: &str, account: &str) -> Arc<PushContext> {
    let device = DeviceId::new();
    Arc::new(PushContext {
        account_id: account.into(),
        device_id: device.to_string(),
        device,
        doctor_id: Some(doctor.into()),
        members: vec![],
        now_ms: now_ms(),
        max_drift_ms: 300_000,
    })
}

fn availability(id: Uuid, doctor: &str, day: u32) -> serde_json::Map<String, Value> {
    availability_in(id, doctor, 3, day)
}

/// A night availability starting on `day` of `month` 2027 (distinct days are distinct offers: the
/// server refuses a doctor's duplicate offers).
fn availability_in(id: Uuid, doctor: &str, month: u32, day: u32) -> serde_json::Map<String, Value> {
    json!({
        "id": id, "doctor_id": doctor,
        "interval": {"start": format!("2027-{month:02}-{day:02}T19:00:00Z"), "end": format!("2027-{month:02}-{:02}T07:00:00Z", day + 1)},
        "zone": "Europe/Paris", "kind": "night", "status": "open", "revision": 0
    })
    .as_object()
    .cloned()
    .unwrap()
}

fn op(
    ctx: &PushContext,
    entity_id: Uuid,
    kind: OpKind,
    fields: serde_json::Map<String, Value>,
    logical: u32,
) -> OutboxOp {
    OutboxOp {
        op_id: OpId::new(),
        entity: EntityKind::Availability,
        entity_id,
        kind,
        fields,
        hlc: Hlc::new(u64::try_from(ctx.now_ms).unwrap(), logical, ctx.device),
    }
}

fn scope_of(doctor: &str, account: &str) -> Scope {
    Scope {
        account_id: account.into(),
        doctor_id: Some(doctor.into()),
        ..Scope::default()
    }
}

async fn accounts_are_unique(db: Db) {
    let t = open_db(db).await;
    let s = &t.storage;
    let doctor = common::fixtures::doctor(1);
    let a = account(
        "a@example.fr",
        AccountKind::Doctor,
        Some(doctor.id.to_string()),
    );
    s.create_doctor(a.clone(), doctor.clone()).await.unwrap();
    assert_eq!(
        s.account_by_email("a@example.fr").await.unwrap().unwrap(),
        a
    );
    let again = account("a@example.fr", AccountKind::Doctor, None);
    let e = s
        .create_doctor(again, common::fixtures::doctor(2))
        .await
        .unwrap_err();
    assert!(
        matches!(e, StorageError::Duplicate(ref w) if w == "email"),
        "{e:?}"
    );
    let same_rpps = account("b@example.fr", AccountKind::Doctor, None);
    let mut d = common::fixtures::doctor(1);
    d.id = DoctorId::new();
    let e = s.create_doctor(same_rpps, d).await.unwrap_err();
    assert!(
        matches!(e, StorageError::Duplicate(ref w) if w == "rpps"),
        "{e:?}"
    );
    // Nothing of the refused sign-ups was stored.
    assert_eq!(s.counts().await.unwrap().accounts, 1);
    assert!(s.account_by_email("b@example.fr").await.unwrap().is_none());
}

async fn tokens_and_revocation(db: Db) {
    let t = open_db(db).await;
    let s = &t.storage;
    let now = now_ms();
    let token = |hash: &str, device: &str| NewToken {
        hash: hash.into(),
        account_id: "acc".into(),
        device_id: device.into(),
        device_name: "Pixel".into(),
        platform: "android".into(),
        created_ms: now,
        expires_ms: now + 1000,
    };
    s.insert_token(token("h1", "d1")).await.unwrap();
    s.insert_token(token("h2", "d2")).await.unwrap();
    let row = s.token("h1").await.unwrap().unwrap();
    assert_eq!((row.device_id.as_str(), row.revoked_ms), ("d1", None));
    // A new login on the same device replaces its token.
    s.insert_token(token("h3", "d1")).await.unwrap();
    assert!(s.token("h1").await.unwrap().unwrap().revoked_ms.is_some());
    s.revoke_token("h2", now).await.unwrap();
    assert_eq!(s.token("h2").await.unwrap().unwrap().revoked_ms, Some(now));
    assert_eq!(s.revoke_all_tokens("acc", now).await.unwrap(), 1);
    assert!(s.token("h3").await.unwrap().unwrap().revoked_ms.is_some());
    assert!(s.token("nope").await.unwrap().is_none());
}

async fn mail_tokens_are_single_use(db: Db) {
    let t = open_db(db).await;
    let s = &t.storage;
    let mut a = account("m@example.fr", AccountKind::Staff, None);
    a.activated = false;
    a.password_hash = None;
    s.create_staff(a.clone()).await.unwrap();
    let now = now_ms();
    s.insert_mail_token("act".into(), a.id.clone(), "activate", now + 10_000)
        .await
        .unwrap();
    s.insert_mail_token("old".into(), a.id.clone(), "activate", now - 1)
        .await
        .unwrap();
    assert_eq!(
        s.consume_mail_token("old".into(), "activate", now, None, true)
            .await
            .unwrap(),
        MailTokenUse::Invalid
    );
    assert_eq!(
        s.consume_mail_token("act".into(), "reset", now, None, true)
            .await
            .unwrap(),
        MailTokenUse::Invalid
    );
    assert_eq!(
        s.consume_mail_token("act".into(), "activate", now, None, true)
            .await
            .unwrap(),
        MailTokenUse::PasswordRequired
    );
    assert_eq!(
        s.consume_mail_token("act".into(), "activate", now, Some("hash".into()), true)
            .await
            .unwrap(),
        MailTokenUse::Used(a.id.clone())
    );
    let stored = s.account(&a.id).await.unwrap().unwrap();
    assert!(stored.activated);
    assert_eq!(stored.password_hash.as_deref(), Some("hash"));
    assert_eq!(
        s.consume_mail_token("act".into(), "activate", now, None, true)
            .await
            .unwrap(),
        MailTokenUse::Invalid
    );
}

async fn terms_proof_is_kept(db: Db) {
    let t = open_db(db).await;
    let s = &t.storage;
    assert!(!s.has_accepted_terms("acc", "v1").await.unwrap());
    s.accept_terms("acc".into(), "dev".into(), "v1".into(), "abc".into(), 42)
        .await
        .unwrap();
    s.accept_terms("acc".into(), "dev".into(), "v1".into(), "abc".into(), 43)
        .await
        .unwrap();
    assert!(s.has_accepted_terms("acc", "v1").await.unwrap());
    assert!(!s.has_accepted_terms("acc", "v2").await.unwrap());
    assert_eq!(
        s.terms_proofs("acc").await.unwrap(),
        vec![("v1".to_owned(), "abc".to_owned(), "dev".to_owned(), 42)]
    );
}

async fn push_is_idempotent_and_scoped(db: Db) {
    let t = open_db(db).await;
    let s = &t.storage;
    let (d1, d2) = (DoctorId::new().to_string(), DoctorId::new().to_string());
    let c1 = doctor_ctx(&d1, "a1");
    let c2 = doctor_ctx(&d2, "a2");
    let id = Uuid::now_v7();
    let create = op(&c1, id, OpKind::Upsert, availability(id, &d1, 3), 0);
    let (r, change) = s.apply_op(Arc::clone(&c1), create.clone()).await.unwrap();
    assert_eq!(r.outcome, OpOutcome::Applied);
    assert_eq!(change.unwrap().seq, 1);
    // Replay: same outcome, no new change.
    let (r2, change2) = s.apply_op(Arc::clone(&c1), create.clone()).await.unwrap();
    assert_eq!(r2, r);
    assert!(change2.is_none());
    // Another doctor cannot touch it, even with a fresh op.
    let forged = op(&c2, id, OpKind::Delete, serde_json::Map::new(), 0);
    let (r3, _) = s.apply_op(Arc::clone(&c2), forged).await.unwrap();
    assert!(matches!(r3.outcome, OpOutcome::Rejected { ref code, .. } if code == "forbidden"));
    // Another account replaying the first op id learns nothing and changes nothing.
    let (r4, _) = s.apply_op(Arc::clone(&c2), create).await.unwrap();
    assert!(matches!(r4.outcome, OpOutcome::Rejected { ref code, .. } if code == "forbidden"));
    let (mine, more) = s.pull(scope_of(&d1, "a1"), 0, 100).await.unwrap();
    assert!(!more);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].state.fields["kind"], "night");
    let (theirs, _) = s.pull(scope_of(&d2, "a2"), 0, 100).await.unwrap();
    assert!(theirs.is_empty());
    let counts = s.counts().await.unwrap();
    assert_eq!((counts.records, counts.ops), (1, 2));
}

async fn pull_pages_never_skip(db: Db) {
    let t = open_db(db).await;
    let s = &t.storage;
    let d = DoctorId::new().to_string();
    let c = doctor_ctx(&d, "a");
    let mut ids = BTreeSet::new();
    for i in 0..25u32 {
        let id = Uuid::now_v7();
        ids.insert(id.to_string());
        let (r, _) = s
            .apply_op(
                Arc::clone(&c),
                op(&c, id, OpKind::Upsert, availability(id, &d, 1 + i % 27), i),
            )
            .await
            .unwrap();
        assert_eq!(r.outcome, OpOutcome::Applied);
    }
    let mut cursor = 0;
    let mut seen = BTreeSet::new();
    let mut pages = 0;
    loop {
        let (page, more) = s.pull(scope_of(&d, "a"), cursor, 10).await.unwrap();
        pages += 1;
        for c in &page {
            assert!(c.seq > cursor);
            assert!(seen.insert(c.id.clone()), "seen twice");
        }
        cursor = page.last().map_or(cursor, |c| c.seq);
        if !more {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids);
    // A record changed after being pulled comes again, once, at its new position.
    let first: Uuid = ids.iter().next().unwrap().parse().unwrap();
    let mut note = serde_json::Map::new();
    note.insert("note".into(), json!("changée"));
    s.apply_op(Arc::clone(&c), op(&c, first, OpKind::Upsert, note, 100))
        .await
        .unwrap();
    let (page, more) = s.pull(scope_of(&d, "a"), cursor, 10).await.unwrap();
    assert!(!more);
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].state.fields["note"], "changée");
}

async fn invariants_hold(db: Db) {
    let t = open_db(db).await;
    let s = &t.storage;
    let d = DoctorId::new().to_string();
    let c = doctor_ctx(&d, "a");
    let id = Uuid::now_v7();
    s.apply_op(
        Arc::clone(&c),
        op(&c, id, OpKind::Upsert, availability(id, &d, 3), 0),
    )
    .await
    .unwrap();
    let code = |r: rempla_core::sync::protocol::OpResult| match r.outcome {
        OpOutcome::Rejected { code, .. } => code,
        OpOutcome::Applied => "applied".into(),
    };
    // status is server-owned.
    let mut fields = serde_json::Map::new();
    fields.insert("status".into(), json!("booked"));
    assert_eq!(
        code(
            s.apply_op(Arc::clone(&c), op(&c, id, OpKind::Upsert, fields, 1))
                .await
                .unwrap()
                .0
        ),
        "forbidden_field"
    );
    // The server books it; then it cannot move or vanish.
    let booked = s
        .book_availability(&id.to_string(), Hlc::new(1, 0, DeviceId::new()))
        .await
        .unwrap();
    assert_eq!(booked.unwrap().state.fields["status"], "booked");
    let moved = availability(id, &d, 5);
    let mut interval = serde_json::Map::new();
    interval.insert("interval".into(), moved["interval"].clone());
    assert_eq!(
        code(
            s.apply_op(Arc::clone(&c), op(&c, id, OpKind::Upsert, interval, 2))
                .await
                .unwrap()
                .0
        ),
        "slot_booked"
    );
    assert_eq!(
        code(
            s.apply_op(
                Arc::clone(&c),
                op(&c, id, OpKind::Delete, serde_json::Map::new(), 3)
            )
            .await
            .unwrap()
            .0
        ),
        "slot_booked"
    );
    // A note may still change.
    let mut note = serde_json::Map::new();
    note.insert("note".into(), json!("parking B"));
    assert_eq!(
        code(
            s.apply_op(Arc::clone(&c), op(&c, id, OpKind::Upsert, note, 4))
                .await
                .unwrap()
                .0
        ),
        "applied"
    );
    // Invalid records are refused and not stored.
    let bad_id = Uuid::now_v7();
    let mut bad = availability(bad_id, &d, 3);
    bad.insert(
        "interval".into(),
        json!({"start": "2027-03-05T10:00:00Z", "end": "2027-03-04T10:00:00Z"}),
    );
    assert_eq!(
        code(
            s.apply_op(Arc::clone(&c), op(&c, bad_id, OpKind::Upsert, bad, 5))
                .await
                .unwrap()
                .0
        ),
        "invalid_record"
    );
    let mut unknown = availability(bad_id, &d, 3);
    unknown.insert("is_admin".into(), json!(true));
    assert_eq!(
        code(
            s.apply_op(Arc::clone(&c), op(&c, bad_id, OpKind::Upsert, unknown, 6))
                .await
                .unwrap()
                .0
        ),
        "invalid_record"
    );
    // The record's id is the op's entity id: an `id` field naming another record is refused, and a
    // creation without `id` (as the offline store writes it) is accepted under the entity id.
    let mut forged = availability(bad_id, &d, 3);
    forged.insert("id".into(), json!(Uuid::now_v7().to_string()));
    assert_eq!(
        code(
            s.apply_op(Arc::clone(&c), op(&c, bad_id, OpKind::Upsert, forged, 6))
                .await
                .unwrap()
                .0
        ),
        "invalid_record"
    );
    let bare_id = Uuid::now_v7();
    // (Another night than the booked one: the same night again would be a duplicate offer.)
    let mut bare = availability(bare_id, &d, 4);
    bare.remove("id");
    assert_eq!(
        code(
            s.apply_op(Arc::clone(&c), op(&c, bare_id, OpKind::Upsert, bare, 6))
                .await
                .unwrap()
                .0
        ),
        "applied"
    );
    // Tombstones are permanent.
    let gone = Uuid::now_v7();
    s.apply_op(
        Arc::clone(&c),
        op(&c, gone, OpKind::Upsert, availability(gone, &d, 7), 7),
    )
    .await
    .unwrap();
    assert_eq!(
        code(
            s.apply_op(
                Arc::clone(&c),
                op(&c, gone, OpKind::Delete, serde_json::Map::new(), 8)
            )
            .await
            .unwrap()
            .0
        ),
        "applied"
    );
    assert_eq!(
        code(
            s.apply_op(
                Arc::clone(&c),
                op(&c, gone, OpKind::Upsert, availability(gone, &d, 7), 9)
            )
            .await
            .unwrap()
            .0
        ),
        "record_deleted"
    );
    // The booked slot, the creation without `id` and the tombstone.
    let (all, _) = s.pull(scope_of(&d, "a"), 0, 100).await.unwrap();
    assert_eq!(all.len(), 3);
    let tomb = all.iter().find(|c| c.id == gone.to_string()).unwrap();
    assert!(!tomb.state.is_live());
    let bare = all.iter().find(|c| c.id == bare_id.to_string()).unwrap();
    assert!(bare.state.is_live());
    assert_eq!(s.counts().await.unwrap().records, 3);
}

async fn requests_are_scoped_to_their_facility(db: Db) {
    let t = open_db(db).await;
    let s = &t.storage;
    let fa = FacilityId::new();
    let site = rempla_core::domain::SiteId::new();
    s.put_site(rempla_core::domain::Site {
        id: site,
        ..common::fixtures::site(fa)
    })
    .await
    .unwrap();
    let member = |f: FacilityId, role: MemberRole| Member {
        id: MemberId::new(),
        facility_id: f,
        display_name: "M".into(),
        role,
        delegations: vec![],
    };
    let device = DeviceId::new();
    let ctx = |m: Member| {
        Arc::new(PushContext {
            account_id: "acc".into(),
            device_id: device.to_string(),
            device,
            doctor_id: None,
            members: vec![m],
            now_ms: now_ms(),
            max_drift_ms: 300_000,
        })
    };
    let id = Uuid::now_v7();
    let request = json!({
        "id": id, "facility_id": fa, "site_id": site, "specialty": "urgences",
        "shifts": [{"kind": "night", "interval": {"start": "2027-03-01T19:00:00Z", "end": "2027-03-02T07:00:00Z"}}],
        "zone": "Europe/Paris", "department": "22", "location": {"lat": 48.7, "lon": -3.4},
        "doctors_needed": 1, "status": "open"
    });
    let mk = |c: &PushContext| OutboxOp {
        op_id: OpId::new(),
        entity: EntityKind::Request,
        entity_id: id,
        kind: OpKind::Upsert,
        fields: request.as_object().cloned().unwrap(),
        hlc: Hlc::new(u64::try_from(c.now_ms).unwrap(), 0, c.device),
    };
    let viewer = ctx(member(fa, MemberRole::Viewer));
    let (r, _) = s.apply_op(Arc::clone(&viewer), mk(&viewer)).await.unwrap();
    assert!(matches!(r.outcome, OpOutcome::Rejected { ref code, .. } if code == "forbidden"));
    let other = ctx(member(FacilityId::new(), MemberRole::Admin));
    let (r, _) = s.apply_op(Arc::clone(&other), mk(&other)).await.unwrap();
    assert!(matches!(r.outcome, OpOutcome::Rejected { ref code, .. } if code == "forbidden"));
    let planner = ctx(member(fa, MemberRole::Planner));
    let (r, _) = s
        .apply_op(Arc::clone(&planner), mk(&planner))
        .await
        .unwrap();
    assert_eq!(r.outcome, OpOutcome::Applied);
    let scope = |facilities: Vec<String>, all: bool| Scope {
        account_id: "x".into(),
        doctor_id: None,
        all_requests: all,
        facilities,
    };
    assert_eq!(
        s.pull(scope(vec![fa.to_string()], false), 0, 10)
            .await
            .unwrap()
            .0
            .len(),
        1
    );
    assert_eq!(
        s.pull(scope(vec![FacilityId::new().to_string()], false), 0, 10)
            .await
            .unwrap()
            .0
            .len(),
        0
    );
    assert_eq!(s.pull(scope(vec![], true), 0, 10).await.unwrap().0.len(), 1);
}

/// Two server instances on one database, pushing at once: every op applied exactly once, sequence
/// numbers unique, and a reader following the feed sees every change.
async fn two_instances_share_one_feed(db: Db) {
    let t = open_db(db).await;
    let a = t.storage.clone();
    let b = second_instance(db, &t.location).await;
    let d = DoctorId::new().to_string();
    let c = doctor_ctx(&d, "acc");
    let mut ops = Vec::new();
    for i in 0..40u32 {
        let id = Uuid::now_v7();
        ops.push(op(
            &c,
            id,
            OpKind::Upsert,
            availability_in(id, &d, 3 + i / 27, 1 + i % 27),
            i,
        ));
    }
    let run = |s: Storage, ops: Vec<OutboxOp>| {
        let c = Arc::clone(&c);
        tokio::spawn(async move {
            let mut applied = 0;
            for o in ops {
                if s.apply_op(Arc::clone(&c), o).await.unwrap().1.is_some() {
                    applied += 1;
                }
            }
            applied
        })
    };
    // Both instances receive every op (a client retrying through another instance).
    let mut reversed = ops.clone();
    reversed.reverse();
    let (x, y) = (run(a.clone(), ops.clone()), run(b.clone(), reversed));
    let (x, y) = (x.await.unwrap(), y.await.unwrap());
    assert_eq!(x + y, 40, "each op applied exactly once");
    let (all, more) = b.pull(scope_of(&d, "acc"), 0, 1000).await.unwrap();
    assert!(!more);
    assert_eq!(all.len(), 40);
    let seqs: BTreeSet<i64> = all.iter().map(|c| c.seq).collect();
    assert_eq!(seqs.len(), 40);
    assert_eq!(*seqs.iter().next_back().unwrap(), 40);
    assert_eq!(a.counts().await.unwrap().ops, 40);
}

async fn batches_keep_per_op_outcomes(db: Db) {
    let t = open_db(db).await;
    let s = &t.storage;
    let d = DoctorId::new().to_string();
    let c = doctor_ctx(&d, "a");
    let id = Uuid::now_v7();
    let create = op(&c, id, OpKind::Upsert, availability(id, &d, 3), 0);
    let mut booked = serde_json::Map::new();
    booked.insert("status".into(), json!("booked"));
    let forbidden = op(&c, id, OpKind::Upsert, booked, 1);
    let delete = op(&c, id, OpKind::Delete, serde_json::Map::new(), 2);
    let resurrect = op(&c, id, OpKind::Upsert, availability(id, &d, 3), 3);
    // The create appears twice in the batch: the second is a replay of the first.
    let batch = vec![create.clone(), forbidden, create, delete, resurrect];
    let out = s.apply_ops(Arc::clone(&c), batch).await.unwrap();
    let codes: Vec<String> = out
        .iter()
        .map(|(r, _)| match &r.outcome {
            OpOutcome::Applied => "applied".into(),
            OpOutcome::Rejected { code, .. } => code.clone(),
        })
        .collect();
    assert_eq!(
        codes,
        [
            "applied",
            "forbidden_field",
            "applied",
            "applied",
            "record_deleted"
        ]
    );
    let changes: Vec<i64> = out
        .iter()
        .filter_map(|(_, c)| c.as_ref().map(|c| c.seq))
        .collect();
    assert_eq!(
        changes,
        [1, 2],
        "the create and the delete changed the record; the replay did not"
    );
    let (feed, _) = s.pull(scope_of(&d, "a"), 0, 10).await.unwrap();
    assert_eq!(feed.len(), 1);
    assert!(!feed[0].state.is_live());
    assert_eq!(s.counts().await.unwrap().ops, 4);
}

/// `doctors_by_ids` answers in the order asked, leaves unknown ids out, and reads any number of ids
/// (more than one `IN (…)` list's worth: 250 doctors are 3 lists, the last one partial).
async fn doctors_by_ids_reads_in_lists(db: Db) {
    let t = open_db(db).await;
    let s = &t.storage;
    assert!(s.doctors_by_ids(vec![]).await.unwrap().is_empty());
    let mut ids = Vec::new();
    for n in 0..250 {
        let doctor = common::fixtures::doctor(n);
        ids.push(doctor.id.to_string());
        let a = account(
            &format!("d{n}@example.fr"),
            AccountKind::Doctor,
            Some(doctor.id.to_string()),
        );
        s.create_doctor(a, doctor).await.unwrap();
    }
    // Newest first, with unknown ids in between.
    let mut asked: Vec<String> = ids.iter().rev().cloned().collect();
    asked.insert(0, DoctorId::new().to_string());
    asked.insert(120, "pas-un-id".into());
    asked.push(DoctorId::new().to_string());
    let got: Vec<String> = s
        .doctors_by_ids(asked)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id.to_string())
        .collect();
    let expected: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(got, expected);
    // A few ids, some unknown: one partial list.
    let got: Vec<String> = s
        .doctors_by_ids(vec![
            ids[7].clone(),
            DoctorId::new().to_string(),
            ids[3].clone(),
        ])
        .await
        .unwrap()
        .iter()
        .map(|d| d.id.to_string())
        .collect();
    assert_eq!(got, [ids[7].clone(), ids[3].clone()]);
}

backend_tests!(
    accounts_are_unique,
    tokens_and_revocation,
    mail_tokens_are_single_use,
    terms_proof_is_kept,
    push_is_idempotent_and_scoped,
    pull_pages_never_skip,
    invariants_hold,
    requests_are_scoped_to_their_facility,
    two_instances_share_one_feed,
    batches_keep_per_op_outcomes,
    doctors_by_ids_reads_in_lists,
);
