//! The `rempla` CLI as a headless device against a real `rempla-server`, through the proxy with answers
//! cut and requests duplicated: `login --password-stdin`, `calendar add`, `sync`, `status`, `logout`.
//! Two CLI devices of one doctor end with the same calendar as the server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use rempla_e2e::device::{PASSWORD, Role, create_account};
use rempla_e2e::proxy::{FaultPlan, Proxy};
use rempla_e2e::rng::seeds;
use rempla_e2e::server::{ServerProcess, cli_binary, server_binary};
use rempla_store::Store;

fn rempla(bin: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(bin)
        .args(args)
        .env("REMPLA_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Runs `rempla` until it succeeds (faults are random), at most 15 times; returns the successful output.
fn until_ok(bin: &Path, args: &[&str], stdin: &str) -> Output {
    for _ in 0..15 {
        let out = rempla(bin, args, stdin);
        if out.status.success() {
            return out;
        }
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("[offline]") || err.contains("[server_unavailable]"),
            "{args:?}: {err}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{args:?} never succeeded");
}

#[test]
fn two_cli_devices_of_one_doctor_converge_through_a_faulty_network() {
    let seed = seeds(1)[0];
    println!("REMPLA_E2E_SEED={seed}");
    let server_bin = server_binary().expect("rempla-server");
    let cli = cli_binary().expect("rempla");
    let tmp = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&server_bin, &tmp.path().join("server"), None).unwrap();
    let account = create_account(&server.url(), &[&server.data], Role::Doctor, seed);
    let proxy = Proxy::start(
        vec![server.addr],
        FaultPlan {
            duplicate: 0.2,
            cut: 0.2,
            ..FaultPlan::NONE
        },
        seed,
    )
    .unwrap();
    let stores: Vec<String> = ["d1", "d2"]
        .iter()
        .map(|n| {
            tmp.path()
                .join(format!("{n}.sqlite3"))
                .display()
                .to_string()
        })
        .collect();
    // A slot typed offline before the first login: login gives it to the account's doctor.
    let add = rempla(
        &cli,
        &[
            "calendar",
            "--store",
            &stores[0],
            "add",
            "--date",
            "2027-03-27",
            "--kind",
            "night",
            "--department",
            "22",
        ],
        "",
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let password = format!("{PASSWORD}\n");
    for s in &stores {
        let out = until_ok(
            &cli,
            &[
                "login",
                "--store",
                s,
                "--server",
                &proxy.url(),
                "--email",
                &account.email,
                "--password-stdin",
                "--accept-terms",
            ],
            &password,
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("Connecté"));
    }
    let out = until_ok(&cli, &["--json", "sync", "--store", &stores[0]], "");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["rejected"], 0, "{report}");
    for s in &stores {
        until_ok(&cli, &["sync", "--store", s], "");
    }
    let status = rempla(&cli, &["--json", "status", "--store", &stores[1]], "");
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["signed_in"], true);
    assert_eq!(status["pending_ops"], 0);
    assert!(status["cursor"].is_string());
    let snapshots: Vec<_> = stores
        .iter()
        .map(|s| Store::open(s).unwrap().synced_snapshot().unwrap())
        .collect();
    assert_eq!(snapshots[0].len(), 1);
    assert_eq!(snapshots[0], snapshots[1]);

    proxy.set_plan(FaultPlan::NONE);
    let out = rempla(&cli, &["logout", "--store", &stores[0]], "");
    assert!(out.status.success());
    let out = rempla(&cli, &["sync", "--store", &stores[0]], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[not_logged_in]"));
}
