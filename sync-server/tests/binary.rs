//! The `rempla-server` binary as a process: `--demo` start-up, a demo login over real HTTP, graceful
//! shutdown on SIGTERM with a live-event stream open, and the `backup` / `export-tenant` subcommands.
// Test code: panics are failures; `start` hands the child to the caller, which waits for it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::zombie_processes)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let body = body.unwrap_or("");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out[9..12].parse().unwrap();
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn start(args: &[&str]) -> (Child, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rempla-server"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "server exited early: {lines:?}"
        );
        if let Some(addr) = line.trim().strip_prefix("rempla-server écoute sur http://") {
            let addr = addr.to_owned();
            std::thread::spawn(move || for _ in reader.lines() {});
            return (child, addr, lines);
        }
        lines.push(line);
    }
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("server did not stop after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn demo_server_serves_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let (mut child, addr, printed) = start(&["--demo", "--data", data, "--listen", "127.0.0.1:0"]);
    let printed = printed.concat();
    assert!(
        printed.contains("coordination@ch-lannion.demo.rempla.fr"),
        "{printed}"
    );
    assert!(printed.contains("demo-rempla-2026"));
    let (status, body) = http(&addr, "GET", "/v1/ready", None, None);
    assert_eq!((status, body.contains("sqlite")), (200, true));
    let login = r#"{"email":"coordination@ch-lannion.demo.rempla.fr","password":"demo-rempla-2026","device_id":"0190f5d2-0000-7000-8000-00000000abcd","device_name":"bureau","platform":"desktop"}"#;
    let (status, body) = http(&addr, "POST", "/v1/auth/login", None, Some(login));
    assert_eq!(status, 200, "{body}");
    let login: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        login["terms_required"], false,
        "demo accounts sign straight in"
    );
    assert_eq!(login["memberships"][0]["role"], "admin");
    let token = login["token"].as_str().unwrap().to_owned();
    let (status, body) = http(
        &addr,
        "POST",
        "/v1/sync/pull",
        Some(&token),
        Some(r#"{"protocol":1}"#),
    );
    assert_eq!(status, 200);
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    let requests = page["changes"].as_array().unwrap();
    assert_eq!(requests.len(), 2, "the two open requests of CH de Lannion");
    assert!(requests.iter().all(|c| c["record"]["department"] == "22"));
    // A doctor of the demo sees its own calendar and every open request.
    let doctor = r#"{"email":"medecin01@demo.rempla.fr","password":"demo-rempla-2026","device_id":"0190f5d2-0000-7000-8000-00000000abce","device_name":"téléphone","platform":"android"}"#;
    let (_, body) = http(&addr, "POST", "/v1/auth/login", None, Some(doctor));
    let doctor_token = serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, body) = http(
        &addr,
        "POST",
        "/v1/sync/pull",
        Some(&doctor_token),
        Some(r#"{"protocol":1,"limit":1000}"#),
    );
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    let changes = page["changes"].as_array().unwrap();
    let count = |e: &str| changes.iter().filter(|c| c["entity"] == e).count();
    assert_eq!(count("request"), 10);
    assert_eq!(
        count("availability"),
        10,
        "four spread slots, its site's three request nights and weekend days, a weekly series"
    );

    // The demo's staff account sees three doctors waiting, each with an identity document; pending
    // doctors are never candidates.
    assert!(printed.contains("equipe@demo.rempla.fr"), "{printed}");
    let staff = r#"{"email":"equipe@demo.rempla.fr","password":"demo-rempla-2026","device_id":"0190f5d2-0000-7000-8000-00000000abcf","device_name":"bureau","platform":"desktop"}"#;
    let (status, body) = http(&addr, "POST", "/v1/auth/login", None, Some(staff));
    assert_eq!(status, 200, "{body}");
    let staff: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(staff["terms_required"], false);
    let (status, body) = http(
        &addr,
        "GET",
        "/v1/staff/verifications",
        staff["token"].as_str(),
        None,
    );
    assert_eq!(status, 200, "{body}");
    let queue: serde_json::Value = serde_json::from_str(&body).unwrap();
    let pending = queue["pending"].as_array().unwrap();
    assert_eq!(pending.len(), 3, "{queue}");
    assert!(pending.iter().all(|p| p["identity_document"].is_object()));
    let pending_ids: Vec<&str> = pending
        .iter()
        .map(|p| p["doctor_id"].as_str().unwrap())
        .collect();
    for r in requests {
        let id = r["entity_id"].as_str().unwrap();
        let (status, body) = http(
            &addr,
            "GET",
            &format!("/v1/requests/{id}/candidates"),
            Some(&token),
            None,
        );
        assert_eq!(status, 200, "{body}");
        let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
        let candidates = answer["candidates"].as_array().unwrap();
        assert!(!candidates.is_empty(), "every demo request has candidates");
        assert!(
            candidates
                .iter()
                .all(|c| !pending_ids.contains(&c["doctor"].as_str().unwrap_or_default())),
            "a pending doctor is never a candidate"
        );
    }

    // Open a live-event stream, then SIGTERM: the server ends the stream and exits cleanly.
    let mut sse = TcpStream::connect(&addr).unwrap();
    write!(
        sse,
        "GET /v1/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\r\n"
    )
    .unwrap();
    let mut head = [0u8; 12];
    sse.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = wait_exit(&mut child);
    assert!(exit.success(), "{exit:?}");

    // Operations on the data directory once stopped: backup, export, and a restart keeps the data.
    let backup = dir.path().join("backup.sqlite3");
    let out = Command::new(env!("CARGO_BIN_EXE_rempla-server"))
        .args([
            "--data",
            data,
            "backup",
            "--output",
            backup.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(backup.metadata().unwrap().len() > 0);
    let facility = login["memberships"][0]["facility_id"].as_str().unwrap();
    let zip = dir.path().join("export.zip");
    let out = Command::new(env!("CARGO_BIN_EXE_rempla-server"))
        .args([
            "--data",
            data,
            "export-tenant",
            "--facility",
            facility,
            "--output",
            zip.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_rempla-server"))
        .args([
            "--data",
            data,
            "export-tenant",
            "--facility",
            "nope",
            "--output",
            zip.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let (mut again, addr, printed) = start(&["--demo", "--data", data, "--listen", "127.0.0.1:0"]);
    assert!(printed.concat().contains("déjà chargées"));
    let (status, _) = http(
        &addr,
        "POST",
        "/v1/sync/pull",
        Some(&token),
        Some(r#"{"protocol":1}"#),
    );
    assert_eq!(status, 200, "tokens survive a restart");
    again.kill().unwrap();
    again.wait().unwrap();
}

#[test]
fn help_tells_everything() {
    let out = Command::new(env!("CARGO_BIN_EXE_rempla-server"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for word in [
        "--listen",
        "--data",
        "--database-url",
        "--config",
        "--demo",
        "--smtp-url",
        "backup",
        "restore",
        "export-tenant",
        "REMPLA_LISTEN",
    ] {
        assert!(text.contains(word), "--help lacks {word}");
    }
}
