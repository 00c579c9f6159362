//! The low findings: 11 (a delegate promoting itself), 13 (the facility choosing which documents it
//! reads), 14 (world-readable files), 16 (security headers, HTTPS), 18 (database text in 5xx bodies),
//! 19 (uploads checked by magic bytes only), 20 (facility viewers given the doctor's phone and e-mail).

use std::os::unix::fs::PermissionsExt;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::users::{
    invite, new_doctor, new_facility, new_staff, pdf, put, raw, sql_exec, upload,
};
use crate::common::workflow::{config, doctor, facility, open_night, request, set_clock};
use crate::common::{Db, app, app_with, backend_tests, get, post, test_config};

async fn members_of(t: &crate::common::TestApp, admin: &crate::common::users::User) -> Vec<Value> {
    let facility = admin.facility_id.clone().unwrap();
    let (_, v) = get(
        &t.router,
        &format!("/v1/facilities/{facility}/members"),
        Some(&admin.token),
    )
    .await;
    v["members"].as_array().unwrap().clone()
}

async fn finding_11_a_delegate_cannot_promote_itself_or_touch_an_admin(db: Db) {
    let t = app(db).await;
    let admin = new_facility(&t, 1).await;
    let facility = admin.facility_id.clone().unwrap();
    let delegate = invite(&t, &admin, "planner", 1).await;
    let other = invite(&t, &admin, "viewer", 2).await;
    let members = members_of(&t, &admin).await;
    let id_of = |account: &str| {
        members.iter().find(|m| m["account_id"] == account).unwrap()["member_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (delegate_id, admin_id, other_id) = (
        id_of(&delegate.account_id),
        id_of(&admin.account_id),
        id_of(&other.account_id),
    );
    // The admin gives the planner « gérer les membres ».
    let (s, v) = put(
        &t,
        &format!("/v1/facilities/{facility}/members/{delegate_id}"),
        &admin.token,
        &json!({"role": "planner", "delegations": [{"right": "manage_members"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for (target, body) in [
        (&delegate_id, json!({"role": "admin", "delegations": []})),
        (
            &delegate_id,
            json!({"role": "planner", "delegations": [{"right": "manage_members"}, {"right": "billing"}]}),
        ),
        (&admin_id, json!({"role": "viewer", "delegations": []})),
        (&other_id, json!({"role": "admin", "delegations": []})),
    ] {
        let (s, v) = put(
            &t,
            &format!("/v1/facilities/{facility}/members/{target}"),
            &delegate.token,
            &body,
        )
        .await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("admin_only")),
            "{body}: {v}"
        );
    }
    let (s, v) = crate::common::users::delete(
        &t,
        &format!("/v1/facilities/{facility}/members/{admin_id}"),
        &delegate.token,
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("admin_only")),
        "{v}"
    );
    // What a delegate is for still works: managing the other non-administrators.
    let (s, v) = put(
        &t,
        &format!("/v1/facilities/{facility}/members/{other_id}"),
        &delegate.token,
        &json!({"role": "planner", "delegations": []}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

async fn finding_13_the_facility_never_chooses_which_documents_it_reads(db: Db) {
    let t = app_with(db, config()).await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d = doctor(&t, &staff, 1, true).await;
    let (admin, site) = facility(&t, 1).await;
    open_night(&t, &d, "2027-02-01T19:00:00Z", "2027-02-02T07:00:00Z").await;
    let r = request(
        &t,
        &admin,
        &site,
        &[("2027-02-01T19:00:00Z", "2027-02-02T07:00:00Z")],
    )
    .await;
    let (s, v) = post(
        &t.router,
        &format!("/v1/requests/{r}/applications"),
        Some(&d.token),
        &json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let proposal = v["proposal"]["id"].as_str().unwrap().to_owned();
    let (s, v) = upload(
        &t,
        &d,
        "kind=diploma&name=these.pdf",
        "application/pdf",
        &pdf(77),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // The doctor's identity document (uploaded for verification) is in the vault too.
    let (_, docs) = get(&t.router, "/v1/me/documents", Some(&d.token)).await;
    let identity = docs["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kind"] == "identity")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, v) = post(
        &t.router,
        &format!("/v1/proposals/{proposal}/answer"),
        Some(&admin.token),
        &json!({"answer": "accept", "document_ids": [identity]}),
    )
    .await;
    assert_eq!(
        (s, v["detail"].as_str()),
        (StatusCode::BAD_REQUEST, Some("forbidden_field")),
        "{v}"
    );
    // Accepting without a list shares the default professional set: never the identity document.
    let (s, v) = post(
        &t.router,
        &format!("/v1/proposals/{proposal}/answer"),
        Some(&admin.token),
        &json!({"answer": "accept"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mission = v["mission_id"].as_str().unwrap().to_owned();
    let (_, shared) = get(
        &t.router,
        &format!("/v1/missions/{mission}/documents"),
        Some(&admin.token),
    )
    .await;
    assert!(
        shared["documents"]
            .as_array()
            .unwrap_or_else(|| panic!("{shared}"))
            .iter()
            .all(|x| x["kind"] != "identity")
            && shared["documents"].as_array().is_some_and(|l| l.len() == 1),
        "{shared}"
    );
}

async fn finding_18_server_failures_never_show_database_text(db: Db) {
    let t = app(db).await;
    let d = new_doctor(&t, 1).await;
    sql_exec(&t, db, "DROP TABLE push_targets").await;
    let (s, v) = get(&t.router, "/v1/me/push-targets", Some(&d.token)).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("storage"))
    );
    let text = v.to_string().to_lowercase();
    assert!(
        !text.contains("push_targets") && !text.contains("table") && !text.contains("relation"),
        "{v}"
    );
}

async fn finding_19_a_real_header_glued_to_markup_is_refused(db: Db) {
    let t = app(db).await;
    let d = new_doctor(&t, 1).await;
    let mut png_html = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    png_html.extend_from_slice(b"IHDR<html><script>alert(document.cookie)</script></html>");
    let mut jpeg_tail = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    jpeg_tail.extend_from_slice(b"then something else");
    let mut pdf_script = pdf(1);
    pdf_script.splice(9..9, b"<script>fetch('/v1/me')</script>".iter().copied());
    for (ctype, bytes) in [
        ("image/png", png_html),
        ("image/jpeg", jpeg_tail),
        ("application/pdf", pdf_script),
        ("application/pdf", b"%PDF-1.4\n<html>".to_vec()),
    ] {
        let (s, v) = upload(&t, &d, "kind=other&name=x", ctype, &bytes).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Some("document_malformed")
            ),
            "{ctype}: {v}"
        );
    }
    let (_, list) = get(&t.router, "/v1/me/documents", Some(&d.token)).await;
    assert_eq!(
        list["documents"].as_array().unwrap().len(),
        0,
        "nothing stored"
    );
    let (s, v) = upload(&t, &d, "kind=other&name=x.pdf", "application/pdf", &pdf(2)).await;
    assert_eq!(s, StatusCode::CREATED, "a whole PDF still passes: {v}");
}

backend_tests!(
    finding_11_a_delegate_cannot_promote_itself_or_touch_an_admin,
    finding_13_the_facility_never_chooses_which_documents_it_reads,
    finding_18_server_failures_never_show_database_text,
    finding_19_a_real_header_glued_to_markup_is_refused,
    finding_20_facility_viewers_get_no_doctor_phone_or_email,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_16_every_answer_carries_the_security_headers() {
    let t = app(Db::Sqlite).await;
    for path in ["/v1/health", "/v1/nowhere", "/v1/accounts/activate?token=x"] {
        let (_, headers, _) = raw(&t, "GET", path, None, None, vec![]).await;
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            headers.get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
    }
    let mut config = test_config();
    config.public_url = "https://rempla.example.fr".into();
    let t = app_with(Db::Sqlite, config).await;
    let (_, headers, _) = raw(&t, "GET", "/v1/health", None, None, vec![]).await;
    assert!(
        headers["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_14_the_data_directory_database_and_outbox_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config();
    config.data = dir.path().join("data");
    let storage = rempla_server::open_storage(&config).await.unwrap();
    let mailer = rempla_server::make_mailer(&config).unwrap();
    mailer
        .send(rempla_server::mail::Mail {
            to: "a@example.fr".into(),
            subject: "Lien".into(),
            text: "token=secret".into(),
            html: String::new(),
        })
        .await
        .unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&config.data), 0o700);
    assert_eq!(mode(&config.sqlite_path()), 0o600);
    let outbox = config.data.join("outbox");
    assert_eq!(mode(&outbox), 0o700);
    for entry in std::fs::read_dir(&outbox).unwrap() {
        assert_eq!(mode(&entry.unwrap().path()), 0o600);
    }
    drop(storage);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_16_the_server_serves_https_itself_with_hsts() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert_file, key_file) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_file, cert.cert.pem()).unwrap();
    std::fs::write(&key_file, cert.key_pair.serialize_pem()).unwrap();
    let mut config = test_config();
    config.tls = Some(rempla_server::config::TlsConfig {
        cert_file: cert_file.clone(),
        key_file,
    });
    let t = app_with(Db::Sqlite, config).await;
    let tls = t.state.config.tls.clone().unwrap();
    let acceptor = rempla_server::tls::acceptor(&tls).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(rempla_server::tls::serve(
        listener,
        acceptor,
        t.router.clone(),
        async {
            let _ = stopped.await;
        },
    ));
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .resolve(
            "localhost",
            std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        )
        .build()
        .unwrap();
    let answer = client
        .get(format!("https://localhost:{port}/v1/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(
        answer.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
    // A certificate the client does not trust is refused: this really is TLS.
    let plain = reqwest::Client::new();
    assert!(
        plain
            .get(format!("https://localhost:{port}/v1/health"))
            .send()
            .await
            .is_err()
    );
    // A bad key file is refused at start, not at the first connection.
    let broken = rempla_server::config::TlsConfig {
        cert_file,
        key_file: dir.path().join("absent.pem"),
    };
    assert!(rempla_server::tls::acceptor(&broken).is_err());
    drop((client, plain));
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

async fn finding_20_facility_viewers_get_no_doctor_phone_or_email(db: Db) {
    let t = app_with(db, config()).await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d = doctor(&t, &staff, 1, true).await;
    let (admin, site) = facility(&t, 1).await;
    let viewer = invite(&t, &admin, "viewer", 1).await;
    let mission = crate::support::accepted_mission(&t, &admin, &site, &d).await;
    let (s, seen) = get(
        &t.router,
        &format!("/v1/missions/{mission}"),
        Some(&viewer.token),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{seen}");
    let card = &seen["contacts"]["doctor"];
    assert_eq!(card["last_name"], "Test1", "{seen}");
    assert!(
        card["email"].is_null() && card["phone"].is_null(),
        "a viewer sees no contact: {seen}"
    );
    let (_, organiser) = get(
        &t.router,
        &format!("/v1/missions/{mission}"),
        Some(&admin.token),
    )
    .await;
    assert!(
        organiser["contacts"]["doctor"]["email"].is_string(),
        "{organiser}"
    );
}
