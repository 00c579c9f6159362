//! `rempla login`, `sync`, `status`, `logout` without a server: the answers a headless device gets before
//! it is signed in or when the server is unreachable. Runs against a real server in `tests/` (rempla-e2e).

// Helpers of this test file panic on failure by design: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn rempla(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rempla"))
        .args(args)
        .env("REMPLA_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the rempla binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn status_of_a_new_store_says_not_signed_in() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite3");
    let s = store.to_str().unwrap();
    let out = rempla(&["--json", "status", "--store", s], "");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["signed_in"], false);
    assert_eq!(v["pending_ops"], 0);
    assert_eq!(v["cursor"], serde_json::Value::Null);
    let text = rempla(&["status", "--store", s], "");
    assert!(String::from_utf8_lossy(&text.stdout).contains("Non connecté"));
}

#[test]
fn sync_before_login_and_bad_servers_fail_with_stable_codes() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.sqlite3");
    let s = store.to_str().unwrap();
    let out = rempla(&["sync", "--store", s], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[not_logged_in]"));

    let bad = rempla(
        &[
            "login",
            "--store",
            s,
            "--server",
            "ftp://exemple.fr",
            "--email",
            "dr@exemple.fr",
            "--password-stdin",
        ],
        "motdepasse-solide\n",
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("[invalid_server_url]"));

    let empty = rempla(
        &[
            "login",
            "--store",
            s,
            "--server",
            "http://127.0.0.1:9",
            "--email",
            "dr@exemple.fr",
            "--password-stdin",
        ],
        "\n",
    );
    assert_eq!(empty.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("mot de passe vide"));

    // Logging out of a device that never logged in is harmless.
    let out = rempla(&["logout", "--store", s], "");
    assert_eq!(out.status.code(), Some(0));
}
